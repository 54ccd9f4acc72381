//! The HTTP JSON-RPC server: the Solana RPC methods our clients use, answered from the chain with
//! the validator's shapes, codes and messages.

use {
    crate::{
        chain::{Chain, SendError},
        encoding::{encode_transaction, simulation_result, ui_account, ui_token_amount},
        jsonrpc::{
            code, parse_pubkey, parse_signature, response, Params, Request, RpcError, RpcResult,
        },
        tokens,
    },
    axum::{
        body::Bytes,
        extract::State,
        http::{header, HeaderValue, Method, StatusCode},
        middleware::{self, Next},
        response::{IntoResponse, Response},
        routing::{get, post},
        Router,
    },
    base64::{prelude::BASE64_STANDARD, Engine},
    bincode::Options,
    serde::Deserialize,
    serde_json::{json, Value},
    solana_account::{AccountSharedData, ReadableAccount},
    solana_account_decoder::{UiAccountEncoding, UiDataSliceConfig},
    solana_commitment_config::CommitmentLevel,
    solana_hash::Hash,
    solana_message::VersionedMessage,
    solana_pubkey::Pubkey,
    solana_rpc_client_types::{
        config::{
            RpcAccountInfoConfig, RpcContextConfig, RpcProgramAccountsConfig,
            RpcSendTransactionConfig, RpcSignatureStatusConfig, RpcSignaturesForAddressConfig,
            RpcSimulateTransactionConfig, RpcTokenAccountsFilter, RpcTransactionConfig,
        },
        filter::RpcFilterType,
    },
    solana_transaction::versioned::VersionedTransaction,
    solana_transaction_status::{TransactionBinaryEncoding, UiTransactionEncoding},
    std::{
        str::FromStr,
        sync::{Arc, Mutex, MutexGuard},
    },
};

/// The Solana version whose RPC this server speaks.
pub const SOLANA_CORE_VERSION: &str = "2.3.13";
/// Largest serialized transaction (the packet data size).
const PACKET_DATA_SIZE: usize = 1232;
const MAX_MULTIPLE_ACCOUNTS: usize = 100;
const MAX_SIGNATURE_STATUSES: usize = 256;
const MAX_SIGNATURES_FOR_ADDRESS: usize = 1000;
const MAX_PRIORITIZATION_FEE_ACCOUNTS: usize = 128;
const MAX_FILTERS: usize = 4;

pub type SharedChain = Arc<Mutex<Chain>>;

pub fn lock(chain: &SharedChain) -> MutexGuard<'_, Chain> {
    // A panic while holding the lock leaves the chain as consistent as the panic left it;
    // serving on is better than a dead local chain.
    chain
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub fn router(chain: SharedChain) -> Router {
    Router::new()
        .route("/", post(handle_post))
        .route("/health", get(|| async { "ok" }))
        .layer(middleware::from_fn(cors))
        .with_state(chain)
}

