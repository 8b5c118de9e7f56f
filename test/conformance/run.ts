// Runs the conformance suite and prints one summary line per group (test file) and a total:
//   node test/conformance/run.ts [--target=http|in-process] [--concurrency=N] [--skip=group,…] [group ...]
// The target (default: $CAPSULE_TARGET, else in-process) is passed to the test processes as
// CAPSULE_TARGET (see _target.ts). Exit code 1 if any test failed. Leaf tests are counted (suites
// are not); `todo` tests are known gaps (reported, not failures). The seconds after each group are
// the summed durations of its top-level suites and tests (hooks included, module loading not).
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { run } from 'node:test';
import { fileURLToPath } from 'node:url';

interface Counts {
  passed: number;
  failed: number;
  todo: number;
  ms: number;
}

const dir = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const targetArg = args.find((a) => a.startsWith('--target='));
if (targetArg) process.env.CAPSULE_TARGET = targetArg.slice('--target='.length);
const target = process.env.CAPSULE_TARGET === 'http' ? 'http' : 'in-process';
const concurrencyArg = args.find((a) => a.startsWith('--concurrency='));
const concurrency = concurrencyArg ? Number(concurrencyArg.slice('--concurrency='.length)) : 2;
const skipped = args.filter((a) => a.startsWith('--skip=')).flatMap((a) => a.slice('--skip='.length).split(','));
const wanted = args.filter((a) => !a.startsWith('--'));
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => basename(f, '.test.ts'));
const unknown = [...wanted, ...skipped].filter((g) => !available.includes(g));
if (unknown.length > 0) throw new Error(`unknown conformance groups: ${unknown.join(', ')} (groups: ${available.join(', ')})`);
const files = available
  .filter((g) => (wanted.length === 0 || wanted.includes(g)) && !skipped.includes(g))
  .sort()
  .map((g) => join(dir, `${g}.test.ts`));

const groups = new Map<string, Counts>(files.map((f) => [basename(f, '.test.ts'), { passed: 0, failed: 0, todo: 0, ms: 0 }]));
const failures: string[] = [];

let runningGroup = '(unknown)';

function groupOf(file: string | undefined): Counts {
  // Tests registered through _sampled_test.ts are located there: they belong to the group running (the
  // sampled run takes one group at a time, and every group opens with a describe located in its file).
  if (file?.endsWith('.test.ts')) runningGroup = basename(file, '.test.ts');
  const name = runningGroup;
  let counts = groups.get(name);
  if (!counts) {
    counts = { passed: 0, failed: 0, todo: 0, ms: 0 };
    groups.set(name, counts);
  }
  return counts;
}

interface TestEventData {
  name: string;
  file?: string;
  nesting: number;
  todo?: string | boolean;
  details: { type?: string; error?: unknown; duration_ms?: number };
}

function addTime(data: TestEventData): void {
  if (data.nesting === 0) groupOf(data.file).ms += data.details.duration_ms ?? 0;
}

const started = performance.now();
const every = Number(process.env.CAPSULE_HTTP_VERIFY_EVERY ?? 1);
const checks = target !== 'http' ? '' : every > 1 ? `, BLS signature of every ${every}th certificate checked` : ', every certificate checked';
const sample = Number(process.env.CAPSULE_HTTP_SAMPLE ?? 1);
const sampled = target === 'http' && Number.isInteger(sample) && sample > 1 ? `, a sample (wasm32 only, 1 in ${sample} API-availability cases, a third of the other tests)` : '';
console.log(`conformance suite, target ${target}${checks}${sampled}`);
const stream = run({ files, concurrency });
stream.on('test:start', (data: TestEventData) => void groupOf(data.file));
stream.on('test:pass', (data: TestEventData) => {
  addTime(data);
  if (data.details.type === 'suite') return;
  const counts = groupOf(data.file);
  if (data.todo !== undefined && data.todo !== false) counts.todo += 1;
  else counts.passed += 1;
});
stream.on('test:fail', (data: TestEventData) => {
  addTime(data);
  if (data.details.type === 'suite') return;
  const counts = groupOf(data.file);
  if (data.todo !== undefined && data.todo !== false) {
    counts.todo += 1;
    return;
  }
  counts.failed += 1;
  const error = data.details.error as { cause?: { message?: string }; message?: string } | undefined;
  failures.push(`${basename(data.file ?? '')}: ${data.name}: ${error?.cause?.message ?? error?.message ?? ''}`.split('\n')[0]!);
});
// Drain the stream (the summary below is printed when it ends).
stream.on('data', () => {});

stream.on('end', () => {
  const total: Counts = { passed: 0, failed: 0, todo: 0, ms: 0 };
  for (const [name, counts] of groups) {
    const todo = counts.todo > 0 ? ` (${counts.todo} todo)` : '';
    console.log(`${name}: ${counts.passed} passed, ${counts.failed} failed${todo} [${(counts.ms / 1000).toFixed(1)} s]`);
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.todo += counts.todo;
  }
  for (const failure of failures) console.log(`FAIL ${failure}`);
  const wall = ((performance.now() - started) / 1000).toFixed(1);
  console.log(`${total.passed} passed, ${total.failed} failed${total.todo > 0 ? ` (${total.todo} todo)` : ''} (target ${target}, ${wall} s)`);
  // Nothing ran (e.g. run() refused to run inside another test run): a failure too.
  process.exitCode = total.failed > 0 || total.passed === 0 ? 1 : 0;
});
