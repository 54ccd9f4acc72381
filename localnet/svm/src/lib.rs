//! iogrid's native execution layer: Anchor programs compiled for the host, executed inside LiteSVM
//! as if they were deployed SBF programs (same account serialisation and checks, CPI with PDA
//! signing into native and SBF programs, sysvars, return data and validator-exact logs).
//!
//! ```text
//! let mut svm = litesvm::LiteSVM::new();
//! iogrid_svm::add_native_program(&mut svm, registry::ID, iogrid_svm::anchor_processor!(registry::entry));
//! ```

mod native;
mod stdout_logs;

pub use native::{
    add_native_program, install_process_hooks, ProcessInstruction, NATIVE_INVOCATION_COST,
};
#[doc(hidden)]
pub use solana_program::{account_info::AccountInfo, entrypoint::ProgramResult, pubkey::Pubkey};
pub use stdout_logs::capture_stdout_as_program_logs;
