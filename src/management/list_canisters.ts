// IC method `list_canisters` (interface spec, management canister): the subnet's canisters as
// consecutive id ranges, deleted canisters left out. Non-replicated only: a user query through
// `/api/v3/subnet/<subnet_id>/query` (or a canister's query endpoint) or a composite query.
import { type CanisterState, canisterIdFromIndex, canisterIndexOf, type Principal } from '../state/index.ts';

export interface CanisterIdRange {
  start: Principal;
  end: Principal;
}

export function listCanisters(canisters: Iterable<CanisterState>): { canisters: CanisterIdRange[] } {
  const indices: bigint[] = [];
  for (const canister of canisters) {
    const index = canisterIndexOf(canister.id);
    if (index !== undefined) indices.push(index);
  }
  indices.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const ranges: CanisterIdRange[] = [];
  let start: bigint | undefined;
  let end = 0n;
  for (const index of indices) {
    if (start !== undefined && index === end + 1n) {
      end = index;
      continue;
    }
    if (start !== undefined) ranges.push({ start: canisterIdFromIndex(start), end: canisterIdFromIndex(end) });
    start = index;
    end = index;
  }
  if (start !== undefined) ranges.push({ start: canisterIdFromIndex(start), end: canisterIdFromIndex(end) });
  return { canisters: ranges };
}
