//! Randomized multi-actor runs: hundreds of seeded sequences of what every actor may do —
//! renters creating, booking, extending, cancelling, claiming refunds and closing; agents
//! starting; keepers attesting, reporting, settling and claiming tips; owners claiming rewards;
//! co-stakers staking; the price updater; cranks closing epochs; donors sending stray tokens into
//! vaults — across epochs and time jumps. After every step the run checks what users depend on:
//! - IO supply equals genesis + emitted + re-emitted - burned, and stays within 800M;
//! - every vault holds at least what its program owes: each reservation's escrow and refunds,
//!   the registry's device rewards and keeper tips of closed epochs, each pool's stake and
//!   undistributed rewards;
//! - no booking is settled twice and no reward or tip is claimed twice (or beyond what was drawn);
//! - no device is locked to a reservation without an open booking of it.
//!
//! An action may be refused, by a program error only (any other failure stops the run). A failing
//! run prints its seed: `IOGRID_INVARIANT_SEED=<seed> cargo test -p iogrid-program-tests --test
//! market invariants -- --nocapture` replays it alone; `IOGRID_INVARIANT_SEEDS=<n>` sets how many
//! seeds a run takes (200 by default).

use {
    crate::{availability::Availability, common::*},
    anchor_lang::{
        prelude::Pubkey,
        solana_program::{instruction::InstructionError, program_pack::Pack},
    },
    iogrid_program_tests::{ix as lib_ix, pda, put_token_account},
    iotoken::{
        math::{GENESIS_SUPPLY, IO, IO_SUPPLY_CAP},
        state::EmissionLedger,
    },
    litesvm::types::TransactionResult,
    market::{
        events::BookingSettled,
        state::{PaymentToken, Reservation},
    },
    registry::{
        events::{AvailabilityRewardsClaimed, KeeperTipsClaimed},
        state::{pro_rata, AvailabilityEpoch, Earnings, EpochShare},
    },
    solana_keypair::Keypair,
    solana_signer::Signer,
    solana_transaction_error::TransactionError,
    std::collections::{BTreeMap, BTreeSet},
};

/// Steps of one seeded sequence.
const STEPS: usize = 60;
const TOKENS: [PaymentToken; 3] = [PaymentToken::Iosd, PaymentToken::Io, PaymentToken::Usdc];

/// splitmix64: a small, seedable generator of our own, so a seed replays exactly.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Action {
    Book,
    Start,
    Extend,
    Settle,
    ClaimRefund,
    Close,
    Cancel,
    Donate,
    Attest,
    Report,
    Advance,
    Crank,
    ClaimRewards,
    ClaimTips,
    CoStake,
    Price,
}

const ACTIONS: [Action; 16] = [
    Action::Book,
    Action::Start,
    Action::Extend,
    Action::Settle,
    Action::ClaimRefund,
    Action::Close,
    Action::Cancel,
    Action::Donate,
    Action::Attest,
    Action::Report,
    Action::Advance,
    Action::Crank,
    Action::ClaimRewards,
    Action::ClaimTips,
    Action::CoStake,
    Action::Price,
];

/// A reservation the run opened: its renter, the devices booked in it and not settled yet.
struct Live {
    res: Res,
    renter: usize,
    booked: Vec<usize>,
    closed: bool,
}

struct World {
    chain: Chain,
    rng: Rng,
    devices: Vec<MarketDevice>,
    renters: Vec<Renter>,
    keepers: Vec<TestKeeper>,
    /// A settling keeper and its tip account, per payment token.
    settlers: Vec<(Keypair, Pubkey)>,
    /// Holds every payment token and IO, to send into vaults.
    donor: Keypair,
    donor_accounts: Vec<Pubkey>,
    reservations: Vec<Live>,
    /// Bookings settled, by address.
    settled: BTreeSet<Pubkey>,
    /// What each device's owner and each keeper claimed, by the claims' events.
    rewards_claimed: BTreeMap<Pubkey, u64>,
    tips_claimed: BTreeMap<Pubkey, u64>,
}

/// Which actions landed and which a program refused, over all seeds.
type Tally = BTreeMap<Action, (u32, u32)>;

