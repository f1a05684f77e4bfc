//! The one retry policy, for single commands ([`super::Client::call`]) and batch rows
//! (`batch::worker`): attempt, classify ([`super::classify`]), decide ([`decide`]),
//! wait ([`Policy::wait`]). Its numbers are here and nowhere else.
//!
//! The two callers differ in one thing only, which they say in [`Context`]: a batch
//! journals every attempt, so an attempt that may have been acted on can be sent
//! again and its result recognised ([`crate::request::Reconcile`]); a single command
//! keeps no record, so it re-sends such an attempt only when sending twice does no
//! harm (the operation changes nothing) or the gateway said it did not pass it on
//! (503).

use std::time::Duration;

use super::{AttemptError, Sent};
use crate::error::Kind;
use crate::request::{Op, Reconcile};
use crate::stop::Reason;

/// How often and how long to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Attempts in all, for a single command and for a batch row in one pass.
    pub max_attempts: u32,
    /// The longest `Retry-After` waited for; longer means "try later" (75).
    pub max_wait: Duration,
    /// Full-jitter backoff: the first wait is at most this...
    pub backoff_base: Duration,
    /// ...each one after at most twice the one before, up to this.
    pub backoff_cap: Duration,
}

/// The policy.
pub const POLICY: Policy = Policy {
    max_attempts: 3,
    max_wait: Duration::from_secs(60),
    backoff_base: Duration::from_millis(500),
    backoff_cap: Duration::from_secs(20),
};

impl Policy {
    /// The wait before attempt `attempt + 1`: the server's `Retry-After`, else
    /// full-jitter backoff.
    pub fn wait(&self, attempt: u32, retry_after: Option<Duration>) -> Duration {
        retry_after.unwrap_or_else(|| backoff(attempt, self.backoff_base, self.backoff_cap))
    }
}

/// Full-jitter exponential backoff: uniform in [0, min(cap, base * 2^(attempt-1))].
pub fn backoff(attempt: u32, base: Duration, cap: Duration) -> Duration {
    let ceiling = base
        .saturating_mul(1u32 << (attempt.saturating_sub(1)).min(16))
        .min(cap);
    ceiling.mul_f64(fastrand::f64())
}

/// What the caller knows besides the failed attempt.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Context {
    /// Every attempt is journaled (a batch): what may have been acted on can be
    /// sent again and reconciled.
    pub journaled: bool,
    /// An earlier attempt of the same content may have been acted on.
    pub maybe_landed: bool,
    /// `--skip-existing`: "already exists" is a skip (enroll).
    pub skip_existing: bool,
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// The re-send met our own earlier attempt's result (reconciled).
    Reconciled,
    /// "Already exists" with `--skip-existing`.
    Skipped,
    /// Finished as a failure: re-sending will not help, or is not safe.
    Failed,
    /// Nothing of the run can succeed now (or the user stopped it): stop, resumable.
    Stop(Reason),
    /// Try again (if attempts and, in a batch, the budget allow).
    Retry,
}

/// The retry rules, in one pure function.
pub fn decide(op: Op, e: &AttemptError, cx: Context) -> Decision {
    let f = &e.failure;
    let spec = op.spec();
    let landed_if = match spec.reconcile {
        Reconcile::LandedIf(kind) => Some(kind),
        Reconcile::Resend => None,
    };
    // Our earlier attempt landed: the re-send meets its own result.
    if cx.journaled && cx.maybe_landed && landed_if == Some(f.kind) {
        return Decision::Reconciled;
    }
    if cx.skip_existing && f.kind == Kind::AlreadyExists && landed_if == Some(f.kind) {
        return Decision::Skipped;
    }
    // Failures no request can get past (a rejected key, a wrong endpoint, a redirect,
    // an untrusted certificate).
    if e.run_level() {
        return Decision::Stop(match f.kind {
            Kind::KeyRejected => Reason::KeyRejected,
            Kind::Config => Reason::Config,
            _ => Reason::Protocol,
        });
    }
    if f.kind == Kind::Interrupted {
        return Decision::Stop(Reason::Interrupted);
    }
    // A quota refusal, or a wait too long to sit through: stop, resumable.
    let quota = f.kind == Kind::TryLater && f.status != Some(429);
    if quota || e.retry_after.is_some_and(|ra| ra > POLICY.max_wait) {
        return Decision::Stop(Reason::TryLater);
    }
    match e.sent {
        Sent::Rejected => Decision::Failed,
        Sent::No => Decision::Retry,
        // May have been acted on: safe to send again when it changes nothing, when
        // the journal can reconcile it, or when the gateway said it was unavailable.
        Sent::Maybe if cx.journaled || !spec.changes_state || e.unavailable => Decision::Retry,
        Sent::Maybe => Decision::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Failure;

    fn err(kind: Kind, sent: Sent, status: u16) -> AttemptError {
        let mut e = AttemptError::new(kind, sent, "m".into());
        e.failure = Failure {
            kind,
            status: Some(status),
            message: "m".into(),
        };
        e.unavailable = status == 503;
        e
    }

    #[test]
    fn single_commands_resend_what_may_have_landed_only_when_harmless() {
        let single = Context::default();
        let batch = Context {
            journaled: true,
            ..Context::default()
        };
        let timeout = err(Kind::Unavailable, Sent::Maybe, 502);
        assert_eq!(decide(Op::Enroll, &timeout, single), Decision::Failed);
        assert_eq!(decide(Op::Enroll, &timeout, batch), Decision::Retry);
        assert_eq!(decide(Op::Verify, &timeout, single), Decision::Retry);
        let busy = err(Kind::Unavailable, Sent::Maybe, 503);
        assert_eq!(decide(Op::Enroll, &busy, single), Decision::Retry);
        let refused = err(Kind::Unavailable, Sent::No, 0);
        assert_eq!(decide(Op::Delete, &refused, single), Decision::Retry);
        let mut long = err(Kind::Unavailable, Sent::Maybe, 503);
        long.retry_after = Some(POLICY.max_wait + Duration::from_secs(1));
        assert_eq!(
            decide(Op::Verify, &long, single),
            Decision::Stop(Reason::TryLater)
        );
        // Only a journal reconciles.
        let exists = err(Kind::AlreadyExists, Sent::Rejected, 400);
        let landed = Context {
            maybe_landed: true,
            ..single
        };
        assert_eq!(decide(Op::Enroll, &exists, landed), Decision::Failed);
        let landed = Context {
            maybe_landed: true,
            ..batch
        };
        assert_eq!(decide(Op::Enroll, &exists, landed), Decision::Reconciled);
    }

    #[test]
    fn backoff_is_bounded() {
        for a in 1..10 {
            assert!(POLICY.wait(a, None) <= POLICY.backoff_cap);
        }
        assert!(POLICY.wait(1, None) <= POLICY.backoff_base);
        assert_eq!(
            POLICY.wait(1, Some(Duration::from_secs(7))),
            Duration::from_secs(7)
        );
    }
}
