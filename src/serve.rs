//! `guidance serve`: the normal build kept in memory and served on 127.0.0.1, rebuilt when a
//! file changes, with browsers told to reload. The build itself is the pipeline's
//! ([`crate::incremental`] re-renders only what an edit affects); this module is HTTP, watching
//! and the reload channel.
//!
//! - Requests are looked up in the in-memory build only: a path is decoded and checked (no `..`,
//!   no NUL or backslash, no empty segment) and then used as a map key, never as a file path.
//! - The reload channel is `/__guidance/events` (server-sent events). Each stream has its own
//!   thread, so open tabs never hold up page requests, which a pool of workers answers.
//! - A failed rebuild keeps the last good build; its diagnostics go to the terminal (through the
//!   caller's [`Event`] callback) and to the browsers, which show them in an overlay.

use std::collections::{BTreeSet, VecDeque};
use std::io::Write as _;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};
use tiny_http::{Header, Method, Request, Response, StatusCode};

use crate::config::CONFIG_FILE;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::incremental::{Build, Changes, Entry, Lookup, Project, Rebuilt};
use crate::render::RenderOptions;

/// The folders whose files make the site.
pub const WATCHED: &[&str] = &["notes", "principles", "pages", "theme"];
/// Where browsers wait for reloads.
pub const EVENTS_PATH: &str = "/__guidance/events";
/// Longer request targets are refused.
pub const MAX_URL: usize = 2048;

const LIVE_SCRIPT: &str = include_str!("serve/live.js");
/// Replaced in served HTML by the generation of the build serving it.
const BUILD_MARK: &str = "__GUIDANCE_BUILD__";
/// Builds remembered for browsers that reconnect after missing some.
const LOG_LEN: usize = 64;

#[derive(Clone, Debug)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    /// 0 picks a free port.
    pub port: u16,
    /// A burst of file events closer together than this makes one rebuild.
    pub debounce: Duration,
    /// Threads answering page requests (event streams have their own).
    pub workers: usize,
}

impl ServeOptions {
    pub fn new(root: &Path) -> ServeOptions {
        ServeOptions {
            root: root.to_path_buf(),
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 8000,
            debounce: Duration::from_millis(10),
            workers: 8,
        }
    }
}

