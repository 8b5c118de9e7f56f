// Building a hash tree from labeled data: children are sorted bytewise (duplicates rejected)
// and joined by balanced forks, so every built tree is well-formed. The fork shape is
// deterministic: neighbours are paired level by level, an odd last node moves up unpaired.
import { compareBytes, toHex, utf8 } from './_bytes.ts';
import { empty, fork, labeled, leaf, type HashTree } from './hash_tree.ts';

/** Labeled data: a leaf value, or a node with labeled children (in any order). */
export type LabeledTree =
  | { readonly kind: 'leaf'; readonly value: Uint8Array }
  | { readonly kind: 'node'; readonly children: readonly (readonly [Uint8Array, LabeledTree])[] };

export function labeledLeaf(value: Uint8Array | string): LabeledTree {
  return { kind: 'leaf', value: typeof value === 'string' ? utf8(value) : value };
}

export function labeledNode(children: Iterable<readonly [Uint8Array | string, LabeledTree]>): LabeledTree {
  const list: (readonly [Uint8Array, LabeledTree])[] = [];
  for (const [label, t] of children) list.push([typeof label === 'string' ? utf8(label) : label, t]);
  return { kind: 'node', children: list };
}

/**
 * The hash tree of `tree`: leaves become Leaf, nodes become balanced forks of Labeled children
 * (a node without children becomes Empty).
 * @throws RangeError if two children of one node have the same label.
 */
export function buildHashTree(tree: LabeledTree): HashTree {
  if (tree.kind === 'leaf') return leaf(tree.value);
  const sorted = [...tree.children].sort((a, b) => compareBytes(a[0], b[0]));
  for (let i = 1; i < sorted.length; i++) {
    if (compareBytes(sorted[i - 1]![0], sorted[i]![0]) === 0) {
      throw new RangeError(`duplicate label 0x${toHex(sorted[i]![0])}`);
    }
  }
  return balancedForks(sorted.map(([label, t]) => labeled(label, buildHashTree(t))));
}

/** Join `nodes` (already in order) by forks, pairing neighbours level by level. */
export function balancedForks(nodes: readonly HashTree[]): HashTree {
  if (nodes.length === 0) return empty();
  let level = nodes;
  while (level.length > 1) {
    const next: HashTree[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(fork(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}
