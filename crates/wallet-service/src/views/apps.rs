//! A paired app as the Sessions screen and `apps list` show it: who it said it is, what its
//! policy allows in plain words, and its session's card (calls left, spent this window, expiry).

use chipi_session::{Network, SessionView};
use serde::Serialize;
use wallet_api::SessionPolicy;

use super::SessionInfo;
use crate::app_prefs::AppPrefs;

/// One paired app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AppInfo {
    /// The wallet's id for it.
    pub id: String,
    /// The name it gave (its claim).
    pub name: String,
    /// The browser origin it paired from (its claim), if any.
    pub origin: Option<String>,
    /// What it may call, one line per contract: `transfer, approve on STRK (0x…)`.
    pub allowed: Vec<String>,
    /// Typed-data messages it may sign, by primary type.
    pub messages: Vec<String>,
    /// Calls outside the policy are put to the user rather than refused.
    pub ask_outside: bool,
    /// When it paired, unix seconds, as a string.
    pub paired_at: String,
    /// When it last had a call answered, unix seconds, as a string.
    pub last_used: Option<String>,
    /// Its session's card: state, calls left, limits and what was spent, expiry.
    pub session: SessionInfo,
}

impl AppInfo {
    /// What `policy` allows, one line per contract: `transfer, approve on STRK (0x…)`.
    pub fn allowed_lines(policy: &SessionPolicy, network: &Network) -> Vec<String> {
        policy
            .contracts
            .iter()
            .map(|(address, contract)| {
                let methods = contract
                    .methods
                    .iter()
                    .map(|m| m.entrypoint.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                match network.token(address) {
                    Ok(token) => format!("{methods} on {} ({address})", token.symbol),
                    Err(_) => format!("{methods} on {address}"),
                }
            })
            .collect()
    }

    /// The app `app` with its session as `view` shows it; tokens named by `network`'s list.
    pub fn of(app: &AppPrefs, network: &Network, view: &SessionView) -> Self {
        let allowed = Self::allowed_lines(&app.policy, network);
        Self {
            id: app.id.clone(),
            name: app.name.clone(),
            origin: app.origin.clone(),
            allowed,
            messages: app
                .policy
                .messages
                .iter()
                .map(|m| m.primary_type.clone())
                .collect(),
            ask_outside: app.ask_outside,
            paired_at: app.paired_at.to_string(),
            last_used: app.last_used.map(|t| t.to_string()),
            session: SessionInfo::of(view, |t| match network.token(t) {
                Ok(token) => (Some(token.symbol.clone()), token.decimals),
                Err(_) => (None, 18),
            }),
        }
    }
}
