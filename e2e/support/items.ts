import { randomUUID } from 'node:crypto';
import { type APIRequestContext, type APIResponse, test as base, expect } from '@playwright/test';
import type { PutItemResponse } from '../../contracts/item.ts';
import { accessToken, type E2eAuth, e2eAuth } from './auth.ts';
import { expectResponse } from './contract.ts';

/**
 * With SMOKE_NO_DELETE=1 (a target that serves everything but DELETE, such as the
 * container alone) tests do not clean up; everywhere else every item a test
 * creates is deleted after it, so the suite is safe against a shared deployment.
 */
export const NO_DELETE = process.env.SMOKE_NO_DELETE === '1';

export interface PutOptions {
  readonly idempotencyKey?: string;
  readonly headers?: Record<string, string>;
}

export const itemPath = (key: string) => `/picus/get/${encodeURIComponent(key)}`;
export const deletePath = (key: string) => `/picus/${encodeURIComponent(key)}`;

/** A value no other test, run or user will have chosen. */
export const unique = (label: string) => `e2e-${label}-${randomUUID()}`;

/** The API's item operations, remembering what was created so it can be removed. */
export class Items {
  readonly #request: APIRequestContext;
  readonly created = new Set<string>();

  constructor(request: APIRequestContext) {
    this.#request = request;
  }

  /** POST /picus/put with `body` sent as is (a string or bytes) or as JSON (anything else). */
  async put(body: unknown, options: PutOptions = {}): Promise<APIResponse> {
    const raw = typeof body === 'string' || body instanceof Uint8Array;
    const headers: Record<string, string> = { 'content-type': 'application/json', ...options.headers };
    if (options.idempotencyKey !== undefined) headers['idempotency-key'] = options.idempotencyKey;
    const data = raw ? Buffer.from(body as string | Uint8Array) : Buffer.from(JSON.stringify(body));
    const response = await this.#request.post('/picus/put', { data, headers });
    if (response.status() === 201) this.created.add(((await response.json()) as PutItemResponse).object_id);
    return response;
  }

  /** Puts `data` and checks the 201 against the contract. */
  async create(data: Record<string, unknown>, options: PutOptions = {}): Promise<PutItemResponse> {
    return expectResponse(await this.put(data, options), 'putItem', 201);
  }

  get(key: string): Promise<APIResponse> {
    return this.#request.get(itemPath(key));
  }

  list(params: Record<string, string | number> = {}): Promise<APIResponse> {
    return this.#request.get('/picus/list', { params });
  }

  delete(key: string): Promise<APIResponse> {
    return this.#request.delete(deletePath(key));
  }

  async cleanUp(): Promise<void> {
    for (const id of this.created) {
      const response = await this.delete(id);
      expect([200, 404], `cleaning up ${id}`).toContain(response.status());
    }
    this.created.clear();
  }
}

/** The target: local (the stack playwright.config.ts starts) unless BASE_URL names a deployment. */
export const LOCAL_TARGET = process.env.BASE_URL === undefined;

export interface Fixtures {
  /** How this run gets tokens (see ./auth.ts). */
  auth: E2eAuth;
  /** `Authorization: Bearer <token>` for the main client, with every scope it has (none when AUTH_MODE=none). */
  authorization: Record<string, string>;
  /** A request context that sends no token. */
  anonymous: APIRequestContext;
  items: Items;
}

export const test = base.extend<Fixtures>({
  auth: async ({ baseURL }, use) => {
    await use(e2eAuth(baseURL as string, LOCAL_TARGET));
  },
  authorization: async ({ auth }, use) => {
    if (auth.mode === 'none') return use({});
    if (auth.client === undefined) {
      throw new Error(
        'Set AUTH_CLIENT_ID and AUTH_CLIENT_SECRET (or AUTH_MODE=none) to run against BASE_URL.',
      );
    }
    await use({ authorization: `Bearer ${await accessToken(auth, auth.client)}` });
  },
  // Every test's `request` carries the main client's token, as a real client's would.
  request: async ({ playwright, baseURL, authorization }, use) => {
    const context = await playwright.request.newContext({ baseURL, extraHTTPHeaders: authorization });
    await use(context);
    await context.dispose();
  },
  anonymous: async ({ playwright, baseURL }, use) => {
    const context = await playwright.request.newContext({ baseURL });
    await use(context);
    await context.dispose();
  },
  items: async ({ request }, use) => {
    const items = new Items(request);
    await use(items);
    if (!NO_DELETE) await items.cleanUp();
  },
});

export { expect };
