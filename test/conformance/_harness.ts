// Shared helpers of the conformance suite (a TypeScript port of ic-ref-test's groups, see
// docs/conformance.md): a Capsule subnet, universal canisters (UC) of either pointer width, calls
// that return replies or CallErrors, management calls (direct and relayed by a UC) and the
// "message hold" trick of ic-ref-test to keep call contexts open.
import assert from 'node:assert/strict';
import { HTTP_SAMPLE, inSample } from './_target.ts';
import { CallError, Principal } from '../../src/api/index.ts';
import { candid, emptySettings } from '../../src/management/index.ts';
import type { ArgOf, CanisterSettings, ManagementMethod, ResultOf } from '../../src/management/candid/index.ts';
import { buildUniversalCanister, defaultOnReject, type Program, prog, u32le, type Bytes, toBytes } from '../universal/program.ts';
import { newSubnet, OTHER_KEY, principalOf, type Subnet, submitIngress, subnetReplica, TARGET, USER_KEY } from './_target.ts';
import { HttpStatusError } from './_http_client.ts';

export { CallError, HttpStatusError, Principal, subnetReplica, TARGET };
/** A subnet of the chosen target (CAPSULE_TARGET): the library's Capsule or its HTTP stand-in. */
export type Capsule = Subnet;
export type Width = 32 | 64;
export const WIDTHS: readonly Width[] = HTTP_SAMPLE > 1 ? [32] : [32, 64];
export { HTTP_SAMPLE, inSample };

/** The default user (controller of everything the helpers create) and a second user: principals of Ed25519 keys. */
export const USER = principalOf(USER_KEY);
export const OTHER = principalOf(OTHER_KEY);
export const ANONYMOUS = Principal.anonymous();
export const MGMT = Principal.fromUint8Array(new Uint8Array(0));
/** An id in no subnet's range that no canister has (ic-ref-test's `doesn'tExist`). */
export const DOES_NOT_EXIST = Principal.fromUint8Array(new Uint8Array([0xde, 0xad, 0xbe, 0xef, 1, 1]));
/** The Candid encoding of `()`. */
export const EMPTY_CANDID = new Uint8Array([0x44, 0x49, 0x44, 0x4c, 0x00, 0x00]);

const utf8 = new TextEncoder();
export const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
export const bytes = (s: string): Uint8Array => utf8.encode(s);
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

export function u64(b: Uint8Array): bigint {
  assert.equal(b.length, 8, `expected 8 bytes, got ${b.length}`);
  return new DataView(b.buffer, b.byteOffset).getBigUint64(0, true);
}
export function u32(b: Uint8Array): number {
  assert.equal(b.length, 4, `expected 4 bytes, got ${b.length}`);
  return new DataView(b.buffer, b.byteOffset).getUint32(0, true);
}
export function u128(b: Uint8Array): bigint {
  assert.equal(b.length, 16, `expected 16 bytes, got ${b.length}`);
  const v = new DataView(b.buffer, b.byteOffset);
  return (v.getBigUint64(8, true) << 64n) | v.getBigUint64(0, true);
}

/** A fresh subnet of the chosen target; `free` unless a test is about cycles. Fixed seed: runs are reproducible. */
export function newCapsule(costSchedule: 'free' | 'application' = 'free'): Promise<Capsule> {
  return newSubnet(costSchedule);
}

export function ucWasm(width: Width): Promise<Uint8Array> {
  return buildUniversalCanister(width);
}

export interface CreateOptions {
  cycles?: bigint;
  controllers?: Principal[];
  sender?: Principal;
}

export function create(c: Capsule, options: CreateOptions = {}): Promise<Principal> {
  return c.createCanister({ sender: options.sender ?? USER, cycles: options.cycles ?? 1n << 60n, controllers: options.controllers });
}

/** Creates a canister and installs the UC with `init` as its init program (ic-ref-test `install`). */
export async function install(c: Capsule, width: Width, init: Bytes = prog(), options: CreateOptions = {}): Promise<Principal> {
  const id = await create(c, options);
  await installAt(c, id, width, init, options.sender);
  return id;
}

export async function installAt(c: Capsule, id: Principal, width: Width, init: Bytes = prog(), sender = USER): Promise<void> {
  await c.installCode({ canisterId: id, wasm: await ucWasm(width), arg: toBytes(init), sender });
}

export async function reinstall(c: Capsule, id: Principal, width: Width, init: Bytes = prog(), sender = USER): Promise<void> {
  await c.installCode({ canisterId: id, wasm: await ucWasm(width), arg: toBytes(init), mode: 'reinstall', sender });
}

