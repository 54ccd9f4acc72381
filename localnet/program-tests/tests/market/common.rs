//! Harness shared by the market tests: the library's `Grid` (iotoken, the registry with its
//! rewards and epochs, staking) with the market initialised on top: the registry trusts the
//! market's lock, staking lists it as a slasher, iotoken has treasury accounts for IOSD, IO and a
//! test USDC mint, and its IO price is published. Devices are H100 x 8 rigs at an odd price,
//! self-staked above their minimum, some co-staked.
//!
//! The expected amounts (`expect`) are computed here from the market's rules as written in its
//! design, not with the program's own math; `Books` holds the balances and the reservation ledger
//! a test expects and checks them, with the vault invariant, after every step.

pub use iogrid_program_tests::{
    assert_fails, events_of,
    grid::*,
    ix::market::Settlement,
    only_event_of,
    setup::{FEE_PER_SIGNATURE, HOUR, ORIGIN},
    succeeded, TestChain,
};

use {
    anchor_lang::prelude::Pubkey,
    iogrid_program_tests::{
        iotoken_defaults::default_fees,
        ix::{self as lib_ix, market::Settled},
        pda, put_associated_token_account, put_mint, put_token_account,
    },
    iotoken::math::IO,
    litesvm::types::TransactionResult,
    market::{
        state::{
            Booking, BookingCharges, PaymentToken, Reservation, ReservationLedger, WorkloadKind,
            WorkloadSpec,
        },
        InitializeArgs,
    },
    registry::{state::Device, UpdateConfigArgs},
    solana_keypair::Keypair,
    solana_signer::Signer,
    staking::state::ParameterChange,
    std::{
        collections::BTreeMap,
        ops::{Deref, DerefMut},
    },
};

/// Instructions of the market (and the few others these tests send).
pub mod ix {
    pub use iogrid_program_tests::ix::{
        market::*,
        registry::{deregister_device, pause_device},
    };
}

/// Seconds an agent has to acknowledge the start.
pub const ACK_GRACE: i64 = 600;
pub const MAX_HOURS: u32 = 720;
/// The IO price published (USD per IO, 8 decimals) and its confidence: the market converts at
/// `price - 2 x confidence` (the EMA equals the first price).
pub const IO_PRICE: u64 = 41_234_567;
pub const IO_CONFIDENCE: u64 = 123_457;
pub const CONSERVATIVE_PRICE: u64 = IO_PRICE - 2 * IO_CONFIDENCE;
/// What the test devices ask per GPU-hour (IOSD base units): odd, so every fee rounds.
pub const PRICE_PER_GPU_HOUR: u64 = 2_345_679;
pub const GPUS: u16 = 8;
pub const PRICE_PER_HOUR: u64 = PRICE_PER_GPU_HOUR * GPUS as u64;
/// What a co-staker stakes in a co-staked device's pool.
pub const CO_STAKE: u64 = 1_000 * IO;
/// What each renter's wallet holds in each payment mint.
pub const WALLET: u64 = 1_000_000_000_000;

/// A market device: the grid's device and its owner's accounts in each payment mint.
pub struct MarketDevice {
    pub device: TestDevice,
    pub self_stake: u64,
    pub co_stake: u64,
    payees: [Pubkey; 3],
}

impl MarketDevice {
    pub fn key(&self) -> Pubkey {
        self.device.key
    }

    pub fn pool(&self) -> Pubkey {
        self.device.pool()
    }

    pub fn stake_vault(&self) -> Pubkey {
        pda::staking::vault(&self.pool())
    }

    pub fn pair(&self) -> (Pubkey, Pubkey) {
        (self.key(), self.pool())
    }

    /// The owner's account in `token`.
    pub fn payee(&self, token: PaymentToken) -> Pubkey {
        self.payees[token_index(token)]
    }

    pub fn settlement(&self, token: PaymentToken) -> Settlement {
        Settlement {
            device: self.key(),
            payee: self.payee(token),
            pool: self.pool(),
        }
    }

