//! Desktop notifications, and whether the user wants them: a session about to expire, tokens
//! received, a transfer confirmed while the window was hidden. Each says what happened in a line
//! (no key, no PIN; an address shortened); the host shows them.

use super::WalletService;
use crate::error::ServiceError;
use crate::views::{ActivityKind, SessionInfo, SessionState, SettingsInfo};

/// How long before the expiry a session's end is announced, in seconds.
pub const EXPIRY_NOTICE_SECONDS: u64 = 15 * 60;

/// A notification: a title and one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// The title.
    pub title: String,
    /// The line under it.
    pub body: String,
}

impl WalletService {
    /// Whether notifications are on (they are, unless the user turned them off).
    pub fn notices_on(&self) -> bool {
        self.prefs.get().notifications
    }

    /// Whether the local wallet API is on.
    pub fn wallet_api_on(&self) -> bool {
        self.prefs.get().wallet_api
    }

    /// Turns the local wallet API on or off (the host starts or stops listening).
    pub fn set_wallet_api(&self, on: bool) -> Result<SettingsInfo, ServiceError> {
        self.prefs.update(|p| p.wallet_api = on)?;
        self.settings()
    }

    /// Turns notifications on or off.
    #[tracing::instrument(level = "info", skip(self), err(level = "warn", Display))]
    pub fn set_notifications(&self, on: bool) -> Result<SettingsInfo, ServiceError> {
        self.prefs.update(|p| p.notifications = on)?;
        self.settings()
    }

    /// The notice for the `added` newest receipts the last scan found, if any and if wanted.
    pub fn received_notice(&self, added: usize) -> Option<Notice> {
        if added == 0 || !self.notices_on() {
            return None;
        }
        let prefs = self.prefs.get();
        let lines: Vec<String> = prefs
            .activity
            .iter()
            .rev()
            .filter(|a| a.kind == ActivityKind::Receive)
            .take(added)
            .map(|a| match (&a.amount, &a.token) {
                (Some(amount), Some(token)) => format!("{amount} {token}"),
                _ => a.summary.clone(),
            })
            .collect();
        let title = if added == 1 {
            "Tokens received".to_owned()
        } else {
            format!("{added} transfers received")
        };
        Some(Notice {
            title,
            body: lines.join(", "),
        })
    }

    /// The notice for a transfer confirmed while the window was hidden, if wanted.
    pub fn sent_notice(&self, amount: &str, token: &str, recipient: &str) -> Option<Notice> {
        self.notices_on().then(|| Notice {
            title: "Transfer confirmed".into(),
            body: format!("{amount} {token} to {}", short(recipient)),
        })
    }
}

/// The notice for a session ending within [`EXPIRY_NOTICE_SECONDS`], once per expiry:
/// `already` is the expiry last announced.
pub fn expiry_notice(info: &SessionInfo, already: Option<u64>) -> Option<(u64, Notice)> {
    if info.state != SessionState::Active {
        return None;
    }
    let now: u64 = info.chain_time.parse().ok()?;
    let until: u64 = info.valid_until.as_deref()?.parse().ok()?;
    if until <= now || until - now > EXPIRY_NOTICE_SECONDS || already == Some(until) {
        return None;
    }
    let minutes = (until - now).div_ceil(60);
    Some((
        until,
        Notice {
            title: "Your session ends soon".into(),
            body: format!(
                "It ends in {minutes} min: extend it in the Session tab to keep sending."
            ),
        },
    ))
}

/// `0x1234…abcd`.
fn short(address: &str) -> String {
    let a = address.trim();
    if a.len() <= 12 {
        return a.to_owned();
    }
    format!("{}…{}", &a[..6], &a[a.len() - 4..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::{BusyInfo, SessionInfo};

    fn info(state: SessionState, now: u64, until: u64) -> SessionInfo {
        SessionInfo {
            state,
            public_key: None,
            valid_until: Some(until.to_string()),
            chain_time: now.to_string(),
            remaining_calls: None,
            max_calls: None,
            allowed_entrypoints: vec![],
            allowed_names: vec![],
            limits: vec![],
            busy: BusyInfo {
                creating: false,
                registering: false,
                revoking: false,
                executing: false,
                loading_status: false,
            },
            last_error: None,
            kept_rules: None,
        }
    }

    #[test]
    fn a_session_ending_within_15_minutes_is_announced_once() {
        let soon = info(SessionState::Active, 1_000, 1_000 + 14 * 60 + 1);
        let (until, notice) = expiry_notice(&soon, None).unwrap();
        assert_eq!(until, 1_000 + 14 * 60 + 1);
        assert_eq!(
            notice.body,
            "It ends in 15 min: extend it in the Session tab to keep sending."
        );
        // Once per expiry; an extended session is announced again when its new end nears.
        assert_eq!(expiry_notice(&soon, Some(until)), None);
        assert!(expiry_notice(&soon, Some(until - 1)).is_some());
        // Not yet, not any more, not when it is not active.
        assert_eq!(
            expiry_notice(&info(SessionState::Active, 1_000, 1_000 + 16 * 60), None),
            None
        );
        assert_eq!(
            expiry_notice(&info(SessionState::Active, 2_000, 1_000), None),
            None
        );
        assert_eq!(
            expiry_notice(&info(SessionState::Revoked, 1_000, 1_060), None),
            None
        );
    }

    #[test]
    fn addresses_are_shortened() {
        assert_eq!(short("0x1234abcd"), "0x1234abcd");
        assert_eq!(
            short("0x049D36570D4e46f48e99674bd3fcc84644DdD6b96F7C741B1562B82f9e004dC7"),
            "0x049D…4dC7"
        );
    }
}
