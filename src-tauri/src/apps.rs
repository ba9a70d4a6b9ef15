//! The local wallet API in the app: listening while the Settings switch is on, pairings and
//! calls outside an app's session put to the user in the window, and an app's connections
//! closed when it is revoked or disconnected.

use std::sync::atomic::{AtomicBool, Ordering};
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

/// A prompt with the id the user's answer must name.
pub trait Prompt: Clone {
    /// Its id.
    fn id(&self) -> &str;
}

impl Prompt for PairingPrompt {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Prompt for CallsPrompt {
    fn id(&self) -> &str {
        &self.id
    }
}

/// The outcome an answer waits for: its prompt's id, and where the outcome goes.
type Outcome<O> = (String, oneshot::Sender<Result<O, AppError>>);

/// What a slot holds: the prompt on screen (by id) and, while it waits for the user, the
/// request's way to hear the answer.
struct State<P> {
    shown: Option<String>,
    waiting: Option<(P, oneshot::Sender<Option<Approval>>)>,
}

/// One kind of prompt in the window: the request shown, the user's answer, and how the
/// approved request went. One at a time: another request while one is on screen is refused
/// at once. An answer names the prompt it was given for: an answer to one never approves
/// another, and a prompt whose request ended (its app hung up) is no longer answered.
struct Slot<P, O> {
    state: Mutex<State<P>>,
    outcome: Mutex<Option<Outcome<O>>>,
    show: Show<P>,
}

/// A prompt being asked: unless it ends approved, it is withdrawn, and an answer already given
/// for it hears that its request ended (rather than waiting for an outcome that cannot come).
struct Asked<'a, P: Prompt, O> {
    slot: &'a Slot<P, O>,
    id: String,
    approved: bool,
}

impl<P: Prompt, O> Drop for Asked<'_, P, O> {
    fn drop(&mut self) {
        if !self.approved {
            self.slot.withdraw(&self.id);
            self.slot.forget_outcome(&self.id);
        }
    }
}

/// How long an answer waits for its prompt to be asked again after a wrong PIN.
const ASKED_AGAIN: Duration = Duration::from_secs(1);

impl<P: Prompt, O> Slot<P, O> {
    fn new(show: impl Fn(Option<&P>) + Send + Sync + 'static) -> Self {
        Self {
            state: Mutex::new(State {
                shown: None,
                waiting: None,
            }),
            outcome: Mutex::new(None),
            show: Box::new(show),
        }
    }

    /// Shows `prompt` and waits for the user (at most [`PROMPT_TIMEOUT`]). Approved, the prompt
    /// stays until its outcome (or its request withdraws it); declined, timed out, or dropped
    /// (its request ended), it goes.
    async fn ask(&self, prompt: P) -> Option<Approval> {
        let (answer, answered) = oneshot::channel();
        let mut asked = {
            let mut state = lock(&self.state);
            let other = state.shown.as_deref().is_some_and(|s| s != prompt.id());
            if other || state.waiting.is_some() {
                return None;
            }
            state.shown = Some(prompt.id().to_owned());
            (self.show)(Some(&prompt));
            let asked = Asked {
                slot: self,
                id: prompt.id().to_owned(),
                approved: false,
            };
            state.waiting = Some((prompt, answer));
            asked
        };
        let approval = tokio::time::timeout(PROMPT_TIMEOUT, answered)
            .await
            .ok()
            .and_then(Result::ok)
            .flatten();
        asked.approved = approval.is_some();
        approval
    }

    /// Prompt `id`'s request ended: it no longer waits, and closes if it is on screen.
    fn withdraw(&self, id: &str) {
        let mut state = lock(&self.state);
        if state.waiting.as_ref().is_some_and(|(p, _)| p.id() == id) {
            state.waiting = None;
        }
        if state.shown.as_deref() == Some(id) {
            state.shown = None;
            (self.show)(None);
        }
    }

    /// How prompt `id`'s approved request went; a wrong PIN keeps the prompt up when `again`.
    fn finish(&self, id: &str, result: Result<O, AppError>, again: bool) {
        if !again {
            self.withdraw(id);
        }
        let mut outcome = lock(&self.outcome);
        if outcome.as_ref().is_some_and(|(o, _)| o == id) {
            if let Some((_, waiting)) = outcome.take() {
                let _ = waiting.send(result);
            }
        }
    }

    /// Drops the outcome awaited for prompt `id`: its answer hears that the request ended.
    fn forget_outcome(&self, id: &str) {
        let mut outcome = lock(&self.outcome);
        if outcome.as_ref().is_some_and(|(o, _)| o == id) {
            outcome.take();
        }
    }

    fn pending(&self) -> Option<P> {
        lock(&self.state).waiting.as_ref().map(|(p, _)| p.clone())
    }

