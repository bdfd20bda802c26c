import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, createLogger, loadNodeConfig, type Logger, type NodeConfig } from '@sark/platform';

/**
 * Runs a process entry point: loads the node configuration (`--config FILE`
 * or SARK_CONFIG, plus SARK_* variables), calls `start`, and stops on SIGINT
 * or SIGTERM. A configuration or start-up error prints one clear message and
 * exits with code 1.
 */
export async function runMain(service: string, start: (config: NodeConfig, logger: Logger) => Promise<{ stop(): Promise<void> }>): Promise<void> {
  let config: NodeConfig;
  try {
    config = loadNodeConfig({ file: configFileArgument(service, process.argv.slice(2)) });
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
    console.error(`${service} failed to start: ${error instanceof Error ? error.message : String(error)}`);
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

/**
 * Reads `--config FILE`; any other argument stops the process with the
 * usage line. A relative FILE is taken from the directory the user ran
 * `npm start` in (INIT_CWD), since npm runs scripts from the package root.
 */
function configFileArgument(service: string, argv: string[]): string | undefined {
  const usage = `usage: ${service} [--config FILE]   (FILE may also be given as SARK_CONFIG)`;
  try {
    const { values } = parseArgs({ args: argv, options: { config: { type: 'string' }, help: { type: 'boolean' } }, strict: true, allowPositionals: false });
    if (values.help) {
      console.log(usage);
      process.exit(0);
    }
    return values.config === undefined ? undefined : path.resolve(process.env.INIT_CWD ?? process.cwd(), values.config);
  } catch (error) {
    console.error(`${(error as Error).message.split('\n')[0]}\n${usage}`);
    process.exit(2);
  }
}
