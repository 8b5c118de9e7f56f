// One wide level of the state tree (`/request_status/<rid>`, `/canister/<cid>`) kept between
// rounds, so that a round that changes k children rehashes O(k · 16) forks, not the whole level.
//
// The spec fixes labels and values, not the fork shape (interface spec, "Certification": any
// well-formed tree with the same labeled data is a valid witness). So children are grouped into
// 2^16 buckets by the first two bytes of their label (missing bytes count as 0x00, which keeps
// buckets contiguous in bytewise label order), and buckets sit under a fixed binary tree of 16
// levels. A bucket's forks are rebuilt when one of its children changes; above it only the path
// to the root is. Request ids are SHA-256 hashes, so their buckets hold a handful of children
// each; canister ids share their first bytes and land in one bucket, which is fine for the
// hundreds of canisters a local replica holds (their subtrees are cached by the caller).
// Unchanged fork objects are reused, and `reconstruct` memoizes digests per object.
import { compareBytes } from './_bytes.ts';
import { empty, fork, labeled, type HashTree } from './hash_tree.ts';
import { balancedForks } from './labeled_tree.ts';

const BUCKET_BITS = 16;
const LEAF_BASE = 1 << BUCKET_BITS;

interface Child {
  readonly label: Uint8Array;
  readonly node: HashTree; // labeled(label, subtree)
}

function bucketOf(label: Uint8Array): number {
  return ((label[0] ?? 0) << 8) | (label[1] ?? 0);
}

export class IncrementalForest {
  /** Children by key (the caller's stable key of a label, e.g. its hex). */
  readonly #children = new Map<string, Child>();
  readonly #buckets = new Map<number, Set<string>>();
  /** Subtrees of the implicit binary tree by heap index (root 1, buckets at LEAF_BASE + b); absent = no children. */
  readonly #nodes = new Map<number, HashTree>();
  readonly #dirty = new Set<number>();

  get size(): number {
    return this.#children.size;
  }

  has(key: string): boolean {
    return this.#children.has(key);
  }

  keys(): IterableIterator<string> {
    return this.#children.keys();
  }

  /** Put `label → subtree` under `key` (replacing what was there). */
  set(key: string, label: Uint8Array, subtree: HashTree): void {
    const bucket = bucketOf(label);
    this.#children.set(key, { label, node: labeled(label, subtree) });
    let members = this.#buckets.get(bucket);
    if (!members) this.#buckets.set(bucket, (members = new Set()));
    members.add(key);
    this.#dirty.add(bucket);
  }

  delete(key: string): void {
    const child = this.#children.get(key);
    if (!child) return;
    this.#children.delete(key);
    const bucket = bucketOf(child.label);
    const members = this.#buckets.get(bucket)!;
    members.delete(key);
    if (members.size === 0) this.#buckets.delete(bucket);
    this.#dirty.add(bucket);
  }

  /** The level as a hash tree: the labeled children in bytewise order, joined by forks. */
  tree(): HashTree {
    if (this.#dirty.size > 0) this.#rebuild();
    return this.#nodes.get(1) ?? empty();
  }

  #rebuild(): void {
    let level = new Set<number>();
    for (const bucket of this.#dirty) {
      const index = LEAF_BASE + bucket;
      this.#store(index, this.#bucketTree(bucket));
      level.add(index);
    }
    this.#dirty.clear();
    for (let depth = 0; depth < BUCKET_BITS; depth++) {
      const parents = new Set<number>();
      for (const index of level) parents.add(index >> 1);
      for (const parent of parents) this.#store(parent, this.#join(parent));
      level = parents;
    }
  }

  #bucketTree(bucket: number): HashTree | undefined {
    const members = this.#buckets.get(bucket);
    if (!members) return undefined;
    const children = [...members].map((key) => this.#children.get(key)!);
    children.sort((a, b) => compareBytes(a.label, b.label));
    return balancedForks(children.map((c) => c.node));
  }

  /** A fork only where both halves hold children, so every fork of the level is meaningful. */
  #join(parent: number): HashTree | undefined {
    const left = this.#nodes.get(2 * parent);
    const right = this.#nodes.get(2 * parent + 1);
    if (left && right) return fork(left, right);
    return left ?? right;
  }

  #store(index: number, tree: HashTree | undefined): void {
    if (tree) this.#nodes.set(index, tree);
    else this.#nodes.delete(index);
  }
}
