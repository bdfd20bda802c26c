import { isIP } from 'node:net';

import { UsageError, stringOption, type OptionSpecs, type OptionValues } from './command.js';
import { wholeNumberOption } from './number-options.js';

/** The node services that sarkctl calls. */
export type NodeService = 'auth' | 'audit';

/** Listen address of each service of a node started with `npm start`. */
const DEFAULT_ADDRESSES: Record<NodeService, string> = { auth: '127.0.0.1:7404', audit: '127.0.0.1:7405' };

/** The development PKI that `npm start` writes, relative to the working directory. */
const DEFAULT_FILES = {
  ca: '.sark/pki/ca.pem',
  cert: '.sark/pki/operator-admin.pem',
  key: '.sark/pki/operator-admin-key.pem',
} as const;

/** Certificates of the dev PKI carry DNS:localhost, and an IP address cannot be checked by name. */
const DEFAULT_SERVER_NAME_FOR_IP = 'localhost';
const DEFAULT_TIMEOUT_MS = 5000;
// grpc-js 1.14 treats a deadline more than 2^31 - 1 ms away, the limit of
// Node timers, as no deadline at all.
const MAX_TIMEOUT_MS = 2_147_483_647;
const HOST_PORT = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** The options `--ca`, `--cert` and `--key`. */
export type TlsFileOption = keyof typeof DEFAULT_FILES;

/** A file named by an option, and whether the path is the option's default. */
export interface FileArgument {
  option: TlsFileOption;
  path: string;
  isDefault: boolean;
}

/** How to reach one service of a node, from the connection options of a command. */
export interface ConnectionSettings {
  service: NodeService;
  /** `host:port` */
  address: string;
  /** DNS name the server certificate must carry. Undefined means the host of `address`. */
  serverName: string | undefined;
  timeoutMs: number;
  ca: FileArgument;
  cert: FileArgument;
  key: FileArgument;
}

/** Returns the connection options of a command that calls `service`, plus `--json`. */
export function connectionOptionSpecs(service: NodeService): OptionSpecs {
  return {
    address: {
      type: 'string',
      valueName: '<host:port>',
      description: `Address of the ${service} service. Default ${DEFAULT_ADDRESSES[service]}.`,
    },
    ca: { type: 'string', valueName: '<file>', description: `CA certificates the server certificate must chain to, PEM. Default ${DEFAULT_FILES.ca}.` },
    cert: {
      type: 'string',
      valueName: '<file>',
      description: `Operator certificate chain (spiffe://<org>/sark/operator/<name>), PEM. Default ${DEFAULT_FILES.cert}.`,
    },
    key: { type: 'string', valueName: '<file>', description: `Private key of --cert, PEM. Default ${DEFAULT_FILES.key}.` },
    'server-name': {
      type: 'string',
      valueName: '<name>',
      description: `DNS name the server certificate must carry. Default: the host of --address, or ${DEFAULT_SERVER_NAME_FOR_IP} when it is an IP address.`,
    },
    'timeout-ms': { type: 'string', valueName: '<ms>', description: `Deadline of each call in milliseconds. Default ${DEFAULT_TIMEOUT_MS}.` },
    json: { type: 'boolean', description: 'Print the response as JSON instead of a table.' },
  };
}

/**
 * Reads the connection options of a command that calls `service`.
 *
 * @throws UsageError when --address is not host:port or --timeout-ms is not a whole number.
 */
export function readConnectionSettings(values: OptionValues, service: NodeService): ConnectionSettings {
  const address = stringOption(values, 'address') ?? DEFAULT_ADDRESSES[service];
  const host = parseHost(address);
  const serverName = stringOption(values, 'server-name') ?? (isIP(host) === 0 ? undefined : DEFAULT_SERVER_NAME_FOR_IP);
  const timeoutMs = wholeNumberOption(values, 'timeout-ms', { min: 1, max: MAX_TIMEOUT_MS, unit: 'milliseconds' }) ?? DEFAULT_TIMEOUT_MS;

  return {
    service,
    address,
    serverName,
    timeoutMs,
    ca: fileArgument(values, 'ca'),
    cert: fileArgument(values, 'cert'),
    key: fileArgument(values, 'key'),
  };
}

function parseHost(address: string): string {
  const match = HOST_PORT.exec(address);
  if (match === null || Number(match[2]) > 65535) {
    throw new UsageError(`--address: must be host:port such as 127.0.0.1:7404 or [::1]:7404, got ${JSON.stringify(address)}`);
  }

  return (match[1] ?? '').replace(/^\[(.*)\]$/, '$1');
}

function fileArgument(values: OptionValues, option: TlsFileOption): FileArgument {
  const explicitPath = stringOption(values, option);

  return explicitPath === undefined ? { option, path: DEFAULT_FILES[option], isDefault: true } : { option, path: explicitPath, isDefault: false };
}
