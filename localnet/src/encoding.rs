//! Chain data in the RPC's wire formats, through the same encoders the validator uses
//! (`solana-account-decoder`, `solana-transaction-status`).

use {
    crate::{
        chain::{Chain, Simulation},
        history::{TokenBalance, TransactionRecord},
        jsonrpc::{code, RpcError},
        tokens,
    },
    serde_json::{json, Value},
    solana_account::{AccountSharedData, ReadableAccount},
    solana_account_decoder::{
        encode_ui_account, parse_account_data::AccountAdditionalDataV3,
        parse_token::token_amount_to_ui_amount_v3, UiAccount, UiAccountEncoding, UiDataSliceConfig,
    },
    solana_message::inner_instruction::InnerInstructionsList,
    solana_message::AccountKeys,
    solana_pubkey::Pubkey,
    solana_transaction_status::{
        map_inner_instructions, parse_ui_inner_instructions, ConfirmedTransactionWithStatusMeta,
        EncodeError, InnerInstructions, TransactionStatusMeta, TransactionTokenBalance,
        TransactionWithStatusMeta, UiTransactionEncoding, UiTransactionReturnData,
        VersionedTransactionWithStatusMeta,
    },
};

/// Largest account data the RPC renders as base58.
const MAX_BASE58_BYTES: usize = 128;

/// `account` as the RPC shows it. `jsonParsed` token accounts are rendered with their mint's
/// decimals; data the parsers don't know falls back to base64, as on a validator.
pub fn ui_account(
    chain: &Chain,
    pubkey: &Pubkey,
    account: &AccountSharedData,
    encoding: UiAccountEncoding,
    data_slice: Option<UiDataSliceConfig>,
) -> Result<UiAccount, RpcError> {
    if matches!(
        encoding,
        UiAccountEncoding::Binary | UiAccountEncoding::Base58
    ) {
        let len = data_slice.map_or(account.data().len(), |slice| {
            slice
                .length
                .min(account.data().len().saturating_sub(slice.offset))
        });
        if len > MAX_BASE58_BYTES {
            return Err(RpcError::invalid_request(format!(
                "Encoded binary (base 58) data should be less than {MAX_BASE58_BYTES} bytes, please use Base64 encoding."
            )));
        }
    }
    let additional_data = match encoding {
        UiAccountEncoding::JsonParsed => token_additional_data(chain, account),
        _ => None,
    };
    Ok(encode_ui_account(
        pubkey,
        account,
        encoding,
        additional_data,
        data_slice,
    ))
}

fn token_additional_data(
    chain: &Chain,
    account: &AccountSharedData,
) -> Option<AccountAdditionalDataV3> {
    let token = tokens::token_account(account)?;
    let mint = chain.account(&token.mint)?;
    Some(AccountAdditionalDataV3 {
        spl_token_additional_data: tokens::mint_additional_data(
            &mint,
            chain.clock().unix_timestamp,
        ),
    })
}

pub fn ui_token_amount(amount: u64, decimals: u8) -> Value {
    let additional =
        solana_account_decoder::parse_account_data::SplTokenAdditionalDataV2::with_decimals(
            decimals,
        );
    json!(token_amount_to_ui_amount_v3(amount, &additional))
}

fn token_balances(balances: &[TokenBalance]) -> Vec<TransactionTokenBalance> {
    balances
        .iter()
        .map(|balance| TransactionTokenBalance {
            account_index: balance.account_index,
            mint: balance.mint.to_string(),
            ui_token_amount: token_amount_to_ui_amount_v3(
                balance.amount,
                &solana_account_decoder::parse_account_data::SplTokenAdditionalDataV2::with_decimals(
                    balance.decimals,
                ),
            ),
            owner: balance.owner.to_string(),
            program_id: balance.program_id.to_string(),
        })
        .collect()
}

