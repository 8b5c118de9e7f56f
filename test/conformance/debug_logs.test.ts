// Debug facilities and trap logs (ic-ref-test "debug facilities"; interface spec, 'Debugging aids': debug_print (never
// traps, not kept for non-replicated executions) and trap (message into the reject and the log);
// the management method fetch_canister_logs: records {idx, timestamp_nanos, content}, about 4 KiB kept,
// wiped by reinstall and uninstall, kept across upgrades).
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { test } from './_sampled_test.ts';
import { prog } from '../universal/program.ts';
import {
  call,
  callToQuery,
  type Capsule,
  install,
  installAt,
  interUpdate,
  isText,
  logTexts,
  newCapsule,
  query,
  reinstall,
  rejects,
  uninstall,
  upgrade,
  WIDTHS,
} from './_harness.ts';

let c: Capsule;
before(async () => {
  c = await newCapsule();
});

for (const width of WIDTHS) {
  describe(`debug facilities (wasm${width})`, () => {
    test('using debug_print', async () => {
      const id = await install(c, width);
      await isText(call(c, id, prog().debugPrint('ic-ref-test print').reply()), '');
      assert.ok((await logTexts(c, id)).includes('ic-ref-test print'));
    });
    test('using debug_print (query): works, not logged', async () => {
      const id = await install(c, width);
      await isText(query(c, id, prog().debugPrint('query print').reply()), '');
      assert.ok(!(await logTexts(c, id)).includes('query print'));
    });
    test('debug_print in a replicated query is logged', async () => {
      const id = await install(c, width);
      await callToQuery(c, id, prog().debugPrint('replicated query print').reply());
      assert.ok((await logTexts(c, id)).includes('replicated query print'));
    });
    test('using debug_print with invalid bounds does not trap', async () => {
      const id = await install(c, width);
      await isText(query(c, id, prog().badPrint().reply()), '');
      await isText(call(c, id, prog().badPrint().reply()), '');
    });
    test('explicit trap', async () => {
      const id = await install(c, width);
      const e = await rejects(call(c, id, prog().trap('trapping')), 5);
      assert.ok(e.rejectMessage.includes('trapping'), e.rejectMessage);
      assert.equal(e.errorCode, 'IC0503');
    });
    test('explicit trap (query)', async () => {
      const id = await install(c, width);
      const e = await rejects(query(c, id, prog().trap('trapping')), 5);
      assert.ok(e.rejectMessage.includes('trapping'));
    });
    test('a trap with an invalid UTF-8 message still rejects', async () => {
      const id = await install(c, width);
      await rejects(call(c, id, prog().trap(Uint8Array.from([0x66, 0xff, 0x6f]))), 5);
    });
    test('the trap message goes to the log, prints before the trap are kept', async () => {
      const id = await install(c, width);
      await rejects(call(c, id, prog().debugPrint('before').trap('log me')), 5);
      const logs = await logTexts(c, id);
      assert.ok(logs.includes('before'), JSON.stringify(logs));
      assert.ok(logs.some((l) => l.includes('log me')), JSON.stringify(logs));
    });
    test('traps in callbacks are logged', async () => {
      const id = await install(c, width);
      await rejects(call(c, id, interUpdate(id, { onReply: prog().trap('callback trap') })), 5);
      assert.ok((await logTexts(c, id)).some((l) => l.includes('callback trap')));
    });
    test('prints in init, heartbeat and timer are logged', async () => {
      const id = await install(c, width, prog().debugPrint('init').setHeartbeat(prog().debugPrint('heartbeat').setHeartbeat(prog())).setGlobalTimerMethod(prog().debugPrint('timer')).apiGlobalTimerSet(1).drop());
      await c.tick(3);
      const logs = await logTexts(c, id);
      for (const l of ['init', 'heartbeat', 'timer']) assert.ok(logs.includes(l), `${l} in ${JSON.stringify(logs)}`);
    });
    test('log records have increasing indexes and the execution time', async () => {
      const id = await install(c, width);
      await call(c, id, prog().debugPrint('a').time().int64ToBlob().setGlobal().reply());
      await call(c, id, prog().debugPrint('b').reply());
      const logs = (await c.canisterLogs(id)).filter((r) => r.text === 'a' || r.text === 'b');
      assert.equal(logs.length, 2);
      assert.ok(logs[1]!.idx > logs[0]!.idx);
      assert.ok(logs[1]!.timestampNanos >= logs[0]!.timestampNanos);
      const t = new DataView((await query(c, id, prog().getGlobal().appendAndReply())).buffer).getBigUint64(0, true);
      assert.equal(logs[0]!.timestampNanos, t);
    });
    test('logs are kept across upgrades', async () => {
      const id = await install(c, width, prog().debugPrint('v1'));
      await upgrade(c, id, width);
      assert.ok((await logTexts(c, id)).includes('v1'));
    });
    test('logs are wiped by reinstall', async () => {
      const id = await install(c, width, prog().debugPrint('v1'));
      await reinstall(c, id, width);
      assert.ok(!(await logTexts(c, id)).includes('v1'));
    });
    test('logs are wiped by uninstall', async () => {
      const id = await install(c, width, prog().debugPrint('v1'));
      await uninstall(c, id);
      await installAt(c, id, width);
      assert.ok(!(await logTexts(c, id)).includes('v1'));
    });
    test('about 4 KiB of logs are kept, the newest ones', async () => {
      const id = await install(c, width);
      for (let i = 0; i < 60; i++) await call(c, id, prog().debugPrint(`${String(i).padStart(3, '0')}${'.'.repeat(97)}`).reply());
      const logs = await c.canisterLogs(id);
      const total = logs.reduce((n, r) => n + r.content.length, 0);
      assert.ok(total <= 4096, `${total} bytes kept`);
      assert.ok(logs.at(-1)!.text.startsWith('059'));
      assert.ok(!logs.some((r) => r.text.startsWith('000')));
    });
  });
}
