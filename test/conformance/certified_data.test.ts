// Certified data (ic-ref-test "certified variables"; interface spec, 'Certified data': certified_data_set /
// data_certificate_*: at most 32 bytes, takes effect only if the execution commits, settable in
// init/pre_upgrade/post_upgrade/update/callbacks/system tasks, cleared by reinstall and uninstall;
// a data certificate is present only in the query method that is the target of an HTTP query).
// Every front end's query gives its target the latest certificate (the replica composes it), so the
// certificate a canister copies out verifies against the subnet's root key in both targets.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { lookupPath, verifyCertificate } from '../../src/certification/index.ts';
import { prog, type Program } from '../universal/program.ts';
import {
  call,
  callToQuery,
  type Capsule,
  install,
  installAt,
  interCall,
  isRelayReply,
  newCapsule,
  type Principal,
  query,
  reinstall,
  rejects,
  subnetReplica,
  text,
  u32,
  uninstall,
  upgrade,
  USER,
  WIDTHS,
} from './_harness.ts';

let c: Capsule;
before(async () => {
  c = await newCapsule();
});

const certified = (id: Principal): string => text(subnetReplica(c).canister(id)!.certifiedData);

/** A non-replicated query of the target (a real HTTP query with CAPSULE_TARGET=http). */
async function httpQuery(id: Principal, program: Program, method = 'query'): Promise<Uint8Array> {
  return c.queryCall({ canisterId: id, method, arg: program.build(), sender: USER });
}

/** A query's target gets the latest certificate: it verifies and reveals the certified data. */
async function realCertificate(id: Principal): Promise<void> {
  await call(c, id, prog().certifiedDataSet('FOO').reply());
  const bytes = await query(c, id, prog().dataCertificate().appendAndReply());
  const verified = verifyCertificate(bytes, c.rootKey);
  assert.ok(verified.ok, verified.ok ? '' : verified.message);
  const found = lookupPath(['canister', id.toUint8Array(), 'certified_data'], verified.certificate.tree);
  assert.equal(found.status, 'found');
  assert.equal(text((found as { value: Uint8Array }).value), 'FOO');
}

