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
    /// This prompt, among every prompt shown: the user's answer names it, so an answer never
    /// approves a request it was not given for.
    pub id: String,
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
    /// This prompt, as [`PairingPrompt::id`].
    pub id: String,
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
/// hears how the approval went (a wrong PIN is asked again, the prompt still up). Each prompt
/// has an id; when its request ends, however it ends (answered, declined, timed out, or the app
/// gone), the host hears [`AppPrompts::withdraw`] with it.
#[async_trait]
pub trait AppPrompts: Send + Sync {
    /// Puts the pairing to the user.
    async fn approve_pairing(&self, prompt: PairingPrompt) -> Option<Approval>;
    /// The outcome of prompt `id`'s last approval: the app paired, or why not.
    fn outcome(&self, _id: &str, _result: Result<&AppInfo, AppError>) {}
    /// Puts calls outside an app's session to the user (for an app they let ask); `None`
    /// refuses them. A host without such a prompt refuses.
    async fn approve_calls(&self, _prompt: CallsPrompt) -> Option<Approval> {
        None
    }
    /// The outcome of prompt `id`'s approved calls: the transaction hash, or why they were not
    /// sent.
    fn calls_outcome(&self, _id: &str, _result: Result<&str, AppError>) {}
    /// The request behind prompt `id` ended: whatever still shows or waits on it goes.
    fn withdraw(&self, _id: &str) {}
}

/// A new prompt id: 32 random hex digits.
fn prompt_id() -> Result<String, ApiError> {
    crate::app_prefs::random_hex(16).map_err(|e| ApiError::Unknown(format!("no randomness: {e}")))
}

/// Withdraws its prompt when the request that showed it ends, however it ends: an app that
/// hangs up does not leave a prompt on screen (or block the next one).
struct Shown {
    prompts: Arc<dyn AppPrompts>,
    id: String,
}

impl Drop for Shown {
    fn drop(&mut self) {
        self.prompts.withdraw(&self.id);
    }
}

/// What an app is told when the user's approval failed: not why (a wrong PIN's count and
/// back-off are the user's business), only that it was not approved.
fn not_approved(error: &ServiceError, what: &str) -> ApiError {
    let unapproved = matches!(
        error,
        ServiceError::NotConfirmed(_)
            | ServiceError::TooManyAttempts { .. }
            | ServiceError::BiometricsUnavailable(_)
            | ServiceError::BiometricsChanged(_)
    );
    if error.is_wrong_pin() || unapproved {
        ApiError::Refused(format!("the user did not approve {what}"))
    } else {
        api_error(error)
    }
}

fn pin_of(approval: Approval) -> Option<Pin> {
    match approval {
        Approval::Pin(pin) => Some(pin),
        Approval::Biometrics => None,
    }
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
        let mut prompt = self
            .service
            .pairing_prompt(&request)
            .map_err(|e| api_error(&e))?;
        prompt.id = prompt_id()?;
        let _shown = Shown {
            prompts: self.prompts.clone(),
            id: prompt.id.clone(),
        };
        let mut tries = 0;
        let info = loop {
            let Some(approval) = self.prompts.approve_pairing(prompt.clone()).await else {
                return Err(ApiError::Refused(
                    "not approved: the user declined, or another request was waiting".into(),
                ));
            };
            // Once approved, the registration runs to its end even if the app hangs up
            // meanwhile: the user hears how it went, and no half-paired app is left.
            let (service, prompts) = (self.service.clone(), self.prompts.clone());
            let (request, token, id) = (request.clone(), token.to_hex(), prompt.id.clone());
            let work = tokio::spawn(async move {
                let outcome = service
                    .pair_app(&request, &token, pin_of(approval).as_ref())
                    .await;
                match outcome {
                    Ok(info) => {
                        prompts.outcome(&id, Ok(&info));
                        Ok(info)
                    }
                    Err(e) => {
                        let answer = (e.is_wrong_pin(), not_approved(&e, "the pairing"));
                        prompts.outcome(&id, Err(AppError::from(e)));
                        Err(answer)
                    }
                }
            });
            tries += 1;
            match work.await {
                Ok(Ok(info)) => break info,
                Ok(Err((wrong_pin, answer))) => {
                    if !(wrong_pin && tries < PAIRING_PIN_TRIES) {
                        return Err(answer);
                    }
                }
                Err(_) => {
                    let stopped = ServiceError::Internal("the pairing stopped".into());
                    self.prompts
                        .outcome(&prompt.id, Err(AppError::from(stopped)));
                    return Err(ApiError::Unknown("the pairing stopped".into()));
                }
            }
        };
        let (accounts, chain_id) = self.service.app_accounts();
        Ok(Paired {
            app: App {
                id: info.id,
                name: info.name,
                origin: info.origin,
            },
            accounts,
            chain_id,
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
        let mut prompt = self
            .service
            .calls_prompt(&app.id, &sent, &calls, &refusal.to_string())
            .map_err(|e| api_error(&e))?;
        prompt.id = prompt_id()?;
        let _shown = Shown {
            prompts: self.prompts.clone(),
            id: prompt.id.clone(),
        };
        let Some(approval) = self.prompts.approve_calls(prompt.clone()).await else {
            return Err(ApiError::Refused(format!(
                "the user declined calls outside the session ({refusal})"
            )));
        };
        // Approved calls are sent and settled in the activity even if the app hangs up.
        let (service, prompts) = (self.service.clone(), self.prompts.clone());
        let (app_id, id) = (app.id.clone(), prompt.id.clone());
        let work = tokio::spawn(async move {
            let sent = service
                .app_execute_as_owner(&app_id, calls, pin_of(approval).as_ref())
                .await;
            match sent {
                Ok(hash) => {
                    prompts.calls_outcome(&id, Ok(&hash));
                    Ok(hash)
                }
                Err(e) => {
                    let answer = not_approved(&e, "these calls");
                    prompts.calls_outcome(&id, Err(AppError::from(e)));
                    Err(answer)
                }
            }
        });
        work.await.unwrap_or_else(|_| {
            let stopped = ServiceError::Internal("sending the calls stopped".into());
            self.prompts
                .calls_outcome(&prompt.id, Err(AppError::from(stopped)));
            Err(ApiError::Unknown("sending the calls stopped".into()))
        })
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
