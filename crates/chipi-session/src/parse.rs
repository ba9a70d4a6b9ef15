//! User input checked before anything is sent: addresses, felts and entrypoints.

use starknet_core::types::Felt;

use crate::error::SessionError;

/// Parses a Starknet contract address: `0x` and 1 to 64 hex digits, non-zero, below 2^251.
pub fn parse_address(text: &str) -> Result<Felt, SessionError> {
    let bad = || SessionError::InvalidAddress(text.to_owned());
    let digits = text
        .trim()
        .strip_prefix("0x")
        .or_else(|| text.trim().strip_prefix("0X"))
        .ok_or_else(bad)?;
    if digits.is_empty() || digits.len() > 64 || !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad());
    }
    let felt = Felt::from_hex(digits).map_err(|_| bad())?;
    let limit = Felt::TWO.pow(251u32);
    if felt == Felt::ZERO || felt >= limit {
        return Err(bad());
    }
    Ok(felt)
}

/// Parses a felt given as `0x` hex or as a decimal number.
pub fn parse_felt(text: &str) -> Result<Felt, SessionError> {
    let text = text.trim();
    let parsed = if text.starts_with("0x") {
        Felt::from_hex(text)
    } else {
        Felt::from_dec_str(text)
    };
    parsed.map_err(|_| SessionError::InvalidCall(format!("not a felt: {text:?}")))
}

/// An entrypoint given by name (`transfer`) or by its selector in hex.
pub fn parse_selector(text: &str) -> Result<Felt, SessionError> {
    let text = text.trim();
    if text.starts_with("0x") {
        parse_felt(text)
    } else if !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Ok(crate::entrypoint::selector(text))
    } else {
        Err(SessionError::InvalidCall(format!(
            "not an entrypoint: {text:?}"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn felts_and_selectors() {
        assert_eq!(parse_felt("0x10").unwrap(), Felt::from(16u8));
        assert_eq!(parse_felt("16").unwrap(), Felt::from(16u8));
        assert!(parse_felt("1x").is_err());
        assert_eq!(
            parse_selector("transfer").unwrap(),
            crate::entrypoint::selector("transfer")
        );
        assert_eq!(parse_selector("0x2").unwrap(), Felt::TWO);
        assert!(parse_selector("bad name").is_err());
        assert!(parse_selector("").is_err());
    }

    #[test]
    fn addresses() {
        assert_eq!(parse_address("0x1").unwrap(), Felt::ONE);
        assert!(parse_address(
            "0x04718f5a0fc34cc1af16a1cdee98ffb20c31f5cd61d6ab07201858f4287c938d"
        )
        .is_ok());
        for bad in [
            "",
            "0x",
            "1234",
            "0x0",
            "0xzz",
            "0x800000000000000000000000000000000000000000000000000000000000000",
            "0x00000000000000000000000000000000000000000000000000000000000000001",
        ] {
            assert!(
                matches!(parse_address(bad), Err(SessionError::InvalidAddress(_))),
                "{bad}"
            );
        }
    }
}
