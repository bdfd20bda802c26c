#!/usr/bin/env node
// Health probe for containers: calls grpc.health.v1.Health/Check over TLS
// without a client certificate on each --addr, and exits 0 only when every
// server returns SERVING.
//
// Usage:
//   node health-probe.mjs --ca FILE --addr HOST:PORT [--addr HOST:PORT ...]
//                         [--server-name NAME] [--timeout-ms MS]
//
// --ca           CA certificate (PEM) that the server certificate chains to.
// --addr         Server to check; repeat it to check several.
// --server-name  DNS name that the server certificate must carry when it
//                differs from the host in --addr, for example an IP address
//                that the certificate does not list. Default: the host of
//                each --addr.
// --timeout-ms   Deadline of each check in milliseconds. Default 3000.
//
// Exit codes: 0 when every server returns SERVING, 1 when one does not or
// cannot be reached, 2 for invalid arguments or an unreadable --ca file.
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { parseArgs } from 'node:util';
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

const DEFAULT_TIMEOUT_MS = 3000;

function parseOptions(argv) {
  const { values } = parseArgs({
    args: argv,
    options: {
      ca: { type: 'string' },
      addr: { type: 'string', multiple: true },
      'server-name': { type: 'string' },
      'timeout-ms': { type: 'string' },
    },
  });

  if (!values.ca) {
    throw new Error('--ca is required: pass the CA certificate file, such as /etc/sark/tls/ca.pem');
  }
  if (!values.addr || values.addr.length === 0) {
    throw new Error('--addr is required: pass host:port of a server, such as 127.0.0.1:7403');
  }
  const timeoutMs = values['timeout-ms'] === undefined ? DEFAULT_TIMEOUT_MS : Number(values['timeout-ms']);
  if (!Number.isInteger(timeoutMs) || timeoutMs <= 0) {
    throw new Error(`--timeout-ms must be a positive whole number of milliseconds, got ${JSON.stringify(values['timeout-ms'])}`);
  }

  return { caFile: values.ca, addresses: values.addr, serverName: values['server-name'], timeoutMs };
}

function createHealthClientConstructor() {
  const definition = loadPackageDefinition(loadSync(healthProtoPath, { keepCase: true, enums: String }));

  return definition.grpc.health.v1.Health;
}

function checkHealth(Health, address, options) {
  const channelOptions = options.serverName ? { 'grpc.ssl_target_name_override': options.serverName, 'grpc.default_authority': options.serverName } : {};
  const client = new Health(address, credentials.createSsl(options.caPem), channelOptions);

  return new Promise((resolve) => {
    client.check({ service: '' }, { deadline: Date.now() + options.timeoutMs }, (error, response) => {
      client.close();
      resolve(error ? `error: ${error.details || error.message}` : response.status);
    });
  });
}

async function main() {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`health-probe: ${error.message}\n`);
    return 2;
  }

  let caPem;
  try {
    caPem = readFileSync(options.caFile);
  } catch (error) {
    process.stderr.write(`health-probe: cannot read --ca ${options.caFile}: ${error.code ?? error.message}\n`);
    return 2;
  }

  const Health = createHealthClientConstructor();
  const statuses = await Promise.all(options.addresses.map((address) => checkHealth(Health, address, { ...options, caPem })));

  statuses.forEach((status, index) => process.stdout.write(`${options.addresses[index]} ${status}\n`));
  return statuses.every((status) => status === 'SERVING') ? 0 : 1;
}

process.exitCode = await main();
