import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { ALBEvent, ALBResult } from 'aws-lambda';
import { createDynamoClient } from '../../adapters/dynamodb/dynamodb-client.ts';
import {
  type EmbeddedDynamo,
  startEmbeddedDynamo,
} from '../../adapters/dynamodb/embedded/embedded-dynamodb.ts';
import { ensureTable } from '../../adapters/dynamodb/table.ts';
import { TokenResponse } from '../../contracts/auth.ts';
import { DeleteItemResponse } from '../../contracts/item.ts';
import { Problem } from '../../contracts/problem.ts';
import { PROBLEM_CONTENT_TYPE } from '../../contracts/problem-kinds.ts';
import { type LocalIssuerServer, serveLocalIssuer } from '../../entrypoints/local/local-issuer-server.ts';
import { DEFAULT_LOCAL_CLIENT } from '../../entrypoints/local/oauth-issuer.ts';
import packageJson from '../../package.json' with { type: 'json' };
import { runCommand } from '../support/child-processes.ts';
import { lambdaArtifacts, ROOT } from './artifacts.ts';
import { readZip } from './zip-reader.ts';

/**
 * The Lambda artifact, run as the nodejs22.x runtime runs it: the zip is unpacked into a
 * task directory, plain Node requires index.cjs, and `handler` gets ALB events. No package at
 * all can be resolved there (no node_modules above it, NODE_PATH empty, HOME the sandbox), not
 * even the AWS SDK the runtime would provide: the bundle must run on the SDK it carries, the
 * one the tests ran, and a dependency it forgot fails here, not in AWS.
 */

const TABLE = 'picus_data';
let sandbox: string;
let task: string;
let bundleText: string;
let zipBytes: number;
/** The issuer the handler checks tokens against (as the function checks Cognito's), and a token of it. */
let issuer: LocalIssuerServer;
let token: string;

const DRIVER = `
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const [bundle, eventsFile, resultsFile] = process.argv.slice(2);
const events = JSON.parse(await import('node:fs').then((fs) => fs.readFileSync(eventsFile, 'utf8')));
const { handler } = createRequire(import.meta.url)(bundle);
const results = [];
for (const event of events) results.push(await handler(event, {}));
writeFileSync(resultsFile, JSON.stringify(results));
process.exit(0);
`;

function albEvent(
  method: string,
  path: string,
  multiValue = false,
  headers: Record<string, string> = {},
): ALBEvent {
  const base = {
    requestContext: {
      elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/t/1' },
    },
    httpMethod: method,
    path,
    body: '',
    isBase64Encoded: false,
  };
  const all = {
    'x-forwarded-proto': 'https',
    host: 'api.example.com',
    authorization: `Bearer ${token}`,
    ...headers,
  };
  return multiValue
    ? {
        ...base,
        multiValueQueryStringParameters: {},
        multiValueHeaders: Object.fromEntries(Object.entries(all).map(([k, v]) => [k, [v]])),
      }
    : { ...base, queryStringParameters: {}, headers: all };
}

/** The environment every Node process in the sandbox starts with: nothing to resolve packages from. */
function sandboxEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env.PATH ?? '/usr/bin:/bin', NODE_PATH: '', HOME: sandbox, ...env };
}

/** Runs the unpacked handler under Node, in a fresh process (a cold start), over `events`. */
async function invoke(events: ALBEvent[], env: Record<string, string>): Promise<ALBResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'picus-invoke-'));
  try {
    writeFileSync(join(dir, 'events.json'), JSON.stringify(events));
    const { code, stdout, stderr } = await runCommand(
      [
        'node',
        join(task, 'driver.mjs'),
        join(task, 'index.cjs'),
        join(dir, 'events.json'),
        join(dir, 'results.json'),
      ],
      {
        cwd: task,
        env: sandboxEnv({
          AWS_REGION: 'eu-west-1',
          LOG_LEVEL: 'warn',
          AUTH_ISSUER: issuer.issuer.issuer,
          ...env,
        }),
      },
    );
    if (code !== 0) throw new Error(`node exited ${code}:\n${stdout}${stderr}`);
    return JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as ALBResult[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function expectAlbShape(result: ALBResult, status: number, reason: string, multiValue: boolean): void {
  expect(result.statusCode).toBe(status);
  expect(result.statusDescription).toBe(`${status} ${reason}`);
  expect(result.isBase64Encoded).toBe(false);
  if (multiValue) {
    expect(result.headers).toBeUndefined();
    for (const values of Object.values(result.multiValueHeaders ?? {})) {
      expect(Array.isArray(values)).toBe(true);
      for (const value of values) expect(typeof value).toBe('string');
    }
  } else {
    expect(result.multiValueHeaders).toBeUndefined();
    for (const value of Object.values(result.headers ?? {})) expect(typeof value).toBe('string');
  }
}

function header(result: ALBResult, name: string): string | undefined {
  const value = result.headers?.[name] ?? result.multiValueHeaders?.[name]?.[0];
  return value === undefined ? undefined : String(value);
}

beforeAll(async () => {
  issuer = await serveLocalIssuer();
  const response = await fetch(issuer.issuer.tokenUrl, {
    method: 'POST',
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: DEFAULT_LOCAL_CLIENT.id,
      client_secret: DEFAULT_LOCAL_CLIENT.secret,
    }),
  });
  token = TokenResponse.parse(await response.json()).access_token;
  const { bundle, zip } = await lambdaArtifacts();
  bundleText = readFileSync(bundle.path, 'utf8');
  zipBytes = zip.bytes;
  // /var/task: what Lambda unpacks, in a directory with no node_modules anywhere above it.
  sandbox = mkdtempSync(join(tmpdir(), 'picus-lambda-'));
  task = join(sandbox, 'task');
  mkdirSync(task);
  for (const entry of readZip(readFileSync(zip.path))) writeFileSync(join(task, entry.name), entry.data);
  writeFileSync(join(task, 'driver.mjs'), DRIVER);
}, 60_000);

