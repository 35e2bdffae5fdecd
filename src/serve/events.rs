//! The reload channel: builds and diagnostics published by the server, streamed to each
//! browser tab as server-sent events on its own thread.

use std::collections::VecDeque;
use std::io::Write as _;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use tiny_http::Request;

use super::{LOG_LEN, Shared};
use crate::diagnostic::{Diagnostic, Diagnostics};

/// Browsers waiting for reloads: the current generation, recent builds' changes, and the
/// diagnostics to show.
#[derive(Default)]
pub(super) struct Hub {
    state: Mutex<HubState>,
    wake: Condvar,
}

#[derive(Default)]
struct HubState {
    generation: u64,
    /// (generation, paths it changed or `None` for everything), oldest first.
    log: VecDeque<(u64, Option<Vec<String>>)>,
    /// Pages found changed once rendered after their build was announced: (count of amendments
    /// so far, generation, paths), oldest first.
    amendments: VecDeque<(u64, u64, Vec<String>)>,
    amended: u64,
    /// The diagnostics as JSON, and a counter bumped whenever they change.
    errors: String,
    errors_version: u64,
    closed: bool,
}

impl Hub {
    pub(super) fn publish(&self, generation: u64, changed: Option<Vec<String>>) {
        let mut state = self.state.lock().unwrap();
        state.generation = generation;
        state.log.push_back((generation, changed));
        if state.log.len() > LOG_LEN {
            state.log.pop_front();
        }
        self.wake.notify_all();
    }

    /// Adds pages to what build `generation` changed: those rendered after it was announced.
    pub(super) fn amend(&self, generation: u64, paths: Vec<String>) {
        let mut state = self.state.lock().unwrap();
        if let Some((_, Some(changed))) = state.log.iter_mut().find(|(g, _)| *g == generation) {
            changed.extend(paths.iter().cloned());
            changed.sort();
            changed.dedup();
        }
        state.amended += 1;
        let amended = state.amended;
        state.amendments.push_back((amended, generation, paths));
        if state.amendments.len() > LOG_LEN {
            state.amendments.pop_front();
        }
        self.wake.notify_all();
    }

    pub(super) fn set_errors(&self, diagnostics: &Diagnostics) {
        let json: Vec<serde_json::Value> = diagnostics.iter().map(Diagnostic::to_json).collect();
        let json = serde_json::Value::Array(json).to_string();
        let mut state = self.state.lock().unwrap();
        if state.errors != json {
            state.errors = json;
            state.errors_version += 1;
            self.wake.notify_all();
        }
    }

    pub(super) fn close(&self) {
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
pub(super) fn stream_events(request: Request, shared: &Shared, since: Option<u64>) {
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
    // Amendments made before the tab connected are in the log it is answered from.
    let mut seen_amended = hub.state.lock().unwrap().amended;
    loop {
        let message = {
            let mut state = hub.state.lock().unwrap();
            while !state.closed
                && state.generation == seen
                && state.errors_version == seen_errors
                && state.amended == seen_amended
            {
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
            // Diagnostics first: a browser clears its overlay before it reloads.
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
                seen_amended = state.amended; // the log holds the amendments too
            }
            if state.amended != seen_amended {
                // Pages of the build the tab knows, found changed since: the same event again.
                let mut more: Vec<&String> = state
                    .amendments
                    .iter()
                    .filter(|(count, generation, _)| *count > seen_amended && *generation == seen)
                    .flat_map(|(_, _, paths)| paths)
                    .collect();
                more.sort();
                more.dedup();
                if !more.is_empty() {
                    let data = serde_json::json!({ "generation": seen, "changed": more });
                    message.push_str(&format!("event: build\ndata: {data}\n\n"));
                }
                seen_amended = state.amended;
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
