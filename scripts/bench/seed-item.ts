/** The item the read benchmarks GET, created through the API as a client would. */

const ITEM_BODY = { name: 'bench', n: 42, tags: ['a', 'b'], nested: { ok: true } };

/** Creates one item through the API; returns its id and the exact JSON GET answers. */
export async function seedItem(
  url: string,
  authorized: Readonly<Record<string, string>>,
): Promise<{ id: string; json: string }> {
  const put = await fetch(`${url}/picus/put`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...authorized },
    body: JSON.stringify(ITEM_BODY),
  });
  if (put.status !== 201) throw new Error(`seed failed: ${put.status} ${await put.text()}`);
  const { object_id: id } = (await put.json()) as { object_id: string };
  const get = await fetch(`${url}/picus/get/${id}`, { headers: authorized });
  if (!get.ok) throw new Error(`seeded item not readable: ${get.status}`);
  return { id, json: await get.text() };
}
