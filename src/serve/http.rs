//! Answering requests from the in-memory build: target checks, content types, folder redirects,
//! the site's 404 page, revalidation, and the live-reload script's build stamp.

use std::sync::Arc;

use tiny_http::{Header, Method, Request, Response, StatusCode};

use super::{BUILD_MARK, EVENTS_PATH, Event, LIVE_SCRIPT, Shared, events};
use crate::incremental::{Entry, Lookup};

/// Longer request targets are refused.
pub const MAX_URL: usize = 2048;

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
    // A `%` must begin an escape: a request with a stray one is malformed.
    let well_formed = text.split('%').skip(1).all(|rest| {
        rest.get(..2)
            .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
    });
    let decoded = percent_encoding::percent_decode_str(text)
        .decode_utf8()
        .ok()?;
    well_formed.then(|| decoded.into_owned())
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

pub(super) fn handle(request: Request, shared: &Arc<Shared>) {
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
                    std::thread::spawn(move || events::stream_events(request, &shared, since));
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
        return error_page();
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
                None => return error_page(),
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
            Lookup::Found(entry) => stamp(&entry, build.generation),
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
        stamp(&entry, build.generation)
    } else {
        entry.bytes.clone()
    };
    common(Response::from_data(body).with_header(header("Content-Type", mime_type(&key))))
}

/// The HTML with the live-reload script's build mark replaced by the generation.
fn stamp(entry: &Entry, generation: u64) -> Vec<u8> {
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
fn error_page() -> Response<std::io::Cursor<Vec<u8>>> {
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
