//! Shared test harness: build a project, serve a folder on 127.0.0.1, and drive headless
//! Chromium (chromiumoxide over CDP, the machine's /usr/bin/chromium, no network).
//!
//! Each test binary includes this with `mod common;` and uses what it needs.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chromiumoxide::cdp::browser_protocol::emulation::{
    MediaFeature, SetDeviceMetricsOverrideParams, SetEmulatedMediaParams,
};
use chromiumoxide::cdp::browser_protocol::input::{DispatchKeyEventParams, DispatchKeyEventType};
use chromiumoxide::cdp::browser_protocol::network::{EventLoadingFailed, EventRequestWillBeSent};
use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use chromiumoxide::{Browser as CdpBrowser, BrowserConfig, Page as CdpPage};
use futures::StreamExt;

/// The repository root (the real content lives here).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Builds `root` with the library into a fresh temporary folder; returns (tempdir guard, site dir).
pub fn build_to_temp(root: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("site");
    if let Err(d) = guidance::build(root, &out) {
        panic!("build of {} failed:\n{d}", root.display());
    }
    (dir, out)
}

/// Copies a folder tree (for editing a fixture in a test without touching the original).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let relative = entry.path().strip_prefix(from).unwrap();
        if relative.starts_with("site")
            || relative.starts_with("target")
            || relative.starts_with(".git")
        {
            continue;
        }
        let target = to.join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A copy of the real project's content (notes, principles, pages, theme, config) in a temp dir.
pub fn copy_of_real_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for part in ["notes", "principles", "pages", "theme"] {
        let from = repo_root().join(part);
        if from.exists() {
            copy_tree(&from, &dir.path().join(part));
        }
    }
    let config = repo_root().join("guidance.yaml");
    if config.exists() {
        std::fs::copy(config, dir.path().join("guidance.yaml")).unwrap();
    }
    dir
}

/// A static file server for a folder on 127.0.0.1 (index.html for folders, 404.html for misses),
/// standing in for any web host. `prefix` serves the site under a subpath, e.g. "/sub/".
///
/// One thread per connection, each kept open for the browser's next request as a real host
/// does: Chromium opens many connections at once (search loads several index files in
/// parallel), and a pooled server can leave one of them waiting behind idle connections until
/// the test times out.
pub struct StaticServer {
    pub port: u16,
    pub prefix: String,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl StaticServer {
    pub fn start(dir: &Path) -> StaticServer {
        StaticServer::start_under(dir, "/")
    }

    pub fn start_under(dir: &Path, prefix: &str) -> StaticServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().unwrap().port();
        let stop = Arc::new(AtomicBool::new(false));
        let (dir, root) = (dir.to_path_buf(), prefix.to_string());
        let flag = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            for stream in listener.incoming() {
                if flag.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (dir, root) = (dir.clone(), root.clone());
                std::thread::spawn(move || answer(stream, &dir, &root));
            }
        });
        StaticServer {
            port,
            prefix: prefix.to_string(),
            stop,
            thread: Some(thread),
        }
    }

    /// The URL of `path` (relative to the site root), e.g. `url("notes/")`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}{}", self.port, self.prefix, path)
    }
}

