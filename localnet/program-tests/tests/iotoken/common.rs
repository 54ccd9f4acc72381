//! Harness shared by the token program's integration tests: a LiteSVM chain running the program
//! natively beside the registry and staking (SPL Token is the real SBF program LiteSVM ships), instruction builders over Anchor's
//! generated client types, account and event decoding, and failure assertions by error name.
//!
//! Every transaction sent here carries exactly one instruction and is paid for by its first
//! signer, so balances can be checked to the lamport: a transaction costs its payer
//! `FEE_PER_SIGNATURE` per signature, whether it succeeds or fails.
//!
//! Chains come in stages, each building on the one before: `deployed` (program only),
//! `initialized` (config, mints, schedule, ledger, price feed), `with_genesis` (reward pools and
//! the 500M IO genesis), `emitting` (the test schedule appended and sealed at `NOW`).

pub use iogrid_program_tests::{
    assert_fails, events,
    iotoken_defaults::{
        default_emission, iotoken_args as default_args, BREAKER_MAX, BREAKER_WINDOW,
        BUYBACK_INTERVAL, CRANK_TIP, EMA_WINDOW, MAX_STALENESS,
    },
    only_event,
    setup::{FEE_PER_SIGNATURE, HOUR, ORIGIN},
    succeeded, Expected, TestChain,
};
use iogrid_program_tests::{
    put_mint, put_token_account,
    setup::{forward_as_pda, programs_svm},
};

use {
    anchor_lang::{
        prelude::Pubkey,
        solana_program::{
            instruction::{AccountMeta, Instruction},
            program_pack::Pack,
        },
        Space,
    },
    iotoken::{
        events::EpochEnded,
        math::emission::{epoch_mint, scheduled_emission, EpochMint, EpochMintParams},
        state::{
            EmissionLedger, EmissionParams, EmissionSchedule, EpochRecord, PriceFeed, TokenConfig,
        },
        EmissionRow,
    },
    litesvm::{
        types::{TransactionMetadata, TransactionResult},
        LiteSVM,
    },
    solana_keypair::Keypair,
    solana_signer::Signer,
};

/// The unix time every chain starts at: ten minutes into epoch 0.
pub const NOW: i64 = ORIGIN + 600;

/// The test schedule's rates: epochs 0-47 emit `RATE_A`, epochs 48-95 `RATE_B`, then nothing.
/// Odd figures, so every split rounds.
pub const RATE_A: u64 = 123_456_789_012;
pub const RATE_B: u64 = 98_765_432_109;
pub const RATE_A_EPOCHS: u64 = 48;
pub const RATE_B_EPOCHS: u64 = 48;

/// The test-only distributing program, standing in for the registry: it forwards instructions to
/// iotoken signed by its own `["distributor"]` PDA (`forward_as_pda`), the way the registry draws
/// an epoch's pools.
pub const DISTRIBUTOR_PROGRAM: Pubkey = Pubkey::new_from_array([0xD1; 32]);
/// The same program at another id, so with another `["distributor"]` PDA.
pub const OTHER_DISTRIBUTOR_PROGRAM: Pubkey = Pubkey::new_from_array([0xD2; 32]);

pub fn test_rows() -> Vec<EmissionRow> {
    vec![
        row(ORIGIN, RATE_A),
        row(ORIGIN + RATE_A_EPOCHS as i64 * HOUR, RATE_B),
        row(ORIGIN + (RATE_A_EPOCHS + RATE_B_EPOCHS) as i64 * HOUR, 0),
    ]
}

pub fn row(start_time: i64, emission_per_epoch: u64) -> EmissionRow {
    EmissionRow {
        start_time,
        emission_per_epoch,
    }
}

/// The parameters `end_epoch` derives from the config.
pub fn mint_params(emission: &EmissionParams) -> EpochMintParams {
    EpochMintParams {
        split_bps: emission.split.as_array(),
        crank_tip: emission.crank_tip,
        net_smoothing_epochs: emission.net_smoothing_epochs,
        net_cap_per_epoch: emission.net_cap_per_epoch,
    }
}

