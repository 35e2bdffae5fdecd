//! `guidance serve`, end to end: the real binary on a free port over a temporary copy of
//! tests/fixtures/serve-site, driven with raw HTTP (so request targets reach the server exactly
//! as written) and a server-sent-events reader; plus the incremental rebuild checked against a
//! full build, and one headless-Chromium test of the live reload.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

const NOTE: &str = "notes/participatory-budgeting.md";
const NOTE_PAGE: &str = "notes/participatory-budgeting/index.html";
const WAIT: Duration = Duration::from_secs(20);

fn fixture() -> PathBuf {
    common::repo_root().join("tests/fixtures/serve-site")
}

fn temp_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture(), dir.path());
    dir
}

/// The server process; killed (and reaped) on drop, so no test leaks one.
struct Serve {
    child: Child,
    port: u16,
    log: Arc<Mutex<String>>,
}

impl Serve {
    fn start(root: &Path) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_guidance"))
            .args(["serve", "--port", "0", "--root"])
            .arg(root)
            .env("NO_COLOR", "1")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start guidance serve");
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        stdout.read_line(&mut line).unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| {
                let _ = child.kill();
                panic!("no URL printed: {line:?}; log: {}", log.lock().unwrap())
            });
        assert!(
            url.starts_with("http://127.0.0.1:"),
            "binds to 127.0.0.1 by default: {url}"
        );
        let port = url
            .trim_start_matches("http://127.0.0.1:")
            .trim_end_matches('/')
            .parse()
            .unwrap();
        std::thread::spawn(move || for _ in stdout.lines() {});
        Serve { child, port, log }
    }

    fn get(&self, target: &str) -> Reply {
        self.request("GET", target, &[])
    }

    fn request(&self, method: &str, target: &str, headers: &[(&str, &str)]) -> Reply {
        request(self.port, method, target, headers)
    }

    fn events(&self, since: Option<u64>) -> Events {
        Events::connect(self.port, since)
    }

    /// The generation stamped into a served page.
    fn generation(&self) -> u64 {
        let body = self.get("/").text();
        let at = body.find("data-build=\"").expect("live script injected") + 12;
        body[at..].split('"').next().unwrap().parse().unwrap()
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.0 exchange with the target sent byte for byte as given.
fn request(port: u16, method: &str, target: &str, headers: &[(&str, &str)]) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream.set_read_timeout(Some(WAIT)).unwrap();
    let mut head = format!("{method} {target} HTTP/1.0\r\nHost: 127.0.0.1\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response head");
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split_whitespace()
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Reply {
        status,
        headers,
        body: raw[split + 4..].to_vec(),
    }
}

/// A reader of the reload channel: (event name, JSON data) in arrival order.
struct Events {
    receiver: Receiver<(String, Value)>,
    _stream: TcpStream,
}

impl Events {
    fn connect(port: u16, since: Option<u64>) -> Events {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let query = since.map(|s| format!("?since={s}")).unwrap_or_default();
        write!(stream, "GET /__guidance/events{query} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n").unwrap();
        let reader = BufReader::new(stream.try_clone().unwrap());
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut name = String::new();
            for line in reader.lines().map_while(Result::ok) {
                if let Some(n) = line.strip_prefix("event: ") {
                    name = n.to_string();
                } else if let Some(data) = line.strip_prefix("data: ") {
                    let value = serde_json::from_str(data).expect("event data is JSON");
                    if sender.send((std::mem::take(&mut name), value)).is_err() {
                        return;
                    }
                }
            }
        });
        Events {
            receiver,
            _stream: stream,
        }
    }

    /// The next event named `name` that satisfies `test`, skipping others.
    fn wait(&self, name: &str, test: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + WAIT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.receiver.recv_timeout(left) {
                Ok((n, data)) if n == name && test(&data) => return data,
                Ok(_) => {}
                Err(e) => panic!("no `{name}` event: {e:?}"),
            }
        }
    }

    /// Every event that arrives within `time`.
    fn drain(&self, time: Duration) -> Vec<(String, Value)> {
        let deadline = Instant::now() + time;
        let mut events = Vec::new();
        loop {
            match self
                .receiver
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            {
                Ok(event) => events.push(event),
                Err(RecvTimeoutError::Timeout) => return events,
                Err(e) => panic!("event stream closed: {e:?}"),
            }
        }
    }
}

