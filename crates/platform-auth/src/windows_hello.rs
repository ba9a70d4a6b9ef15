//! Windows Hello through WinRT's `UserConsentVerifier` (in front of the app's window when its
//! handle is given), and DPAPI for the key it guards. The only module of the workspace with
//! unsafe code: each block is one FFI call, with what makes it sound beside it.
#![allow(unsafe_code)]

use windows::core::{factory, HSTRING};
use windows::Security::Credentials::UI::{
    UserConsentVerificationResult, UserConsentVerifier, UserConsentVerifierAvailability,
};
use windows::Win32::Foundation::{LocalFree, HLOCAL, HWND};
use windows::Win32::Security::Cryptography::{
    CryptProtectData, CryptUnprotectData, CRYPTPROTECT_UI_FORBIDDEN, CRYPT_INTEGER_BLOB,
};
use windows::Win32::System::WinRT::IUserConsentVerifierInterop;
use windows_future::IAsyncOperation;

use crate::AuthError;

pub(crate) fn available() -> bool {
    UserConsentVerifier::CheckAvailabilityAsync()
        .and_then(|operation| operation.join())
        .map(|availability| availability == UserConsentVerifierAvailability::Available)
        .unwrap_or(false)
}

pub(crate) fn verify(reason: &str, window: Option<isize>) -> Result<(), AuthError> {
    let message = HSTRING::from(reason);
    let operation: windows::core::Result<IAsyncOperation<UserConsentVerificationResult>> =
        match window {
            // The interop call parents the prompt to the app's window, so it opens in front.
            Some(handle) => factory::<UserConsentVerifier, IUserConsentVerifierInterop>().and_then(
                // SAFETY: `handle` is the app's own top-level window, alive while the app runs;
                // the message outlives the call.
                |interop| unsafe {
                    interop.RequestVerificationForWindowAsync(
                        HWND(handle as *mut core::ffi::c_void),
                        &message,
                    )
                },
            ),
            None => UserConsentVerifier::RequestVerificationAsync(&message),
        };
    let answer = operation
        .and_then(|operation| operation.join())
        .map_err(|e| AuthError::Failed(e.message().to_string()))?;
    match answer {
        UserConsentVerificationResult::Verified => Ok(()),
        UserConsentVerificationResult::Canceled => Err(AuthError::Declined("cancelled".into())),
        UserConsentVerificationResult::RetriesExhausted => {
            Err(AuthError::Declined("too many attempts".into()))
        }
        UserConsentVerificationResult::DeviceNotPresent
        | UserConsentVerificationResult::NotConfiguredForUser
        | UserConsentVerificationResult::DisabledByPolicy => Err(AuthError::Unavailable(
            "Windows Hello is not set up on this device".into(),
        )),
        other => Err(AuthError::Failed(format!(
            "Windows Hello answered {}",
            other.0
        ))),
    }
}

/// Copies a blob DPAPI allocated, then frees it.
fn take_blob(blob: CRYPT_INTEGER_BLOB) -> Vec<u8> {
    let bytes = if blob.pbData.is_null() {
        Vec::new()
    } else {
        // SAFETY: DPAPI allocated `cbData` bytes at `pbData` for this blob.
        unsafe { std::slice::from_raw_parts(blob.pbData, blob.cbData as usize) }.to_vec()
    };
    if !blob.pbData.is_null() {
        // SAFETY: DPAPI's output (`cbData` bytes at `pbData`) is wiped, then freed with
        // LocalFree, once, after the copy above.
        unsafe {
            std::ptr::write_bytes(blob.pbData, 0, blob.cbData as usize);
            LocalFree(Some(HLOCAL(blob.pbData.cast())));
        }
    }
    bytes
}

/// One DPAPI call reading `data` (borrowed for the call, never written) into a blob DPAPI
/// allocates, whose bytes are taken and freed.
fn dpapi(
    data: &[u8],
    call: impl FnOnce(&CRYPT_INTEGER_BLOB, &mut CRYPT_INTEGER_BLOB) -> windows::core::Result<()>,
) -> Result<Vec<u8>, AuthError> {
    let input = CRYPT_INTEGER_BLOB {
        cbData: u32::try_from(data.len()).map_err(|_| AuthError::Failed("too long".into()))?,
        pbData: data.as_ptr().cast_mut(),
    };
    let mut output = CRYPT_INTEGER_BLOB::default();
    call(&input, &mut output).map_err(|e| AuthError::Failed(e.message().to_string()))?;
    Ok(take_blob(output))
}

pub(crate) fn protect(data: &[u8]) -> Result<Vec<u8>, AuthError> {
    dpapi(data, |input, output| {
        // SAFETY: `input` points at `data` for the call; DPAPI only reads it and allocates
        // `output`, which `dpapi` frees.
        unsafe {
            CryptProtectData(
                input,
                windows::core::w!("chipi session wallet"),
                None,
                None,
                None,
                CRYPTPROTECT_UI_FORBIDDEN,
                output,
            )
        }
    })
}

pub(crate) fn unprotect(data: &[u8]) -> Result<Vec<u8>, AuthError> {
    dpapi(data, |input, output| {
        // SAFETY: as in `protect`.
        unsafe {
            CryptUnprotectData(
                input,
                None,
                None,
                None,
                None,
                CRYPTPROTECT_UI_FORBIDDEN,
                output,
            )
        }
    })
}
