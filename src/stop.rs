//! Stop requests, as one value passed to whatever may need to stop early.
//!
//! A [`Stop`] is shared (behind an `Arc`) by the signal handler the binary installs, the
//! batch engine's workers and reporter, and the client's in-flight attempts, which poll
//! [`Stop::is_requested`] so that Ctrl-C ends even a request whose answer is dripping in.
//! The first reason recorded wins: it decides the exit code and the summary's `stopped`.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Condvar, Mutex};

use crate::error::Kind;

/// Why a run stops launching work.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reason {
    /// Ctrl-C or SIGTERM.
    Interrupted,
    /// Results could not be written (a closed stdout): nobody would see them.
    OutputClosed,
    /// The key was rejected (401, 403 other than quota).
    KeyRejected,
    /// The endpoint is wrong (the gateway has no such operation).
    Config,
    /// The server answered something no row can succeed against (a redirect, a
    /// certificate that is not trusted).
    Protocol,
    /// Quota used up, or told to wait longer than we wait.
    TryLater,
    /// The run's retry budget is spent (the service keeps failing).
    Budget,
    /// The journal could not be written.
    Journal,
}

impl Reason {
    /// The failure kind whose exit code the run ends with.
    pub fn kind(self) -> Kind {
        match self {
            Reason::Interrupted => Kind::Interrupted,
            Reason::OutputClosed | Reason::Journal => Kind::Io,
            Reason::KeyRejected => Kind::KeyRejected,
            Reason::Config => Kind::Config,
            Reason::Protocol => Kind::Protocol,
            Reason::TryLater | Reason::Budget => Kind::TryLater,
        }
    }

    /// The stable name in the batch summary's `stopped` field.
    pub fn name(self) -> &'static str {
        match self {
            Reason::Interrupted => "interrupted",
            Reason::OutputClosed => "output_closed",
            Reason::KeyRejected => "key_rejected",
            Reason::Config => "config",
            Reason::Protocol => "protocol",
            Reason::TryLater => "try_later",
            Reason::Budget => "retry_budget",
            Reason::Journal => "journal",
        }
    }

    const ALL: [Reason; 8] = [
        Reason::Interrupted,
        Reason::OutputClosed,
        Reason::KeyRejected,
        Reason::Config,
        Reason::Protocol,
        Reason::TryLater,
        Reason::Budget,
        Reason::Journal,
    ];
}

/// A stop request: unset until the first [`Stop::request`].
#[derive(Debug, Default)]
pub struct Stop {
    /// 0 = not requested, else 1 + the index of the reason in [`Reason::ALL`].
    reason: AtomicU8,
    message: Mutex<Option<String>>,
    /// Signalled (under `message`'s lock) when the stop is first requested.
    requested: Condvar,
    interrupts: AtomicU8,
}

impl Stop {
    /// A stop not yet requested.
    pub fn new() -> Stop {
        Stop::default()
    }

    /// Ask everything to stop. The first reason (and its message) wins; later
    /// requests are ignored. Returns whether this call was the first.
    pub fn request(&self, reason: Reason, message: Option<String>) -> bool {
        let code = 1 + Reason::ALL.iter().position(|r| *r == reason).unwrap_or(0) as u8;
        // Under the message lock, so that whoever reads the reason and then the
        // message sees the message of that reason.
        let mut slot = self.message.lock().unwrap_or_else(|p| p.into_inner());
        let first = self
            .reason
            .compare_exchange(0, code, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok();
        if first {
            *slot = message;
            self.requested.notify_all();
        }
        first
    }

    /// Block until a stop is requested.
    pub fn wait(&self) {
        let slot = self.message.lock().unwrap_or_else(|p| p.into_inner());
        drop(
            self.requested
                .wait_while(slot, |_| !self.is_requested())
                .unwrap_or_else(|p| p.into_inner()),
        );
    }

    /// Whether a stop was requested.
    pub fn is_requested(&self) -> bool {
        self.reason.load(Ordering::SeqCst) != 0
    }

    /// Why, if a stop was requested.
    pub fn reason(&self) -> Option<Reason> {
        match self.reason.load(Ordering::SeqCst) {
            0 => None,
            n => Reason::ALL.get(n as usize - 1).copied(),
        }
    }

    /// The message that came with the winning request, if any.
    pub fn message(&self) -> Option<String> {
        self.message
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Count a Ctrl-C; returns how many there have been, this one included. The
    /// binary's handler requests a stop on the first and exits on the second.
    pub fn interrupt(&self) -> u8 {
        self.request(Reason::Interrupted, None);
        self.interrupts.fetch_add(1, Ordering::SeqCst) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_reason_wins() {
        let s = Stop::new();
        assert!(!s.is_requested() && s.reason().is_none());
        assert!(s.request(Reason::KeyRejected, Some("401".into())));
        assert!(!s.request(Reason::Interrupted, Some("later".into())));
        assert_eq!(s.reason(), Some(Reason::KeyRejected));
        assert_eq!(s.message().as_deref(), Some("401"));
        assert_eq!(s.reason().unwrap().kind(), Kind::KeyRejected);
        for r in Reason::ALL {
            let s = Stop::new();
            s.request(r, None);
            assert_eq!(s.reason(), Some(r));
        }
    }

    #[test]
    fn wait_returns_once_a_stop_is_requested() {
        let s = std::sync::Arc::new(Stop::new());
        let waiter = {
            let s = s.clone();
            std::thread::spawn(move || s.wait())
        };
        s.request(Reason::Interrupted, None);
        waiter.join().unwrap();
        // And at once when it already was.
        s.wait();
    }

    #[test]
    fn interrupts_count() {
        let s = Stop::new();
        assert_eq!(s.interrupt(), 1);
        assert_eq!(s.interrupt(), 2);
        assert_eq!(s.reason(), Some(Reason::Interrupted));
    }
}
