// Memory-heavy messages and upgrades, printed as JSON: a Motoko canister fills 50,000 blobs of 1 KiB
// and an array of 1.6 M numbers (~160 MiB of heap after its copying GC) in one update call, then is
// upgraded twice (classical persistence: the whole state goes through stable memory; enhanced: the
// heap is kept). Each timing is compared with the same module run uninstrumented in bare V8 (in this
// same process, so with the same V8 flags) through a minimal ic0 host: `overRaw` is Capsule's time
// over V8's. `BENCH_HEAVY_BLOBS=n` changes the number of blobs.
import { IDL } from '@dfinity/candid';
import { Capsule } from '../src/api/index.ts';
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

function elapsed(start: number): number {
  return +(performance.now() - start).toFixed(1);
}

async function inCapsule(wasm: Uint8Array, persistence: 'classical' | 'enhanced') {
  const ic = await Capsule.create({ costSchedule: 'free' });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm });
  let start = performance.now();
  await ic.updateCall({ canisterId, method: 'fill', arg: new Uint8Array(IDL.encode([IDL.Nat], [BLOBS])) });
  const fillMs = elapsed(start);
  const upgradeMs: number[] = [];
  for (let i = 0; i < UPGRADES; i++) {
    start = performance.now();
    await ic.installCode({ canisterId, wasm, mode: 'upgrade' });
    upgradeMs.push(elapsed(start));
  }
  const size = IDL.decode([IDL.Nat], await ic.queryCall({ canisterId, method: 'size', arg: new Uint8Array(IDL.encode([], [])) }))[0];
  if (size !== BLOBS * 33n) throw new Error(`${persistence}: the canister holds ${size} elements after its upgrades`);
  return { fillMs, upgradeMs };
}

function inV8(wasm: Uint8Array, persistence: 'classical' | 'enhanced') {
  const canister = new RawCanister(wasm, persistence === 'enhanced');
  canister.install();
  let start = performance.now();
  canister.update('fill', new Uint8Array(IDL.encode([IDL.Nat], [BLOBS])));
  const fillMs = elapsed(start);
  const upgradeMs: number[] = [];
  for (let i = 0; i < UPGRADES; i++) {
    start = performance.now();
    canister.upgrade(persistence === 'enhanced');
    upgradeMs.push(elapsed(start));
  }
  return { fillMs, upgradeMs };
}

async function heavy(persistence: 'classical' | 'enhanced') {
  const { wasm } = await motoko(HEAVY_MO, { persistence });
  // Capsule first: its first instance sets the process's V8 flags, which the raw run then shares.
  const capsule = await inCapsule(wasm, persistence);
  const v8 = inV8(wasm, persistence);
  const upgrade = (run: { upgradeMs: number[] }) => Math.min(...run.upgradeMs);
  return {
    persistence,
    capsule,
    rawV8: v8,
    fillOverRaw: +(capsule.fillMs / v8.fillMs).toFixed(2),
    upgradeOverRaw: +(upgrade(capsule) / upgrade(v8)).toFixed(2),
  };
}

console.log(JSON.stringify({ blobs: Number(BLOBS), runs: [await heavy('classical'), await heavy('enhanced')] }, null, 2));
