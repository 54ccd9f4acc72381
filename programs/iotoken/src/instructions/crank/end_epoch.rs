use {
    crate::{
        errors::IotokenError,
        events::EpochEnded,
        math::{emission::*, SafeMath, EPOCH_SECS, IO_SUPPLY_CAP},
        pda_account::create_pda_account,
        state::*,
    },
    anchor_lang::prelude::*,
    anchor_spl::token::{mint_to, Mint, MintTo, Token, TokenAccount},
};

/// Epochs one `end_epoch` may close: catching up a day of missed epochs takes two transactions.
pub const MAX_EPOCHS_PER_CRANK: usize = 12;

/// Closes the next ended epochs, in order, one per record account passed as remaining accounts
/// (`["epoch", epoch]` PDAs, writable, created here at the cranker's expense): mints each epoch's
/// scheduled and net emission into the reward pools and the crank tip to `tip_destination`.
/// Permissionless; an epoch can be closed only once, because `ledger.next_epoch` moves past it and
/// its record's address is bound to it.
#[derive(Accounts)]
pub struct EndEpoch<'info> {
    #[account(mut)]
    pub cranker: Signer<'info>,
    #[account(
        seeds = [CONFIG_SEED],
        bump = config.bump,
        constraint = config.genesis_minted @ IotokenError::GenesisNotMinted,
    )]
    pub config: Box<Account<'info, TokenConfig>>,
    #[account(
        seeds = [SCHEDULE_SEED],
        bump = schedule.bump,
        constraint = schedule.sealed @ IotokenError::ScheduleNotSealed,
    )]
    pub schedule: Box<Account<'info, EmissionSchedule>>,
    #[account(mut, seeds = [LEDGER_SEED], bump = ledger.bump)]
    pub ledger: Box<Account<'info, EmissionLedger>>,
    #[account(mut, seeds = [IO_MINT_SEED], bump = config.io_mint_bump)]
    pub io_mint: Box<Account<'info, Mint>>,
    #[account(
        mut,
        seeds = [POOL_SEED, &[RewardPool::Availability as u8]],
        bump = config.pool_bumps[RewardPool::Availability as usize],
    )]
    pub availability_pool: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        seeds = [POOL_SEED, &[RewardPool::Compute as u8]],
        bump = config.pool_bumps[RewardPool::Compute as usize],
    )]
    pub compute_pool: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        seeds = [POOL_SEED, &[RewardPool::Stakers as u8]],
        bump = config.pool_bumps[RewardPool::Stakers as usize],
    )]
    pub stakers_pool: Box<Account<'info, TokenAccount>>,
    #[account(
        mut,
        seeds = [POOL_SEED, &[RewardPool::Keepers as u8]],
        bump = config.pool_bumps[RewardPool::Keepers as usize],
    )]
    pub keepers_pool: Box<Account<'info, TokenAccount>>,
    /// Any IO token account of the cranker's choosing.
    #[account(mut, constraint = tip_destination.mint == io_mint.key() @ IotokenError::WrongMint)]
    pub tip_destination: Box<Account<'info, TokenAccount>>,
    pub token_program: Program<'info, Token>,
    pub system_program: Program<'info, System>,
}