    pub fn total_stake(&self) -> u64 {
        self.self_stake + self.co_stake
    }
}

fn token_index(token: PaymentToken) -> usize {
    match token {
        PaymentToken::Iosd => 0,
        PaymentToken::Io => 1,
        PaymentToken::Usdc => 2,
    }
}

/// A renter and its wallets in each payment mint.
pub struct Renter {
    pub keypair: Keypair,
    wallets: [Pubkey; 3],
}

impl Renter {
    pub fn key(&self) -> Pubkey {
        self.keypair.pubkey()
    }

    pub fn wallet(&self, token: PaymentToken) -> Pubkey {
        self.wallets[token_index(token)]
    }
}

/// A reservation a test opened: its renter's key, id, token and wallet (payer, and where its
/// refunds are claimed to).
#[derive(Clone, Copy, Debug)]
pub struct Res {
    pub renter: Pubkey,
    pub id: u64,
    pub key: Pubkey,
    pub token: PaymentToken,
    pub mint: Pubkey,
    pub wallet: Pubkey,
}

impl Res {
    pub fn vault(&self) -> Pubkey {
        pda::market::vault(&self.key)
    }

    pub fn booking(&self, device: &MarketDevice) -> Pubkey {
        pda::market::booking(&self.key, &device.key())
    }

    pub fn settled(&self) -> Settled {
        Settled {
            renter: self.renter,
            id: self.id,
            payment_mint: self.mint,
        }
    }
}

/// The grid with the market set up on it.
pub struct Chain {
    pub grid: Grid,
    pub usdc_mint: Pubkey,
    reservations: u64,
}

impl Deref for Chain {
    type Target = Grid;

    fn deref(&self) -> &Grid {
        &self.grid
    }
}

impl DerefMut for Chain {
    fn deref_mut(&mut self) -> &mut Grid {
        &mut self.grid
    }
}

iogrid_program_tests::test_chain!(Chain);

impl Chain {
    pub fn new() -> Self {
        let mut chain = Self::uninitialized();
        let authority = chain.authority.pubkey();
        let initialize = lib_ix::market::initialize(
            &authority,
            InitializeArgs {
                usdc_mint: chain.usdc_mint,
                ack_grace_secs: ACK_GRACE,
                max_reservation_hours: MAX_HOURS,
            },
        );
        succeeded(chain.send_as_authority(initialize));
        chain
    }

    /// `new` without the market's `initialize`.
    pub fn uninitialized() -> Self {
        let mut chain = Chain {
            grid: Grid::new(),
            usdc_mint: Pubkey::default(),
            reservations: 0,
        };
        let authority = chain.authority.pubkey();
        let market_program = UpdateConfigArgs {
            market_program: Some(market::ID),
            ..Default::default()
        };
        succeeded(chain.send_as_authority(lib_ix::registry::update_config(
            &authority,
            None,
            market_program,
        )));
        let slashers = ParameterChange::Slashers {
            programs: vec![market::ID],
        };
        succeeded(chain.send_as_authority(lib_ix::staking::update_config(&authority, slashers)));
        chain.usdc_mint = put_mint(&mut chain.grid.svm, &authority, 6);
        for mint in [
            pda::iotoken::iosd_mint(),
            pda::iotoken::io_mint(),
            chain.usdc_mint,
        ] {
            let create = lib_ix::iotoken::create_treasury_account(&authority, &mint);
            succeeded(chain.send_as_authority(create));
        }
        chain.publish_price();
        chain
    }

    /// The updater publishes `IO_PRICE` as of now (the EMA stays at it).
    pub fn publish_price(&mut self) {
        let updater = self.price_updater.insecure_clone();
        self.fund(&updater.pubkey());
        let now = self.now();
        let publish =
            lib_ix::iotoken::publish_price(&updater.pubkey(), IO_PRICE, IO_CONFIDENCE, now);
        succeeded(self.send(publish, &[&updater]));
    }

