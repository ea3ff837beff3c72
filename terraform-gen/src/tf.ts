/**
 * A tiny typed layer over Terraform's JSON configuration syntax.
 *
 * Every cross-resource reference is an `Expr` produced from a handle (`res.attr('arn')`,
 * `variable.ref`, `local(...)`), so addresses are spelled in exactly one place: the
 * handle's constructor. `Expr` serialises itself to a `${...}` interpolation, and `tpl`
 * builds template strings that mix literal text (escaped) with expressions.
 */

export type Json =
  | string
  | number
  | boolean
  | null
  | Expr
  | ComputedJson
  | Json[]
  | { [key: string]: Json | undefined };
export type Body = { [key: string]: Json | undefined };

/** A Terraform expression (without the surrounding `${ }`). */
export class Expr {
  constructor(readonly hcl: string) {}
  /** Attribute access: `expr.name`. */
  get(name: string): Expr {
    return new Expr(`${this.hcl}.${name}`);
  }
  /** Index access: `expr[i]`; a number, a string key or another expression. */
  at(index: number | string | Expr): Expr {
    const key =
      typeof index === 'number' ? String(index) : index instanceof Expr ? index.hcl : JSON.stringify(index);
    return new Expr(`${this.hcl}[${key}]`);
  }
  /** Splat: `expr[*].name`. */
  splat(name: string): Expr {
    return new Expr(`${this.hcl}[*].${name}`);
  }
  toJSON(): string {
    return `\${${this.hcl}}`;
  }
  toString(): string {
    return this.toJSON();
  }
}

export const raw = (hcl: string): Expr => new Expr(hcl);

/**
 * A value of a `jsonDoc` that Terraform computes: the expression's `jsonencode`, spliced into the
 * document as JSON (a list whose length depends on a variable, say), not as a string.
 */
export class ComputedJson {
  constructor(readonly expr: Expr) {}
}
export const computedJson = (expr: Expr): ComputedJson => new ComputedJson(expr);

/** Render a value as an HCL expression (for use inside function calls and conditionals). */
export function hcl(value: Json): string {
  if (value instanceof Expr) return value.hcl;
  if (value instanceof ComputedJson) return value.expr.hcl;
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value).replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(hcl).join(', ')}]`;
  const entries = Object.entries(value).filter((e): e is [string, Json] => e[1] !== undefined);
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([k, v]) => `${JSON.stringify(k)} = ${hcl(v)}`).join(', ')} }`;
}

/** A template string as an HCL expression (so it can be a function argument). */
export const str = (template: string): Expr => new Expr(JSON.stringify(template));

/** Call a Terraform function: `fn('cidrsubnet', v, 8, idx)`. */
export const fn = (name: string, ...args: Json[]): Expr => new Expr(`${name}(${args.map(hcl).join(', ')})`);

/** `cond ? a : b`. */
export const cond = (test: Expr | string, a: Json, b: Json): Expr =>
  new Expr(`${typeof test === 'string' ? test : test.hcl} ? ${hcl(a)} : ${hcl(b)}`);

/** A binary comparison or arithmetic expression, e.g. `op(v, '==', 'per_az')`. */
export const op = (a: Json, operator: string, b: Json): Expr => new Expr(`${hcl(a)} ${operator} ${hcl(b)}`);

/** Escape literal text for a Terraform JSON string (which is a template). */
export const escapeTemplate = (text: string): string => text.replace(/\$\{/g, '$${').replace(/%\{/g, '%%{');

/** Tagged template: literal parts escaped, `Expr` parts interpolated. */
export function tpl(strings: TemplateStringsArray, ...values: (Expr | string | number)[]): string {
  let out = escapeTemplate(strings[0] ?? '');
  values.forEach((v, i) => {
    out += v instanceof Expr ? v.toJSON() : escapeTemplate(String(v));
    out += escapeTemplate(strings[i + 1] ?? '');
  });
  return out;
}

/**
 * A JSON document embedded in a string argument (policies, container definitions, dashboards).
 * Expressions inside become interpolations, so Terraform substitutes them at plan time.
 */
export function jsonDoc(value: Json): string {
  const computed: ComputedJson[] = [];
  const walk = (v: Json | undefined): unknown => {
    if (v instanceof ComputedJson) return `\u0000${computed.push(v) - 1}\u0000`;
    if (v instanceof Expr) return v.toJSON();
    if (typeof v === 'string') return escapeTemplate(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v)
          .filter((e) => e[1] !== undefined)
          .map(([k, x]) => [k, walk(x)]),
      );
    }
    return v;
  };
  return JSON.stringify(walk(value)).replace(
    /"\\u0000(\d+)\\u0000"/g,
    (_, i: string) => `\${jsonencode(${(computed[Number(i)] as ComputedJson).expr.hcl})}`,
  );
}

export interface Lifecycle {
  ignore_changes?: string[];
  create_before_destroy?: boolean;
  prevent_destroy?: boolean;
}

export interface Meta {
  count?: Json;
  for_each?: Json;
  depends_on?: Addressable[];
  lifecycle?: Lifecycle;
}

export interface Addressable {
  readonly address: string;
}

