// Messages between the subnets of a network (interface spec, section 'Inter-canister method calls': a
// call may go to a canister on another subnet). Each subnet keeps one outgoing stream per destination,
// indexed from `begin`; the destination records the index of the next message it will induct from
// each source. A message leaves its stream only once the destination has inducted it, so a crash
// between two subnets' commits neither loses nor repeats a message.
import type { CanisterMessage } from './messages.ts';
import type { Principal } from './principal.ts';
import type { SubnetState } from './subnet_state.ts';

export interface XNetStream {
  /** The destination subnet. */
  subnet: Principal;
  /** Stream index of `messages[0]`. */
  begin: bigint;
  messages: CanisterMessage[];
}

export interface XNetState {
  /** Outgoing streams, one per destination subnet, in the order they were first used. */
  streams: XNetStream[];
  /** Per source subnet: the stream index of the next message to induct. */
  inducted: { subnet: Principal; next: bigint }[];
}

function xnetOf(state: SubnetState): XNetState {
  state.xnet ??= { streams: [], inducted: [] };
  return state.xnet;
}

function sameSubnet(a: Principal, b: Principal): boolean {
  return a.toHex() === b.toHex();
}

/** Appends `message` to the stream towards `subnet`. */
export function sendToSubnet(state: SubnetState, subnet: Principal, message: CanisterMessage): void {
  const xnet = xnetOf(state);
  let stream = xnet.streams.find((s) => sameSubnet(s.subnet, subnet));
  if (!stream) xnet.streams.push((stream = { subnet, begin: 0n, messages: [] }));
  stream.messages.push(message);
}

/** The stream `source` keeps towards `destination`, if any. */
export function streamTowards(source: SubnetState, destination: Principal): XNetStream | undefined {
  return source.xnet?.streams.find((s) => sameSubnet(s.subnet, destination));
}

/** The index of the next message `state` will induct from `source`. */
export function nextInducted(state: SubnetState, source: Principal): bigint {
  return state.xnet?.inducted.find((i) => sameSubnet(i.subnet, source))?.next ?? 0n;
}

/** Records that `state` inducted `source`'s messages up to (not including) `next`. */
export function markInducted(state: SubnetState, source: Principal, next: bigint): void {
  const xnet = xnetOf(state);
  const entry = xnet.inducted.find((i) => sameSubnet(i.subnet, source));
  if (entry) entry.next = next;
  else xnet.inducted.push({ subnet: source, next });
}

/** Drops the messages of the stream towards `destination` below `inducted` (the destination has them). */
export function dropInducted(state: SubnetState, destination: Principal, inducted: bigint): void {
  const stream = streamTowards(state, destination);
  if (!stream || inducted <= stream.begin) return;
  const count = Number(inducted - stream.begin);
  stream.messages.splice(0, count);
  stream.begin = inducted;
}

/** Changes whenever a stream or an induction index does: what persistence compares to know the record changed. */
export function xnetMark(state: SubnetState): string {
  const xnet = state.xnet;
  if (!xnet) return '';
  const streams = xnet.streams.map((s) => `${s.subnet.toHex()}:${s.begin}+${s.messages.length}`);
  const inducted = xnet.inducted.map((i) => `${i.subnet.toHex()}:${i.next}`);
  return `${streams.join(',')}/${inducted.join(',')}`;
}
