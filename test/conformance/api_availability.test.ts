// API availability (ic-ref-test "API availability"): every ic0 function in every entry point.
// Allowed → the call works; otherwise it traps with `"ic0_<name>" cannot be executed in <mode> mode`.
// The allowed sets are the interface spec's "Overview of imports" table, written
// out here independently of Capsule's own table (src/execution/context.ts). Run for wasm32 and wasm64.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { prog, type Program } from '../universal/program.ts';
import {
  CallError,
  type Capsule,
  call,
  callToQuery,
  create,
  inSample,
  installAt,
  logTexts,
  mgmt,
  newCapsule,
  type Principal,
  query,
  reinstall,
  settings,
  text,
  upgrade,
  USER,
  type Width,
  WIDTHS,
} from './_harness.ts';

type Letter = 'I' | 'G' | 'U' | 'RQ' | 'NRQ' | 'TQ' | 'CQ' | 'Ry' | 'Rt' | 'CRy' | 'CRt' | 'C' | 'CC' | 'F' | 'T';

/** `*` of the spec: every context except `(start)`. */
const STAR: Letter[] = ['I', 'G', 'U', 'RQ', 'NRQ', 'TQ', 'CQ', 'Ry', 'Rt', 'CRy', 'CRt', 'C', 'CC', 'F', 'T'];
const ARG: Letter[] = ['I', 'U', 'RQ', 'NRQ', 'TQ', 'CQ', 'Ry', 'CRy', 'F'];
const CALLER_INFO: Letter[] = ['U', 'RQ', 'NRQ', 'CQ', 'Ry', 'Rt', 'CRy', 'CRt', 'C', 'CC', 'F'];
const RESPOND: Letter[] = ['U', 'RQ', 'NRQ', 'TQ', 'CQ', 'Ry', 'Rt', 'CRy', 'CRt'];
const CYCLES_IN: Letter[] = ['U', 'RQ', 'Rt', 'Ry'];
const REFUND: Letter[] = ['Rt', 'Ry'];
const CALLS: Letter[] = ['U', 'CQ', 'Ry', 'Rt', 'CRy', 'CRt', 'T'];
const CALL_CYCLES: Letter[] = ['U', 'Ry', 'Rt', 'T'];
const REPLICATED: Letter[] = ['I', 'G', 'U', 'RQ', 'Ry', 'Rt', 'C', 'T'];

interface Fn {
  name: string;
  allowed: Letter[];
  /** Appends the call (leaving the stack empty). */
  call: (p: Program) => Program;
  /** Appended before `call` in allowed contexts only (e.g. call_new before call_data_append). */
  setup?: (p: Program) => Program;
  only32?: boolean;
  effect?: 'replies' | 'rejects' | 'accepts' | 'traps';
}

/** A pending one-way call to the canister's own `query` method (the callbacks do nothing). */
const oneWayCall = (p: Program) => p.self().pushBytes('query').oneWayCallNew();

