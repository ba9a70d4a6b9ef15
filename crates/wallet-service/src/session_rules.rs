//! The rules of the last session set up, kept so that it can be extended or renewed with the
//! same rules and one confirmation.

use serde::{Deserialize, Serialize};

use crate::views::{AllowedCallInput, LimitInput, SessionRequest};

/// A session's rules as the set-up asked for them (tokens by symbol or address, amounts in
/// whole units), without its expiry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRules {
    /// The lifetime it was set up with, in seconds (the default for an extension or renewal).
    pub duration_seconds: Option<u32>,
    /// Its call budget.
    pub max_calls: Option<u32>,
    /// Entrypoints allowed on any contract.
    pub allowed_entrypoints: Vec<String>,
    /// Spending limits: token, per call, per window, window seconds.
    pub limits: Vec<(String, String, String, u32)>,
    /// Entrypoints allowed on one contract: contract, entrypoint.
    pub allowed_calls: Vec<(String, String)>,
    /// The user acknowledged a class that keeps no spending limit.
    pub no_limit_acknowledged: bool,
}

impl SessionRules {
    /// The rules of `request`.
    pub fn of(request: &SessionRequest) -> Self {
        Self {
            duration_seconds: request.duration_seconds,
            max_calls: request.max_calls,
            allowed_entrypoints: request.allowed_entrypoints.clone(),
            limits: request
                .limits
                .iter()
                .map(|l| {
                    (
                        l.token.clone(),
                        l.max_per_call.clone(),
                        l.max_per_window.clone(),
                        l.window_seconds,
                    )
                })
                .collect(),
            allowed_calls: request
                .allowed_calls
                .iter()
                .map(|c| (c.contract_address.clone(), c.entrypoint.clone()))
                .collect(),
            no_limit_acknowledged: request.no_limit_acknowledged,
        }
    }

    /// The rules as the screens show them.
    pub fn view(&self) -> crate::views::KeptRules {
        crate::views::KeptRules {
            max_calls: self.max_calls,
            allowed_entrypoints: self.allowed_entrypoints.clone(),
            limits: self
                .limits
                .iter()
                .map(
                    |(token, per_call, per_window, window)| crate::views::KeptLimit {
                        token: token.clone(),
                        max_per_call: per_call.clone(),
                        max_per_window: per_window.clone(),
                        window_seconds: *window,
                    },
                )
                .collect(),
            allowed_calls: self
                .allowed_calls
                .iter()
                .map(|(contract, entrypoint)| format!("{entrypoint} on {contract}"))
                .collect(),
        }
    }

    /// A request for a session with these rules lasting `duration_seconds`.
    pub fn request(&self, duration_seconds: u32) -> SessionRequest {
        SessionRequest {
            duration_seconds: Some(duration_seconds),
            max_calls: self.max_calls,
            allowed_entrypoints: self.allowed_entrypoints.clone(),
            limits: self
                .limits
                .iter()
                .map(|(token, per_call, per_window, window)| LimitInput {
                    token: token.clone(),
                    max_per_call: per_call.clone(),
                    max_per_window: per_window.clone(),
                    window_seconds: *window,
                })
                .collect(),
            allowed_calls: self
                .allowed_calls
                .iter()
                .map(|(contract, entrypoint)| AllowedCallInput {
                    contract_address: contract.clone(),
                    entrypoint: entrypoint.clone(),
                })
                .collect(),
            valid_until: None,
            no_limit_acknowledged: self.no_limit_acknowledged,
        }
    }
}