fn changed(data: &Value) -> Vec<String> {
    data["changed"]
        .as_array()
        .map(|a| a.iter().map(|p| p.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn lists(data: &Value, path: &str) -> bool {
    data["changed"].is_null() || changed(data).iter().any(|p| p == path)
}

fn edit(root: &Path, file: &str, from: &str, to: &str) {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

#[test]
fn an_edit_reloads_with_the_new_content() {
    let dir = temp_copy();
    let serve = Serve::start(dir.path());
    let before = serve.get("/notes/participatory-budgeting/");
    assert_eq!(before.status, 200);
    assert!(before.text().contains("SERVE-FIXTURE-ORIGINAL-TEXT"));
    let events = serve.events(Some(serve.generation()));
    events.wait("errors", |d| d["diagnostics"] == serde_json::json!([]));

    edit(
        dir.path(),
        NOTE,
        "SERVE-FIXTURE-ORIGINAL-TEXT",
        "SERVE-FIXTURE-EDITED-TEXT",
    );
    let build = events.wait("build", |d| lists(d, NOTE_PAGE));
    // The edited page at once; pages rendered later only if their bytes changed: a body edit
    // changes the note, its pages in the other languages (which show the original: the fixture
    // has no translations) and the print editions (which hold every body), not the lists that
    // show the note's title and summary, nor anything unrelated.
    let mut paths = changed(&build);
    let fallback = format!("fr/{NOTE_PAGE}");
    let deadline = Instant::now() + WAIT;
    while !paths.contains(&fallback) && Instant::now() < deadline {
        let more = events.wait("build", |d| d["generation"] == build["generation"]);
        paths.extend(changed(&more));
    }
    for (name, data) in events.drain(Duration::from_millis(1500)) {
        if name == "build" {
            assert_eq!(data["generation"], build["generation"], "one rebuild");
            paths.extend(changed(&data));
        }
    }
    assert!(paths.iter().any(|p| p == "print/index.html"), "{paths:?}");
    for lang in ["fr", "es", "ar", "zh", "ru"] {
        let page = format!("{lang}/{NOTE_PAGE}");
        assert!(paths.contains(&page), "{page} not listed: {paths:?}");
    }
    for path in &paths {
        assert!(
            path.ends_with(NOTE_PAGE) || path.ends_with("print/index.html"),
            "{path} listed as changed by a body edit: {paths:?}"
        );
    }
    let french = serve.get("/fr/notes/participatory-budgeting/").text();
    assert!(
        french.contains("SERVE-FIXTURE-EDITED-TEXT") && french.contains("<html lang=\"fr\""),
        "the French page shows the edited original"
    );

    // A title edit changes the lists too: they are listed once rendered.
    edit(
        dir.path(),
        NOTE,
        "title: Participatory budgeting",
        "title: Participatory budgeting, edited",
    );
    let build = events.wait("build", |d| lists(d, NOTE_PAGE));
    let mut paths = changed(&build);
    let deadline = Instant::now() + WAIT;
    let listed = |paths: &[String], page: &str| paths.iter().any(|p| p == page);
    while ![
        "notes/index.html",
        "principles/participation/index.html",
        "countries/bra/index.html",
    ]
    .iter()
    .all(|page| listed(&paths, page))
        && Instant::now() < deadline
    {
        let more = events.wait("build", |d| d["generation"] == build["generation"]);
        paths.extend(changed(&more));
    }
    for page in [
        "notes/index.html",
        "principles/participation/index.html",
        "countries/bra/index.html",
    ] {
        assert!(
            listed(&paths, page),
            "{page} not listed after a title edit: {paths:?}"
        );
    }
    for page in [
        "countries/guy/index.html",
        "about/index.html",
        "static/site.css",
    ] {
        assert!(
            !listed(&paths, page),
            "{page} listed for an unrelated edit: {paths:?}"
        );
    }
    let after = serve.get("/notes/participatory-budgeting/");
    assert_eq!(after.status, 200);
    assert!(
        after.text().contains("SERVE-FIXTURE-EDITED-TEXT"),
        "stale page after the reload signal"
    );
    assert_ne!(before.header("ETag"), after.header("ETag"));
    assert_eq!(after.header("Cache-Control"), Some("no-cache"));
    // The terminal names the file and says what changed.
    let reported = format!("{NOTE} changed: rebuilt in ");
    let deadline = Instant::now() + WAIT;
    while !serve.log().contains("more changed once rendered") && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    let log = serve.log();
    assert!(
        log.contains(&reported) && log.contains("1 page to reload"),
        "{log}"
    );
    assert!(log.contains("more changed once rendered: "), "{log}");

    // Saved without a change: a build that lists nothing, then or later.
    let text = std::fs::read_to_string(dir.path().join(NOTE)).unwrap();
    std::fs::write(dir.path().join(NOTE), text).unwrap();
    let last = build["generation"].as_u64().unwrap();
    let build = events.wait("build", |d| d["generation"].as_u64() > Some(last));
    assert_eq!(changed(&build), Vec::<String>::new());
    for (name, data) in events.drain(Duration::from_millis(1000)) {
        assert!(name != "build" || changed(&data).is_empty(), "{data}");
    }
}

#[test]
fn broken_front_matter_shows_an_overlay_until_fixed() {
    let dir = temp_copy();
    let serve = Serve::start(dir.path());
    let events = serve.events(None);
    events.wait("errors", |d| d["diagnostics"] == serde_json::json!([]));

    edit(
        dir.path(),
        NOTE,
        "title: Participatory budgeting",
        "title: [Participatory budgeting",
    );
    let errors = events.wait("errors", |d| {
        d["diagnostics"].as_array().is_some_and(|a| !a.is_empty())
    });
    let first = &errors["diagnostics"][0];
    assert_eq!(first["file"], NOTE, "{errors}");
    assert_eq!(first["line"], 2, "{errors}");
    assert_eq!(first["column"], 8, "{errors}");
    assert_eq!(first["severity"], "error");
    assert!(first["message"].as_str().is_some_and(|m| !m.is_empty()));
    assert!(first["help"].as_str().is_some_and(|h| !h.is_empty()));
    // The last good build is still served, and the terminal shows the diagnostic.
    let page = serve.get("/notes/participatory-budgeting/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("SERVE-FIXTURE-ORIGINAL-TEXT"));
    let deadline = Instant::now() + WAIT;
    while !serve.log().contains(&format!("{NOTE}:2:8")) {
        assert!(
            Instant::now() < deadline,
            "terminal shows no file:line:col: {}",
            serve.log()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    // A browser that connects now sees the errors at once.
    let late = serve.events(None);
    late.wait("errors", |d| d["diagnostics"][0]["file"] == NOTE);

    edit(
        dir.path(),
        NOTE,
        "title: [Participatory budgeting",
        "title: Participatory budgeting",
    );
    events.wait("errors", |d| d["diagnostics"] == serde_json::json!([]));
    late.wait("errors", |d| d["diagnostics"] == serde_json::json!([]));
}

#[test]
fn a_site_that_does_not_build_yet_is_served_once_fixed() {
    let dir = temp_copy();
    edit(
        dir.path(),
        NOTE,
        "principle: participation",
        "principle: participatoin",
    );
    let serve = Serve::start(dir.path());
    let page = serve.get("/");
    assert_eq!(page.status, 500);
    assert!(
        page.text().contains("/__guidance/events"),
        "the error page waits for a fix"
    );
    let events = serve.events(Some(0));
    let errors = events.wait("errors", |d| {
        d["diagnostics"].as_array().is_some_and(|a| !a.is_empty())
    });
    let list = errors["diagnostics"].as_array().unwrap();
    assert!(
        list.iter()
            .any(|d| d["code"] == "unknown-principle" && d["file"] == NOTE && d["line"] == 3),
        "{errors}"
    );

    edit(
        dir.path(),
        NOTE,
        "principle: participatoin",
        "principle: participation",
    );
    // The overlay is cleared, then the first good build is announced.
    events.wait("errors", |d| d["diagnostics"] == serde_json::json!([]));
    events.wait("build", |d| d["changed"].is_null());
    assert_eq!(serve.get("/").status, 200);
}

#[test]
fn a_deleted_note_is_gone_and_comes_back() {
    let dir = temp_copy();
    let serve = Serve::start(dir.path());
    let events = serve.events(Some(serve.generation()));
    let note = dir.path().join("notes/open-government-data.md");
    let text = std::fs::read_to_string(&note).unwrap();
    assert_eq!(serve.get("/notes/open-government-data/").status, 200);

    std::fs::remove_file(&note).unwrap();
    events.wait("build", |d| {
        lists(d, "notes/open-government-data/index.html")
    });
    let gone = serve.get("/notes/open-government-data/");
    assert_eq!(gone.status, 404);
    assert!(gone.text().contains("<html"), "the site's 404 page");
    assert!(
        !serve.get("/notes/").text().contains("open-government-data"),
        "the index still lists it"
    );
    // MUS was cited only by this note: its page goes too.
    assert_eq!(serve.get("/countries/mus/").status, 404);

    std::fs::write(&note, text).unwrap();
    events.wait("build", |d| {
        lists(d, "notes/open-government-data/index.html")
    });
    assert_eq!(serve.get("/notes/open-government-data/").status, 200);
    assert_eq!(serve.get("/countries/mus/").status, 200);
    assert!(serve.get("/notes/").text().contains("open-government-data"));
}

#[test]
fn a_note_in_a_renamed_folder_is_gone_when_the_folder_is() {
    let dir = temp_copy();
    let serve = Serve::start(dir.path());
    let events = serve.events(Some(serve.generation()));
    let note = "open-government-data.md";
    // Each step waits until the server has dealt with it (one more line in its log).
    let step = |change: &dyn Fn()| {
        let lines = serve.log().lines().count();
        change();
        let deadline = Instant::now() + WAIT;
        while serve.log().lines().count() == lines {
            assert!(Instant::now() < deadline, "no rebuild: {}", serve.log());
            std::thread::sleep(Duration::from_millis(20));
        }
        // A burst of events may still be on its way.
        std::thread::sleep(Duration::from_millis(300));
    };
    step(&|| {
        std::fs::create_dir_all(dir.path().join("notes/y/q")).unwrap();
        std::fs::rename(
            dir.path().join("notes").join(note),
            dir.path().join("notes/y/q").join(note),
        )
        .unwrap();
    });
    assert_eq!(serve.get("/notes/open-government-data/").status, 200);
    // Renaming the folder changes no page, but the note's file is elsewhere now.
    step(&|| {
        std::fs::rename(dir.path().join("notes/y"), dir.path().join("notes/z")).unwrap();
    });
    assert_eq!(serve.get("/notes/open-government-data/").status, 200);
    std::fs::remove_dir_all(dir.path().join("notes/z")).unwrap();
    events.wait("build", |d| {
        lists(d, "notes/open-government-data/index.html")
    });
    assert_eq!(serve.get("/notes/open-government-data/").status, 404);
}

#[test]
fn traversal_attempts_never_leave_the_build() {
    let dir = temp_copy();
    std::fs::write(dir.path().join("secret.txt"), "TOP-SECRET-MARKER").unwrap();
    let serve = Serve::start(dir.path());
    let targets = [
        "/../secret.txt",
        "/../../../../etc/passwd",
        "/notes/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2e%2e%2fsecret.txt",
        "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/C:/Windows/win.ini",
        "/notes%00/index.html",
        "/index.html%00.txt",
        "/%c0%ae%c0%ae/secret.txt",
        "/%252e%252e/secret.txt",
        "/secret.txt",
        "/notes/open-budget-processes.md",
        "/guidance.yaml",
        "http://127.0.0.1/../secret.txt",
    ];
    for target in targets {
        let reply = serve.get(target);
        assert!(
            reply.status == 400 || reply.status == 404,
            "{target}: {}",
            reply.status
        );
        let text = reply.text();
        assert!(
            !text.contains("TOP-SECRET-MARKER") && !text.contains("root:x:"),
            "{target} leaked a file"
        );
    }
    let long = format!("/{}", "a/".repeat(2000));
    assert_eq!(serve.get(&long).status, 400);
    // The server is still fine.
    assert_eq!(serve.get("/").status, 200);
}

#[test]
fn head_types_not_found_redirects_and_revalidation() {
    let dir = temp_copy();
    let serve = Serve::start(dir.path());

    let head = serve.request("HEAD", "/", &[]);
    assert_eq!(head.status, 200);
    assert!(head.body.is_empty(), "HEAD has no body");
    let get = serve.get("/");
    assert_eq!(
        head.header("Content-Length").unwrap(),
        get.body.len().to_string()
    );
    assert_eq!(head.header("ETag"), get.header("ETag"));

    for (target, mime) in [
        ("/", "text/html; charset=utf-8"),
        ("/static/site.css", "text/css; charset=utf-8"),
        ("/feeds/notes.xml", "application/xml"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/api/notes.json", "application/json"),
    ] {
        let reply = serve.get(target);
        assert_eq!(reply.status, 200, "{target}");
        assert_eq!(reply.header("Content-Type"), Some(mime), "{target}");
        assert_eq!(reply.header("Cache-Control"), Some("no-cache"), "{target}");
        assert!(reply.header("ETag").is_some(), "{target}");
    }

    let missing = serve.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("<html"), "the site's own 404 page");
    assert_eq!(
        missing.header("Content-Type"),
        Some("text/html; charset=utf-8")
    );
    assert_eq!(serve.request("HEAD", "/no/such/page/", &[]).status, 404);

    let redirect = serve.get("/notes/participatory-budgeting?x=1");
    assert_eq!(redirect.status, 301);
    assert_eq!(
        redirect.header("Location"),
        Some("/notes/participatory-budgeting/?x=1")
    );
    assert_eq!(serve.get("/notes").header("Location"), Some("/notes/"));
    assert_eq!(
        serve
            .get("/notes/participatory-budgeting/index.html")
            .status,
        200
    );

    let etag = get.header("ETag").unwrap().to_string();
    let cached = serve.request("GET", "/", &[("If-None-Match", &etag)]);
    assert_eq!(cached.status, 304);
    assert!(cached.body.is_empty());

    assert_eq!(serve.request("POST", "/", &[]).status, 405);
    // A build's pages carry the live-reload script; the folder it would write is untouched.
    assert!(get.text().contains("/__guidance/events"));
    assert!(!dir.path().join("site").exists(), "serve wrote into site/");
    // ...and `guidance build` output never has it.
    let (_guard, site) = common::build_to_temp(&fixture());
    for entry in walkdir::WalkDir::new(&site) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() && entry.path().extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(entry.path()).unwrap();
            assert!(
                !html.contains("__guidance"),
                "{} has the live-reload script",
                entry.path().display()
            );
        }
    }
}

#[test]
fn two_hundred_requests_during_a_rebuild_all_succeed() {
    let dir = temp_copy();
    let serve = Serve::start(dir.path());
    // Subscribed from the first build on, so no rebuild is missed while the streams connect.
    let first = serve.generation();
    let events = serve.events(Some(first));
    // Open reload streams must not hold up page requests.
    let tabs: Vec<Events> = (0..12).map(|_| serve.events(Some(first))).collect();
    let port = serve.port;
    let targets = [
        "/",
        "/notes/",
        NOTE_PAGE,
        "/principles/participation/",
        "/countries/",
        "/static/site.css",
        "/api/notes.json",
    ];
    let root = dir.path().to_path_buf();
    let editor = std::thread::spawn(move || {
        edit(&root, NOTE, "SERVE-FIXTURE-ORIGINAL-TEXT", "EDIT-0-");
        for i in 1..6 {
            edit(
                &root,
                NOTE,
                &format!("EDIT-{}-", i - 1),
                &format!("EDIT-{i}-"),
            );
            std::thread::sleep(Duration::from_millis(30));
        }
    });
    let clients: Vec<_> = (0..200)
        .map(|i| {
            let target = targets[i % targets.len()];
            let target = if target.starts_with('/') {
                target.to_string()
            } else {
                format!("/{target}")
            };
            std::thread::spawn(move || (target.clone(), request(port, "GET", &target, &[])))
        })
        .collect();
    for client in clients {
        let (target, reply) = client.join().unwrap();
        assert_eq!(reply.status, 200, "{target}");
        assert!(!reply.body.is_empty(), "{target}");
    }
    editor.join().unwrap();
    events.wait("build", |d| lists(d, NOTE_PAGE));
    for tab in &tabs {
        tab.wait("build", |_| true);
    }
}

#[test]
fn a_burst_of_changes_makes_one_rebuild() {
    let dir = temp_copy();
    let serve = Serve::start(dir.path());
    let events = serve.events(Some(serve.generation()));
    events.drain(Duration::from_millis(300));
    // A checkout of many files: 30 new notes written as fast as possible.
    for i in 0..30 {
        let text = format!(
            "---\ntitle: Burst note {i}\nprinciple: transparency\nsummary: One of many.\n---\nBody {i}.\n"
        );
        std::fs::write(dir.path().join(format!("notes/burst-{i:02}.md")), text).unwrap();
    }
    let build = events.wait("build", |d| lists(d, "notes/burst-29/index.html"));
    assert!(
        changed(&build)
            .iter()
            .any(|p| p == "notes/burst-00/index.html"),
        "one build for the burst"
    );
    // Pages rendered after the swap may be listed later under the same build, never a new one.
    let more = events.drain(Duration::from_millis(800));
    assert!(
        more.iter()
            .all(|(name, d)| name != "build" || d["generation"] == build["generation"]),
        "extra rebuilds: {more:?}"
    );

    // An editor's save: write a temporary file, then rename it over the note.
    let temp = dir.path().join("notes/.participatory-budgeting.md.swp");
    let text = std::fs::read_to_string(dir.path().join(NOTE)).unwrap();
    std::fs::write(
        &temp,
        text.replace("SERVE-FIXTURE-ORIGINAL-TEXT", "SAVED-BY-RENAME"),
    )
    .unwrap();
    std::fs::rename(&temp, dir.path().join(NOTE)).unwrap();
    let build = events.wait("build", |d| lists(d, NOTE_PAGE));
    assert!(
        serve
            .get("/notes/participatory-budgeting/")
            .text()
            .contains("SAVED-BY-RENAME")
    );
    let more = events.drain(Duration::from_millis(500));
    assert!(
        more.iter()
            .all(|(name, d)| name != "build" || d["generation"] == build["generation"]),
        "extra rebuilds: {more:?}"
    );
}

#[test]
fn a_save_written_in_pieces_shows_no_error_in_between() {
    let dir = temp_copy();
    let serve = Serve::start(dir.path());
    let events = serve.events(Some(serve.generation()));
    events.drain(Duration::from_millis(300));
    // Some editors truncate the file and write it in pieces: read between them, the note's
    // front matter never closes.
    let path = dir.path().join(NOTE);
    let text = std::fs::read_to_string(&path)
        .unwrap()
        .replace("SERVE-FIXTURE-ORIGINAL-TEXT", "SAVED-IN-PIECES");
    let mut file = std::fs::File::create(&path).unwrap();
    file.write_all(&text.as_bytes()[..20]).unwrap();
    std::thread::sleep(Duration::from_millis(40));
    file.write_all(&text.as_bytes()[20..]).unwrap();
    drop(file);

    let seen = events.drain(Duration::from_millis(2000));
    let errors: Vec<_> = seen
        .iter()
        .filter(|(name, d)| name == "errors" && d["diagnostics"] != serde_json::json!([]))
        .collect();
    assert!(errors.is_empty(), "an error flashed: {errors:?}");
    assert!(
        seen.iter()
            .any(|(name, d)| name == "build" && lists(d, NOTE_PAGE)),
        "no rebuild: {seen:?}"
    );
    assert!(
        serve
            .get("/notes/participatory-budgeting/")
            .text()
            .contains("SAVED-IN-PIECES")
    );
}

#[test]
fn a_template_change_rebuilds_everything() {
    let dir = temp_copy();
    let serve = Serve::start(dir.path());
    let events = serve.events(Some(serve.generation()));
    let theme = dir.path().join("theme/templates");
    std::fs::create_dir_all(&theme).unwrap();
    let original = common::repo_root().join("src/theme/templates/404.html");
    let text = std::fs::read_to_string(original).unwrap();
    std::fs::write(
        theme.join("404.html"),
        text.replacen("{% endblock %}", "<p>THEME-OVERRIDE</p>{% endblock %}", 1),
    )
    .unwrap();
    events.wait("build", |d| lists(d, "404.html"));
    assert!(serve.get("/missing/").text().contains("THEME-OVERRIDE"));
    assert!(serve.log().contains("built"), "{}", serve.log());
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let output = Command::new(env!("CARGO_BIN_EXE_guidance"))
        .args(["serve", "--port", &port, "--root"])
        .arg(fixture())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!("port {port} is already in use")),
        "{stderr}"
    );
    assert!(stderr.contains("--port 0"), "{stderr}");
}

#[test]
fn ctrl_c_stops_cleanly() {
    let dir = temp_copy();
    let mut serve = Serve::start(dir.path());
    let _stream = serve.events(None);
    let status = Command::new("kill")
        .args(["-INT", &serve.child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = serve.child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status:?}");
            break;
        }
        assert!(Instant::now() < deadline, "still running after Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_file_under_files_is_served_and_the_pages_showing_it_reload() {
    let dir = temp_copy();
    let root = dir.path();
    let serve = Serve::start(root);
    let events = serve.events(Some(serve.generation()));
    events.wait("errors", |d| d["diagnostics"] == serde_json::json!([]));
    assert_eq!(serve.get("/files/chart.png").status, 404);

    // The project has no files/ yet: the folder is made while the server runs.
    std::fs::create_dir(root.join("files")).unwrap();
    std::fs::write(root.join("files/chart.png"), b"PNG-ONE").unwrap();
    events.wait("build", |d| lists(d, "files/chart.png"));
    let chart = serve.get("/files/chart.png");
    assert_eq!(chart.status, 200);
    assert_eq!(chart.body, b"PNG-ONE");
    assert_eq!(chart.header("Content-Type"), Some("image/png"));

    // A note shows it, linked relative to the note's page.
    edit(
        root,
        NOTE,
        "SERVE-FIXTURE-ORIGINAL-TEXT: people see where the money goes.",
        "SERVE-FIXTURE-ORIGINAL-TEXT: people see where the money goes.\n\n![A chart](../files/chart.png)",
    );
    events.wait("build", |d| lists(d, NOTE_PAGE));
    let page = serve.get("/notes/participatory-budgeting/").text();
    assert!(
        page.contains("<img src=\"../../files/chart.png\" alt=\"A chart\""),
        "{page}"
    );

    // New bytes: the file is served at once, and the pages showing it (in every language, and
    // the print edition) are told to reload; no other page is.
    std::fs::write(root.join("files/chart.png"), b"PNG-TWO").unwrap();
    let build = events.wait("build", |d| lists(d, "files/chart.png"));
    let paths = changed(&build);
    for page in [
        NOTE_PAGE.to_string(),
        format!("fr/{NOTE_PAGE}"),
        "print/index.html".to_string(),
    ] {
        assert!(paths.contains(&page), "{page} not listed: {paths:?}");
    }
    assert!(
        !paths.iter().any(|p| p.contains("open-budget-processes")),
        "{paths:?}"
    );
    assert_eq!(serve.get("/files/chart.png").body, b"PNG-TWO");

    // Deleted while a note shows it: an error at the image, and the last good build stays.
    std::fs::remove_file(root.join("files/chart.png")).unwrap();
    let errors = events.wait("errors", |d| {
        d["diagnostics"].as_array().is_some_and(|a| !a.is_empty())
    });
    assert!(
        errors["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["code"] == "missing-file" && d["file"] == NOTE),
        "{errors}"
    );
    assert_eq!(serve.get("/files/chart.png").body, b"PNG-TWO");
}

/// What a full build makes of `root`: the model (as its debug text), the warnings, every file.
fn full_build(
    root: &Path,
    options: &guidance::render::RenderOptions,
) -> (String, Vec<String>, Vec<guidance::OutputFile>) {
    let (site, warnings) = guidance::load_site(root).unwrap_or_else(|d| panic!("{d}"));
    let theme = guidance::theme::Theme::load(root).unwrap();
    let files = guidance::generate(&site, &theme, options.clone()).unwrap();
    let warnings = warnings.iter().map(|w| format!("{w}")).collect();
    (format!("{site:#?}"), warnings, files)
}

/// Asserts that an incremental rebuild serves exactly what a full build of the same files makes,
/// and that its model and warnings are the full build's too.
fn assert_matches_full(
    name: &str,
    root: &Path,
    options: &guidance::render::RenderOptions,
    rebuilt: &guidance::incremental::Rebuilt,
) {
    use guidance::incremental::Lookup;
    let (site, warnings, full) = full_build(root, options);
    let build = &rebuilt.build;
    assert!(
        format!("{:#?}", build.site()) == site,
        "{name}: the model differs from a full link"
    );
    let got: Vec<String> = rebuilt.warnings.iter().map(|w| format!("{w}")).collect();
    assert_eq!(got, warnings, "{name}: different warnings");
    let paths: Vec<String> = full.iter().map(|f| f.path.clone()).collect();
    assert_eq!(build.paths(), paths, "{name}: different files");
    for file in &full {
        match build.get(&file.path) {
            Lookup::Found(entry) => assert!(
                entry.bytes == file.bytes,
                "{name}: {} differs from a full build",
                file.path
            ),
            other => panic!("{name}: {} is {other:?}", file.path),
        }
    }
}

/// The Markdown files of the project's documents and translations, from the project root
/// (`notes/x.md`, `notes/x.fr.md`), each with its slug and language suffix (`x`, `.fr` or "").
fn document_files(root: &Path) -> Vec<(String, String, String)> {
    let mut files = Vec::new();
    for folder in ["notes", "principles", "pages"] {
        for entry in std::fs::read_dir(root.join(folder)).unwrap() {
            let name = entry.unwrap().file_name().into_string().unwrap();
            if let Some(stem) = name.strip_suffix(".md") {
                let (slug, lang) = stem.split_at(stem.find('.').unwrap_or(stem.len()));
                files.push((
                    format!("{folder}/{name}"),
                    slug.to_string(),
                    lang.to_string(),
                ));
            }
        }
    }
    files
}

/// Writes a French translation (title and a line of text) of each document of the project whose
/// path `which` takes; returns the paths written.
fn translate_into_french(root: &Path, which: impl Fn(&str) -> bool) -> Vec<&'static str> {
    let mut written = Vec::new();
    for (path, slug, lang) in document_files(root) {
        if lang.is_empty() && which(&path) {
            let translation = path.replace(".md", ".fr.md");
            let text = format!("---\ntitle: Traduction de {slug}\n---\nTexte en français.\n");
            std::fs::write(root.join(&translation), text).unwrap();
            written.push(&*Box::leak(translation.into_boxed_str()));
        }
    }
    written
}

/// Removes the French translations whose path `which` takes; returns their paths.
fn remove_french(root: &Path, which: impl Fn(&str) -> bool) -> Vec<&'static str> {
    let mut removed = Vec::new();
    for (path, _, lang) in document_files(root) {
        if lang == ".fr" && which(&path) {
            std::fs::remove_file(root.join(&path)).unwrap();
            removed.push(&*Box::leak(path.into_boxed_str()));
        }
    }
    removed
}

/// After every kind of edit, the incremental build serves exactly what a full build makes. Edits
/// of notes only patch the model (no full load and link); anything else loads everything.
#[test]
fn incremental_rebuilds_match_full_builds() {
    use guidance::incremental::{Changes, Lookup, Project};
    use guidance::render::RenderOptions;

    let dir = temp_copy();
    let root = dir.path();
    let options = RenderOptions {
        inject: Some("<script>/* live */</script>".into()),
        ..RenderOptions::default()
    };
    let mut project = Project::new(root, options.clone());
    project.rebuild(&Changes::Everything).unwrap();
    project.prepare_next();
    const BUDGETS: &str = "notes/open-budget-processes.md";
    const DATA: &str = "notes/open-government-data.md";
    const COMMUNITY: &str = "notes/community-driven-development.md";
    type Step = Box<dyn Fn(&Path) -> Vec<&'static str>>;
    // (name, the edit, whether the model is patched)
    let steps: Vec<(&str, Step, bool)> = vec![
        (
            "body",
            Box::new(|r| {
                edit(r, NOTE, "SERVE-FIXTURE-ORIGINAL-TEXT", "a new body");
                vec![NOTE]
            }),
            true,
        ),
        (
            "title of a linked note",
            Box::new(|r| {
                edit(
                    r,
                    BUDGETS,
                    "title: Open budget processes",
                    "title: Budgets in the open",
                );
                vec![BUDGETS]
            }),
            true,
        ),
        (
            "heading and the link to it, in one burst",
            Box::new(|r| {
                edit(r, BUDGETS, "## At a glance", "## In brief");
                edit(r, NOTE, "#at-a-glance", "#in-brief");
                vec![BUDGETS, NOTE]
            }),
            true,
        ),
        (
            "a new country",
            Box::new(|r| {
                edit(r, DATA, "[GUY, MUS]", "[GUY, MUS, KEN]");
                vec![DATA]
            }),
            true,
        ),
        (
            "a country no longer cited",
            Box::new(|r| {
                edit(r, DATA, "[GUY, MUS, KEN]", "[GUY, MUS]");
                vec![DATA]
            }),
            true,
        ),
        (
            "principle",
            Box::new(|r| {
                edit(
                    r,
                    COMMUNITY,
                    "principle: participation\nstrategy: Community-driven development",
                    "principle: transparency",
                );
                vec![COMMUNITY]
            }),
            true,
        ),
        (
            "a warning",
            Box::new(|r| {
                edit(
                    r,
                    DATA,
                    "related_principles: [participation]",
                    "related_principles: [participation, transparency]",
                );
                vec![DATA]
            }),
            true,
        ),
        (
            "new note",
            Box::new(|r| {
                std::fs::write(r.join("notes/aaa-first.md"), "---\ntitle: First\nprinciple: transparency\ncountries: [FJI]\nsummary: New.\n---\nLinks to [budgeting](note:participatory-budgeting).\n").unwrap();
                vec!["notes/aaa-first.md"]
            }),
            true,
        ),
        (
            "deleted note",
            Box::new(|r| {
                std::fs::remove_file(r.join(DATA)).unwrap();
                vec![DATA]
            }),
            true,
        ),
        (
            "an editor's temporary file, gone again",
            Box::new(|r| {
                std::fs::write(r.join("notes/4913"), "").unwrap();
                std::fs::remove_file(r.join("notes/4913")).unwrap();
                vec!["notes/4913"]
            }),
            true,
        ),
        (
            "a file and the image that shows it, in one burst",
            Box::new(|r| {
                std::fs::create_dir_all(r.join("files")).unwrap();
                std::fs::write(r.join("files/chart.png"), b"PNG-ONE").unwrap();
                edit(
                    r,
                    NOTE,
                    "a new body",
                    "a new body\n\n![A chart](../files/chart.png)\n\nthen",
                );
                vec!["files/chart.png", NOTE]
            }),
            false,
        ),
        (
            "a file's bytes",
            Box::new(|r| {
                std::fs::write(r.join("files/chart.png"), b"PNG-TWO").unwrap();
                vec!["files/chart.png"]
            }),
            false,
        ),
        (
            "a file nothing shows, in a new folder",
            Box::new(|r| {
                std::fs::create_dir_all(r.join("files/reports")).unwrap();
                std::fs::write(r.join("files/reports/2024.pdf"), b"%PDF-1.4").unwrap();
                vec!["files/reports"]
            }),
            false,
        ),
        (
            "page",
            Box::new(|r| {
                edit(r, "pages/about.md", "two principles", "2 principles");
                vec!["pages/about.md"]
            }),
            false,
        ),
        (
            "home",
            Box::new(|r| {
                edit(r, "pages/home.md", "A small fixture", "A tiny fixture");
                vec!["pages/home.md"]
            }),
            false,
        ),
        (
            "principle file",
            Box::new(|r| {
                edit(
                    r,
                    "principles/transparency.md",
                    "Governments publish",
                    "States publish",
                );
                vec!["principles/transparency.md"]
            }),
            false,
        ),
        (
            "body after a full relink",
            Box::new(|r| {
                edit(r, NOTE, "a new body", "a newer body");
                vec![NOTE]
            }),
            true,
        ),
        (
            "every document but one translated into French",
            Box::new(|r| translate_into_french(r, |path| path != NOTE)),
            false,
        ),
        (
            "the last French translation",
            Box::new(|r| translate_into_french(r, |path| path == NOTE)),
            false,
        ),
        (
            "a French translation removed",
            Box::new(|r| remove_french(r, |path| path == "notes/participatory-budgeting.fr.md")),
            false,
        ),
        (
            "the French translations removed",
            Box::new(|r| remove_french(r, |_| true)),
            false,
        ),
    ];
    // Where a language's last untranslated document is translated, or one is no longer, every
    // page in it changes: its search box says whether part of the site is only in English.
    let every_page = [
        "principle file",
        "every document but one translated into French",
        "the last French translation",
        "a French translation removed",
        "the French translations removed",
    ];
    let files = |paths: &[&str]| Changes::Files(paths.iter().map(|p| p.to_string()).collect());
    for (name, step, patched) in steps {
        let paths = step(root);
        let rebuilt = project
            .rebuild(&files(&paths))
            .unwrap_or_else(|d| panic!("{name}: {d}"));
        assert_matches_full(name, root, &options, &rebuilt);
        assert_eq!(rebuilt.patched, patched, "{name}: patched");
        assert_eq!(
            rebuilt.full,
            every_page.contains(&name),
            "{name}: everything rebuilt"
        );
        project.prepare_next();
    }
    assert!(
        project
            .current()
            .unwrap()
            .site()
            .notes
            .iter()
            .any(|n| n.slug == "aaa-first")
    );

    // Deleting a note that another links to is an error, reported as a full build reports it;
    // restoring it makes the same site as a full build again.
    let budgets = std::fs::read_to_string(root.join(BUDGETS)).unwrap();
    std::fs::remove_file(root.join(BUDGETS)).unwrap();
    let Err(error) = project.rebuild(&files(&[BUDGETS])) else {
        panic!("a note linked from another was deleted without an error");
    };
    let full_error = guidance::load_site(root).unwrap_err();
    assert_eq!(format!("{error}"), format!("{full_error}"));
    assert!(
        format!("{error}").contains("open-budget-processes"),
        "{error}"
    );
    project.prepare_next();
    std::fs::write(root.join(BUDGETS), budgets).unwrap();
    let rebuilt = project.rebuild(&files(&[BUDGETS])).unwrap();
    assert_matches_full("restored note", root, &options, &rebuilt);
    assert!(rebuilt.patched, "restored note: patched");
    project.prepare_next();

    // A broken file stays broken until it is fixed, whatever else changes meanwhile: what was
    // read before the breakage is never reused for it.
    edit(
        root,
        NOTE,
        "title: Participatory budgeting",
        "title: [Participatory budgeting",
    );
    assert!(project.rebuild(&files(&[NOTE])).is_err());
    project.prepare_next();
    edit(
        root,
        "notes/aaa-first.md",
        "title: First",
        "title: Still first",
    );
    assert!(
        project.rebuild(&files(&["notes/aaa-first.md"])).is_err(),
        "the broken note was taken from the cache"
    );
    project.prepare_next();
    edit(
        root,
        NOTE,
        "title: [Participatory budgeting",
        "title: Participatory budgeting",
    );
    let rebuilt = project.rebuild(&files(&[NOTE])).unwrap();
    assert_matches_full("broken, then fixed", root, &options, &rebuilt);
    assert!(rebuilt.patched, "broken, then fixed: patched");
    let page = match rebuilt.build.get("notes/aaa-first/index.html") {
        Lookup::Found(entry) => String::from_utf8(entry.bytes.clone()).unwrap(),
        other => panic!("{other:?}"),
    };
    assert!(page.contains("Still first"));
}

/// Random note edits on a synthetic corpus (with cross-links, strategies, several countries per
/// note): each patched model, its warnings and every file match a full build, and errors are the
/// full build's errors.
#[test]
fn patched_rebuilds_of_a_synthetic_corpus_match_full_builds() {
    use guidance::incremental::{Changes, Project};
    use guidance::render::RenderOptions;
    use guidance::synthetic::Rng;

    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    guidance::synthetic::write_corpus(root, 16, 11).unwrap();
    let options = RenderOptions::default();
    let mut project = Project::new(root, options.clone());
    project.rebuild(&Changes::Everything).unwrap();
    project.prepare_next();
    let mut rng = Rng::new(8);
    let mut patched = 0;
    let mut failed = 0;
    for step in 0..12 {
        let notes: Vec<String> = {
            let mut names: Vec<String> = std::fs::read_dir(root.join("notes"))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            names.sort();
            names
        };
        let name = rng.pick(&notes).clone();
        let path = format!("notes/{name}");
        let file = root.join(&path);
        let text = std::fs::read_to_string(&file).unwrap();
        let line = |key: &str| {
            text.lines()
                .find(|l| l.starts_with(key))
                .map(str::to_string)
        };
        let kind = [
            "title",
            "body",
            "strategy",
            "countries",
            "new",
            "delete",
            "related",
        ][rng.below(7)];
        match kind {
            "title" => {
                let old = line("title: ").unwrap();
                let title = format!("title: {} {step}", ["Alpha", "Zulu", "Mango"][rng.below(3)]);
                std::fs::write(&file, text.replacen(&old, &title, 1)).unwrap();
            }
            "body" => std::fs::write(&file, format!("{text}\nMore words {step}.\n")).unwrap(),
            "strategy" => match line("strategy: ") {
                Some(old) => {
                    std::fs::write(&file, text.replacen(&format!("{old}\n"), "", 1)).unwrap()
                }
                None => std::fs::write(&file, format!("{text}\n")).unwrap(),
            },
            "countries" => {
                let old = line("countries: ").unwrap();
                let new =
                    ["countries: [KEN, FJI]", "countries: []", "countries: [GUY]"][rng.below(3)];
                std::fs::write(&file, text.replacen(&old, new, 1)).unwrap();
            }
            "related" => {
                let old = line("principle: ").unwrap();
                let related = format!(
                    "{old}\nrelated_principles: [{}]",
                    &old["principle: ".len()..]
                );
                let cleaned: String = text
                    .lines()
                    .filter(|l| !l.starts_with("related_principles:"))
                    .map(|l| format!("{l}\n"))
                    .collect();
                std::fs::write(&file, cleaned.replacen(&old, &related, 1)).unwrap();
            }
            "new" => {
                let slug = name.trim_end_matches(".md");
                let path = format!("notes/new-{step}.md");
                std::fs::write(
                    root.join(&path),
                    format!("---\ntitle: New {step}\nprinciple: competence\ncountries: [NPL]\nsummary: New.\n---\n## Start\n\nSee [it](note:{slug}) and [Nepal](country:NPL).\n"),
                )
                .unwrap();
                let rebuilt = project
                    .rebuild(&Changes::Files([path].into_iter().collect()))
                    .unwrap_or_else(|d| panic!("step {step}: {d}"));
                patched += usize::from(rebuilt.patched);
                assert_matches_full(&format!("step {step}: new"), root, &options, &rebuilt);
                project.prepare_next();
                continue;
            }
            _ => std::fs::remove_file(&file).unwrap(),
        }
        let changes = Changes::Files([path.clone()].into_iter().collect());
        match project.rebuild(&changes) {
            Ok(rebuilt) => {
                patched += usize::from(rebuilt.patched);
                assert_matches_full(
                    &format!("step {step}: {kind} {path}"),
                    root,
                    &options,
                    &rebuilt,
                );
            }
            Err(error) => {
                // Deleting a note others link to, or no longer citing a country the body links
                // to: the full build's error; then the file is put back.
                failed += 1;
                let full = guidance::load_site(root).unwrap_err();
                assert_eq!(format!("{error}"), format!("{full}"), "step {step}: {kind}");
                project.prepare_next();
                std::fs::write(&file, &text).unwrap();
                let rebuilt = project.rebuild(&changes).unwrap();
                assert_matches_full(&format!("step {step}: restored"), root, &options, &rebuilt);
            }
        }
        project.prepare_next();
    }
    // The seeds give both kinds: edits the patch handles, and edits that are errors.
    assert!(
        patched >= 8 && failed > 0,
        "{patched} rebuilds were patched, {failed} failed"
    );
}

#[test]
fn the_browser_reloads_by_itself_and_shows_errors() {
    let Some(browser) = common::browser() else {
        return;
    };
    let dir = temp_copy();
    let serve = Serve::start(dir.path());
    let page = browser.open(&format!(
        "http://127.0.0.1:{}/notes/participatory-budgeting/",
        serve.port
    ));
    page.wait_for(
        "window.__guidanceLive && window.__guidanceLive.connected",
        WAIT,
    );
    assert!(
        page.eval("document.body.textContent.includes('SERVE-FIXTURE-ORIGINAL-TEXT')")
            .as_bool()
            .unwrap()
    );
    page.set_viewport(800, 300);
    page.eval("window.scrollTo({ top: 200, behavior: 'instant' }); window.__notReloaded = true");
    let scrolled = page.eval("window.scrollY").as_f64().unwrap();
    assert!(scrolled > 100.0, "the page did not scroll ({scrolled})");

    edit(
        dir.path(),
        NOTE,
        "SERVE-FIXTURE-ORIGINAL-TEXT",
        "SERVE-FIXTURE-RELOADED-TEXT",
    );
    across_reload(
        &page,
        "document.readyState === 'complete' && document.body.textContent.includes('SERVE-FIXTURE-RELOADED-TEXT') \
                          && window.__guidanceLive && window.__guidanceLive.connected",
    );
    assert_eq!(
        page.eval("window.__notReloaded === undefined"),
        Value::Bool(true),
        "the page itself reloaded"
    );
    let restored = page.eval("window.scrollY").as_f64().unwrap();
    assert!(
        (restored - scrolled).abs() < 2.0,
        "scroll position {scrolled} became {restored}"
    );

    edit(
        dir.path(),
        NOTE,
        "title: Participatory budgeting",
        "title: [Participatory budgeting",
    );
    page.wait_for("document.getElementById('guidance-overlay')", WAIT);
    let overlay = page
        .eval("document.getElementById('guidance-overlay').textContent")
        .as_str()
        .unwrap()
        .to_string();
    assert!(overlay.contains(&format!("{NOTE}:2:8")), "{overlay}");
    assert!(overlay.contains("help:"), "{overlay}");
    assert!(
        page.eval("document.body.textContent.includes('SERVE-FIXTURE-RELOADED-TEXT')")
            .as_bool()
            .unwrap()
    );

    edit(
        dir.path(),
        NOTE,
        "title: [Participatory budgeting",
        "title: Participatory budgeting",
    );
    across_reload(
        &page,
        "document.readyState === 'complete' && !document.getElementById('guidance-overlay')",
    );
}

/// Waits for `condition` while the page may be reloading: an evaluation that lands during the
/// navigation fails (its JavaScript context is gone) and is retried.
fn across_reload(page: &common::Page, condition: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let check = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            page.eval(&format!("!!({condition})"))
        }));
        if matches!(check, Ok(Value::Bool(true))) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for `{condition}`"
        );
        std::thread::sleep(Duration::from_millis(25));
    }
}
