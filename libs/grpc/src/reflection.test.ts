import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { create, createFileRegistry, fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, type FileDescriptorProto } from '@bufbuild/protobuf/wkt';
import { credentials, loadPackageDefinition, type Client, type ClientDuplexStream } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { createRequire } from 'node:module';
import path from 'node:path';
import { audit, discovery } from '@sark/proto';
import { createLogger, NotFoundError } from '@sark/platform';
import { createOrgCa, issueCertificate } from '@sark/pki';
import { createServerCredentials, GrpcServer } from './index.js';

type ReflectionClient = Client & { ServerReflectionInfo(): ClientDuplexStream<Record<string, unknown>, Record<string, unknown>> };

function reflectionClient(address: string, caPem: string, version: 'v1' | 'v1alpha'): ReflectionClient {
  const require = createRequire(import.meta.url);
  const root = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto');
  const definition = loadSync(`grpc/reflection/${version}/reflection.proto`, { includeDirs: [root], keepCase: true, oneofs: true });
  const loaded = loadPackageDefinition(definition) as unknown as { grpc: { reflection: Record<string, { ServerReflection: new (a: string, c: unknown) => ReflectionClient }> } };
  return new loaded.grpc.reflection[version]!.ServerReflection(address, credentials.createSsl(Buffer.from(caPem)));
}

function ask(client: ReflectionClient, request: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const stream = client.ServerReflectionInfo();
    stream.once('data', (response: Record<string, unknown>) => {
      stream.end();
      resolve(response);
    });
    stream.once('error', reject);
    stream.write(request);
  });
}

/** Orders files so that each comes after the files it imports, as createFileRegistry requires. */
function dependenciesFirst(files: FileDescriptorProto[]): FileDescriptorProto[] {
  const byName = new Map(files.map((file) => [file.name, file]));
  const ordered: FileDescriptorProto[] = [];
  const visit = (file: FileDescriptorProto) => {
    if (ordered.includes(file)) {
      return;
    }
    file.dependency.map((name) => byName.get(name)).forEach((dependency) => dependency && visit(dependency));
    ordered.push(file);
  };
  files.forEach(visit);
  return ordered;
}

describe('server reflection', () => {
  let server: GrpcServer;
  let address: string;
  let caPem: string;

  before(async () => {
    const ca = createOrgCa({ org: 'orga.example' });
    const leaf = issueCertificate(ca, { role: 'audit', dnsNames: ['localhost'], ipAddresses: ['127.0.0.1'] });
    caPem = ca.certPem;
    server = new GrpcServer({
      name: 'test',
      logger: createLogger({ service: 'test', level: 'silent' }),
      credentials: createServerCredentials({ certChainPem: leaf.chainPem, keyPem: leaf.keyPem, clientCaPems: [ca.certPem] }),
      authenticator: { authenticate: async () => ({}) },
    });
    server.addService(audit.AuditService, {
      append: async () => ({ eventId: 'e', sequence: 1 }),
      query: async () => ({ events: [], nextAfterSequence: 0 }),
    });
    server.addService(discovery.DiscoveryService, {
      listNodes: async () => ({ nodes: [], nextPageToken: '' }),
      resolveOrg: async () => {
        throw new NotFoundError('discovery.org_not_found', 'unknown');
      },
    });
    address = `127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
  });

  after(async () => {
    await server.shutdown(100);
  });

  for (const version of ['v1', 'v1alpha'] as const) {
    it(`lists every registered service (${version})`, async () => {
      const client = reflectionClient(address, caPem, version);
      const response = await ask(client, { list_services: '' });
      client.close();

      const names = (response.list_services_response as { service: Array<{ name: string }> }).service.map((s) => s.name).sort();
      assert.deepEqual(names, [
        'grpc.health.v1.Health',
        'grpc.reflection.v1.ServerReflection',
        'grpc.reflection.v1alpha.ServerReflection',
        'sark.audit.v1.Audit',
        'sark.discovery.v1.Discovery',
      ]);
    });
  }

  it('serves real file names and dependencies that a strict linker accepts', async () => {
    const client = reflectionClient(address, caPem, 'v1');
    const response = await ask(client, { file_containing_symbol: 'sark.audit.v1.Audit' });
    client.close();

    const files = (response.file_descriptor_response as { file_descriptor_proto: Buffer[] }).file_descriptor_proto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
    assert.equal(files[0]?.name, 'sark/audit/v1/audit.proto');
    assert.deepEqual(files[0]?.dependency, ['google/protobuf/struct.proto', 'google/protobuf/timestamp.proto', 'sark/common/v1/common.proto']);

    // createFileRegistry links every type reference and throws on any that
    // points to a file it was not given.
    const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: dependenciesFirst(files) }));
    const event = registry.getMessage('sark.audit.v1.AuditEvent');
    assert.equal(event?.field.attributes?.message?.typeName, 'google.protobuf.Struct');
    assert.equal(event?.field.decision?.enum?.typeName, 'sark.common.v1.Decision');
    assert.equal(registry.getService('sark.audit.v1.Audit')?.method.query?.input.typeName, 'sark.audit.v1.QueryRequest');
  });

  it('finds the file of a method and of a nested message field', async () => {
    const client = reflectionClient(address, caPem, 'v1');
    const method = await ask(client, { file_containing_symbol: 'sark.discovery.v1.Discovery.ResolveOrg' });
    const health = await ask(client, { file_containing_symbol: 'grpc.health.v1.Health' });
    client.close();

    const firstName = (r: Record<string, unknown>) => fromBinary(FileDescriptorProtoSchema, (r.file_descriptor_response as { file_descriptor_proto: Buffer[] }).file_descriptor_proto[0]!).name;
    assert.equal(firstName(method), 'sark/discovery/v1/discovery.proto');
    assert.equal(firstName(health), 'health/v1/health.proto');
  });

  it('answers NOT_FOUND for an unknown symbol and file', async () => {
    const client = reflectionClient(address, caPem, 'v1');
    const symbol = await ask(client, { file_containing_symbol: 'sark.nope.v1.Nope' });
    const file = await ask(client, { file_by_filename: 'nope.proto' });
    client.close();

    assert.deepEqual(symbol.error_response, { error_code: 5, error_message: 'symbol sark.nope.v1.Nope not found' });
    assert.deepEqual(file.error_response, { error_code: 5, error_message: 'file nope.proto not found' });
  });
});
