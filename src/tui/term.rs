//! The process's side of the terminal: stop signals and noticing that the terminal
//! went away.
//!
//! SIGTERM, SIGHUP and SIGINT only set a flag that the event loop checks between
//! events, so the process never stops in the middle of a write: every store write is
//! one short transaction that finishes before the loop looks again.
//!
//! Before asking crossterm for input the loop waits on the terminal itself with
//! `poll(2)`. That wait is interrupted by signals and reports a hang-up (POLLHUP) when
//! the terminal disappears, which crossterm's reader would otherwise retry for ever
//! (a read of 0 bytes or EIO is not an error it stops on).

use std::fs::File;
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

static STOP: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop_signal(_: libc::c_int) {
    // Only an atomic store: anything else is not async-signal-safe.
    STOP.store(true, Ordering::SeqCst);
}

/// Installs the stop-signal handlers (SIGTERM, SIGHUP, SIGINT).
pub fn install_signal_handlers() {
    for sig in [libc::SIGTERM, libc::SIGHUP, libc::SIGINT] {
        // SAFETY: the handler only stores to an atomic; sigaction is given a zeroed,
        // then filled, struct that lives for the duration of the call. SA_RESTART
        // keeps SQLite's own system calls from seeing EINTR.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_stop_signal as *const () as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(sig, &action, std::ptr::null_mut());
        }
    }
}

/// Has a stop signal arrived?
pub fn stop_requested() -> bool {
    STOP.load(Ordering::SeqCst)
}

/// What waiting on the terminal found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Wait {
    /// Input is waiting.
    Input,
    /// Nothing within the timeout (or a signal interrupted the wait).
    Idle,
    /// The terminal hung up or is no longer readable.
    Gone,
}

/// The terminal crossterm reads from: standard input when it is a terminal, else
/// `/dev/tty` (the same choice crossterm makes).
pub struct Tty {
    fd: RawFd,
    _file: Option<File>,
}

impl Tty {
    pub fn open() -> std::io::Result<Tty> {
        // SAFETY: isatty only inspects the descriptor.
        if unsafe { libc::isatty(libc::STDIN_FILENO) } == 1 {
            return Ok(Tty {
                fd: libc::STDIN_FILENO,
                _file: None,
            });
        }
        let file = File::open("/dev/tty")?;
        Ok(Tty {
            fd: file.as_raw_fd(),
            _file: Some(file),
        })
    }

    /// Waits up to `timeout` for input.
    pub fn wait(&self, timeout: Duration) -> Wait {
        let mut pfd = libc::pollfd {
            fd: self.fd,
            events: libc::POLLIN,
            revents: 0,
        };
        let ms = libc::c_int::try_from(timeout.as_millis()).unwrap_or(libc::c_int::MAX);
        // SAFETY: one valid pollfd for the duration of the call.
        let n = unsafe { libc::poll(&mut pfd, 1, ms) };
        if n < 0 {
            let err = std::io::Error::last_os_error();
            return if err.kind() == std::io::ErrorKind::Interrupted {
                Wait::Idle
            } else {
                Wait::Gone
            };
        }
        if pfd.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0 {
            return Wait::Gone;
        }
        if pfd.revents & libc::POLLIN != 0 {
            Wait::Input
        } else {
            Wait::Idle
        }
    }
}

/// Errors that mean the terminal is gone rather than something to report.
pub fn is_terminal_gone(e: &std::io::Error) -> bool {
    use std::io::ErrorKind as K;
    matches!(e.kind(), K::BrokenPipe | K::UnexpectedEof | K::NotConnected)
        || matches!(
            e.raw_os_error(),
            Some(libc::EIO | libc::ENXIO | libc::EBADF | libc::ENOTTY)
        )
}
