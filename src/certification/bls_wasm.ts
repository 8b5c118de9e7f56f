// BLS signing with herumi's mcl compiled to wasm (the `mcl-wasm` package), ~5x faster than the same signature in
// JS: signing the round's certificate bounds how often a busy server can answer update calls. mcl hashes to G1 with
// a fixed tag of its own, so the message is hashed to two field elements here (hash_to_field of RFC 9380 with the
// caller's tag) and each is mapped by mcl's map-to-curve and cofactor clearing; both maps are group homomorphisms
// after the curve map, so the sum of the two points is the ciphersuite's hash_to_curve (RFC 9380, section 3).
// Verification pairs in mcl too (two Miller loops, one final exponentiation). The wasm module loads asynchronously:
// until it has, callers sign and verify in JS.
import { expand_message_xmd } from '@noble/curves/abstract/hash-to-curve.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { fromHex, utf8 } from './_bytes.ts';

type Mcl = typeof import('mcl-wasm');

/** The module once loaded (imported on demand: a process that never asks pays nothing for it). */
let mcl: Mcl | undefined;
let loading: Promise<boolean> | undefined;
/** The negated generator of G2, for checking e(signature, g2) = e(H(m), key) as one product. */
let negatedG2Generator: InstanceType<Mcl['G2']> | undefined;

/** Loads the wasm module once (~130 ms of CPU); resolves false if it cannot be loaded (callers keep using JS). */
export function loadWasmBls(): Promise<boolean> {
  loading ??= load().then(
    () => true,
    () => false,
  );
  return loading;
}

async function load(): Promise<void> {
  const { default: module } = await import('mcl-wasm');
  await module.init(module.BLS12_381);
  // RFC 9380's simplified SWU map and the ZCash point encoding that the IC's signatures use.
  module.setMapToMode(module.IRTF);
  module.setETHserialization(true);
  // Points read from outside must lie in their prime-order subgroups.
  module.verifyOrderG1(true);
  module.verifyOrderG2(true);
  const generator = new module.G2();
  generator.deserialize(G2_GENERATOR);
  negatedG2Generator = module.neg(generator);
  mcl = module;
}

/** G2's standard generator, compressed. */
const G2_GENERATOR = fromHex(
  '93e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8',
);

const tags = new Map<string, Uint8Array>();

/**
 * The 48-byte compressed G1 signature of `message` under `secretKey` (32 bytes big-endian, below the group order),
 * hashed with the tag `dst`; undefined until `loadWasmBls` has resolved true.
 */
export function wasmBlsSign(secretKey: Uint8Array, message: Uint8Array, dst: string): Uint8Array | undefined {
  if (!mcl) return undefined;
  const scalar = new mcl.Fr();
  scalar.setBigEndianMod(secretKey);
  return mcl.mul(hashToG1(mcl, message, dst), scalar).serialize();
}

/**
 * Whether `signature` (48-byte compressed G1) signs `message` under `publicKey` (96-byte compressed G2), hashed with
 * the tag `dst`: false for malformed encodings, points off the curve or outside the subgroup, and the identity;
 * undefined until `loadWasmBls` has resolved true.
 */
export function wasmBlsVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array, dst: string): boolean | undefined {
  if (!mcl) return undefined;
  try {
    const point = new mcl.G1();
    point.deserialize(signature);
    const key = new mcl.G2();
    key.deserialize(publicKey);
    // The identity would make the equation hold for every message.
    if (point.isZero() || key.isZero()) return false;
    const product = mcl.mul(mcl.millerLoop(point, negatedG2Generator!), mcl.millerLoop(hashToG1(mcl, message, dst), key));
    return mcl.finalExp(product).isOne();
  } catch {
    return false;
  }
}

/** hash_to_curve of RFC 9380 for G1 with the tag `dst`. */
function hashToG1(mcl: Mcl, message: Uint8Array, dst: string): InstanceType<Mcl['G1']> {
  let tag = tags.get(dst);
  if (!tag) tags.set(dst, (tag = utf8(dst)));
  // Two field elements of 64 bytes each (L = 64 for BLS12-381's p, RFC 9380 section 8.8.1).
  const uniform = expand_message_xmd(message, tag, 128, sha256);
  const u0 = new mcl.Fp();
  const u1 = new mcl.Fp();
  u0.setBigEndianMod(uniform.subarray(0, 64));
  u1.setBigEndianMod(uniform.subarray(64));
  return mcl.add(u0.mapToG1(), u1.mapToG1());
}
