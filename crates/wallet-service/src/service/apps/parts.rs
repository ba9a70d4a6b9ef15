//! The apps' parts: their managers, each one's session store, and the checks that need no chain
//! (the pairs a policy allows, an app's calls parsed, which errors are refusals).

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use chipi_session::{parse_address, parse_felt, parse_selector, SessionError, SessionManager};
use starknet_core::types::{Call, Felt};
use wallet_api::{SessionPolicy, WalletEvent};

use super::super::lock;
use crate::app_prefs::AppPrefs;
use crate::error::ServiceError;
use crate::prefs::Prefs;

pub(in crate::service) type RemovedListener = Arc<dyn Fn(&str) + Send + Sync>;
pub(in crate::service) type ChangedListener = Arc<dyn Fn(&WalletEvent) + Send + Sync>;

/// The paired apps' managers on the network in use, built when first asked for.
#[derive(Default)]
pub(in crate::service) struct AppManagers {
    pub(in crate::service) built: Mutex<HashMap<String, Arc<SessionManager>>>,
    pub(in crate::service) removed: Mutex<Option<RemovedListener>>,
    /// Counts the clears: a manager built across one is not kept (it may be of the wallet or
    /// network that went).
    generation: AtomicU64,
    /// Hears the wallet's chain or account change (the apps' sockets are told).
    pub(in crate::service) changed: Mutex<Option<ChangedListener>>,
    /// The chain id and accounts last told (none before the first load).
    pub(in crate::service) announced: Mutex<Option<(String, Vec<String>)>>,
}

impl AppManagers {
    /// Forgets every manager (another network or wallet loaded), their open keys closed.
    pub(in crate::service) fn clear(&self) {
        let gone: Vec<_> = {
            let mut built = lock(&self.built);
            self.generation.fetch_add(1, Ordering::SeqCst);
            built.drain().map(|(_, m)| m).collect()
        };
        for manager in gone {
            manager.lock_session();
        }
    }

    /// The clears so far, read before building a manager.
    pub(in crate::service) fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    /// Keeps `manager` for app `id` unless a clear came since `generation`; answers the one
    /// kept (a manager built meanwhile by another call wins).
    pub(in crate::service) fn keep(
        &self,
        id: &str,
        manager: Arc<SessionManager>,
        generation: u64,
    ) -> Result<Arc<SessionManager>, ServiceError> {
        let mut built = lock(&self.built);
        if self.generation() != generation {
            return Err(ServiceError::Internal(
                "the wallet or network changed meanwhile: try again".into(),
            ));
        }
        Ok(Arc::clone(built.entry(id.to_owned()).or_insert(manager)))
    }

    /// The managers built so far.
    pub(in crate::service) fn all(&self) -> Vec<Arc<SessionManager>> {
        lock(&self.built).values().cloned().collect()
    }
}

pub(in crate::service) fn app_mut<'a>(prefs: &'a mut Prefs, id: &str) -> Option<&'a mut AppPrefs> {
    prefs
        .wallet
        .as_mut()
        .and_then(|w| w.apps.iter_mut().find(|a| a.id == id))
}

/// What the door needs to say no: the reason, and whether it is the app's session refusing
/// (`USER_REFUSED_OP`) rather than something failing.
pub fn is_refusal(error: &ServiceError) -> bool {
    matches!(
        error,
        ServiceError::SpendingLimit { .. }
            | ServiceError::NoLimitFor { .. }
            | ServiceError::AppNotAllowed(_)
            | ServiceError::Locked(_)
            | ServiceError::Session(
                SessionError::EntrypointNotAllowed { .. }
                    | SessionError::SpendingLimit { .. }
                    | SessionError::NoSpendingPolicy { .. }
                    | SessionError::UnboundedValueCall { .. }
                    | SessionError::PrivilegedCall
                    | SessionError::CallsExhausted
                    | SessionError::SessionExpired { .. }
                    | SessionError::SessionRevoked
                    | SessionError::SessionNotRegistered
                    | SessionError::NoSession
            )
    )
}

/// The `(contract, selector)` pairs `policy` allows.
pub(in crate::service) fn allowed_pairs(
    policy: &SessionPolicy,
) -> Result<Vec<(Felt, Felt)>, ServiceError> {
    let mut pairs = Vec::new();
    for (contract, methods) in &policy.contracts {
        let contract = parse_address(contract)?;
        for method in &methods.methods {
            pairs.push((contract, parse_selector(&method.entrypoint)?));
        }
    }
    Ok(pairs)
}

/// An app's calls as the wire gave them, parsed; a malformed one is refused by name.
pub fn parse_calls(calls: &[wallet_api::wire::InvokeCall]) -> Result<Vec<Call>, ServiceError> {
    calls
        .iter()
        .map(|c| {
            Ok(Call {
                to: parse_address(&c.contract_address)?,
                selector: parse_selector(&c.entry_point)?,
                calldata: c
                    .calldata
                    .iter()
                    .map(|f| parse_felt(f))
                    .collect::<Result<Vec<_>, _>>()?,
            })
        })
        .collect::<Result<Vec<_>, SessionError>>()
        .map_err(ServiceError::from)
}
