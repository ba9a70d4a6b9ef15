//! The hook's operations: create, register, execute, revoke, clear, refresh.

use std::sync::Arc;

use chipi_session::{
    parse_address, parse_amount, parse_felt, parse_selector, PolicySpec, RegisterParams,
    SessionError, SessionKeyData, SessionManager, SessionState, TypedData, UnlockedOwner,
};
use starknet_core::types::Felt;

use super::{blocking, hex, WalletService};
use crate::error::{Field, ServiceError};
use crate::host::Confirmation;
use crate::pin::Pin;
use crate::prefs::SessionRules;
use crate::views::{ActivityKind, ActivityStatus, SessionInfo, SessionRequest};

impl WalletService {
    /// The session card.
    pub fn session_info(&self) -> Result<SessionInfo, ServiceError> {
        let manager = self.manager()?;
        Ok(self.info(&manager))
    }

    /// Seals a new session key under the PIN `owner` was opened with (one Argon2id run, off the
    /// async threads), kept open for executions when `keep_open`.
    async fn create(
        manager: &Arc<SessionManager>,
        duration_seconds: Option<u32>,
        owner: UnlockedOwner,
        keep_open: bool,
    ) -> Result<UnlockedOwner, ServiceError> {
        let manager = Arc::clone(manager);
        blocking(move || {
            let duration = duration_seconds.map(u64::from);
            if keep_open {
                manager.create_and_unlock_session(duration, &owner)?;
            } else {
                manager.create_session(duration, &owner)?;
            }
            Ok(owner)
        })
        .await
    }