for (const width of WIDTHS) {
  describe(`certified variables (wasm${width})`, () => {
    test('initially empty', async () => {
      const id = await install(c, width);
      assert.equal(certified(id), '');
    });
    test('present in a query method (HTTP query)', async () => {
      const id = await install(c, width);
      assert.equal(u32(await httpQuery(id, prog().dataCertificatePresent().replyInt())), 1);
      await realCertificate(id);
    });
    test('present in a composite query method (HTTP query)', async () => {
      const id = await install(c, width);
      assert.equal(u32(await httpQuery(id, prog().dataCertificatePresent().replyInt(), 'composite_query')), 1);
    });
    test('not present in a query method called as an update', async () => {
      const id = await install(c, width);
      assert.equal(u32(await callToQuery(c, id, prog().dataCertificatePresent().replyInt())), 0);
    });
    test('not present in a query method called by a canister', async () => {
      const id = await install(c, width);
      const r = await call(c, id, interCall(id, 'query', { otherSide: prog().dataCertificatePresent().replyInt() }));
      assert.equal(u32(isRelayReply(r)), 0);
    });
    test('not present in an update method', async () => {
      const id = await install(c, width);
      assert.equal(u32(await call(c, id, prog().dataCertificatePresent().replyInt())), 0);
    });
    test('not present in a query called from a composite query', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const p = interCall(b, 'query', { otherSide: prog().dataCertificatePresent().replyInt() });
      assert.equal(u32(isRelayReply(await httpQuery(a, p, 'composite_query'))), 0);
    });
    test('not present in a composite query callback', async () => {
      const a = await install(c, width);
      const b = await install(c, width);
      const p = interCall(b, 'query', { otherSide: prog().reply(), onReply: prog().dataCertificatePresent().replyInt() });
      assert.equal(u32(await httpQuery(a, p, 'composite_query')), 0);
    });
    test('data_certificate_copy traps when no certificate is present', async () => {
      const id = await install(c, width);
      await rejects(callToQuery(c, id, prog().dataCertificate().appendAndReply()), 5);
    });
    test('set and get', async () => {
      const id = await install(c, width);
      await call(c, id, prog().certifiedDataSet('FOO').reply());
      assert.equal(certified(id), 'FOO');
    });
    test('set twice', async () => {
      const id = await install(c, width);
      await call(c, id, prog().certifiedDataSet('FOO').certifiedDataSet('BAR').reply());
      assert.equal(certified(id), 'BAR');
    });
    test('set then trap', async () => {
      const id = await install(c, width);
      await call(c, id, prog().certifiedDataSet('FOO').reply());
      await rejects(call(c, id, prog().certifiedDataSet('BAR').trap('Trapped')), 5);
      assert.equal(certified(id), 'FOO');
    });
    test('too large traps, the old value is retained', async () => {
      const id = await install(c, width);
      await call(c, id, prog().certifiedDataSet('FOO').reply());
      await rejects(call(c, id, prog().certifiedDataSet(new Uint8Array(33).fill(0x42)).reply()), 5);
      assert.equal(certified(id), 'FOO');
    });
    test('exactly 32 bytes are accepted', async () => {
      const id = await install(c, width);
      await call(c, id, prog().certifiedDataSet(new Uint8Array(32).fill(0x43)).reply());
      assert.equal(certified(id), 'C'.repeat(32));
    });
    test('may be set back to empty', async () => {
      const id = await install(c, width);
      await call(c, id, prog().certifiedDataSet('FOO').reply());
      await call(c, id, prog().certifiedDataSet('').reply());
      assert.equal(certified(id), '');
    });
    test('set in init', async () => {
      const id = await install(c, width, prog().certifiedDataSet('FOO'));
      assert.equal(certified(id), 'FOO');
    });
    test('set in pre_upgrade', async () => {
      const id = await install(c, width, prog().setPreUpgrade(prog().certifiedDataSet('FOO')));
      await upgrade(c, id, width);
      assert.equal(certified(id), 'FOO');
    });
    test('set in post_upgrade', async () => {
      const id = await install(c, width);
      await upgrade(c, id, width, prog().certifiedDataSet('FOO'));
      assert.equal(certified(id), 'FOO');
    });
    test('kept by an upgrade that does not set it', async () => {
      const id = await install(c, width, prog().certifiedDataSet('FOO'));
      await upgrade(c, id, width);
      assert.equal(certified(id), 'FOO');
    });
    test('a failed upgrade keeps the old value', async () => {
      const id = await install(c, width, prog().certifiedDataSet('FOO'));
      await rejects(upgrade(c, id, width, prog().certifiedDataSet('BAR').trap('no')), 5);
      assert.equal(certified(id), 'FOO');
    });
    test('cleared in reinstall', async () => {
      const id = await install(c, width);
      await call(c, id, prog().certifiedDataSet('FOO').reply());
      await reinstall(c, id, width);
      assert.equal(certified(id), '');
    });
    test('cleared in uninstall', async () => {
      const id = await install(c, width);
      await call(c, id, prog().certifiedDataSet('FOO').reply());
      await uninstall(c, id);
      await installAt(c, id, width);
      assert.equal(certified(id), '');
    });
    test('set in a reply callback', async () => {
      const id = await install(c, width);
      await call(c, id, interCall(id, 'query', { onReply: prog().certifiedDataSet('CB').reply() }));
      assert.equal(certified(id), 'CB');
    });
    test('set in a heartbeat', async () => {
      const id = await install(c, width, prog().setHeartbeat(prog().certifiedDataSet('HB')));
      await c.tick(2);
      assert.equal(certified(id), 'HB');
    });
    test('set in a global timer', async () => {
      const id = await install(c, width, prog().setGlobalTimerMethod(prog().certifiedDataSet('TM')).apiGlobalTimerSet(1).drop());
      await c.tick(2);
      assert.equal(certified(id), 'TM');
    });
    test('cannot be set in a query, even called as an update', async () => {
      const id = await install(c, width);
      await rejects(callToQuery(c, id, prog().certifiedDataSet('Q').reply()), 5);
      await rejects(query(c, id, prog().certifiedDataSet('Q').reply()), 5);
      assert.equal(certified(id), '');
    });
  });
}