/// A chain with the token program loaded and its clock at `NOW`; which stage it reached depends
/// on the constructor. `holder` owns the community allocation (250M IO) after genesis, the
/// authority the other four; `cranker` has an empty IO account, `cranker_io`, for its tips.
pub struct Chain {
    pub svm: LiteSVM,
    pub authority: Keypair,
    pub updater: Keypair,
    pub holder: Keypair,
    pub cranker: Keypair,
    /// The five genesis allocation accounts (community, ecosystem, core, seed, series A).
    pub genesis: [Pubkey; 5],
    pub cranker_io: Pubkey,
}

impl Chain {
    /// The program deployed, nothing initialised.
    pub fn deployed() -> Self {
        let mut svm = programs_svm();
        for program in [DISTRIBUTOR_PROGRAM, OTHER_DISTRIBUTOR_PROGRAM] {
            iogrid_svm::add_native_program(&mut svm, program, |id, accounts, data| {
                forward_as_pda(b"distributor", id, accounts, data)
            });
        }
        let mut chain = Chain {
            svm,
            authority: Keypair::new(),
            updater: Keypair::new(),
            holder: Keypair::new(),
            cranker: Keypair::new(),
            genesis: [Pubkey::default(); 5],
            cranker_io: Pubkey::default(),
        };
        chain.set_time(NOW);
        for key in [
            chain.authority.pubkey(),
            chain.updater.pubkey(),
            chain.holder.pubkey(),
            chain.cranker.pubkey(),
        ] {
            chain.fund(&key);
        }
        chain
    }

    /// Config, mints, schedule, ledger and price feed, with `default_args` and `updater` as the
    /// only price updater.
    pub fn initialized() -> Self {
        let mut chain = Self::deployed();
        let args = default_args(vec![chain.updater.pubkey()]);
        let authority = chain.authority.pubkey();
        succeeded(chain.send_as_authority(ix::initialize(&authority, args)));
        chain
    }

    /// Reward pools created and genesis minted; the schedule not yet written.
    pub fn with_genesis() -> Self {
        let mut chain = Self::initialized();
        chain.create_pools();
        let io_mint = pda::io_mint();
        let holder = chain.holder.pubkey();
        let authority = chain.authority.pubkey();
        let community = chain.create_token_account(&io_mint, &holder);
        let others: Vec<Pubkey> = (0..4)
            .map(|_| chain.create_token_account(&io_mint, &authority))
            .collect();
        chain.genesis = [community, others[0], others[1], others[2], others[3]];
        succeeded(chain.send_as_authority(ix::mint_genesis(&authority, chain.genesis)));
        let cranker = chain.cranker.pubkey();
        chain.cranker_io = chain.create_token_account(&io_mint, &cranker);
        chain
    }

    /// `with_genesis` and the test schedule (`test_rows`) sealed at `NOW`: epoch 0 is the first
    /// `end_epoch` closes.
    pub fn emitting() -> Self {
        let mut chain = Self::with_genesis();
        chain.seal(&test_rows());
        chain
    }

    pub fn create_pools(&mut self) {
        let authority = self.authority.pubkey();
        succeeded(self.send_as_authority(ix::initialize_pools(&authority)));
    }

    /// Appends `rows` in chunks of 40 and seals the schedule.
    pub fn seal(&mut self, rows: &[EmissionRow]) {
        let authority = self.authority.pubkey();
        for chunk in rows.chunks(40) {
            succeeded(self.send_as_authority(ix::append_rows(&authority, chunk.to_vec())));
        }
        succeeded(self.send_as_authority(ix::seal_schedule(&authority)));
    }

    /// Publishes a price signed by the updater.
    pub fn publish(&mut self, price: u64, confidence: u64, publish_time: i64) {
        let updater = self.updater.pubkey();
        let instruction = ix::publish_price(&updater, price, confidence, publish_time);
        let signer = self.updater.insecure_clone();
        succeeded(self.send(instruction, &[&signer]));
    }

    /// Closes `count` epochs from the ledger's next one, cranked by `cranker` with its tips to
    /// `cranker_io`.
    pub fn crank(&mut self, count: u64) -> TransactionMetadata {
        let result = self.try_crank(count);
        succeeded(result)
    }

    pub fn try_crank(&mut self, count: u64) -> TransactionResult {
        let next = self.ledger().next_epoch;
        let cranker = self.cranker.insecure_clone();
        let instruction = ix::end_epoch(
            &cranker.pubkey(),
            &self.cranker_io,
            &pda::epoch_records(next..next + count),
        );
        self.send(instruction, &[&cranker])
    }

