// The certified state tree (interface spec, section 'The system state tree'): paths and value
// encodings, incremental builds equal to fresh ones under random changes and under a history's usual ones (pruned
// first, added last), the work of an incremental
// round over a large ingress history, and
// the per-round certifier (one signature per round, one at a time in the background, pruned certificates that verify).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { Replica, resolveReplicaConfig } from '../../src/replica/index.ts';
import {
  blsCertificateSigner,
  decodeCbor,
  decodeCertificate,
  decodeUleb128,
  encodeCbor,
  hashTreeToCbor,
  isWellFormed,
  lookupPath,
  pruneHashTree,
  reconstruct,
  StateCertifier,
  StateTreeBuilder,
  verifyCertificate,
  type HashTree,
} from '../../src/certification/index.ts';
import { TrackedMap } from '../../src/persistence/index.ts';
import { ANONYMOUS, canisterIdFromIndex, defaultSettings, type IngressStatus, newCanister, principalKey } from '../../src/state/index.ts';

function fixture() {
  const replica = new Replica(resolveReplicaConfig({ seed: new Uint8Array(32).fill(7), time: 1_700_000_000_000_000_000n, costSchedule: 'free' }));
  const nodes = [{ nodeId: replica.nodeKey.nodeId, publicKeyDer: replica.nodeKey.publicKeyDer }];
  return { replica, state: replica.state, nodes };
}

function rid(n: number | string): string {
  return createHash('sha256').update(String(n)).digest('hex');
}

function status(kind: 'received' | 'replied' | 'rejected', n = 0): IngressStatus {
  const base = { time: 1n, sender: ANONYMOUS, receiver: ANONYMOUS, effectiveId: ANONYMOUS };
  if (kind === 'replied') return { status: 'replied', ...base, reply: new Uint8Array([n & 255]) };
  if (kind === 'rejected') return { status: 'rejected', ...base, code: 4, message: `no ${n}`, errorCode: 'IC0406' };
  return { status: 'received', ...base };
}

const text = (tree: HashTree, path: (string | Uint8Array)[]) => {
  const found = lookupPath(path, tree);
  return found.status === 'found' ? new TextDecoder().decode(found.value) : found.status;
};

test('paths and encodings of the state tree', () => {
  const { replica, state, nodes } = fixture();
  state.ingress.set(rid(1), status('replied', 9));
  state.ingress.set(rid(2), status('rejected', 2));
  const id = canisterIdFromIndex(0x100000n);
  const canister = newCanister(id, defaultSettings([ANONYMOUS]), 0n, 5n);
  canister.certifiedData = new Uint8Array([1, 2, 3]);
  state.canisters.set(principalKey(id), canister);
  const tree = new StateTreeBuilder({ nodes }).build(state);
  assert.ok(isWellFormed(tree));
  const sid = state.config.subnetId.toUint8Array();
  const r1 = Buffer.from(rid(1), 'hex');
  const r2 = Buffer.from(rid(2), 'hex');
  const value = (path: (string | Uint8Array)[]) => {
    const found = lookupPath(path, tree);
    assert.equal(found.status, 'found', path.join('/'));
    return (found as { value: Uint8Array }).value;
  };
  assert.equal(decodeUleb128(value(['time'])), state.time);
  assert.equal(text(tree, ['request_status', r1, 'status']), 'replied');
  assert.deepEqual([...value(['request_status', r1, 'reply'])], [9]);
  assert.equal(text(tree, ['request_status', r2, 'status']), 'rejected');
  assert.equal(decodeUleb128(value(['request_status', r2, 'reject_code'])), 4n);
  assert.equal(text(tree, ['request_status', r2, 'error_code']), 'IC0406');
  assert.equal(text(tree, ['request_status', r2, 'reply']), 'absent');
  assert.deepEqual(value(['canister', id.toUint8Array(), 'certified_data']), new Uint8Array([1, 2, 3]));
  assert.equal(decodeUleb128(value(['canister', id.toUint8Array(), 'canister_creation_timestamp'])), 5n);
  assert.deepEqual(decodeCbor(value(['canister', id.toUint8Array(), 'controllers'])), [ANONYMOUS.toUint8Array()]);
  assert.equal(text(tree, ['canister', id.toUint8Array(), 'module_hash']), 'absent');
  assert.deepEqual(value(['subnet', sid, 'public_key']), replica.rootKey.publicKeyDer);
  assert.equal(text(tree, ['subnet', sid, 'type']), 'application');
  assert.deepEqual(value(['subnet', sid, 'node', replica.nodeKey.nodeId, 'public_key']), replica.nodeKey.publicKeyDer);
  const ranges = decodeCbor(value(['subnet', sid, 'canister_ranges'])) as Uint8Array[][];
  assert.deepEqual(ranges[0], [canisterIdFromIndex(0n).toUint8Array(), canisterIdFromIndex(0xfffffn).toUint8Array()]);
  assert.deepEqual(value(['canister_ranges', sid, canisterIdFromIndex(0n).toUint8Array()]), value(['subnet', sid, 'canister_ranges']));
});

