// Principals (interface spec, 'Principals'): ids are byte strings; the management canister is the empty blob.
import { Principal } from '@dfinity/principal';

export { Principal };

export const MANAGEMENT_CANISTER = Principal.fromUint8Array(new Uint8Array(0));
export const ANONYMOUS = Principal.anonymous();

/** Anything the public API accepts as a principal: a `Principal` of either SDK, or its text. */
export type PrincipalLike = Principal | string | { toUint8Array(): Uint8Array };

export function toPrincipal(value: PrincipalLike): Principal {
  if (typeof value === 'string') return Principal.fromText(value);
  if (value instanceof Principal) return value;
  return Principal.fromUint8Array(value.toUint8Array());
}

/** A stable map key for a principal (hex of its bytes). */
export function principalKey(principal: Principal): string {
  return principal.toHex();
}

export function principalEquals(a: Principal, b: Principal): boolean {
  return a.toHex() === b.toHex();
}

/** Bytewise order of principals: the canonical order of canisters in a round. */
export function comparePrincipals(a: Principal, b: Principal): number {
  const x = a.toUint8Array();
  const y = b.toUint8Array();
  const n = Math.min(x.length, y.length);
  for (let i = 0; i < n; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return x.length - y.length;
}

/** Replica canister ids: `u64_be(index) ‖ 0x01 ‖ 0x01`, opaque ids as the DFINITY replica forms them. */
export function canisterIdFromIndex(index: bigint): Principal {
  if (index < 0n || index >= 1n << 64n) throw new RangeError(`canister index ${index} is not a u64`);
  const bytes = new Uint8Array(10);
  new DataView(bytes.buffer).setBigUint64(0, index);
  bytes[8] = 1;
  bytes[9] = 1;
  return Principal.fromUint8Array(bytes);
}

export function canisterIndexOf(id: Principal): bigint | undefined {
  const bytes = id.toUint8Array();
  if (bytes.length !== 10 || bytes[8] !== 1 || bytes[9] !== 1) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0);
}
