//! A session kept going with the same rules and one confirmation: extended (the active key
//! registered again with a later expiry) or renewed (a new key, once the old one expired or was
//! revoked). The rules are the set-up's, kept with the wallet's preferences.

use chipi_session::SessionState;

use super::WalletService;
use crate::error::{Field, ServiceError};
use crate::pin::Pin;
use crate::prefs::SessionRules;
use crate::views::SessionInfo;

impl WalletService {
    /// Keeps the rules of the session just registered, for an extension or a renewal.
    pub(super) fn keep_rules(&self, rules: SessionRules) -> Result<(), ServiceError> {
        self.prefs.update(|p| {
            if let Some(wallet) = p.wallet.as_mut() {
                wallet.session_rules = Some(rules);
            }
        })
    }

    /// The kept rules of the last session, or why there are none.
    fn kept_rules(&self) -> Result<SessionRules, ServiceError> {
        self.prefs
            .get()
            .wallet
            .and_then(|w| w.session_rules)
            .ok_or_else(|| {
                ServiceError::invalid(
                    Field::Session,
                    "this session's rules were not kept on this device (it was set up elsewhere \
                     or by an earlier version): set up a new one",
                )
            })
    }

    /// Extends the active session by `duration_seconds` from now: the same key and rules, one
    /// confirmation (PIN or biometrics). On chain the key starts over: its call budget and
    /// spending windows begin again.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn extend_session(
        &self,
        duration_seconds: u32,
        pin: Option<&Pin>,
    ) -> Result<SessionInfo, ServiceError> {
        let manager = self.manager()?;
        let rules = self.kept_rules()?;
        if manager.state() != SessionState::Active {
            return Err(ServiceError::invalid(
                Field::Session,
                "only an active session is extended; an expired or revoked one is renewed with a \
                 new key",
            ));
        }
        let mut request = rules.request(duration_seconds);
        let valid_until = manager.chain_now() + u64::from(duration_seconds);
        request.valid_until = Some(valid_until.to_string());
        let (manager, params, owner) = self.authorise_setup(&request, pin).await?;
        let owner = self.open_session_key(&manager, owner).await?;
        let outcome = manager.extend_session(params, &owner).await;
        self.note_registration("session extended", "session extension failed", &outcome)?;
        outcome?;
        Ok(self.info(&manager))
    }

    /// Renews an expired or revoked session: a new key with the same rules for
    /// `duration_seconds`, created and registered with one confirmation.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn renew_session(
        &self,
        duration_seconds: u32,
        pin: Option<&Pin>,
    ) -> Result<SessionInfo, ServiceError> {
        let manager = self.manager()?;
        let rules = self.kept_rules()?;
        if !matches!(
            manager.state(),
            SessionState::Expired | SessionState::Revoked
        ) {
            return Err(ServiceError::invalid(
                Field::Session,
                "only an expired or revoked session is renewed; an active one is extended",
            ));
        }
        self.set_up_session(&rules.request(duration_seconds), pin)
            .await
    }
}
