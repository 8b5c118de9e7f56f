// What a live view of the replica shows of its last rounds: their timing, and the calls they carried (ingress
// and between canisters) with their outcomes. Bounded, kept beside the state: never replicated, persisted or
// hashed, so recording changes no round.
import type { IngressMessage } from '../scheduler/index.ts';
import type { CallResult, CanisterMessage, Principal, SubnetState } from '../state/index.ts';

/** One round's wall-clock cost: executing it, then making it durable (the after-round hooks). */
export interface RoundTiming {
  readonly round: bigint;
  /** The round's time (ns since the epoch). */
  readonly time: bigint;
  readonly executionMs: number;
  readonly commitMs: number;
  /** Calls made or answered in the round. */
  readonly calls: number;
}

export type CallOutcome =
  | { readonly kind: 'reply'; readonly bytes: number }
  | { readonly kind: 'reject'; readonly code: number; readonly message: string; readonly backtrace?: readonly string[] };

/** A call by a user (ingress) or a canister, from the round that made it to the round that answered it. */
export interface CallRecord {
  /** Increases with every call recorded. */
  readonly sequence: number;
  readonly kind: 'ingress' | 'canister';
  readonly round: bigint;
  /** Principals as routed: their text is made only when read (routing a message pays no base32). */
  readonly caller: Principal;
  readonly callee: Principal;
  readonly method: string;
  readonly cycles: bigint;
  answeredRound: bigint | undefined;
  outcome: CallOutcome | undefined;
}

export interface RoundRecorderLimits {
  /** Rounds whose timing is kept (idle ones too). */
  readonly rounds: number;
  /** Calls kept, newest last. */
  readonly calls: number;
}

const DEFAULT_LIMITS: RoundRecorderLimits = { rounds: 120, calls: 500 };

export class RoundRecorder {
  readonly #limits: RoundRecorderLimits;
  readonly #timings: RoundTiming[] = [];
  readonly #calls: CallRecord[] = [];
  /** Unanswered calls, by ingress message id or by caller and callback id. */
  readonly #open = new Map<string, CallRecord>();
  /** The key of each unanswered call in `#open`. */
  readonly #keys = new Map<CallRecord, string>();
  readonly #listeners = new Set<(timing: RoundTiming) => void>();
  #sequence = 0;
  #round = 0n;
  #touched = 0;
  #canisterCount = 0;

  constructor(limits: RoundRecorderLimits = DEFAULT_LIMITS) {
    this.#limits = limits;
  }

  /** The timing of the last rounds, oldest first. */
  timings(): readonly RoundTiming[] {
    return this.#timings;
  }

  /** The last calls, oldest first. */
  calls(): readonly CallRecord[] {
    return this.#calls;
  }

  /** Tells `listener` about every round that made, answered or created something; returns how to stop. */
  onActiveRound(listener: (timing: RoundTiming) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A round starts with these ingress messages. */
  startRound(round: bigint, ingress: readonly IngressMessage[]): void {
    this.#round = round;
    this.#touched = 0;
    for (const message of ingress) {
      this.#add(`ingress:${message.messageId}`, { kind: 'ingress', caller: message.sender, callee: message.receiver, method: message.method, cycles: 0n });
    }
  }

  /** A message the round routes. */
  message(message: CanisterMessage): void {
    if (message.kind === 'request') {
      if (message.origin.kind !== 'canister') return;
      const key = `call:${message.origin.caller.toHex()}:${message.origin.callbackId}`;
      this.#add(key, { kind: 'canister', caller: message.caller, callee: message.receiver, method: message.method, cycles: message.cycles });
      return;
    }
    this.#answer(`call:${message.receiver.toHex()}:${message.callbackId}`, message.result);
  }

  /** The round ended: ingress answers are read from the ingress history, listeners told if anything happened. */
  endRound(state: SubnetState, executionMs: number, commitMs: number): void {
    for (const [key, record] of this.#open) {
      if (record.kind !== 'ingress') continue;
      const status = state.ingress.get(key.slice('ingress:'.length));
      if (status?.status === 'replied') this.#answer(key, { kind: 'reply', payload: status.reply });
      else if (status?.status === 'rejected') this.#answer(key, { kind: 'reject', code: status.code, message: status.message, ...(status.backtrace ? { backtrace: status.backtrace } : {}) });
      else if (status === undefined || status.status === 'done') this.#close(record);
    }
    const timing: RoundTiming = { round: state.round, time: state.time, executionMs, commitMs, calls: this.#touched };
    push(this.#timings, timing, this.#limits.rounds);
    const created = this.#canisterCount !== state.canisters.size;
    this.#canisterCount = state.canisters.size;
    if (this.#touched === 0 && !created) return;
    for (const listener of this.#listeners) listener(timing);
  }

  #add(key: string, call: Pick<CallRecord, 'kind' | 'caller' | 'callee' | 'method' | 'cycles'>): void {
    const record: CallRecord = { sequence: ++this.#sequence, round: this.#round, ...call, answeredRound: undefined, outcome: undefined };
    this.#touched++;
    this.#open.set(key, record);
    this.#keys.set(record, key);
    const dropped = push(this.#calls, record, this.#limits.calls);
    // A call dropped before its answer: its answer is not waited for any more.
    if (dropped) this.#close(dropped);
  }

  #answer(key: string, result: CallResult): void {
    const record = this.#open.get(key);
    if (!record) return;
    this.#close(record);
    this.#touched++;
    record.answeredRound = this.#round;
    record.outcome =
      result.kind === 'reply'
        ? { kind: 'reply', bytes: result.payload.length }
        : { kind: 'reject', code: result.code, message: result.message, ...(result.backtrace ? { backtrace: result.backtrace } : {}) };
  }

  #close(record: CallRecord): void {
    const key = this.#keys.get(record);
    if (key === undefined) return;
    this.#keys.delete(record);
    this.#open.delete(key);
  }
}

/** Appends, dropping the oldest beyond `limit`; returns the dropped item. */
function push<T>(list: T[], item: T, limit: number): T | undefined {
  list.push(item);
  return list.length > limit ? list.shift() : undefined;
}
