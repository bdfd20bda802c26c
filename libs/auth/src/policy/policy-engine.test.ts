import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { InvalidArgumentError } from '@sark/platform';
import { PolicyEngine, type AuthorizationRequest } from './policy-engine.js';

const aliceReadsQ3: AuthorizationRequest = {
  principal: 'alice@orga.example',
  action: 'read',
  resource: 'orgb.example/reports/q3',
};

function engineOf(text: string, name = 'test.cedar'): PolicyEngine {
  return PolicyEngine.fromText([{ name, text }]);
}

function isPoliciesError(pattern: RegExp) {
  return (error: unknown) => error instanceof InvalidArgumentError && error.field === 'policies' && pattern.test(error.message);
}

describe('PolicyEngine decisions', () => {
  it('allows by permit with the annotated id', () => {
    const engine = engineOf(`
      @id("alice-q3")
      permit (principal == Sark::User::"alice@orga.example", action == Sark::Action::"read", resource == Sark::Resource::"orgb.example/reports/q3");
    `);

    assert.deepEqual(engine.authorize(aliceReadsQ3), {
      decision: 'allow',
      reason: 'permitted by policy alice-q3',
      policyIds: ['alice-q3'],
      errors: [],
    });
  });

  it('allows by permit with a generated id', () => {
    const engine = engineOf(`
      permit (principal, action == Sark::Action::"list", resource);
      permit (principal, action == Sark::Action::"read", resource);
    `);

    const result = engine.authorize(aliceReadsQ3);

    assert.equal(result.decision, 'allow');
    assert.deepEqual(result.policyIds, ['test.cedar#1']);
    assert.equal(result.reason, 'permitted by policy test.cedar#1');
  });

  it('names every permitting policy in load order', () => {
    const engine = engineOf(`
      @id("b") permit (principal, action, resource);
      @id("a") permit (principal, action == Sark::Action::"read", resource);
    `);

    const result = engine.authorize(aliceReadsQ3);

    assert.deepEqual(result.policyIds, ['b', 'a']);
    assert.equal(result.reason, 'permitted by policies b, a');
  });

  it('denies by default without a permit', () => {
    const engine = engineOf('permit (principal, action == Sark::Action::"write", resource);');

    assert.deepEqual(engine.authorize(aliceReadsQ3), {
      decision: 'deny',
      reason: 'no policy permits this request',
      policyIds: [],
      errors: [],
    });
  });

  it('denies everything with no policies', () => {
    const engine = PolicyEngine.fromText([]);

    assert.deepEqual(engine.policyIds, []);
    assert.equal(engine.authorize(aliceReadsQ3).decision, 'deny');
  });

  it('lets forbid override permit', () => {
    const engine = engineOf(`
      @id("all") permit (principal, action, resource);
      @id("no-reports") forbid (principal, action, resource) when { resource.path like "reports/*" };
    `);

    assert.deepEqual(engine.authorize(aliceReadsQ3), {
      decision: 'deny',
      reason: 'forbidden by policy no-reports',
      policyIds: ['no-reports'],
      errors: [],
    });
    assert.equal(engine.authorize({ ...aliceReadsQ3, resource: 'orgb.example/public/news' }).decision, 'allow');
  });

  it('matches on principal.org', () => {
    const engine = engineOf('@id("orga") permit (principal, action, resource) when { principal.org == "orga.example" };');

    assert.equal(engine.authorize(aliceReadsQ3).decision, 'allow');
    assert.equal(engine.authorize({ ...aliceReadsQ3, principal: 'alice@orgc.example' }).decision, 'deny');
  });

  it('matches principal.org case-insensitively by lowercasing', () => {
    const engine = engineOf('@id("orga") permit (principal, action, resource) when { principal.org == "orga.example" };');

    assert.equal(engine.authorize({ ...aliceReadsQ3, principal: 'alice@OrgA.Example' }).decision, 'allow');
  });

  it('matches on resource org and path', () => {
    const engine = engineOf(`
      @id("reports") permit (principal, action, resource)
      when { resource.org == "orgb.example" && resource.path == "reports/q3" };
    `);

    assert.equal(engine.authorize(aliceReadsQ3).decision, 'allow');
    assert.equal(engine.authorize({ ...aliceReadsQ3, resource: 'orgb.example/reports/q4' }).decision, 'deny');
    assert.equal(engine.authorize({ ...aliceReadsQ3, resource: 'orgc.example/reports/q3' }).decision, 'deny');
  });

  it('sets source_org, source_node_id and cross_org', () => {
    const engine = engineOf(`
      @id("from-orga-node") permit (principal, action, resource)
      when { context.source_org == "orga.example" && context.source_node_id == "node-1" && context.cross_org };
    `);

    const request = { ...aliceReadsQ3, sourceOrg: 'orga.example', sourceNodeId: 'node-1' };
    assert.equal(engine.authorize(request).decision, 'allow');
    assert.equal(engine.authorize({ ...request, sourceNodeId: 'node-2' }).decision, 'deny');
    assert.equal(engine.authorize({ ...request, sourceOrg: 'orgc.example' }).decision, 'deny');
  });

  it('sets cross_org false within one org', () => {
    const engine = engineOf('@id("local") permit (principal, action, resource) unless { context.cross_org };');

    assert.equal(engine.authorize({ ...aliceReadsQ3, resource: 'orga.example/wiki' }).decision, 'allow');
    assert.equal(engine.authorize(aliceReadsQ3).decision, 'deny');
  });

  it('defaults source_org to the principal org', () => {
    const engine = engineOf('@id("src") permit (principal, action, resource) when { context.source_org == "orga.example" && context.source_node_id == "" };');

    assert.equal(engine.authorize(aliceReadsQ3).decision, 'allow');
  });

  it('treats an empty source org as local', () => {
    const engine = engineOf('@id("local") permit (principal, action, resource) when { context.source_org == "orga.example" && !context.cross_org };');

    assert.equal(engine.authorize({ ...aliceReadsQ3, resource: 'orga.example/wiki', sourceOrg: '' }).decision, 'allow');
  });

  it('matches on request context values', () => {
    const engine = engineOf(`
      @id("audit") permit (principal, action, resource)
      when { context has purpose && context.purpose == "audit" && context.ticket.priority > 2 && context.tags.contains("sox") };
    `);

    const context = { purpose: 'audit', ticket: { priority: 3 }, tags: ['sox', 'q3'] };
    assert.equal(engine.authorize({ ...aliceReadsQ3, context }).decision, 'allow');
    assert.equal(engine.authorize({ ...aliceReadsQ3, context: { ...context, purpose: 'curiosity' } }).decision, 'deny');
    assert.equal(engine.authorize({ ...aliceReadsQ3, context: {} }).decision, 'deny');
  });

  it('denies when a policy fails to evaluate', () => {
    const engine = engineOf(`
      @id("all") permit (principal, action, resource);
      @id("broken") forbid (principal, action, resource) when { context.missing == 1 };
    `);

    const result = engine.authorize(aliceReadsQ3);

    assert.equal(result.decision, 'deny');
    assert.equal(result.reason, 'policy evaluation failed in policy broken');
    assert.deepEqual(result.policyIds, ['broken']);
    assert.equal(result.errors.length, 1);
    assert.match(result.errors[0] ?? '', /^broken: .*missing/);
  });
});