/// Browser dApps call the chain from another origin.
async fn cors(request: axum::extract::Request, next: Next) -> Response {
    let mut response = if request.method() == Method::OPTIONS {
        StatusCode::NO_CONTENT.into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("POST, GET, OPTIONS"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_HEADERS,
        HeaderValue::from_static("*"),
    );
    response
}

async fn handle_post(State(chain): State<SharedChain>, body: Bytes) -> Response {
    match handle_body(&chain, &body) {
        Some(value) => (
            [(header::CONTENT_TYPE, "application/json")],
            value.to_string(),
        )
            .into_response(),
        None => StatusCode::NO_CONTENT.into_response(),
    }
}

/// Answers a request or a batch; `None` when nothing needs an answer (only notifications).
pub fn handle_body(chain: &SharedChain, body: &[u8]) -> Option<Value> {
    let Ok(value) = serde_json::from_slice::<Value>(body) else {
        return Some(response(Value::Null, Err(RpcError::parse_error())));
    };
    match value {
        Value::Array(requests) if requests.is_empty() => Some(response(
            Value::Null,
            Err(RpcError::invalid_request("Invalid request")),
        )),
        Value::Array(requests) => {
            let responses: Vec<Value> = requests
                .into_iter()
                .filter_map(|request| handle_request(chain, request))
                .collect();
            (!responses.is_empty()).then_some(Value::Array(responses))
        }
        request => handle_request(chain, request),
    }
}

fn handle_request(chain: &SharedChain, request: Value) -> Option<Value> {
    let request = match Request::parse(request) {
        Ok(request) => request,
        Err((id, error)) => return Some(response(id, Err(error))),
    };
    let result = Params::from_request(request.params)
        .and_then(|params| dispatch(chain, &request.method, &params));
    request.id.map(|id| response(id, result))
}

fn dispatch(chain: &SharedChain, method: &str, params: &Params) -> RpcResult {
    match method {
        "getVersion" => Ok(json!({
            "solana-core": SOLANA_CORE_VERSION,
            "feature-set": solana_version::Version::default().feature_set,
        })),
        "getHealth" => Ok(json!("ok")),
        "getGenesisHash" => Ok(json!(lock(chain).genesis_hash().to_string())),
        "getSlot" => with_min_context(chain, params, 0, |chain, commitment| {
            Ok(json!(chain.committed_slot(commitment)))
        }),
        "getBlockHeight" => with_min_context(chain, params, 0, |chain, commitment| {
            Ok(json!(chain.committed_slot(commitment)))
        }),
        "getTransactionCount" => with_min_context(chain, params, 0, |chain, _| {
            Ok(json!(chain.transaction_count()))
        }),
        "getEpochInfo" => with_min_context(chain, params, 0, |chain, _| {
            let info = chain.epoch_info();
            Ok(json!({
                "absoluteSlot": info.absolute_slot,
                "blockHeight": info.block_height,
                "epoch": info.epoch,
                "slotIndex": info.slot_index,
                "slotsInEpoch": info.slots_in_epoch,
                "transactionCount": info.transaction_count,
            }))
        }),
        "getEpochSchedule" => {
            let schedule = lock(chain).epoch_schedule();
            Ok(json!({
                "slotsPerEpoch": schedule.slots_per_epoch,
                "leaderScheduleSlotOffset": schedule.leader_schedule_slot_offset,
                "warmup": schedule.warmup,
                "firstNormalEpoch": schedule.first_normal_epoch,
                "firstNormalSlot": schedule.first_normal_slot,
            }))
        }
        "getLatestBlockhash" => with_min_context(chain, params, 0, |chain, _| {
            let (blockhash, last_valid_block_height) = chain.latest_blockhash();
            Ok(with_context(
                chain,
                json!({ "blockhash": blockhash.to_string(), "lastValidBlockHeight": last_valid_block_height }),
            ))
        }),
        "isBlockhashValid" => {
            let blockhash = Hash::from_str(&params.required::<String>(0, "blockhash")?)
                .map_err(|error| RpcError::invalid_params(format!("Invalid param: {error:?}")))?;
            with_min_context(chain, params, 1, |chain, _| {
                Ok(with_context(
                    chain,
                    json!(chain.is_blockhash_valid(&blockhash)),
                ))
            })
        }
        "getFeeForMessage" => {
            let message = decode_message(&params.required::<String>(0, "message")?)?;
            with_min_context(chain, params, 1, |chain, _| {
                Ok(with_context(chain, json!(chain.fee_for_message(message))))
            })
        }
        "getMinimumBalanceForRentExemption" => {
            let data_len: usize = params.required(0, "data length")?;
            Ok(json!(
                lock(chain).minimum_balance_for_rent_exemption(data_len)
            ))
        }
        "getBalance" => {
            let pubkey = params.pubkey(0, "pubkey")?;
            with_min_context(chain, params, 1, |chain, _| {
                let lamports = chain
                    .account(&pubkey)
                    .map_or(0, |account| account.lamports());
                Ok(with_context(chain, json!(lamports)))
            })
        }
        "getAccountInfo" => get_account_info(chain, params),
        "getMultipleAccounts" => get_multiple_accounts(chain, params),
        "getProgramAccounts" => get_program_accounts(chain, params),
        "getTokenAccountsByOwner" => get_token_accounts_by_owner(chain, params),
        "getTokenAccountBalance" => {
            let pubkey = params.pubkey(0, "token account")?;
            with_min_context(chain, params, 1, |chain, _| {
                let token = chain
                    .account(&pubkey)
                    .and_then(|account| tokens::token_account(&account))
                    .ok_or_else(|| {
                        RpcError::invalid_params("Invalid param: not a Token account")
                    })?;
                let decimals = chain
                    .account(&token.mint)
                    .and_then(|mint| tokens::mint_decimals(&mint))
                    .ok_or_else(|| {
                        RpcError::invalid_params("Invalid param: could not find mint")
                    })?;
                Ok(with_context(chain, ui_token_amount(token.amount, decimals)))
            })
        }
        "getTokenSupply" => {
            let mint = params.pubkey(0, "mint")?;
            with_min_context(chain, params, 1, |chain, _| {
                let (supply, decimals) = chain
                    .account(&mint)
                    .and_then(|account| tokens::mint_supply(&account))
                    .ok_or_else(|| RpcError::invalid_params("Invalid param: not a Token mint"))?;
                Ok(with_context(chain, ui_token_amount(supply, decimals)))
            })
        }
        "requestAirdrop" => {
            let pubkey = params.pubkey(0, "pubkey")?;
            let lamports: u64 = params.required(1, "lamports")?;
            let signature = lock(chain)
                .airdrop(&pubkey, lamports)
                .map_err(RpcError::internal)?;
            Ok(json!(signature.to_string()))
        }
        // Local chains only (no cluster has it): moves the Clock forward for tests of time rules.
        "localnet_warpClock" => {
            let unix_timestamp: i64 = params.required(0, "unix timestamp")?;
            let mut chain = lock(chain);
            let clock = chain
                .warp_clock(unix_timestamp)
                .map_err(|error| RpcError::invalid_params(error.to_string()))?;
            Ok(json!({ "slot": clock.slot, "unixTimestamp": clock.unix_timestamp }))
        }
        "sendTransaction" => send_transaction(chain, params),
        "simulateTransaction" => simulate_transaction(chain, params),
        "getSignatureStatuses" => get_signature_statuses(chain, params),
        "getTransaction" => get_transaction(chain, params),
        "getSignaturesForAddress" => get_signatures_for_address(chain, params),
        "getRecentPrioritizationFees" => {
            let addresses: Vec<String> =
                params.optional(0, "account addresses")?.unwrap_or_default();
            if addresses.len() > MAX_PRIORITIZATION_FEE_ACCOUNTS {
                return Err(RpcError::invalid_params(format!(
                    "Too many inputs provided; max {MAX_PRIORITIZATION_FEE_ACCOUNTS}"
                )));
            }
            let accounts = addresses
                .iter()
                .map(|a| parse_pubkey(a))
                .collect::<Result<Vec<_>, _>>()?;
            let fees = lock(chain).recent_prioritization_fees(&accounts);
            Ok(json!(fees
                .into_iter()
                .map(|(slot, fee)| json!({ "slot": slot, "prioritizationFee": fee }))
                .collect::<Vec<_>>()))
        }
        _ => Err(RpcError::method_not_found()),
    }
}

/// Parses the optional config at `config_index` (commitment, `minContextSlot`), then runs
/// `answer` on the locked chain, at that commitment, if the chain has reached that slot.
fn with_min_context(
    chain: &SharedChain,
    params: &Params,
    config_index: usize,
    answer: impl FnOnce(&Chain, CommitmentLevel) -> RpcResult,
) -> RpcResult {
    let config: RpcContextConfig = params.optional(config_index, "config")?.unwrap_or_default();
    let chain = lock(chain);
    check_min_context_slot(&chain, config.min_context_slot)?;
    let commitment = config
        .commitment
        .map_or(CommitmentLevel::Finalized, |c| c.commitment);
    answer(&chain, commitment)
}

fn check_min_context_slot(chain: &Chain, min_context_slot: Option<u64>) -> Result<(), RpcError> {
    match min_context_slot {
        Some(min) if min > chain.slot() => Err(RpcError::new(
            code::MIN_CONTEXT_SLOT_NOT_REACHED,
            "Minimum context slot has not been reached",
        )
        .with_data(json!({ "contextSlot": chain.slot() }))),
        _ => Ok(()),
    }
}

fn with_context(chain: &Chain, value: Value) -> Value {
    json!({
        "context": { "apiVersion": SOLANA_CORE_VERSION, "slot": chain.slot() },
        "value": value,
    })
}

fn account_config(params: &Params, index: usize) -> Result<RpcAccountInfoConfig, RpcError> {
    Ok(params
        .optional::<RpcAccountInfoConfig>(index, "config")?
        .unwrap_or_default())
}

fn get_account_info(chain: &SharedChain, params: &Params) -> RpcResult {
    let pubkey = params.pubkey(0, "pubkey")?;
    let config = account_config(params, 1)?;
    let chain = lock(chain);
    check_min_context_slot(&chain, config.min_context_slot)?;
    let encoding = config.encoding.unwrap_or(UiAccountEncoding::Binary);
    let value = match chain.account(&pubkey) {
        Some(account) => json!(ui_account(
            &chain,
            &pubkey,
            &account,
            encoding,
            config.data_slice
        )?),
        None => Value::Null,
    };
    Ok(with_context(&chain, value))
}

fn get_multiple_accounts(chain: &SharedChain, params: &Params) -> RpcResult {
    let addresses: Vec<String> = params.required(0, "pubkeys")?;
    if addresses.len() > MAX_MULTIPLE_ACCOUNTS {
        return Err(RpcError::invalid_params(format!(
            "Too many inputs provided; max {MAX_MULTIPLE_ACCOUNTS}"
        )));
    }
    let pubkeys = addresses
        .iter()
        .map(|a| parse_pubkey(a))
        .collect::<Result<Vec<_>, _>>()?;
    let config = account_config(params, 1)?;
    let chain = lock(chain);
    check_min_context_slot(&chain, config.min_context_slot)?;
    let encoding = config.encoding.unwrap_or(UiAccountEncoding::Base64);
    let mut accounts = Vec::with_capacity(pubkeys.len());
    for pubkey in &pubkeys {
        accounts.push(match chain.account(pubkey) {
            Some(account) => json!(ui_account(
                &chain,
                pubkey,
                &account,
                encoding,
                config.data_slice
            )?),
            None => Value::Null,
        });
    }
    Ok(with_context(&chain, Value::Array(accounts)))
}

fn verify_filters(filters: &[RpcFilterType]) -> Result<(), RpcError> {
    if filters.len() > MAX_FILTERS {
        return Err(RpcError::invalid_params(format!(
            "Too many filters provided; max {MAX_FILTERS}"
        )));
    }
    for filter in filters {
        filter
            .verify()
            .map_err(|error| RpcError::invalid_params(format!("Invalid param: {error:?}")))?;
    }
    Ok(())
}

/// Whether `account` passes a `getProgramAccounts` / `programSubscribe` filter.
pub fn filter_allows(filter: &RpcFilterType, account: &AccountSharedData) -> bool {
    match filter {
        RpcFilterType::DataSize(size) => account.data().len() as u64 == *size,
        RpcFilterType::Memcmp(compare) => compare.bytes_match(account.data()),
        RpcFilterType::TokenAccountState => tokens::is_token_account_data(account.data()),
    }
}

fn keyed_accounts<'a>(
    chain: &Chain,
    accounts: impl Iterator<Item = (&'a Pubkey, &'a AccountSharedData)>,
    encoding: UiAccountEncoding,
    data_slice: Option<UiDataSliceConfig>,
) -> Result<Vec<Value>, RpcError> {
    accounts
        .map(|(pubkey, account)| {
            Ok(json!({
                "pubkey": pubkey.to_string(),
                "account": ui_account(chain, pubkey, account, encoding, data_slice)?,
            }))
        })
        .collect()
}

