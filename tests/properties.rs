//! Property tests: nothing panics on any input, and every span a diagnostic carries lies on
//! character boundaries inside its file. Covers the front-matter splitter, the Markdown analysis
//! and the link resolver (through the whole load + link pipeline on a temporary project).

use std::path::Path;

use guidance::Diagnostics;
use guidance::load::{SplitError, split_front_matter};
use guidance::markdown::{analyse, to_html};
use proptest::prelude::*;

/// Text made of pieces that matter to the splitter: fences, BOMs, CR/LF, YAML-ish lines and
/// arbitrary Unicode.
fn front_matter_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("---".to_string()),
        Just("...".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("\u{feff}".to_string()),
        Just("title: A".to_string()),
        Just("- x".to_string()),
        Just(" ".to_string()),
        "\\PC{0,6}",
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

fn assert_boundaries(text: &str, range: &std::ops::Range<usize>) {
    assert!(
        range.start <= range.end && range.end <= text.len(),
        "{range:?} outside {} bytes",
        text.len()
    );
    assert!(
        text.is_char_boundary(range.start) && text.is_char_boundary(range.end),
        "{range:?} splits a character"
    );
}

/// A link destination: one of our schemes, a relative file, an anchor or something odd.
fn destination() -> impl Strategy<Value = String> {
    let slug = prop_oneof![
        Just("alpha".to_string()),
        Just("first-note".to_string()),
        Just("second-note".to_string()),
        Just("about".to_string()),
        Just("MUS".to_string()),
        Just(String::new()),
        "[a-zA-Z0-9\\-]{0,12}",
        "\\PC{0,8}",
    ];
    let anchor = prop_oneof![
        Just(String::new()),
        Just("#heading".to_string()),
        Just("#".to_string()),
        "#\\PC{0,8}",
    ];
    let scheme = prop_oneof![
        Just("note:"),
        Just("principle:"),
        Just("page:"),
        Just("country:"),
        Just(""),
        Just("../notes/"),
        Just("https://"),
        Just("mailto:"),
        Just("javascript:"),
        Just(":"),
    ];
    let suffix = prop_oneof![Just(""), Just(".md"), Just("/")];
    (scheme, slug, suffix, anchor)
        .prop_map(|(s, slug, suffix, anchor)| format!("{s}{slug}{suffix}{anchor}"))
}

/// A Markdown body mixing headings, links (inline, reference, autolinks), code and Unicode.
fn body() -> impl Strategy<Value = String> {
    let block = prop_oneof![
        "\\PC{0,40}".prop_map(|t| format!("{t}\n\n")),
        "[^\n]{0,20}".prop_map(|t| format!("## {t}\n\n")),
        "[^\n]{0,20}".prop_map(|t| format!("### {t} {{#custom}}\n\n")),
        (any::<String>(), destination()).prop_map(|(text, dest)| format!("[{text}]({dest})\n")),
        destination().prop_map(|dest| format!("[ref][r]\n\n[r]: {dest}\n\n")),
        destination().prop_map(|dest| format!("<{dest}>\n")),
        destination().prop_map(|dest| format!("![image]({dest} \"title\")\n")),
        Just("```rust\nfn main() {}\n```\n".to_string()),
        Just("| a | b |\n|---|---|\n| [x](note:first-note) | 2 |\n".to_string()),
        Just("[^1]\n\n[^1]: note\n".to_string()),
        Just("\r\n".to_string()),
    ];
    prop::collection::vec(block, 0..12).prop_map(|blocks| blocks.concat())
}

/// A front-matter value for a note field: sometimes valid, often not.
fn field_value() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("alpha".to_string()),
        Just("[MUS, GUY]".to_string()),
        Just("[]".to_string()),
        Just("\"\"".to_string()),
        Just("2021-02-30".to_string()),
        Just("{a: b}".to_string()),
        Just("- x".to_string()),
        "[^\n]{0,12}",
    ]
}

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A small project whose first note has the generated body and front-matter oddities.
fn project(dir: &Path, body: &str, key: &str, value: &str, crlf: bool) {
    let fix = |text: String| {
        if crlf {
            format!("\u{feff}{}", text.replace('\n', "\r\n"))
        } else {
            text
        }
    };
    write(
        &dir.join("principles/alpha.md"),
        &fix("---\ntitle: Alpha\nnumber: 1\npillar: effectiveness\nstrategies: [First]\nsummary: A.\n---\n## Heading\n".into()),
    );
    write(
        &dir.join("notes/first-note.md"),
        &fix(format!(
            "---\ntitle: First\nprinciple: alpha\ncountries: [MUS]\nsummary: One.\n{key}: {value}\n---\n{body}"
        )),
    );
    write(
        &dir.join("notes/second-note.md"),
        "---\ntitle: Second\nprinciple: alpha\nsummary: Two.\n---\n## Heading\n",
    );
    write(
        &dir.join("pages/about.md"),
        "---\ntitle: About\nsummary: About.\n---\n## Heading\n",
    );
}

