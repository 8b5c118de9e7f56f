// Builds every test canister with the real compilers (cached) and checks the
// outputs. Nothing is executed here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { azle, buildStats, canisterSource, canistersDir, motoko, wat, type Persistence } from './build.ts';

const EOP_SECTION = 'icp:private enhanced-orthogonal-persistence';

// The modes each canister is built in by the tests that run it (a build only this test needed would cost
// the suite a moc.js compile).
const canisters: Array<{ name: string; files: string[]; modes: Persistence[] }> = [
  { name: 'general', files: ['general.mo'], modes: ['enhanced', 'classical'] },
  { name: 'stable_state', files: ['stable_state.mo'], modes: ['enhanced', 'classical'] },
  { name: 'stable_state_v2', files: ['stable_state_v2.mo'], modes: ['enhanced', 'classical'] },
  { name: 'factory', files: ['factory.mo', 'Child.mo'], modes: ['enhanced'] },
  { name: 'timers', files: ['timers.mo'], modes: ['enhanced'] },
];
const modes: Persistence[] = ['enhanced', 'classical'];

/** Index type of each memory (defined or imported) of a wasm module. */
function memoryIndexTypes(wasm: Uint8Array): Array<'i32' | 'i64'> {
  let pos = 8;
  const u32 = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = wasm[pos++]!;
      result += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return result;
      shift += 7;
    }
  };
  const skipLimits = (flags: number): void => {
    u32(); // min
    if (flags & 1) u32(); // max
  };
  const out: Array<'i32' | 'i64'> = [];
  while (pos < wasm.length) {
    const id = wasm[pos++]!;
    const size = u32();
    const end = pos + size;
    if (id === 2) {
      // imports
      for (let n = u32(); n > 0; n--) {
        const moduleLen = u32();
        pos += moduleLen;
        const nameLen = u32();
        pos += nameLen;
        const kind = wasm[pos++]!;
        if (kind === 0) u32();
        else if (kind === 1) {
          pos++; // reftype
          skipLimits(wasm[pos++]!);
        } else if (kind === 2) {
          const flags = wasm[pos++]!;
          out.push(flags & 4 ? 'i64' : 'i32');
          skipLimits(flags);
        } else if (kind === 3) pos += 2;
        else if (kind === 4) {
          pos++;
          u32();
        } else throw new Error(`unknown import kind ${kind}`);
      }
    } else if (id === 5) {
      for (let n = u32(); n > 0; n--) {
        const flags = wasm[pos++]!;
        out.push(flags & 4 ? 'i64' : 'i32');
        skipLimits(flags);
      }
    }
    pos = end;
  }
  return out;
}

function hasCustomSection(wasm: Uint8Array<ArrayBuffer>, name: string): boolean {
  return WebAssembly.Module.customSections(new WebAssembly.Module(wasm), name).length > 0;
}

test('Motoko canisters compile in both persistence modes', { timeout: 600_000 }, async () => {
  const started = performance.now();
  const compilesBefore = buildStats.motokoCompiles;
  const results = await Promise.all(
    canisters.flatMap((c) =>
      c.modes.map(async (persistence) => ({
        ...c,
        persistence,
        out: await motoko(canisterSource(...c.files), { persistence, main: c.files[0] }),
      })),
    ),
  );
  const compiled = buildStats.motokoCompiles - compilesBefore;
  console.log(`motoko: ${results.length} builds (${compiled} compiled, rest cached) in ${Math.round(performance.now() - started)} ms`);
  for (const { name, persistence, out } of results) {
    const what = `${name} (${persistence})`;
    assert.ok(WebAssembly.validate(out.wasm), `${what}: invalid wasm`);
    assert.match(out.candid, /^service\s*:/m, `${what}: candid`);
    const mems = memoryIndexTypes(out.wasm);
    assert.ok(mems.length >= 1, `${what}: no memory`);
    if (persistence === 'enhanced') {
      assert.ok(hasCustomSection(out.wasm, EOP_SECTION), `${what}: missing ${EOP_SECTION}`);
      assert.equal(mems[0], 'i64', `${what}: expected memory64`);
    } else {
      assert.ok(!hasCustomSection(out.wasm, EOP_SECTION), `${what}: unexpected ${EOP_SECTION}`);
      assert.deepEqual(mems, mems.map(() => 'i32'), `${what}: expected wasm32 memories`);
    }
  }
  // Spot-check the interfaces the engine tests rely on.
  const did = (n: string, p: Persistence): string => results.find((r) => r.name === n && r.persistence === p)!.out.candid;
  for (const p of modes) {
    assert.match(did('general', p), /inc: \(\) -> \(nat\);/);
    assert.match(did('general', p), /callBoom: \(target: principal\) -> \(nat, text\);/);
    assert.match(did('stable_state_v2', p), /remove: \(key: text\) -> \(opt nat\);/);
  }
  assert.match(did('factory', 'enhanced'), /childIds: \(\) -> \(vec principal\) query;/);
  assert.match(did('timers', 'enhanced'), /counters: \(\) -> \(nat, nat\) query;/);
});

