// Runs every benchmark in its own process (`npm run bench`) and compares it with the previous run:
// each number is printed beside the previous run's value and the ratio now/before, then the goals
// (bench/_goals.ts) are summed up. The results are written as JSON to `.capsule/bench/last.json`
// (the previous run's file is read first), or to the file given by `--out FILE` or
// CAPSULE_BENCH_OUT. `--only a,b` runs only those benchmarks (the file keeps the other benchmarks' last
// results, and only those run are printed); `--json` prints the JSON document; a
// benchmark still running after `--timeout SECONDS` (300) is stopped and recorded as failed.
// Every bench/*.ts not starting with `_` is a benchmark: those below run first, in this order, then
// any other (e.g. a new one) alphabetically.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { at, comparisonLines, type Document, leaves, withPrevious } from './_compare.ts';
import { GOALS } from './_goals.ts';

const ORDER = ['execution', 'heavy_memory', 'instrument', 'http', 'gateway', 'assets', 'persistence', 'idle_rounds', 'canisters', 'workers', 'pocketic', 'launcher', 'apps_messaging', 'apps_exchange'];
const META = ['node', 'date', 'loadAverage'];
const benchDir = dirname(fileURLToPath(import.meta.url));
const repoRoot = dirname(benchDir);

const { values } = parseArgs({ options: { out: { type: 'string' }, only: { type: 'string' }, json: { type: 'boolean' }, timeout: { type: 'string', default: '300' } } });
const outFile = resolve(values.out ?? process.env.CAPSULE_BENCH_OUT ?? join(repoRoot, '.capsule', 'bench', 'last.json'));
const previous = existsSync(outFile) ? (JSON.parse(readFileSync(outFile, 'utf8')) as Document) : undefined;

function benchmarks(): string[] {
  const present = readdirSync(benchDir).filter((file) => file.endsWith('.ts') && !file.startsWith('_') && file !== 'run.ts').map((file) => file.slice(0, -3));
  const ordered = [...ORDER.filter((name) => present.includes(name)), ...present.filter((name) => !ORDER.includes(name)).sort()];
  const only = values.only?.split(',');
  return only ? ordered.filter((name) => only.includes(name)) : ordered;
}

/** One benchmark's JSON; a failing benchmark is recorded as its error and the others still run. */
function run(name: string): unknown {
  try {
    const output = execFileSync(process.execPath, [join(benchDir, `${name}.ts`)], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'inherit'],
      timeout: Number(values.timeout) * 1000,
      killSignal: 'SIGKILL',
    });
    return JSON.parse(output.slice(output.indexOf('{')));
  } catch (error) {
    return { error: error instanceof Error ? error.message.split('\n')[0] : String(error) };
  }
}

const results: Document = { node: process.version, date: new Date().toISOString(), loadAverage: loadavg().map((load) => +load.toFixed(2)) };
const seconds: Record<string, number> = {};
const ran = benchmarks();
for (const name of ran) {
  const start = performance.now();
  results[name] = run(name);
  seconds[name] = +((performance.now() - start) / 1000).toFixed(1);
  console.error(`${name}: ${seconds[name]} s`);
}
results['seconds'] = seconds;
// The other benchmarks' last results stay in the file, for the next run to compare with.
const kept = Object.fromEntries(Object.entries(previous ?? {}).filter(([key]) => !META.includes(key) && key !== 'seconds' && !ran.includes(key)));
const previousSeconds = (previous?.['seconds'] ?? {}) as Record<string, number>;
const written = { ...kept, ...results, seconds: { ...previousSeconds, ...seconds } };
mkdirSync(dirname(outFile), { recursive: true });
writeFileSync(outFile, `${JSON.stringify(written, null, 2)}\n`);

if (values.json) console.log(JSON.stringify(results, null, 2));
else {
  const load = (document: Document) => (document['loadAverage'] as number[] | undefined)?.join(' ') ?? '?';
  console.log(previous ? `Compared with the run of ${String(previous['date'])} (load average ${load(previous)}) in ${outFile}` : `No previous run in ${outFile}`);
  console.log(`This run: load average ${load(results)} (1, 5, 15 min)`);
  const benchmarksOnly = (document: Document | undefined) => document && Object.fromEntries(Object.entries(document).filter(([key]) => !META.includes(key)));
  const previousSeconds = previous?.['seconds'] as Record<string, number> | undefined;
  if (previous) previous['seconds'] = Object.fromEntries(ran.map((name) => [name, previousSeconds?.[name]]));
  for (const line of comparisonLines(benchmarksOnly(results)!, benchmarksOnly(previous))) console.log(line);
  console.log('\nGoals');
  for (const goal of GOALS) console.log(`  ${goal.name} [${goal.target}]: ${goalValues(goal.paths)}`);
}

function goalValues(paths: string[]): string {
  if (!paths.some((path) => ran.includes(path.split(/[.[]/)[0]!))) return 'not run';
  const shown = paths.flatMap((path) => {
    const value = at(results, path);
    if (value === undefined) return [];
    // A whole benchmark (e.g. the workers' scaling): all its numbers.
    if (typeof value === 'object') return [...leaves(value, path)].map(([leaf, v]) => `${leaf} = ${withPrevious(v, at(previous, leaf))}`);
    return [withPrevious(value, at(previous, path))];
  });
  return shown.length > 0 ? shown.join('; ') : 'not measured';
}