/// What the server reports while it runs (the binary prints these).
pub enum Event<'a> {
    Rebuilt {
        rebuilt: &'a Rebuilt,
        elapsed: Duration,
    },
    /// Files changed but no page did (saved without edits).
    Unchanged { elapsed: Duration },
    /// The rebuild failed; the last good build is still served.
    Failed { diagnostics: &'a Diagnostics },
    /// A page rendered after the swap failed (its last good version is served).
    RenderFailed { diagnostics: &'a Diagnostics },
}

type Reporter = Box<dyn Fn(Event) + Send + Sync>;

struct Shared {
    build: RwLock<Option<Arc<Build>>>,
    hub: Hub,
    report: Reporter,
    stopping: AtomicBool,
    workers: usize,
}

/// A running server. Dropping it does not stop it; call [`Server::stop`].
pub struct Server {
    http: Arc<tiny_http::Server>,
    shared: Arc<Shared>,
    url: String,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Binds, builds the site once (a failing build still serves: every page then shows the
    /// errors until they are fixed), starts watching and answering.
    pub fn start(
        options: ServeOptions,
        report: impl Fn(Event) + Send + Sync + 'static,
    ) -> Result<Server, Diagnostics> {
        let root = options.root.canonicalize().map_err(|e| {
            Diagnostic::error("io", format!("cannot open the project folder: {e}"))
                .in_file(options.root.display().to_string())
        })?;
        let address = SocketAddr::new(options.bind, options.port);
        let http = tiny_http::Server::http(address).map_err(|e| bind_error(address, &*e))?;
        let port = http
            .server_addr()
            .to_ip()
            .map_or(options.port, |a| a.port());
        let host = match options.bind {
            IpAddr::V6(ip) => format!("[{ip}]"),
            ip => ip.to_string(),
        };
        let url = format!("http://{host}:{port}/");

        let inject = format!("<script data-build=\"{BUILD_MARK}\">\n{LIVE_SCRIPT}</script>\n");
        let mut project = Project::new(
            &root,
            RenderOptions {
                inject: Some(inject),
                ..RenderOptions::default()
            },
        );
        let shared = Arc::new(Shared {
            build: RwLock::new(None),
            hub: Hub::default(),
            report: Box::new(report),
            stopping: AtomicBool::new(false),
            workers: options.workers.max(1),
        });
        rebuild(&shared, &mut project, &Changes::Everything, Instant::now());

        let (sender, receiver) = std::sync::mpsc::channel();
        let mut watcher = notify::recommended_watcher(sender).map_err(|e| {
            Diagnostic::error(
                "watch",
                format!("cannot watch the project for changes: {e}"),
            )
        })?;
        watch(&mut watcher, &root).map_err(|e| {
            Diagnostic::error("watch", format!("cannot watch {}: {e}", root.display()))
        })?;

        let http = Arc::new(http);
        let mut threads = Vec::new();
        for _ in 0..shared.workers {
            let (http, shared) = (Arc::clone(&http), Arc::clone(&shared));
            threads.push(std::thread::spawn(move || {
                while !shared.stopping.load(Ordering::SeqCst) {
                    if let Ok(request) = http.recv() {
                        handle(request, &shared);
                    }
                }
            }));
        }
        let watching = Arc::clone(&shared);
        let debounce = options.debounce;
        threads.push(std::thread::spawn(move || {
            rebuild_on_change(&watching, project, watcher, &receiver, &root, debounce)
        }));
        Ok(Server {
            http,
            shared,
            url,
            threads,
        })
    }

    /// The build being served (the last good one), if any.
    pub fn current(&self) -> Option<Arc<Build>> {
        self.shared.build.read().unwrap().clone()
    }

    /// `http://127.0.0.1:PORT/`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A handle that stops the server from another thread (a Ctrl-C handler).
    pub fn stopper(&self) -> impl Fn() + Send + Sync + 'static {
        let (http, shared) = (Arc::clone(&self.http), Arc::clone(&self.shared));
        move || stop(&http, &shared)
    }

    pub fn stop(&self) {
        stop(&self.http, &self.shared);
    }

    /// Blocks until the server is stopped.
    pub fn wait(self) {
        for thread in self.threads {
            let _ = thread.join();
        }
    }
}

/// Opens `url` in the default browser, if the platform has a way to (errors are ignored: the URL
/// is printed anyway).
pub fn open_in_browser(url: &str) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    let _ = command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}

fn stop(http: &tiny_http::Server, shared: &Shared) {
    shared.stopping.store(true, Ordering::SeqCst);
    shared.hub.close();
    for _ in 0..shared.workers {
        http.unblock();
    }
}

