export * from './caller.js';
export * from './client.js';
export * from './credentials.js';
export * from './reflection.js';
export * from './server.js';
export * from './status.js';
