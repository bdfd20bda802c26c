import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import {
  preparsePolicySet,
  statefulIsAuthorized,
  type AuthorizationAnswer,
  type Context,
  type EntityJson,
  type StatefulAuthorizationCall,
} from '@cedar-policy/cedar-wasm/nodejs';
import { InternalError, InvalidArgumentError } from '@sark/platform';
import { parseOrg, parsePrincipal, parseResourceId, validateAction } from './identifiers.js';
import { validatePolicyContext, type PolicyContext } from './policy-context.js';
import { parsePolicySources, type ParsedPolicy } from './policy-parser.js';

/** A request to decide: who does what on which resource, and in what context. */
export interface AuthorizationRequest {
  /** `name@org`, for example `alice@orga.example`. */
  principal: string;
  /** The action name, for example `read`. */
  action: string;
  /** `<org>/<path>`, for example `orgb.example/reports/q3`. */
  resource: string;
  /** Extra context values. Must not use the keys `source_org`, `source_node_id` or `cross_org`. */
  context?: PolicyContext;
  /** The organisation whose node sent the request. Undefined or empty means the principal's organisation. */
  sourceOrg?: string;
  /** The id of the node that sent the request. Defaults to the empty string. */
  sourceNodeId?: string;
}

export interface AuthorizationResult {
  decision: 'allow' | 'deny';
  /** A sentence for logs and audit records that names the deciding policies. */
  reason: string;
  /** The permitting, forbidding or failing policies, in load order. Empty for a default deny. */
  policyIds: string[];
  /** Evaluation errors as `<policy id>: <message>`. Any error makes the decision deny. */
  errors: string[];
}

const maxSourceNodeIdLength = 256;
const entityNamespace = 'Sark';

/**
 * Decides requests against a fixed set of Cedar policies. Deny is the
 * default: a request is allowed only when some permit policy is satisfied,
 * no forbid policy is satisfied and no policy fails to evaluate.
 *
 * Instances are immutable. To change policies, build a new engine.
 */
export class PolicyEngine {
  /** Ids of the loaded policies, in load order. */
  readonly policyIds: readonly string[];
  private readonly policySetId: string;
  private readonly loadOrder: ReadonlyMap<string, number>;

  private constructor(policies: readonly ParsedPolicy[]) {
    this.policyIds = policies.map((policy) => policy.id);
    this.loadOrder = new Map(this.policyIds.map((id, index) => [id, index]));
    this.policySetId = preparse(policies);
  }

  /**
   * Builds an engine from Cedar source texts. Policy ids are the `@id("...")`
   * annotation when present, otherwise `<name>#<index>` with a zero-based
   * index within its source. Throws InvalidArgumentError('policies') for
   * parse errors, naming the source, line and column.
   */
  static fromText(sources: ReadonlyArray<{ name: string; text: string }>): PolicyEngine {
    return new PolicyEngine(parsePolicySources(sources));
  }

  /**
   * Builds an engine from Cedar policy files, as `fromText` with each file's
   * base name as the source name. Throws InvalidArgumentError('policies')
   * when a file cannot be read or parsed.
   */
  static async fromFiles(paths: readonly string[]): Promise<PolicyEngine> {
    const sources = await Promise.all(
      paths.map(async (filePath) => ({
        name: path.basename(filePath),
        label: filePath,
        text: await readPolicyFile(filePath),
      })),
    );
    return new PolicyEngine(parsePolicySources(sources));
  }

  /**
   * Decides a request. Throws InvalidArgumentError naming the field
   * (`request.principal`, `request.action`, `request.resource`,
   * `request.context`, `request.source_org`, `request.source_node_id`) when
   * an input is malformed.
   */
  authorize(request: AuthorizationRequest): AuthorizationResult {
    const cedarRequest = toCedarRequest(request);

    const answer = statefulIsAuthorized({ ...cedarRequest, preparsedPolicySetId: this.policySetId });

    return this.toResult(answer);
  }

