// How the cycles minting canister creates a canister, for its own create_canister, for the cycles
// ledger's and for notify_create_canister: on this (single) subnet only, through the management canister.
import { UserError } from '../execution/index.ts';
import { principalEquals, type Principal } from '../state/index.ts';
import type * as C from './candid/cmc.ts';
import { CYCLES_MINTING_CANISTER } from './ids.ts';
import { createCanisterAs, type PartialSettings, type Rejected } from './management_bridge.ts';
import type { SystemContext } from './method.ts';

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
