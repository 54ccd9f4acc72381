use {
    crate::{
        errors::StakingError,
        events::{ConfigChanged, ProposalExecuted},
        state::*,
    },
    anchor_lang::{
        prelude::*,
        solana_program::{
            hash::hash,
            instruction::{AccountMeta, Instruction},
            program::invoke_signed,
        },
    },
    iotoken::{cpi::accounts as token_accounts, program::Iotoken, UpdateConfigArgs},
};

/// Permissionless: applies a passed proposal's change once, between the end of its timelock and
/// the end of its execution window, through the governance PDA, which must be the authority of
/// the config the change targets. Only the accounts of that target need be passed.
#[derive(Accounts)]
pub struct ExecuteProposal<'info> {
    pub executor: Signer<'info>,
    #[account(mut, seeds = [PROPOSAL_SEED, proposal.id.to_le_bytes().as_ref()], bump = proposal.bump)]
    pub proposal: Box<Account<'info, Proposal>>,
    #[account(mut, seeds = [CONFIG_SEED], bump = config.bump)]
    pub config: Box<Account<'info, StakingConfig>>,
    /// CHECK: data-less PDA that signs as config authority.
    #[account(seeds = [GOVERNANCE_SEED], bump = config.governance_bump)]
    pub governance: UncheckedAccount<'info>,
    pub iotoken_program: Option<Program<'info, Iotoken>>,
    /// CHECK: iotoken checks its config (seeds, authority) itself.
    #[account(mut)]
    pub iotoken_config: Option<UncheckedAccount<'info>>,
    /// CHECK: the iotoken account the change acts on besides the config, which iotoken checks
    /// (seeds) itself: the emission schedule for `LowerEmissionRow`, the price feed for
    /// `ResumePriceFeed`.
    #[account(mut)]
    pub iotoken_target: Option<UncheckedAccount<'info>>,
    /// CHECK: the registry program, by address.
    #[account(address = REGISTRY_PROGRAM_ID)]
    pub registry_program: Option<UncheckedAccount<'info>>,
    /// CHECK: the registry checks its config (seeds, authority) itself.
    #[account(mut)]
    pub registry_config: Option<UncheckedAccount<'info>>,
}

