// Many library calls at once: every call submitted before the first round, so they share rounds.
import type { Capsule, CallOptions } from '../../src/api/index.ts';
import { replicaOf } from '../../src/api/testing.ts';

/** Submits every call, then runs rounds until all of them completed; the replies in order. */
export async function replyAll(ic: Capsule, calls: CallOptions[]): Promise<Uint8Array[]> {
  const replica = replicaOf(ic);
  const ids = [];
  for (const call of calls) ids.push(await ic.submitCall(call));
  while (ids.some((id) => !['replied', 'rejected'].includes(replica.ingressStatus(id)?.status ?? ''))) await ic.tick();
  return ids.map((id) => {
    const status = replica.ingressStatus(id);
    if (status?.status !== 'replied') throw new Error(`call ${id} did not reply: ${JSON.stringify(status, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
    return status.reply;
  });
}
