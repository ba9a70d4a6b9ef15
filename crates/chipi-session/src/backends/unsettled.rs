//! The one unsettled session execution of a wallet, shared by every backend: a signed outside
//! execution whose outcome is not known yet is written down before it is sent, and whichever
//! backend is asked next (the same paymaster, the Chipi API, or the direct path after a gas-mode
//! switch) settles it from the chain before anything new is signed. A session's direct
//! transaction is written down the same way, with its hash and the account nonce it was signed
//! with, until its receipt is read. So the
//! same transfer cannot run twice because the user retried it, restarted the app or switched the
//! way gas is paid.

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use starknet_core::types::{Call, Felt};

use crate::backends::paymaster::in_flight::{calls_from_json, calls_to_json, InFlight};
pub use crate::backends::paymaster::in_flight::{Journal, JournalFn};
use crate::backends::paymaster::BuiltInvoke;
use crate::chain::node_client::NodeClient;
use crate::error::SessionError;

/// The longest validity any backend signs an outside execution for (the Chipi API's window;
/// a paymaster's is shorter).
pub const LONGEST_VALIDITY_SECONDS: u64 = 3600;

/// The most transactions kept for one account nonce on the direct path: a send whose outcome is
/// unknown, and the sends signed with the same nonce after it.
pub const MAX_DIRECT_ATTEMPTS: usize = 4;

/// One signed direct transaction: its calls and its hash, computed before it went out (`None`
/// for an entry an earlier version wrote, which kept no hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DirectAttempt {
    pub(crate) calls: Vec<Call>,
    pub(crate) hash: Option<Felt>,
}

/// A session's direct transactions not settled yet, all signed with one account nonce (so at
/// most one of them can run): sent without a definite answer, or answered and not yet seen in
/// a receipt. Settled by their receipts; the nonce moving past them with no receipt of any
/// means another transaction took it and none of them can run — where their hashes are the only
/// form they can run in (`binding`: the signature covers the fee fields). Where it does not, a
/// node could have run one under another hash, and the outcome is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DirectSend {
    pub(crate) account: Felt,
    pub(crate) nonce: Felt,
    pub(crate) attempts: Vec<DirectAttempt>,
    pub(crate) binding: bool,
}

impl DirectSend {
    fn to_json(&self) -> Value {
        let hex = |f: &Felt| format!("{f:#x}");
        json!({
            "account": hex(&self.account),
            "nonce": hex(&self.nonce),
            "attempts": self.attempts.iter().map(|a| json!({
                "calls": calls_to_json(&a.calls),
                "hash": a.hash.as_ref().map(hex),
            })).collect::<Vec<_>>(),
            "binding": self.binding,
        })
    }

    fn from_json(value: &Value) -> Option<Self> {
        let felt = |v: &Value| crate::typed_data::felt_of(v).ok();
        let attempt = |a: &Value| {
            Some(DirectAttempt {
                calls: calls_from_json(a.get("calls")?)?,
                hash: match a.get("hash") {
                    None | Some(Value::Null) => None,
                    Some(hash) => Some(felt(hash)?),
                },
            })
        };
        // An earlier version's entry: one send's calls and nonce, no hash.
        let attempts = match value.get("attempts") {
            Some(list) => list
                .as_array()?
                .iter()
                .map(attempt)
                .collect::<Option<Vec<_>>>()?,
            None => vec![attempt(value)?],
        };
        if attempts.is_empty() || attempts.len() > MAX_DIRECT_ATTEMPTS {
            return None;
        }
        Some(Self {
            account: felt(value.get("account")?)?,
            nonce: felt(value.get("nonce")?)?,
            binding: value
                .get("binding")
                .and_then(Value::as_bool)
                .unwrap_or(false)
                && attempts.iter().all(|a| a.hash.is_some()),
            attempts,
        })
    }
}

