//! Cairo project → Sierra contract class → CASM, with both class hashes.

use std::path::Path;

use cairo_lang_compiler::db::RootDatabase;
use cairo_lang_compiler::project::setup_project;
use cairo_lang_compiler::CompilerConfig;
use cairo_lang_filesystem::db::init_dev_corelib;
use cairo_lang_filesystem::ids::CrateInput;
use cairo_lang_lowering::optimizations::config::Optimizations;
use cairo_lang_lowering::utils::InliningStrategy;
use cairo_lang_starknet::compile::compile_contract_in_prepared_db;
use cairo_lang_starknet::starknet_plugin_suite;
use cairo_lang_starknet_classes::casm_contract_class::CasmContractClass;
use starknet_core::types::Felt;

use crate::artifacts::sierra_class_hash;
use crate::error::BuildError;

/// A compiled contract: both artifacts as JSON text, and their hashes.
#[derive(Debug, Clone)]
pub struct CompiledContract {
    /// The Sierra contract class (the format `starknet-compile` writes).
    pub sierra_json: String,
    /// The CASM compiled class.
    pub casm_json: String,
    /// The class hash of the Sierra class.
    pub class_hash: Felt,
    /// The compiled class hash the network expects with `DECLARE` (Blake2s, Starknet ≥ 0.14.1).
    pub compiled_class_hash: Felt,
    /// The older Poseidon compiled class hash, for reference.
    pub legacy_compiled_class_hash: Felt,
    /// The Sierra version encoded in the program, e.g. `1.8.0`.
    pub sierra_version: String,
}

/// Compiles `contract_path` (e.g. `session_account::account::SessionAccount`) from the Cairo
/// project at `project_dir` (a folder with `cairo_project.toml`) against `corelib_src`.
pub fn compile(
    project_dir: &Path,
    contract_path: &str,
    corelib_src: &Path,
) -> Result<CompiledContract, BuildError> {
    let compile_err = |e: anyhow::Error| BuildError::Compile(format!("{e:#}"));
    let mut db = RootDatabase::builder()
        .with_optimizations(Optimizations::enabled_with_default_movable_functions(
            InliningStrategy::Default,
        ))
        .with_default_plugin_suite(starknet_plugin_suite())
        .build()
        .map_err(compile_err)?;
    init_dev_corelib(&mut db, corelib_src.to_path_buf());
    let inputs =
        setup_project(&mut db, project_dir).map_err(|e| BuildError::Compile(e.to_string()))?;
    let config = CompilerConfig {
        replace_ids: true,
        diagnostics_reporter: Default::default(),
        ..CompilerConfig::default()
    };
    let config = CompilerConfig {
        diagnostics_reporter: config.diagnostics_reporter.with_crates(&inputs),
        ..config
    };
    let crate_ids = CrateInput::into_crate_ids(&db, inputs);
    let class = compile_contract_in_prepared_db(&db, Some(contract_path), crate_ids, config)
        .map_err(compile_err)?;

    let extracted = class
        .extract_sierra_program(false)
        .map_err(|e| BuildError::Casm(e.to_string()))?;
    let sierra_version = extracted.sierra_version.to_string();
    let casm = CasmContractClass::from_contract_class(class.clone(), extracted, false, usize::MAX)
        .map_err(|e| BuildError::Casm(e.to_string()))?;

    let sierra_json = serde_json::to_string_pretty(&class)?;
    let casm_json = serde_json::to_string_pretty(&casm)?;
    let class_hash = sierra_class_hash(&sierra_json)?;
    Ok(CompiledContract {
        sierra_json,
        casm_json,
        class_hash,
        compiled_class_hash: Felt::from_bytes_be(&casm.compiled_class_hash().to_bytes_be()),
        legacy_compiled_class_hash: Felt::from_bytes_be(
            &casm.legacy_compiled_class_hash().to_bytes_be(),
        ),
        sierra_version,
    })
}
