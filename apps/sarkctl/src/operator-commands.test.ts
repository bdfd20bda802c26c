// sarkctl apikey and audit commands against a whole node started in this
// process, with real PostgreSQL and real mutual TLS.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { callUnary, createChannelCredentials } from '@sark/grpc';
import { SarkError, createLogger, loadNodeConfig } from '@sark/platform';
import { auth } from '@sark/proto';
import { startNode, type RunningNode } from '@sark/runtime';
import { createTestDatabase, type TestDatabase } from '@sark/store/testing';

import { runSarkctl } from './cli.js';
import type { CliIo } from './command.js';

const SHOWN_ONCE_NOTICE = 'Store the API key now: it is shown only this once and cannot be shown again.\n';
const KEY_ADMIN_DENIED = 'managing API keys needs an operator certificate of orga.example or an API key with scope apikeys:admin';
const OPERATOR_SPIFFE_ID = 'spiffe://orga.example/sark/operator/admin';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function sarkctl(...argv: string[]): Promise<Result> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: CliIo = {
    stdout: { write: (text: string) => stdout.push(text) },
    stderr: { write: (text: string) => stderr.push(text) },
    now: () => new Date(),
  };

  const code = await runSarkctl(argv, io);

  return { code, stdout: stdout.join(''), stderr: stderr.join('') };
}

function outputField(stdout: string, name: string): string | undefined {
  const line = stdout.split('\n').find((candidate) => candidate.startsWith(`${name}: `));

  return line?.slice(name.length + 2);
}

/** Splits table output into rows of cells. The first row is the header. */
function tableRows(stdout: string): string[][] {
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.split(/ {2,}/));
}

/** Cuts an ISO timestamp with milliseconds to the second, as the tables print it. */
function toSecond(iso: string | undefined): string {
  return (iso ?? '').replace(/\.\d{3}Z$/, 'Z');
}

async function closedLoopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));

  assert.ok(address !== null);
  assert.ok(typeof address === 'object');
  return address.port;
}

