// BLS signing with herumi's mcl compiled to wasm (the `mcl-wasm` package), ~5x faster than the same signature in
// JS: signing the round's certificate bounds how often a busy server can answer update calls. mcl hashes to G1 with
// a fixed tag of its own, so the message is hashed to two field elements here (hash_to_field of RFC 9380 with the
// caller's tag) and each is mapped by mcl's map-to-curve and cofactor clearing; both maps are group homomorphisms
// after the curve map, so the sum of the two points is the ciphersuite's hash_to_curve (RFC 9380, section 3).
// The wasm module loads asynchronously: until it has, callers sign in JS.
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { sha256 } from '@noble/hashes/sha2.js';
import mcl from 'mcl-wasm';
import { utf8 } from './_bytes.ts';

let loading: Promise<boolean> | undefined;
let loaded = false;

/** Loads the wasm module once; resolves false if it cannot be loaded (callers keep signing in JS). */
export function loadWasmBls(): Promise<boolean> {
  loading ??= mcl.init(mcl.BLS12_381).then(
    () => {
      // RFC 9380's simplified SWU map and the ZCash point encoding that the IC's signatures use.
      mcl.setMapToMode(mcl.IRTF);
      mcl.setETHserialization(true);
      loaded = true;
      return true;
    },
    () => false,
  );
  return loading;
}

const tags = new Map<string, Uint8Array>();

/**
 * The 48-byte compressed G1 signature of `message` under `secretKey` (32 bytes big-endian, below the group order),
 * hashed with the tag `dst`; undefined until `loadWasmBls` has resolved true.
 */
export function wasmBlsSign(secretKey: Uint8Array, message: Uint8Array, dst: string): Uint8Array | undefined {
  if (!loaded) return undefined;
  let tag = tags.get(dst);
  if (!tag) tags.set(dst, (tag = utf8(dst)));
  // Two field elements of 64 bytes each (L = 64 for BLS12-381's p, RFC 9380 section 8.8.1).
  const uniform = expand_message_xmd(message, tag, 128, sha256);
  const u0 = new mcl.Fp();
  const u1 = new mcl.Fp();
  u0.setBigEndianMod(uniform.subarray(0, 64));
  u1.setBigEndianMod(uniform.subarray(64));
  const scalar = new mcl.Fr();
  scalar.setBigEndianMod(secretKey);
  return mcl.mul(mcl.add(u0.mapToG1(), u1.mapToG1()), scalar).serialize();
}
