//! Build benchmark: `cargo bench --bench build [-- N ...]` (default N = 1,000 and 10,000).
//!
//! For each N it writes a deterministic synthetic corpus (`guidance::synthetic`) to the
//! git-ignored `bench-corpus/<N>/` (reused while it matches), then runs the full build
//! (`guidance::build`, what `guidance build` runs) in a fresh child process, three times
//! (`BENCH_RUNS=n` to change), and prints the best wall time, CPU time, notes/s, MB of Markdown/s
//! and the child's peak RSS (VmHWM from /proc/self/status). Another child times each stage,
//! sizes the output by area and times the floor (the CPU time of loading and linking, rendering
//! the pages and compressing the offline copy, each alone); another runs the core pipeline alone
//! (one language, no offline copy).
//! Last, the real binary is timed once.
//!
//! Targets (2 cores): 1,000 notes (~16 MB) < 0.5 s, 10,000 < 5 s, peak RSS < 2x the corpus.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

// The allocator the `guidance` binary uses, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const SEED: u64 = 1;
/// Timed runs per measurement (the best is shown); `BENCH_RUNS` overrides.
fn runs() -> usize {
    std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .filter(|&r| r > 0)
        .unwrap_or(3)
}
const CHILD: &str = "GUIDANCE_BENCH_CHILD";

