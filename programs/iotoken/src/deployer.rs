//! Who may initialise a program's config: its deployer, so that nobody can front-run the
//! `initialize` that follows a deploy (the review's M5) and become the config's authority.
//!
//! The deployer is the program's upgrade authority where the program is owned by the BPF
//! upgradeable loader and still has one (its `ProgramData` account says so). Everywhere else the
//! deployer is the holder of the program id's own keypair: a program without `ProgramData` (a
//! native program, as the local chain loads them, or a loader-v2 program) or one made immutable
//! can only have been put at its address by someone who signed with that keypair. Each program's
//! `initialize` takes a `deployer` signer, its own program account and the `ProgramData` address,
//! and requires `deployer == expected_deployer(..)`.

use anchor_lang::{prelude::*, solana_program::pubkey};

/// The BPF upgradeable loader (loader v3).
pub const BPF_LOADER_UPGRADEABLE_ID: Pubkey =
    pubkey!("BPFLoaderUpgradeab1e11111111111111111111111");

/// `UpgradeableLoaderState` tags (a little-endian `u32`, bincode's enum encoding).
const PROGRAM_TAG: [u8; 4] = 2u32.to_le_bytes();
const PROGRAM_DATA_TAG: [u8; 4] = 3u32.to_le_bytes();
/// `ProgramData { slot: u64, upgrade_authority_address: Option<Pubkey> }` after the tag.
const PROGRAM_DATA_HEADER_LEN: usize = 4 + 8 + 1 + 32;

/// The `ProgramData` address of `program_id` under the upgradeable loader, whether or not the
/// program has one: what clients pass as `program_data`.
pub fn program_data_address(program_id: &Pubkey) -> Pubkey {
    Pubkey::find_program_address(&[program_id.as_ref()], &BPF_LOADER_UPGRADEABLE_ID).0
}

/// The key that must sign as `program_id`'s deployer, from the program's account and the account
/// passed as its `ProgramData`; `None` when `program` is not `program_id`'s account, or the
/// program is upgradeable and `program_data` is not its `ProgramData`.
pub fn expected_deployer(
    program_id: &Pubkey,
    program: &AccountInfo,
    program_data: &AccountInfo,
) -> Option<Pubkey> {
    if program.key != program_id || !program.executable {
        return None;
    }
    if *program.owner != BPF_LOADER_UPGRADEABLE_ID {
        return Some(*program_id);
    }
    if *program_data.owner != BPF_LOADER_UPGRADEABLE_ID {
        return None;
    }
    let program_bytes = program.try_borrow_data().ok()?;
    let data_bytes = program_data.try_borrow_data().ok()?;
    let authority = upgrade_authority(&program_bytes, program_data.key, &data_bytes)?;
    Some(authority.unwrap_or(*program_id))
}

