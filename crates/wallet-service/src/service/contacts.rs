//! The address book (a name, an address, a note) and the recent recipients, both offered by the
//! Send screen. Addresses are shown with Starknet's checksum casing; one typed in mixed case must
//! match it, so a mistyped digit is caught before it is saved.

use chipi_session::parse_address;
use starknet_core::types::Felt;
use starknet_core::utils::starknet_keccak;

use super::WalletService;
use crate::error::{Field, ServiceError};
use crate::prefs::Contact;
use crate::views::{ActivityKind, AddressBook, ContactInfo, ContactInput, RecentRecipient};

/// Contacts kept at most.
pub const MAX_CONTACTS: usize = 500;
/// Recent recipients offered.
pub const RECENT_RECIPIENTS: usize = 5;
const MAX_NAME: usize = 40;
const MAX_NOTE: usize = 200;

/// `address` as 64 hex digits with Starknet's checksum casing: a letter is upper case where the
/// matching nibble of the address's Starknet keccak is 8 or more.
pub fn checksum_address(address: Felt) -> String {
    let all = address.to_bytes_be();
    let start = all.iter().position(|b| *b != 0).unwrap_or(all.len() - 1);
    let hashed = starknet_keccak(&all[start..]).to_bytes_be();
    let mut chars: Vec<char> = format!("{address:064x}").chars().collect();
    for (i, c) in chars.iter_mut().enumerate() {
        let byte = hashed[i / 2];
        let nibble = if i % 2 == 0 { byte >> 4 } else { byte & 0x0f };
        if nibble >= 8 {
            c.make_ascii_uppercase();
        }
    }
    format!("0x{}", chars.into_iter().collect::<String>())
}

/// Parses an address typed or pasted by the user: well-formed, and when written in mixed case,
/// in its checksum casing.
pub fn parse_checked_address(text: &str) -> Result<Felt, ServiceError> {
    let text = text.trim();
    let shown: String = text.chars().take(80).collect();
    let address = parse_address(text).map_err(|_| {
        ServiceError::invalid(
            Field::Address,
            format!("{shown:?} is not a Starknet address (0x and up to 64 hex digits)"),
        )
    })?;
    let digits = &text[2..];
    let mixed = digits.chars().any(|c| c.is_ascii_uppercase())
        && digits.chars().any(|c| c.is_ascii_lowercase());
    if mixed {
        let expected = checksum_address(address);
        let padded = format!("{:0>64}", digits);
        if padded != expected[2..] {
            return Err(ServiceError::invalid(
                Field::Address,
                "the capital letters of this address do not match its checksum: a character \
                 may be mistyped",
            ));
        }
    }
    Ok(address)
}

impl ContactInfo {
    fn of(contact: &Contact) -> Self {
        Self {
            name: contact.name.clone(),
            address: checksum_address(contact.address),
            note: contact.note.clone(),
        }
    }
}

impl WalletService {
    /// The address book, by name, and the last recipients of this network's transfers.
    pub fn address_book(&self) -> AddressBook {
        let prefs = self.prefs.get();
        let mut contacts: Vec<ContactInfo> = prefs.contacts.iter().map(ContactInfo::of).collect();
        contacts.sort_by_key(|c| c.name.to_lowercase());
        let mut recent: Vec<RecentRecipient> = Vec::new();
        for line in prefs.activity.iter().rev() {
            let (ActivityKind::Transfer, Some(to)) = (line.kind, line.counterparty) else {
                continue;
            };
            if recent.len() == RECENT_RECIPIENTS {
                break;
            }
            let address = checksum_address(to);
            if recent.iter().all(|r| r.address != address) {
                recent.push(RecentRecipient {
                    name: prefs
                        .contacts
                        .iter()
                        .find(|c| c.address == to)
                        .map(|c| c.name.clone()),
                    address,
                    at: line.at.to_string(),
                });
            }
        }
        AddressBook { contacts, recent }
    }

