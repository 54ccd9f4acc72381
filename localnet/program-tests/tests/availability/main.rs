//! Availability: agents' signed probes attested by bonded keepers, failure quorums, and each
//! epoch's availability and keepers pools drawn from iotoken and shared by weight, with the
//! co-stakers' share deposited into staking. iotoken, the registry and staking run natively
//! inside LiteSVM exactly as the local chain runs them. One test binary per suite keeps linking
//! cheap.

// The senders hand back LiteSVM's own `TransactionResult`, whose error variant is large.
#![allow(clippy::result_large_err)]

mod attacks;
mod attest;
mod committees;
mod common;
mod failures;
mod figures;
mod rewards;
mod roots;
mod tips;