impl Drop for StaticServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Answers the requests of one connection, keeping it open between them as any real server
/// does (a browser would otherwise connect again for every file).
fn answer(stream: TcpStream, dir: &Path, prefix: &str) {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(&stream);
    loop {
        let mut request_line = String::new();
        if !reader.read_line(&mut request_line).is_ok_and(|n| n > 0) {
            return;
        }
        // HTTP/1.1 keeps the connection unless the client says otherwise; HTTP/1.0 closes it.
        // Requests have no body, and no other header matters here.
        let mut keep_alive = request_line.trim_end().ends_with("HTTP/1.1");
        let mut line = String::new();
        while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
            let header = line.to_ascii_lowercase();
            if let Some(value) = header.strip_prefix("connection:") {
                keep_alive =
                    value.trim() == "keep-alive" || (keep_alive && value.trim() != "close");
            }
            line.clear();
        }
        let target = request_line.split_whitespace().nth(1).unwrap_or("/");
        let found =
            resolve(dir, prefix, target).and_then(|file| Some((std::fs::read(&file).ok()?, file)));
        let (status, body, kind) = match found {
            Some((body, file)) => ("200 OK", body, content_type(&file)),
            None => (
                "404 Not Found",
                std::fs::read(dir.join("404.html")).unwrap_or_default(),
                "text/html; charset=utf-8",
            ),
        };
        let connection = if keep_alive { "keep-alive" } else { "close" };
        let mut response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: {connection}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        response.extend_from_slice(&body);
        let mut out = &stream;
        if out.write_all(&response).and_then(|_| out.flush()).is_err() || !keep_alive {
            return;
        }
    }
}

fn resolve(dir: &Path, prefix: &str, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next()?;
    let relative = percent_decode(path.strip_prefix(prefix)?);
    if relative.split('/').any(|part| part == "..") {
        return None;
    }
    let file = dir.join(relative);
    let file = if file.is_dir() {
        file.join("index.html")
    } else {
        file
    };
    file.is_file().then_some(file)
}

/// Decodes `%XX` escapes in a URL path.
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = text
                .get(i + 1..i + 3)
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn content_type(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "txt" => "text/plain; charset=utf-8",
        "zip" => "application/zip",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

/// Every HTML file of a built site, as `/`-separated paths from its root, sorted.
pub fn html_pages(site: &Path) -> Vec<String> {
    let mut pages: Vec<String> = walkdir::WalkDir::new(site)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "html"))
        .map(|e| {
            e.path()
                .strip_prefix(site)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/")
        })
        .collect();
    pages.sort();
    pages
}

/// `file://` URL of a path inside a folder on disk.
pub fn file_url(dir: &Path, path: &str) -> String {
    format!("file://{}/{}", dir.canonicalize().unwrap().display(), path)
}

const CHROMIUM: &str = "/usr/bin/chromium";

/// A headless Chromium with its own profile, driven synchronously from tests.
pub struct Browser {
    runtime: tokio::runtime::Runtime,
    browser: Option<CdpBrowser>,
    handler: Option<tokio::task::JoinHandle<()>>,
    _profile: tempfile::TempDir,
}

/// Launches Chromium, or returns `None` (with a loud SKIP line) when it is not installed.
/// Under CI (`CI=true`) a missing Chromium is a failure, never a skip.
pub fn browser() -> Option<Browser> {
    if !Path::new(CHROMIUM).exists() {
        if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
            panic!(
                "Chromium is required under CI but {CHROMIUM} is missing (apt-get install chromium)"
            );
        }
        eprintln!("SKIP: {CHROMIUM} not found; install Debian's chromium to run browser tests");
        return None;
    }
    Some(Browser::launch())
}

impl Browser {
    pub fn launch() -> Browser {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let profile = tempfile::tempdir().unwrap();
        let config = BrowserConfig::builder()
            .chrome_executable(CHROMIUM)
            .no_sandbox()
            .new_headless_mode()
            .user_data_dir(profile.path())
            .window_size(1280, 900)
            .viewport(None)
            .args([
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--allow-file-access-from-files",
            ])
            .build()
            .expect("browser config");
        let (browser, handler) = runtime.block_on(async {
            let (browser, mut handler) = CdpBrowser::launch(config).await.expect("launch chromium");
            let task = tokio::spawn(async move {
                while let Some(event) = handler.next().await {
                    if event.is_err() {
                        continue;
                    }
                }
            });
            (browser, task)
        });
        Browser {
            runtime,
            browser: Some(browser),
            handler: Some(handler),
            _profile: profile,
        }
    }

