//! The token program, executed natively inside LiteSVM exactly as the local chain runs it.
//! One test binary per program keeps linking cheap.

// The senders hand back LiteSVM's own `TransactionResult`, whose error variant is large.
#![allow(clippy::result_large_err)]

mod common;
mod distribution;
mod epochs;
mod figures;
mod genesis;
mod initialize;
mod iosd;
mod price;
mod schedule;
mod treasury;
