//! What every reward instruction shares: reading the closed epochs passed for settlement and
//! paying out of a vault the distributor PDA owns.

use {
    crate::{errors::RegistryError, state::*},
    anchor_lang::prelude::*,
    iotoken::token_transfer::transfer_tokens,
};

/// Reads `infos` (remaining accounts) as closed `["availability", epoch]` records of this program.
/// Only the registry writes such accounts and their address binds the epoch, so a record cannot
/// be forged or passed for another epoch.
pub fn read_closed_epochs(infos: &[AccountInfo]) -> Result<Vec<AvailabilityEpoch>> {
    infos
        .iter()
        .map(|info| {
            require_keys_eq!(*info.owner, crate::ID, RegistryError::EpochNotClosed);
            let record = AvailabilityEpoch::try_deserialize(&mut &info.try_borrow_data()?[..])
                .map_err(|_| error!(RegistryError::EpochNotClosed))?;
            let address = Pubkey::create_program_address(
                &[
                    AVAILABILITY_EPOCH_SEED,
                    &record.epoch.to_le_bytes(),
                    &[record.bump],
                ],
                &crate::ID,
            )
            .map_err(|_| error!(RegistryError::EpochNotClosed))?;
            require!(
                address == info.key() && record.closed,
                RegistryError::EpochNotClosed
            );
            Ok(record)
        })
        .collect()
}

/// Moves `amount` out of `vault`, signed by the `["distributor"]` PDA.
pub fn pay_from_vault<'info>(
    token_program: &AccountInfo<'info>,
    vault: &AccountInfo<'info>,
    destination: &AccountInfo<'info>,
    distributor: &AccountInfo<'info>,
    distributor_bump: u8,
    amount: u64,
) -> Result<()> {
    transfer_tokens(
        token_program,
        vault,
        destination,
        distributor,
        &[&[DISTRIBUTOR_SEED, &[distributor_bump]]],
        amount,
    )
}
