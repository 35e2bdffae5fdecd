//! Search benchmark: `cargo bench --bench search [-- real 1000 10000]` (default: all three).
//!
//! For the real content and the synthetic corpora of 1,000 and 10,000 notes (written by
//! `guidance::synthetic` to the git-ignored `bench-corpus/<N>/`, shared with the build benchmark)
//! it prints:
//!
//! - index build time, and what the index adds to the build (index stage + writing its files),
//!   over load + link + render + writing everything else, and over the whole of what `guidance
//!   build` does (which also makes the offline copy), in wall and CPU time, each the median of
//!   three runs, writes to /dev/shm so that other processes' disk I/O does not count;
//! - total index bytes and files (every language), and the default language's share;
//! - bytes loaded for a first query typed into the header box (search.js + manifest + vocabulary
//!   + term shards + text chunks), over 20 queries each in a fresh tab: median and largest;
//! - query latency in Chromium after the page has loaded, over 100 varied queries (words, pairs,
//!   prefixes, typos, phrases) as the header box runs them (ranking and the text of the five
//!   results shown): median and p95, cold (each query may load new index files) and warm (the
//!   same queries again, files cached), over a local HTTP server and from `file://`, in three
//!   fresh tabs each (all samples pooled; the median of each tab is printed too). Timed without
//!   the debugger's request recording, which a reader's browser does not have (it costs about
//!   2 ms a query here); the page's own Resource Timing checks where every file came from.
//!
//! `cargo bench --bench search -- index 10000` times only the index stage;
//! `SEARCH_PROBE="query" cargo bench --bench search -- 1000` shows how one query resolves (`all`
//! times the 100 queries one by one, `loads` times loading index files by themselves;
//! `PROBE_FILE=1` probes from `file://`); `SEARCH_FIRST=1` lists the files each first query loads.
//!
//! Targets: first query on 10,000 notes loads at most 100 KB; median query under 10 ms; the index
//! adds at most 20% to build time.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::time::Instant;

use guidance::RenderOptions;
use guidance::synthetic::Rng;

const SEED: u64 = 1;

// The allocator the `guidance` binary uses, so the build figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    guidance::allocator::return_memory_early();
    let mut targets: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    // `index` first: time only the index stage (quick, for work on the indexer).
    let index_only = targets.first().is_some_and(|t| t == "index");
    if index_only {
        targets.remove(0);
    }
    if targets.is_empty() {
        targets = vec!["real".into(), "1000".into(), "10000".into()];
    }
    // Launched when first needed: a browser starting up beside the timed build stages would
    // take CPU from them.
    let browser = std::cell::OnceCell::new();
    println!(
        "guidance search benchmark ({} cores)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    for target in targets {
        let (root, label) = match target.parse::<usize>() {
            Ok(n) => (corpus(n), format!("synthetic, {n} notes")),
            Err(_) => (common::repo_root(), "real content".to_string()),
        };
        if let Some(q) = std::env::var("SEARCH_PROBE").ok().filter(|_| !index_only) {
            let browser = browser.get_or_init(common::browser);
            probe(&root, &q, browser.as_ref().expect("chromium"));
        } else if index_only {
            time_index(&root, &label);
        } else {
            bench(&root, &label, &browser);
        }
    }
}

/// The synthetic corpus of `n` notes, written once and reused while its stamp matches (the same
/// folder and stamp as `benches/build.rs`).
fn corpus(n: usize) -> PathBuf {
    let dir = common::repo_root().join("bench-corpus").join(n.to_string());
    let stamp = dir.join("corpus.stamp");
    let wanted = format!(
        "notes={n} seed={SEED} generator={}\n",
        env!("CARGO_PKG_VERSION")
    );
    let current = std::fs::read_to_string(&stamp).ok();
    if !current.as_deref().is_some_and(|s| s.starts_with(&wanted)) {
        let _ = std::fs::remove_dir_all(&dir);
        let stats = guidance::synthetic::write_corpus(&dir, n, SEED).expect("write corpus");
        std::fs::write(&stamp, format!("{wanted}bytes={}\n", stats.bytes)).unwrap();
    }
    dir
}

