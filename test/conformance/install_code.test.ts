// Installing code (ic-ref-test "create and install", "provisional_create_canister_with_cycles",
// "management requests", "install (gzip compressed)", "reinstall on empty", "canister_status",
// "aaaaa-aa (inter-canister)", "randomness", "upgrades", "reinstall", "uninstall", "trapping in
// init", "caller/self (in init)"; interface spec, management methods install_code/uninstall_code).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe } from 'node:test';
import { test } from './_sampled_test.ts';
import { gzipSync } from 'node:zlib';
import { canisterIdFromIndex } from '../../src/state/index.ts';
import { prog } from '../universal/program.ts';
import {
  call,
  type Capsule,
  create,
  DOES_NOT_EXIST,
  hex,
  install,
  installAt,
  interQuery,
  isPending,
  isRejectOutcome,
  isText,
  messageHold,
  mgmt,
  newCapsule,
  OTHER,
  type Principal,
  query,
  reinstall,
  rejects,
  rejectsOutsideSubnet,
  setControllers,
  settings,
  settle,
  submitHeld,
  status,
  statusKind,
  u64,
  ucWasm,
  uninstall,
  upgrade,
  USER,
  via,
  viaRejects,
  type Width,
  WIDTHS,
} from './_harness.ts';

/** The smallest valid module (ic-ref-test `trivialWasmModule`). */
const TRIVIAL = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const getGlobal = () => prog().getGlobal().appendAndReply();

let c: Capsule;
before(async () => {
  c = await newCapsule();
});

function installRaw(id: Principal, wasm: Uint8Array, mode: 'install' | 'reinstall' | 'upgrade' = 'install', sender = USER, arg: Uint8Array = new Uint8Array()) {
  return c.installCode({ canisterId: id, wasm, mode, sender, arg });
}

async function moduleHash(id: Principal): Promise<string | undefined> {
  const hash = (await status(c, id)).module_hash[0];
  return hash && hex(hash);
}

describe('provisional_create_canister_with_cycles', () => {
  test('create and install', async () => {
    const id = await install(c, 32);
    await isText(call(c, id, prog().replyData('hi')), 'hi');
  });
  test('install needs a created canister', async () => {
    await rejectsOutsideSubnet(installRaw(DOES_NOT_EXIST, TRIVIAL), [3, 5]);
  });
  test('specified_id', async () => {
    const specified = canisterIdFromIndex(1_000_000n);
    const id = await c.createCanister({ sender: USER, specifiedId: specified });
    assert.equal(id.toText(), specified.toText());
  });
  test('specified_id already taken', async () => {
    const id = await create(c);
    // [replica] CanisterAlreadyInstalled IC0538 → CANISTER_ERROR; the spec (and ic-ref-test) say DESTINATION_INVALID.
    const e = await rejects(c.createCanister({ sender: USER, specifiedId: id }), 5);
    assert.equal(e.errorCode, 'IC0538');
  });
  test('specified_id outside the subnet ranges', async () => {
    // [replica] CanisterNotHostedBySubnet → CANISTER_REJECT (4), as ic-ref-test expects.
    await rejects(c.createCanister({ sender: USER, specifiedId: DOES_NOT_EXIST }), 4);
  });
  test('a new canister is running, empty and controlled by its creator', async () => {
    const id = await create(c);
    const s = await status(c, id);
    assert.deepEqual(Object.keys(s.status), ['running']);
    assert.deepEqual(s.settings.controllers.map((p) => p.toText()), [USER.toText()]);
    assert.deepEqual(s.module_hash, []);
    assert.equal(s.version, 0n);
  });
  test('the default balance is DEFAULT_PROVISIONAL_CYCLES_BALANCE', async () => {
    const id = await c.createCanister({ sender: USER });
    assert.equal((await status(c, id)).cycles, 100_000_000_000_000n);
  });
  test('ids are distinct', async () => {
    const a = await create(c);
    const b = await create(c);
    assert.notEqual(a.toText(), b.toText());
  });
});

