// The cycles minting canister (rkp4c-7iaaa-aaaaa-aaaca-cai), as far as tooling needs it: it lists this
// subnet as the one default subnet, creates canisters for cycles, and turns ICP sent to it into cycles
// (notify_mint_cycles, notify_top_up, notify_create_canister: cmc_notify.ts) at a fixed conversion rate.
import { UserError } from '../execution/index.ts';
import { principalEquals, type Principal } from '../state/index.ts';
import * as C from './candid/cmc.ts';
import { notifyCreateCanister, notifyMintCycles, notifyTopUp, XDR_PERMYRIAD_PER_ICP } from './cmc_notify.ts';
import { CYCLES_MINTING_CANISTER } from './ids.ts';
import { createCanisterAs, type PartialSettings, type Rejected } from './management_bridge.ts';
import { method, type SystemCanister, type SystemContext } from './method.ts';

/** Why a subnet selection cannot be served by this (single, application) subnet, or undefined. */
function subnetSelectionError(context: SystemContext, selection: [] | [C.SubnetSelection], subnetType: [] | [string]): string | undefined {
  const subnetId = context.state.config.subnetId;
  const choice = selection[0];
  if (choice && 'Subnet' in choice && !principalEquals(choice.Subnet.subnet, subnetId)) {
    return `Subnet ${choice.Subnet.subnet.toText()} does not exist; the only subnet is ${subnetId.toText()}`;
  }
  const type = choice && 'Filter' in choice ? choice.Filter.subnet_type[0] : subnetType[0];
  if (type !== undefined) return `No subnet of type ${type} exists; the only subnet is a default application subnet`;
  return undefined;
}

/**
 * The CMC's creation: on the selected subnet, with `cycles` attached (the creation fee is taken from
 * them), controlled by `owner` unless the settings name controllers.
 */
export function createCanisterViaCmc(
  context: SystemContext,
  owner: Principal,
  selection: { subnet_selection: [] | [C.SubnetSelection]; subnet_type?: [] | [string] },
  settings: PartialSettings,
  cycles: bigint,
): Principal | Rejected {
  const refusal = subnetSelectionError(context, selection.subnet_selection, selection.subnet_type ?? []);
  if (refusal) return { error: new UserError('CanisterRejectedMessage', refusal), refund: cycles };
  return createCanisterAs(context, CYCLES_MINTING_CANISTER, owner, settings, cycles);
}

/** A settings record without the `opt` fields that are absent (the management canister fills them in). */
export function presentSettings<S extends object>(settings: [] | [S]): PartialSettings {
  const given = settings[0];
  if (!given) return {};
  const entries = Object.entries(given).filter(([, value]) => Array.isArray(value) && value.length > 0);
  return Object.fromEntries(entries) as PartialSettings;
}

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
