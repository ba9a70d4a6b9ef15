//! Asks the operating system to verify the user (Windows Hello: face, fingerprint or the device
//! PIN) before the wallet authorises something. On other platforms [`available`] is `false` and
//! [`verify`] answers [`AuthError::Unavailable`]; the app then relies on the wallet PIN alone
//! (macOS uses Touch ID through tauri-plugin-biometric instead).
//!
//! This crate has no Tauri dependency so that its Windows code can be type-checked from any
//! machine: `cargo check -p platform-auth --target x86_64-pc-windows-msvc` (scripts/test does).

#[cfg(windows)]
mod windows_hello;

/// Why verification did not succeed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    /// No verifier on this device (none configured, or not this platform).
    #[error("user verification is not available: {0}")]
    Unavailable(String),
    /// The user cancelled or failed the check.
    #[error("user verification did not succeed: {0}")]
    Declined(String),
    /// The platform call failed.
    #[error("user verification failed: {0}")]
    Failed(String),
}

/// Whether the OS can verify the user now.
pub fn available() -> bool {
    #[cfg(windows)]
    {
        windows_hello::available()
    }
    #[cfg(not(windows))]
    {
        false
    }
}

/// Shows the OS prompt with `reason` and waits for the answer. Blocks the calling thread.
pub fn verify(reason: &str) -> Result<(), AuthError> {
    #[cfg(windows)]
    {
        windows_hello::verify(reason)
    }
    #[cfg(not(windows))]
    {
        let _ = reason;
        Err(AuthError::Unavailable(
            "this platform has no Windows Hello".into(),
        ))
    }
}

#[cfg(all(test, not(windows)))]
mod tests {
    #[test]
    fn elsewhere_it_is_unavailable_and_never_verifies() {
        assert!(!super::available());
        assert!(matches!(
            super::verify("test"),
            Err(super::AuthError::Unavailable(_))
        ));
    }
}
