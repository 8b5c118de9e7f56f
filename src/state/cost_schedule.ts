// Cycle prices of a 13-node application subnet (the IC's cycle costs); a free schedule for quick tests.

export interface CostSchedule {
  readonly name: 'application' | 'free';
  readonly canisterCreation: bigint;
  readonly updateMessageBase: bigint;
  readonly perInstruction: bigint;
  readonly perInstructionWasm64: bigint;
  readonly interCanisterCall: bigint;
  readonly interCanisterByte: bigint;
  readonly ingressMessage: bigint;
  readonly ingressByte: bigint;
  /** Storage, cycles per byte-second ×2^30 (i.e. per GiB-second). */
  readonly storagePerGibSecond: bigint;
  readonly computePercentSecond: bigint;
  readonly signWithThresholdKey: bigint;
  readonly httpRequestBase: bigint;
  readonly fetchLogsBase: bigint;
  readonly fetchLogsPerByte: bigint;
}

export const APPLICATION_SUBNET_COSTS: CostSchedule = {
  name: 'application',
  canisterCreation: 500_000_000_000n,
  updateMessageBase: 5_000_000n,
  perInstruction: 1n,
  perInstructionWasm64: 2n,
  interCanisterCall: 260_000n,
  interCanisterByte: 1_000n,
  ingressMessage: 1_200_000n,
  ingressByte: 2_000n,
  storagePerGibSecond: 127_000n,
  computePercentSecond: 10_000_000n,
  signWithThresholdKey: 10_000_000_000n,
  httpRequestBase: 3_000_000n,
  fetchLogsBase: 5_000_000n,
  fetchLogsPerByte: 80n,
};

export const FREE_COSTS: CostSchedule = {
  name: 'free',
  canisterCreation: 0n,
  updateMessageBase: 0n,
  perInstruction: 0n,
  perInstructionWasm64: 0n,
  interCanisterCall: 0n,
  interCanisterByte: 0n,
  ingressMessage: 0n,
  ingressByte: 0n,
  storagePerGibSecond: 0n,
  computePercentSecond: 0n,
  signWithThresholdKey: 0n,
  httpRequestBase: 0n,
  fetchLogsBase: 0n,
  fetchLogsPerByte: 0n,
};
