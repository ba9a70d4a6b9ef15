//! Backing off after wrong PINs: three tries, then a wait that doubles with each further miss
//! (30 s, 60 s, … up to an hour). A right PIN resets it. Counted per wallet, kept in the
//! keychain beside the wallet's keys (so neither a restart nor an edit of the preferences file
//! resets it), and measured on the clock's steady seconds (so setting the system clock forward
//! does not shorten a wait; time while the app is closed does not count: after a restart the
//! wait kept at the last miss runs again in full). The check, the
//! PIN's Argon2id run and the record happen under one lock: parallel attempts wait their turn.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chipi_session::{Clock, SessionError};
use serde::{Deserialize, Serialize};

use crate::error::ServiceError;
use crate::host::SecretVault;

/// Free tries before the first wait.
pub const FREE_ATTEMPTS: u32 = 3;
const FIRST_WAIT_SECONDS: u64 = 30;
const MAX_WAIT_SECONDS: u64 = 3600;

#[derive(Debug, Default, Clone, Copy)]
struct Attempts {
    failures: u32,
    /// On the clock's steady seconds.
    blocked_until: u64,
}

/// What is kept between runs: the misses and the wait left.
#[derive(Debug, Serialize, Deserialize)]
struct Kept {
    failures: u32,
    wait: u64,
}

/// Counts wrong PINs per wallet across every operation that asks for one.
#[derive(Clone)]
pub struct PinGuard {
    clock: Arc<dyn Clock>,
    /// Per counter name; the lock is held across a whole attempt.
    state: Arc<Mutex<HashMap<String, Attempts>>>,
    /// Where counts are kept between runs (`None`: in memory only).
    vault: Option<Arc<dyn SecretVault>>,
}

impl std::fmt::Debug for PinGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PinGuard")
            .field("persisted", &self.vault.is_some())
            .finish_non_exhaustive()
    }
}