const FUNCTIONS: Fn[] = [
  // 'Method arguments': message data, caller, reject info
  { name: 'msg_arg_data_size', allowed: ARG, call: (p) => p.msgArgDataSize().drop() },
  { name: 'msg_arg_data_copy', allowed: ARG, call: (p) => p.msgArgDataCopy(0, 0).drop() },
  { name: 'msg_caller_size', allowed: STAR, call: (p) => p.msgCallerSize().drop() },
  { name: 'msg_caller_copy', allowed: STAR, call: (p) => p.msgCallerCopy(0, 0).drop() },
  { name: 'msg_caller_info_data_size', allowed: CALLER_INFO, call: (p) => p.msgCallerInfoDataSize().drop() },
  { name: 'msg_caller_info_data_copy', allowed: CALLER_INFO, call: (p) => p.msgCallerInfoDataCopy(0, 0).drop() },
  { name: 'msg_caller_info_signer_size', allowed: CALLER_INFO, call: (p) => p.msgCallerInfoSignerSize().drop() },
  { name: 'msg_caller_info_signer_copy', allowed: CALLER_INFO, call: (p) => p.msgCallerInfoSignerCopy(0, 0).drop() },
  { name: 'msg_reject_code', allowed: ['Ry', 'Rt', 'CRy', 'CRt', 'C'], call: (p) => p.rejectCode().drop() },
  { name: 'msg_reject_msg_size', allowed: ['Rt', 'CRt'], call: (p) => p.msgRejectMsgSize().drop() },
  { name: 'msg_reject_msg_copy', allowed: ['Rt', 'CRt'], call: (p) => p.msgRejectMsgCopy(0, 0).drop() },
  { name: 'msg_deadline', allowed: ['U', 'RQ', 'NRQ', 'CQ', 'Ry', 'Rt', 'CRy', 'CRt'], call: (p) => p.msgDeadline().drop() },
  { name: 'msg_method_name_size', allowed: ['F'], call: (p) => p.msgMethodNameSize().drop() },
  { name: 'msg_method_name_copy', allowed: ['F'], call: (p) => p.msgMethodNameCopy(0, 0).drop() },
  { name: 'accept_message', allowed: ['F'], call: (p) => p.acceptMessage(), effect: 'accepts' },
  // 'Responding'
  { name: 'msg_reply_data_append', allowed: RESPOND, call: (p) => p.replyDataAppend('x') },
  { name: 'msg_reply', allowed: RESPOND, call: (p) => p.reply(), effect: 'replies' },
  { name: 'msg_reject', allowed: RESPOND, call: (p) => p.reject('rejected by the test'), effect: 'rejects' },
  // 'Cycles'
  { name: 'msg_cycles_available128', allowed: CYCLES_IN, call: (p) => p.cyclesAvailable128().drop() },
  { name: 'msg_cycles_refunded128', allowed: REFUND, call: (p) => p.cyclesRefunded128().drop() },
  { name: 'msg_cycles_accept128', allowed: CYCLES_IN, call: (p) => p.acceptCycles128(0, 0).drop() },
  { name: 'cycles_burn128', allowed: REPLICATED, call: (p) => p.cyclesBurn128(0, 0).drop() },
  { name: 'canister_cycle_balance128', allowed: STAR, call: (p) => p.cyclesBalance128().drop() },
  { name: 'canister_liquid_cycle_balance128', allowed: STAR, call: (p) => p.liquidCyclesBalance128().drop() },
  { name: 'call_cycles_add128', allowed: CALL_CYCLES, setup: oneWayCall, call: (p) => p.callCyclesAdd128(0, 0) },
  // 'Self-identification', 'Canister status', 'Canister version'
  { name: 'canister_self_size', allowed: STAR, call: (p) => p.canisterSelfSize().drop() },
  { name: 'canister_self_copy', allowed: STAR, call: (p) => p.canisterSelfCopy(0, 0).drop() },
  { name: 'subnet_self_size', allowed: STAR, call: (p) => p.subnetSelfSize().drop() },
  { name: 'subnet_self_copy', allowed: STAR, call: (p) => p.subnetSelfCopy(0, 0).drop() },
  { name: 'canister_status', allowed: STAR, call: (p) => p.canisterStatus().drop() },
  { name: 'canister_version', allowed: STAR, call: (p) => p.canisterVersion().drop() },
  // 'Inter-canister method calls'
  { name: 'call_new', allowed: CALLS, call: oneWayCall },
  { name: 'call_on_cleanup', allowed: CALLS, setup: oneWayCall, call: (p) => p.callOnCleanup(prog()) },
  { name: 'call_data_append', allowed: CALLS, setup: oneWayCall, call: (p) => p.callDataAppend('') },
  { name: 'call_with_best_effort_response', allowed: CALLS, setup: oneWayCall, call: (p) => p.callWithBestEffortResponse(10) },
  { name: 'call_perform', allowed: CALLS, setup: oneWayCall, call: (p) => p.callPerform() },
  // 'Stable memory'
  { name: 'stable64_size', allowed: STAR, call: (p) => p.stableSize64().drop() },
  { name: 'stable64_grow', allowed: STAR, call: (p) => p.stableGrow64(1).drop() },
  { name: 'stable64_write', allowed: STAR, call: (p) => p.stableWrite64(0, '') },
  { name: 'stable64_read', allowed: STAR, call: (p) => p.stableRead64(0, 0).drop() },
  // certification, time, timers, misc
  { name: 'root_key_size', allowed: REPLICATED, call: (p) => p.rootKeySize().drop() },
  { name: 'root_key_copy', allowed: REPLICATED, call: (p) => p.rootKeyCopy(0, 0).drop() },
  { name: 'certified_data_set', allowed: ['I', 'G', 'U', 'Ry', 'Rt', 'T'], call: (p) => p.certifiedDataSet('foo') },
  { name: 'data_certificate_present', allowed: STAR, call: (p) => p.dataCertificatePresent().drop() },
  { name: 'data_certificate_size', allowed: ['NRQ', 'CQ'], call: (p) => p.dataCertificateSize().drop() },
  { name: 'data_certificate_copy', allowed: ['NRQ', 'CQ'], call: (p) => p.dataCertificateCopy(0, 0).drop() },
  { name: 'time', allowed: STAR, call: (p) => p.time().drop() },
  { name: 'global_timer_set', allowed: ['I', 'G', 'U', 'Ry', 'Rt', 'C', 'T'], call: (p) => p.apiGlobalTimerSet(0).drop() },
  { name: 'performance_counter', allowed: STAR, call: (p) => p.getPerformanceCounter(0).drop() },
  { name: 'is_controller', allowed: STAR, call: (p) => p.isController(new Uint8Array()).drop() },
  { name: 'in_replicated_execution', allowed: STAR, call: (p) => p.inReplicatedExecution().drop() },
  { name: 'debug_print', allowed: STAR, call: (p) => p.debugPrint('hello') },
  { name: 'trap', allowed: STAR, call: (p) => p.trap('this better traps'), effect: 'traps' },
  // 'Cycle cost calculation' and 'Environment Variables'
  { name: 'cost_call', allowed: STAR, call: (p) => p.costCall(0, 0).drop() },
  { name: 'cost_create_canister', allowed: STAR, call: (p) => p.costCreateCanister().drop() },
  { name: 'cost_http_request', allowed: STAR, call: (p) => p.costHttpRequest(0, 0).drop() },
  { name: 'cost_sign_with_ecdsa', allowed: STAR, call: (p) => p.costSignWithEcdsaCode('key_1', 0).drop().drop() },
  { name: 'cost_sign_with_schnorr', allowed: STAR, call: (p) => p.costSignWithSchnorrCode('key_1', 0).drop().drop() },
  { name: 'cost_vetkd_derive_key', allowed: STAR, call: (p) => p.costVetkdDeriveKeyCode('key_1', 0).drop().drop() },
  { name: 'env_var_count', allowed: STAR, call: (p) => p.envVarCount().drop() },
  { name: 'env_var_name_size', allowed: STAR, call: (p) => p.envVarNameSize(0).drop() },
  { name: 'env_var_name_copy', allowed: STAR, call: (p) => p.envVarNameCopy(0, 0, 0).drop() },
  { name: 'env_var_name_exists', allowed: STAR, call: (p) => p.envVarNameExists('A').drop() },
  { name: 'env_var_value_size', allowed: STAR, call: (p) => p.envVarValueSize('A').drop() },
  { name: 'env_var_value_copy', allowed: STAR, call: (p) => p.envVarValueCopy('A', 0, 0).drop() },
  // legacy functions, only when I = i32
  { name: 'msg_cycles_available', allowed: CYCLES_IN, call: (p) => p.cyclesAvailable().drop(), only32: true },
  { name: 'msg_cycles_refunded', allowed: REFUND, call: (p) => p.cyclesRefunded().drop(), only32: true },
  { name: 'msg_cycles_accept', allowed: CYCLES_IN, call: (p) => p.acceptCycles(0).drop(), only32: true },
  { name: 'canister_cycle_balance', allowed: STAR, call: (p) => p.cyclesBalance().drop(), only32: true },
  { name: 'call_cycles_add', allowed: CALL_CYCLES, setup: oneWayCall, call: (p) => p.callCyclesAdd(0), only32: true },
  { name: 'stable_size', allowed: STAR, call: (p) => p.stableSize().drop(), only32: true },
  { name: 'stable_grow', allowed: STAR, call: (p) => p.stableGrow(1).drop(), only32: true },
  { name: 'stable_write', allowed: STAR, call: (p) => p.stableWrite(0, ''), only32: true },
  { name: 'stable_read', allowed: STAR, call: (p) => p.stableRead(0, 0).drop(), only32: true },
];

