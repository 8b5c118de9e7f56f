// Operations that outlive the synchronous wait: PocketIC answers 202 `{state_label, op_id}` and the
// client fetches the result later with `GET /read_graph/<state_label>/<op_id>`; the Rust client then
// drops it with `DELETE /prune_graph/…`. Results are kept until pruned.
import { randomBytes } from 'node:crypto';
import { PocketIcError } from './errors.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
}

type Entry = { kind: 'running' } | { kind: 'done'; response: StoredResponse } | { kind: 'pruned' };

/** A 16-byte state label in URL-safe base64 with padding, as the server prints it. */
const LABEL = /^[A-Za-z0-9_-]{22}==$/;

export class OpGraph {
  readonly #entries = new Map<string, Entry>();
  #nextOp = 0;

  /** Registers a running operation; its op id is a decimal counter (URL-safe). */
  start(result: Promise<StoredResponse>): { state_label: string; op_id: string } {
    const stateLabel = randomBytes(16).toString('base64url').concat('==');
    const opId = String(this.#nextOp++);
    const key = `${stateLabel}/${opId}`;
    this.#entries.set(key, { kind: 'running' });
    void result.then((response) => {
      if (this.#entries.get(key)?.kind === 'running') this.#entries.set(key, { kind: 'done', response });
    });
    return { state_label: stateLabel, op_id: opId };
  }

  read(stateLabel: string, opId: string): StoredResponse {
    if (!LABEL.test(stateLabel)) throw new PocketIcError(400, `Malformed state_label: ${stateLabel}`);
    const entry = this.#entries.get(`${stateLabel}/${opId}`);
    if (entry?.kind === 'done') return entry.response;
    if (entry?.kind === 'pruned') throw new PocketIcError(410, 'Pruned');
    throw new PocketIcError(404, `state_label / op_id not found: ${stateLabel} / ${opId}`);
  }

  prune(stateLabel: string, opId: string): void {
    if (!LABEL.test(stateLabel)) throw new PocketIcError(400, `Malformed state_label: ${stateLabel}`);
    const key = `${stateLabel}/${opId}`;
    if (this.#entries.get(key)?.kind === 'done') this.#entries.set(key, { kind: 'pruned' });
  }
}
