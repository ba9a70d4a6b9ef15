//! What is persisted about the device's session: its public key, the private key sealed under
//! the PIN, its expiry and how far registration got. Stores keep it (a file for the CLI, the
//! OS keychain and an app store for the desktop app).

use serde::{Deserialize, Serialize};
use starknet_core::types::Felt;

use crate::error::SessionError;
use crate::session::manager::PolicySpec;

/// The device's session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Session public key.
    pub public_key: Felt,
    /// Session private key under the PIN (Argon2id + XChaCha20-Poly1305).
    pub sealed_key: String,
    /// Expiry, unix seconds (the registered one once registered).
    pub valid_until: u64,
    /// The chain confirmed the registration.
    pub registered: bool,
    /// A registration transaction sent and not yet confirmed or failed.
    pub registering: Option<Felt>,
    /// When that registration was sent (unix seconds): past [`REGISTRATION_DEADLINE`] without a
    /// receipt, the next status read settles it as not registered.
    #[serde(default)]
    pub registering_since: Option<u64>,
    /// This device revoked it.
    pub revoked: bool,
    /// Tokens with a spending policy for this session.
    pub spending_tokens: Vec<Felt>,
    /// The call budget registered (unknown for a session imported or kept from before).
    #[serde(default)]
    pub max_calls: Option<u32>,
    /// Spending policies a registration set on a class whose `__execute__` swallows a failed
    /// inner call (CHIPI v33) that were not read back on chain yet: nothing is signed with the
    /// session until they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unchecked_policies: Option<UncheckedPolicies>,
}

/// The spending policies of a registration still to be read back, and that registration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UncheckedPolicies {
    /// The registration transaction that set them.
    pub registration: Felt,
    /// Every policy it set.
    pub policies: Vec<PolicySpec>,
}

/// How long a registration the node has no receipt for stays `registering` (seconds): long
/// past any block time, short beside a session's life.
pub const REGISTRATION_DEADLINE: u64 = 600;

/// Where the manager saves the session record whenever it changes.
pub trait SessionStore: Send + Sync {
    /// Saves the record, or removes it when `None`.
    fn save(&self, record: Option<&SessionRecord>) -> Result<(), SessionError>;
}

/// A store that keeps nothing (the caller persists from [`crate::SessionManager::record`]).
#[derive(Debug, Default, Clone, Copy)]
pub struct NoStore;

impl SessionStore for NoStore {
    fn save(&self, _record: Option<&SessionRecord>) -> Result<(), SessionError> {
        Ok(())
    }
}