    pub fn mint(&self, token: PaymentToken) -> Pubkey {
        match token {
            PaymentToken::Iosd => pda::iotoken::iosd_mint(),
            PaymentToken::Io => pda::iotoken::io_mint(),
            PaymentToken::Usdc => self.usdc_mint,
        }
    }

    pub fn treasury(&self, token: PaymentToken) -> Pubkey {
        pda::iotoken::treasury(&self.mint(token))
    }

    pub fn io_treasury(&self) -> Pubkey {
        pda::iotoken::treasury(&pda::iotoken::io_mint())
    }

    /// An empty account of `token` owned by `owner`.
    pub fn token_wallet(&mut self, token: PaymentToken, owner: &Pubkey) -> Pubkey {
        let mint = self.mint(token);
        put_token_account(&mut self.grid.svm, &mint, owner, 0)
    }

    /// `owner`'s associated token account of `token`, empty.
    pub fn associated_wallet(&mut self, token: PaymentToken, owner: &Pubkey) -> Pubkey {
        let mint = self.mint(token);
        put_associated_token_account(&mut self.grid.svm, &mint, owner, 0)
    }

    /// A funded renter holding `WALLET` in each payment mint.
    pub fn renter(&mut self) -> Renter {
        let keypair = self.funded_keypair();
        self.renter_with(keypair)
    }

    /// `keypair` (funded) as a renter holding `WALLET` in each payment mint.
    pub fn renter_with(&mut self, keypair: Keypair) -> Renter {
        self.fund(&keypair.pubkey());
        let wallets = [PaymentToken::Iosd, PaymentToken::Io, PaymentToken::Usdc].map(|token| {
            let mint = self.mint(token);
            put_token_account(&mut self.grid.svm, &mint, &keypair.pubkey(), WALLET)
        });
        Renter { keypair, wallets }
    }

    /// An H100 x 8 rig at `PRICE_PER_GPU_HOUR`, its pool open and self-staked at one and a half
    /// times its minimum; co-staked with `CO_STAKE` if `co_staked`.
    pub fn device(&mut self, co_staked: bool) -> MarketDevice {
        let device = self.register_priced_device(H100, GPUS, PRICE_PER_GPU_HOUR);
        self.device_staked(device, co_staked)
    }

    /// Opens `device`'s pool, stakes it as `device` does and gives its owner payee accounts.
    pub fn device_staked(&mut self, device: TestDevice, co_staked: bool) -> MarketDevice {
        self.open_pool(&device);
        let self_stake = device.minimum_stake * 3 / 2;
        self.stake_self(&device, self_stake);
        let co_stake = if co_staked {
            self.co_stake(&device, CO_STAKE);
            CO_STAKE
        } else {
            0
        };
        let owner = device.owner.pubkey();
        let payees = [
            self.token_wallet(PaymentToken::Iosd, &owner),
            device.owner_io,
            self.token_wallet(PaymentToken::Usdc, &owner),
        ];
        MarketDevice {
            device,
            self_stake,
            co_stake,
            payees,
        }
    }

    // The market's accounts.

    pub fn reservation(&self, res: &Res) -> Reservation {
        self.program_account(&market::ID, &res.key)
    }

    pub fn booking(&self, res: &Res, device: &MarketDevice) -> Booking {
        self.program_account(&market::ID, &res.booking(device))
    }

    pub fn device_account(&self, device: &MarketDevice) -> Device {
        self.program_account(&registry::ID, &device.key())
    }

    pub fn pool_state(&self, device: &MarketDevice) -> staking::state::StakePool {
        self.program_account(&staking::ID, &device.pool())
    }

    /// Rewrites `device`'s booking in `res` with `change`: a booking as an earlier program or
    /// config left it.
    pub fn rewrite_booking(
        &mut self,
        res: &Res,
        device: &MarketDevice,
        change: impl FnOnce(&mut Booking),
    ) {
        let key = res.booking(device);
        self.rewrite_program_account(&market::ID, &key, change);
    }

