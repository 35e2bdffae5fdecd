//! Build benchmark: `cargo bench --bench build [-- N ...]` (default N = 1,000 and 10,000).
//!
//! For each N it writes a deterministic synthetic corpus (`guidance::synthetic`) to the git-ignored
//! `bench-corpus/<N>/` (reused while it matches), then runs the full build (`guidance::build`, what
//! `guidance build` runs) in a fresh child process, three times, and prints the best wall time,
//! notes/s, MB of Markdown/s and the child's peak RSS (VmHWM from /proc/self/status). A last child
//! times each stage separately. It also times the real binary once.
//!
//! Targets (2 cores): 1,000 notes (~16 MB) < 0.5 s, 10,000 < 5 s, peak RSS < 2x the corpus.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const SEED: u64 = 1;
const RUNS: usize = 3;
const CHILD: &str = "GUIDANCE_BENCH_CHILD";

fn main() {
    if let Ok(mode) = std::env::var(CHILD) {
        let root = PathBuf::from(std::env::args().nth(1).expect("root"));
        child(&mode, &root);
        return;
    }
    // `cargo bench` passes `--bench`; anything numeric is a corpus size.
    let mut sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if sizes.is_empty() {
        sizes = vec![1_000, 10_000];
    }
    println!(
        "guidance build benchmark: {} cores, {RUNS} runs each (best shown)",
        cores()
    );
    for n in sizes {
        bench(n);
    }
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn corpus(n: usize) -> (PathBuf, u64) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("bench-corpus")
        .join(n.to_string());
    let stamp = dir.join("corpus.stamp");
    let wanted = format!(
        "notes={n} seed={SEED} generator={}\n",
        env!("CARGO_PKG_VERSION")
    );
    let current = std::fs::read_to_string(&stamp).ok();
    let bytes = if current.as_deref().is_some_and(|s| s.starts_with(&wanted)) {
        markdown_bytes(&dir)
    } else {
        let _ = std::fs::remove_dir_all(&dir);
        let started = Instant::now();
        let stats = guidance::synthetic::write_corpus(&dir, n, SEED).expect("write corpus");
        std::fs::write(&stamp, format!("{wanted}bytes={}\n", stats.bytes)).unwrap();
        println!(
            "  wrote corpus of {n} notes in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        stats.bytes
    };
    (dir, bytes)
}

fn markdown_bytes(dir: &Path) -> u64 {
    ["principles", "notes", "pages"]
        .iter()
        .flat_map(|f| std::fs::read_dir(dir.join(f)).into_iter().flatten())
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum()
}

/// One child process; returns its `key=value` report.
fn run_child(mode: &str, root: &Path) -> Vec<(String, f64)> {
    let exe = std::env::current_exe().unwrap();
    let output = Command::new(exe)
        .arg(root)
        .env(CHILD, mode)
        .output()
        .expect("spawn child");
    assert!(
        output.status.success(),
        "child failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .filter_map(|kv| {
            let (k, v) = kv.split_once('=')?;
            Some((k.to_string(), v.parse().ok()?))
        })
        .collect()
}

fn get(report: &[(String, f64)], key: &str) -> f64 {
    report
        .iter()
        .find(|(k, _)| k == key)
        .map_or(f64::NAN, |(_, v)| *v)
}

fn bench(n: usize) {
    let (root, bytes) = corpus(n);
    let mb = bytes as f64 / 1e6;
    println!(
        "\nN = {n} notes, {mb:.1} MB of Markdown ({})",
        root.display()
    );
    let mut best_wall = f64::INFINITY;
    let mut peak_kb: f64 = 0.0;
    let mut pages = 0.0;
    let mut out_mb = 0.0;
    for _ in 0..RUNS {
        let report = run_child("build", &root);
        best_wall = best_wall.min(get(&report, "wall"));
        peak_kb = peak_kb.max(get(&report, "vmhwm_kb"));
        pages = get(&report, "pages");
        out_mb = get(&report, "out_bytes") / 1e6;
    }
    let peak_mb = peak_kb / 1024.0;
    println!(
        "  full build     {best_wall:8.3} s   {:8.0} notes/s   {:6.1} MB/s",
        n as f64 / best_wall,
        mb / best_wall
    );
    println!(
        "  peak RSS       {peak_mb:8.1} MB  ({:.2}x the corpus)",
        peak_mb * 1.048_576 / mb
    );
    println!("  output         {pages:8.0} pages, {out_mb:.1} MB");

    let stages = run_child("stages", &root);
    println!(
        "  stages         load+link {:.3} s, render {:.3} s, offline copy (render + zip) {:.3} s, emit {:.3} s",
        get(&stages, "load_link"),
        get(&stages, "render"),
        get(&stages, "offline"),
        get(&stages, "emit"),
    );

    let out = root.join("site");
    let started = Instant::now();
    let status = Command::new(env!("CARGO_BIN_EXE_guidance"))
        .args(["build", "--root"])
        .arg(&root)
        .arg("--out")
        .arg(&out)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("run guidance");
    assert!(status.success());
    println!(
        "  binary         {:8.3} s   (guidance build, including process start)",
        started.elapsed().as_secs_f64()
    );

    let (target_s, label) = if n <= 1_000 {
        (0.5 * n as f64 / 1_000.0, "0.5 s per 1,000")
    } else {
        (5.0 * n as f64 / 10_000.0, "5 s per 10,000")
    };
    let time_ok = best_wall < target_s;
    let memory_ok = peak_mb * 1.048_576 < 2.0 * mb;
    println!(
        "  targets        time < {target_s:.2} s ({label}): {}   peak RSS < {:.0} MB: {}",
        if time_ok { "met" } else { "MISSED" },
        2.0 * mb,
        if memory_ok { "met" } else { "MISSED" }
    );
}

/// Peak resident set size of this process, in kB.
fn vmhwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn child(mode: &str, root: &Path) {
    let out = root.join("site");
    match mode {
        "build" => {
            let started = Instant::now();
            let report =
                guidance::build(root, &out).unwrap_or_else(|d| panic!("build failed:\n{d}"));
            let wall = started.elapsed().as_secs_f64();
            println!(
                "wall={wall} vmhwm_kb={} pages={} out_bytes={}",
                vmhwm_kb(),
                report.pages,
                report.bytes
            );
        }
        "stages" => {
            let t = Instant::now();
            let (site, _) = guidance::load_site(root).unwrap_or_else(|d| panic!("{d}"));
            let load_link = t.elapsed().as_secs_f64();
            let theme = guidance::theme::Theme::load(root).unwrap_or_else(|d| panic!("{d}"));
            let t = Instant::now();
            let files = guidance::generate(&site, &theme, guidance::RenderOptions::default())
                .unwrap_or_else(|d| panic!("{d}"));
            let render = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let copy =
                guidance::bundle::offline_copy(&site, &theme).unwrap_or_else(|d| panic!("{d}"));
            let offline = t.elapsed().as_secs_f64();
            drop(copy);
            let t = Instant::now();
            guidance::emit::write_atomically(&out, &files).expect("emit");
            let emit = t.elapsed().as_secs_f64();
            println!("load_link={load_link} render={render} offline={offline} emit={emit}");
        }
        other => panic!("unknown child mode {other}"),
    }
}