    /// What closing the next `count` epochs must mint, from the program's own math over the
    /// chain's current state: `(epoch, mint, supply_after)` in order.
    pub fn expected_mints(&self, count: u64) -> Vec<(u64, EpochMint, u64)> {
        let mut ledger = self.ledger();
        let rows = self.schedule().rows;
        let params = mint_params(&self.config().emission);
        let mut supply = self.io_supply();
        (0..count)
            .map(|_| {
                let epoch = ledger.next_epoch;
                ledger.roll_burns(epoch);
                let rate = scheduled_emission(&rows, epoch).expect("a rate");
                let mint = epoch_mint(
                    rate,
                    ledger.cumulative_scheduled,
                    ledger.net_backlog,
                    supply,
                    &params,
                )
                .expect("an epoch mint");
                ledger.cumulative_scheduled += mint.scheduled;
                ledger.net_backlog -= mint.net;
                ledger.next_epoch += 1;
                supply += mint.total();
                (epoch, mint, supply)
            })
            .collect()
    }

    /// Cranks `count` epochs and checks, to the base unit and the lamport, that the pools, the
    /// tip, the supply, the ledger, the records and the events are exactly `expected_mints`, and
    /// that the cranker paid each record's rent and the fee. Returns the records.
    #[track_caller]
    pub fn crank_checked(&mut self, count: u64) -> Vec<EpochRecord> {
        let expected = self.expected_mints(count);
        let ledger_before = self.ledger();
        let pools_before = self.pool_balances();
        let tip_before = self.token_balance(&self.cranker_io);
        let supply_before = self.io_supply();
        let lamports_before = self.balance(&self.cranker.pubkey());
        let record_rent = self.rent(8 + EpochRecord::INIT_SPACE);

        let meta = self.crank(count);

        let mut pools = [0u64; 4];
        let mut tip = 0;
        for (_, mint, _) in &expected {
            for (total, amount) in pools.iter_mut().zip(mint.pools) {
                *total += amount;
            }
            tip += mint.crank_tip;
        }
        let pools_after = self.pool_balances();
        for index in 0..4 {
            assert_eq!(
                pools_after[index] - pools_before[index],
                pools[index],
                "pool {index}"
            );
        }
        assert_eq!(self.token_balance(&self.cranker_io) - tip_before, tip);
        let minted: u64 = expected.iter().map(|(_, mint, _)| mint.total()).sum();
        assert_eq!(self.io_supply(), supply_before + minted);
        assert_eq!(pools.iter().sum::<u64>() + tip, minted, "every unit lands");

        let ledger = self.ledger();
        let scheduled: u64 = expected.iter().map(|(_, mint, _)| mint.scheduled).sum();
        let net: u64 = expected.iter().map(|(_, mint, _)| mint.net).sum();
        assert_eq!(ledger.next_epoch, ledger_before.next_epoch + count);
        assert_eq!(
            ledger.cumulative_scheduled,
            ledger_before.cumulative_scheduled + scheduled
        );
        assert_eq!(ledger.cumulative_net, ledger_before.cumulative_net + net);

        let now = self.now();
        let cranker = self.cranker.pubkey();
        let events: Vec<EpochEnded> = events(&meta);
        assert_eq!(events.len() as u64, count);
        let mut records = Vec::new();
        for ((epoch, mint, supply_after), event) in expected.iter().zip(events) {
            let (key, bump) =
                Pubkey::find_program_address(&[b"epoch", &epoch.to_le_bytes()], &iotoken::ID);
            let record: EpochRecord = self.program_account(&iotoken::ID, &key);
            assert_eq!(record.epoch, *epoch);
            assert_eq!(record.start_time, ORIGIN + *epoch as i64 * HOUR);
            assert_eq!(record.end_time, record.start_time + HOUR);
            assert!(record.end_time <= now, "only ended epochs close");
            assert_eq!(record.scheduled_emission, mint.scheduled);
            assert_eq!(record.net_emission, mint.net);
            assert_eq!(record.pools, mint.pools);
            assert_eq!(record.crank_tip, mint.crank_tip);
            assert_eq!(record.cranked_by, cranker);
            assert_eq!(record.cranked_at, now);
            assert_eq!(record.supply_after, *supply_after);
            assert_eq!(record.bump, bump);
            assert_eq!(record.drawn, [false; 4], "no pool drawn yet");
            assert_eq!(self.account(&key).data.len(), 8 + EpochRecord::INIT_SPACE);

            assert_eq!(event.epoch, *epoch);
            assert_eq!(event.scheduled_emission, mint.scheduled);
            assert_eq!(event.net_emission, mint.net);
            assert_eq!(event.pools, mint.pools);
            assert_eq!(event.crank_tip, mint.crank_tip);
            assert_eq!(event.cranked_by, cranker);
            assert_eq!(event.supply_after, *supply_after);
            records.push(record);
        }
        assert_eq!(
            lamports_before - self.balance(&cranker),
            count * record_rent + FEE_PER_SIGNATURE,
            "the cranker pays each record's rent and the fee"
        );
        self.assert_iosd_only_from_burn_mint();
        records
    }

