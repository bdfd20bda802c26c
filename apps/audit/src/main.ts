// Runs the audit service of a node as its own process.
import { loadNodeTls, openNodeDatabase, resolveEndpoints, runMain, startAuditService } from '@sark/runtime';

await runMain('audit', async (config, logger) => {
  const tls = await loadNodeTls(config, logger, ['audit']);
  const db = await openNodeDatabase(config, logger, 'pglite-audit');
  const service = await startAuditService({ config, logger, tls, endpoints: resolveEndpoints(config) }, db);

  return {
    stop: async () => {
      await service.stop();
      await db.close();
    },
  };
});