impl World {
    fn new(seed: u64) -> Self {
        let mut chain = Chain::new();
        let devices = (0..4).map(|n| chain.device(n % 2 == 0)).collect();
        let renters = (0..3).map(|_| chain.renter()).collect();
        let keepers = (0..4).map(|_| chain.keeper()).collect();
        let settlers = TOKENS.iter().map(|token| chain.settler(*token)).collect();
        let donor = chain.funded_keypair();
        let donor_accounts = TOKENS
            .iter()
            .map(|token| {
                let mint = chain.mint(*token);
                put_token_account(&mut chain.grid.svm, &mint, &donor.pubkey(), WALLET)
            })
            .collect();
        World {
            chain,
            rng: Rng(seed),
            devices,
            renters,
            keepers,
            settlers,
            donor,
            donor_accounts,
            reservations: Vec::new(),
            settled: BTreeSet::new(),
            rewards_claimed: BTreeMap::new(),
            tips_claimed: BTreeMap::new(),
        }
    }

    /// A reservation not closed yet, if any.
    fn live(&mut self) -> Option<usize> {
        let open: Vec<usize> = (0..self.reservations.len())
            .filter(|n| !self.reservations[*n].closed)
            .collect();
        (!open.is_empty()).then(|| open[self.rng.below(open.len())])
    }

    /// Runs `action`; returns whether it landed (a refusal by a program error is `false`).
    fn step(&mut self, action: Action) -> bool {
        match action {
            Action::Book => self.book(),
            Action::Start => self.start(),
            Action::Extend => self.extend(),
            Action::Settle => self.settle(),
            Action::ClaimRefund => self.claim_refund(),
            Action::Close => self.close(),
            Action::Cancel => self.cancel(),
            Action::Donate => self.donate(),
            Action::Attest => {
                let (keeper, device) = (
                    self.rng.below(self.keepers.len()),
                    self.rng.below(self.devices.len()),
                );
                let result = self.chain.grid.attest(
                    &self.keepers[keeper],
                    &[&self.devices[device].device],
                    &[],
                );
                landed(result)
            }
            Action::Report => {
                let (keeper, device) = (
                    self.rng.below(self.keepers.len()),
                    self.rng.below(self.devices.len()),
                );
                let result = self
                    .chain
                    .report_failure(&self.keepers[keeper], &self.devices[device].device);
                landed(result)
            }
            Action::Advance => {
                let secs = self.rng.between(1, 5_400);
                let slot = self.chain.slot() + secs * 5 / 2;
                self.chain.advance(secs as i64);
                self.chain.set_slot(slot);
                true
            }
            Action::Crank => self.crank(),
            Action::ClaimRewards => self.claim_rewards(),
            Action::ClaimTips => self.claim_tips(),
            Action::CoStake => self.co_stake(),
            Action::Price => {
                let updater = self.chain.price_updater.insecure_clone();
                let now = self.chain.now();
                let publish =
                    lib_ix::iotoken::publish_price(&updater.pubkey(), IO_PRICE, IO_CONFIDENCE, now);
                landed(self.chain.send(publish, &[&updater]))
            }
        }
    }

    fn book(&mut self) -> bool {
        let renter = self.rng.below(self.renters.len());
        let token = TOKENS[self.rng.below(3)];
        let hours = self.rng.between(1, 3) as u32;
        let (res, result) = self
            .chain
            .try_create(&self.renters[renter], token, hours, workload());
        if !landed(result) {
            return false;
        }
        let free: Vec<usize> = (0..self.devices.len())
            .filter(|n| {
                let device = self.chain.device_account(&self.devices[*n]);
                device.reservation == Pubkey::default()
            })
            .collect();
        let mut booked = Vec::new();
        let mut landed_booking = false;
        if !free.is_empty() {
            let count = 1 + self.rng.below(free.len().min(2));
            let first = self.rng.below(free.len());
            booked = (0..count).map(|n| free[(first + n) % free.len()]).collect();
            let devices: Vec<&MarketDevice> = booked.iter().map(|n| &self.devices[*n]).collect();
            landed_booking =
                landed(
                    self.chain
                        .book(&self.renters[renter], &res, &devices, u64::MAX),
                );
            if !landed_booking {
                booked.clear();
            }
        }
        self.reservations.push(Live {
            res,
            renter,
            booked,
            closed: false,
        });
        landed_booking
    }

    fn start(&mut self) -> bool {
        let Some(n) = self.live() else { return false };
        let live = &self.reservations[n];
        if live.booked.is_empty() {
            return false;
        }
        let device = live.booked[self.rng.below(live.booked.len())];
        let result = self
            .chain
            .ack(&self.reservations[n].res, &self.devices[device]);
        landed(result)
    }

