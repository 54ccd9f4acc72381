//! The reservation lock: only the configured market program, signing through its
//! `["registry_lock"]` PDA in a CPI, may lock a device to a reservation and release it with the
//! reservation's outcome, which the device's reputation records. The market here is a minimal
//! native program that forwards to the registry.

use {
    crate::common::*,
    anchor_lang::{
        prelude::Pubkey,
        solana_program::{
            account_info::AccountInfo,
            entrypoint::ProgramResult,
            instruction::{AccountMeta, Instruction},
            program::invoke_signed,
            program_error::ProgramError,
        },
        AnchorDeserialize, AnchorSerialize, InstructionData, ToAccountMetas,
    },
    registry::{
        errors::RegistryError,
        events::{DeviceLocked, DeviceReleased},
        state::{DeviceStatus, ReservationOutcome},
        UpdateConfigArgs,
    },
    solana_signer::Signer,
};

/// The market program the registry is configured to trust.
const MARKET: Pubkey = Pubkey::new_from_array([0x4d; 32]);
/// A second market program (the same code under another id): it has a `registry_lock` PDA too,
/// which the registry trusts only once this program is configured.
const OTHER_MARKET: Pubkey = Pubkey::new_from_array([0x49; 32]);

const LOCK: u8 = 0;
const RELEASE: u8 = 1;

/// A minimal market. Instruction data: an opcode (`LOCK` or `RELEASE`), the 32-byte
/// reservation key and, for a release, the outcome (one Borsh byte). Accounts: the program's `registry_lock` PDA, the registry config, the device
/// and the registry program. Forwards to the registry, signing with the PDA.
fn market_program(program_id: &Pubkey, accounts: &[AccountInfo], data: &[u8]) -> ProgramResult {
    let &opcode = data.first().ok_or(ProgramError::InvalidInstructionData)?;
    let (reservation, outcome) = data[1..]
        .split_at_checked(32)
        .ok_or(ProgramError::InvalidInstructionData)?;
    let reservation =
        Pubkey::try_from(reservation).map_err(|_| ProgramError::InvalidInstructionData)?;
    let [lock_authority, config, device, registry_program] = accounts else {
        return Err(ProgramError::NotEnoughAccountKeys);
    };
    let data = match opcode {
        LOCK => registry::instruction::LockDevice { reservation }.data(),
        RELEASE => registry::instruction::ReleaseDevice {
            reservation,
            outcome: ReservationOutcome::try_from_slice(outcome)
                .map_err(|_| ProgramError::InvalidInstructionData)?,
        }
        .data(),
        _ => return Err(ProgramError::InvalidInstructionData),
    };
    let forwarded = Instruction {
        program_id: registry::ID,
        accounts: registry::accounts::MarketLock {
            market_authority: *lock_authority.key,
            config: *config.key,
            device: *device.key,
        }
        .to_account_metas(None),
        data,
    };
    let (_, bump) = Pubkey::find_program_address(&[b"registry_lock"], program_id);
    invoke_signed(
        &forwarded,
        &[
            lock_authority.clone(),
            config.clone(),
            device.clone(),
            registry_program.clone(),
        ],
        &[&[b"registry_lock", &[bump]]],
    )
}

/// An instruction to `market` (`MARKET` or `OTHER_MARKET`) to lock or release `device` (a
/// release as `Completed`).
fn via_market(market: Pubkey, opcode: u8, device: &Pubkey, reservation: &Pubkey) -> Instruction {
    let mut instruction = release_via(market, device, reservation, ReservationOutcome::Completed);
    instruction.data[0] = opcode;
    if opcode == LOCK {
        instruction.data.truncate(33);
    }
    instruction
}

/// An instruction to `market` to release `device` from `reservation` with `outcome`.
fn release_via(
    market: Pubkey,
    device: &Pubkey,
    reservation: &Pubkey,
    outcome: ReservationOutcome,
) -> Instruction {
    let mut data = vec![RELEASE];
    data.extend_from_slice(reservation.as_ref());
    AnchorSerialize::serialize(&outcome, &mut data).expect("an outcome serialises");
    Instruction {
        program_id: market,
        accounts: vec![
            AccountMeta::new_readonly(pda::market_lock_authority(&market), false),
            AccountMeta::new_readonly(pda::config(), false),
            AccountMeta::new(*device, false),
            AccountMeta::new_readonly(registry::ID, false),
        ],
        data,
    }
}

