// The storage format's encodings round-trip: values, canister snapshot files and round
// records decode to what was encoded, and damage is reported as `corrupt`, never as wrong data.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Principal } from '@dfinity/principal';
import { ByteSink, concatParts } from '../../src/persistence/_bytes.ts';
import { PersistenceError } from '../../src/persistence/errors.ts';
import { FORMAT_VERSION } from '../../src/persistence/format.ts';
import { decodeRecordBody, encodeRecordBody, type RoundRecord } from '../../src/persistence/round_record.ts';
import { decodeSnapshot, encodeSnapshot } from '../../src/persistence/snapshot_codec.ts';
import { TrackedMap } from '../../src/persistence/tracked_map.ts';
import { decodeValue, encodeToBytes, encodeValue } from '../../src/persistence/value_codec.ts';
import { type CanisterSnapshot, StableMemory } from '../../src/state/index.ts';

const id = Principal.fromText('5v3p4-iyaaa-aaaaa-qaaaa-cai');

test('values round-trip: numbers, bigints, strings, bytes, arrays, objects, Maps, Sets, Principals', () => {
  const value = {
    numbers: [0, 1, -1, 2 ** 53 - 1, -(2 ** 53), 0.5, -0, Number.NaN, Number.POSITIVE_INFINITY, 1e300],
    bigints: [0n, 1n, -1n, 2n ** 128n - 1n, -(2n ** 64n)],
    text: ['', 'é ✓ 🚀', 'a'.repeat(300)],
    bytes: [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(5000).fill(7)],
    flags: [true, false, null, undefined],
    map: new Map<unknown, unknown>([['b', 1], ['a', { nested: [id] }], [3, 'three']]),
    set: new Set(['z', 'y']),
    principal: id,
    empty: {},
  };
  const decoded = decodeValue(encodeToBytes(value), 'test');
  assert.deepEqual(decoded, value);
  assert.deepEqual([...(decoded as typeof value).map.keys()], ['b', 'a', 3], 'Map order is kept');
  assert.ok((decoded as typeof value).principal instanceof Principal);
});

test('a value of an unknown class is refused with the path of its field', () => {
  class Unknown {}
  assert.throws(
    () => encodeToBytes({ canister: { wasm: new Unknown() } }, 'state'),
    (error: unknown) => error instanceof PersistenceError && error.failure.kind === 'unencodable' && error.failure.field === 'state.canister.wasm',
  );
  assert.throws(() => encodeToBytes({ f: () => 1 }), PersistenceError);
});

test('truncated or malformed values are corrupt, not garbage', () => {
  const bytes = encodeToBytes({ a: [1, 2, 3], b: 'text' });
  for (let cut = 1; cut < bytes.length; cut++) {
    assert.throws(() => decodeValue(bytes.subarray(0, cut), 'cut'), (error: unknown) => error instanceof PersistenceError && error.failure.kind === 'corrupt');
  }
  assert.throws(() => decodeValue(new Uint8Array([99]), 'tag'), PersistenceError);
});

function sampleSnapshot(): CanisterSnapshot {
  const heap = new Uint8Array(3 * 65536);
  heap.fill(1, 4096, 8192);
  heap[65536 * 2 + 5] = 9;
  const stable = new StableMemory();
  stable.sizePages = 2n;
  stable.write(70_000, new Uint8Array([1, 2, 3]), () => {});
  stable.pages.set(3, new Uint8Array(4096)); // present but zero: presence is state
  return {
    id: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1, ...id.toUint8Array()]),
    takenAtTimestamp: 123n,
    wasmModule: new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]),
    source: 'takenFromCanister',
    heap,
    globals: [1, 2n, 0.25],
    stable,
    certifiedData: new Uint8Array([4, 5]),
    chunkStore: new Map([['ab', new Uint8Array([1])]]),
    globalTimer: 77n,
    onLowWasmMemory: 'ready',
    canisterVersion: 3n,
  };
}

