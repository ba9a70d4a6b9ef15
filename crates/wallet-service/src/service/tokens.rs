//! The network's token list as the user shapes it: a token added by its address (what it is
//! read from the chain, never taken from the screen), and tokens hidden or shown again.

use chipi_session::{parse_address, SessionError, Token};
use starknet_core::types::Felt;

use super::{hex, WalletService};
use crate::error::{Field, ServiceError};
use crate::views::TokenInfo;

/// JSON-RPC `CONTRACT_ERROR` and the older `ENTRYPOINT_NOT_FOUND`: the contract refused the
/// call (it has no such function), as opposed to a node that failed.
const CONTRACT_ERROR: i64 = 40;
const ENTRYPOINT_NOT_FOUND: i64 = 21;
/// Decimals beyond this do not fit an amount in the wallet's 128-bit arithmetic.
const MAX_DECIMALS: u8 = 36;
/// Longest symbol and name shown.
const MAX_SYMBOL: usize = 16;
const MAX_NAME: usize = 64;

impl TokenInfo {
    /// A token as the screens show it.
    pub fn of(token: &Token) -> Self {
        Self {
            symbol: token.symbol.clone(),
            address: hex(token.address),
            decimals: token.decimals,
            name: token.name.clone(),
            added: token.added,
            hidden: token.hidden,
        }
    }
}

impl WalletService {
    /// What the contract at `address` says it is (symbol, decimals, name), read from this
    /// network's node: refused when the address is malformed, already listed, holds no contract
    /// here (a token of another network), or holds one that is not an ERC-20 token.
    #[tracing::instrument(level = "debug", skip_all, err(level = "warn", Display))]
    pub async fn token_preview(&self, address: &str) -> Result<TokenInfo, ServiceError> {
        let network = self.prefs.get().network;
        let address = parse_address(address)
            .map_err(|_| ServiceError::invalid(Field::Address, not_an_address(address)))?;
        if let Some(known) = network.tokens.iter().find(|t| t.address == address) {
            return Err(ServiceError::invalid(
                Field::Address,
                format!("{} is already in the list", known.symbol),
            ));
        }
        let node = network.node();
        if node.class_hash_at(address).await?.is_none() {
            return Err(ServiceError::invalid(
                Field::Address,
                format!(
                    "there is no contract at {} on {}: a token of another network?",
                    hex(address),
                    network.name
                ),
            ));
        }
        let not_a_token = |what: &str| {
            ServiceError::invalid(
                Field::Address,
                format!(
                    "the contract at {} is not an ERC-20 token: {what}",
                    hex(address)
                ),
            )
        };
        let read = |entrypoint: &'static str| {
            let node = &node;
            async move {
                match node.call(address, entrypoint, &[]).await {
                    Ok(answer) => Ok(Some(answer)),
                    Err(SessionError::Node { code, .. })
                        if code == CONTRACT_ERROR || code == ENTRYPOINT_NOT_FOUND =>
                    {
                        Ok(None)
                    }
                    Err(e) => Err(ServiceError::from(e)),
                }
            }
        };
        let decimals = match read("decimals").await?.as_deref() {
            Some([d]) => u8::try_from(*d)
                .ok()
                .filter(|d| *d <= MAX_DECIMALS)
                .ok_or_else(|| not_a_token("its decimals are out of range"))?,
            _ => return Err(not_a_token("it has no decimals")),
        };
        let symbol = read("symbol")
            .await?
            .and_then(|answer| contract_text(&answer, MAX_SYMBOL))
            .ok_or_else(|| not_a_token("it has no readable symbol"))?;
        // A token answers `balance_of` for any account; a contract that only looks like one
        // (a symbol and decimals) does not.
        let wallet = self.prefs.get().wallet.map_or(Felt::ONE, |w| w.address);
        if node.erc20_balances(wallet, &[address]).await?[0].is_none() {
            return Err(not_a_token("it has no balance_of"));
        }
        let name = read("name")
            .await?
            .and_then(|answer| contract_text(&answer, MAX_NAME));
        let mut token = Token::new(&symbol, address, decimals);
        token.name = name;
        token.added = true;
        Ok(TokenInfo::of(&token))
    }

    /// Adds the token at `address` to this network's list, as the chain describes it (read
    /// again here: nothing of it comes from the screen). The new list.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub async fn add_token(&self, address: &str) -> Result<Vec<TokenInfo>, ServiceError> {
        self.refuse_if_locked()?;
        let seen = self.token_preview(address).await?;
        let address = parse_address(&seen.address)?;
        let network_name = self.prefs.get().network.name;
        let symbol_taken = self
            .prefs
            .get()
            .network
            .tokens
            .iter()
            .any(|t| t.symbol.eq_ignore_ascii_case(&seen.symbol));
        let mut token = Token::new(&seen.symbol, address, seen.decimals);
        token.name = seen.name;
        token.added = true;
        if symbol_taken {
            // Two tokens of one symbol would make "send 5 USDC" ambiguous: the new one is
            // named by its address's end too.
            let digits = format!("{address:x}");
            token.symbol = format!(
                "{}-{}",
                token.symbol,
                &digits[digits.len().saturating_sub(4)..]
            );
        }
        self.prefs.update(|p| {
            if p.network.name == network_name
                && p.network.tokens.iter().all(|t| t.address != address)
            {
                p.network.tokens.push(token);
            }
        })?;
        Ok(self.token_list())
    }

    /// Hides the token at `address` (no balance, not offered to send, not scanned), or shows it
    /// again. The new list.
    #[tracing::instrument(level = "info", skip_all, err(level = "warn", Display))]
    pub fn set_token_hidden(
        &self,
        address: &str,
        hidden: bool,
    ) -> Result<Vec<TokenInfo>, ServiceError> {
        self.refuse_if_locked()?;
        let address = parse_address(address)
            .map_err(|_| ServiceError::invalid(Field::Address, not_an_address(address)))?;
        if !self
            .prefs
            .get()
            .network
            .tokens
            .iter()
            .any(|t| t.address == address)
        {
            return Err(ServiceError::invalid(
                Field::Address,
                format!("no token at {} in this network's list", hex(address)),
            ));
        }
        self.prefs.update(|p| {
            for t in p.network.tokens.iter_mut().filter(|t| t.address == address) {
                t.hidden = hidden;
            }
        })?;
        Ok(self.token_list())
    }

    /// Every token of the network, hidden ones included.
    pub fn token_list(&self) -> Vec<TokenInfo> {
        self.prefs
            .get()
            .network
            .tokens
            .iter()
            .map(TokenInfo::of)
            .collect()
    }
}

