/**
 * A URL's query parameters as text (percent- and `+`-decoded), a repeated parameter as the list of
 * its values, so a schema can refuse a repeat by name. No prototype: a parameter named
 * `__proto__` is a parameter like any other.
 */
export function queryOf(url: string): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = Object.create(null);
  const start = url.indexOf('?');
  if (start < 0) return query;
  for (const [name, value] of new URLSearchParams(url.slice(start + 1))) {
    const seen = query[name];
    query[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
  }
  return query;
}
