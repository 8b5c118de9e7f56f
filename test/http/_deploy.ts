// Creating and installing a canister with hand-built v4 calls (provisional_create_canister_with_cycles
// through an effective canister id in the subnet's range, then install_code).
import assert from 'node:assert/strict';
import { IDL } from '@dfinity/candid';
import { Principal } from '@dfinity/principal';
import { hashOfMap } from '../../src/certification/index.ts';
import { canisterSource, motoko } from '../support/build.ts';
import { callContent, certifiedValue, EMPTY_ARG, envelope, post, type TestKey } from './_envelopes.ts';

export const IN_RANGE = Principal.fromText('5v3p4-iyaaa-aaaaa-qaaaa-cai');
const MANAGEMENT = new Uint8Array(0);

export interface SyncCallResult {
  readonly status: string | undefined;
  readonly reply: Uint8Array | undefined;
}

/** A v4 call by `key`; the certified status and reply. */
export async function syncCall(url: string, key: TestKey, ecid: Principal, canisterId: Uint8Array, method: string, arg: Uint8Array): Promise<SyncCallResult> {
  const content = callContent('call', canisterId, method, arg, key.principal);
  const answer = await post(url, `/api/v4/canister/${ecid.toText()}/call`, envelope(content, key));
  assert.equal(answer.status, 200, answer.text());
  const rid = hashOfMap(content);
  const status = certifiedValue(answer, ['request_status', rid, 'status']);
  return { status: status && new TextDecoder().decode(status), reply: certifiedValue(answer, ['request_status', rid, 'reply']) };
}

/** Create a canister controlled by `key` and install the Motoko canister `file` of test/canisters (importing `imports`). */
export async function deployMotoko(url: string, key: TestKey, file: string, ...imports: string[]): Promise<Principal> {
  const createArg = IDL.encode(
    [IDL.Record({ amount: IDL.Opt(IDL.Nat), settings: IDL.Opt(IDL.Record({})), specified_id: IDL.Opt(IDL.Principal) })],
    [{ amount: [10n ** 13n], settings: [], specified_id: [] }],
  );
  const created = await syncCall(url, key, IN_RANGE, MANAGEMENT, 'provisional_create_canister_with_cycles', createArg);
  assert.equal(created.status, 'replied');
  const [record] = IDL.decode([IDL.Record({ canister_id: IDL.Principal })], created.reply!) as unknown as [{ canister_id: Principal }];
  const canisterId = record.canister_id;
  const { wasm } = await motoko(canisterSource(file, ...imports), { persistence: 'enhanced', main: file });
  const installArg = IDL.encode(
    [IDL.Record({ mode: IDL.Variant({ install: IDL.Null }), canister_id: IDL.Principal, wasm_module: IDL.Vec(IDL.Nat8), arg: IDL.Vec(IDL.Nat8) })],
    [{ mode: { install: null }, canister_id: canisterId, wasm_module: wasm, arg: EMPTY_ARG }],
  );
  assert.equal((await syncCall(url, key, canisterId, MANAGEMENT, 'install_code', installArg)).status, 'replied');
  return canisterId;
}
