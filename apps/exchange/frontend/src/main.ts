// The exchange's page: finds the application's canisters in the `ic_env` cookie the asset canister sets,
// signs calls with the browser's own Ed25519 identity, and shows balances, the pool and its price after
// every action.
import { Actor, type ActorSubclass, HttpAgent } from '@icp-sdk/core/agent';
import { safeGetCanisterEnv } from '@icp-sdk/core/agent/canister-env';
import { Principal } from '@icp-sdk/core/principal';
import { exchangeMethods, type Holding, idlFactory, ledgerMethods, type Pool, type Result } from './candid.ts';
import { formatAmount, parseAmount } from './format.ts';
import { browserIdentity } from './identity.ts';

type Token = 'a' | 'b';
type Outcome = Result<unknown, Record<string, unknown>>;
type Service = ActorSubclass<Record<string, (...args: unknown[]) => Promise<unknown>>>;

interface Env {
  readonly 'PUBLIC_CANISTER_ID:token_a': string;
  readonly 'PUBLIC_CANISTER_ID:token_b': string;
  readonly 'PUBLIC_CANISTER_ID:exchange': string;
}

const element = (id: string) => document.getElementById(id)!;
const symbols: Record<Token, string> = { a: 'CAPA', b: 'CAPB' };
/** Swaps must land within five minutes of being signed. */
const DEADLINE_NANOS = 5n * 60n * 1_000_000_000n;

function describe(value: unknown): string {
  return JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? String(v) : v));
}

function status(text: string, kind: 'ok' | 'error' | 'busy'): void {
  const line = element('status');
  line.textContent = text;
  line.className = kind;
}

/** An amount cell: the text a person reads and the base units a test compares. */
function showAmount(id: string, units: bigint): void {
  const cell = element(id);
  cell.textContent = formatAmount(units);
  cell.dataset.units = String(units);
}