/** A managed resource or data source; attributes are read through `attr`. */
export class Handle<A extends string = string> implements Addressable {
  readonly address: string;
  constructor(
    readonly mode: 'resource' | 'data',
    readonly type: string,
    readonly name: string,
    readonly body: Body,
    readonly meta: Meta,
  ) {
    this.address = mode === 'data' ? `data.${type}.${name}` : `${type}.${name}`;
  }
  /** The whole object (for splat/index when `count` is set). */
  get self(): Expr {
    return new Expr(this.address);
  }
  attr(name: A | 'id'): Expr {
    return new Expr(`${this.address}.${name}`);
  }
  /** `address[i].name` for counted resources. */
  attrAt(index: number | Expr, name: A | 'id'): Expr {
    return this.self.at(index).get(name);
  }
  /** `address[*].name` for counted resources. */
  all(name: A | 'id'): Expr {
    return this.self.splat(name);
  }
}

export class Variable implements Addressable {
  readonly address: string;
  readonly ref: Expr;
  constructor(
    readonly name: string,
    readonly body: Body,
  ) {
    this.address = `var.${name}`;
    this.ref = new Expr(this.address);
  }
}

export class Local implements Addressable {
  readonly address: string;
  readonly ref: Expr;
  constructor(
    readonly name: string,
    readonly value: Json,
  ) {
    this.address = `local.${name}`;
    this.ref = new Expr(this.address);
  }
}

export interface Output {
  readonly name: string;
  readonly value: Json;
  readonly description: string;
  readonly sensitive?: boolean;
}

/** One generated file's worth of configuration. */
export class Fragment {
  readonly resources: Handle[] = [];
  readonly data: Handle[] = [];
  readonly variables: Variable[] = [];
  readonly locals: Local[] = [];
  readonly outputs: Output[] = [];
  terraform: Body | undefined;
  providers: Record<string, Body> = {};

  constructor(readonly file: string) {}

  resource<A extends string = string>(type: string, name: string, body: Body, meta: Meta = {}): Handle<A> {
    const h = new Handle<A>('resource', type, name, body, meta);
    this.resources.push(h);
    return h;
  }

  dataSource<A extends string = string>(type: string, name: string, body: Body, meta: Meta = {}): Handle<A> {
    const h = new Handle<A>('data', type, name, body, meta);
    this.data.push(h);
    return h;
  }

  variable(name: string, body: Body): Variable {
    const v = new Variable(name, body);
    this.variables.push(v);
    return v;
  }

  local(name: string, value: Json): Local {
    const l = new Local(name, value);
    this.locals.push(l);
    return l;
  }

  output(name: string, value: Json, description: string, sensitive?: boolean): void {
    this.outputs.push({ name, value, description, ...(sensitive ? { sensitive } : {}) });
  }

  /** The Terraform JSON document for this fragment. */
  toJson(): Record<string, unknown> {
    const doc: Record<string, unknown> = {};
    if (this.terraform) doc.terraform = this.terraform;
    if (Object.keys(this.providers).length > 0) doc.provider = this.providers;
    if (this.variables.length > 0)
      doc.variable = Object.fromEntries(this.variables.map((v) => [v.name, v.body]));
    if (this.locals.length > 0) doc.locals = Object.fromEntries(this.locals.map((l) => [l.name, l.value]));
    const group = (handles: Handle[]) => {
      const out: Record<string, Record<string, Body>> = {};
      for (const h of handles) {
        const byType = out[h.type] ?? {};
        if (byType[h.name]) throw new Error(`duplicate ${h.address}`);
        byType[h.name] = { ...h.body, ...metaJson(h.meta) };
        out[h.type] = byType;
      }
      return out;
    };
    if (this.data.length > 0) doc.data = group(this.data);
    if (this.resources.length > 0) doc.resource = group(this.resources);
    if (this.outputs.length > 0) {
      doc.output = Object.fromEntries(
        this.outputs.map((o) => [
          o.name,
          { value: o.value, description: o.description, ...(o.sensitive ? { sensitive: true } : {}) },
        ]),
      );
    }
    return doc;
  }
}

function metaJson(meta: Meta): Body {
  const out: Body = {};
  if (meta.count !== undefined) out.count = meta.count;
  if (meta.for_each !== undefined) out.for_each = meta.for_each;
  if (meta.depends_on) out.depends_on = meta.depends_on.map((d) => d.address);
  if (meta.lifecycle) out.lifecycle = meta.lifecycle as Body;
  return out;
}

/** Serialise with recursively sorted object keys, so output is byte-stable across runs. */
export function stableStringify(value: unknown): string {
  const normalise = (v: unknown): unknown => {
    if (v instanceof Expr) return v.toJSON();
    if (Array.isArray(v)) return v.map(normalise);
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(o)
          .filter((k) => o[k] !== undefined)
          .sort()
          .map((k) => [k, normalise(o[k])]),
      );
    }
    return v;
  };
  return `${JSON.stringify(normalise(value), null, 2)}\n`;
}

/** IAM policy document statements, rendered through `data.aws_iam_policy_document`. */
export interface Statement {
  sid: string;
  effect?: 'Allow' | 'Deny';
  actions: string[];
  /** Omitted for trust policies. */
  resources?: Json[];
  principals?: { type: string; identifiers: Json[] }[];
  conditions?: { test: string; variable: string; values: Json[] }[];
}

export function policyDocument(statements: Statement[]): Body {
  return {
    statement: statements.map((s) => ({
      sid: s.sid,
      effect: s.effect ?? 'Allow',
      actions: [...s.actions].sort(),
      resources: s.resources && s.resources.length > 0 ? s.resources : undefined,
      principals: s.principals,
      condition: s.conditions,
    })),
  };
}