type Result = { ok: true } | { ok: false; message: string };

interface Canisters {
  shared: Principal;
  init: Principal;
  postUpgrade: Principal;
  preUpgrade: Principal;
  cleanup: Principal;
  inspect: Principal;
  heartbeat: Principal;
  timer: Principal;
}

interface Context {
  label: string;
  letter: Letter;
  /** The replica's name of the execution mode in the trap message. */
  mode: string;
  run: (env: Env, body: Program, fn: Fn) => Promise<Result>;
}

interface Env {
  c: Capsule;
  width: Width;
  ids: Canisters;
}

async function outcomeOf(promise: Promise<unknown>, fn: Fn): Promise<Result> {
  try {
    await promise;
    return { ok: true };
  } catch (error) {
    if (!(error instanceof CallError)) throw error;
    if (fn.effect === 'rejects' && error.rejectCode === 4) return { ok: true };
    assert.equal(error.rejectCode, 5, `a trap rejects with CANISTER_ERROR; got ${error.rejectCode}: ${error.rejectMessage}`);
    return { ok: false, message: error.rejectMessage };
  }
}

/** A method body: the function, then a reply unless the function answered itself. */
function withReply(body: Program, fn: Fn): Program {
  const p = prog().append(body);
  return fn.effect === 'replies' || fn.effect === 'rejects' ? p : p.replyData('ok');
}

