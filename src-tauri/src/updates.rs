//! Updates: the app asks its release endpoint whether a newer version exists (at start, and from
//! About), shows its version and notes, and installs it only on the user's word. Every package
//! is checked against the release public key in `tauri.conf.json` (minisign) and against the
//! version it was signed for before anything is written; a package that fails either is refused
//! and nothing changes. The web view reaches none of the plugin's own commands: only these two.
//!
//! A test build (the test setting) checks only the endpoint its test names, with the test's key,
//! and installs into a stand-in file instead of its own executable (`CHIPI_TEST_UPDATE_URL`,
//! `CHIPI_TEST_UPDATE_PUBKEY`, `CHIPI_TEST_UPDATE_TARGET`); release builds refuse the test
//! setting, so they never read these.

use std::path::PathBuf;

use serde::Serialize;
use tauri_plugin_updater::{Update, Updater, UpdaterBuilder, UpdaterExt};
use wallet_service::AppError;

/// An update offered to the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct UpdateInfo {
    /// The version offered.
    pub version: String,
    /// The version running.
    pub current_version: String,
    /// The release notes, as published.
    pub notes: Option<String>,
}

/// What an installation did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, specta::Type)]
#[serde(rename_all = "camelCase")]
pub struct Installed {
    /// The version now installed (it runs after a restart).
    pub version: String,
}

/// A test build's endpoint and stand-in executable (its key is set on the plugin).
struct TestUpdates {
    endpoint: Option<url::Url>,
    target: Option<PathBuf>,
}

type MakeBuilder = Box<dyn Fn() -> UpdaterBuilder + Send + Sync>;

/// The update last offered, installed as offered (not checked again behind the user's back).
pub struct Updates {
    make: MakeBuilder,
    restart: Box<dyn Fn() + Send + Sync>,
    offered: tokio::sync::Mutex<Option<Update>>,
    test: Option<TestUpdates>,
}

impl std::fmt::Debug for Updates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Updates")
            .field("test", &self.test.is_some())
            .finish_non_exhaustive()
    }
}

/// The test build's release key (`CHIPI_TEST_UPDATE_PUBKEY`), for the plugin; `None` in a
/// release build or when the test names none.
pub fn test_pubkey(test: bool) -> Option<String> {
    test.then(|| std::env::var("CHIPI_TEST_UPDATE_PUBKEY").ok())
        .flatten()
        .filter(|k| !k.is_empty())
}

impl Updates {
    /// The app's updates. A test build checks only the endpoint its test names (none: no
    /// check at all) and installs into the test's stand-in.
    pub fn for_app<R: tauri::Runtime>(handle: &tauri::AppHandle<R>, test: bool) -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let test = test.then(|| TestUpdates {
            endpoint: var("CHIPI_TEST_UPDATE_URL").and_then(|u| u.parse().ok()),
            target: var("CHIPI_TEST_UPDATE_TARGET").map(PathBuf::from),
        });
        let (maker, restarter) = (handle.clone(), handle.clone());
        Self {
            make: Box::new(move || maker.updater_builder()),
            restart: Box::new(move || restarter.restart()),
            offered: tokio::sync::Mutex::new(None),
            test,
        }
    }

    /// Restarts the app, into the version installed.
    pub fn restart(&self) {
        (self.restart)();
    }

    /// The updater; `None` in a test build whose test names no endpoint.
    fn updater(&self) -> Result<Option<Updater>, AppError> {
        let mut builder = (self.make)();
        if let Some(test) = &self.test {
            let Some(endpoint) = &test.endpoint else {
                return Ok(None);
            };
            builder = builder.endpoints(vec![endpoint.clone()]).map_err(refused)?;
            if let Some(target) = &test.target {
                builder = builder.executable_path(target);
            }
        }
        builder
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .map(Some)
            .map_err(refused)
    }

    /// Asks the release endpoint for a newer version; the one offered, if any.
    pub async fn check(&self) -> Result<Option<UpdateInfo>, AppError> {
        let Some(updater) = self.updater()? else {
            return Ok(None);
        };
        let update = updater.check().await.map_err(refused)?;
        let info = update.as_ref().map(|u| UpdateInfo {
            version: u.version.clone(),
            current_version: u.current_version.clone(),
            notes: u.body.clone(),
        });
        tracing::info!(offered = ?info.as_ref().map(|i| &i.version), "update check");
        *self.offered.lock().await = update;
        Ok(info)
    }

    /// Downloads the update offered, checks its signature and signed version, and installs it.
    pub async fn install(&self) -> Result<Installed, AppError> {
        let offered = self.offered.lock().await;
        let Some(update) = offered.as_ref() else {
            return Err(AppError::Update {
                message: "no update is offered: check for updates first".into(),
            });
        };
        let package = update.download(|_, _| {}, || {}).await.map_err(refused)?;
        update.install(&package).map_err(refused)?;
        tracing::info!(version = %update.version, "update installed");
        Ok(Installed {
            version: update.version.clone(),
        })
    }
}

/// The updater's failure in the wallet's words: a package whose signature or signed version does
/// not match is said to be refused as such; a network failure is a network error.
fn refused(error: tauri_plugin_updater::Error) -> AppError {
    use tauri_plugin_updater::Error as E;
    tracing::warn!(error = %error, "update");
    match error {
        E::Minisign(_) | E::Base64(_) | E::SignatureUtf8(_) => AppError::Update {
            message: "the update's signature does not match this app's release key: it was \
                      not installed"
                .into(),
        },
        E::SignedVersionMismatch { signed, announced } => AppError::Update {
            message: format!(
                "the update was signed for version {signed}, not the {announced} offered: it \
                 was not installed"
            ),
        },
        E::MissingSignedVersion => AppError::Update {
            message: "the update's signature does not name its version: it was not installed"
                .into(),
        },
        E::Reqwest(_) | E::Network(_) | E::ReleaseNotFound => AppError::Network {
            message: format!("the update server could not be read: {error}"),
        },
        other => AppError::Update {
            message: other.to_string(),
        },
    }
}
