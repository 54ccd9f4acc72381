//! JSON-RPC answers, checked as JSON: shapes, codes and messages that Solana clients parse.

use {
    base64::{prelude::BASE64_STANDARD, Engine},
    iogrid_localnet::{
        chain::{Chain, ChainOptions},
        rpc::{handle_body, SharedChain},
    },
    serde_json::{json, Value},
    solana_keypair::Keypair,
    solana_pubkey::Pubkey,
    solana_signer::Signer,
    solana_system_interface::instruction as system_instruction,
    solana_transaction::Transaction,
    std::sync::{Arc, Mutex},
    tokio::sync::broadcast,
};

fn chain() -> SharedChain {
    let (events, _) = broadcast::channel(16);
    let chain = Chain::open(
        ChainOptions {
            state_dir: None,
            history_limit: 1_000,
        },
        events,
    )
    .expect("chain");
    Arc::new(Mutex::new(chain))
}

fn call(chain: &SharedChain, method: &str, params: Value) -> Value {
    let request = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params });
    handle_body(chain, request.to_string().as_bytes()).expect("a response")
}

fn result(chain: &SharedChain, method: &str, params: Value) -> Value {
    let response = call(chain, method, params);
    assert!(response.get("error").is_none(), "{method}: {response}");
    response["result"].clone()
}

fn error(chain: &SharedChain, method: &str, params: Value) -> Value {
    let response = call(chain, method, params);
    assert!(
        response.get("result").is_none(),
        "{method} should fail: {response}"
    );
    response["error"].clone()
}

fn airdropped(chain: &SharedChain, lamports: u64) -> Keypair {
    let keypair = Keypair::new();
    result(
        chain,
        "requestAirdrop",
        json!([keypair.pubkey().to_string(), lamports]),
    );
    keypair
}

fn signed_transfer(chain: &SharedChain, from: &Keypair, to: &Pubkey, lamports: u64) -> String {
    let blockhash = result(chain, "getLatestBlockhash", json!([]))["value"]["blockhash"]
        .as_str()
        .expect("blockhash")
        .parse()
        .expect("hash");
    let tx = Transaction::new_signed_with_payer(
        &[system_instruction::transfer(&from.pubkey(), to, lamports)],
        Some(&from.pubkey()),
        &[from],
        blockhash,
    );
    BASE64_STANDARD.encode(bincode::serialize(&tx).expect("serialize"))
}

#[test]
fn malformed_requests_get_jsonrpc_errors() {
    let chain = chain();
    let parse = handle_body(&chain, b"{not json").expect("response");
    assert_eq!(parse["error"]["code"], -32700);
    assert_eq!(parse["id"], Value::Null);
    assert_eq!(error(&chain, "noSuchMethod", json!([]))["code"], -32601);
    assert_eq!(error(&chain, "getBalance", json!([]))["code"], -32602);
    assert_eq!(
        error(&chain, "getBalance", json!(["not-a-key"]))["code"],
        -32602
    );
    assert_eq!(
        error(&chain, "getBalance", json!({"pubkey": "x"}))["code"],
        -32602
    );
    let empty_batch = handle_body(&chain, b"[]").expect("response");
    assert_eq!(empty_batch["error"]["code"], -32600);
    let batch = handle_body(
        &chain,
        br#"[{"jsonrpc":"2.0","id":1,"method":"getSlot"},{"jsonrpc":"2.0","method":"getSlot"},{"jsonrpc":"2.0","id":3,"method":"nope"}]"#,
    )
    .expect("response");
    let batch = batch.as_array().expect("array");
    assert_eq!(batch.len(), 2, "the notification gets no answer");
    assert_eq!(batch[0]["id"], 1);
    assert_eq!(batch[1]["error"]["code"], -32601);
    assert_eq!(result(&chain, "getHealth", json!([])), "ok");
}

#[test]
fn preflight_failures_carry_the_simulation_as_the_validator_does() {
    let chain = chain();
    let payer = airdropped(&chain, 1_000_000);
    let tx = signed_transfer(&chain, &payer, &Pubkey::new_unique(), 2_000_000);
    let error = error(
        &chain,
        "sendTransaction",
        json!([tx, { "encoding": "base64" }]),
    );
    assert_eq!(error["code"], -32002);
    assert_eq!(
        error["message"],
        "Transaction simulation failed: Error processing Instruction 0: custom program error: 0x1"
    );
    assert_eq!(
        error["data"]["err"],
        json!({ "InstructionError": [0, { "Custom": 1 }] })
    );
    let logs = error["data"]["logs"].as_array().expect("logs");
    assert_eq!(
        logs[0],
        "Program 11111111111111111111111111111111 invoke [1]"
    );
    assert!(error["data"]["unitsConsumed"].is_u64());
}

