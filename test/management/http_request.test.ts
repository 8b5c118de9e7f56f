// The management canister's http_request: a Motoko canister makes an outcall, the library answers it
// by hand, and the canister receives the transformed response; fees, refunds and the size limits.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { IDL } from '@dfinity/candid';
import type { Principal } from '@dfinity/principal';
import { Capsule, HttpOutcallPendingError } from '../../src/api/index.ts';
import { replicaOf } from '../../src/api/testing.ts';
import { candid, handleManagementCall } from '../../src/management/index.ts';
import { canisterSource, motoko } from '../support/build.ts';

let wasm: Uint8Array;
before(async () => {
  ({ wasm } = await motoko(canisterSource('outcall.mo'), { main: 'outcall.mo' }));
});

async function deploy(ic: Capsule): Promise<Principal> {
  const canisterId = await ic.createCanister();
  await ic.installCode({ canisterId, wasm });
  return canisterId;
}

function fetchArg(url: string, cycles: bigint, maxResponseBytes: bigint | undefined, transformed: boolean): Uint8Array {
  return new Uint8Array(
    IDL.encode([IDL.Text, IDL.Nat, IDL.Opt(IDL.Nat64), IDL.Bool], [url, cycles, maxResponseBytes === undefined ? [] : [maxResponseBytes], transformed]),
  );
}

async function submitFetch(ic: Capsule, canisterId: Principal, url: string, cycles: bigint, options: { max?: bigint; transformed?: boolean } = {}) {
  const arg = fetchArg(url, cycles, options.max, options.transformed ?? true);
  const messageId = await ic.submitCall({ canisterId, method: 'fetch', arg });
  await ic.tick(2);
  return messageId;
}

async function text(ic: Capsule, messageId: string): Promise<string> {
  return IDL.decode([IDL.Text], await ic.awaitCall(messageId))[0] as string;
}

/** The fee of the interface spec for a 13-node subnet. */
function fee(requestBytes: bigint, maxResponseBytes: bigint): bigint {
  const nodes = 13n;
  return (3_000_000n + 60_000n * nodes) * nodes + (400n * requestBytes + 800n * maxResponseBytes) * nodes;
}

