/**
 * Program ids and the registry's limits, mirrored from `programs/registry` (lib.rs `declare_id!`,
 * state/device.rs, state/config.rs), `programs/iotoken/src/lib.rs` and
 * `programs/staking/src/lib.rs`. The iotoken program's arithmetic constants (IO, supply cap,
 * epochs) live in `iotoken/math.ts`, the staking program's (locks, reward index) in
 * `staking/math.ts`. Browser-safe.
 *
 * Units used across the sdk:
 * - prices are IOSD base units per GPU per hour; IOSD has 6 decimals, so 1_000_000 = 1 USD;
 * - token amounts are base units of the named mint;
 * - times are unix seconds, durations seconds.
 */
import { PublicKey } from "@solana/web3.js";

/** The registry program (`declare_id!` in programs/registry/src/lib.rs, Anchor.toml). */
export const REGISTRY_PROGRAM_ID = new PublicKey("REGJTqN4p17Fm1qS4Ew5M6gtafDvrKqMWSVJC6PWNbj");
/** The token program: IO and IOSD mints, emission, price feed (programs/iotoken/src/lib.rs). */
export const IOTOKEN_PROGRAM_ID = new PublicKey("ioTdPwzYxeuwM5EU9sBex3QrpqaRqVMFbxnBXrWAM4D");
/**
 * The staking program: device stake pools, co-staking, lockups, slashing and governance
 * (programs/staking/src/lib.rs).
 */
export const STAKING_PROGRAM_ID = new PublicKey("SthM8DZzYRSBV9NuYHQ3GmBeUjZeFVURjE7DzkQFyMq");

/**
 * The market program: reservations, bookings, escrow and settlement
 * (programs/market/src/lib.rs).
 */
export const MARKET_PROGRAM_ID = new PublicKey("MKFewuEbqPENT5T5b72S8YsLhTNbgMRnQ6h6nNXd63Y");

/** IOSD decimals: 1_000_000 base units = 1 IOSD = 1 USD. */
export const IOSD_DECIMALS = 6;
/** IOSD base units in one USD. */
export const IOSD_PER_USD = 1_000_000n;

/** Longest accepted device id, in bytes. */
export const MAX_DEVICE_ID_LEN = 64;
/** Longest device name, in bytes. */
export const MAX_NAME_LEN = 32;
/** Longest GPU model, in bytes. */
export const MAX_GPU_MODEL_LEN = 48;
/** Longest region code, in bytes. */
export const MAX_REGION_LEN = 16;
/** Longest endpoint, in bytes. */
export const MAX_ENDPOINT_LEN = 96;
/** GPUs in one device. */
export const MAX_GPUS_PER_DEVICE = 64;
/** VRAM per GPU, in MiB (1 TiB). */
export const MAX_VRAM_MIB = 1 << 20;
/** CPU cores of one device. */
export const MAX_CPU_CORES = 4_096;
/** System memory, in MiB (64 TiB). */
export const MAX_RAM_MIB = 64 * (1 << 20);
/** Storage, in GiB (1 PiB). */
export const MAX_STORAGE_GIB = 1 << 20;
/** Highest price per GPU-hour: 1,000 USD, in IOSD base units. */
export const MAX_PRICE_PER_GPU_HOUR = 1_000_000_000n;
/** Longest keeper unbond cooldown: 365 days, in seconds. */
export const MAX_UNBOND_COOLDOWN_SECS = 365 * 24 * 60 * 60;
