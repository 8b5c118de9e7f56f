// V8 flags Capsule sets from code, process-wide, once each: a flag the process was started with
// (`--flag` or `--no-flag` on the command line) wins.
import { setFlagsFromString } from 'node:v8';

const set = new Set<string>();

export function enableV8Flag(flag: string): void {
  if (set.has(flag)) return;
  set.add(flag);
  if (process.execArgv.some((argument) => argument.includes(flag))) return;
  setFlagsFromString(`--${flag}`);
}
