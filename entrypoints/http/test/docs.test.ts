import { describe, expect, test } from 'bun:test';
import type { ALBEvent } from 'aws-lambda';
import { MemoryItemRepository } from '../../../adapters/memory/memory-item-repository.ts';
import { openApiDocument } from '../../../contracts/openapi.ts';
import { operationList } from '../../../contracts/operations.ts';
import type { Problem } from '../../../contracts/problem.ts';
import { routeFor } from '../../../contracts/routing.ts';
import { ItemService } from '../../../domain/item-service.ts';
import { createDeleteHandler } from '../../lambda/delete-handler.ts';
import { createAuthorizer } from '../../shared/auth/authorizer.ts';
import { createLogger } from '../../shared/logger.ts';
import { createApp } from '../app.ts';
import { DOCS_PATH, docsCsp, SPEC_PATH } from '../docs/swagger-ui.ts';
import { withEnvelope } from '../envelope.ts';

const TOKEN_URL = 'https://picus.auth.eu-west-1.amazoncognito.com/oauth2/token';
const app = createApp({
  service: new ItemService(new MemoryItemRepository()),
  auth: createAuthorizer({
    mode: 'jwt',
    issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example',
    jwksUrl: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example/.well-known/jwks.json',
    tokenUrl: TOKEN_URL,
  }),
});
const handle = withEnvelope(app.handle, createLogger('silent'));
const DOCS_CSP = docsCsp({ tokenUrl: TOKEN_URL });
const call = (path: string) => handle(new Request(`http://picus.test${path}`));

describe('GET /docs (Swagger UI, self-hosted)', () => {
  test('is an HTML page with a strict CSP and no inline script', async () => {
    const response = await call(DOCS_PATH);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(DOCS_CSP);
    expect(DOCS_CSP).toContain("script-src 'self';");
    expect(DOCS_CSP).not.toContain('unsafe-eval');
    // "Authorize" may reach the token endpoint's origin, and nothing else off this origin.
    expect(DOCS_CSP).toContain("connect-src 'self' https://picus.auth.eu-west-1.amazoncognito.com;");
    expect(docsCsp(undefined)).toContain("connect-src 'self';");
    expect(response.headers.get('x-request-id')).toBeTruthy();
    const html = await response.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBe(2);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/ src="\/docs\//);
      expect(body).toBe('');
    }
    expect(html).not.toMatch(/https?:\/\//);
  });

  test('serves every file the page loads, with its media type', async () => {
    const html = await (await call(DOCS_PATH)).text();
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string);
    const expected: Record<string, string> = {
      [`${DOCS_PATH}/swagger-ui-bundle.js`]: 'text/javascript; charset=utf-8',
      [`${DOCS_PATH}/swagger-init.js`]: 'text/javascript; charset=utf-8',
      [`${DOCS_PATH}/swagger-ui.css`]: 'text/css; charset=utf-8',
      [`${DOCS_PATH}/favicon-32x32.png`]: 'image/png',
    };
    expect(assets.sort()).toEqual(Object.keys(expected).sort());
    for (const asset of assets) {
      const response = await call(asset);
      expect(response.status, asset).toBe(200);
      expect(response.headers.get('content-type'), asset).toBe(expected[asset] as string);
      expect(response.headers.get('x-content-type-options'), asset).toBe('nosniff');
      expect((await response.arrayBuffer()).byteLength, asset).toBeGreaterThan(300);
    }
  });

  test('the init script loads our document and never the validator service', async () => {
    const script = await (await call(`${DOCS_PATH}/swagger-init.js`)).text();
    expect(script).toContain(`url: ${JSON.stringify(SPEC_PATH)}`);
    expect(script).toContain('validatorUrl: null');
  });

  test('the docs routes are not operations of the API', async () => {
    const doc = (await (await call(SPEC_PATH)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((path) => path.startsWith(DOCS_PATH) || path === SPEC_PATH)).toEqual(
      [],
    );
    expect(Object.keys(doc.paths)).not.toContain('/picus/get/');
  });
});

describe('GET /openapi.json', () => {
  test('is the document built from the contracts, with this deployment’s token URL', async () => {
    const response = await call(SPEC_PATH);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(
      JSON.parse(JSON.stringify(openApiDocument({ tokenUrl: TOKEN_URL }))),
    );
    const open = createApp({
      service: new ItemService(new MemoryItemRepository()),
      auth: createAuthorizer({ mode: 'none' }),
    });
    const answer = await open.handle(new Request(`http://picus.test${SPEC_PATH}`), SPEC_PATH);
    const served = 'response' in answer ? await answer.response.json() : answer;
    expect(served).toEqual(JSON.parse(JSON.stringify(openApiDocument(undefined))));
  });
});

describe('every documented operation is served', () => {
  // With authentication off, a request reaches its route; what a route answers (even a 404 for
  // an item that is not there) is never the API's "no such route" problem.
  const service = new ItemService(new MemoryItemRepository());
  const open = createAuthorizer({ mode: 'none' });
  const container = withEnvelope(createApp({ service, auth: open }).handle, createLogger('silent'));
  const lambda = createDeleteHandler(service, createLogger('silent'), open);
  const noRoute = ['Not found', 'Method not allowed'];

  for (const op of operationList) {
    test(`${op.method} ${op.path}: a route in the app, or a load-balancer rule to the Lambda`, async () => {
      const path = op.path.replace(/\{[^}]+\}/g, 'some-key');
      if (routeFor(op.method, path) === 'lambda') {
        const event = {
          httpMethod: op.method,
          path,
          headers: {},
          body: '',
          isBase64Encoded: false,
        } as ALBEvent;
        const result = await lambda(event);
        if (result.statusCode >= 400)
          expect(noRoute).not.toContain((JSON.parse(result.body ?? '{}') as Problem).title);
        return;
      }
      const response = await container(new Request(`http://picus.test${path}`, { method: op.method }));
      if (response.status >= 400) expect(noRoute).not.toContain(((await response.json()) as Problem).title);
    });
  }
});
