//! The backend of a gas mode whose settings are incomplete (the Chipi API chosen but its key
//! removed, say): the wallet still opens, shows its balances and history, and every execution
//! is refused with what is missing until the settings are completed.

use async_trait::async_trait;
use starknet_core::types::{Call, Felt};

use super::{ExecutionBackend, ExecutionFee, Signer, SubmitContext};
use crate::error::SessionError;

/// Refuses every execution with [`SessionError::InvalidConfig`] naming what is missing.
#[derive(Debug, Clone)]
pub struct Unconfigured {
    missing: String,
}

impl Unconfigured {
    /// `missing` is shown to the user as is ("the Chipi API needs its public API key").
    pub fn new(missing: impl Into<String>) -> Self {
        Self {
            missing: missing.into(),
        }
    }

    fn refusal(&self) -> SessionError {
        SessionError::InvalidConfig(format!("{}: complete it in Settings", self.missing))
    }
}

#[async_trait]
impl ExecutionBackend for Unconfigured {
    fn name(&self) -> &'static str {
        "unconfigured"
    }

    async fn submit(
        &self,
        _account: Felt,
        _calls: &[Call],
        _signer: Signer<'_>,
        _context: SubmitContext,
    ) -> Result<Felt, SessionError> {
        Err(self.refusal())
    }

    async fn quote(&self, _account: Felt, _calls: &[Call]) -> Result<ExecutionFee, SessionError> {
        Err(self.refusal())
    }

    fn round_trips(&self) -> u64 {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_execution_is_refused_with_what_is_missing() {
        let backend = Unconfigured::new("the Chipi API needs its public API key");
        let refused = backend.quote(Felt::ONE, &[]).await.unwrap_err();
        assert!(
            matches!(&refused, SessionError::InvalidConfig(m)
                if m.starts_with("the Chipi API needs its public API key")),
            "{refused:?}"
        );
        assert_eq!(backend.round_trips(), 0);
    }
}