    // Sending.

    /// `renter` opens a reservation of `hours` paid in `token`, with a container workload.
    pub fn create(&mut self, renter: &Renter, token: PaymentToken, hours: u32) -> Res {
        let res = self.try_create(renter, token, hours, workload());
        succeeded(res.1);
        res.0
    }

    pub fn try_create(
        &mut self,
        renter: &Renter,
        token: PaymentToken,
        hours: u32,
        workload: WorkloadSpec,
    ) -> (Res, TransactionResult) {
        self.reservations += 1;
        let id = self.reservations;
        let res = Res {
            renter: renter.key(),
            id,
            key: pda::market::reservation(&renter.key(), id),
            token,
            mint: self.mint(token),
            wallet: renter.wallet(token),
        };
        let create = ix::create_reservation(&res.renter, &res.mint, id, hours, workload);
        let result = self.send(create, &[&renter.keypair]);
        (res, result)
    }

    /// `renter` books `devices` into `res`, agreeing to pay at most `max_payment`.
    pub fn book(
        &mut self,
        renter: &Renter,
        res: &Res,
        devices: &[&MarketDevice],
        max_payment: u64,
    ) -> TransactionResult {
        let pairs: Vec<_> = devices.iter().map(|device| device.pair()).collect();
        let book = ix::book_devices(&res.renter, res.id, &res.wallet, &pairs, max_payment);
        self.send(book, &[&renter.keypair])
    }

    pub fn ack(&mut self, res: &Res, device: &MarketDevice) -> TransactionResult {
        let agent = device.device.agent.insecure_clone();
        self.fund(&agent.pubkey());
        let ack = ix::acknowledge_start(&agent.pubkey(), &res.key, &device.key());
        self.send(ack, &[&agent])
    }

    pub fn extend(
        &mut self,
        renter: &Renter,
        res: &Res,
        devices: &[&MarketDevice],
        extra_hours: u32,
        max_payment: u64,
    ) -> TransactionResult {
        let keys: Vec<_> = devices.iter().map(|device| device.key()).collect();
        let extend = ix::extend_bookings(
            &res.renter,
            res.id,
            &res.wallet,
            &keys,
            extra_hours,
            max_payment,
        );
        self.send(extend, &[&renter.keypair])
    }

    /// `donor` sends `amount` from its `source` account straight into `res`'s vault, as anyone
    /// can: a token transfer the market never sees.
    pub fn donate(&mut self, donor: &Keypair, source: &Pubkey, res: &Res, amount: u64) {
        let transfer = spl_token::instruction::transfer(
            &spl_token::ID,
            source,
            &res.vault(),
            &donor.pubkey(),
            &[],
            amount,
        )
        .expect("a transfer instruction");
        succeeded(self.send(transfer, &[donor]));
    }

    /// `renter` claims `res`'s refunds into `destination`.
    pub fn claim(&mut self, renter: &Renter, res: &Res, destination: &Pubkey) -> TransactionResult {
        let claim = ix::claim_refund(&renter.key(), res.id, destination);
        self.send(claim, &[&renter.keypair])
    }

    /// `owner` empties its token account `account` into `to` and closes it.
    pub fn close_token_account(&mut self, owner: &Keypair, account: &Pubkey, to: &Pubkey) {
        let amount = self.token_balance(account);
        let transfer = spl_token::instruction::transfer(
            &spl_token::ID,
            account,
            to,
            &owner.pubkey(),
            &[],
            amount,
        )
        .expect("a transfer instruction");
        let close = spl_token::instruction::close_account(
            &spl_token::ID,
            account,
            &owner.pubkey(),
            &owner.pubkey(),
            &[],
        )
        .expect("a close instruction");
        succeeded(self.send_all(&[transfer, close], &[owner]));
        assert!(!self.exists(account));
    }

