// Hash trees: the interface spec's worked example (shape, CBOR, root hash, pruning, lookups),
// plus properties of building and pruning on generated trees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex, utf8 } from '../../src/certification/_bytes.ts';
import {
  decodeHashTree,
  empty,
  encodeHashTree,
  fork,
  hashTreeEquals,
  hashTreeFromCbor,
  hashTreeToCbor,
  isWellFormed,
  labeled,
  leaf,
  pruned,
  reconstruct,
  wellFormedError,
  type HashTree,
} from '../../src/certification/hash_tree.ts';
import { lookupPath, lookupSubtree, labeledChildren } from '../../src/certification/hash_tree_lookup.ts';
import { buildHashTree, labeledLeaf, labeledNode, type LabeledTree } from '../../src/certification/labeled_tree.ts';
import { pruneHashTree } from '../../src/certification/hash_tree_prune.ts';
import { decodeCbor, CborError, encodeCbor } from '../../src/certification/cbor.ts';

// Interface spec, Certification › Example (dfinity/developer-docs certification.md).
const SPEC_TREE_CBOR =
  '8301830183024161830183018302417882034568656c6c6f810083024179820345776f726c6483024162820344676f6f648301830241638100830241648203476d6f726e696e67';
const SPEC_ROOT = 'eb5c5b2195e62d996b84c9bcc8259d19a83786a2f59e0878cec84c811f669aa0';
const SPEC_PRUNED_CBOR =
  '83018301830241618301820458201b4feff9bef8131788b0c9dc6dbad6e81e524249c879e9f10f71ce3749f5a63883024179820345776f726c6483024162820458207b32ac0c6ba8ce35ac82c255fc7906f7fc130dab2a090f80fe12f9c2cae83ba6830182045820ec8324b8a1f1ac16bd2e806edba78006479c9877fed4eb464a25485465af601d830241648203476d6f726e696e67';

const specTree: HashTree = fork(
  fork(
    labeled('a', fork(fork(labeled('x', leaf('hello')), empty()), labeled('y', leaf('world')))),
    labeled('b', leaf('good')),
  ),
  fork(labeled('c', empty()), labeled('d', leaf('morning'))),
);

test('spec example: shape, CBOR encoding and root hash', () => {
  assert.equal(toHex(encodeHashTree(specTree)), SPEC_TREE_CBOR);
  assert.ok(hashTreeEquals(decodeHashTree(fromHex(SPEC_TREE_CBOR)), specTree));
  assert.equal(toHex(reconstruct(specTree)), SPEC_ROOT);
  assert.ok(isWellFormed(specTree));
});

test('spec example: pruning to /a/y, /ax, /d gives the spec tree byte for byte', () => {
  const p = pruneHashTree(specTree, [['a', 'y'], ['ax'], ['d']]);
  assert.equal(toHex(encodeHashTree(p)), SPEC_PRUNED_CBOR);
  assert.equal(toHex(reconstruct(p)), SPEC_ROOT);
});

test('spec example: lookup_path in the pruned tree', () => {
  const p = decodeHashTree(fromHex(SPEC_PRUNED_CBOR));
  const status = (path: string[]): string => lookupPath(path, p).status;
  assert.equal(status(['a', 'a']), 'unknown');
  assert.deepStrictEqual(lookupPath(['a', 'y'], p), { status: 'found', value: utf8('world') });
  assert.equal(status(['aa']), 'absent');
  assert.equal(status(['ax']), 'absent');
  assert.equal(status(['b']), 'unknown');
  assert.equal(status(['bb']), 'unknown');
  assert.deepStrictEqual(lookupPath(['d'], p), { status: 'found', value: utf8('morning') });
  assert.equal(status(['e']), 'absent');
});

