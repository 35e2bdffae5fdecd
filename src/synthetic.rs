//! A deterministic synthetic corpus: a complete, valid project (11 principles, N notes of about
//! 2,000 words each) for benchmarks and for tests that need a large site. The same `(notes, seed)`
//! always writes the same bytes.
//!
//! Each note has front matter, `##` and `###` headings, lists, a table, sometimes a fenced code
//! block, and cross-links (`principle:`, `note:<slug>#anchor`, `country:`). Words are drawn with a
//! skewed distribution from a vocabulary of real governance terms and generated words, so search
//! over the corpus has common and rare terms like real text. 1,000 notes are about 16 MB.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// What [`write_corpus`] wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CorpusStats {
    pub notes: usize,
    pub principles: usize,
    /// Markdown files written (principles, notes and pages).
    pub files: usize,
    /// Total bytes of Markdown written.
    pub bytes: u64,
    /// Total words in note bodies (whitespace-separated).
    pub words: u64,
}

/// A small, fast, deterministic PRNG (SplitMix64).
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (((self.next_u64() >> 11) as u128 * n as u128) >> 53) as usize
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Skewed towards small indexes (roughly Zipf-like): common words come up often, rare ones
    /// seldom.
    pub fn skewed(&mut self, n: usize) -> usize {
        let u = self.unit();
        ((u * u * u) * n as f64) as usize % n
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The eleven principles: slug, title, number, pillar.
const PRINCIPLES: [(&str, &str, &str); 11] = [
    ("competence", "Competence", "effectiveness"),
    ("sound-policymaking", "Sound policymaking", "effectiveness"),
    ("collaboration", "Collaboration", "effectiveness"),
    ("integrity", "Integrity", "accountability"),
    ("transparency", "Transparency", "accountability"),
    (
        "independent-oversight",
        "Independent oversight",
        "accountability",
    ),
    (
        "leaving-no-one-behind",
        "Leaving no one behind",
        "inclusiveness",
    ),
    ("non-discrimination", "Non-discrimination", "inclusiveness"),
    ("participation", "Participation", "inclusiveness"),
    ("subsidiarity", "Subsidiarity", "inclusiveness"),
    (
        "intergenerational-equity",
        "Intergenerational equity",
        "inclusiveness",
    ),
];

/// ISO 3166-1 alpha-3 codes that notes cite.
pub const COUNTRIES: [&str; 40] = [
    "ARG", "AUS", "BGD", "BRA", "CAN", "CHL", "CHN", "COL", "CRI", "DEU", "DNK", "EGY", "ESP",
    "EST", "ETH", "FIN", "FRA", "GHA", "GUY", "IDN", "IND", "JPN", "KEN", "KOR", "LAO", "MAR",
    "MEX", "MUS", "NGA", "NZL", "PAK", "PER", "PHL", "RWA", "SEN", "SGP", "SYC", "TUN", "URY",
    "ZAF",
];

/// Common governance vocabulary; generated words extend it.
const WORDS: &[&str] = &[
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "for",
    "public",
    "government",
    "policy",
    "is",
    "that",
    "with",
    "on",
    "by",
    "as",
    "institutions",
    "data",
    "local",
    "national",
    "budget",
    "service",
    "are",
    "be",
    "from",
    "or",
    "an",
    "their",
    "this",
    "which",
    "can",
    "should",
    "governance",
    "sustainable",
    "development",
    "planning",
    "ministry",
    "agency",
    "citizens",
    "oversight",
    "accountability",
    "transparency",
    "participation",
    "integrity",
    "capacity",
    "evaluation",
    "monitoring",
    "reform",
    "strategy",
    "framework",
    "coordination",
    "municipal",
    "finance",
    "statistics",
    "evidence",
    "procurement",
    "audit",
    "parliament",
    "civil",
    "society",
    "stakeholders",
    "inclusive",
    "equity",
    "resilience",
    "climate",
    "risk",
    "assessment",
    "decentralization",
    "fiscal",
    "revenue",
    "expenditure",
    "regulation",
    "digital",
    "platform",
    "open",
    "indicators",
    "targets",
    "outcomes",
    "programme",
    "reporting",
    "information",
    "access",
    "rights",
    "women",
    "youth",
    "rural",
    "urban",
    "health",
    "education",
    "water",
    "energy",
    "infrastructure",
    "investment",
    "partnership",
    "trust",
    "legitimacy",
    "corruption",
    "prevention",
    "ethics",
    "training",
    "leadership",
    "recruitment",
    "merit",
    "performance",
    "incentives",
    "consultation",
    "dialogue",
    "feedback",
    "complaints",
    "ombudsman",
    "tribunal",
    "courts",
    "law",
    "legislation",
    "mandate",
    "independence",
    "resources",
    "allocation",
    "priorities",
    "future",
    "generations",
    "foresight",
    "scenarios",
    "long-term",
    "territorial",
    "spatial",
    "land",
    "ecosystem",
    "biodiversity",
    "disaster",
    "shocks",
    "recovery",
    "debt",
    "borrowing",
    "sovereign",
    "guarantees",
    "liabilities",
    "tax",
    "transfers",
    "grants",
    "subnational",
    "regions",
    "provinces",
    "districts",
    "communities",
    "households",
    "disaggregated",
    "census",
    "surveys",
    "registers",
    "interoperability",
    "privacy",
    "protection",
    "standards",
    "cooperation",
    "coherence",
    "alignment",
    "implementation",
    "review",
    "learning",
    "innovation",
    "pilot",
    "scale",
    "costs",
    "benefits",
    "analysis",
    "impact",
    "vulnerable",
    "marginalized",
    "discrimination",
    "minorities",
    "disability",
    "indigenous",
    "migrants",
    "gender",
    "age",
    "income",
    "poverty",
    "inequality",
    "services",
    "delivery",
    "frontline",
    "officials",
    "staff",
    "managers",
    "departments",
    "units",
    "committees",
    "councils",
    "mayors",
    "cities",
    "towns",
];

/// Syllables for generated words (rare terms, names of programmes).
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "an", "el", "or", "un", "ba", "de", "fi",
    "go", "ha", "ju", "ki", "la", "mo", "nu", "pa", "qui", "ri", "su", "ta", "wa", "xo", "yo",
    "zu", "tra", "pro", "gen", "ver", "dal", "mon", "ser", "tel",
];

