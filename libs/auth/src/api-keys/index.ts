export { formatApiKey, isKeyId, parseApiKey, type ParsedApiKey, type RandomBytes } from './api-key-format.js';
export {
  ApiKeyService,
  type ApiKeyPage,
  type ApiKeyRecord,
  type ApiKeyServiceOptions,
  type CreateApiKeyOptions,
  type ListApiKeysOptions,
} from './api-key-service.js';
export { maxDescriptionLength, maxPageSize, maxRevokeReasonLength, maxScopes, maxTtlSeconds, validateRevokeReason } from './api-key-validation.js';
export { authMigrationComponent, authMigrations } from './migrations.js';
