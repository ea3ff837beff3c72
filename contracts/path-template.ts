/**
 * The requests an OpenAPI path template names: each `{parameter}` matches one segment, possibly
 * empty (`/picus/get/` names the resource; the operation then refuses the empty key).
 */
export function templatePattern(template: string): RegExp {
  return new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]*')}$`);
}

/**
 * `templatePattern` as a plain function, for the hot path: a template with one trailing
 * `{parameter}` (every template of this API) is a prefix test and a slash search, several times
 * faster than the regular expression; any other template falls back to it.
 */
export function templateMatcher(template: string): (path: string) => boolean {
  const open = template.indexOf('{');
  if (open < 0) return (path) => path === template;
  if (template.indexOf('}') !== template.length - 1 || template.indexOf('{', open + 1) >= 0) {
    const pattern = templatePattern(template);
    return (path) => pattern.test(path);
  }
  const prefix = templatePrefix(template);
  return (path) => path.startsWith(prefix) && path.indexOf('/', prefix.length) < 0;
}

/** What precedes a template's first `{parameter}` (`/picus/get/` of `/picus/get/{key}`); all of it without one. */
export function templatePrefix(template: string): string {
  const open = template.indexOf('{');
  return open < 0 ? template : template.slice(0, open);
}