/// What the chain says of the kept direct transactions of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum DirectState {
    /// Nothing was kept.
    Nothing,
    /// They were settled and forgotten: `Some` with the calls of the one that ran, `None` when
    /// none did (one reverted, or another transaction took their nonce). The account's nonce
    /// moved.
    Settled(Option<Vec<Call>>),
    /// None has a receipt and their nonce is still the account's: one of them may still run.
    MayRun { nonce: Felt, calls: Vec<Vec<Call>> },
    /// None has a receipt, another transaction took their nonce, and a node could have run one
    /// of them under another hash: forgotten, with the calls whose outcome is unknown.
    Unknown(Vec<Vec<Call>>),
}

/// What is kept unsettled: an outside execution, a direct send, or both.
#[derive(Debug, Clone, Default)]
struct Unsettled {
    outside: Option<InFlight>,
    direct: Option<DirectSend>,
}

impl Unsettled {
    /// The journal's entry: the outside execution's fields, with the direct send under
    /// `direct`; `None` when nothing is kept.
    fn to_json(&self) -> Option<Value> {
        if self.outside.is_none() && self.direct.is_none() {
            return None;
        }
        let mut entry = self.outside.as_ref().map_or(json!({}), InFlight::to_json);
        if let Some(direct) = &self.direct {
            entry["direct"] = direct.to_json();
        }
        Some(entry)
    }
}

/// The unsettled execution and where it is written down.
#[derive(Clone, Default)]
pub struct Ledger {
    chain_id: Felt,
    kept: Arc<Mutex<Unsettled>>,
    journal: Option<Journal>,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("unsettled", &self.is_unsettled())
            .finish_non_exhaustive()
    }
}

impl Ledger {
    /// A ledger kept in memory only, for `chain_id`.
    pub fn new(chain_id: Felt) -> Self {
        Self {
            chain_id,
            ..Self::default()
        }
    }

