// A network of subnets: calls between canisters on different subnets travel through the subnets'
// streams (delivered at a later round of the destination), answers come back the same way, cycles
// travel with them, and the same scenario gives the same state hash on every subnet.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyCertificate } from '../../src/certification/index.ts';
import { candid, emptySettings } from '../../src/management/index.ts';
import { Network, type NetworkSubnetSpec, openReplica, type Replica } from '../../src/replica/index.ts';
import { canisterIdFromIndex, MANAGEMENT_CANISTER, Principal } from '../../src/state/index.ts';
import { buildUniversalCanister, decodeCycles128, prog } from '../universal/program.ts';

const SEED = new Uint8Array(32).fill(7);
const TIME = 1_620_328_630_000_000_000n;
const ANONYMOUS = Principal.anonymous();

function spec(label: string, start: bigint): NetworkSubnetSpec {
  return { label, placement: { ranges: [{ start, end: start + 0xfffffn }], size: 13, type: 'application' }, costSchedule: 'application', instructionLimits: {} };
}

function twoSubnets(stateDir?: string): Network {
  return new Network({ seed: SEED, time: TIME, subnets: [spec('root', 0x100000n), spec('other', 0x200000n)], stateDir });
}

/** Two subnets with a universal canister on each: the caller on the first, the callee on the second. */
async function callerAndCallee(stateDir?: string) {
  const network = twoSubnets(stateDir);
  const [a, b] = network.subnets as [Replica, Replica];
  return { network, a, b, caller: await universalCanister(network, a), callee: await universalCanister(network, b) };
}

/** Submits an ingress message to `replica` and ticks the network until it completes. */
function execute(network: Network, replica: Replica, receiver: Principal, method: string, arg: Uint8Array): Uint8Array {
  const id = replica.submit({ sender: ANONYMOUS, receiver, method, arg });
  if (typeof id !== 'string') throw new Error(`refused: ${id.message}`);
  for (let rounds = 0; rounds < 50; rounds++) {
    const status = replica.ingressStatus(id)!;
    if (status.status === 'replied') return status.reply;
    if (status.status === 'rejected') throw new Error(`rejected ${status.code}: ${status.message}`);
    network.tick();
  }
  throw new Error('did not complete');
}

async function universalCanister(network: Network, replica: Replica, controllers: Principal[] = []): Promise<Principal> {
  const settings = controllers.length === 0 ? [] : [{ ...emptySettings(), controllers: [[ANONYMOUS, ...controllers]] as [Principal[]] }];
  const create = candid.encodeManagementArg('provisional_create_canister_with_cycles', { amount: [10n ** 13n], settings: settings as [], specified_id: [], sender_canister_version: [] });
  const created = execute(network, replica, MANAGEMENT_CANISTER, 'provisional_create_canister_with_cycles', create);
  const canisterId = candid.decodeManagementResult('provisional_create_canister_with_cycles', created).canister_id;
  const install = candid.encodeManagementArg('install_code', {
    mode: { install: null },
    canister_id: canisterId,
    wasm_module: await buildUniversalCanister(32),
    arg: new Uint8Array(),
    sender_canister_version: [],
  });
  execute(network, replica, MANAGEMENT_CANISTER, 'install_code', install);
  return canisterId;
}

function text(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}

test('a canister calls a canister on another subnet and its callback runs on its own subnet with the answer', async () => {
  const { network, a, b, caller, callee } = await callerAndCallee();
  assert.equal(network.subnetOf(caller), a);
  assert.equal(network.subnetOf(callee), b);
  const answer = prog().pushBytes('from b ').replyDataAppend().caller().replyDataAppend().reply();
  const call = prog().interUpdate(callee, { args: answer, onReply: prog().pushBytes('a got: ').replyDataAppend().messagePayload().replyDataAppend().reply() });
  const reply = execute(network, a, caller, 'update', call.build());
  assert.equal(text(reply.subarray(0, 7)), 'a got: ');
  assert.deepEqual(reply.subarray(7, 14), new TextEncoder().encode('from b '));
  // The callee saw the calling canister as its caller.
  assert.deepEqual(reply.subarray(14), caller.toUint8Array());
  network.close();
});

