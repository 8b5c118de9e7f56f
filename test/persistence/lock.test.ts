// The state directory lock under contention: child processes try to take the same directory at the
// same instant, 200 times, half of them over a claim left by a dead process (the stale-owner
// takeover) — never do two win, and one always does.
import assert from 'node:assert/strict';
import { type ChildProcess, fork, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tempDir } from './_helpers.ts';

const CHILD = fileURLToPath(new URL('./_lock_child.ts', import.meta.url));
const CONTENDERS = 3;
const TRIALS = 200;

function ask(child: ChildProcess, message: object): Promise<{ won?: boolean }> {
  const answer = once(child, 'message').then(([reply]) => reply as { won?: boolean });
  child.send(message);
  return answer;
}

test('of processes taking one state directory at the same instant, exactly one wins — 200 times, stale claims included', async () => {
  const root = tempDir('lock-race');
  const children = Array.from({ length: CONTENDERS }, () => fork(CHILD, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  const deadPid = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout);
  try {
    const counts: number[] = [];
    for (let trial = 0; trial < TRIALS; trial++) {
      const dir = join(root, String(trial));
      mkdirSync(join(dir, 'lock'), { recursive: true });
      if (trial % 2 === 1) writeFileSync(join(dir, 'lock', '0000000007'), `${deadPid}\n`);
      const at = Date.now() + 8;
      const answers = await Promise.all(children.map((child) => ask(child, { dir, at })));
      counts.push(answers.filter((answer) => answer.won).length);
      await Promise.all(children.map((child) => ask(child, { release: true })));
      assert.deepEqual(readdirSync(join(dir, 'lock')).filter((name) => name.endsWith('.tmp')), [], 'no claim left half made');
    }
    assert.deepEqual(counts.filter((count) => count !== 1), [], 'winners per trial other than one');
  } finally {
    for (const child of children) child.disconnect();
    rmSync(root, { recursive: true, force: true });
  }
});