test('incremental builds equal fresh builds under random changes', () => {
  const { state, nodes } = fixture();
  const builder = new StateTreeBuilder({ nodes });
  let seed = 12345;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const kinds = ['received', 'replied', 'rejected'] as const;
  for (let round = 0; round < 40; round++) {
    for (let k = 0; k < 20; k++) {
      const key = rid(Math.floor(rand() * 200));
      if (rand() < 0.2) state.ingress.delete(key);
      else state.ingress.set(key, status(kinds[Math.floor(rand() * 3)]!, k));
      const id = canisterIdFromIndex(BigInt(Math.floor(rand() * 30)));
      if (rand() < 0.1) state.canisters.delete(principalKey(id));
      else if (rand() < 0.3) {
        const canister = state.canisters.get(principalKey(id)) ?? newCanister(id, defaultSettings([ANONYMOUS]), 0n, 1n);
        canister.certifiedData = new Uint8Array([Math.floor(rand() * 256)]);
        state.canisters.set(principalKey(id), canister);
      }
    }
    state.time += 1n;
    const incremental = builder.build(state);
    const fresh = new StateTreeBuilder({ nodes }).build(state);
    assert.deepEqual(reconstruct(incremental), reconstruct(fresh), `round ${round}`);
    assert.ok(isWellFormed(incremental));
  }
});

test('a history pruned at its start, grown at its end and changed in between builds as a fresh one does', () => {
  const { state, nodes } = fixture();
  const builder = new StateTreeBuilder({ nodes });
  let oldest = 0;
  let newest = 0;
  for (let round = 0; round < 30; round++) {
    for (let k = 0; k < 5 && oldest < newest; k++) state.ingress.delete(rid(oldest++));
    for (let k = 0; k < 8; k++) state.ingress.set(rid(newest++), status('received'));
    for (let n = oldest; n < newest; n += 3) state.ingress.set(rid(n), status(round % 2 ? 'replied' : 'rejected', round));
    // Now and then, the last seen entry is pruned too.
    if (round % 7 === 6) state.ingress.delete(rid(newest - 1));
    state.time += 1n;
    assert.deepEqual(reconstruct(builder.build(state)), reconstruct(new StateTreeBuilder({ nodes }).build(state)), `round ${round}`);
  }
});

/** A tracked history that counts how often it is walked. */
class CountedHistory extends TrackedMap<string, IngressStatus> {
  walks = 0;
  override [Symbol.iterator](): MapIterator<[string, IngressStatus]> {
    this.walks++;
    return super[Symbol.iterator]();
  }
}

test('a history the store tracks is read by its changes, not walked, and builds as a fresh one does', () => {
  const { state, nodes } = fixture();
  const history = new CountedHistory();
  for (let i = 0; i < 1_000; i++) history.set(rid(i), status('replied', i));
  state.ingress = history;
  const builder = new StateTreeBuilder({ nodes });
  builder.build(state);
  const walksAfterFirstBuild = history.walks;
  for (let round = 0; round < 10; round++) {
    history.set(rid(`new ${round}`), status('received'));
    history.set(rid(round * 7), status('rejected', round));
    history.delete(rid(round * 11 + 3));
    // A status set again unchanged, and an entry added and removed between two builds.
    history.set(rid(500), history.get(rid(500))!);
    history.set(rid(`gone ${round}`), status('received'));
    history.delete(rid(`gone ${round}`));
    state.time += 1n;
    const incremental = builder.build(state);
    assert.equal(history.walks, walksAfterFirstBuild, `round ${round} walked the history`);
    assert.deepEqual(reconstruct(incremental), reconstruct(new StateTreeBuilder({ nodes }).build(state)), `round ${round}`);
    history.walks = walksAfterFirstBuild;
  }
  // Cleared, or replaced by another history (a recovery): every entry is compared again.
  history.clear();
  history.set(rid('after clear'), status('received'));
  assert.deepEqual(reconstruct(builder.build(state)), reconstruct(new StateTreeBuilder({ nodes }).build(state)));
  state.ingress = TrackedMap.of(new Map([[rid('other'), status('replied', 9)]]));
  assert.deepEqual(reconstruct(builder.build(state)), reconstruct(new StateTreeBuilder({ nodes }).build(state)));
  state.ingress.set(rid('other 2'), status('received'));
  assert.deepEqual(reconstruct(builder.build(state)), reconstruct(new StateTreeBuilder({ nodes }).build(state)));
});

/** Every node object of a tree. */
function nodesOf(tree: HashTree, into = new Set<HashTree>()): Set<HashTree> {
  into.add(tree);
  if (tree.kind === 'fork') nodesOf(tree.right, nodesOf(tree.left, into));
  else if (tree.kind === 'labeled') nodesOf(tree.subtree, into);
  return into;
}

