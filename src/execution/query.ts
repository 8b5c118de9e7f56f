// Non-replicated queries and composite queries (interface spec, 'Query call'): run on the current state, follow the
// composite call graph, then roll every touched canister back. Nothing here persists but logs.
import { type CallerInfo, type CallResult, type CanisterState, type Closure, COMPOSITE_QUERY_MAX_DEPTH, MANAGEMENT_CANISTER, type Principal, principalEquals } from '../state/index.ts';
import { canisterReject, OWN_REJECT_ERROR_CODE, rejectOf } from './call_context.ts';
import type { ApiContext, DataCertificate } from './context.ts';
import { freezingLimit } from './cycles.ts';
import { canisterError, HELP, trapToUserError, UserError } from './errors.ts';
import { execute, rollback } from './execute.ts';
import { exportName, methodKindOf } from './method.ts';
import { fromStateBeforeQuery, type JournaledExecution } from './query_isolation.ts';
import { type Entry, requestFor } from './request.ts';
import type { ExecutionEnvironment, OutgoingCall, SystemApi } from './system_api.ts';

export interface QueryRequest {
  canisterId: Principal;
  method: string;
  arg: Uint8Array;
  caller: Principal;
  /** The user request's verified `sender_info`; never present for canister callers. */
  callerInfo?: CallerInfo | undefined;
  /** Present only for the target of an HTTP query (data_certificate_present = 1, 'Certified data'). */
  dataCertificate: DataCertificate | undefined;
}

/** Answers a management-canister query method (spec 0.66: composite queries may call them). */
export type ManagementQuery = (caller: Principal, method: string, arg: Uint8Array) => CallResult;

/** A limit of the whole call graph was exceeded: the query fails, whatever its callers would do. */
class CallGraphFailure extends Error {
  readonly error: UserError;
  constructor(error: UserError) {
    super(error.message);
    this.error = error;
  }
}

/** Between the executions of a call graph, as the replica checks: a spent budget fails the whole query. */
function checkGraphBudget(graph: Graph): void {
  if (graph.budget.left > 0n) return;
  throw new CallGraphFailure(new UserError('QueryCallGraphTotalInstructionLimitExceeded', 'Composite query calls exceeded the instruction limit.'));
}

interface Graph {
  env: ExecutionEnvironment;
  management: ManagementQuery | undefined;
  lookup: (id: Principal) => CanisterState | undefined;
  journals: JournaledExecution[];
  budget: { left: bigint };
}

function checkQueryable(canister: CanisterState | undefined, id: Principal, method: string, env: ExecutionEnvironment) {
  if (!canister) return new UserError('CanisterNotFound', `Canister ${id.toText()} not found`);
  // As for ingress, the replica's query handler words this without naming the canister.
  if (!canister.wasm) return new UserError('CanisterWasmModuleNotFound', 'Requested canister has no wasm module');
  if (canister.status.kind === 'stopped') return new UserError('CanisterStopped', `Canister ${id.toText()} is stopped`);
  if (canister.status.kind === 'stopping') return new UserError('CanisterStopping', `Canister ${id.toText()} is stopping`);
  if (canister.cycles < freezingLimit(env, canister)) {
    return new UserError('CanisterOutOfCycles', `Canister ${id.toText()} is out of cycles: it is frozen`);
  }
  const kind = methodKindOf(canister, method);
  if (kind !== 'query' && kind !== 'compositeQuery') {
    return canisterError('CanisterMethodNotFound', id.toText(), `Canister has no query method '${method}'.`, HELP.methodNotFound);
  }
  return kind;
}

function run(graph: Graph, canister: CanisterState, context: ApiContext, entry: Entry, responded: boolean) {
  const outcome = execute(
    requestFor(canister, context, entry, graph.env, {
      instructions: graph.budget.left,
      responded,
      instructionsBeforeContext: graph.env.instructionLimits.query - graph.budget.left,
    }),
  );
  graph.budget.left -= outcome.instructions;
  if (outcome.ok) graph.journals.push({ canister, journal: outcome.journal });
  return outcome;
}

function responseOf(api: SystemApi): CallResult | undefined {
  if (!api.response) return undefined;
  return api.response.kind === 'reply' ? { kind: 'reply', payload: api.response.payload } : canisterReject(api.response.message);
}

function callCallee(graph: Graph, caller: CanisterState, call: OutgoingCall, depth: number): CallResult {
  if (principalEquals(call.callee, MANAGEMENT_CANISTER)) {
    if (graph.management) return graph.management(caller.id, call.method, call.arg);
    return rejectOf(new UserError('CanisterMethodNotFound', 'The management canister cannot be called from this query'));
  }
  if (depth > (graph.env.compositeQueryMaxDepth ?? COMPOSITE_QUERY_MAX_DEPTH)) {
    // The replica fails the whole query here rather than rejecting the call to its caller.
    throw new CallGraphFailure(new UserError('QueryCallGraphTooDeep', 'Composite query calls exceeded the maximum call depth.'));
  }
  // No loop detection: the replica lets a composite query call its own canister (or any canister again), which runs from its state before the query.
  const result = evaluate(graph, { canisterId: call.callee, method: call.method, arg: call.arg, caller: caller.id, dataCertificate: undefined }, depth);
  return seenByCaller(result);
}

/** The callee's failure as its calling canister sees it, "IC0503: …"; its own reject stays as it is. */
function seenByCaller(result: CallResult): CallResult {
  if (result.kind !== 'reject' || !result.errorCode || result.errorCode === OWN_REJECT_ERROR_CODE) return result;
  return { ...result, message: `${result.errorCode}: ${result.message}` };
}

