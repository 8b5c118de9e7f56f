// Execution benchmarks, printed as JSON:
//  - Motoko counter updates per second through the library (in-process, application cost schedule);
//  - compute-heavy wasm (a store-heavy loop, a floating-point loop and recursive calls) run raw in V8 vs
//    instrumented (metering, write barrier, NaN canonicalization), and the loop through a Capsule update call;
//  - the compute loop's update run whole and in slices of 20 M instructions (deterministic time slicing:
//    the first slice runs twice, then every slice costs a pause and a round);
//  - create + install time of a large (Azle, ~3.5 MB) module, when Azle can be built.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IDL } from '@dfinity/candid';
import { Capsule } from '../src/api/index.ts';
import { parseCanisterModule } from '../src/wasm/index.ts';
import { azle, canisterSource, canistersDir, motoko, wat } from '../test/support/build.ts';

const none = new Uint8Array(IDL.encode([], []));

async function motokoUpdates(persistence: 'enhanced' | 'classical', count: number) {
  const { wasm } = await motoko(canisterSource('counter.mo'), { persistence, main: 'counter.mo' });
  const ic = await Capsule.create();
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm });
  for (let i = 0; i < 100; i++) await ic.updateCall({ canisterId, method: 'inc', arg: none });
  const start = performance.now();
  for (let i = 0; i < count; i++) await ic.updateCall({ canisterId, method: 'inc', arg: none });
  const seconds = (performance.now() - start) / 1000;
  return { persistence, updates: count, updatesPerSecond: Math.round(count / seconds) };
}

// A loop mixing a value and storing it across 64 KiB of memory: arithmetic, branches and stores.
const COMPUTE_WAT = `(module
  (import "ic0" "msg_reply" (func $reply))
  (memory 2)
  (func $work (param $n i32) (result i64)
    (local $i i32) (local $x i64)
    (local.set $x (i64.const 88172645463325252))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
      (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 7))))
      (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 17))))
      (i64.store (i32.and (i32.mul (local.get $i) (i32.const 8)) (i32.const 65535)) (local.get $x))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $x))
  (func $fib (param $n i32) (result i32)
    (if (result i32) (i32.lt_u (local.get $n) (i32.const 2)) (then (local.get $n))
      (else (i32.add (call $fib (i32.sub (local.get $n) (i32.const 1))) (call $fib (i32.sub (local.get $n) (i32.const 2)))))))
  (func $float (param $n i32) (result f64)
    (local $i i32) (local $x f64)
    (local.set $x (f64.const 1.5))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $x (f64.add (f64.mul (local.get $x) (f64.const 0.999999))
        (f64.div (f64.const 1) (f64.sqrt (f64.convert_i32_u (i32.add (local.get $i) (i32.const 1)))))))
      (f64.store (i32.and (i32.mul (local.get $i) (i32.const 8)) (i32.const 65535)) (local.get $x))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $x))
  (func (export "float") (param $n i32) (result f64) (call $float (local.get $n)))
  (func (export "fib") (param $n i32) (result i32) (call $fib (local.get $n)))
  (func (export "run") (param $n i32) (result i64) (call $work (local.get $n)))
  (func (export "canister_update run") (drop (call $work (i32.const ${20_000_000}))) (call $reply)))`;

async function time(fn: () => unknown, repeat: number): Promise<number> {
  await fn();
  const samples: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

async function instrumentationOverhead() {
  const wasm = await wat(COMPUTE_WAT);
  const module = parseCanisterModule(wasm);
  const iterations = 20_000_000;
  const raw = new WebAssembly.Instance(new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>), { ic0: { msg_reply: () => {} } });
  const rawMs = await time(() => (raw.exports['run'] as (n: number) => bigint)(iterations), 5);
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
  const instrumentedMs = await time(() => {
    counter.value = 1n << 62n;
    (instrumented.exports['run'] as (n: number) => bigint)(iterations);
  }, 5);
  const fibRawMs = await time(() => (raw.exports["fib"] as (n: number) => number)(32), 5);
  const fibInstrumentedMs = await time(() => {
    counter.value = 1n << 62n;
    (instrumented.exports["fib"] as (n: number) => number)(32);
  }, 5);
  const floatRawMs = await time(() => (raw.exports['float'] as (n: number) => number)(iterations), 5);
  const floatInstrumentedMs = await time(() => {
    counter.value = 1n << 62n;
    (instrumented.exports['float'] as (n: number) => number)(iterations);
  }, 5);
  const ic = await Capsule.create({ costSchedule: 'free' });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm });
  const capsuleMs = await time(() => ic.updateCall({ canisterId, method: 'run', arg: none }), 5);
  return {
    iterations,
    rawV8Ms: +rawMs.toFixed(2),
    instrumentedMs: +instrumentedMs.toFixed(2),
    capsuleUpdateMs: +capsuleMs.toFixed(2),
    instrumentedOverRaw: +(instrumentedMs / rawMs).toFixed(3),
    capsuleOverRaw: +(capsuleMs / rawMs).toFixed(3),
    floatLoop: { rawV8Ms: +floatRawMs.toFixed(2), instrumentedMs: +floatInstrumentedMs.toFixed(2), instrumentedOverRaw: +(floatInstrumentedMs / floatRawMs).toFixed(3) },
    recursiveFib32: { rawV8Ms: +fibRawMs.toFixed(2), instrumentedMs: +fibInstrumentedMs.toFixed(2), instrumentedOverRaw: +(fibInstrumentedMs / fibRawMs).toFixed(3) },
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
