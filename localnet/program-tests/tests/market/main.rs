//! The market program, executed natively inside LiteSVM beside iotoken, the registry and staking
//! exactly as the local chain runs them: reservations booked in device batches, started,
//! extended, cancelled, settled and closed, paid in IOSD, IO or USDC. One test binary per program
//! keeps linking cheap.

// The senders hand back LiteSVM's own `TransactionResult`, whose error variant is large.
#![allow(clippy::result_large_err)]

mod attacks;
// The availability suite's probes, attestations and claims, for the invariant runs.
#[allow(dead_code, unused_imports)]
#[path = "../availability/common.rs"]
mod availability;
mod common;
mod config;
mod figures;
mod flows;
mod invariants;
mod payments;
mod price_guard;
mod refusals;
