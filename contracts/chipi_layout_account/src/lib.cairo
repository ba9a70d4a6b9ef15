//! A test account with the on-chain interface of Chipi's deployed classes, written from the
//! interface facts alone (no code of theirs): a 4-felt `get_session_data`, the allowlist behind
//! its own views, no spending policies, the published direct-path session message, and an
//! outside-execution path that checks a session's existence and expiry but neither its
//! allowlist nor its call budget (and consumes no call). The wallet must work with such accounts
//! and must not promise limits they do not enforce. Not for real funds.
pub mod account;