    /// A ledger written down through `journal`, starting from `unsettled` (what it last wrote,
    /// read back after a restart). An entry of which nothing parses is dropped, from the
    /// journal too.
    pub fn with_journal(chain_id: Felt, journal: Journal, unsettled: Option<&Value>) -> Self {
        let restored = Unsettled {
            outside: unsettled.and_then(|value| InFlight::from_json(value, chain_id)),
            direct: unsettled
                .and_then(|value| value.get("direct"))
                .and_then(DirectSend::from_json),
        };
        let ledger = Self {
            chain_id,
            kept: Arc::new(Mutex::new(Unsettled::default())),
            journal: Some(journal),
        };
        if unsettled.is_some() && restored.to_json().is_none() {
            let _ = ledger.write_down(&Unsettled::default());
        }
        *ledger.lock() = restored;
        ledger
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Unsettled> {
        self.kept
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write_down(&self, next: &Unsettled) -> Result<(), SessionError> {
        match &self.journal {
            Some(journal) => (journal.0)(next.to_json().as_ref()),
            None => Ok(()),
        }
    }

    /// Applies `change` to what is kept, written down first: a journal that cannot be written
    /// leaves both as they were.
    fn change(&self, change: impl FnOnce(&mut Unsettled)) -> Result<(), SessionError> {
        let mut next = self.lock().clone();
        change(&mut next);
        self.write_down(&next)?;
        *self.lock() = next;
        Ok(())
    }

    /// Whether an execution is kept unsettled.
    pub fn is_unsettled(&self) -> bool {
        let kept = self.lock();
        kept.outside.is_some() || kept.direct.is_some()
    }

    /// Keeps `attempt` before it is sent: whatever the relay answers, it may run until the
    /// chain says otherwise. A journal that cannot be written stops the send.
    pub(crate) fn keep(&self, attempt: &InFlight) -> Result<(), SessionError> {
        self.change(|kept| kept.outside = Some(attempt.clone()))
    }

    /// Forgets the unsettled outside execution (settled on chain, or never sent), here and in
    /// the journal; written only when one was kept. A journal that cannot be written keeps an
    /// entry the next start reads back and settles from the chain.
    pub fn forget(&self) {
        if self.lock().outside.is_some() {
            let _ = self.change(|kept| kept.outside = None);
        }
    }

    /// Keeps a session's direct transaction `hash` of `calls`, signed with `nonce`, before it
    /// goes out, beside the ones kept for the same nonce. Kept ones for another nonce must be
    /// settled first ([`Self::settle_direct`]): they are never overwritten
    /// ([`SessionError::DirectSendPending`]), nor are more than [`MAX_DIRECT_ATTEMPTS`] kept. A
    /// journal that cannot be written stops the send.
    pub(crate) fn keep_direct(
        &self,
        account: Felt,
        nonce: Felt,
        calls: &[Call],
        hash: Felt,
        binding: bool,
    ) -> Result<(), SessionError> {
        let attempt = DirectAttempt {
            calls: calls.to_vec(),
            hash: Some(hash),
        };
        let mut refused = false;
        self.change(|kept| match &mut kept.direct {
            None => {
                kept.direct = Some(DirectSend {
                    account,
                    nonce,
                    attempts: vec![attempt],
                    binding,
                });
            }
            Some(d)
                if d.account == account
                    && d.nonce == nonce
                    && d.attempts.len() < MAX_DIRECT_ATTEMPTS =>
            {
                d.attempts.push(attempt);
                d.binding &= binding;
            }
            Some(_) => refused = true,
        })?;
        if refused {
            return Err(SessionError::DirectSendPending);
        }
        Ok(())
    }

    /// Forgets the direct transaction `hash`: the node refused it, so it cannot run.
    pub(crate) fn drop_direct(&self, hash: Felt) {
        let kept = self
            .lock()
            .direct
            .as_ref()
            .is_some_and(|d| d.attempts.iter().any(|a| a.hash == Some(hash)));
        if kept {
            let _ = self.change(|kept| {
                if let Some(d) = &mut kept.direct {
                    d.attempts.retain(|a| a.hash != Some(hash));
                    if d.attempts.is_empty() {
                        kept.direct = None;
                    }
                }
            });
        }
    }

    /// Forgets the kept direct transactions (one was confirmed, or they were settled).
    pub(crate) fn forget_direct(&self) {
        if self.lock().direct.is_some() {
            let _ = self.change(|kept| kept.direct = None);
        }
    }

    /// Settles the kept direct transactions of `account` from the chain: the account's nonce is
    /// read first, then each one's receipt. A receipt settles them all (they share a nonce):
    /// the calls of a succeeded one ran, a reverted one took the nonce and did nothing. With
    /// no receipt, a nonce that moved past theirs means another transaction took it (or, where
    /// their hashes do not bind the fee fields, maybe one of them under another hash: unknown);
    /// one that did not means one of them may still run (kept).
    pub(crate) async fn settle_direct(
        &self,
        node: &NodeClient,
        account: Felt,
    ) -> Result<DirectState, SessionError> {
        let Some(kept) = self.lock().direct.clone().filter(|d| d.account == account) else {
            return Ok(DirectState::Nothing);
        };
        // The nonce before the receipts: a transaction of ours that took it has its receipt by
        // the time the nonce reads past it.
        let nonce = node.nonce(account).await?;
        for attempt in &kept.attempts {
            let Some(hash) = attempt.hash else { continue };
            if let Some(receipt) = node.receipt(hash).await? {
                tracing::info!(
                    hash = %format_args!("{hash:#x}"),
                    succeeded = receipt.succeeded,
                    "a kept direct transaction settled by its receipt"
                );
                self.forget_direct();
                return Ok(DirectState::Settled(
                    receipt.succeeded.then(|| attempt.calls.clone()),
                ));
            }
        }
        if nonce > kept.nonce {
            tracing::info!(nonce = %kept.nonce, binding = kept.binding, "the kept direct transactions' nonce was used with no receipt of theirs");
            self.forget_direct();
            if kept.binding {
                return Ok(DirectState::Settled(None));
            }
            return Ok(DirectState::Unknown(
                kept.attempts.into_iter().map(|a| a.calls).collect(),
            ));
        }
        Ok(DirectState::MayRun {
            nonce: kept.nonce,
            calls: kept.attempts.into_iter().map(|a| a.calls).collect(),
        })
    }

    /// Settles what is kept before `calls` from `account` are signed as an outside execution
    /// (a paymaster, the Chipi API): a direct send of the same calls that may still run holds
    /// them ([`SessionError::DirectSendPending`]), one whose receipt says it ran answers
    /// [`SessionError::AlreadyExecuted`] ([`Self::settle_direct`]); then
    /// [`Self::settle_outside`].
    pub(crate) async fn settle(
        &self,
        node: &NodeClient,
        account: Felt,
        calls: &[Call],
    ) -> Result<Option<InFlight>, SessionError> {
        match self.settle_direct(node, account).await? {
            DirectState::Settled(Some(ran)) if ran == calls => {
                return Err(SessionError::AlreadyExecuted)
            }
            DirectState::MayRun { calls: kept, .. } if kept.iter().any(|c| c == calls) => {
                return Err(SessionError::DirectSendPending)
            }
            DirectState::Unknown(kept) if kept.iter().any(|c| c == calls) => {
                return Err(SessionError::DirectOutcomeUnknown)
            }
            _ => {}
        }
        self.settle_outside(node, account, calls).await
    }

    /// Settles the kept outside execution from the chain before `calls` from `account` are
    /// signed: its nonce used → forgotten, and [`SessionError::AlreadyExecuted`] if the same
    /// calls are asked again; expired (or valid longer than any backend signs for, an entry
    /// someone edited) → forgotten; unused and valid → the same calls get it back (`Some`:
    /// re-send it, or wait for it where it cannot be re-sent), other calls wait for it
    /// ([`SessionError::PreviousExecutionPending`]). `None`: nothing holds these calls up.
    pub(crate) async fn settle_outside(
        &self,
        node: &NodeClient,
        account: Felt,
        calls: &[Call],
    ) -> Result<Option<InFlight>, SessionError> {
        let Some(previous) = self.lock().outside.clone() else {
            return Ok(None);
        };
        if previous.account != account {
            return Ok(None);
        }
        let oe = &previous.built.outside_execution;
        let (unused, chain_now) = node.outside_nonce_state(account, oe.nonce).await?;
        if !unused {
            tracing::info!(nonce = %oe.nonce, "the kept outside execution ran");
            self.forget();
            return if previous.calls == calls {
                Err(SessionError::AlreadyExecuted)
            } else {
                Ok(None)
            };
        }
        if chain_now >= oe.execute_before
            || oe.execute_before > chain_now.saturating_add(LONGEST_VALIDITY_SECONDS)
        {
            self.forget();
            return Ok(None);
        }
        if previous.calls == calls {
            return Ok(Some(previous));
        }
        Err(SessionError::PreviousExecutionPending {
            execute_before: oe.execute_before,
        })
    }

    /// The outside execution to send for `calls` from `account`. Tracked (a session's, settled
    /// on `node`): what is kept is settled first ([`Self::settle`]) and the same calls get their
    /// kept execution back. Otherwise one is built by `build` and signed by `sign`. Tracked, it
    /// is kept before it goes.
    pub(crate) async fn attempt(
        &self,
        tracked_on: Option<&NodeClient>,
        account: Felt,
        calls: &[Call],
        build: impl std::future::Future<Output = Result<BuiltInvoke, SessionError>>,
        sign: impl FnOnce(Felt) -> Result<Vec<Felt>, SessionError>,
    ) -> Result<InFlight, SessionError> {
        let previous = match tracked_on {
            Some(node) => self.settle(node, account, calls).await?,
            None => None,
        };
        let attempt = match previous {
            Some(previous) => previous,
            None => {
                let built = build.await?;
                let signature = sign(built.message_hash)?;
                InFlight {
                    account,
                    calls: calls.to_vec(),
                    built,
                    signature,
                }
            }
        };
        // Remembered before it is sent: whatever the relay answers (or a receipt that never
        // comes), it may run, until the chain says otherwise or it is settled.
        if tracked_on.is_some() {
            self.keep(&attempt)?;
        }
        Ok(attempt)
    }

    /// The chain id entries are read back for.
    pub fn chain_id(&self) -> Felt {
        self.chain_id
    }
}

#[cfg(test)]
#[path = "unsettled_tests.rs"]
mod tests;
