import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { readCertificateIdentity, splitPemBundle, verifyCertificateAgainstBundle } from '@sark/pki';

import { runSarkctl } from './cli.js';
import type { CliIo } from './command.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const clock = () => new Date('2031-03-04T05:06:07Z');

async function sarkctl(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIo = { stdout: { write: (text: string) => stdout.push(text) }, stderr: { write: (text: string) => stderr.push(text) }, now: clock };

  const code = await runSarkctl(argv, io);

  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

async function fileMode(filePath: string): Promise<number> {
  return (await stat(filePath)).mode & 0o777;
}

function outputField(stdout: string, name: string): string | undefined {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(`${name}: `));

  return line?.slice(name.length + 2);
}

describe('sarkctl pki', () => {
  let root: string;
  let caDir: string;
  let caPem: string;

  before(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'sarkctl-pki-'));
    caDir = path.join(root, 'ca');
    const result = await sarkctl('pki', 'init', '--org', 'orga.example', '--out', caDir);
    assert.deepEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: '' });
    caPem = await readFile(path.join(caDir, 'ca.pem'), 'utf8');
  });

  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describe('init', () => {
    it('writes the CA files', async () => {
      const ca = new X509Certificate(caPem);

      assert.deepEqual((await readdir(caDir)).sort(), ['ca-key.pem', 'ca.pem']);
      assert.equal(await fileMode(path.join(caDir, 'ca-key.pem')), 0o600);
      assert.equal(ca.ca, true);
      assert.equal(ca.subjectAltName, 'URI:spiffe://orga.example');
      assert.equal(new Date(ca.validFrom).toISOString(), '2031-03-04T05:06:07.000Z');
    });

    it('prints paths and fingerprint', async () => {
      const dir = path.join(root, 'ca-output');
      const result = await sarkctl('pki', 'init', '--org', 'orgb.example', '--out', dir);
      const ca = new X509Certificate(await readFile(path.join(dir, 'ca.pem'), 'utf8'));

      assert.equal(result.code, 0);
      assert.equal(
        result.stdout,
        [
          'org: orgb.example',
          `ca certificate: ${path.join(dir, 'ca.pem')}`,
          `ca private key: ${path.join(dir, 'ca-key.pem')}`,
          `fingerprint sha256: ${ca.fingerprint256}`,
          `not after: ${new Date(clock().getTime() + 3650 * DAY_MS).toISOString()}`,
          '',
        ].join('\n'),
      );
    });

    it('keeps an existing CA', async () => {
      const result = await sarkctl('pki', 'init', '--org', 'orga.example', '--out', caDir);

      assert.deepEqual(result, {
        code: 1,
        stdout: '',
        stderr: `sarkctl: pki init: ${caDir} already contains a CA (ca.pem or ca-key.pem); it is not replaced because the certificates it issued would stop verifying. Choose another --out directory\n`,
      });
      assert.equal(await readFile(path.join(caDir, 'ca.pem'), 'utf8'), caPem);
    });

    it('rejects an invalid org', async () => {
      const dir = path.join(root, 'never');
      const result = await sarkctl('pki', 'init', '--org', 'Org A', '--out', dir);

      assert.deepEqual(result, {
        code: 2,
        stdout: '',
        stderr: `sarkctl: pki init: --org: must be a lowercase DNS name such as orga.example, got "Org A"; run 'sarkctl pki init --help' for usage\n`,
      });
      await assert.rejects(stat(dir), { code: 'ENOENT' });
    });

    it('requires --out', async () => {
      const result = await sarkctl('pki', 'init', '--org', 'orga.example');

      assert.deepEqual(result, { code: 2, stdout: '', stderr: "sarkctl: pki init: missing --out <dir>; run 'sarkctl pki init --help' for usage\n" });
    });
  });

  describe('issue', () => {
    it('writes a federation chain and key', async () => {
      const out = path.join(root, 'issued');
      const result = await sarkctl(
        'pki', 'issue', '--ca-dir', caDir, '--role', 'federation', '--node-id', 'sark.orga.example',
        '--dns', 'localhost', '--ip', '127.0.0.1', '--ip', '::1', '--days', '30', '--out', out,
      );
      const chainPem = await readFile(path.join(out, 'federation.pem'), 'utf8');
      const chain = splitPemBundle(chainPem);
      const identity = readCertificateIdentity(chainPem);

      assert.deepEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: '' });
      assert.equal(outputField(result.stdout, 'spiffe id'), 'spiffe://orga.example/sark/federation');
      assert.equal(outputField(result.stdout, 'fingerprint sha256'), identity.fingerprintSha256);
      assert.equal(outputField(result.stdout, 'certificate'), path.join(out, 'federation.pem'));
      assert.equal(outputField(result.stdout, 'private key'), path.join(out, 'federation-key.pem'));
      assert.equal(outputField(result.stdout, 'not after'), '2031-04-03T05:06:07.000Z');
      assert.equal(chain.length, 2);
      assert.equal(chain[1], caPem);
      assert.deepEqual(identity.dnsNames, ['sark.orga.example', 'localhost']);
      assert.deepEqual(identity.ipAddresses, ['127.0.0.1', '::1']);
      assert.equal(await fileMode(path.join(out, 'federation-key.pem')), 0o600);
      assert.equal(verifyCertificateAgainstBundle(chainPem, [caPem], { now: clock }).valid, true);
    });

    it('names operator files after the role', async () => {
      const out = path.join(root, 'operators');
      const result = await sarkctl('pki', 'issue', '--ca-dir', caDir, '--role', 'operator/admin', '--out', out);

      assert.equal(result.code, 0);
      assert.deepEqual((await readdir(out)).sort(), ['operator-admin-key.pem', 'operator-admin.pem']);
      assert.equal(readCertificateIdentity(await readFile(path.join(out, 'operator-admin.pem'), 'utf8')).role, 'operator/admin');
    });

    it('uses --name for the files', async () => {
      const out = path.join(root, 'named');
      const result = await sarkctl('pki', 'issue', '--ca-dir', caDir, '--role', 'trust', '--out', out, '--name', 'trust-node1');

      assert.equal(result.code, 0);
      assert.deepEqual((await readdir(out)).sort(), ['trust-node1-key.pem', 'trust-node1.pem']);
    });

    it('keeps files without --force', async () => {
      const out = path.join(root, 'twice');
      await sarkctl('pki', 'issue', '--ca-dir', caDir, '--role', 'audit', '--out', out);
      const firstPem = await readFile(path.join(out, 'audit.pem'), 'utf8');

      const secondRun = await sarkctl('pki', 'issue', '--ca-dir', caDir, '--role', 'audit', '--out', out);

      assert.deepEqual(secondRun, {
        code: 1,
        stdout: '',
        stderr: `sarkctl: pki issue: ${path.join(out, 'audit.pem')} or ${path.join(out, 'audit-key.pem')} already exists; pass --force to replace them or choose another --name\n`,
      });
      assert.equal(await readFile(path.join(out, 'audit.pem'), 'utf8'), firstPem);
    });

    it('replaces files with --force', async () => {
      const out = path.join(root, 'forced');
      await sarkctl('pki', 'issue', '--ca-dir', caDir, '--role', 'auth', '--out', out);
      const firstPem = await readFile(path.join(out, 'auth.pem'), 'utf8');

      const forced = await sarkctl('pki', 'issue', '--ca-dir', caDir, '--role', 'auth', '--out', out, '--force');

      assert.equal(forced.code, 0);
      assert.notEqual(await readFile(path.join(out, 'auth.pem'), 'utf8'), firstPem);
      assert.equal(await fileMode(path.join(out, 'auth-key.pem')), 0o600);
    });

    it('reports a missing CA', async () => {
      const missingDir = path.join(root, 'no-ca');
      const result = await sarkctl('pki', 'issue', '--ca-dir', missingDir, '--role', 'trust', '--out', path.join(root, 'unused'));

      assert.deepEqual(result, {
        code: 1,
        stdout: '',
        stderr: `sarkctl: pki issue: the CA certificate ${path.join(missingDir, 'ca.pem')} was not found; pass the directory of 'sarkctl pki init' as --ca-dir\n`,
      });
    });

    const usageCases: Array<[string, string[], string]> = [
      ['missing role', [], 'missing --role <role>'],
      ['bad role', ['--role', 'root'], '--role: must be one of federation, discovery, trust, routing, auth, audit or operator/<name>, got "root"'],
      ['federation without node id', ['--role', 'federation'], "--node-id: is required for role federation; pass the node's DNS name, such as sark.orga.example"],
      ['bad node id', ['--role', 'federation', '--node-id', 'sark orga'], '--node-id: must be a lowercase DNS name such as sark.orga.example, got "sark orga"'],
      ['bad DNS name', ['--role', 'trust', '--dns', 'localhost', '--dns', 'a_b'], '--dns: must be a lowercase DNS name such as localhost, got "a_b"'],
      ['bad IP', ['--role', 'trust', '--ip', '1.2.3'], '--ip: must be an IPv4 or IPv6 address such as 127.0.0.1 or ::1, got "1.2.3"'],
      ['days not a number', ['--role', 'trust', '--days', '1y'], '--days: must be a whole number of days such as 365, got "1y"'],
      ['zero days', ['--role', 'trust', '--days', '0'], '--days: must be a whole number of days from 1 to 36500, got 0'],
      [
        'days beyond the CA',
        ['--role', 'trust', '--days', '4000'],
        '--days: must not outlast the CA certificate, which expires at 2041-03-01T05:06:07.000Z; use at most 3650 days or create a new CA',
      ],
      ['name with a path', ['--role', 'trust', '--name', '../x'], `--name: must be a file name of letters, digits, '.', '_' and '-' without a leading '.', got "../x"`],
    ];

    for (const [name, options, message] of usageCases) {
      it(`exits 2 on ${name}`, async () => {
        const out = path.join(root, 'usage-errors');
        const result = await sarkctl('pki', 'issue', '--ca-dir', caDir, '--out', out, ...options);

        assert.deepEqual(result, { code: 2, stdout: '', stderr: `sarkctl: pki issue: ${message}; run 'sarkctl pki issue --help' for usage\n` });
        await assert.rejects(stat(out), { code: 'ENOENT' });
      });
    }
  });

  describe('help', () => {
    it('lists the pki commands', async () => {
      const result = await sarkctl('pki', '--help');

      assert.equal(result.code, 0);
      assert.match(result.stdout, /\n {2}init {3}Create the org CA \(ca\.pem and ca-key\.pem\)\n {2}issue {2}Issue a certificate signed by the org CA\n/);
    });

    it('describes the issue options', async () => {
      const result = await sarkctl('pki', 'issue', '--help');

      assert.equal(result.code, 0);
      assert.match(result.stdout, /^Usage: sarkctl pki issue --ca-dir <dir> --role <role> \[--node-id <id>\] \[--dns <name>\]\.\.\. \[--ip <addr>\]\.\.\. /);
      assert.match(result.stdout, /\n {2}--days <n> {6}Validity in days, from now\. Default 365; at most until the CA expires\.\n/);
    });
  });
});
