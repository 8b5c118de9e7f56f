// Canister modules are uploaded as wasm or gzip-compressed wasm (interface spec, section 'Canister module format'). Mirrors the
// replica's decoding.rs: the size limit is checked against the gzip footer's ISIZE
// before inflating, and inflation stops one byte past it, so a gzip bomb costs at most
// the limit in memory.
import { gunzipSync } from 'node:zlib';
import { invalidModule } from './errors.ts';

/** Largest accepted (decompressed) module: 100 MiB. */
export const MAX_WASM_MODULE_SIZE = 100 * 1024 * 1024;

const WASM_MAGIC = [0x00, 0x61, 0x73, 0x6d];
const WASM_VERSION = [0x01, 0x00, 0x00, 0x00];
const GZIP_MAGIC = [0x1f, 0x8b, 0x08];

const startsWith = (bytes: Uint8Array, prefix: readonly number[]): boolean => prefix.every((b, i) => bytes[i] === b);

/** Returns the wasm binary (decompressed if gzipped); throws InvalidModuleError. */
export function decodeWasm(bytes: Uint8Array, maxSize = MAX_WASM_MODULE_SIZE): Uint8Array {
  const wasm = startsWith(bytes, GZIP_MAGIC) ? gunzip(bytes, maxSize) : bytes;
  if (!startsWith(wasm, WASM_MAGIC)) throw invalidModule('decodingError', 'unsupported canister module format');
  if (wasm.length > maxSize) {
    throw invalidModule('moduleTooLarge', `Wasm module size of ${wasm.length} exceeds the maximum allowed size of ${maxSize}.`);
  }
  if (wasm.length < 8 || !WASM_VERSION.every((b, i) => wasm[4 + i] === b)) {
    throw invalidModule('decodingError', 'unsupported wasm binary version (expected 1)');
  }
  return wasm;
}

function gunzip(bytes: Uint8Array, maxSize: number): Uint8Array {
  // At least a 10-byte header and an 8-byte footer (the replica checks 16).
  if (bytes.length < 16) throw invalidModule('decodingError', 'invalid Wasm module: gzip stream is too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getUint32(bytes.length - 4, true);
  if (declared > maxSize) {
    throw invalidModule('moduleTooLarge', `Wasm module size of ${declared} exceeds the maximum allowed size of ${maxSize}.`);
  }
  let wasm: Uint8Array;
  try {
    wasm = new Uint8Array(gunzipSync(bytes, { maxOutputLength: Math.max(declared, 1) + 1 }));
  } catch (e) {
    throw invalidModule('decodingError', `failed to decode compressed Wasm module: ${(e as Error).message}`);
  }
  if (wasm.length !== declared) {
    throw invalidModule('decodingError', `specified uncompressed size ${declared} does not match extracted size ${wasm.length}`);
  }
  return wasm;
}
