//! Deterministic fault injection for `biopass sandbox serve`.
//!
//! Clients must cope with gateways that refuse (503, 429), connections that die after
//! the backend acted (the enroll landed but no answer came back) and answers that come
//! too late. The sandbox reproduces these on demand, and reproducibly: decision number
//! `n` is a pure function of the seed and `n`, so the same seed and the same request
//! order give the same faults on every run, and a failing test can be replayed.

use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Result, bail};

/// Fault rates and delays. The default injects nothing.
///
/// The probabilities are per person-operation request and mutually exclusive (at most
/// one fault per request), so their sum must not exceed 1.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Faults {
    /// Seed of the decision sequence.
    pub seed: u64,
    /// Probability of `503 Service Unavailable`, answered before acting.
    pub p503: f64,
    /// Probability of `429` with `Retry-After`, answered before acting.
    pub p429: f64,
    /// The `Retry-After` value (seconds) sent with a 429.
    pub retry_after_secs: u64,
    /// Probability that the operation is applied and the connection is then reset
    /// without any response.
    pub preset: f64,
    /// Probability that the operation is applied and the response held `hang_ms`.
    pub phang: f64,
    /// How long a hung response is held.
    pub hang_ms: u64,
    /// Latency added to every person-operation response.
    pub latency_ms: u64,
}

impl Faults {
    /// Reject rates that are not probabilities, so a typo on the command line fails
    /// loudly instead of silently injecting nothing (or everything).
    pub fn check(&self) -> Result<()> {
        let rates = [
            ("p503", self.p503),
            ("p429", self.p429),
            ("preset", self.preset),
            ("phang", self.phang),
        ];
        for (name, p) in rates {
            if !(0.0..=1.0).contains(&p) {
                bail!("sandbox fault rate {name} must be between 0 and 1, got {p}");
            }
        }
        let sum: f64 = rates.iter().map(|(_, p)| p).sum();
        // A small tolerance: 0.1 + 0.2 + 0.3 + 0.4 is not exactly 1.0 in floating point.
        if sum > 1.0 + 1e-9 {
            bail!(
                "sandbox fault rates add up to {sum}, more than 1 (at most one fault is injected per request)"
            );
        }
        Ok(())
    }
}

/// The one fault chosen for a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    Unavailable,
    RateLimited,
    Reset,
    Hang,
}

/// The decision sequence. An atomic counter rather than a locked generator: each
/// request takes the next index and hashes it with the seed, so concurrent requests
/// never wait on each other and the sequence still depends only on arrival order.
#[derive(Debug)]
pub struct Dice {
    faults: Faults,
    next: AtomicU64,
}

impl Dice {
    pub fn new(faults: Faults) -> Dice {
        Dice {
            faults,
            next: AtomicU64::new(0),
        }
    }

    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Draw the fault (if any) for the next person-operation request.
    pub fn draw(&self) -> Option<Fault> {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        pick(&self.faults, unit(self.faults.seed, n))
    }
}

/// Map draw `n` of the sequence seeded with `seed` to a number in [0, 1).
fn unit(seed: u64, n: u64) -> f64 {
    // splitmix64 of the n-th point of a Weyl sequence starting at the seed: the
    // standard way to seed or index a generator, with good avalanche on small n.
    let mut z = seed.wrapping_add(n.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    // The top 53 bits fill an f64 mantissa exactly.
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// Pick a fault by where `u` falls among the cumulative rates.
fn pick(f: &Faults, u: f64) -> Option<Fault> {
    let mut edge = 0.0;
    for (p, fault) in [
        (f.p503, Fault::Unavailable),
        (f.p429, Fault::RateLimited),
        (f.preset, Fault::Reset),
        (f.phang, Fault::Hang),
    ] {
        edge += p;
        if u < edge {
            return Some(fault);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sequence(f: &Faults, n: usize) -> Vec<Option<Fault>> {
        let dice = Dice::new(f.clone());
        (0..n).map(|_| dice.draw()).collect()
    }

    fn mixed(seed: u64) -> Faults {
        Faults {
            seed,
            p503: 0.1,
            p429: 0.1,
            preset: 0.1,
            phang: 0.1,
            ..Faults::default()
        }
    }

    #[test]
    fn same_seed_same_sequence_and_seeds_differ() {
        assert_eq!(sequence(&mixed(7), 500), sequence(&mixed(7), 500));
        assert_ne!(sequence(&mixed(7), 500), sequence(&mixed(8), 500));
    }

    #[test]
    fn default_never_faults_and_certainty_always_does() {
        assert!(
            sequence(&Faults::default(), 10_000)
                .iter()
                .all(Option::is_none)
        );
        let always = Faults {
            p503: 1.0,
            ..Faults::default()
        };
        assert!(
            sequence(&always, 10_000)
                .iter()
                .all(|f| *f == Some(Fault::Unavailable))
        );
        let hang = Faults {
            phang: 1.0,
            ..Faults::default()
        };
        assert!(
            sequence(&hang, 1000)
                .iter()
                .all(|f| *f == Some(Fault::Hang))
        );
    }

    #[test]
    fn rates_are_roughly_honoured() {
        let seq = sequence(&mixed(42), 20_000);
        for fault in [
            Fault::Unavailable,
            Fault::RateLimited,
            Fault::Reset,
            Fault::Hang,
        ] {
            let n = seq.iter().filter(|f| **f == Some(fault)).count();
            // Expected 2000; a binomial standard deviation is about 42.
            assert!((1800..2200).contains(&n), "{fault:?}: {n}");
        }
        let none = seq.iter().filter(|f| f.is_none()).count();
        assert!((11_600..12_400).contains(&none), "none: {none}");
    }

    #[test]
    fn unit_stays_in_range() {
        for n in 0..10_000 {
            let u = unit(u64::MAX, n);
            assert!((0.0..1.0).contains(&u), "{u}");
        }
    }

    #[test]
    fn bad_rates_are_rejected() {
        assert!(Faults::default().check().is_ok());
        assert!(mixed(1).check().is_ok());
        let quarter = Faults {
            p503: 0.1,
            p429: 0.2,
            preset: 0.3,
            phang: 0.4,
            ..Faults::default()
        };
        assert!(quarter.check().is_ok());
        let e = Faults {
            p503: 0.6,
            p429: 0.6,
            ..Faults::default()
        }
        .check()
        .unwrap_err();
        assert!(e.to_string().contains("more than 1"), "{e}");
        let e = Faults {
            preset: -0.1,
            ..Faults::default()
        }
        .check()
        .unwrap_err();
        assert!(e.to_string().contains("preset"), "{e}");
        assert!(
            Faults {
                phang: f64::NAN,
                ..Faults::default()
            }
            .check()
            .is_err()
        );
    }
}
