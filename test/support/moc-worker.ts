// Child process that runs exactly one Motoko compile. moc.js keeps global
// state (a classical compile followed by an enhanced one in the same process
// fails), so test/support/build.ts forks a fresh process per compile.
//
// Protocol (IPC, serialization 'advanced'): receives one MocJob, sends one
// MocResult, exits.
import { createRequire } from 'node:module';

export type MocJob = {
  files: Record<string, string>;
  main: string;
  persistence: 'enhanced' | 'classical';
};

export type MocResult =
  | { ok: true; wasm: Uint8Array; candid: string; version: string }
  | { ok: false; error: string; diagnostics: string };

type Diagnostic = {
  source: string;
  range: { start: { line: number; character: number } };
  severity: number;
  code: string;
  message: string;
};

type Mo = {
  version: string;
  compiler: { gcFlags(flag: string): void };
  loadPackage(pkg: unknown): void;
  write(path: string, content: string): void;
  wasm(path: string, mode: 'ic' | 'wasi'): { wasm: Uint8Array; candid: string };
  check(path: string): Diagnostic[];
};

function formatDiagnostics(diags: Diagnostic[]): string {
  return diags
    .map((d) => {
      const sev = d.severity === 1 ? 'error' : d.severity === 2 ? 'warning' : 'info';
      const { line, character } = d.range.start;
      return `${d.source}:${line + 1}:${character + 1}: ${sev} [${d.code}] ${d.message}`;
    })
    .join('\n');
}

function compile(job: MocJob): MocResult {
  const require = createRequire(import.meta.url);
  const mo = require('motoko') as Mo;
  mo.loadPackage(require('motoko/packages/latest/core.json'));
  if (job.persistence === 'classical') mo.compiler.gcFlags('classicOP');
  for (const [path, content] of Object.entries(job.files)) mo.write(path, content);
  try {
    const out = mo.wasm(job.main, 'ic');
    return { ok: true, wasm: new Uint8Array(out.wasm), candid: out.candid, version: String(mo.version) };
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    let diagnostics = '';
    try {
      diagnostics = formatDiagnostics(mo.check(job.main));
    } catch (checkError) {
      diagnostics = `(mo.check failed: ${String(checkError)})`;
    }
    return { ok: false, error, diagnostics };
  }
}

process.once('message', (job: MocJob) => {
  let result: MocResult;
  try {
    result = compile(job);
  } catch (e) {
    result = { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e), diagnostics: '' };
  }
  process.send!(result, () => process.disconnect());
});