pub fn handler<'info>(ctx: Context<'_, '_, 'info, 'info, EndEpoch<'info>>) -> Result<()> {
    let records = ctx.remaining_accounts;
    require!(
        (1..=MAX_EPOCHS_PER_CRANK).contains(&records.len()),
        IotokenError::InvalidEpochCount
    );
    let now = Clock::get()?.unix_timestamp;
    let accounts = ctx.accounts;
    let emission = accounts.config.emission;
    let params = EpochMintParams {
        split_bps: emission.split.as_array(),
        crank_tip: emission.crank_tip,
        net_smoothing_epochs: emission.net_smoothing_epochs,
        net_cap_per_epoch: emission.net_cap_per_epoch,
    };
    let origin = accounts.schedule.origin();
    let supply_before = accounts.io_mint.supply;
    let mut supply = supply_before;
    let mut pools = [0u64; POOL_COUNT];
    let mut crank_tip = 0u64;

    for record_info in records {
        let ledger = &mut accounts.ledger;
        let epoch = ledger.next_epoch;
        // The address first: a record of an epoch already closed is named as such.
        let epoch_bytes = epoch.to_le_bytes();
        let (address, bump) = Pubkey::find_program_address(&[EPOCH_SEED, &epoch_bytes], &crate::ID);
        require!(
            record_info.key() == address && record_info.is_writable,
            IotokenError::EpochRecordMismatch
        );
        let start_time = epoch_start(origin, epoch)?;
        let end_time = start_time.safe_add(EPOCH_SECS)?;
        require!(now >= end_time, IotokenError::EpochNotEnded);

        ledger.roll_burns(epoch);
        let rate = scheduled_emission(&accounts.schedule.rows, epoch)?;
        let mint = epoch_mint(
            rate,
            ledger.cumulative_scheduled,
            ledger.net_backlog,
            supply,
            &params,
        )?;
        ledger.cumulative_scheduled = ledger.cumulative_scheduled.safe_add(mint.scheduled)?;
        ledger.cumulative_net = ledger.cumulative_net.safe_add(mint.net)?;
        ledger.net_backlog = ledger.net_backlog.safe_sub(mint.net)?;
        ledger.next_epoch = epoch.safe_add(1)?;
        supply = supply.safe_add(mint.total())?;
        for (total, amount) in pools.iter_mut().zip(mint.pools) {
            *total = total.safe_add(amount)?;
        }
        crank_tip = crank_tip.safe_add(mint.crank_tip)?;

        let record = EpochRecord {
            epoch,
            start_time,
            end_time,
            scheduled_emission: mint.scheduled,
            net_emission: mint.net,
            pools: mint.pools,
            crank_tip: mint.crank_tip,
            cranked_by: accounts.cranker.key(),
            cranked_at: now,
            supply_after: supply,
            bump,
            drawn: [false; POOL_COUNT],
        };
        create_epoch_record(
            record_info,
            record,
            &accounts.cranker,
            &accounts.system_program,
        )?;
        emit!(EpochEnded {
            epoch,
            scheduled_emission: mint.scheduled,
            net_emission: mint.net,
            pools: mint.pools,
            crank_tip: mint.crank_tip,
            cranked_by: accounts.cranker.key(),
            supply_after: supply,
            net_backlog_after: ledger.net_backlog,
        });
    }

    let signer: &[&[&[u8]]] = &[&[CONFIG_SEED, &[accounts.config.bump]]];
    let destinations = [
        (accounts.availability_pool.to_account_info(), pools[0]),
        (accounts.compute_pool.to_account_info(), pools[1]),
        (accounts.stakers_pool.to_account_info(), pools[2]),
        (accounts.keepers_pool.to_account_info(), pools[3]),
        (accounts.tip_destination.to_account_info(), crank_tip),
    ];
    for (destination, amount) in destinations {
        if amount == 0 {
            continue;
        }
        mint_to(
            CpiContext::new_with_signer(
                accounts.token_program.to_account_info(),
                MintTo {
                    mint: accounts.io_mint.to_account_info(),
                    to: destination,
                    authority: accounts.config.to_account_info(),
                },
                signer,
            ),
            amount,
        )?;
    }

    // Invariant: the mint moved by exactly what the records say, and never past the cap.
    accounts.io_mint.reload()?;
    require!(
        accounts.io_mint.supply == supply && supply <= IO_SUPPLY_CAP,
        IotokenError::SupplyCapExceeded
    );
    Ok(())
}

/// Creates `record_info`, already checked to be the `["epoch", epoch]` PDA, holding `record`,
/// paid by `payer`.
fn create_epoch_record<'info>(
    record_info: &AccountInfo<'info>,
    record: EpochRecord,
    payer: &Signer<'info>,
    system_program: &Program<'info, System>,
) -> Result<()> {
    let epoch_bytes = record.epoch.to_le_bytes();
    create_pda_account(
        record_info,
        8 + EpochRecord::INIT_SPACE,
        &crate::ID,
        &[EPOCH_SEED, &epoch_bytes, &[record.bump]],
        payer,
        system_program,
    )?;
    let mut data = record_info.try_borrow_mut_data()?;
    record.try_serialize(&mut &mut data[..])?;
    Ok(())
}