#[test]
fn a_landed_transaction_is_reported_by_status_transaction_and_address() {
    let chain = chain();
    let payer = airdropped(&chain, 10_000_000);
    let recipient = Pubkey::new_unique();
    let tx = signed_transfer(&chain, &payer, &recipient, 1_000_000);
    let signature = result(
        &chain,
        "sendTransaction",
        json!([tx, { "encoding": "base64" }]),
    );

    let statuses = result(&chain, "getSignatureStatuses", json!([[signature]]));
    let status = &statuses["value"][0];
    assert_eq!(status["err"], Value::Null);
    assert_eq!(status["status"], json!({ "Ok": null }));
    assert_eq!(status["confirmationStatus"], "finalized");
    assert_eq!(status["confirmations"], Value::Null);

    let transaction = result(
        &chain,
        "getTransaction",
        json!([signature, { "encoding": "json" }]),
    );
    assert_eq!(transaction["meta"]["fee"], 5_000);
    assert_eq!(transaction["meta"]["preBalances"][0], 10_000_000);
    assert_eq!(
        transaction["meta"]["postBalances"][0],
        10_000_000 - 1_000_000 - 5_000
    );
    assert_eq!(transaction["meta"]["postBalances"][1], 1_000_000);
    assert_eq!(transaction["meta"]["err"], Value::Null);
    assert_eq!(transaction["transaction"]["signatures"][0], signature);
    assert!(transaction["blockTime"].is_i64());

    let signatures = result(
        &chain,
        "getSignaturesForAddress",
        json!([recipient.to_string()]),
    );
    assert_eq!(signatures.as_array().expect("array").len(), 1);
    assert_eq!(signatures[0]["signature"], signature);
    assert_eq!(signatures[0]["memo"], Value::Null);

    let airdrops = result(
        &chain,
        "getSignaturesForAddress",
        json!([payer.pubkey().to_string(), { "limit": 5 }]),
    );
    assert_eq!(airdrops[0]["signature"], signature, "newest first");
    assert_eq!(airdrops[1]["memo"], "[25] iogrid localnet faucet #1");
    assert_eq!(
        error(
            &chain,
            "getSignaturesForAddress",
            json!([recipient.to_string(), { "limit": 1001 }])
        )["code"],
        -32602
    );

    assert_eq!(
        result(
            &chain,
            "getTransaction",
            json!([bs58::encode([9u8; 64]).into_string()])
        ),
        Value::Null
    );
}

#[test]
fn accounts_render_in_every_encoding_with_the_base58_limit() {
    let chain = chain();
    let owner = airdropped(&chain, 5_000_000);
    let info = result(
        &chain,
        "getAccountInfo",
        json!([owner.pubkey().to_string(), { "encoding": "base64" }]),
    );
    assert_eq!(info["value"]["lamports"], 5_000_000);
    assert_eq!(info["value"]["owner"], "11111111111111111111111111111111");
    assert_eq!(info["value"]["data"], json!(["", "base64"]));
    assert_eq!(info["value"]["space"], 0);
    let missing = result(
        &chain,
        "getAccountInfo",
        json!([Pubkey::new_unique().to_string()]),
    );
    assert_eq!(missing["value"], Value::Null);
    // Token-2022's program account is large: base58 is refused, as on a validator.
    let token_2022 = "TokenzQdBNbLqP5VEhdkAS6EPFLC1PHnBqCXEpPxuEb";
    assert_eq!(
        error(
            &chain,
            "getAccountInfo",
            json!([token_2022, { "encoding": "base58" }])
        )["code"],
        -32600
    );
    let sliced = result(
        &chain,
        "getAccountInfo",
        json!([token_2022, { "encoding": "base58", "dataSlice": { "offset": 0, "length": 4 } }]),
    );
    assert_eq!(sliced["value"]["data"][1], "base58");
}

#[test]
fn min_context_slot_is_enforced() {
    let chain = chain();
    let error = error(&chain, "getSlot", json!([{ "minContextSlot": 1_000_000 }]));
    assert_eq!(error["code"], -32016);
    assert_eq!(error["data"]["contextSlot"], 0);
    assert_eq!(
        result(&chain, "getSlot", json!([{ "minContextSlot": 0 }])),
        0
    );
}

#[test]
fn warp_clock_moves_time_forward_only() {
    let chain = chain();
    let before = chain.lock().unwrap().clock().unix_timestamp;
    let target = before + 30 * 86_400;
    let warped = result(&chain, "localnet_warpClock", json!([target]));
    assert_eq!(warped["unixTimestamp"], target);
    assert_eq!(warped["slot"], 1);
    assert_eq!(chain.lock().unwrap().clock().unix_timestamp, target);

    let error = error(&chain, "localnet_warpClock", json!([before]));
    assert_eq!(error["code"], -32602);
    assert!(error["message"]
        .as_str()
        .unwrap()
        .contains("the clock only moves forward"));
    // Time keeps running from the warped time, never back to the wall clock's.
    chain.lock().unwrap().advance_slot().unwrap();
    assert!(chain.lock().unwrap().clock().unix_timestamp >= target);
}
