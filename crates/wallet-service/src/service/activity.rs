//! The activity list: what was done, and how it ended.

use chipi_session::SessionManager;
use starknet_core::types::Felt;

use super::{hex, WalletService};
use crate::error::AppError;
use crate::prefs::ActivityEntry;
use crate::views::{ActivityInfo, ActivityKind, ActivityStatus};

/// The activity list keeps this many lines per network, the oldest dropped first.
pub const ACTIVITY_CAP: usize = 500;

impl WalletService {
    pub(super) fn note(
        &self,
        kind: ActivityKind,
        summary: String,
        hash: Option<Felt>,
        status: ActivityStatus,
    ) -> Result<(), AppError> {
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

    /// Adds `entry`, keeping the newest [`ACTIVITY_CAP`] lines.
    pub(super) fn record(&self, entry: ActivityEntry) -> Result<(), AppError> {
        self.prefs.update(|p| {
            p.activity.push(entry);
            let over = p.activity.len().saturating_sub(ACTIVITY_CAP);
            p.activity.drain(..over);
        })
    }

    /// Sets the status of the activity entry of `hash` (adding one if it is missing).
    pub(super) fn settle(
        &self,
        hash: Felt,
        status: ActivityStatus,
        summary: Option<String>,
    ) -> Result<(), AppError> {
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
        })
    }

    /// Settles transactions left pending (the app stopped before their receipt): each one the
    /// node knows becomes succeeded or failed; the others stay pending for the next refresh.
    pub(super) async fn settle_pending(&self, manager: &SessionManager) -> Result<(), AppError> {
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
                self.settle(hash, status, None)?;
            }
        }
        Ok(())
    }

    /// Activity, newest first.
    pub fn activity(&self) -> Vec<ActivityInfo> {
        let prefs = self.prefs.get();
        let explorer = prefs.network.explorer_tx_url.clone();
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
                    .and_then(|h| explorer.as_ref().map(|base| format!("{base}{h:#x}"))),
            })
            .collect()
    }
}