describe('PolicyEngine request validation', () => {
  const engine = engineOf('permit (principal, action, resource);');
  const cases: Array<[string, Partial<AuthorizationRequest>, string]> = [
    ['principal without org', { principal: 'alice' }, 'request.principal'],
    ['principal with a bad org', { principal: 'alice@org a' }, 'request.principal'],
    ['empty action', { action: '' }, 'request.action'],
    ['action with a space', { action: 'read all' }, 'request.action'],
    ['resource without path', { resource: 'orgb.example' }, 'request.resource'],
    ['resource with whitespace', { resource: 'orgb.example/a b' }, 'request.resource'],
    ['bad source org', { sourceOrg: 'not an org' }, 'request.source_org'],
    ['long source node id', { sourceNodeId: 'n'.repeat(257) }, 'request.source_node_id'],
    ['reserved context key', { context: { cross_org: false } }, 'request.context'],
    ['fractional context number', { context: { n: 1.5 } }, 'request.context'],
    ['context entity escape', { context: { who: { __entity: { type: 'Sark::User', id: 'x' } } } }, 'request.context'],
    ['context null value', { context: { n: null } as never }, 'request.context'],
    ['context array', { context: [] as never }, 'request.context'],
  ];

  for (const [label, change, field] of cases) {
    it(`rejects ${label}`, () => {
      assert.throws(
        () => engine.authorize({ ...aliceReadsQ3, ...change }),
        (error: unknown) => error instanceof InvalidArgumentError && error.field === field,
      );
    });
  }

  it('names the path of a bad context value', () => {
    assert.throws(() => engine.authorize({ ...aliceReadsQ3, context: { ticket: { ids: [1, 2.5] } } }), {
      message: 'request.context: value at ticket.ids[1] must be an integer between -(2^53-1) and 2^53-1, got 2.5',
    });
  });

  it('rejects context nested too deep', () => {
    let context: Record<string, unknown> = { leaf: 'x' };
    for (let depth = 0; depth < 20; depth += 1) {
      context = { nested: context };
    }

    assert.throws(() => engine.authorize({ ...aliceReadsQ3, context: context as never }), { message: /nested more than 16 levels deep/ });
  });
});