    fn extend(&mut self) -> bool {
        let Some(n) = self.live() else { return false };
        let live = &self.reservations[n];
        if live.booked.is_empty() {
            return false;
        }
        let devices: Vec<&MarketDevice> = live.booked.iter().map(|d| &self.devices[*d]).collect();
        let result =
            self.chain
                .extend(&self.renters[live.renter], &live.res, &devices, 1, u64::MAX);
        landed(result)
    }

    fn settle(&mut self) -> bool {
        let Some(n) = self.live() else { return false };
        let live = &self.reservations[n];
        // Sometimes a booking already settled: refused, never paid twice.
        let mut devices: Vec<usize> = live.booked.clone();
        if devices.is_empty() {
            return false;
        }
        devices.truncate(1 + self.rng.below(devices.len()));
        let token_index = TOKENS
            .iter()
            .position(|token| *token == live.res.token)
            .expect("a payment token");
        let (settler, tips) = &self.settlers[token_index];
        let refs: Vec<&MarketDevice> = devices.iter().map(|d| &self.devices[*d]).collect();
        let settler = settler.insecure_clone();
        let tips = *tips;
        let result = self.chain.settle(&settler, &tips, &live.res, &refs);
        let Some(meta) = landed_meta(result) else {
            return false;
        };
        for event in events_of::<BookingSettled>(&meta) {
            assert!(
                self.settled.insert(event.booking),
                "booking {} settled twice",
                event.booking
            );
        }
        let live = &mut self.reservations[n];
        live.booked.retain(|d| !devices.contains(d));
        true
    }

    fn claim_refund(&mut self) -> bool {
        let Some(n) = self.live() else { return false };
        let live = &self.reservations[n];
        let result = self
            .chain
            .claim(&self.renters[live.renter], &live.res, &live.res.wallet);
        landed(result)
    }

    fn close(&mut self) -> bool {
        let Some(n) = self.live() else { return false };
        let live = &self.reservations[n];
        let result = self.chain.close(&self.renters[live.renter], &live.res);
        let closed = landed(result);
        self.reservations[n].closed = closed;
        closed
    }

    fn cancel(&mut self) -> bool {
        let Some(n) = self.live() else { return false };
        let live = &self.reservations[n];
        landed(self.chain.cancel(&self.renters[live.renter], &live.res))
    }

    /// A stray transfer into a reservation's vault, the registry's reward vaults or a pool's.
    fn donate(&mut self) -> bool {
        let amount = self.rng.between(1, 1_000_000);
        let io = self.donor_accounts[1];
        let (source, destination) = match self.rng.below(3) {
            0 => {
                let Some(n) = self.live() else { return false };
                let res = &self.reservations[n].res;
                let token_index = TOKENS.iter().position(|t| *t == res.token).expect("token");
                (self.donor_accounts[token_index], res.vault())
            }
            1 => {
                let vaults = [
                    pda::registry::availability_vault(),
                    pda::registry::keeper_tips_vault(),
                ];
                (io, vaults[self.rng.below(2)])
            }
            _ => {
                let device = self.rng.below(self.devices.len());
                (io, self.devices[device].stake_vault())
            }
        };
        let transfer = spl_token::instruction::transfer(
            &spl_token::ID,
            &source,
            &destination,
            &self.donor.pubkey(),
            &[],
            amount,
        )
        .expect("a transfer instruction");
        let donor = self.donor.insecure_clone();
        succeeded(self.chain.send(transfer, &[&donor]));
        true
    }

    /// iotoken closes every ended epoch, then the registry each ended epoch's record.
    fn crank(&mut self) -> bool {
        self.chain.end_iotoken_epochs();
        let mut closed_any = false;
        for epoch in 0..self.chain.epoch() {
            let key = pda::registry::availability_epoch(epoch);
            if self.chain.exists(&key) && !self.chain.availability_epoch(epoch).closed {
                succeeded(self.chain.grid.close_epoch(epoch));
                closed_any = true;
            }
        }
        closed_any
    }

    /// The closed records among the epochs `earnings` has unsettled.
    fn closed_of(&self, earnings: &Earnings) -> Vec<u64> {
        let closed = self.closed_records();
        earnings
            .unsettled
            .iter()
            .filter(|entry| entry.weight > 0 && closed.contains_key(&entry.epoch))
            .map(|entry| entry.epoch)
            .collect()
    }

    /// Every closed availability record up to the running epoch, read once.
    fn closed_records(&self) -> BTreeMap<u64, AvailabilityEpoch> {
        (0..=self.chain.epoch())
            .filter(|epoch| {
                self.chain
                    .exists(&pda::registry::availability_epoch(*epoch))
            })
            .map(|epoch| (epoch, self.chain.availability_epoch(epoch)))
            .filter(|(_, record)| record.closed)
            .collect()
    }

