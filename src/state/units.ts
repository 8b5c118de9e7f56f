// Sizes and limits of the interface spec and the replica (the IC's resource limits).

export const WASM_PAGE_SIZE = 65536;
export const OS_PAGE_SIZE = 4096;
export const KIB = 1024;
export const MIB = 1024 * 1024;
export const GIB = 1024n * 1024n * 1024n;

export const MAX_INGRESS_PAYLOAD = 2 * MIB;
export const MAX_INTER_CANISTER_PAYLOAD = 2 * MIB;
export const MAX_REPLICATED_RESPONSE = 2 * MIB;
export const MAX_QUERY_RESPONSE = 3 * MIB;
export const MAX_CERTIFIED_DATA = 32;
export const MAX_CALL_TIMEOUT_SECONDS = 300;
export const MAX_CONTROLLERS = 10;
export const MAX_CANISTER_HISTORY = 20;
export const MAX_SNAPSHOTS = 10;
export const MAX_ENV_VARS = 20;
export const MAX_ENV_VAR_NAME = 128;
export const MAX_ENV_VAR_VALUE = 128;
export const MAX_LOG_BYTES = 4 * KIB;
export const MAX_CHUNK_SIZE = MIB;
export const MAX_CHUNK_STORE_CHUNKS = 100;
export const MAX_WASM32_HEAP = 4n * GIB;
export const MAX_WASM64_HEAP = 6n * GIB;
export const MAX_STABLE_MEMORY = 500n * GIB;
export const MAX_STABLE_32_PAGES = 65536n;
export const DEFAULT_WASM_MEMORY_LIMIT = 3n * GIB; // replica default for new canisters
export const DEFAULT_FREEZING_THRESHOLD = 2_592_000n;
export const DEFAULT_RESERVED_CYCLES_LIMIT = 5_000_000_000_000n;
export const DEFAULT_PROVISIONAL_CYCLES = 100_000_000_000_000n;
export const MAX_CYCLES = (1n << 128n) - 1n;
export const COMPOSITE_QUERY_MAX_DEPTH = 6;

export interface InstructionLimits {
  update: bigint;
  install: bigint;
  query: bigint;
  inspectMessage: bigint;
  /**
   * A message that runs past this many instructions pauses and resumes in a later round (deterministic
   * time slicing; the replica's max_instructions_per_slice), up to its own limit.
   */
  slice: bigint;
  /** The same for install_code (the replica's max_instructions_per_install_code_slice). */
  installSlice: bigint;
  /** A round runs further inner rounds (messages between its canisters) until this many were executed. */
  round: bigint;
}

/** Per-message instruction limits of an application subnet (the subnet config may lower them). */
export const INSTRUCTION_LIMITS: Readonly<InstructionLimits> = {
  update: 40_000_000_000n,
  install: 300_000_000_000n,
  query: 5_000_000_000n,
  inspectMessage: 200_000_000n,
  slice: 2_000_000_000n,
  installSlice: 2_000_000_000n,
  // The replica's MAX_INSTRUCTIONS_PER_ROUND of an application subnet (rs/config/src/subnet_config.rs).
  round: 4_000_000_000n,
};

export const NANOS_PER_SECOND = 1_000_000_000n;
/** The replica's DEFAULT_QUEUE_CAPACITY: slots of one canister-to-canister queue (requests and their responses). */
export const DEFAULT_QUEUE_CAPACITY = 500;
/** The replica's SUBNET_MEMORY_CAPACITY: memory all canisters of a subnet may take together (2 TiB). */
export const DEFAULT_SUBNET_MEMORY_CAPACITY = 2n ** 41n;
/** The replica's SUBNET_MEMORY_RESERVATION: capacity held back for response callbacks (2.5 GiB per execution thread, 4 threads). */
export const DEFAULT_SUBNET_MEMORY_RESERVATION = 10n * 2n ** 30n;
/** The replica's guaranteed-response message memory of a subnet: slots of all outstanding guaranteed calls. */
export const DEFAULT_MESSAGE_MEMORY_CAPACITY = 15n * GIB;