    /// `createSession` after the PIN, or biometrics when `pin` is `None`.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn create_session(
        &self,
        duration_seconds: Option<u32>,
        pin: Option<&Pin>,
    ) -> Result<SessionInfo, ServiceError> {
        let manager = self.manager()?;
        let owner = self
            .open_owner_as(&manager, pin, Confirmation::SetUpSession)
            .await?;
        Self::create(&manager, duration_seconds, owner, false).await?;
        Ok(self.info(&manager))
    }

    fn register_params(&self, request: &SessionRequest) -> Result<RegisterParams, ServiceError> {
        let network = self.prefs.get().network;
        let allowed = request
            .allowed_entrypoints
            .iter()
            .map(|e| parse_selector(e))
            .collect::<Result<Vec<_>, _>>()?;
        let limits = request
            .limits
            .iter()
            .map(|l| {
                let token = network.token(&l.token)?;
                Ok(PolicySpec {
                    token: token.address,
                    max_per_call: parse_amount(&l.max_per_call, token.decimals)?,
                    max_per_window: parse_amount(&l.max_per_window, token.decimals)?,
                    window_seconds: u64::from(l.window_seconds),
                })
            })
            .collect::<Result<Vec<_>, SessionError>>()?;
        let allowed_calls = request
            .allowed_calls
            .iter()
            .map(|c| {
                Ok((
                    parse_address(&c.contract_address)?,
                    parse_selector(&c.entrypoint)?,
                ))
            })
            .collect::<Result<Vec<_>, SessionError>>()?;
        let valid_until = request
            .valid_until
            .as_deref()
            .map(|v| {
                v.trim()
                    .parse::<u64>()
                    .map_err(|_| SessionError::InvalidSessionParams(format!("valid until: {v:?}")))
            })
            .transpose()?;
        Ok(RegisterParams {
            valid_until,
            max_calls: request.max_calls,
            allowed_entrypoints: allowed,
            allowed_calls,
            spending_policies: limits,
            network_tokens: network.tokens.iter().map(|t| t.address).collect(),
        })
    }

    /// Checks the request, then the PIN or biometrics (opening the owner key), in that order.
    pub(super) async fn authorise_setup(
        &self,
        request: &SessionRequest,
        pin: Option<&Pin>,
    ) -> Result<(Arc<SessionManager>, RegisterParams, UnlockedOwner), ServiceError> {
        let manager = self.manager()?;
        let params = self.register_params(request)?;
        let profile = manager.wallet().profile();
        // Limits asked of such a class are refused by the class check (`SpendingLimit`).
        let no_limit = profile.is_some_and(|p| !p.spending_policies) && request.limits.is_empty();
        if no_limit && !request.no_limit_acknowledged {
            return Err(ServiceError::invalid(
                Field::Limit,
                format!(
                    "{} keeps no spending limit: the session could send any amount of any token \
                 within its calls; acknowledge it to go on",
                    profile.map_or("this account", |p| p.name)
                ),
            ));
        }
        let owner = self
            .open_owner_as(&manager, pin, Confirmation::SetUpSession)
            .await?;
        Ok((manager, params, owner))
    }

    /// Registers with the opened owner key, notes the outcome, and keeps the session key open.
    async fn register_and_open(
        &self,
        manager: &Arc<SessionManager>,
        params: RegisterParams,
        owner: UnlockedOwner,
        rules: SessionRules,
    ) -> Result<SessionInfo, ServiceError> {
        let owner = self.open_session_key(manager, owner).await?;
        let outcome = manager.register_session(params, &owner).await;
        self.note_registration(
            "session registered",
            "session registration failed",
            &outcome,
        )?;
        outcome?;
        self.keep_rules(rules)?;
        Ok(self.info(manager))
    }

    /// Notes a registration or an extension on the activity: `done` with its transaction on
    /// success; `failed` with the error otherwise, linking the transaction when one was sent
    /// (reverted, or not confirmed).
    pub(super) fn note_registration(
        &self,
        done: &str,
        failed: &str,
        outcome: &Result<chipi_session::SessionView, SessionError>,
    ) -> Result<(), ServiceError> {
        let (summary, status, hash) = match outcome {
            Ok(view) => (
                done.to_owned(),
                ActivityStatus::Succeeded,
                view.owner_transaction
                    .as_deref()
                    .and_then(|h| Felt::from_hex(h).ok()),
            ),
            Err(e) => (
                format!("{failed}: {e}"),
                ActivityStatus::Failed,
                e.transaction_hash(),
            ),
        };
        self.activity
            .note(ActivityKind::Register, summary, hash, status)
    }

    /// Opens the session key before registering it: the card turns active during the
    /// registration (its status read), and a transfer sent at that moment must find the key
    /// open. A key created in this action is open already; one created earlier is opened here
    /// (with the same PIN).
    pub(super) async fn open_session_key(
        &self,
        manager: &Arc<SessionManager>,
        owner: UnlockedOwner,
    ) -> Result<UnlockedOwner, ServiceError> {
        let owner = if manager.session_unlocked() {
            owner
        } else {
            let opened = Arc::clone(manager);
            blocking(move || {
                opened.unlock_session(owner.pin())?;
                Ok(owner)
            })
            .await?
        };
        self.set_unlocked(true);
        Ok(owner)
    }

    /// `registerSession` after the PIN or biometrics; the key stays open afterwards.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn register_session(
        &self,
        request: &SessionRequest,
        pin: Option<&Pin>,
    ) -> Result<SessionInfo, ServiceError> {
        let (manager, params, owner) = self.authorise_setup(request, pin).await?;
        self.register_and_open(&manager, params, owner, SessionRules::of(request))
            .await
    }

    /// Create and register in one step, with one PIN (or one biometric check) and two Argon2id
    /// runs (open the owner key, seal the session key).
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn set_up_session(
        &self,
        request: &SessionRequest,
        pin: Option<&Pin>,
    ) -> Result<SessionInfo, ServiceError> {
        let (manager, params, owner) = self.authorise_setup(request, pin).await?;
        let owner = Self::create(&manager, request.duration_seconds, owner, true).await?;
        self.register_and_open(&manager, params, owner, SessionRules::of(request))
            .await
    }

    /// The explorer page of the transaction `hash` on the current network.
    pub fn explorer_url(&self, hash: &str) -> Result<String, ServiceError> {
        let hash = parse_felt(hash)?;
        let url = self
            .explorer(hash)
            .ok_or_else(|| ServiceError::input("this network has no block explorer set"))?;
        // Only a web page is opened: https, or http on this machine (its host exactly: not
        // `127.0.0.1.example.org`).
        let web = url::Url::parse(&url).is_ok_and(|u| match u.scheme() {
            "https" => u.host().is_some(),
            "http" => matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]")),
            _ => false,
        });
        if !web {
            return Err(ServiceError::invalid(
                Field::Url,
                "the network's explorer is not an https address",
            ));
        }
        Ok(url)
    }

    pub(super) fn explorer(&self, hash: Felt) -> Option<String> {
        super::explorer_page(&self.prefs.get().network, hash)
    }

    async fn revoke_with(
        &self,
        manager: &SessionManager,
        owner: &UnlockedOwner,
    ) -> Result<(), ServiceError> {
        let view = manager.revoke_session(owner).await?;
        let hash = view
            .owner_transaction
            .as_deref()
            .and_then(|h| Felt::from_hex(h).ok());
        self.activity.note(
            ActivityKind::Revoke,
            "session revoked".into(),
            hash,
            ActivityStatus::Succeeded,
        )
    }

    /// `revokeSession` after the PIN, or biometrics when `pin` is `None`.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn revoke_session(&self, pin: Option<&Pin>) -> Result<SessionInfo, ServiceError> {
        let manager = self.manager()?;
        let owner = self
            .open_owner_as(&manager, pin, Confirmation::RevokeSession)
            .await?;
        self.revoke_with(&manager, &owner).await?;
        Ok(self.info(&manager))
    }

    /// `clearSession`. A session still active on chain is forgotten only with the PIN (it
    /// could not be revoked from this device afterwards); with `revoke` it is revoked first
    /// (PIN and confirmation as for revoking). The owner key is opened once for both.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn clear_session(
        &self,
        pin: Option<&Pin>,
        revoke: bool,
    ) -> Result<SessionInfo, ServiceError> {
        let manager = self.manager()?;
        let live = matches!(
            manager.state(),
            SessionState::Active | SessionState::Registering
        );
        let owner = match (live, pin) {
            (false, _) => None,
            (true, None) => return Err(SessionError::SessionStillActive.into()),
            (true, Some(pin)) => Some(self.open_owner(&manager, pin).await?),
        };
        if let (true, Some(owner)) = (revoke, &owner) {
            self.revoke_with(&manager, owner).await?;
        }
        manager.clear_session(owner.as_ref()).await?;
        Ok(self.info(&manager))
    }

    /// The session key in the SDK's `SessionKeyData` shape, encrypted with `passphrase` (12+
    /// characters, not the PIN: the SDK's format is far weaker than the wallet's sealing).
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn export_session(
        &self,
        pin: &Pin,
        passphrase: &str,
    ) -> Result<SessionKeyData, ServiceError> {
        let manager = self.manager()?;
        let (guard, who) = (self.guard.clone(), self.guard_key());
        let (pin, passphrase) = (pin.clone(), passphrase.to_owned());
        blocking(move || {
            guard.attempt(&who, || {
                Ok(manager.export_session(pin.expose(), &passphrase)?)
            })
        })
        .await
    }

    /// Imports the SDK's `SessionKeyData` (decrypted with `passphrase`, the PIN when `None`, as
    /// the SDK encrypts), sealed under the PIN; its registration is read from the chain.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn import_session(
        &self,
        data: &SessionKeyData,
        passphrase: Option<&str>,
        pin: &Pin,
    ) -> Result<SessionInfo, ServiceError> {
        let manager = self.manager()?;
        let owner = self.open_owner(&manager, pin).await?;
        let sdk_pin = passphrase.unwrap_or(owner.pin()).to_owned();
        manager.import_session(data, &sdk_pin, &owner).await?;
        Ok(self.info(&manager))
    }

    /// Signs the SNIP-12 hash of `typed_data` (JSON) for this wallet with the session key:
    /// the hash and `[pk, r, s, valid_until]`. Refused: an outside execution (calls signed this
    /// way would skip every check a transfer gets; they go through a backend), and a domain on
    /// another chain than the network's.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn sign_typed_data(
        &self,
        typed_data: &str,
        pin: &Pin,
    ) -> Result<(Felt, Vec<Felt>), ServiceError> {
        let manager = self.manager()?;
        let typed = self.checked_typed_data(typed_data)?;
        let hash = typed.message_hash(manager.wallet().address)?;
        // Limits a registration set and not yet read back (CHIPI v33) are read first.
        manager.verify_registered_policies().await?;
        let (guard, who, pin) = (self.guard.clone(), self.guard_key(), pin.clone());
        let signature = blocking(move || {
            guard.attempt(&who, || {
                Ok(manager.sign_with_session(hash, Some(pin.expose()))?)
            })
        })
        .await?;
        Ok((hash, signature))
    }

    /// `typed_data` read and checked for signing: not an outside execution (calls signed this
    /// way would skip every check a transfer gets; they go through a backend), and in a SNIP-12
    /// revision 1 domain on the network's chain.
    pub(super) fn checked_typed_data(&self, typed_data: &str) -> Result<TypedData, ServiceError> {
        let typed = TypedData::from_json(typed_data)?;
        let outside = typed.primary_type.contains("OutsideExecution")
            || typed.domain.get("name").and_then(|n| n.as_str())
                == Some("Account.execute_from_outside");
        if outside {
            return Err(ServiceError::invalid(
                Field::Message,
                "an outside execution is never signed as a message: send the calls as a transfer \
                 or a call, where they are checked",
            ));
        }
        // The SNIP-12 domain exactly, with its chain: a message without one could be replayed
        // on any chain.
        let domain_type = typed.encode_type("StarknetDomain").ok();
        let chain = typed
            .domain
            .get("chainId")
            .map(chipi_session::typed_data::felt_of)
            .transpose()?;
        let network = self.prefs.get().network;
        if domain_type.as_deref()
            != Some(chipi_session::backends::outside_execution::STARKNET_DOMAIN_TYPE)
            || chain != Some(network.chain_id)
        {
            return Err(ServiceError::invalid(
                Field::Message,
                format!(
                    "the message must be for {} ({}) in a SNIP-12 revision 1 domain; it is for \
                 another chain or names none",
                    network.name,
                    hex(network.chain_id)
                ),
            ));
        }
        Ok(typed)
    }

    /// `refetchStatus`.
    #[tracing::instrument(level = "debug", skip_all, err(level = "warn", Display))]
    pub async fn refresh_status(&self) -> Result<SessionInfo, ServiceError> {
        let manager = self.manager()?;
        self.settle_pending(&manager).await?;
        self.check_interfaces(&manager).await?;
        if manager.record().is_some() {
            manager.refresh_status().await?;
        }
        Ok(self.info(&manager))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::host::tests::Memory;
    use crate::host::PinOnly;
    use crate::prefs::FilePrefs;
    use crate::views::{AllowedCallInput, LimitInput};
    use chipi_session::{ManualClock, Network};
    use std::sync::Arc;

    /// A service on the local network (with `explorer` as its explorer), no wallet.
    fn service(dir: &std::path::Path, explorer: Option<&str>) -> WalletService {
        let mut network = Network::profile("local").unwrap();
        network.explorer_tx_url = explorer.map(str::to_owned);
        WalletService::open(
            Arc::new(Memory::default()),
            Arc::new(FilePrefs(dir.join("prefs.json"))),
            network,
            Box::new(PinOnly),
            Arc::new(ManualClock::new(1_900_000_000)),
        )
        .unwrap()
    }

    fn request() -> SessionRequest {
        SessionRequest {
            duration_seconds: Some(3600),
            max_calls: Some(5),
            allowed_entrypoints: vec!["transfer".into()],
            limits: vec![LimitInput {
                token: "STRK".into(),
                max_per_call: "2".into(),
                max_per_window: "10.5".into(),
                window_seconds: 3600,
            }],
            allowed_calls: vec![],
            valid_until: None,
            no_limit_acknowledged: false,
        }
    }

    #[test]
    fn a_session_request_is_read_in_the_tokens_units_or_refused_by_field() {
        let dir = tempfile::tempdir().unwrap();
        let wallet = service(dir.path(), None);
        let params = wallet.register_params(&request()).unwrap();
        let strk = wallet.network().token("STRK").unwrap().address;
        assert_eq!(params.spending_policies.len(), 1);
        let policy = &params.spending_policies[0];
        assert_eq!(policy.token, strk);
        assert_eq!(policy.max_per_call, 2 * 10u128.pow(18));
        assert_eq!(policy.max_per_window, 105 * 10u128.pow(17));
        assert_eq!(
            params.allowed_entrypoints,
            vec![chipi_session::entrypoint::selector("transfer")]
        );
        let kind = |request: SessionRequest| {
            crate::AppError::from(wallet.register_params(&request).unwrap_err())
        };
        let mut unknown = request();
        unknown.limits[0].token = "DOGE".into();
        assert!(matches!(
            kind(unknown),
            crate::AppError::InvalidInput { .. }
        ));
        let mut decimals = request();
        decimals.limits[0].max_per_call = "0.0000000000000000001".into();
        assert!(matches!(
            kind(decimals),
            crate::AppError::InvalidInput {
                field: Some(Field::Amount),
                ..
            }
        ));
        let mut bound = request();
        bound.allowed_calls = vec![AllowedCallInput {
            contract_address: "0xnot-hex".into(),
            entrypoint: "transfer".into(),
        }];
        assert!(matches!(
            kind(bound),
            crate::AppError::InvalidInput {
                field: Some(Field::Address),
                ..
            }
        ));
        let mut until = request();
        until.valid_until = Some("tomorrow".into());
        assert!(matches!(
            kind(until),
            crate::AppError::InvalidInput {
                field: Some(Field::Session),
                ..
            }
        ));
    }

    #[test]
    fn only_a_web_page_of_the_explorer_is_opened() {
        let hash = "0xabc";
        for (explorer, opened) in [
            (Some("https://sepolia.voyager.online/tx/"), true),
            (Some("http://127.0.0.1:4000/tx/"), true),
            (Some("http://localhost:4000/tx/"), true),
            (Some("http://127.0.0.1.example.org/tx/"), false),
            (Some("http://explorer.example.org/tx/"), false),
            (Some("javascript:alert(1)//"), false),
            (Some("file:///etc/"), false),
            (None, false),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let answer = service(dir.path(), explorer).explorer_url(hash);
            assert_eq!(answer.is_ok(), opened, "{explorer:?}: {answer:?}");
            if let Ok(url) = answer {
                assert!(url.ends_with("0xabc"), "{url}");
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let wallet = service(dir.path(), Some("https://voyager.online/tx/"));
        assert!(wallet.explorer_url("not a hash").is_err());
    }
}
