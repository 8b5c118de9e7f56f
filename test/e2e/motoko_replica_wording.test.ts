// A Motoko actor sees what it would see on the replica: a trap's description with the replica's
// period and help line, the "IC0503: " prefix on a callee's trap it catches, after an await the
// cycles its callee did not accept already back in its balance, and instruction counters that keep
// the relations Motoko's own test suite checks on the replica.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { type CallError, Capsule } from '../../src/api/index.ts';
import { canisterSource, motoko } from '../support/build.ts';

// The suite's general test actor (test/canisters/general.mo): one moc build per mode serves these tests and others.
const SOURCE = canisterSource('general.mo');

const INITIAL = 1_000_000_000_000_000n;
const HELP =
  'Consider gracefully handling failures from this canister or altering the canister to handle exceptions. ' +
  'See documentation: https://internetcomputer.org/docs/current/references/execution-errors#trapped-explicitly';

/** The description without its "Canister Backtrace:" section, whose frames depend on the compiler. */
function withoutBacktrace(message: string): string {
  return message.replace(/\nCanister Backtrace:\n(?:(?!\.\n)[^\n]+\n)+/g, '');
}

async function deploy(): Promise<{ ic: Capsule; id: string; canisterId: Awaited<ReturnType<Capsule['createCanister']>> }> {
  const ic = await Capsule.create({ time: 1_700_000_000_000_000_000n, costSchedule: 'free' });
  const { wasm } = await motoko(SOURCE);
  const canisterId = await ic.createCanister({ cycles: INITIAL });
  await ic.installCode({ canisterId, wasm });
  return { ic, id: canisterId.toText(), canisterId };
}

test("a Motoko trap reads as on the replica: '…with message: 'Array index out of bounds'.' and the help line", async () => {
  const { ic, id, canisterId } = await deploy();
  const arg = new Uint8Array(IDL.encode([IDL.Nat], [5n]));
  await assert.rejects(ic.updateCall({ canisterId, method: 'index', arg }), (error: CallError) => {
    assert.equal(error.errorCode, 'IC0503');
    assert.equal(withoutBacktrace(error.rejectMessage), `Error from Canister ${id}: Canister called \`ic0.trap\` with message: 'Array index out of bounds'.\n${HELP}`);
    return true;
  });
  const caught = await ic.updateCall({ canisterId, method: 'caught', arg: new Uint8Array(IDL.encode([], [])) });
  const text = IDL.decode([IDL.Text], caught)[0] as string;
  assert.equal(withoutBacktrace(text), `IC0503: Error from Canister ${id}: Canister called \`ic0.trap\` with message: 'Array index out of bounds'.\n${HELP}`);
  await ic.close();
});

test('after an await, a Motoko actor sees the cycles its callee did not accept back in its balance', async () => {
  const { ic, canisterId } = await deploy();
  const reply = await ic.updateCall({ canisterId, method: 'refunded', arg: new Uint8Array(IDL.encode([], [])) });
  assert.equal(IDL.decode([IDL.Nat], reply)[0], INITIAL);
  await ic.close();
});

test("Motoko's lifetime instruction count covers the mutator and collector instructions of the messages before, as its own test expects of the replica", async () => {
  for (const persistence of ['enhanced', 'classical'] as const) {
    const ic = await Capsule.create({ time: 1_700_000_000_000_000_000n, costSchedule: 'free' });
    const { wasm } = await motoko(SOURCE, { persistence });
    const canisterId = await ic.createCanister();
    await ic.installCode({ canisterId, wasm });
    const none = new Uint8Array(IDL.encode([], []));
    for (const method of ['emptyFunction', 'getEmptyFuncGCInstructions', 'runInstructions', 'checkInstructions']) {
      await ic.updateCall({ canisterId, method, arg: none });
    }
    await ic.close();
  }
});

test("a Motoko actor that floods its queue gets the replica's send failure after 500 calls, instead of looping forever", async () => {
  const ic = await Capsule.create({ time: 1_700_000_000_000_000_000n, costSchedule: 'free' });
  const { wasm } = await motoko(SOURCE);
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm });
  const reply = await ic.updateCall({ canisterId, method: 'flood', arg: new Uint8Array(IDL.encode([], [])) });
  // call_perform answered SYS_TRANSIENT (2), as the replica's does on a full queue; this moc reports it as a call error.
  assert.deepEqual(IDL.decode([IDL.Nat, IDL.Text, IDL.Text], reply), [500n, '#call_error({err_code = 2})', 'could not perform remote call']);
  await ic.close();
});

test('a Motoko oneway method accepts the cycles sent with it, though it has already replied', async () => {
  const ic = await Capsule.create({ time: 1_700_000_000_000_000_000n, costSchedule: 'free' });
  const { wasm } = await motoko(SOURCE);
  const giver = await ic.createCanister({ cycles: INITIAL });
  const taker = await ic.createCanister({ cycles: INITIAL });
  for (const canisterId of [giver, taker]) await ic.installCode({ canisterId, wasm });
  await ic.updateCall({ canisterId: giver, method: 'give', arg: new Uint8Array(IDL.encode([IDL.Principal, IDL.Nat], [taker, 1_000_000n])) });
  await ic.tick(2);
  assert.equal(await ic.getCycleBalance(taker), INITIAL + 1_000_000n);
  assert.equal(await ic.getCycleBalance(giver), INITIAL - 1_000_000n);
  await ic.close();
});

test('a Motoko composite query may await a query of its own actor', async () => {
  const ic = await Capsule.create({ time: 1_700_000_000_000_000_000n, costSchedule: 'free' });
  const { wasm } = await motoko(SOURCE);
  const canisterId = await ic.createCanister({ cycles: INITIAL });
  await ic.installCode({ canisterId, wasm });
  const reply = await ic.queryCall({ canisterId, method: 'outer', arg: new Uint8Array(IDL.encode([], [])) });
  assert.equal(IDL.decode([IDL.Nat], reply)[0], 8n);
  await ic.close();
});