describe('PolicyEngine loading', () => {
  it('numbers generated ids in source order', () => {
    const text = Array.from({ length: 12 }, (_, index) => `permit (principal, action == Sark::Action::"a${index}", resource);`).join('\n');
    const engine = engineOf(text, 'many.cedar');

    assert.deepEqual(
      engine.policyIds,
      Array.from({ length: 12 }, (_, index) => `many.cedar#${index}`),
    );
    for (const index of [0, 2, 10, 11]) {
      assert.deepEqual(engine.authorize({ ...aliceReadsQ3, action: `a${index}` }).policyIds, [`many.cedar#${index}`]);
    }
  });

  it('keeps annotated ids in source order', () => {
    const engine = engineOf(`
      @id("zeta") permit (principal, action == Sark::Action::"z", resource);
      permit (principal, action == Sark::Action::"m", resource);
      @id("alpha") permit (principal, action == Sark::Action::"a", resource);
    `);

    assert.deepEqual(engine.policyIds, ['zeta', 'test.cedar#1', 'alpha']);
    assert.deepEqual(engine.authorize({ ...aliceReadsQ3, action: 'z' }).policyIds, ['zeta']);
    assert.deepEqual(engine.authorize({ ...aliceReadsQ3, action: 'a' }).policyIds, ['alpha']);
  });

  it('loads several sources in order', () => {
    const engine = PolicyEngine.fromText([
      { name: 'one.cedar', text: 'permit (principal, action, resource);' },
      { name: 'two.cedar', text: 'forbid (principal, action, resource); permit (principal, action, resource);' },
    ]);

    assert.deepEqual(engine.policyIds, ['one.cedar#0', 'two.cedar#0', 'two.cedar#1']);
  });

  it('names file, line and column of a parse error', () => {
    const text = '// first line\npermit (principal, action, resource);\nforbid (principal, action, resource) when { principal.org = "x" };\n';

    assert.throws(
      () => engineOf(text, 'broken.cedar'),
      isPoliciesError(/^policies: cannot parse broken\.cedar: line 3, column 45: '=' is not a valid operator in Cedar \(try using '==' instead\)$/),
    );
  });

  it('counts columns in characters after non-ASCII text', () => {
    const text = '// Übersicht für Bären\npermit (principal, action, resource) when { ü };\n';

    assert.throws(() => engineOf(text, 'umlaut.cedar'), isPoliciesError(/cannot parse umlaut\.cedar: line 2, column 45: /));
  });

  it('rejects a duplicate id across sources', () => {
    const sources = [
      { name: 'a.cedar', text: '@id("same") permit (principal, action, resource);' },
      { name: 'b.cedar', text: '@id("same") forbid (principal, action, resource);' },
    ];

    assert.throws(() => PolicyEngine.fromText(sources), isPoliciesError(/^policies: policy id "same" in b\.cedar is already used in a\.cedar$/));
  });

  it('rejects an empty id annotation', () => {
    assert.throws(() => engineOf('@id("") permit (principal, action, resource);'), isPoliciesError(/empty @id annotation/));
  });

  it('rejects templates', () => {
    assert.throws(() => engineOf('permit (principal == ?principal, action, resource);'), isPoliciesError(/contains policy templates/));
  });
});

