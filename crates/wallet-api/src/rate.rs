//! A request budget per caller: a bucket of `burst` requests, refilled at `per_second`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Instant;

/// How fast one caller may ask.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    /// Requests accepted at once after a quiet spell.
    pub burst: u32,
    /// Requests added back per second.
    pub per_second: f64,
}

#[derive(Debug)]
struct Bucket {
    left: f64,
    at: Instant,
}

/// Buckets by caller (a paired app's id; pairing requests share one).
#[derive(Debug)]
pub struct RateLimiter {
    rate: Rate,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    /// Every caller gets `rate`.
    pub fn new(rate: Rate) -> Self {
        Self {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request from `caller`'s bucket at `now`, or says in how many whole seconds one
    /// will be there.
    pub fn take_at(&self, caller: &str, now: Instant) -> Result<(), u64> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        let burst = f64::from(self.rate.burst);
        let bucket = buckets.entry(caller.to_owned()).or_insert(Bucket {
            left: burst,
            at: now,
        });
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        bucket.left = (bucket.left + elapsed * self.rate.per_second).min(burst);
        bucket.at = now;
        if bucket.left >= 1.0 {
            bucket.left -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.left) / self.rate.per_second.max(f64::MIN_POSITIVE);
            Err(wait.ceil().max(1.0) as u64)
        }
    }

    /// [`Self::take_at`] now.
    pub fn take(&self, caller: &str) -> Result<(), u64> {
        self.take_at(caller, Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_then_the_refill_rate_per_caller() {
        let limiter = RateLimiter::new(Rate {
            burst: 3,
            per_second: 0.5,
        });
        let t0 = Instant::now();
        for _ in 0..3 {
            limiter.take_at("game", t0).unwrap();
        }
        assert_eq!(
            limiter.take_at("game", t0),
            Err(2),
            "one more in 2 s at 0.5/s"
        );
        // Another caller has its own bucket.
        limiter.take_at("agent", t0).unwrap();
        assert!(limiter
            .take_at("game", t0 + Duration::from_secs(1))
            .is_err());
        limiter
            .take_at("game", t0 + Duration::from_secs(2))
            .unwrap();
        // A long quiet spell refills to the burst, not beyond.
        let later = t0 + Duration::from_secs(3600);
        for _ in 0..3 {
            limiter.take_at("game", later).unwrap();
        }
        assert!(limiter.take_at("game", later).is_err());
    }
}
