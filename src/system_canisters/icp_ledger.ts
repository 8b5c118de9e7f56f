// The ICP ledger (ryjl3-tyaaa-aaaaa-aaaba-cai), natively: the legacy interface by account identifier
// (`transfer`, `account_balance`), ICRC-1, ICRC-2 (icp_ledger_approvals.ts) and `query_blocks`.
// Accounts, blocks and minting: icp_accounts.ts. Not modelled: deduplication and the time window of
// `created_at_time` (accepted and ignored), archives, certified block hashes (`parent_hash` is null).
import { IDL } from '@dfinity/candid';
import type { IcpBlock } from '../state/index.ts';
import * as C from './candid/icp_ledger.ts';
import { approve, allowanceOf, transferFrom } from './icp_ledger_approvals.ts';
import { accountIdOf, accountIdentifier, amountTooLarge, checkedAccountIdentifier, ICP_DECIMALS, ICP_FEE, icpBalance, icpTotalSupply, icrcMovement, moveTokens } from './icp_accounts.ts';
import { GOVERNANCE, ICP_LEDGER } from './ids.ts';
import { accountOf } from './ledger_accounts.ts';
import { canisterTrap, method, type MethodOutcome, type SystemCall, type SystemCanister, type SystemContext } from './method.ts';

const NAME = 'Internet Computer';
const SYMBOL = 'ICP';
const MAX_MEMO_BYTES = 32;
const MAX_BLOCKS_PER_QUERY = 2_000n;

const tokens = (e8s: bigint): C.Tokens => ({ e8s });

/** The legacy `transfer`: errors in `Tokens`, amounts within nat64. */
function legacyTransfer(context: SystemContext, call: SystemCall, arg: C.TransferArgs): MethodOutcome {
  const ledger = context.state.systemCanisters.icpLedger;
  const from = accountOf(call.caller, arg.from_subaccount);
  if (typeof from === 'string') return canisterTrap(ICP_LEDGER, from);
  const to = checkedAccountIdentifier(arg.to);
  if (typeof to === 'string') return canisterTrap(ICP_LEDGER, to);
  const movement = {
    from: accountIdOf(from),
    to,
    amount: arg.amount.e8s,
    fee: arg.fee.e8s,
    memo: arg.memo,
    icrc1Memo: undefined,
    createdAt: arg.created_at_time[0]?.timestamp_nanos,
    spender: undefined,
  };
  const outcome = moveTokens(ledger, movement, context.state.time);
  if (typeof outcome === 'bigint') return { value: { Ok: outcome } };
  if ('BadFee' in outcome) return { value: { Err: { BadFee: { expected_fee: tokens(outcome.BadFee.expected_fee) } } } };
  if ('InsufficientFunds' in outcome) return { value: { Err: { InsufficientFunds: { balance: tokens(outcome.InsufficientFunds.balance) } } } };
  return canisterTrap(ICP_LEDGER, `Burns lower than ${ICP_FEE} are not allowed`);
}

function icrc1Transfer(context: SystemContext, call: SystemCall, arg: C.TransferArg): MethodOutcome {
  const from = accountOf(call.caller, arg.from_subaccount);
  const to = accountOf(arg.to.owner, arg.to.subaccount);
  if (typeof from === 'string') return canisterTrap(ICP_LEDGER, from);
  if (typeof to === 'string') return canisterTrap(ICP_LEDGER, to);
  const memo = arg.memo[0];
  if (memo && memo.length > MAX_MEMO_BYTES) return canisterTrap(ICP_LEDGER, `the memo field size of ${memo.length} bytes is above the allowed limit of ${MAX_MEMO_BYTES} bytes`);
  const tooLarge = amountTooLarge(arg.amount);
  if (tooLarge) return { value: { Err: tooLarge } };
  const movement = icrcMovement(arg, accountIdOf(from), accountIdOf(to), undefined);
  const outcome = moveTokens(context.state.systemCanisters.icpLedger, movement, context.state.time);
  return { value: typeof outcome === 'bigint' ? { Ok: outcome } : { Err: outcome } };
}

function balanceQuery(context: SystemContext, account: C.Account): MethodOutcome {
  const normalised = accountOf(account.owner, account.subaccount);
  if (typeof normalised === 'string') return canisterTrap(ICP_LEDGER, normalised);
  return { value: icpBalance(context.state.systemCanisters.icpLedger, accountIdOf(normalised)) };
}

function accountBalance(context: SystemContext, accountId: Uint8Array | number[]): MethodOutcome {
  const checked = checkedAccountIdentifier(accountId);
  if (typeof checked === 'string') return canisterTrap(ICP_LEDGER, checked);
  return { value: tokens(icpBalance(context.state.systemCanisters.icpLedger, checked)) };
}

function accountIdText(text: string): Uint8Array | number[] {
  return /^[0-9a-f]{64}$/i.test(text) ? Buffer.from(text, 'hex') : [];
}

/** A block as `query_blocks` shows it. */
function candidBlock(block: IcpBlock) {
  const none = new Uint8Array(0);
  const operation =
    block.kind === 'mint'
      ? { Mint: { to: block.to ?? none, amount: tokens(block.amount) } }
      : block.kind === 'burn'
        ? { Burn: { from: block.from ?? none, amount: tokens(block.amount), spender: block.spender ? [block.spender] : [] } }
        : block.kind === 'transfer'
          ? { Transfer: { from: block.from ?? none, to: block.to ?? none, amount: tokens(block.amount), fee: tokens(block.fee), spender: block.spender ? [block.spender] : [] } }
          : {
              Approve: {
                from: block.from ?? none,
                spender: block.spender ?? none,
                allowance_e8s: block.amount,
                allowance: tokens(block.amount),
                fee: tokens(block.fee),
                expires_at: block.expiresAt === undefined ? [] : [{ timestamp_nanos: block.expiresAt }],
                expected_allowance: block.expectedAllowance === undefined ? [] : [tokens(block.expectedAllowance)],
              },
            };
  const transaction = {
    memo: block.memo,
    icrc1_memo: block.icrc1Memo ? [block.icrc1Memo] : [],
    operation: [operation],
    created_at_time: { timestamp_nanos: block.createdAt ?? block.timestamp },
  };
  return { transaction, timestamp: { timestamp_nanos: block.timestamp }, parent_hash: [] };
}

