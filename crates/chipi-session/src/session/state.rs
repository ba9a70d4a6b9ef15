//! The state a session is in, derived from what this device knows and what the chain says.
//!
//! Unlike the SDK, a session that was never registered stays `Created` (the chain reports it
//! inactive, which the SDK misreads as revoked), and a registration under way is `Registering`.

use starknet_core::types::Felt;

use crate::chain::status::SessionStatus;

/// Where a session stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SessionState {
    /// No session on this device.
    None,
    /// A key exists locally; it is not registered on chain.
    Created,
    /// A registration was submitted and is not confirmed yet.
    Registering,
    /// Registered, not expired, calls left.
    Active,
    /// Past its expiry or out of calls.
    Expired,
    /// Was registered, and the chain no longer has it.
    Revoked,
}

/// What this device knows about its session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalSession {
    /// The session public key.
    pub public_key: Felt,
    /// Expiry, unix seconds.
    pub valid_until: u64,
    /// A registration was submitted and has not been confirmed or failed.
    pub registering: bool,
    /// The chain confirmed the registration at least once.
    pub registered: bool,
}

impl SessionState {
    /// Derives the state at `now` from the local session and the last on-chain status.
    pub fn derive(local: Option<&LocalSession>, status: Option<&SessionStatus>, now: u64) -> Self {
        let Some(local) = local else {
            return SessionState::None;
        };
        match status {
            Some(s) if s.is_active => {
                if now > s.valid_until || s.remaining_calls == 0 {
                    SessionState::Expired
                } else {
                    SessionState::Active
                }
            }
            // Inactive on chain: revoked only if it ever was registered.
            Some(_) if local.registered => SessionState::Revoked,
            _ if now > local.valid_until => SessionState::Expired,
            _ if local.registering => SessionState::Registering,
            None if local.registered => SessionState::Active,
            _ => SessionState::Created,
        }
    }

    /// The lowercase name the UI and the CLI show.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionState::None => "none",
            SessionState::Created => "created",
            SessionState::Registering => "registering",
            SessionState::Active => "active",
            SessionState::Expired => "expired",
            SessionState::Revoked => "revoked",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(registering: bool, registered: bool) -> LocalSession {
        LocalSession {
            public_key: Felt::ONE,
            valid_until: 1000,
            registering,
            registered,
        }
    }

    fn status(is_active: bool, valid_until: u64, remaining_calls: u32) -> SessionStatus {
        SessionStatus {
            is_active,
            valid_until,
            remaining_calls,
            allowed_entrypoints: vec![],
        }
    }

    #[test]
    fn no_local_session_is_none() {
        assert_eq!(
            SessionState::derive(None, Some(&status(true, 1000, 5)), 10),
            SessionState::None
        );
    }

    #[test]
    fn unregistered_is_created_not_revoked() {
        let inactive = status(false, 0, 0);
        assert_eq!(
            SessionState::derive(Some(&local(false, false)), Some(&inactive), 10),
            SessionState::Created
        );
        assert_eq!(
            SessionState::derive(Some(&local(false, false)), None, 10),
            SessionState::Created
        );
        assert_eq!(
            SessionState::derive(Some(&local(true, false)), Some(&inactive), 10),
            SessionState::Registering
        );
    }

    #[test]
    fn active_expired_and_exhausted() {
        let l = local(false, true);
        assert_eq!(
            SessionState::derive(Some(&l), Some(&status(true, 1000, 5)), 1000),
            SessionState::Active
        );
        assert_eq!(
            SessionState::derive(Some(&l), Some(&status(true, 1000, 5)), 1001),
            SessionState::Expired
        );
        assert_eq!(
            SessionState::derive(Some(&l), Some(&status(true, 1000, 0)), 10),
            SessionState::Expired
        );
        assert_eq!(
            SessionState::derive(Some(&l), None, 10),
            SessionState::Active,
            "last known, no status yet"
        );
        assert_eq!(
            SessionState::derive(Some(&l), None, 1001),
            SessionState::Expired
        );
        assert_eq!(
            SessionState::derive(Some(&local(false, false)), None, 1001),
            SessionState::Expired
        );
    }

    #[test]
    fn revoked_after_registration() {
        let inactive = status(false, 0, 0);
        assert_eq!(
            SessionState::derive(Some(&local(false, true)), Some(&inactive), 10),
            SessionState::Revoked
        );
        assert_eq!(SessionState::Revoked.as_str(), "revoked");
    }
}