fn check_diagnostics(diagnostics: &Diagnostics) {
    for d in diagnostics.iter() {
        if let Some(span) = &d.span {
            assert_boundaries(&span.text, &span.range);
            let (line, column) = span.line_column();
            assert!(line >= 1 && column >= 1);
        }
        let rendered = d.render(false);
        assert!(
            rendered.contains(&d.message) || rendered.contains(d.code),
            "{rendered}"
        );
        let _ = d.to_json();
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn splitter_never_panics_and_ranges_are_sound(text in front_matter_text()) {
        match split_front_matter(&text) {
            Ok(split) => {
                assert_boundaries(&text, &split.yaml);
                assert_boundaries(&text, &split.body);
                prop_assert!(split.yaml.end <= split.body.start);
                prop_assert!(split.body.end == text.len());
                let opening = text.trim_start_matches('\u{feff}');
                prop_assert!(opening.starts_with("---"));
            }
            Err(SplitError::Unclosed { open }) => assert_boundaries(&text, &open),
            Err(SplitError::Missing) => {}
        }
    }

    #[test]
    fn markdown_analysis_never_panics_and_links_are_on_boundaries(text in body()) {
        let analysis = analyse(&text);
        for link in &analysis.links {
            assert_boundaries(&text, &link.range);
        }
        for heading in &analysis.headings {
            prop_assert!(!heading.id.is_empty());
        }
        let ids: Vec<&str> = analysis.headings.iter().map(|h| h.id.as_str()).collect();
        let mut unique = ids.clone();
        unique.sort_unstable();
        unique.dedup();
        prop_assert_eq!(unique.len(), ids.len(), "heading ids repeat: {:?}", ids);
        let html = to_html(&text, &analysis.headings, "Link", &|d| Some(format!("x/{d}")));
        // The page shows each heading under the id the analysis gave it.
        for id in ids.iter().filter(|id| id.chars().all(|c| c.is_alphanumeric() || c == '-')) {
            let attribute = format!(" id=\"{id}\"");
            prop_assert!(html.contains(&attribute), "{} missing from {}", attribute, html);
        }
    }
}

proptest! {
    // Each case writes a project to disk: fewer cases.
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn load_and_link_never_panic_and_spans_are_on_boundaries(
        body in body(),
        key in prop_oneof![Just("related_principles"), Just("countries"), Just("sdg_targets"), Just("published"), Just("strategy"), Just("sumary"), Just("status")],
        value in field_value(),
        crlf in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        project(dir.path(), &body, key, &value, crlf);
        match guidance::load_site(dir.path()) {
            Ok((site, warnings)) => {
                check_diagnostics(&warnings);
                prop_assert_eq!(site.notes.len(), 2);
            }
            Err(errors) => {
                prop_assert!(errors.has_errors());
                check_diagnostics(&errors);
            }
        }
    }
}

#[test]
fn arbitrary_bytes_in_a_note_never_panic() {
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 64,
        ..ProptestConfig::default()
    });
    runner
        .run(&prop::collection::vec(any::<u8>(), 0..400), |bytes| {
            let dir = tempfile::tempdir().unwrap();
            project(dir.path(), "", "status", "published", false);
            let mut text = b"---\ntitle: X\nprinciple: alpha\nsummary: S.\n---\n".to_vec();
            text.extend_from_slice(&bytes);
            std::fs::write(dir.path().join("notes/bytes.md"), &text).unwrap();
            if let Err(errors) = guidance::load_site(dir.path()) {
                check_diagnostics(&errors);
            }
            Ok(())
        })
        .unwrap();
}
