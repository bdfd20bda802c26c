export * from './discovery-handlers.js';
export * from './node-registry.js';
