//! What the history and home screens show: activity lines and balances.

use serde::{Deserialize, Serialize};

/// What an activity line records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum ActivityKind {
    /// A token transfer.
    Transfer,
    /// Calls made with the session.
    Execute,
    /// A session registered.
    Register,
    /// A session revoked.
    Revoke,
    /// The wallet deployed.
    Deploy,
    /// Tokens received (from the chain's `Transfer` events).
    Receive,
    /// The account moved to another class (CHIPI v33).
    Upgrade,
    /// Stored data found damaged or half-written, and what was done about it.
    Repair,
}

/// Where an activity line stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, specta::Type)]
#[serde(rename_all = "lowercase")]
pub enum ActivityStatus {
    /// Sent; the receipt is not known yet.
    Pending,
    /// Done.
    Succeeded,
    /// Refused or reverted.
    Failed,
}

/// An activity line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ActivityInfo {
    /// Unix seconds, as a string.
    pub at: String,
    /// Kind.
    pub kind: ActivityKind,
    /// Sentence.
    pub summary: String,
    /// Transaction hash.
    pub transaction_hash: Option<String>,
    /// Status.
    pub status: ActivityStatus,
    /// The token's symbol, for transfers in and out.
    pub token: Option<String>,
    /// The amount in whole units of the token.
    pub amount: Option<String>,
    /// The other side (recipient or sender).
    pub counterparty: Option<String>,
    /// The transaction's page on the network's explorer, when it has one.
    pub explorer_url: Option<String>,
}

/// A token balance of the wallet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct BalanceInfo {
    /// Token address.
    pub token: String,
    /// Symbol.
    pub symbol: String,
    /// Decimals.
    pub decimals: u8,
    /// Balance in whole units (`None`: could not be read).
    pub amount: Option<String>,
}
