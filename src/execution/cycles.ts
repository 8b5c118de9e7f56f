// Cycle costs and the freezing limit (the IC's cycle costs; the replica's CyclesAccountManager).
import type { HttpCostParams } from './http_cost_params.ts';
import { type CanisterState, type CostSchedule, GIB, INSTRUCTION_LIMITS, MAX_REPLICATED_RESPONSE, memoryUsage } from '../state/index.ts';

const SECONDS_PER_DAY = 86_400n;

export interface Pricing {
  costs: CostSchedule;
  subnetSize: number;
}

/** Fees scale with the subnet's size, relative to a 13-node subnet. */
export function scale(pricing: Pricing, fee: bigint): bigint {
  return (fee * BigInt(pricing.subnetSize)) / 13n;
}

/**
 * Takes an execution's cost from the balance and counts it as consumed by instructions: the one way a
 * failed (or otherwise change-less) execution pays. A balance too small pays what it has; the prepaid
 * check before every execution keeps that from happening.
 */
export function chargeExecution(canister: CanisterState, cost: bigint): void {
  const charged = cost < canister.cycles ? cost : canister.cycles;
  canister.cycles -= charged;
  canister.consumed.instructions += charged;
}

export function executionCost(pricing: Pricing, instructions: bigint, wasm64: boolean): bigint {
  const perInstruction = wasm64 ? pricing.costs.perInstructionWasm64 : pricing.costs.perInstruction;
  return scale(pricing, pricing.costs.updateMessageBase + perInstruction * instructions);
}

/** Fee of sending a request: base plus bytes of method name and argument. */
export function callTransmissionFee(pricing: Pricing, methodBytes: number, argBytes: number): bigint {
  return scale(pricing, pricing.costs.interCanisterCall + pricing.costs.interCanisterByte * BigInt(methodBytes + argBytes));
}

/** The transmission of the largest response, reserved at call_perform. */
export function responseTransmissionReservation(pricing: Pricing): bigint {
  return scale(pricing, pricing.costs.interCanisterByte * BigInt(MAX_REPLICATED_RESPONSE));
}

/** Reserved at call_perform for the response: its maximal transmission and its execution. */
export function responseReservation(pricing: Pricing, wasm64: boolean): bigint {
  return responseTransmissionReservation(pricing) + executionCost(pricing, INSTRUCTION_LIMITS.update, wasm64);
}

export function ingressInductionCost(pricing: Pricing, bytes: number): bigint {
  return scale(pricing, pricing.costs.ingressMessage + pricing.costs.ingressByte * BigInt(bytes));
}

/** Storage fee for `bytes` during `seconds`. */
export function storageCost(pricing: Pricing, bytes: bigint, nanos: bigint): bigint {
  return scale(pricing, (bytes * pricing.costs.storagePerGibSecond * nanos) / (GIB * 1_000_000_000n));
}

export function idleCyclesBurnedPerDay(pricing: Pricing, canister: CanisterState): bigint {
  const storage = storageCost(pricing, memoryUsage(canister), SECONDS_PER_DAY * 1_000_000_000n);
  const compute = scale(pricing, pricing.costs.computePercentSecond * canister.settings.computeAllocation * SECONDS_PER_DAY);
  return storage + compute;
}

/** Below this balance the canister is frozen. */
export function freezingLimit(pricing: Pricing, canister: CanisterState): bigint {
  return (idleCyclesBurnedPerDay(pricing, canister) * canister.settings.freezingThreshold) / SECONDS_PER_DAY;
}

/** Cycles the canister can spend without freezing. */
export function liquidBalance(pricing: Pricing, canister: CanisterState): bigint {
  const frozen = freezingLimit(pricing, canister) - canister.reservedCycles;
  const liquid = canister.cycles - (frozen > 0n ? frozen : 0n);
  return liquid > 0n ? liquid : 0n;
}

/**
 * The fee of an HTTP outcall (interface spec, section 'Cycles cost calculation'):
 * (3,000,000 + 60,000·n)·n + (400·request bytes + 800·max response bytes)·n for n nodes.
 */
export function httpRequestFee(pricing: Pricing, requestBytes: bigint, maxResponseBytes: bigint): bigint {
  if (pricing.costs.name === 'free') return 0n;
  const nodes = BigInt(pricing.subnetSize);
  return (pricing.costs.httpRequestBase + 60_000n * nodes) * nodes + (400n * requestBytes + 800n * maxResponseBytes) * nodes;
}

/**
 * The price `ic0.cost_http_request_v2` quotes for an outcall of the given usage on n nodes (the
 * replica's http_request_fee_v2): n·(1,000,000 + 50·request + 140,000·n + 800·n² + 50·raw response
 * + 300·round-trip ms + transform instructions / 13 + (10·n + 650)·transformed response).
 */
export function httpRequestFeeV2(pricing: Pricing, params: HttpCostParams): bigint {
  if (pricing.costs.name === 'free') return 0n;
  const n = BigInt(pricing.subnetSize);
  const perNode =
    1_000_000n +
    50n * params.requestBytes +
    140_000n * n +
    800n * n * n +
    50n * params.rawResponseBytes +
    300n * params.httpRoundtripTimeMs +
    params.transformInstructions / 13n +
    (10n * n + 650n) * params.transformedResponseBytes;
  return perNode * n;
}
