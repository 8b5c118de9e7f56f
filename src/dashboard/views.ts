// The dashboard's JSON: what the replica holds now (its canisters) and what it recorded of its last rounds
// (their timing, the calls they carried and the call graph those calls draw). Amounts are decimal strings.
import { type CallRecord, canisterLogs, canisterViews, type Replica } from '../replica/index.ts';
import { callGraph } from './call_graph.ts';

/** Rounds the call graph and the message list look back over. */
const GRAPH_ROUNDS = 100n;
const LOG_LINES = 200;

export function overview(replica: Replica): unknown {
  const state = replica.state;
  const calls = replica.recorder.calls();
  const since = state.round > GRAPH_ROUNDS ? state.round - GRAPH_ROUNDS : 0n;
  const recent = calls.filter((call) => call.round > since || call.answeredRound === undefined).map(callView);
  const canisters = canisterViews(state);
  return {
    subnet: state.config.subnetId.toText(),
    round: state.round,
    time: state.time,
    canisters,
    rounds: replica.recorder.timings(),
    calls: recent.slice(-100).reverse(),
    graph: callGraph(recent, new Set(canisters.map((canister) => canister.id))),
  };
}

/** A canister's log and the traps of its recent calls, whose backtraces the log records do not hold. */
export function logs(replica: Replica, canisterId: string): unknown {
  const lines = canisterLogs(replica.state, canisterId, LOG_LINES);
  if (!lines) return undefined;
  const trapped = (call: CallRecord) => call.outcome?.kind === 'reject' && call.outcome.backtrace !== undefined && call.callee.toText() === canisterId;
  return { canister: canisterId, logs: lines, traps: replica.recorder.calls().filter(trapped).slice(-20).reverse().map(callView) };
}

export type CallView = Omit<CallRecord, 'caller' | 'callee'> & { readonly caller: string; readonly callee: string };

function callView(call: CallRecord): CallView {
  return { ...call, caller: call.caller.toText(), callee: call.callee.toText() };
}

/** JSON with bigints as decimal strings and absent fields left out. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, field: unknown) => (typeof field === 'bigint' ? field.toString() : field));
}
