/**
 * An offline check of CloudWatch Logs Insights query syntax, for what saved queries use: the
 * commands fields, filter, stats … by, sort, limit, display, dedup and parse (regex with named
 * groups, or a glob with `as`), `#` comments, expressions with the documented operators and
 * functions. It follows the field names through the query: each must be a field of the log lines
 * (or a built-in such as @timestamp) or a name an earlier command made (an `as` alias, a parse
 * group); after stats only the names stats produced remain. Anything it does not know is an
 * error: the point is to refuse a query Logs Insights would refuse or answer with empty columns.
 *
 * Grammar from the Logs Insights query syntax reference (CWL_QuerySyntax): commands separated by
 * `|`, `#` to the end of the line is a comment, strings in single or double quotes, field names
 * with dots for nested JSON, backticks for any other field name.
 */

export class LogsInsightsError extends Error {}

/** Fields every log event has. */
export const BUILT_IN_FIELDS = ['@timestamp', '@message', '@log', '@logStream', '@ingestionTime'] as const;

/** Functions usable anywhere, with their argument counts [min, max]. */
const FUNCTIONS: Record<string, [number, number]> = {
  ispresent: [1, 1],
  isempty: [1, 1],
  isblank: [1, 1],
  isValidIp: [1, 1],
  coalesce: [1, 99],
  concat: [1, 99],
  strlen: [1, 1],
  toupper: [1, 1],
  tolower: [1, 1],
  trim: [1, 1],
  ltrim: [1, 1],
  rtrim: [1, 1],
  substr: [2, 3],
  replace: [3, 3],
  strcontains: [2, 2],
  abs: [1, 1],
  ceil: [1, 1],
  floor: [1, 1],
  greatest: [1, 99],
  least: [1, 99],
  log: [1, 1],
  sqrt: [1, 1],
  pow: [2, 2],
  bin: [1, 1],
  datefloor: [2, 2],
  dateceil: [2, 2],
  fromMillis: [1, 1],
  toMillis: [1, 1],
};

/** Aggregation functions, usable only in stats. */
const AGGREGATES: Record<string, [number, number]> = {
  count: [0, 1],
  count_distinct: [1, 1],
  avg: [1, 1],
  sum: [1, 1],
  min: [1, 1],
  max: [1, 1],
  stddev: [1, 1],
  pct: [2, 2],
  earliest: [1, 1],
  latest: [1, 1],
  sortsFirst: [1, 1],
  sortsLast: [1, 1],
};

const COMMANDS = ['fields', 'filter', 'stats', 'sort', 'limit', 'display', 'dedup', 'parse'] as const;
type Command = (typeof COMMANDS)[number];

type Token =
  | { kind: 'ident'; text: string; at: number }
  | { kind: 'number'; text: string; at: number }
  | { kind: 'string'; text: string; at: number }
  | { kind: 'regex'; text: string; at: number }
  | { kind: 'punct'; text: string; at: number }
  | { kind: 'end'; text: ''; at: number };

const PUNCTUATION = [
  '>=',
  '<=',
  '!=',
  '=~',
  '=',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '(',
  ')',
  ',',
  '[',
  ']',
  '|',
];

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new LogsInsightsError(`${why} at offset ${i}: ${JSON.stringify(source.slice(i, i + 30))}`);
  };
  // A regex may follow `like`, `=~`, or the field of a `parse`.
  const regexAllowed = () => {
    const last = tokens.at(-1);
    const before = tokens.at(-2);
    if (!last) return false;
    if (last.kind === 'ident' && last.text === 'like') return true;
    if (last.kind === 'punct' && last.text === '=~') return true;
    return before?.kind === 'ident' && before.text === 'parse' && last.kind === 'ident';
  };
  while (i < source.length) {
    const c = source[i] as string;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '"' || c === "'") {
      let j = i + 1;
      let text = '';
      while (j < source.length && source[j] !== c) {
        if (source[j] === '\n') fail('unterminated string');
        if (source[j] === '\\') j++;
        text += source[j];
        j++;
      }
      if (j >= source.length) fail('unterminated string');
      tokens.push({ kind: 'string', text, at: i });
      i = j + 1;
    } else if (c === '`') {
      const j = source.indexOf('`', i + 1);
      if (j < 0) fail('unterminated `field name`');
      tokens.push({ kind: 'ident', text: source.slice(i + 1, j), at: i });
      i = j + 1;
    } else if (c === '/' && regexAllowed()) {
      let j = i + 1;
      while (j < source.length && source[j] !== '/') {
        if (source[j] === '\n') fail('unterminated regex');
        if (source[j] === '\\') j++;
        j++;
      }
      if (j >= source.length) fail('unterminated regex');
      const body = source.slice(i + 1, j);
      j++;
      while (j < source.length && /[a-z]/.test(source[j] as string)) j++;
      try {
        new RegExp(body);
      } catch (e) {
        fail(`invalid regex (${(e as Error).message})`);
      }
      tokens.push({ kind: 'regex', text: body, at: i });
      i = j;
    } else if (/[0-9]/.test(c)) {
      const m = /^[0-9]+(\.[0-9]+)?(ms|s|m|h|d|w|mo|q|y)?/.exec(source.slice(i)) as RegExpExecArray;
      tokens.push({ kind: 'number', text: m[0], at: i });
      i += m[0].length;
    } else if (/[@A-Za-z_]/.test(c)) {
      const m = /^@?[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_@]+)*/.exec(source.slice(i));
      if (!m) fail('bad name');
      const text = (m as RegExpExecArray)[0];
      tokens.push({ kind: 'ident', text, at: i });
      i += text.length;
    } else {
      const p = PUNCTUATION.find((x) => source.startsWith(x, i));
      if (!p) fail(`unexpected character ${JSON.stringify(c)}`);
      tokens.push({ kind: 'punct', text: p as string, at: i });
      i += (p as string).length;
    }
  }
  tokens.push({ kind: 'end', text: '', at: source.length });
  return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'like', 'as', 'by', 'asc', 'desc']);

