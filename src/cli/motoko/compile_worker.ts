// A thread that runs one Motoko compile (moc.js keeps global state, so each compile gets a fresh thread).
import { parentPort, workerData } from 'node:worker_threads';
import { compileMotoko, type MotokoJob, type MotokoResult } from './compile.ts';

let result: MotokoResult;
try {
  result = compileMotoko(workerData as MotokoJob);
} catch (e) {
  result = { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e), diagnostics: '' };
}
parentPort?.postMessage(result);
