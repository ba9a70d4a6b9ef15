//! The one unsettled session execution of a wallet, shared by every backend: a signed outside
//! execution whose outcome is not known yet is written down before it is sent, and whichever
//! backend is asked next (the same paymaster, the Chipi API, or the direct path after a gas-mode
//! switch) settles it from the chain before anything new is signed. So the same transfer cannot
//! run twice because the user retried it or switched the way gas is paid.

use std::sync::{Arc, Mutex};

use serde_json::Value;
use starknet_core::types::{Call, Felt};

use crate::backends::paymaster::in_flight::InFlight;
pub use crate::backends::paymaster::in_flight::{Journal, JournalFn};
use crate::chain::node_client::NodeClient;
use crate::error::SessionError;

/// The longest validity any backend signs an outside execution for (the Chipi API's window;
/// a paymaster's is shorter).
pub const LONGEST_VALIDITY_SECONDS: u64 = 3600;

/// The unsettled execution and where it is written down.
#[derive(Clone, Default)]
pub struct Ledger {
    chain_id: Felt,
    in_flight: Arc<Mutex<Option<InFlight>>>,
    journal: Option<Journal>,
}

impl std::fmt::Debug for Ledger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ledger")
            .field("unsettled", &self.lock().is_some())
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
    /// read back after a restart). An entry that does not parse is dropped, from the journal
    /// too.
    pub fn with_journal(chain_id: Felt, journal: Journal, unsettled: Option<&Value>) -> Self {
        let restored = unsettled.and_then(|value| InFlight::from_json(value, chain_id));
        let ledger = Self {
            chain_id,
            in_flight: Arc::new(Mutex::new(None)),
            journal: Some(journal),
        };
        if unsettled.is_some() && restored.is_none() {
            let _ = ledger.write_down(None);
        }
        *ledger.lock() = restored;
        ledger
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<InFlight>> {
        self.in_flight
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write_down(&self, attempt: Option<&InFlight>) -> Result<(), SessionError> {
        match &self.journal {
            Some(journal) => (journal.0)(attempt.map(InFlight::to_json).as_ref()),
            None => Ok(()),
        }
    }

    /// Whether an execution is kept unsettled.
    pub fn is_unsettled(&self) -> bool {
        self.lock().is_some()
    }

    /// Keeps `attempt` before it is sent: whatever the relay answers, it may run until the
    /// chain says otherwise. A journal that cannot be written stops the send.
    pub(crate) fn keep(&self, attempt: &InFlight) -> Result<(), SessionError> {
        self.write_down(Some(attempt))?;
        *self.lock() = Some(attempt.clone());
        Ok(())
    }

    /// Forgets the unsettled execution (settled on chain, or never sent), here and in the
    /// journal; written only when something was kept. A journal that cannot be written keeps
    /// an entry the next start reads back and settles from the chain.
    pub fn forget(&self) {
        if self.lock().take().is_some() {
            let _ = self.write_down(None);
        }
    }

    /// Settles the kept execution from the chain before `calls` from `account` are signed:
    /// its nonce used → forgotten, and [`SessionError::AlreadyExecuted`] if the same calls are
    /// asked again; expired (or valid longer than any backend signs for, an entry someone
    /// edited) →
    /// forgotten; unused and valid → the same calls get it back (`Some`: re-send it, or wait
    /// for it where it cannot be re-sent), other calls wait for it
    /// ([`SessionError::PreviousExecutionPending`]). `None`: nothing holds these calls up.
    pub(crate) async fn settle(
        &self,
        node: &NodeClient,
        account: Felt,
        calls: &[Call],
    ) -> Result<Option<InFlight>, SessionError> {
        let Some(previous) = self.lock().clone() else {
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