describe('sarkctl apikey and audit on a running node', () => {
  let dataDir: string;
  let database: TestDatabase;
  let node: RunningNode;
  let pki: string;
  let authArgs: string[];
  let auditArgs: string[];

  before(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'sarkctl-node-'));
    database = await createTestDatabase();
    const config = loadNodeConfig({
      env: {
        SARK_ORG: 'orga.example',
        SARK_DATA_DIR: dataDir,
        SARK_DATABASE_URL: database.url,
        SARK_LOG__LEVEL: 'silent',
        SARK_LISTEN: '{host: 127.0.0.1, discovery: 0, trust: 0, routing: 0, auth: 0, audit: 0, federation: 0}',
      },
    });
    node = await startNode(config, createLogger({ service: 'node', level: 'silent' }));
    pki = path.join(dataDir, 'pki');
    const tlsArgs = ['--ca', path.join(pki, 'ca.pem'), '--cert', path.join(pki, 'operator-admin.pem'), '--key', path.join(pki, 'operator-admin-key.pem')];
    authArgs = ['--address', node.addresses.auth ?? '', ...tlsArgs];
    auditArgs = ['--address', node.addresses.audit ?? '', ...tlsArgs];
  });

  after(async () => {
    await node?.stop();
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function createKey(principal: string, ...options: string[]): Promise<{ keyId: string; apiKey: string; createdAt: string }> {
    const result = await sarkctl('apikey', 'create', '--principal', principal, ...options, ...authArgs, '--json');
    assert.deepEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: SHOWN_ONCE_NOTICE });
    const response = JSON.parse(result.stdout) as { key: { keyId: string; createdAt: string }; apiKey: string };

    return { keyId: response.key.keyId, apiKey: response.apiKey, createdAt: response.key.createdAt };
  }

  async function authenticate(apiKey: string): Promise<auth.AuthenticateResponse> {
    const { readFile } = await import('node:fs/promises');
    const { credentials, channelOptions } = createChannelCredentials({
      caPems: [await readFile(path.join(pki, 'ca.pem'), 'utf8')],
      certChainPem: await readFile(path.join(pki, 'operator-admin.pem'), 'utf8'),
      keyPem: await readFile(path.join(pki, 'operator-admin-key.pem'), 'utf8'),
      serverName: 'localhost',
    });
    const client = new auth.AuthClient(node.addresses.auth ?? '', credentials, channelOptions);

    try {
      return await callUnary(client, client.authenticate, { apiKey }, { target: 'auth' });
    } finally {
      client.close();
    }
  }

  describe('apikey create', () => {
    it('prints the key once and it authenticates', async () => {
      const result = await sarkctl(
        'apikey', 'create', '--principal', 'alice@orga.example', '--scope', 'audit:read', '--scope', 'apikeys:admin',
        '--description', 'nightly export', '--ttl-seconds', '3600', ...authArgs,
      );
      const apiKey = outputField(result.stdout, 'api key') ?? '';
      const keyId = outputField(result.stdout, 'key id') ?? '';
      const created = Date.parse(outputField(result.stdout, 'created') ?? '');
      const expires = Date.parse(outputField(result.stdout, 'expires') ?? '');

      assert.deepEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: '' });
      assert.match(keyId, /^[a-z2-7]{12}$/);
      assert.equal(outputField(result.stdout, 'principal'), 'alice@orga.example');
      assert.equal(outputField(result.stdout, 'scopes'), 'audit:read,apikeys:admin');
      assert.equal(outputField(result.stdout, 'description'), 'nightly export');
      assert.equal(expires - created, 3600 * 1000);
      assert.match(apiKey, new RegExp(`^sark_${keyId}_[A-Za-z0-9_-]{43}$`));
      assert.equal(result.stdout.split(apiKey).length, 2);
      assert.ok(result.stdout.endsWith(`api key: ${apiKey}\n${SHOWN_ONCE_NOTICE}`));

      const { identity } = await authenticate(apiKey);
      assert.equal(identity?.kind, auth.IdentityKind.IDENTITY_KIND_API_KEY);
      assert.equal(identity?.principal, 'alice@orga.example');
      assert.deepEqual(identity?.scopes, ['audit:read', 'apikeys:admin']);
      assert.equal(identity?.credentialId, keyId);
    });

    it('prints a key without expiry or scopes', async () => {
      const result = await sarkctl('apikey', 'create', '--principal', 'bare@orga.example', ...authArgs);

      assert.equal(result.code, 0);
      assert.equal(outputField(result.stdout, 'scopes'), 'none');
      assert.equal(outputField(result.stdout, 'expires'), 'never');
      assert.equal(outputField(result.stdout, 'description'), undefined);
    });

    it('prints the response as JSON', async () => {
      const result = await sarkctl('apikey', 'create', '--principal', 'json@orga.example', '--scope', 'audit:read', ...authArgs, '--json');
      const response = JSON.parse(result.stdout) as { key: { keyId: string; principal: string; scopes: string[]; createdAt: string }; apiKey: string };

      assert.deepEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: SHOWN_ONCE_NOTICE });
      assert.equal(response.key.principal, 'json@orga.example');
      assert.deepEqual(response.key.scopes, ['audit:read']);
      assert.match(response.key.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(response.apiKey.startsWith(`sark_${response.key.keyId}_`));
    });

    it('reports a principal of another org', async () => {
      const result = await sarkctl('apikey', 'create', '--principal', 'bob@orgb.example', ...authArgs);

      assert.deepEqual(result, {
        code: 1,
        stdout: '',
        stderr: 'sarkctl: apikey create: invalid_argument: principal: must belong to org orga.example; keys for orgb.example are issued by its own node\n',
      });
    });

    it('reports permission_denied for a service certificate', async () => {
      const result = await sarkctl(
        'apikey', 'create', '--principal', 'alice@orga.example', '--address', node.addresses.auth ?? '',
        '--ca', path.join(pki, 'ca.pem'), '--cert', path.join(pki, 'routing.pem'), '--key', path.join(pki, 'routing-key.pem'),
      );

      assert.deepEqual(result, { code: 1, stdout: '', stderr: `sarkctl: apikey create: permission_denied: ${KEY_ADMIN_DENIED}\n` });
    });
  });

  describe('apikey list', () => {
    it('prints a table of the keys', async () => {
      const created = await createKey('list@orga.example', '--scope', 'audit:read', '--scope', 'apikeys:admin');

      const result = await sarkctl('apikey', 'list', '--principal', 'list@orga.example', ...authArgs);

      assert.deepEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: '' });
      assert.deepEqual(tableRows(result.stdout), [
        ['KEY ID', 'PRINCIPAL', 'SCOPES', 'CREATED', 'EXPIRES', 'REVOKED'],
        [created.keyId, 'list@orga.example', 'audit:read,apikeys:admin', toSecond(created.createdAt), 'never', '-'],
      ]);
    });

    it('prints the keys as JSON', async () => {
      const created = await createKey('listjson@orga.example', '--description', 'json listing');

      const result = await sarkctl('apikey', 'list', '--principal', 'listjson@orga.example', ...authArgs, '--json');
      const response = JSON.parse(result.stdout) as { keys: Array<{ keyId: string; description: string; createdAt: string }>; nextPageToken?: string };

      assert.equal(result.code, 0);
      assert.deepEqual(response, {
        keys: [{ keyId: created.keyId, principal: 'listjson@orga.example', description: 'json listing', createdAt: created.createdAt }],
      });
    });

    it('prints one page with --page-size', async () => {
      const oldest = await createKey('pages@orga.example');
      const middle = await createKey('pages@orga.example');
      const newest = await createKey('pages@orga.example');

      const first = await sarkctl('apikey', 'list', '--principal', 'pages@orga.example', '--page-size', '2', ...authArgs);
      const token = outputField(first.stdout, 'next page token') ?? '';
      const second = await sarkctl('apikey', 'list', '--principal', 'pages@orga.example', '--page-size', '2', '--page-token', token, ...authArgs);

      assert.equal(first.code, 0);
      assert.deepEqual(tableRows(first.stdout).slice(1, 3).map((row) => row[0]), [newest.keyId, middle.keyId]);
      assert.notEqual(token, '');
      assert.ok(first.stdout.endsWith('Pass it as --page-token to print the next page.\n'));
      assert.equal(second.code, 0);
      assert.deepEqual(tableRows(second.stdout).slice(1).map((row) => row[0]), [oldest.keyId]);
      assert.equal(outputField(second.stdout, 'next page token'), undefined);
    });

    it('follows every page without --page-size', async () => {
      // The server's default page size is 100, so 101 keys need two pages.
      const keyIds: string[] = [];
      for (let index = 0; index < 101; index += 1) {
        keyIds.push((await createKey('many@orga.example')).keyId);
      }

      const result = await sarkctl('apikey', 'list', '--principal', 'many@orga.example', ...authArgs, '--json');
      const response = JSON.parse(result.stdout) as { keys: Array<{ keyId: string }>; nextPageToken?: string };

      assert.equal(result.code, 0);
      assert.deepEqual(response.keys.map((key) => key.keyId), keyIds.reverse());
      assert.equal(response.nextPageToken, undefined);
    });

    it('reports no keys', async () => {
      const result = await sarkctl('apikey', 'list', '--principal', 'nobody@orga.example', ...authArgs);

      assert.deepEqual(result, { code: 0, stdout: 'No API keys found.\n', stderr: '' });
    });
  });

  describe('apikey revoke', () => {
    it('revokes a key and hides it from the list', async () => {
      const created = await createKey('revoke@orga.example', '--scope', 'audit:read');

      const result = await sarkctl('apikey', 'revoke', '--key-id', created.keyId, '--reason', 'rotated', ...authArgs);
      const revokedAt = outputField(result.stdout, 'revoked') ?? '';
      const active = await sarkctl('apikey', 'list', '--principal', 'revoke@orga.example', ...authArgs);
      const all = await sarkctl('apikey', 'list', '--principal', 'revoke@orga.example', '--include-revoked', ...authArgs);

      assert.deepEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: '' });
      assert.equal(outputField(result.stdout, 'key id'), created.keyId);
      assert.equal(outputField(result.stdout, 'principal'), 'revoke@orga.example');
      assert.match(revokedAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.equal(outputField(result.stdout, 'reason'), 'rotated');
      assert.deepEqual(active, { code: 0, stdout: 'No API keys found.\n', stderr: '' });
      assert.deepEqual(tableRows(all.stdout)[1], [created.keyId, 'revoke@orga.example', 'audit:read', toSecond(created.createdAt), 'never', revokedAt]);
      await assert.rejects(authenticate(created.apiKey), (error) => error instanceof SarkError && error.kind === 'unauthenticated');
    });

    it('reports an unknown key id', async () => {
      const result = await sarkctl('apikey', 'revoke', '--key-id', 'aaaaaaaaaaaa', '--reason', 'gone', ...authArgs);

      assert.equal(result.code, 1);
      assert.match(result.stderr, /^sarkctl: apikey revoke: not_found: .*aaaaaaaaaaaa.*\n$/);
    });

    it('requires a reason', async () => {
      const result = await sarkctl('apikey', 'revoke', '--key-id', 'aaaaaaaaaaaa', ...authArgs);

      assert.deepEqual(result, { code: 2, stdout: '', stderr: "sarkctl: apikey revoke: missing --reason <text>; run 'sarkctl apikey revoke --help' for usage\n" });
    });
  });

  describe('audit query', () => {
    let audited: { keyId: string; apiKey: string; createdAt: string };

    before(async () => {
      audited = await createKey('audited@orga.example', '--scope', 'audit:read');
      const revoked = await sarkctl('apikey', 'revoke', '--key-id', audited.keyId, '--reason', 'audit test', ...authArgs);
      assert.equal(revoked.code, 0);
    });

    it('prints the key events as a table', async () => {
      const result = await sarkctl('audit', 'query', '--principal', 'audited@orga.example', ...auditArgs);
      const rows = tableRows(result.stdout);

      assert.deepEqual({ code: result.code, stderr: result.stderr }, { code: 0, stderr: '' });
      assert.deepEqual(rows[0], ['SEQUENCE', 'RECORDED AT', 'EVENT TYPE', 'CORRELATION ID', 'PRINCIPAL', 'ACTION', 'RESOURCE', 'DECISION', 'ACTOR', 'REASON']);
      assert.equal(rows.length, 3);
      assert.deepEqual(rows.slice(1).map((row) => [row[2], row[4], row[5], row[6], row[7], row[8], row[9]]), [
        ['api_key_created', 'audited@orga.example', '-', '-', '-', OPERATOR_SPIFFE_ID, '-'],
        ['api_key_revoked', 'audited@orga.example', '-', '-', '-', OPERATOR_SPIFFE_ID, 'audit test'],
      ]);
      assert.ok(Number(rows[1]?.[0]) < Number(rows[2]?.[0]));
      assert.match(rows[1]?.[1] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      assert.match(rows[1]?.[3] ?? '', /^[0-9a-f-]{36}$/);
    });

    it('prints the events as JSON with attributes', async () => {
      const result = await sarkctl('audit', 'query', '--principal', 'audited@orga.example', ...auditArgs, '--json');
      const response = JSON.parse(result.stdout) as { events: Array<{ eventType: string; actor: string; attributes: { key_id: string; scopes?: string[] } }> };

      assert.equal(result.code, 0);
      assert.deepEqual(
        response.events.map((event) => [event.eventType, event.attributes.key_id]),
        [
          ['api_key_created', audited.keyId],
          ['api_key_revoked', audited.keyId],
        ],
      );
      assert.deepEqual(response.events[0]?.attributes.scopes, ['audit:read']);
    });

    it('filters by event type', async () => {
      const result = await sarkctl('audit', 'query', '--principal', 'audited@orga.example', '--event-type', 'api_key_revoked', ...auditArgs);

      assert.equal(result.code, 0);
      assert.deepEqual(tableRows(result.stdout).slice(1).map((row) => row[2]), ['api_key_revoked']);
    });

    it('stops at --limit and continues after it', async () => {
      const first = await sarkctl('audit', 'query', '--principal', 'audited@orga.example', '--limit', '1', ...auditArgs);
      const firstRows = tableRows(first.stdout);
      const sequence = firstRows[1]?.[0] ?? '';
      const rest = await sarkctl('audit', 'query', '--principal', 'audited@orga.example', '--after-sequence', sequence, ...auditArgs);

      assert.equal(first.code, 0);
      assert.equal(firstRows.length, 3);
      assert.equal(firstRows[1]?.[2], 'api_key_created');
      assert.equal(firstRows[2]?.join('  '), `More events may follow: pass --after-sequence ${sequence} to print them.`);
      assert.deepEqual(tableRows(rest.stdout).slice(1).map((row) => row[2]), ['api_key_revoked']);
    });

    it('cuts long cells in the table but not in JSON', async () => {
      const longReason = `${'r'.repeat(100)} end`;
      const created = await createKey('longreason@orga.example');
      await sarkctl('apikey', 'revoke', '--key-id', created.keyId, '--reason', longReason, ...authArgs);

      const table = await sarkctl('audit', 'query', '--principal', 'longreason@orga.example', '--event-type', 'api_key_revoked', ...auditArgs);
      const json = await sarkctl('audit', 'query', '--principal', 'longreason@orga.example', '--event-type', 'api_key_revoked', ...auditArgs, '--json');

      assert.equal(tableRows(table.stdout)[1]?.[9], `${'r'.repeat(59)}…`);
      assert.equal((JSON.parse(json.stdout) as { events: Array<{ reason: string }> }).events[0]?.reason, longReason);
    });

    it('reports no events', async () => {
      const result = await sarkctl('audit', 'query', '--correlation-id', 'no-such-request', ...auditArgs);

      assert.deepEqual(result, { code: 0, stdout: 'No audit events found.\n', stderr: '' });
    });
  });

  describe('connection failures', () => {
    it('names a missing --cert file', async () => {
      const missing = path.join(dataDir, 'missing.pem');

      const result = await sarkctl('apikey', 'list', ...authArgs, '--cert', missing);

      assert.deepEqual(result, { code: 1, stdout: '', stderr: `sarkctl: apikey list: cannot read --cert ${missing}: ENOENT (check the path given to --cert)\n` });
    });

    it('advises npm start for the default files', async () => {
      const emptyDir = await mkdtemp(path.join(tmpdir(), 'sarkctl-empty-'));
      const previousDir = process.cwd();
      process.chdir(emptyDir);

      try {
        const result = await sarkctl('audit', 'query', '--address', node.addresses.audit ?? '');

        assert.deepEqual(result, {
          code: 1,
          stdout: '',
          stderr: `sarkctl: audit query: cannot read --ca ${path.join(process.cwd(), '.sark/pki/ca.pem')}: ENOENT (start a node with npm start and run sarkctl from the repository root, or pass --ca)\n`,
        });
      } finally {
        process.chdir(previousDir);
        await rm(emptyDir, { recursive: true, force: true });
      }
    });

    it('rejects a key of another certificate', async () => {
      const result = await sarkctl('apikey', 'list', ...authArgs, '--key', path.join(pki, 'routing-key.pem'));

      assert.deepEqual(result, {
        code: 1,
        stdout: '',
        stderr:
          `sarkctl: apikey list: --key ${path.join(pki, 'routing-key.pem')} is not the private key of the certificate in ` +
          `--cert ${path.join(pki, 'operator-admin.pem')}; pass the key file issued with it\n`,
      });
    });

    it('rejects a --ca file without certificates', async () => {
      const keyFile = path.join(pki, 'operator-admin-key.pem');

      const result = await sarkctl('apikey', 'list', ...authArgs, '--ca', keyFile);

      assert.deepEqual(result, { code: 1, stdout: '', stderr: `sarkctl: apikey list: --ca ${keyFile} contains no PEM certificate; pass the CA certificate of the node's org\n` });
    });

    it('reports an unreachable address', async () => {
      const port = await closedLoopbackPort();

      const result = await sarkctl('apikey', 'list', ...authArgs, '--address', `127.0.0.1:${port}`, '--timeout-ms', '3000');

      assert.equal(result.code, 1);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, new RegExp(`^sarkctl: apikey list: unavailable: cannot connect to the auth service at 127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
      assert.ok(result.stderr.endsWith('; check --address, that the node is running, and that --ca and --server-name match its certificate\n'));
    });

    it('reports a server name the certificate lacks', async () => {
      const result = await sarkctl('apikey', 'list', ...authArgs, '--server-name', 'wrong.example');

      assert.equal(result.code, 1);
      assert.match(result.stderr, /^sarkctl: apikey list: unavailable: cannot connect to the auth service at 127\.0\.0\.1:\d+: .*wrong\.example/);
    });

    it('reports a certificate of another org as unauthenticated', async () => {
      const otherCa = path.join(dataDir, 'orgb-ca');
      const otherCerts = path.join(dataDir, 'orgb-certs');
      assert.equal((await sarkctl('pki', 'init', '--org', 'orgb.example', '--out', otherCa)).code, 0);
      assert.equal((await sarkctl('pki', 'issue', '--ca-dir', otherCa, '--role', 'operator/admin', '--out', otherCerts)).code, 0);

      const result = await sarkctl(
        'apikey', 'list', ...authArgs, '--cert', path.join(otherCerts, 'operator-admin.pem'), '--key', path.join(otherCerts, 'operator-admin-key.pem'),
      );

      assert.deepEqual(result, {
        code: 1,
        stdout: '',
        stderr:
          'sarkctl: apikey list: unauthenticated: authentication failed: present a valid client certificate or API key; ' +
          `the node rejected --cert ${path.join(otherCerts, 'operator-admin.pem')}: pass an operator certificate issued by the CA of the node's org\n`,
      });
    });
  });

  describe('usage errors', () => {
    const cases: Array<[string, string[], string]> = [
      ['bad address', ['apikey', 'list', '--address', 'localhost'], '--address: must be host:port such as 127.0.0.1:7404 or [::1]:7404, got "localhost"'],
      ['port out of range', ['apikey', 'list', '--address', '127.0.0.1:70000'], '--address: must be host:port such as 127.0.0.1:7404 or [::1]:7404, got "127.0.0.1:70000"'],
      ['ttl not a number', ['apikey', 'create', '--principal', 'a@orga.example', '--ttl-seconds', '1h'], '--ttl-seconds: must be a whole number of seconds, got "1h"'],
      ['zero ttl', ['apikey', 'create', '--principal', 'a@orga.example', '--ttl-seconds', '0'], `--ttl-seconds: must be a whole number of seconds from 1 to ${Number.MAX_SAFE_INTEGER}, got 0`],
      ['page size too large', ['apikey', 'list', '--page-size', '501'], '--page-size: must be a whole number from 1 to 500, got 501'],
      ['zero timeout', ['apikey', 'list', '--timeout-ms', '0'], '--timeout-ms: must be a whole number of milliseconds from 1 to 2147483647, got 0'],
      ['zero limit', ['audit', 'query', '--limit', '0'], `--limit: must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}, got 0`],
      ['negative sequence', ['audit', 'query', '--after-sequence=-1'], '--after-sequence: must be a whole number, got "-1"'],
    ];

    for (const [name, argv, message] of cases) {
      it(`exits 2 on ${name}`, async () => {
        const command = `${argv[0]} ${argv[1]}`;

        assert.deepEqual(await sarkctl(...argv), { code: 2, stdout: '', stderr: `sarkctl: ${command}: ${message}; run 'sarkctl ${command} --help' for usage\n` });
      });
    }
  });
});
