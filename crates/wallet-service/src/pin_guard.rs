//! Backing off after wrong PINs: three tries, then a wait that doubles with each further miss
//! (30 s, 60 s, … up to an hour). A right PIN resets it. The clock is injected.

use std::sync::{Arc, Mutex};

use chipi_session::Clock;

use crate::error::AppError;

/// Free tries before the first wait.
pub const FREE_ATTEMPTS: u32 = 3;
const FIRST_WAIT_SECONDS: u64 = 30;
const MAX_WAIT_SECONDS: u64 = 3600;

#[derive(Debug, Default)]
struct Attempts {
    failures: u32,
    blocked_until: u64,
}

/// Counts wrong PINs across every operation that asks for one.
#[derive(Debug, Clone)]
pub struct PinGuard {
    clock: Arc<dyn Clock>,
    state: Arc<Mutex<Attempts>>,
}

impl PinGuard {
    /// A guard reading time from `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            state: Arc::new(Mutex::new(Attempts::default())),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Attempts> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Fails with `TooManyAttempts` while a wait is running.
    pub fn check(&self) -> Result<(), AppError> {
        let now = self.clock.now();
        let blocked_until = self.lock().blocked_until;
        if now < blocked_until {
            return Err(AppError::TooManyAttempts(format!(
                "too many wrong PINs; try again in {} s",
                blocked_until - now
            )));
        }
        Ok(())
    }

    /// Records the outcome of a PIN check: `Err(WrongPin)` counts as a miss.
    pub fn record<T>(&self, result: Result<T, AppError>) -> Result<T, AppError> {
        let mut state = self.lock();
        match &result {
            Err(AppError::WrongPin(_)) => {
                state.failures += 1;
                if state.failures >= FREE_ATTEMPTS {
                    let doublings = (state.failures - FREE_ATTEMPTS).min(10);
                    let wait = (FIRST_WAIT_SECONDS << doublings).min(MAX_WAIT_SECONDS);
                    state.blocked_until = self.clock.now() + wait;
                }
            }
            Ok(_) => *state = Attempts::default(),
            Err(_) => {}
        }
        result
    }

    /// Checks the wait, runs `f` with the PIN, and records the outcome.
    pub fn attempt<T>(&self, f: impl FnOnce() -> Result<T, AppError>) -> Result<T, AppError> {
        self.check()?;
        self.record(f())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chipi_session::ManualClock;

    fn wrong() -> Result<(), AppError> {
        Err(AppError::WrongPin("wrong PIN".into()))
    }

    #[test]
    fn backs_off_after_three_misses_and_resets_on_success() {
        let clock = Arc::new(ManualClock::new(1000));
        let guard = PinGuard::new(clock.clone());
        for _ in 0..2 {
            assert!(matches!(guard.attempt(wrong), Err(AppError::WrongPin(_))));
        }
        assert!(
            matches!(guard.attempt(wrong), Err(AppError::WrongPin(_))),
            "the third miss still answers"
        );
        // Now even the right PIN waits, and is not even tried.
        let mut tried = false;
        let blocked = guard.attempt(|| {
            tried = true;
            Ok(())
        });
        assert!(matches!(blocked, Err(AppError::TooManyAttempts(_))) && !tried);
        clock.advance(30);
        assert!(matches!(guard.attempt(wrong), Err(AppError::WrongPin(_))));
        clock.advance(59);
        assert!(
            matches!(guard.check(), Err(AppError::TooManyAttempts(_))),
            "the second wait is twice as long"
        );
        clock.advance(1);
        assert!(guard.attempt(|| Ok(())).is_ok());
        assert!(matches!(guard.attempt(wrong), Err(AppError::WrongPin(_))));
        assert!(guard.check().is_ok(), "a success reset the count");
    }

    #[test]
    fn other_errors_do_not_count() {
        let guard = PinGuard::new(Arc::new(ManualClock::new(0)));
        for _ in 0..10 {
            let _ = guard.attempt(|| Err::<(), _>(AppError::Network("down".into())));
        }
        assert!(guard.check().is_ok());
    }
}