fn get_program_accounts(chain: &SharedChain, params: &Params) -> RpcResult {
    let program_id = params.pubkey(0, "program id")?;
    let config = params
        .optional::<RpcProgramAccountsConfig>(1, "config")?
        .unwrap_or_default();
    let filters = config.filters.unwrap_or_default();
    verify_filters(&filters)?;
    let chain = lock(chain);
    check_min_context_slot(&chain, config.account_config.min_context_slot)?;
    let encoding = config
        .account_config
        .encoding
        .unwrap_or(UiAccountEncoding::Binary);
    let matching = chain.accounts_owned_by(&program_id, |account| {
        filters.iter().all(|filter| filter_allows(filter, account))
    });
    let keyed = keyed_accounts(
        &chain,
        matching.into_iter(),
        encoding,
        config.account_config.data_slice,
    )?;
    Ok(if config.with_context.unwrap_or(false) {
        with_context(&chain, Value::Array(keyed))
    } else {
        Value::Array(keyed)
    })
}

fn get_token_accounts_by_owner(chain: &SharedChain, params: &Params) -> RpcResult {
    let owner = params.pubkey(0, "owner")?;
    let filter: RpcTokenAccountsFilter = params.required(1, "mint or programId filter")?;
    let config = account_config(params, 2)?;
    let chain = lock(chain);
    check_min_context_slot(&chain, config.min_context_slot)?;
    let (program_filter, mint_filter) = match filter {
        RpcTokenAccountsFilter::Mint(mint) => {
            let mint = parse_pubkey(&mint)?;
            let mint_account = chain
                .account(&mint)
                .filter(|account| tokens::mint_decimals(account).is_some())
                .ok_or_else(|| RpcError::invalid_params("Invalid param: could not find mint"))?;
            (*mint_account.owner(), Some(mint))
        }
        RpcTokenAccountsFilter::ProgramId(program_id) => {
            let program_id = parse_pubkey(&program_id)?;
            if !tokens::is_token_program(&program_id) {
                return Err(RpcError::invalid_params(
                    "Invalid param: unrecognized Token program id",
                ));
            }
            (program_id, None)
        }
    };
    let encoding = config.encoding.unwrap_or(UiAccountEncoding::Binary);
    let matching = chain.accounts_owned_by(&program_filter, |account| {
        tokens::token_account(account).is_some_and(|token| {
            token.owner == owner && mint_filter.is_none_or(|mint| token.mint == mint)
        })
    });
    let keyed = keyed_accounts(&chain, matching.into_iter(), encoding, config.data_slice)?;
    Ok(with_context(&chain, Value::Array(keyed)))
}