pub fn handler(ctx: Context<ExecuteProposal>) -> Result<()> {
    let now = Clock::get()?.unix_timestamp;
    let accounts = ctx.accounts;
    let proposal = &mut accounts.proposal;
    match proposal.status {
        ProposalStatus::Voting => return err!(StakingError::ProposalNotFinalized),
        ProposalStatus::Defeated => return err!(StakingError::ProposalDefeated),
        ProposalStatus::Executed => return err!(StakingError::ProposalAlreadyExecuted),
        ProposalStatus::Succeeded => {}
    }
    require!(
        now >= proposal.executable_at,
        StakingError::TimelockNotElapsed
    );
    require!(
        now < proposal
            .executable_at
            .saturating_add(proposal.rules.execution_window_secs),
        StakingError::ProposalExpired
    );
    proposal.status = ProposalStatus::Executed;
    proposal.executed_at = now;

    let change = proposal.change.clone();
    let governance_bump = accounts.config.governance_bump;
    let signer: &[&[&[u8]]] = &[&[GOVERNANCE_SEED, &[governance_bump]]];
    let governance = accounts.governance.to_account_info();
    let missing = || error!(StakingError::MissingTargetAccount);
    match change.target() {
        ChangeTarget::Staking => {
            require_keys_eq!(
                accounts.config.authority,
                governance.key(),
                StakingError::GovernanceNotAuthority
            );
            change.validate(now, None)?;
            change.apply_to(&mut accounts.config)?;
            emit!(ConfigChanged {
                change: change.clone(),
                proposal: proposal.key(),
            });
        }
        ChangeTarget::Iotoken => {
            let program = accounts.iotoken_program.as_ref().ok_or_else(missing)?;
            let config = accounts.iotoken_config.as_ref().ok_or_else(missing)?;
            match &change {
                ParameterChange::LowerEmissionRow {
                    index,
                    emission_per_epoch,
                } => {
                    let schedule = accounts.iotoken_target.as_ref().ok_or_else(missing)?;
                    iotoken::cpi::lower_schedule_row(
                        CpiContext::new_with_signer(
                            program.to_account_info(),
                            token_accounts::ChangeSchedule {
                                authority: governance,
                                config: config.to_account_info(),
                                schedule: schedule.to_account_info(),
                            },
                            signer,
                        ),
                        *index,
                        *emission_per_epoch,
                    )?;
                }
                ParameterChange::ResumePriceFeed => {
                    let price_feed = accounts.iotoken_target.as_ref().ok_or_else(missing)?;
                    iotoken::cpi::set_price_halted(
                        CpiContext::new_with_signer(
                            program.to_account_info(),
                            token_accounts::SetPriceHalted {
                                signer: governance,
                                config: config.to_account_info(),
                                price_feed: price_feed.to_account_info(),
                            },
                            signer,
                        ),
                        false,
                    )?;
                }
                ParameterChange::PoolDistributor {
                    pool,
                    program: distributor_program,
                } => {
                    iotoken::cpi::set_pool_distributor(
                        CpiContext::new_with_signer(
                            program.to_account_info(),
                            token_accounts::SetPoolDistributor {
                                authority: governance,
                                config: config.to_account_info(),
                            },
                            signer,
                        ),
                        *pool,
                        *distributor_program,
                    )?;
                }
                _ => {
                    let mut args = UpdateConfigArgs::default();
                    match &change {
                        ParameterChange::Fees { fees } => args.fees = Some(*fees),
                        ParameterChange::OracleUpdaters { updaters } => {
                            args.price_updaters = Some(updaters.clone())
                        }
                        ParameterChange::TokenParams {
                            emission,
                            oracle,
                            breaker,
                            buyback,
                        } => {
                            args.emission = *emission;
                            args.oracle = *oracle;
                            args.breaker = *breaker;
                            args.buyback = *buyback;
                        }
                        _ => return err!(StakingError::ChangeTargetsOtherProgram),
                    }
                    iotoken::cpi::update_config(
                        CpiContext::new_with_signer(
                            program.to_account_info(),
                            token_accounts::UpdateConfig {
                                authority: governance,
                                config: config.to_account_info(),
                            },
                            signer,
                        ),
                        args,
                    )?;
                }
            }
        }
        ChangeTarget::Registry => {
            let mut args = RegistryUpdateConfigArgs::default();
            match change {
                ParameterChange::KeeperBond {
                    amount,
                    unbond_cooldown_secs,
                } => {
                    args.keeper_bond_amount = Some(amount);
                    args.keeper_unbond_cooldown_secs = Some(unbond_cooldown_secs);
                }
                ParameterChange::RegistryMarket { program } => args.market_program = Some(program),
                ParameterChange::RegistryAvailability {
                    failure_quorum,
                    max_probe_age_slots,
                    committee_size,
                    passes_required,
                    report_after_secs,
                    false_report_penalty_bps,
                } => {
                    args.availability = Some(RegistryAvailabilityParams {
                        failure_quorum,
                        max_probe_age_slots,
                        committee_size,
                        passes_required,
                        report_after_secs,
                        false_report_penalty_bps,
                    })
                }
                _ => return err!(StakingError::ChangeTargetsOtherProgram),
            }
            let program = accounts.registry_program.as_ref().ok_or_else(missing)?;
            let config = accounts.registry_config.as_ref().ok_or_else(missing)?;
            let mut data = hash(b"global:update_config").to_bytes()[..8].to_vec();
            args.serialize(&mut data)?;
            let instruction = Instruction {
                program_id: REGISTRY_PROGRAM_ID,
                accounts: vec![
                    AccountMeta::new_readonly(governance.key(), true),
                    AccountMeta::new(config.key(), false),
                    // The registry's optional `new_bond_mint`, absent: its program id stands in.
                    AccountMeta::new_readonly(REGISTRY_PROGRAM_ID, false),
                ],
                data,
            };
            invoke_signed(
                &instruction,
                &[
                    governance,
                    config.to_account_info(),
                    program.to_account_info(),
                ],
                signer,
            )?;
        }
    }

    emit!(ProposalExecuted {
        proposal: proposal.key(),
        id: proposal.id,
        change,
        executor: accounts.executor.key(),
    });
    Ok(())
}

/// The registry's `UpdateConfigArgs`, field for field (a program test checks the encodings agree).
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, Default)]
pub struct RegistryUpdateConfigArgs {
    pub new_authority: Option<Pubkey>,
    pub keeper_bond_amount: Option<u64>,
    pub keeper_unbond_cooldown_secs: Option<i64>,
    pub market_program: Option<Pubkey>,
    pub availability: Option<RegistryAvailabilityParams>,
}

/// The registry's `AvailabilityParams`, field for field.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug)]
pub struct RegistryAvailabilityParams {
    pub failure_quorum: u8,
    pub max_probe_age_slots: u64,
    pub committee_size: u8,
    pub passes_required: u8,
    pub report_after_secs: u32,
    pub false_report_penalty_bps: u16,
}