/// Times the phases of one query (`SEARCH_PROBE=query cargo bench --bench search -- 1000`).
fn probe(root: &Path, q: &str, browser: &common::Browser) {
    let (site, _) = guidance::load_site(root).unwrap_or_else(|d| panic!("{d}"));
    let theme = guidance::theme::Theme::load(root).unwrap_or_else(|d| panic!("{d}"));
    let files = guidance::generate(&site, &theme, RenderOptions::default())
        .unwrap_or_else(|d| panic!("{d}"));
    let temp = tempfile::tempdir().unwrap();
    guidance::emit::write_tree(temp.path(), &files).unwrap();
    let server = common::StaticServer::start(temp.path());
    let page = if std::env::var("PROBE_FILE").is_ok() {
        browser.open(&common::file_url(temp.path(), "index.html"))
    } else {
        browser.open(&server.url(""))
    };
    page.wait_for(
        "document.getElementById('site-search').getAttribute('role') === 'combobox'",
        std::time::Duration::from_secs(20),
    );
    if q == "loads" {
        // What one round of script loads costs: sequential and parallel.
        let r = page.eval(
            "(async () => { const base = new URL('../', document.querySelector('script[src*=\"search.js\"]').src).href; \
               const one = (p) => new Promise((ok, no) => { const s = document.createElement('script'); s.src = base + p; \
                 s.onload = () => { s.remove(); ok(); }; s.onerror = no; document.head.appendChild(s); }); \
               const seq = []; for (let i = 0; i < 10; i++) { const t = performance.now(); await one('search/en/t' + (i + 20) + '.js'); seq.push(performance.now() - t); } \
               const par = []; for (let k = 0; k < 5; k++) { const t = performance.now(); \
                 await Promise.all([0,1,2,3,4].map(i => one('search/en/t' + (100 + k * 5 + i) + '.js'))); par.push(performance.now() - t); } \
               const tiny = []; for (let i = 0; i < 10; i++) { const t = performance.now(); await one('search/en/manifest.js?' + i); tiny.push(performance.now() - t); } \
               const t0 = performance.now(); const names = [0,1,2,3,4].map(i => 'search/en/t' + (200 + i) + '.js'); \
               const done = []; await Promise.all(names.map(n => one(n).then(() => done.push(performance.now() - t0)))); \
               const rt = performance.getEntriesByType('resource').filter(e => names.some(n => e.name.endsWith(n))).map(e => [e.startTime - t0, e.connectEnd - t0, e.requestStart - t0, e.responseStart - t0, e.responseEnd - t0].map(x => Math.round(x * 10) / 10)); \
               return { seq, par, tiny, done, rt }; })()",
        );
        println!("{r}");
        return;
    }
    if q == "all" {
        for q in queries(&site, 100) {
            let r = page.eval(&format!(
                "(async () => {{ const kinds = () => {{ const k = {{v: 0, t: 0, c: 0, w: 0}}; performance.getEntriesByType('resource').forEach(e => {{ \
                   const m = e.name.match(/search\\/[a-z]+\\/(v|t|c|w)/); if (m) k[m[1]]++; }}); return k; }}; \
                   const s = await guidanceSearch.open(guidanceSearch.lang); performance.clearResourceTimings(); const k0 = kinds(); const t0 = performance.now(); \
                   const r = await s.search({q}); const t1 = performance.now(); const k1 = kinds(); const all = await guidanceSearch.query({q}, 5, 1); \
                   const k2 = kinds(); \
                   return [Math.round(t1 - t0), Math.round(performance.now() - t1), r.hits.length, 'v', k1.v - k0.v, 't', k1.t - k0.t, 'w', k1.w - k0.w, 'c', k2.c - k1.c]; }})()",
                q = serde_json::to_string(&q).unwrap()
            ));
            println!("{q:?} {r}");
        }
        return;
    }
    for _ in 0..2 {
        let r = page.eval(&format!(
            "(async () => {{ const s = await guidanceSearch.open(guidanceSearch.lang); const t0 = performance.now(); \
               const r = await s.search({q}); const t1 = performance.now(); const all = await guidanceSearch.query({q}, 5, 2); \
               return {{ search: t1 - t0, total: performance.now() - t1, hits: r.hits.length, \
                 groups: r.results.map(x => x.groups.map(g => g.map(a => [a.t, a.w, a.rec.df]))), \
                 shown: all.results.map(x => [x.title, x.sections.map(s => s.index)]) }}; }})()",
            q = serde_json::to_string(q).unwrap()
        ));
        println!("{r}");
    }
    println!(
        "{}",
        page.eval(
            "performance.getEntriesByType('resource').filter(e => /search/.test(e.name)) \
             .map(e => e.name.replace(/.*\\/search\\//, '') + ' ' + e.encodedBodySize).join(', ')"
        )
    );
}

