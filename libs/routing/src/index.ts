export * from './access-request.js';
export * from './decision.js';
export * from './federation-client-pool.js';
export * from './federation-handlers.js';
export * from './ports.js';
export * from './routing-handlers.js';
