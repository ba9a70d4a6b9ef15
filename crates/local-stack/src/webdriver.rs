//! The real app under WebDriver: a private X server (Xvfb), `tauri-driver` in front of
//! WebKitWebDriver, and a fantoccini client that finds elements only by `data-testid`. Shared by
//! the suite in `tests/e2e` and the sandbox's test.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Map, Value};

/// How long a step may take before the test fails (a transaction on devnet takes well under a
/// second; the first start of the app a few seconds).
const STEP: Duration = Duration::from_secs(60);

/// A child process killed on drop.
#[derive(Debug)]
pub struct Process(Child);

impl Process {
    /// Owns `child`.
    pub fn new(child: Child) -> Self {
        Self(child)
    }

    /// Ctrl-C, then waits for it to exit (killing it after 20 s).
    pub fn interrupt(mut self) {
        let _ = Command::new("kill")
            .args(["-INT", &self.0.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.0.try_wait() {
                assert!(status.success(), "exited with {status}");
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("still running 20 s after Ctrl-C");
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // SIGTERM first: tauri-driver then closes the app and WebKitWebDriver it started.
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.0.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on port {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A private X server on a free display number.
pub fn start_xvfb() -> (Process, String) {
    for n in 90..190 {
        if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists()
            || Path::new(&format!("/tmp/.X{n}-lock")).exists()
        {
            continue;
        }
        let child = Command::new("Xvfb")
            .args([
                &format!(":{n}"),
                "-screen",
                "0",
                "1280x1024x24",
                "-nolisten",
                "tcp",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("Xvfb (package xvfb; scripts/setup installs it)");
        let mut process = Process(child);
        let deadline = Instant::now() + Duration::from_secs(10);
        while !Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
            if process.0.try_wait().unwrap().is_some() || Instant::now() > deadline {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        if Path::new(&format!("/tmp/.X11-unix/X{n}")).exists() {
            return (process, format!(":{n}"));
        }
    }
    panic!("no free X display");
}

/// Where screenshots and driver logs go: `e2e-artifacts/` in the build directory of the test
/// that runs (`target/e2e-artifacts/`).
pub fn artifacts() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.ancestors().nth(3).unwrap().join("e2e-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The app binary next to this test's directory (`target/debug/chipi-wallet-app`), refused
/// when older than the UI it embeds or the Rust sources it is built from.
pub fn app_binary() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let dir = exe.parent().unwrap().parent().unwrap();
    let app = dir.join("chipi-wallet-app");
    let hint = "`cargo test --workspace` builds it (alone: `cargo test --workspace --no-run`)";
    let built = std::fs::metadata(&app)
        .and_then(|m| m.modified())
        .unwrap_or_else(|_| panic!("{} is missing: {hint}", app.display()));
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .find(|dir| dir.join("src-tauri").is_dir())
        .expect("the workspace root");
    for source in [
        "ui/dist",
        "src-tauri/src",
        "crates/wallet-service/src",
        "crates/chipi-session/src",
    ] {
        if let Some(newest) = newest_file(&root.join(source)) {
            assert!(
                newest <= built,
                "{} is older than {source}: {hint}",
                app.display()
            );
        }
    }
    app
}

fn newest_file(dir: &Path) -> Option<std::time::SystemTime> {
    let mut newest = None;
    for entry in std::fs::read_dir(dir).ok()?.flatten() {
        let path = entry.path();
        let time = if path.is_dir() {
            newest_file(&path)
        } else {
            entry.metadata().and_then(|m| m.modified()).ok()
        };
        newest = newest.max(time);
    }
    newest
}

/// `tauri-driver`, with the environment the app inherits.
#[derive(Debug)]
pub struct Driver {
    _process: Process,
    port: u16,
    application: PathBuf,
}

impl Driver {
    /// The driver for the app built in this workspace.
    pub fn start(display: &str, env: &[(&str, String)], log: &Path) -> Self {
        Self::start_with(app_binary(), display, env, log)
    }

    /// The driver for the app at `application` (e.g. the one the .deb installed).
    pub fn start_with(
        application: PathBuf,
        display: &str,
        env: &[(&str, String)],
        log: &Path,
    ) -> Self {
        let port = free_port();
        let native = free_port();
        let log = std::fs::File::create(log).unwrap();
        let mut command = Command::new("tauri-driver");
        command
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("DISPLAY", display)
            .stdout(log.try_clone().unwrap())
            .stderr(log);
        for (k, v) in env {
            command.env(k, v);
        }
        let child = command
            .spawn()
            .expect("tauri-driver (scripts/setup installs it with cargo install)");
        let process = Process(child);
        wait_for_port(port);
        Self {
            _process: process,
            port,
            application,
        }
    }

    /// Starts the app and connects to its web view.
    pub async fn launch(&self, artifacts: &Path) -> Ui {
        let mut caps = Map::new();
        caps.insert("browserName".into(), json!("wry"));
        caps.insert(
            "tauri:options".into(),
            json!({ "application": self.application }),
        );
        // The driver's port may answer before the native driver behind it is ready: a session
        // that breaks off at once is asked for again, a few times.
        let url = format!("http://127.0.0.1:{}", self.port);
        let mut tries = 0;
        let client = loop {
            match ClientBuilder::native()
                .capabilities(caps.clone())
                .connect(&url)
                .await
            {
                Ok(client) => break client,
                Err(e) if tries < 4 => {
                    tries += 1;
                    eprintln!("WebDriver session refused ({e}); asking again");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => panic!("a WebDriver session with the app: {e}"),
            }
        };
        // The size the screenshots in docs/ are taken at.
        client
            .set_window_size(480, 1000)
            .await
            .expect("the window resizes");
        Ui {
            client,
            artifacts: artifacts.to_owned(),
        }
    }
}

/// The app's window, seen through WebDriver.
#[derive(Debug)]
pub struct Ui {
    pub client: Client,
    artifacts: PathBuf,
}

fn css(testid: &str) -> String {
    format!("[data-testid=\"{testid}\"]")
}

impl Ui {
    /// The element, once it is on screen.
    pub async fn find(&self, testid: &str) -> Element {
        let deadline = Instant::now() + STEP;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(&css(testid))).await {
                return element;
            }
            if Instant::now() > deadline {
                self.fail(&format!("{testid} never appeared")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether the element is on screen now.
    pub async fn present(&self, testid: &str) -> bool {
        self.client.find(Locator::Css(&css(testid))).await.is_ok()
    }

    /// Waits until no element `testid` is on screen (a form that closes when its action is done).
    pub async fn wait_gone(&self, testid: &str) {
        let deadline = Instant::now() + STEP;
        while self.present(testid).await {
            if Instant::now() >= deadline {
                self.fail(&format!("{testid} never went away")).await;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The element's text (retried: the UI re-renders on every status event).
    pub async fn text(&self, testid: &str) -> String {
        let deadline = Instant::now() + STEP;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(&css(testid))).await {
                if let Ok(text) = element.text().await {
                    return text;
                }
            }
            if Instant::now() > deadline {
                self.fail(&format!("{testid} has no text")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the element's text satisfies `ok`; returns it.
    pub async fn wait_text(&self, testid: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + STEP;
        let mut last = String::new();
        loop {
            if let Ok(element) = self.client.find(Locator::Css(&css(testid))).await {
                if let Ok(text) = element.text().await {
                    if ok(&text) {
                        return text;
                    }
                    last = text;
                }
            }
            if Instant::now() > deadline {
                self.fail(&format!(
                    "{testid} never reached the expected text (last: {last:?})"
                ))
                .await;
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// An attribute of the element, once it is on screen.
    pub async fn attr(&self, testid: &str, name: &str) -> Option<String> {
        let deadline = Instant::now() + STEP;
        loop {
            if let Ok(element) = self.client.find(Locator::Css(&css(testid))).await {
                if let Ok(value) = element.attr(name).await {
                    return value;
                }
            }
            if Instant::now() > deadline {
                self.fail(&format!("{testid} has no attributes")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Waits until the element's attribute `name` satisfies `ok`; returns it.
    pub async fn wait_attr(&self, testid: &str, name: &str, ok: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + STEP;
        let mut last = None;
        loop {
            if let Some(value) = self.attr_now(testid, name).await {
                if ok(&value) {
                    return value;
                }
                last = Some(value);
            }
            if Instant::now() > deadline {
                self.fail(&format!(
                    "{testid}'s {name} never reached the expected value (last: {last:?})"
                ))
                .await;
            }
            tokio::time::sleep(Duration::from_millis(150)).await;
        }
    }

    /// An attribute of the element if it is on screen now.
    pub async fn attr_now(&self, testid: &str, name: &str) -> Option<String> {
        match self.client.find(Locator::Css(&css(testid))).await {
            Ok(element) => element.attr(name).await.ok().flatten(),
            Err(_) => None,
        }
    }

    /// Replaces the text of an input.
    pub async fn fill(&self, testid: &str, text: &str) {
        let deadline = Instant::now() + STEP;
        loop {
            let element = self.find(testid).await;
            if element.clear().await.is_ok() && element.send_keys(text).await.is_ok() {
                let value = element.prop("value").await.ok().flatten();
                if value.as_deref() == Some(text) {
                    return;
                }
            }
            if Instant::now() > deadline {
                self.fail(&format!("could not type into {testid}")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Clicks the element (retried when a re-render replaced it in between).
    pub async fn click(&self, testid: &str) {
        let deadline = Instant::now() + STEP;
        loop {
            let element = self.find(testid).await;
            // Records what was clicked, for the failure message.
            let _ = self.client.execute("if (!window.__clicks) { window.__clicks = []; document.addEventListener('click', (e) => window.__clicks.push(e.target.dataset.testid || e.target.tagName), true); }", vec![]).await;
            if element.click().await.is_ok() {
                return;
            }
            if Instant::now() > deadline {
                self.fail(&format!("could not click {testid}")).await;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Fails the test, with a screenshot and the banner's text to show why.
    pub async fn fail(&self, why: &str) -> ! {
        let shot = self.screenshot("failure").await;
        let banner = match self.client.find(Locator::Css(&css("error-banner"))).await {
            Ok(element) => element.text().await.unwrap_or_default(),
            Err(_) => "no error shown".into(),
        };
        let clicks = self
            .client
            .execute("return JSON.stringify(window.__clicks || [])", vec![])
            .await
            .unwrap_or_default();
        panic!(
            "{why}; on screen: {banner}; clicks: {clicks} (see {})",
            shot.display()
        );
    }

    /// Saves a PNG of the window as `<artifacts>/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        // Two animation frames: the last render is painted (a resize or re-render may be pending).
        let _ = self
            .client
            .execute_async(
                "const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 100)));",
                vec![],
            )
            .await;
        let png = self.client.screenshot().await.expect("a screenshot");
        let path = self.artifacts.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    /// Evaluates JavaScript in the web view (read-only checks only).
    pub async fn script(&self, source: &str) -> Value {
        self.client.execute(source, vec![]).await.unwrap()
    }

    /// Ends the session of an app that is gone (killed): errors are expected and ignored.
    pub async fn abandon(self) {
        let _ = self.client.close().await;
    }

    /// Ends the WebDriver session, which closes the app.
    pub async fn close(self) {
        self.client.close().await.expect("closing the app");
    }
}
