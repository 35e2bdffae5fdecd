//! The `guidance` command line. Errors are printed here, once, and turned into the exit code:
//! 0 on success, 1 when the content has errors, 2 on a usage error.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use guidance::incremental::Changes;
use guidance::{Diagnostic, Diagnostics};

// A build allocates many small strings on every thread; mimalloc does that faster than the
// system allocator (see `guidance::allocator` for its settings).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Builds the CEPA governance guidance site from Markdown notes and principles.
#[derive(Parser)]
#[command(name = "guidance", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into site/ (replaced atomically: a failed build leaves it untouched).
    Build {
        /// The project folder (holding notes/ and principles/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site; defaults to <root>/site.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Write only the offline copy: a zip of the whole site that works from disk, search included.
    Bundle {
        /// The project folder (holding notes/ and principles/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the zip; defaults to <offline_name>-offline-<date>.zip in the current folder, the date being the newest note's.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check every document, link and template without writing anything.
    Check {
        /// The project folder (holding notes/ and principles/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Print diagnostics as JSON lines (file, line, column, severity, code, message, help).
        #[arg(long)]
        json: bool,
    },
    /// Serve the site on 127.0.0.1 from memory, rebuild what each edit affects, reload browsers.
    Serve {
        /// The project folder (holding notes/ and principles/).
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The port to listen on; 0 picks a free one (the URL is printed).
        #[arg(long, default_value_t = 8000)]
        port: u16,
        /// The address to listen on. Only change it to share the preview on a trusted network.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Open the site in the default browser.
        #[arg(long)]
        open: bool,
    },
    /// Create a new document with valid front matter.
    New {
        #[command(subcommand)]
        what: NewCommand,
    },
}

#[derive(Subcommand)]
enum NewCommand {
    /// Scaffold notes/<slug>.md from a title.
    Note {
        /// The note's title, e.g. "Open government data".
        title: String,
        /// The slug of the principle it serves.
        #[arg(long, default_value = "sound-policymaking")]
        principle: String,
        /// The file name (notes/<slug>.md) and URL; made from the title when not given.
        #[arg(long)]
        slug: Option<String>,
        /// The project folder.
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

impl Command {
    /// The project folder the command works in.
    fn root(&self) -> &Path {
        match self {
            Command::Build { root, .. }
            | Command::Bundle { root, .. }
            | Command::Check { root, .. }
            | Command::Serve { root, .. }
            | Command::New {
                what: NewCommand::Note { root, .. },
            } => root,
        }
    }
}

/// A usage error unless `root` is an existing folder (`new` would otherwise create it).
fn project_folder(root: &Path) -> Result<(), Diagnostic> {
    let problem = if !root.exists() {
        "does not exist"
    } else if !root.is_dir() {
        "is not a folder"
    } else {
        return Ok(());
    };
    Err(Diagnostic::error(
        "project-folder",
        format!("the project folder `{}` {problem}", root.display()),
    )
    .help("run guidance in the folder that holds notes/ and principles/, or pass it with --root"))
}

fn main() -> ExitCode {
    guidance::allocator::return_memory_early();
    let cli = Cli::parse();
    let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        && std::io::stderr().is_terminal();
    if let Err(d) = project_folder(cli.command.root()) {
        print_diagnostics(&d.into(), color);
        return ExitCode::from(2);
    }
    // Run in the wrong folder: a usage error too, whichever command.
    if let Some(d) = guidance::load::not_a_project(cli.command.root()) {
        print_diagnostics(&d.into(), color);
        return ExitCode::from(2);
    }
    if matches!(cli.command, Command::Build { .. } | Command::Bundle { .. }) {
        stop_cleanly_when_interrupted();
    }
    match cli.command {
        Command::Build { root, out } => {
            let out = out.unwrap_or_else(|| root.join("site"));
            let started = std::time::Instant::now();
            match guidance::build(&root, &out) {
                Ok(report) => {
                    print_diagnostics(&report.warnings, color);
                    eprintln!(
                        "built {} pages ({:.1} MB) into {} in {:.2} s",
                        report.pages,
                        report.bytes as f64 / 1e6,
                        out.display(),
                        started.elapsed().as_secs_f64()
                    );
                    ExitCode::SUCCESS
                }
                Err(diagnostics) => failed(&diagnostics, color),
            }
        }
        Command::Bundle { root, out } => match guidance::bundle::bundle(&root, out.as_deref()) {
            Ok(report) => {
                print_diagnostics(&report.warnings, color);
                eprintln!(
                    "wrote the offline copy ({:.1} MB) to {}",
                    report.bytes as f64 / 1e6,
                    report.path.display()
                );
                ExitCode::SUCCESS
            }
            Err(diagnostics) => failed(&diagnostics, color),
        },
        Command::Check { root, json } => {
            let result = guidance::check(&root);
            let diagnostics = match &result {
                Ok(warnings) => warnings,
                Err(errors) => errors,
            };
            if json {
                for d in diagnostics.iter() {
                    println!("{}", d.to_json());
                }
            } else {
                print_diagnostics(diagnostics, color);
            }
            match result {
                Ok(warnings) => {
                    if !json {
                        eprintln!(
                            "checked: no errors, {}",
                            counted(warnings.0.len(), "warning")
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(errors) => {
                    if !json {
                        eprintln!("check failed: {}", counted(errors.error_count(), "error"));
                    }
                    ExitCode::from(1)
                }
            }
        }
        Command::Serve {
            root,
            port,
            bind,
            open,
        } => {
            let options = guidance::serve::ServeOptions {
                port,
                bind,
                ..guidance::serve::ServeOptions::new(&root)
            };
            serve(options, open, color)
        }
        Command::New {
            what:
                NewCommand::Note {
                    title,
                    principle,
                    slug,
                    root,
                },
        } => match new_note(&root, &title, &principle, slug.as_deref()) {
            Ok(path) => {
                eprintln!(
                    "created {} for the principle {principle} (another: --principle SLUG)",
                    path.display()
                );
                ExitCode::SUCCESS
            }
            Err(d) => {
                print_diagnostics(&d.clone().into(), color);
                // A bad argument is a usage error; a clash with an existing file is not.
                ExitCode::from(if d.code == "exists" || d.code == "io" {
                    1
                } else {
                    2
                })
            }
        },
    }
}

/// `guidance serve`: runs until Ctrl-C, printing each rebuild.
fn serve(options: guidance::serve::ServeOptions, open: bool, color: bool) -> ExitCode {
    use guidance::serve::Event;
    let report = move |event: Event| match event {
        Event::Rebuilt {
            rebuilt,
            changes,
            elapsed,
        } => {
            print_diagnostics(&rebuilt.warnings, color);
            let why = match changes {
                Changes::Files(files) if rebuilt.build.generation > 1 => {
                    format!("{} changed: ", listed(files.iter()))
                }
                _ => String::new(),
            };
            let how = if rebuilt.full { "built" } else { "rebuilt" };
            let pages = match &rebuilt.changed {
                Some(changed) if !rebuilt.full => {
                    format!("{} to reload", counted(changed.len(), "page"))
                }
                _ => counted(rebuilt.build.page_count(), "page"),
            };
            eprintln!(
                "{why}{how} in {} ms (build {}), {pages}",
                elapsed.as_millis(),
                rebuilt.build.generation
            );
        }
        Event::AlsoChanged { generation, pages } => eprintln!(
            "build {generation}: {} more changed once rendered: {}",
            counted(pages.len(), "page"),
            listed(pages.iter())
        ),
        Event::Unchanged { elapsed } => eprintln!("no page changed ({} ms)", elapsed.as_millis()),
        Event::Failed {
            diagnostics,
            last_good,
        } => {
            print_diagnostics(diagnostics, color);
            let serving = if last_good {
                "still serving the last good build"
            } else {
                "the pages show the errors until they are fixed"
            };
            eprintln!(
                "error: the build failed with {}; {serving}",
                counted(diagnostics.error_count(), "error")
            );
        }
        Event::RenderFailed { diagnostics } => {
            print_diagnostics(diagnostics, color);
            eprintln!("error: a page failed to render; serving its last good version");
        }
    };
    let server = match guidance::serve::Server::start(options, report) {
        Ok(server) => server,
        Err(d) => {
            print_diagnostics(&d, color);
            return ExitCode::from(1);
        }
    };
    // The handler first: a Ctrl-C right after the address is printed stops cleanly too.
    if let Err(e) = ctrlc::set_handler(server.stopper()) {
        eprintln!("warning: cannot handle Ctrl-C: {e}");
    }
    println!("Serving at {} (Ctrl-C to stop)", server.url());
    if open {
        guidance::serve::open_in_browser(server.url());
    }
    server.wait();
    eprintln!("stopped");
    // Nothing is left to save, and dropping the HTTP server waits for the connections browsers
    // keep open (their reload channels): 1.5 s with one tab open.
    std::process::exit(0)
}

/// `1 error`, `2 errors`.
/// Up to three items, then how many more: `a, b, c and 4 more`.
fn listed<'a>(items: impl ExactSizeIterator<Item = &'a String>) -> String {
    let total = items.len();
    let shown: Vec<&str> = items.take(3).map(String::as_str).collect();
    match total - shown.len() {
        0 => shown.join(", "),
        more => format!("{} and {more} more", shown.join(", ")),
    }
}

/// `slug` cut at the last `-` before [`SLUG_LENGTH`] when it is longer.
fn shortened(slug: &str) -> String {
    if slug.len() <= SLUG_LENGTH {
        return slug.to_string();
    }
    let cut = slug[..=SLUG_LENGTH].rfind('-').unwrap_or(SLUG_LENGTH);
    slug[..cut].to_string()
}

fn counted(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn print_diagnostics(diagnostics: &Diagnostics, color: bool) {
    for d in diagnostics.iter() {
        eprint!("{}", d.render(color));
    }
}

fn failed(diagnostics: &Diagnostics, color: bool) -> ExitCode {
    print_diagnostics(diagnostics, color);
    eprintln!(
        "error: build failed with {}; nothing was written",
        counted(diagnostics.error_count(), "error")
    );
    ExitCode::from(1)
}

/// Slugs made from a title stop at a word boundary near this length: file names stay short.
const SLUG_LENGTH: usize = 60;

fn new_note(
    root: &Path,
    title: &str,
    principle: &str,
    slug: Option<&str>,
) -> Result<PathBuf, Diagnostic> {
    // Not in notes/ itself, nor anywhere else a note would never be found.
    if let Some(problem) = guidance::load::not_a_project(root) {
        return Err(problem);
    }
    let title = title.trim();
    if title.is_empty() {
        return Err(Diagnostic::error("bad-title", "the title is empty")
            .help("give the note a title, e.g. guidance new note \"Open government data\""));
    }
    if title.chars().any(char::is_control) {
        return Err(
            Diagnostic::error("bad-title", "the title holds a line break or a tab")
                .help("write the title on one line"),
        );
    }
    let slug = match slug {
        Some(slug) if guidance::load::is_slug(slug) => slug.to_string(),
        Some(slug) => {
            return Err(
                Diagnostic::error("bad-slug", format!("`{slug}` is not a valid slug")).help(
                    format!(
                        "use lower-case letters, digits and `-`, e.g. --slug {}",
                        guidance::load::slugify(slug)
                    ),
                ),
            );
        }
        None => shortened(&guidance::load::slugify(title)),
    };
    if slug.is_empty() {
        return Err(Diagnostic::error(
            "bad-title",
            "the title has no Latin letters or digits to make a file name from",
        )
        .help("give the file name with --slug, e.g. --slug data-sharing"));
    }
    let principles = root.join("principles");
    if principles.is_dir() && !principles.join(format!("{principle}.md")).is_file() {
        let mut known: Vec<String> = std::fs::read_dir(&principles)
            .map(|entries| {
                entries
                    .filter_map(|e| {
                        e.ok()?
                            .file_name()
                            .to_str()?
                            .strip_suffix(".md")
                            .map(str::to_string)
                    })
                    .filter(|stem| !stem.contains('.'))
                    .collect()
            })
            .unwrap_or_default();
        known.sort();
        let d = Diagnostic::error(
            "unknown-principle",
            format!("unknown principle \"{principle}\""),
        );
        return Err(
            match guidance::diagnostic::did_you_mean(principle, known.iter().map(String::as_str)) {
                Some(close) => d.help(format!("did you mean --principle {close}?")),
                None => d.help(format!(
                    "pass the slug of a file in principles/: --principle {}",
                    known.join(" | ")
                )),
            },
        );
    }
    let path = root.join("notes").join(format!("{slug}.md"));
    if path.exists() {
        return Err(
            Diagnostic::error("exists", format!("notes/{slug}.md already exists"))
                .help("choose another title or edit the existing note"),
        );
    }
    let title_yaml = serde_json::to_string(title).unwrap_or_default();
    let summary = guidance::link::PLACEHOLDER_SUMMARY;
    let text = format!(
        "---\ntitle: {title_yaml}\nprinciple: {principle}\nrelated_principles: []\ncountries: []\nsdg_targets: []\n\
         summary: {summary}\nstatus: published\nsources: []\n---\n\
         ## At a glance\n\n## Understanding the strategy\n\n## Why it matters\n\n## Putting it into practice\n\n\
         ## Common pitfalls\n\n## Measuring progress\n\n## Related notes\n"
    );
    std::fs::create_dir_all(root.join("notes"))
        .and_then(|_| std::fs::write(&path, text))
        .map_err(|e| Diagnostic::error("io", format!("cannot write notes/{slug}.md: {e}")))?;
    Ok(path)
}

/// Ctrl-C or SIGTERM during a build: the output is left as it was (or as the build finished
/// it), without the half-written folder beside it that a plain exit would leave behind.
fn stop_cleanly_when_interrupted() {
    let stop = || {
        guidance::emit::abandon();
        eprintln!("interrupted: no half-written files are left");
        std::process::exit(130);
    };
    if let Err(e) = ctrlc::set_handler(stop) {
        eprintln!("warning: cannot handle Ctrl-C: {e}");
    }
}