describe('management requests (ingress)', () => {
  test('install, install again, reinstall, upgrade, change controller', async () => {
    const id = await create(c);
    await installRaw(id, TRIVIAL);
    // [replica] CanisterNonEmpty IC0538 → 5
    await rejects(installRaw(id, TRIVIAL), [3, 5]);
    await installRaw(id, TRIVIAL, 'reinstall');
    await rejects(installRaw(id, TRIVIAL, 'reinstall', OTHER), [3, 5]);
    await installRaw(id, TRIVIAL, 'upgrade');
    await rejects(installRaw(id, TRIVIAL, 'upgrade', OTHER), [3, 5]);
    await setControllers(c, id, [OTHER]);
    await rejects(setControllers(c, id, [OTHER], USER), [3, 5]);
    await installRaw(id, TRIVIAL, 'reinstall', OTHER);
  });
  test('install (gzip compressed): module_hash is the hash of the uploaded bytes', async () => {
    const id = await create(c);
    const compressed = new Uint8Array(gzipSync(TRIVIAL));
    await installRaw(id, compressed);
    assert.equal(await moduleHash(id), sha256(compressed));
    await installRaw(id, compressed, 'reinstall');
    assert.equal(await moduleHash(id), sha256(compressed));
    await installRaw(id, TRIVIAL, 'reinstall');
    assert.equal(await moduleHash(id), sha256(TRIVIAL));
    await installRaw(id, compressed, 'upgrade');
    assert.equal(await moduleHash(id), sha256(compressed));
  });
  test('gzip-compressed universal canister runs', async () => {
    const id = await create(c);
    await installRaw(id, new Uint8Array(gzipSync(await ucWasm(64))), 'install', USER, prog().setGlobal('gz').build());
    await isText(query(c, id, getGlobal()), 'gz');
  });
  test('reinstall on an empty canister', async () => {
    const id = await create(c);
    await installRaw(id, TRIVIAL, 'reinstall');
    assert.equal(await moduleHash(id), sha256(TRIVIAL));
  });
  test('upgrade of an empty canister fails', async () => {
    const id = await create(c);
    // [replica] CanisterWasmModuleNotFound IC0537 → 5
    await rejects(installRaw(id, TRIVIAL, 'upgrade'), 5);
  });
  test('canister_status: module_hash before and after install', async () => {
    const id = await create(c);
    assert.equal(await moduleHash(id), undefined);
    await installRaw(id, TRIVIAL);
    assert.equal(await moduleHash(id), sha256(TRIVIAL));
  });
  test('controllers other than the caller may not install', async () => {
    const id = await create(c);
    await rejects(installRaw(id, TRIVIAL, 'install', OTHER), 5);
    assert.equal(await moduleHash(id), undefined);
  });
});

