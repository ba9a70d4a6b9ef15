//! The activity list: what was done, and how it ended.

use std::sync::Arc;

use chipi_session::{Clock, SessionManager};
use starknet_core::types::Felt;

use super::{hex, SharedPrefs, WalletService};
use crate::error::ServiceError;
use crate::prefs::ActivityEntry;
use crate::views::{ActivityInfo, ActivityKind, ActivityStatus};

/// The activity list keeps this many lines per network.
pub const ACTIVITY_CAP: usize = 500;

/// Cuts `activity` (oldest first) to [`ACTIVITY_CAP`] lines: tokens received go first (anyone
/// can send them), then the oldest settled lines; a pending one is never dropped.
pub(super) fn trim(activity: &mut Vec<ActivityEntry>) {
    for received_first in [true, false] {
        while activity.len() > ACTIVITY_CAP {
            let Some(i) = activity.iter().position(|a| {
                a.status != ActivityStatus::Pending
                    && (!received_first || a.kind == ActivityKind::Receive)
            }) else {
                break;
            };
            activity.remove(i);
        }
    }
}

/// The activity list, a part of the service of its own: lines added, settled and listed, kept
/// in the preferences with the wallet's network.
#[derive(Clone)]
pub(super) struct Activity {
    prefs: SharedPrefs,
    clock: Arc<dyn Clock>,
}

impl Activity {
    pub(super) fn new(prefs: SharedPrefs, clock: Arc<dyn Clock>) -> Self {
        Self { prefs, clock }
    }

    pub(super) fn note(
        &self,
        kind: ActivityKind,
        summary: String,
        hash: Option<Felt>,
        status: ActivityStatus,
    ) -> Result<(), ServiceError> {
        self.record(ActivityEntry {
            at: self.clock.now(),
            kind,
            summary,
            transaction_hash: hash,
            status,
            token: None,
            amount: None,
            counterparty: None,
        })
    }

    /// Adds `entry`, keeping at most [`ACTIVITY_CAP`] lines (see [`trim`]).
    pub(super) fn record(&self, entry: ActivityEntry) -> Result<(), ServiceError> {
        self.prefs.update(|p| {
            p.activity.push(entry);
            trim(&mut p.activity);
        })
    }

    /// Sets the status of the activity entry of `hash` (adding one if it is missing).
    pub(super) fn settle(
        &self,
        hash: Felt,
        status: ActivityStatus,
        summary: Option<String>,
    ) -> Result<(), ServiceError> {
        let at = self.clock.now();
        self.prefs.update(|p| {
            match p
                .activity
                .iter_mut()
                .rev()
                .find(|a| a.transaction_hash == Some(hash))
            {
                Some(entry) => {
                    entry.status = status;
                    if let Some(summary) = summary {
                        entry.summary = summary;
                    }
                }
                None => p.activity.push(ActivityEntry {
                    at,
                    kind: ActivityKind::Execute,
                    summary: summary.unwrap_or_else(|| "transaction".into()),
                    transaction_hash: Some(hash),
                    status,
                    token: None,
                    amount: None,
                    counterparty: None,
                }),
            }
            trim(&mut p.activity);
        })
    }

    /// Activity, newest first.
    pub(super) fn list(&self) -> Vec<ActivityInfo> {
        let prefs = self.prefs.get();
        prefs
            .activity
            .iter()
            .rev()
            .map(|a| ActivityInfo {
                at: a.at.to_string(),
                kind: a.kind,
                summary: a.summary.clone(),
                transaction_hash: a.transaction_hash.map(hex),
                status: a.status,
                token: a.token.clone(),
                amount: a.amount.clone(),
                counterparty: a.counterparty.map(hex),
                explorer_url: a
                    .transaction_hash
                    .and_then(|h| super::explorer_page(&prefs.network, h)),
            })
            .collect()
    }
}

impl WalletService {
    /// Settles transactions left pending (the app stopped before their receipt): each one the
    /// node knows becomes succeeded or failed; the others stay pending for the next refresh.
    pub(super) async fn settle_pending(
        &self,
        manager: &SessionManager,
    ) -> Result<(), ServiceError> {
        let pending: Vec<Felt> = self
            .prefs
            .get()
            .activity
            .iter()
            .filter(|a| a.status == ActivityStatus::Pending)
            .filter_map(|a| a.transaction_hash)
            .collect();
        for hash in pending {
            if let Some(receipt) = manager.node().receipt(hash).await? {
                let status = if receipt.succeeded {
                    ActivityStatus::Succeeded
                } else {
                    ActivityStatus::Failed
                };
                self.activity.settle(hash, status, None)?;
            }
        }
        Ok(())
    }