const GENERATED_WORDS: usize = 6_000;

/// The standard `##` sections every synthetic note has (so `note:<slug>#<id>` links always resolve).
const SECTIONS: [&str; 8] = [
    "At a glance",
    "Understanding the strategy",
    "Why it matters",
    "Putting it into practice",
    "Common pitfalls",
    "Measuring progress",
    "Related notes",
    "Further reading",
];

fn anchor(text: &str) -> String {
    crate::markdown::anchor_id(text)
}

struct Vocabulary {
    words: Vec<String>,
}

impl Vocabulary {
    fn new(seed: u64) -> Vocabulary {
        let mut rng = Rng::new(seed.wrapping_mul(31).wrapping_add(7));
        let mut words: Vec<String> = WORDS.iter().map(|w| w.to_string()).collect();
        let mut seen: std::collections::HashSet<String> = words.iter().cloned().collect();
        while words.len() < WORDS.len() + GENERATED_WORDS {
            let syllables = 2 + rng.below(3);
            let word: String = (0..syllables).map(|_| *rng.pick(SYLLABLES)).collect();
            if seen.insert(word.clone()) {
                words.push(word);
            }
        }
        Vocabulary { words }
    }

    fn word(&self, rng: &mut Rng) -> &str {
        // Mostly the common vocabulary, sometimes a rarer generated word.
        if rng.below(5) == 0 {
            &self.words[WORDS.len() + rng.skewed(GENERATED_WORDS)]
        } else {
            &self.words[rng.skewed(WORDS.len())]
        }
    }

    /// `n` words separated by spaces.
    fn phrase(&self, rng: &mut Rng, n: usize, out: &mut String) -> usize {
        for i in 0..n {
            if i > 0 {
                out.push(' ');
            }
            out.push_str(self.word(rng));
        }
        n
    }