/** Node objects of `tree` not shared with `previous`: the nodes a round had to build and hash. */
function newNodes(tree: HashTree, previous: Set<HashTree>): number {
  if (previous.has(tree)) return 0;
  if (tree.kind === 'fork') return 1 + newNodes(tree.left, previous) + newNodes(tree.right, previous);
  if (tree.kind === 'labeled') return 1 + newNodes(tree.subtree, previous);
  return 1;
}

test('a round over a 50k-entry ingress history rebuilds only what changed', () => {
  const { state, nodes } = fixture();
  for (let i = 0; i < 50_000; i++) state.ingress.set(rid(i), status('replied', i));
  const builder = new StateTreeBuilder({ nodes });
  let tree = builder.build(state);
  reconstruct(tree);
  const size = nodesOf(tree).size;
  assert.ok(size > 200_000, `the tree has ${size} nodes`);
  for (let round = 0; round < 5; round++) {
    for (let i = 0; i < 100; i++) state.ingress.set(rid(`new ${round} ${i}`), status('received'));
    state.time += 1n;
    const previous = nodesOf(tree);
    tree = builder.build(state);
    // 100 new entries, each a path of about log2(50k) forks plus its leaves, and the changed /time.
    const built = newNodes(tree, previous);
    assert.ok(built < 5_000, `round ${round} built ${built} of ${size} nodes`);
    reconstruct(tree);
  }
});

test('background certifications of one round share one signature, equal to the one signed in this thread', async () => {
  const { replica, state, nodes } = fixture();
  const certifier = new StateCertifier({ signer: blsCertificateSigner(replica.rootKey), nodes });
  state.ingress.set(rid(1), status('replied', 1));
  const [first, second] = await Promise.all([certifier.certifyInBackground(state), certifier.certifyInBackground(state)]);
  assert.equal(first, second);
  assert.equal(certifier.stats.signatures, 1);
  assert.equal(certifier.certify(state), first, 'the round is signed: this thread reuses it');
  const reference = new StateCertifier({ signer: blsCertificateSigner(replica.rootKey), nodes }).certify(state);
  assert.deepEqual(first.signature, reference.signature);
  assert.ok(verifyCertificate(certifier.certificate(first, [['request_status', Buffer.from(rid(1), 'hex')]]), replica.rootKey.publicKeyDer).ok);
});

test('while one round is signed, later rounds share the next signature, which certifies the latest of them', async () => {
  const { replica, state, nodes } = fixture();
  const certifier = new StateCertifier({ signer: blsCertificateSigner(replica.rootKey), nodes });
  state.ingress.set(rid(1), status('replied', 1));
  const first = certifier.certifyInBackground(state);
  replica.round(state.time + 1_000n);
  state.ingress.set(rid(2), status('replied', 2));
  const second = certifier.certifyInBackground(state);
  replica.round(state.time + 1_000n);
  const third = certifier.certifyInBackground(state);
  assert.equal(second, third, 'both wait for the one signature after the first');
  const [signed, later] = await Promise.all([first, second]);
  assert.equal(certifier.stats.signatures, 2);
  assert.equal(later.height, state.round);
  assert.ok(later.height > signed.height + 1n);
  const answer = certifier.certificate(later, [['request_status', Buffer.from(rid(2), 'hex')]]);
  assert.ok(verifyCertificate(answer, replica.rootKey.publicKeyDer).ok);
  assert.equal(text(decodeCertificate(answer).tree, ['request_status', Buffer.from(rid(2), 'hex'), 'status']), 'replied');
});

test('the certifier signs once per round and its pruned certificates verify', () => {
  const { replica, state, nodes } = fixture();
  const certifier = new StateCertifier({ signer: blsCertificateSigner(replica.rootKey), nodes });
  state.ingress.set(rid(1), status('replied', 1));
  const first = certifier.certify(state);
  assert.equal(certifier.certify(state), first);
  const bytes = certifier.certificate(first, [['request_status', Buffer.from(rid(1), 'hex')]]);
  const verified = verifyCertificate(bytes, replica.rootKey.publicKeyDer);
  assert.ok(verified.ok);
  const tree = decodeCertificate(bytes).tree;
  assert.equal(text(tree, ['request_status', Buffer.from(rid(1), 'hex'), 'status']), 'replied');
  assert.equal(decodeUleb128((lookupPath(['time'], tree) as { value: Uint8Array }).value), state.time);
  assert.equal(text(tree, ['subnet', state.config.subnetId.toUint8Array(), 'public_key']), 'unknown');
  // Put together byte by byte, it is what the generic encoder writes.
  const generic = encodeCbor({ tree: hashTreeToCbor(pruneHashTree(first.tree, [['time'], ['request_status', Buffer.from(rid(1), 'hex')]])), signature: first.signature }, { selfDescribe: true });
  assert.deepEqual(bytes, generic);
  replica.round(state.time + 1_000n);
  const second = certifier.certify(state);
  assert.notEqual(second, first);
  assert.equal(certifier.stats.signatures, 2);
});
