// Runs the discovery service of a node as its own process.
import { loadNodeTls, resolveEndpoints, runMain, startDiscoveryService } from '@sark/runtime';

await runMain('discovery', async (config, logger) => {
  const tls = await loadNodeTls(config, logger, ['discovery']);
  return startDiscoveryService({ config, logger, tls, endpoints: resolveEndpoints(config) });
});
