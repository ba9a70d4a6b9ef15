//! Two test accounts with the on-chain interface of Chipi's deployed classes, written from the
//! interface facts alone (no code of theirs). `account`: the v29-like layout — a 4-felt
//! `get_session_data`, the allowlist behind its own views, no spending policies, the
//! published direct-path session message, an outside-execution path that checks a session's
//! existence and expiry only, and `upgrade`. `v33`: the v33-like class — the same storage,
//! spending policies on both paths (a token without one unbounded), a non-atomic
//! `__execute__`, `register_interfaces` after an upgrade, and session signatures accepted by
//! `is_valid_signature`. The wallet must work with such accounts and must not promise limits
//! they do not enforce. Not for real funds.
pub mod account;
pub mod common;
pub mod v33;
