use {
    crate::{
        errors::RegistryError,
        events::AvailabilityLeafProven,
        merkle::{depth, leaf_hash, verify_proof},
        state::*,
    },
    anchor_lang::prelude::*,
};

/// Scale-path prototype: proves that `device` is leaf `index` (with `weight`) of a posted shard
/// root, once per leaf. Anyone may send it (the proof is the authority); it records the proof and
/// emits it, and pays nothing (see `post_availability_root`).
#[derive(Accounts)]
pub struct ProveAvailabilityLeaf<'info> {
    pub payer: Signer<'info>,
    #[account(
        mut,
        seeds = [
            AVAILABILITY_ROOT_SEED,
            &availability_root.epoch.to_le_bytes(),
            &availability_root.shard.to_le_bytes(),
            availability_root.posted_by.as_ref(),
        ],
        bump = availability_root.bump,
    )]
    pub availability_root: Box<Account<'info, AvailabilityRoot>>,
    #[account(seeds = [DEVICE_SEED, device.device_id_hash.as_ref()], bump = device.bump)]
    pub device: Box<Account<'info, Device>>,
}

pub fn handler(
    ctx: Context<ProveAvailabilityLeaf>,
    index: u32,
    weight: u64,
    proof: Vec<[u8; 32]>,
) -> Result<()> {
    let root = &mut ctx.accounts.availability_root;
    require!(index < root.leaf_count, RegistryError::LeafIndexOutOfRange);
    let device = ctx.accounts.device.key();
    require!(
        proof.len() == depth(root.leaf_count)
            && verify_proof(&root.root, leaf_hash(index, &device, weight), index, &proof),
        RegistryError::InvalidMerkleProof
    );
    require!(!root.is_proven(index), RegistryError::LeafAlreadyProven);
    root.mark_proven(index);
    emit!(AvailabilityLeafProven {
        epoch: root.epoch,
        shard: root.shard,
        index,
        device,
        weight,
        leaves_proven: root.leaves_proven,
    });
    Ok(())
}
