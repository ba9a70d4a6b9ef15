//! What the wallet keeps of an app paired through the wallet API: who it said it is, the policy
//! the user approved, the pairing token's hash (never the token), and its session's public
//! parts. The session key itself is sealed under the PIN in the keychain, one entry per app.

use serde::{Deserialize, Serialize};
use wallet_api::SessionPolicy;

use crate::prefs::SessionPrefs;

/// One paired app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppPrefs {
    /// The wallet's id for it (`app-` and 16 hex digits, random; not secret).
    pub id: String,
    /// The name it gave (its claim, shown as such).
    pub name: String,
    /// The browser `Origin` it paired from; `None` for a program.
    pub origin: Option<String>,
    /// SHA-256 of its pairing token, hex.
    pub token_hash: String,
    /// What its session may do, as approved.
    pub policy: SessionPolicy,
    /// Calls outside the policy are put to the user instead of refused.
    pub ask_outside: bool,
    /// When it paired (unix seconds).
    pub paired_at: u64,
    /// When it last had a call answered.
    #[serde(default)]
    pub last_used: Option<u64>,
    /// Its session without the key.
    #[serde(default)]
    pub session: Option<SessionPrefs>,
}

/// `bytes` random bytes from the OS, in hex (ids, not secrets).
pub(crate) fn random_hex(bytes: usize) -> std::io::Result<String> {
    let mut random = vec![0u8; bytes];
    getrandom::fill(&mut random).map_err(std::io::Error::other)?;
    Ok(random.iter().map(|b| format!("{b:02x}")).collect())
}

/// A new app id: `app-` and 16 random hex digits.
pub fn new_app_id() -> std::io::Result<String> {
    Ok(format!("app-{}", random_hex(8)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_ids_are_random_and_shaped() {
        let (a, b) = (new_app_id().unwrap(), new_app_id().unwrap());
        assert_ne!(a, b);
        assert!(a.starts_with("app-") && a.len() == 20, "{a}");
        assert!(a[4..].bytes().all(|c| c.is_ascii_hexdigit()));
    }
}
