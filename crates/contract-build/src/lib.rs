//! The project's Cairo contracts: their committed artifacts ([`artifacts`], read by the tests and
//! the sandbox), declaring them ([`declare`]), and, with the `compiler` feature, compiling them
//! from source with the `cairo-lang-*` crates.
//!
//! crates.io's compiler crates ship no Cairo core library, so `corelib::locate` finds the one
//! shipped inside the published `cairo-native` crate (see docs/architecture.md for why that one).
//! `compiler::compile` turns a Cairo project into a Sierra contract class and its CASM.

pub mod artifacts;
#[cfg(feature = "compiler")]
pub mod compiler;
#[cfg(feature = "compiler")]
pub mod corelib;
pub mod declare;
pub mod error;

pub use artifacts::{sierra_class_hash, Artifacts, ClassHashes};
#[cfg(feature = "compiler")]
pub use compiler::{compile, CompiledContract};
pub use error::BuildError;

use std::path::PathBuf;

/// The workspace root (two levels above this crate's manifest).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root exists")
}

/// The Cairo project of the session account.
pub fn session_account_project() -> PathBuf {
    workspace_root().join("contracts/session_account")
}

/// Where the committed artifacts of the session account live.
pub fn session_account_artifacts() -> PathBuf {
    workspace_root().join("contracts/artifacts")
}

/// Full path of the contract module inside its crate.
pub const SESSION_ACCOUNT_CONTRACT: &str = "session_account::account::SessionAccount";

/// File stem of the session account's artifacts.
pub const SESSION_ACCOUNT_NAME: &str = "session_account";

/// The Cairo project of the test account with the deployed CHIPI classes' interface.
pub fn chipi_layout_account_project() -> PathBuf {
    workspace_root().join("contracts/chipi_layout_account")
}

/// Full path of the CHIPI-layout test account's module.
pub const CHIPI_LAYOUT_ACCOUNT_CONTRACT: &str = "chipi_layout_account::account::ChipiLayoutAccount";

/// File stem of the CHIPI-layout test account's artifacts (beside the session account's).
pub const CHIPI_LAYOUT_ACCOUNT_NAME: &str = "chipi_layout_account";

/// Full path of the v33-like test account's module (the same Cairo project).
pub const CHIPI_V33_LAYOUT_ACCOUNT_CONTRACT: &str =
    "chipi_layout_account::v33::ChipiV33LayoutAccount";

/// File stem of the v33-like test account's artifacts.
pub const CHIPI_V33_LAYOUT_ACCOUNT_NAME: &str = "chipi_v33_layout_account";

/// One contract this workspace compiles: its project, its module and its artifacts' stem.
#[derive(Debug, Clone)]
pub struct Contract {
    /// The Cairo project directory.
    pub project: PathBuf,
    /// Full path of the contract module inside its crate.
    pub module: &'static str,
    /// File stem of its artifacts in [`session_account_artifacts`].
    pub name: &'static str,
}

impl Contract {
    /// Its committed artifacts.
    pub fn artifacts(&self) -> Artifacts {
        Artifacts::new(&session_account_artifacts(), self.name)
    }
}

/// Every contract: the session account, then the CHIPI-layout test accounts (v29-like, v33-like).
pub fn contracts() -> [Contract; 3] {
    [
        Contract {
            project: session_account_project(),
            module: SESSION_ACCOUNT_CONTRACT,
            name: SESSION_ACCOUNT_NAME,
        },
        Contract {
            project: chipi_layout_account_project(),
            module: CHIPI_LAYOUT_ACCOUNT_CONTRACT,
            name: CHIPI_LAYOUT_ACCOUNT_NAME,
        },
        Contract {
            project: chipi_layout_account_project(),
            module: CHIPI_V33_LAYOUT_ACCOUNT_CONTRACT,
            name: CHIPI_V33_LAYOUT_ACCOUNT_NAME,
        },
    ]
}