    /// Saves a contact: a new address is added, a known one gets the new name and note.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub fn save_contact(&self, input: &ContactInput) -> Result<AddressBook, ServiceError> {
        self.refuse_if_locked()?;
        let address = parse_checked_address(&input.address)?;
        let name = input.name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME || name.chars().any(char::is_control)
        {
            return Err(ServiceError::invalid(
                Field::Contact,
                format!("a contact's name is 1 to {MAX_NAME} characters on one line"),
            ));
        }
        let note = input.note.trim();
        if note.chars().count() > MAX_NOTE {
            return Err(ServiceError::invalid(
                Field::Contact,
                format!("a note is at most {MAX_NOTE} characters"),
            ));
        }
        let contacts = self.prefs.get().contacts;
        if let Some(other) = contacts
            .iter()
            .find(|c| c.address != address && c.name.eq_ignore_ascii_case(name))
        {
            return Err(ServiceError::invalid(
                Field::Contact,
                format!(
                    "{} is already the name of {}",
                    other.name,
                    checksum_address(other.address)
                ),
            ));
        }
        let known = contacts.iter().any(|c| c.address == address);
        if !known && contacts.len() >= MAX_CONTACTS {
            return Err(ServiceError::invalid(
                Field::Contact,
                format!("the address book is full ({MAX_CONTACTS} contacts)"),
            ));
        }
        let contact = Contact {
            name: name.to_owned(),
            address,
            note: note.to_owned(),
        };
        self.prefs.update(
            |p| match p.contacts.iter_mut().find(|c| c.address == address) {
                Some(c) => *c = contact,
                None => p.contacts.push(contact),
            },
        )?;
        Ok(self.address_book())
    }

    /// Removes the contact at `address`.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub fn remove_contact(&self, address: &str) -> Result<AddressBook, ServiceError> {
        self.refuse_if_locked()?;
        let address = parse_checked_address(address)?;
        if !self
            .prefs
            .get()
            .contacts
            .iter()
            .any(|c| c.address == address)
        {
            return Err(ServiceError::invalid(
                Field::Address,
                "no contact has this address",
            ));
        }
        self.prefs
            .update(|p| p.contacts.retain(|c| c.address != address))?;
        Ok(self.address_book())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The vectors of starknet.js's `getChecksumAddress` (the UI's test holds the same).
    #[test]
    fn checksum_casing_matches_starknet_js() {
        for (plain, checksummed) in [
            (
                "0x49d36570d4e46f48e99674bd3fcc84644ddd6b96f7c741b1562b82f9e004dc7",
                "0x049D36570D4e46f48e99674bd3fcc84644DdD6b96F7C741B1562B82f9e004dC7",
            ),
            (
                "0x4718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d",
                "0x04718f5a0Fc34cC1AF16A1cdee98fFB20C31f5cD61D6Ab07201858f4287c938D",
            ),
            (
                "0x7e00d496e324876bbc8531f2d9a82bf154d1a04a50218ee74cdd372f75a551a",
                "0x07E00d496E324876BbC8531f2D9A82bf154d1A04a50218eE74CdD372F75a551A",
            ),
            (
                "0x1234abcd",
                "0x000000000000000000000000000000000000000000000000000000001234abcd",
            ),
        ] {
            let address = Felt::from_hex(plain).unwrap();
            assert_eq!(checksum_address(address), checksummed);
            // Typed in its checksum casing, in lower case or in upper case: taken.
            for typed in [
                checksummed.to_owned(),
                plain.to_owned(),
                plain.to_uppercase().replacen("0X", "0x", 1),
            ] {
                assert_eq!(parse_checked_address(&typed).unwrap(), address, "{typed}");
            }
        }
    }

    #[test]
    fn a_mistyped_casing_is_refused() {
        // One letter's case flipped in a checksummed address.
        let wrong = "0x049d36570D4e46f48e99674bd3fcc84644DdD6b96F7C741B1562B82f9e004dC7";
        let error = parse_checked_address(wrong).unwrap_err();
        assert!(error.to_string().contains("checksum"), "{error}");
        assert!(parse_checked_address("0xabc-").is_err());
        assert!(parse_checked_address("").is_err());
    }
}
