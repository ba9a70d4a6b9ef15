//! What the sponsor lets each account, and all of them together, spend in an hour.

use std::collections::HashMap;

use starknet::core::types::Felt;

use crate::error::SponsorError;

/// Accounts remembered before those with nothing in the window are dropped.
pub const ACCOUNTS_CAP: usize = 10_000;

/// Transactions sent per account in the last [`QUOTA_WINDOW`].
#[derive(Debug)]
pub(crate) struct Quotas {
    per_window: u32,
    sent: HashMap<Felt, std::collections::VecDeque<std::time::Instant>>,
    /// The most the relayer may pay in a window, whatever account asks (new accounts cost
    /// nothing to make, so a per-account quota alone does not bound the spending).
    budget: u128,
    /// What it may have paid, transaction by transaction (the signed bounds, an upper bound).
    spent: std::collections::VecDeque<(std::time::Instant, u128)>,
    /// Deployments (by address) and outside executions (by message hash) sent in the window:
    /// the same one asked for again is not sent again (it could only revert, at the relayer's
    /// cost).
    once: HashMap<Felt, std::time::Instant>,
}

/// The window a quota counts over.
pub const QUOTA_WINDOW: std::time::Duration = std::time::Duration::from_secs(3600);

impl Quotas {
    pub(crate) fn new(per_window: u32, budget: u128) -> Self {
        Self {
            per_window,
            sent: HashMap::new(),
            budget,
            spent: std::collections::VecDeque::new(),
            once: HashMap::new(),
        }
    }

    /// Refuses a transaction sent already (`key`), or one that could take the relayer's
    /// spending in the window past the budget.
    pub(crate) fn check_spending(
        &mut self,
        key: Felt,
        fee: u128,
        now: std::time::Instant,
    ) -> Result<(), SponsorError> {
        let recent = |at: &std::time::Instant| now.duration_since(*at) < QUOTA_WINDOW;
        self.once.retain(|_, at| recent(at));
        if self.once.contains_key(&key) {
            return Err(SponsorError::AlreadySent);
        }
        while self.spent.front().is_some_and(|(at, _)| !recent(at)) {
            self.spent.pop_front();
        }
        let spent = self
            .spent
            .iter()
            .fold(0u128, |sum, (_, fee)| sum.saturating_add(*fee));
        if spent.saturating_add(fee) > self.budget {
            return Err(SponsorError::Budget);
        }
        Ok(())
    }

    /// Refuses `account` when its quota is used up at `now`.
    pub(crate) fn check(
        &mut self,
        account: Felt,
        now: std::time::Instant,
    ) -> Result<(), SponsorError> {
        let recent = |at: &std::time::Instant| now.duration_since(*at) < QUOTA_WINDOW;
        if let Some(times) = self.sent.get_mut(&account) {
            while times.front().is_some_and(|at| !recent(at)) {
                times.pop_front();
            }
            if times.len() >= self.per_window as usize {
                return Err(SponsorError::Quota(self.per_window));
            }
        }
        // Accounts with nothing in the window are forgotten, so the map stays as large as the
        // accounts served within the hour.
        if self.sent.len() > ACCOUNTS_CAP {
            self.sent
                .retain(|_, times| times.back().is_some_and(recent));
        }
        Ok(())
    }

    /// Counts a transaction about to be sent (whatever its outcome: a send that times out may
    /// still have reached the node).
    pub(crate) fn record(&mut self, account: Felt, key: Felt, fee: u128, now: std::time::Instant) {
        self.sent.entry(account).or_default().push_back(now);
        self.spent.push_back((now, fee));
        self.once.insert(key, now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_count_each_account_over_the_last_hour() {
        let start = std::time::Instant::now();
        let mut quotas = Quotas::new(2, u128::MAX);
        let (a, b) = (Felt::ONE, Felt::TWO);
        for key in [10u8, 11] {
            quotas.check(a, start).unwrap();
            quotas.record(a, Felt::from(key), 1, start);
        }
        assert!(matches!(
            quotas.check(a, start),
            Err(SponsorError::Quota(2))
        ));
        quotas
            .check(b, start)
            .expect("another account has its own quota");
        let later = start + QUOTA_WINDOW - std::time::Duration::from_secs(1);
        assert!(quotas.check(a, later).is_err(), "still within the hour");
        quotas
            .check(a, start + QUOTA_WINDOW)
            .expect("an hour later the first ones no longer count");
        assert!(quotas.sent[&a].is_empty());
    }

    #[test]
    fn the_budget_bounds_every_account_together_and_nothing_goes_twice() {
        let start = std::time::Instant::now();
        let mut quotas = Quotas::new(100, 1000);
        // Many new accounts, each within its own quota, share one budget.
        for account in 0u8..4 {
            quotas.check(Felt::from(account), start).unwrap();
            quotas
                .check_spending(Felt::from(account), 250, start)
                .unwrap();
            quotas.record(Felt::from(account), Felt::from(account), 250, start);
        }
        assert!(matches!(
            quotas.check_spending(Felt::from(9u8), 1, start),
            Err(SponsorError::Budget)
        ));
        let later = start + QUOTA_WINDOW;
        quotas
            .check_spending(Felt::from(9u8), 1000, later)
            .expect("an hour later the budget is whole again");
        // The same transaction again, within the window.
        let again = start + std::time::Duration::from_secs(60);
        let mut fresh = Quotas::new(100, u128::MAX);
        fresh.record(Felt::ONE, Felt::from(77u8), 5, start);
        assert!(matches!(
            fresh.check_spending(Felt::from(77u8), 5, again),
            Err(SponsorError::AlreadySent)
        ));
    }
}
