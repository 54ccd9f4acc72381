//! Every PDA seed of the staking program, in one place. Mirrored byte for byte in `sdk/src/seeds.ts`.

/// `["config"]`: staking and governance parameters, the GPU class table and the slasher set.
pub const CONFIG_SEED: &[u8] = b"config";
/// `["governance"]`: holds no data; signs, when a proposal executes, as the config authority of
/// this program, iotoken and registry.
pub const GOVERNANCE_SEED: &[u8] = b"governance";
/// `["pool", device, operator]`: the stake pool of a registry device under one operator. The
/// operator is in the seeds because a device address outlives its owner: a deregistered device id
/// registered again by someone else gets a pool of its own, and the old one stays its operator's.
pub const POOL_SEED: &[u8] = b"pool";
/// `["vault", pool]`: the pool's IO token account (stake and undistributed rewards), owned by the pool.
pub const VAULT_SEED: &[u8] = b"vault";
/// `["position", pool, owner]`: one co-staker's stake in one pool.
pub const POSITION_SEED: &[u8] = b"position";
/// `["proposal", id as u64 little-endian]`: a governance proposal.
pub const PROPOSAL_SEED: &[u8] = b"proposal";
/// `["vote", proposal, position]`: the vote of one position on one proposal; its existence is what
/// stops a second vote.
pub const VOTE_SEED: &[u8] = b"vote";
/// `["slasher"]`, derived under a slashing program's own id (registry, market): the PDA that signs
/// `slash` when that program has proven a fault.
pub const SLASHER_SEED: &[u8] = b"slasher";
