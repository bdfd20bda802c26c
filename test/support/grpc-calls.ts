// Small helpers for calling gRPC services from tests and scripts.
import { credentials as grpcCredentials, loadPackageDefinition, Metadata, type Client, type ServiceError, type CallOptions } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

type UnaryMethod<Req, Res> = (request: Req, metadata: Metadata, options: Partial<CallOptions>, callback: (error: ServiceError | null, response: Res) => void) => unknown;

/** Calls a unary method and rejects with the raw ServiceError, so tests can assert code, details and metadata. */
export function unary<Req, Res>(client: Client, method: UnaryMethod<Req, Res>, request: Req, options: { metadata?: Metadata; timeoutMs?: number } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    method.call(client, request, options.metadata ?? new Metadata(), { deadline: Date.now() + (options.timeoutMs ?? 10_000) }, (error, response) => (error ? reject(error) : resolve(response)));
  });
}

/** Asks grpc.health.v1.Health/Check over TLS without a client certificate. */
export async function healthStatus(address: string, caPems: string[], serverName?: string): Promise<string> {
  const definition = loadPackageDefinition(loadSync(healthProtoPath, { keepCase: true, enums: String })) as unknown as {
    grpc: { health: { v1: { Health: new (address: string, credentials: unknown, options?: object) => Client & { check: UnaryMethod<{ service: string }, { status: string }> } } } };
  };
  const options = serverName ? { 'grpc.ssl_target_name_override': serverName } : {};
  const client = new definition.grpc.health.v1.Health(address, grpcCredentials.createSsl(Buffer.from(caPems.join('\n'))), options);

  try {
    return (await unary(client, client.check, { service: '' })).status;
  } finally {
    client.close();
  }
}