function nonReplicated(env: Env, method: string, body: Program, fn: Fn): Promise<Result> {
  const arg = withReply(body, fn).build();
  // In both targets the query's target gets the latest certificate, as on the IC.
  return outcomeOf(env.c.queryCall({ canisterId: env.ids.shared, method, arg, sender: USER }), fn);
}

/** Whether a system task or cleanup ran to the end (it sets the global), else its logged trap. */
async function ranToEnd(env: Env, id: Principal): Promise<Result> {
  const global = text(await query(env.c, id, prog().getGlobal().appendAndReply()));
  if (global === 'ok') return { ok: true };
  return { ok: false, message: (await logTexts(env.c, id)).join('\n') };
}

const CONTEXTS: Context[] = [
  {
    label: 'init (canister_init)',
    letter: 'I',
    mode: 'init',
    run: (env, body, fn) => outcomeOf(reinstall(env.c, env.ids.init, env.width, body), fn),
  },
  {
    label: 'init (canister_post_upgrade)',
    letter: 'I',
    mode: 'init',
    run: (env, body, fn) => outcomeOf(upgrade(env.c, env.ids.postUpgrade, env.width, body), fn),
  },
  {
    label: 'pre_upgrade',
    letter: 'G',
    mode: 'pre upgrade',
    run: async (env, body, fn) => {
      await reinstall(env.c, env.ids.preUpgrade, env.width, prog().setPreUpgrade(body));
      return outcomeOf(upgrade(env.c, env.ids.preUpgrade, env.width), fn);
    },
  },
  {
    label: 'update',
    letter: 'U',
    mode: 'update',
    run: (env, body, fn) => outcomeOf(call(env.c, env.ids.shared, withReply(body, fn)), fn),
  },
  {
    label: 'replicated query',
    letter: 'RQ',
    mode: 'replicated query',
    run: (env, body, fn) => outcomeOf(callToQuery(env.c, env.ids.shared, withReply(body, fn)), fn),
  },
  {
    label: 'non-replicated query',
    letter: 'NRQ',
    mode: 'non replicated query',
    run: (env, body, fn) => nonReplicated(env, 'query', body, fn),
  },
  {
    label: 'composite query',
    letter: 'CQ',
    mode: 'composite query',
    run: (env, body, fn) => nonReplicated(env, 'composite_query', body, fn),
  },
  {
    label: 'reply callback',
    letter: 'Ry',
    mode: 'reply callback',
    run: (env, body, fn) => {
      const p = prog()
        .callNew(env.ids.shared, 'query', { onReply: withReply(body, fn), onReject: prog().trap('unexpected reject') })
        .callDataAppend(prog().replyData('x'))
        .callPerform();
      return outcomeOf(call(env.c, env.ids.shared, p), fn);
    },
  },
  {
    label: 'reject callback',
    letter: 'Rt',
    mode: 'reject callback',
    run: (env, body, fn) => {
      const p = prog()
        .callNew(env.ids.shared, 'query', { onReply: prog().trap('unexpected reply'), onReject: withReply(body, fn) })
        .callDataAppend(prog().reject('no'))
        .callPerform();
      return outcomeOf(call(env.c, env.ids.shared, p), fn);
    },
  },
  {
    label: 'cleanup',
    letter: 'C',
    mode: 'cleanup',
    run: async (env, body) => {
      const id = env.ids.cleanup;
      await reinstall(env.c, id, env.width);
      const p = prog()
        .callNew(id, 'query', {
          onReply: prog().trap('reply callback traps'),
          onReject: prog().trap('reject callback traps'),
          onCleanup: prog().append(body).setGlobal('ok'),
        })
        .callDataAppend(prog().replyData('x'))
        .callPerform();
      // The reply callback traps, so the call is answered with CANISTER_ERROR.
      await assert.rejects(call(env.c, id, p), (e: unknown) => e instanceof CallError && e.rejectCode === 5);
      return ranToEnd(env, id);
    },
  },
  {
    label: 'inspect_message',
    letter: 'F',
    mode: 'inspect message',
    run: async (env, body, fn) => {
      const inspect = prog().append(body);
      if (fn.effect !== 'accepts') inspect.acceptMessage();
      await reinstall(env.c, env.ids.inspect, env.width, prog().setInspectMessage(inspect));
      return outcomeOf(call(env.c, env.ids.inspect, prog().replyData('ok')), fn);
    },
  },
  {
    label: 'heartbeat',
    letter: 'T',
    mode: 'heartbeat',
    run: async (env, body) => {
      await reinstall(env.c, env.ids.heartbeat, env.width, prog().setHeartbeat(prog().append(body).setGlobal('ok')));
      await env.c.tick(2);
      return ranToEnd(env, env.ids.heartbeat);
    },
  },
  {
    label: 'global timer',
    letter: 'T',
    mode: 'global timer',
    run: async (env, body) => {
      const init = prog().setGlobalTimerMethod(prog().append(body).setGlobal('ok')).apiGlobalTimerSet(1).drop();
      await reinstall(env.c, env.ids.timer, env.width, init);
      await env.c.tick(2);
      return ranToEnd(env, env.ids.timer);
    },
  },
];

