export * from './node.js';
export * from './node-authenticator.js';
export * from './node-tls.js';
export * from './ports.js';
export * from './service-clients.js';
export * from './services.js';
export * from './main-helpers.js';
