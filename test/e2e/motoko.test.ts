// Real Motoko canisters (moc from the `motoko` npm package) in both persistence modes, run through
// the library API: counter, stable state across upgrade, an actor-class factory with cycles,
// traps seen by callers, rollback, query isolation and timers.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { CallError, Capsule } from '../../src/api/index.ts';
import { canisterSource, motoko } from '../support/build.ts';

const modes = ['enhanced', 'classical'] as const;
const encode = (types: IDL.Type[], values: unknown[]) => new Uint8Array(IDL.encode(types, values));
const none = encode([], []);

async function deploy(ic: Capsule, file: string, persistence: (typeof modes)[number]) {
  const { wasm } = await motoko(canisterSource(file), { persistence, main: file });
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm });
  return canisterId;
}

async function callNat(ic: Capsule, canisterId: Principal, method: string, kind: 'update' | 'query' = 'update', arg = none): Promise<bigint> {
  const reply = kind === 'update' ? await ic.updateCall({ canisterId, method, arg }) : await ic.queryCall({ canisterId, method, arg });
  return IDL.decode([IDL.Nat], reply)[0] as bigint;
}

for (const persistence of modes) {
  describe(`Motoko (${persistence} persistence)`, () => {
    test('a counter counts, and queries see the committed state', async () => {
      const ic = await Capsule.create();
      const id = await deploy(ic, 'general.mo', persistence);
      for (let i = 1n; i <= 3n; i++) assert.equal(await callNat(ic, id, 'inc'), i);
      assert.equal(await callNat(ic, id, 'add', 'update', encode([IDL.Nat], [10n])), 13n);
      assert.equal(await callNat(ic, id, 'get', 'query'), 13n);
      const user = Principal.selfAuthenticating(new Uint8Array(44).fill(7));
      const who = await ic.queryCall({ canisterId: id, method: 'whoami', arg: none, sender: user });
      assert.equal((IDL.decode([IDL.Principal], who)[0] as unknown as Principal).toText(), user.toText());
    });

    test('stable state survives an upgrade to a new version; transient state resets', async () => {
      const ic = await Capsule.create();
      const id = await deploy(ic, 'stable_state.mo', persistence);
      for (const [key, value] of [['a', 1n], ['b', 2n], ['c', 3n]] as const) {
        await ic.updateCall({ canisterId: id, method: 'put', arg: encode([IDL.Text, IDL.Nat], [key, value]) });
      }
      const counters = IDL.decode([IDL.Nat, IDL.Nat], await ic.queryCall({ canisterId: id, method: 'counters', arg: none }));
      assert.deepEqual(counters, [3n, 0n]);
      const { wasm: v2 } = await motoko(canisterSource('stable_state_v2.mo'), { persistence, main: 'stable_state_v2.mo' });
      await ic.installCode({ canisterId: id, wasm: v2, mode: 'upgrade' });
      assert.equal(await callNat(ic, id, 'version', 'query'), 2n);
      const dump = IDL.decode([IDL.Vec(IDL.Tuple(IDL.Text, IDL.Nat))], await ic.queryCall({ canisterId: id, method: 'dump', arg: none }))[0];
      assert.deepEqual(dump, [['a', 1n], ['b', 2n], ['c', 3n]]);
      const history = IDL.decode([IDL.Vec(IDL.Text)], await ic.queryCall({ canisterId: id, method: 'history', arg: none }))[0];
      assert.deepEqual(history, ['c', 'b', 'a']);
      const after = IDL.decode([IDL.Nat, IDL.Nat], await ic.queryCall({ canisterId: id, method: 'counters', arg: none }));
      assert.deepEqual(after, [0n, 1n], 'transient hits reset, stable upgrade count is 1');
      assert.equal(IDL.decode([IDL.Text], await ic.queryCall({ canisterId: id, method: 'getTag', arg: none }))[0], 'v2');
    });

    // Factories do not depend on the persistence mode: built in one (saves a moc build of the suite).
    if (persistence === 'enhanced') {
      test('an actor class factory creates canisters with cycles and calls them', async () => {
        const ic = await Capsule.create();
        const { wasm } = await motoko(canisterSource('factory.mo', 'Child.mo'), { persistence, main: 'factory.mo' });
        const factory = await ic.createCanister({ cycles: 100_000_000_000_000n });
        await ic.installCode({ canisterId: factory, wasm });
        const perChild = 2_000_000_000_000n;
        const spawned = IDL.decode(
          [IDL.Vec(IDL.Tuple(IDL.Principal, IDL.Nat))],
          await ic.updateCall({ canisterId: factory, method: 'spawn', arg: encode([IDL.Nat, IDL.Nat], [3n, perChild]) }),
        )[0] as [Principal, bigint][];
        assert.equal(spawned.length, 3);
        assert.deepEqual(spawned.map(([, value]) => value), [0n, 11n, 22n]);
        assert.equal(new Set(spawned.map(([id]) => id.toText())).size, 3);
        const balances = IDL.decode([IDL.Vec(IDL.Tuple(IDL.Principal, IDL.Nat))], await ic.updateCall({ canisterId: factory, method: 'childBalances', arg: none }))[0] as [Principal, bigint][];
        for (const [id, balance] of balances) {
          assert.ok(balance < perChild - 500_000_000_000n && balance > perChild / 2n, `child ${id.toText()} has ${balance} cycles`);
          // Inside an execution the balance excludes the cycles prepaid for it (interface spec, 'Cycles'); the library sees the whole balance.
          const outside = await ic.getCycleBalance(id);
          assert.ok(outside >= balance && outside - balance < 100_000_000_000n, `library ${outside} vs in-canister ${balance}`);
        }
        const described = IDL.decode([IDL.Vec(IDL.Text)], await ic.updateCall({ canisterId: factory, method: 'describeAll', arg: none }))[0];
        assert.deepEqual(described, ['child0=0', 'child1=11', 'child2=22']);
        const before = await ic.getCycleBalance(spawned[0]![0]);
        await ic.updateCall({ canisterId: factory, method: 'topUp', arg: encode([IDL.Nat, IDL.Nat], [0n, 1_000_000_000n]) });
        assert.ok((await ic.getCycleBalance(spawned[0]![0])) > before, 'cycles attached to a call were accepted by the child');
      });
    }

    test('a callee trap reaches the caller as reject code 5; a reject as 4', async () => {
      const ic = await Capsule.create();
      const id = await deploy(ic, 'general.mo', persistence);
      const [code, message] = IDL.decode([IDL.Nat, IDL.Text], await ic.updateCall({ canisterId: id, method: 'callSelfBoom', arg: none }));
      assert.equal(code, 5n);
      assert.match(message as string, /boom: deliberate trap/);
      const other = await deploy(ic, 'general.mo', persistence);
      const [code2] = IDL.decode([IDL.Nat, IDL.Text], await ic.updateCall({ canisterId: id, method: 'callBoom', arg: encode([IDL.Principal], [other]) }));
      assert.equal(code2, 5n);
      const [code3, message3] = IDL.decode([IDL.Nat, IDL.Text], await ic.updateCall({ canisterId: id, method: 'callReject', arg: encode([IDL.Principal], [other]) }));
      assert.equal(code3, 4n);
      assert.equal(message3, 'rejected on purpose');
    });

    test('a trap rolls back the state change before it; an await commits', async () => {
      const ic = await Capsule.create();
      const id = await deploy(ic, 'general.mo', persistence);
      assert.equal(await callNat(ic, id, 'inc'), 1n);
      await assert.rejects(ic.updateCall({ canisterId: id, method: 'incThenTrap', arg: none }), (error: CallError) => {
        assert.equal(error.rejectCode, 5);
        assert.match(error.rejectMessage, /trap after increment/);
        assert.ok(error.backtrace && error.backtrace.length > 0, 'trap errors carry a wasm backtrace');
        return true;
      });
      assert.equal(await callNat(ic, id, 'get', 'query'), 1n);
      await assert.rejects(ic.updateCall({ canisterId: id, method: 'incAwaitThenTrap', arg: none }), CallError);
      assert.equal(await callNat(ic, id, 'get', 'query'), 2n, 'the change before the await survives, the one after rolls back');
      const logs = await ic.canisterLogs(id);
      assert.ok(logs.some((record) => /trap after await/.test(record.text)), 'traps are logged');
    });

    test("a query's writes vanish, also when it is called as an update", async () => {
      const ic = await Capsule.create();
      const id = await deploy(ic, 'general.mo', persistence);
      await callNat(ic, id, 'inc');
      assert.equal(await callNat(ic, id, 'queryWrite', 'query'), 1001n);
      assert.equal(await callNat(ic, id, 'get', 'query'), 1n);
      assert.equal(await callNat(ic, id, 'queryWrite', 'update'), 1001n);
      assert.equal(await callNat(ic, id, 'get', 'query'), 1n);
    });

    // Timers do not depend on the persistence mode either: built in one.
    if (persistence === 'enhanced') {
      // The timer's chain (global timer -> self-call of the timer job -> reply -> callback) runs in the
      // round's inner rounds, so one tick completes it, as on the IC and PocketIC.
      test('timers fire after advanceTime and one tick', async () => {
        const ic = await Capsule.create();
        const id = await deploy(ic, 'timers.mo', persistence);
        await ic.updateCall({ canisterId: id, method: 'after', arg: encode([IDL.Nat], [5n]) });
        await ic.tick(3);
        assert.equal(await callNat(ic, id, 'get', 'query'), 0n, 'not before its time');
        await ic.advanceTime(5_000_000_000n);
        await ic.tick(1);
        assert.equal(await callNat(ic, id, 'get', 'query'), 1n);
        await ic.updateCall({ canisterId: id, method: 'every', arg: encode([IDL.Nat], [2n]) });
        for (let i = 0; i < 3; i++) {
          await ic.advanceTime(2_000_000_000n);
          await ic.tick(1);
        }
        const [fired, ticks] = IDL.decode([IDL.Nat, IDL.Nat], await ic.queryCall({ canisterId: id, method: 'counters', arg: none }));
        assert.equal(fired, 1n);
        assert.equal(ticks, 3n);
      });
    }
  });
}