impl PinGuard {
    /// A guard reading time from `clock`, counting in memory only.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            clock,
            state: Arc::new(Mutex::new(HashMap::new())),
            vault: None,
        }
    }

    /// A guard that keeps each counter in `vault`, under the counter's name.
    pub fn persisted(clock: Arc<dyn Clock>, vault: Arc<dyn SecretVault>) -> Self {
        Self {
            vault: Some(vault),
            ..Self::new(clock)
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Attempts>> {
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The counter `who`, read from the vault the first time. An entry that does not parse is
    /// taken as the longest wait (fail closed), never as a fresh start.
    fn load(
        &self,
        map: &mut HashMap<String, Attempts>,
        who: &str,
    ) -> Result<Attempts, ServiceError> {
        if let Some(attempts) = map.get(who) {
            return Ok(*attempts);
        }
        let now = self.clock.steady_now();
        let attempts = match self
            .vault
            .as_ref()
            .map(|v| v.get(who))
            .transpose()?
            .flatten()
        {
            None => Attempts::default(),
            Some(text) => match serde_json::from_str::<Kept>(&text) {
                Ok(kept) => Attempts {
                    failures: kept.failures,
                    blocked_until: now + kept.wait.min(MAX_WAIT_SECONDS),
                },
                Err(_) => Attempts {
                    failures: FREE_ATTEMPTS + 10,
                    blocked_until: now + MAX_WAIT_SECONDS,
                },
            },
        };
        map.insert(who.to_owned(), attempts);
        Ok(attempts)
    }

    fn keep(&self, who: &str, attempts: Attempts) -> Result<(), ServiceError> {
        let Some(vault) = &self.vault else {
            return Ok(());
        };
        if attempts.failures == 0 {
            return vault.delete(who);
        }
        let kept = Kept {
            failures: attempts.failures,
            wait: attempts
                .blocked_until
                .saturating_sub(self.clock.steady_now()),
        };
        vault.put(who, &serde_json::to_string(&kept).expect("plain numbers"))
    }

    fn refuse_while_waiting(&self, attempts: Attempts) -> Result<(), ServiceError> {
        let now = self.clock.steady_now();
        if now < attempts.blocked_until {
            return Err(ServiceError::TooManyAttempts {
                wait_seconds: attempts.blocked_until - now,
            });
        }
        Ok(())
    }

    /// Fails with `TooManyAttempts` while a wait of counter `who` is running.
    pub fn check(&self, who: &str) -> Result<(), ServiceError> {
        let mut map = self.lock();
        let attempts = self.load(&mut map, who)?;
        self.refuse_while_waiting(attempts)
    }

    /// Checks the wait of counter `who`, runs `f` with the PIN and records the outcome
    /// (`Err(WrongPin)` is a miss, `Ok` a reset), all under the guard's lock.
    pub fn attempt<T>(
        &self,
        who: &str,
        f: impl FnOnce() -> Result<T, ServiceError>,
    ) -> Result<T, ServiceError> {
        let mut map = self.lock();
        let mut attempts = self.load(&mut map, who)?;
        self.refuse_while_waiting(attempts)?;
        let result = f();
        let before = attempts.failures;
        match &result {
            Err(ServiceError::Session(SessionError::WrongPin)) => {
                attempts.failures += 1;
                if attempts.failures >= FREE_ATTEMPTS {
                    let doublings = (attempts.failures - FREE_ATTEMPTS).min(10);
                    let wait = (FIRST_WAIT_SECONDS << doublings).min(MAX_WAIT_SECONDS);
                    attempts.blocked_until = self.clock.steady_now() + wait;
                }
            }
            Ok(_) => attempts = Attempts::default(),
            Err(_) => return result,
        }
        map.insert(who.to_owned(), attempts);
        // Written on every miss, and once when a success clears earlier misses.
        if attempts.failures > 0 || before > 0 {
            self.keep(who, attempts)?;
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::tests::Memory;
    use chipi_session::ManualClock;

    fn wrong() -> Result<(), ServiceError> {
        Err(SessionError::WrongPin.into())
    }

    #[test]
    fn backs_off_after_three_misses_and_resets_on_success() {
        let clock = Arc::new(ManualClock::new(1000));
        let guard = PinGuard::new(clock.clone());
        for _ in 0..2 {
            assert!(matches!(
                guard.attempt("w", wrong),
                Err(ServiceError::Session(SessionError::WrongPin))
            ));
        }
        assert!(
            matches!(
                guard.attempt("w", wrong),
                Err(ServiceError::Session(SessionError::WrongPin))
            ),
            "the third miss still answers"
        );
        // Now even the right PIN waits, and is not even tried.
        let mut tried = false;
        let blocked = guard.attempt("w", || {
            tried = true;
            Ok(())
        });
        assert!(matches!(blocked, Err(ServiceError::TooManyAttempts { .. })) && !tried);
        clock.advance(30);
        assert!(matches!(
            guard.attempt("w", wrong),
            Err(ServiceError::Session(SessionError::WrongPin))
        ));
        clock.advance(59);
        assert!(
            matches!(guard.check("w"), Err(ServiceError::TooManyAttempts { .. })),
            "the second wait is twice as long"
        );
        clock.advance(1);
        assert!(guard.attempt("w", || Ok(())).is_ok());
        assert!(matches!(
            guard.attempt("w", wrong),
            Err(ServiceError::Session(SessionError::WrongPin))
        ));
        assert!(guard.check("w").is_ok(), "a success reset the count");
    }

    #[test]
    fn other_errors_do_not_count() {
        let guard = PinGuard::new(Arc::new(ManualClock::new(0)));
        for _ in 0..10 {
            let _ = guard.attempt("w", || {
                Err::<(), _>(
                    SessionError::Busy {
                        service: "node".into(),
                    }
                    .into(),
                )
            });
            // A damaged keychain entry is not the user's miss.
            let _ = guard.attempt("w", || {
                Err::<(), _>(chipi_session::SessionError::MalformedCiphertext.into())
            });
        }
        assert!(guard.check("w").is_ok());
    }

    #[test]
    fn each_wallet_has_its_own_count() {
        let guard = PinGuard::new(Arc::new(ManualClock::new(0)));
        for _ in 0..3 {
            let _ = guard.attempt("a", wrong);
        }
        assert!(matches!(
            guard.check("a"),
            Err(ServiceError::TooManyAttempts { .. })
        ));
        assert!(guard.check("b").is_ok(), "another wallet is not blocked");
    }

    #[test]
    fn the_count_survives_a_restart_and_a_garbled_entry_fails_closed() {
        let clock = Arc::new(ManualClock::new(0));
        let vault = Arc::new(Memory::default());
        let guard = PinGuard::persisted(clock.clone(), vault.clone());
        for _ in 0..3 {
            let _ = guard.attempt("w", wrong);
        }
        clock.advance(10);
        // A new process: the wait kept at the last miss (30 s) runs again from its first look.
        let restarted = PinGuard::persisted(clock.clone(), vault.clone());
        assert!(matches!(
            restarted.check("w"),
            Err(ServiceError::TooManyAttempts { .. })
        ));
        clock.advance(20);
        assert!(matches!(
            restarted.check("w"),
            Err(ServiceError::TooManyAttempts { .. })
        ));
        clock.advance(10);
        assert!(restarted.attempt("w", || Ok(())).is_ok());
        assert!(
            vault.get("w").unwrap().is_none(),
            "a success clears the entry"
        );

        vault.put("w", "{edited").unwrap();
        let edited = PinGuard::persisted(clock.clone(), vault.clone());
        let message = match edited.check("w") {
            Err(e @ ServiceError::TooManyAttempts { .. }) => e.to_string(),
            other => panic!("{other:?}"),
        };
        assert!(message.contains("3600"), "{message}");
    }

    #[test]
    fn attempts_are_one_at_a_time() {
        // Eight threads with a wrong PIN at once: each runs after the previous one recorded its
        // miss, so exactly three are tried and the rest wait.
        let guard = PinGuard::new(Arc::new(ManualClock::new(0)));
        let tried = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (guard, tried) = (guard.clone(), tried.clone());
                std::thread::spawn(move || {
                    let _ = guard.attempt("w", || {
                        tried.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        wrong()
                    });
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(tried.load(std::sync::atomic::Ordering::SeqCst), 3);
    }
}
