//! The wallet's rules on secrets, defined once: the core, the service, the CLI and (through the
//! generated bindings, `ui/src/bindings.ts`) the UI all read them from here.

/// The shortest PIN a wallet already made may have (the SDK's PINs can be four digits).
pub const PIN_MIN_CHARS: usize = 4;
/// The longest PIN.
pub const PIN_MAX_CHARS: usize = 64;
/// The shortest PIN a wallet created, imported or restored here gets.
pub const NEW_PIN_MIN_CHARS: usize = 6;
/// The shortest passphrase of a backup file or a session export (the SDK's export format derives
/// its key with one round of MD5, so the passphrase carries the strength).
pub const PASSPHRASE_MIN_CHARS: usize = 12;
