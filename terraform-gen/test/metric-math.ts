/**
 * CloudWatch metric math, offline: parses an expression (arithmetic, comparisons, function
 * calls, `[a, b]` arrays), lists the query ids it reads, and evaluates it for one timestamp
 * with each series' value or `undefined` for "no data point", the way CloudWatch combines
 * them: arithmetic with a missing operand is missing, FILL replaces a missing value, and the
 * array functions (SUM, AVG, MIN, MAX) take the series that have a value (none: missing).
 */

export class MetricMathError extends Error {}

type Node =
  | { kind: 'number'; value: number }
  | { kind: 'id'; id: string }
  | { kind: 'call'; fn: string; args: Node[] }
  | { kind: 'array'; items: Node[] }
  | { kind: 'unary'; op: '-'; operand: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node };

/** The functions our alarms and dashboards may use, with their argument counts [min, max]. */
const FUNCTIONS: Record<string, [number, number]> = {
  SUM: [1, 1],
  AVG: [1, 1],
  MIN: [1, 1],
  MAX: [1, 1],
  FILL: [2, 2],
  ABS: [1, 1],
  IF: [2, 3],
};

/** Query ids: a lowercase letter, then letters, digits and underscores (PutMetricAlarm's rule). */
export const QUERY_ID = /^[a-z][A-Za-z0-9_]*$/;

export function parseMetricMath(expression: string): Node {
  const tokens = expression.match(
    /\s*([A-Za-z_][A-Za-z0-9_]*|[0-9]+(?:\.[0-9]+)?|>=|<=|==|!=|[-+*/^()[\],<>])/gy,
  );
  if (!tokens || tokens.join('').length !== expression.replace(/\s+$/, '').length)
    throw new MetricMathError(`cannot tokenize ${JSON.stringify(expression)}`);
  const ts = tokens.map((t) => t.trim());
  let i = 0;
  const peek = () => ts[i];
  const take = () => ts[i++] as string;
  const expect = (t: string) => {
    if (take() !== t) throw new MetricMathError(`expected "${t}" in ${JSON.stringify(expression)}`);
  };
  const LEVELS = [['<', '>', '<=', '>=', '==', '!='], ['+', '-'], ['*', '/'], ['^']];
  const level = (n: number): Node => {
    if (n === LEVELS.length) return unary();
    let left = level(n + 1);
    while ((LEVELS[n] as string[]).includes(peek() as string)) {
      const op = take();
      left = { kind: 'binary', op, left, right: level(n + 1) };
    }
    return left;
  };
  const unary = (): Node => {
    const t = take();
    if (t === undefined) throw new MetricMathError(`unexpected end of ${JSON.stringify(expression)}`);
    if (t === '-') return { kind: 'unary', op: '-', operand: unary() };
    if (t === '(') {
      const inner = level(0);
      expect(')');
      return inner;
    }
    if (t === '[') {
      const items = [level(0)];
      while (peek() === ',') {
        take();
        items.push(level(0));
      }
      expect(']');
      return { kind: 'array', items };
    }
    if (/^[0-9]/.test(t)) return { kind: 'number', value: Number(t) };
    if (/^[A-Za-z_]/.test(t)) {
      if (peek() !== '(') {
        if (!QUERY_ID.test(t)) throw new MetricMathError(`${t} is not a query id`);
        return { kind: 'id', id: t };
      }
      const arity = FUNCTIONS[t];
      if (!arity) throw new MetricMathError(`unknown function ${t}()`);
      take();
      const args = [level(0)];
      while (peek() === ',') {
        take();
        args.push(level(0));
      }
      expect(')');
      if (args.length < arity[0] || args.length > arity[1])
        throw new MetricMathError(`${t}() takes ${arity[0]}..${arity[1]} arguments`);
      return { kind: 'call', fn: t, args };
    }
    throw new MetricMathError(`unexpected "${t}" in ${JSON.stringify(expression)}`);
  };
  const node = level(0);
  if (i !== ts.length) throw new MetricMathError(`trailing "${peek()}" in ${JSON.stringify(expression)}`);
  return node;
}

/** The query ids an expression reads. */
export function idsOf(node: Node): string[] {
  switch (node.kind) {
    case 'number':
      return [];
    case 'id':
      return [node.id];
    case 'call':
      return node.args.flatMap(idsOf);
    case 'array':
      return node.items.flatMap(idsOf);
    case 'unary':
      return idsOf(node.operand);
    case 'binary':
      return [...idsOf(node.left), ...idsOf(node.right)];
  }
}

type Value = number | undefined;

/** The expression's value at one timestamp; `values[id]` undefined means the series has no data point. */
export function evaluate(node: Node, values: Record<string, Value>): Value {
  const scalar = (n: Node): Value => {
    const v = evaluateAny(n);
    if (Array.isArray(v)) throw new MetricMathError('an array where a value is needed');
    return v;
  };
  const evaluateAny = (n: Node): Value | Value[] => {
    switch (n.kind) {
      case 'number':
        return n.value;
      case 'id':
        if (!(n.id in values)) throw new MetricMathError(`no value given for ${n.id}`);
        return values[n.id];
      case 'array':
        return n.items.map(scalar);
      case 'unary': {
        const v = scalar(n.operand);
        return v === undefined ? undefined : -v;
      }
      case 'binary': {
        const a = scalar(n.left);
        const b = scalar(n.right);
        if (a === undefined || b === undefined) return undefined;
        switch (n.op) {
          case '+':
            return a + b;
          case '-':
            return a - b;
          case '*':
            return a * b;
          case '/':
            // CloudWatch leaves out a datapoint divided by zero.
            return b === 0 ? undefined : a / b;
          case '^':
            return a ** b;
          default:
            throw new MetricMathError(`comparison ${n.op} is not evaluated here`);
        }
      }
      case 'call': {
        if (n.fn === 'FILL') {
          const v = scalar(n.args[0] as Node);
          return v === undefined ? scalar(n.args[1] as Node) : v;
        }
        if (n.fn === 'ABS') {
          const v = scalar(n.args[0] as Node);
          return v === undefined ? undefined : Math.abs(v);
        }
        const arg = evaluateAny(n.args[0] as Node);
        const present = (Array.isArray(arg) ? arg : [arg]).filter((v): v is number => v !== undefined);
        if (present.length === 0) return undefined;
        switch (n.fn) {
          case 'SUM':
            return present.reduce((x, y) => x + y, 0);
          case 'AVG':
            return present.reduce((x, y) => x + y, 0) / present.length;
          case 'MIN':
            return Math.min(...present);
          case 'MAX':
            return Math.max(...present);
          default:
            throw new MetricMathError(`${n.fn}() is not evaluated here`);
        }
      }
    }
  };
  return scalar(node);
}
