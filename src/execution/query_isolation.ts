// A canister called again within a composite query's call graph runs from its state before the query,
// as on the replica (every call there starts from the replicated state); its earlier executions'
// changes come back afterwards, for its own callbacks.
import type { CanisterState } from '../state/index.ts';
import { rollback } from './execute.ts';
import { rebuild, snapshotGlobals } from './instance.ts';
import type { Journal } from './journal.ts';

export interface JournaledExecution {
  canister: CanisterState;
  journal: Journal;
}

/**
 * Runs `body` with `canister` as it was before the executions in `journals` changed it. Its heap runs in
 * a copy of the instance (set aside afterwards), its stable memory is rolled back in place and restored;
 * the journals `body` adds for other canisters stay, those for this one are undone.
 */
export function fromStateBeforeQuery<T>(journals: JournaledExecution[], canister: CanisterState, body: () => T): T {
  const own = journals.filter((entry) => entry.canister === canister);
  const changed = canister.wasm;
  if (own.length === 0 || !changed) return body();
  const stable = canister.stable;
  const stableSize = stable.sizePages;
  const stablePages = new Map<number, Uint8Array | undefined>();
  for (const { journal } of own) {
    for (const page of journal.stablePages.keys()) if (!stablePages.has(page)) stablePages.set(page, stable.pages.get(page)?.slice());
  }
  canister.wasm = rebuild(changed, changed.heapSize, snapshotGlobals(changed));
  for (const { journal } of [...own].reverse()) rollback(canister, journal);
  const mark = journals.length;
  try {
    return body();
  } finally {
    const added = journals.splice(mark);
    for (const { journal } of added.filter((entry) => entry.canister === canister).reverse()) journal.rollbackStable(stable);
    journals.push(...added.filter((entry) => entry.canister !== canister));
    for (const [page, content] of stablePages) {
      if (content) stable.pages.set(page, content);
      else stable.pages.delete(page);
    }
    stable.sizePages = stableSize;
    canister.wasm = changed;
  }
}
