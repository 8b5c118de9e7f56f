// Persistence benchmarks, printed as JSON: update latency and throughput with a durable
// state directory for a 1 MiB and a 1 GiB heap (the ratio should be close to 1), the
// commit latency of a round (one with 64 dirty pages), disk bytes per
// update, and the restart time of 1 GiB of canister state from a checkpoint and from the log.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Principal } from '@dfinity/principal';
import { Capsule } from '../src/api/index.ts';
import type { DurableStore, StoreOptions } from '../src/persistence/index.ts';
import { INITIAL_WASM_PAGES, pagerWasm, SEED, START, u32 } from '../test/persistence/_canisters.ts';
import { replicaOf, storeOf } from '../src/api/testing.ts';

const PAGE = 4096;
let root = '';
let dirs = 0;

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(3));
  return { medianMs: at(0.5), p99Ms: at(0.99) };
}

/** Times every durable commit of the store (the after-round hook calls `commitRound`). */
function timeCommits(store: DurableStore): number[] {
  const samples: number[] = [];
  const commit = store.commitRound.bind(store);
  store.commitRound = (state) => {
    const start = performance.now();
    commit(state);
    samples.push(performance.now() - start);
  };
  return samples;
}

async function canisterWithHeap(wasmPages: number, store: StoreOptions = {}, stateDir = join(root, `state-${dirs++}`)): Promise<{ ic: Capsule; stateDir: string; canisterId: Principal }> {
  const ic = await Capsule.create({ stateDir, seed: SEED, time: START, costSchedule: 'free', store });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm: await pagerWasm() });
  await ic.updateCall({ canisterId, method: 'grow', arg: u32(wasmPages - INITIAL_WASM_PAGES) });
  return { ic, stateDir, canisterId };
}

/**
 * `count` updates, each touching one of 256 pages spread evenly over the heap (and page 0, where the
 * canister stages arguments): the same work whatever the heap size, so any difference is the heap's.
 */
async function updates(wasmPages: number, count: number) {
  const { ic, canisterId } = await canisterWithHeap(wasmPages);
  const stride = (wasmPages * 65536) / PAGE / 256;
  let random = 1;
  const touch = (slot = (random = (random * 48271) % 2147483647) % 256) => ic.updateCall({ canisterId, method: 'touch', arg: u32(slot * stride) });
  for (let slot = 0; slot < 256; slot++) await touch(slot);
  const commits = timeCommits(storeOf(ic)!);
  const bytesBefore = storeOf(ic)!.stats.bytesWritten;
  const latencies: number[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    await touch();
    latencies.push(performance.now() - t);
  }
  const seconds = (performance.now() - start) / 1000;
  const result = {
    heapBytes: wasmPages * 65536,
    updates: count,
    updatesPerSecond: Math.round(count / seconds),
    latency: stats(latencies),
    commit: stats(commits),
    diskBytesPerUpdate: Math.round((storeOf(ic)!.stats.bytesWritten - bytesBefore) / count),
  };
  await ic.close();
  return result;
}

/** Rounds with 64 dirty pages each: 64 touch messages submitted to one round. */
async function roundsOf64Pages(rounds: number) {
  const { ic, canisterId } = await canisterWithHeap(64);
  const commits = timeCommits(storeOf(ic)!);
  for (let round = 0; round < rounds; round++) {
    for (let i = 1; i <= 64; i++) replicaOf(ic).submit({ sender: canisterId, receiver: canisterId, method: 'touch', arg: u32(((round * 64 + i) % 1000) + 8) });
    replicaOf(ic).round();
  }
  await ic.close();
  return { rounds, dirtyPagesPerRound: 64, commit: stats(commits) };
}

/** Child process `--restart DIR`: how long reopening a state directory takes, as a fresh process would. */
async function restartChild(stateDir: string): Promise<Record<string, number>> {
  const start = performance.now();
  const ic = await Capsule.create({ stateDir, store: { checkpointLogBytes: Number.MAX_SAFE_INTEGER } });
  const ms = performance.now() - start;
  storeOf(ic)!.abandon();
  return { ms };
}

/**
 * Child process `--fill DIR close|crash`: a 1 GiB heap with every page written in one update, then a
 * close (checkpoint) or a crash (the GiB stays in the log).
 */
async function fillChild(stateDir: string, stop: string): Promise<Record<string, number>> {
  const { ic, canisterId } = await canisterWithHeap(16384, { checkpointLogBytes: Number.MAX_SAFE_INTEGER }, stateDir);
  const commits = timeCommits(storeOf(ic)!);
  const start = performance.now();
  await ic.updateCall({ canisterId, method: 'fill', arg: u32(0x5a) });
  const fillUpdateMs = performance.now() - start;
  const closeStart = performance.now();
  if (stop === 'close') await ic.close();
  else storeOf(ic)!.abandon();
  return { fillUpdateMs, fillCommitMs: commits[0]!, closeMs: performance.now() - closeStart };
}

/** Runs this script as a child (each phase in a fresh process, so that one's memory does not slow the next). */
function child(...args: string[]): Record<string, number> {
  const output = execFileSync(process.execPath, [fileURLToPath(import.meta.url), ...args], { encoding: 'utf8' });
  return JSON.parse(output) as Record<string, number>;
}

async function restartOneGiB() {
  const round = (value: number | undefined) => Math.round(value ?? 0);
  const closed = join(root, 'gib-closed');
  const crashed = join(root, 'gib-crashed');
  const fill = child('--fill', closed, 'close');
  child('--fill', crashed, 'crash');
  return {
    heapBytes: 2 ** 30,
    fillUpdateMs: round(fill.fillUpdateMs),
    fillCommitMs: round(fill.fillCommitMs),
    checkpointMs: round(fill.closeMs),
    restartFromCheckpointMs: round(child('--restart', closed).ms),
    restartFromLogMs: round(child('--restart', crashed).ms),
  };
}

async function main(): Promise<void> {
  root = mkdtempSync(join(tmpdir(), 'capsule-bench-'));
  try {
    const small = await updates(16, 2000);
    const large = await updates(16384, 2000);
    const result = {
      updates1MiB: small,
      updates1GiB: large,
      updatesPerSecondRatio1GiBTo1MiB: Number((large.updatesPerSecond / small.updatesPerSecond).toFixed(3)),
      rounds64Pages: await roundsOf64Pages(500),
      restart1GiB: await restartOneGiB(),
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const [mode, dir, stop] = process.argv.slice(2);
if (mode === '--restart') console.log(JSON.stringify(await restartChild(dir!)));
else if (mode === '--fill') console.log(JSON.stringify(await fillChild(dir!, stop!)));
else await main();
