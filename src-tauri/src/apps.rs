//! The local wallet API in the app: listening while the Settings switch is on, pairings and
//! calls outside an app's session put to the user in the window, and an app's connections
//! closed when it is revoked or disconnected.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::{broadcast, oneshot};
use wallet_api::{ApiConfig, Running, WalletEvent};
use wallet_service::api::{ApiWallet, AppPrompts, Approval, CallsPrompt, PairingPrompt};
use wallet_service::views::AppInfo;
use wallet_service::{AppError, Pin, ServiceError, WalletService};

/// How long a prompt waits for the user before its request is refused.
pub const PROMPT_TIMEOUT: Duration = Duration::from_secs(300);

/// The environment variable that moves the API off its default port (the tests, or a user
/// whose port is taken).
pub const PORT_VARIABLE: &str = "CHIPI_WALLET_API_PORT";

/// How a prompt is shown (`Some`) or closed (`None`) in the window.
type Show<P> = Box<dyn Fn(Option<&P>) + Send + Sync>;

/// One kind of prompt in the window: the request shown, the user's answer, and how the
/// approved request went. One at a time: a second while one waits is refused at once.
struct Slot<P, O> {
    pending: Mutex<Option<(P, oneshot::Sender<Option<Approval>>)>>,
    outcome: Mutex<Option<oneshot::Sender<Result<O, AppError>>>>,
    show: Show<P>,
}

impl<P: Clone, O> Slot<P, O> {
    fn new(show: impl Fn(Option<&P>) + Send + Sync + 'static) -> Self {
        Self {
            pending: Mutex::new(None),
            outcome: Mutex::new(None),
            show: Box::new(show),
        }
    }

    /// Shows `prompt` and waits for the user (at most [`PROMPT_TIMEOUT`]).
    async fn ask(&self, prompt: P) -> Option<Approval> {
        let (answer, answered) = oneshot::channel();
        {
            let mut pending = lock(&self.pending);
            if pending.is_some() {
                return None;
            }
            *pending = Some((prompt.clone(), answer));
        }
        (self.show)(Some(&prompt));
        let approval = tokio::time::timeout(PROMPT_TIMEOUT, answered)
            .await
            .ok()
            .and_then(Result::ok)
            .flatten();
        if approval.is_none() {
            // Declined, timed out, or the window went away: the prompt closes.
            lock(&self.pending).take();
            (self.show)(None);
        }
        approval
    }

    /// How the approved request went; a wrong PIN keeps the prompt up when `again`.
    fn finish(&self, result: Result<O, AppError>, again: bool) {
        if !again {
            (self.show)(None);
        }
        if let Some(waiting) = lock(&self.outcome).take() {
            let _ = waiting.send(result);
        }
    }

    fn pending(&self) -> Option<P> {
        lock(&self.pending).as_ref().map(|(p, _)| p.clone())
    }

    /// Declines what waits (the API switched off).
    fn decline(&self) {
        if let Some((_, answer)) = lock(&self.pending).take() {
            let _ = answer.send(None);
        }
    }

    /// The user's answer: declined, or approved with the PIN (`None`: biometrics); answers how
    /// the request went.
    async fn answer(&self, approve: bool, pin: Option<Pin>) -> Result<Option<O>, AppError> {
        // After a wrong PIN a pairing asks again a moment after it answered: a second try
        // typed at once waits for it.
        let mut pending = lock(&self.pending).take();
        for _ in 0..20 {
            if pending.is_some() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            pending = lock(&self.pending).take();
        }
        let (_, answer) = pending
            .ok_or_else(|| AppError::from(ServiceError::input("no app is waiting for you")))?;
        if !approve {
            let _ = answer.send(None);
            return Ok(None);
        }
        let (outcome, told) = oneshot::channel();
        *lock(&self.outcome) = Some(outcome);
        let approval = match pin {
            Some(pin) => Approval::Pin(pin),
            None => Approval::Biometrics,
        };
        let _ = answer.send(Some(approval));
        match told.await {
            Ok(result) => result.map(Some),
            Err(_) => {
                Err(ServiceError::Internal("the request ended without an answer".into()).into())
            }
        }
    }
}

