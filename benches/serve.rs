//! Dev-server benchmark: `cargo bench --bench serve [-- real 1000 10000]` (the default).
//!
//! For each corpus (a copy of the real content, or a synthetic one from `guidance::synthetic`)
//! in a temporary folder it times the full build (`load_site` + `generate`: the ceiling an
//! incremental rebuild must beat), starts the dev server in-process on a free port, listens on
//! the reload channel like a browser, and then edits one note several times: its body, then its
//! title (which moves it in the series, so other notes are renumbered). For each edit
//! it prints the time from the write to the reload signal (file event, debounce, rebuild, swap,
//! event written to the socket), to the edited page served fresh, and to the notes index served
//! (a listing page, rendered on first request if the background pass has not reached it yet).
//!
//! Targets: write -> reload signal under 50 ms at 1,000 notes and under 200 ms at 10,000.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use guidance::serve::{Event, ServeOptions, Server};

const EDITS: usize = 7;

// The allocator the `guidance` binary uses, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    guidance::allocator::return_memory_early();
    let mut corpora: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    if corpora.is_empty() {
        corpora = vec!["real".into(), "1000".into(), "10000".into()];
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "guidance serve benchmark: {cores} cores, {EDITS} one-note edits per corpus (median / max)"
    );
    for corpus in corpora {
        bench(&corpus);
    }
}

fn bench(corpus: &str) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let target = if corpus == "real" {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        for part in ["notes", "principles", "pages", "theme"] {
            if repo.join(part).is_dir() {
                copy_tree(&repo.join(part), &root.join(part));
            }
        }
        if repo.join("guidance.yaml").exists() {
            std::fs::copy(repo.join("guidance.yaml"), root.join("guidance.yaml")).unwrap();
        }
        "data-sharing".to_string()
    } else {
        let n: usize = corpus
            .parse()
            .expect("a corpus is `real` or a number of notes");
        guidance::synthetic::write_corpus(root, n, 1).unwrap();
        let mut notes: Vec<String> = std::fs::read_dir(root.join("notes"))
            .unwrap()
            .map(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .trim_end_matches(".md")
                    .to_string()
            })
            .collect();
        notes.sort();
        notes[notes.len() / 2].clone()
    };

    let started = Instant::now();
    let (site, _) = guidance::load_site(root).unwrap_or_else(|d| panic!("{d}"));
    let loaded = started.elapsed();
    let theme = guidance::theme::Theme::load(root).unwrap();
    let files = guidance::generate(&site, &theme, Default::default()).unwrap();
    let full = started.elapsed();
    let notes = site.notes.len();
    drop((site, files));

    let (sender, reports) = channel();
    let options = ServeOptions {
        port: 0,
        ..ServeOptions::new(root)
    };
    let server = Server::start(options, move |event| {
        let line = match event {
            Event::Rebuilt {
                rebuilt, elapsed, ..
            } => {
                format!("rebuilt {} pages in {elapsed:?}", rebuilt.pages)
            }
            Event::Unchanged { elapsed } => format!("unchanged ({elapsed:?})"),
            Event::Failed { diagnostics, .. } | Event::RenderFailed { diagnostics } => {
                format!("FAILED: {diagnostics}")
            }
            // Pages found changed once rendered in the background: one report per edit is read.
            Event::AlsoChanged { .. } => return,
        };
        let _ = sender.send(line);
    })
    .unwrap();
    let port: u16 = server
        .url()
        .trim_end_matches('/')
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let first = reports.recv().unwrap();
    wait_warm(&server);
    let events = listen(port);

    let file = root.join("notes").join(format!("{target}.md"));
    let page = format!("/notes/{target}/");
    let original = std::fs::read_to_string(&file).unwrap();
    // A body edit: the note keeps its place in the series.
    let body = |edit: usize| {
        let token = format!("BENCH-EDIT-{edit}");
        (format!("{original}\n{token}\n"), token)
    };
    let body_times = edit_times(&server, &reports, &events, port, &file, &page, &body);
    // A title edit that moves the note to the front of its strategy's notes and to the back, in
    // turn: the notes between are renumbered, and its old and new neighbours change.
    let title_line = original
        .lines()
        .find(|l| l.starts_with("title: "))
        .unwrap()
        .to_string();
    let title = |edit: usize| {
        let first = if edit.is_multiple_of(2) { "AAA" } else { "zzz" };
        let title = format!("{first} bench title {edit}");
        let text = original.replacen(&title_line, &format!("title: {title}"), 1);
        (text, title)
    };
    let title_times = edit_times(&server, &reports, &events, port, &file, &page, &title);
    server.stop();

    println!("\n{corpus}: {notes} notes");
    println!(
        "  full build (load + link + render all + data files): {:>8.1} ms (load + link {:.1} ms)",
        ms(full),
        ms(loaded)
    );
    println!("  first serve build: {first}");
    for (name, mut times) in [("body edit", body_times), ("title edit", title_times)] {
        println!("  {name}:");
        println!(
            "    write -> reload signal:        {}",
            stats(&mut times.signal)
        );
        println!(
            "    write -> edited page served:   {}",
            stats(&mut times.fresh)
        );
        println!(
            "    write -> notes index served:   {}",
            stats(&mut times.index)
        );
        println!("    server: {}", times.server_side.last().unwrap());
    }
}