    /// `renter` closes `res`.
    pub fn close(&mut self, renter: &Renter, res: &Res) -> TransactionResult {
        let close = ix::close_reservation(&renter.key(), res.id, &res.mint);
        self.send(close, &[&renter.keypair])
    }

    pub fn cancel(&mut self, renter: &Renter, res: &Res) -> TransactionResult {
        self.send(
            ix::cancel_reservation(&renter.key(), &res.key),
            &[&renter.keypair],
        )
    }

    /// `keeper` settles `devices`' bookings of `res`, its tips to `tips`.
    pub fn settle(
        &mut self,
        keeper: &Keypair,
        tips: &Pubkey,
        res: &Res,
        devices: &[&MarketDevice],
    ) -> TransactionResult {
        let bookings: Vec<_> = devices
            .iter()
            .map(|device| device.settlement(res.token))
            .collect();
        let settle = ix::settle_bookings(&keeper.pubkey(), tips, &res.settled(), &bookings);
        self.send(settle, &[keeper])
    }

    /// A keeper and its empty tip account in `token`.
    pub fn settler(&mut self, token: PaymentToken) -> (Keypair, Pubkey) {
        let keeper = self.funded_keypair();
        let tips = self.token_wallet(token, &keeper.pubkey());
        (keeper, tips)
    }

    /// `count` keepers report `device` down this epoch (a quorum at the default of three).
    pub fn fail(&mut self, device: &MarketDevice, count: usize) {
        for _ in 0..count {
            let keeper = self.keeper();
            succeeded(self.report_failure(&keeper, &device.device));
        }
    }
}

/// A container workload on two ports.
pub fn workload() -> WorkloadSpec {
    WorkloadSpec {
        kind: WorkloadKind::Container,
        image: "ghcr.io/iogrid/llm-serve:1.4".to_string(),
        ports: vec![8080, 9090],
        env_hash: [7; 32],
    }
}

/// The market's rules, written out from its design.
pub mod expect {
    use super::*;

    const BPS: u128 = 10_000;

    fn ceil_bps(amount: u64, bps: u16) -> u64 {
        (amount as u128 * bps as u128).div_ceil(BPS) as u64
    }

    fn floor_bps(amount: u64, bps: u16) -> u64 {
        (amount as u128 * bps as u128 / BPS) as u64
    }

    /// USD (IOSD base units, 6 decimals) in `token`: 1:1 for IOSD and USDC; IO (8 decimals) at the
    /// conservative price (USD per IO, 8 decimals), rounded up.
    pub fn in_token(usd: u64, token: PaymentToken) -> u64 {
        match token {
            PaymentToken::Iosd | PaymentToken::Usdc => usd,
            PaymentToken::Io => {
                (usd as u128 * 10u128.pow(10)).div_ceil(CONSERVATIVE_PRICE as u128) as u64
            }
        }
    }

    pub fn payment_fee_bps(token: PaymentToken) -> u16 {
        let fees = default_fees();
        match token {
            PaymentToken::Iosd => fees.iosd_payment_fee_bps,
            PaymentToken::Io => fees.io_payment_fee_bps,
            PaymentToken::Usdc => fees.usdc_payment_fee_bps,
        }
    }

    /// What `hours` of a device at `price_per_hour` cost in `token`.
    pub fn charges(price_per_hour: u64, hours: u32, token: PaymentToken) -> BookingCharges {
        let fees = default_fees();
        let time = price_per_hour * hours as u64;
        let reservation_fee = ceil_bps(time, fees.reservation_fee_bps);
        let payment_fee = ceil_bps(time + reservation_fee, payment_fee_bps(token));
        let reservation_fee = in_token(reservation_fee, token);
        BookingCharges {
            time: in_token(time, token),
            reservation_fee,
            payment_fee: in_token(payment_fee, token),
            // At most half the reservation fee, rounded down.
            tip: in_token(fees.settle_tip, token).min(reservation_fee / 2),
        }
    }

