// Scaling from 1 to N workers, printed as JSON: updates per second over many canisters that each run a CPU-bound
// loop, every canister called once per round, with 1, 2 and the machine's cores as workers (and 4); beyond one, the
// canisters run on worker threads. The state hash after the run must be the same for every count. The machine's
// load is printed beside: on a shared machine the updates per second say as much about the neighbours as about the
// workers, while the CPU time per update (all threads of the process) shows what the threads cost. Each count
// keeps its fastest of a few samples taken in turns.
import { availableParallelism, loadavg } from 'node:os';
import { Capsule } from '../src/api/index.ts';
import { replicaOf } from '../src/api/testing.ts';
import { startThreads, threadStatistics } from '../src/replica/index.ts';
import type { Principal } from '../src/state/index.ts';
import { wat } from '../test/support/build.ts';
import { replyAll } from '../test/support/calls.ts';

const CANISTERS = 8;
const ROUNDS = 4;
const PASSES = 3;
const EMPTY = new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0x00, 0x00]);

/** `work` runs about 100 M instructions of arithmetic and heap stores, then replies with the result. */
const WORK_WAT = `(module
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (memory 1)
  (func (export "canister_update work")
    (local $i i32) (local $x i64)
    (local.set $x (i64.load (i32.const 0)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (i32.const 10000000)))
      (local.set $x (i64.add (i64.mul (local.get $x) (i64.const 6364136223846793005)) (i64.const 1442695040888963407)))
      (i64.store (i32.and (i32.mul (local.get $i) (i32.const 8)) (i32.const 65535)) (local.get $x))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (i64.store (i32.const 0) (local.get $x))
    (call $append (i32.const 0) (i32.const 8))
    (call $reply)))`;

interface Subject {
  readonly workers: number;
  readonly ic: Capsule;
  readonly ids: Principal[];
}

async function setUp(workers: number, wasm: Uint8Array): Promise<Subject> {
  // Threads start with the first canister that needs one; here they are loaded before any clock starts.
  if (workers > 1) await startThreads(workers);
  const ic = await Capsule.create({ seed: new Uint8Array(32).fill(9), time: 1_700_000_000_000_000_000n, costSchedule: 'free', workers });
  const ids: Principal[] = [];
  for (let i = 0; i < CANISTERS; i++) {
    const canisterId = await ic.createCanister();
    await ic.installCode({ canisterId, wasm });
    ids.push(canisterId);
  }
  // Two warm-up rounds: the first compiles and instantiates every canister, the second builds the threads' copies.
  for (let round = 0; round < 2; round++) await replyAll(ic, ids.map((canisterId) => ({ canisterId, method: 'work', arg: EMPTY })));
  return { workers, ic, ids };
}

/** One sample: ROUNDS rounds of one update per canister. */
async function sample({ workers, ic, ids }: Subject) {
  const statisticsBefore = threadStatistics();
  const start = performance.now();
  const cpuBefore = process.cpuUsage();
  for (let round = 0; round < ROUNDS; round++) await replyAll(ic, ids.map((canisterId) => ({ canisterId, method: 'work', arg: EMPTY })));
  const seconds = (performance.now() - start) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const { jobs, copies } = threadStatistics();
  return {
    workers,
    updatesPerSecond: Number(((CANISTERS * ROUNDS) / seconds).toFixed(1)),
    // Above 1, the process ran on more than one core at once; a busy machine caps it whatever the workers.
    coresUsed: Number(((cpu.user + cpu.system) / 1e6 / seconds).toFixed(2)),
    cpuMsPerUpdate: Number(((cpu.user + cpu.system) / 1000 / (CANISTERS * ROUNDS)).toFixed(2)),
    onThreads: jobs - statisticsBefore.jobs,
    copies: copies - statisticsBefore.copies,
  };
}

const cores = availableParallelism();
const wasm = await wat(WORK_WAT);
const loadBefore = loadavg()[0]!;
const subjects: Subject[] = [];
for (const workers of [...new Set([1, 2, cores, 4])].sort((a, b) => a - b)) subjects.push(await setUp(workers, wasm));
// The counts take turns, a sample each per pass, and each keeps its fastest: a neighbour's burst of load then
// slows one sample, not one count.
const rows = new Map<number, Awaited<ReturnType<typeof sample>>>();
for (let pass = 0; pass < PASSES; pass++) {
  for (const subject of subjects) {
    const row = await sample(subject);
    if (row.updatesPerSecond > (rows.get(subject.workers)?.updatesPerSecond ?? 0)) rows.set(subject.workers, row);
  }
}
const hashes = subjects.map(({ ic }) => replicaOf(ic).stateHash());
for (const { ic } of subjects) await ic.close();
const base = rows.get(1)!.updatesPerSecond;
console.log(
  JSON.stringify(
    {
      cores,
      loadAverage1m: { before: Number(loadBefore.toFixed(2)), after: Number(loadavg()[0]!.toFixed(2)) },
      canisters: CANISTERS,
      instructionsPerUpdate: '~100M',
      passes: PASSES,
      sameStateHash: hashes.every((hash) => hash === hashes[0]),
      scaling: [...rows.values()].map(({ workers, updatesPerSecond, coresUsed, cpuMsPerUpdate, onThreads, copies }) => ({
        workers,
        updatesPerSecond,
        speedup: Number((updatesPerSecond / base).toFixed(2)),
        coresUsed,
        cpuMsPerUpdate,
        canisterRunsOnThreads: onThreads,
        // Runs whose job carried the canister's memories (the thread had no up-to-date copy): the first of each canister.
        memoryCopies: copies,
      })),
    },
    null,
    2,
  ),
);