async function main(): Promise<void> {
  const env = safeGetCanisterEnv<Env>();
  if (!env) throw new Error('the ic_env cookie is missing: open the page through the Capsule gateway');
  const identity = await browserIdentity();
  const me = identity.getPrincipal();
  element('principal').textContent = me.toText();
  const agent = await HttpAgent.create({ host: location.origin, identity, rootKey: env.IC_ROOT_KEY, shouldFetchRootKey: !env.IC_ROOT_KEY });
  const actor = (id: string, methods: typeof ledgerMethods | typeof exchangeMethods) => Actor.createActor(idlFactory(methods), { agent, canisterId: id }) as Service;
  const tokenIds: Record<Token, Principal> = { a: Principal.fromText(env['PUBLIC_CANISTER_ID:token_a']), b: Principal.fromText(env['PUBLIC_CANISTER_ID:token_b']) };
  const ledgers: Record<Token, Service> = { a: actor(tokenIds.a.toText(), ledgerMethods), b: actor(tokenIds.b.toText(), ledgerMethods) };
  const exchangeId = Principal.fromText(env['PUBLIC_CANISTER_ID:exchange']);
  const exchange = actor(exchangeId.toText(), exchangeMethods);
  const account = (owner: Principal) => ({ owner, subaccount: [] });
  let pool: Pool | undefined;

  async function refresh(): Promise<void> {
    const [ledgerA, ledgerB, holding, current] = await Promise.all([
      ledgers.a.icrc1_balance_of(account(me)) as Promise<bigint>,
      ledgers.b.icrc1_balance_of(account(me)) as Promise<bigint>,
      exchange.balances(me) as Promise<Holding>,
      exchange.pool() as Promise<Pool>,
    ]);
    pool = current;
    showAmount('ledger-a', ledgerA);
    showAmount('ledger-b', ledgerB);
    showAmount('exchange-a', holding.a);
    showAmount('exchange-b', holding.b);
    showAmount('reserve-a', current.reserve_a);
    showAmount('reserve-b', current.reserve_b);
    element('shares').textContent = `${holding.shares} of ${current.total_shares}`;
    element('price').textContent =
      current.reserve_a > 0n ? `1 CAPA = ${formatAmount((current.reserve_b * 100_000_000n) / current.reserve_a)} CAPB (fee ${Number(current.fee_basis_points) / 100}%)` : 'no liquidity yet';
    (element('remove-form').querySelector('[name=shares]') as HTMLInputElement).value = String(holding.shares);
  }

  function amountOf(form: HTMLFormElement, name: string): bigint {
    const amount = parseAmount(String(new FormData(form).get(name) ?? ''));
    if (amount === undefined || amount === 0n) throw new Error(`${name}: enter a positive amount`);
    return amount;
  }

  const tokenOf = (form: HTMLFormElement) => String(new FormData(form).get('token')) as Token;

  /** Runs one action with the buttons disabled, reports its outcome, then refreshes every figure. */
  function on(id: string, action: (form: HTMLFormElement) => Promise<string>): void {
    const form = element(id) as HTMLFormElement;
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const buttons = [...document.querySelectorAll('button')];
      for (const button of buttons) button.disabled = true;
      status('Working…', 'busy');
      try {
        const done = await action(form);
        await refresh();
        status(done, 'ok');
      } catch (error) {
        status(error instanceof Error ? error.message : String(error), 'error');
      } finally {
        for (const button of buttons) button.disabled = false;
      }
    });
  }

  const check = (what: string, outcome: Outcome) => {
    if ('Err' in outcome) throw new Error(`${what} failed: ${describe(outcome.Err)}`);
    return outcome.Ok;
  };

  on('mint-form', async (form) => {
    const amount = amountOf(form, 'amount');
    const token = tokenOf(form);
    check('Mint', (await ledgers[token].mint({ to: account(me), amount })) as Outcome);
    return `Minted ${formatAmount(amount)} ${symbols[token]}`;
  });

  on('deposit-form', async (form) => {
    const amount = amountOf(form, 'amount');
    const token = tokenOf(form);
    const fee = (await ledgers[token].icrc1_fee()) as bigint;
    const approval = { from_subaccount: [], spender: account(exchangeId), amount: amount + fee, expected_allowance: [], expires_at: [], fee: [], memo: [], created_at_time: [] };
    check('Approve', (await ledgers[token].icrc2_approve(approval)) as Outcome);
    check('Deposit', (await exchange.deposit(tokenIds[token], amount)) as Outcome);
    return `Deposited ${formatAmount(amount)} ${symbols[token]}`;
  });

  on('withdraw-form', async (form) => {
    const amount = amountOf(form, 'amount');
    const token = tokenOf(form);
    check('Withdraw', (await exchange.withdraw(tokenIds[token], amount)) as Outcome);
    return `Withdrew ${formatAmount(amount)} ${symbols[token]} (the ledger fee is taken from it)`;
  });

  on('swap-form', async (form) => {
    const amount = amountOf(form, 'amount');
    const token = tokenOf(form);
    const slippage = parseAmount(String(new FormData(form).get('slippage') ?? ''), 2);
    if (slippage === undefined || slippage > 10_000n) throw new Error('slippage: enter a percentage between 0 and 100');
    const quoted = (await exchange.quote(tokenIds[token], amount)) as bigint;
    const minimum = (quoted * (10_000n - slippage)) / 10_000n;
    const deadline = BigInt(Date.now()) * 1_000_000n + DEADLINE_NANOS;
    const out = check('Swap', (await exchange.swap(tokenIds[token], amount, minimum, deadline)) as Outcome) as bigint;
    return `Swapped ${formatAmount(amount)} ${symbols[token]} for ${formatAmount(out)} ${symbols[token === 'a' ? 'b' : 'a']}`;
  });

  on('add-form', async (form) => {
    const shares = check('Add liquidity', (await exchange.add_liquidity(amountOf(form, 'a'), amountOf(form, 'b'), 0n)) as Outcome);
    return `Added liquidity for ${shares} shares`;
  });

  on('remove-form', async (form) => {
    const shares = BigInt(String(new FormData(form).get('shares') ?? '0') || '0');
    const out = check('Remove liquidity', (await exchange.remove_liquidity(shares, 0n, 0n)) as Outcome) as { amount_a: bigint; amount_b: bigint };
    return `Removed ${shares} shares for ${formatAmount(out.amount_a)} CAPA and ${formatAmount(out.amount_b)} CAPB`;
  });

  const swapForm = element('swap-form') as HTMLFormElement;
  swapForm.addEventListener('input', async () => {
    const amount = parseAmount(String(new FormData(swapForm).get('amount') ?? ''));
    if (!amount || !pool) return;
    const token = tokenOf(swapForm);
    const quoted = (await exchange.quote(tokenIds[token], amount)) as bigint;
    element('quote').textContent = `You would receive about ${formatAmount(quoted)} ${symbols[token === 'a' ? 'b' : 'a']}`;
  });

  // The ids on the page let a person (or a test) find the canisters behind it.
  Object.assign(document.body.dataset, { tokenA: tokenIds.a.toText(), tokenB: tokenIds.b.toText(), exchange: exchangeId.toText() });
  await refresh();
  status('Ready', 'ok');
  document.body.dataset.ready = 'true';
}

main().catch((error: unknown) => status(`The page could not start: ${error instanceof Error ? error.message : String(error)}`, 'error'));

