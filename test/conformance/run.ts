// Runs the conformance suite and prints one summary line per group (test file) and a total:
//   node test/conformance/run.ts [group ...]
// Exit code 1 if any test failed. Leaf tests are counted (suites are not); `todo` tests are
// known gaps (reported, not failures).
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { run } from 'node:test';
import { fileURLToPath } from 'node:url';

interface Counts {
  passed: number;
  failed: number;
  todo: number;
}

const dir = fileURLToPath(new URL('.', import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test.ts'))
  .filter((f) => wanted.length === 0 || wanted.includes(basename(f, '.test.ts')))
  .sort()
  .map((f) => join(dir, f));

const groups = new Map<string, Counts>(files.map((f) => [basename(f, '.test.ts'), { passed: 0, failed: 0, todo: 0 }]));
const failures: string[] = [];

function groupOf(file: string | undefined): Counts {
  const name = file ? basename(file, '.test.ts') : '(unknown)';
  let counts = groups.get(name);
  if (!counts) {
    counts = { passed: 0, failed: 0, todo: 0 };
    groups.set(name, counts);
  }
  return counts;
}

interface TestEventData {
  name: string;
  file?: string;
  todo?: string | boolean;
  details: { type?: string; error?: unknown };
}

const stream = run({ files, concurrency: 2 });
stream.on('test:pass', (data: TestEventData) => {
  if (data.details.type === 'suite') return;
  const counts = groupOf(data.file);
  if (data.todo !== undefined && data.todo !== false) counts.todo += 1;
  else counts.passed += 1;
});
stream.on('test:fail', (data: TestEventData) => {
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
  const total: Counts = { passed: 0, failed: 0, todo: 0 };
  for (const [name, counts] of groups) {
    const todo = counts.todo > 0 ? ` (${counts.todo} todo)` : '';
    console.log(`${name}: ${counts.passed} passed, ${counts.failed} failed${todo}`);
    total.passed += counts.passed;
    total.failed += counts.failed;
    total.todo += counts.todo;
  }
  for (const failure of failures) console.log(`FAIL ${failure}`);
  console.log(`${total.passed} passed, ${total.failed} failed${total.todo > 0 ? ` (${total.todo} todo)` : ''}`);
  process.exitCode = total.failed > 0 ? 1 : 0;
});
