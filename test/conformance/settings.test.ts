// Controllers and settings (ic-ref-test "Settings", "canister lifecycle (wrong controller)",
// "is_controller system API"; interface spec, management canister_settings, update_settings and canister_status).
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { test } from './_sampled_test.ts';
import type { CanisterSettings } from '../../src/management/candid/index.ts';
import { prog } from '../universal/program.ts';
import {
  ANONYMOUS,
  type Capsule,
  create,
  install,
  mgmt,
  mgmtRejects,
  newCapsule,
  OTHER,
  Principal,
  query,
  rejects,
  setControllers,
  settings,
  status,
  u32,
  USER,
  via,
  viaRejects,
  WIDTHS,
} from './_harness.ts';

const THIRD = ANONYMOUS;
const FOURTH = OTHER;

let c: Capsule;
before(async () => {
  c = await newCapsule();
});

const texts = (ps: Principal[]): string[] => ps.map((p) => p.toText()).sort();

function provisional(s: Partial<CanisterSettings>, sender = USER) {
  return mgmt(c, 'provisional_create_canister_with_cycles', { amount: [], settings: [settings(s)], specified_id: [], sender_canister_version: [] }, sender);
}
function provisionalRejects(s: Partial<CanisterSettings>, codes: number | number[]) {
  return mgmtRejects(c, 'provisional_create_canister_with_cycles', { amount: [], settings: [settings(s)], specified_id: [], sender_canister_version: [] }, codes);
}
function updateSettings(id: Principal, s: Partial<CanisterSettings>, sender = USER) {
  return mgmt(c, 'update_settings', { canister_id: id, settings: settings(s), sender_canister_version: [] }, sender);
}

const INVALID: [string, Partial<CanisterSettings>][] = [
  ['compute allocation 101', { compute_allocation: [101n] }],
  ['memory allocation 2^48+1', { memory_allocation: [2n ** 48n + 1n] }],
  ['freezing threshold 2^64', { freezing_threshold: [2n ** 64n] }],
  ['wasm memory limit 2^48+1', { wasm_memory_limit: [2n ** 48n + 1n] }],
  ['wasm memory threshold 2^48+1', { wasm_memory_threshold: [2n ** 48n + 1n] }],
  ['11 controllers', { controllers: [Array.from({ length: 11 }, (_, i) => distinct(i))] }],
  ['11 allowed log viewers', { log_visibility: [{ allowed_viewers: Array.from({ length: 11 }, (_, i) => distinct(i)) }] }],
  ['21 environment variables', { environment_variables: [Array.from({ length: 21 }, (_, i) => ({ name: `V${i}`, value: 'x' }))] }],
];

function distinct(i: number): Principal {
  const bytes = new Uint8Array(29);
  bytes[0] = i + 1;
  bytes[28] = 2;
  return Principal.fromUint8Array(bytes);
}

describe('settings via provisional_create_canister_with_cycles', () => {
  for (const [name, s] of INVALID) {
    test(`invalid: ${name}`, async () => {
      await provisionalRejects(s, 5);
    });
  }
  test('defaults', async () => {
    const { canister_id: id } = await provisional({});
    const st = (await status(c, id)).settings;
    assert.deepEqual(texts(st.controllers), [USER.toText()]);
    assert.equal(st.compute_allocation, 0n);
    assert.equal(st.memory_allocation, 0n);
    assert.equal(st.freezing_threshold, 2_592_000n);
    assert.equal(st.reserved_cycles_limit, 5_000_000_000_000n);
    assert.equal(st.minimum_incoming_canister_call_cycles, 0n);
    assert.deepEqual(st.log_visibility, { controllers: null });
    assert.equal(st.wasm_memory_threshold, 0n);
    // [replica] new canisters get a 3 GiB wasm_memory_limit (the spec's default is 0 = none).
    assert.equal(st.wasm_memory_limit, 3n * 2n ** 30n);
    assert.deepEqual(st.environment_variables, []);
  });
  test('valid allocations and thresholds', async () => {
    const { canister_id: id } = await provisional({ compute_allocation: [1n], memory_allocation: [1024n * 1024n], freezing_threshold: [1_000_000n] });
    const st = (await status(c, id)).settings;
    assert.equal(st.compute_allocation, 1n);
    assert.equal(st.memory_allocation, 1024n * 1024n);
    assert.equal(st.freezing_threshold, 1_000_000n);
  });
  test('boundary values are valid (compute 100, memory 2^48, freezing 2^64-1)', async () => {
    const { canister_id: id } = await provisional({ compute_allocation: [100n], memory_allocation: [2n ** 48n], freezing_threshold: [2n ** 64n - 1n] });
    const st = (await status(c, id)).settings;
    assert.equal(st.compute_allocation, 100n);
    assert.equal(st.freezing_threshold, 2n ** 64n - 1n);
  });
  test('multiple controllers', async () => {
    const { canister_id: id } = await provisional({ controllers: [[USER, OTHER]] });
    assert.deepEqual(texts((await status(c, id, USER)).settings.controllers), texts([USER, OTHER]));
    assert.deepEqual(texts((await status(c, id, OTHER)).settings.controllers), texts([USER, OTHER]));
    await rejects(status(c, id, THIRD), [3, 5]);
  });
  test('duplicate controllers collapse', async () => {
    const { canister_id: id } = await provisional({ controllers: [[USER, USER, OTHER]] });
    assert.deepEqual(texts((await status(c, id)).settings.controllers), texts([USER, OTHER]));
  });
  test('an explicit controller list does not add the caller', async () => {
    const { canister_id: id } = await provisional({ controllers: [[OTHER]] });
    await rejects(status(c, id, USER), [3, 5]);
    assert.deepEqual(texts((await status(c, id, OTHER)).settings.controllers), [OTHER.toText()]);
  });
  test('10 controllers are allowed', async () => {
    const ten = Array.from({ length: 10 }, (_, i) => distinct(i));
    const { canister_id: id } = await provisional({ controllers: [[USER, ...ten.slice(1)]] });
    assert.equal((await status(c, id)).settings.controllers.length, 10);
  });
  test('environment variables are sorted by name', async () => {
    const { canister_id: id } = await provisional({ environment_variables: [[{ name: 'B', value: '2' }, { name: 'A', value: '1' }]] });
    assert.deepEqual((await status(c, id)).settings.environment_variables.map((v) => v.name), ['A', 'B']);
  });
});