    /// Activity, newest first.
    pub fn activity(&self) -> Vec<ActivityInfo> {
        self.activity.list()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(at: u64, kind: ActivityKind, status: ActivityStatus) -> ActivityEntry {
        ActivityEntry {
            at,
            kind,
            summary: String::new(),
            transaction_hash: None,
            status,
            token: None,
            amount: None,
            counterparty: None,
        }
    }

    #[test]
    fn received_lines_go_first_and_pending_ones_stay() {
        let mut activity = vec![line(0, ActivityKind::Transfer, ActivityStatus::Pending)];
        activity.push(line(1, ActivityKind::Transfer, ActivityStatus::Succeeded));
        for at in 2..ACTIVITY_CAP as u64 {
            activity.push(line(at, ActivityKind::Receive, ActivityStatus::Succeeded));
        }
        activity.push(line(999, ActivityKind::Transfer, ActivityStatus::Succeeded));
        assert_eq!(activity.len(), ACTIVITY_CAP + 1);
        trim(&mut activity);
        assert_eq!(activity.len(), ACTIVITY_CAP);
        // The oldest received line went; the user's own lines stayed.
        assert_eq!(activity[0].status, ActivityStatus::Pending);
        assert_eq!(activity[1].at, 1);
        assert_eq!(activity[2].at, 3);
        // With nothing received left to drop, the oldest settled line goes, never a pending one.
        let mut own: Vec<_> = (0..=ACTIVITY_CAP as u64)
            .map(|at| line(at, ActivityKind::Transfer, ActivityStatus::Succeeded))
            .collect();
        own[0].status = ActivityStatus::Pending;
        trim(&mut own);
        assert_eq!(own.len(), ACTIVITY_CAP);
        assert_eq!(own[0].status, ActivityStatus::Pending);
        assert_eq!(own[1].at, 2);
    }

    fn activity(dir: &std::path::Path) -> (Activity, Arc<chipi_session::ManualClock>) {
        let clock = Arc::new(chipi_session::ManualClock::new(1_000));
        let prefs = SharedPrefs {
            prefs: Arc::new(std::sync::Mutex::new(crate::prefs::Prefs::new(
                chipi_session::Network::profile("local").unwrap(),
            ))),
            store: Arc::new(crate::prefs::FilePrefs(dir.join("prefs.json"))),
        };
        (Activity::new(prefs, clock.clone()), clock)
    }

    #[test]
    fn lines_are_noted_settled_and_listed_newest_first() {
        let dir = tempfile::tempdir().unwrap();
        let (activity, clock) = activity(dir.path());
        let hash = Felt::from(0xabcu32);
        activity
            .note(
                ActivityKind::Transfer,
                "sent 1 STRK".into(),
                Some(hash),
                ActivityStatus::Pending,
            )
            .unwrap();
        clock.advance(5);
        activity
            .note(
                ActivityKind::Register,
                "session set up".into(),
                None,
                ActivityStatus::Succeeded,
            )
            .unwrap();
        let listed = activity.list();
        assert_eq!(
            listed
                .iter()
                .map(|a| (a.at.as_str(), a.kind))
                .collect::<Vec<_>>(),
            [
                ("1005", ActivityKind::Register),
                ("1000", ActivityKind::Transfer)
            ]
        );
        assert_eq!(listed[1].transaction_hash.as_deref(), Some("0xabc"));
        // Settled in place, with new words; a hash not listed gets a line of its own.
        activity
            .settle(
                hash,
                ActivityStatus::Failed,
                Some("sent 1 STRK: reverted".into()),
            )
            .unwrap();
        activity
            .settle(Felt::TWO, ActivityStatus::Succeeded, None)
            .unwrap();
        let listed = activity.list();
        assert_eq!(listed.len(), 3);
        assert_eq!(
            (listed[0].kind, listed[0].summary.as_str(), listed[0].status),
            (
                ActivityKind::Execute,
                "transaction",
                ActivityStatus::Succeeded
            )
        );
        assert_eq!(
            (listed[2].summary.as_str(), listed[2].status),
            ("sent 1 STRK: reverted", ActivityStatus::Failed)
        );
        // Written through to the store: a restart reads the same list.
        let stored = crate::prefs::FilePrefs(dir.path().join("prefs.json"));
        assert_eq!(
            crate::host::PrefsStore::load(&stored)
                .unwrap()
                .unwrap()
                .activity
                .len(),
            3
        );
    }
}
