import { ConfigError, createLogger, loadNodeConfig, SarkError, type Logger, type NodeConfig } from '@sark/platform';

/**
 * Runs a process entry point: loads the node configuration (`--config FILE`
 * or SARK_CONFIG, plus SARK_* variables), calls `start`, and stops on SIGINT
 * or SIGTERM. A configuration or start-up error prints one clear message and
 * exits with code 1.
 */
export async function runMain(service: string, start: (config: NodeConfig, logger: Logger) => Promise<{ stop(): Promise<void> }>): Promise<void> {
  let config: NodeConfig;
  try {
    config = loadNodeConfig({ file: configFileArgument(process.argv.slice(2)) });
  } catch (error) {
    console.error(error instanceof ConfigError ? error.message : `cannot load configuration: ${String(error)}`);
    process.exit(1);
  }

  const logger = createLogger({ service, nodeId: config.nodeId, level: config.log.level });
  let running: { stop(): Promise<void> };
  try {
    running = await start(config, logger);
  } catch (error) {
    logger.fatal({ error }, 'start failed');
    console.error(`${service} failed to start: ${error instanceof SarkError || error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }

  const stop = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    await running.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

function configFileArgument(argv: string[]): string | undefined {
  const index = argv.indexOf('--config');
  if (index === -1) {
    return undefined;
  }
  const file = argv[index + 1];
  if (!file) {
    console.error('--config needs a file path');
    process.exit(1);
  }
  return file;
}