fn not_an_address(text: &str) -> String {
    let shown: String = text.trim().chars().take(80).collect();
    format!("{shown:?} is not a Starknet address (0x and up to 64 hex digits)")
}

/// A contract's text answer (`symbol`, `name`): a short string in one felt (older tokens) or a
/// Cairo `ByteArray` (`[full words, word…, pending word, pending length]`); `None` when it is
/// neither, empty, longer than `max` characters, or not printable.
pub(crate) fn contract_text(answer: &[Felt], max: usize) -> Option<String> {
    let bytes = match answer {
        [word] => felt_bytes(*word, 31)?,
        [count, rest @ ..] => {
            let count = usize::try_from(u64::try_from(*count).ok()?).ok()?;
            if rest.len() != count.checked_add(2)? {
                return None;
            }
            let (words, tail) = rest.split_at(count);
            let pending_len = usize::from(u8::try_from(tail[1]).ok()?);
            if pending_len > 30 {
                return None;
            }
            let mut bytes = Vec::new();
            for word in words {
                bytes.extend(felt_bytes_exact(*word, 31)?);
            }
            bytes.extend(felt_bytes_exact(tail[0], pending_len)?);
            bytes
        }
        [] => return None,
    };
    let text = String::from_utf8(bytes).ok()?;
    let text = text.trim();
    let printable = text.chars().all(|c| !c.is_control());
    (printable && !text.is_empty() && text.chars().count() <= max).then(|| text.to_owned())
}

/// The big-endian bytes of a short string of at most `max` bytes, without leading zeros.
fn felt_bytes(word: Felt, max: usize) -> Option<Vec<u8>> {
    let all = word.to_bytes_be();
    let start = all.iter().position(|b| *b != 0).unwrap_or(all.len());
    (all.len() - start <= max).then(|| all[start..].to_vec())
}

/// The last `len` big-endian bytes of `word`, which must hold nothing above them.
fn felt_bytes_exact(word: Felt, len: usize) -> Option<Vec<u8>> {
    let all = word.to_bytes_be();
    let (above, bytes) = all.split_at(all.len() - len);
    above.iter().all(|b| *b == 0).then(|| bytes.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;
    use starknet_core::utils::cairo_short_string_to_felt;

    #[test]
    fn a_contracts_text_as_a_short_string_or_a_byte_array() {
        let short = cairo_short_string_to_felt("USDC").unwrap();
        assert_eq!(contract_text(&[short], 16).as_deref(), Some("USDC"));
        // "Starknet Token" as a ByteArray: no full word, 14 pending bytes.
        let pending = cairo_short_string_to_felt("Starknet Token").unwrap();
        assert_eq!(
            contract_text(&[Felt::ZERO, pending, Felt::from(14u8)], 64).as_deref(),
            Some("Starknet Token")
        );
        // A 35-byte name: one full word of 31 bytes and 4 pending.
        let long = "A token with a rather long name ABC";
        let full = cairo_short_string_to_felt(&long[..31]).unwrap();
        let rest = cairo_short_string_to_felt(&long[31..]).unwrap();
        assert_eq!(
            contract_text(&[Felt::ONE, full, rest, Felt::from(4u8)], 64).as_deref(),
            Some(long)
        );
    }

    #[test]
    fn text_that_is_not_a_name_is_refused() {
        let short = cairo_short_string_to_felt("USDC").unwrap();
        for (answer, max) in [
            (vec![], 16),
            (vec![Felt::ZERO], 16),
            // Longer than allowed.
            (
                vec![cairo_short_string_to_felt("ABCDEFGHIJKLMNOPQ").unwrap()],
                16,
            ),
            // A count that does not match the words that follow.
            (vec![Felt::TWO, short, Felt::from(4u8)], 16),
            // A pending length that claims more bytes than a word holds.
            (vec![Felt::ZERO, short, Felt::from(31u8)], 16),
            // A pending word longer than its stated length.
            (vec![Felt::ZERO, short, Felt::from(2u8)], 16),
            // Control characters and bytes that are not UTF-8.
            (vec![Felt::from(0x410a41u32)], 16),
            (vec![Felt::from(0xffu32)], 16),
            // A huge count.
            (vec![Felt::MAX, short, Felt::from(4u8)], 16),
        ] {
            assert_eq!(contract_text(&answer, max), None, "{answer:?}");
        }
    }
}