test('second build of the same source hits the disk cache; concurrent builds are deduplicated', async () => {
  const src = canisterSource('general.mo');
  await motoko(src); // cold or warm
  const before = { ...buildStats };
  const t = performance.now();
  const [a, b] = await Promise.all([motoko(src), motoko(src)]);
  const ms = performance.now() - t;
  console.log(`motoko cache hit: ${ms.toFixed(1)} ms`);
  assert.equal(buildStats.motokoCompiles, before.motokoCompiles, 'recompiled a cached source');
  assert.equal(buildStats.motokoCacheHits, before.motokoCacheHits + 1, 'duplicate concurrent calls were not shared');
  assert.deepEqual(a.wasm, b.wasm);
  assert.ok(ms < 1000, `cache hit took ${ms} ms`);
});

test('compile errors carry moc diagnostics', async () => {
  await assert.rejects(
    motoko('persistent actor { public func f() : async Nat { "not a nat" } }', { persistence: 'classical' }),
    (e: Error) => /M0050/.test(e.message) && /Main\.mo:1:\d+/.test(e.message) && /classical/.test(e.message),
  );
});

test('wat() assembles memory64 and multi-memory modules', async () => {
  const bin = await wat(`(module
    (import "ic0" "msg_reply" (func $reply))
    (memory $m (export "memory") i64 1)
    (memory $n 1)
    (func (export "canister_query q") (i64.store (i64.const 0) (i64.const 7)) (call $reply)))`);
  assert.ok(WebAssembly.validate(bin));
  assert.deepEqual(memoryIndexTypes(bin), ['i64', 'i32']);
  const again = await wat(`(module (memory 1) (func (export "f") (memory.fill (i32.const 0) (i32.const 0) (i32.const 1))))`);
  assert.ok(WebAssembly.validate(again));
  await assert.rejects(wat('(module (func (result i32)))'));
});

test('Azle canister builds (wasm32, candid, certified data imports)', { timeout: 600_000 }, async () => {
  const src = readFileSync(join(canistersDir, 'azle_counter', 'index.ts.txt'), 'utf8');
  const did = readFileSync(join(canistersDir, 'azle_counter', 'azle_counter.did'), 'utf8');
  const t = performance.now();
  const out = await azle(src);
  console.log(`azle: ${Math.round(performance.now() - t)} ms (${out.wasm.length} bytes)`);
  assert.ok(WebAssembly.validate(out.wasm));
  assert.deepEqual(memoryIndexTypes(out.wasm), ['i32']);
  assert.equal(out.candid.trim(), did.trim(), 'generated candid differs from azle_counter.did');
  const mod = new WebAssembly.Module(out.wasm);
  const imports = WebAssembly.Module.imports(mod).map((i) => `${i.module}.${i.name}`);
  for (const f of ['ic0.certified_data_set', 'ic0.data_certificate_copy', 'ic0.msg_reply']) assert.ok(imports.includes(f), f);
  const exports = WebAssembly.Module.exports(mod).map((e) => e.name);
  for (const e of ['canister_init', 'canister_update inc', 'canister_query get', 'canister_query certificate']) {
    assert.ok(exports.includes(e), e);
  }
  // With explicit candid (candid_gen: custom) the given interface is used.
  const custom = await azle(src, { candid: did });
  assert.equal(custom.candid, did);
  assert.ok(WebAssembly.validate(custom.wasm));
});
