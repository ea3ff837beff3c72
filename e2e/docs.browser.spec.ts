import type { Page, TestInfo } from '@playwright/test';
import { operationList } from '../contracts/operations.ts';
import { CHROMIUM_MISSING } from './support/chromium.ts';
import { expectResponse } from './support/contract.ts';
import { expect, NO_DELETE, test, unique } from './support/items.ts';

test.skip(CHROMIUM_MISSING !== undefined, CHROMIUM_MISSING);

/** Fails the page's test on any request off this origin (the page must work offline) and on any error. */
async function guard(
  page: Page,
  baseURL: string | undefined,
): Promise<{ foreign: string[]; errors: string[] }> {
  const origin = new URL(baseURL as string).origin;
  const foreign: string[] = [];
  const errors: string[] = [];
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('data:') || new URL(url).origin === origin) return route.continue();
    foreign.push(url);
    return route.abort();
  });
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { foreign, errors };
}

async function screenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

test('Swagger UI at /docs renders every operation from our own files', async ({
  page,
  baseURL,
}, testInfo) => {
  const { foreign, errors } = await guard(page, baseURL);
  await page.goto('/docs');
  await expect(page.locator('.opblock')).toHaveCount(operationList.length);
  for (const op of operationList) {
    await expect(page.locator(`#operations-${op.tag}-${op.operationId}`)).toBeVisible();
  }

  const put = page.locator('#operations-Items-putItem');
  await put.locator('.opblock-summary').click();
  await expect(put.getByRole('button', { name: 'Try it out' })).toBeVisible();
  for (const status of Object.keys(
    operationList.find((op) => op.operationId === 'putItem')?.responses ?? {},
  )) {
    await expect(put.locator(`tr.response[data-code="${status}"]`)).toBeVisible();
  }
  await screenshot(page, testInfo, 'swagger-ui');
  expect(foreign, 'requests off this origin').toEqual([]);
  expect(errors, 'console errors (CSP violations included)').toEqual([]);
});

test('"Try it out" works for DELETE, through the load balancer', async ({
  page,
  baseURL,
  request,
}, testInfo) => {
  test.skip(NO_DELETE, 'SMOKE_NO_DELETE=1: the target does not serve DELETE');
  const created = await expectResponse(
    await request.post('/picus/put', { data: { marker: unique('try-it-out') } }),
    'putItem',
    201,
  );
  const { foreign, errors } = await guard(page, baseURL);
  await page.goto('/docs#/Items/deleteItem');
  const op = page.locator('#operations-Items-deleteItem');
  await op.getByRole('button', { name: 'Try it out' }).click();
  await op.locator('tr[data-param-name="key"] input').fill(created.object_id);
  await op.getByRole('button', { name: 'Execute' }).click();
  const live = op.locator('.live-responses-table');
  await expect(live.locator('tbody .response-col_status')).toHaveText('200');
  await expect(live.locator('tbody .response-col_description')).toContainText('"deleted": true');
  await screenshot(page, testInfo, 'try-it-out-delete');
  await expectResponse(await request.get(`/picus/get/${created.object_id}`), 'getItem', 404);
  expect(foreign).toEqual([]);
  expect(errors).toEqual([]);
});
