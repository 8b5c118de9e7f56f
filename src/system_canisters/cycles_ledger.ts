// The cycles ledger (um5iw-rqaaa-aaaaq-qaaba-cai), natively: ICRC-1 balances and transfers of cycles,
// `deposit` of attached cycles, and spending through `withdraw` and `create_canister`
// (cycles_ledger_spend.ts). Accounts and the local funding rule: ledger_accounts.ts.
// Not modelled: ICRC-2 approvals, ICRC-3 blocks (only their count is kept), deduplication by
// `created_at_time` (accepted and ignored), http_request.
import { IDL } from '@dfinity/candid';
import * as C from './candid/cycles_ledger.ts';
import { createCanister, withdraw } from './cycles_ledger_spend.ts';
import { CYCLES_LEDGER } from './ids.ts';
import { accountOf, appendBlock, balanceOf, credit, CYCLES_LEDGER_FEE, debit, MAX_U128, totalSupply } from './ledger_accounts.ts';
import { canisterTrap, method, type MethodOutcome, type SystemCall, type SystemCanister, type SystemContext } from './method.ts';

const NAME = 'ICP Cycles';
const SYMBOL = 'CYC';
const DECIMALS = 0;
const MAX_MEMO_BYTES = 32;

/** The ledger traps on a memo over 32 bytes (config.rs MAX_MEMO_LENGTH). */
function memoError(memo: [] | [Uint8Array | number[]]): MethodOutcome | undefined {
  if (memo.length === 1 && memo[0].length > MAX_MEMO_BYTES) return canisterTrap(CYCLES_LEDGER, `memo length exceeds the maximum of ${MAX_MEMO_BYTES} bytes`);
  return undefined;
}

function transfer(context: SystemContext, call: SystemCall, arg: C.TransferArgs): MethodOutcome {
  const ledger = context.state.systemCanisters.cyclesLedger;
  const from = accountOf(call.caller, arg.from_subaccount);
  const to = accountOf(arg.to.owner, arg.to.subaccount);
  if (typeof from === 'string') return canisterTrap(CYCLES_LEDGER, from);
  if (typeof to === 'string') return canisterTrap(CYCLES_LEDGER, to);
  const badMemo = memoError(arg.memo);
  if (badMemo) return badMemo;
  if (arg.fee.length === 1 && arg.fee[0] !== CYCLES_LEDGER_FEE) return { value: { Err: { BadFee: { expected_fee: CYCLES_LEDGER_FEE } } } };
  const balance = balanceOf(ledger, from);
  if (arg.amount > MAX_U128 || balance < arg.amount + CYCLES_LEDGER_FEE) return { value: { Err: { InsufficientFunds: { balance } } } };
  debit(ledger, from, arg.amount + CYCLES_LEDGER_FEE);
  credit(ledger, to, arg.amount);
  return { value: { Ok: appendBlock(ledger) } };
}

/** Credits the attached cycles, which the ledger keeps; fewer than the fee are refused. */
function deposit(context: SystemContext, call: SystemCall, arg: C.DepositArgs): MethodOutcome {
  const to = accountOf(arg.to.owner, arg.to.subaccount);
  if (typeof to === 'string') return canisterTrap(CYCLES_LEDGER, to);
  const badMemo = memoError(arg.memo);
  if (badMemo) return badMemo;
  if (call.cycles < CYCLES_LEDGER_FEE) {
    return canisterTrap(CYCLES_LEDGER, `The requested amount ${call.cycles} to be deposited is less than the cycles ledger fee: ${CYCLES_LEDGER_FEE}`);
  }
  const ledger = context.state.systemCanisters.cyclesLedger;
  const balance = credit(ledger, to, call.cycles);
  return { value: { balance, block_index: appendBlock(ledger) }, keptCycles: call.cycles };
}

function balanceQuery(context: SystemContext, account: C.Account): MethodOutcome {
  const normalised = accountOf(account.owner, account.subaccount);
  if (typeof normalised === 'string') return canisterTrap(CYCLES_LEDGER, normalised);
  return { value: balanceOf(context.state.systemCanisters.cyclesLedger, normalised) };
}

const constant = (result: IDL.Type, value: unknown) => method({ query: true, arg: null, result, run: () => ({ value }) });

const METADATA: [string, C.MetadataValue][] = [
  ['icrc1:decimals', { Nat: BigInt(DECIMALS) }],
  ['icrc1:name', { Text: NAME }],
  ['icrc1:symbol', { Text: SYMBOL }],
  ['icrc1:fee', { Nat: CYCLES_LEDGER_FEE }],
];
const STANDARDS = [
  { name: 'ICRC-1', url: 'https://github.com/dfinity/ICRC-1/blob/main/standards/ICRC-1/README.md' },
  { name: 'ICRC-2', url: 'https://github.com/dfinity/ICRC-1/blob/main/standards/ICRC-2/README.md' },
];

export const cyclesLedger: SystemCanister = {
  id: CYCLES_LEDGER,
  name: 'cycles ledger',
  methods: {
    icrc1_balance_of: method<C.Account>({ query: true, arg: C.Account, result: IDL.Nat, run: (context, _call, arg) => balanceQuery(context, arg) }),
    icrc1_total_supply: method({ query: true, arg: null, result: IDL.Nat, run: (context) => ({ value: totalSupply(context.state.systemCanisters.cyclesLedger) }) }),
    icrc1_fee: constant(IDL.Nat, CYCLES_LEDGER_FEE),
    icrc1_decimals: constant(IDL.Nat8, DECIMALS),
    icrc1_name: constant(IDL.Text, NAME),
    icrc1_symbol: constant(IDL.Text, SYMBOL),
    icrc1_metadata: constant(IDL.Vec(IDL.Tuple(IDL.Text, C.MetadataValue)), METADATA),
    icrc1_minting_account: constant(IDL.Opt(C.Account), []),
    icrc1_supported_standards: constant(IDL.Vec(C.SupportedStandard), STANDARDS),
    icrc1_transfer: method<C.TransferArgs>({ query: false, arg: C.TransferArgs, result: C.TransferResult, run: transfer }),
    deposit: method<C.DepositArgs>({ query: false, arg: C.DepositArgs, result: C.DepositResult, run: deposit }),
    withdraw: method<C.WithdrawArgs>({ query: false, arg: C.WithdrawArgs, result: C.WithdrawResult, run: withdraw }),
    create_canister: method<C.CreateCanisterArgs>({ query: false, arg: C.CreateCanisterArgs, result: C.CreateCanisterResult, run: createCanister }),
  },
};
