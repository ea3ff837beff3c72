/**
 * Extracts the hashicorp/aws provider schema from the `@cdktn/provider-aws` npm package (the
 * maintained fork of the CDKTF prebuilt bindings), for the offline `terraform validate`.
 *
 *   npm pack @cdktn/provider-aws@25.7.0 && tar xzf cdktn-provider-aws-25.7.0.tgz
 *   bun terraform-gen/provider-schema/extract.ts ./package
 *
 * Sources, per resource / data source:
 *  - `.jsii`: the assembly lists every resource and data-source class (fqn, the module file it
 *    lives in) and the wrapped provider version (`Represents ... hashicorp/aws/<version>`).
 *  - `lib/<module>/index.js`: each class carries, per argument, a generated
 *    `// name - computed: x, optional: y, required: z` marker followed by its getter
 *    (`getStringAttribute`, `getListAttribute`, `Fn.tolist(...)` for sets, or a nested
 *    `...List` / `...OutputReference` object for blocks), and `synthesizeHclAttributes` /
 *    `...ToHclTerraform` say which names are blocks and their nesting (list, set, single, map).
 *    Getter-only attributes are the computed attributes.
 *
 * Output: `aws-<version>.schema.json.gz`, a compact form of tfplugin6 `Schema` messages:
 *   Block = { a?: { [name]: Attr }, b?: { [name]: Nested } }
 *   Attr = { t: <cty JSON type>, r?: 1 (required), o?: 1 (optional), c?: 1 (computed) }
 *   Nested = { n: 'single' | 'list' | 'set' | 'map', min?: number, max?: number, k: Block }
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export type CtyType = string | [string, CtyType] | ['object', Record<string, CtyType>];
export interface Attr {
  t: CtyType;
  r?: 1;
  o?: 1;
  c?: 1;
}
export interface Nested {
  n: 'single' | 'list' | 'set' | 'map';
  min?: number;
  max?: number;
  k: Block;
}
export interface Block {
  a?: Record<string, Attr>;
  b?: Record<string, Nested>;
}
export interface ProviderSchema {
  version: string;
  provider: Block;
  resources: Record<string, Block>;
  dataSources: Record<string, Block>;
}

interface HclMeta {
  isBlock: boolean;
  type: string;
  storage: string;
}

interface ClassInfo {
  name: string;
  base: string;
  body: string;
}

class ModuleFile {
  readonly classes = new Map<string, ClassInfo>();
  /** Struct name (PascalCase) → snake name → HCL metadata. */
  readonly hclMeta = new Map<string, Map<string, HclMeta>>();

  constructor(readonly source: string) {
    const starts = [...source.matchAll(/^(class (\w+) extends ([\w.]+) \{|function (\w+)\()/gm)];
    starts.forEach((m, i) => {
      const end = i + 1 < starts.length ? (starts[i + 1]?.index ?? source.length) : source.length;
      const text = source.slice(m.index ?? 0, end);
      if (m[2] && m[3]) {
        this.classes.set(m[2], { name: m[2], base: m[3], body: text });
        const synth = text.indexOf('synthesizeHclAttributes()');
        if (synth >= 0) this.hclMeta.set(m[2], parseHclMeta(text.slice(synth)));
      } else if (m[4]?.endsWith('ToHclTerraform')) {
        const struct = m[4].slice(0, -'ToHclTerraform'.length);
        this.hclMeta.set(struct[0]?.toUpperCase() + struct.slice(1), parseHclMeta(text));
      }
    });
  }
}

function parseHclMeta(text: string): Map<string, HclMeta> {
  const out = new Map<string, HclMeta>();
  const re =
    /^\s+"?([\w-]+)"?: \{\s*value: [^\n]*\n\s*isBlock: (true|false),\s*type: "(\w+)",\s*storageClassType: "(\w+)",/gm;
  for (const m of text.matchAll(re)) {
    out.set(m[1] as string, { isBlock: m[2] === 'true', type: m[3] as string, storage: m[4] as string });
  }
  return out;
}

const GETTER_TYPES: [RegExp, CtyType][] = [
  [/^return cdktn\.Token\.asNumberList\(cdktn\.Fn\.tolist\(this\.getNumberListAttribute/, ['set', 'number']],
  [/^return cdktn\.Token\.asAny\(cdktn\.Fn\.tolist/, ['set', 'dynamic']],
  [/^return cdktn\.Fn\.tolist\(this\.getListAttribute/, ['set', 'string']],
  [/^return cdktn\.Fn\.tolist\(this\.getNumberListAttribute/, ['set', 'number']],
  [/^return this\.getStringAttribute\(/, 'string'],
  [/^return this\.getNumberAttribute\(/, 'number'],
  [/^return this\.getBooleanAttribute\(/, 'bool'],
  [/^return this\.getListAttribute\(/, ['list', 'string']],
  [/^return this\.getNumberListAttribute\(/, ['list', 'number']],
  [/^return this\.getStringMapAttribute\(/, ['map', 'string']],
  [/^return this\.getNumberMapAttribute\(/, ['map', 'number']],
  [/^return this\.getBooleanMapAttribute\(/, ['map', 'bool']],
  [/^return this\.getAnyMapAttribute\(/, ['map', 'dynamic']],
  [/^return this\.interpolationForAttribute\(/, 'dynamic'],
];

const STORAGE_TYPES: Record<string, CtyType> = {
  string: 'string',
  number: 'number',
  boolean: 'bool',
  any: 'dynamic',
  stringList: ['list', 'string'],
  numberList: ['list', 'number'],
  booleanList: ['list', 'bool'],
  stringMap: ['map', 'string'],
  numberMap: ['map', 'number'],
  booleanMap: ['map', 'bool'],
  stringMapMap: ['map', ['map', 'string']],
  stringListList: ['list', ['list', 'string']],
  stringMapList: ['list', ['map', 'string']],
  stringListMap: ['map', ['list', 'string']],
};

function storageType(meta: HclMeta): CtyType {
  const t = STORAGE_TYPES[meta.storage] ?? 'dynamic';
  // stringList etc. stored in a set attribute.
  if (meta.type === 'set' && Array.isArray(t) && t[0] === 'list') return ['set', t[1]];
  return t;
}

const MARKER =
  /^ {4}\/\/ ([\w-]+) - computed: (true|false), optional: (true|false), required: (true|false)$/gm;

class Extractor {
  private readonly file: ModuleFile;
  constructor(source: string) {
    this.file = new ModuleFile(source);
  }

  classByFqnName(name: string): ClassInfo | undefined {
    return this.file.classes.get(name);
  }

  /** Schema block of a class (the resource class or a nested `...OutputReference`). */
  blockOf(className: string, metaKey: string, depth = 0): Block {
    const cls = this.file.classes.get(className);
    const meta = this.file.hclMeta.get(metaKey) ?? new Map<string, HclMeta>();
    const block: Block = {};
    if (!cls || depth > 12) return this.blockFromMeta(metaKey, depth);
    const markers = [...cls.body.matchAll(MARKER)];
    markers.forEach((m, i) => {
      const name = m[1] as string;
      const computed = m[2] === 'true';
      const optional = m[3] === 'true';
      const required = m[4] === 'true';
      const end = i + 1 < markers.length ? (markers[i + 1]?.index ?? cls.body.length) : cls.body.length;
      const segment = cls.body.slice(m.index ?? 0, end);
      const getter = /get \w+\(\) \{\n\s*(return [^\n]*)/.exec(segment)?.[1] ?? '';
      const hm = meta.get(name);
      const field = /return this\._(\w+);/.exec(getter)?.[1];
      const init = field
        ? new RegExp(`_${field} = new ([\\w.]+)\\(this, "[\\w-]+"(?:, (true|false))?\\)`).exec(cls.body)
        : null;
      const nestedClass = init?.[1];
      const isSet = init?.[2] === 'true';
      const configurable = optional || required;

      if (nestedClass && !nestedClass.startsWith('cdktn.') && (hm?.isBlock || !configurable)) {
        const elementClass = nestedClass.endsWith('List')
          ? `${nestedClass.slice(0, -'List'.length)}OutputReference`
          : nestedClass;
        const structName = elementClass.replace(/OutputReference$/, '');
        if (configurable && hm?.isBlock) {
          const nesting: Nested['n'] =
            hm.type === 'struct'
              ? 'single'
              : hm.type === 'map'
                ? 'map'
                : hm.type === 'set' || isSet
                  ? 'set'
                  : 'list';
          const nested: Nested = { n: nesting, k: this.blockOf(elementClass, structName, depth + 1) };
          // Terraform's rules: single-nested blocks have min = max (0 or 1), map-nested neither.
          if (required && nesting !== 'map') nested.min = 1;
          if (nesting === 'single' && required) nested.max = 1;
          if (nestedClass.endsWith('OutputReference') && (nesting === 'list' || nesting === 'set'))
            nested.max = 1;
          block.b = { ...block.b, [name]: nested };
        } else {
          const obj = this.objectType(elementClass, depth + 1);
          const t: CtyType = nestedClass.endsWith('List') ? [isSet ? 'set' : 'list', obj] : ['list', obj];
          block.a = { ...block.a, [name]: { t, c: 1 } };
        }
        return;
      }
      let t: CtyType | undefined;
      if (nestedClass?.startsWith('cdktn.')) {
        t =
          nestedClass === 'cdktn.BooleanMap'
            ? ['map', 'bool']
            : nestedClass === 'cdktn.NumberMap'
              ? ['map', 'number']
              : ['map', 'string'];
      }
      t ??= GETTER_TYPES.find(([re]) => re.test(getter))?.[1];
      if (!t && hm) t = storageType(hm);
      const attr: Attr = { t: t ?? 'dynamic' };
      if (required) attr.r = 1;
      if (optional) attr.o = 1;
      if (computed) attr.c = 1;
      block.a = { ...block.a, [name]: attr };
    });
    return block;
  }

  /** A block known only from `...ToHclTerraform` metadata (the provider configuration's blocks). */
  blockFromMeta(metaKey: string, depth = 0): Block {
    const meta = this.file.hclMeta.get(metaKey) ?? new Map<string, HclMeta>();
    const block: Block = {};
    for (const [name, hm] of meta) {
      if (hm.isBlock && depth < 12) {
        const struct = hm.storage.replace(/(List|Map)$/, '');
        const n: Nested['n'] =
          hm.type === 'struct' ? 'single' : hm.type === 'map' ? 'map' : hm.type === 'set' ? 'set' : 'list';
        block.b = { ...block.b, [name]: { n, k: this.blockFromMeta(struct, depth + 1) } };
      } else {
        block.a = { ...block.a, [name]: { t: storageType(hm), o: 1 } };
      }
    }
    return block;
  }

  objectType(className: string, depth: number): CtyType {
    const b = this.blockOf(className, className.replace(/OutputReference$/, ''), depth);
    const attrs: Record<string, CtyType> = {};
    for (const [k, a] of Object.entries(b.a ?? {})) attrs[k] = a.t;
    for (const [k, n] of Object.entries(b.b ?? {})) {
      const o = this.objectType(
        `${className.replace(/OutputReference$/, '')}${pascal(k)}OutputReference`,
        depth + 1,
      );
      attrs[k] = n.n === 'single' ? o : [n.n === 'set' ? 'set' : n.n === 'map' ? 'map' : 'list', o];
    }
    return ['object', attrs];
  }
}

const hasDynamic = (t: CtyType): boolean =>
  t === 'dynamic' ||
  (Array.isArray(t) &&
    (t[0] === 'object'
      ? Object.values(t[1] as Record<string, CtyType>).some(hasDynamic)
      : hasDynamic(t[1] as CtyType)));
const blockHasDynamic = (b: Block): boolean =>
  Object.values(b.a ?? {}).some((a) => hasDynamic(a.t)) ||
  Object.values(b.b ?? {}).some((n) => blockHasDynamic(n.k));

/**
 * The bindings collapse very deep nesting (e.g. WAF rule statements) into an `any` attribute.
 * Terraform forbids dynamically-typed content in set-nested blocks, so such a block is served
 * as list-nested instead (identical in JSON syntax; element order is simply not ignored).
 */
function normaliseSets(b: Block): Block {
  for (const n of Object.values(b.b ?? {})) {
    normaliseSets(n.k);
    if (n.n === 'set' && blockHasDynamic(n.k)) n.n = 'list';
  }
  return b;
}

const pascal = (snake: string) => snake.replace(/(^|_)([a-z0-9])/g, (_m, _u, c: string) => c.toUpperCase());

export function extract(packageDir: string): ProviderSchema {
  const jsii = JSON.parse(readFileSync(join(packageDir, '.jsii'), 'utf8')) as {
    types: Record<
      string,
      {
        kind: string;
        base?: string;
        name: string;
        locationInModule?: { filename: string };
        docs?: { summary?: string };
      }
    >;
  };
  let version = '';
  const schema: ProviderSchema = { version, provider: {}, resources: {}, dataSources: {} };
  const extractors = new Map<string, Extractor>();
  const kinds: Record<string, 'resources' | 'dataSources' | 'provider'> = {
    'cdktn.TerraformResource': 'resources',
    'cdktn.TerraformDataSource': 'dataSources',
    'cdktn.TerraformProvider': 'provider',
  };
  for (const type of Object.values(jsii.types)) {
    const kind = type.kind === 'class' && type.base ? kinds[type.base] : undefined;
    if (!kind || !type.locationInModule) continue;
    const js = join(
      packageDir,
      'lib',
      type.locationInModule.filename.replace(/^src\//, '').replace(/\.ts$/, '.js'),
    );
    let ex = extractors.get(js);
    if (!ex) {
      ex = new Extractor(readFileSync(js, 'utf8'));
      extractors.set(js, ex);
    }
    const cls = ex.classByFqnName(type.name);
    const tfType = cls && /static tfResourceType = "([\w-]+)";/.exec(cls.body)?.[1];
    if (!tfType) throw new Error(`no tfResourceType for ${type.name}`);
    version ||= /hashicorp\/aws\/(\d+\.\d+\.\d+)\//.exec(type.docs?.summary ?? '')?.[1] ?? '';
    if (kind === 'provider') {
      schema.provider = ex.blockFromMeta(type.name);
      delete schema.provider.a?.alias;
    } else {
      schema[kind][tfType] = normaliseSets(ex.blockOf(type.name, type.name));
    }
  }
  if (!version) throw new Error('could not find the wrapped provider version');
  schema.version = version;
  const sortObj = <T>(o: Record<string, T>) =>
    Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  schema.resources = sortObj(schema.resources);
  schema.dataSources = sortObj(schema.dataSources);
  return schema;
}

if (import.meta.main) {
  const dir = process.argv[2];
  if (!dir) {
    console.error(
      'usage: bun terraform-gen/provider-schema/extract.ts <unpacked @cdktn/provider-aws package dir>',
    );
    process.exit(2);
  }
  const schema = extract(dir);
  const out = join(import.meta.dir, `aws-${schema.version}.schema.json.gz`);
  const gz = gzipSync(JSON.stringify(schema), { level: 9 });
  writeFileSync(out, gz);
  console.log(
    `aws ${schema.version}: ${Object.keys(schema.resources).length} resources, ${Object.keys(schema.dataSources).length} data sources → ${out} (${gz.length} bytes)`,
  );
}
