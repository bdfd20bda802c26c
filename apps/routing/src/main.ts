// Runs the routing service of a node as its own process.
import { loadNodeTls, resolveEndpoints, runMain, startRoutingService } from '@sark/runtime';

await runMain('routing', async (config, logger) => {
  const tls = await loadNodeTls(config, logger, ['routing', 'federation']);
  return startRoutingService({ config, logger, tls, endpoints: resolveEndpoints(config) });
});
