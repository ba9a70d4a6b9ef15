//! The wallet behind the local wallet API's door: who holds a token, the user's approval of a
//! pairing (put to the user by the host), and each method for a paired app. Errors are mapped to
//! the spec's codes here: what an app's session does not allow is `USER_REFUSED_OP` with the
//! reason; a malformed call is `INVALID_REQUEST_PAYLOAD`; anything else `UNKNOWN_ERROR`. No
//! answer carries a secret: the service's messages never hold one.

use std::sync::Arc;

use async_trait::async_trait;
use chipi_session::SessionError;
use serde::Serialize;
use wallet_api::wire::{DeploymentData, InvokeCall};
use wallet_api::{ApiError, App, PairRequest, Paired, TokenHash, WalletBackend};

use crate::error::ServiceError;
use crate::pin::Pin;
use crate::service::apps::{is_refusal, parse_calls};
use crate::views::AppInfo;
use crate::AppError;
use crate::WalletService;

/// How the user approved.
#[derive(Debug, Clone)]
pub enum Approval {
    /// With the PIN typed.
    Pin(Pin),
    /// With biometrics (the PIN biometric unlock keeps).
    Biometrics,
}

/// What the approval window shows for a pairing: the app's claims and its policy in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct PairingPrompt {
    /// The name the app gives (its claim).
    pub name: String,
    /// The browser origin it sends (its claim: a program can send any).
    pub origin: Option<String>,
    /// What it may call, one line per contract.
    pub allowed: Vec<String>,
    /// Its limits, one line per token: `at most 5 STRK per transfer, 12 STRK per hour`.
    pub limits: Vec<String>,
    /// Typed-data messages it may sign.
    pub messages: Vec<String>,
    /// How long the session lasts, seconds.
    pub duration_secs: u32,
    /// How many calls it may make.
    pub max_calls: u32,
    /// Calls outside the policy would be put to the user.
    pub ask_outside: bool,
}

/// What the window shows for calls an app asked for outside its session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct CallsPrompt {
    /// The app's name (its claim).
    pub name: String,
    /// The origin it paired from (its claim), if any.
    pub origin: Option<String>,
    /// Each call in words: `transfer 3 STRK to 0x…`, or the entrypoint, contract and calldata.
    pub calls: Vec<String>,
    /// Why its session refused them.
    pub reason: String,
}

/// The host's side of a pairing: shows the prompt, answers the user's approval or `None`, and
/// hears how the approval went (a wrong PIN is asked again, the prompt still up).
#[async_trait]
pub trait AppPrompts: Send + Sync {
    /// Puts the pairing to the user.
    async fn approve_pairing(&self, prompt: PairingPrompt) -> Option<Approval>;
    /// The outcome of the last approval: the app paired, or why not.
    fn outcome(&self, _result: Result<&AppInfo, AppError>) {}
    /// Puts calls outside an app's session to the user (for an app they let ask); `None`
    /// refuses them. A host without such a prompt refuses.
    async fn approve_calls(&self, _prompt: CallsPrompt) -> Option<Approval> {
        None
    }
    /// The outcome of approved calls: the transaction hash, or why they were not sent.
    fn calls_outcome(&self, _result: Result<&str, AppError>) {}
}

/// How many wrong PINs one pairing prompt takes before the pairing is refused (the PIN's
/// back-off counts them too).
pub const PAIRING_PIN_TRIES: usize = 3;

/// The [`WalletBackend`] of a [`WalletService`].
pub struct ApiWallet {
    service: Arc<WalletService>,
    prompts: Arc<dyn AppPrompts>,
}

impl std::fmt::Debug for ApiWallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiWallet").finish_non_exhaustive()
    }
}

impl ApiWallet {
    /// The API's wallet: `service`, with pairings put to the user through `prompts`.
    pub fn new(service: Arc<WalletService>, prompts: Arc<dyn AppPrompts>) -> Self {
        Self { service, prompts }
    }
}

/// The spec's error for a service error.
pub fn api_error(error: &ServiceError) -> ApiError {
    let message = error.to_string();
    if is_refusal(error) {
        return ApiError::Refused(message);
    }
    match error {
        ServiceError::InvalidInput { .. }
        | ServiceError::Session(
            SessionError::InvalidCall(_)
            | SessionError::InvalidAddress(_)
            | SessionError::InvalidAmount(_)
            | SessionError::InvalidTypedData(_),
        ) => ApiError::InvalidPayload(message),
        _ => ApiError::Unknown(message),
    }
}

