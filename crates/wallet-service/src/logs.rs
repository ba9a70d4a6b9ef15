//! The wallet's log: the `tracing` events of the core, the service and the host, written to a
//! file in a folder the host names (the platform's log folder in the app). The file is bounded:
//! past [`MAX_LOG_BYTES`] it becomes `<name>.1` (one older file kept) and a new one starts, so
//! the log never holds more than twice that. Only this project's crates log above `warn`: a
//! library's trace output (HTTP/2 frames, headers) could carry an API key. Secrets never reach an
//! event: the core's secret types print redacted, and no event carries a PIN, a passphrase, a
//! key, an API key or a bearer token (a test runs the whole IPC flow at `trace` and looks).

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{fmt, reload, Registry};

/// The log file's name in the log folder.
pub const LOG_FILE: &str = "chipi-wallet.log";

/// Past this size the log file is moved aside and a new one started.
pub const MAX_LOG_BYTES: u64 = 2 * 1024 * 1024;

/// The crates whose events are written at the chosen level (every other one at `warn`).
const OUR_CRATES: [&str; 4] = [
    "chipi_session",
    "wallet_service",
    "chipi_wallet_app",
    "chipi_wallet",
];

/// How much is logged, set in Settings.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    specta::Type,
)]
#[serde(rename_all = "camelCase")]
pub enum LogLevel {
    /// Failures only.
    Error,
    /// Failures and refusals.
    Warn,
    /// Every action and its outcome (the default).
    #[default]
    Info,
    /// And every request to a node, a paymaster or the Chipi API.
    Debug,
    /// Everything, for a maintainer.
    Trace,
}

impl LogLevel {
    fn filter(self) -> LevelFilter {
        match self {
            Self::Error => LevelFilter::ERROR,
            Self::Warn => LevelFilter::WARN,
            Self::Info => LevelFilter::INFO,
            Self::Debug => LevelFilter::DEBUG,
            Self::Trace => LevelFilter::TRACE,
        }
    }

    fn targets(self) -> Targets {
        OUR_CRATES
            .iter()
            .fold(Targets::new().with_default(LevelFilter::WARN), |t, c| {
                t.with_target(*c, self.filter())
            })
    }
}

/// The log file, moved aside when it grows past [`MAX_LOG_BYTES`].
#[derive(Debug)]
struct BoundedFile {
    path: PathBuf,
    open: Mutex<Option<(File, u64)>>,
}

impl BoundedFile {
    fn open(path: &Path) -> std::io::Result<(File, u64)> {
        let file = OpenOptions::new().create(true).append(true).open(path)?;
        let size = file.metadata()?.len();
        Ok((file, size))
    }

    fn write_line(&self, line: &[u8]) -> std::io::Result<()> {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if open
            .as_ref()
            .is_some_and(|(_, size)| *size >= MAX_LOG_BYTES)
        {
            *open = None;
            std::fs::rename(&self.path, self.path.with_extension("log.1"))?;
        }
        if open.is_none() {
            *open = Some(Self::open(&self.path)?);
        }
        let (file, size) = open.as_mut().expect("opened above");
        file.write_all(line)?;
        *size += line.len() as u64;
        Ok(())
    }
}

/// One event's text, written to the file whole when the formatter is done with it.
struct Line {
    file: Arc<BoundedFile>,
    text: Vec<u8>,
}

impl Write for Line {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.text.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Line {
    fn drop(&mut self) {
        // A log that cannot be written loses the line, never the action.
        let _ = self.file.write_line(&self.text);
    }
}

#[derive(Clone)]
struct Writer(Arc<BoundedFile>);

impl<'a> fmt::MakeWriter<'a> for Writer {
    type Writer = Line;

    fn make_writer(&'a self) -> Self::Writer {
        Line {
            file: self.0.clone(),
            text: Vec::with_capacity(256),
        }
    }
}

/// The process's log: where it is written, and its level.
pub struct Logs {
    dir: PathBuf,
    level: reload::Handle<Targets, Registry>,
}

impl std::fmt::Debug for Logs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logs").field("dir", &self.dir).finish()
    }
}

static LOGS: OnceLock<Logs> = OnceLock::new();

impl Logs {
    /// Starts writing this process's log to [`LOG_FILE`] in `dir` at `level`. Once per process:
    /// a later call (a second app in one test process) gets the first one's log.
    pub fn start(dir: &Path, level: LogLevel) -> std::io::Result<&'static Logs> {
        if let Some(logs) = LOGS.get() {
            return Ok(logs);
        }
        std::fs::create_dir_all(dir)?;
        let file = Arc::new(BoundedFile {
            path: dir.join(LOG_FILE),
            open: Mutex::new(None),
        });
        let (filter, level) = reload::Layer::new(level.targets());
        let subscriber = Registry::default()
            .with(filter)
            .with(fmt::layer().with_ansi(false).with_writer(Writer(file)));
        if tracing::subscriber::set_global_default(subscriber).is_err() {
            return Err(std::io::Error::other("another log is already installed"));
        }
        Ok(LOGS.get_or_init(|| Logs {
            dir: dir.to_owned(),
            level,
        }))
    }

    /// The log of this process, when one was started.
    pub fn get() -> Option<&'static Logs> {
        LOGS.get()
    }

    /// Logs from now on at `level`.
    pub fn set_level(&self, level: LogLevel) {
        let _ = self.level.reload(level.targets());
    }

    /// The folder the log is written in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The last `lines` lines of the log that are warnings or errors (for diagnostics).
    pub fn last_problems(&self, lines: usize) -> Vec<String> {
        let text = std::fs::read_to_string(self.dir.join(LOG_FILE)).unwrap_or_default();
        let mut problems: Vec<String> = text
            .lines()
            .filter(|l| l.contains(" WARN ") || l.contains(" ERROR "))
            .map(str::to_owned)
            .collect();
        let keep = problems.len().saturating_sub(lines);
        problems.drain(..keep);
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_is_moved_aside_past_its_bound_and_one_older_file_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        let file = BoundedFile {
            path: dir.path().join(LOG_FILE),
            open: Mutex::new(None),
        };
        let line = vec![b'x'; 1000];
        let lines = (3 * MAX_LOG_BYTES / 1000) as usize;
        for _ in 0..lines {
            file.write_line(&line).unwrap();
        }
        let size = |name: &str| std::fs::metadata(dir.path().join(name)).unwrap().len();
        assert!(size(LOG_FILE) <= MAX_LOG_BYTES + 1000, "{}", size(LOG_FILE));
        assert!(size("chipi-wallet.log.1") >= MAX_LOG_BYTES);
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            2,
            "one older file"
        );
    }

    #[test]
    fn only_this_projects_crates_log_below_warn() {
        let targets = LogLevel::Trace.targets();
        let at = |target: &str, level: tracing::Level| targets.would_enable(target, &level);
        assert!(at("chipi_session::chain", tracing::Level::TRACE));
        assert!(at("wallet_service", tracing::Level::DEBUG));
        assert!(!at("h2::codec", tracing::Level::DEBUG));
        assert!(at("h2::codec", tracing::Level::WARN));
        assert!(!LogLevel::Warn
            .targets()
            .would_enable("chipi_session", &tracing::Level::INFO));
    }
}
