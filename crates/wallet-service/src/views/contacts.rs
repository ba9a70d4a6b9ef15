//! The address book and the recent recipients, as the Send screen offers them.

use serde::{Deserialize, Serialize};

/// A saved address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ContactInfo {
    /// What the user calls it.
    pub name: String,
    /// The address, 64 hex digits in checksum casing.
    pub address: String,
    /// A note, possibly empty.
    pub note: String,
}

/// A contact to save, as typed.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct ContactInput {
    /// 1 to 40 characters.
    pub name: String,
    /// `0x` and up to 64 hex digits; in mixed case, the checksum casing.
    pub address: String,
    /// At most 200 characters.
    pub note: String,
}

/// Someone this wallet sent to lately.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct RecentRecipient {
    /// The address, in checksum casing.
    pub address: String,
    /// The contact's name, when the address is in the book.
    pub name: Option<String>,
    /// When the last transfer to it was made: unix seconds, as a string.
    pub at: String,
}

/// The address book and the last recipients, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct AddressBook {
    /// Contacts, by name.
    pub contacts: Vec<ContactInfo>,
    /// The last few distinct recipients on this network.
    pub recent: Vec<RecentRecipient>,
}
