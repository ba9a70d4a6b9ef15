//! Locating the Cairo core library.
//!
//! The published `cairo-native` crate carries a `corelib/` folder. We never build that crate
//! (it needs LLVM): a throw-away manifest that depends on it lets `cargo metadata` download its
//! source into the cargo registry, and we read the corelib from there.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::error::BuildError;

/// The crate and version whose `corelib/` we compile against (core 2.16).
pub const CORELIB_CRATE: &str = "cairo-native";
/// Exact version of [`CORELIB_CRATE`].
pub const CORELIB_CRATE_VERSION: &str = "0.9.0-rc.4";
/// Environment variable that overrides the search with an explicit `corelib/src` path.
pub const CORELIB_ENV: &str = "CAIRO_CORELIB";

/// Returns the path of the core library's `src` folder.
///
/// `CAIRO_CORELIB` wins when set; otherwise a scratch manifest under `scratch_dir` is resolved
/// with `cargo metadata`.
pub fn locate(scratch_dir: &Path) -> Result<PathBuf, BuildError> {
    if let Some(path) = std::env::var_os(CORELIB_ENV) {
        let path = PathBuf::from(path);
        return check(path);
    }
    let manifest = write_scratch_manifest(scratch_dir)?;
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(&manifest)
        .output()
        .map_err(|e| BuildError::Corelib(format!("running cargo metadata: {e}")))?;
    if !output.status.success() {
        return Err(BuildError::Corelib(format!(
            "cargo metadata failed: {}",
            String::from_utf8_lossy(&output.stderr)
        )));
    }
    let meta: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let manifest_path = meta["packages"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == CORELIB_CRATE && p["version"] == CORELIB_CRATE_VERSION)
        .and_then(|p| p["manifest_path"].as_str())
        .ok_or_else(|| BuildError::Corelib(format!("{CORELIB_CRATE} not in cargo metadata")))?;
    let crate_dir = Path::new(manifest_path)
        .parent()
        .ok_or_else(|| BuildError::Corelib("manifest path has no parent".into()))?;
    check(crate_dir.join("corelib").join("src"))
}

fn check(path: PathBuf) -> Result<PathBuf, BuildError> {
    if path.join("lib.cairo").is_file() {
        Ok(path)
    } else {
        Err(BuildError::Corelib(format!(
            "{} has no lib.cairo",
            path.display()
        )))
    }
}

fn write_scratch_manifest(dir: &Path) -> Result<PathBuf, BuildError> {
    let src = dir.join("src");
    std::fs::create_dir_all(&src).map_err(|e| BuildError::io(&src, e))?;
    let lib = src.join("lib.rs");
    std::fs::write(&lib, "").map_err(|e| BuildError::io(&lib, e))?;
    let manifest = dir.join("Cargo.toml");
    let text = format!(
        "[package]\nname = \"corelib-locator\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n\
         [dependencies]\n{CORELIB_CRATE} = \"={CORELIB_CRATE_VERSION}\"\n\n[workspace]\n"
    );
    std::fs::write(&manifest, text).map_err(|e| BuildError::io(&manifest, e))?;
    Ok(manifest)
}
