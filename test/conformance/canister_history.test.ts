// Canister history (ic-ref-test "canister history", Spec/CanisterHistory.hs; interface spec,
// canister_info: creation, code deployments, uninstall and controller changes are recorded with
// the canister version and origin; at least the 20 most recent are kept; controllers are a set).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { before, describe } from 'node:test';
import { test } from './_sampled_test.ts';
import { candid } from '../../src/management/index.ts';
import type { Change } from '../../src/management/candid/index.ts';
import { comparePrincipals } from '../../src/state/index.ts';
import { prog } from '../universal/program.ts';
import {
  type Capsule,
  install,
  mgmt,
  newCapsule,
  OTHER,
  type Principal,
  rejects,
  setControllers,
  settings,
  ucWasm,
  uninstall,
  upgrade,
  USER,
  via,
  viaRejects,
  type Width,
  WIDTHS,
} from './_harness.ts';

const TRIVIAL = Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
const sha256 = (b: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(b).digest());
const noHeartbeat = () => prog().setHeartbeat(prog().trap(''));
const sorted = (ps: Principal[]): string[] => [...ps].sort(comparePrincipals).map((p) => p.toText());

let c: Capsule;
before(async () => {
  c = await newCapsule();
});

type Origin = { user: Principal } | { canister: Principal; version: bigint | undefined };
type Details =
  | { creation: Principal[] }
  | { deployment: 'install' | 'reinstall' | 'upgrade'; hash: Uint8Array }
  | { uninstall: true }
  | { controllers: Principal[] };

function expectChange(change: Change, version: bigint, origin: Origin, details: Details): void {
  assert.equal(change.canister_version, version, 'canister_version');
  if ('user' in origin) {
    assert.ok('from_user' in change.origin, 'origin from_user');
    assert.equal(change.origin.from_user.user_id.toText(), origin.user.toText());
  } else {
    assert.ok('from_canister' in change.origin, 'origin from_canister');
    assert.equal(change.origin.from_canister.canister_id.toText(), origin.canister.toText());
    assert.deepEqual(change.origin.from_canister.canister_version, origin.version === undefined ? [] : [origin.version]);
  }
  const d = change.details;
  if ('creation' in details) {
    assert.ok('creation' in d, `expected creation, got ${Object.keys(d)}`);
    assert.deepEqual(d.creation.controllers.map((p) => p.toText()), sorted(details.creation));
  } else if ('deployment' in details) {
    assert.ok('code_deployment' in d, `expected code_deployment, got ${Object.keys(d)}`);
    assert.deepEqual(Object.keys(d.code_deployment.mode), [details.deployment]);
    assert.deepEqual(d.code_deployment.module_hash, details.hash);
  } else if ('uninstall' in details) {
    assert.ok('code_uninstall' in d, `expected code_uninstall, got ${Object.keys(d)}`);
  } else {
    assert.ok('controllers_change' in d, `expected controllers_change, got ${Object.keys(d)}`);
    assert.deepEqual(d.controllers_change.controllers.map((p) => p.toText()), sorted(details.controllers));
  }
}

function provisionalCreate(controllers?: Principal[]) {
  const s = controllers ? [settings({ controllers: [controllers] })] : [];
  return mgmt(c, 'provisional_create_canister_with_cycles', { amount: [], settings: s as [], specified_id: [], sender_canister_version: [] });
}

function installCode(id: Principal, mode: 'install' | 'reinstall' | 'upgrade', wasm: Uint8Array, arg: Uint8Array = new Uint8Array(), senderVersion?: bigint) {
  return mgmt(c, 'install_code', {
    mode: (mode === 'upgrade' ? { upgrade: [] } : { [mode]: null }) as { install: null },
    canister_id: id,
    wasm_module: wasm,
    arg,
    sender_canister_version: senderVersion === undefined ? [] : [senderVersion],
  });
}

