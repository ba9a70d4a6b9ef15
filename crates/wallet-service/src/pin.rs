//! The PIN as it arrives from a front end: zeroized when dropped, never printed.

use serde::Deserialize;
use zeroize::Zeroizing;

/// A PIN (or another secret the user types, such as an owner key being imported). `Debug` shows
/// nothing of it; the memory is wiped on drop.
#[derive(Clone, specta::Type)]
pub struct Pin(#[specta(type = String)] Zeroizing<String>);

impl<'de> Deserialize<'de> for Pin {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

impl Pin {
    /// Wraps a PIN read by a host (stdin, a test).
    pub fn new(pin: impl Into<String>) -> Self {
        Self(Zeroizing::new(pin.into()))
    }

    /// The PIN, for the one call that opens or seals a secret with it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl From<&str> for Pin {
    fn from(pin: &str) -> Self {
        Self::new(pin)
    }
}

impl std::fmt::Debug for Pin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Pin(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::Pin;

    #[test]
    fn a_pin_is_never_printed() {
        let pin: Pin = serde_json::from_str("\"481516\"").unwrap();
        assert_eq!(pin.expose(), "481516");
        assert_eq!(format!("{pin:?}"), "Pin(***)");
    }
}
