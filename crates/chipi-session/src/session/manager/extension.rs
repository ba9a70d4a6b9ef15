//! Extending the registered session: the same key registered again with a later expiry.

use super::{RegisterParams, SessionManager};
use crate::error::SessionError;
use crate::session::state::SessionState;
use crate::session::view::SessionView;
use crate::wallet::UnlockedOwner;

impl SessionManager {
    /// Extends the registered session (active or past its expiry, never revoked): the same key
    /// registered again with `params` (its rules and a later expiry) by the `owner` in one
    /// transaction. The account starts the key over: its call budget and spending windows
    /// begin again, and only what `params` registers holds.
    pub async fn extend_session(
        &self,
        params: RegisterParams,
        owner: &UnlockedOwner,
    ) -> Result<SessionView, SessionError> {
        self.registration(params, owner, true).await
    }

    pub(super) async fn extend_inner(
        &self,
        params: RegisterParams,
        owner: &UnlockedOwner,
    ) -> Result<(), SessionError> {
        let record = self.current()?;
        match self.state() {
            SessionState::Active | SessionState::Expired if record.registered => {}
            SessionState::Revoked => return Err(SessionError::SessionRevoked),
            _ => {
                return Err(SessionError::InvalidSessionParams(
                    "only a registered session can be extended".into(),
                ))
            }
        }
        match params.valid_until {
            Some(until)
                if until > record.valid_until
                    && until <= self.chain_now() + self.config.max_duration_seconds => {}
            _ => {
                return Err(SessionError::InvalidSessionParams(format!(
                    "an extension ends later than the session it extends, at most {} seconds \
                     from now",
                    self.config.max_duration_seconds
                )))
            }
        }
        self.register_record(params, owner, record).await
    }
}
