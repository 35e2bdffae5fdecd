//! A static file server on 127.0.0.1 for the search tests and benchmark: one thread per
//! connection, one request per connection (`Connection: close`).
//!
//! The shared harness's server (tiny_http 0.12) can leave a request unanswered when Chromium opens
//! more than four connections at once, as search does when it loads several index files in
//! parallel: tiny_http's task pool may queue a new connection behind long-lived keep-alive
//! connections. This server has no pool, so every connection is served at once.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

pub struct Server {
    pub port: u16,
    prefix: String,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Serves `dir` at `prefix` (`/` for the root, or e.g. `/sub/`).
    pub fn start(dir: &Path, prefix: &str) -> Server {
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
                std::thread::spawn(move || serve(stream, &dir, &root));
            }
        });
        Server {
            port,
            prefix: prefix.to_string(),
            stop,
            thread: Some(thread),
        }
    }

    /// The URL of `path` inside the site.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{}{}", self.port, self.prefix, path)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(stream: TcpStream, dir: &Path, prefix: &str) {
    let mut reader = BufReader::new(&stream);
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    // Read (and ignore) the headers.
    let mut line = String::new();
    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
        line.clear();
    }
    let target = request_line.split_whitespace().nth(1).unwrap_or("/");
    let (status, body, kind) =
        match resolve(dir, prefix, target).and_then(|f| Some((std::fs::read(&f).ok()?, f))) {
            Some((body, file)) => ("200 OK", body, content_type(&file)),
            None => (
                "404 Not Found",
                std::fs::read(dir.join("404.html")).unwrap_or_default(),
                "text/html; charset=utf-8",
            ),
        };
    let mut out = &stream;
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = out
        .write_all(head.as_bytes())
        .and_then(|_| out.write_all(&body))
        .and_then(|_| out.flush());
}

fn resolve(dir: &Path, prefix: &str, target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next()?;
    let relative = decode(path.strip_prefix(prefix)?);
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
pub fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
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
        _ => "application/octet-stream",
    }
}