/// Decodes a wire transaction in the given encoding (base58 by default, as the RPC does).
fn decode_transaction(
    encoded: &str,
    encoding: UiTransactionEncoding,
) -> Result<VersionedTransaction, RpcError> {
    let binary_encoding = encoding.into_binary_encoding().ok_or_else(|| {
        RpcError::invalid_params(format!(
            "unsupported encoding: {encoding}. Supported encodings: base58, base64"
        ))
    })?;
    let bytes = match binary_encoding {
        TransactionBinaryEncoding::Base58 => bs58::decode(encoded).into_vec().map_err(|error| {
            RpcError::invalid_params(format!("invalid base58 encoding: {error:?}"))
        })?,
        TransactionBinaryEncoding::Base64 => BASE64_STANDARD.decode(encoded).map_err(|error| {
            RpcError::invalid_params(format!("invalid base64 encoding: {error:?}"))
        })?,
    };
    if bytes.len() > PACKET_DATA_SIZE {
        return Err(RpcError::invalid_params(format!(
            "{binary_encoding:?} encoded solana_transaction::versioned::VersionedTransaction too large: {} bytes (max: {PACKET_DATA_SIZE} bytes)",
            bytes.len()
        )));
    }
    bincode::options()
        .with_limit(PACKET_DATA_SIZE as u64)
        .with_fixint_encoding()
        .allow_trailing_bytes()
        .deserialize_from(&bytes[..])
        .map_err(|error| {
            RpcError::invalid_params(format!(
                "failed to deserialize solana_transaction::versioned::VersionedTransaction: {error}"
            ))
        })
}