fn bind_error(address: SocketAddr, error: &(dyn std::error::Error + 'static)) -> Diagnostics {
    let in_use = error
        .downcast_ref::<std::io::Error>()
        .is_some_and(|e| e.kind() == std::io::ErrorKind::AddrInUse);
    let d = if in_use {
        Diagnostic::error("port-in-use", format!("port {} is already in use on {}", address.port(), address.ip()))
            .help("stop the other server, choose another port with --port N, or use --port 0 to pick a free one")
    } else {
        Diagnostic::error("bind", format!("cannot listen on {address}: {error}"))
            .help("check --bind (an address of this machine) and --port")
    };
    d.into()
}

fn watch(watcher: &mut impl Watcher, root: &Path) -> notify::Result<()> {
    watcher.watch(root, RecursiveMode::NonRecursive)?;
    for folder in WATCHED {
        let path = root.join(folder);
        if path.is_dir() {
            watcher.watch(&path, RecursiveMode::Recursive)?;
        }
    }
    Ok(())
}

/// Builds, and on success swaps the build in and tells browsers; on failure keeps the last good
/// build and shows the diagnostics.
fn rebuild(shared: &Arc<Shared>, project: &mut Project, changes: &Changes, started: Instant) {
    match project.rebuild(changes) {
        Ok(rebuilt) => {
            let elapsed = started.elapsed();
            let new = !shared
                .build
                .read()
                .unwrap()
                .as_ref()
                .is_some_and(|b| Arc::ptr_eq(b, &rebuilt.build));
            if new {
                let old = shared
                    .build
                    .write()
                    .unwrap()
                    .replace(Arc::clone(&rebuilt.build));
                // Freeing a big site takes a while: not on the way to the reload signal, and
                // not while the browsers' reload requests come in.
                std::thread::spawn(move || {
                    std::thread::sleep(Duration::from_millis(500));
                    drop(old);
                });
                shared
                    .hub
                    .publish(rebuilt.build.generation, rebuilt.changed.clone());
                (shared.report)(Event::Rebuilt {
                    rebuilt: &rebuilt,
                    elapsed,
                });
                let (build, warming) = (Arc::clone(&rebuilt.build), Arc::clone(shared));
                std::thread::spawn(move || {
                    let problems = build.warm();
                    if !problems.is_empty() && !warming.stopping.load(Ordering::SeqCst) {
                        warming.hub.set_errors(&problems);
                        (warming.report)(Event::RenderFailed {
                            diagnostics: &problems,
                        });
                    }
                });
            } else {
                (shared.report)(Event::Unchanged { elapsed });
            }
            shared.hub.set_errors(&Diagnostics::default());
        }
        Err(diagnostics) => {
            shared.hub.set_errors(&diagnostics);
            (shared.report)(Event::Failed {
                diagnostics: &diagnostics,
            });
        }
    }
}

/// The watcher's loop: collect a burst of events, then rebuild once.
fn rebuild_on_change(
    shared: &Arc<Shared>,
    mut project: Project,
    mut watcher: impl Watcher,
    events: &Receiver<notify::Result<notify::Event>>,
    root: &Path,
    debounce: Duration,
) {
    while !shared.stopping.load(Ordering::SeqCst) {
        let first = match events.recv_timeout(Duration::from_millis(100)) {
            Ok(event) => event,
            Err(RecvTimeoutError::Timeout) => continue,
            Err(RecvTimeoutError::Disconnected) => return,
        };
        let mut burst = Burst::default();
        burst.add(first, root, &mut watcher);
        if !burst.relevant {
            continue;
        }
        let started = burst.started.unwrap_or_else(Instant::now);
        // Wait for a quiet moment (an editor's write-then-rename, a checkout of many files),
        // but never longer than a second in all.
        while started.elapsed() < Duration::from_secs(1) {
            match events.recv_timeout(debounce) {
                Ok(event) => burst.add(event, root, &mut watcher),
                Err(_) => break,
            }
        }
        let changes = if burst.everything {
            Changes::Everything
        } else {
            Changes::Files(burst.paths)
        };
        rebuild(shared, &mut project, &changes, started);
    }
}

#[derive(Default)]
struct Burst {
    relevant: bool,
    /// The theme or the configuration changed: rebuild everything.
    everything: bool,
    /// What changed, from the project root.
    paths: BTreeSet<String>,
    started: Option<Instant>,
}

impl Burst {
    fn add(
        &mut self,
        event: notify::Result<notify::Event>,
        root: &Path,
        watcher: &mut impl Watcher,
    ) {
        let event = match event {
            Ok(event) => event,
            Err(_) => {
                // Events were lost (a queue overflow): only a full rebuild is safe.
                self.relevant = true;
                self.everything = true;
                return;
            }
        };
        if matches!(event.kind, notify::EventKind::Access(_)) {
            return;
        }
        for path in &event.paths {
            let Ok(relative) = path.strip_prefix(root) else {
                continue;
            };
            let relative = crate::load::display_path(Path::new(""), relative);
            let name = relative.rsplit('/').next().unwrap_or_default();
            if name.starts_with('.') || name.ends_with('~') {
                continue; // editors' swap and backup files
            }
            let top = relative.split('/').next().unwrap_or_default();
            if relative == CONFIG_FILE || top == "theme" {
                self.everything = true;
            } else if !WATCHED.contains(&top) {
                continue;
            }
            if WATCHED.contains(&relative.as_str()) && path.is_dir() {
                // A content folder was created after the server started.
                let _ = watcher.watch(path, RecursiveMode::Recursive);
                self.everything = true;
            }
            self.relevant = true;
            self.paths.insert(relative);
            self.started.get_or_insert_with(Instant::now);
        }
    }
}

/// Browsers waiting for reloads: the current generation, recent builds' changes, and the
/// diagnostics to show.
#[derive(Default)]
struct Hub {
    state: Mutex<HubState>,
    wake: Condvar,
}

#[derive(Default)]
struct HubState {
    generation: u64,
    /// (generation, paths it changed or `None` for everything), oldest first.
    log: VecDeque<(u64, Option<Vec<String>>)>,
    /// The diagnostics as JSON, and a counter bumped whenever they change.
    errors: String,
    errors_version: u64,
    closed: bool,
}

impl Hub {
    fn publish(&self, generation: u64, changed: Option<Vec<String>>) {
        let mut state = self.state.lock().unwrap();
        state.generation = generation;
        state.log.push_back((generation, changed));
        if state.log.len() > LOG_LEN {
            state.log.pop_front();
        }
        self.wake.notify_all();
    }

    fn set_errors(&self, diagnostics: &Diagnostics) {
        let json: Vec<serde_json::Value> = diagnostics.iter().map(Diagnostic::to_json).collect();
        let json = serde_json::Value::Array(json).to_string();
        let mut state = self.state.lock().unwrap();
        if state.errors != json {
            state.errors = json;
            state.errors_version += 1;
            self.wake.notify_all();
        }
    }

    fn close(&self) {
        self.state.lock().unwrap().closed = true;
        self.wake.notify_all();
    }

    /// The paths changed since `since` (`None` if unknown or everything).
    fn changed_since(state: &HubState, since: u64) -> Option<Vec<String>> {
        if state
            .log
            .front()
            .is_none_or(|(first, _)| since + 1 < *first)
        {
            return None;
        }
        let mut paths = Vec::new();
        for (_, changed) in state.log.iter().filter(|(g, _)| *g > since) {
            paths.extend(changed.as_ref()?.iter().cloned());
        }
        paths.sort();
        paths.dedup();
        Some(paths)
    }
}

/// Streams reload events to one browser tab until it goes away or the server stops.
fn stream_events(request: Request, shared: &Shared, since: Option<u64>) {
    let mut out = request.into_writer();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\n\
                Connection: close\r\nX-Content-Type-Options: nosniff\r\n\r\nretry: 500\n\n";
    if out
        .write_all(head.as_bytes())
        .and_then(|_| out.flush())
        .is_err()
    {
        return;
    }
    let hub = &shared.hub;
    // The generation of the page that connects; one from the future (an earlier run of the
    // server) means "reload at once".
    let mut seen = {
        let state = hub.state.lock().unwrap();
        match since {
            Some(s) if s <= state.generation => s,
            Some(_) => u64::MAX,
            None => state.generation,
        }
    };
    let mut seen_errors = u64::MAX;
    loop {
        let message = {
            let mut state = hub.state.lock().unwrap();
            while !state.closed && state.generation == seen && state.errors_version == seen_errors {
                let (next, timeout) = hub
                    .wake
                    .wait_timeout(state, Duration::from_secs(15))
                    .unwrap();
                state = next;
                if timeout.timed_out() {
                    break;
                }
            }
            if state.closed {
                return;
            }
            let mut message = String::new();
            if state.generation != seen {
                let changed = if seen == u64::MAX {
                    None
                } else {
                    Hub::changed_since(&state, seen)
                };
                let data =
                    serde_json::json!({ "generation": state.generation, "changed": changed });
                message.push_str(&format!("event: build\ndata: {data}\n\n"));
                seen = state.generation;
            }
            if state.errors_version != seen_errors {
                let errors = if state.errors.is_empty() {
                    "[]"
                } else {
                    &state.errors
                };
                message.push_str(&format!(
                    "event: errors\ndata: {{\"generation\":{},\"diagnostics\":{errors}}}\n\n",
                    state.generation
                ));
                seen_errors = state.errors_version;
            }
            if message.is_empty() {
                message.push_str(": keep-alive\n\n");
            }
            message
        };
        if out
            .write_all(message.as_bytes())
            .and_then(|_| out.flush())
            .is_err()
        {
            return;
        }
    }
}

/// A request target checked for safety: the site path it names (no leading `/`, `index.html`
/// not yet added), and the raw path for redirects.
#[derive(Debug, PartialEq, Eq)]
pub struct Target {
    pub path: String,
    pub query: Option<String>,
}

/// Decodes and checks a request target. Anything that could name a file outside the build is
/// refused: `..` or `.` segments (also percent-encoded), backslashes, NUL and control
/// characters, empty segments (`//etc`), a drive or scheme colon, invalid UTF-8 or escapes, and
/// targets longer than [`MAX_URL`].
pub fn parse_target(url: &str) -> Result<Target, &'static str> {
    if url.len() > MAX_URL {
        return Err("request target too long");
    }
    let (raw, query) = match url.split_once('?') {
        Some((raw, query)) => (raw, Some(query.to_string())),
        None => (url, None),
    };
    let raw = raw.split('#').next().unwrap_or_default();
    let Some(rest) = raw.strip_prefix('/') else {
        return Err("request target is not an absolute path");
    };
    let decoded = percent_decode(rest).ok_or("invalid percent-encoding")?;
    if decoded
        .chars()
        .any(|c| c.is_control() || c == '\\' || c == ':')
    {
        return Err("forbidden character in path");
    }
    let segments: Vec<&str> = decoded.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        if *segment == ".." || *segment == "." || (segment.is_empty() && !last) {
            return Err("path escapes the site");
        }
    }
    Ok(Target {
        path: decoded,
        query,
    })
}

fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The `Content-Type` of a site path.
pub fn mime_type(path: &str) -> &'static str {
    let extension = path.rsplit_once('.').map_or("", |(_, e)| e);
    match extension.to_ascii_lowercase().as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "atom" => "application/atom+xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "ttf" => "font/ttf",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("valid header")
}

fn text_response(status: u16, text: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(text.as_bytes().to_vec())
        .with_status_code(StatusCode(status))
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
        .with_header(header("Cache-Control", "no-cache"))
}

fn handle(request: Request, shared: &Arc<Shared>) {
    let response = match request.method() {
        Method::Get | Method::Head => {
            let url = request.url().to_string();
            match parse_target(&url) {
                Err(reason) => text_response(400, &format!("400 Bad Request: {reason}\n")),
                Ok(target) if format!("/{}", target.path) == EVENTS_PATH => {
                    let since = target.query.as_deref().and_then(|q| {
                        q.split('&')
                            .find_map(|p| p.strip_prefix("since="))
                            .and_then(|s| s.parse().ok())
                    });
                    let shared = Arc::clone(shared);
                    std::thread::spawn(move || stream_events(request, &shared, since));
                    return;
                }
                Ok(target) => {
                    let if_none_match = request
                        .headers()
                        .iter()
                        .find(|h| h.field.equiv("If-None-Match"))
                        .map(|h| h.value.as_str().to_string());
                    respond_with_site(shared, &target, if_none_match.as_deref())
                }
            }
        }
        _ => {
            text_response(405, "405 Method Not Allowed\n").with_header(header("Allow", "GET, HEAD"))
        }
    };
    let _ = request.respond(response);
}

