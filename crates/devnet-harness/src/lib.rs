//! Test support: a real `starknet-devnet` on a free loopback port, and our session account
//! declared and deployed on it.
//!
//! Each [`Devnet`] is its own node process, killed when the value is dropped (also when a test
//! panics). Tests need nothing running beforehand; the `starknet-devnet` binary must be on `PATH`
//! (the setup script installs it) or named by `STARKNET_DEVNET`.

pub mod devnet;
pub mod error;
pub mod receipt;
pub mod session_account;
pub mod token;

pub use devnet::{
    dies_with_parent, spawn_with_first_line, Devnet, OwnerAccount, PredeployedAccount, STRK,
};
pub use error::HarnessError;
pub use receipt::{wait_for_receipt, Outcome};
pub use session_account::DeployedSessionAccount;
pub use token::UDC;