test('lookup_path end cases: Empty, Leaf, Pruned, inner nodes', () => {
  assert.equal(lookupPath([], empty()).status, 'absent');
  assert.equal(lookupPath([], pruned(new Uint8Array(32))).status, 'unknown');
  assert.equal(lookupPath([], specTree).status, 'error');
  assert.equal(lookupPath(['a'], specTree).status, 'error');
  assert.equal(lookupPath(['c'], specTree).status, 'absent');
  assert.equal(lookupPath(['c', 'z'], specTree).status, 'absent');
  assert.equal(lookupPath(['b', 'z'], specTree).status, 'absent'); // below a leaf
  assert.equal(lookupPath(['z'], pruned(new Uint8Array(32))).status, 'unknown');
  const sub = lookupSubtree(['a'], specTree);
  assert.equal(sub.status, 'found');
  assert.deepStrictEqual(
    labeledChildren(sub.status === 'found' ? sub.subtree : empty()).map(([l]) => toHex(l)),
    ['78', '79'],
  );
});

test('well-formedness: order, duplicates and mixed leaves are caught', () => {
  assert.match(wellFormedError(fork(labeled('b', empty()), labeled('a', empty())))!, /strictly increasing/);
  assert.match(wellFormedError(fork(labeled('a', empty()), labeled('a', empty())))!, /strictly increasing/);
  assert.match(wellFormedError(fork(leaf('x'), labeled('a', empty())))!, /leaf is mixed/);
  assert.match(wellFormedError(labeled('a', fork(leaf('x'), leaf('y'))))!, /leaf is mixed/);
  assert.equal(wellFormedError(leaf('x')), null);
  assert.equal(wellFormedError(fork(pruned(new Uint8Array(32)), labeled('a', leaf('v')))), null);
});

test('CBOR form is parsed strictly', () => {
  const bad = (hex: string, re: RegExp): void =>
    assert.throws(() => hashTreeFromCbor(decodeCbor(fromHex(hex))), (e: unknown) => e instanceof CborError && re.test(e.message));
  bad('80', /non-empty array/);
  bad('8105', /unknown node type 5/);
  bad('820000', /needs 0 fields/);
  bad('820443010203', /pruned hash of 3 bytes/);
  bad('830241610a', /non-empty array/);
  bad('82036161', /leaf value is not a byte string/);
});

test('builder sorts labels bytewise, forks are balanced, duplicates rejected', () => {
  const t = buildHashTree(
    labeledNode([
      ['d', labeledLeaf('morning')],
      ['a', labeledNode([['y', labeledLeaf('world')], ['x', labeledLeaf('hello')]])],
      ['c', labeledNode([])],
      ['b', labeledLeaf('good')],
    ]),
  );
  assert.ok(isWellFormed(t));
  // Four children pair up as ((a b) (c d)); a's two children as (x y).
  const expected = fork(
    fork(labeled('a', fork(labeled('x', leaf('hello')), labeled('y', leaf('world')))), labeled('b', leaf('good'))),
    fork(labeled('c', empty()), labeled('d', leaf('morning'))),
  );
  assert.ok(hashTreeEquals(t, expected));
  assert.throws(() => buildHashTree(labeledNode([['a', labeledLeaf('1')], ['a', labeledLeaf('2')]])), /duplicate label 0x61/);
  const five = buildHashTree(labeledNode(['e', 'a', 'c', 'b', 'd'].map((l) => [l, labeledLeaf(l)] as const)));
  assert.deepStrictEqual(labeledChildren(five).map(([l]) => String.fromCharCode(l[0]!)), ['a', 'b', 'c', 'd', 'e']);
  assert.equal(toHex(encodeHashTree(buildHashTree(labeledNode([])))), '8100');
});

// A small deterministic PRNG (mulberry32) so the property test is reproducible.
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALPHABET = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];

function randomTree(r: () => number, depth: number): LabeledTree {
  if (depth === 0 || r() < 0.3) return labeledLeaf(`v${Math.floor(r() * 1000)}`);
  const children = ALPHABET.filter(() => r() < 0.5).map((l) => [l, randomTree(r, depth - 1)] as const);
  return labeledNode(children);
}

