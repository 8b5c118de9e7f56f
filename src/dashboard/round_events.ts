// Server-sent events (HTML Living Standard, "Server-sent events"): one `round` event after a round that
// made, answered or created something, at most one per `intervalMs` (the newest round wins); idle rounds
// send nothing.
import type { Replica, RoundTiming } from '../replica/index.ts';
import { toJson } from './views.ts';

export interface EventStream {
  open(write: (chunk: Uint8Array) => void, end: () => void): () => void;
}

const encoder = new TextEncoder();

export function roundEvents(replica: Replica, intervalMs: number): EventStream {
  return {
    open(write) {
      let lastSent = Number.NEGATIVE_INFINITY;
      let latest: RoundTiming | undefined;
      let timer: NodeJS.Timeout | undefined;
      const send = (): void => {
        timer = undefined;
        if (!latest) return;
        lastSent = performance.now();
        const { round, time, executionMs, commitMs, calls } = latest;
        latest = undefined;
        write(encoder.encode(`event: round\ndata: ${toJson({ round, time, executionMs, commitMs, calls })}\n\n`));
      };
      const stop = replica.recorder.onActiveRound((timing) => {
        latest = timing;
        if (timer) return;
        const wait = lastSent + intervalMs - performance.now();
        if (wait <= 0) send();
        else timer = setTimeout(send, wait);
      });
      return () => {
        stop();
        clearTimeout(timer);
      };
    },
  };
}
