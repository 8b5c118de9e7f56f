/**
 * Fluent builder of universal-canister programs (the counterpart of the IC's
 * `ic-universal-canister` `PayloadBuilder`).
 *
 * ```ts
 * prog().pushBytes('Hi').replyDataAppend().reply().build(); // 03 02000000 4869 04 05
 * prog().replyData('Hi').build();                            // the same
 * prog().caller().replyDataAppend().reply();
 * ```
 *
 * There is one method per opcode (named like the opcode, lower camel case). Methods of opcodes
 * that pop operands accept them as optional arguments: given arguments are pushed (in order)
 * before the opcode, omitted ones must already be on the stack. For `trapIfEq`/`trapIfNeq` the
 * given arguments are the *last* operands (e.g. `trapIfEq(expected, 'msg')` compares the value
 * already on the stack with `expected`).
 */

import { OP } from './ops.ts';

export { OP, OP_TABLE, ONE_WAY_ENV, CALLBACK_FUN, WRONG_TYPE_FUN, methodName, type OpInfo } from './ops.ts';
export { buildUniversalCanister } from './build.ts';
export { universalCanisterWat, importedIc0Names, type Width } from './source.ts';

/** Blob operand: raw bytes, a UTF-8 string, a byte array or a nested program. */
export type Bytes = Uint8Array | string | readonly number[] | Program;
/** Principal operand: raw bytes or anything with `toUint8Array()` (e.g. `@dfinity/principal`). */
export type PrincipalLike = Uint8Array | { toUint8Array(): Uint8Array };
export type Int64 = bigint | number;

export type CallbackPrograms = {
  /** Program run in the reply callback (default: reply with the reply payload). */
  onReply?: Bytes;
  /** Program run in the reject callback (default: reply with reject code (4 bytes LE) ++ message). */
  onReject?: Bytes;
  /** Program registered with call_on_cleanup (none by default). */
  onCleanup?: Bytes;
};

export type CallOptions = CallbackPrograms & {
  /** Argument of the call (default: `defaultOtherSide()`, a program for a callee UC). */
  args?: Bytes;
  /** Cycles attached with call_cycles_add128. */
  cycles?: bigint;
  /** Make it a bounded-wait call with this timeout (seconds). */
  timeoutSeconds?: number;
};

const utf8 = new TextEncoder();

export function toBytes(b: Bytes): Uint8Array {
  if (typeof b === 'string') return utf8.encode(b);
  if (b instanceof Program) return b.build();
  if (b instanceof Uint8Array) return b;
  return Uint8Array.from(b);
}

function principalBytes(p: PrincipalLike): Uint8Array {
  return p instanceof Uint8Array ? p : p.toUint8Array();
}

/** Splits a 128-bit amount into `[high, low]` 64-bit halves. */
export function split128(amount: bigint): [bigint, bigint] {
  if (amount < 0n || amount >= 1n << 128n) throw new RangeError(`not a u128: ${amount}`);
  return [amount >> 64n, amount & 0xffff_ffff_ffff_ffffn];
}

/** Decodes a 16-byte little-endian cycles blob (e.g. a `CyclesBalance128` reply). */
export function decodeCycles128(b: Uint8Array): bigint {
  if (b.length !== 16) throw new RangeError(`expected 16 bytes, got ${b.length}`);
  const v = new DataView(b.buffer, b.byteOffset, 16);
  return (v.getBigUint64(8, true) << 64n) | v.getBigUint64(0, true);
}

export function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, true);
  return b;
}

export function u64le(n: Int64): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, BigInt(n)), true);
  return b;
}

export class Program {
  readonly #bytes: number[] = [];

  // ---- raw encoding

  /** Appends an opcode byte. */
  op(code: number): this {
    if (!Number.isInteger(code) || code < 0 || code > 255) throw new RangeError(`bad opcode ${code}`);
    this.#bytes.push(code);
    return this;
  }

  /** Appends raw bytes (no opcode). */
  raw(bytes: Bytes): this {
    for (const b of toBytes(bytes)) this.#bytes.push(b);
    return this;
  }

  /** Appends another program. */
  append(p: Program): this {
    return this.raw(p);
  }

