//! Windows Hello through WinRT's `UserConsentVerifier`.

use windows::core::HSTRING;
use windows::Security::Credentials::UI::{
    UserConsentVerificationResult, UserConsentVerifier, UserConsentVerifierAvailability,
};

use crate::AuthError;

pub(crate) fn available() -> bool {
    UserConsentVerifier::CheckAvailabilityAsync()
        .and_then(|operation| operation.join())
        .map(|availability| availability == UserConsentVerifierAvailability::Available)
        .unwrap_or(false)
}

pub(crate) fn verify(reason: &str) -> Result<(), AuthError> {
    let answer = UserConsentVerifier::RequestVerificationAsync(&HSTRING::from(reason))
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
