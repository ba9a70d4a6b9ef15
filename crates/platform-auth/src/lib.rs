//! The operating system's own user verification and the keys it guards, without Tauri:
//! Windows Hello (`UserConsentVerifier`, with DPAPI for the guarded key) and, on macOS, Keychain
//! items that only Touch ID opens. Elsewhere [`available`] is `false` and every call answers
//! [`AuthError::Unavailable`]; the app then relies on the wallet PIN alone.
//!
//! This crate has no Tauri dependency, so its platform code is type-checked from any machine:
//! `scripts/test` runs clippy on it for `x86_64-pc-windows-msvc` and `aarch64-apple-darwin`.

#[cfg(target_os = "macos")]
mod macos_keychain;
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
    /// The guarded item is not there (never stored, or dropped by the OS after the enrolled
    /// fingerprints changed).
    #[error("the item is gone")]
    Gone,
    /// The platform call failed.
    #[error("user verification failed: {0}")]
    Failed(String),
}

fn elsewhere() -> AuthError {
    AuthError::Unavailable("not on this platform".into())
}

/// Whether Windows Hello can verify the user now.
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

/// Shows the Windows Hello prompt with `reason`, over the window with handle `window` (an
/// `HWND`) when given, and waits for the answer. Blocks the calling thread.
pub fn verify(reason: &str, window: Option<isize>) -> Result<(), AuthError> {
    #[cfg(windows)]
    {
        windows_hello::verify(reason, window)
    }
    #[cfg(not(windows))]
    {
        let _ = (reason, window);
        Err(elsewhere())
    }
}

/// Encrypts `data` for the current Windows user (DPAPI).
pub fn protect_for_user(data: &[u8]) -> Result<Vec<u8>, AuthError> {
    #[cfg(windows)]
    {
        windows_hello::protect(data)
    }
    #[cfg(not(windows))]
    {
        let _ = data;
        Err(elsewhere())
    }
}

/// Decrypts what [`protect_for_user`] made, for the same Windows user.
pub fn unprotect_for_user(data: &[u8]) -> Result<Vec<u8>, AuthError> {
    #[cfg(windows)]
    {
        windows_hello::unprotect(data)
    }
    #[cfg(not(windows))]
    {
        let _ = data;
        Err(elsewhere())
    }
}

/// Keeps `secret` in the macOS Keychain under `service`/`account`, readable only after Touch ID
/// with the fingers enrolled now.
pub fn touch_id_store(service: &str, account: &str, secret: &[u8]) -> Result<(), AuthError> {
    #[cfg(target_os = "macos")]
    {
        macos_keychain::store(service, account, secret)
    }
    #[cfg(not(target_os = "macos"))]
    {
        let _ = (service, account, secret);
        Err(elsewhere())
    }
}

/// Reads what [`touch_id_store`] kept; the system shows the Touch ID prompt. Blocks.
pub fn touch_id_read(service: &str, account: &str) -> Result<Vec<u8>, AuthError> {
    #[cfg(target_os = "macos")]
    {
        macos_keychain::read(service, account)
    }
    #[cfg(not(target_os = "macos"))]
    {
        let _ = (service, account);
        Err(elsewhere())
    }
}

/// Deletes what [`touch_id_store`] kept (nothing to do when absent).
pub fn touch_id_delete(service: &str, account: &str) -> Result<(), AuthError> {
    #[cfg(target_os = "macos")]
    {
        macos_keychain::delete(service, account)
    }
    #[cfg(not(target_os = "macos"))]
    {
        let _ = (service, account);
        Ok(())
    }
}

#[cfg(all(test, not(windows), not(target_os = "macos")))]
mod tests {
    use super::*;

    #[test]
    fn elsewhere_it_is_unavailable_and_never_verifies() {
        assert!(!available());
        assert!(matches!(
            verify("test", None),
            Err(AuthError::Unavailable(_))
        ));
        assert!(matches!(
            protect_for_user(b"k"),
            Err(AuthError::Unavailable(_))
        ));
        assert!(matches!(
            touch_id_read("s", "a"),
            Err(AuthError::Unavailable(_))
        ));
        assert!(touch_id_delete("s", "a").is_ok());
    }
}
