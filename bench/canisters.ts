// Thousands of canisters in one process, printed as JSON: create+install time per canister, memory per idle
// (evicted) and per live canister (canisters per GiB of resident memory), and call latency for a canister
// whose instance was evicted (cold) against one that is live (warm). `CANISTERS` sets the count (10,000);
// live instances are measured with at most 2,000 (V8 gives a process about 16,000 wasm memories, two each).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Capsule } from '../src/api/index.ts';
import { installCodeArg } from '../src/api/install_arg.ts';
import { replicaOf } from '../src/api/testing.ts';
import { evictIdleInstances, instanceStatistics, liveInstances } from '../src/execution/index.ts';
import { candid } from '../src/management/index.ts';
import type { Principal } from '../src/state/index.ts';
import { wat } from '../test/support/build.ts';
import { replyAll } from '../test/support/calls.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const COUNT = Number(process.env.CANISTERS ?? 10_000);
const LIVE_COUNT = Math.min(COUNT, 2000);
const BATCH = 500;
const EMPTY = new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0x00, 0x00]);
const GIB = 1024 ** 3;

/** A counter in a global and in the heap: each canister has written a page of its own. */
const COUNTER_WAT = `(module
  (import "ic0" "msg_reply_data_append" (func $append (param i32 i32)))
  (import "ic0" "msg_reply" (func $reply))
  (memory 1)
  (global $count (mut i32) (i32.const 0))
  (func (export "canister_update inc")
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (i32.store (i32.const 0) (global.get $count))
    (call $append (i32.const 0) (i32.const 4))
    (call $reply))
  (func (export "canister_query get")
    (i32.store (i32.const 0) (global.get $count))
    (call $append (i32.const 0) (i32.const 4))
    (call $reply)))`;

async function populate(ic: Capsule, wasm: Uint8Array, count: number): Promise<Principal[]> {
  const arg = candid.encodeManagementArg('provisional_create_canister_with_cycles', { amount: [], settings: [], specified_id: [], sender_canister_version: [] });
  const ids: Principal[] = [];
  for (let done = 0; done < count; done += BATCH) {
    const size = Math.min(BATCH, count - done);
    const created = await replyAll(ic, Array.from({ length: size }, () => ({ canisterId: 'aaaaa-aa', method: 'provisional_create_canister_with_cycles', arg })));
    const batch = created.map((reply) => candid.decodeManagementResult('provisional_create_canister_with_cycles', reply).canister_id);
    await replyAll(ic, batch.map((canisterId) => ({ canisterId: 'aaaaa-aa', method: 'install_code', arg: installCodeArg({ canisterId, wasm }, false) })));
    await replyAll(ic, batch.map((canisterId) => ({ canisterId, method: 'inc', arg: EMPTY })));
    ids.push(...batch);
  }
  return ids;
}

function resident(): number {
  gc();
  gc();
  return process.memoryUsage().rss;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Median milliseconds of a call to each of `ids`, in turn. */
async function latency(ids: Principal[], call: (canisterId: Principal) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (const canisterId of ids) {
    const start = performance.now();
    await call(canisterId);
    times.push(performance.now() - start);
  }
  return Number(median(times).toFixed(3));
}

/**
 * Cold: the first query, then the first update, of canisters whose instances were evicted; warm: the same
 * calls again at once. Queries go first (a query after a new round pays for that round's certification).
 */
async function latencies(ic: Capsule, ids: Principal[], evicting: boolean) {
  const query = (canisterId: Principal) => ic.queryCall({ canisterId, method: 'get', arg: EMPTY });
  const update = (canisterId: Principal) => ic.updateCall({ canisterId, method: 'inc', arg: EMPTY });
  await query(ids[0]!);
  const result: Record<string, number> = {};
  if (evicting) result.coldQueryMs = await latency(ids.slice(1), query);
  result.warmQueryMs = await latency(ids.slice(1).flatMap((id) => [id, id]), query);
  if (evicting) result.coldUpdateMs = await latency(ids.slice(1), async (id) => {
    evictAll(ic);
    await update(id);
  });
  result.warmUpdateMs = await latency(ids.slice(1), update);
  return result;
}

/** Evicts every idle instance (as a round does beyond the limit), so the next call starts cold. */
function evictAll(ic: Capsule): void {
  evictIdleInstances(replicaOf(ic).state.canisters.values(), 0);
}

async function measure(count: number, maxLiveInstances: number, wasm: Uint8Array) {
  const before = resident();
  const ic = await Capsule.create({ costSchedule: 'free', maxLiveInstances });
  const compilations = instanceStatistics().compilations;
  const start = performance.now();
  const ids = await populate(ic, wasm, count);
  const createInstallMs = (performance.now() - start) / count;
  const bytesPerCanister = (resident() - before) / count;
  const live = liveInstances(replicaOf(ic).state.canisters.values());
  // The first query or update of a canister whose instance was evicted instantiates it (cold); then it is live.
  const sample = ids.filter((_, i) => i % Math.ceil(count / 50) === 0);
  const latency = await latencies(ic, sample, maxLiveInstances < count);
  const result = {
    canisters: count,
    maxLiveInstances: Number.isFinite(maxLiveInstances) ? maxLiveInstances : 'none',
    liveInstances: live,
    createInstallMsPerCanister: Number(createInstallMs.toFixed(3)),
    residentBytesPerCanister: Math.round(bytesPerCanister),
    canistersPerGiB: Math.round(GIB / bytesPerCanister),
    modulesCompiled: instanceStatistics().compilations - compilations,
    ...latency,
  };
  await ic.close();
  return result;
}

// Each measurement runs in a process of its own: memory freed by one would make the next one look smaller.
const wasm = await wat(COUNTER_WAT);
const mode = process.argv[2];
if (mode === 'evicted') console.log(JSON.stringify(await measure(COUNT, 10, wasm)));
else if (mode === 'live') console.log(JSON.stringify(await measure(LIVE_COUNT, Number.POSITIVE_INFINITY, wasm)));
else {
  const run = (which: string) => JSON.parse(execFileSync(process.execPath, [fileURLToPath(import.meta.url), which], { encoding: 'utf8' }));
  console.log(JSON.stringify({ evicted: run('evicted'), live: run('live') }, null, 2));
}
