/**
 * The requests an OpenAPI path template names: each `{parameter}` matches one segment, possibly
 * empty (`/picus/get/` names the resource; the operation then refuses the empty key).
 */
export function templatePattern(template: string): RegExp {
  return new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]*')}$`);
}