describe('update_settings', () => {
  for (const [name, s] of INVALID) {
    test(`invalid: ${name}`, async () => {
      const id = await create(c);
      await mgmtRejects(c, 'update_settings', { canister_id: id, settings: settings(s), sender_canister_version: [] }, 5);
    });
  }
  test('omitted fields stay unchanged', async () => {
    const { canister_id: id } = await provisional({ freezing_threshold: [1234n], compute_allocation: [7n] });
    await updateSettings(id, { memory_allocation: [4096n] });
    const st = (await status(c, id)).settings;
    assert.equal(st.freezing_threshold, 1234n);
    assert.equal(st.compute_allocation, 7n);
    assert.equal(st.memory_allocation, 4096n);
  });
  test('changing controllers: only the new controller may read the status', async () => {
    const id = await install(c, 32, prog(), { controllers: [USER, OTHER] });
    await setControllers(c, id, [THIRD]);
    await rejects(status(c, id, USER), [3, 5]);
    await rejects(status(c, id, OTHER), [3, 5]);
    assert.deepEqual(texts((await status(c, id, THIRD)).settings.controllers), [THIRD.toText()]);
  });
  test('a non-controller may not update settings', async () => {
    const id = await create(c);
    await mgmtRejects(c, 'update_settings', { canister_id: id, settings: settings({ freezing_threshold: [1n] }), sender_canister_version: [] }, 5, OTHER);
    assert.equal((await status(c, id)).settings.freezing_threshold, 2_592_000n);
  });
  test('the controller list may be emptied', async () => {
    const id = await create(c);
    await setControllers(c, id, []);
    await rejects(status(c, id, USER), [3, 5]);
  });
  test('status_visibility public lets anyone read canister_status', async () => {
    const id = await create(c);
    await rejects(status(c, id, FOURTH), [3, 5]);
    await updateSettings(id, { status_visibility: [{ public: null }] });
    await status(c, id, FOURTH);
  });
  test('status_visibility allowed_viewers', async () => {
    const id = await create(c);
    await updateSettings(id, { status_visibility: [{ allowed_viewers: [OTHER] }] });
    await status(c, id, OTHER);
    await rejects(status(c, id, THIRD), [3, 5]);
  });
  test('log_visibility and wasm_memory_limit are reported back', async () => {
    const id = await create(c);
    await updateSettings(id, { log_visibility: [{ public: null }], wasm_memory_limit: [1n << 20n], wasm_memory_threshold: [4096n] });
    const st = (await status(c, id)).settings;
    assert.deepEqual(st.log_visibility, { public: null });
    assert.equal(st.wasm_memory_limit, 1n << 20n);
    assert.equal(st.wasm_memory_threshold, 4096n);
  });
});

describe('management calls by wrong controllers', () => {
  test('start, stop, canister_status, delete, uninstall as a wrong user', async () => {
    const id = await install(c, 32);
    await mgmtRejects(c, 'start_canister', { canister_id: id }, [3, 5], OTHER);
    await mgmtRejects(c, 'stop_canister', { canister_id: id }, [3, 5], OTHER);
    await mgmtRejects(c, 'canister_status', { canister_id: id }, [3, 5], OTHER);
    await mgmtRejects(c, 'delete_canister', { canister_id: id }, [3, 5], OTHER);
    await mgmtRejects(c, 'uninstall_code', { canister_id: id, sender_canister_version: [] }, [3, 5], OTHER);
  });
});

