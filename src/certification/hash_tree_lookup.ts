// Lookup in a (partial) hash tree, exactly the spec's `lookup_path` / `find_label`:
// Found (a leaf value), Absent (provably not there), Unknown (pruned away), Error (the path
// ends at an inner node). The tree is assumed well-formed (see `wellFormedError`).
import { bytesEqual, compareBytes } from './_bytes.ts';
import { asLabel, flattenForks, type HashTree, type TreePath } from './hash_tree.ts';

export type LookupResult =
  | { readonly status: 'found'; readonly value: Uint8Array }
  | { readonly status: 'absent' }
  | { readonly status: 'unknown' }
  | { readonly status: 'error' };

export type FindLabelResult =
  | { readonly status: 'found'; readonly subtree: HashTree }
  | { readonly status: 'absent' }
  | { readonly status: 'unknown' };

const ABSENT = { status: 'absent' } as const;
const UNKNOWN = { status: 'unknown' } as const;
const ERROR = { status: 'error' } as const;

/** `lookup_path(path, tree)`. */
export function lookupPath(path: TreePath, tree: HashTree): LookupResult {
  let t = tree;
  for (const label of path) {
    const r = findLabel(asLabel(label), flattenForks(t));
    if (r.status !== 'found') return r;
    t = r.subtree;
  }
  switch (t.kind) {
    case 'empty':
      return ABSENT;
    case 'leaf':
      return { status: 'found', value: t.value };
    case 'pruned':
      return UNKNOWN;
    case 'labeled':
    case 'fork':
      return ERROR;
  }
}

/**
 * The subtree at `path` (Found even for inner nodes), for callers that walk a subtree such as
 * `/canister_ranges/<subnet>`. Same Absent/Unknown rules as `lookupPath`.
 */
export function lookupSubtree(path: TreePath, tree: HashTree): FindLabelResult {
  let t = tree;
  for (const label of path) {
    const r = findLabel(asLabel(label), flattenForks(t));
    if (r.status !== 'found') return r;
    t = r.subtree;
  }
  return { status: 'found', subtree: t };
}

/** `find_label(l, forest)` where `forest = flatten_forks(tree)`. */
export function findLabel(label: Uint8Array, forest: readonly HashTree[]): FindLabelResult {
  for (const t of forest) {
    if (t.kind === 'labeled' && bytesEqual(t.label, label)) return { status: 'found', subtree: t.subtree };
  }
  if (forest.length === 0) return ABSENT;
  if (forest.length === 1 && forest[0]!.kind === 'leaf') return ABSENT;
  const first = forest[0]!;
  if (first.kind === 'labeled' && compareBytes(label, first.label) < 0) return ABSENT;
  const last = forest[forest.length - 1]!;
  if (last.kind === 'labeled' && compareBytes(last.label, label) < 0) return ABSENT;
  for (let i = 0; i + 1 < forest.length; i++) {
    const a = forest[i]!;
    const b = forest[i + 1]!;
    if (a.kind === 'labeled' && b.kind === 'labeled' && compareBytes(a.label, label) < 0 && compareBytes(label, b.label) < 0) {
      return ABSENT;
    }
  }
  return UNKNOWN;
}

/**
 * Every labeled child of `tree` in order, as [label, subtree] (the spec's `lookup*`
 * building block). Pruned children are skipped; callers that need completeness check
 * `lookupSubtree` and the absence of pruned nodes themselves.
 */
export function labeledChildren(tree: HashTree): [Uint8Array, HashTree][] {
  const out: [Uint8Array, HashTree][] = [];
  for (const t of flattenForks(tree)) if (t.kind === 'labeled') out.push([t.label, t.subtree]);
  return out;
}