    fn title(&self, rng: &mut Rng, n: usize) -> String {
        let mut title = String::new();
        self.phrase(rng, n, &mut title);
        capitalise(&title)
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Strategies of principle `p`: five short titles, deterministic per principle.
fn strategies(p: usize) -> Vec<String> {
    (1..=5)
        .map(|k| format!("{} strategy {k}", PRINCIPLES[p].1))
        .collect()
}

struct NoteInfo {
    slug: String,
    title: String,
    principle: usize,
}

/// Writes a complete project into `dir` (which is created if needed): `principles/`, `notes/`,
/// `pages/`. Existing files of the same names are overwritten; nothing else is removed.
pub fn write_corpus(dir: &Path, notes: usize, seed: u64) -> io::Result<CorpusStats> {
    let vocab = Vocabulary::new(seed);
    let mut stats = CorpusStats {
        notes,
        principles: PRINCIPLES.len(),
        ..CorpusStats::default()
    };
    for folder in ["principles", "notes", "pages"] {
        std::fs::create_dir_all(dir.join(folder))?;
    }
    // The corpus has no translations, so it is published in its one language (a project with
    // translations lists its languages the same way).
    std::fs::write(
        dir.join("guidance.yaml"),
        "title: Synthetic corpus\nlanguages: [en]\n",
    )?;

    let mut rng = Rng::new(seed);
    // Titles are drawn again until unique: `check` warns about two notes with one title.
    let mut titles = std::collections::HashSet::new();
    let infos: Vec<NoteInfo> = (0..notes)
        .map(|i| {
            let title = loop {
                let n = 3 + rng.below(3);
                let title = vocab.title(&mut rng, n);
                if titles.insert(title.to_lowercase()) {
                    break title;
                }
            };
            let slug = format!("n{i:05}-{}", crate::load::slugify(&title));
            NoteInfo {
                slug,
                title,
                principle: i % PRINCIPLES.len(),
            }
        })
        .collect();

    let mut write = |path: &Path, text: &str| -> io::Result<()> {
        stats.files += 1;
        stats.bytes += text.len() as u64;
        std::fs::write(path, text)
    };

    for (p, (slug, title, pillar)) in PRINCIPLES.iter().enumerate() {
        let text = principle_text(
            p,
            title,
            pillar,
            &infos,
            &vocab,
            &mut Rng::new(seed ^ ((p as u64 + 1) << 40)),
        );
        write(&dir.join("principles").join(format!("{slug}.md")), &text)?;
    }
    for (i, info) in infos.iter().enumerate() {
        let mut rng = Rng::new(
            seed.wrapping_add(i as u64)
                .wrapping_mul(0x2545_F491_4F6C_DD1D),
        );
        let (text, words) = note_text(i, info, &infos, &vocab, &mut rng);
        stats.words += words as u64;
        write(&dir.join("notes").join(format!("{}.md", info.slug)), &text)?;
    }
    let home = "---\ntitle: Home\nsummary: A synthetic corpus for benchmarks.\n---\nThis is a synthetic site with \
                [eleven principles](principle:competence) and many notes.\n";
    write(&dir.join("pages").join("home.md"), home)?;
    let about = "---\ntitle: About this site\nsummary: How the synthetic corpus is made.\n---\n## Method\n\n\
                 Generated deterministically by `guidance::synthetic::write_corpus`.\n";
    write(&dir.join("pages").join("about.md"), about)?;
    Ok(stats)
}

fn principle_text(
    p: usize,
    title: &str,
    pillar: &str,
    infos: &[NoteInfo],
    vocab: &Vocabulary,
    rng: &mut Rng,
) -> String {
    let mut text = String::with_capacity(4096);
    let _ = writeln!(
        text,
        "---\ntitle: {title}\nnumber: {}\npillar: {pillar}\nstrategies:",
        p + 1
    );
    for s in strategies(p) {
        let _ = writeln!(text, "  - {s}");
    }
    let _ = writeln!(text, "sdg_targets: [\"16.{}\"]", 1 + p % 10);
    text.push_str("summary: ");
    vocab.phrase(rng, 20, &mut text);
    text.push_str(".\n---\n## What the principle asks\n\n");
    paragraph(vocab, rng, 80, &mut text);
    text.push_str("## Why it matters for the 2030 Agenda\n\n");
    paragraph(vocab, rng, 80, &mut text);
    if let Some(first) = infos.iter().find(|n| n.principle == p) {
        let _ = writeln!(
            text,
            "See for example [{}](note:{}).\n",
            first.title, first.slug
        );
    }
    text
}

fn paragraph(vocab: &Vocabulary, rng: &mut Rng, words: usize, out: &mut String) -> usize {
    let mut written = 0;
    while written < words {
        let n = 8 + rng.below(14);
        let mut sentence = String::new();
        vocab.phrase(rng, n, &mut sentence);
        out.push_str(&capitalise(&sentence));
        out.push_str(". ");
        written += n;
    }
    out.pop();
    out.push_str("\n\n");
    written
}

fn note_text(
    i: usize,
    info: &NoteInfo,
    infos: &[NoteInfo],
    vocab: &Vocabulary,
    rng: &mut Rng,
) -> (String, usize) {
    let mut text = String::with_capacity(18_000);
    let p = info.principle;
    let strategies = strategies(p);
    let mut countries: Vec<&str> = (0..rng.below(5)).map(|_| *rng.pick(&COUNTRIES)).collect();
    countries.sort_unstable();
    countries.dedup();
    let related = (p + 1 + rng.below(PRINCIPLES.len() - 1)) % PRINCIPLES.len();

    let _ = writeln!(text, "---\ntitle: {}", info.title);
    let _ = writeln!(text, "principle: {}", PRINCIPLES[p].0);
    let _ = writeln!(
        text,
        "strategy: {}",
        strategies[(i / PRINCIPLES.len()) % strategies.len()]
    );
    let _ = writeln!(text, "related_principles: [{}]", PRINCIPLES[related].0);
    let _ = writeln!(text, "countries: [{}]", countries.join(", "));
    let first = format!("16.{}", 1 + rng.below(10));
    let second = format!("{}.{}", 1 + rng.below(17), 1 + rng.below(9));
    if first == second {
        let _ = writeln!(text, "sdg_targets: [\"{first}\"]");
    } else {
        let _ = writeln!(text, "sdg_targets: [\"{first}\", \"{second}\"]");
    }
    text.push_str("summary: ");
    vocab.phrase(rng, 18, &mut text);
    text.push_str(".\n");
    let _ = writeln!(
        text,
        "published: {}-{:02}-{:02}",
        2018 + rng.below(7),
        1 + rng.below(12),
        1 + rng.below(28)
    );
    let _ = writeln!(
        text,
        "status: {}",
        if i.is_multiple_of(17) {
            "provisional"
        } else {
            "published"
        }
    );
    text.push_str(
        "sources:\n  - title: Synthetic source\n    url: https://example.org/source.pdf\n---\n",
    );

    let other = |rng: &mut Rng| -> &NoteInfo {
        if infos.len() == 1 {
            return &infos[0];
        }
        let j = (i + 1 + rng.below(infos.len() - 1)) % infos.len();
        &infos[j]
    };

    let mut words = 0;
    for (s, section) in SECTIONS.iter().enumerate() {
        let _ = writeln!(text, "## {section}\n");
        match s {
            0 => {
                for _ in 0..5 {
                    text.push_str("- ");
                    let n = 12 + rng.below(10);
                    words += vocab.phrase(rng, n, &mut text);
                    text.push_str(".\n");
                }
                let _ = writeln!(
                    text,
                    "\nThis strategy serves the principle of [{}](principle:{}).\n",
                    PRINCIPLES[p].1.to_lowercase(),
                    PRINCIPLES[p].0
                );
                words += 8;
            }
            6 => {
                for _ in 0..3 {
                    let target = other(rng);
                    let _ = writeln!(text, "- [{}](note:{})", target.title, target.slug);
                    words += 4;
                }
                text.push('\n');
            }
            7 => {
                for _ in 0..3 {
                    text.push_str("- ");
                    words += vocab.phrase(rng, 6, &mut text);
                    text.push_str(", [report](https://example.org/report.pdf)\n");
                }
                text.push('\n');
            }
            _ => {
                for sub in 0..2 + rng.below(2) {
                    let n = 2 + rng.below(3);
                    let heading = vocab.title(rng, n);
                    let _ = writeln!(text, "### {heading}\n");
                    let n = 80 + rng.below(45);
                    words += paragraph(vocab, rng, n, &mut text);
                    match (s + sub + i) % 4 {
                        0 => {
                            for k in 0..4 {
                                let _ = write!(text, "{}. ", k + 1);
                                let n = 10 + rng.below(8);
                                words += vocab.phrase(rng, n, &mut text);
                                text.push_str(";\n");
                            }
                            text.push('\n');
                        }
                        1 => {
                            text.push_str(
                                "| Measure | Baseline | Target | Source |\n|---|---:|---:|---|\n",
                            );
                            for _ in 0..4 {
                                let mut measure = String::new();
                                vocab.phrase(rng, 3, &mut measure);
                                let _ = writeln!(
                                    text,
                                    "| {} | {} | {} | {} |",
                                    capitalise(&measure),
                                    rng.below(100),
                                    rng.below(100),
                                    vocab.word(rng)
                                );
                                words += 6;
                            }
                            text.push('\n');
                        }
                        2 if rng.below(3) == 0 => {
                            text.push_str("```yaml\nindicator: ");
                            text.push_str(vocab.word(rng));
                            let _ = writeln!(
                                text,
                                "\nbaseline: {}\ntarget: {}\nsources:\n  - survey\n  - register\n```\n",
                                rng.below(90),
                                90 + rng.below(10)
                            );
                            words += 10;
                        }
                        _ => {
                            let target = other(rng);
                            let anchor = anchor(SECTIONS[1 + rng.below(5)]);
                            let _ = write!(
                                text,
                                "As [{}](note:{}#{anchor}) shows, ",
                                target.title.to_lowercase(),
                                target.slug
                            );
                            words += paragraph(vocab, rng, 30, &mut text) + 3;
                            if let Some(country) = countries.first() {
                                let _ = writeln!(
                                    text,
                                    "The experience of [{country}](country:{country}) is instructive.\n"
                                );
                                words += 6;
                            }
                        }
                    }
                }
            }
        }
    }
    (text, words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_deterministic_and_in_range() {
        let mut a = Rng::new(42);
        let mut b = Rng::new(42);
        for _ in 0..1000 {
            let x = a.below(7);
            assert_eq!(x, b.below(7));
            assert!(x < 7);
            assert!(a.skewed(10) < 10 && b.skewed(10) < 10);
        }
    }

    #[test]
    fn corpus_is_deterministic_valid_and_sized() {
        let one = tempfile::tempdir().unwrap();
        let two = tempfile::tempdir().unwrap();
        let stats = write_corpus(one.path(), 30, 7).unwrap();
        assert_eq!(stats, write_corpus(two.path(), 30, 7).unwrap());
        for entry in walkdir::WalkDir::new(one.path()).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                let rel = entry.path().strip_prefix(one.path()).unwrap();
                assert_eq!(
                    std::fs::read(entry.path()).unwrap(),
                    std::fs::read(two.path().join(rel)).unwrap()
                );
            }
        }
        let per_note = stats.bytes as f64 / stats.notes as f64;
        assert!(
            (14_000.0..19_000.0).contains(&per_note),
            "{per_note} bytes per note"
        );
        let words = stats.words as f64 / stats.notes as f64;
        assert!(
            (1_700.0..2_400.0).contains(&words),
            "{words} words per note"
        );
        let (site, warnings) = crate::load_site(one.path()).unwrap_or_else(|d| panic!("{d:?}"));
        assert_eq!(site.notes.len(), 30);
        assert_eq!(site.principles.len(), 11);
        assert!(warnings.is_empty(), "{warnings:?}");
    }
}
