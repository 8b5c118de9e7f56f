// Execution contexts of the System API (interface spec "Overview of imports": letters s, I, G, U, RQ, …).
import type { CallerInfo, CallResult, Principal } from '../state/index.ts';

export type SystemTask = 'heartbeat' | 'globalTimer' | 'onLowWasmMemory';

/** A query's data certificate, built on first use: building one may cost the round's signature. */
export type DataCertificate = () => Uint8Array | undefined;

/** What the canister may see and do in one message execution; fields exist only where they mean something. */
export type ApiContext =
  | { kind: 'start' }
  | { kind: 'init'; caller: Principal; arg: Uint8Array }
  | { kind: 'preUpgrade'; caller: Principal }
  | { kind: 'update'; caller: Principal; callerInfo?: CallerInfo; arg: Uint8Array; callContextId: number; deadline: bigint }
  | { kind: 'replicatedQuery'; caller: Principal; callerInfo?: CallerInfo; arg: Uint8Array; callContextId: number; deadline: bigint }
  | { kind: 'nonReplicatedQuery'; caller: Principal; callerInfo?: CallerInfo; arg: Uint8Array; dataCertificate: DataCertificate | undefined }
  | { kind: 'transformQuery'; caller: Principal; arg: Uint8Array }
  | { kind: 'compositeQuery'; caller: Principal; callerInfo?: CallerInfo; arg: Uint8Array; callContextId: number; dataCertificate: DataCertificate | undefined }
  | {
      kind: 'callback';
      composite: boolean;
      caller: Principal;
      callerInfo?: CallerInfo;
      callContextId: number;
      result: CallResult;
      refunded: bigint;
      deadline: bigint;
    }
  | { kind: 'cleanup'; composite: boolean; caller: Principal; callerInfo?: CallerInfo; callContextId: number; rejectCode: number }
  | { kind: 'inspectMessage'; caller: Principal; callerInfo?: CallerInfo; method: string; arg: Uint8Array }
  | { kind: 'systemTask'; task: SystemTask; callContextId: number };

export type ContextLetter =
  | 's' | 'I' | 'G' | 'U' | 'RQ' | 'NRQ' | 'TQ' | 'CQ' | 'Ry' | 'Rt' | 'CRy' | 'CRt' | 'C' | 'CC' | 'F' | 'T';

export function letterOf(context: ApiContext): ContextLetter {
  switch (context.kind) {
    case 'start':
      return 's';
    case 'init':
      return 'I';
    case 'preUpgrade':
      return 'G';
    case 'update':
      return 'U';
    case 'replicatedQuery':
      return 'RQ';
    case 'nonReplicatedQuery':
      return 'NRQ';
    case 'transformQuery':
      return 'TQ';
    case 'compositeQuery':
      return 'CQ';
    case 'callback':
      if (context.result.kind === 'reply') return context.composite ? 'CRy' : 'Ry';
      return context.composite ? 'CRt' : 'Rt';
    case 'cleanup':
      return context.composite ? 'CC' : 'C';
    case 'inspectMessage':
      return 'F';
    case 'systemTask':
      return 'T';
  }
}

/** The replica's name of an execution mode, used in "cannot be executed in … mode" traps. */
export function modeName(context: ApiContext): string {
  switch (context.kind) {
    case 'start':
      return 'start';
    case 'init':
      return 'init';
    case 'preUpgrade':
      return 'pre upgrade';
    case 'update':
      return 'update';
    case 'replicatedQuery':
      return 'replicated query';
    case 'nonReplicatedQuery':
    case 'transformQuery':
      return 'non replicated query';
    case 'compositeQuery':
      return 'composite query';
    case 'callback': {
      const base = context.result.kind === 'reply' ? 'reply callback' : 'reject callback';
      return context.composite ? `composite ${base}` : base;
    }
    case 'cleanup':
      return context.composite ? 'composite cleanup' : 'cleanup';
    case 'inspectMessage':
      return 'inspect message';
    case 'systemTask':
      return context.task === 'heartbeat' ? 'heartbeat' : context.task === 'globalTimer' ? 'global timer' : 'on low Wasm memory';
  }
}

/** Replicated contexts (in_replicated_execution = 1; logs kept; 'Debugging aids'). */
export function isReplicated(context: ApiContext): boolean {
  const letter = letterOf(context);
  return ['s', 'I', 'G', 'U', 'RQ', 'Ry', 'Rt', 'C', 'T'].includes(letter);
}

const ALL: readonly ContextLetter[] = ['I', 'G', 'U', 'RQ', 'NRQ', 'TQ', 'CQ', 'Ry', 'Rt', 'CRy', 'CRt', 'C', 'CC', 'F', 'T'];

/** Context sets shared by several System API functions (`*` in the spec's list: every context but start). */
export const CONTEXTS = {
  everywhere: ALL,
  everywhereAndStart: [...ALL, 's'],
  arg: ['I', 'U', 'RQ', 'NRQ', 'TQ', 'CQ', 'Ry', 'CRy', 'F'],
  callerInfo: ['U', 'RQ', 'NRQ', 'CQ', 'Ry', 'Rt', 'CRy', 'CRt', 'C', 'CC', 'F'],
  respond: ['U', 'RQ', 'NRQ', 'TQ', 'CQ', 'Ry', 'Rt', 'CRy', 'CRt'],
  cyclesIn: ['U', 'RQ', 'Rt', 'Ry'],
  calls: ['U', 'CQ', 'Ry', 'Rt', 'CRy', 'CRt', 'T'],
  callCycles: ['U', 'Ry', 'Rt', 'T'],
  replicatedWrite: ['I', 'G', 'U', 'Ry', 'Rt', 'C', 'T'],
  rootKey: ['I', 'G', 'U', 'RQ', 'Ry', 'Rt', 'C', 'T'],
} as const satisfies Record<string, readonly ContextLetter[]>;