for (const width of WIDTHS) {
  describe(`aaaaa-aa (inter-canister, wasm${width})`, () => {
    test('create, install, reinstall, upgrade, change controller via a canister', async () => {
      const cid = await install(c, width);
      const cid2 = await install(c, width);
      const { canister_id: id } = await via(c, cid, 'provisional_create_canister_with_cycles', { amount: [], settings: [], specified_id: [], sender_canister_version: [] });
      const installArg = (mode: 'install' | 'reinstall' | 'upgrade', wasm = TRIVIAL) => ({
        mode: (mode === 'upgrade' ? { upgrade: [] } : { [mode]: null }) as { install: null },
        canister_id: id,
        wasm_module: wasm,
        arg: new Uint8Array(),
        sender_canister_version: [] as [],
      });
      await via(c, cid, 'install_code', installArg('install'));
      await viaRejects(c, cid, 'install_code', installArg('install'), [3, 5]);
      await via(c, cid, 'install_code', installArg('reinstall'));
      await via(c, cid, 'install_code', installArg('reinstall', new Uint8Array(gzipSync(TRIVIAL))));
      await viaRejects(c, cid2, 'install_code', installArg('reinstall'), [3, 5]);
      await via(c, cid, 'install_code', installArg('upgrade'));
      await via(c, cid, 'update_settings', { canister_id: id, settings: settings({ controllers: [[cid2]] }), sender_canister_version: [] });
      await viaRejects(c, cid, 'update_settings', { canister_id: id, settings: settings({ controllers: [[cid2]] }), sender_canister_version: [] }, [3, 5]);
      await via(c, cid2, 'install_code', installArg('reinstall'));
      // reinstall on an empty canister
      const { canister_id: id2 } = await via(c, cid, 'provisional_create_canister_with_cycles', { amount: [], settings: [], specified_id: [], sender_canister_version: [] });
      await via(c, cid, 'install_code', { ...installArg('reinstall'), canister_id: id2 });
    });
    test('a canister installs the (large) universal canister', async () => {
      const cid = await install(c, width);
      const { canister_id: id } = await via(c, cid, 'provisional_create_canister_with_cycles', { amount: [], settings: [], specified_id: [], sender_canister_version: [] });
      await via(c, cid, 'install_code', { mode: { install: null }, canister_id: id, wasm_module: await ucWasm(width), arg: new Uint8Array(), sender_canister_version: [] });
      await isText(call(c, id, prog().replyData('Hi')), 'Hi');
    });
    test('randomness: raw_rand gives 32 fresh bytes', async () => {
      const cid = await install(c, width);
      const r1 = await via(c, cid, 'raw_rand', null);
      const r2 = await via(c, cid, 'raw_rand', null);
      assert.equal(r1.length, 32);
      assert.equal(r2.length, 32);
      assert.notEqual(hex(r1), hex(r2));
    });
  });

  describe(`upgrades (wasm${width})`, () => {
    async function installForUpgrade(onPreUpgrade: ReturnType<typeof prog>): Promise<Principal> {
      return install(c, width, prog().setGlobal('FOO').stableGrow64(1).drop().stableWrite64(0, 'BAR______').setPreUpgrade(onPreUpgrade));
    }
    async function checkNoUpgrade(id: Principal): Promise<void> {
      await isText(query(c, id, getGlobal()), 'FOO');
      await isText(query(c, id, prog().stableRead64(0, 9).appendAndReply()), 'BAR______');
    }
    test('succeeding: pre_upgrade sees the old state, post_upgrade a fresh heap and the stable memory', async () => {
      const id = await installForUpgrade(prog().getGlobal().pushInt64(3).swap().stableWrite64());
      await checkNoUpgrade(id);
      await upgrade(c, id, width, prog().pushInt64(6).stableRead64(0, 3).stableWrite64());
      await isText(query(c, id, getGlobal()), '');
      await isText(query(c, id, prog().stableRead64(0, 9).appendAndReply()), 'BARFOOBAR');
    });
    test('trapping in pre_upgrade', async () => {
      const id = await installForUpgrade(prog().trap('trap in pre-upgrade'));
      await checkNoUpgrade(id);
      await rejects(upgrade(c, id, width), 5, 'trap in pre-upgrade');
      await checkNoUpgrade(id);
    });
    test('trapping in pre_upgrade (by calling)', async () => {
      const id = await installForUpgrade(prog().trap('trap in pre-upgrade'));
      await call(c, id, prog().reply().setPreUpgrade(interQuery(id, { otherSide: prog() })));
      await checkNoUpgrade(id);
      await rejects(upgrade(c, id, width), 5);
      await checkNoUpgrade(id);
    });
    test('trapping in pre_upgrade (by accessing the argument)', async () => {
      const id = await installForUpgrade(prog().messagePayload().drop());
      await checkNoUpgrade(id);
      await rejects(upgrade(c, id, width), 5);
      await checkNoUpgrade(id);
    });
    test('trapping in post_upgrade', async () => {
      const id = await installForUpgrade(prog().getGlobal().pushInt64(3).swap().stableWrite64());
      await checkNoUpgrade(id);
      await rejects(upgrade(c, id, width, prog().trap('trap in post-upgrade')), 5, 'trap in post-upgrade');
      await checkNoUpgrade(id);
    });
    test('trapping in post_upgrade (by calling)', async () => {
      const id = await installForUpgrade(prog().getGlobal().pushInt64(3).swap().stableWrite64());
      await rejects(upgrade(c, id, width, interQuery(id, { otherSide: prog() })), 5);
      await checkNoUpgrade(id);
    });
    test('skip_pre_upgrade does not run pre_upgrade', async () => {
      const id = await installForUpgrade(prog().trap('must not run'));
      await upgrade(c, id, width, prog(), { skipPreUpgrade: true });
      await isText(query(c, id, getGlobal()), '');
      await isText(query(c, id, prog().stableRead64(0, 9).appendAndReply()), 'BAR______');
    });
    test('post_upgrade receives the install argument and the caller', async () => {
      const id = await install(c, width);
      await upgrade(c, id, width, prog().caller().setGlobal());
      assert.deepEqual(await query(c, id, getGlobal()), USER.toUint8Array());
    });
    test('upgrade to the other pointer width keeps stable memory', async () => {
      const id = await install(c, width, prog().stableGrow64(1).drop().stableWrite64(0, 'KEEP'));
      await upgrade(c, id, width === 32 ? 64 : 32);
      await isText(query(c, id, prog().stableRead64(0, 4).appendAndReply()), 'KEEP');
    });
    test('upgrade as a non-controller fails and changes nothing', async () => {
      const id = await installForUpgrade(prog());
      await rejects(upgrade(c, id, width, prog(), { sender: OTHER }), 5);
      await checkNoUpgrade(id);
    });
  });

  describe(`reinstall (wasm${width})`, () => {
    test('succeeding: heap and stable memory are wiped', async () => {
      const id = await install(c, width, prog().setGlobal('FOO').stableGrow64(1).drop().stableWrite64(0, 'FOO______'));
      await isText(query(c, id, getGlobal()), 'FOO');
      await isText(query(c, id, prog().stableRead64(0, 9).appendAndReply()), 'FOO______');
      await reinstall(c, id, width, prog().setGlobal('BAR').stableGrow64(2).drop().stableWrite64(0, 'BAR______'));
      await isText(query(c, id, getGlobal()), 'BAR');
      await isText(query(c, id, prog().stableRead64(0, 9).appendAndReply()), 'BAR______');
      assert.equal(await query(c, id, prog().stableSize64().replyInt64()).then((b) => b[0]), 2);
      await reinstall(c, id, width);
      await isText(query(c, id, getGlobal()), '');
      assert.equal(await query(c, id, prog().stableSize64().replyInt64()).then((b) => b[0]), 0);
    });
    test('trapping: the canister is unchanged', async () => {
      const id = await install(c, width, prog().setGlobal('FOO').stableGrow64(1).drop().stableWrite64(0, 'FOO______'));
      await rejects(reinstall(c, id, width, prog().trap('Trapping the reinstallation')), 5);
      await isText(query(c, id, getGlobal()), 'FOO');
      await isText(query(c, id, prog().stableRead64(0, 9).appendAndReply()), 'FOO______');
    });
    test('does not run pre_upgrade', async () => {
      const id = await install(c, width, prog().setPreUpgrade(prog().trap('must not run')));
      await reinstall(c, id, width, prog().setGlobal('ok'));
      await isText(query(c, id, getGlobal()), 'ok');
    });
  });

  describe(`uninstall (wasm${width})`, () => {
    test('uninstall an empty canister', async () => {
      const id = await create(c);
      await uninstall(c, id);
      const s = await status(c, id);
      assert.deepEqual(Object.keys(s.status), ['running']);
      assert.deepEqual(s.settings.controllers.map((p) => p.toText()), [USER.toText()]);
      assert.deepEqual(s.module_hash, []);
    });
    test('uninstall as a wrong user', async () => {
      const id = await install(c, width);
      await rejects(uninstall(c, id, OTHER), [3, 5]);
    });
    test('uninstall and reinstall wipes the heap', async () => {
      const id = await install(c, width, prog().setGlobal('FOO'));
      await uninstall(c, id);
      await installAt(c, id, width, prog().setGlobal('BAR'));
      await isText(query(c, id, getGlobal()), 'BAR');
    });
    test('uninstall and reinstall wipes stable memory', async () => {
      const id = await install(c, width, prog().stableGrow64(1).drop().stableWrite64(0, 'FOO'));
      await uninstall(c, id);
      await installAt(c, id, width);
      assert.equal((await query(c, id, prog().stableSize64().replyInt64()))[0], 0);
      await isText(query(c, id, prog().stableGrow64(1).drop().stableRead64(0, 3).appendAndReply()), '\0\0\0');
      await isText(call(c, id, prog().stableGrow64(1).drop().stableRead64(0, 3).appendAndReply()), '\0\0\0');
    });
    test('uninstalled canisters reject calls', async () => {
      const id = await install(c, width);
      await isText(call(c, id, prog().replyData('Hi')), 'Hi');
      await isText(query(c, id, prog().replyData('Hi')), 'Hi');
      await uninstall(c, id);
      // [replica] CanisterWasmModuleNotFound IC0537 → CANISTER_ERROR (the spec says DESTINATION_INVALID).
      await rejects(call(c, id, prog().replyData('Hi')), 5);
      await rejects(query(c, id, prog().replyData('Hi')), 5);
    });
    test('uninstall keeps controllers, cycles and status', async () => {
      const id = await install(c, width);
      const before = await status(c, id);
      await uninstall(c, id);
      const after = await status(c, id);
      assert.equal(after.cycles, before.cycles);
      assert.deepEqual(after.settings.controllers.map((p) => p.toText()), before.settings.controllers.map((p) => p.toText()));
      assert.equal(await statusKind(c, id), 'running');
    });
  });

  describe(`init (wasm${width})`, () => {
    test('caller in init is the installer', async () => {
      const id = await install(c, width, prog().caller().setGlobal());
      assert.deepEqual(await query(c, id, getGlobal()), USER.toUint8Array());
    });
    test('self in init', async () => {
      const id = await install(c, width, prog().self().setGlobal());
      assert.deepEqual(await query(c, id, getGlobal()), id.toUint8Array());
    });
    test('init receives the argument', async () => {
      const id = await install(c, width, prog().messagePayload().setGlobal());
      assert.deepEqual(await query(c, id, getGlobal()), prog().messagePayload().setGlobal().build());
    });
    for (const [name, program] of [
      ['explicit trap', prog().trap('trapping in install')],
      ['call', interQuery(DOES_NOT_EXIST)],
      ['reply', prog().reply()],
      ['reject', prog().reject('rejecting in init')],
    ] as const) {
      test(`trapping in init (${name}) leaves the canister empty`, async () => {
        const id = await create(c);
        await rejects(installAt(c, id, width, program), 5);
        // [replica] an empty canister rejects with IC0537 → 5
        await rejects(query(c, id, prog().reply()), [3, 5]);
        assert.deepEqual((await status(c, id)).module_hash, []);
      });
    }
  });
}