test('the cycles a call attaches move to the other subnet and the unaccepted part comes back', async () => {
  const { network, a, caller, callee } = await callerAndCallee();
  const accept = prog().cyclesAvailable128().replyDataAppend().acceptCycles128Amount(1_000_000n).replyDataAppend().reply();
  const onReply = prog().messagePayload().replyDataAppend().cyclesRefunded128().replyDataAppend().reply();
  const reply = execute(network, a, caller, 'update', prog().interUpdate(callee, { args: accept, cycles: 3_000_000n, onReply }).build());
  const amounts = [0, 16, 32].map((offset) => decodeCycles128(reply.subarray(offset, offset + 16)));
  assert.deepEqual(amounts, [3_000_000n, 1_000_000n, 2_000_000n], 'available on b, accepted by b, refunded to a');
  network.close();
});

test('calls from one canister to a canister on another subnet arrive in the order they were made', async () => {
  const { network, a, b, caller, callee } = await callerAndCallee();
  let program = prog();
  for (const digit of ['1', '2', '3']) program = program.oneWayCall(callee, 'update', prog().pushBytes(digit).appendGlobal().build());
  execute(network, a, caller, 'update', program.pushBytes('sent').reply().build());
  for (let i = 0; i < 3; i++) network.tick();
  const global = b.query({ canisterId: callee, method: 'query', arg: prog().getGlobal().replyDataAppend().reply().build(), caller: ANONYMOUS });
  assert.equal(global.kind === 'reply' && text(global.payload), '123');
  network.close();
});

test('a canister’s management call about a canister on another subnet runs on that subnet', async () => {
  const network = twoSubnets();
  const [a, b] = network.subnets as [Replica, Replica];
  const caller = await universalCanister(network, a);
  const callee = await universalCanister(network, b, [caller]);
  const status = candid.encodeManagementArg('canister_status', { canister_id: callee });
  const reply = execute(network, a, caller, 'update', prog().callSimple(MANAGEMENT_CANISTER, 'canister_status', { args: status }).build());
  const decoded = candid.decodeManagementResult('canister_status', reply);
  assert.deepEqual(Object.keys(decoded.status), ['running']);
  assert.deepEqual(decoded.module_hash, [b.canister(callee)!.wasm!.module.moduleHash]);
  network.close();
});

test('a call to a canister in another subnet’s ranges that does not exist is rejected as not found; outside every range, as without a route', async () => {
  const network = twoSubnets();
  const [a] = network.subnets as [Replica, Replica];
  const caller = await universalCanister(network, a);
  const missing = canisterIdFromIndex(0x200005n);
  const reply = execute(network, a, caller, 'update', prog().interUpdate(missing).build());
  assert.equal(reply[0], 3, 'DESTINATION_INVALID');
  assert.equal(text(reply.subarray(4)), `Canister ${missing.toText()} not found`);
  const nowhere = canisterIdFromIndex(0x900000n);
  const noRoute = execute(network, a, caller, 'update', prog().interUpdate(nowhere).build());
  assert.equal(text(noRoute.subarray(4)), `No route to canister ${nowhere.toText()}`);
  network.close();
});

test('a message produced in a round reaches a subnet earlier in the tick order only at the next tick', async () => {
  const { network, a, b, caller, callee } = await callerAndCallee();
  const first = a.state.config.subnetId.toHex() < b.state.config.subnetId.toHex() ? a : b;
  const [from, to, target] = first === a ? [b, a, caller] : [a, b, callee];
  const source = from === a ? caller : callee;
  const id = from.submit({ sender: ANONYMOUS, receiver: source, method: 'update', arg: prog().oneWayCall(target, 'update', prog().pushInt(1).setGlobal().build()).pushBytes('sent').reply().build() });
  assert.equal(typeof id, 'string');
  network.tick();
  assert.equal(from.ingressStatus(id as string)?.status, 'replied');
  assert.ok(network.hasWork(), 'the message waits in the stream');
  const round = to.state.round;
  network.tick();
  assert.equal(to.state.round, round + 1n);
  assert.equal(network.hasWork(), false);
  network.close();
});

