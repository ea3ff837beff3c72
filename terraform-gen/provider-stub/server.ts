/**
 * A schema-only stand-in for the hashicorp/aws provider, speaking Terraform's plugin protocol 6
 * over gRPC on a unix socket. It serves the real aws provider schema (extracted from
 * `@cdktn/provider-aws`, see ../provider-schema) and accepts every configuration, so that
 * `terraform init -backend=false && terraform validate` run offline with Terraform itself
 * checking argument names, required arguments, block nesting, types and references.
 *
 * Started as a child process: `bun terraform-gen/provider-stub/server.ts <socket path>`. When it
 * listens it prints the go-plugin handshake line (`1|6|unix|<socket>|grpc|`) on stdout; hand it to
 * Terraform through TF_REATTACH_PROVIDERS (see `reattachEnv`). It exits on SIGTERM/SIGINT or
 * when its stdin closes (so it never outlives the test that started it).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { Block, CtyType, ProviderSchema } from '../provider-schema/extract.ts';
import { AWS_PROVIDER_SCHEMA_VERSION } from '../src/constants.ts';

export const SCHEMA_FILE = join(
  import.meta.dir,
  '..',
  'provider-schema',
  `aws-${AWS_PROVIDER_SCHEMA_VERSION}.schema.json.gz`,
);

export function loadSchema(file: string = SCHEMA_FILE): ProviderSchema {
  return JSON.parse(gunzipSync(readFileSync(file)).toString('utf8')) as ProviderSchema;
}

const NESTING = { single: 1, list: 2, set: 3, map: 4 } as const;

function typeBytes(t: CtyType): Buffer {
  return Buffer.from(JSON.stringify(t));
}

/** Compact block → tfplugin6 `Schema.Block` (plain object for proto-loader). */
function toProtoBlock(b: Block): Record<string, unknown> {
  return {
    version: 0,
    attributes: Object.entries(b.a ?? {}).map(([name, a]) => ({
      name,
      type: typeBytes(a.t),
      required: a.r === 1,
      optional: a.o === 1,
      computed: a.c === 1,
      description: '',
    })),
    block_types: Object.entries(b.b ?? {}).map(([name, n]) => ({
      type_name: name,
      block: toProtoBlock(n.k),
      nesting: NESTING[n.n],
      min_items: n.min ?? 0,
      max_items: n.max ?? 0,
    })),
  };
}

const toProtoSchema = (b: Block) => ({ version: 0, block: toProtoBlock(b) });

export function handshakeLine(socket: string): string {
  return `1|6|unix|${socket}|grpc|`;
}

/** Environment for Terraform to use the running stand-in instead of downloading hashicorp/aws. */
export function reattachEnv(socket: string, pid: number): Record<string, string> {
  return {
    TF_REATTACH_PROVIDERS: JSON.stringify({
      'hashicorp/aws': {
        Protocol: 'grpc',
        ProtocolVersion: 6,
        Pid: pid,
        Test: true,
        Addr: { Network: 'unix', String: socket },
      },
    }),
  };
}

export function startServer(socket: string, schema: ProviderSchema): Promise<grpc.Server> {
  const definition = protoLoader.loadSync(join(import.meta.dir, 'tfplugin6.proto'), {
    keepCase: true,
    longs: Number,
    enums: Number,
    defaults: true,
  });
  const proto = grpc.loadPackageDefinition(definition) as unknown as {
    tfplugin6: { Provider: { service: grpc.ServiceDefinition } };
  };

  const resources = Object.fromEntries(
    Object.entries(schema.resources).map(([k, b]) => [k, toProtoSchema(b)]),
  );
  const dataSources = Object.fromEntries(
    Object.entries(schema.dataSources).map(([k, b]) => [k, toProtoSchema(b)]),
  );
  const empty = { diagnostics: [] };
  const reply =
    (value: unknown) =>
    (_call: unknown, callback: grpc.sendUnaryData<unknown>): void =>
      callback(null, value);

  const server = new grpc.Server();
  server.addService(proto.tfplugin6.Provider.service, {
    GetMetadata: reply({
      server_capabilities: { get_provider_schema_optional: false },
      diagnostics: [],
      resources: Object.keys(schema.resources).map((type_name) => ({ type_name })),
      data_sources: Object.keys(schema.dataSources).map((type_name) => ({ type_name })),
      functions: [],
      ephemeral_resources: [],
    }),
    GetProviderSchema: reply({
      provider: toProtoSchema(schema.provider),
      resource_schemas: resources,
      data_source_schemas: dataSources,
      ephemeral_resource_schemas: {},
      diagnostics: [],
      server_capabilities: { get_provider_schema_optional: false },
    }),
    // Schema-only: the provider's own value checks (enums, conflicts) are not reproduced here;
    // the generator's unit tests cover the ones this stack relies on.
    ValidateProviderConfig: reply(empty),
    ValidateResourceConfig: reply(empty),
    ValidateDataResourceConfig: reply(empty),
    ValidateEphemeralResourceConfig: reply(empty),
    ConfigureProvider: reply(empty),
    UpgradeResourceState: (
      call: grpc.ServerUnaryCall<{ raw_state?: { json?: Buffer } }, unknown>,
      callback: grpc.sendUnaryData<unknown>,
    ) =>
      callback(null, {
        upgraded_state: { json: call.request.raw_state?.json ?? Buffer.from('{}') },
        diagnostics: [],
      }),
    StopProvider: reply({ Error: '' }),
  });

  return new Promise((resolve, reject) => {
    server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (err) => {
      if (err) reject(err);
      else resolve(server);
    });
  });
}

if (import.meta.main) {
  const socket = process.argv[2];
  if (!socket) {
    console.error('usage: bun terraform-gen/provider-stub/server.ts <unix socket path>');
    process.exit(2);
  }
  rmSync(socket, { force: true });
  const server = await startServer(socket, loadSchema());
  const stop = () => {
    server.forceShutdown();
    rmSync(socket, { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.stdout.write(`${handshakeLine(socket)}\n`);
}
