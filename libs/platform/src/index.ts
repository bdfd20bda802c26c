export * from './errors.js';
export * from './config-loader.js';
export * from './logger.js';
export * from './node-config.js';
export * from './paging.js';
