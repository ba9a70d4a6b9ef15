//! Touch ID through the Keychain: an item whose access control asks for biometry of the
//! currently enrolled fingers (`BIOMETRY_CURRENT_SET`) in the data protection keychain. Reading
//! it shows the system's Touch ID prompt; adding or removing a finger makes the system drop the
//! item, which then reads as missing.

use security_framework::access_control::{ProtectionMode, SecAccessControl};
use security_framework::base::Error;
use security_framework::passwords::{
    delete_generic_password_options, generic_password, set_generic_password_options,
    AccessControlOptions, PasswordOptions,
};

use crate::AuthError;

const ITEM_NOT_FOUND: i32 = -25300;
const USER_CANCELED: i32 = -128;
const AUTH_FAILED: i32 = -25293;
const MISSING_ENTITLEMENT: i32 = -34018;
const INTERACTION_NOT_ALLOWED: i32 = -25308;

fn options(service: &str, account: &str) -> PasswordOptions {
    let mut options = PasswordOptions::new_generic_password(service, account);
    options.use_protected_keychain();
    options
}

fn failure(error: Error) -> AuthError {
    match error.code() {
        ITEM_NOT_FOUND => AuthError::Gone,
        USER_CANCELED | AUTH_FAILED => AuthError::Declined("Touch ID was not confirmed".into()),
        MISSING_ENTITLEMENT => AuthError::Unavailable(
            "Touch ID unlock needs a signed build with the keychain entitlement".into(),
        ),
        INTERACTION_NOT_ALLOWED => AuthError::Unavailable("Touch ID cannot be asked now".into()),
        code => AuthError::Failed(format!("the keychain answered {code}")),
    }
}

pub(crate) fn store(service: &str, account: &str, secret: &[u8]) -> Result<(), AuthError> {
    // Replaced, never updated: an update would keep the old item's access control.
    delete(service, account)?;
    let mut options = options(service, account);
    // Readable only on this device, only while it has a passcode, only after Touch ID with the
    // fingers enrolled now.
    let access = SecAccessControl::create_with_protection(
        Some(ProtectionMode::AccessibleWhenPasscodeSetThisDeviceOnly),
        AccessControlOptions::BIOMETRY_CURRENT_SET.bits(),
    )
    .map_err(failure)?;
    options.set_access_control(access);
    options.set_label("Chipi Session Wallet biometric unlock");
    set_generic_password_options(secret, options).map_err(failure)
}

pub(crate) fn read(service: &str, account: &str) -> Result<Vec<u8>, AuthError> {
    generic_password(options(service, account)).map_err(failure)
}

pub(crate) fn delete(service: &str, account: &str) -> Result<(), AuthError> {
    match delete_generic_password_options(options(service, account)) {
        Ok(()) => Ok(()),
        Err(e) if e.code() == ITEM_NOT_FOUND => Ok(()),
        Err(e) => Err(failure(e)),
    }
}
