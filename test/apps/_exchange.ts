// The exchange application in-process: both ledgers and the exchange built from apps/exchange/backend (the
// builds `capsule start` makes and caches) and installed on a fresh Capsule, with typed Candid calls.
import { IDL } from '@icp-sdk/core/candid';
import { Principal } from '@icp-sdk/core/principal';
import { Capsule, type CallOptions } from '../../src/api/index.ts';
import { exchangeInitArg, exchangeMethods, ledgerInitArg, ledgerMethods, type LedgerInit, type Methods } from '../../apps/exchange/frontend/src/candid.ts';
import { buildAppCanister, loadApps } from '../../src/cli/apps/index.ts';
// Imported for its side effect too: it points the module cache of src/cli/motoko into the tests' cache.
import '../support/build.ts';
import { replyAll } from '../support/calls.ts';
import { type ServerProcess, startServer } from '../http/_server.ts';

/** The ledger and exchange modules, built as `capsule start` builds them: one cache entry for both. */
export async function exchangeWasms(): Promise<{ ledger: Uint8Array; exchange: Uint8Array }> {
  const [app] = await loadApps(['exchange']);
  const [ledger, exchange] = await Promise.all([buildAppCanister(app!, 'token_a'), buildAppCanister(app!, 'exchange')]);
  return { ledger, exchange };
}

/** A test user: a distinct self-authenticating-looking principal per index. */
export function user(index: number): Principal {
  return Principal.fromUint8Array(new Uint8Array([...new Uint8Array(28).fill(index + 1), 0x02]));
}

export const account = (owner: Principal) => ({ owner, subaccount: [] as [] });

export type MethodsOf<T extends Methods> = keyof T & string;

/** A typed call: the Candid encoding of `args`, and the decoded first result. */
export interface Call {
  canister: Principal;
  methods: Methods;
  method: string;
  args: unknown[];
  sender?: Principal;
}

export function encodeCall(call: Call): CallOptions {
  const [argTypes] = call.methods[call.method]!;
  return { canisterId: call.canister, method: call.method, arg: new Uint8Array(IDL.encode(argTypes, call.args)), sender: call.sender };
}

export function decodeReply<T>(call: Call, reply: Uint8Array): T {
  const [, resultTypes] = call.methods[call.method]!;
  return IDL.decode(resultTypes, reply)[0] as T;
}

export interface ExchangeApp {
  ic: Capsule;
  tokenA: Principal;
  tokenB: Principal;
  exchange: Principal;
  /** The install arguments, which an upgrade of a Motoko actor class takes again. */
  installArgs: { tokenA: Uint8Array; tokenB: Uint8Array; exchange: Uint8Array };
  /** An update call through ingress (its own rounds). */
  update<T>(canister: Principal, method: string, args: unknown[], sender?: Principal): Promise<T>;
  query<T>(canister: Principal, method: string, args: unknown[], sender?: Principal): Promise<T>;
  /** Many update calls submitted together, so they share rounds; their results in order. */
  batch<T>(calls: Call[]): Promise<T[]>;
  methodsOf(canister: Principal): Methods;
}

export interface ExchangeSetup {
  fee?: bigint;
  faucetLimit?: bigint;
  /** Reserves given to the exchange at install (its account is credited with them by each ledger). */
  initialReserves?: [bigint, bigint];
  /** The minting account's owner (default: the ledger itself, which no one can call as). */
  minter?: Principal;
}

function ledgerInit(self: Principal, exchange: Principal, symbol: string, setup: ExchangeSetup, reserve: bigint): LedgerInit {
  return {
    name: `Test ${symbol}`,
    symbol,
    decimals: 8,
    fee: setup.fee ?? 10n,
    minting_account: { owner: setup.minter ?? self, subaccount: [] },
    initial_balances: reserve > 0n ? [[account(exchange), reserve]] : [],
    faucet_limit: setup.faucetLimit ?? 1_000_000n,
  };
}

/** A fresh Capsule with token A, token B and the exchange between them installed. */
export async function exchangeApp(setup: ExchangeSetup = {}): Promise<ExchangeApp> {
  const wasms = await exchangeWasms();
  const ic = await Capsule.create();
  const own = async () => Principal.fromUint8Array((await ic.createCanister()).toUint8Array());
  const tokenA = await own();
  const tokenB = await own();
  const exchange = await own();
  const [reserveA, reserveB] = setup.initialReserves ?? [0n, 0n];
  const installArgs = {
    tokenA: ledgerInitArg(ledgerInit(tokenA, exchange, 'TA', setup, reserveA)),
    tokenB: ledgerInitArg(ledgerInit(tokenB, exchange, 'TB', setup, reserveB)),
    exchange: exchangeInitArg({ token_a: tokenA, token_b: tokenB, fee_basis_points: 30n, initial_reserve_a: reserveA, initial_reserve_b: reserveB }),
  };
  await ic.installCode({ canisterId: tokenA, wasm: wasms.ledger, arg: installArgs.tokenA });
  await ic.installCode({ canisterId: tokenB, wasm: wasms.ledger, arg: installArgs.tokenB });
  await ic.installCode({ canisterId: exchange, wasm: wasms.exchange, arg: installArgs.exchange });
  const methodsOf = (canister: Principal): Methods => (canister.compareTo(exchange) === 'eq' ? exchangeMethods : ledgerMethods);
  return {
    ic,
    tokenA,
    tokenB,
    exchange,
    installArgs,
    methodsOf,
    async update<T>(canister: Principal, method: string, args: unknown[], sender?: Principal) {
      const call = { canister, methods: methodsOf(canister), method, args, sender };
      return decodeReply<T>(call, await ic.updateCall(encodeCall(call)));
    },
    async query<T>(canister: Principal, method: string, args: unknown[], sender?: Principal) {
      const call = { canister, methods: methodsOf(canister), method, args, sender };
      return decodeReply<T>(call, await ic.queryCall(encodeCall(call)));
    },
    async batch<T>(calls: Call[]) {
      const replies = await replyAll(ic, calls.map(encodeCall));
      return replies.map((reply, i) => decodeReply<T>(calls[i]!, reply));
    },
  };
}

export interface ExchangeServer {
  readonly server: ServerProcess;
  /** The page, through the gateway. */
  readonly url: string;
  /** From the start of the process until it printed the application's URL. */
  readonly startMilliseconds: number;
}

const DEPLOYED = /exchange: Token exchange at (http:\/\/\S+)/;

/** `capsule start --apps exchange` on a free port; resolves once it printed the application's URL. */
export async function startWithExchange(stateDir?: string): Promise<ExchangeServer> {
  const started = performance.now();
  const server = await startServer({ stateDir, args: ['--apps', 'exchange'] });
  const deadline = Date.now() + 240_000;
  while (!DEPLOYED.test(server.stdout())) {
    if (/could not be deployed|no application deployed/.test(server.stderr()) || Date.now() > deadline) {
      await server.stop();
      throw new Error(`the exchange was not deployed:\n${server.stdout()}${server.stderr()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { server, url: DEPLOYED.exec(server.stdout())![1]!, startMilliseconds: performance.now() - started };
}
