// ic0 cost queries (interface spec, 'Cycle cost calculation'): what an operation would cost this canister on this subnet.
import { callTransmissionFee, responseReservation, scale } from './cycles.ts';
import { contractViolation } from './errors.ts';
import type { Handlers } from './ic0_types.ts';
import { decodeUtf8, type SystemApi, writeU128 } from './system_api.ts';

/** Threshold key names a local replica serves (as the DFINITY local development replicas do). */
const KEY_NAMES = new Set(['dfx_test_key', 'test_key_1', 'key_1']);

function keyCost(api: SystemApi, src: number | bigint | undefined, size: number | bigint | undefined, variant: number, variants: number, dst: number | bigint | undefined, name: string): number {
  const keyName = decodeUtf8(api.readBytes(src!, size!, name));
  if (variant < 0 || variant >= variants) return 1;
  if (keyName === undefined || !KEY_NAMES.has(keyName)) return 2;
  writeU128(api, dst!, scale(api.env, api.env.costs.signWithThresholdKey), name);
  return 0;
}

function httpRequestCost(api: SystemApi, requestSize: bigint, maxResponseBytes: bigint): bigint {
  if (api.env.costs.name === 'free') return 0n;
  const nodes = BigInt(api.env.subnetSize);
  return (3_000_000n + 60_000n * nodes) * nodes + (400n * requestSize + 800n * maxResponseBytes) * nodes;
}

export const costHandlers: Handlers = {
  cost_call: (api, methodNameSize, payloadSize, dst) => {
    const wasm64 = api.pointerWidth === 64;
    const fee = callTransmissionFee(api.env, Number(BigInt.asUintN(64, methodNameSize as bigint)), Number(BigInt.asUintN(64, payloadSize as bigint)));
    writeU128(api, dst!, fee + responseReservation(api.env, wasm64), 'ic0_cost_call');
  },
  cost_create_canister: (api, dst) =>
    writeU128(api, dst!, scale(api.env, api.env.costs.canisterCreation), 'ic0_cost_create_canister'),
  cost_http_request: (api, requestSize, maxResponseBytes, dst) =>
    writeU128(
      api,
      dst!,
      httpRequestCost(api, BigInt.asUintN(64, requestSize as bigint), BigInt.asUintN(64, maxResponseBytes as bigint)),
      'ic0_cost_http_request',
    ),
  cost_http_request_v2: () => {
    throw contractViolation('ic0_cost_http_request_v2: HTTPS outcalls are not supported by this replica yet');
  },
  cost_sign_with_ecdsa: (api, src, size, curve, dst) => keyCost(api, src, size, curve as number, 1, dst, 'ic0_cost_sign_with_ecdsa'),
  cost_sign_with_schnorr: (api, src, size, algorithm, dst) =>
    keyCost(api, src, size, algorithm as number, 2, dst, 'ic0_cost_sign_with_schnorr'),
  cost_vetkd_derive_key: (api, src, size, curve, dst) =>
    keyCost(api, src, size, curve as number, 1, dst, 'ic0_cost_vetkd_derive_key'),
};