test('snapshot files round-trip, skip zero heap pages, carry the format version and detect damage', () => {
  const snapshot = sampleSnapshot();
  const bytes = concatParts(encodeSnapshot(snapshot, id));
  assert.equal(Buffer.from(bytes.subarray(0, 8)).toString(), 'CAPSSNAP');
  assert.equal(new DataView(bytes.buffer).getUint32(8, true), FORMAT_VERSION);
  // 2 non-zero heap pages of 48 and 2 stable pages
  assert.ok(bytes.length < 5 * 4096, `${bytes.length} bytes for a 192 KiB heap with 2 non-zero pages`);
  const decoded = decodeSnapshot(bytes, 'test');
  assert.deepEqual(decoded.snapshot, snapshot);
  assert.equal(decoded.canisterId?.toText(), id.toText());
  const damaged = bytes.slice();
  damaged[100]! ^= 1;
  assert.throws(() => decodeSnapshot(damaged, 'damaged'), (error: unknown) => error instanceof PersistenceError && error.failure.kind === 'corrupt');
});

test('round records round-trip; page runs come back as the pages written', () => {
  const heap = new Uint8Array(4 * 4096).map((_, i) => i % 251);
  const record: RoundRecord = {
    round: 42n,
    time: 99n,
    nextCanisterIndex: 7n,
    randomCounter: 3n,
    ingress: { cleared: false, set: new Map([['m1', { status: 'done', time: 1n, sender: id, receiver: id, effectiveId: id }]]), deleted: ['m0'] },
    deleted: [Principal.fromText('aaaaa-aa')],
    canisters: [
      {
        id,
        meta: new Uint8Array([1, 2, 3]),
        module: null,
        globals: [5],
        heap: { size: heap.length, replaced: false, runs: [{ start: 1, count: 2, data: [heap.subarray(4096, 3 * 4096)] }] },
        stable: { sizePages: 1n, replaced: true, runs: [{ start: 0, count: 2, data: [heap.subarray(0, 4096), heap.subarray(8192, 12288)] }], absent: [9] },
        chunks: { order: ['k'], added: new Map([['k', new Uint8Array([8])]]) },
        snapshots: { order: [new Uint8Array([1])], added: [encodeSnapshot(sampleSnapshot())] },
      },
    ],
  };
  const body = concatParts(encodeRecordBody(record));
  const decoded = decodeRecordBody(42n, body, 'test', 0);
  assert.deepEqual(decoded.ingress, record.ingress);
  const canister = decoded.canisters[0]!;
  assert.deepEqual(canister.heap!.runs.map((run) => [run.start, run.count, Buffer.from(run.data[0]!)]), [[1, 2, Buffer.from(heap.subarray(4096, 3 * 4096))]]);
  assert.deepEqual(Buffer.from(canister.stable!.runs[0]!.data[0]!), Buffer.concat([heap.subarray(0, 4096), heap.subarray(8192, 12288)]));
  assert.deepEqual(canister.stable!.absent, [9]);
  assert.deepEqual(decodeSnapshot(canister.snapshots!.added[0]![0]!, 'inner').snapshot, sampleSnapshot());
  assert.deepEqual({ ...canister, heap: undefined, stable: undefined, snapshots: undefined }, { ...record.canisters[0], heap: undefined, stable: undefined, snapshots: undefined });
  assert.throws(() => decodeRecordBody(42n, body.subarray(0, body.length - 1), 'cut', 0), PersistenceError);
});

test('the ingress map remembers which keys changed since it was last asked', () => {
  const map = TrackedMap.of(new Map([['a', 1]]));
  assert.deepEqual(map.takeChanges(), { cleared: false, keys: [] });
  map.set('b', 2);
  map.set('a', 3);
  map.delete('b');
  assert.deepEqual(map.peekChanges(), { cleared: false, keys: ['b', 'a'] });
  assert.deepEqual(map.takeChanges(), { cleared: false, keys: ['b', 'a'] });
  map.clear();
  map.set('c', 1);
  assert.deepEqual(map.takeChanges(), { cleared: true, keys: ['c'] });
  assert.deepEqual([...map], [['c', 1]]);
});

test('the sink keeps large byte arrays by reference and small ones by copy', () => {
  const sink = new ByteSink();
  const big = new Uint8Array(4096);
  sink.u32(1);
  sink.raw(big);
  sink.raw(new Uint8Array(3));
  encodeValue(sink, 'x');
  const parts = sink.finish();
  assert.ok(parts.includes(big));
  assert.equal(sink.length, 4 + 4096 + 3 + 3);
});
