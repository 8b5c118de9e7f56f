// Execution benchmarks, printed as JSON:
//  - Motoko counter updates and queries per second through the library (in-process, application cost schedule);
//  - compute-heavy wasm (a store-heavy loop, a floating-point loop and recursive calls) run raw in V8 vs
//    instrumented (metering, write barrier, NaN canonicalization), and the loop through a Capsule update call:
//    interleaved after a warm-up, median of 11 by main-thread CPU time (see `interleaved`), with the
//    instructions each run counts;
//  - the compute loop's update run whole and in slices of 20 M instructions (deterministic time slicing:
//    the first pause rebuilds the canister's state before the message, then every slice costs a pause and a round);
//  - create + install time of a large (Azle, ~3.5 MB) module, when Azle can be built.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IDL } from '@dfinity/candid';
import { Capsule } from '../src/api/index.ts';
import { parseCanisterModule } from '../src/wasm/index.ts';
import { azle, canisterSource, canistersDir, motoko, wat } from '../test/support/build.ts';

const none = new Uint8Array(IDL.encode([], []));

async function motokoUpdates(persistence: 'enhanced' | 'classical', count: number) {
  const { wasm } = await motoko(canisterSource('general.mo'), { persistence, main: 'general.mo' });
  const ic = await Capsule.create();
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm });
  for (let i = 0; i < 100; i++) await ic.updateCall({ canisterId, method: 'inc', arg: none });
  const start = performance.now();
  for (let i = 0; i < count; i++) await ic.updateCall({ canisterId, method: 'inc', arg: none });
  const seconds = (performance.now() - start) / 1000;
  const queryStart = performance.now();
  for (let i = 0; i < count; i++) await ic.queryCall({ canisterId, method: 'get', arg: none });
  const querySeconds = (performance.now() - queryStart) / 1000;
  return { persistence, updates: count, updatesPerSecond: Math.round(count / seconds), queriesPerSecond: Math.round(count / querySeconds) };
}

// The store-heavy loop (`run`), the float loop and recursive fib; `canister_update run` runs the loop 20 M times.
const COMPUTE_WAT = canisterSource('compute_loops.wat')['compute_loops.wat']!;

async function time(fn: () => unknown, repeat: number): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return median(samples);
}