function randomPath(r: () => number): string[] {
  const len = 1 + Math.floor(r() * 3);
  return Array.from({ length: len }, () => ALPHABET[Math.floor(r() * ALPHABET.length)]! + (r() < 0.1 ? 'x' : ''));
}

test('pruning keeps the root hash and answers every requested path as the full tree does', () => {
  const r = rng(42);
  for (let round = 0; round < 300; round++) {
    const full = buildHashTree(randomTree(r, 4));
    const paths = Array.from({ length: 1 + Math.floor(r() * 4) }, () => randomPath(r));
    const p = pruneHashTree(full, paths);
    assert.deepStrictEqual(reconstruct(p), reconstruct(full));
    assert.ok(isWellFormed(p));
    for (const path of paths) {
      const expected = lookupPath(path, full);
      const actual = lookupPath(path, p);
      // A path ending at an inner node keeps the whole subtree, so even 'error' is preserved.
      assert.deepStrictEqual(actual, expected, `round ${round}, path /${path.join('/')}`);
    }
  }
});

test('one path through a wide level proves presence and absence as the full tree does', () => {
  const r = rng(7);
  const labels = Array.from({ length: 500 }, (_, i) => Uint8Array.of(Math.floor(r() * 256), Math.floor(r() * 256), i & 255));
  const full = buildHashTree(labeledNode([['request_status', labeledNode(labels.map((label, i) => [label, labeledLeaf(`status ${i}`)] as const))]]));
  const probes = [...labels.slice(0, 50), Uint8Array.of(0), Uint8Array.of(255, 255, 255, 255), ...Array.from({ length: 50 }, () => Uint8Array.of(Math.floor(r() * 256), Math.floor(r() * 256), 7, 7))];
  for (const label of probes) {
    const path = [utf8('request_status'), label];
    const p = pruneHashTree(full, [path]);
    assert.deepStrictEqual(reconstruct(p), reconstruct(full));
    assert.ok(isWellFormed(p));
    assert.deepStrictEqual(lookupPath(path, p), lookupPath(path, full), toHex(label));
  }
});

test('the direct CBOR writer gives the generic encoder its bytes, at every byte-string head size', () => {
  const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i & 255);
  const tree = fork(
    fork(labeled(bytes(0), leaf(bytes(23))), labeled(bytes(24), leaf(bytes(255)))),
    fork(labeled(bytes(256), fork(leaf(bytes(65_535)), empty())), labeled(bytes(65_536), fork(pruned(bytes(32)), leaf(bytes(70_000))))),
  );
  for (const t of [tree, empty(), leaf(bytes(5)), pruned(bytes(32))]) {
    const encoded = encodeHashTree(t);
    assert.equal(toHex(encoded), toHex(encodeCbor(hashTreeToCbor(t))));
    assert.ok(hashTreeEquals(decodeHashTree(encoded), t));
  }
});

test('pruning hides what was not asked for', () => {
  const full = buildHashTree(
    labeledNode([
      ['time', labeledLeaf('t')],
      ['secret', labeledNode([['k', labeledLeaf('hidden')]])],
      ['zzz', labeledLeaf('also hidden')],
    ]),
  );
  const p = pruneHashTree(full, [['time']]);
  const bytes = toHex(encodeHashTree(p));
  assert.ok(!bytes.includes(toHex(utf8('hidden'))));
  assert.ok(!bytes.includes(toHex(utf8('secret'))));
  assert.equal(lookupPath(['secret', 'k'], p).status, 'unknown');
  assert.deepStrictEqual(reconstruct(pruneHashTree(full, [])), reconstruct(full));
  assert.equal(pruneHashTree(full, []).kind, 'pruned');
  assert.equal(pruneHashTree(full, [[]]), full);
});