fn time_index(root: &Path, label: &str) {
    let (site, _) = guidance::load_site(root).unwrap_or_else(|d| panic!("{d}"));
    let mut times = Vec::new();
    let mut files = 0;
    for _ in 0..9 {
        let (count, t) = timed(|| guidance::search::index(&site).len());
        files = count;
        times.push(t);
    }
    println!(
        "{label}: index {:.0} ms, CPU {:.0} ms (medians of 9), {files} files",
        1000.0 * median_of(&mut times, 0),
        1000.0 * median_of(&mut times, 1)
    );
}

/// Runs `f`, returning its result, wall seconds and CPU seconds (all threads of the process).
fn timed<T>(f: impl FnOnce() -> T) -> (T, (f64, f64)) {
    let (wall, cpu) = (Instant::now(), cpu_seconds());
    let value = f();
    (value, (secs(wall), cpu_seconds() - cpu))
}

/// User + system time of this process, from /proc (0 where there is none).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit(')')
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<f64>().ok())
        .sum();
    ticks / 100.0
}

/// The median of the `k`th element of pairs.
fn median_of(values: &mut [(f64, f64)], k: usize) -> f64 {
    let mut v: Vec<f64> = values.iter().map(|p| [p.0, p.1][k]).collect();
    median(&mut v)
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

fn median(values: &mut [f64]) -> f64 {
    percentile(values, 0.5)
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    values.sort_by(|a, b| a.total_cmp(b));
    if values.is_empty() {
        return f64::NAN;
    }
    let rank = (p * (values.len() - 1) as f64).round() as usize;
    values[rank]
}

fn kb(bytes: u64) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

fn bench(root: &Path, label: &str, browser: &std::cell::OnceCell<Option<common::Browser>>) {
    println!("\n{label} ({})", root.display());
    // Every stage three times; the median wall time and CPU time (all threads) of each. Writes
    // go to memory (/dev/shm, where there is one): on the shared disk they are dominated by other
    // processes' I/O.
    let (mut load, mut generate, mut index_t, mut emit, mut emit_index) =
        (vec![], vec![], vec![], vec![], vec![]);
    let shm = Path::new("/dev/shm");
    let temp = if shm.is_dir() {
        tempfile::tempdir_in(shm)
    } else {
        tempfile::tempdir()
    }
    .unwrap();
    let out = temp.path().join("site");
    let (mut site, mut files, mut index) = (None, Vec::new(), Vec::new());
    for round in 0..3 {
        let (loaded, t) = timed(|| {
            guidance::load_site(root)
                .unwrap_or_else(|d| panic!("{d}"))
                .0
        });
        load.push(t);
        let loaded = site.insert(loaded);
        let theme = guidance::theme::Theme::load(root).unwrap_or_else(|d| panic!("{d}"));
        let (rendered, t) = timed(|| {
            guidance::generate(loaded, &theme, RenderOptions::default())
                .unwrap_or_else(|d| panic!("{d}"))
        });
        generate.push(t);
        files = rendered;
        let (built, t) = timed(|| guidance::search::index(loaded));
        index_t.push(t);
        index = built;
        let site_dir = if round == 0 {
            out.clone()
        } else {
            temp.path().join(format!("site-{round}"))
        };
        emit.push(timed(|| guidance::emit::write_tree(&site_dir, &files).unwrap()).1);
        let index_dir = temp.path().join(format!("index-{round}"));
        emit_index.push(timed(|| guidance::emit::write_tree(&index_dir, &index).unwrap()).1);
        if round > 0 {
            let _ = std::fs::remove_dir_all(&site_dir);
        }
        let _ = std::fs::remove_dir_all(&index_dir);
    }
    let site = site.expect("loaded");
    let [t_load, t_generate, t_index, t_emit, t_emit_index] =
        [load, generate, index_t, emit, emit_index]
            .map(|mut t| (median_of(&mut t, 0), median_of(&mut t, 1)));
    let without = |k: usize| {
        [t_load, t_generate, t_emit]
            .iter()
            .map(|t| [t.0, t.1][k])
            .sum::<f64>()
            - [t_index.0, t_index.1][k]
            - [t_emit_index.0, t_emit_index.1][k]
    };
    let added = |k: usize| [t_index.0, t_index.1][k] + [t_emit_index.0, t_emit_index.1][k];
    // What `guidance build` takes (load, render, data files, offline copy, all written), the
    // median of three, into the same memory-backed folder.
    let mut full: Vec<(f64, f64)> = (0..3)
        .map(|_| timed(|| guidance::build(root, &temp.path().join("full")).expect("build")).1)
        .collect();
    let full = (median_of(&mut full, 0), median_of(&mut full, 1));
    println!(
        "  build          load+link {:.2} s, generate {:.2} s (of which index {:.2} s), write {:.2} s \
         (of which index files {:.2} s); CPU {:.2} s, {:.2} s ({:.2} s), {:.2} s ({:.2} s)",
        t_load.0,
        t_generate.0,
        t_index.0,
        t_emit.0,
        t_emit_index.0,
        t_load.1,
        t_generate.1,
        t_index.1,
        t_emit.1,
        t_emit_index.1
    );
    println!(
        "  index adds     {:.1} ms to {:.1} ms (the build without the offline copy): {:.1}% of \
         build time; in CPU time {:.1}% (target <= 20%)",
        1000.0 * added(0),
        1000.0 * without(0),
        100.0 * added(0) / without(0),
        100.0 * added(1) / without(1)
    );
    println!(
        "                 of `guidance build` ({:.1} ms, CPU {:.1} ms, with the offline copy): \
         {:.1}%; in CPU time {:.1}%",
        1000.0 * full.0,
        1000.0 * full.1,
        100.0 * added(0) / full.0,
        100.0 * added(1) / full.1
    );
    let site_bytes: u64 = files.iter().map(|f| f.bytes.len() as u64).sum();
    let default = site.config.default_language().to_string();
    let total: u64 = index.iter().map(|f| f.bytes.len() as u64).sum();
    let own: Vec<_> = index
        .iter()
        .filter(|f| f.path.starts_with(&format!("search/{default}/")))
        .collect();
    let own_bytes: u64 = own.iter().map(|f| f.bytes.len() as u64).sum();
    let text_bytes: u64 = own
        .iter()
        .filter(|f| f.path.contains("/c/"))
        .map(|f| f.bytes.len() as u64)
        .sum();
    println!(
        "  index size     {:.2} MB in {} files, languages: {}; {default}: {:.2} MB in {} files \
         ({:.2} MB of it section text for snippets)",
        total as f64 / 1e6,
        index.len(),
        site.config.languages.len(),
        own_bytes as f64 / 1e6,
        own.len(),
        text_bytes as f64 / 1e6
    );
    println!(
        "  share of site  {:.0}% of the bytes and {:.0}% of the files of the site as rendered",
        100.0 * total as f64 / site_bytes as f64,
        100.0 * index.len() as f64 / files.len() as f64
    );
    drop(index);
    drop(files);

    let Some(browser) = browser.get_or_init(common::browser) else {
        println!("  browser        SKIP: no Chromium");
        return;
    };
    let server = common::StaticServer::start(&out);
    let start_page = site
        .notes
        .first()
        .map_or(String::new(), |n| format!("notes/{}/", n.slug));
    let queries = queries(&site, 100);

    // Bytes for a first query: a fresh tab per query, typed into the header box.
    let mut first = Vec::new();
    let mut biggest: Vec<(u64, String)> = Vec::new();
    // Twenty queries of every kind (words, pairs, prefixes, typos, phrases).
    for q in (0..20).map(|i| &queries[i * 5 + i % 5]) {
        let page = browser.open(&server.url(&start_page));
        page.wait_for(
            "document.getElementById('site-search').getAttribute('role') === 'combobox'",
            std::time::Duration::from_secs(20),
        );
        page.eval(&format!(
            "(() => {{ const i = document.getElementById('site-search'); i.focus(); i.value = {q}; \
             i.dispatchEvent(new Event('input', {{ bubbles: true }})); }})()",
            q = serde_json::to_string(q).unwrap()
        ));
        let cond = format!(
            "document.getElementById('site-search-listbox').getAttribute('data-query') === {}",
            serde_json::to_string(q).unwrap()
        );
        page.wait_for(&cond, std::time::Duration::from_secs(60));
        let loaded = page.eval("performance.getEntriesByType('resource').map(e => e.name)");
        let base = server.url("");
        let bytes: u64 = loaded
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|u| u.as_str()?.strip_prefix(&base))
            .filter(|p| p.starts_with("search/") || *p == "static/search.js")
            .map(|p| std::fs::metadata(out.join(common::percent_decode(p))).map_or(0, |m| m.len()))
            .sum();
        if std::env::var("SEARCH_FIRST").is_ok() {
            println!("{q}: {loaded}");
        }
        first.push(bytes as f64);
        biggest.push((bytes, q.clone()));
        assert!(page.external_requests().is_empty());
        let _ = futures::executor::block_on(page.page.close());
    }
    let runtime = std::fs::metadata(out.join("static/search.js")).map_or(0, |m| m.len());
    biggest.sort_by_key(|b| std::cmp::Reverse(b.0));
    let phrases: Vec<f64> = biggest
        .iter()
        .filter(|(_, q)| q.starts_with('"'))
        .map(|(b, _)| *b as f64)
        .collect();
    let mut others: Vec<f64> = biggest
        .iter()
        .filter(|(_, q)| !q.starts_with('"'))
        .map(|(b, _)| *b as f64)
        .collect();
    println!(
        "  first query    median {}, largest {} over {} queries; without quoted phrases median {}, largest {}; \
         quoted phrases up to {} (search.js alone {}; target <= 100 KB on 10,000 notes)",
        kb(median(&mut first) as u64),
        kb(biggest[0].0),
        first.len(),
        kb(median(&mut others) as u64),
        kb(others.last().copied().unwrap_or(0.0) as u64),
        kb(phrases.iter().cloned().fold(0.0, f64::max) as u64),
        kb(runtime)
    );
    let top: Vec<String> = biggest
        .iter()
        .take(3)
        .map(|(b, q)| format!("{q} {}", kb(*b)))
        .collect();
    println!("  most loaded    {}", top.join(", "));

    // Latency after load, in one tab: cold then warm, over HTTP and from disk.
    let page = server.url(&start_page);
    latency(browser, &page, &server.url(""), &queries, "HTTP");
    let page = common::file_url(&out, &format!("{start_page}index.html"));
    latency(
        browser,
        &page,
        &common::file_url(&out, ""),
        &queries,
        "file://",
    );
}

