import { apiResources } from '../contracts/api-resources.ts';
import { openApiDocument } from '../contracts/openapi.ts';
import { operationList } from '../contracts/operations.ts';
import { expect, test } from './support/items.ts';

type Doc = { openapi: string; paths: Record<string, Record<string, Record<string, unknown>>> };

test.describe('API documentation', () => {
  test('/openapi.json documents every operation as contracts/ define it', { tag: '@smoke' }, async ({
    request,
    auth,
  }) => {
    const response = await request.get('/openapi.json');
    expect(response.status()).toBe(200);
    expect(response.headers()['content-type']).toMatch(/^application\/json/);
    expect(response.headers()['x-request-id']).toBeTruthy();
    const served = (await response.json()) as Doc;
    const reference = openApiDocument(
      auth.mode === 'jwt' ? { tokenUrl: auth.tokenUrl as string } : undefined,
    ) as unknown as Doc;
    expect(served.openapi).toMatch(/^3\.1\.\d+$/);
    for (const op of operationList) {
      const operation = served.paths[op.path]?.[op.method.toLowerCase()];
      expect(operation, `${op.method} ${op.path}`).toBeDefined();
      // The deployment describes the operation exactly as this checkout's contracts do.
      expect(operation, `${op.method} ${op.path}`).toEqual(
        reference.paths[op.path]?.[op.method.toLowerCase()],
      );
    }
    for (const resource of apiResources) {
      for (const method of resource.methods) {
        expect(
          served.paths[resource.path]?.[method.toLowerCase()],
          `${method} ${resource.path}`,
        ).toBeDefined();
      }
    }
  });

  test('/docs is a Swagger UI page that loads only our own files', { tag: '@smoke' }, async ({ request }) => {
    const page = await request.get('/docs');
    expect(page.status()).toBe(200);
    expect(page.headers()['content-type']).toMatch(/^text\/html/);
    const csp = page.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('id="swagger-ui"');
    expect(html).not.toMatch(/<script>(?!<)|<script[^>]*>[^<]/); // no inline script
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] as string);
    expect(assets.length).toBeGreaterThanOrEqual(4);
    for (const asset of assets) {
      expect(asset, 'same-origin').toMatch(/^\/docs\//);
      const response = await request.get(asset);
      expect(response.status(), asset).toBe(200);
      expect(response.headers()['content-type'], asset).toMatch(/^(text\/(javascript|css)|image\/png)/);
      expect((await response.body()).length, asset).toBeGreaterThan(100);
    }
  });
});
