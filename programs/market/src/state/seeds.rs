//! PDA seeds of the market program.

/// `["config"]`: the market's parameters.
pub const CONFIG_SEED: &[u8] = b"config";
/// `["reservation", renter, id (u64 LE)]`: one cluster reservation; also the authority of its vault.
pub const RESERVATION_SEED: &[u8] = b"reservation";
/// `["vault", reservation]`: the escrow token account of one reservation.
pub const VAULT_SEED: &[u8] = b"vault";
/// `["booking", reservation, device]`: one device's place in a reservation.
pub const BOOKING_SEED: &[u8] = b"booking";
/// `["registry_lock"]`: the PDA the registry accepts as the market's signature on device locks.
pub const REGISTRY_LOCK_SEED: &[u8] = registry::state::MARKET_LOCK_SEED;
/// `["slasher"]`: the PDA staking accepts as the market's signature on slashes.
pub const SLASHER_SEED: &[u8] = staking::state::SLASHER_SEED;