fn decode_message(encoded: &str) -> Result<VersionedMessage, RpcError> {
    let bytes = BASE64_STANDARD
        .decode(encoded)
        .map_err(|error| RpcError::invalid_params(format!("invalid base64 encoding: {error:?}")))?;
    bincode::options()
        .with_limit(PACKET_DATA_SIZE as u64)
        .with_fixint_encoding()
        .allow_trailing_bytes()
        .deserialize_from(&bytes[..])
        .map_err(|error| RpcError::invalid_params(format!("invalid message: {error}")))
}

fn send_error(chain: &Chain, error: SendError) -> RpcError {
    match error {
        SendError::Invalid(error) => {
            RpcError::invalid_params(format!("invalid transaction: {error}"))
        }
        SendError::SignatureFailure => RpcError::new(
            code::TRANSACTION_SIGNATURE_VERIFICATION_FAILURE,
            "Transaction signature verification failure",
        ),
        SendError::Preflight(simulation) => {
            let message = match &simulation.err {
                Some(err) => format!("Transaction simulation failed: {err}"),
                None => "Transaction simulation failed".to_string(),
            };
            match simulation_result(chain, &simulation, None, false) {
                Ok(data) => {
                    RpcError::new(code::SEND_TRANSACTION_PREFLIGHT_FAILURE, message).with_data(data)
                }
                Err(error) => error,
            }
        }
    }
}