function queryBlocks(context: SystemContext, arg: C.GetBlocksArgs): MethodOutcome {
  const blocks = context.state.systemCanisters.icpLedger.blocks;
  const chainLength = BigInt(blocks.length);
  const start = arg.start < chainLength ? arg.start : chainLength;
  const length = arg.length < MAX_BLOCKS_PER_QUERY ? arg.length : MAX_BLOCKS_PER_QUERY;
  const end = start + length < chainLength ? start + length : chainLength;
  const selected = blocks.slice(Number(start), Number(end)).map(candidBlock);
  return { value: { certificate: [], blocks: selected, chain_length: chainLength, first_block_index: start, archived_blocks: [] } };
}

const constant = (result: IDL.Type, value: unknown) => method({ query: true, arg: null, result, run: () => ({ value }) });

const METADATA: [string, unknown][] = [
  ['icrc1:decimals', { Nat: BigInt(ICP_DECIMALS) }],
  ['icrc1:name', { Text: NAME }],
  ['icrc1:symbol', { Text: SYMBOL }],
  ['icrc1:fee', { Nat: ICP_FEE }],
  ['icrc1:max_memo_length', { Nat: BigInt(MAX_MEMO_BYTES) }],
];
const STANDARDS = [
  { name: 'ICRC-1', url: 'https://github.com/dfinity/ICRC-1/tree/main/standards/ICRC-1' },
  { name: 'ICRC-2', url: 'https://github.com/dfinity/ICRC-1/tree/main/standards/ICRC-2' },
];

export const icpLedger: SystemCanister = {
  id: ICP_LEDGER,
  name: 'ICP ledger',
  methods: {
    transfer: method<C.TransferArgs>({ query: false, arg: C.TransferArgs, result: C.TransferResult, run: legacyTransfer }),
    account_balance: method<{ account: Uint8Array }>({ query: true, arg: C.AccountIdentifierByteBuf, result: C.Tokens, run: (context, _call, arg) => accountBalance(context, arg.account) }),
    account_balance_dfx: method<{ account: string }>({
      query: true,
      arg: C.AccountBalanceArgs,
      result: C.Tokens,
      run: (context, _call, arg) => accountBalance(context, accountIdText(arg.account)),
    }),
    account_identifier: method<C.Account>({
      query: true,
      arg: C.Account,
      result: IDL.Vec(IDL.Nat8),
      run: (_context, _call, arg) => {
        const account = accountOf(arg.owner, arg.subaccount);
        return typeof account === 'string' ? canisterTrap(ICP_LEDGER, account) : { value: accountIdentifier(account.owner, account.subaccount) };
      },
    }),
    transfer_fee: method({ query: true, arg: IDL.Record({}), result: IDL.Record({ transfer_fee: C.Tokens }), run: () => ({ value: { transfer_fee: tokens(ICP_FEE) } }) }),
    name: constant(IDL.Record({ name: IDL.Text }), { name: NAME }),
    symbol: constant(IDL.Record({ symbol: IDL.Text }), { symbol: SYMBOL }),
    decimals: constant(IDL.Record({ decimals: IDL.Nat32 }), { decimals: ICP_DECIMALS }),
    is_ledger_ready: constant(IDL.Bool, true),
    icrc1_balance_of: method<C.Account>({ query: true, arg: C.Account, result: IDL.Nat, run: (context, _call, arg) => balanceQuery(context, arg) }),
    icrc1_transfer: method<C.TransferArg>({ query: false, arg: C.TransferArg, result: C.Icrc1TransferResult, run: icrc1Transfer }),
    icrc1_total_supply: method({ query: true, arg: null, result: IDL.Nat, run: (context) => ({ value: icpTotalSupply(context.state.systemCanisters.icpLedger) }) }),
    icrc1_fee: constant(IDL.Nat, ICP_FEE),
    icrc1_decimals: constant(IDL.Nat8, ICP_DECIMALS),
    icrc1_name: constant(IDL.Text, NAME),
    icrc1_symbol: constant(IDL.Text, SYMBOL),
    icrc1_metadata: constant(IDL.Vec(IDL.Tuple(IDL.Text, C.MetadataValue)), METADATA),
    icrc1_minting_account: constant(IDL.Opt(C.Account), [{ owner: GOVERNANCE, subaccount: [] }]),
    icrc1_supported_standards: constant(IDL.Vec(C.SupportedStandard), STANDARDS),
    icrc10_supported_standards: constant(IDL.Vec(C.SupportedStandard), STANDARDS),
    icrc2_approve: method<C.ApproveArgs>({ query: false, arg: C.ApproveArgs, result: C.ApproveResult, run: approve }),
    icrc2_allowance: method<C.AllowanceArgs>({ query: true, arg: C.AllowanceArgs, result: C.Allowance, run: allowanceOf }),
    icrc2_transfer_from: method<C.TransferFromArgs>({ query: false, arg: C.TransferFromArgs, result: C.TransferFromResult, run: transferFrom }),
    query_blocks: method<C.GetBlocksArgs>({ query: true, arg: C.GetBlocksArgs, result: C.QueryBlocksResponse, run: (context, _call, arg) => queryBlocks(context, arg) }),
  },
};
