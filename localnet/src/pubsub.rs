//! The websocket PubSub server: account, program, logs, signature, slot and root subscriptions,
//! with the notification shapes of the validator's `rpc_subscriptions`.

use {
    crate::{
        chain::{Chain, ChainEvent, TransactionEvent},
        encoding::ui_account,
        jsonrpc::{parse_pubkey, parse_signature, response, Params, Request, RpcError, RpcResult},
        rpc::{filter_allows, lock, SharedChain},
    },
    axum::{
        extract::{
            ws::{Message, WebSocket, WebSocketUpgrade},
            State,
        },
        response::Response,
        routing::any,
        Router,
    },
    futures_util::{SinkExt, StreamExt},
    serde_json::{json, Value},
    solana_account::{AccountSharedData, ReadableAccount},
    solana_account_decoder::{UiAccountEncoding, UiDataSliceConfig},
    solana_pubkey::Pubkey,
    solana_rpc_client_types::{
        config::{
            RpcAccountInfoConfig, RpcProgramAccountsConfig, RpcSignatureSubscribeConfig,
            RpcTransactionLogsFilter,
        },
        filter::RpcFilterType,
    },
    solana_signature::Signature,
    std::{
        collections::HashMap,
        sync::atomic::{AtomicU64, Ordering},
    },
    tokio::sync::broadcast::error::RecvError,
};

/// Subscription ids are unique across connections, as on a validator.
static NEXT_SUBSCRIPTION_ID: AtomicU64 = AtomicU64::new(0);

pub fn router(chain: SharedChain) -> Router {
    Router::new().route("/", any(upgrade)).with_state(chain)
}

async fn upgrade(State(chain): State<SharedChain>, ws: WebSocketUpgrade) -> Response {
    ws.on_upgrade(move |socket| serve(socket, chain))
}

enum Subscription {
    Account {
        pubkey: Pubkey,
        encoding: UiAccountEncoding,
        data_slice: Option<UiDataSliceConfig>,
    },
    Program {
        program_id: Pubkey,
        encoding: UiAccountEncoding,
        data_slice: Option<UiDataSliceConfig>,
        filters: Vec<RpcFilterType>,
    },
    Logs {
        mentions: Option<Pubkey>,
    },
    Signature {
        signature: Signature,
    },
    Slot,
    Root,
}

impl Subscription {
    /// The `*Unsubscribe` method that ends this subscription.
    fn kind(&self) -> &'static str {
        match self {
            Subscription::Account { .. } => "account",
            Subscription::Program { .. } => "program",
            Subscription::Logs { .. } => "logs",
            Subscription::Signature { .. } => "signature",
            Subscription::Slot => "slot",
            Subscription::Root => "root",
        }
    }
}

async fn serve(socket: WebSocket, chain: SharedChain) {
    let (mut sender, mut receiver) = socket.split();
    let mut events = lock(&chain).subscribe();
    let mut subscriptions: HashMap<u64, Subscription> = HashMap::new();
    loop {
        let outgoing: Vec<Value> = tokio::select! {
            message = receiver.next() => match message {
                Some(Ok(Message::Text(text))) => handle_text(&chain, &mut subscriptions, text.as_bytes()),
                Some(Ok(Message::Binary(bytes))) => handle_text(&chain, &mut subscriptions, &bytes),
                Some(Ok(Message::Ping(_) | Message::Pong(_))) => Vec::new(),
                Some(Ok(Message::Close(_))) => {
                    // Complete the closing handshake (the client hears 1000, not 1006).
                    let _ = sender.close().await;
                    return;
                }
                Some(Err(_)) | None => break,
            },
            event = events.recv() => match event {
                Ok(event) => notifications(&chain, &mut subscriptions, &event),
                Err(RecvError::Lagged(missed)) => {
                    eprintln!("localnet: a websocket client fell {missed} events behind; closing it");
                    break;
                }
                Err(RecvError::Closed) => break,
            },
        };
        for value in outgoing {
            if sender
                .send(Message::Text(value.to_string().into()))
                .await
                .is_err()
            {
                return;
            }
        }
    }
}