    /// Sends `instruction` signed and paid for by the config authority.
    pub fn send_as_authority(&mut self, instruction: Instruction) -> TransactionResult {
        let authority = self.authority.insecure_clone();
        self.send(instruction, &[&authority])
    }

    pub fn config(&self) -> TokenConfig {
        self.program_account(&iotoken::ID, &pda::config())
    }

    pub fn schedule(&self) -> EmissionSchedule {
        self.program_account(&iotoken::ID, &pda::schedule())
    }

    pub fn ledger(&self) -> EmissionLedger {
        self.program_account(&iotoken::ID, &pda::ledger())
    }

    pub fn price_feed(&self) -> PriceFeed {
        self.program_account(&iotoken::ID, &pda::price_feed())
    }

    /// The price `mint_iosd` and the market's IO payments would use now, or the name of the
    /// error that refuses it.
    pub fn usable(&self) -> Result<u64, String> {
        self.price_feed()
            .usable_price(&self.config().oracle, self.now())
            .map_err(|error| match error {
                anchor_lang::error::Error::AnchorError(error) => error.error_name,
                other => other.to_string(),
            })
    }

    pub fn epoch_record(&self, epoch: u64) -> EpochRecord {
        self.program_account(&iotoken::ID, &pda::epoch(epoch))
    }

    // SPL Token accounts.

    pub fn mint(&self, key: &Pubkey) -> spl_token::state::Mint {
        let account = self.account(key);
        assert_eq!(account.owner, spl_token::ID, "{key} is owned by SPL Token");
        spl_token::state::Mint::unpack(&account.data).expect("an SPL Token mint")
    }

    pub fn io_supply(&self) -> u64 {
        self.mint(&pda::io_mint()).supply
    }

    pub fn iosd_supply(&self) -> u64 {
        self.mint(&pda::iosd_mint()).supply
    }

    /// A mint of `decimals` whose authority is the test authority (not the program's).
    pub fn create_foreign_mint(&mut self, decimals: u8) -> Pubkey {
        put_mint(&mut self.svm, &self.authority.pubkey(), decimals)
    }

    /// An empty token account of `mint` owned by `owner` (empty, so no supply is created).
    pub fn create_token_account(&mut self, mint: &Pubkey, owner: &Pubkey) -> Pubkey {
        put_token_account(&mut self.svm, mint, owner, 0)
    }

    /// The four reward pools' balances: availability, compute, stakers, keepers.
    pub fn pool_balances(&self) -> [u64; 4] {
        [0u8, 1, 2, 3].map(|index| self.token_balance(&pda::pool(index)))
    }

    /// Moves `amount` IO from the community allocation (the holder's) to `destination`.
    pub fn give_io(&mut self, destination: &Pubkey, amount: u64) {
        let holder = self.holder.insecure_clone();
        let instruction = spl_token::instruction::transfer(
            &spl_token::ID,
            &self.genesis[0],
            destination,
            &holder.pubkey(),
            &[],
            amount,
        )
        .expect("a transfer instruction");
        succeeded(self.send(instruction, &[&holder]));
    }