fn respond_with_site(
    shared: &Arc<Shared>,
    target: &Target,
    if_none_match: Option<&str>,
) -> Response<std::io::Cursor<Vec<u8>>> {
    let Some(build) = shared.build.read().unwrap().clone() else {
        return error_page(shared);
    };
    let key = if target.path.is_empty() || target.path.ends_with('/') {
        format!("{}index.html", target.path)
    } else {
        target.path.clone()
    };
    let found = match build.get(&key) {
        Lookup::Found(entry) => Some(entry),
        Lookup::Missing => None,
        Lookup::Failed {
            diagnostics,
            fallback,
        } => {
            shared.hub.set_errors(&diagnostics);
            (shared.report)(Event::RenderFailed {
                diagnostics: &diagnostics,
            });
            match fallback {
                Some(entry) => Some(entry),
                None => return error_page(shared),
            }
        }
    };
    let Some(entry) = found else {
        if !key.ends_with("/index.html") && build.has_page(&format!("{key}/index.html")) {
            let query = target
                .query
                .as_ref()
                .map(|q| format!("?{q}"))
                .unwrap_or_default();
            let location = format!("/{}/{query}", encode_path(&target.path));
            return text_response(301, &format!("Moved to {location}\n"))
                .with_header(header("Location", &location));
        }
        let body = match build.get("404.html") {
            Lookup::Found(entry) => stamp(&entry, &key, build.generation),
            _ => b"404 Not Found\n".to_vec(),
        };
        return Response::from_data(body)
            .with_status_code(StatusCode(404))
            .with_header(header("Content-Type", "text/html; charset=utf-8"))
            .with_header(header("Cache-Control", "no-cache"));
    };
    let html = key.ends_with(".html");
    // Served HTML carries the build's generation, so its tag does too.
    let etag = if html {
        format!("\"{:016x}-{}\"", entry.hash, build.generation)
    } else {
        format!("\"{:016x}\"", entry.hash)
    };
    let common = |response: Response<std::io::Cursor<Vec<u8>>>| {
        response
            .with_header(header("Cache-Control", "no-cache"))
            .with_header(header("ETag", &etag))
            .with_header(header("X-Content-Type-Options", "nosniff"))
    };
    if if_none_match
        .is_some_and(|tags| tags.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
    {
        return common(Response::from_data(Vec::new()).with_status_code(StatusCode(304)));
    }
    let body = if html {
        stamp(&entry, &key, build.generation)
    } else {
        entry.bytes.clone()
    };
    common(Response::from_data(body).with_header(header("Content-Type", mime_type(&key))))
}

/// The HTML with the live-reload script's build mark replaced by the generation.
fn stamp(entry: &Entry, _path: &str, generation: u64) -> Vec<u8> {
    let bytes = &entry.bytes;
    let mark = BUILD_MARK.as_bytes();
    // The script is injected just before `</body>`: search from the end.
    let position = (0..=bytes.len().saturating_sub(mark.len()))
        .rev()
        .take(64 * 1024)
        .find(|&i| bytes[i..].starts_with(mark));
    match position {
        Some(i) => {
            let mut out = Vec::with_capacity(bytes.len() + 8);
            out.extend_from_slice(&bytes[..i]);
            out.extend_from_slice(generation.to_string().as_bytes());
            out.extend_from_slice(&bytes[i + mark.len()..]);
            out
        }
        None => bytes.clone(),
    }
}

/// Served while no build has succeeded yet: the errors show in the overlay.
fn error_page(_shared: &Shared) -> Response<std::io::Cursor<Vec<u8>>> {
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed</title></head>\n\
         <body><main><h1>The site does not build yet</h1><p>Fix the errors shown in the terminal; this page \
         reloads by itself.</p></main>\n<script data-build=\"0\">\n{LIVE_SCRIPT}</script>\n</body></html>\n"
    );
    Response::from_data(html.into_bytes())
        .with_status_code(StatusCode(500))
        .with_header(header("Content-Type", "text/html; charset=utf-8"))
        .with_header(header("Cache-Control", "no-cache"))
}