function median(samples: number[]): number {
  return [...samples].sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

const WARM_UP = 3;
const RUNS = 11;
const SAMPLE_MS = 200;

/**
 * Times `raw` and `other` interleaved, alternating which goes first, so that the machine's load and GC
 * fall on both alike. The warm-up runs, and a pause after them, let V8 tier both up from Liftoff to
 * TurboFan (a long loop tiers up only for its next call, compiled in the background). Each run is timed
 * by the main thread's CPU time, which other processes on a loaded machine do not stretch as they do the
 * wall-clock time; that clock ticks in steps of a few milliseconds, so each sample repeats the call until it
 * takes about SAMPLE_MS. Returns both medians (per call) and the median of the per-pair ratios.
 */
async function interleaved(raw: () => unknown, other: () => unknown) {
  for (let i = 0; i < WARM_UP; i++) {
    await raw();
    await other();
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  const begun = performance.now();
  await raw();
  const repeats = Math.max(1, Math.ceil(SAMPLE_MS / Math.max(performance.now() - begun, 0.01)));
  const rawMs: number[] = [];
  const otherMs: number[] = [];
  const timed = async (fn: () => unknown, into: number[]) => {
    const start = process.threadCpuUsage();
    for (let i = 0; i < repeats; i++) await fn();
    const used = process.threadCpuUsage(start);
    into.push((used.user + used.system) / 1000 / repeats);
  };
  for (let i = 0; i < RUNS; i++) {
    if (i % 2 === 0) {
      await timed(raw, rawMs);
      await timed(other, otherMs);
    } else {
      await timed(other, otherMs);
      await timed(raw, rawMs);
    }
  }
  return {
    rawV8CpuMs: +median(rawMs).toFixed(2),
    instrumentedCpuMs: +median(otherMs).toFixed(2),
    overRaw: +median(rawMs.map((ms, i) => otherMs[i]! / ms)).toFixed(3),
  };
}

async function instrumentationOverhead() {
  const wasm = await wat(COMPUTE_WAT);
  const module = parseCanisterModule(wasm);
  const iterations = 20_000_000;
  const raw = new WebAssembly.Instance(new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>), { ic0: { msg_reply: () => {} } });
  const capsuleHooks = {
    instruction_limit: () => { throw new Error('limit'); },
    memory_grow: () => -1,
    mark_range: () => {},
    // Like Capsule's host: the first store to a page calls out, later ones only check the dirty byte.
    mark_page: (page: number) => {
      new Uint8Array((instrumented.exports['__capsule_dirty'] as WebAssembly.Memory).buffer)[page] = 1;
    },
  };
  const instrumented = new WebAssembly.Instance(new WebAssembly.Module(module.instrumented as Uint8Array<ArrayBuffer>), { ic0: { msg_reply: () => {} }, __capsule: capsuleHooks });
  const counter = instrumented.exports['__capsule_instructions'] as WebAssembly.Global;
  const budget = 1n << 62n;
  const instructions: Record<string, number> = {};
  const loop = async (name: string, arg: number) => {
    const result = await interleaved(
      () => (raw.exports[name] as (n: number) => unknown)(arg),
      () => {
        counter.value = budget;
        (instrumented.exports[name] as (n: number) => unknown)(arg);
        instructions[name] = Number(budget - (counter.value as bigint));
      },
    );
    return { ...result, instructions: instructions[name] };
  };
  const store = await loop('run', iterations);
  const float = await loop('float', iterations);
  const fib = await loop('fib', 32);
  const ic = await Capsule.create({ costSchedule: 'free' });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm });
  const update = await interleaved(
    () => (raw.exports['run'] as (n: number) => bigint)(iterations),
    () => ic.updateCall({ canisterId, method: 'run', arg: none }),
  );
  return {
    iterations,
    warmUp: WARM_UP,
    runs: RUNS,
    storeLoop: store,
    floatLoop: float,
    recursiveFib32: fib,
    capsuleUpdate: { rawV8CpuMs: update.rawV8CpuMs, capsuleUpdateCpuMs: update.instrumentedCpuMs, overRaw: update.overRaw },
  };
}

async function slicedUpdate() {
  const wasm = await wat(COMPUTE_WAT);
  const ms: Record<string, number> = {};
  for (const [name, slice] of [['wholeMs', undefined], ['slicedMs', 20_000_000n]] as const) {
    const ic = await Capsule.create({ costSchedule: 'free', instructionLimits: slice === undefined ? {} : { slice } });
    const canisterId = await ic.createCanister();
    await ic.installCode({ canisterId, wasm });
    ms[name] = +(await time(() => ic.updateCall({ canisterId, method: 'run', arg: none }), 5)).toFixed(2);
  }
  return ms;
}

async function largeModuleInstall() {
  let wasm: Uint8Array;
  try {
    wasm = (await azle(readFileSync(join(canistersDir, 'azle_counter', 'index.ts.txt'), 'utf8'))).wasm;
  } catch (error) {
    return { skipped: `Azle build failed: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
  const ic = await Capsule.create();
  const samples: number[] = [];
  for (let i = 0; i < 3; i++) {
    const start = performance.now();
    const canisterId = await ic.createCanister();
    await ic.installCode({ canisterId, wasm, arg: new Uint8Array(IDL.encode([IDL.Text, IDL.Nat], ['bench', 0n])) });
    samples.push(performance.now() - start);
  }
  return { moduleBytes: wasm.length, createAndInstallMs: samples.map((ms) => +ms.toFixed(1)) };
}

async function executionBenchmarks() {
  // BENCH_EXECUTION=instrumentation runs only the raw-vs-instrumented comparison.
  if (process.env.BENCH_EXECUTION === 'instrumentation') return { instrumentation: await instrumentationOverhead() };
  return {
    motokoCounter: [await motokoUpdates('enhanced', 2000), await motokoUpdates('classical', 2000)],
    instrumentation: await instrumentationOverhead(),
    slicing: await slicedUpdate(),
    largeModule: await largeModuleInstall(),
  };
}

console.log(JSON.stringify(await executionBenchmarks(), null, 2));