/// Answers a request (or batch) and appends any notification due at once (a signature that has
/// already landed).
fn handle_text(
    chain: &SharedChain,
    subscriptions: &mut HashMap<u64, Subscription>,
    text: &[u8],
) -> Vec<Value> {
    let Ok(value) = serde_json::from_slice::<Value>(text) else {
        return vec![response(Value::Null, Err(RpcError::parse_error()))];
    };
    let requests = match value {
        Value::Array(requests) => requests,
        request => vec![request],
    };
    let mut outgoing = Vec::new();
    for request in requests {
        let request = match Request::parse(request) {
            Ok(request) => request,
            Err((id, error)) => {
                outgoing.push(response(id, Err(error)));
                continue;
            }
        };
        let result = Params::from_request(request.params)
            .and_then(|params| handle_method(subscriptions, &request.method, &params));
        let immediate = match &result {
            Ok(Value::Number(id)) if request.method == "signatureSubscribe" => id
                .as_u64()
                .and_then(|id| landed_signature_notification(chain, subscriptions, id)),
            _ => None,
        };
        if let Some(id) = request.id {
            outgoing.push(response(id, result));
        }
        outgoing.extend(immediate);
    }
    outgoing
}

fn handle_method(
    subscriptions: &mut HashMap<u64, Subscription>,
    method: &str,
    params: &Params,
) -> RpcResult {
    let subscription = match method {
        "accountSubscribe" => {
            let pubkey = params.pubkey(0, "pubkey")?;
            let config = params
                .optional::<RpcAccountInfoConfig>(1, "config")?
                .unwrap_or_default();
            Subscription::Account {
                pubkey,
                encoding: config.encoding.unwrap_or(UiAccountEncoding::Binary),
                data_slice: config.data_slice,
            }
        }
        "programSubscribe" => {
            let program_id = params.pubkey(0, "program id")?;
            let config = params
                .optional::<RpcProgramAccountsConfig>(1, "config")?
                .unwrap_or_default();
            let filters = config.filters.unwrap_or_default();
            for filter in &filters {
                filter.verify().map_err(|error| {
                    RpcError::invalid_params(format!("Invalid param: {error:?}"))
                })?;
            }
            Subscription::Program {
                program_id,
                encoding: config
                    .account_config
                    .encoding
                    .unwrap_or(UiAccountEncoding::Binary),
                data_slice: config.account_config.data_slice,
                filters,
            }
        }
        "logsSubscribe" => {
            let filter: RpcTransactionLogsFilter = params.required(0, "filter")?;
            let mentions = match filter {
                RpcTransactionLogsFilter::All | RpcTransactionLogsFilter::AllWithVotes => None,
                RpcTransactionLogsFilter::Mentions(addresses) => match addresses.as_slice() {
                    [address] => Some(parse_pubkey(address)?),
                    _ => {
                        return Err(RpcError::invalid_params(
                            "Invalid Request: Only 1 address supported",
                        ))
                    }
                },
            };
            Subscription::Logs { mentions }
        }
        "signatureSubscribe" => {
            let signature = parse_signature(&params.required::<String>(0, "signature")?)?;
            let _config: Option<RpcSignatureSubscribeConfig> = params.optional(1, "config")?;
            Subscription::Signature { signature }
        }
        "slotSubscribe" => Subscription::Slot,
        "rootSubscribe" => Subscription::Root,
        _ => {
            let Some(kind) = method.strip_suffix("Unsubscribe") else {
                return Err(RpcError::method_not_found());
            };
            if !["account", "program", "logs", "signature", "slot", "root"].contains(&kind) {
                return Err(RpcError::method_not_found());
            }
            let id: u64 = params.required(0, "subscription id")?;
            return match subscriptions.get(&id) {
                Some(subscription) if subscription.kind() == kind => {
                    subscriptions.remove(&id);
                    Ok(json!(true))
                }
                _ => Err(RpcError::invalid_params("Invalid subscription id.")),
            };
        }
    };
    let id = NEXT_SUBSCRIPTION_ID.fetch_add(1, Ordering::Relaxed);
    subscriptions.insert(id, subscription);
    Ok(json!(id))
}

fn notification(method: &str, subscription: u64, result: Value) -> Value {
    json!({
        "jsonrpc": "2.0",
        "method": method,
        "params": { "result": result, "subscription": subscription },
    })
}