/// A chain with both market programs deployed, a registered device, and `MARKET` configured as
/// the registry's market when `configure_market` is set.
fn setup(configure_market: bool) -> (Chain, TestDevice) {
    let mut chain = Chain::new();
    iogrid_svm::add_native_program(&mut chain.svm, MARKET, market_program);
    iogrid_svm::add_native_program(&mut chain.svm, OTHER_MARKET, market_program);
    if configure_market {
        set_market(&mut chain, MARKET);
    }
    let device = chain.register_device("node-7f3a");
    (chain, device)
}

fn set_market(chain: &mut Chain, market: Pubkey) {
    let args = UpdateConfigArgs {
        market_program: Some(market),
        ..Default::default()
    };
    let authority = chain.authority.pubkey();
    succeeded(chain.send_as_authority(ix::update_config(&authority, None, args)));
    assert_eq!(
        chain.config().market_lock_authority,
        pda::market_lock_authority(&market)
    );
}

#[test]
fn locking_is_refused_while_no_market_is_configured() {
    let (mut chain, device) = setup(false);
    let reservation = Pubkey::new_unique();
    let signer = chain.funded_keypair();

    let direct = chain.send(
        ix::lock_device(&signer.pubkey(), &device.key, &reservation),
        &[&signer],
    );
    assert_fails(direct, RegistryError::MarketNotConfigured);
    let through_market = chain.send(
        via_market(MARKET, LOCK, &device.key, &reservation),
        &[&signer],
    );
    assert_fails(through_market, RegistryError::MarketNotConfigured);

    assert_eq!(chain.device(&device.key).reservation, Pubkey::default());
}

#[test]
fn a_random_signer_cannot_lock_or_release_with_not_market_authority() {
    let (mut chain, device) = setup(true);
    let reservation = Pubkey::new_unique();
    let signer = chain.funded_keypair();

    let lock = chain.send(
        ix::lock_device(&signer.pubkey(), &device.key, &reservation),
        &[&signer],
    );
    assert_fails(lock, RegistryError::NotMarketAuthority);
    assert_eq!(chain.device(&device.key).reservation, Pubkey::default());

    // Not even the config authority or the device owner.
    let authority = chain.authority.pubkey();
    let by_authority =
        chain.send_as_authority(ix::lock_device(&authority, &device.key, &reservation));
    assert_fails(by_authority, RegistryError::NotMarketAuthority);
    let owner = device.owner.pubkey();
    let by_owner = chain.send(
        ix::lock_device(&owner, &device.key, &reservation),
        &[&device.owner],
    );
    assert_fails(by_owner, RegistryError::NotMarketAuthority);

    succeeded(chain.send(
        via_market(MARKET, LOCK, &device.key, &reservation),
        &[&signer],
    ));
    let release = chain.send(
        ix::release_device(
            &signer.pubkey(),
            &device.key,
            &reservation,
            ReservationOutcome::Completed,
        ),
        &[&signer],
    );
    assert_fails(release, RegistryError::NotMarketAuthority);
    let by_owner = chain.send(
        ix::release_device(
            &owner,
            &device.key,
            &reservation,
            ReservationOutcome::Completed,
        ),
        &[&device.owner],
    );
    assert_fails(by_owner, RegistryError::NotMarketAuthority);
    assert_eq!(
        chain.device(&device.key).reservation,
        reservation,
        "still locked"
    );
}

#[test]
fn another_program_signing_with_its_own_registry_lock_pda_is_refused() {
    let (mut chain, device) = setup(true);
    let reservation = Pubkey::new_unique();
    let payer = chain.funded_keypair();

    let result = chain.send(
        via_market(OTHER_MARKET, LOCK, &device.key, &reservation),
        &[&payer],
    );

    assert_fails(result, RegistryError::NotMarketAuthority);
    assert_eq!(chain.device(&device.key).reservation, Pubkey::default());
}

