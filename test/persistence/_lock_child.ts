// A contender of the lock race test: on each message `{ dir, at }` it waits until the wall clock
// reaches `at` (so all contenders start together), tries to lock `dir` and answers whether it won;
// it holds a won lock until told `{ release: true }`, so a late contender cannot win after it.
import { type DirLock, lockStateDir } from '../../src/persistence/lock.ts';
import { PersistenceError } from '../../src/persistence/index.ts';

let held: DirLock | undefined;

process.on('message', (message: { dir?: string; at?: number; release?: boolean }) => {
  if (message.release) {
    held?.release();
    held = undefined;
    process.send!({ released: true });
    return;
  }
  while (Date.now() < message.at!) {
    // Busy-wait: a timer would spread the contenders over milliseconds.
  }
  try {
    held = lockStateDir(message.dir!, () => {});
    process.send!({ won: true });
  } catch (error) {
    if (!(error instanceof PersistenceError) || error.failure.kind !== 'locked') throw error;
    process.send!({ won: false });
  }
});
process.on('disconnect', () => process.exit(0));