    /// Opens `url` in a new tab and waits for it to load. Requests and failures are recorded
    /// from the start.
    pub fn open(&self, url: &str) -> Page<'_> {
        let browser = self.browser.as_ref().unwrap();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let failures = Arc::new(Mutex::new(Vec::new()));
        let page = self.runtime.block_on(async {
            let page = browser.new_page("about:blank").await.expect("new page");
            let mut sent = page
                .event_listener::<EventRequestWillBeSent>()
                .await
                .unwrap();
            let mut failed = page.event_listener::<EventLoadingFailed>().await.unwrap();
            let r = Arc::clone(&requests);
            tokio::spawn(async move {
                while let Some(event) = sent.next().await {
                    r.lock().unwrap().push(event.request.url.clone());
                }
            });
            let f = Arc::clone(&failures);
            tokio::spawn(async move {
                while let Some(event) = failed.next().await {
                    f.lock()
                        .unwrap()
                        .push(format!("{:?}: {}", event.r#type, event.error_text));
                }
            });
            page
        });
        let page = Page {
            browser: self,
            page,
            requests,
            failures,
        };
        page.goto(url);
        page
    }

    fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if let Some(mut browser) = self.browser.take() {
            self.runtime.block_on(async {
                let _ = browser.close().await;
                let _ = browser.wait().await;
            });
        }
        if let Some(handler) = self.handler.take() {
            handler.abort();
        }
    }
}

/// One tab.
pub struct Page<'b> {
    browser: &'b Browser,
    pub page: CdpPage,
    requests: Arc<Mutex<Vec<String>>>,
    failures: Arc<Mutex<Vec<String>>>,
}

