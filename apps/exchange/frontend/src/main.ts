// The exchange's page: finds the application's canisters in the `ic_env` cookie the asset canister sets,
// signs calls with the browser's own Ed25519 identity, and shows balances, the pool and its price after
// every action.
import { Actor, type ActorSubclass, HttpAgent } from '@icp-sdk/core/agent';
import { safeGetCanisterEnv } from '@icp-sdk/core/agent/canister-env';
import { Principal } from '@icp-sdk/core/principal';
import { exchangeMethods, type Holding, idlFactory, ledgerMethods, type Methods, type Pool, type Result } from './candid.ts';
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

/** The signed-in browser and the application's canisters. */
interface Session {
  readonly me: Principal;
  readonly tokenIds: Record<Token, Principal>;
  readonly ledgers: Record<Token, Service>;
  readonly exchangeId: Principal;
  readonly exchange: Service;
}

const symbols: Record<Token, string> = { a: 'CAPA', b: 'CAPB' };
const other = (token: Token): Token => (token === 'a' ? 'b' : 'a');
/** Swaps must land within five minutes of being signed. */
const DEADLINE_NANOS = 5n * 60n * 1_000_000_000n;

const element = (id: string) => document.getElementById(id)!;
const account = (owner: Principal) => ({ owner, subaccount: [] });
const describe = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === 'bigint' ? String(v) : v));

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

async function connect(): Promise<Session> {
  const env = safeGetCanisterEnv<Env>();
  if (!env) throw new Error('the ic_env cookie is missing: open the page through the Capsule gateway');
  const identity = await browserIdentity();
  const agent = await HttpAgent.create({ host: location.origin, identity, rootKey: env.IC_ROOT_KEY, shouldFetchRootKey: !env.IC_ROOT_KEY });
  const actor = (id: Principal, methods: Methods) => Actor.createActor(idlFactory(methods), { agent, canisterId: id }) as Service;
  const tokenIds = { a: Principal.fromText(env['PUBLIC_CANISTER_ID:token_a']), b: Principal.fromText(env['PUBLIC_CANISTER_ID:token_b']) };
  const exchangeId = Principal.fromText(env['PUBLIC_CANISTER_ID:exchange']);
  return {
    me: identity.getPrincipal(),
    tokenIds,
    ledgers: { a: actor(tokenIds.a, ledgerMethods), b: actor(tokenIds.b, ledgerMethods) },
    exchangeId,
    exchange: actor(exchangeId, exchangeMethods),
  };
}

/** Re-reads both ledger balances, the exchange balances and the pool. */
async function refresh(session: Session): Promise<void> {
  const { ledgers, exchange, me } = session;
  const [ledgerA, ledgerB, holding, pool] = await Promise.all([
    ledgers.a.icrc1_balance_of(account(me)) as Promise<bigint>,
    ledgers.b.icrc1_balance_of(account(me)) as Promise<bigint>,
    exchange.balances(me) as Promise<Holding>,
    exchange.pool() as Promise<Pool>,
  ]);
  showAmount('ledger-a', ledgerA);
  showAmount('ledger-b', ledgerB);
  showAmount('exchange-a', holding.a);
  showAmount('exchange-b', holding.b);
  showAmount('reserve-a', pool.reserve_a);
  showAmount('reserve-b', pool.reserve_b);
  const percent = pool.total_shares > 0n ? Number((holding.shares * 1_000_000n) / pool.total_shares) / 10_000 : 0;
  element('shares').textContent = `${holding.shares} of ${pool.total_shares} (${percent}% of the pool)`;
  const fee = `fee ${Number(pool.fee_basis_points) / 100}%`;
  element('price').textContent = pool.reserve_a > 0n ? `1 CAPA = ${formatAmount((pool.reserve_b * 100_000_000n) / pool.reserve_a)} CAPB (${fee})` : 'no liquidity yet';
  (element('remove-form').querySelector('[name=shares]') as HTMLInputElement).value = String(holding.shares);
}

function field(form: HTMLFormElement, name: string): string {
  return String(new FormData(form).get(name) ?? '');
}

function amountOf(form: HTMLFormElement, name: string): bigint {
  const amount = parseAmount(field(form, name));
  if (amount === undefined || amount === 0n) throw new Error(`${name}: enter a positive amount`);
  return amount;
}

const tokenOf = (form: HTMLFormElement) => field(form, 'token') as Token;

function check(what: string, outcome: Outcome): unknown {
  if ('Err' in outcome) throw new Error(`${what} failed: ${describe(outcome.Err)}`);
  return outcome.Ok;
}

