// Runs the auth service of a node as its own process.
import { loadNodeTls, openNodeDatabase, resolveEndpoints, runMain, startAuthService } from '@sark/runtime';

await runMain('auth', async (config, logger) => {
  const tls = await loadNodeTls(config, logger, ['auth']);
  const db = await openNodeDatabase(config, logger, 'pglite-auth');
  const service = await startAuthService({ config, logger, tls, endpoints: resolveEndpoints(config) }, db);

  return {
    stop: async () => {
      await service.stop();
      await db.close();
    },
  };
});
