//! What `get_session_data` returns.

use starknet_core::types::Felt;

use crate::error::SessionError;
use crate::wallet_type::StatusLayout;

/// Most selectors read from a `Counted` class's allowlist views; a longer list is refused
/// rather than read one request at a time.
pub const MAX_COUNTED_ALLOWLIST: u32 = 64;

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
    /// Parses `get_session_data` of a class with `layout`. A `Counted` answer comes back with
    /// no selectors and the number still to read through `get_session_allowed_entrypoint_at`.
    pub fn parse(layout: StatusLayout, data: &[Felt]) -> Result<(Self, u32), SessionError> {
        let counted = match layout {
            StatusLayout::Listed => false,
            StatusLayout::Counted => true,
            StatusLayout::Either => {
                data.len() == 4 && data[0] != Felt::ZERO && data[0] != Felt::ONE
            }
        };
        if counted {
            Self::from_counted(data)
        } else {
            Self::from_felts(data).map(|status| (status, 0))
        }
    }

    /// Parses the deployed CHIPI classes' `[valid_until, max_calls, calls_used, n]`: a key is
    /// active when its expiry is set, and has `max_calls - calls_used` calls left.
    pub fn from_counted(data: &[Felt]) -> Result<(Self, u32), SessionError> {
        let bad = |what: &str| SessionError::InvalidResponse(format!("get_session_data: {what}"));
        let [valid_until, max_calls, calls_used, n] = data else {
            return Err(bad("expected 4 felts"));
        };
        let valid_until: u64 = (*valid_until)
            .try_into()
            .map_err(|_| bad("valid_until out of range"))?;
        let max_calls: u32 = (*max_calls)
            .try_into()
            .map_err(|_| bad("max_calls out of range"))?;
        let calls_used: u32 = (*calls_used)
            .try_into()
            .map_err(|_| bad("calls_used out of range"))?;
        let n: u32 = (*n)
            .try_into()
            .map_err(|_| bad("allowlist length out of range"))?;
        // More calls used than allowed reads as none left, not as a broken status.
        let remaining_calls = max_calls.saturating_sub(calls_used);
        if n > MAX_COUNTED_ALLOWLIST {
            return Err(bad("allowlist too long"));
        }
        let status = Self {
            is_active: valid_until != 0,
            valid_until,
            remaining_calls,
            allowed_entrypoints: Vec::new(),
        };
        let to_read = if status.is_active { n } else { 0 };
        Ok((status, to_read))
    }

    /// Parses the felts `get_session_data` returned in the `Listed` layout.
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
    fn parses_the_counted_layout() {
        let data = [1_700_021_600u64, 1000, 1, 2].map(Felt::from);
        let (status, to_read) = SessionStatus::parse(StatusLayout::Counted, &data).unwrap();
        assert!(status.is_active);
        assert_eq!(status.remaining_calls, 999);
        assert_eq!(status.valid_until, 1_700_021_600);
        assert_eq!(to_read, 2);
        // A revoked or unknown key reads as zeros: inactive, nothing to read.
        let (none, to_read) =
            SessionStatus::parse(StatusLayout::Counted, &[Felt::ZERO; 4]).unwrap();
        assert!(!none.is_active);
        assert_eq!(to_read, 0);
        // Used beyond the budget: no calls left (the card still reads).
        let (over, _) = SessionStatus::from_counted(&[9u8, 1, 2, 0].map(Felt::from)).unwrap();
        assert_eq!(over.remaining_calls, 0);
        // A 5+n answer, a huge allowlist: refused.
        assert!(SessionStatus::from_counted(&[1u8, 9, 9, 0, 0].map(Felt::from)).is_err());
        assert!(SessionStatus::from_counted(&[9u8, 1, 0, 65].map(Felt::from)).is_err());
    }

    #[test]
    fn either_layout_never_misreads_a_session_as_active() {
        // Counted, told apart by an expiry that is no bool.
        let counted = [1_700_021_600u64, 10, 3, 0].map(Felt::from);
        let (status, _) = SessionStatus::parse(StatusLayout::Either, &counted).unwrap();
        assert_eq!(status.remaining_calls, 7);
        // Listed with an empty allowlist.
        let listed = [1u64, 1_700_021_600, 5, 0].map(Felt::from);
        let (status, _) = SessionStatus::parse(StatusLayout::Either, &listed).unwrap();
        assert!(status.is_active);
        assert_eq!(status.remaining_calls, 5);
        // A Counted record expiring at t = 1 reads as Listed: its "expiry" is the budget, in
        // 1970, so the state machine shows it expired, never active.
        let odd = [1u64, 1000, 0, 0].map(Felt::from);
        let (status, _) = SessionStatus::parse(StatusLayout::Either, &odd).unwrap();
        assert_eq!(status.valid_until, 1000);
    }

    #[test]
    fn rejects_malformed_answers() {
        assert!(SessionStatus::from_felts(&[Felt::ONE, Felt::ONE, Felt::ONE]).is_err());
        assert!(SessionStatus::from_felts(&[1u8, 1, 1, 2, 7].map(Felt::from)).is_err());
        assert!(SessionStatus::from_felts(&[2u8, 1, 1, 0].map(Felt::from)).is_err());
    }
}