/// The prompts as the window shows them: pairings, and calls outside an app's session.
pub struct WindowPrompts {
    pairing: Slot<PairingPrompt, AppInfo>,
    calls: Slot<CallsPrompt, String>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl std::fmt::Debug for WindowPrompts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WindowPrompts").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for ApiHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiHost")
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl AppPrompts for WindowPrompts {
    async fn approve_pairing(&self, prompt: PairingPrompt) -> Option<Approval> {
        self.pairing.ask(prompt).await
    }

    fn outcome(&self, result: Result<&AppInfo, AppError>) {
        let again = matches!(&result, Err(AppError::WrongPin { .. }));
        self.pairing.finish(result.cloned(), again);
    }

    async fn approve_calls(&self, prompt: CallsPrompt) -> Option<Approval> {
        self.calls.ask(prompt).await
    }

    fn calls_outcome(&self, result: Result<&str, AppError>) {
        self.calls.finish(result.map(str::to_owned), false);
    }
}

/// The API as the app runs it.
pub struct ApiHost {
    port: u16,
    prompts: Arc<WindowPrompts>,
    running: tokio::sync::Mutex<Option<Running>>,
    events: Arc<Mutex<Option<broadcast::Sender<WalletEvent>>>>,
}

impl ApiHost {
    /// The API of `service` on `port`, pairings shown through `show`; an app revoked or
    /// disconnected has its connections closed.
    pub fn new(
        service: &WalletService,
        port: u16,
        show_pairing: impl Fn(Option<&PairingPrompt>) + Send + Sync + 'static,
        show_calls: impl Fn(Option<&CallsPrompt>) + Send + Sync + 'static,
    ) -> Self {
        let events: Arc<Mutex<Option<broadcast::Sender<WalletEvent>>>> = Arc::default();
        let heard = events.clone();
        service.set_app_removed_listener(move |id| {
            if let Some(events) = lock(&heard).as_ref() {
                let _ = events.send(WalletEvent::AppRemoved(id.to_owned()));
            }
        });
        Self {
            port,
            prompts: Arc::new(WindowPrompts {
                pairing: Slot::new(show_pairing),
                calls: Slot::new(show_calls),
            }),
            running: tokio::sync::Mutex::new(None),
            events,
        }
    }

    /// The port from [`PORT_VARIABLE`], else the API's default.
    pub fn port_from_env() -> u16 {
        std::env::var(PORT_VARIABLE)
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(wallet_api::server::DEFAULT_PORT)
    }

    /// Starts or stops listening. A port already taken is reported and nothing changes.
    pub async fn switch(&self, service: Arc<WalletService>, on: bool) -> Result<(), AppError> {
        let mut running = self.running.lock().await;
        match (on, running.is_some()) {
            (true, false) => {
                let config = ApiConfig {
                    port: self.port,
                    ..ApiConfig::default()
                };
                let wallet = Arc::new(ApiWallet::new(service, self.prompts.clone()));
                let started = wallet_api::start(config, wallet).await.map_err(|e| {
                    AppError::from(ServiceError::Internal(format!(
                        "the wallet API could not listen on 127.0.0.1:{}: {e}",
                        self.port
                    )))
                })?;
                *lock(&self.events) = Some(started.events.clone());
                *running = Some(started);
            }
            (false, true) => {
                lock(&self.events).take();
                if let Some(stopped) = running.take() {
                    stopped.stop().await;
                }
                // What waits on screen is declined.
                self.prompts.pairing.decline();
                self.prompts.calls.decline();
            }
            _ => {}
        }
        Ok(())
    }

    /// The pairing waiting for the user, if any.
    pub fn pending(&self) -> Option<PairingPrompt> {
        self.prompts.pairing.pending()
    }

    /// The user's answer to the pairing on screen: declined (`approve` false), or approved with
    /// the PIN (`None`: biometrics). Answers the app paired, or why not (a wrong PIN leaves the
    /// prompt up for another try).
    pub async fn answer(
        &self,
        approve: bool,
        pin: Option<Pin>,
    ) -> Result<Option<AppInfo>, AppError> {
        self.prompts.pairing.answer(approve, pin).await
    }

    /// Calls outside an app's session waiting for the user, if any.
    pub fn pending_calls(&self) -> Option<CallsPrompt> {
        self.prompts.calls.pending()
    }

    /// The user's answer to the calls on screen: the transaction hash when approved and sent.
    pub async fn answer_calls(
        &self,
        approve: bool,
        pin: Option<Pin>,
    ) -> Result<Option<String>, AppError> {
        self.prompts.calls.answer(approve, pin).await
    }
}
