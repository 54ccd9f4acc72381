//! Checks of renter and authority input.

use {
    crate::{errors::MarketError, state::*},
    anchor_lang::prelude::*,
    iotoken::state::{IOSD_MINT_SEED, IO_MINT_SEED},
};

/// A config authority other than the all-zero key, which nobody can sign for (L10).
pub fn validate_authority(authority: &Pubkey) -> Result<()> {
    require_keys_neq!(*authority, Pubkey::default(), MarketError::InvalidAuthority);
    Ok(())
}

/// A USDC mint other than the all-zero key and iotoken's own mints, which reservations match
/// first: either would leave the market without its third payment mint (L10).
pub fn validate_usdc_mint(mint: &Pubkey) -> Result<()> {
    let iotoken_mint = |seed: &[u8]| Pubkey::find_program_address(&[seed], &iotoken::ID).0;
    require!(
        *mint != Pubkey::default()
            && *mint != iotoken_mint(IO_MINT_SEED)
            && *mint != iotoken_mint(IOSD_MINT_SEED),
        MarketError::InvalidUsdcMint
    );
    Ok(())
}

pub fn validate_ack_grace(secs: i64) -> Result<()> {
    require!(
        (1..=MAX_ACK_GRACE_SECS).contains(&secs),
        MarketError::InvalidAckGrace
    );
    Ok(())
}

pub fn validate_max_hours(hours: u32) -> Result<()> {
    require!(
        (1..=MAX_RESERVATION_HOURS_LIMIT).contains(&hours),
        MarketError::InvalidMaxHours
    );
    Ok(())
}

/// `hours` of booking are at least one and, on top of `already` booked, within the longest
/// reservation.
pub fn validate_hours(already: u32, hours: u32, config: &MarketConfig) -> Result<()> {
    let total = already.checked_add(hours);
    require!(
        hours > 0 && total.is_some_and(|total| total <= config.max_reservation_hours),
        MarketError::InvalidHours
    );
    Ok(())
}

pub fn validate_workload(workload: &WorkloadSpec) -> Result<()> {
    let image = workload.image.as_bytes();
    require!(
        !image.is_empty()
            && image.len() <= MAX_WORKLOAD_IMAGE_LEN
            && image.iter().all(|byte| (0x20..0x7f).contains(byte)),
        MarketError::InvalidWorkloadImage
    );
    let ports = &workload.ports;
    require!(
        ports.len() <= MAX_WORKLOAD_PORTS
            && ports.iter().all(|port| *port != 0)
            && ports
                .iter()
                .enumerate()
                .all(|(i, port)| !ports[..i].contains(port)),
        MarketError::InvalidWorkloadPorts
    );
    Ok(())
}