    /// A funded user with an IO account holding `io` (taken from the community allocation) and an
    /// empty IOSD account: `(user, io_account, iosd_account)`.
    pub fn iosd_user(&mut self, io: u64) -> (Keypair, Pubkey, Pubkey) {
        let user = self.funded_keypair();
        let io_account = self.create_token_account(&pda::io_mint(), &user.pubkey());
        let iosd_account = self.create_token_account(&pda::iosd_mint(), &user.pubkey());
        if io > 0 {
            self.give_io(&io_account, io);
        }
        (user, io_account, iosd_account)
    }

    /// IOSD exists only as `mint_iosd` minted it: the supply equals the ledger's running total.
    #[track_caller]
    pub fn assert_iosd_only_from_burn_mint(&self) {
        assert_eq!(
            self.iosd_supply(),
            self.ledger().total_iosd_minted,
            "the IOSD supply is exactly what mint_iosd minted"
        );
    }
}

/// iotoken's program-derived addresses (shared with the other suites), and the distributing
/// programs' signer.
pub mod pda {
    pub use iogrid_program_tests::pda::iotoken::*;

    use super::*;

    /// The `["distributor"]` PDA of a distributing program, derived under that program's id.
    pub fn distributor(program: &Pubkey) -> Pubkey {
        Pubkey::find_program_address(&[b"distributor"], program).0
    }
}

/// Token program instructions: the ones other suites send too (shared), and the ones only these
/// tests send, built with Anchor's generated client types.
pub mod ix {
    pub use iogrid_program_tests::ix::iotoken::*;

    use {
        super::*,
        iotoken::{accounts, instruction},
    };

    pub fn lower_row(authority: &Pubkey, index: u32, emission_per_epoch: u64) -> Instruction {
        iotoken_ix(
            instruction::LowerScheduleRow {
                index,
                emission_per_epoch,
            },
            change_schedule(authority),
        )
    }

    pub fn mint_iosd(
        user: &Pubkey,
        io_source: &Pubkey,
        iosd_destination: &Pubkey,
        io_amount: u64,
        min_iosd_out: u64,
    ) -> Instruction {
        iotoken_ix(
            instruction::MintIosd {
                io_amount,
                min_iosd_out,
            },
            accounts::MintIosd {
                user: *user,
                config: pda::config(),
                schedule: pda::schedule(),
                ledger: pda::ledger(),
                price_feed: pda::price_feed(),
                io_mint: pda::io_mint(),
                iosd_mint: pda::iosd_mint(),
                io_source: *io_source,
                iosd_destination: *iosd_destination,
                token_program: spl_token::ID,
            },
        )
    }

    /// `draw_epoch_pool` signed directly by `distributor` (a key or, inside a CPI, a PDA), from
    /// the vault of `vault_pool` (normally `pool` itself).
    pub fn draw_epoch_pool(
        distributor: &Pubkey,
        pool: u8,
        vault_pool: u8,
        epoch: u64,
        destination: &Pubkey,
    ) -> Instruction {
        iotoken_ix(
            instruction::DrawEpochPool { pool },
            accounts::DrawEpochPool {
                distributor: *distributor,
                config: pda::config(),
                epoch_record: pda::epoch(epoch),
                pool_vault: pda::pool(vault_pool),
                destination: *destination,
                token_program: spl_token::ID,
            },
        )
    }

    /// The test distributing program at `program` forwarding a `draw_epoch_pool` to iotoken,
    /// signed by its `["distributor"]` PDA.
    pub fn draw_through(
        program: &Pubkey,
        pool: u8,
        epoch: u64,
        destination: &Pubkey,
    ) -> Instruction {
        let distributor = pda::distributor(program);
        let mut instruction = draw_epoch_pool(&distributor, pool, pool, epoch, destination);
        instruction.accounts[0].is_signer = false;
        instruction
            .accounts
            .push(AccountMeta::new_readonly(iotoken::ID, false));
        instruction.program_id = *program;
        instruction
    }

    pub fn buyback_burn(caller: &Pubkey) -> Instruction {
        let io_mint = pda::io_mint();
        iotoken_ix(
            instruction::BuybackBurn {},
            accounts::BuybackBurn {
                caller: *caller,
                config: pda::config(),
                ledger: pda::ledger(),
                io_mint,
                treasury_io: pda::treasury(&io_mint),
                token_program: spl_token::ID,
            },
        )
    }
}

iogrid_program_tests::test_chain!(Chain);