  private toResult(answer: AuthorizationAnswer): AuthorizationResult {
    if (answer.type === 'failure') {
      const details = answer.errors.map((error) => error.message).join('; ');
      throw new InternalError('auth.policy_evaluation_failed', `Cedar rejected the authorization request: ${details}`);
    }

    const { decision, diagnostics } = answer.response;
    if (diagnostics.errors.length > 0) {
      const policyIds = this.inLoadOrder(diagnostics.errors.map((error) => error.policyId));
      const errors = diagnostics.errors.map((error) => `${error.policyId}: ${error.error.message}`);
      return { decision: 'deny', reason: `policy evaluation failed in ${namePolicies(policyIds)}`, policyIds, errors };
    }

    const policyIds = this.inLoadOrder(diagnostics.reason);
    if (decision === 'allow') {
      return { decision: 'allow', reason: `permitted by ${namePolicies(policyIds)}`, policyIds, errors: [] };
    }

    if (policyIds.length > 0) {
      return { decision: 'deny', reason: `forbidden by ${namePolicies(policyIds)}`, policyIds, errors: [] };
    }

    return { decision: 'deny', reason: 'no policy permits this request', policyIds: [], errors: [] };
  }

  private inLoadOrder(policyIds: readonly string[]): string[] {
    const unique = [...new Set(policyIds)];
    return unique.sort((a, b) => (this.loadOrder.get(a) ?? 0) - (this.loadOrder.get(b) ?? 0));
  }
}

/** Validates a request and builds the Cedar principal, action, resource, context and entities for it. */
function toCedarRequest(request: AuthorizationRequest): Omit<StatefulAuthorizationCall, 'preparsedPolicySetId'> {
  const principal = parsePrincipal(request.principal);
  const action = validateAction(request.action);
  const resource = parseResourceId(request.resource);
  const sourceOrg = request.sourceOrg ? parseOrg(request.sourceOrg, 'request.source_org') : principal.org;
  const sourceNodeId = validateSourceNodeId(request.sourceNodeId ?? '');
  const requestContext = validatePolicyContext(request.context ?? {});

  const context: Context = {
    ...(requestContext as Context),
    source_org: sourceOrg,
    source_node_id: sourceNodeId,
    cross_org: sourceOrg !== resource.org,
  };
  const entities: EntityJson[] = [
    { uid: entityUid('User', principal.id), attrs: { org: principal.org }, parents: [] },
    { uid: entityUid('Resource', resource.id), attrs: { org: resource.org, path: resource.path }, parents: [] },
  ];

  return {
    principal: entityUid('User', principal.id),
    action: entityUid('Action', action),
    resource: entityUid('Resource', resource.id),
    context,
    entities,
  };
}

/**
 * Hands the policies to Cedar's parsed-policy cache and returns the cache key.
 * The key is a hash of the policies, so engines with the same policies share
 * one entry.
 */
function preparse(policies: readonly ParsedPolicy[]): string {
  const staticPolicies = Object.fromEntries(policies.map((policy) => [policy.id, policy.text]));
  const digest = createHash('sha256').update(JSON.stringify(staticPolicies)).digest('hex');
  // NOTE: cedar-wasm 4.13 has no call that drops a cached policy set, so each
  // distinct policy set stays in the WASM heap until the process exits.
  const policySetId = `sark-policies-${digest}`;

  const answer = preparsePolicySet(policySetId, { staticPolicies });
  if (answer.type === 'failure') {
    const details = answer.errors.map((error) => error.message).join('; ');
    throw new InvalidArgumentError('policies', `cannot load the policy set: ${details}`);
  }

  return policySetId;
}

async function readPolicyFile(filePath: string): Promise<string> {
  try {
    return await readFile(filePath, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new InvalidArgumentError('policies', `cannot read policy file ${filePath}: ${reason}`, { cause: error });
  }
}

function validateSourceNodeId(value: string): string {
  if (typeof value !== 'string' || value.length > maxSourceNodeIdLength) {
    throw new InvalidArgumentError('request.source_node_id', `must be a string of at most ${maxSourceNodeIdLength} characters`);
  }

  return value;
}

function entityUid(type: 'User' | 'Action' | 'Resource', id: string): { type: string; id: string } {
  return { type: `${entityNamespace}::${type}`, id };
}

function namePolicies(policyIds: readonly string[]): string {
  const noun = policyIds.length === 1 ? 'policy' : 'policies';
  return `${noun} ${policyIds.join(', ')}`;
}
