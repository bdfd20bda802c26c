import path from 'node:path';
import { z } from 'zod';
import { ConfigError, loadConfigWithSources } from './config-loader.js';

const dnsNamePattern = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/;
const dnsNameMessage = 'must be a lowercase DNS name with at least two labels, for example orga.example';
const dnsName = z.string({ error: dnsNameMessage }).regex(dnsNamePattern, dnsNameMessage);
const portMessage = 'must be a TCP port from 0 to 65535';
const port = z.number({ error: portMessage }).int(portMessage).min(0, portMessage).max(65535, portMessage);
const hostPort = z.string({ error: 'must be host:port, for example 127.0.0.1:7406' }).regex(/^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'must be host:port, for example 127.0.0.1:7406');
const nonEmptyPath = z.string({ error: 'must be a file path' }).min(1, 'must be a file path');

/** Names of the five services of a node. */
export const SERVICE_NAMES = ['discovery', 'trust', 'routing', 'auth', 'audit'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const listenSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  discovery: port.default(7401),
  trust: port.default(7402),
  routing: port.default(7403),
  auth: port.default(7404),
  audit: port.default(7405),
  federation: port.default(7406),
});

const endpointsSchema = z.strictObject({
  discovery: hostPort.optional(),
  trust: hostPort.optional(),
  routing: hostPort.optional(),
  auth: hostPort.optional(),
  audit: hostPort.optional(),
});

const perHour = z.number({ error: 'must be a positive number of requests per hour' }).positive('must be a positive number of requests per hour');
const burst = z.number({ error: 'must be an integer of at least 1' }).int('must be an integer of at least 1').min(1, 'must be an integer of at least 1');

export const nodeConfigSchema = z.strictObject({
  /** Trust domain of this node, for example orga.example. */
  org: dnsName.default('orga.example'),
  /** DNS name of this node, for example sark.orga.example. */
  nodeId: dnsName.optional(),
  /** Directory for the development PKI and the embedded database. */
  dataDir: z.string().min(1).default('.sark'),
  log: z.strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') }).prefault({}),
  listen: listenSchema.prefault({}),
  /** Addresses of this node's own services; default: the listen address of each. */
  endpoints: endpointsSchema.prefault({}),
  /**
   * Certificates of this node. `caFile` is this org's trust bundle; `certDir`
   * contains `<role>.pem` and `<role>-key.pem` for federation, discovery,
   * trust, routing, auth and audit. Unset: a development PKI is created
   * under `<dataDir>/pki`.
   */
  tls: z.strictObject({ caFile: nonEmptyPath, certDir: nonEmptyPath }).optional(),
  /** PostgreSQL connection URL, else DATABASE_URL; neither: embedded PGlite under `<dataDir>/pglite`. */
  databaseUrl: z.string().url('must be a postgres:// URL').optional(),
  /** Redis URL for rate limits, else REDIS_URL; neither: an in-process limiter. */
  redisUrl: z.string().url('must be a redis:// URL').optional(),
  /** Partner nodes known from static configuration. */
  peers: z
    .array(z.strictObject({ nodeId: dnsName, org: dnsName, federationEndpoint: hostPort }))
    .default([]),
  /** Trust bundles of partner orgs. A partner org with a bundle here is trusted. */
  trustBundles: z.array(z.strictObject({ org: dnsName, caFile: nonEmptyPath })).default([]),
  /** Cedar policy files that decide requests on this org's resources. */
  policies: z.array(nonEmptyPath).default([]),
  /** Resources this org owns and exposes to partners, `<org>/<path>`. */
  resources: z
    .array(z.strictObject({ id: z.string().min(3), description: z.string().default('') }))
    .default([]),
  rateLimits: z
    .strictObject({
      /** Limit on each calling peer node at the federation endpoint. */
      peer: z.strictObject({ perHour: perHour.default(10_000), burst: burst.default(50) }).prefault({}),
    })
    .prefault({}),
});

export type NodeConfig = z.infer<typeof nodeConfigSchema> & { nodeId: string };

export interface LoadNodeConfigOptions {
  /** YAML file; default: the SARK_CONFIG variable, or none. */
  file?: string;
  env?: NodeJS.ProcessEnv;
}

/**
 * Reads the conventional DATABASE_URL or REDIS_URL variable, which applies
 * when the configuration sets no URL of its own.
 *
 * @throws ConfigError when the variable is set but is not a URL.
 */
function standardUrl(env: NodeJS.ProcessEnv, name: 'DATABASE_URL' | 'REDIS_URL'): string | undefined {
  const value = env[name];
  if (!value) {
    return undefined;
  }
  if (!URL.canParse(value)) {
    throw new ConfigError([`${name}: must be a URL, for example ${name === 'DATABASE_URL' ? 'postgres://user@host:5432/db' : 'redis://host:6379'}`]);
  }
  return value;
}

/**
 * Loads and validates the configuration of a node. Relative paths in the
 * file are resolved against the file's directory.
 *
 * @throws ConfigError naming each unknown or invalid key.
 */
export function loadNodeConfig(options: LoadNodeConfigOptions = {}): NodeConfig {
  const env = options.env ?? process.env;
  const file = options.file ?? (env.SARK_CONFIG || undefined);
  const { config, keysFromFile } = loadConfigWithSources({ schema: nodeConfigSchema, file, env, ignoredEnv: ['SARK_CONFIG'] });
  const fileDir = file ? path.dirname(path.resolve(file)) : process.cwd();
  // Paths written in the file are relative to the file; defaults and
  // variables are relative to the working directory.
  const resolverFor = (key: string) => (p: string) => path.resolve(keysFromFile.has(key) ? fileDir : process.cwd(), p);
  const resolve = resolverFor('policies');

  return {
    ...config,
    databaseUrl: config.databaseUrl ?? standardUrl(env, 'DATABASE_URL'),
    redisUrl: config.redisUrl ?? standardUrl(env, 'REDIS_URL'),
    nodeId: config.nodeId ?? `sark.${config.org}`,
    dataDir: resolverFor('dataDir')(config.dataDir),
    tls: config.tls && { caFile: resolverFor('tls')(config.tls.caFile), certDir: resolverFor('tls')(config.tls.certDir) },
    trustBundles: config.trustBundles.map((b) => ({ ...b, caFile: resolverFor('trustBundles')(b.caFile) })),
    policies: config.policies.map(resolve),
  };
}