#[test]
fn the_configured_market_locks_and_releases_a_device_through_its_pda() {
    let (mut chain, device) = setup(true);
    let payer = chain.funded_keypair();
    let reservation = Pubkey::new_unique();
    let other_reservation = Pubkey::new_unique();

    let meta = succeeded(chain.send(
        via_market(MARKET, LOCK, &device.key, &reservation),
        &[&payer],
    ));
    let state = chain.device(&device.key);
    assert_eq!(state.reservation, reservation);
    assert_eq!(state.status, DeviceStatus::Active);
    assert_eq!(
        state.updated_at, NOW,
        "a lock is not a change by the owner or agent"
    );
    let event: DeviceLocked = only_event(&meta);
    assert_eq!((event.device, event.reservation), (device.key, reservation));

    let double_lock = chain.send(
        via_market(MARKET, LOCK, &device.key, &other_reservation),
        &[&payer],
    );
    assert_fails(double_lock, RegistryError::DeviceReserved);
    let same_again = chain.send(
        via_market(MARKET, LOCK, &device.key, &reservation),
        &[&payer],
    );
    assert_fails(same_again, RegistryError::DeviceReserved);

    let wrong_release = chain.send(
        via_market(MARKET, RELEASE, &device.key, &other_reservation),
        &[&payer],
    );
    assert_fails(wrong_release, RegistryError::ReservationMismatch);
    assert_eq!(chain.device(&device.key).reservation, reservation);

    let meta = succeeded(chain.send(
        via_market(MARKET, RELEASE, &device.key, &reservation),
        &[&payer],
    ));
    assert_eq!(chain.device(&device.key).reservation, Pubkey::default());
    let event: DeviceReleased = only_event(&meta);
    assert_eq!((event.device, event.reservation), (device.key, reservation));
    assert_eq!(event.outcome, ReservationOutcome::Completed);
    assert_eq!((event.reservations_completed, event.failures), (1, 0));
    // 10_000 x (0 passes + 2 x 1 completed) / (2 + 8 x 0 failures + 24)
    assert_eq!(event.reputation_bps, 769);
    let availability = chain.device(&device.key).availability;
    assert_eq!(
        (
            availability.reservations_completed,
            availability.failures,
            availability.reputation_bps
        ),
        (1, 0, 769)
    );

    let release_again = chain.send(
        via_market(MARKET, RELEASE, &device.key, &reservation),
        &[&payer],
    );
    assert_fails(release_again, RegistryError::ReservationMismatch);

    // Free again: the next reservation may take it.
    succeeded(chain.send(
        via_market(MARKET, LOCK, &device.key, &other_reservation),
        &[&payer],
    ));
    assert_eq!(chain.device(&device.key).reservation, other_reservation);
}

#[test]
fn a_paused_device_cannot_be_locked() {
    let (mut chain, device) = setup(true);
    let payer = chain.funded_keypair();
    succeeded(chain.send(
        ix::pause_device(&device.agent.pubkey(), &device.key),
        &[&device.agent],
    ));

    let result = chain.send(
        via_market(MARKET, LOCK, &device.key, &Pubkey::new_unique()),
        &[&payer],
    );

    assert_fails(result, RegistryError::DevicePaused);
    assert_eq!(chain.device(&device.key).reservation, Pubkey::default());
}

#[test]
fn the_all_zero_reservation_key_is_refused() {
    let (mut chain, device) = setup(true);
    let payer = chain.funded_keypair();
    let zero = Pubkey::default();

    let lock = chain.send(via_market(MARKET, LOCK, &device.key, &zero), &[&payer]);
    assert_fails(lock, RegistryError::InvalidReservation);
    let release = chain.send(via_market(MARKET, RELEASE, &device.key, &zero), &[&payer]);
    assert_fails(release, RegistryError::ReservationMismatch);
}