fn main() {
    guidance::allocator::return_memory_early();
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
        "guidance build benchmark: {} cores, {} runs each (best shown)",
        cores(),
        runs()
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
    let mut best_cpu = f64::INFINITY;
    let mut peak_kb: f64 = 0.0;
    let mut pages = 0.0;
    let mut out_mb = 0.0;
    for _ in 0..runs() {
        let report = run_child("build", &root);
        best_wall = best_wall.min(get(&report, "wall"));
        best_cpu = best_cpu.min(get(&report, "cpu"));
        peak_kb = peak_kb.max(get(&report, "vmhwm_kb"));
        pages = get(&report, "pages");
        out_mb = get(&report, "out_bytes") / 1e6;
    }
    let peak_mb = peak_kb * 1024.0 / 1e6;
    println!(
        "  full build     {best_wall:8.3} s   {:8.0} notes/s   {:6.1} MB/s",
        n as f64 / best_wall,
        mb / best_wall
    );
    println!(
        "  CPU time       {best_cpu:8.3} s   (user + system, all threads; load average {})",
        load_average()
    );
    println!(
        "  peak RSS       {peak_mb:8.1} MB  ({:.2}x the corpus)",
        peak_mb / mb
    );
    println!("  output         {pages:8.0} pages, {out_mb:.1} MB");

    let stages = run_child("stages", &root);
    println!(
        "  stages         load+link {:.3} s, data files {:.3} s (api {:.3}, feeds {:.3}, search {:.3}), \
         render the web pages {:.3} s",
        get(&stages, "load_link"),
        get(&stages, "api") + get(&stages, "feeds") + get(&stages, "search"),
        get(&stages, "api"),
        get(&stages, "feeds"),
        get(&stages, "search"),
        get(&stages, "render"),
    );
    println!(
        "                 publish {:.3} s (data once, every page rendered once for the web and the \
         copy, copy compressed, all written), swap in {:.3} s",
        get(&stages, "publish"),
        get(&stages, "swap"),
    );
    // What the time target leaves for the whole build on this machine's cores, against three
    // parts no build can do without: loading and linking, rendering the web's pages into memory,
    // and compressing the offline copy (nothing written, no search index or data files).
    let budget = cores() as f64 * 0.5 * n as f64 / 1_000.0;
    let floor = ["load_link_cpu", "render_cpu", "copy_deflate_cpu"].map(|k| get(&stages, k));
    println!(
        "  floor          CPU for load+link {:.3} s + rendering the web pages {:.3} s + \
         compressing the copy's {:.1} MB alone {:.3} s (libdeflate level 1) = {:.3} s, against \
         {budget:.2} s of CPU the time target leaves on {} cores",
        floor[0],
        floor[1],
        get(&stages, "copy_mb"),
        floor[2],
        floor.iter().sum::<f64>(),
        cores()
    );
    let areas: Vec<String> = stages
        .iter()
        .filter_map(|(k, v)| Some(format!("{} {:.1}", k.strip_prefix("mb_")?, v)))
        .collect();
    println!("  output MB by area: {}", areas.join(", "));

    let mut core_wall = f64::INFINITY;
    let mut core_cpu = f64::INFINITY;
    let mut core_peak: f64 = 0.0;
    let mut core_mb = 0.0;
    for _ in 0..runs() {
        let report = run_child("core", &root);
        core_wall = core_wall.min(get(&report, "wall"));
        core_cpu = core_cpu.min(get(&report, "cpu"));
        core_peak = core_peak.max(get(&report, "vmhwm_kb") * 1024.0 / 1e6);
        core_mb = get(&report, "out_bytes") / 1e6;
    }
    println!(
        "  core pipeline  {core_wall:8.3} s   {:8.0} notes/s   {:6.1} MB/s   CPU {core_cpu:.3} s   \
         peak RSS {core_peak:.1} MB ({:.2}x)   output {core_mb:.1} MB",
        n as f64 / core_wall,
        mb / core_wall,
        core_peak / mb
    );
    println!(
        "                 (load, link, render in the default language only, emit: no offline copy; the whole output held in memory, as `guidance::generate` makes it)"
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

    let target_s = 0.5 * n as f64 / 1_000.0;
    let time_ok = best_wall < target_s;
    let memory_ok = peak_mb < 2.0 * mb;
    println!(
        "  targets        time < {target_s:.2} s: {}   peak RSS < {:.0} MB (2x corpus): {}",
        if time_ok { "met" } else { "MISSED" },
        2.0 * mb,
        if memory_ok { "met" } else { "MISSED" }
    );
}

/// The CPU time one thread takes to compress the offline copy's entries, read back from `zip`,
/// at the build's fastest level (libdeflate's 1, with their checksums): work the build cannot
/// skip, timed apart from everything else. Also the MB compressed.
fn deflate_alone(zip: &Path) -> (f64, f64) {
    use std::io::Read;
    let mut archive =
        zip::ZipArchive::new(std::fs::File::open(zip).expect("the offline copy")).expect("a zip");
    let entries: Vec<Vec<u8>> = (0..archive.len())
        .map(|i| {
            let mut bytes = Vec::new();
            let mut entry = archive.by_index(i).expect("an entry");
            entry.read_to_end(&mut bytes).expect("inflate an entry");
            bytes
        })
        .collect();
    let level = libdeflater::CompressionLvl::new(1).expect("a valid level");
    let mut compressor = libdeflater::Compressor::new(level);
    let largest = entries.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = vec![0; compressor.deflate_compress_bound(largest)];
    let cpu = cpu_seconds();
    for bytes in &entries {
        compressor
            .deflate_compress(bytes, &mut out)
            .expect("room for the compressed entry");
        std::hint::black_box(libdeflater::crc32(bytes));
    }
    let cpu = cpu_seconds() - cpu;
    let mb = entries.iter().map(Vec::len).sum::<usize>() as f64 / 1e6;
    (cpu, mb)
}

/// CPU time (user + system, all threads) this process has used so far, in seconds. Unlike wall
/// time it barely changes when other work shares the machine.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let rest = stat.rsplit_once(") ").map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the whole line: 11 and 12 after the name.
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| fields.get(i)?.parse::<f64>().ok())
        .sum();
    ticks / 100.0 // USER_HZ is 100 on Linux
}

/// Peak resident set size of this process, in kB.
fn vmhwm_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse().ok()
        })
        .unwrap_or(0)
}

/// The 1-minute load average: on a busy machine wall times mean little.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_default()
}