fn context(slot: u64, value: Value) -> Value {
    json!({ "context": { "slot": slot }, "value": value })
}

/// A signature subscribed to after its transaction landed is answered at once (and ends).
fn landed_signature_notification(
    chain: &SharedChain,
    subscriptions: &mut HashMap<u64, Subscription>,
    id: u64,
) -> Option<Value> {
    let Some(Subscription::Signature { signature }) = subscriptions.get(&id) else {
        return None;
    };
    let chain = lock(chain);
    let record = chain.transaction(signature)?;
    let value = notification(
        "signatureNotification",
        id,
        context(record.slot, json!({ "err": record.err })),
    );
    subscriptions.remove(&id);
    Some(value)
}

fn notifications(
    chain: &SharedChain,
    subscriptions: &mut HashMap<u64, Subscription>,
    event: &ChainEvent,
) -> Vec<Value> {
    if subscriptions.is_empty() {
        return Vec::new();
    }
    match event {
        ChainEvent::Slot { slot, parent } => subscriptions
            .iter()
            .filter_map(|(id, subscription)| match subscription {
                Subscription::Slot => Some(notification(
                    "slotNotification",
                    *id,
                    // The last completed slot is final on a single node.
                    json!({ "parent": parent, "root": parent, "slot": slot }),
                )),
                Subscription::Root => Some(notification("rootNotification", *id, json!(parent))),
                _ => None,
            })
            .collect(),
        ChainEvent::Transaction(event) => transaction_notifications(chain, subscriptions, event),
    }
}

fn transaction_notifications(
    chain: &SharedChain,
    subscriptions: &mut HashMap<u64, Subscription>,
    event: &TransactionEvent,
) -> Vec<Value> {
    let mut outgoing = Vec::new();
    let mut finished = Vec::new();
    // Rendering accounts as jsonParsed reads mints; one lock for the whole event.
    let needs_chain = subscriptions.values().any(|s| {
        matches!(
            s,
            Subscription::Account { .. } | Subscription::Program { .. }
        )
    });
    let chain = needs_chain.then(|| lock(chain));
    let render = |chain: &Chain, pubkey: &Pubkey, account: &AccountSharedData, encoding, slice| {
        ui_account(chain, pubkey, account, encoding, slice)
            .map_or(Value::Null, |account| json!(account))
    };
    for (id, subscription) in subscriptions.iter() {
        match subscription {
            Subscription::Signature { signature } if *signature == event.signature => {
                outgoing.push(notification(
                    "signatureNotification",
                    *id,
                    context(event.slot, json!({ "err": event.err })),
                ));
                finished.push(*id);
            }
            Subscription::Logs { mentions }
                if mentions.is_none_or(|address| event.account_keys.contains(&address)) =>
            {
                outgoing.push(notification(
                    "logsNotification",
                    *id,
                    context(
                        event.slot,
                        json!({ "signature": event.signature.to_string(), "err": event.err, "logs": event.logs }),
                    ),
                ));
            }
            Subscription::Account {
                pubkey,
                encoding,
                data_slice,
            } => {
                let Some(chain) = chain.as_deref() else {
                    continue;
                };
                for (changed, account) in &event.changed_accounts {
                    if changed == pubkey {
                        let value = render(chain, changed, account, *encoding, *data_slice);
                        outgoing.push(notification(
                            "accountNotification",
                            *id,
                            context(event.slot, value),
                        ));
                    }
                }
            }
            Subscription::Program {
                program_id,
                encoding,
                data_slice,
                filters,
            } => {
                let Some(chain) = chain.as_deref() else {
                    continue;
                };
                for (pubkey, account) in &event.changed_accounts {
                    if account.owner() == program_id
                        && filters.iter().all(|filter| filter_allows(filter, account))
                    {
                        let value = json!({
                            "pubkey": pubkey.to_string(),
                            "account": render(chain, pubkey, account, *encoding, *data_slice),
                        });
                        outgoing.push(notification(
                            "programNotification",
                            *id,
                            context(event.slot, value),
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    for id in finished {
        subscriptions.remove(&id);
    }
    outgoing
}
