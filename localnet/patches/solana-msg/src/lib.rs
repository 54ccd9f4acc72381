//! `msg!` and `sol_log`, as in upstream `solana-msg`, plus an off-chain log sink.
//!
//! On-chain (`target_os = "solana"`) a message goes to the `sol_log_` syscall. Off-chain, a host that
//! executes programs natively (the iogrid local chain) installs a sink with [`set_native_log_sink`] so
//! that `msg!` lands in the transaction's log as `Program log: ...`, exactly as on a validator. With no
//! sink installed the message is printed, which is the upstream behaviour.

/// Print a message to the log.
///
/// Supports simple strings as well as Rust format strings, like upstream `solana_msg::msg!`.
#[macro_export]
macro_rules! msg {
    ($msg:expr) => {
        $crate::sol_log($msg)
    };
    ($($arg:tt)*) => ($crate::sol_log(&format!($($arg)*)));
}

#[cfg(target_os = "solana")]
pub mod syscalls {
    //! Syscall definitions used by `solana_msg`.
    pub use solana_define_syscall::definitions::{
        sol_log_, sol_log_64_, sol_log_compute_units_, sol_log_data,
    };
}

/// Print a string to the log.
#[inline]
pub fn sol_log(message: &str) {
    #[cfg(target_os = "solana")]
    unsafe {
        syscalls::sol_log_(message.as_ptr(), message.len() as u64);
    }

    #[cfg(not(target_os = "solana"))]
    native::log(message);
}

#[cfg(not(target_os = "solana"))]
mod native {
    use std::sync::OnceLock;

    static SINK: OnceLock<fn(&str)> = OnceLock::new();

    pub fn log(message: &str) {
        match SINK.get() {
            Some(sink) => sink(message),
            None => println!("{message}"),
        }
    }

    pub fn set_sink(sink: fn(&str)) -> bool {
        SINK.set(sink).is_ok()
    }
}

/// Route off-chain `msg!`/`sol_log` output to `sink` for the rest of the process.
///
/// The sink is installed once per process; returns false if one was already installed.
#[cfg(not(target_os = "solana"))]
pub fn set_native_log_sink(sink: fn(&str)) -> bool {
    native::set_sink(sink)
}
