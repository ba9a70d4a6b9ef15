//! The one unsettled session execution of a wallet, shared by every backend: a signed outside
//! execution whose outcome is not known yet is written down before it is sent, and whichever
//! backend is asked next (the same paymaster, the Chipi API, or the direct path after a gas-mode
//! switch) settles it from the chain before anything new is signed. A session's direct
//! transaction is written down the same way, with the account nonce it was signed with. So the
//! same transfer cannot run twice because the user retried it, restarted the app or switched the
//! way gas is paid.

use std::sync::{Arc, Mutex};

use serde_json::{json, Value};
use starknet_core::types::{Call, Felt};

use crate::backends::paymaster::in_flight::{calls_from_json, calls_to_json, InFlight};
pub use crate::backends::paymaster::in_flight::{Journal, JournalFn};
use crate::chain::node_client::NodeClient;
use crate::error::SessionError;

/// The longest validity any backend signs an outside execution for (the Chipi API's window;
/// a paymaster's is shorter).
pub const LONGEST_VALIDITY_SECONDS: u64 = 3600;

/// A session's direct transaction sent without a definite answer: the calls and the account
/// nonce they were signed with. It may still run until a transaction of the account takes
/// that nonce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DirectSend {
    pub(crate) account: Felt,
    pub(crate) calls: Vec<Call>,
    pub(crate) nonce: Felt,
}

impl DirectSend {
    fn to_json(&self) -> Value {
        json!({
            "account": format!("{:#x}", self.account),
            "calls": calls_to_json(&self.calls),
            "nonce": format!("{:#x}", self.nonce),
        })
    }

    fn from_json(value: &Value) -> Option<Self> {
        let felt = |v: &Value| crate::typed_data::felt_of(v).ok();
        Some(Self {
            account: felt(value.get("account")?)?,
            calls: calls_from_json(value.get("calls")?)?,
            nonce: felt(value.get("nonce")?)?,
        })
    }
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

    /// Keeps a session's direct send before it goes out. A journal that cannot be written
    /// stops the send.
    pub(crate) fn keep_direct(&self, send: DirectSend) -> Result<(), SessionError> {
        self.change(|kept| kept.direct = Some(send))
    }

    /// Forgets the direct send (answered, refused, or settled on chain).
    pub(crate) fn forget_direct(&self) {
        if self.lock().direct.is_some() {
            let _ = self.change(|kept| kept.direct = None);
        }
    }

    /// The nonce the same `calls` from `account` were sent with on the direct path without an
    /// answer.
    pub(crate) fn direct_send_of(&self, account: Felt, calls: &[Call]) -> Option<Felt> {
        self.lock()
            .direct
            .as_ref()
            .filter(|d| d.account == account && d.calls == calls)
            .map(|d| d.nonce)
    }

    /// Settles what is kept before `calls` from `account` are signed as an outside execution
    /// (a paymaster, the Chipi API): a direct send of the same calls that may still run holds
    /// them ([`SessionError::DirectSendPending`]), one that ran answers
    /// [`SessionError::AlreadyExecuted`]; then [`Self::settle_outside`].
    pub(crate) async fn settle(
        &self,
        node: &NodeClient,
        account: Felt,
        calls: &[Call],
    ) -> Result<Option<InFlight>, SessionError> {
        let direct = self.lock().direct.clone();
        if let Some(direct) = direct.filter(|d| d.account == account) {
            if node.nonce(account).await? > direct.nonce {
                self.forget_direct();
                if direct.calls == calls {
                    return Err(SessionError::AlreadyExecuted);
                }
            } else if direct.calls == calls {
                return Err(SessionError::DirectSendPending);
            }
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

    /// The chain id entries are read back for.
    pub fn chain_id(&self) -> Felt {
        self.chain_id
    }
}