export async function upgrade(c: Capsule, id: Principal, width: Width, postUpgrade: Bytes = prog(), options: { sender?: Principal; skipPreUpgrade?: boolean } = {}): Promise<void> {
  await c.installCode({
    canisterId: id,
    wasm: await ucWasm(width),
    arg: toBytes(postUpgrade),
    mode: 'upgrade',
    sender: options.sender ?? USER,
    skipPreUpgrade: options.skipPreUpgrade,
  });
}

/** An ingress update call running `program` on the UC's `update` method. */
export function call(c: Capsule, id: Principal, program: Bytes, sender = USER): Promise<Uint8Array> {
  return c.updateCall({ canisterId: id, method: 'update', arg: toBytes(program), sender });
}

/** An ingress update call to the UC's `query` method (replicated query). */
export function callToQuery(c: Capsule, id: Principal, program: Bytes, sender = USER): Promise<Uint8Array> {
  return c.updateCall({ canisterId: id, method: 'query', arg: toBytes(program), sender });
}

/** A non-replicated query of the UC's `query` method. */
export function query(c: Capsule, id: Principal, program: Bytes, sender = USER): Promise<Uint8Array> {
  return c.queryCall({ canisterId: id, method: 'query', arg: toBytes(program), sender });
}

export function compositeQuery(c: Capsule, id: Principal, program: Bytes, sender = USER): Promise<Uint8Array> {
  return c.queryCall({ canisterId: id, method: 'composite_query', arg: toBytes(program), sender });
}

