// Pruning a hash tree down to the requested paths, keeping the root hash. What stays visible:
// * everything under a requested path (a path that ends at an inner node reveals its subtree);
// * for a requested label that does not exist, its neighbouring labels (with their subtrees
//   pruned), so that `lookupPath` answers Absent rather than Unknown — the spec's absence proof;
// * leaves and Empty nodes met on the way (they prove that deeper paths are absent).
// Everything else is replaced by Pruned(hash); a fork with nothing visible collapses to one hash.
//
// The search follows the fork structure (a well-formed tree's forks are ordered), so pruning
// visits O(paths · depth) nodes plus the pruned stubs, not the whole of a wide level.
import { compareBytes } from './_bytes.ts';
import { asLabel, pruned, reconstruct, type HashTree, type TreePath } from './hash_tree.ts';

type Path = readonly Uint8Array[];

/** What a subtree of one level (a forest under forks) must reveal. */
interface Want {
  readonly paths: Path[]; // non-empty; the first label is resolved at this level
  showMin: boolean; // reveal the smallest label (right neighbour of an absent label)
  showMax: boolean; // reveal the largest label (left neighbour of an absent label)
}

/**
 * `tree` with everything not needed to answer `paths` pruned; same root hash.
 * @example pruneHashTree(tree, [['time'], ['request_status', requestId]])
 */
export function pruneHashTree(tree: HashTree, paths: readonly TreePath[]): HashTree {
  return pruneAt(tree, paths.map((p) => p.map(asLabel)));
}

/** Prune `tree` (the root of one level) for `paths`, relative to that level. */
function pruneAt(tree: HashTree, paths: readonly Path[]): HashTree {
  if (paths.length === 0) return stub(tree);
  if (paths.some((p) => p.length === 0)) return tree;
  if (tree.kind === 'leaf' || tree.kind === 'empty' || tree.kind === 'pruned') return tree;
  return pruneForest(tree, { paths: [...paths], showMin: false, showMax: false }) ?? stub(tree);
}

/** Stubs of the nodes pruned so far: the state tree's nodes live across rounds, and every answer prunes the same ones. */
const stubs = new WeakMap<HashTree, HashTree>();

/** A node not needed at all: its hash (Empty and Pruned are already as small as a hash). */
function stub(tree: HashTree): HashTree {
  if (tree.kind === 'empty' || tree.kind === 'pruned') return tree;
  let known = stubs.get(tree);
  if (known === undefined) stubs.set(tree, (known = pruned(reconstruct(tree))));
  return known;
}

function wantsNothing(w: Want): boolean {
  return w.paths.length === 0 && !w.showMin && !w.showMax;
}

/** The pruned node, or undefined if nothing in it is needed. */
function pruneForest(tree: HashTree, want: Want): HashTree | undefined {
  if (wantsNothing(want)) return undefined;
  switch (tree.kind) {
    case 'fork':
      return pruneFork(tree, want);
    case 'labeled':
      return pruneLabeled(tree, want);
    case 'leaf':
    case 'empty':
    case 'pruned':
      return tree;
  }
}

function pruneFork(tree: HashTree & { kind: 'fork' }, want: Want): HashTree | undefined {
  const along = want.paths.length === 1 && !want.showMin && !want.showMax ? followOnePath(tree, want) : undefined;
  if (along) return along;
  const left: Want = { paths: [], showMin: false, showMax: false };
  const right: Want = { paths: [], showMin: false, showMax: false };
  const maxLeft = maxLabel(tree.left);
  const minRight = minLabel(tree.right);
  if (want.showMin) (minLabel(tree.left) !== undefined ? left : right).showMin = true;
  if (want.showMax) (maxLabel(tree.right) !== undefined ? right : left).showMax = true;
  for (const p of want.paths) {
    const l = p[0]!;
    if (maxLeft !== undefined && compareBytes(l, maxLeft) <= 0) left.paths.push(p);
    else if (minRight !== undefined && compareBytes(l, minRight) >= 0) right.paths.push(p);
    else {
      // l falls between the two halves: reveal both neighbours.
      if (maxLeft !== undefined) left.showMax = true;
      if (minRight !== undefined) right.showMin = true;
    }
  }
  const l = pruneForest(tree.left, left);
  const r = pruneForest(tree.right, right);
  if (l === undefined && r === undefined) return undefined;
  if (l === tree.left && r === tree.right) return tree;
  return { kind: 'fork', left: l ?? stub(tree.left), right: r ?? stub(tree.right) };
}

/**
 * The common case of one path whose label lies in one of the fork's halves (a certificate for one request): that half
 * is pruned for the same want and the other becomes a stub. Undefined when the label lies between the halves.
 */
function followOnePath(tree: HashTree & { kind: 'fork' }, want: Want): HashTree | undefined {
  const label = want.paths[0]![0]!;
  const minRight = minLabel(tree.right);
  if (minRight !== undefined && compareBytes(label, minRight) >= 0) {
    const right = pruneForest(tree.right, want);
    return right === undefined ? undefined : { kind: 'fork', left: stub(tree.left), right };
  }
  const maxLeft = maxLabel(tree.left);
  if (maxLeft === undefined || compareBytes(label, maxLeft) > 0) return undefined;
  const left = pruneForest(tree.left, want);
  return left === undefined ? undefined : { kind: 'fork', left, right: stub(tree.right) };
}

function pruneLabeled(tree: HashTree & { kind: 'labeled' }, want: Want): HashTree {
  const inner: Path[] = [];
  for (const p of want.paths) if (compareBytes(p[0]!, tree.label) === 0) inner.push(p.slice(1));
  // Paths with another first label reach this node only as its neighbour: label visible only.
  const subtree = inner.length > 0 ? pruneAt(tree.subtree, inner) : stub(tree.subtree);
  return subtree === tree.subtree ? tree : { kind: 'labeled', label: tree.label, subtree };
}

/** Edge labels of fork nodes, computed once per node: a prune asks for them at every fork on its way down, and the
 *  state tree's forks live across rounds (null: the subtree holds no label). */
const firstLabels = new WeakMap<HashTree, Uint8Array | null>();
const lastLabels = new WeakMap<HashTree, Uint8Array | null>();

/** The smallest (`first`) or largest label at this level under `tree`, if any (Pruned and Empty hold none). */
function edgeLabel(tree: HashTree, first: boolean): Uint8Array | undefined {
  switch (tree.kind) {
    case 'fork': {
      const known = first ? firstLabels : lastLabels;
      const cached = known.get(tree);
      if (cached !== undefined) return cached ?? undefined;
      const label = first
        ? (edgeLabel(tree.left, true) ?? edgeLabel(tree.right, true))
        : (edgeLabel(tree.right, false) ?? edgeLabel(tree.left, false));
      known.set(tree, label ?? null);
      return label;
    }
    case 'labeled':
      return tree.label;
    case 'leaf':
    case 'empty':
    case 'pruned':
      return undefined;
  }
}

const minLabel = (tree: HashTree): Uint8Array | undefined => edgeLabel(tree, true);
const maxLabel = (tree: HashTree): Uint8Array | undefined => edgeLabel(tree, false);