#[test]
fn a_locked_device_cannot_be_deregistered_until_released() {
    let (mut chain, device) = setup(true);
    let payer = chain.funded_keypair();
    let reservation = Pubkey::new_unique();
    let owner = device.owner.pubkey();
    succeeded(chain.send(
        via_market(MARKET, LOCK, &device.key, &reservation),
        &[&payer],
    ));

    let result = chain.send(
        ix::deregister_device(&owner, &device.device_id),
        &[&device.owner],
    );
    assert_fails(result, RegistryError::DeviceReserved);

    succeeded(chain.send(
        via_market(MARKET, RELEASE, &device.key, &reservation),
        &[&payer],
    ));
    succeeded(chain.send(
        ix::deregister_device(&owner, &device.device_id),
        &[&device.owner],
    ));
    assert!(!chain.exists(&device.key));
}

#[test]
fn a_replaced_market_may_still_release_what_it_locked_but_lock_nothing() {
    let (mut chain, device) = setup(true);
    let payer = chain.funded_keypair();
    let reservation = Pubkey::new_unique();
    succeeded(chain.send(
        via_market(MARKET, LOCK, &device.key, &reservation),
        &[&payer],
    ));

    set_market(&mut chain, OTHER_MARKET);

    // Its bookings still settle (L11): the device it locked is not stranded by the change.
    succeeded(chain.send(
        via_market(MARKET, RELEASE, &device.key, &reservation),
        &[&payer],
    ));
    assert_eq!(chain.device(&device.key).reservation, Pubkey::default());
    let lock = chain.send(
        via_market(MARKET, LOCK, &device.key, &reservation),
        &[&payer],
    );
    assert_fails(lock, RegistryError::NotMarketAuthority);
    assert_eq!(chain.device(&device.key).reservation, Pubkey::default());
}

/// Locks `device` to a new reservation and releases it with `outcome`; returns the event.
fn lock_and_release(
    chain: &mut Chain,
    device: &Pubkey,
    outcome: ReservationOutcome,
) -> DeviceReleased {
    let payer = chain.funded_keypair();
    let reservation = Pubkey::new_unique();
    succeeded(chain.send(via_market(MARKET, LOCK, device, &reservation), &[&payer]));
    let meta = succeeded(chain.send(
        release_via(MARKET, device, &reservation, outcome),
        &[&payer],
    ));
    let event: DeviceReleased = only_event(&meta);
    assert_eq!(
        (event.device, event.reservation, event.outcome),
        (*device, reservation, outcome)
    );
    assert_eq!(chain.device(device).reservation, Pubkey::default());
    event
}

#[test]
fn each_outcome_is_recorded_in_the_reputation_the_release_reports() {
    let (mut chain, device) = setup(true);
    // 10_000 x (passes + 2 x completed) / (passes + 2 x completed + 8 x failures + 24), no passes.
    let reputation = |failures: u64, completed: u64| {
        (10_000 * 2 * completed / (2 * completed + 8 * failures + 24)) as u16
    };

    // A cancelled or failed reservation says nothing new about the device (a failure was
    // counted by the keepers' quorum).
    for outcome in [ReservationOutcome::Cancelled, ReservationOutcome::Failed] {
        let event = lock_and_release(&mut chain, &device.key, outcome);
        assert_eq!(
            (
                event.reservations_completed,
                event.failures,
                event.reputation_bps
            ),
            (0, 0, 0)
        );
    }
    let event = lock_and_release(&mut chain, &device.key, ReservationOutcome::Completed);
    assert_eq!(
        (
            event.reservations_completed,
            event.failures,
            event.reputation_bps
        ),
        (1, 0, reputation(0, 1))
    );
    // An abandoned reservation counts as a failure.
    let event = lock_and_release(&mut chain, &device.key, ReservationOutcome::NoShow);
    assert_eq!(
        (
            event.reservations_completed,
            event.failures,
            event.reputation_bps
        ),
        (1, 1, reputation(1, 1))
    );
    let availability = chain.device(&device.key).availability;
    assert_eq!(
        (
            availability.reservations_completed,
            availability.failures,
            availability.reputation_bps,
            availability.uptime_streak
        ),
        (1, 1, reputation(1, 1), 0)
    );
}