    pub fn total(charges: &BookingCharges) -> u64 {
        charges.time + charges.reservation_fee + charges.payment_fee
    }

    /// Where a booking's time charge goes once `delivered` of `booked` seconds were delivered.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct Split {
        pub owner_pay: u64,
        pub staker_share: u64,
        pub network_fee: u64,
        pub refund: u64,
    }

    pub fn split(time: u64, delivered: i64, booked: i64, staker_share_bps: u16) -> Split {
        let gross = (time as u128 * delivered as u128 / booked as u128) as u64;
        let network_fee = ceil_bps(gross, default_fees().network_fee_bps);
        let staker_share = floor_bps(gross - network_fee, staker_share_bps);
        Split {
            owner_pay: gross - network_fee - staker_share,
            staker_share,
            network_fee,
            refund: time - gross,
        }
    }

    /// A fault's slash: the undelivered time (`refund`, in `token`) once more in IO (IO payments
    /// as they are; IOSD and USDC at the conservative price, rounded down), at most staking's
    /// window cap (10% of the pool's stake, on a first slash) and the pool.
    pub fn fault_slash(refund: u64, token: PaymentToken, total_stake: u64) -> u64 {
        let io = match token {
            PaymentToken::Io => refund,
            PaymentToken::Iosd | PaymentToken::Usdc => {
                (refund as u128 * 10u128.pow(10) / CONSERVATIVE_PRICE as u128) as u64
            }
        };
        io.min(total_stake / 10).min(total_stake)
    }

    /// `10_000 x (passes + 2 x completed) / (passes + 2 x completed + 8 x failures + 24)`.
    pub fn reputation(passes: u64, failures: u64, completed: u64) -> u16 {
        let good = passes + 2 * completed;
        (10_000 * good / (good + 8 * failures + 24)) as u16
    }
}

/// The balances and reservation ledger a test expects.
#[derive(Default)]
pub struct Books {
    balances: BTreeMap<Pubkey, (String, u64)>,
    pub ledger: ReservationLedger,
    /// What was sent into the vault from outside the market, and not swept yet.
    pub surplus: u64,
}

impl Books {
    /// Starts tracking `accounts` (token accounts) at their current balances.
    pub fn track(&mut self, chain: &Chain, accounts: &[(&str, Pubkey)]) {
        for (name, key) in accounts {
            let balance = chain.token_balance(key);
            self.balances.insert(*key, (name.to_string(), balance));
        }
    }

    pub fn credit(&mut self, key: &Pubkey, amount: u64) {
        self.balances.get_mut(key).expect("a tracked account").1 += amount;
    }

    pub fn debit(&mut self, key: &Pubkey, amount: u64) {
        let entry = self.balances.get_mut(key).expect("a tracked account");
        entry.1 = entry.1.checked_sub(amount).expect("the debit is covered");
    }

    /// `amount` sent from `source` straight into the vault: a surplus no flow accounts for.
    pub fn donated(&mut self, res: &Res, source: &Pubkey, amount: u64) {
        self.debit(source, amount);
        self.credit(&res.vault(), amount);
        self.surplus += amount;
    }

    /// Stops tracking `key` (an account since closed).
    pub fn untrack(&mut self, key: &Pubkey) {
        self.balances.remove(key);
    }

    /// The renter claimed every refund owed into `destination`.
    pub fn claimed(&mut self, res: &Res, destination: &Pubkey) {
        let owed = self.refund_owed();
        self.debit(&res.vault(), owed);
        self.credit(destination, owed);
        self.ledger.refunds_claimed += owed;
    }

    /// Refunds accrued and not claimed yet.
    pub fn refund_owed(&self) -> u64 {
        self.ledger.refunds - self.ledger.refunds_claimed
    }

    /// The reservation closed: its surplus swept to the treasury of its token, the vault gone.
    pub fn closed(&mut self, chain: &Chain, res: &Res) {
        let surplus = std::mem::take(&mut self.surplus);
        self.debit(&res.vault(), surplus);
        self.credit(&chain.treasury(res.token), surplus);
        self.balances.remove(&res.vault());
    }

