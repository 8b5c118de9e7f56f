// A canister module run in bare V8, uninstrumented, with the smallest ic0 host that lets a Motoko
// canister install, take update calls and upgrade: the "V8 speed" that Capsule's timings are compared
// with. Stable memory is one growing buffer; the calls a benchmark canister does not make throw.

/** The start function runs after an upgrade's kept heap is loaded (as in Capsule), so it is exported instead. */
function exportStart(wasm: Uint8Array): Uint8Array<ArrayBuffer> {
  const sections: { id: number; body: Uint8Array }[] = [];
  let start: number | undefined;
  for (let at = 8; at < wasm.length; ) {
    const id = wasm[at++]!;
    const [size, next] = leb(wasm, at);
    const body = wasm.subarray(next, next + size);
    at = next + size;
    if (id === 8) start = leb(body, 0)[0];
    else sections.push({ id, body });
  }
  if (start === undefined) return wasm.slice();
  const exports = sections.find((section) => section.id === 7)!;
  const [count, after] = leb(exports.body, 0);
  const name = new TextEncoder().encode('raw_start');
  exports.body = Uint8Array.from([...uleb(count + 1), ...exports.body.subarray(after), ...uleb(name.length), ...name, 0, ...uleb(start)]);
  const parts = [wasm.subarray(0, 8), ...sections.flatMap(({ id, body }) => [Uint8Array.of(id, ...uleb(body.length)), body])];
  return new Uint8Array(Buffer.concat(parts));
}

function leb(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (;;) {
    const byte = bytes[at++]!;
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [value, at];
  }
}

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    const byte = value % 128;
    value = Math.floor(value / 128);
    out.push(value > 0 ? byte | 0x80 : byte);
  } while (value > 0);
  return out;
}

type Host = Record<string, (...args: (number | bigint)[]) => number | bigint | void>;

export class RawCanister {
  readonly #module: WebAssembly.Module;
  readonly #wide: boolean;
  #instance!: WebAssembly.Instance;
  #stable = new Uint8Array(0);
  #stablePages = 0n;
  #arg: Uint8Array = new Uint8Array(0);

  constructor(wasm: Uint8Array, wide: boolean) {
    this.#module = new WebAssembly.Module(exportStart(wasm));
    this.#wide = wide;
  }

  install(): void {
    this.#instantiate(undefined);
    this.#call('canister_init', new Uint8Array(0));
  }

  update(method: string, arg: Uint8Array): void {
    this.#call(`canister_update ${method}`, arg);
  }

  /** pre_upgrade, a new instance (keeping the heap when `keepHeap`, as enhanced orthogonal persistence asks), post_upgrade. */
  upgrade(keepHeap: boolean): void {
    this.#call('canister_pre_upgrade', new Uint8Array(0));
    this.#instantiate(keepHeap ? this.#heap() : undefined);
    this.#call('canister_post_upgrade', new Uint8Array(0));
  }

  #instantiate(heap: Uint8Array | undefined): void {
    const imports = Object.fromEntries(WebAssembly.Module.imports(this.#module).filter((i) => i.module === 'ic0').map((i) => [i.name, this.#ic0(i.name)]));
    this.#instance = new WebAssembly.Instance(this.#module, { ic0: imports });
    if (heap) {
      const memory = this.#instance.exports['mem'] as WebAssembly.Memory;
      const pages = (heap.length - memory.buffer.byteLength) / 65536;
      if (this.#wide) (memory.grow as unknown as (delta: bigint) => bigint).call(memory, BigInt(pages));
      else memory.grow(pages);
      this.#heap().set(heap);
    }
    const start = this.#instance.exports['raw_start'];
    if (typeof start === 'function') start();
  }

  #call(name: string, arg: Uint8Array): void {
    this.#arg = arg;
    const fn = this.#instance.exports[name];
    if (typeof fn === 'function') fn();
  }

  #heap(): Uint8Array {
    return new Uint8Array((this.#instance.exports['mem'] as WebAssembly.Memory).buffer);
  }

  #ic0(name: string): (...args: (number | bigint)[]) => number | bigint | void {
    const n = Number;
    const size = (value: number) => (this.#wide ? BigInt(value) : value);
    const host: Host = {
      msg_arg_data_size: () => size(this.#arg.length),
      msg_arg_data_copy: (dst, offset, length) => this.#heap().set(this.#arg.subarray(n(offset), n(offset) + n(length)), n(dst)),
      msg_reply: () => {},
      msg_reply_data_append: () => {},
      msg_caller_size: () => size(1),
      msg_caller_copy: (dst) => {
        this.#heap()[n(dst)] = 4;
      },
      canister_self_size: () => size(1),
      canister_self_copy: (dst) => {
        this.#heap()[n(dst)] = 1;
      },
      time: () => 1n,
      performance_counter: () => 0n,
      debug_print: () => {},
      global_timer_set: () => 0n,
      canister_status: () => 1,
      trap: (src, length) => {
        throw new Error(new TextDecoder().decode(this.#heap().subarray(n(src), n(src) + n(length))));
      },
      stable64_size: () => this.#stablePages,
      stable64_grow: (pages) => this.#growStable(pages as bigint),
      stable64_write: (offset, src, length) => this.#stable.set(this.#heap().subarray(n(src), n(src) + n(length)), n(offset)),
      stable64_read: (dst, offset, length) => this.#heap().set(this.#stable.subarray(n(offset), n(offset) + n(length)), n(dst)),
    };
    return (
      host[name] ??
      (() => {
        throw new Error(`ic0.${name} is not in the raw host`);
      })
    );
  }

  #growStable(pages: bigint): bigint {
    const old = this.#stablePages;
    this.#stablePages += pages;
    const bytes = Number(this.#stablePages) * 65536;
    if (bytes > this.#stable.length) {
      const bigger = new Uint8Array(Math.max(bytes, this.#stable.length * 2));
      bigger.set(this.#stable);
      this.#stable = bigger;
    }
    return old;
  }
}