describe('PolicyEngine.fromFiles', () => {
  let directory = '';

  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), 'sark-policy-'));
  });

  after(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('uses the base name in ids', async () => {
    const file = path.join(directory, 'local.cedar');
    await writeFile(file, 'permit (principal, action, resource);');

    const engine = await PolicyEngine.fromFiles([file]);

    assert.deepEqual(engine.policyIds, ['local.cedar#0']);
  });

  it('names the file path of a parse error', async () => {
    const file = path.join(directory, 'bad.cedar');
    await writeFile(file, '\n\npermit (principal, action, resource)\n');

    await assert.rejects(PolicyEngine.fromFiles([file]), isPoliciesError(new RegExp(`^policies: cannot parse ${escape(file)}: line 3, column 37: unexpected end of input$`)));
  });

  it('rejects a missing file', async () => {
    const file = path.join(directory, 'missing.cedar');

    await assert.rejects(PolicyEngine.fromFiles([file]), isPoliciesError(new RegExp(`^policies: cannot read policy file ${escape(file)}: ENOENT$`)));
  });
});

describe('example policies for orgb.example', () => {
  let engine: PolicyEngine;

  before(async () => {
    const examples = fileURLToPath(new URL('./examples/', import.meta.url));
    engine = await PolicyEngine.fromFiles([path.join(examples, 'orgb.cedar')]);
  });

  it('lets alice read the Q3 report', () => {
    assert.deepEqual(engine.authorize({ ...aliceReadsQ3, sourceOrg: 'orga.example' }), {
      decision: 'allow',
      reason: 'permitted by policy orgb-alice-read-q3',
      policyIds: ['orgb-alice-read-q3'],
      errors: [],
    });
  });

  it('denies payroll by default', () => {
    assert.deepEqual(engine.authorize({ ...aliceReadsQ3, resource: 'orgb.example/payroll' }), {
      decision: 'deny',
      reason: 'no policy permits this request',
      policyIds: [],
      errors: [],
    });
  });

  it('lets orga users list but not read reports', () => {
    const bob = { ...aliceReadsQ3, principal: 'bob@orga.example' };

    assert.deepEqual(engine.authorize({ ...bob, action: 'list' }).policyIds, ['orgb-orga-list-reports']);
    assert.equal(engine.authorize(bob).decision, 'deny');
    assert.equal(engine.authorize({ ...bob, action: 'list', resource: 'orgb.example/payroll' }).decision, 'deny');
  });
});

describe('examples in docs/policies.md', () => {
  let engine: PolicyEngine;

  before(async () => {
    const markdown = await readFile(fileURLToPath(new URL('../../../../docs/policies.md', import.meta.url)), 'utf8');
    const blocks = [...markdown.matchAll(/```cedar\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
    assert.equal(blocks.length, 6);
    engine = PolicyEngine.fromText(blocks.map((text, index) => ({ name: `docs-${index}.cedar`, text })));
  });

  it('loads every example with its id', () => {
    assert.deepEqual(engine.policyIds, [
      'orgb-alice-read-q3',
      'orgb-orga-list-reports',
      'partners-read-public',
      'orga-read-or-list-wiki',
      'auditors-read-ledgers',
      'payroll-stays-home',
      'block-compromised-node',
    ]);
  });

  it('decides the documented cases', () => {
    const partner = { principal: 'carol@orgc.example', action: 'read', resource: 'orgb.example/public/brochure', sourceOrg: 'orgc.example' };
    const auditor = { principal: 'dan@audit.example', action: 'read', resource: 'orgb.example/ledgers/2025' };

    assert.deepEqual(engine.authorize(partner).policyIds, ['partners-read-public']);
    assert.equal(engine.authorize({ ...partner, sourceOrg: 'orga.example' }).decision, 'deny');
    assert.deepEqual(engine.authorize({ ...partner, sourceNodeId: 'sark-2.orgc.example' }).policyIds, ['block-compromised-node']);
    assert.deepEqual(engine.authorize({ ...auditor, context: { purpose: 'annual-audit' } }).policyIds, ['auditors-read-ledgers']);
    assert.equal(engine.authorize(auditor).reason, 'no policy permits this request');
    assert.deepEqual(engine.authorize({ ...aliceReadsQ3, action: 'list', resource: 'orga.example/wiki/home' }).policyIds, ['orga-read-or-list-wiki']);
    assert.deepEqual(engine.authorize({ ...aliceReadsQ3, resource: 'orgb.example/payroll/2025' }).policyIds, ['payroll-stays-home']);
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
