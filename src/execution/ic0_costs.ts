// ic0 cost queries (interface spec, section 'Cycles cost calculation'): what an operation would cost this canister on this subnet.
import { CHAIN_KEY_NAMES, chainKeyFee } from './chain_keys.ts';
import { callTransmissionFee, httpRequestFee, httpRequestFeeV2, responseReservation, scale } from './cycles.ts';
import { decodeHttpCostParams } from './http_cost_params.ts';
import { CONTEXTS } from './context.ts';
import { type Ic0Group, OVERHEAD, type Word } from './ic0_entry.ts';
import { decodeUtf8, type SystemApi, writeU128 } from './system_api.ts';

function keyCost(api: SystemApi, src: Word, size: Word, variant: number, variants: number, dst: Word, name: string): number {
  const keyName = decodeUtf8(api.readBytes(src, size, name));
  if (variant < 0 || variant >= variants) return 1;
  if (keyName === undefined || !CHAIN_KEY_NAMES.includes(keyName)) return 2;
  writeU128(api, dst, chainKeyFee(api.env), name);
  return 0;
}

const ANYWHERE = CONTEXTS.everywhereAndStart;
const S = OVERHEAD.standard;

export const costFunctions = {
  cost_call: {
    allowed: ANYWHERE,
    overhead: S,
    handler: (api, methodNameSize, payloadSize, dst) => {
      const wasm64 = api.pointerWidth === 64;
      const fee = callTransmissionFee(api.env, Number(BigInt.asUintN(64, methodNameSize)), Number(BigInt.asUintN(64, payloadSize)));
      writeU128(api, dst, fee + responseReservation(api.env, wasm64), 'ic0_cost_call');
    },
  },
  cost_create_canister: {
    allowed: ANYWHERE,
    overhead: S,
    handler: (api, dst) => writeU128(api, dst, scale(api.env, api.env.costs.canisterCreation), 'ic0_cost_create_canister'),
  },
  cost_http_request: {
    allowed: ANYWHERE,
    overhead: S,
    handler: (api, requestSize, maxResponseBytes, dst) =>
      writeU128(
        api,
        dst,
        httpRequestFee(api.env, BigInt.asUintN(64, requestSize), BigInt.asUintN(64, maxResponseBytes)),
        'ic0_cost_http_request',
      ),
  },
  cost_http_request_v2: {
    allowed: ANYWHERE,
    overhead: OVERHEAD.costHttpRequestV2,
    handler: (api, src, size, dst) => {
      const params = decodeHttpCostParams(api.readBytes(src, size, 'ic0_cost_http_request_v2'));
      writeU128(api, dst, httpRequestFeeV2(api.env, params), 'ic0_cost_http_request_v2');
    },
  },
  cost_sign_with_ecdsa: {
    allowed: ANYWHERE,
    overhead: S,
    handler: (api, src, size, curve, dst) => keyCost(api, src, size, curve, 1, dst, 'ic0_cost_sign_with_ecdsa'),
  },
  cost_sign_with_schnorr: {
    allowed: ANYWHERE,
    overhead: S,
    handler: (api, src, size, algorithm, dst) => keyCost(api, src, size, algorithm, 2, dst, 'ic0_cost_sign_with_schnorr'),
  },
  cost_vetkd_derive_key: {
    allowed: ANYWHERE,
    overhead: S,
    handler: (api, src, size, curve, dst) => keyCost(api, src, size, curve, 1, dst, 'ic0_cost_vetkd_derive_key'),
  },
} satisfies Ic0Group;
