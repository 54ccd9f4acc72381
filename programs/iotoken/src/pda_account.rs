//! Creating a program-derived account by hand, for accounts Anchor's `init` cannot create: ones
//! whose existence is itself a check with its own named error, or a variable number of them.

use anchor_lang::{
    prelude::*,
    system_program::{allocate, assign, transfer, Allocate, Assign, Transfer},
};

/// Creates `target` (the PDA of `signer_seeds`, bump included) with `space` bytes, owned by
/// `owner`, rent paid by `payer`. Works even if someone sent lamports to the address beforehand,
/// which would make a plain `create_account` fail and let anyone block the creation.
pub fn create_pda_account<'info>(
    target: &AccountInfo<'info>,
    space: usize,
    owner: &Pubkey,
    signer_seeds: &[&[u8]],
    payer: &Signer<'info>,
    system_program: &Program<'info, System>,
) -> Result<()> {
    let signer: &[&[&[u8]]] = &[signer_seeds];
    let rent = Rent::get()?
        .minimum_balance(space)
        .saturating_sub(target.lamports());
    if rent > 0 {
        transfer(
            CpiContext::new(
                system_program.to_account_info(),
                Transfer {
                    from: payer.to_account_info(),
                    to: target.clone(),
                },
            ),
            rent,
        )?;
    }
    allocate(
        CpiContext::new_with_signer(
            system_program.to_account_info(),
            Allocate {
                account_to_allocate: target.clone(),
            },
            signer,
        ),
        space as u64,
    )?;
    assign(
        CpiContext::new_with_signer(
            system_program.to_account_info(),
            Assign {
                account_to_assign: target.clone(),
            },
            signer,
        ),
        owner,
    )
}