    fn claim_rewards(&mut self) -> bool {
        let device = self.rng.below(self.devices.len());
        let earnings = self
            .chain
            .device_account(&self.devices[device])
            .availability
            .earnings;
        let closed = self.closed_of(&earnings);
        let result = self.chain.grid.claim(&self.devices[device].device, &closed);
        let Some(meta) = landed_meta(result) else {
            return false;
        };
        let event: AvailabilityRewardsClaimed = only_event_of(&meta);
        *self
            .rewards_claimed
            .entry(self.devices[device].key())
            .or_default() += event.to_owner + event.to_stakers;
        true
    }

    fn claim_tips(&mut self) -> bool {
        let keeper = self.rng.below(self.keepers.len());
        let earnings = self
            .chain
            .keeper_state(&self.keepers[keeper])
            .activity
            .earnings;
        let closed = self.closed_of(&earnings);
        let result = self.chain.grid.claim_tips(&self.keepers[keeper], &closed);
        let Some(meta) = landed_meta(result) else {
            return false;
        };
        let event: KeeperTipsClaimed = only_event_of(&meta);
        *self
            .tips_claimed
            .entry(self.keepers[keeper].key)
            .or_default() += event.amount;
        true
    }

    fn co_stake(&mut self) -> bool {
        let device = self.rng.below(self.devices.len());
        let amount = self.rng.between(1, 500) * IO;
        let staker = self.chain.funded_keypair();
        let io = self.chain.io_account(&staker.pubkey(), amount);
        let pool = self.devices[device].pool();
        let open = lib_ix::staking::open_position(&staker.pubkey(), &pool);
        if !landed(self.chain.send(open, &[&staker])) {
            return false;
        }
        let stake = lib_ix::staking::stake(&staker.pubkey(), &pool, &io, amount);
        landed(self.chain.send(stake, &[&staker]))
    }

    /// Every invariant, after a step.
    fn check(&self) {
        let chain = &self.chain;

        // IO supply.
        let ledger: EmissionLedger = chain.program_account(&iotoken::ID, &pda::iotoken::ledger());
        let io_mint = spl_token::state::Mint::unpack(&chain.account(&pda::iotoken::io_mint()).data)
            .expect("the IO mint");
        let expected = GENESIS_SUPPLY + ledger.cumulative_scheduled + ledger.cumulative_net
            - ledger.total_io_burned
            - ledger.total_buyback_burned;
        assert_eq!(io_mint.supply, expected, "IO supply");
        assert!(io_mint.supply <= IO_SUPPLY_CAP, "IO supply within 800M");

        // Reservations: each vault holds what its ledger says it must, at least.
        for live in self.reservations.iter().filter(|live| !live.closed) {
            let reservation: Reservation = chain.program_account(&market::ID, &live.res.key);
            let ledger = reservation.ledger;
            let expected = ledger
                .expected_vault()
                .unwrap_or_else(|| panic!("{} ledger is consistent: {ledger:?}", live.res.key));
            let owed = ledger.owed().expect("owed");
            let vault = chain.token_balance(&live.res.vault());
            assert!(
                vault >= expected && vault >= owed,
                "{} vault {vault} < {expected}",
                live.res.key
            );
        }

        // The registry's vaults: the device rewards and keeper tips of closed epochs.
        let closed = self.closed_records();
        let owed_of = |earnings: &Earnings, share: EpochShare| -> u64 {
            let unsettled: u64 = earnings
                .unsettled
                .iter()
                .filter(|entry| entry.weight > 0)
                .filter_map(|entry| {
                    let record = closed.get(&entry.epoch)?;
                    let (pot, total) = record.share(share);
                    Some(pro_rata(pot, entry.weight, total).expect("a share"))
                })
                .sum();
            earnings.accrued + unsettled
        };
        let (availability_vault, tips_vault) = chain.vaults();
        let devices_owed: u64 = self
            .devices
            .iter()
            .map(|device| {
                owed_of(
                    &chain.device_account(device).availability.earnings,
                    EpochShare::Devices,
                )
            })
            .sum();
        assert!(
            availability_vault >= devices_owed,
            "availability vault {availability_vault} < {devices_owed}"
        );
        let tips_owed: u64 = self
            .keepers
            .iter()
            .map(|keeper| {
                owed_of(
                    &chain.keeper_state(keeper).activity.earnings,
                    EpochShare::Keepers,
                )
            })
            .sum();
        assert!(
            tips_vault >= tips_owed,
            "tips vault {tips_vault} < {tips_owed}"
        );

        // Claims: each equal to what the events paid, never beyond what closed epochs drew.
        let mut drawn = (0u64, 0u64);
        for record in closed.values() {
            drawn.0 += record.device_rewards;
            drawn.1 += record.keeper_rewards;
        }
        let mut claimed = (0u64, 0u64);
        for device in &self.devices {
            let on_chain = chain.device_account(device).availability.earnings.claimed;
            assert_eq!(
                on_chain,
                self.rewards_claimed
                    .get(&device.key())
                    .copied()
                    .unwrap_or(0)
            );
            claimed.0 += on_chain;
        }
        for keeper in &self.keepers {
            let on_chain = chain.keeper_state(keeper).activity.earnings.claimed;
            assert_eq!(
                on_chain,
                self.tips_claimed.get(&keeper.key).copied().unwrap_or(0)
            );
            claimed.1 += on_chain;
        }
        assert!(
            claimed.0 <= drawn.0 && claimed.1 <= drawn.1,
            "claimed {claimed:?} of {drawn:?}"
        );

        // Staking pools: stake and undistributed rewards are in the vault.
        for device in &self.devices {
            let pool = chain.pool_state(device);
            let owed = pool.operator_stake
                + pool.operator_cooling
                + pool.costake_total
                + (pool.rewards_deposited - pool.rewards_claimed);
            let vault = chain.token_balance(&device.stake_vault());
            assert!(
                vault >= owed,
                "pool of {} holds {vault} < {owed}",
                device.key()
            );
        }

        // Locks: a locked device has an open booking in a reservation that exists.
        for device in &self.devices {
            let reservation = chain.device_account(device).reservation;
            if reservation != Pubkey::default() {
                assert!(
                    chain.exists(&reservation),
                    "{} locked to a missing reservation",
                    device.key()
                );
                let booking = pda::market::booking(&reservation, &device.key());
                assert!(
                    chain.exists(&booking),
                    "{} locked without an open booking",
                    device.key()
                );
            }
        }
    }
}

