//! Pacing shared by all batch workers: an adaptive concurrency gate (halved on a
//! 429, grown back slowly after successes), an optional requests-per-second cap,
//! and the run's retry budget.

use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::{Duration, Instant};

/// How many requests may be in flight: at most `max`, fewer after rate limiting.
///
/// The batch engine's rows wait for a slot on its one runtime thread, so waiting is
/// asynchronous: a released slot wakes a waiting row without a system call.
pub struct Gate {
    max: usize,
    state: Mutex<GateState>,
    freed: tokio::sync::Notify,
}

struct GateState {
    limit: usize,
    in_flight: usize,
    streak: usize,
    pause_until: Option<Instant>,
}

impl Gate {
    /// A gate for at most `max` requests at once, starting fully open.
    pub fn new(max: usize) -> Gate {
        Gate {
            max,
            state: Mutex::new(GateState {
                limit: max,
                in_flight: 0,
                streak: 0,
                pause_until: None,
            }),
            freed: tokio::sync::Notify::new(),
        }
    }

    /// Wait for a slot; gives up (returns false) as soon as `stopped()` says so
    /// (checked at least every 100 ms, so a stop from another thread is seen).
    pub async fn acquire(&self, stopped: impl Fn() -> bool) -> bool {
        loop {
            // Registered before the check, so a slot freed in between is not missed.
            let freed = self.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            let wait = {
                let mut st = self.state.lock().unwrap();
                if stopped() {
                    return false;
                }
                let now = Instant::now();
                match st.pause_until {
                    Some(t) if t > now => (t - now).min(Duration::from_millis(100)),
                    _ if st.in_flight < st.limit => {
                        st.in_flight += 1;
                        return true;
                    }
                    _ => Duration::from_millis(100),
                }
            };
            tokio::select! {
                () = &mut freed => {}
                () = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Give back a slot taken by a successful [`Gate::acquire`] (exactly once per
    /// slot).
    pub fn release(&self) {
        let mut st = self.state.lock().unwrap();
        st.in_flight -= 1;
        drop(st);
        self.freed.notify_one();
    }

    /// Additive increase: one more slot after `limit * 4` successes in a row.
    pub fn success(&self) {
        let mut st = self.state.lock().unwrap();
        st.streak += 1;
        if st.limit < self.max && st.streak >= st.limit * 4 {
            st.limit += 1;
            st.streak = 0;
            drop(st);
            self.freed.notify_one();
        }
    }

    /// Multiplicative decrease on a 429, and everyone waits out `Retry-After`.
    pub fn rate_limited(&self, retry_after: Option<Duration>) {
        let mut st = self.state.lock().unwrap();
        st.limit = (st.limit / 2).max(1);
        st.streak = 0;
        // A hostile Retry-After can be Duration::MAX: never overflow an Instant.
        if let Some(until) = retry_after.and_then(|ra| Instant::now().checked_add(ra)) {
            st.pause_until = Some(st.pause_until.map_or(until, |t| t.max(until)));
        }
    }

    /// The concurrency limit in effect (tests).
    #[cfg(test)]
    pub fn limit(&self) -> usize {
        self.state.lock().unwrap().limit
    }

    /// Wake every waiter (used when the run stops).
    pub fn wake_all(&self) {
        self.freed.notify_waiters();
    }
}

/// At most `rate` request starts per second across all workers.
pub struct Pacer {
    interval: Duration,
    next: Mutex<Instant>,
}

impl Pacer {
    /// `rate` is checked by the caller (a positive, sane number); anything else
    /// falls back to one request a day rather than panicking.
    pub fn new(rate: f64) -> Pacer {
        let interval = Duration::try_from_secs_f64(1.0 / rate)
            .unwrap_or(Duration::from_secs(86_400))
            .min(Duration::from_secs(86_400));
        Pacer {
            interval,
            next: Mutex::new(Instant::now()),
        }
    }

    /// Reserve the next start time; returns how long to wait for it (the caller
    /// sleeps, so that it can stop early).
    pub fn take(&self) -> Duration {
        let mut next = self.next.lock().unwrap();
        let now = Instant::now();
        let slot = (*next).max(now);
        *next = slot + self.interval;
        slot - now
    }
}

/// One retry budget for the whole run, so an outage stops the run quickly instead
/// of hammering the service: `initial` retries, plus one for every two successes.
pub struct Budget {
    half_tokens: AtomicI64,
    cap: i64,
}

impl Budget {
    /// `initial` retries before any success. Successes add to it up to a cap, so a
    /// long healthy run cannot bank an unbounded number of retries.
    pub fn new(initial: i64) -> Budget {
        Budget {
            half_tokens: AtomicI64::new(initial * 2),
            cap: initial.max(10) * 20,
        }
    }

    /// A request succeeded: half a retry more.
    pub fn success(&self) {
        let _ = self
            .half_tokens
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |v| {
                Some((v + 1).min(self.cap))
            });
    }

    /// Spend one retry; false when the budget is gone.
    pub fn spend(&self) -> bool {
        self.half_tokens.fetch_sub(2, Ordering::Relaxed) >= 2
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gate_halves_and_grows_back() {
        let g = Gate::new(8);
        g.rate_limited(None);
        assert_eq!(g.limit(), 4);
        g.rate_limited(None);
        g.rate_limited(None);
        g.rate_limited(None);
        assert_eq!(g.limit(), 1, "floor 1");
        for _ in 0..4 {
            g.success();
        }
        assert_eq!(g.limit(), 2);
    }

    #[test]
    fn gate_blocks_at_the_limit_and_stops() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let g = Gate::new(1);
        assert!(rt.block_on(g.acquire(|| false)));
        assert!(
            !rt.block_on(g.acquire(|| true)),
            "a stopped run gets no slot"
        );
        // Full: a second acquire waits until the slot is released.
        let t = Instant::now();
        let (got, ()) = rt.block_on(async {
            tokio::join!(g.acquire(|| false), async {
                tokio::time::sleep(Duration::from_millis(30)).await;
                g.release();
            })
        });
        assert!(got && t.elapsed() >= Duration::from_millis(30));
    }

    #[test]
    fn budget_runs_out_without_successes() {
        let b = Budget::new(3);
        assert!(b.spend() && b.spend() && b.spend());
        assert!(!b.spend());
        let b = Budget::new(0);
        b.success();
        b.success();
        assert!(b.spend());
        assert!(!b.spend());
    }

    #[test]
    fn pacer_spaces_starts() {
        let p = Pacer::new(100.0);
        let t = Instant::now();
        let waits: Vec<Duration> = (0..5).map(|_| p.take()).collect();
        assert_eq!(waits[0], Duration::ZERO);
        assert!(
            waits[4] >= Duration::from_millis(35)
                && waits[4] <= Duration::from_millis(40) + t.elapsed()
        );
    }
}
