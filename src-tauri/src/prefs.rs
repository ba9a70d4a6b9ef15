//! What the app keeps that is not secret: the network, the current wallet, the session's public
//! parts, and the activity list. In the app this lives in `tauri-plugin-store`; tests use a file.

use chipi_session::{Network, SessionRecord};
use serde::{Deserialize, Serialize};
use starknet_core::types::Felt;

use crate::error::AppError;

/// The wallet without its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WalletPrefs {
    /// Account address.
    pub address: Felt,
    /// Owner public key.
    pub owner_public_key: Felt,
    /// Account class.
    pub class_hash: Felt,
    /// Deployment salt, for wallets made here.
    pub salt: Option<Felt>,
}

/// The session without its key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPrefs {
    /// Session public key.
    pub public_key: Felt,
    /// Expiry.
    pub valid_until: u64,
    /// Registration confirmed.
    pub registered: bool,
    /// Registration sent, not settled.
    pub registering: Option<Felt>,
    /// Revoked from this device.
    pub revoked: bool,
    /// Tokens with a spending limit.
    pub spending_tokens: Vec<Felt>,
}

impl SessionPrefs {
    /// The public parts of a record.
    pub fn of(record: &SessionRecord) -> Self {
        Self {
            public_key: record.public_key,
            valid_until: record.valid_until,
            registered: record.registered,
            registering: record.registering,
            revoked: record.revoked,
            spending_tokens: record.spending_tokens.clone(),
        }
    }

    /// The record again, with its sealed key from the keychain.
    pub fn with_key(&self, sealed_key: String) -> SessionRecord {
        SessionRecord {
            public_key: self.public_key,
            sealed_key,
            valid_until: self.valid_until,
            registered: self.registered,
            registering: self.registering,
            revoked: self.revoked,
            spending_tokens: self.spending_tokens.clone(),
        }
    }
}

/// One line of the activity list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    /// Unix seconds.
    pub at: u64,
    /// `transfer`, `execute`, `register`, `revoke`, `deploy`.
    pub kind: String,
    /// A sentence.
    pub summary: String,
    /// The transaction, if one was sent.
    pub transaction_hash: Option<Felt>,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
}

/// Everything non-secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefs {
    /// The selected network.
    pub network: Network,
    /// The wallet, once created or imported.
    pub wallet: Option<WalletPrefs>,
    /// The device's session.
    pub session: Option<SessionPrefs>,
    /// Newest last.
    pub activity: Vec<ActivityEntry>,
}

impl Prefs {
    /// Fresh preferences on `network`.
    pub fn new(network: Network) -> Self {
        Self {
            network,
            wallet: None,
            session: None,
            activity: vec![],
        }
    }
}

/// Where preferences are persisted.
pub trait PrefsStore: Send + Sync {
    /// The saved preferences, if any.
    fn load(&self) -> Result<Option<Prefs>, AppError>;
    /// Saves them.
    fn save(&self, prefs: &Prefs) -> Result<(), AppError>;
}

/// A JSON file (tests, and a fallback).
#[derive(Debug, Clone)]
pub struct FilePrefs(pub std::path::PathBuf);

impl PrefsStore for FilePrefs {
    fn load(&self) -> Result<Option<Prefs>, AppError> {
        match std::fs::read_to_string(&self.0) {
            Ok(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| AppError::Internal(format!("preferences: {e}"))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(AppError::Internal(format!("preferences: {e}"))),
        }
    }

    fn save(&self, prefs: &Prefs) -> Result<(), AppError> {
        let text =
            serde_json::to_string_pretty(prefs).map_err(|e| AppError::Internal(e.to_string()))?;
        if let Some(dir) = self.0.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| AppError::Internal(format!("preferences: {e}")))?;
        }
        let tmp = self.0.with_extension("tmp");
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &self.0))
            .map_err(|e| AppError::Internal(format!("preferences: {e}")))
    }
}
