//! `apps …`: the apps paired through the desktop app's wallet API, listed, revoked (on chain,
//! with the PIN) or disconnected, by name.

use std::sync::Arc;

use async_trait::async_trait;
use serde_json::json;
use tokio::sync::{mpsc, Mutex};
use wallet_service::api::{ApiWallet, AppPrompts, Approval, PairingPrompt};
use wallet_service::views::{AppInfo, SessionState};
use wallet_service::{AppError, Pin, ServiceError, WalletService};

use crate::cli::AppsCommand;
use crate::host::Input;
use crate::output::{out, Output};

/// One app in text: name, origin, state, calls left, what it may call, what it spent.
fn line(app: &AppInfo) -> String {
    let s = &app.session;
    let state = serde_json::to_value(s.state).unwrap_or_default();
    let mut text = format!(
        "{} ({}): {}, {} calls left",
        app.name,
        app.origin.as_deref().unwrap_or("a program"),
        state.as_str().unwrap_or_default(),
        s.remaining_calls
            .map_or_else(|| "?".to_owned(), |n| n.to_string()),
    );
    for allowed in &app.allowed {
        text.push_str(&format!("\n  may call {allowed}"));
    }
    for limit in &s.limits {
        let token = limit.symbol.as_deref().unwrap_or(&limit.token);
        text.push_str(&format!(
            "\n  {token}: {} of {} spent this window (base units)",
            limit.spent_in_window, limit.max_per_window
        ));
    }
    text
}

/// The app called `name`; a name two apps gave is refused (use the list's ids in the app).
async fn by_name(service: &WalletService, name: &str) -> Result<AppInfo, ServiceError> {
    let mut found = service
        .apps_refreshed()
        .await?
        .into_iter()
        .filter(|a| a.name == name)
        .collect::<Vec<_>>();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(ServiceError::input(format!(
            "no paired app is called {name:?}"
        ))),
        n => Err(ServiceError::input(format!(
            "{n} paired apps are called {name:?}: revoke them from the app's Session screen"
        ))),
    }
}

/// Pairings put to the terminal: the prompt on stderr, the answer a line of stdin.
struct TerminalPrompts {
    lines: Mutex<mpsc::UnboundedReceiver<String>>,
}

#[async_trait]
impl AppPrompts for TerminalPrompts {
    async fn approve_pairing(&self, prompt: PairingPrompt) -> Option<Approval> {
        let origin = prompt
            .origin
            .as_deref()
            .unwrap_or("a program on this computer");
        eprintln!(
            "\nAn app asks for a session: {:?} (its name), from {origin} (its claim)",
            prompt.name
        );
        for line in prompt
            .allowed
            .iter()
            .chain(&prompt.limits)
            .chain(&prompt.messages)
        {
            eprintln!("  {line}");
        }
        eprintln!(
            "  for {} s, {} calls at most",
            prompt.duration_secs, prompt.max_calls
        );
        if prompt.ask_outside {
            eprintln!(
                "  it asks to put calls beyond these limits to you: this terminal refuses them"
            );
        }
        let mut lines = self.lines.lock().await;
        // Only a line typed for this prompt answers it: one typed before it was shown (a spare
        // PIN line) is dropped.
        while lines.try_recv().is_ok() {}
        eprintln!("Type the PIN to approve, an empty line to decline:");
        let line = lines.recv().await?;
        (!line.is_empty()).then(|| Approval::Pin(Pin::new(line)))
    }

    fn outcome(&self, _id: &str, result: Result<&AppInfo, AppError>) {
        match result {
            Ok(app) => eprintln!("paired {} ({})", app.name, app.id),
            Err(e) => eprintln!("not paired: {e}"),
        }
    }
}

/// `apps serve`: the API until `quit` or the end of stdin.
async fn serve(
    service: WalletService,
    port: Option<u16>,
    input: &mut Input,
) -> Result<Output, ServiceError> {
    service.unlock(Some(&input.pin()?)).await?;
    let (lines, answers) = mpsc::unbounded_channel();
    let (quit, quitting) = tokio::sync::oneshot::channel::<()>();
    // The rest of stdin, line by line: answers to prompts, or `quit`.
    std::thread::spawn(move || {
        let mut line = String::new();
        while matches!(std::io::stdin().read_line(&mut line), Ok(n) if n > 0) {
            let text = line.trim_end_matches(['\r', '\n']).to_owned();
            line.clear();
            if text == "quit" || lines.send(text).is_err() {
                break;
            }
        }
        let _ = quit.send(());
    });
    let prompts = Arc::new(TerminalPrompts {
        lines: Mutex::new(answers),
    });
    let config = wallet_api::ApiConfig {
        port: port.unwrap_or(wallet_api::server::DEFAULT_PORT),
        ..wallet_api::ApiConfig::default()
    };
    let wallet = Arc::new(ApiWallet::new(Arc::new(service), prompts));
    let running = wallet_api::start(config, wallet)
        .await
        .map_err(|e| ServiceError::input(format!("cannot listen on 127.0.0.1: {e}")))?;
    let address = running.address;
    eprintln!("wallet API on {address}; `quit` or end of input stops it");
    let _ = quitting.await;
    running.stop().await;
    Ok(out(
        json!({"served": address.to_string()}),
        format!("wallet API on {address} stopped"),
    ))
}

/// Runs an `apps` subcommand.
pub async fn run(
    command: &AppsCommand,
    service: WalletService,
    input: &mut Input,
) -> Result<Output, ServiceError> {
    match command {
        AppsCommand::Serve { port } => serve(service, *port, input).await,
        AppsCommand::List => {
            let apps = service.apps_refreshed().await?;
            let text = if apps.is_empty() {
                "no paired app".to_owned()
            } else {
                apps.iter().map(line).collect::<Vec<_>>().join("\n")
            };
            Ok(out(serde_json::to_value(&apps).unwrap_or_default(), text))
        }
        AppsCommand::Revoke { name } => {
            let app = by_name(&service, name).await?;
            let live = matches!(
                app.session.state,
                SessionState::Active | SessionState::Registering
            );
            let pin = if live { Some(input.pin()?) } else { None };
            service.revoke_app(&app.id, pin.as_ref()).await?;
            Ok(out(
                json!({"revoked": app.id, "name": app.name}),
                format!("{} revoked", app.name),
            ))
        }
        AppsCommand::Disconnect { name } => {
            let app = by_name(&service, name).await?;
            service.disconnect_app(&app.id)?;
            Ok(out(
                json!({"disconnected": app.id, "name": app.name}),
                format!("{} disconnected (its session key deleted)", app.name),
            ))
        }
    }
}
