//! Reading SPL Token and Token-2022 accounts and mints, for token balances and `jsonParsed`.

use {
    solana_account::{AccountSharedData, ReadableAccount},
    solana_account_decoder::parse_account_data::SplTokenAdditionalDataV2,
    solana_pubkey::Pubkey,
    spl_token_2022::{
        extension::{
            interest_bearing_mint::InterestBearingConfig, scaled_ui_amount::ScaledUiAmountConfig,
            BaseStateWithExtensions, StateWithExtensions,
        },
        state::{Account as TokenAccount, AccountState, Mint},
    },
};

pub const TOKEN_PROGRAM_ID: Pubkey =
    solana_pubkey::pubkey!("TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA");

pub fn is_token_program(program_id: &Pubkey) -> bool {
    *program_id == TOKEN_PROGRAM_ID || *program_id == spl_token_2022::ID
}

pub struct TokenAccountState {
    pub mint: Pubkey,
    pub owner: Pubkey,
    pub amount: u64,
}

/// The token account `account` holds, if it is one (either token program).
pub fn token_account(account: &AccountSharedData) -> Option<TokenAccountState> {
    if !is_token_program(account.owner()) {
        return None;
    }
    let state = StateWithExtensions::<TokenAccount>::unpack(account.data()).ok()?;
    Some(TokenAccountState {
        mint: state.base.mint,
        owner: state.base.owner,
        amount: state.base.amount,
    })
}

/// The `tokenAccountState` filter: data that is an initialized token account.
pub fn is_token_account_data(data: &[u8]) -> bool {
    StateWithExtensions::<TokenAccount>::unpack(data)
        .is_ok_and(|state| state.base.state != AccountState::Uninitialized)
}

fn mint(account: &AccountSharedData) -> Option<StateWithExtensions<'_, Mint>> {
    if !is_token_program(account.owner()) {
        return None;
    }
    StateWithExtensions::<Mint>::unpack(account.data()).ok()
}

pub fn mint_decimals(account: &AccountSharedData) -> Option<u8> {
    mint(account).map(|mint| mint.base.decimals)
}

pub fn mint_supply(account: &AccountSharedData) -> Option<(u64, u8)> {
    mint(account).map(|mint| (mint.base.supply, mint.base.decimals))
}

/// What the account decoder needs to render amounts of this mint (decimals and, for
/// Token-2022, interest-bearing or scaled UI amounts at `unix_timestamp`).
pub fn mint_additional_data(
    account: &AccountSharedData,
    unix_timestamp: i64,
) -> Option<SplTokenAdditionalDataV2> {
    let mint = mint(account)?;
    Some(SplTokenAdditionalDataV2 {
        decimals: mint.base.decimals,
        interest_bearing_config: mint
            .get_extension::<InterestBearingConfig>()
            .ok()
            .map(|config| (*config, unix_timestamp)),
        scaled_ui_amount_config: mint
            .get_extension::<ScaledUiAmountConfig>()
            .ok()
            .map(|config| (*config, unix_timestamp)),
    })
}