fn child(mode: &str, root: &Path) {
    let out = root.join("site");
    let fail = |d: guidance::Diagnostics| -> ! { panic!("build failed:\n{d}") };
    match mode {
        "build" => {
            let cpu = cpu_seconds();
            let started = Instant::now();
            let report = guidance::build(root, &out).unwrap_or_else(|d| fail(d));
            let wall = started.elapsed().as_secs_f64();
            let cpu = cpu_seconds() - cpu;
            println!(
                "wall={wall} cpu={cpu} vmhwm_kb={} pages={} out_bytes={}",
                vmhwm_kb(),
                report.pages,
                report.bytes
            );
        }
        "stages" => {
            let (t, cpu) = (Instant::now(), cpu_seconds());
            let (site, _) = guidance::load_site(root).unwrap_or_else(|d| fail(d));
            let load_link = t.elapsed().as_secs_f64();
            print!("load_link_cpu={} ", cpu_seconds() - cpu);
            let theme = guidance::theme::Theme::load(root).unwrap_or_else(|d| fail(d));
            let timed = |name: &str, make: &dyn Fn() -> Vec<guidance::OutputFile>| {
                let (t, cpu) = (Instant::now(), cpu_seconds());
                let files = make();
                let wall = t.elapsed().as_secs_f64();
                print!("{name}={wall} {name}_cpu={} ", cpu_seconds() - cpu);
                files
            };
            let mut files = timed("api", &|| guidance::api::files(&site));
            // (Feed titles take the separator from the theme's strings; English's here.)
            files.extend(timed("feeds", &|| {
                guidance::feed::files(&site, &|_| ": ".to_string())
            }));
            files.extend(timed("search", &|| guidance::search::index(&site)));
            files.extend(timed("render", &|| {
                let options = guidance::RenderOptions::default();
                let renderer = guidance::render::Renderer::new(&site, &theme, options)
                    .unwrap_or_else(|d| fail(d));
                renderer.render_all().unwrap_or_else(|d| fail(d))
            }));
            let mut areas: std::collections::BTreeMap<String, usize> = Default::default();
            for file in &files {
                let top = file.path.split('/').next().unwrap_or_default();
                let area = if !file.path.contains('/') {
                    "root-files"
                } else if ["ar", "zh", "fr", "ru", "es"].contains(&top) {
                    "other-languages"
                } else {
                    top
                };
                *areas.entry(area.to_string()).or_default() += file.bytes.len();
            }
            drop(files);
            let staging = tempfile::tempdir_in(root).expect("staging folder");
            let t = Instant::now();
            guidance::publish::publish(&site, &theme, staging.path()).unwrap_or_else(|d| fail(d));
            let publish = t.elapsed().as_secs_f64();
            let zip = staging.path().join(guidance::bundle::site_path(&site));
            areas.insert(
                "offline-zip".into(),
                std::fs::metadata(&zip).map_or(0, |m| m.len() as usize),
            );
            let (deflate, deflated_mb) = deflate_alone(&zip);
            print!("copy_deflate_cpu={deflate} copy_mb={deflated_mb} ");
            // Swapping a finished build in for the previous one (left by the timed builds),
            // which is then deleted.
            let t = Instant::now();
            guidance::emit::replace_atomically(&out, |dir| {
                std::fs::remove_dir(dir)?;
                std::fs::rename(staging.path(), dir)
            })
            .expect("swap");
            let swap = t.elapsed().as_secs_f64();
            print!("load_link={load_link} publish={publish} swap={swap}");
            for (area, bytes) in areas {
                print!(" mb_{area}={}", bytes as f64 / 1e6);
            }
            println!();
        }
        "core" => {
            // The issue-2 pipeline alone: load, link, render the site in one language (no
            // translations, offline copy, print edition in other languages), emit.
            let cpu = cpu_seconds();
            let started = Instant::now();
            let (mut site, _) = guidance::load_site(root).unwrap_or_else(|d| fail(d));
            site.config.languages.truncate(1);
            let theme = guidance::theme::Theme::load(root).unwrap_or_else(|d| fail(d));
            let options = guidance::RenderOptions::default();
            let files = guidance::generate(&site, &theme, options).unwrap_or_else(|d| fail(d));
            let out = root.join("site-core");
            guidance::emit::write_atomically(&out, &files).expect("emit");
            let wall = started.elapsed().as_secs_f64();
            let cpu = cpu_seconds() - cpu;
            let bytes: usize = files.iter().map(|f| f.bytes.len()).sum();
            println!(
                "wall={wall} cpu={cpu} vmhwm_kb={} out_bytes={bytes}",
                vmhwm_kb()
            );
        }
        other => panic!("unknown child mode {other}"),
    }
}
