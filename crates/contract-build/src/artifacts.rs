//! The committed artifacts: Sierra class, CASM and a small JSON file with their hashes.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use starknet_core::types::Felt;

#[cfg(feature = "compiler")]
use crate::compiler::CompiledContract;
use crate::error::BuildError;
use starknet_core::types::contract::SierraClass;

/// The hashes and versions recorded beside the artifacts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassHashes {
    /// Sierra class hash.
    pub class_hash: Felt,
    /// Blake2s compiled class hash (what `DECLARE` carries on Starknet ≥ 0.14.1 and devnet 0.10).
    pub compiled_class_hash: Felt,
    /// Poseidon compiled class hash (older networks).
    pub legacy_compiled_class_hash: Felt,
    /// Sierra version of the program.
    pub sierra_version: String,
    /// The compiler that produced it.
    pub compiler: String,
}

/// Paths of one contract's committed artifacts.
#[derive(Debug, Clone)]
pub struct Artifacts {
    /// `<name>.contract_class.json`
    pub sierra: PathBuf,
    /// `<name>.compiled_contract_class.json`
    pub casm: PathBuf,
    /// `<name>.hashes.json`
    pub hashes: PathBuf,
}

/// Version string recorded in [`ClassHashes::compiler`].
pub const COMPILER: &str = "cairo-lang 2.17.0 with the corelib of cairo-native 0.9.0-rc.4";

impl Artifacts {
    /// The artifact paths of contract `name` in `dir`.
    pub fn new(dir: &Path, name: &str) -> Self {
        Self {
            sierra: dir.join(format!("{name}.contract_class.json")),
            casm: dir.join(format!("{name}.compiled_contract_class.json")),
            hashes: dir.join(format!("{name}.hashes.json")),
        }
    }

    /// Writes a freshly compiled contract.
    #[cfg(feature = "compiler")]
    pub fn write(&self, compiled: &CompiledContract) -> Result<ClassHashes, BuildError> {
        let hashes = ClassHashes {
            class_hash: compiled.class_hash,
            compiled_class_hash: compiled.compiled_class_hash,
            legacy_compiled_class_hash: compiled.legacy_compiled_class_hash,
            sierra_version: compiled.sierra_version.clone(),
            compiler: COMPILER.to_owned(),
        };
        if let Some(dir) = self.sierra.parent() {
            std::fs::create_dir_all(dir).map_err(|e| BuildError::io(dir, e))?;
        }
        write(&self.sierra, &compiled.sierra_json)?;
        write(&self.casm, &compiled.casm_json)?;
        write(&self.hashes, &serde_json::to_string_pretty(&hashes)?)?;
        Ok(hashes)
    }

    /// Reads the committed Sierra class JSON.
    pub fn read_sierra(&self) -> Result<String, BuildError> {
        read(&self.sierra)
    }

    /// Reads the committed CASM JSON.
    pub fn read_casm(&self) -> Result<String, BuildError> {
        read(&self.casm)
    }

    /// Reads the committed hashes.
    pub fn read_hashes(&self) -> Result<ClassHashes, BuildError> {
        Ok(serde_json::from_str(&read(&self.hashes)?)?)
    }
}

#[cfg(feature = "compiler")]
fn write(path: &Path, text: &str) -> Result<(), BuildError> {
    std::fs::write(path, format!("{text}\n")).map_err(|e| BuildError::io(path, e))
}

fn read(path: &Path) -> Result<String, BuildError> {
    let text = std::fs::read_to_string(path).map_err(|e| BuildError::io(path, e))?;
    Ok(text.trim_end().to_owned())
}

/// The class hash of a Sierra contract class given as JSON, as the network computes it.
pub fn sierra_class_hash(sierra_json: &str) -> Result<Felt, BuildError> {
    let class: SierraClass = serde_json::from_str(sierra_json)?;
    let flat = class
        .flatten()
        .map_err(|e| BuildError::ClassHash(e.to_string()))?;
    Ok(flat.class_hash())
}