  build(): Uint8Array {
    return Uint8Array.from(this.#bytes);
  }

  get length(): number {
    return this.#bytes.length;
  }

  // ---- immediates

  /** PushInt (2): u32 (negative values down to -2^31 are taken as two's complement). */
  pushInt(n: number): this {
    if (!Number.isInteger(n) || n < -(2 ** 31) || n >= 2 ** 32) throw new RangeError(`not a u32: ${n}`);
    return this.op(OP.PushInt).raw(u32le(n));
  }

  /** PushInt64 (31): u64 (negative values down to -2^63 are taken as two's complement). */
  pushInt64(n: Int64): this {
    const v = BigInt(n);
    if (v < -(1n << 63n) || v >= 1n << 64n) throw new RangeError(`not a u64: ${n}`);
    return this.op(OP.PushInt64).raw(u64le(v));
  }

  /** PushBytes (3). */
  pushBytes(b: Bytes): this {
    const bytes = toBytes(b);
    return this.op(OP.PushBytes).raw(u32le(bytes.length)).raw(bytes);
  }

  // ---- helpers for optional operands
  #blob(b: Bytes | undefined): this {
    return b === undefined ? this : this.pushBytes(b);
  }
  #int(n: number | undefined): this {
    return n === undefined ? this : this.pushInt(n);
  }
  #int64(n: Int64 | undefined): this {
    return n === undefined ? this : this.pushInt64(n);
  }

  // ---- opcodes 0–97 (same numbers as the IC universal canister)

  noop(): this { return this.op(OP.Noop); }
  drop(): this { return this.op(OP.Drop); }
  replyDataAppend(data?: Bytes): this { return this.#blob(data).op(OP.ReplyDataAppend); }
  reply(): this { return this.op(OP.Reply); }
  self(): this { return this.op(OP.Self); }
  reject(msg?: Bytes): this { return this.#blob(msg).op(OP.Reject); }
  caller(): this { return this.op(OP.Caller); }
  instructionCounterIsAtLeast(n?: Int64): this { return this.#int64(n).op(OP.InstructionCounterIsAtLeast); }
  rejectMessage(): this { return this.op(OP.RejectMessage); }
  rejectCode(): this { return this.op(OP.RejectCode); }
  intToBlob(): this { return this.op(OP.IntToBlob); }
  messagePayload(): this { return this.op(OP.MessagePayload); }
  concat(): this { return this.op(OP.Concat); }
  stableSize(): this { return this.op(OP.StableSize); }
  stableGrow(pages?: number): this { return this.#int(pages).op(OP.StableGrow); }
  stableRead(offset?: number, size?: number): this { return this.#int(offset).#int(size).op(OP.StableRead); }
  stableWrite(offset?: number, data?: Bytes): this { return this.#int(offset).#blob(data).op(OP.StableWrite); }
  debugPrint(msg?: Bytes): this { return this.#blob(msg).op(OP.DebugPrint); }
  trap(msg?: Bytes): this { return this.#blob(msg).op(OP.Trap); }
  setGlobal(data?: Bytes): this { return this.#blob(data).op(OP.SetGlobal); }
  getGlobal(): this { return this.op(OP.GetGlobal); }
  badPrint(): this { return this.op(OP.BadPrint); }
  setPreUpgrade(program?: Bytes): this { return this.#blob(program).op(OP.SetPreUpgrade); }
  appendGlobal(data?: Bytes): this { return this.#blob(data).op(OP.AppendGlobal); }
  time(): this { return this.op(OP.Time); }
  cyclesAvailable(): this { return this.op(OP.CyclesAvailable); }
  cyclesBalance(): this { return this.op(OP.CyclesBalance); }
  cyclesRefunded(): this { return this.op(OP.CyclesRefunded); }
  acceptCycles(max?: Int64): this { return this.#int64(max).op(OP.AcceptCycles); }

  /**
   * CallNew (32). Without arguments: the raw opcode (pops callee, method, on_reply, on_reject).
   * With callee and method: pushes them and the callback programs (defaults: `defaultOnReply()`,
   * `defaultOnReject()`); `onCleanup` adds CallOnCleanup.
   */
  callNew(callee?: PrincipalLike, method?: Bytes, callbacks: CallbackPrograms = {}): this {
    if (callee === undefined) return this.op(OP.CallNew);
    if (method === undefined) throw new TypeError('callNew: method is required with callee');
    this.pushBytes(principalBytes(callee)).pushBytes(method);
    this.pushBytes(callbacks.onReply ?? defaultOnReply()).pushBytes(callbacks.onReject ?? defaultOnReject());
    this.op(OP.CallNew);
    return callbacks.onCleanup === undefined ? this : this.callOnCleanup(callbacks.onCleanup);
  }
  callDataAppend(data?: Bytes): this { return this.#blob(data).op(OP.CallDataAppend); }
  callCyclesAdd(amount?: Int64): this { return this.#int64(amount).op(OP.CallCyclesAdd); }
  callPerform(): this { return this.op(OP.CallPerform); }
  certifiedDataSet(data?: Bytes): this { return this.#blob(data).op(OP.CertifiedDataSet); }
  dataCertificatePresent(): this { return this.op(OP.DataCertificatePresent); }
  dataCertificate(): this { return this.op(OP.DataCertificate); }
  canisterStatus(): this { return this.op(OP.CanisterStatus); }
  setHeartbeat(program?: Bytes): this { return this.#blob(program).op(OP.SetHeartbeat); }
  acceptMessage(): this { return this.op(OP.AcceptMessage); }
  setInspectMessage(program?: Bytes): this { return this.#blob(program).op(OP.SetInspectMessage); }
  /** TrapIfEq (43): `a b msg ->`; the given arguments are the last operands. */
  trapIfEq(...last: Bytes[]): this { return this.#lastBlobs(last, 3).op(OP.TrapIfEq); }
  callOnCleanup(program?: Bytes): this { return this.#blob(program).op(OP.CallOnCleanup); }
  stableFill(offset?: number, byte?: number, length?: number): this {
    return this.#int(offset).#int(byte).#int(length).op(OP.StableFill);
  }
  stableSize64(): this { return this.op(OP.StableSize64); }
  stableGrow64(pages?: Int64): this { return this.#int64(pages).op(OP.StableGrow64); }
  stableRead64(offset?: Int64, size?: Int64): this { return this.#int64(offset).#int64(size).op(OP.StableRead64); }
  stableWrite64(offset?: Int64, data?: Bytes): this { return this.#int64(offset).#blob(data).op(OP.StableWrite64); }
  int64ToBlob(): this { return this.op(OP.Int64ToBlob); }
  cyclesAvailable128(): this { return this.op(OP.CyclesAvailable128); }
  cyclesBalance128(): this { return this.op(OP.CyclesBalance128); }
  cyclesRefunded128(): this { return this.op(OP.CyclesRefunded128); }
  acceptCycles128(high?: Int64, low?: Int64): this { return this.#int64(high).#int64(low).op(OP.AcceptCycles128); }
  callCyclesAdd128(high?: Int64, low?: Int64): this { return this.#int64(high).#int64(low).op(OP.CallCyclesAdd128); }
  msgArgDataSize(): this { return this.op(OP.MsgArgDataSize); }
  msgArgDataCopy(offset?: number, size?: number): this { return this.#int(offset).#int(size).op(OP.MsgArgDataCopy); }
  msgCallerSize(): this { return this.op(OP.MsgCallerSize); }
  msgCallerCopy(offset?: number, size?: number): this { return this.#int(offset).#int(size).op(OP.MsgCallerCopy); }
  msgRejectMsgSize(): this { return this.op(OP.MsgRejectMsgSize); }
  msgRejectMsgCopy(offset?: number, size?: number): this { return this.#int(offset).#int(size).op(OP.MsgRejectMsgCopy); }
  setGlobalTimerMethod(program?: Bytes): this { return this.#blob(program).op(OP.SetGlobalTimerMethod); }
  apiGlobalTimerSet(timestamp?: Int64): this { return this.#int64(timestamp).op(OP.ApiGlobalTimerSet); }
  incGlobalCounter(): this { return this.op(OP.IncGlobalCounter); }
  getGlobalCounter(): this { return this.op(OP.GetGlobalCounter); }
  getPerformanceCounter(type?: number): this { return this.#int(type).op(OP.GetPerformanceCounter); }
  msgMethodName(): this { return this.op(OP.MsgMethodName); }
  parsePrincipal(principal?: PrincipalLike): this {
    return (principal === undefined ? this : this.pushBytes(principalBytes(principal))).op(OP.ParsePrincipal);
  }
  setTransform(program?: Bytes): this { return this.#blob(program).op(OP.SetTransform); }
  getHttpReplyWithBody(body?: Bytes): this { return this.#blob(body).op(OP.GetHttpReplyWithBody); }
  getHttpTransformContext(): this { return this.op(OP.GetHttpTransformContext); }
  stableFill64(offset?: Int64, byte?: Int64, length?: Int64): this {
    return this.#int64(offset).#int64(byte).#int64(length).op(OP.StableFill64);
  }
  canisterVersion(): this { return this.op(OP.CanisterVersion); }
  /** TrapIfNeq (74): `a b msg ->`; the given arguments are the last operands. */
  trapIfNeq(...last: Bytes[]): this { return this.#lastBlobs(last, 3).op(OP.TrapIfNeq); }
  mintCycles(amount?: Int64): this { return this.#int64(amount).op(OP.MintCycles); }
  oneWayCallNew(callee?: PrincipalLike, method?: Bytes): this {
    if (callee !== undefined) this.pushBytes(principalBytes(callee));
    return this.#blob(method).op(OP.OneWayCallNew);
  }
  isController(principal?: PrincipalLike): this {
    return (principal === undefined ? this : this.pushBytes(principalBytes(principal))).op(OP.IsController);
  }
  cyclesBurn128(high?: Int64, low?: Int64): this { return this.#int64(high).#int64(low).op(OP.CyclesBurn128); }
  blobLength(): this { return this.op(OP.BlobLength); }
  pushEqualBytes(byte?: number, length?: number): this { return this.#int(byte).#int(length).op(OP.PushEqualBytes); }
  inReplicatedExecution(): this { return this.op(OP.InReplicatedExecution); }
  callWithBestEffortResponse(timeoutSeconds?: number): this {
    return this.#int(timeoutSeconds).op(OP.CallWithBestEffortResponse);
  }
  msgDeadline(): this { return this.op(OP.MsgDeadline); }
  memorySizeIsAtLeast(bytes?: Int64): this { return this.#int64(bytes).op(OP.MemorySizeIsAtLeast); }
  mintCycles128(high?: Int64, low?: Int64): this { return this.#int64(high).#int64(low).op(OP.MintCycles128); }
  costCall(methodNameSize?: Int64, payloadSize?: Int64): this {
    return this.#int64(methodNameSize).#int64(payloadSize).op(OP.CostCall);
  }
  costCreateCanister(): this { return this.op(OP.CostCreateCanister); }
  costHttpRequest(requestSize?: Int64, maxResBytes?: Int64): this {
    return this.#int64(requestSize).#int64(maxResBytes).op(OP.CostHttpRequest);
  }
  costSignWithEcdsa(keyName?: Bytes, curve?: number): this { return this.#blob(keyName).#int(curve).op(OP.CostSignWithEcdsa); }
  costSignWithSchnorr(keyName?: Bytes, algorithm?: number): this {
    return this.#blob(keyName).#int(algorithm).op(OP.CostSignWithSchnorr);
  }
  costVetkdDeriveKey(keyName?: Bytes, curve?: number): this { return this.#blob(keyName).#int(curve).op(OP.CostVetkdDeriveKey); }
  liquidCyclesBalance128(): this { return this.op(OP.LiquidCyclesBalance128); }
  callDataAppendCyclesAddMax(methodNameSize?: Int64, payload?: Bytes): this {
    return this.#int64(methodNameSize).#blob(payload).op(OP.CallDataAppendCyclesAddMax);
  }
  rootKey(): this { return this.op(OP.RootKey); }
  setOnLowWasmMemoryMethod(program?: Bytes): this { return this.#blob(program).op(OP.SetOnLowWasmMemoryMethod); }
  wasmMemoryGrow(pages?: number): this { return this.#int(pages).op(OP.WasmMemoryGrow); }
  costHttpRequestV2(params?: Bytes): this { return this.#blob(params).op(OP.CostHttpRequestV2); }

  // ---- Capsule extensions (128+)

  dup(): this { return this.op(OP.Dup); }
  swap(): this { return this.op(OP.Swap); }
  callPerformErrCode(): this { return this.op(OP.CallPerformErrCode); }
  /** CallNewRaw (131): call_new with raw table indices and envs (e.g. to test bad callbacks). */
  callNewRaw(callee?: PrincipalLike, method?: Bytes, replyFun?: number, replyEnv?: number, rejectFun?: number, rejectEnv?: number): this {
    if (callee !== undefined) this.pushBytes(principalBytes(callee));
    return this.#blob(method).#int(replyFun).#int(replyEnv).#int(rejectFun).#int(rejectEnv).op(OP.CallNewRaw);
  }
  callOnCleanupRaw(fun?: number, env?: number): this { return this.#int(fun).#int(env).op(OP.CallOnCleanupRaw); }
  msgCallerInfoDataSize(): this { return this.op(OP.MsgCallerInfoDataSize); }
  msgCallerInfoDataCopy(offset?: number, size?: number): this {
    return this.#int(offset).#int(size).op(OP.MsgCallerInfoDataCopy);
  }
  msgCallerInfoData(): this { return this.op(OP.MsgCallerInfoData); }
  msgCallerInfoSignerSize(): this { return this.op(OP.MsgCallerInfoSignerSize); }
  msgCallerInfoSignerCopy(offset?: number, size?: number): this {
    return this.#int(offset).#int(size).op(OP.MsgCallerInfoSignerCopy);
  }
  msgCallerInfoSigner(): this { return this.op(OP.MsgCallerInfoSigner); }
  msgMethodNameSize(): this { return this.op(OP.MsgMethodNameSize); }
  msgMethodNameCopy(offset?: number, size?: number): this { return this.#int(offset).#int(size).op(OP.MsgMethodNameCopy); }
  canisterSelfSize(): this { return this.op(OP.CanisterSelfSize); }
  canisterSelfCopy(offset?: number, size?: number): this { return this.#int(offset).#int(size).op(OP.CanisterSelfCopy); }
  subnetSelfSize(): this { return this.op(OP.SubnetSelfSize); }
  subnetSelfCopy(offset?: number, size?: number): this { return this.#int(offset).#int(size).op(OP.SubnetSelfCopy); }
  subnetSelf(): this { return this.op(OP.SubnetSelf); }
  rootKeySize(): this { return this.op(OP.RootKeySize); }
  rootKeyCopy(offset?: number, size?: number): this { return this.#int(offset).#int(size).op(OP.RootKeyCopy); }
  dataCertificateSize(): this { return this.op(OP.DataCertificateSize); }
  dataCertificateCopy(offset?: number, size?: number): this {
    return this.#int(offset).#int(size).op(OP.DataCertificateCopy);
  }
  envVarCount(): this { return this.op(OP.EnvVarCount); }
  envVarNameSize(index?: number): this { return this.#int(index).op(OP.EnvVarNameSize); }
  envVarNameCopy(index?: number, offset?: number, size?: number): this {
    return this.#int(index).#int(offset).#int(size).op(OP.EnvVarNameCopy);
  }
  envVarName(index?: number): this { return this.#int(index).op(OP.EnvVarName); }
  envVarNameExists(name?: Bytes): this { return this.#blob(name).op(OP.EnvVarNameExists); }
  envVarValueSize(name?: Bytes): this { return this.#blob(name).op(OP.EnvVarValueSize); }
  envVarValueCopy(name?: Bytes, offset?: number, size?: number): this {
    return this.#blob(name).#int(offset).#int(size).op(OP.EnvVarValueCopy);
  }
  envVarValue(name?: Bytes): this { return this.#blob(name).op(OP.EnvVarValue); }
  costSignWithEcdsaCode(keyName?: Bytes, curve?: number): this {
    return this.#blob(keyName).#int(curve).op(OP.CostSignWithEcdsaCode);
  }
  costSignWithSchnorrCode(keyName?: Bytes, algorithm?: number): this {
    return this.#blob(keyName).#int(algorithm).op(OP.CostSignWithSchnorrCode);
  }
  costVetkdDeriveKeyCode(keyName?: Bytes, curve?: number): this {
    return this.#blob(keyName).#int(curve).op(OP.CostVetkdDeriveKeyCode);
  }
  blobToInt(): this { return this.op(OP.BlobToInt); }
  blobToInt64(): this { return this.op(OP.BlobToInt64); }
  wasmMemorySize(): this { return this.op(OP.WasmMemorySize); }

  // ---- conveniences

  /** Pushes `data`, appends it to the reply and replies. */
  replyData(data: Bytes): this { return this.pushBytes(data).replyDataAppend().reply(); }
  /** Appends the blob on top of the stack to the reply and replies. */
  appendAndReply(): this { return this.replyDataAppend().reply(); }
  /** Replies with the i32 on top of the stack (4 bytes LE). */
  replyInt(): this { return this.intToBlob().appendAndReply(); }
  /** Replies with the i64 on top of the stack (8 bytes LE). */
  replyInt64(): this { return this.int64ToBlob().appendAndReply(); }
  /** CallPerform (traps if call_perform fails). */
  perform(): this { return this.callPerform(); }
  callCyclesAdd128Amount(amount: bigint): this { return this.callCyclesAdd128(...split128(amount)); }
  acceptCycles128Amount(amount: bigint): this { return this.acceptCycles128(...split128(amount)); }
  cyclesBurn128Amount(amount: bigint): this { return this.cyclesBurn128(...split128(amount)); }
  mintCycles128Amount(amount: bigint): this { return this.mintCycles128(...split128(amount)); }
  setOnLowWasmMemory(program?: Bytes): this { return this.setOnLowWasmMemoryMethod(program); }
  globalTimerSet(timestamp: Int64): this { return this.apiGlobalTimerSet(timestamp); }
  getGlobalData(): this { return this.getGlobal(); }

  /** callNew + optional cleanup, bounded wait and cycles + callDataAppend(args) + perform. */
  callSimple(callee: PrincipalLike, method: Bytes, opts: CallOptions = {}): this {
    this.callNew(callee, method, opts);
    if (opts.timeoutSeconds !== undefined) this.callWithBestEffortResponse(opts.timeoutSeconds);
    if (opts.cycles !== undefined) this.callCyclesAdd128Amount(opts.cycles);
    return this.callDataAppend(opts.args ?? defaultOtherSide()).perform();
  }
  /** An update call to another universal canister (method `update`). */
  interUpdate(callee: PrincipalLike, opts: CallOptions = {}): this { return this.callSimple(callee, 'update', opts); }
  /** A query call to another universal canister (method `query`). */
  interQuery(callee: PrincipalLike, opts: CallOptions = {}): this { return this.callSimple(callee, 'query', opts); }
  /** A call without callbacks (env 0xFFFFFFFF). */
  oneWayCall(callee: PrincipalLike, method: Bytes, payload: Bytes = new Uint8Array()): this {
    return this.oneWayCallNew(callee, method).callDataAppend(payload).perform();
  }

  #lastBlobs(last: Bytes[], arity: number): this {
    if (last.length > arity) throw new RangeError(`at most ${arity} operands`);
    for (const b of last) this.pushBytes(b);
    return this;
  }
}

/** Starts a new program. */
export function prog(): Program {
  return new Program();
}

/** Default reply callback: reply with the reply payload. */
export function defaultOnReply(): Program {
  return prog().messagePayload().replyDataAppend().reply();
}

/** Default reject callback: reply with the reject code (4 bytes LE) followed by the message. */
export function defaultOnReject(): Program {
  return prog().rejectCode().intToBlob().replyDataAppend().rejectMessage().replyDataAppend().reply();
}

/** Default callee program: reply "Hello <caller> this is <self>". */
export function defaultOtherSide(): Program {
  return prog()
    .pushBytes('Hello ').replyDataAppend()
    .caller().replyDataAppend()
    .pushBytes(' this is ').replyDataAppend()
    .self().replyDataAppend()
    .reply();
}
