// One Motoko compile with the `motoko` package's moc.js (the `mo:core` library available). moc.js keeps
// global state between compiles, so callers run each compile in a fresh thread or process.
import { createRequire } from 'node:module';

export interface MotokoJob {
  /** Source files by path; relative imports (`import Store "Store"`) resolve between them. */
  readonly files: Readonly<Record<string, string>>;
  readonly main: string;
  readonly persistence: 'enhanced' | 'classical';
}

export type MotokoResult =
  | { ok: true; wasm: Uint8Array; candid: string; version: string }
  | { ok: false; error: string; diagnostics: string };

interface Diagnostic {
  source: string;
  range: { start: { line: number; character: number } };
  severity: number;
  code: string;
  message: string;
}

interface Moc {
  version: string;
  compiler: { gcFlags(flag: string): void };
  loadPackage(pkg: unknown): void;
  write(path: string, content: string): void;
  wasm(path: string, mode: 'ic'): { wasm: Uint8Array; candid: string };
  check(path: string): Diagnostic[];
}

const require = createRequire(import.meta.url);

/** The compiler, or a clear error when the `motoko` package is not installed. */
export function loadMoc(): Moc {
  try {
    return require('motoko') as Moc;
  } catch {
    throw new Error('building Motoko canisters needs the `motoko` npm package (npm i -D motoko)');
  }
}

/** The compiler's version, part of every cache key. */
export function motokoVersion(): string {
  return (require('motoko/package.json') as { version: string }).version;
}

function formatDiagnostics(diagnostics: Diagnostic[]): string {
  const severities = ['', 'error', 'warning', 'info'];
  return diagnostics
    .map(({ source, range, severity, code, message }) => `${source}:${range.start.line + 1}:${range.start.character + 1}: ${severities[severity] ?? 'info'} [${code}] ${message}`)
    .join('\n');
}

export function compileMotoko(job: MotokoJob): MotokoResult {
  const moc = loadMoc();
  moc.loadPackage(require('motoko/packages/latest/core.json'));
  if (job.persistence === 'classical') moc.compiler.gcFlags('classicOP');
  for (const [path, content] of Object.entries(job.files)) moc.write(path, content);
  try {
    const out = moc.wasm(job.main, 'ic');
    return { ok: true, wasm: new Uint8Array(out.wasm), candid: out.candid, version: String(moc.version) };
  } catch (e) {
    let diagnostics: string;
    try {
      diagnostics = formatDiagnostics(moc.check(job.main));
    } catch (checkError) {
      diagnostics = `(moc check failed: ${String(checkError)})`;
    }
    return { ok: false, error: e instanceof Error ? e.message : String(e), diagnostics };
  }
}
