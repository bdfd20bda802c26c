// Runs a whole node (auth, audit, trust, discovery, routing and the
// federation endpoint) in one process, and prints how to reach it.
import path from 'node:path';
import { reachableHost, runMain, startNode, type RunningNode } from '@sark/runtime';

await runMain('node', async (config, logger) => {
  const node = await startNode(config, logger);
  printBanner(node);
  return node;
});

function printBanner(node: RunningNode): void {
  const { config, tls } = node;
  // Paths relative to where the user ran npm start; absolute when outside it.
  const relative = (file: string) => {
    const fromUser = path.relative(process.env.INIT_CWD ?? process.cwd(), file);
    return fromUser.startsWith('..') ? file : fromUser;
  };
  const operatorCert = path.join(tls.certDir, 'operator-admin.pem');
  const operatorKey = path.join(tls.certDir, 'operator-admin-key.pem');
  const routing = `${reachableHost(config.listen.host)}:${node.addresses.routing?.split(':').pop()}`;
  const lines = [
    `SARK node ${config.nodeId} (org ${config.org}) is ready.`,
    ...Object.entries(node.addresses).map(([name, address]) => `  ${name.padEnd(10)} ${address}`),
    '',
    'List the routing service with grpcurl over mutual TLS:',
    `  grpcurl -cacert ${relative(tls.caPath)} -cert ${relative(operatorCert)} -key ${relative(operatorKey)} ${routing} list`,
    'or with buf curl, which the repository installs:',
    `  npx buf curl --protocol grpc --cacert ${relative(tls.caPath)} --cert ${relative(operatorCert)} --key ${relative(operatorKey)} --list-methods https://${routing}`,
    '',
  ];
  process.stderr.write(`${lines.join('\n')}\n`);
}
