// Runs the trust service of a node as its own process.
import { loadNodeTls, resolveEndpoints, runMain, startTrustService } from '@sark/runtime';

await runMain('trust', async (config, logger) => {
  const tls = await loadNodeTls(config, logger, ['trust']);
  return startTrustService({ config, logger, tls, endpoints: resolveEndpoints(config) });
});
