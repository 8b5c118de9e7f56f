// Memory-heavy messages and upgrades, printed as JSON: a Motoko canister fills 50,000 blobs of 1 KiB
// and an array of 1.6 M numbers (~160 MiB of heap after its copying GC) in one update call, then is
// upgraded twice (classical persistence: the whole state goes through stable memory; enhanced: the
// heap is kept). Each timing is compared with the same module run uninstrumented in bare V8 (in this
// same process, so with the same V8 flags) through a minimal ic0 host: `overRaw` is Capsule's time
// over V8's. Times are the main thread's CPU time (`cpuMs`, which the machine's other load does not
// stretch; the ratios use it) and the wall-clock time (`ms`). The fill runs past the 2 B-instruction slice:
// deterministic time slicing pauses it at each slice boundary (its first slice runs once, then the canister's
// state from before the message is rebuilt from its undo journal); `fillOneSliceOverRaw` is the same fill with
// a slice as large as the message limit, which shows what slicing costs. `BENCH_HEAVY_BLOBS=n` changes the number of blobs.
import { IDL } from '@dfinity/candid';
import { Capsule } from '../src/api/index.ts';
import { INSTRUCTION_LIMITS } from '../src/state/index.ts';
import { motoko } from '../test/support/build.ts';
import { RawCanister } from './_raw_canister.ts';

const HEAVY_MO = `import Prim "mo:prim";
persistent actor {
  var blobs : [Blob] = [];
  var nats : [var Nat] = [var];
  public func fill(n : Nat) : async () {
    let one = Prim.arrayToBlob(Prim.Array_tabulate<Nat8>(1024, func i { Prim.natToNat8(i % 256) }));
    blobs := Prim.Array_tabulate<Blob>(n, func _ { Prim.arrayToBlob(Prim.blobToArray(one)) });
    nats := Prim.Array_init<Nat>(n * 32, 7);
  };
  public query func size() : async Nat { blobs.size() + nats.size() };
}`;

const BLOBS = BigInt(process.env.BENCH_HEAVY_BLOBS ?? 50_000);
const UPGRADES = 2;

type Timing = { ms: number; cpuMs: number };

/** Wall-clock and main-thread CPU time of `work`. */
async function timed(work: () => unknown): Promise<Timing> {
  const wall = performance.now();
  const cpu = process.threadCpuUsage();
  await work();
  const used = process.threadCpuUsage(cpu);
  return { ms: +(performance.now() - wall).toFixed(1), cpuMs: +((used.user + used.system) / 1000).toFixed(1) };
}

async function inCapsule(wasm: Uint8Array, persistence: 'classical' | 'enhanced') {
  const ic = await Capsule.create({ costSchedule: 'free' });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm });
  const fill = await timed(() => ic.updateCall({ canisterId, method: 'fill', arg: new Uint8Array(IDL.encode([IDL.Nat], [BLOBS])) }));
  const upgrades: Timing[] = [];
  for (let i = 0; i < UPGRADES; i++) upgrades.push(await timed(() => ic.installCode({ canisterId, wasm, mode: 'upgrade' })));
  const size = IDL.decode([IDL.Nat], await ic.queryCall({ canisterId, method: 'size', arg: new Uint8Array(IDL.encode([], [])) }))[0];
  if (size !== BLOBS * 33n) throw new Error(`${persistence}: the canister holds ${size} elements after its upgrades`);
  return { fill, upgrades };
}

/** The fill alone, in one slice as long as the message limit. */
async function fillInOneSlice(wasm: Uint8Array): Promise<Timing> {
  const ic = await Capsule.create({ costSchedule: 'free', instructionLimits: { slice: INSTRUCTION_LIMITS.update } });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm });
  return timed(() => ic.updateCall({ canisterId, method: 'fill', arg: new Uint8Array(IDL.encode([IDL.Nat], [BLOBS])) }));
}

async function inV8(wasm: Uint8Array, persistence: 'classical' | 'enhanced') {
  const canister = new RawCanister(wasm, persistence === 'enhanced');
  canister.install();
  const fill = await timed(() => canister.update('fill', new Uint8Array(IDL.encode([IDL.Nat], [BLOBS]))));
  const upgrades: Timing[] = [];
  for (let i = 0; i < UPGRADES; i++) upgrades.push(await timed(() => canister.upgrade(persistence === 'enhanced')));
  return { fill, upgrades };
}

async function heavy(persistence: 'classical' | 'enhanced') {
  const { wasm } = await motoko(HEAVY_MO, { persistence });
  // Capsule first: its first instance sets the process's V8 flags, which the raw run then shares.
  const capsule = await inCapsule(wasm, persistence);
  const oneSlice = await fillInOneSlice(wasm);
  const v8 = await inV8(wasm, persistence);
  const upgrade = (run: { upgrades: Timing[] }) => Math.min(...run.upgrades.map((timing) => timing.cpuMs));
  return {
    persistence,
    capsule,
    rawV8: v8,
    capsuleFillInOneSlice: oneSlice,
    fillOverRaw: +(capsule.fill.cpuMs / v8.fill.cpuMs).toFixed(2),
    fillOneSliceOverRaw: +(oneSlice.cpuMs / v8.fill.cpuMs).toFixed(2),
    upgradeOverRaw: +(upgrade(capsule) / upgrade(v8)).toFixed(2),
  };
}

console.log(JSON.stringify({ blobs: Number(BLOBS), runs: [await heavy('classical'), await heavy('enhanced')] }, null, 2));
