export { AuditStore, defaultQueryLimit, maxEventsPerAppend, maxQueryLimit, type AuditStoreOptions } from './audit-store.js';
export { canonicalEventJson, computeEventHash, genesisPrevHash } from './canonical.js';
export { auditMigrations } from './migrations.js';
export type { AppendResult, AuditDecision, AuditEventInput, AuditEventRecord, AuditQueryFilter, ChainVerification } from './types.js';
export { maxAttributesBytes, maxAttributesDepth, maxTextLength } from './validation.js';
