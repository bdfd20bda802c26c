import type { CallOptions, ChannelCredentials, Client, ClientOptions, Metadata, ServiceError } from '@grpc/grpc-js';
import { callUnary, createChannelCredentials, isServiceError } from '@sark/grpc';
import { SarkError } from '@sark/platform';

import type { ConnectionSettings } from './connection-options.js';
import { readClientTlsFiles } from './tls-files.js';

/** A unary method of a generated grpc-js client, such as `client.createApiKey`. */
export type UnaryMethod<Req, Res> = (
  request: Req,
  metadata: Metadata,
  options: Partial<CallOptions>,
  callback: (error: ServiceError | null, response: Res) => void,
) => unknown;

/** Constructor of a generated grpc-js client, such as `auth.AuthClient`. */
export type ClientConstructor<C extends Client> = new (address: string, credentials: ChannelCredentials, options?: Partial<ClientOptions>) => C;

/** A connected client plus a call function that applies the command's deadline and error messages. */
export interface NodeClient<C extends Client> {
  client: C;
  /**
   * Calls one unary method within `--timeout-ms`.
   *
   * @throws Error whose message is `<status kind>: <server message>`, and
   *   names the address when the server cannot be reached or does not respond.
   */
  call<Req, Res>(method: UnaryMethod<Req, Res>, request: Req): Promise<Res>;
}

/**
 * Reads the TLS files of `settings`, opens a mutual-TLS client to the
 * service, runs `action` with it and closes the client.
 *
 * @throws Error naming the TLS file that cannot be read or used, or any error of `action`.
 */
export async function withNodeClient<C extends Client, T>(
  Constructor: ClientConstructor<C>,
  settings: ConnectionSettings,
  action: (node: NodeClient<C>) => Promise<T>,
): Promise<T> {
  const tls = await readClientTlsFiles(settings);
  const { credentials, channelOptions } = createChannelCredentials({ ...tls, serverName: settings.serverName });
  const client = new Constructor(settings.address, credentials, channelOptions);
  const node: NodeClient<C> = {
    client,
    call: (method, request) => callService(client, method, request, settings),
  };

  try {
    return await action(node);
  } finally {
    client.close();
  }
}

async function callService<Req, Res>(client: Client, method: UnaryMethod<Req, Res>, request: Req, settings: ConnectionSettings): Promise<Res> {
  try {
    return await callUnary(client, method, request, { target: settings.service, timeoutMs: settings.timeoutMs });
  } catch (error) {
    throw describeCallFailure(error, settings);
  }
}

/** Turns a failed call into an Error whose message is the line sarkctl prints. */
function describeCallFailure(error: unknown, settings: ConnectionSettings): unknown {
  if (!(error instanceof SarkError)) {
    return error;
  }

  const serverMessage = isServiceError(error.cause) ? error.cause.details || error.cause.message : error.message;
  const service = `the ${settings.service} service at ${settings.address}`;

  return new Error(`${error.kind}: ${explainFailure(error, serverMessage, service, settings)}`, { cause: error });
}

function explainFailure(error: SarkError, serverMessage: string, service: string, settings: ConnectionSettings): string {
  // A status the server sent carries its stable error code. Transport
  // failures carry none, so fromServiceError names them `remote.<status>`.
  const isTransportFailure = error.code.startsWith('remote.');

  if (error.kind === 'unavailable' && isTransportFailure) {
    // grpc-js ends the message with an empty "Resolution note: " when name resolution had nothing to add.
    const reason = serverMessage.replace(/\.? Resolution note: *$/, '');
    return `cannot connect to ${service}: ${reason}; check --address, that the node is running, and that --ca and --server-name match its certificate`;
  }
  if (error.kind === 'deadline_exceeded') {
    return `no response from ${service} within ${settings.timeoutMs} ms; check --address or raise --timeout-ms`;
  }
  if (error.kind === 'unauthenticated') {
    return `${serverMessage}; the node rejected --cert ${settings.cert.path}: pass an operator certificate issued by the CA of the node's org`;
  }

  return serverMessage;
}
