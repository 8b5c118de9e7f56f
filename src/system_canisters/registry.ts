// The NNS registry (rwlgt-iiaaa-aaaaa-aaaaa-cai), reduced to the one query tooling asks: which subnet
// hosts a canister. icp-cli asks it to place a project's further canisters next to its first one.
import { canisterIndexOf, isInSubnetRanges } from '../state/index.ts';
import * as C from './candid/cmc.ts';
import { REGISTRY } from './ids.ts';
import { method, type SystemCanister } from './method.ts';

export const registry: SystemCanister = {
  id: REGISTRY,
  name: 'registry',
  methods: {
    get_subnet_for_canister: method<C.GetSubnetForCanisterRequest>({
      query: true,
      arg: C.GetSubnetForCanisterRequest,
      result: C.GetSubnetForCanisterResult,
      run: (context, _call, arg) => {
        const id = arg.principal[0];
        if (!id) return { value: { Err: 'No principal was given' } };
        const index = canisterIndexOf(id);
        // Any id in the subnet's ranges is routed here, whether or not a canister exists (as the registry's routing table does).
        if (index === undefined || !isInSubnetRanges(context.state.config, index)) {
          return { value: { Err: `Canister ${id.toText()} is not assigned to any subnet` } };
        }
        return { value: { Ok: { subnet_id: [context.state.config.subnetId] } } };
      },
    }),
  },
};
