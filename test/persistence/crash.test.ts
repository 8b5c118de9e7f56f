// kill -9 at random points of a stream of updates, and inside checkpoints: after every restart each
// acknowledged update is there, and the state hash is the one an in-memory replay of the durable
// updates reaches (exactness).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { Capsule } from '../../src/api/index.ts';
import { pagerWasm, SEED, START, u32 } from './_canisters.ts';

const CHILD = new URL('./_crash_child.ts', import.meta.url).pathname;

interface Run {
  ready: { done: number; last: number; hash: string };
  acked: number;
}

/** Runs the child until `stop` says so after a line, then kill -9s it. */
function runChild(dir: string, wasmPath: string, pause: string, stop: (line: string, acked: number) => boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, dir, wasmPath, pause], { stdio: ['ignore', 'pipe', 'pipe'] });
    let ready: Run['ready'] | undefined;
    let acked = 0;
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const [kind, ...rest] = line.split(' ');
      if (kind === 'ready') ready = { done: Number(rest[0]), last: Number(rest[1]), hash: rest[2]! };
      if (kind === 'ack') acked = Number(rest[0]);
      if (ready && stop(line, acked)) child.kill('SIGKILL');
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL' && ready) resolve({ ready, acked });
      else reject(new Error(`child exited with ${code ?? signal}: ${stderr}`));
    });
  });
}

/** Child processes killed: every checkpoint phase is hit once, and as many kills land between updates. */
const RUNS = 6;

test('kill -9 during updates and checkpoints loses no acknowledged update; the state hash matches a replay', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-crash-'));
  const wasm = await pagerWasm();
  const wasmPath = join(dir, 'pager.wasm');
  writeFileSync(wasmPath, wasm);
  const stateDir = join(dir, 'state');
  // The model: the same inputs in memory, advanced to each recovered step count.
  const model = await Capsule.create({ seed: SEED, time: START });
  const id = await model.createCanister();
  await model.installCode({ canisterId: id, wasm });
  let modelSteps = 0;
  let acked = 0;
  const phases = ['begin', 'written', 'manifest'];
  let random = 12345;
  const next = () => (random = (random * 1103515245 + 12345) % 2 ** 31);
  try {
    for (let run = 0; run < RUNS; run++) {
      const pause = run % 2 === 1 ? phases[(run >> 1) % phases.length]! : 'none';
      const target = 1 + (next() % 12);
      let seen = 0;
      const result = await runChild(stateDir, wasmPath, pause, (line) => {
        if (line.startsWith('phase ')) return true;
        if (line.startsWith('ack ')) seen++;
        return pause === 'none' && seen >= target;
      });
      const { done, last, hash } = result.ready;
      assert.ok(done >= acked, `run ${run}: ${done} steps recovered, ${acked} were acknowledged`);
      assert.ok(done <= acked + 1, `run ${run}: ${done} steps recovered, only ${acked} (+1 in flight) were sent`);
      assert.equal(last, done);
      while (modelSteps < done) await model.updateCall({ canisterId: id, method: 'step', arg: u32(++modelSteps) });
      assert.equal(hash, await model.stateHash(), `run ${run}: state hash after recovering ${done} steps`);
      acked = Math.max(result.acked, done);
    }
    assert.ok(acked > RUNS, `${acked} updates acknowledged`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
