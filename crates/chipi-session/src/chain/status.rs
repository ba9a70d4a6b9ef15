//! What `get_session_data` returns.

use starknet_core::types::Felt;

use crate::error::SessionError;

/// On-chain state of one session key, from the v29 layout
/// `[is_active, valid_until, remaining_calls, n, selectors...]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionStatus {
    /// Registered and not revoked.
    pub is_active: bool,
    /// Expiry, unix seconds (0 when not registered).
    pub valid_until: u64,
    /// Calls left in the budget.
    pub remaining_calls: u32,
    /// Selectors allowed on any contract; empty allows none (contract-bound pairs are read
    /// separately).
    pub allowed_entrypoints: Vec<Felt>,
}

impl SessionStatus {
    /// Parses the felts `get_session_data` returned.
    pub fn from_felts(data: &[Felt]) -> Result<Self, SessionError> {
        let bad = |what: &str| SessionError::InvalidResponse(format!("get_session_data: {what}"));
        let [is_active, valid_until, remaining_calls, n, rest @ ..] = data else {
            return Err(bad("fewer than 4 felts"));
        };
        let n: usize = (*n)
            .try_into()
            .map_err(|_| bad("allowlist length out of range"))?;
        if rest.len() != n {
            return Err(bad("allowlist length does not match"));
        }
        let is_active = if *is_active == Felt::ONE {
            true
        } else if *is_active == Felt::ZERO {
            false
        } else {
            return Err(bad("is_active is not a bool"));
        };
        Ok(Self {
            is_active,
            valid_until: (*valid_until)
                .try_into()
                .map_err(|_| bad("valid_until out of range"))?,
            remaining_calls: (*remaining_calls)
                .try_into()
                .map_err(|_| bad("remaining_calls out of range"))?,
            allowed_entrypoints: rest.to_vec(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_v29_layout() {
        let data = [1u64, 1_700_021_600, 999, 2, 7, 8].map(Felt::from);
        let status = SessionStatus::from_felts(&data).unwrap();
        assert_eq!(
            status,
            SessionStatus {
                is_active: true,
                valid_until: 1_700_021_600,
                remaining_calls: 999,
                allowed_entrypoints: vec![Felt::from(7u8), Felt::from(8u8)],
            }
        );
    }

    #[test]
    fn rejects_malformed_answers() {
        assert!(SessionStatus::from_felts(&[Felt::ONE, Felt::ONE, Felt::ONE]).is_err());
        assert!(SessionStatus::from_felts(&[1u8, 1, 1, 2, 7].map(Felt::from)).is_err());
        assert!(SessionStatus::from_felts(&[2u8, 1, 1, 0].map(Felt::from)).is_err());
    }
}