test('the same scenario gives the same state hash on every subnet', async () => {
  const hashes = [];
  for (let run = 0; run < 2; run++) {
    const network = twoSubnets();
    const [a, b] = network.subnets as [Replica, Replica];
    const caller = await universalCanister(network, a);
    const callee = await universalCanister(network, b);
    execute(network, a, caller, 'update', prog().interUpdate(callee, { cycles: 1000n }).build());
    hashes.push(network.stateHashes());
    network.close();
  }
  assert.deepEqual(hashes[0], hashes[1]);
  assert.equal(Object.keys(hashes[0]!).length, 2);
});

test('a certificate of a subnet other than the root one carries the root subnet’s delegation and verifies with the root key', async () => {
  const network = twoSubnets();
  const [a, b] = network.subnets as [Replica, Replica];
  const callee = await universalCanister(network, b);
  const certificate = b.certificate([['canister', callee.toUint8Array(), 'certified_data']]);
  const verified = verifyCertificate(certificate, a.rootKey.publicKeyDer, { canisterId: callee.toUint8Array() });
  assert.ok(verified.ok, verified.ok ? '' : verified.message);
  assert.ok(verified.ok && verified.certificate.delegation, 'a delegation is attached');
  assert.deepEqual(b.state.config.rootKeyDer, a.rootKey.publicKeyDer);
  const outside = verifyCertificate(certificate, a.rootKey.publicKeyDer, { canisterId: canisterIdFromIndex(0x100001n).toUint8Array() });
  assert.equal(outside.ok, false, 'not authoritative for the root subnet’s canisters');
  assert.equal(verifyCertificate(a.certificate([]), a.rootKey.publicKeyDer).ok, true);
  network.close();
});

test('a network in a state directory resumes with its subnets, canisters and messages between them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-network-'));
  try {
    const { network, a, caller, callee } = await callerAndCallee(dir);
    execute(network, a, caller, 'update', prog().interUpdate(callee, { args: prog().pushInt(5).setGlobal().pushBytes('x').reply() }).build());
    const hashes = network.stateHashes();
    network.close();
    // The layout recorded in the directory wins over what the reopening asks for.
    const reopened = new Network({ seed: new Uint8Array(32), time: TIME, subnets: [spec('only', 0x500000n)], stateDir: dir });
    assert.equal(reopened.restored, true);
    assert.deepEqual(reopened.stateHashes(), hashes);
    const [ra, rb] = reopened.subnets as [Replica, Replica];
    const again = execute(reopened, ra, caller, 'update', prog().interUpdate(callee).build());
    assert.ok(again.length > 0);
    assert.ok(rb.canister(callee));
    reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a message waiting in a stream when the network closes is delivered after it reopens', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-network-'));
  try {
    const { network, a, b, caller, callee } = await callerAndCallee(dir);
    // The sender runs after the receiver in a tick, so its message waits in its stream for a tick.
    const [from, to, source, target] = a.state.config.subnetId.toHex() > b.state.config.subnetId.toHex() ? [a, b, caller, callee] : [b, a, callee, caller];
    const id = from.submit({ sender: ANONYMOUS, receiver: source, method: 'update', arg: prog().oneWayCall(target, 'update', prog().pushBytes('late').setGlobal().build()).pushBytes('sent').reply().build() });
    assert.equal(typeof id, 'string');
    network.tick();
    assert.ok(network.hasWork(), 'the message waits in the stream');
    network.close();
    const reopened = new Network({ seed: SEED, time: TIME, subnets: [], stateDir: dir });
    assert.ok(reopened.hasWork(), 'the stream was kept');
    reopened.tick();
    const receiver = reopened.subnets[network.subnets.indexOf(to)]!;
    const global = receiver.query({ canisterId: target, method: 'query', arg: prog().getGlobal().replyDataAppend().reply().build(), caller: ANONYMOUS });
    assert.equal(global.kind === 'reply' && text(global.payload), 'late');
    assert.equal(reopened.hasWork(), false);
    reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a network refuses a directory holding a lone subnet’s state and leaves it untouched', () => {
  const dir = mkdtempSync(join(tmpdir(), 'capsule-network-'));
  try {
    const lone = openReplica({ seed: SEED, time: TIME, stateDir: dir });
    lone.replica.round();
    const hash = lone.replica.stateHash();
    lone.close();
    assert.throws(() => twoSubnets(dir), /holds the state of a lone subnet/);
    const reopened = openReplica({ stateDir: dir });
    assert.equal(reopened.replica.stateHash(), hash);
    reopened.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
