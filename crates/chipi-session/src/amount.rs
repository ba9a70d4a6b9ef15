//! Token amounts: decimal strings in whole units to base units and back, checked before anything
//! is sent.

use crate::error::SessionError;

/// Parses a decimal amount (`"12.5"`) into base units of a token with `decimals` decimals.
/// Refuses empty input, signs, exponents, separators, more decimals than the token has, zero,
/// and amounts that do not fit in 128 bits.
pub fn parse_amount(text: &str, decimals: u8) -> Result<u128, SessionError> {
    let bad = |why: &str| SessionError::InvalidAmount(format!("{text:?}: {why}"));
    let text_trimmed = text.trim();
    if text_trimmed.is_empty() {
        return Err(bad("empty"));
    }
    let (whole, fraction) = match text_trimmed.split_once('.') {
        Some((w, f)) => (w, f),
        None => (text_trimmed, ""),
    };
    if whole.is_empty() && fraction.is_empty() {
        return Err(bad("no digits"));
    }
    if !whole.bytes().all(|b| b.is_ascii_digit()) || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("only digits and one decimal point"));
    }
    if fraction.len() > usize::from(decimals) {
        return Err(bad(&format!("at most {decimals} decimals for this token")));
    }
    let overflow = || bad("too large");
    let mut units: u128 = 0;
    for digit in whole.bytes().chain(fraction.bytes()) {
        units = units
            .checked_mul(10)
            .and_then(|u| u.checked_add(u128::from(digit - b'0')))
            .ok_or_else(overflow)?;
    }
    let missing = u32::from(decimals) - u32::try_from(fraction.len()).map_err(|_| overflow())?;
    units = units
        .checked_mul(10u128.checked_pow(missing).ok_or_else(overflow)?)
        .ok_or_else(overflow)?;
    if units == 0 {
        return Err(bad("must be more than zero"));
    }
    Ok(units)
}

/// Formats base units as a decimal amount, without trailing zeros. Any number of decimals a
/// token may report (up to 255: past 38, no 128-bit amount reaches one whole unit).
pub fn format_amount(units: u128, decimals: u8) -> String {
    let decimals = usize::from(decimals);
    // The digits, padded so that at least one is left of the point.
    let digits = format!("{units:0width$}", width = decimals + 1);
    let (whole, fraction) = digits.split_at(digits.len() - decimals);
    let fraction = fraction.trim_end_matches('0');
    if fraction.is_empty() {
        whole.to_owned()
    } else {
        format!("{whole}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_number_of_decimals_formats_and_reads_back() {
        assert_eq!(format_amount(12_500_000, 6), "12.5");
        assert_eq!(format_amount(7, 0), "7");
        assert_eq!(format_amount(0, 18), "0");
        assert_eq!(format_amount(1, 18), "0.000000000000000001");
        assert_eq!(
            format_amount(u128::MAX, 38),
            "3.40282366920938463463374607431768211455"
        );
        assert_eq!(
            format_amount(5, 40),
            "0.0000000000000000000000000000000000000005"
        );
        for decimals in [0u8, 6, 18, 38, 39, 77, 255] {
            for units in [1u128, 10, 123_456_789, u128::MAX] {
                let text = format_amount(units, decimals);
                assert_eq!(parse_amount(&text, decimals).unwrap(), units, "{text}");
            }
        }
    }

    #[test]
    fn amounts_in_base_units() {
        assert_eq!(parse_amount("1", 6).unwrap(), 1_000_000);
        assert_eq!(parse_amount("12.5", 6).unwrap(), 12_500_000);
        assert_eq!(parse_amount("0.000001", 6).unwrap(), 1);
        assert_eq!(parse_amount(".5", 18).unwrap(), 500_000_000_000_000_000);
        assert_eq!(parse_amount("3.", 2).unwrap(), 300);
        assert_eq!(parse_amount(" 7 ", 0).unwrap(), 7);
    }

    #[test]
    fn bad_amounts_are_refused_with_a_reason() {
        for (text, why) in [
            ("", "empty"),
            (".", "no digits"),
            ("1.0000001", "at most 6 decimals"),
            ("-1", "only digits"),
            ("1e6", "only digits"),
            ("1,5", "only digits"),
            ("1.2.3", "only digits"),
            ("0", "more than zero"),
            ("0.000", "more than zero"),
            ("340282366920938463463374607431768211456", "too large"),
            ("340282366920938463463374607431768.211456", "too large"),
        ] {
            match parse_amount(text, 6) {
                Err(SessionError::InvalidAmount(message)) => {
                    assert!(message.contains(why), "{text}: {message}")
                }
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[test]
    fn formats_back() {
        assert_eq!(format_amount(12_500_000, 6), "12.5");
        assert_eq!(format_amount(1, 6), "0.000001");
        assert_eq!(format_amount(2_000_000, 6), "2");
        assert_eq!(format_amount(5, 0), "5");
    }
}
