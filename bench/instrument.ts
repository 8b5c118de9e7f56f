// Rewrite speed of the wasm layer, printed as JSON.
//
//   node bench/instrument.ts
//
// Inputs: a synthetic 6.5 MB module (3,000 functions mixing loops, branches, calls,
// loads and stores, the shape of compiled Rust or C), plus any cached Azle and Motoko
// builds from .cache/wasm. For each: decode + instrument alone (`instrument`), and the
// whole parseCanisterModule (V8 validation, SHA-256, IC checks, instrumentation), first
// run (cold JIT) and the median of warm runs. MB/s are of input bytes.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeModule } from '../src/wasm/decode.ts';
import { instrument } from '../src/wasm/instrument.ts';
import { parseCanisterModule } from '../src/wasm/index.ts';

const cacheDir = fileURLToPath(new URL('../.cache/wasm/', import.meta.url));

function leb(value: number, out: number[]): void {
  let v = value >>> 0;
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v >>>= 7;
  }
  out.push(v);
}

/** One function body: a loop over `chunks` copies of a mixed straight-line/branchy chunk. */
function body(funcIndex: number, functions: number, chunks: number): number[] {
  const code: number[] = [1, 2, 0x7f]; // two i32 locals
  code.push(0x03, 0x40); // loop
  for (let i = 0; i < chunks; i++) {
    code.push(0x20, 0, 0x41, 4, 0x6c, 0x20, 1, 0x36, 2, 8); // i32.store offset=8 (p*4) x
    code.push(0x20, 1, 0x41, 1, 0x6a, 0x21, 1); // x = x + 1
    code.push(0x20, 0, 0x28, 2, 16, 0x1a); // drop(i32.load offset=16 p)
    code.push(0x02, 0x40, 0x20, 1, 0x0d, 0); // block; br_if 0 (x)
    code.push(0x20, 0, 0x10); // call f(p)
    leb((funcIndex + 1 + i) % functions, code);
    code.push(0x1a, 0x0b); // drop; end
    code.push(0x20, 1, 0x04, 0x40, 0x20, 0, 0x41, 1, 0x3a, 0, 0, 0x0b); // if x: i32.store8 p 1
  }
  code.push(0x20, 1, 0x41, 10, 0x49, 0x0d, 0, 0x0b); // br_if (x < 10) loop; end
  code.push(0x20, 1, 0x0b); // x; end
  return code;
}

function section(id: number, content: number[], out: number[]): void {
  out.push(id);
  leb(content.length, out);
  for (const b of content) out.push(b);
}

/** A valid canister-shaped module of about `targetBytes`. */
function synthetic(targetBytes: number): Uint8Array {
  const chunks = 40;
  const perFunction = body(0, 2, chunks).length + 3;
  const functions = Math.ceil(targetBytes / perFunction);
  const out = [0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0];
  section(1, [1, 0x60, 1, 0x7f, 1, 0x7f], out);
  const funcs: number[] = [];
  leb(functions, funcs);
  for (let i = 0; i < functions; i++) funcs.push(0);
  section(3, funcs, out);
  section(5, [1, 0, 17], out); // memory 17 pages
  section(7, [1, 3, ...new TextEncoder().encode('run'), 0, 0], out);
  const code: number[] = [];
  leb(functions, code);
  for (let i = 0; i < functions; i++) {
    const b = body(i, functions, chunks);
    leb(b.length, code);
    for (const x of b) code.push(x);
  }
  section(10, code, out);
  return new Uint8Array(out);
}

function time(fn: () => void): number {
  const started = performance.now();
  fn();
  return performance.now() - started;
}

function measure(name: string, wasm: Uint8Array) {
  const mb = wasm.length / 1e6;
  const info = decodeModule(wasm);
  const coldInstrument = time(() => instrument(decodeModule(wasm)));
  const coldParse = time(() => parseCanisterModule(wasm));
  const warm = (fn: () => void) => {
    const runs = Array.from({ length: 7 }, () => time(fn)).sort((a, b) => a - b);
    return runs[3]!;
  };
  const warmInstrument = warm(() => instrument(decodeModule(wasm)));
  const warmParse = warm(() => parseCanisterModule(wasm));
  const instrumented = instrument(info);
  const output = instrumented.length;
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    name,
    inputBytes: wasm.length,
    outputBytes: output,
    growth: round(output / wasm.length),
    outputValid: WebAssembly.validate(instrumented),
    functions: info.functionTypes.length,
    instrument: { coldMs: round(coldInstrument), warmMs: round(warmInstrument), warmMBps: round(mb / (warmInstrument / 1000)) },
    parseCanisterModule: { coldMs: round(coldParse), warmMs: round(warmParse), warmMBps: round(mb / (warmParse / 1000)) },
  };
}

function cached(prefix: string): { name: string; wasm: Uint8Array } | undefined {
  try {
    const files = readdirSync(cacheDir).filter((f) => f.startsWith(prefix) && f.endsWith('.wasm'));
    const largest = files
      .map((f) => ({ f, wasm: new Uint8Array(readFileSync(join(cacheDir, f))) }))
      .sort((a, b) => b.wasm.length - a.wasm.length)[0];
    return largest && { name: `${prefix}${largest.f.slice(prefix.length, prefix.length + 8)}`, wasm: largest.wasm };
  } catch {
    return undefined;
  }
}

// The synthetic module runs first, so its cold numbers include JIT warm-up of the rewriter.
const inputs = [{ name: 'synthetic-6.5MB', wasm: synthetic(6_500_000) }, cached('azle-'), cached('mo-')];
const results = inputs.filter((i) => i !== undefined).map((i) => measure(i.name, i.wasm));
console.log(JSON.stringify({ benchmark: 'wasm/instrument', node: process.version, results }, null, 2));