/** The UC with the private `enhanced-orthogonal-persistence` custom section appended (interface spec, install_code's wasm_memory_persistence). */
async function eopWasm(width: Width): Promise<Uint8Array> {
  const name = new TextEncoder().encode('icp:private enhanced-orthogonal-persistence');
  const section = Uint8Array.from([0, name.length + 2, name.length, ...name, 0x31]);
  return new Uint8Array(Buffer.concat([await ucWasm(width), section]));
}

function upgradeRaw(id: Principal, wasm: Uint8Array, persistence: 'keep' | 'replace' | undefined) {
  return mgmt(c, 'install_code', {
    mode: { upgrade: [{ skip_pre_upgrade: [], wasm_memory_persistence: persistence === undefined ? [] : [{ [persistence]: null } as { keep: null }] }] },
    canister_id: id,
    wasm_module: wasm,
    arg: new Uint8Array(),
    sender_canister_version: [],
  });
}

const heapSize = async (id: Principal): Promise<bigint> => u64(await query(c, id, prog().wasmMemorySize().replyInt64()));
const GROWN = 8n * 1024n * 1024n;

for (const width of WIDTHS) {
  describe(`wasm_memory_persistence (enhanced orthogonal persistence, wasm${width})`, () => {
    test('upgrading an EOP module requires the wasm_memory_persistence option', async () => {
      const id = await create(c);
      await installRaw(id, await eopWasm(width));
      await rejects(upgradeRaw(id, await eopWasm(width), undefined), 5);
    });
    test('keep preserves the heap', async () => {
      const id = await create(c);
      await installRaw(id, await eopWasm(width), 'install', USER, prog().memorySizeIsAtLeast(GROWN).build());
      await upgradeRaw(id, await eopWasm(width), 'keep');
      assert.ok((await heapSize(id)) > GROWN);
    });
    test('replace starts with a fresh heap', async () => {
      const id = await create(c);
      await installRaw(id, await eopWasm(width), 'install', USER, prog().memorySizeIsAtLeast(GROWN).build());
      await upgradeRaw(id, await eopWasm(width), 'replace');
      assert.ok((await heapSize(id)) < GROWN);
    });
    test('keep requires the new module to support EOP', async () => {
      const id = await create(c);
      await installRaw(id, await eopWasm(width));
      await rejects(upgradeRaw(id, await ucWasm(width), 'keep'), 5);
    });
    test('a classic module upgrades without the option and gets a fresh heap', async () => {
      const id = await install(c, width, prog().memorySizeIsAtLeast(GROWN));
      await upgradeRaw(id, await ucWasm(width), undefined);
      assert.ok((await heapSize(id)) < GROWN);
    });
  });

  describe(`reinstall with open call contexts (wasm${width})`, () => {
    test('reinstall does not reject open call contexts (unlike uninstall)', async () => {
      const id = await install(c, width);
      const { hold, release } = await messageHold(c, width);
      const long = await submitHeld(c, id, hold);
      await reinstall(c, id, width);
      await c.tick(3);
      isPending(c, long);
      await release();
      // the old callback's env is unknown to the new code, which traps: CANISTER_ERROR
      isRejectOutcome(await settle(c, long), 5);
    });
  });
}