/// Cold and warm latency of every query, in `ROUNDS` fresh tabs (the machine is shared: one
/// round's median moves with other processes' load; the figures pool all rounds).
const ROUNDS: usize = 3;

/// Opens `url`; every file it loads must come from `origin` (a server or a folder).
fn latency(browser: &common::Browser, url: &str, origin: &str, queries: &[String], how: &str) {
    let mut cold = Vec::new();
    let mut warm = Vec::new();
    let mut slowest: Vec<(f64, &String)> = Vec::new();
    let mut found = 0;
    let mut round_medians = Vec::new();
    for _ in 0..ROUNDS {
        let page = browser.open(url);
        page.wait_for(
            "document.getElementById('site-search').getAttribute('role') === 'combobox'",
            std::time::Duration::from_secs(20),
        );
        page.eval("guidanceSearch.open(guidanceSearch.lang).then(() => true)");
        assert!(page.external_requests().is_empty());
        // Timed as a reader's browser runs, without the debugger's request recording; the
        // page's own Resource Timing still shows where every file came from.
        page.stop_recording_requests();
        page.keep_resource_timings();
        let mut round = Vec::new();
        found = 0;
        for pass in 0..2 {
            for q in queries {
                let result = page.eval(&format!(
                    "(async () => {{ const t0 = performance.now(); const r = await guidanceSearch.query({}, 5, 1); \
                       return [performance.now() - t0, r.total]; }})()",
                    serde_json::to_string(q).unwrap()
                ));
                let ms = result[0].as_f64().unwrap();
                if pass == 0 {
                    cold.push(ms);
                    round.push(ms);
                    slowest.push((ms, q));
                } else {
                    warm.push(ms);
                    found += usize::from(result[1].as_u64().unwrap_or(0) > 0);
                }
            }
        }
        assert_eq!(page.resources_elsewhere(origin), Vec::<String>::new());
        round_medians.push(format!("{:.1}", median(&mut round)));
        let _ = futures::executor::block_on(page.page.close());
    }
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    println!(
        "  latency {how:<7}cold median {:.1} ms, p95 {:.1} ms; warm median {:.1} ms, p95 {:.1} ms \
         ({} queries x {ROUNDS} tabs, {found} with results; cold medians per tab {}; \
         target median < 10 ms)",
        median(&mut cold),
        percentile(&mut cold, 0.95),
        median(&mut warm),
        percentile(&mut warm, 0.95),
        queries.len(),
        round_medians.join(", "),
    );
    let slow: Vec<String> = slowest
        .iter()
        .take(3)
        .map(|(ms, q)| format!("{q} {ms:.0} ms"))
        .collect();
    println!("  slowest cold   {}", slow.join(", "));
}

