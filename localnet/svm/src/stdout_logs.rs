//! Off chain, `Pubkey::log` prints the key to standard output (on chain it is the
//! `sol_log_pubkey` syscall, whose line lands in the transaction's log). Anchor logs the two keys
//! of every failed key comparison that way (`Left:`, key, `Right:`, key), and clients read them
//! back from the log. A host that wants validator-exact logs — the local chain — calls
//! [`capture_stdout_as_program_logs`] once: from then on, while a native program runs, the
//! process's standard output is a pipe, and every line printed into it becomes a `Program log:`
//! line of the running program, in order with its `msg!` lines (the log sink drains the pipe before
//! each message, and the program's end drains the rest).
//!
//! The redirect is process-wide, so it is taken under a lock for the whole outermost native
//! invocation; nothing else in such a host may print to standard output meanwhile (the local chain
//! prints its own messages to standard error). Hosts that do not call it — unit tests, whose
//! harness captures printed output per thread — see no change.

use std::{
    cell::Cell,
    io::{self, Write},
    os::fd::RawFd,
    sync::{Mutex, MutexGuard, OnceLock},
};

struct Capture {
    read_end: RawFd,
    write_end: RawFd,
    /// The host's own standard output, put back between invocations.
    stdout: RawFd,
    /// Bytes read from the pipe that do not end a line yet.
    partial: Mutex<Vec<u8>>,
}

static CAPTURE: OnceLock<Capture> = OnceLock::new();
/// Held while a native program runs with standard output redirected.
static REDIRECTED: Mutex<()> = Mutex::new(());

thread_local! {
    /// Native invocations on this thread's stack (a CPI into another native program nests).
    static DEPTH: Cell<usize> = const { Cell::new(0) };
}

/// Turns lines a native program prints to standard output into its `Program log:` lines, for the
/// rest of the process. Idempotent.
pub fn capture_stdout_as_program_logs() -> io::Result<()> {
    if CAPTURE.get().is_some() {
        return Ok(());
    }
    let mut fds = [0 as RawFd; 2];
    // SAFETY: plain POSIX calls on descriptors this function owns.
    unsafe {
        if libc::pipe(fds.as_mut_ptr()) != 0 {
            return Err(io::Error::last_os_error());
        }
        // Room for any burst of prints between two messages; reading never blocks.
        libc::fcntl(fds[1], libc::F_SETPIPE_SZ, 1 << 20);
        let flags = libc::fcntl(fds[0], libc::F_GETFL);
        libc::fcntl(fds[0], libc::F_SETFL, flags | libc::O_NONBLOCK);
        let stdout = libc::dup(libc::STDOUT_FILENO);
        if stdout < 0 {
            return Err(io::Error::last_os_error());
        }
        let _ = CAPTURE.set(Capture {
            read_end: fds[0],
            write_end: fds[1],
            stdout,
            partial: Mutex::new(Vec::new()),
        });
    }
    Ok(())
}

/// Standard output redirected into the pipe for as long as it lives (outermost invocation only).
pub(crate) struct Redirect {
    /// Held while standard output is redirected; `None` for a nested or uncaptured invocation.
    lock: Option<MutexGuard<'static, ()>>,
}

/// Called as a native program starts: redirects standard output if capture is on and this is the
/// outermost native invocation.
pub(crate) fn begin() -> Redirect {
    let outermost = DEPTH.with(|depth| {
        depth.set(depth.get() + 1);
        depth.get() == 1
    });
    let lock = match CAPTURE.get() {
        Some(capture) if outermost => {
            let lock = REDIRECTED.lock().unwrap_or_else(|p| p.into_inner());
            let _ = io::stdout().flush();
            // SAFETY: both descriptors are open for the life of the process.
            unsafe { libc::dup2(capture.write_end, libc::STDOUT_FILENO) };
            Some(lock)
        }
        _ => None,
    };
    Redirect { lock }
}

impl Drop for Redirect {
    fn drop(&mut self) {
        DEPTH.with(|depth| depth.set(depth.get().saturating_sub(1)));
        if self.lock.is_some() {
            if let Some(capture) = CAPTURE.get() {
                let _ = io::stdout().flush();
                // SAFETY: as in `begin`.
                unsafe { libc::dup2(capture.stdout, libc::STDOUT_FILENO) };
            }
        }
    }
}

/// Hands every complete line printed since the last call to `line`; with `finish`, a trailing
/// line without its newline too (the program is done).
pub(crate) fn drain(finish: bool, mut line: impl FnMut(&str)) {
    let Some(capture) = CAPTURE.get() else {
        return;
    };
    let _ = io::stdout().flush();
    let mut partial = capture.partial.lock().unwrap_or_else(|p| p.into_inner());
    let mut buffer = [0u8; 4096];
    loop {
        // SAFETY: reads into a buffer of the given length from a descriptor we own.
        let read = unsafe {
            libc::read(
                capture.read_end,
                buffer.as_mut_ptr() as *mut libc::c_void,
                buffer.len(),
            )
        };
        if read <= 0 {
            break;
        }
        partial.extend_from_slice(&buffer[..read as usize]);
    }
    while let Some(end) = partial.iter().position(|&b| b == b'\n') {
        let text: Vec<u8> = partial.drain(..=end).collect();
        line(&String::from_utf8_lossy(&text[..end]));
    }
    if finish && !partial.is_empty() {
        let text = std::mem::take(&mut *partial);
        line(&String::from_utf8_lossy(&text));
    }
}
