// Canister history (interface spec, canister_info): who changed what, in state form and Candid form.
import { type CanisterChange, type CanisterState, type ChangeDetails, type ChangeOrigin, MAX_CANISTER_HISTORY } from '../state/index.ts';
import type { Change } from './candid/index.ts';
import type { ManagementCall } from './context.ts';

export function originOf(call: ManagementCall, senderCanisterVersion: [] | [bigint]): ChangeOrigin {
  if (call.origin.kind === 'canister') {
    return { kind: 'canister', canisterId: call.sender, canisterVersion: senderCanisterVersion[0] };
  }
  return { kind: 'user', userId: call.sender };
}

export function addChange(canister: CanisterState, time: bigint, origin: ChangeOrigin, details: ChangeDetails): void {
  canister.history.push({ timestampNanos: time, canisterVersion: canister.version, origin, details });
  canister.totalChanges += 1n;
  if (canister.history.length > MAX_CANISTER_HISTORY) canister.history.splice(0, canister.history.length - MAX_CANISTER_HISTORY);
}

function candidDetails(details: ChangeDetails): Change['details'] {
  switch (details.kind) {
    case 'creation':
      return { creation: { controllers: details.controllers, environment_variables_hash: details.environmentVariablesHash ? [details.environmentVariablesHash] : [] } };
    case 'codeUninstall':
      return { code_uninstall: null };
    case 'codeDeployment':
      return { code_deployment: { mode: { [details.mode]: null } as { install: null }, module_hash: details.moduleHash } };
    case 'loadSnapshot':
      return {
        load_snapshot: {
          canister_version: details.canisterVersion,
          snapshot_id: details.snapshotId,
          taken_at_timestamp: details.takenAtTimestamp,
          from_canister_id: [],
          source: { taken_from_canister: null },
        },
      };
    case 'controllersChange':
      return { controllers_change: { controllers: details.controllers } };
  }
}

export function candidChange(change: CanisterChange): Change {
  const origin: Change['origin'] =
    change.origin.kind === 'user'
      ? { from_user: { user_id: change.origin.userId } }
      : {
          from_canister: {
            canister_id: change.origin.canisterId,
            canister_version: change.origin.canisterVersion === undefined ? [] : [change.origin.canisterVersion],
          },
        };
  return { timestamp_nanos: change.timestampNanos, canister_version: change.canisterVersion, origin, details: candidDetails(change.details) };
}