for (const width of WIDTHS) {
  describe(`controllers via canisters (wasm${width})`, () => {
    test('a canister can request its own status if it does not control itself', async () => {
      const id = await install(c, width, prog(), { controllers: [USER, OTHER] });
      const s = await via(c, id, 'canister_status', { canister_id: id });
      assert.deepEqual(texts(s.settings.controllers), texts([USER, OTHER]));
    });
    test('multiple controllers (aaaaa-aa create_canister)', async () => {
      const cid = await install(c, width);
      const { canister_id: id } = await via(c, cid, 'create_canister', { settings: [settings({ controllers: [[cid, OTHER]] })], sender_canister_version: [] }, 20_000_000_000_000n);
      assert.deepEqual(texts((await via(c, cid, 'canister_status', { canister_id: id })).settings.controllers), texts([cid, OTHER]));
      assert.deepEqual(texts((await status(c, id, OTHER)).settings.controllers), texts([cid, OTHER]));
      await rejects(status(c, id, USER), [3, 5]);
    });
    test('more than 10 controllers are rejected', async () => {
      const cid = await install(c, width);
      await viaRejects(c, cid, 'create_canister', { settings: [settings({ controllers: [Array.from({ length: 11 }, (_, i) => distinct(i))] })], sender_canister_version: [] }, [3, 5], 20_000_000_000_000n);
    });
    test('no controller', async () => {
      const cid = await install(c, width);
      const { canister_id: id } = await via(c, cid, 'create_canister', { settings: [settings({ controllers: [[]] })], sender_canister_version: [] }, 20_000_000_000_000n);
      await rejects(status(c, id, USER), [3, 5]);
      await viaRejects(c, cid, 'canister_status', { canister_id: id }, [3, 5]);
    });
    test('controller is self', async () => {
      const id = await install(c, width);
      await setControllers(c, id, [id]);
      const s = await via(c, id, 'canister_status', { canister_id: id });
      assert.deepEqual(texts(s.settings.controllers), [id.toText()]);
    });
    test('valid allocations via create_canister', async () => {
      const cid = await install(c, width);
      const s = settings({ compute_allocation: [1n], memory_allocation: [1024n * 1024n], freezing_threshold: [1_000_000n] });
      const { canister_id: id } = await via(c, cid, 'create_canister', { settings: [s], sender_canister_version: [] }, 20_000_000_000_000n);
      const st = (await via(c, cid, 'canister_status', { canister_id: id })).settings;
      assert.equal(st.compute_allocation, 1n);
      assert.equal(st.memory_allocation, 1024n * 1024n);
      assert.equal(st.freezing_threshold, 1_000_000n);
    });
    for (const [name, s] of INVALID.slice(0, 3)) {
      test(`invalid via create_canister: ${name}`, async () => {
        const cid = await install(c, width);
        await viaRejects(c, cid, 'create_canister', { settings: [settings(s)], sender_canister_version: [] }, 5, 20_000_000_000_000n);
      });
    }
    test('sender_canister_version must match the caller’s canister version', async () => {
      const cid = await install(c, width);
      await viaRejects(c, cid, 'create_canister', { settings: [], sender_canister_version: [666n] }, 5, 20_000_000_000_000n);
    });
  });

  describe(`is_controller system API (wasm${width})`, () => {
    const isController = async (id: Principal, bytes: Uint8Array) => u32(await query(c, id, prog().isController(bytes).replyInt()));
    test('argument is a controller', async () => {
      const id = await install(c, width);
      assert.equal(await isController(id, USER.toUint8Array()), 1);
    });
    test('argument is not a controller (empty principal)', async () => {
      const id = await install(c, width);
      assert.equal(await isController(id, new Uint8Array()), 0);
    });
    test('argument is a valid principal (29 bytes)', async () => {
      const id = await install(c, width);
      assert.equal(await isController(id, new Uint8Array(29)), 0);
    });
    test('argument is not a valid principal (30 bytes) traps', async () => {
      const id = await install(c, width);
      await rejects(query(c, id, prog().isController(new Uint8Array(30)).replyInt()), 5);
    });
    test('follows controller changes', async () => {
      const id = await install(c, width);
      await setControllers(c, id, [USER, OTHER]);
      assert.equal(await isController(id, OTHER.toUint8Array()), 1);
      await setControllers(c, id, [USER]);
      assert.equal(await isController(id, OTHER.toUint8Array()), 0);
    });
  });
}
