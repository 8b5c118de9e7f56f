// Hash trees (interface spec, "Certification"): the data type, its root hash (`reconstruct`),
// its CBOR form, and the well-formedness rule. Lookup is in hash_tree_lookup.ts, building from
// labeled data in labeled_tree.ts, pruning in hash_tree_prune.ts.
//
// Trees are immutable values. `reconstruct` memoizes digests per node object, so a state tree
// that shares unchanged subtrees between rounds only rehashes what changed.
import { bytesEqual, compareBytes, sha256, utf8 } from './_bytes.ts';
import { CborError, type CborValue } from './cbor_value.ts';
import { decodeCbor } from './cbor_decode.ts';
import {
  IC_HASHTREE_EMPTY,
  IC_HASHTREE_FORK,
  IC_HASHTREE_LABELED,
  IC_HASHTREE_LEAF,
} from './domain_separators.ts';

export type HashTree =
  | { readonly kind: 'empty' }
  | { readonly kind: 'fork'; readonly left: HashTree; readonly right: HashTree }
  | { readonly kind: 'labeled'; readonly label: Uint8Array; readonly subtree: HashTree }
  | { readonly kind: 'leaf'; readonly value: Uint8Array }
  | { readonly kind: 'pruned'; readonly hash: Uint8Array };

/** A path: labels from the root; strings stand for their UTF-8 bytes. */
export type TreePath = readonly (Uint8Array | string)[];

const EMPTY: HashTree = Object.freeze({ kind: 'empty' });

export function empty(): HashTree {
  return EMPTY;
}
export function fork(left: HashTree, right: HashTree): HashTree {
  return { kind: 'fork', left, right };
}
export function labeled(label: Uint8Array | string, subtree: HashTree): HashTree {
  return { kind: 'labeled', label: asLabel(label), subtree };
}
export function leaf(value: Uint8Array | string): HashTree {
  return { kind: 'leaf', value: typeof value === 'string' ? utf8(value) : value };
}
export function pruned(hash: Uint8Array): HashTree {
  if (hash.length !== 32) throw new RangeError(`pruned hash must be 32 bytes, got ${hash.length}`);
  return { kind: 'pruned', hash };
}

export function asLabel(label: Uint8Array | string): Uint8Array {
  return typeof label === 'string' ? utf8(label) : label;
}

const EMPTY_DIGEST = sha256(IC_HASHTREE_EMPTY);
const digests = new WeakMap<HashTree, Uint8Array>();

/** The root hash of `tree` (`reconstruct` in the spec). */
export function reconstruct(tree: HashTree): Uint8Array {
  switch (tree.kind) {
    case 'empty':
      return EMPTY_DIGEST;
    case 'pruned':
      return tree.hash;
    case 'leaf':
      return sha256(IC_HASHTREE_LEAF, tree.value);
    case 'fork':
    case 'labeled': {
      let d = digests.get(tree);
      if (d === undefined) {
        d = tree.kind === 'fork'
          ? sha256(IC_HASHTREE_FORK, reconstruct(tree.left), reconstruct(tree.right))
          : sha256(IC_HASHTREE_LABELED, tree.label, reconstruct(tree.subtree));
        digests.set(tree, d);
      }
      return d;
    }
  }
}

/** The children of a node with forks flattened away, in order (`flatten_forks`; Empty vanishes). */
export function flattenForks(tree: HashTree): HashTree[] {
  const out: HashTree[] = [];
  const stack: HashTree[] = [tree];
  while (stack.length > 0) {
    const t = stack.pop()!;
    if (t.kind === 'fork') stack.push(t.right, t.left);
    else if (t.kind !== 'empty') out.push(t);
  }
  return out;
}

/**
 * The spec's `well_formed`: at every level labels strictly increase bytewise and leaves are
 * not mixed with other nodes. Returns null if well-formed, else what is wrong.
 */
export function wellFormedError(tree: HashTree): string | null {
  if (tree.kind === 'leaf') return null;
  const forest = flattenForks(tree);
  let previous: Uint8Array | undefined;
  for (const t of forest) {
    if (t.kind === 'leaf') return 'a leaf is mixed with other nodes';
    if (t.kind !== 'labeled') continue;
    if (previous !== undefined && compareBytes(previous, t.label) >= 0) {
      return 'labels are not strictly increasing';
    }
    previous = t.label;
    const inner = wellFormedError(t.subtree);
    if (inner !== null) return inner;
  }
  return null;
}

export function isWellFormed(tree: HashTree): boolean {
  return wellFormedError(tree) === null;
}

/** The CBOR data model form: `[0]`, `[1, l, r]`, `[2, label, t]`, `[3, value]`, `[4, hash]`. */
export function hashTreeToCbor(tree: HashTree): CborValue {
  switch (tree.kind) {
    case 'empty':
      return [0n];
    case 'fork':
      return [1n, hashTreeToCbor(tree.left), hashTreeToCbor(tree.right)];
    case 'labeled':
      return [2n, tree.label, hashTreeToCbor(tree.subtree)];
    case 'leaf':
      return [3n, tree.value];
    case 'pruned':
      return [4n, tree.hash];
  }
}