/** Awaits a call that must be rejected with one of `codes`; returns the error. */
export async function rejects(promise: Promise<unknown>, codes: number | number[], pattern?: RegExp | string): Promise<CallError> {
  const expected = Array.isArray(codes) ? codes : [codes];
  let error: unknown;
  try {
    const reply = await promise;
    assert.fail(`expected a reject with code ${expected.join(' or ')}, got a reply ${reply instanceof Uint8Array ? JSON.stringify(text(reply)) : String(reply)}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    error = e;
  }
  assert.ok(error instanceof CallError, `expected a CallError, got ${String(error)}`);
  assert.ok(expected.includes(error.rejectCode), `reject code ${error.rejectCode} (expected ${expected.join(' or ')}): ${error.rejectMessage}`);
  if (pattern !== undefined) {
    if (typeof pattern === 'string') assert.ok(error.rejectMessage.includes(pattern), `message ${JSON.stringify(error.rejectMessage)} lacks ${JSON.stringify(pattern)}`);
    else assert.match(error.rejectMessage, pattern);
  }
  return error;
}

/**
 * A request for a canister id outside the subnet's ranges: in-process the replica rejects it with
 * `codes`; over HTTP the URL's effective canister id already fails (400, interface spec
 * "Effective canister id") before the replica sees the request.
 */
export async function rejectsOutsideSubnet(promise: Promise<unknown>, codes: number | number[]): Promise<void> {
  if (TARGET !== 'http') return void (await rejects(promise, codes));
  await assert.rejects(promise, (e: unknown) => e instanceof HttpStatusError && e.status === 400 && e.body.includes('is not in the canister ranges'));
}

export async function isText(promise: Promise<Uint8Array>, expected: string): Promise<void> {
  assert.equal(text(await promise), expected);
}

// ---- programs

/** Replies with `i32 0 ‖ payload` (ic-ref-test `relayReply`). */
export function relayReply(): Program {
  return prog().pushBytes(u32le(0)).replyDataAppend().messagePayload().replyDataAppend().reply();
}

/** Replies with `i32 code ‖ message` (ic-ref-test `relayReject`). */
export function relayReject(): Program {
  return defaultOnReject();
}

export type Relayed = { kind: 'reply'; payload: Uint8Array } | { kind: 'reject'; code: number; message: string };

/** Decodes a relayed response (ic-ref-test `isRelay`). */
export function relayed(b: Uint8Array): Relayed {
  assert.ok(b.length >= 4, `relayed response too short: ${b.length}`);
  const code = u32(b.subarray(0, 4));
  if (code === 0) return { kind: 'reply', payload: b.slice(4) };
  return { kind: 'reject', code, message: text(b.subarray(4)) };
}

export function isRelayReply(b: Uint8Array): Uint8Array {
  const r = relayed(b);
  assert.equal(r.kind, 'reply', r.kind === 'reject' ? `relayed reject ${r.code}: ${r.message}` : '');
  return (r as { payload: Uint8Array }).payload;
}

export function isRelayReject(b: Uint8Array, codes: number | number[]): string {
  const r = relayed(b);
  const expected = Array.isArray(codes) ? codes : [codes];
  assert.equal(r.kind, 'reject', 'expected a relayed reject');
  const { code, message } = r as { code: number; message: string };
  assert.ok(expected.includes(code), `relayed reject code ${code} (expected ${expected.join(' or ')}): ${message}`);
  return message;
}

/** The UC program that called it replies "Hello <caller> this is <self>" (ic-ref-test `defaultOtherSide`). */
export function helloFrom(caller: Principal, callee: Principal): Uint8Array {
  return new Uint8Array(Buffer.concat([bytes('Hello '), caller.toUint8Array(), bytes(' this is '), callee.toUint8Array()]));
}

export interface InterCallArgs {
  otherSide?: Bytes;
  onReply?: Bytes;
  onReject?: Bytes;
  onCleanup?: Bytes;
  cycles?: bigint;
  timeoutSeconds?: number;
}

/** ic-ref-test `inter_call`: call `method` of `callee` with `otherSide` as argument, relay the answer. */
export function interCall(callee: Principal | Uint8Array, method: string, args: InterCallArgs = {}): Program {
  const p = prog().callNew(callee, method, {
    onReply: args.onReply ?? relayReply(),
    onReject: args.onReject ?? relayReject(),
    onCleanup: args.onCleanup,
  });
  if (args.timeoutSeconds !== undefined) p.callWithBestEffortResponse(args.timeoutSeconds);
  p.callDataAppend(args.otherSide ?? prog().pushBytes('Hello ').replyDataAppend().caller().replyDataAppend().pushBytes(' this is ').replyDataAppend().self().replyDataAppend().reply());
  if (args.cycles !== undefined && args.cycles > 0n) p.callCyclesAdd128Amount(args.cycles);
  return p.callPerform();
}

export const interUpdate = (callee: Principal, args: InterCallArgs = {}): Program => interCall(callee, 'update', args);
export const interQuery = (callee: Principal, args: InterCallArgs = {}): Program => interCall(callee, 'query', args);

// ---- the management canister

export function settings(partial: Partial<CanisterSettings> = {}): CanisterSettings {
  return { ...emptySettings(), ...partial };
}

/** A management call as an ingress message; returns the decoded result. */
export async function mgmt<M extends ManagementMethod>(c: Capsule, method: M, arg: ArgOf<M>, sender = USER): Promise<ResultOf<M>> {
  const reply = await c.callManagement(method, candid.encodeManagementArg(method, arg), sender);
  return candid.decodeManagementResult(method, reply);
}

/** A management call as an ingress message that must be rejected. */
export function mgmtRejects<M extends ManagementMethod>(c: Capsule, method: M, arg: ArgOf<M>, codes: number | number[], sender = USER): Promise<CallError> {
  return rejects(c.callManagement(method, candid.encodeManagementArg(method, arg), sender), codes);
}

/** The UC `via` calls the management canister (ic-ref-test `ic00viaWithCycles`); the relayed answer. */
export async function viaRaw<M extends ManagementMethod>(c: Capsule, via: Principal, method: M, arg: ArgOf<M>, cycles = 0n): Promise<Relayed> {
  const p = prog()
    .callNew(MGMT, method, { onReply: relayReply(), onReject: relayReject() })
    .callDataAppend(candid.encodeManagementArg(method, arg));
  if (cycles > 0n) p.callCyclesAdd128Amount(cycles);
  return relayed(await call(c, via, p.callPerform()));
}

export async function via<M extends ManagementMethod>(c: Capsule, through: Principal, method: M, arg: ArgOf<M>, cycles = 0n): Promise<ResultOf<M>> {
  const r = await viaRaw(c, through, method, arg, cycles);
  assert.equal(r.kind, 'reply', r.kind === 'reject' ? `management ${method} rejected (${r.code}): ${r.message}` : '');
  return candid.decodeManagementResult(method, (r as { payload: Uint8Array }).payload);
}

export async function viaRejects<M extends ManagementMethod>(c: Capsule, through: Principal, method: M, arg: ArgOf<M>, codes: number | number[], cycles = 0n): Promise<string> {
  const r = await viaRaw(c, through, method, arg, cycles);
  const expected = Array.isArray(codes) ? codes : [codes];
  assert.equal(r.kind, 'reject', `management ${method} unexpectedly replied`);
  const { code, message } = r as { code: number; message: string };
  assert.ok(expected.includes(code), `reject code ${code} (expected ${expected.join(' or ')}): ${message}`);
  return message;
}

export function status(c: Capsule, id: Principal, sender = USER) {
  return mgmt(c, 'canister_status', { canister_id: id }, sender);
}

export async function statusKind(c: Capsule, id: Principal): Promise<string> {
  return Object.keys((await status(c, id)).status)[0]!;
}

export function setControllers(c: Capsule, id: Principal, controllers: Principal[], sender = USER) {
  return mgmt(c, 'update_settings', { canister_id: id, settings: settings({ controllers: [controllers] }), sender_canister_version: [] }, sender);
}

export function stop(c: Capsule, id: Principal, sender = USER) {
  return mgmt(c, 'stop_canister', { canister_id: id }, sender);
}

export function start(c: Capsule, id: Principal, sender = USER) {
  return mgmt(c, 'start_canister', { canister_id: id }, sender);
}

export function uninstall(c: Capsule, id: Principal, sender = USER) {
  return mgmt(c, 'uninstall_code', { canister_id: id, sender_canister_version: [] }, sender);
}

// ---- ingress without waiting (to keep calls open while a test does something else)

export interface Pending {
  messageId: string;
}

/**
 * Submits an ingress message and returns at once (over HTTP: a v2 call whose answer the next
 * operation on `c` waits for); `settle` waits for its outcome.
 */
export function submit(c: Capsule, receiver: Principal, method: string, arg: Bytes, sender = USER): Pending {
  return { messageId: submitIngress(c, { sender, receiver, method, arg: toBytes(arg) }) };
}

export type Outcome = { kind: 'pending' } | { kind: 'reply'; payload: Uint8Array } | { kind: 'reject'; code: number; message: string };

/** The status of a submitted message, read from the replica (synchronous in both targets). */
export function outcome(c: Capsule, pending: Pending): Outcome {
  const s = subnetReplica(c).ingressStatus(pending.messageId);
  if (s?.status === 'replied') return { kind: 'reply', payload: s.reply };
  if (s?.status === 'rejected') return { kind: 'reject', code: s.code, message: s.message };
  return { kind: 'pending' };
}

/** Runs rounds until the message completes (at most `rounds`). */
export async function settle(c: Capsule, pending: Pending, rounds = 100): Promise<Outcome> {
  for (let i = 0; i < rounds; i++) {
    const o = outcome(c, pending);
    if (o.kind !== 'pending') return o;
    await c.tick(1);
  }
  return outcome(c, pending);
}

export function isPending(c: Capsule, pending: Pending): void {
  const o = outcome(c, pending);
  assert.equal(o.kind, 'pending', `expected the call to be pending, got ${JSON.stringify(o.kind === 'reject' ? o : o.kind)}`);
}

export function isReplyOutcome(o: Outcome): Uint8Array {
  assert.equal(o.kind, 'reply', o.kind === 'reject' ? `rejected (${o.code}): ${o.message}` : 'still pending');
  return (o as { payload: Uint8Array }).payload;
}

export function isRejectOutcome(o: Outcome, codes: number | number[]): string {
  const expected = Array.isArray(codes) ? codes : [codes];
  assert.equal(o.kind, 'reject', `expected a reject, got ${o.kind}`);
  const { code, message } = o as { code: number; message: string };
  assert.ok(expected.includes(code), `reject code ${code} (expected ${expected.join(' or ')}): ${message}`);
  return message;
}

/**
 * ic-ref-test's message hold: a canister that controls itself and asks to be stopped waits
 * forever (it has an open call context: the stop request's own caller). `hold` is a program that
 * makes a call which is answered only after `release()` (start_canister rejects the pending stop).
 */
export async function messageHold(c: Capsule, width: Width): Promise<{ hold: Program; release: () => Promise<void>; holder: Principal }> {
  const holder = await install(c, width);
  await setControllers(c, holder, [USER, holder]);
  const stopSelf = prog()
    .callNew(MGMT, 'stop_canister', { onReply: prog().trap('messageHold: stopping succeeded?'), onReject: prog().reply() })
    .callDataAppend(candid.encodeManagementArg('stop_canister', { canister_id: holder }))
    .callPerform();
  const hold = interUpdate(holder, { otherSide: stopSelf, onReply: prog().reply() });
  return { hold, holder, release: async () => void (await start(c, holder)) };
}

/** Submits `program` to `id`'s update method and runs rounds until the call is waiting (not done). */
export async function submitHeld(c: Capsule, id: Principal, program: Bytes, sender = USER): Promise<Pending> {
  const p = submit(c, id, 'update', program, sender);
  await c.tick(3);
  isPending(c, p);
  return p;
}

/** Log texts of a canister (debug prints and traps). */
export async function logTexts(c: Capsule, id: Principal): Promise<string[]> {
  return (await c.canisterLogs(id)).map((r) => r.text);
}