#[async_trait]
impl WalletBackend for ApiWallet {
    fn app(&self, token: &TokenHash) -> Option<App> {
        self.service.app_by_token(&token.to_hex()).map(|app| App {
            id: app.id,
            name: app.name,
            origin: app.origin,
        })
    }

    async fn pair(&self, request: PairRequest, token: TokenHash) -> Result<Paired, ApiError> {
        // Checked before the user is asked: a policy this wallet cannot register is refused
        // without a prompt.
        let prompt = self
            .service
            .pairing_prompt(&request)
            .map_err(|e| api_error(&e))?;
        let mut tries = 0;
        let info = loop {
            let Some(approval) = self.prompts.approve_pairing(prompt.clone()).await else {
                return Err(ApiError::Refused("the user declined the pairing".into()));
            };
            let pin = match &approval {
                Approval::Pin(pin) => Some(pin),
                Approval::Biometrics => None,
            };
            let outcome = self.service.pair_app(&request, &token.to_hex(), pin).await;
            tries += 1;
            match outcome {
                Ok(info) => {
                    self.prompts.outcome(Ok(&info));
                    break info;
                }
                Err(e) => {
                    let wrong_pin = e.is_wrong_pin();
                    let answer = if wrong_pin {
                        ApiError::Refused(e.to_string())
                    } else {
                        api_error(&e)
                    };
                    self.prompts.outcome(Err(AppError::from(e)));
                    if !(wrong_pin && tries < PAIRING_PIN_TRIES) {
                        return Err(answer);
                    }
                }
            }
        };
        Ok(Paired {
            app: App {
                id: info.id,
                name: info.name,
                origin: info.origin,
            },
            accounts: self.service.app_accounts().0,
            chain_id: self.service.app_accounts().1,
        })
    }

    async fn accounts(&self, _app: &App) -> Result<Vec<String>, ApiError> {
        Ok(self.service.app_accounts().0)
    }

    async fn chain_id(&self) -> Result<String, ApiError> {
        Ok(self.service.app_accounts().1)
    }

    async fn deployment_data(&self, _app: &App) -> Result<DeploymentData, ApiError> {
        match self.service.deployment_data().await {
            Ok(Some(data)) => Ok(data),
            Ok(None) => Err(ApiError::AlreadyDeployed),
            Err(e) => Err(ApiError::DeploymentDataNotAvailable(e.to_string())),
        }
    }

    async fn add_invoke(&self, app: &App, sent: Vec<InvokeCall>) -> Result<String, ApiError> {
        let calls = parse_calls(&sent).map_err(|e| api_error(&e))?;
        let refusal = match self.service.app_execute(&app.id, calls.clone()).await {
            Ok(done) => return Ok(done.transaction_hash),
            Err(e) => e,
        };
        // Outside the session: refused, unless the user let this app ask (and the wallet is
        // open to be asked).
        let ask = is_refusal(&refusal)
            && !matches!(refusal, ServiceError::Locked(_))
            && self.service.app_asks_outside(&app.id);
        if !ask {
            return Err(api_error(&refusal));
        }
        let prompt = self
            .service
            .calls_prompt(&app.id, &sent, &calls, &refusal.to_string())
            .map_err(|e| api_error(&e))?;
        let Some(approval) = self.prompts.approve_calls(prompt).await else {
            return Err(ApiError::Refused(format!(
                "the user declined calls outside the session ({refusal})"
            )));
        };
        let pin = match &approval {
            Approval::Pin(pin) => Some(pin),
            Approval::Biometrics => None,
        };
        match self.service.app_execute_as_owner(&app.id, calls, pin).await {
            Ok(hash) => {
                self.prompts.calls_outcome(Ok(&hash));
                Ok(hash)
            }
            Err(e) => {
                let answer = if e.is_wrong_pin() {
                    ApiError::Refused(e.to_string())
                } else {
                    api_error(&e)
                };
                self.prompts.calls_outcome(Err(AppError::from(e)));
                Err(answer)
            }
        }
    }

    async fn sign_typed_data(
        &self,
        app: &App,
        typed_data: serde_json::Value,
    ) -> Result<Vec<String>, ApiError> {
        let signature = self
            .service
            .app_sign_typed_data(&app.id, &typed_data.to_string())
            .await
            .map_err(|e| api_error(&e))?;
        Ok(signature.iter().map(|f| format!("{f:#x}")).collect())
    }
}