function callerInfoOf(request: QueryRequest): { callerInfo?: CallerInfo } {
  return request.callerInfo ? { callerInfo: request.callerInfo } : {};
}

/** A callback runs only while its context has not responded (a response ends the walk). */
function runCallback(graph: Graph, canister: CanisterState, callContextId: number, call: OutgoingCall, result: CallResult, request: QueryRequest) {
  const closure: Closure = result.kind === 'reply' ? call.onReply : call.onReject;
  const who = { caller: request.caller, ...callerInfoOf(request) };
  const context: ApiContext = { kind: 'callback', composite: true, ...who, callContextId, result, refunded: 0n, deadline: 0n };
  const outcome = run(graph, canister, context, { kind: 'closure', closure }, false);
  if (!outcome.ok && call.onCleanup) {
    const code = result.kind === 'reject' ? result.code : 0;
    run(graph, canister, { kind: 'cleanup', composite: true, ...who, callContextId, rejectCode: code }, { kind: 'closure', closure: call.onCleanup }, false);
  }
  return outcome;
}

/** The query's result: its reply, or the reply after its composite calls, or a reject. */
function answer(graph: Graph, target: CanisterState, request: QueryRequest, outcome: ReturnType<typeof run>, depth: number): CallResult {
  if (!outcome.ok) return rejectOf(trapToUserError(outcome.trap, target.id.toText(), outcome.backtrace));
  let response = responseOf(outcome.api);
  const pending = [...outcome.api.calls];
  // As on the replica, a response ends the walk of this canister's calls: the rest cannot change it.
  while (pending.length > 0 && !response) {
    const call = pending.shift()!;
    checkGraphBudget(graph);
    const result = callCallee(graph, target, call, depth + 1);
    checkGraphBudget(graph);
    const callback = runCallback(graph, target, 0, call, result, request);
    if (callback.ok) {
      response = responseOf(callback.api);
      pending.push(...callback.api.calls);
    } else if (pending.length === 0) {
      return rejectOf(trapToUserError(callback.trap, target.id.toText(), callback.backtrace));
    }
  }
  // As for updates, the replica words a missing answer one way to a user and another to a calling canister.
  const missing = depth === 0 ? 'did not reply to the call' : 'did not produce a response';
  return response ?? rejectOf(new UserError('CanisterDidNotReply', `Canister ${target.id.toText()} ${missing}`));
}

function evaluate(graph: Graph, request: QueryRequest, depth: number): CallResult {
  const canister = graph.lookup(request.canisterId);
  const kind = checkQueryable(canister, request.canisterId, request.method, graph.env);
  if (kind instanceof UserError) return rejectOf(kind);
  return fromStateBeforeQuery(graph.journals, canister!, () => evaluateOn(graph, canister!, kind, request, depth));
}

function evaluateOn(graph: Graph, target: CanisterState, kind: 'query' | 'compositeQuery', request: QueryRequest, depth: number): CallResult {
  const context: ApiContext =
    kind === 'query'
      ? { kind: 'nonReplicatedQuery', caller: request.caller, ...callerInfoOf(request), arg: request.arg, dataCertificate: request.dataCertificate }
      : { kind: 'compositeQuery', caller: request.caller, ...callerInfoOf(request), arg: request.arg, callContextId: 0, dataCertificate: request.dataCertificate };
  const outcome = run(graph, target, context, { kind: 'export', name: exportName(kind, request.method) }, false);
  const result = answer(graph, target, request, outcome, depth);
  graph.env.queryStats?.record(target.id, outcome.instructions, request.arg.length, result.kind === 'reply' ? result.payload.length : 0);
  return result;
}

/** Runs a query (or composite query) against the current state and discards all its changes. */
export function executeQuery(
  env: ExecutionEnvironment,
  lookup: (id: Principal) => CanisterState | undefined,
  request: QueryRequest,
  management?: ManagementQuery,
): CallResult {
  const graph: Graph = { env, management, lookup, journals: [], budget: { left: env.instructionLimits.query } };
  try {
    return evaluate(graph, request, 0);
  } catch (error) {
    if (error instanceof CallGraphFailure) return rejectOf(error.error);
    throw error;
  } finally {
    for (const { canister, journal } of graph.journals.reverse()) rollback(canister, journal);
  }
}

/**
 * Runs an HTTP outcall's `transform` (interface spec, section 'IC method http_request'): a query
 * method of the calling canister, called by the management canister; its changes are discarded.
 */
export function executeTransform(env: ExecutionEnvironment, canister: CanisterState, method: string, arg: Uint8Array): CallResult {
  const kind = checkQueryable(canister, canister.id, method, env);
  if (kind instanceof UserError) return rejectOf(kind);
  const context: ApiContext = { kind: 'transformQuery', caller: MANAGEMENT_CANISTER, arg };
  const graph: Graph = { env, management: undefined, lookup: () => undefined, journals: [], budget: { left: env.instructionLimits.query } };
  try {
    const outcome = run(graph, canister, context, { kind: 'export', name: exportName('query', method) }, false);
    if (!outcome.ok) return rejectOf(trapToUserError(outcome.trap, canister.id.toText(), outcome.backtrace));
    return responseOf(outcome.api) ?? rejectOf(new UserError('CanisterDidNotReply', `Canister ${canister.id.toText()} did not reply to the call`));
  } finally {
    for (const { canister: touched, journal } of graph.journals.reverse()) rollback(touched, journal);
  }
}