    /// Declines what waits (the API switched off).
    fn decline(&self) {
        if let Some((_, answer)) = lock(&self.state).waiting.take() {
            let _ = answer.send(None);
        }
    }

    /// Takes prompt `id` while it waits; after a wrong PIN it is asked again a moment after it
    /// answered, so while it is still on screen a second try waits for it (a moment).
    async fn take(&self, id: &str) -> Option<oneshot::Sender<Option<Approval>>> {
        let until = tokio::time::Instant::now() + ASKED_AGAIN;
        loop {
            {
                let mut state = lock(&self.state);
                if state.waiting.as_ref().is_some_and(|(p, _)| p.id() == id) {
                    return state.waiting.take().map(|(_, answer)| answer);
                }
                if state.shown.as_deref() != Some(id) {
                    return None;
                }
            }
            if tokio::time::Instant::now() >= until {
                return None;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The user's answer to prompt `id`: declined, or approved with the PIN (`None`:
    /// biometrics); answers how the request went. A prompt no longer waiting is refused.
    async fn answer(
        &self,
        id: &str,
        approve: bool,
        pin: Option<Pin>,
    ) -> Result<Option<O>, AppError> {
        let answer = self.take(id).await.ok_or_else(|| {
            AppError::from(ServiceError::input(
                "that request no longer waits: it was answered, timed out, or its app went away",
            ))
        })?;
        if !approve {
            let _ = answer.send(None);
            return Ok(None);
        }
        let (outcome, told) = oneshot::channel();
        *lock(&self.outcome) = Some((id.to_owned(), outcome));
        let approval = match pin {
            Some(pin) => Approval::Pin(pin),
            None => Approval::Biometrics,
        };
        if answer.send(Some(approval)).is_err() {
            // Its request ended between the prompt and the answer.
            self.forget_outcome(id);
            return Err(ServiceError::input("that request ended: its app went away").into());
        }
        match tokio::time::timeout(PROMPT_TIMEOUT, told).await {
            Ok(Ok(result)) => result.map(Some),
            _ => Err(ServiceError::Internal("the request ended without an answer".into()).into()),
        }
    }
}

/// The prompts as the window shows them: pairings, and calls outside an app's session.
pub struct WindowPrompts {
    pairing: Slot<PairingPrompt, AppInfo>,
    calls: Slot<CallsPrompt, String>,
    /// The API is on: off, nothing is put to the user (a request that arrives while it stops
    /// is refused, not shown).
    open: AtomicBool,
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
        if !self.open.load(Ordering::SeqCst) {
            return None;
        }
        self.pairing.ask(prompt).await
    }

    fn outcome(&self, id: &str, result: Result<&AppInfo, AppError>) {
        let again = matches!(&result, Err(AppError::WrongPin { .. }));
        self.pairing.finish(id, result.cloned(), again);
    }

    async fn approve_calls(&self, prompt: CallsPrompt) -> Option<Approval> {
        if !self.open.load(Ordering::SeqCst) {
            return None;
        }
        self.calls.ask(prompt).await
    }

    fn calls_outcome(&self, id: &str, result: Result<&str, AppError>) {
        self.calls.finish(id, result.map(str::to_owned), false);
    }

    fn withdraw(&self, id: &str) {
        self.pairing.withdraw(id);
        self.calls.withdraw(id);
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
    /// disconnected has its connections closed; the wallet's network or account changing is
    /// told to every socket.
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
        // Another network or wallet: the apps' sockets hear `networkChanged` /
        // `accountsChanged` (and close where their app is not paired).
        let told = events.clone();
        service.set_wallet_changed_listener(move |event| {
            if let Some(events) = lock(&told).as_ref() {
                let _ = events.send(event.clone());
            }
        });
        Self {
            port,
            prompts: Arc::new(WindowPrompts {
                pairing: Slot::new(show_pairing),
                calls: Slot::new(show_calls),
                open: AtomicBool::new(false),
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
                self.prompts.open.store(true, Ordering::SeqCst);
            }
            (false, true) => {
                // What waits on screen is declined first: stopping waits for the calls in
                // progress, a prompt's among them.
                self.prompts.open.store(false, Ordering::SeqCst);
                self.prompts.pairing.decline();
                self.prompts.calls.decline();
                lock(&self.events).take();
                if let Some(stopped) = running.take() {
                    stopped.stop().await;
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// The pairing waiting for the user, if any.
    pub fn pending(&self) -> Option<PairingPrompt> {
        self.prompts.pairing.pending()
    }

    /// The user's answer to pairing prompt `id`: declined (`approve` false), or approved with
    /// the PIN (`None`: biometrics). Answers the app paired, or why not (a wrong PIN leaves the
    /// prompt up for another try).
    pub async fn answer(
        &self,
        id: &str,
        approve: bool,
        pin: Option<Pin>,
    ) -> Result<Option<AppInfo>, AppError> {
        self.prompts.pairing.answer(id, approve, pin).await
    }

    /// Calls outside an app's session waiting for the user, if any.
    pub fn pending_calls(&self) -> Option<CallsPrompt> {
        self.prompts.calls.pending()
    }

    /// The user's answer to calls prompt `id`: the transaction hash when approved and sent.
    pub async fn answer_calls(
        &self,
        id: &str,
        approve: bool,
        pin: Option<Pin>,
    ) -> Result<Option<String>, AppError> {
        self.prompts.calls.answer(id, approve, pin).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(id: &str) -> CallsPrompt {
        CallsPrompt {
            id: id.into(),
            name: "Game".into(),
            origin: None,
            calls: vec!["transfer 3 STRK to 0xb0b".into()],
            reason: "over its limit".into(),
        }
    }

    type Seen = Arc<Mutex<Vec<Option<String>>>>;

    /// A slot whose window records each prompt shown (its id) and each close (`None`).
    fn slot() -> (Arc<Slot<CallsPrompt, String>>, Seen) {
        let seen: Seen = Arc::default();
        let window = seen.clone();
        let slot = Slot::new(move |p: Option<&CallsPrompt>| {
            lock(&window).push(p.map(|p| p.id.clone()));
        });
        (Arc::new(slot), seen)
    }

    async fn until_waiting(slot: &Slot<CallsPrompt, String>, id: &str) {
        while slot.pending().is_none_or(|p| p.id != id) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    fn pin() -> Option<Pin> {
        Some(Pin::from("pin-Apps#4"))
    }

    #[tokio::test]
    async fn an_answer_approves_only_the_prompt_it_names() {
        let (slot, seen) = slot();
        let asking = tokio::spawn({
            let slot = slot.clone();
            async move { slot.ask(prompt("a")).await.is_some() }
        });
        until_waiting(&slot, "a").await;
        // An answer given for another prompt (one that went away) does not approve this one.
        assert!(slot.answer("old", true, pin()).await.is_err());
        assert_eq!(slot.pending().unwrap().id, "a", "still waiting");
        // Another request while this one is on screen is refused at once.
        assert!(slot.ask(prompt("b")).await.is_none());
        assert_eq!(slot.answer("a", false, None).await.unwrap(), None);
        assert!(!asking.await.unwrap(), "declined");
        assert_eq!(*lock(&seen), vec![Some("a".to_owned()), None]);
        // Answered once: a second answer is refused.
        assert!(slot.answer("a", true, pin()).await.is_err());
    }

    #[tokio::test]
    async fn a_request_that_goes_away_takes_its_prompt_with_it() {
        let (slot, seen) = slot();
        // No guard of the request's own: the slot's is what is tested.
        let request = tokio::spawn({
            let slot = slot.clone();
            async move { slot.ask(prompt("a")).await }
        });
        until_waiting(&slot, "a").await;
        // The app hangs up: its request is dropped.
        request.abort();
        assert!(request.await.unwrap_err().is_cancelled());
        assert!(slot.pending().is_none());
        assert!(slot.answer("a", true, pin()).await.is_err(), "not answered");
        // The next app's prompt is shown, not refused as if one still waited.
        let next = tokio::spawn({
            let slot = slot.clone();
            async move { slot.ask(prompt("b")).await.is_some() }
        });
        until_waiting(&slot, "b").await;
        assert_eq!(slot.answer("b", false, None).await.unwrap(), None);
        assert!(!next.await.unwrap());
        assert_eq!(
            *lock(&seen),
            vec![Some("a".to_owned()), None, Some("b".to_owned()), None]
        );
    }

    #[tokio::test]
    async fn a_wrong_pin_keeps_the_prompt_for_another_try() {
        let (slot, seen) = slot();
        let request = tokio::spawn({
            let slot = slot.clone();
            async move {
                slot.ask(prompt("a")).await.expect("approved");
                let wrong = ServiceError::Session(chipi_session::SessionError::WrongPin);
                slot.finish("a", Err(wrong.into()), true);
                // Asked again a moment later, as the API does.
                tokio::time::sleep(Duration::from_millis(200)).await;
                slot.ask(prompt("a")).await.expect("approved again");
                slot.finish("a", Ok("0xfeed".into()), false);
            }
        });
        until_waiting(&slot, "a").await;
        assert!(
            slot.answer("a", true, pin()).await.is_err(),
            "the wrong PIN"
        );
        // Typed at once: waits for the prompt to be asked again.
        let sent = slot.answer("a", true, pin()).await.unwrap();
        assert_eq!(sent.as_deref(), Some("0xfeed"));
        request.await.unwrap();
        assert_eq!(
            *lock(&seen),
            vec![Some("a".to_owned()), Some("a".to_owned()), None]
        );
    }
}
