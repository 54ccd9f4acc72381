//! Moving SPL tokens by CPI, the one way every program of the workspace does it.

use {
    anchor_lang::prelude::*,
    anchor_spl::token::{transfer, Transfer},
};

/// Transfers `amount` from `from` to `to`, authorised by `authority`: a signer of the
/// transaction (no `signer_seeds`) or a PDA of the calling program (its seeds, bump included).
/// Nothing moves, and no CPI is made, for 0.
pub fn transfer_tokens<'info>(
    token_program: &AccountInfo<'info>,
    from: &AccountInfo<'info>,
    to: &AccountInfo<'info>,
    authority: &AccountInfo<'info>,
    signer_seeds: &[&[&[u8]]],
    amount: u64,
) -> Result<()> {
    if amount == 0 {
        return Ok(());
    }
    transfer(
        CpiContext::new_with_signer(
            token_program.clone(),
            Transfer {
                from: from.clone(),
                to: to.clone(),
                authority: authority.clone(),
            },
            signer_seeds,
        ),
        amount,
    )
}
