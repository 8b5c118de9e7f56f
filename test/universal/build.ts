/** Compiles the universal test canister with wabt (memoized per pointer width). */

import wabtInit from 'wabt';
import { universalCanisterWat, type Width } from './source.ts';

const builds = new Map<Width, Promise<Uint8Array>>();

async function compile(width: Width): Promise<Uint8Array> {
  const wabt = await wabtInit();
  const module = wabt.parseWat(`universal_canister_${width}.wat`, universalCanisterWat(width), {
    bulk_memory: true,
    memory64: width === 64,
  });
  try {
    module.validate();
    return module.toBinary({}).buffer.slice();
  } finally {
    module.destroy();
  }
}

/**
 * The universal canister module for a pointer width: 32 = wasm32 (with the legacy 32-bit System
 * API), 64 = wasm64 (memory64). Compiled once per process; callers get fresh copies.
 */
export async function buildUniversalCanister(width: Width = 32): Promise<Uint8Array> {
  let p = builds.get(width);
  if (!p) {
    p = compile(width);
    builds.set(width, p);
    p.catch(() => builds.delete(width));
  }
  return (await p).slice();
}
