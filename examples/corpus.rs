//! Writes a deterministic synthetic corpus: `cargo run --release --example corpus -- <dir> <N> [seed]`.

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(dir), Some(notes)) = (
        args.first(),
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: corpus <dir> <number-of-notes> [seed]");
        return ExitCode::from(2);
    };
    let seed = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1);
    match guidance::synthetic::write_corpus(&PathBuf::from(dir), notes, seed) {
        Ok(stats) => {
            println!(
                "wrote {} notes and {} principles to {dir}: {} files, {:.1} MB of Markdown, {} words in notes",
                stats.notes,
                stats.principles,
                stats.files,
                stats.bytes as f64 / 1e6,
                stats.words
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: cannot write the corpus to {dir}: {e}");
            ExitCode::FAILURE
        }
    }
}
