import { createRequire } from 'node:module';
import path from 'node:path';
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  FileDescriptorProtoSchema,
  FileDescriptorSetSchema,
  type DescriptorProto,
  type FileDescriptorProto,
} from '@bufbuild/protobuf/wkt';
import { loadPackageDefinition, type Server, type ServerDuplexStream, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { readDescriptorSet } from '@sark/proto';

/**
 * Index of the real file descriptors that `buf build` wrote, with their
 * file names and dependency lists intact. Strict clients (grpcurl, the
 * @bufbuild/protobuf file registry) link descriptors by these names, so the
 * synthetic per-package descriptors that @grpc/proto-loader would produce
 * are not used.
 */
export class DescriptorIndex {
  private readonly filesByName = new Map<string, FileDescriptorProto>();
  private readonly fileBySymbol = new Map<string, string>();

  constructor(descriptorSet: Uint8Array) {
    const set = fromBinary(FileDescriptorSetSchema, descriptorSet);
    for (const file of set.file) {
      if (!this.filesByName.has(file.name)) {
        this.filesByName.set(file.name, file);
        this.indexFile(file);
      }
    }
  }

  /** Returns the serialized file and everything it imports, transitively, the file itself first. */
  fileWithDependencies(fileName: string): Uint8Array[] | undefined {
    if (!this.filesByName.has(fileName)) {
      return undefined;
    }

    const ordered: string[] = [];
    const visit = (name: string) => {
      if (ordered.includes(name)) {
        return;
      }
      ordered.push(name);
      for (const dependency of this.filesByName.get(name)?.dependency ?? []) {
        visit(dependency);
      }
    };
    visit(fileName);

    return ordered.flatMap((name) => {
      const file = this.filesByName.get(name);
      return file ? [toBinary(FileDescriptorProtoSchema, file)] : [];
    });
  }

  /** Returns the name of the file that defines a fully qualified symbol (service, method, message, enum, field). */
  fileContainingSymbol(symbol: string): string | undefined {
    return this.fileBySymbol.get(symbol.replace(/^\./, ''));
  }

  private indexFile(file: FileDescriptorProto): void {
    const prefix = file.package ? `${file.package}.` : '';
    for (const message of file.messageType) {
      this.indexMessage(file.name, `${prefix}${message.name}`, message);
    }
    for (const enumType of file.enumType) {
      this.fileBySymbol.set(`${prefix}${enumType.name}`, file.name);
    }
    for (const service of file.service) {
      const serviceName = `${prefix}${service.name}`;
      this.fileBySymbol.set(serviceName, file.name);
      for (const method of service.method) {
        this.fileBySymbol.set(`${serviceName}.${method.name}`, file.name);
      }
    }
  }

  private indexMessage(fileName: string, fullName: string, message: DescriptorProto): void {
    this.fileBySymbol.set(fullName, fileName);
    for (const field of message.field) {
      this.fileBySymbol.set(`${fullName}.${field.name}`, fileName);
    }
    for (const nested of message.nestedType) {
      this.indexMessage(fileName, `${fullName}.${nested.name}`, nested);
    }
    for (const enumType of message.enumType) {
      this.fileBySymbol.set(`${fullName}.${enumType.name}`, fileName);
    }
  }
}

interface ReflectionRequest {
  host?: string;
  file_by_filename?: string;
  file_containing_symbol?: string;
  file_containing_extension?: unknown;
  all_extension_numbers_of_type?: string;
  list_services?: string;
  message_request?: string;
}

let sharedIndex: DescriptorIndex | undefined;

function descriptorIndex(): DescriptorIndex {
  sharedIndex ??= new DescriptorIndex(readDescriptorSet());
  return sharedIndex;
}

function loadReflectionServices(): ServiceDefinition[] {
  const require = createRequire(import.meta.url);
  const protoRoot = path.join(path.dirname(require.resolve('@grpc/reflection/package.json')), 'build', 'proto');
  const definition = loadSync(['grpc/reflection/v1/reflection.proto', 'grpc/reflection/v1alpha/reflection.proto'], {
    includeDirs: [protoRoot],
    keepCase: true,
    longs: String,
    enums: String,
    defaults: false,
    oneofs: true,
  });
  const loaded = loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: { service: ServiceDefinition } }; v1alpha: { ServerReflection: { service: ServiceDefinition } } } };
  };

  return [loaded.grpc.reflection.v1.ServerReflection.service, loaded.grpc.reflection.v1alpha.ServerReflection.service];
}

/**
 * Adds grpc.reflection.v1 and v1alpha ServerReflection to a server. It lists
 * the given services and serves the real file descriptors from the
 * descriptor set in @sark/proto.
 */
export function addReflection(server: Server, serviceNames: string[]): void {
  const index = descriptorIndex();
  const listed = [...serviceNames, 'grpc.reflection.v1.ServerReflection', 'grpc.reflection.v1alpha.ServerReflection'];

  for (const service of loadReflectionServices()) {
    server.addService(service, {
      ServerReflectionInfo: (stream: ServerDuplexStream<ReflectionRequest, unknown>) => {
        stream.on('data', (request: ReflectionRequest) => stream.write(answer(index, listed, request)));
        stream.on('end', () => stream.end());
        stream.on('error', () => stream.end());
      },
    });
  }
}

function answer(index: DescriptorIndex, serviceNames: string[], request: ReflectionRequest): Record<string, unknown> {
  const base = { valid_host: request.host ?? '', original_request: request };
  const files = (fileName: string | undefined, what: string) => {
    const found = fileName === undefined ? undefined : index.fileWithDependencies(fileName);
    return found
      ? { ...base, file_descriptor_response: { file_descriptor_proto: found.map((bytes) => Buffer.from(bytes)) } }
      : notFound(base, what);
  };

  switch (request.message_request) {
    case 'list_services':
      return { ...base, list_services_response: { service: serviceNames.map((name) => ({ name })) } };
    case 'file_by_filename':
      return files(request.file_by_filename, `file ${request.file_by_filename} not found`);
    case 'file_containing_symbol':
      return files(index.fileContainingSymbol(request.file_containing_symbol ?? ''), `symbol ${request.file_containing_symbol} not found`);
    case 'file_containing_extension':
    case 'all_extension_numbers_of_type':
      return notFound(base, 'this server defines no extensions');
    default:
      return { ...base, error_response: { error_code: 3, error_message: 'reflection request has no known message_request' } };
  }
}

function notFound(base: Record<string, unknown>, message: string): Record<string, unknown> {
  return { ...base, error_response: { error_code: 5, error_message: message } };
}