export interface QueryCheck {
  /** The log fields (not aliases) the query reads. */
  fieldsRead: string[];
  /** The columns it answers with, when it ends in stats (or display/fields after it). */
  columns: string[] | undefined;
}

/** Checks `query` against the fields the log lines have; throws LogsInsightsError when it is not valid. */
export function checkLogsInsightsQuery(query: string, logFields: Iterable<string>): QueryCheck {
  const tokens = tokenize(query);
  let pos = 0;
  const fromLines = new Set<string>([...logFields, ...BUILT_IN_FIELDS]);
  let known = new Set(fromLines);
  const read = new Set<string>();
  let columns: string[] | undefined;

  const peek = () => tokens[pos] as Token;
  const fail = (why: string): never => {
    const t = peek();
    throw new LogsInsightsError(`${why} at offset ${t.at} (${t.kind} ${JSON.stringify(t.text)})`);
  };
  const take = () => tokens[pos++] as Token;
  const isPunct = (text: string) => peek().kind === 'punct' && peek().text === text;
  const isWord = (text: string) => peek().kind === 'ident' && peek().text === text;
  const expectPunct = (text: string) => {
    if (!isPunct(text)) fail(`expected "${text}"`);
    take();
  };
  const field = (name: string) => {
    if (!known.has(name)) fail(`unknown field ${name}`);
    if (fromLines.has(name)) read.add(name);
  };
  const newName = () => {
    const t = take();
    if (t.kind !== 'ident' || KEYWORDS.has(t.text)) fail('expected a name');
    return t.text;
  };

  // Expressions; `aggregates` says whether aggregation functions may appear (stats only).
  // Returns the field name when the expression is a bare field (the default column name).
  const expression = (aggregates: boolean): string | undefined => {
    const operand = (): string | undefined => {
      const t = peek();
      if (isWord('not')) {
        take();
        operand();
        return undefined;
      }
      if (isPunct('-')) {
        take();
        operand();
        return undefined;
      }
      if (isPunct('(')) {
        take();
        expression(aggregates);
        expectPunct(')');
        return undefined;
      }
      if (t.kind === 'number' || t.kind === 'string') {
        take();
        return undefined;
      }
      if (t.kind !== 'ident' || KEYWORDS.has(t.text)) return fail('expected a value');
      take();
      if (!isPunct('(')) {
        field(t.text);
        return t.text;
      }
      const arity = FUNCTIONS[t.text] ?? (aggregates ? AGGREGATES[t.text] : undefined);
      if (!arity) {
        if (AGGREGATES[t.text]) fail(`${t.text}() is an aggregation, allowed only in stats`);
        fail(`unknown function ${t.text}()`);
      }
      take();
      let args = 0;
      if (t.text === 'count' && isPunct('*')) {
        take();
        args = 1;
      } else if (!isPunct(')')) {
        do {
          if (args > 0) take();
          expression(false);
          args++;
        } while (isPunct(','));
      }
      expectPunct(')');
      const [min, max] = arity as [number, number];
      if (args < min || args > max) fail(`${t.text}() takes ${min}..${max} arguments, got ${args}`);
      return undefined;
    };
    const comparison = (): string | undefined => {
      let name = operand();
      while (['+', '-', '*', '/', '%'].some(isPunct)) {
        take();
        operand();
        name = undefined;
      }
      if (['=', '!=', '<', '<=', '>', '>='].some(isPunct)) {
        take();
        comparison();
        return undefined;
      }
      if (isPunct('=~') || isWord('like')) {
        take();
        if (peek().kind !== 'regex' && peek().kind !== 'string') fail('expected a regex or a string');
        take();
        return undefined;
      }
      if (isWord('not') && tokens[pos + 1]?.text === 'in') take();
      if (isWord('in')) {
        take();
        expectPunct('[');
        do {
          if (peek().kind !== 'string' && peek().kind !== 'number') fail('expected a literal in the list');
          take();
        } while (isPunct(',') && take());
        expectPunct(']');
        return undefined;
      }
      return name;
    };
    let name = comparison();
    while (isWord('and') || isWord('or')) {
      take();
      comparison();
      name = undefined;
    }
    return name;
  };

  const projection = (aggregates: boolean, requireAlias: boolean): string => {
    const start = peek();
    const name = expression(aggregates);
    if (isWord('as')) {
      take();
      return newName();
    }
    if (name === undefined || requireAlias) {
      pos = tokens.indexOf(start);
      fail('an expression needs a name (as …)');
    }
    return name as string;
  };

  const list = <T>(item: () => T): T[] => {
    const out = [item()];
    while (isPunct(',')) {
      take();
      out.push(item());
    }
    return out;
  };

  const command = (name: Command) => {
    switch (name) {
      case 'fields': {
        for (const n of list(() => projection(false, false))) known.add(n);
        return;
      }
      case 'filter': {
        expression(false);
        return;
      }
      case 'parse': {
        const source = take();
        if (source.kind !== 'ident') fail('parse needs a field');
        field(source.text);
        const pattern = take();
        if (pattern.kind === 'regex') {
          const groups = [...pattern.text.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)].map(
            (m) => m[1] as string,
          );
          if (groups.length === 0) fail('a parse regex needs named groups (?<name>…)');
          for (const g of groups) known.add(g);
        } else if (pattern.kind === 'string') {
          const stars = pattern.text.split('*').length - 1;
          if (!isWord('as')) fail('a parse glob needs as …');
          take();
          const names = list(newName);
          if (names.length !== stars) fail(`the glob has ${stars} * but ${names.length} names`);
          for (const n of names) known.add(n);
        } else {
          fail('parse needs a regex or a glob string');
        }
        return;
      }
      case 'stats': {
        const outputs = list(() => {
          const t = peek();
          if (t.kind !== 'ident' || !AGGREGATES[t.text]) fail('stats needs an aggregation');
          return projection(true, false);
        });
        if (isWord('by')) {
          take();
          outputs.push(...list(() => projection(false, false)));
        }
        if (new Set(outputs).size !== outputs.length) fail(`stats names a column twice: ${outputs}`);
        // After stats only its columns exist.
        known = new Set(outputs);
        columns = outputs;
        return;
      }
      case 'sort': {
        list(() => {
          const t = take();
          if (t.kind !== 'ident') fail('sort needs a field');
          field(t.text);
          if (isWord('asc') || isWord('desc')) take();
        });
        return;
      }
      case 'limit': {
        const t = take();
        if (t.kind !== 'number' || !/^[0-9]+$/.test(t.text) || Number(t.text) < 1 || Number(t.text) > 10_000)
          fail('limit needs a whole number 1..10000');
        return;
      }
      case 'display':
      case 'dedup': {
        const shown = list(() => {
          const t = take();
          if (t.kind !== 'ident') fail(`${name} needs fields`);
          field(t.text);
          return t.text;
        });
        if (name === 'display') columns = shown;
        return;
      }
    }
  };

  if (peek().kind === 'end') fail('empty query');
  for (;;) {
    const t = take();
    if (t.kind !== 'ident' || !(COMMANDS as readonly string[]).includes(t.text)) {
      pos--;
      fail('expected a command');
    }
    command(t.text as Command);
    if (peek().kind === 'end') break;
    expectPunct('|');
  }
  return { fieldsRead: [...read].sort(), columns };
}

/** The field names of one JSON log line, as Logs Insights discovers them (nested keys joined by dots). */
export function logLineFields(line: string): string[] {
  const out: string[] = [];
  const walk = (value: unknown, prefix: string) => {
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) walk(v, prefix ? `${prefix}.${k}` : k);
    } else {
      out.push(prefix);
    }
  };
  walk(JSON.parse(line), '');
  return out;
}