/// `n` varied queries drawn deterministically from note titles and bodies: single words, pairs,
/// prefixes, one-typo words and quoted phrases.
fn queries(site: &guidance::Site, n: usize) -> Vec<String> {
    let mut rng = Rng::new(SEED);
    let mut phrases: Vec<Vec<String>> = Vec::new();
    for note in &site.notes {
        phrases.push(words(&note.meta.title));
        for section in note.body.sections().take(3) {
            let w = words(section.text);
            if w.len() >= 2 {
                let start = rng.below(w.len() - 1);
                phrases.push(w[start..(start + 4).min(w.len())].to_vec());
            }
        }
    }
    phrases.retain(|p| !p.is_empty());
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let p = &phrases[rng.below(phrases.len())];
        let long: Vec<&String> = p.iter().filter(|w| w.chars().count() >= 6).collect();
        let q = match out.len() % 5 {
            0 => p[rng.below(p.len())].clone(),
            1 if p.len() >= 2 => {
                let i = rng.below(p.len() - 1);
                format!("{} {}", p[i], p[i + 1])
            }
            2 if !long.is_empty() => {
                let w: Vec<char> = long[rng.below(long.len())].chars().collect();
                w[..3 + rng.below(w.len() - 3)].iter().collect()
            }
            3 if !long.is_empty() => {
                let mut w: Vec<char> = long[rng.below(long.len())].chars().collect();
                w.remove(1 + rng.below(w.len() - 2));
                w.into_iter().collect()
            }
            4 if p.len() >= 2 => {
                let i = rng.below(p.len() - 1);
                format!("\"{} {}\"", p[i], p[i + 1])
            }
            _ => continue,
        };
        out.push(q);
    }
    out
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 3)
        .map(str::to_lowercase)
        .collect()
}
