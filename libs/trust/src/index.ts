export * from './certificate-verifier.js';
export * from './org-name.js';
export * from './trust-handlers.js';
export * from './trust-store.js';
