// Child process that runs exactly one Motoko compile (src/cli/motoko's compileMotoko). moc.js keeps global
// state (a classical compile followed by an enhanced one in the same process fails), so
// test/support/build.ts forks a fresh process per compile.
//
// Protocol (IPC, serialization 'advanced'): receives one MotokoJob, sends one MotokoResult, exits.
import { compileMotoko, type MotokoJob, type MotokoResult } from '../../src/cli/motoko/index.ts';

process.once('message', (job: MotokoJob) => {
  let result: MotokoResult;
  try {
    result = compileMotoko(job);
  } catch (e) {
    result = { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e), diagnostics: '' };
  }
  process.send!(result, () => process.disconnect());
});
