import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConfigError } from './config-loader.js';
import { loadNodeConfig } from './node-config.js';

describe('node configuration', () => {
  let dir: string;

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sark-config-'));
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, text: string): Promise<string> {
    const target = path.join(dir, name);
    await writeFile(target, text);
    return target;
  }

  function configError(load: () => unknown): ConfigError {
    try {
      load();
    } catch (error) {
      assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
      return error;
    }
    assert.fail('expected a ConfigError');
  }

  it('applies defaults with no file and no variables', () => {
    const config = loadNodeConfig({ env: {} });

    assert.equal(config.org, 'orga.example');
    assert.equal(config.nodeId, 'sark.orga.example');
    assert.equal(config.listen.routing, 7403);
    assert.equal(config.listen.federation, 7406);
    assert.deepEqual(config.rateLimits.peer, { perHour: 10_000, burst: 50 });
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.dataDir, path.resolve('.sark'));
  });

  it('reads a file and resolves its paths against its directory', async () => {
    const configPath = await file(
      'node.yaml',
      ['org: orgb.example', 'policies: [policies/orgb.cedar]', 'trustBundles:', '  - org: orga.example', '    caFile: bundles/orga.pem'].join('\n'),
    );

    const config = loadNodeConfig({ file: configPath, env: {} });

    assert.equal(config.nodeId, 'sark.orgb.example');
    assert.deepEqual(config.policies, [path.join(dir, 'policies/orgb.cedar')]);
    assert.equal(config.trustBundles[0]?.caFile, path.join(dir, 'bundles/orga.pem'));
  });

  it('lets SARK_ variables override nested keys', async () => {
    const configPath = await file('override.yaml', 'listen:\n  routing: 9000\n');

    const config = loadNodeConfig({ file: configPath, env: { SARK_LISTEN__ROUTING: '9100', SARK_NODE_ID: 'edge.orga.example', SARK_RATE_LIMITS__PEER__BURST: '7' } });

    assert.equal(config.listen.routing, 9100);
    assert.equal(config.nodeId, 'edge.orga.example');
    assert.equal(config.rateLimits.peer.burst, 7);
  });

  it('falls back to DATABASE_URL and REDIS_URL', () => {
    const fromStandard = loadNodeConfig({ env: { DATABASE_URL: 'postgres://a@127.0.0.1:5432/x', REDIS_URL: 'redis://127.0.0.1:6379/2' } });
    const explicit = loadNodeConfig({ env: { DATABASE_URL: 'postgres://a@127.0.0.1:5432/x', SARK_DATABASE_URL: 'postgres://b@127.0.0.1:5432/y' } });

    assert.equal(fromStandard.databaseUrl, 'postgres://a@127.0.0.1:5432/x');
    assert.equal(fromStandard.redisUrl, 'redis://127.0.0.1:6379/2');
    assert.equal(explicit.databaseUrl, 'postgres://b@127.0.0.1:5432/y');
  });

  it('rejects a DATABASE_URL that is not a URL', () => {
    const error = configError(() => loadNodeConfig({ env: { DATABASE_URL: 'not a url' } }));

    assert.deepEqual(error.issues, ['DATABASE_URL: must be a URL, for example postgres://user@host:5432/db']);
  });

  it('resolves defaults against the working directory, not the file', async () => {
    const configPath = await file('defaults.yaml', 'listen:\n  host: 0.0.0.0\n');

    const config = loadNodeConfig({ file: configPath, env: { SARK_TRUST_BUNDLES: '[{org: orgb.example, caFile: b.pem}]' } });

    assert.equal(config.dataDir, path.resolve('.sark'));
    assert.equal(config.trustBundles[0]?.caFile, path.resolve('b.pem'));
  });

  it('takes the file from SARK_CONFIG', async () => {
    const configPath = await file('from-env.yaml', 'org: orgc.example\n');

    assert.equal(loadNodeConfig({ env: { SARK_CONFIG: configPath } }).org, 'orgc.example');
  });

  const invalidCases = [
    { name: 'unknown top-level key in the file', yaml: 'orgg: orga.example\n', env: {}, issue: /^unknown key orgg \(file .* or SARK_ORGG\): remove it or check its spelling$/ },
    { name: 'unknown nested key', yaml: 'listen:\n  routnig: 1\n', env: {}, issue: /^unknown key listen\.routnig \(file .* or SARK_LISTEN__ROUTNIG\)/ },
    { name: 'unknown variable', yaml: '', env: { SARK_REDIS_ULR: 'redis://x' }, issue: /^unknown key redisUlr \(file .* or SARK_REDIS_ULR\)/ },
    { name: 'port that is not a number', yaml: 'listen:\n  auth: abc\n', env: {}, issue: /^listen\.auth \(SARK_LISTEN__AUTH\): must be a TCP port from 0 to 65535, got "abc"$/ },
    { name: 'port that is not an integer', yaml: 'listen:\n  audit: 7405.5\n', env: {}, issue: /^listen\.audit \(SARK_LISTEN__AUDIT\): must be a TCP port from 0 to 65535, got 7405\.5$/ },
    { name: 'port out of range', yaml: '', env: { SARK_LISTEN__AUTH: '70000' }, issue: /^listen\.auth \(SARK_LISTEN__AUTH\): must be a TCP port from 0 to 65535, got 70000$/ },
    { name: 'org not a DNS name', yaml: 'org: Org_A\n', env: {}, issue: /^org \(SARK_ORG\): must be a lowercase DNS name/ },
    { name: 'burst below one', yaml: 'rateLimits:\n  peer:\n    perHour: 10\n    burst: 0\n', env: {}, issue: /^rateLimits\.peer\.burst \(SARK_RATE_LIMITS__PEER__BURST\): must be an integer of at least 1, got 0$/ },
    { name: 'bad federation endpoint', yaml: 'peers:\n  - nodeId: sark.orgb.example\n    org: orgb.example\n    federationEndpoint: nowhere\n', env: {}, issue: /^peers\.0\.federationEndpoint .*must be host:port/ },
  ];

  for (const testCase of invalidCases) {
    it(`rejects ${testCase.name}`, async () => {
      const configPath = await file(`${testCase.name.replace(/\W+/g, '-')}.yaml`, testCase.yaml);

      const error = configError(() => loadNodeConfig({ file: configPath, env: testCase.env }));

      assert.equal(error.issues.length, 1, error.message);
      assert.match(error.issues[0]!, testCase.issue);
    });
  }

  it('reports each unknown key on its own line', async () => {
    const configPath = await file('two-unknown.yaml', 'orgg: a\nrateLimit: b\n');

    const error = configError(() => loadNodeConfig({ file: configPath, env: {} }));

    assert.equal(error.issues.length, 2);
    assert.match(error.issues[0]!, /^unknown key orgg /);
    assert.match(error.issues[1]!, /^unknown key rateLimit /);
  });

  it('names a missing file', () => {
    const error = configError(() => loadNodeConfig({ file: path.join(dir, 'missing.yaml'), env: {} }));

    assert.deepEqual(error.issues, [`config file ${path.join(dir, 'missing.yaml')} cannot be read: ENOENT`]);
  });

  it('rejects a file that is not a mapping', async () => {
    const configPath = await file('list.yaml', '- a\n- b\n');

    const error = configError(() => loadNodeConfig({ file: configPath, env: {} }));

    assert.deepEqual(error.issues, [`config file ${configPath} must contain a mapping of keys at the top level`]);
  });
});
