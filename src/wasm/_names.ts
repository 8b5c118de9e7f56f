// The `name` custom section: read function names (for CanisterModule.functionNames) and
// rewrite the section for the instrumented module with function indices shifted past
// the injected imports, so V8 stack traces still name the canister's functions.
// Custom sections are not validated by wasm engines, so a malformed name section is
// not an invalid module: reading it yields no names and instrumentation drops it.
import { Reader } from './_reader.ts';
import type { Writer } from './_writer.ts';

const FUNCTION_NAMES = 1;
const LOCAL_NAMES = 2;
const LABEL_NAMES = 3;

/** Function names by index; empty if the section is malformed. */
export function readFunctionNames(bytes: Uint8Array, start: number, end: number): Map<number, string> {
  const names = new Map<number, string>();
  try {
    const r = new Reader(bytes, start, end);
    while (r.pos < end) {
      const id = r.u8();
      const size = r.u32();
      const next = r.pos + size;
      if (id === FUNCTION_NAMES) {
        r.end = next;
        const count = r.u32();
        for (let i = 0; i < count; i++) names.set(r.u32(), r.name());
        r.end = end;
      }
      r.pos = next;
      r.check();
    }
  } catch {
    names.clear();
  }
  return names;
}

/**
 * Writes a rewritten `name` section (id, size, name, subsections) to `w`, or nothing if
 * the original is malformed. `injected` names the new imports at indices 0..n-1;
 * `appended` names a function added after all others.
 */
export function writeNameSection(
  w: Writer, bytes: Uint8Array, start: number, end: number, injected: readonly string[], appended: [number, string],
): void {
  const rollback = w.pos;
  try {
    w.u8(0);
    const mark = w.beginSized();
    w.name('name');
    writeSubsections(w, new Reader(bytes, start, end), injected, appended);
    w.endSized(mark);
  } catch {
    w.pos = rollback;
  }
}

function writeSubsections(w: Writer, r: Reader, injected: readonly string[], appended: [number, string]): void {
  const shift = injected.length;
  while (r.pos < r.end) {
    const id = r.u8();
    const size = r.u32();
    const content = r.pos;
    const next = content + size;
    if (next > r.end) throw new RangeError('name subsection past end');
    w.u8(id);
    const mark = w.beginSized();
    const sub = new Reader(r.buf, content, next);
    if (id === FUNCTION_NAMES) writeFunctionNames(w, sub, injected, appended);
    else if (id === LOCAL_NAMES || id === LABEL_NAMES) writeIndirectNames(w, sub, shift);
    else w.copy(r.buf, content, next);
    w.endSized(mark);
    r.pos = next;
  }
}

function writeFunctionNames(w: Writer, r: Reader, injected: readonly string[], appended: [number, string]): void {
  const count = r.u32();
  w.u32(count + injected.length + 1);
  injected.forEach((name, i) => {
    w.u32(i);
    w.name(name);
  });
  for (let i = 0; i < count; i++) {
    w.u32(r.u32() + injected.length);
    const nameStart = r.pos;
    r.skipName();
    w.copy(r.buf, nameStart, r.pos);
  }
  w.u32(appended[0]);
  w.name(appended[1]);
}

/** Local and label names: a map from function index to a name map, copied as is. */
function writeIndirectNames(w: Writer, r: Reader, shift: number): void {
  const count = r.u32();
  w.u32(count);
  for (let i = 0; i < count; i++) {
    w.u32(r.u32() + shift);
    const inner = r.pos;
    const n = r.u32();
    for (let j = 0; j < n; j++) {
      r.skipLeb();
      r.skipName();
    }
    w.copy(r.buf, inner, r.pos);
  }
}