async function setUp(c: Capsule, width: Width): Promise<Env> {
  const names = ['shared', 'init', 'postUpgrade', 'preUpgrade', 'cleanup', 'inspect', 'heartbeat', 'timer'] as const;
  const ids = {} as Canisters;
  for (const name of names) {
    const id = await create(c);
    // One environment variable, so that env_var_name_size(0) and friends have something to read.
    await mgmt(c, 'update_settings', {
      canister_id: id,
      settings: settings({ environment_variables: [[{ name: 'A', value: '1' }]] }),
      sender_canister_version: [],
    });
    await installAt(c, id, width);
    ids[name] = id;
  }
  return { c, width, ids };
}

const c = await newCapsule();

for (const width of WIDTHS) {
  describe(`API availability (wasm${width})`, () => {
    let env: Env;
    before(async () => {
      env = await setUp(c, width);
    });
    FUNCTIONS.forEach((fn, fnIndex) => {
      if (fn.only32 && width === 64) return;
      describe(fn.name, () => {
        CONTEXTS.forEach((context, contextIndex) => {
          // Over HTTP in `npm test`: a diagonal sample, so every function and every context still runs.
          if (!inSample(fnIndex + contextIndex)) return;
          const allowed = fn.allowed.includes(context.letter);
          const name = fn.effect === 'traps' ? `traps in ${context.label}` : `${allowed ? 'works' : 'traps'} in ${context.label}`;
          test(name, async () => {
            const body = prog();
            if (allowed && fn.setup) fn.setup(body);
            fn.call(body);
            const result = await context.run(env, body, fn);
            if (fn.effect === 'traps') {
              assert.equal(result.ok, false, 'ic0.trap must trap');
              assert.ok((result as { message: string }).message.includes('this better traps'), (result as { message: string }).message);
            } else if (allowed) {
              assert.deepEqual(result, { ok: true });
            } else {
              assert.equal(result.ok, false, `ic0.${fn.name} must trap in ${context.mode} mode`);
              const expected = `"ic0_${fn.name}" cannot be executed in ${context.mode} mode`;
              const message = (result as { message: string }).message;
              assert.ok(message.includes(expected), `expected ${JSON.stringify(expected)} in ${JSON.stringify(message)}`);
            }
          });
        });
      });
    });
  });
}
