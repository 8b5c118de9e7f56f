// Real canisters: Motoko modules in both persistence modes (enhanced: memory64 + table64
// + `icp:private enhanced-orthogonal-persistence`; classical: wasm32). Compiled once per
// source and mode by test/support/build.ts (cached on disk). A minimal System API runs
// init, updates and a query through the instrumented module, checking that the write
// barrier marked every page whose content changed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canisterSource, motoko, type Persistence } from '../support/build.ts';
import { CAPSULE_EXPORTS, parseCanisterModule, type CanisterModule } from '../../src/wasm/index.ts';
import { instantiate, metered, newMessage, type Host } from './_helpers.ts';

const general = canisterSource('general.mo');
const EMPTY_ARGS = new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0x00, 0x00]); // DIDL, no types, no values

/** Just enough of ic0 for a Motoko method that replies synchronously. */
function miniSystemApi(getHost: () => Host, wide: boolean) {
  const state = { reply: new Uint8Array(0), replied: false };
  const n = (x: number | bigint) => Number(x);
  const ret = (x: number) => (wide ? BigInt(x) : x);
  const bytes = () => new Uint8Array(getHost().memory.buffer);
  const copyOut = (data: Uint8Array) => (dst: number | bigint, off: number | bigint, size: number | bigint) => {
    getHost().exports; // memory may have grown: take a fresh view
    bytes().set(data.subarray(n(off), n(off) + n(size)), n(dst));
  };
  const self = new Uint8Array([0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
  const ic0 = {
    msg_arg_data_size: () => ret(EMPTY_ARGS.length),
    msg_arg_data_copy: copyOut(EMPTY_ARGS),
    msg_caller_size: () => ret(1),
    msg_caller_copy: copyOut(new Uint8Array([4])),
    canister_self_size: () => ret(self.length),
    canister_self_copy: copyOut(self),
    msg_reply_data_append: (src: number | bigint, size: number | bigint) => {
      const chunk = bytes().slice(n(src), n(src) + n(size));
      const next = new Uint8Array(state.reply.length + chunk.length);
      next.set(state.reply);
      next.set(chunk, state.reply.length);
      state.reply = next;
    },
    msg_reply: () => {
      state.replied = true;
    },
    trap: (src: number | bigint, size: number | bigint) => {
      throw new Error(`canister trapped: ${new TextDecoder().decode(bytes().slice(n(src), n(src) + n(size)))}`);
    },
  };
  return { ic0, state };
}

/** Runs an export as one message; asserts every changed 4 KiB page was marked dirty. */
function message(host: Host, name: string): bigint {
  newMessage(host);
  const before = new Uint8Array(host.memory.buffer).slice();
  const { used } = metered(host, () => host.exports[name]());
  const after = new Uint8Array(host.memory.buffer);
  const marked = new Set(host.markedPages);
  for (const [address, length] of host.ranges) {
    for (let p = Number(address) >> 12; p <= (Number(address) + Number(length) - 1) >> 12; p++) marked.add(p);
  }
  for (let page = 0; page * 4096 < before.length; page++) {
    const a = before.subarray(page * 4096, (page + 1) * 4096);
    const b = after.subarray(page * 4096, (page + 1) * 4096);
    if (!a.every((x, i) => x === b[i])) assert.ok(marked.has(page), `${name}: page ${page} changed but was not marked`);
  }
  return used;
}

async function compile(persistence: Persistence): Promise<CanisterModule> {
  // The same files and entry as the other tests' general actor: one cached build serves them all.
  return parseCanisterModule((await motoko(general, { persistence, main: 'general.mo' })).wasm);
}

for (const persistence of ['enhanced', 'classical'] as Persistence[]) {
  test(`Motoko actor (${persistence}): validated and described correctly`, async () => {
    const m = await compile(persistence);
    const enhanced = persistence === 'enhanced';
    assert.equal(m.pointerWidth, enhanced ? 64 : 32);
    assert.equal(m.enhancedOrthogonalPersistence, enhanced);
    assert.ok(m.customSections.has('candid:service'));
    for (const name of ['inc', 'add', 'reset']) assert.ok(m.updateMethods.includes(name), name);
    for (const name of ['get', 'whoami', 'balance', 'self']) assert.ok(m.queryMethods.includes(name), name);
    assert.deepEqual(m.compositeQueryMethods, ['outer']);
    assert.ok(m.systemMethods.has('canister_init'));
    assert.ok(m.systemMethods.has('canister_pre_upgrade'));
    assert.ok(m.ic0Imports.includes('msg_reply'));
    assert.equal(m.hasStart, true);
    assert.ok(m.functionNames.size > 100);
    assert.ok(m.globals.some((g) => g.mutable));
  });

  test(`Motoko actor (${persistence}): init, three updates and a query run instrumented`, async () => {
    const m = await compile(persistence);
    let host: Host | undefined;
    const api = miniSystemApi(() => host!, m.pointerWidth === 64);
    host = instantiate(m, api.ic0);
    assert.ok(message(host, CAPSULE_EXPORTS.start) > 0n);
    message(host, 'canister_init');
    for (let i = 0; i < 3; i++) {
      api.state.reply = new Uint8Array(0);
      const used = message(host, 'canister_update inc');
      assert.ok(used > 100n, `inc used ${used}`);
      assert.ok(api.state.replied);
    }
    assert.ok(host.markedPages.length > 0, 'an update writes the heap');
    api.state.reply = new Uint8Array(0);
    message(host, 'canister_query get');
    // Candid: DIDL, no type table, one value of type nat (0x7d), LEB 3.
    assert.deepEqual([...api.state.reply], [0x44, 0x49, 0x44, 0x4c, 0x00, 0x01, 0x7d, 0x03]);
    assert.equal(host.limitCalls, 0);
  });
}
