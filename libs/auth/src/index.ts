export * from './api-keys/index.js';
export * from './policy/index.js';
export * from './auth-handlers.js';
