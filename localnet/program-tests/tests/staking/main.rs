//! The staking program, executed natively inside LiteSVM exactly as the local chain runs it,
//! beside the token program and the registry it reads and governs. One test binary per program
//! keeps linking cheap.

// The senders hand back LiteSVM's own `TransactionResult`, whose error variant is large.
#![allow(clippy::result_large_err)]

mod common;
mod config;
mod execution;
mod figures;
mod layout;
mod pools;
mod positions;
mod properties;
mod proposals;
mod rewards;
mod self_stake;
mod slashing;