/// Inner instructions per top-level instruction, leaving out instructions that made no CPI.
fn inner_instructions(list: &InnerInstructionsList) -> Vec<InnerInstructions> {
    map_inner_instructions(list.clone())
        .filter(|inner| !inner.instructions.is_empty())
        .collect()
}

/// `getTransaction`'s answer.
pub fn encode_transaction(
    record: &TransactionRecord,
    encoding: UiTransactionEncoding,
    max_supported_transaction_version: Option<u8>,
) -> Result<Value, RpcError> {
    let meta = TransactionStatusMeta {
        status: record.err.clone().map_or(Ok(()), Err),
        fee: record.fee,
        pre_balances: record.pre_balances.clone(),
        post_balances: record.post_balances.clone(),
        inner_instructions: Some(inner_instructions(&record.inner_instructions)),
        log_messages: Some(record.logs.clone()),
        pre_token_balances: Some(token_balances(&record.pre_token_balances)),
        post_token_balances: Some(token_balances(&record.post_token_balances)),
        rewards: Some(Vec::new()),
        loaded_addresses: record.loaded_addresses.clone(),
        return_data: Some(record.return_data.clone()).filter(|data| !data.data.is_empty()),
        compute_units_consumed: Some(record.compute_units_consumed),
        cost_units: None,
    };
    let confirmed = ConfirmedTransactionWithStatusMeta {
        slot: record.slot,
        tx_with_meta: TransactionWithStatusMeta::Complete(VersionedTransactionWithStatusMeta {
            transaction: record.transaction.clone(),
            meta,
        }),
        block_time: Some(record.block_time),
    };
    match confirmed.encode(encoding, max_supported_transaction_version) {
        Ok(encoded) => {
            serde_json::to_value(encoded).map_err(|error| RpcError::internal(error.to_string()))
        }
        Err(EncodeError::UnsupportedTransactionVersion(version)) => Err(RpcError::new(
            code::UNSUPPORTED_TRANSACTION_VERSION,
            format!(
                "Transaction version ({version}) is not supported by the requesting client. \
                 Please try the request again with the following configuration parameter: \
                 \"maxSupportedTransactionVersion\": {version}"
            ),
        )),
    }
}

/// The `value` of `simulateTransaction`, also the `data` of a preflight failure.
pub fn simulation_result(
    chain: &Chain,
    simulation: &Simulation,
    accounts: Option<(Vec<Pubkey>, UiAccountEncoding)>,
    with_inner_instructions: bool,
) -> Result<Value, RpcError> {
    let accounts = match accounts {
        None => Value::Null,
        Some((addresses, encoding)) => {
            let mut rendered = Vec::with_capacity(addresses.len());
            for address in &addresses {
                let account = simulation
                    .post_accounts
                    .iter()
                    .find(|(pubkey, _)| pubkey == address)
                    .map(|(_, account)| account.clone())
                    .or_else(|| chain.account(address));
                rendered.push(match account {
                    Some(account) => json!(ui_account(chain, address, &account, encoding, None)?),
                    None => Value::Null,
                });
            }
            Value::Array(rendered)
        }
    };
    let inner_instructions = if with_inner_instructions {
        let keys = AccountKeys::new(&simulation.account_keys, None);
        json!(inner_instructions(&simulation.inner_instructions)
            .into_iter()
            .map(|inner| parse_ui_inner_instructions(inner, &keys))
            .collect::<Vec<_>>())
    } else {
        Value::Null
    };
    Ok(json!({
        "err": simulation.err,
        "logs": simulation.logs,
        "accounts": accounts,
        "unitsConsumed": simulation.units_consumed,
        "loadedAccountsDataSize": Value::Null,
        "returnData": simulation.return_data.clone().map(UiTransactionReturnData::from),
        "innerInstructions": inner_instructions,
        "replacementBlockhash": simulation.replacement_blockhash.map(|(blockhash, last_valid)| json!({
            "blockhash": blockhash.to_string(),
            "lastValidBlockHeight": last_valid,
        })),
    }))
}
