import path from 'node:path';
import { createLogger, type Logger, type NodeConfig, type ServiceName } from '@sark/platform';
import { openDatabase, type Database } from '@sark/store';
import { lockDirectory } from './data-dir-lock.js';
import { loadNodeTls, type NodeTls } from './node-tls.js';
import { reachableHost, resolveEndpoints } from './service-clients.js';
import {
  startAuditService,
  startAuthService,
  startDiscoveryService,
  startRoutingService,
  startTrustService,
  type RunningService,
  type ServiceEnvironment,
} from './services.js';

/** A node running its five services in one process. */
export interface RunningNode {
  config: NodeConfig;
  tls: NodeTls;
  /** `host:port` of each service and of the federation endpoint. */
  addresses: Record<string, string>;
  stop(): Promise<void>;
}

/** Opens the node's database: PostgreSQL at `databaseUrl`, or PGlite under `<dataDir>/<name>`. */
export async function openNodeDatabase(config: NodeConfig, logger: Logger, name = 'pglite'): Promise<Database> {
  if (config.databaseUrl) {
    return openDatabase({ url: config.databaseUrl, logger });
  }

  const pgliteDir = path.join(config.dataDir, name);
  const lock = await lockDirectory(config.dataDir, path.join(config.dataDir, `${name}.lock`));
  logger.info({ dir: pgliteDir }, 'no databaseUrl configured: using embedded PGlite');

  try {
    const db = await openDatabase({ pgliteDir, logger });
    const closeDatabase = db.close.bind(db);
    return Object.assign(db, {
      close: async () => {
        await closeDatabase();
        await lock.release();
      },
    });
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/**
 * Starts auth, audit, trust, discovery and routing (with the federation
 * endpoint) in this process. Services bound to port 0 get a free port, and
 * the services started after them receive that address.
 */
export async function startNode(config: NodeConfig, logger = createLogger({ service: 'node', nodeId: config.nodeId, level: config.log.level })): Promise<RunningNode> {
  const tls = await loadNodeTls(config, logger);
  const db = await openNodeDatabase(config, logger);
  const env: ServiceEnvironment = { config, logger, tls, endpoints: resolveEndpoints(config) };
  const started: RunningService[] = [];
  const envFor = (service: string): ServiceEnvironment => ({ ...env, logger: createLogger({ service, nodeId: config.nodeId, level: config.log.level }) });

  try {
    for (const start of [
      () => startAuthService(envFor('auth'), db),
      () => startAuditService(envFor('audit'), db),
      () => startTrustService(envFor('trust')),
      () => startDiscoveryService(envFor('discovery')),
      () => startRoutingService(envFor('routing')),
    ]) {
      const service = await start();
      started.push(service);
      for (const [name, port] of Object.entries(service.ports)) {
        if (name !== 'federation' && config.endpoints[name as ServiceName] === undefined) {
          env.endpoints[name as ServiceName] = `${reachableHost(config.listen.host)}:${port}`;
        }
      }
    }
  } catch (error) {
    await stopAll(started, db);
    throw error;
  }

  const addresses = Object.fromEntries(started.flatMap((service) => Object.entries(service.ports).map(([name, port]) => [name, `${config.listen.host}:${port}`])));
  logger.info({ addresses }, 'node ready');
  return { config, tls, addresses, stop: () => stopAll(started, db) };
}

async function stopAll(services: RunningService[], db: Database): Promise<void> {
  for (const service of [...services].reverse()) {
    await service.stop();
  }
  await db.close();
}
