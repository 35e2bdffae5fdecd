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

use std::collections::BTreeSet;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use crate::config::CONFIG_FILE;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::incremental::{Build, Changes, Project, Rebuilt};
use crate::model::FILES_FOLDER;
use crate::render::RenderOptions;

mod events;
mod http;

use events::Hub;

pub use http::{MAX_URL, Target, mime_type, parse_target};

/// The folders whose files make the site.
pub const WATCHED: &[&str] = &["notes", "principles", "pages", "theme", FILES_FOLDER];
/// Where browsers wait for reloads.
pub const EVENTS_PATH: &str = "/__guidance/events";

const LIVE_SCRIPT: &str = include_str!("serve/live.js");
/// Replaced in served HTML by the generation of the build serving it.
const BUILD_MARK: &str = "__GUIDANCE_BUILD__";
/// How long a burst of changes to several files must be quiet before the rebuild.
const MANY_FILES_QUIET: Duration = Duration::from_millis(50);
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
        /// The files whose change made the rebuild.
        changes: &'a Changes,
        elapsed: Duration,
    },
    /// Files changed but no page did (saved without edits).
    Unchanged { elapsed: Duration },
    /// The rebuild failed; the last good build, if there is one, is still served.
    Failed {
        diagnostics: &'a Diagnostics,
        last_good: bool,
    },
    /// A page rendered after the swap failed (its last good version is served).
    RenderFailed { diagnostics: &'a Diagnostics },
    /// Pages rendered after the swap that differ from the last good build's.
    AlsoChanged {
        generation: u64,
        pages: &'a [String],
    },
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
        if let Err(diagnostics) =
            rebuild(&shared, &mut project, &Changes::Everything, Instant::now())
        {
            show_failure(&shared, &diagnostics);
        }
        project.prepare_next();
        project.finish_preparing();

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
                        http::handle(request, &shared);
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
/// build and returns the diagnostics for the caller to show (see [`show_failure`]).
fn rebuild(
    shared: &Arc<Shared>,
    project: &mut Project,
    changes: &Changes,
    started: Instant,
) -> Result<(), Diagnostics> {
    match project.rebuild(changes) {
        Ok(rebuilt) => {
            let elapsed = started.elapsed();
            shared.hub.set_errors(&Diagnostics::default());
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
                    changes,
                    elapsed,
                });
                let (build, warming) = (Arc::clone(&rebuilt.build), Arc::clone(shared));
                std::thread::spawn(move || {
                    let problems = build.warm();
                    if warming.stopping.load(Ordering::SeqCst) || build.is_superseded() {
                        return;
                    }
                    if !problems.is_empty() {
                        warming.hub.set_errors(&problems);
                        (warming.report)(Event::RenderFailed {
                            diagnostics: &problems,
                        });
                    }
                    // Browsers showing pages that turned out to change reload now.
                    let changed = build.changed_since_swap();
                    if !changed.is_empty() {
                        warming.hub.amend(build.generation, changed.clone());
                        (warming.report)(Event::AlsoChanged {
                            generation: build.generation,
                            pages: &changed,
                        });
                    }
                });
            } else {
                (shared.report)(Event::Unchanged { elapsed });
            }
            Ok(())
        }
        Err(diagnostics) => Err(diagnostics),
    }
}

/// Shows a failed build's diagnostics in the browsers and the terminal; the last good build
/// stays served.
fn show_failure(shared: &Shared, diagnostics: &Diagnostics) {
    shared.hub.set_errors(diagnostics);
    (shared.report)(Event::Failed {
        diagnostics,
        last_good: shared.build.read().unwrap().is_some(),
    });
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
    let mut waiting = Watching {
        watcher: &mut watcher,
        events,
        root,
        debounce,
    };
    let mut next = None;
    while !shared.stopping.load(Ordering::SeqCst) {
        let burst = match next.take() {
            Some(burst) => burst,
            None => match waiting.next_change(Duration::from_millis(100)) {
                Watched::Change(burst) => burst,
                Watched::Nothing => continue,
                Watched::Closed => return,
            },
        };
        let started = burst.started.unwrap_or_else(Instant::now);
        let changes = if burst.everything {
            Changes::Everything
        } else {
            Changes::Files(burst.paths)
        };
        let outcome = rebuild(shared, &mut project, &changes, started);
        project.prepare_next();
        if let Err(diagnostics) = outcome {
            // A save that reaches the disk in pieces is read half-written: its next piece comes
            // soon, and the error it caused would flash in every browser for one rebuild.
            match waiting.next_change(SETTLE_AFTER_FAILURE) {
                Watched::Change(burst) => next = Some(burst),
                Watched::Nothing => show_failure(shared, &diagnostics),
                Watched::Closed => return,
            }
        }
    }
}

/// How long a failed rebuild waits for another change before it shows its error. Long enough
/// for the rest of a save written in pieces, short enough that a real mistake shows at once.
const SETTLE_AFTER_FAILURE: Duration = Duration::from_millis(300);

/// What the watcher saw within a wait.
enum Watched {
    Change(Burst),
    Nothing,
    Closed,
}

/// The file watcher and its events.
struct Watching<'a, W> {
    watcher: &'a mut W,
    events: &'a Receiver<notify::Result<notify::Event>>,
    root: &'a Path,
    debounce: Duration,
}

impl<W: Watcher> Watching<'_, W> {
    /// The next burst of changes to the project that starts within `wait`, once it is over.
    fn next_change(&mut self, wait: Duration) -> Watched {
        let deadline = Instant::now() + wait;
        let mut burst = Burst::default();
        while !burst.relevant {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.events.recv_timeout(left) {
                Ok(event) => burst.add(event, self.root, self.watcher),
                Err(RecvTimeoutError::Timeout) => return Watched::Nothing,
                Err(RecvTimeoutError::Disconnected) => return Watched::Closed,
            }
        }
        let started = burst.started.unwrap_or_else(Instant::now);
        // Wait for a quiet moment (an editor's write-then-rename, a checkout of many files),
        // but never longer than a second in all. One file settles at once; once several files
        // change, more may follow after a pause (a checkout on a busy machine), so the quiet
        // moment must be longer.
        while started.elapsed() < Duration::from_secs(1) {
            let quiet = if burst.paths.len() > 1 {
                self.debounce.max(MANY_FILES_QUIET)
            } else {
                self.debounce
            };
            match self.events.recv_timeout(quiet) {
                Ok(event) => burst.add(event, self.root, self.watcher),
                Err(_) => break,
            }
        }
        Watched::Change(burst)
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
