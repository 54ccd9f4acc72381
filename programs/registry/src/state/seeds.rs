//! Every PDA seed of the registry, in one place. Mirrored byte for byte in `sdk/src/seeds.ts`.

/// `["config"]`: the registry's single configuration account.
pub const CONFIG_SEED: &[u8] = b"config";
/// `["device", sha256(device_id)]`: a registered device.
pub const DEVICE_SEED: &[u8] = b"device";
/// `["device_history", sha256(device_id)]`: the counters of a deregistered device id.
pub const DEVICE_HISTORY_SEED: &[u8] = b"device_history";
/// `["keeper", authority]`: a registered keeper.
pub const KEEPER_SEED: &[u8] = b"keeper";
/// `["keeper_bond", keeper]`: the token account holding a keeper's bond; its authority is the
/// keeper PDA, which signs the bond's return.
pub const KEEPER_BOND_SEED: &[u8] = b"keeper_bond";
/// `["registry_lock"]` under the market program: the only signer allowed to lock a device for a
/// reservation and release it.
pub const MARKET_LOCK_SEED: &[u8] = b"registry_lock";
/// `["availability", epoch as u64 little-endian]`: an epoch's attestation totals.
pub const AVAILABILITY_EPOCH_SEED: &[u8] = b"availability";
/// `["distributor"]`: owns the reward vaults and is iotoken's distributor of the availability and
/// keepers pools (the same seed as `iotoken::state::DISTRIBUTOR_SEED`).
pub const DISTRIBUTOR_SEED: &[u8] = b"distributor";
/// `["availability_vault"]`: IO drawn for devices, owed until claimed.
pub const AVAILABILITY_VAULT_SEED: &[u8] = b"availability_vault";
/// `["keeper_tips_vault"]`: IO drawn for keepers, owed until claimed.
pub const KEEPER_TIPS_VAULT_SEED: &[u8] = b"keeper_tips_vault";
/// `["availability_root", epoch as u64 LE, shard as u16 LE, keeper]`: a keeper's Merkle root over
/// one shard of an epoch's attested devices (the scale-path prototype); one per keeper, so no
/// keeper can take a shard from the others.
pub const AVAILABILITY_ROOT_SEED: &[u8] = b"availability_root";