fn send_transaction(chain: &SharedChain, params: &Params) -> RpcResult {
    let encoded: String = params.required(0, "transaction")?;
    let config = params
        .optional::<RpcSendTransactionConfig>(1, "config")?
        .unwrap_or_default();
    let transaction = decode_transaction(
        &encoded,
        config.encoding.unwrap_or(UiTransactionEncoding::Base58),
    )?;
    let mut chain = lock(chain);
    check_min_context_slot(&chain, config.min_context_slot)?;
    match chain.send_transaction(transaction, config.skip_preflight) {
        Ok(signature) => Ok(json!(signature.to_string())),
        Err(error) => Err(send_error(&chain, error)),
    }
}

fn simulate_transaction(chain: &SharedChain, params: &Params) -> RpcResult {
    let encoded: String = params.required(0, "transaction")?;
    let config = params
        .optional::<RpcSimulateTransactionConfig>(1, "config")?
        .unwrap_or_default();
    if config.sig_verify && config.replace_recent_blockhash {
        return Err(RpcError::invalid_params(
            "sigVerify may not be used with replaceRecentBlockhash",
        ));
    }
    let transaction = decode_transaction(
        &encoded,
        config.encoding.unwrap_or(UiTransactionEncoding::Base58),
    )?;
    let accounts = match config.accounts {
        Some(accounts) => Some((
            accounts
                .addresses
                .iter()
                .map(|a| parse_pubkey(a))
                .collect::<Result<Vec<_>, _>>()?,
            accounts.encoding.unwrap_or(UiAccountEncoding::Base64),
        )),
        None => None,
    };
    let mut chain = lock(chain);
    check_min_context_slot(&chain, config.min_context_slot)?;
    let simulation = chain
        .simulate(
            transaction,
            config.sig_verify,
            config.replace_recent_blockhash,
        )
        .map_err(|error| send_error(&chain, error))?;
    let value = simulation_result(&chain, &simulation, accounts, config.inner_instructions)?;
    Ok(with_context(&chain, value))
}

