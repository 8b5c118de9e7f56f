// The cycles minting canister (rkp4c-7iaaa-aaaaa-aaaca-cai), as far as tooling needs it: it lists this
// subnet as the one default subnet, creates canisters for cycles, and turns ICP sent to it into cycles
// (notify_mint_cycles, notify_top_up, notify_create_canister: cmc_notify.ts) at a fixed conversion rate.
import type { Principal } from '../state/index.ts';
import * as C from './candid/cmc.ts';
import { createCanisterViaCmc, presentSettings } from './cmc_create.ts';
import { notifyCreateCanister, notifyMintCycles, notifyTopUp, XDR_PERMYRIAD_PER_ICP } from './cmc_notify.ts';
import { CYCLES_MINTING_CANISTER } from './ids.ts';
import { method, type SystemCanister, type SystemContext } from './method.ts';

function createCanister(context: SystemContext, caller: Principal, cycles: bigint, arg: C.CreateCanisterArg) {
  const created = createCanisterViaCmc(context, caller, arg, presentSettings(arg.settings), cycles);
  if (!('error' in created)) return { value: { Ok: created }, keptCycles: cycles };
  // The CMC keeps nothing on failure: what the management canister refunded goes back with the reply.
  const value = { Err: { Refunded: { refund_amount: created.refund, create_error: created.error.message } } };
  return { value, keptCycles: cycles - created.refund };
}

export const cyclesMintingCanister: SystemCanister = {
  id: CYCLES_MINTING_CANISTER,
  name: 'cycles minting canister',
  methods: {
    get_default_subnets: method({ query: true, arg: null, result: C.DefaultSubnets, run: (context) => ({ value: [context.state.config.subnetId] }) }),
    get_subnet_types_to_subnets: method({ query: true, arg: null, result: C.SubnetTypesToSubnetsResponse, run: () => ({ value: { data: [] } }) }),
    get_principals_authorized_to_create_canisters_to_subnets: method({
      query: true,
      arg: null,
      result: C.PrincipalsAuthorizedResponse,
      run: () => ({ value: { data: [] } }),
    }),
    get_build_metadata: method({ query: true, arg: null, result: C.BuildMetadata, run: () => ({ value: 'capsule: natively implemented cycles minting canister' }) }),
    create_canister: method<C.CreateCanisterArg>({
      query: false,
      arg: C.CreateCanisterArg,
      result: C.CreateCanisterResult,
      run: (context, call, arg) => createCanister(context, call.caller, call.cycles, arg),
    }),
    notify_create_canister: method<C.NotifyCreateCanisterArg>({ query: false, arg: C.NotifyCreateCanisterArg, result: C.NotifyCreateCanisterResult, run: notifyCreateCanister }),
    notify_top_up: method<C.NotifyTopUpArg>({ query: false, arg: C.NotifyTopUpArg, result: C.NotifyTopUpResult, run: notifyTopUp }),
    notify_mint_cycles: method<C.NotifyMintCyclesArg>({ query: false, arg: C.NotifyMintCyclesArg, result: C.NotifyMintCyclesResult, run: notifyMintCycles }),
    get_icp_xdr_conversion_rate: method({
      query: true,
      arg: null,
      result: C.IcpXdrConversionRateResponse,
      // Not certified: the rate is a constant of the local network.
      run: (context) => ({
        value: {
          certificate: new Uint8Array(0),
          hash_tree: new Uint8Array(0),
          data: { xdr_permyriad_per_icp: XDR_PERMYRIAD_PER_ICP, timestamp_seconds: context.state.time / 1_000_000_000n },
        },
      }),
    }),
  },
};