describe('management canister http_request', () => {
  test('an outcall waits in the state until answered, and the canister gets the transformed response', async () => {
    const ic = await Capsule.create();
    const canisterId = await deploy(ic);
    const messageId = await submitFetch(ic, canisterId, 'https://example.com/data', 30_000_000_000n);
    const [outcall] = ic.pendingHttpOutcalls();
    assert.ok(outcall);
    assert.equal(outcall.url, 'https://example.com/data');
    assert.equal(outcall.method, 'GET');
    assert.deepEqual(outcall.headers, [{ name: 'x-test', value: '1' }]);
    assert.equal(outcall.transform?.method, 'transform');
    assert.equal(outcall.canisterId.toText(), canisterId.toText());
    ic.mockHttpOutcall(outcall.id, { status: 200, headers: [{ name: 'content-type', value: 'text/plain' }], body: 'hello' });
    assert.equal(await text(ic, messageId), '200 0 hello!');
    assert.deepEqual(ic.pendingHttpOutcalls(), []);
  });

  test('without a transform the response keeps its headers', async () => {
    const ic = await Capsule.create();
    const canisterId = await deploy(ic);
    const messageId = await submitFetch(ic, canisterId, 'https://example.com/', 30_000_000_000n, { transformed: false });
    ic.mockHttpOutcall(ic.pendingHttpOutcalls()[0]!.id, { status: 201, headers: [{ name: 'a', value: 'b' }], body: 'raw' });
    assert.equal(await text(ic, messageId), '201 1 raw');
  });

  test('the fee of the interface spec is charged and the rest of the attached cycles refunded', async () => {
    const ic = await Capsule.create();
    const canisterId = await deploy(ic);
    const url = 'https://example.com/data';
    const before = await ic.getCycleBalance(canisterId);
    const messageId = await submitFetch(ic, canisterId, url, 10_000_000_000n, { max: 1000n });
    ic.mockHttpOutcall(ic.pendingHttpOutcalls()[0]!.id, { status: 200, body: 'x' });
    await text(ic, messageId);
    const spent = before - (await ic.getCycleBalance(canisterId));
    const requestBytes = BigInt(url.length + 'x-test'.length + 1 + 'transform'.length + 1);
    // Of the 10B attached, all but the fee comes back; executing the call and its callback costs a few million more.
    const charged = fee(requestBytes, 1000n);
    assert.ok(spent >= charged && spent < charged + 50_000_000n, `spent ${spent}, the fee is ${charged}`);
    const metrics = candid.decodeManagementResult('canister_metrics', await ic.callManagement('canister_metrics', candid.encodeManagementArg('canister_metrics', { canister_id: canisterId })));
    assert.equal(metrics.cycles_consumed.http_outcalls, charged);
  });

  test('too few cycles attached is rejected at once with the replica wording', async () => {
    const ic = await Capsule.create();
    const canisterId = await deploy(ic);
    const messageId = await submitFetch(ic, canisterId, 'https://example.com/', 1000n);
    assert.match(await text(ic, messageId), /^reject #canister_reject http_request request sent with 1000 cycles, but \d+ cycles are required\.$/);
    assert.deepEqual(ic.pendingHttpOutcalls(), []);
  });

  test('max_response_bytes above 2 MB is rejected', async () => {
    const ic = await Capsule.create();
    const canisterId = await deploy(ic);
    const messageId = await submitFetch(ic, canisterId, 'https://example.com/', 100_000_000_000n, { max: 2_000_001n });
    assert.equal(await text(ic, messageId), 'reject #canister_reject max_response_bytes expected to be in the range [0..2000000], got 2000001');
  });

  test('a response over max_response_bytes (headers included) is rejected with SYS_FATAL', async () => {
    const ic = await Capsule.create();
    const canisterId = await deploy(ic);
    const first = await submitFetch(ic, canisterId, 'https://example.com/', 10_000_000_000n, { max: 10n });
    ic.mockHttpOutcall(ic.pendingHttpOutcalls()[0]!.id, { status: 200, headers: [{ name: 'abcd', value: 'efg' }], body: 'four' });
    assert.equal(await text(ic, first), 'reject #system_fatal Http body exceeds size limit of 10 bytes.');
    const second = await submitFetch(ic, canisterId, 'https://example.com/', 10_000_000_000n, { max: 10n });
    ic.mockHttpOutcall(ic.pendingHttpOutcalls()[0]!.id, { status: 200, headers: [{ name: 'abcdef', value: 'ghijk' }] });
    assert.equal(await text(ic, second), 'reject #system_fatal Header size exceeds specified response size limit 10');
  });

  test('a transformed response over max_response_bytes is rejected with SYS_FATAL', async () => {
    const ic = await Capsule.create();
    const canisterId = await deploy(ic);
    const messageId = await submitFetch(ic, canisterId, 'https://example.com/', 10_000_000_000n, { max: 30n });
    ic.mockHttpOutcall(ic.pendingHttpOutcalls()[0]!.id, { status: 200, body: 'twenty-nine bytes of a body.' });
    assert.equal(await text(ic, messageId), 'reject #system_fatal Transformed http response exceeds limit: 30');
  });

  test('a mocked reject reaches the canister with its code and message', async () => {
    const ic = await Capsule.create();
    const canisterId = await deploy(ic);
    const messageId = await submitFetch(ic, canisterId, 'https://example.com/', 30_000_000_000n);
    ic.mockHttpOutcall(ic.pendingHttpOutcalls()[0]!.id, { reject: { code: 2, message: 'Connection refused' } });
    assert.equal(await text(ic, messageId), 'reject #system_transient Connection refused');
  });

  test('an update call that waits for an unanswered outcall says so instead of spinning', async () => {
    const ic = await Capsule.create();
    const canisterId = await deploy(ic);
    await assert.rejects(ic.updateCall({ canisterId, method: 'fetch', arg: fetchArg('https://example.com/', 30_000_000_000n, undefined, true) }), HttpOutcallPendingError);
    assert.throws(() => ic.mockHttpOutcall(99n, { status: 200 }), /No HTTP outcall 99/);
  });

  test('a pending outcall is part of the state hash', async () => {
    const ic = await Capsule.create();
    const canisterId = await deploy(ic);
    const before = await ic.stateHash();
    await submitFetch(ic, canisterId, 'https://example.com/', 30_000_000_000n);
    await ic.tick();
    const pending = await ic.stateHash();
    ic.mockHttpOutcall(ic.pendingHttpOutcalls()[0]!.id, { status: 200 });
    assert.notEqual(await ic.stateHash(), pending);
    assert.notEqual(pending, before);
  });

  test('a pending outcall survives a restart of its state directory and is answered after it', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'capsule-outcall-'));
    try {
      const first = await Capsule.create({ stateDir });
      const canisterId = await deploy(first);
      const messageId = await submitFetch(first, canisterId, 'https://example.com/kept', 30_000_000_000n);
      const hash = await first.stateHash();
      await first.close();
      const second = await Capsule.create({ stateDir });
      assert.equal(await second.stateHash(), hash);
      const [outcall] = second.pendingHttpOutcalls();
      assert.equal(outcall?.url, 'https://example.com/kept');
      second.mockHttpOutcall(outcall!.id, { status: 200, body: 'after restart' });
      assert.equal(await text(second, messageId), '200 0 after restart!');
      await second.close();
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  test('a request breaking the header limits or sending PUT as a replicated outcall is refused with nothing kept', async () => {
    const ic = await Capsule.create();
    const canisterId = await deploy(ic);
    const replica = replicaOf(ic);
    const refusal = (change: Partial<candid.ArgOf<'http_request'>>) => {
      const arg = candid.encodeManagementArg('http_request', {
        url: 'https://example.com/',
        max_response_bytes: [],
        method: { get: null },
        headers: [],
        body: [],
        transform: [],
        is_replicated: [],
        ...change,
      });
      const round = { env: replica.env(), outbox: [], ingressResults: [] };
      const origin = { kind: 'canister', caller: canisterId, callbackId: 1, deadline: 0n } as const;
      const outcome = handleManagementCall({ state: replica.state, round }, { sender: canisterId, method: 'http_request', arg, cycles: 100_000_000_000n, origin });
      assert.equal(outcome.kind, 'reject');
      return outcome.kind === 'reject' ? `${outcome.error.errorCode} ${outcome.error.message} refund ${outcome.refund}` : '';
    };
    const many = Array.from({ length: 65 }, (_, i) => ({ name: `h${i}`, value: 'v' }));
    assert.equal(refusal({ headers: many }), 'IC0406 number of headers 65 exceeds the limit of 64 refund 100000000000');
    assert.match(refusal({ headers: [{ name: 'big', value: 'v'.repeat(8193) }] }), /^IC0406 value of header big of 8193 bytes exceeds the limit of 8192 bytes/);
    const wide = Array.from({ length: 7 }, (_, i) => ({ name: `h${i}`, value: 'v'.repeat(8000) }));
    assert.match(refusal({ headers: wide }), /^IC0406 headers of 56014 bytes exceed the limit of 49152 bytes/);
    assert.match(refusal({ method: { put: null } }), /^IC0406 http_request method PUT is allowed only for non-replicated outcalls/);
    assert.match(refusal({ url: `https://example.com/${'a'.repeat(8192)}` }), /^IC0406 url size 8212 exceeds the limit of 8192 characters/);
    assert.match(refusal({ body: [new Uint8Array(2_000_001)] }), /^IC0406 http_request request size 2000021 exceeds the limit of 2000000 bytes/);
    assert.deepEqual(ic.pendingHttpOutcalls(), []);
  });

  test('the transform runs with the management canister as caller, and its trap reaches the canister as a reject', async () => {
    const ic = await Capsule.create();
    const canisterId = await deploy(ic);
    const withContext = async (context: string): Promise<string> => {
      const arg = new Uint8Array(IDL.encode([IDL.Text, IDL.Text], ['https://example.com/', context]));
      const messageId = await ic.submitCall({ canisterId, method: 'fetchWith', arg });
      await ic.tick(2);
      ic.mockHttpOutcall(ic.pendingHttpOutcalls()[0]!.id, { status: 200, body: 'body' });
      return IDL.decode([IDL.Text], await ic.awaitCall(messageId))[0] as string;
    };
    assert.equal(await withContext('caller'), 'body from aaaaa-aa');
    assert.match(await withContext('trap'), /^reject #canister_error .*transform refused/);
  });
});
