// The call graph of recent calls: one node per principal that called or was called, one edge per
// caller and callee, counting the calls and how many were rejected.
import type { CallView } from './views.ts';

export interface GraphNode {
  readonly id: string;
  readonly kind: 'canister' | 'management' | 'user';
}

export interface GraphEdge {
  readonly from: string;
  readonly to: string;
  calls: number;
  rejects: number;
  /** The methods called, the first few. */
  readonly methods: string[];
}

const MANAGEMENT = 'aaaaa-aa';
const METHODS_SHOWN = 5;

export function callGraph(calls: readonly CallView[], canisters: ReadonlySet<string>): { nodes: GraphNode[]; edges: GraphEdge[] } {
  const edges = new Map<string, GraphEdge>();
  const nodes = new Map<string, GraphNode>();
  const node = (id: string): void => {
    if (!nodes.has(id)) nodes.set(id, { id, kind: id === MANAGEMENT ? 'management' : canisters.has(id) ? 'canister' : 'user' });
  };
  for (const call of calls) {
    node(call.caller);
    node(call.callee);
    const key = `${call.caller}>${call.callee}`;
    let edge = edges.get(key);
    if (!edge) edges.set(key, (edge = { from: call.caller, to: call.callee, calls: 0, rejects: 0, methods: [] }));
    edge.calls++;
    if (call.outcome?.kind === 'reject') edge.rejects++;
    if (edge.methods.length < METHODS_SHOWN && !edge.methods.includes(call.method)) edge.methods.push(call.method);
  }
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}