    /// A booking paid: the renter's wallet pays its total into the vault.
    pub fn paid(&mut self, res: &Res, charges: &BookingCharges) {
        let total = expect::total(charges);
        self.debit(&res.wallet, total);
        self.credit(&res.vault(), total);
        self.ledger.deposited += total;
        self.ledger.escrow_open += total;
    }

    /// A booking settled with `split`: the vault pays the owner, the pool, the treasury and the
    /// settler's tip; the refund stays in it, owed to the renter.
    pub fn settled(
        &mut self,
        chain: &Chain,
        res: &Res,
        device: &MarketDevice,
        tips: &Pubkey,
        charges: &BookingCharges,
        split: expect::Split,
    ) {
        let treasury = chain.treasury(res.token);
        let fee_to_treasury = charges.reservation_fee - charges.tip;
        self.debit(&res.vault(), expect::total(charges) - split.refund);
        self.credit(&device.payee(res.token), split.owner_pay);
        self.credit(&device.stake_vault(), split.staker_share);
        self.credit(
            &treasury,
            split.network_fee + fee_to_treasury + charges.payment_fee,
        );
        self.credit(tips, charges.tip);
        let ledger = &mut self.ledger;
        ledger.device_payouts += split.owner_pay;
        ledger.staker_shares += split.staker_share;
        ledger.network_fees += split.network_fee;
        ledger.reservation_fees += fee_to_treasury;
        ledger.payment_fees += charges.payment_fee;
        ledger.refunds += split.refund;
        ledger.tips += charges.tip;
        ledger.escrow_open -= expect::total(charges);
    }

    /// Every tracked balance is as expected; the reservation's ledger is, and the vault holds
    /// exactly what its flows leave (plus what was sent to it from outside), which is also what
    /// the reservation owes: its open bookings' charges and the unclaimed refunds.
    #[track_caller]
    pub fn check(&self, chain: &Chain, res: &Res) {
        self.check_balances(chain);
        let reservation = chain.reservation(res);
        assert_eq!(reservation.ledger, self.ledger, "the reservation's ledger");
        let ledger = &self.ledger;
        let by_flows = ledger.deposited
            - ledger.device_payouts
            - ledger.staker_shares
            - ledger.network_fees
            - ledger.reservation_fees
            - ledger.payment_fees
            - ledger.refunds_claimed
            - ledger.tips;
        let vault = chain.token_balance(&res.vault()) - self.surplus;
        assert_eq!(vault, by_flows, "the vault holds what the flows leave");
        assert_eq!(
            vault,
            ledger.escrow_open + self.refund_owed(),
            "the vault holds the open charges and the unclaimed refunds"
        );
    }

    /// Every tracked balance is as expected.
    #[track_caller]
    pub fn check_balances(&self, chain: &Chain) {
        for (key, (name, balance)) in &self.balances {
            assert_eq!(chain.token_balance(key), *balance, "{name} ({key})");
        }
    }
}

/// The books of `res` tracking the renter's wallet, the vault, the treasury of its token, the IO
/// treasury and, for each device, its owner's payee account and its pool's vault; plus `extra`.
pub fn books_for(
    chain: &Chain,
    res: &Res,
    devices: &[&MarketDevice],
    extra: &[(&str, Pubkey)],
) -> Books {
    let mut books = Books::default();
    books.track(
        chain,
        &[
            ("renter's wallet", res.wallet),
            ("vault", res.vault()),
            ("treasury", chain.treasury(res.token)),
            ("IO treasury", chain.io_treasury()),
        ],
    );
    for device in devices {
        books.track(
            chain,
            &[
                ("owner's payee", device.payee(res.token)),
                ("stake vault", device.stake_vault()),
            ],
        );
    }
    books.track(chain, extra);
    books
}
