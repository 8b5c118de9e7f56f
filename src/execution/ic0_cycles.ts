// ic0 cycles functions (interface spec, section 'Cycles'), their legacy 64-bit variants, and the replica's mint_cycles.
import { MAX_CYCLES, principalEquals } from '../state/index.ts';
import { contractViolation } from './errors.ts';
import { CONTEXTS } from './context.ts';
import { type Ic0Group, OVERHEAD } from './ic0_entry.ts';
import { type SystemApi, u128, writeU128 } from './system_api.ts';

const U64_MAX = (1n << 64n) - 1n;

function refunded(api: SystemApi): bigint {
  return api.context.kind === 'callback' ? api.context.refunded : 0n;
}

// The spec makes this 0 once the call is replied; the replica keeps the unaccepted cycles available
// until the execution ends (a Motoko oneway method accepts after its implicit reply), and so do we.
function available(api: SystemApi): bigint {
  return api.availableCycles;
}

function accept(api: SystemApi, max: bigint): bigint {
  const amount = max < available(api) ? max : available(api);
  api.availableCycles -= amount;
  api.acceptedCycles += amount;
  return amount;
}

function fits64(value: bigint, name: string): bigint {
  if (value > U64_MAX) throw contractViolation(`${name}: cycles amount ${value} does not fit in 64 bits`);
  return value;
}

function addToCall(api: SystemApi, amount: bigint, name: string): void {
  if (!api.draft) throw contractViolation(`${name}: there is no call under construction (call ic0_call_new first)`);
  if (amount > api.liquidBalance) {
    throw contractViolation(`${name}: canister cannot add ${amount} cycles to the call: its liquid balance is ${api.liquidBalance}`);
  }
  api.cyclesOut += amount;
  api.draft.cycles += amount;
}

function burn(api: SystemApi, amount: bigint): bigint {
  const burned = amount < api.liquidBalance ? amount : api.liquidBalance;
  api.cyclesOut += burned;
  api.burnedCycles += burned;
  return burned;
}

function mint(api: SystemApi, amount: bigint, name: string): bigint {
  if (!principalEquals(api.canister.id, api.env.cyclesMintingCanister)) {
    throw contractViolation(`${name}: only the cycles minting canister may mint cycles`);
  }
  const room = MAX_CYCLES - api.balance;
  const minted = amount < room ? amount : room;
  api.mintedCycles += minted;
  return minted;
}

const S = OVERHEAD.standard;

export const cyclesFunctions = {
  msg_cycles_available128: {
    allowed: CONTEXTS.cyclesIn,
    overhead: S,
    handler: (api, dst) => writeU128(api, dst, available(api), 'ic0_msg_cycles_available128'),
  },
  msg_cycles_refunded128: {
    allowed: ['Rt', 'Ry'],
    overhead: S,
    handler: (api, dst) => writeU128(api, dst, refunded(api), 'ic0_msg_cycles_refunded128'),
  },
  msg_cycles_accept128: {
    allowed: CONTEXTS.cyclesIn,
    overhead: S,
    handler: (api, high, low, dst) => writeU128(api, dst, accept(api, u128(high, low)), 'ic0_msg_cycles_accept128'),
  },
  cycles_burn128: {
    allowed: ['I', 'G', 'U', 'RQ', 'Ry', 'Rt', 'C', 'T'],
    overhead: S,
    handler: (api, high, low, dst) => writeU128(api, dst, burn(api, u128(high, low)), 'ic0_cycles_burn128'),
  },
  canister_cycle_balance128: {
    allowed: CONTEXTS.everywhere,
    overhead: S,
    handler: (api, dst) => writeU128(api, dst, api.balance, 'ic0_canister_cycle_balance128'),
  },
  canister_liquid_cycle_balance128: {
    allowed: CONTEXTS.everywhere,
    overhead: S,
    handler: (api, dst) => writeU128(api, dst, api.liquidBalance, 'ic0_canister_liquid_cycle_balance128'),
  },
  call_cycles_add128: {
    allowed: CONTEXTS.callCycles,
    overhead: S,
    handler: (api, high, low) => addToCall(api, u128(high, low), 'ic0_call_cycles_add128'),
  },
  msg_cycles_available: {
    allowed: CONTEXTS.cyclesIn,
    overhead: S,
    handler: (api) => fits64(available(api), 'ic0_msg_cycles_available'),
  },
  msg_cycles_refunded: { allowed: ['Rt', 'Ry'], overhead: S, handler: (api) => fits64(refunded(api), 'ic0_msg_cycles_refunded') },
  msg_cycles_accept: { allowed: CONTEXTS.cyclesIn, overhead: S, handler: (api, max) => accept(api, BigInt.asUintN(64, max)) },
  canister_cycle_balance: {
    allowed: CONTEXTS.everywhere,
    overhead: S,
    handler: (api) => fits64(api.balance, 'ic0_canister_cycle_balance'),
  },
  call_cycles_add: {
    allowed: CONTEXTS.callCycles,
    overhead: S,
    handler: (api, amount) => addToCall(api, BigInt.asUintN(64, amount), 'ic0_call_cycles_add'),
  },
  mint_cycles128: {
    allowed: CONTEXTS.callCycles,
    overhead: S,
    handler: (api, high, low, dst) =>
      writeU128(api, dst, mint(api, u128(high, low), 'ic0_mint_cycles128'), 'ic0_mint_cycles128'),
  },
  mint_cycles: {
    allowed: CONTEXTS.callCycles,
    overhead: S,
    handler: (api, amount) => fits64(mint(api, BigInt.asUintN(64, amount), 'ic0_mint_cycles'), 'ic0_mint_cycles'),
  },
} satisfies Ic0Group;