fn signature_status_json(record: &crate::history::TransactionRecord) -> Value {
    let status = match &record.err {
        None => json!({ "Ok": null }),
        Some(err) => json!({ "Err": err }),
    };
    json!({
        "slot": record.slot,
        "confirmations": null,
        "err": record.err,
        "status": status,
        "confirmationStatus": "finalized",
    })
}

fn get_signature_statuses(chain: &SharedChain, params: &Params) -> RpcResult {
    let signatures: Vec<String> = params.required(0, "signatures")?;
    if signatures.len() > MAX_SIGNATURE_STATUSES {
        return Err(RpcError::invalid_params(format!(
            "Too many inputs provided; max {MAX_SIGNATURE_STATUSES}"
        )));
    }
    let signatures = signatures
        .iter()
        .map(|s| parse_signature(s))
        .collect::<Result<Vec<_>, _>>()?;
    let _config: Option<RpcSignatureStatusConfig> = params.optional(1, "config")?;
    let chain = lock(chain);
    let statuses: Vec<Value> = signatures
        .iter()
        .map(|signature| {
            chain
                .transaction(signature)
                .map_or(Value::Null, signature_status_json)
        })
        .collect();
    Ok(with_context(&chain, Value::Array(statuses)))
}

/// `getTransaction`'s second parameter: a config object, or (deprecated) just an encoding.
#[derive(Deserialize)]
#[serde(untagged)]
enum TransactionConfigParam {
    Config(RpcTransactionConfig),
    Encoding(UiTransactionEncoding),
}

fn get_transaction(chain: &SharedChain, params: &Params) -> RpcResult {
    let signature = parse_signature(&params.required::<String>(0, "signature")?)?;
    let config = match params.optional::<TransactionConfigParam>(1, "config")? {
        Some(TransactionConfigParam::Config(config)) => config,
        Some(TransactionConfigParam::Encoding(encoding)) => RpcTransactionConfig {
            encoding: Some(encoding),
            ..Default::default()
        },
        None => RpcTransactionConfig::default(),
    };
    let chain = lock(chain);
    match chain.transaction(&signature) {
        Some(record) => encode_transaction(
            record,
            config.encoding.unwrap_or(UiTransactionEncoding::Json),
            config.max_supported_transaction_version,
        ),
        None => Ok(Value::Null),
    }
}

fn get_signatures_for_address(chain: &SharedChain, params: &Params) -> RpcResult {
    let address = params.pubkey(0, "address")?;
    let config = params
        .optional::<RpcSignaturesForAddressConfig>(1, "config")?
        .unwrap_or_default();
    let limit = config.limit.unwrap_or(MAX_SIGNATURES_FOR_ADDRESS);
    if limit == 0 || limit > MAX_SIGNATURES_FOR_ADDRESS {
        return Err(RpcError::invalid_params(format!(
            "Invalid limit; max {MAX_SIGNATURES_FOR_ADDRESS}"
        )));
    }
    let before = config.before.as_deref().map(parse_signature).transpose()?;
    let until = config.until.as_deref().map(parse_signature).transpose()?;
    let chain = lock(chain);
    check_min_context_slot(&chain, config.min_context_slot)?;
    let records = chain.signatures_for_address(&address, before.as_ref(), until.as_ref(), limit);
    Ok(json!(records
        .into_iter()
        .map(|record| json!({
            "signature": record.signature.to_string(),
            "slot": record.slot,
            "err": record.err,
            "memo": record.memo,
            "blockTime": record.block_time,
            "confirmationStatus": "finalized",
        }))
        .collect::<Vec<_>>()))
}
