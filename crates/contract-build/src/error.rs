use std::path::PathBuf;

/// Everything that can go wrong while compiling or reading contract artifacts.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The core library could not be located (cargo metadata failed or the crate lacks it).
    #[error("cannot locate the Cairo core library: {0}")]
    Corelib(String),
    /// The Cairo compiler rejected the project (diagnostics are in the message).
    #[error("Cairo compilation failed: {0}")]
    Compile(String),
    /// Sierra to CASM lowering failed.
    #[error("Sierra to CASM compilation failed: {0}")]
    Casm(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A JSON artifact could not be (de)serialised.
    #[error("JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Computing the Sierra class hash failed.
    #[error("class hash: {0}")]
    ClassHash(String),
    /// Declaring a class on a network failed (the node's answer is in the message).
    #[error("declare: {0}")]
    Declare(String),
}

impl BuildError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}
