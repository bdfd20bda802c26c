export * from './store/index.js';
export * from './audit-handlers.js';