describe('chunked code (upload_chunk, install_chunked_code)', () => {
  const chunksOf = (wasm: Uint8Array, size: number): Uint8Array[] => {
    const out: Uint8Array[] = [];
    for (let at = 0; at < wasm.length; at += size) out.push(wasm.slice(at, at + size));
    return out;
  };
  async function upload(store: Principal, wasm: Uint8Array) {
    const hashes = [];
    for (const chunk of chunksOf(wasm, 4000)) hashes.push(await mgmt(c, 'upload_chunk', { canister_id: store, chunk }));
    return hashes;
  }
  const chunkedArg = (target: Principal, hashes: { hash: Uint8Array }[], wasm: Uint8Array, store?: Principal) => ({
    mode: { install: null },
    target_canister: target,
    store_canister: store ? ([store] as [Principal]) : ([] as []),
    chunk_hashes_list: hashes,
    wasm_module_hash: new Uint8Array(createHash('sha256').update(wasm).digest()),
    arg: prog().setGlobal('chunked').build(),
    sender_canister_version: [] as [],
  });
  for (const width of WIDTHS) {
    test(`install the wasm${width} UC from chunks`, async () => {
      const id = await create(c);
      const wasm = await ucWasm(width);
      const hashes = await upload(id, wasm);
      assert.equal(hashes[0]!.hash.length, 32);
      await mgmt(c, 'install_chunked_code', chunkedArg(id, hashes, wasm));
      await isText(query(c, id, getGlobal()), 'chunked');
      assert.equal(await moduleHash(id), sha256(wasm));
    });
  }
  test('chunks from another store canister', async () => {
    const store = await create(c);
    const target = await create(c);
    const wasm = await ucWasm(32);
    const hashes = await upload(store, wasm);
    await mgmt(c, 'install_chunked_code', chunkedArg(target, hashes, wasm, store));
    await isText(query(c, target, getGlobal()), 'chunked');
  });
  test('stored_chunks lists the uploaded hashes; uploads are idempotent; clear_chunk_store empties it', async () => {
    const id = await create(c);
    const a = await mgmt(c, 'upload_chunk', { canister_id: id, chunk: new TextEncoder().encode('a') });
    await mgmt(c, 'upload_chunk', { canister_id: id, chunk: new TextEncoder().encode('a') });
    const b = await mgmt(c, 'upload_chunk', { canister_id: id, chunk: new TextEncoder().encode('b') });
    const stored = (await mgmt(c, 'stored_chunks', { canister_id: id })).map((h) => hex(h.hash)).sort();
    assert.deepEqual(stored, [hex(a.hash), hex(b.hash)].sort());
    await mgmt(c, 'clear_chunk_store', { canister_id: id });
    assert.equal((await mgmt(c, 'stored_chunks', { canister_id: id })).length, 0);
  });
  test('a wrong wasm_module_hash is rejected', async () => {
    const id = await create(c);
    const wasm = await ucWasm(32);
    const hashes = await upload(id, wasm);
    await rejects(mgmt(c, 'install_chunked_code', { ...chunkedArg(id, hashes, wasm), wasm_module_hash: new Uint8Array(32) }), 5);
  });
  test('a missing chunk is rejected', async () => {
    const id = await create(c);
    const wasm = await ucWasm(32);
    await rejects(mgmt(c, 'install_chunked_code', chunkedArg(id, [{ hash: new Uint8Array(32) }], wasm)), 5);
  });
  test('a chunk over 1 MiB is rejected', async () => {
    const id = await create(c);
    await rejects(mgmt(c, 'upload_chunk', { canister_id: id, chunk: new Uint8Array(1024 * 1024 + 1) }), 5);
  });
  test('only controllers may upload chunks', async () => {
    const id = await create(c);
    await rejects(mgmt(c, 'upload_chunk', { canister_id: id, chunk: new Uint8Array(1) }, OTHER), 5);
  });
});

describe('installing via the management canister from canisters of both widths', () => {
  for (const width of WIDTHS) {
    test(`wasm${width} canister upgrades a canister it controls`, async () => {
      const cid = await install(c, width);
      const target = await create(c, { controllers: [cid as Principal] });
      await via(c, cid, 'install_code', { mode: { install: null }, canister_id: target, wasm_module: await ucWasm(width), arg: prog().setGlobal('v1').build(), sender_canister_version: [] });
      await isText(query(c, target, getGlobal()), 'v1');
      await via(c, cid, 'install_code', { mode: { upgrade: [] }, canister_id: target, wasm_module: await ucWasm(width), arg: prog().setGlobal('v2').build(), sender_canister_version: [] });
      await isText(query(c, target, getGlobal()), 'v2');
    });
  }
});
