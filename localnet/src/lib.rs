//! iogrid's local chain. Every workspace program runs natively inside LiteSVM at its declared id,
//! next to SPL Token, Token-2022, ATA and Memo, served over the standard Solana JSON-RPC (HTTP) and
//! PubSub (websocket) APIs, so stock clients work unchanged. The `localnet` binary wires these
//! modules to the network; tests drive [`chain::Chain`] and [`rpc::handle_body`] directly.

pub mod chain;
pub mod encoding;
pub mod history;
pub mod jsonrpc;
pub mod programs;
pub mod pubsub;
pub mod rpc;
pub mod store;
pub mod tokens;
