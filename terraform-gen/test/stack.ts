/** Test helpers: the generated configuration, parsed back from the rendered JSON. */
import { renderStack } from '../src/generate.ts';

// biome-ignore lint/suspicious/noExplicitAny: generated Terraform JSON is inspected structurally.
export type Any = any;

export interface ParsedStack {
  files: Map<string, Any>;
  resource(type: string, name: string): Any;
  data(type: string, name: string): Any;
  resources(type: string): Record<string, Any>;
  variable(name: string): Any;
  outputs: Record<string, Any>;
  /** Statements of `data.aws_iam_policy_document.<name>`. */
  statements(name: string): Any[];
}

export function parsedStack(): ParsedStack {
  const files = new Map<string, Any>();
  for (const [file, content] of renderStack()) files.set(file, JSON.parse(content));
  const merged = { resource: {} as Any, data: {} as Any, variable: {} as Any, output: {} as Any };
  for (const doc of files.values()) {
    for (const kind of ['resource', 'data'] as const) {
      for (const [type, byName] of Object.entries(doc[kind] ?? {})) {
        merged[kind][type] = { ...merged[kind][type], ...(byName as object) };
      }
    }
    Object.assign(merged.variable, doc.variable ?? {});
    Object.assign(merged.output, doc.output ?? {});
  }
  const get = (kind: 'resource' | 'data', type: string, name: string) => {
    const r = merged[kind][type]?.[name];
    if (!r) throw new Error(`${kind} ${type}.${name} not generated`);
    return r;
  };
  return {
    files,
    resource: (type, name) => get('resource', type, name),
    data: (type, name) => get('data', type, name),
    resources: (type) => merged.resource[type] ?? {},
    variable: (name) => merged.variable[name],
    outputs: merged.output,
    statements: (name) => get('data', 'aws_iam_policy_document', name).statement,
  };
}

/**
 * A `container_definitions` document, parsed: each `${jsonencode(<expr>)}` Terraform splices in
 * (see `computedJson`) reads as the string `computed:<expr>`, so the rest can be inspected as JSON.
 */
export function parseContainerDefinitions(text: string): Any[] {
  let out = '';
  let i = 0;
  const marker = '${jsonencode(';
  while (i < text.length) {
    const start = text.indexOf(marker, i);
    if (start < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, start);
    let depth = 1;
    let j = start + marker.length;
    for (; j < text.length && depth > 0; j++) {
      if (text[j] === '(') depth++;
      else if (text[j] === ')') depth--;
    }
    out += JSON.stringify(`computed:${text.slice(start + marker.length, j - 1)}`);
    i = j + 1; // past the closing brace of ${ }
  }
  return JSON.parse(out);
}