impl Page<'_> {
    /// Navigates and waits until the new document has loaded. The old document is marked first:
    /// the CDP navigation can report done while the tab still shows the old document (seen with
    /// about:blank -> file://), whose readyState is already complete.
    pub fn goto(&self, url: &str) {
        self.eval("window.__guidanceLeaving = true");
        self.browser.block_on(async {
            self.page
                .goto(url)
                .await
                .unwrap_or_else(|e| panic!("navigate to {url}: {e}"));
            let _ = self.page.wait_for_navigation().await;
        });
        self.wait_for(
            "!window.__guidanceLeaving && document.readyState === 'complete'",
            Duration::from_secs(10),
        );
    }

    /// Stops recording requests: CDP's network domain reports every request to this process,
    /// which costs the page about 2 ms per request on a 2-core machine, so timed runs go without
    /// it. `external_requests` then knows only what came before; `resources_elsewhere` still
    /// sees everything.
    pub fn stop_recording_requests(&self) {
        self.browser.block_on(async {
            self.page
                .execute(chromiumoxide::cdp::browser_protocol::network::DisableParams::default())
                .await
                .unwrap();
        });
    }

    /// Evaluates a JavaScript expression (promises are awaited) and returns its JSON value.
    pub fn eval(&self, js: &str) -> serde_json::Value {
        self.browser.block_on(async {
            let params = EvaluateParams::builder()
                .expression(js)
                .await_promise(true)
                .return_by_value(true)
                .build()
                .unwrap();
            let result = self
                .page
                .evaluate_expression(params)
                .await
                .unwrap_or_else(|e| panic!("eval `{js}`: {e}"));
            result.value().cloned().unwrap_or(serde_json::Value::Null)
        })
    }

    /// Polls `condition` (a JS expression) until it is truthy; panics after `timeout`.
    pub fn wait_for(&self, condition: &str, timeout: Duration) {
        let start = Instant::now();
        loop {
            let value = self.eval(&format!("!!({condition})"));
            if value == serde_json::Value::Bool(true) {
                return;
            }
            if start.elapsed() > timeout {
                panic!("timed out after {timeout:?} waiting for `{condition}`");
            }
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// Presses one key (`"Tab"`, `"Enter"`, `"Escape"`, `"ArrowDown"`, `"/"`, `"a"`...) on the
    /// focused element, as a user would.
    pub fn press_key(&self, key: &str) {
        let definition = chromiumoxide::keys::get_key_definition(key)
            .unwrap_or_else(|| panic!("unknown key {key}"));
        self.browser.block_on(async {
            let mut cmd = DispatchKeyEventParams::builder()
                .key(definition.key)
                .code(definition.code)
                .windows_virtual_key_code(definition.key_code)
                .native_virtual_key_code(definition.key_code);
            let down = if let Some(text) = definition.text {
                cmd = cmd.text(text);
                DispatchKeyEventType::KeyDown
            } else if definition.key.len() == 1 {
                cmd = cmd.text(definition.key);
                DispatchKeyEventType::KeyDown
            } else {
                DispatchKeyEventType::RawKeyDown
            };
            self.page
                .execute(cmd.clone().r#type(down).build().unwrap())
                .await
                .unwrap();
            self.page
                .execute(cmd.r#type(DispatchKeyEventType::KeyUp).build().unwrap())
                .await
                .unwrap();
        });
    }

    /// Types text key by key into the focused element.
    pub fn type_text(&self, text: &str) {
        for c in text.chars() {
            let key = c.to_string();
            if chromiumoxide::keys::get_key_definition(&key).is_some() {
                self.press_key(&key);
            } else {
                // Characters without a key (CJK, Arabic): insert as text input.
                self.eval(&format!(
                    "document.execCommand('insertText', false, {})",
                    serde_json::to_string(&key).unwrap()
                ));
            }
        }
    }

    /// Sets the viewport width and height (CSS pixels).
    pub fn set_viewport(&self, width: i64, height: i64) {
        self.browser.block_on(async {
            self.page
                .execute(SetDeviceMetricsOverrideParams::new(
                    width,
                    height,
                    1.0,
                    width < 600,
                ))
                .await
                .unwrap();
        });
    }

    /// Emulates `prefers-color-scheme: dark` (or light).
    pub fn emulate_dark(&self, dark: bool) {
        self.browser.block_on(async {
            let feature =
                MediaFeature::new("prefers-color-scheme", if dark { "dark" } else { "light" });
            let params = SetEmulatedMediaParams::builder()
                .features(vec![feature])
                .build();
            self.page.execute(params).await.unwrap();
        });
    }

    /// Runs axe-core (from `.test-tools/node_modules/axe-core`) with the WCAG 2.0/2.1 A and AA
    /// rules and returns the violations (an empty array when the page is clean).
    pub fn axe_violations(&self) -> serde_json::Value {
        let path = repo_root().join(".test-tools/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "{} missing: run `npm install --prefix .test-tools axe-core`",
                path.display()
            )
        });
        self.eval(&source);
        self.eval(
            "axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })\
             .then(r => r.violations.map(v => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.failureSummary) })))",
        )
    }

    /// Every URL the page has requested so far.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    /// Every request that failed so far.
    pub fn failures(&self) -> Vec<String> {
        self.failures.lock().unwrap().clone()
    }

    /// Resources the page has loaded (per the page's own Resource Timing, so without CDP's
    /// recording) from anywhere but `origin`. Call `keep_resource_timings` first: the browser
    /// keeps only 250 entries by default.
    pub fn resources_elsewhere(&self, origin: &str) -> Vec<String> {
        let names = self.eval("performance.getEntriesByType('resource').map(e => e.name)");
        names
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|u| u.as_str())
            .filter(|u| !u.starts_with(origin))
            .map(str::to_string)
            .collect()
    }

    /// Lets the page's Resource Timing buffer hold every resource of a long run.
    pub fn keep_resource_timings(&self) {
        self.eval("performance.setResourceTimingBufferSize(100000)");
    }

    /// Requests that went anywhere but the local machine (file:, 127.0.0.1, data:, about:).
    pub fn external_requests(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|u| {
                !(u.starts_with("file://")
                    || u.starts_with("http://127.0.0.1")
                    || u.starts_with("data:")
                    || u.starts_with("about:")
                    || u.starts_with("blob:"))
            })
            .collect()
    }

    /// The current URL.
    pub fn url(&self) -> String {
        self.eval("location.href")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}