/// Percent-encodes a decoded site path for a `Location` header.
fn encode_path(path: &str) -> String {
    let mut out = String::new();
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_that_escape_are_refused() {
        for bad in [
            "/../etc/passwd",
            "/notes/../../etc/passwd",
            "/%2e%2e/%2e%2e/etc/passwd",
            "/%2e%2e%2fetc%2fpasswd",
            "/..%5c..%5cwindows",
            "/notes/%00.html",
            "//etc/passwd",
            "/%2fetc/passwd",
            "/C:/Windows/win.ini",
            "/./index.html",
            "/%zz",
            "/%c0%ae%c0%ae/",
            "http://example.org/",
            "*",
        ] {
            assert!(parse_target(bad).is_err(), "{bad} accepted");
        }
        assert!(parse_target(&format!("/{}", "a".repeat(MAX_URL))).is_err());
    }

    #[test]
    fn ordinary_targets_decode() {
        assert_eq!(
            parse_target("/").unwrap(),
            Target {
                path: String::new(),
                query: None
            }
        );
        assert_eq!(
            parse_target("/notes/a%20b/?q=x").unwrap(),
            Target {
                path: "notes/a b/".into(),
                query: Some("q=x".into())
            }
        );
        assert_eq!(
            parse_target("/static/site.css").unwrap().path,
            "static/site.css"
        );
        assert_eq!(encode_path("notes/a b"), "notes/a%20b");
    }

    #[test]
    fn types_follow_extensions() {
        assert_eq!(mime_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(mime_type("static/site.css"), "text/css; charset=utf-8");
        assert_eq!(mime_type("feeds/notes.xml"), "application/xml");
        assert_eq!(mime_type("api/notes.json"), "application/json");
        assert_eq!(mime_type("LICENSE"), "application/octet-stream");
    }
}
