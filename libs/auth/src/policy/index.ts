export { isDnsName, parseOrg, parsePrincipal, parseResourceId, validateAction } from './identifiers.js';
export type { PrincipalId, ResourceId } from './identifiers.js';
export { reservedContextKeys, validatePolicyContext } from './policy-context.js';
export type { PolicyContext, PolicyContextValue } from './policy-context.js';
export { PolicyEngine } from './policy-engine.js';
export type { AuthorizationRequest, AuthorizationResult } from './policy-engine.js';
export type { PolicySource } from './policy-parser.js';
