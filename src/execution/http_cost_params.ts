// The argument of `ic0.cost_http_request_v2`: a Candid message of one record of five nat64 fields.
// The replica decodes it without skipping anything, so the record must have exactly these fields.
import { contractViolation } from './errors.ts';

export interface HttpCostParams {
  readonly requestBytes: bigint;
  readonly httpRoundtripTimeMs: bigint;
  readonly rawResponseBytes: bigint;
  readonly transformedResponseBytes: bigint;
  readonly transformInstructions: bigint;
}

const FIELDS = ['request_bytes', 'http_roundtrip_time_ms', 'raw_response_bytes', 'transformed_response_bytes', 'transform_instructions'] as const;
const RECORD = 0x6c; // -20
const NAT64 = 0x78; // -8

/** Candid's field id: h = h·223 + byte, mod 2^32. */
function fieldHash(name: string): number {
  let hash = 0;
  for (const byte of new TextEncoder().encode(name)) hash = (Math.imul(hash, 223) + byte) >>> 0;
  return hash;
}

const FIELD_ORDER = FIELDS.map((name) => ({ name, hash: fieldHash(name) })).sort((a, b) => a.hash - b.hash);

class Cursor {
  at = 0;
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
  byte(): number {
    if (this.at >= this.bytes.length) throw new RangeError('unexpected end of the message');
    return this.bytes[this.at++]!;
  }
  leb(): number {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = this.byte();
      value += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0 || shift > 35) return value;
    }
  }
  u64(): bigint {
    let value = 0n;
    for (let i = 0; i < 8; i++) value |= BigInt(this.byte()) << BigInt(8 * i);
    return value;
  }
}

function expect(condition: boolean, what: string): void {
  if (!condition) throw new RangeError(what);
}

function decodeStrict(bytes: Uint8Array): HttpCostParams {
  const cursor = new Cursor(bytes);
  expect(new TextDecoder().decode(bytes.subarray(0, 4)) === 'DIDL', 'not a Candid message (no DIDL magic)');
  cursor.at = 4;
  expect(cursor.leb() === 1 && cursor.byte() === RECORD, 'the type table must hold exactly the params record');
  expect(cursor.leb() === FIELD_ORDER.length, `the record must have exactly the fields ${FIELDS.join(', ')}`);
  for (const field of FIELD_ORDER) {
    expect(cursor.leb() === field.hash, `the record must have exactly the fields ${FIELDS.join(', ')}`);
    expect(cursor.byte() === NAT64, `field ${field.name} must be a nat64`);
  }
  expect(cursor.leb() === 1 && cursor.leb() === 0, 'the message must carry one value of the params record');
  const values = new Map(FIELD_ORDER.map((field) => [field.name, cursor.u64()]));
  expect(cursor.at === bytes.length, 'trailing bytes after the value');
  return {
    requestBytes: values.get('request_bytes')!,
    httpRoundtripTimeMs: values.get('http_roundtrip_time_ms')!,
    rawResponseBytes: values.get('raw_response_bytes')!,
    transformedResponseBytes: values.get('transformed_response_bytes')!,
    transformInstructions: values.get('transform_instructions')!,
  };
}

/** @throws CanisterTrap (contract violation) when the bytes are not the params record. */
export function decodeHttpCostParams(bytes: Uint8Array): HttpCostParams {
  try {
    return decodeStrict(bytes);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    throw contractViolation(`ic0_cost_http_request_v2: failed to decode the cost parameters: ${error.message}`);
  }
}