/// From an upgradeable program's account data and the `ProgramData` account passed beside it
/// (both owned by the loader, checked by the caller): the upgrade authority, or `Some(None)` for an
/// immutable program; `None` when the account is not the program's `ProgramData`.
pub fn upgrade_authority(
    program_bytes: &[u8],
    program_data_key: &Pubkey,
    program_data_bytes: &[u8],
) -> Option<Option<Pubkey>> {
    let named = program_bytes.get(4..36)?;
    if program_bytes.get(..4)? != PROGRAM_TAG || named != program_data_key.as_ref() {
        return None;
    }
    let header = program_data_bytes.get(..PROGRAM_DATA_HEADER_LEN)?;
    if header[..4] != PROGRAM_DATA_TAG {
        return None;
    }
    match header[12] {
        0 => Some(None),
        1 => Some(Some(Pubkey::try_from(&header[13..45]).ok()?)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program_account(program_data: &Pubkey) -> Vec<u8> {
        [&PROGRAM_TAG[..], program_data.as_ref()].concat()
    }

    fn program_data_account(authority: Option<Pubkey>) -> Vec<u8> {
        let mut bytes = [&PROGRAM_DATA_TAG[..], &42u64.to_le_bytes()].concat();
        match authority {
            Some(key) => {
                bytes.push(1);
                bytes.extend_from_slice(key.as_ref());
            }
            None => bytes.extend_from_slice(&[0; 33]),
        }
        bytes.extend_from_slice(&[0xAB; 16]); // the program's ELF follows
        bytes
    }

    fn info<'a>(
        key: &'a Pubkey,
        owner: &'a Pubkey,
        lamports: &'a mut u64,
        data: &'a mut [u8],
        executable: bool,
    ) -> AccountInfo<'a> {
        AccountInfo::new(key, false, false, lamports, data, owner, executable, 0)
    }

    #[test]
    fn an_upgradeable_programs_deployer_is_its_upgrade_authority() {
        let (program_id, authority) = (Pubkey::new_unique(), Pubkey::new_unique());
        let data_key = program_data_address(&program_id);
        let (mut program_bytes, mut data_bytes) = (
            program_account(&data_key),
            program_data_account(Some(authority)),
        );
        let (mut a, mut b) = (1, 1);
        let program = info(
            &program_id,
            &BPF_LOADER_UPGRADEABLE_ID,
            &mut a,
            &mut program_bytes,
            true,
        );
        let data = info(
            &data_key,
            &BPF_LOADER_UPGRADEABLE_ID,
            &mut b,
            &mut data_bytes,
            false,
        );
        assert_eq!(
            expected_deployer(&program_id, &program, &data),
            Some(authority)
        );
    }

    #[test]
    fn an_immutable_or_loaderless_programs_deployer_is_its_own_key() {
        let program_id = Pubkey::new_unique();
        let data_key = program_data_address(&program_id);
        let mut program_bytes = program_account(&data_key);
        let mut data_bytes = program_data_account(None);
        let (mut a, mut b) = (1, 1);
        let program = info(
            &program_id,
            &BPF_LOADER_UPGRADEABLE_ID,
            &mut a,
            &mut program_bytes,
            true,
        );
        let data = info(
            &data_key,
            &BPF_LOADER_UPGRADEABLE_ID,
            &mut b,
            &mut data_bytes,
            false,
        );
        assert_eq!(
            expected_deployer(&program_id, &program, &data),
            Some(program_id)
        );

        // A native program (the local chain's): no ProgramData exists at its address.
        let native_loader = pubkey!("NativeLoader1111111111111111111111111111111");
        let system = Pubkey::default();
        let (mut c, mut d) = (1, 0);
        let native = info(&program_id, &native_loader, &mut c, &mut [], true);
        let empty = info(&data_key, &system, &mut d, &mut [], false);
        assert_eq!(
            expected_deployer(&program_id, &native, &empty),
            Some(program_id)
        );
    }

    #[test]
    fn another_account_as_program_or_program_data_names_no_deployer() {
        let (program_id, authority) = (Pubkey::new_unique(), Pubkey::new_unique());
        let data_key = program_data_address(&program_id);
        let stranger = Pubkey::new_unique();
        let mut program_bytes = program_account(&data_key);
        let mut data_bytes = program_data_account(Some(authority));
        let mut fake_bytes = program_data_account(Some(stranger));
        let (mut a, mut b, mut c) = (1, 1, 1);
        let program = info(
            &program_id,
            &BPF_LOADER_UPGRADEABLE_ID,
            &mut a,
            &mut program_bytes,
            true,
        );
        // Another program's ProgramData, with the attacker as its upgrade authority.
        let fake = info(
            &stranger,
            &BPF_LOADER_UPGRADEABLE_ID,
            &mut c,
            &mut fake_bytes,
            false,
        );
        assert_eq!(expected_deployer(&program_id, &program, &fake), None);
        // The program account of another id.
        let data = info(
            &data_key,
            &BPF_LOADER_UPGRADEABLE_ID,
            &mut b,
            &mut data_bytes,
            false,
        );
        assert_eq!(expected_deployer(&stranger, &program, &data), None);
        // A truncated ProgramData.
        assert_eq!(
            upgrade_authority(&program_account(&data_key), &data_key, &data_bytes[..20]),
            None
        );
    }
}