/** Each form's action: its calls, and the line that reports it. */
const actions: Record<string, (session: Session, form: HTMLFormElement) => Promise<string>> = {
  'mint-form': async ({ ledgers, me }, form) => {
    const [amount, token] = [amountOf(form, 'amount'), tokenOf(form)];
    check('Mint', (await ledgers[token].mint({ to: account(me), amount })) as Outcome);
    return `Minted ${formatAmount(amount)} ${symbols[token]}`;
  },
  'deposit-form': async ({ ledgers, exchange, exchangeId, tokenIds }, form) => {
    const [amount, token] = [amountOf(form, 'amount'), tokenOf(form)];
    const fee = (await ledgers[token].icrc1_fee()) as bigint;
    // The exchange's transfer_from takes the amount and the fee out of the allowance.
    const approval = { from_subaccount: [], spender: account(exchangeId), amount: amount + fee, expected_allowance: [], expires_at: [], fee: [], memo: [], created_at_time: [] };
    check('Approve', (await ledgers[token].icrc2_approve(approval)) as Outcome);
    check('Deposit', (await exchange.deposit(tokenIds[token], amount)) as Outcome);
    return `Deposited ${formatAmount(amount)} ${symbols[token]}`;
  },
  'withdraw-form': async ({ exchange, tokenIds }, form) => {
    const [amount, token] = [amountOf(form, 'amount'), tokenOf(form)];
    check('Withdraw', (await exchange.withdraw(tokenIds[token], amount)) as Outcome);
    return `Withdrew ${formatAmount(amount)} ${symbols[token]} (the ledger fee is taken from it)`;
  },
  'swap-form': async ({ exchange, tokenIds }, form) => {
    const [amount, token] = [amountOf(form, 'amount'), tokenOf(form)];
    const slippage = parseAmount(field(form, 'slippage'), 2);
    if (slippage === undefined || slippage > 10_000n) throw new Error('slippage: enter a percentage between 0 and 100');
    const quoted = (await exchange.quote(tokenIds[token], amount)) as bigint;
    const minimum = (quoted * (10_000n - slippage)) / 10_000n;
    const deadline = BigInt(Date.now()) * 1_000_000n + DEADLINE_NANOS;
    const out = check('Swap', (await exchange.swap(tokenIds[token], amount, minimum, deadline)) as Outcome) as bigint;
    return `Swapped ${formatAmount(amount)} ${symbols[token]} for ${formatAmount(out)} ${symbols[other(token)]}`;
  },
  'add-form': async ({ exchange }, form) => {
    const shares = check('Add liquidity', (await exchange.add_liquidity(amountOf(form, 'a'), amountOf(form, 'b'), 0n)) as Outcome);
    return `Added liquidity for ${shares} shares`;
  },
  'remove-form': async ({ exchange }, form) => {
    const shares = BigInt(field(form, 'shares') || '0');
    const out = check('Remove liquidity', (await exchange.remove_liquidity(shares, 0n, 0n)) as Outcome) as { amount_a: bigint; amount_b: bigint };
    return `Removed ${shares} shares for ${formatAmount(out.amount_a)} CAPA and ${formatAmount(out.amount_b)} CAPB`;
  },
};

/** Runs a form's action with the buttons disabled, reports its outcome, then refreshes every figure. */
function bind(session: Session, id: string): void {
  const form = element(id) as HTMLFormElement;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const buttons = [...document.querySelectorAll('button')];
    for (const button of buttons) button.disabled = true;
    status('Working…', 'busy');
    try {
      const done = await actions[id]!(session, form);
      await refresh(session);
      status(done, 'ok');
    } catch (error) {
      status(error instanceof Error ? error.message : String(error), 'error');
    } finally {
      for (const button of buttons) button.disabled = false;
    }
  });
}

/** Shows what the swap form's amount would buy now. */
function showQuotes({ exchange, tokenIds }: Session): void {
  const form = element('swap-form') as HTMLFormElement;
  form.addEventListener('input', async () => {
    const amount = parseAmount(field(form, 'amount'));
    if (!amount) return;
    const token = tokenOf(form);
    const quoted = (await exchange.quote(tokenIds[token], amount)) as bigint;
    element('quote').textContent = `You would receive about ${formatAmount(quoted)} ${symbols[other(token)]}`;
  });
}

async function main(): Promise<void> {
  const session = await connect();
  element('principal').textContent = session.me.toText();
  // The ids on the page let a person (or a test) find the canisters behind it.
  Object.assign(document.body.dataset, { tokenA: session.tokenIds.a.toText(), tokenB: session.tokenIds.b.toText(), exchange: session.exchangeId.toText() });
  for (const id of Object.keys(actions)) bind(session, id);
  showQuotes(session);
  await refresh(session);
  status('Ready', 'ok');
  document.body.dataset.ready = 'true';
}

main().catch((error: unknown) => status(`The page could not start: ${error instanceof Error ? error.message : String(error)}`, 'error'));