/// The times of one series of edits.
#[derive(Default)]
struct Times {
    signal: Vec<Duration>,
    fresh: Vec<Duration>,
    index: Vec<Duration>,
    server_side: Vec<String>,
}

/// Writes `EDITS` versions of `file` (`make(edit)` gives the text and a token the page then
/// shows), each once the server is idle, and times the reload signal and the pages after it.
fn edit_times(
    server: &Server,
    reports: &Receiver<String>,
    events: &Receiver<String>,
    port: u16,
    file: &Path,
    page: &str,
    make: &dyn Fn(usize) -> (String, String),
) -> Times {
    let mut times = Times::default();
    let path = format!("{}index.html", page.trim_start_matches('/'));
    for edit in 0..EDITS {
        let (text, token) = make(edit);
        let written = Instant::now();
        std::fs::write(file, &text).unwrap();
        loop {
            let event = events
                .recv_timeout(Duration::from_secs(120))
                .expect("reload signal");
            // The page's own path, quoted: `fr/notes/x/index.html` (the note's page in French,
            // which shows the original) holds `notes/x/index.html` too.
            if event.contains(&format!("\"{path}\"")) || event.contains("\"changed\":null") {
                break;
            }
        }
        times.signal.push(written.elapsed());
        let body = get(port, page);
        assert!(body.contains(&token), "stale page after the signal");
        times.fresh.push(written.elapsed());
        get(port, "/notes/");
        times.index.push(written.elapsed());
        times.server_side.push(reports.recv().unwrap());
        if std::env::var_os("BENCH_VERBOSE").is_some() {
            println!(
                "  edit {edit}: signal {:?}, {}",
                times.signal[edit], times.server_side[edit]
            );
        }
        wait_warm(server);
    }
    times
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn stats(times: &mut [Duration]) -> String {
    times.sort();
    format!(
        "{:>8.1} ms / {:>8.1} ms",
        ms(times[times.len() / 2]),
        ms(times[times.len() - 1])
    )
}

/// Waits until the background pass has rendered everything, so edits do not compete with it.
fn wait_warm(server: &Server) {
    let deadline = Instant::now() + Duration::from_secs(600);
    while !server.current().is_some_and(|b| b.is_warm()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The reload channel as a browser sees it: one `data:` line per event.
fn listen(port: u16) -> Receiver<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET /__guidance/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
    )
    .unwrap();
    let (sender, receiver) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines().map_while(Result::ok) {
            if line.starts_with("data: ")
                && line.contains("\"changed\"")
                && sender.send(line).is_err()
            {
                return;
            }
        }
    });
    receiver
}

fn get(port: u16, target: &str) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET {target} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut body = String::new();
    stream.read_to_string(&mut body).unwrap();
    assert!(
        body.split_whitespace().nth(1) == Some("200"),
        "{target}: {}",
        body.lines().next().unwrap_or_default()
    );
    body
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}