for (const width of WIDTHS) {
  const info = (unican: Principal, id: Principal, n?: bigint) => via(c, unican, 'canister_info', { canister_id: id, num_requested_changes: n === undefined ? [] : [n] });

  describe(`canister history (wasm${width})`, () => {
    let ucHash: Uint8Array;
    let uc: Uint8Array;
    before(async () => {
      uc = await ucWasm(width);
      ucHash = sha256(uc);
    });
    const unicanister = (w: Width = width) => install(c, w, noHeartbeat());

    test('after creation and code deployments', async () => {
      const unican = await unicanister();
      const { canister_id: id } = await provisionalCreate();
      let i = await info(unican, id, 1n);
      assert.equal(i.total_num_changes, 1n);
      expectChange(i.recent_changes[0]!, 0n, { user: USER }, { creation: [USER] });
      await installCode(id, 'install', uc, noHeartbeat().build());
      i = await info(unican, id, 1n);
      assert.equal(i.total_num_changes, 2n);
      expectChange(i.recent_changes[0]!, 1n, { user: USER }, { deployment: 'install', hash: ucHash });
      // sender_canister_version in an ingress message is ignored
      await installCode(id, 'reinstall', TRIVIAL, new Uint8Array(), 666n);
      i = await info(unican, id, 1n);
      expectChange(i.recent_changes[0]!, 2n, { user: USER }, { deployment: 'reinstall', hash: sha256(TRIVIAL) });
      await upgrade(c, id, width, noHeartbeat());
      i = await info(unican, id, 1n);
      assert.equal(i.total_num_changes, 4n);
      expectChange(i.recent_changes[0]!, 3n, { user: USER }, { deployment: 'upgrade', hash: ucHash });
    });
    test('after uninstall', async () => {
      const unican = await unicanister();
      const id = await install(c, width, noHeartbeat());
      await uninstall(c, id);
      const i = await info(unican, id, 1n);
      assert.equal(i.total_num_changes, 3n);
      expectChange(i.recent_changes[0]!, 2n, { user: USER }, { uninstall: true });
    });
    test('after changing controllers (a set, in canonical order)', async () => {
      const unican = await unicanister();
      const { canister_id: id } = await provisionalCreate();
      await setControllers(c, id, [OTHER, USER, USER]);
      let i = await info(unican, id, 1n);
      assert.equal(i.total_num_changes, 2n);
      expectChange(i.recent_changes[0]!, 1n, { user: USER }, { controllers: [OTHER, USER] });
      await setControllers(c, id, [USER, OTHER, USER]);
      i = await info(unican, id, 1n);
      assert.equal(i.total_num_changes, 3n);
      const change = i.recent_changes[0]!;
      expectChange(change, 2n, { user: USER }, { controllers: [OTHER, USER] });
    });
    test('after many changes only the 20 most recent are kept', async () => {
      const unican = await unicanister();
      const { canister_id: id } = await provisionalCreate();
      for (let n = 0; n < 22; n++) await setControllers(c, id, [USER]);
      const i = await info(unican, id, 20n);
      assert.equal(i.total_num_changes, 23n);
      assert.equal(i.recent_changes.length, 20);
      for (const [k, change] of i.recent_changes.entries()) expectChange(change, BigInt(k + 3), { user: USER }, { controllers: [USER] });
    });
    test('changes from a canister record its id and sender_canister_version', async () => {
      const unican = await unicanister();
      // unican: version 1 after install; every relayed call is an update and a callback (+2)
      const { canister_id: id } = await via(c, unican, 'create_canister', { settings: [settings({ controllers: [[unican, USER]] })], sender_canister_version: [] }, 20_000_000_000_000n);
      let i = await info(unican, id, 1n);
      assert.equal(i.total_num_changes, 1n);
      expectChange(i.recent_changes[0]!, 0n, { canister: unican, version: undefined }, { creation: [unican, USER] });
      await via(c, unican, 'install_code', { mode: { install: null }, canister_id: id, wasm_module: TRIVIAL, arg: new Uint8Array(), sender_canister_version: [5n] });
      i = await info(unican, id, 1n);
      assert.equal(i.total_num_changes, 2n);
      expectChange(i.recent_changes[0]!, 1n, { canister: unican, version: 5n }, { deployment: 'install', hash: sha256(TRIVIAL) });
    });
    test('not every update_settings is recorded (the version still changes)', async () => {
      const unican = await unicanister();
      const { canister_id: id } = await provisionalCreate();
      await mgmt(c, 'update_settings', { canister_id: id, settings: settings({ freezing_threshold: [1024n] }), sender_canister_version: [] });
      await installCode(id, 'install', TRIVIAL);
      const i = await info(unican, id, 2n);
      assert.equal(i.total_num_changes, 2n);
      expectChange(i.recent_changes[0]!, 0n, { user: USER }, { creation: [USER] });
      expectChange(i.recent_changes[1]!, 2n, { user: USER }, { deployment: 'install', hash: sha256(TRIVIAL) });
    });
    test('an incorrect sender_canister_version is rejected', async () => {
      const unican = await unicanister();
      await viaRejects(c, unican, 'create_canister', { settings: [], sender_canister_version: [666n] }, 5, 20_000_000_000_000n);
    });
    test('users cannot call canister_info', async () => {
      const id = await unicanister();
      await rejects(c.callManagement('canister_info', candid.encodeManagementArg('canister_info', { canister_id: id, num_requested_changes: [] }), USER), 4);
    });
    test('canister_info reports controllers, module hash and the requested changes', async () => {
      const unican = await unicanister();
      const { canister_id: id } = await provisionalCreate();
      await installCode(id, 'install', TRIVIAL);
      await installCode(id, 'reinstall', uc, noHeartbeat().build());
      let i = await info(unican, id);
      assert.deepEqual(i.controllers.map((p) => p.toText()), [USER.toText()]);
      assert.deepEqual(i.module_hash, [ucHash]);
      await installCode(id, 'upgrade', TRIVIAL);
      i = await info(unican, id);
      assert.deepEqual(i.module_hash, [sha256(TRIVIAL)]);
      await uninstall(c, id);
      await setControllers(c, id, [USER, OTHER, USER]);
      i = await info(unican, id);
      assert.equal(i.total_num_changes, 6n);
      assert.equal(i.recent_changes.length, 0);
      assert.deepEqual(i.controllers.map((p) => p.toText()).sort(), sorted([OTHER, USER]).sort());
      assert.deepEqual(i.module_hash, []);
      const history: [bigint, Details][] = [
        [0n, { creation: [USER] }],
        [1n, { deployment: 'install', hash: sha256(TRIVIAL) }],
        [2n, { deployment: 'reinstall', hash: ucHash }],
        [3n, { deployment: 'upgrade', hash: sha256(TRIVIAL) }],
        [4n, { uninstall: true }],
        [5n, { controllers: [OTHER, USER] }],
      ];
      for (const [n, expected] of [
        [0n, []],
        [1n, history.slice(-1)],
        [2n, history.slice(-2)],
        [6n, history],
        [20n, history],
        [200n, history],
      ] as const) {
        const r = await info(unican, id, n);
        assert.equal(r.total_num_changes, 6n);
        assert.equal(r.recent_changes.length, expected.length, `num_requested_changes = ${n}`);
        for (const [k, change] of r.recent_changes.entries()) expectChange(change, expected[k]![0], { user: USER }, expected[k]![1]);
      }
    });
    test('canister_info of a non-existent canister is rejected', async () => {
      const unican = await unicanister();
      await viaRejects(c, unican, 'canister_info', { canister_id: USER, num_requested_changes: [] }, [3, 4, 5]);
    });
  });
}