/// Whether the transaction landed; a refusal must be a program's error.
#[track_caller]
fn landed(result: TransactionResult) -> bool {
    landed_meta(result).is_some()
}

#[track_caller]
fn landed_meta(result: TransactionResult) -> Option<litesvm::types::TransactionMetadata> {
    match result {
        Ok(meta) => Some(meta),
        Err(failed) => match failed.err {
            TransactionError::InstructionError(_, InstructionError::Custom(_)) => None,
            other => panic!(
                "refused by other than a program error: {other:?}; logs: {:#?}",
                failed.meta.logs
            ),
        },
    }
}

fn run(seed: u64, tally: &mut Tally) {
    let mut world = World::new(seed);
    world.check();
    for _ in 0..STEPS {
        let action = ACTIONS[world.rng.below(ACTIONS.len())];
        let outcome = world.step(action);
        let entry = tally.entry(action).or_default();
        if outcome {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
        world.check();
    }
}

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|value| {
        value
            .parse()
            .unwrap_or_else(|_| panic!("{name} takes a number"))
    })
}

#[test]
fn invariants_hold_through_hundreds_of_random_multi_actor_sequences() {
    let seeds: Vec<u64> = match env_number("IOGRID_INVARIANT_SEED") {
        Some(seed) => vec![seed],
        None => (0..env_number("IOGRID_INVARIANT_SEEDS").unwrap_or(200)).collect(),
    };
    let mut tally = Tally::new();
    for seed in &seeds {
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(*seed, &mut tally)));
        if let Err(panic) = outcome {
            eprintln!(
                "invariant run failed at seed {seed}; replay it with IOGRID_INVARIANT_SEED={seed} \
                 cargo test -p iogrid-program-tests --test market invariants -- --nocapture"
            );
            std::panic::resume_unwind(panic);
        }
    }
    println!(
        "{} seeds x {STEPS} steps: landed / refused by action",
        seeds.len()
    );
    for (action, (landed, refused)) in &tally {
        println!("  {action:?}: {landed} / {refused}");
    }
    // A run that never lands an action checks nothing about it.
    if seeds.len() >= 100 {
        for action in ACTIONS {
            let (landed, _) = tally.get(&action).copied().unwrap_or_default();
            assert!(landed > 0, "{action:?} never landed");
        }
    }
}