afterAll(async () => {
  if (sandbox) rmSync(sandbox, { recursive: true, force: true });
  await issuer?.stop();
});

describe('the Lambda bundle', () => {
  test('requires Node built-ins only: the AWS SDK is inside it', () => {
    // Parsed, not grepped: the SDK's error messages quote `require("@aws-sdk/…")` in strings.
    const imports = new Bun.Transpiler({ loader: 'js' }).scanImports(bundleText);
    expect(imports.length).toBeGreaterThan(0);
    const notBuiltin = imports
      .map((entry) => entry.path)
      .filter((path) => !path.startsWith('node:') && !builtinModules.includes(path));
    expect(notBuiltin).toEqual([]);
    expect(bundleText).not.toContain(ROOT); // no build-machine paths: reproducible anywhere
  });

  test('carries the SDK version package.json pins, and is at most 1 MB zipped', () => {
    const pinned = packageJson.dependencies['@aws-sdk/client-dynamodb'];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/); // exact, so "the one we tested" means one version
    // The client's own package.json, inlined by the bundler (the SDK sends it in its user agent).
    expect(bundleText).toContain(`name:"@aws-sdk/client-dynamodb",version:"${pinned}"`);
    expect(zipBytes).toBeLessThanOrEqual(1024 * 1024);
  });

  test('the sandbox resolves no package: no SDK from NODE_PATH, HOME or a node_modules above', async () => {
    const { code, stderr } = await runCommand(['node', '-e', "require.resolve('@aws-sdk/client-dynamodb')"], {
      cwd: task,
      env: sandboxEnv({}),
    });
    expect(code).not.toBe(0);
    expect(stderr).toContain('MODULE_NOT_FOUND');
  });

  test('memory store: 404 for an absent key, 405 for GET, ALB result shape', async () => {
    const [absent, get, unknown] = await invoke(
      [
        albEvent('DELETE', '/picus/absent', false, { 'x-request-id': 'lambda-test-1' }),
        albEvent('GET', '/picus/absent'),
        albEvent('DELETE', '/nowhere'),
      ],
      { PICUS_STORE: 'memory' },
    );
    if (!absent || !get || !unknown) throw new Error('missing results');
    expectAlbShape(absent, 404, 'Not Found', false);
    expect(header(absent, 'content-type')).toBe(PROBLEM_CONTENT_TYPE);
    expect(header(absent, 'x-request-id')).toBe('lambda-test-1');
    const problem = Problem.parse(JSON.parse(absent.body ?? ''));
    expect(problem).toMatchObject({ status: 404, request_id: 'lambda-test-1' });

    expectAlbShape(get, 405, 'Method Not Allowed', false);
    expect(header(get, 'allow')).toBe('DELETE');
    expect(Problem.parse(JSON.parse(get.body ?? '')).status).toBe(405);

    expectAlbShape(unknown, 404, 'Not Found', false);
  }, 30_000);

  test('checks tokens: none is 401, another issuer’s is 401, a valid one reaches the store', async () => {
    const [none, forged, valid] = await invoke(
      [
        albEvent('DELETE', '/picus/absent', false, { authorization: '' }),
        albEvent('DELETE', '/picus/absent', false, { authorization: 'Bearer e30.e30.e30' }),
        albEvent('DELETE', '/picus/absent'),
      ],
      { PICUS_STORE: 'memory' },
    );
    if (!none || !forged || !valid) throw new Error('missing results');
    expectAlbShape(none, 401, 'Unauthorized', false);
    expect(header(none, 'www-authenticate')).toBe('Bearer realm="picus"');
    expectAlbShape(forged, 401, 'Unauthorized', false);
    expectAlbShape(valid, 404, 'Not Found', false);
  }, 30_000);

  test('multiValueHeaders mode answers with multiValueHeaders only', async () => {
    const [result] = await invoke([albEvent('DELETE', '/picus/absent', true, { 'x-request-id': 'mv-1' })], {
      PICUS_STORE: 'memory',
    });
    if (!result) throw new Error('missing result');
    expectAlbShape(result, 404, 'Not Found', true);
    expect(result.multiValueHeaders?.['x-request-id']).toEqual(['mv-1']);
  }, 30_000);

  // What bundling the SDK is for: the adapter's request timeout (`throwOnRequestTimeout`) exists
  // only in recent @smithy/node-http-handler releases; with an older SDK this DELETE would wait on
  // the silent store until the function timed out.
  describe('against a store that accepts connections and never answers', () => {
    let silent: Server;
    const sockets = new Set<Socket>();

    beforeAll(async () => {
      silent = createServer((socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
      });
      await new Promise<void>((done) => silent.listen(0, '127.0.0.1', done));
    });

    afterAll(async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((done) => silent?.close(done));
    });

    test('DELETE is 503 with Retry-After once the request timeout passes', async () => {
      const address = silent.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      const started = performance.now();
      const [result] = await invoke([albEvent('DELETE', '/picus/never-answered')], {
        PICUS_STORE: 'dynamodb',
        DYNAMODB_ENDPOINT: `http://127.0.0.1:${address.port}`,
        DYNAMODB_TIMEOUT_MS: '300',
        DYNAMODB_MAX_ATTEMPTS: '1',
        TABLE_NAME: TABLE,
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
      });
      const seconds = (performance.now() - started) / 1000;
      if (!result) throw new Error('missing result');
      expectAlbShape(result, 503, 'Service Unavailable', false);
      expect(header(result, 'retry-after')).toBe('1');
      expect(seconds).toBeLessThan(10); // one cold start plus 300 ms, not a hang
    }, 30_000);
  });

  describe('against the embedded DynamoDB', () => {
    let engine: EmbeddedDynamo;
    let client: DynamoDBClient;

    beforeAll(async () => {
      engine = await startEmbeddedDynamo();
      client = createDynamoClient({
        region: 'eu-west-1',
        endpoint: engine.endpoint,
        connectTimeoutMs: 1000,
        requestTimeoutMs: 3000,
        maxAttempts: 2,
      });
      await ensureTable(client, TABLE);
    }, 30_000);

    afterAll(async () => {
      client?.destroy();
      await engine?.stop();
    });

    test('DELETE of an existing item is 200, then 404; the item is gone', async () => {
      const keys = ['lambda-bundle-item', 'with space/and ü'];
      for (const key of keys) {
        await client.send(
          new PutItemCommand({
            TableName: TABLE,
            Item: {
              object_id: { S: key },
              created_at: { S: '2026-01-01T00:00:00.000Z' },
              data: { M: { n: { N: '1' } } },
            },
          }),
        );
      }
      const paths = keys.map((key) => `/picus/${encodeURIComponent(key)}`);
      const results = await invoke(
        [
          albEvent('DELETE', paths[0] as string),
          albEvent('DELETE', paths[0] as string, true),
          albEvent('DELETE', paths[1] as string),
        ],
        {
          PICUS_STORE: 'dynamodb',
          DYNAMODB_ENDPOINT: engine.endpoint,
          TABLE_NAME: TABLE,
          AWS_ACCESS_KEY_ID: 'local',
          AWS_SECRET_ACCESS_KEY: 'local',
        },
      );
      const [deleted, again, encoded] = results;
      if (!deleted || !again || !encoded) throw new Error('missing results');
      expectAlbShape(deleted, 200, 'OK', false);
      expect(header(deleted, 'content-type')).toBe('application/json');
      expect(DeleteItemResponse.parse(JSON.parse(deleted.body ?? ''))).toEqual({
        object_id: keys[0] as string,
        deleted: true,
      });
      expectAlbShape(again, 404, 'Not Found', true);
      expectAlbShape(encoded, 200, 'OK', false);
      expect(DeleteItemResponse.parse(JSON.parse(encoded.body ?? '')).object_id).toBe(keys[1] as string);
      for (const key of keys) {
        const left = await client.send(
          new GetItemCommand({ TableName: TABLE, Key: { object_id: { S: key } } }),
        );
        expect(left.Item).toBeUndefined();
      }
    }, 60_000);
  });
});
