// Compares one `npm run bench` document with the previous run's: every number in it, by its path
// (`execution.instrumentation.storeLoop.overRaw`), beside the previous value and the ratio now/before.

export type Document = Record<string, unknown>;

/**
 * Every leaf of `value` (numbers, strings, booleans) by its dotted path. An array element is named by its
 * `name` or `persistence` field when it has one (so that runs compare even if the elements change), else
 * by its index.
 */
export function leaves(value: unknown, path = '', into = new Map<string, unknown>()): Map<string, unknown> {
  if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) leaves(item, `${path}[${elementKey(item) ?? index}]`, into);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) leaves(item, path === '' ? key : `${path}.${key}`, into);
  } else if (value !== undefined) into.set(path, value);
  return into;
}

function elementKey(item: unknown): string | undefined {
  if (item === null || typeof item !== 'object') return undefined;
  const { name, persistence } = item as Record<string, unknown>;
  const key = name ?? persistence;
  return typeof key === 'string' ? key : undefined;
}

/** The value at a path as `leaves` names it, e.g. `execution.motokoCounter[enhanced].updatesPerSecond`. */
export function at(document: unknown, path: string): unknown {
  let value = document;
  for (const key of path.split(/\.|(?=\[)/)) {
    if (value === null || typeof value !== 'object') return undefined;
    const element = /^\[(.+)\]$/.exec(key)?.[1];
    if (element === undefined) value = (value as Record<string, unknown>)[key];
    else if (Array.isArray(value)) value = value.find((item, index) => (elementKey(item) ?? String(index)) === element);
    else return undefined;
  }
  return value;
}

/** `value`, and beside it the previous run's and the ratio now/before when both are numbers. */
export function withPrevious(value: unknown, previous: unknown): string {
  const now = format(value);
  if (previous === undefined) return now;
  if (typeof value !== 'number' || typeof previous !== 'number') return `${now}  (before: ${format(previous)})`;
  const ratio = previous === 0 ? '' : `, ×${(value / previous).toFixed(2)}`;
  return `${now}  (before: ${format(previous)}${ratio})`;
}

function format(value: unknown): string {
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(+value.toFixed(3));
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Lines `path  value  (before: v, ×r)` for every leaf of `current`, aligned. */
export function comparisonLines(current: Document, previous: Document | undefined): string[] {
  const now = leaves(current);
  const before = previous ? leaves(previous) : new Map<string, unknown>();
  const width = Math.max(0, ...[...now.keys()].map((path) => path.length));
  return [...now].map(([path, value]) => `${path.padEnd(width)}  ${withPrevious(value, before.get(path))}`);
}