/** Parse the CBOR form of a hash tree. @throws CborError (`unsupported`) on any other shape. */
export function hashTreeFromCbor(value: CborValue): HashTree {
  const bad = (what: string): never => {
    throw new CborError('unsupported', `invalid hash tree: ${what}`);
  };
  if (!Array.isArray(value) || value.length === 0) return bad('node is not a non-empty array');
  const [tag, a, b] = value as CborValue[];
  const arity = (n: number): void => {
    if (value.length !== n) bad(`node type ${tag} needs ${n - 1} fields, got ${value.length - 1}`);
  };
  const blob = (x: CborValue, what: string): Uint8Array => (x instanceof Uint8Array ? x : bad(`${what} is not a byte string`));
  switch (tag) {
    case 0n:
      arity(1);
      return EMPTY;
    case 1n:
      arity(3);
      return fork(hashTreeFromCbor(a), hashTreeFromCbor(b));
    case 2n:
      arity(3);
      return labeled(blob(a, 'label'), hashTreeFromCbor(b));
    case 3n:
      arity(2);
      return leaf(blob(a, 'leaf value'));
    case 4n: {
      arity(2);
      const h = blob(a, 'pruned hash');
      return h.length === 32 ? pruned(h) : bad(`pruned hash of ${h.length} bytes`);
    }
  }
  return bad(`unknown node type ${String(tag)}`);
}

/** The CBOR form of `tree`, written directly (the same bytes as `encodeCbor(hashTreeToCbor(tree))`, several times
 *  faster): every call answer carries a pruned tree. */
export function encodeHashTree(tree: HashTree): Uint8Array {
  const out = new Uint8Array(encodedSize(tree));
  const end = writeTree(out, 0, tree);
  if (end !== out.length) throw new Error(`hash tree encoding wrote ${end} of ${out.length} bytes`);
  return out;
}

/** Bytes of a byte string's head (major type 2) for `length`. */
function headSize(length: number): number {
  return length < 24 ? 1 : length < 0x100 ? 2 : length < 0x10000 ? 3 : 5;
}

function encodedSize(tree: HashTree): number {
  switch (tree.kind) {
    case 'empty':
      return 2;
    case 'fork':
      return 2 + encodedSize(tree.left) + encodedSize(tree.right);
    case 'labeled':
      return 2 + headSize(tree.label.length) + tree.label.length + encodedSize(tree.subtree);
    case 'leaf':
      return 2 + headSize(tree.value.length) + tree.value.length;
    case 'pruned':
      return 2 + headSize(tree.hash.length) + tree.hash.length;
  }
}

/** Writes `tree` at `at` as an array `[tag, …]` (major type 4, tag 0-4 as a one-byte integer); returns the end. */
function writeTree(out: Uint8Array, at: number, tree: HashTree): number {
  switch (tree.kind) {
    case 'empty':
      out[at] = 0x81;
      out[at + 1] = 0;
      return at + 2;
    case 'fork':
      out[at] = 0x83;
      out[at + 1] = 1;
      return writeTree(out, writeTree(out, at + 2, tree.left), tree.right);
    case 'labeled':
      out[at] = 0x83;
      out[at + 1] = 2;
      return writeTree(out, writeBytes(out, at + 2, tree.label), tree.subtree);
    case 'leaf':
      out[at] = 0x82;
      out[at + 1] = 3;
      return writeBytes(out, at + 2, tree.value);
    case 'pruned':
      out[at] = 0x82;
      out[at + 1] = 4;
      return writeBytes(out, at + 2, tree.hash);
  }
}

/** A byte string (major type 2) with the shortest head. */
function writeBytes(out: Uint8Array, at: number, bytes: Uint8Array): number {
  const n = bytes.length;
  if (n < 24) out[at++] = 0x40 | n;
  else if (n < 0x100) {
    out[at++] = 0x58;
    out[at++] = n;
  } else if (n < 0x10000) {
    out[at++] = 0x59;
    out[at++] = n >>> 8;
    out[at++] = n & 0xff;
  } else {
    out[at++] = 0x5a;
    out[at++] = n >>> 24;
    out[at++] = (n >>> 16) & 0xff;
    out[at++] = (n >>> 8) & 0xff;
    out[at++] = n & 0xff;
  }
  out.set(bytes, at);
  return at + n;
}

export function decodeHashTree(bytes: Uint8Array): HashTree {
  return hashTreeFromCbor(decodeCbor(bytes));
}

/** Structural equality (labels, values and pruned hashes compared bytewise). */
export function hashTreeEquals(a: HashTree, b: HashTree): boolean {
  switch (a.kind) {
    case 'empty':
      return b.kind === 'empty';
    case 'fork':
      return b.kind === 'fork' && hashTreeEquals(a.left, b.left) && hashTreeEquals(a.right, b.right);
    case 'labeled':
      return b.kind === 'labeled' && bytesEqual(a.label, b.label) && hashTreeEquals(a.subtree, b.subtree);
    case 'leaf':
      return b.kind === 'leaf' && bytesEqual(a.value, b.value);
    case 'pruned':
      return b.kind === 'pruned' && bytesEqual(a.hash, b.hash);
  }
}
