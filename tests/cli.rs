//! The `guidance` binary, run for real: exit codes, diagnostics (message, `--> file:line:col`,
//! help), an untouched `site/` after a failed build, `new note`, `--help`, `NO_COLOR`,
//! deterministic output, and links that resolve on disk and under a subpath.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_guidance");

fn fixture(name: &str) -> PathBuf {
    common::repo_root().join("tests/fixtures").join(name)
}

/// A temporary copy of a fixture project, to add runtime-only files to and build into.
fn copy_of(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(&fixture(name), dir.path());
    dir
}

/// Runs the binary without a terminal and without colour.
fn run(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run guidance")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file under `dir` with its bytes, by relative path.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().to_path_buf(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// A stand-in for an earlier build in `<root>/site`.
fn previous_site(root: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let site = root.join("site");
    std::fs::create_dir_all(site.join("notes/old")).unwrap();
    std::fs::write(
        site.join("index.html"),
        "<!doctype html><title>previous build</title>\n",
    )
    .unwrap();
    std::fs::write(site.join("notes/old/index.html"), "an older page\n").unwrap();
    std::fs::write(site.join("robots.txt"), [0u8, 159, 146, 150]).unwrap();
    snapshot(&site)
}

/// What a bad project must produce: exit 1 from `build` and `check`, these exact lines in the
/// diagnostics, and the previous `site/` untouched (nothing written beside it either).
struct Expected<'a> {
    /// `error[code]: message`
    error: &'a str,
    /// `--> file:line:col`, or `= in <path>` for a problem that belongs to a whole file or folder.
    location: &'a str,
    /// Further exact lines: the source line, the caret line.
    source: &'a [&'a str],
    /// `= help: ...`
    help: &'a str,
}

fn assert_fails(root: &Path, expected: &Expected) {
    let before = previous_site(root);
    let entries_before: BTreeSet<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    let root_arg = root.to_str().unwrap();
    for args in [
        vec!["build", "--root", root_arg],
        vec!["check", "--root", root_arg],
    ] {
        let output = run(&args);
        let text = stderr(&output);
        assert_eq!(
            output.status.code(),
            Some(1),
            "{args:?} should exit 1:\n{text}"
        );
        let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
        let has = |wanted: &str| lines.iter().any(|l| l.trim_start() == wanted.trim_start());
        assert!(
            has(expected.error),
            "missing `{}` in:\n{text}",
            expected.error
        );
        assert!(
            has(expected.location),
            "missing `{}` in:\n{text}",
            expected.location
        );
        for line in expected.source {
            assert!(
                lines.contains(line),
                "missing source line `{line}` in:\n{text}"
            );
        }
        assert!(
            has(&format!("= help: {}", expected.help)),
            "missing help `{}` in:\n{text}",
            expected.help
        );
        assert!(!text.contains("panicked"), "{text}");
    }
    assert_eq!(
        snapshot(&root.join("site")),
        before,
        "site/ changed after a failed build"
    );
    let entries_after: BTreeSet<_> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(
        entries_after, entries_before,
        "a failed build left files beside site/"
    );
}

const NOTE: &str = "notes/strategic-planning-and-foresight.md";

#[test]
fn missing_front_matter() {
    let dir = copy_of("invalid/missing-front-matter");
    assert_fails(
        dir.path(),
        &Expected {
            error: "error[no-front-matter]: missing front matter",
            location: &format!("--> {NOTE}:1:1"),
            source: &["1 | title: Strategic planning and foresight", "  | ^"],
            help: "start the file with a `---` line, the YAML fields, and a closing `---` line",
        },
    );
}

#[test]
fn unclosed_front_matter() {
    let dir = copy_of("invalid/unclosed-front-matter");
    assert_fails(
        dir.path(),
        &Expected {
            error: "error[unclosed-front-matter]: front matter is never closed",
            location: &format!("--> {NOTE}:1:1"),
            source: &["1 | ---", "  | ^^^"],
            help: "add a line containing only `---` after the last front-matter field",
        },
    );
}

#[test]
fn invalid_yaml_reports_yamls_own_position_in_the_file() {
    let dir = copy_of("invalid/invalid-yaml");
    assert_fails(
        dir.path(),
        &Expected {
            error: "error[invalid-yaml]: mapping values are not allowed in this context",
            location: &format!("--> {NOTE}:3:18"),
            source: &[
                "3 | summary: Planning: how governments look ahead.",
                "  |                  ^",
            ],
            help: "fix the YAML syntax: `key: value` lines, lists as `[a, b]` or `- a` lines; quote text that contains `: ` or ` #`",
        },
    );
}

#[test]
fn wrong_type() {
    let dir = copy_of("invalid/wrong-type");
    assert_fails(
        dir.path(),
        &Expected {
            error: "error[wrong-type]: countries: invalid type: string \"MUS\", expected a sequence",
            location: &format!("--> {NOTE}:5:12"),
            source: &["5 | countries: MUS", "  |            ^^^"],
            help: "write a list: `[A, B]` on one line, or one `- item` per line",
        },
    );
}

#[test]
fn unknown_key_suggests_the_closest() {
    let dir = copy_of("invalid/unknown-key");
    assert_fails(
        dir.path(),
        &Expected {
            error: "error[unknown-key]: unknown key `sumary`",
            location: &format!("--> {NOTE}:3:1"),
            source: &["3 | sumary: How governments look ahead.", "  | ^^^^^^"],
            help: "did you mean `summary`?",
        },
    );
}

#[test]
fn unknown_principle_suggests_the_closest() {
    let dir = copy_of("invalid/unknown-principle");
    assert_fails(
        dir.path(),
        &Expected {
            error: "error[unknown-principle]: unknown principle \"sound-policy\"",
            location: &format!("--> {NOTE}:4:12"),
            source: &["4 | principle: sound-policy", "  |            ^^^^^^^^^^^^"],
            help: "did you mean \"sound-policymaking\"?",
        },
    );
}

#[test]
fn unknown_note_in_a_body_link() {
    let dir = copy_of("invalid/unknown-note");
    assert_fails(
        dir.path(),
        &Expected {
            error: "error[unknown-link]: unknown note \"risk-managment-frameworks\"",
            location: &format!("--> {NOTE}:9:23"),
            source: &["  |                       ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"],
            help: "did you mean \"risk-management-frameworks\"?",
        },
    );
}

#[test]
fn unknown_country_code() {
    let dir = copy_of("invalid/unknown-country");
    assert_fails(
        dir.path(),
        &Expected {
            error: "error[unknown-country]: unknown country code \"PAQ\"",
            location: &format!("--> {NOTE}:5:18"),
            source: &["5 | countries: [MUS, PAQ]", "  |                  ^^^"],
            help: "use an ISO 3166-1 alpha-3 code, e.g. GUY for Guyana",
        },
    );
}

#[test]
fn unknown_anchor_suggests_the_closest_heading() {
    let dir = copy_of("invalid/unknown-anchor");
    assert_fails(
        dir.path(),
        &Expected {
            error: "error[unknown-anchor]: no heading \"#measuring-progres\" in this page",
            location: &format!("--> {NOTE}:9:22"),
            source: &[
                "9 | See [how to measure](#measuring-progres).",
                "  |                      ^^^^^^^^^^^^^^^^^^",
            ],
            help: "did you mean \"#measuring-progress\"?",
        },
    );
}

#[test]
fn duplicate_slug_in_a_subfolder() {
    let dir = copy_of("invalid/duplicate-slug");
    assert_fails(
        dir.path(),
        &Expected {
            error: "error[duplicate-slug]: `notes/archive/strategic-planning-and-foresight.md` has the same slug as notes/strategic-planning-and-foresight.md",
            location: "--> notes/archive/strategic-planning-and-foresight.md:1:1",
            source: &[],
            help: "both would be published at notes/strategic-planning-and-foresight/; slugs must be unique across subfolders, so rename one of them",
        },
    );
}

#[test]
fn two_notes_with_the_same_url() {
    let dir = copy_of("invalid/same-url");
    assert_fails(
        dir.path(),
        &Expected {
            error: "error[duplicate-url]: `notes/strategic-planning-and-foresight.en.md` would be published at the same URL as notes/strategic-planning-and-foresight.md",
            location: "--> notes/strategic-planning-and-foresight.en.md:1:1",
            source: &[],
            help: "`.en` is the default language, so both files are notes/strategic-planning-and-foresight/; delete one, or rename it to another language",
        },
    );
}

#[test]
fn empty_title() {
    let dir = copy_of("invalid/empty-title");
    assert_fails(
        dir.path(),
        &Expected {
            error: "error[empty-field]: `title` is empty",
            location: &format!("--> {NOTE}:2:8"),
            source: &["2 | title: \"\"", "  |        ^^"],
            help: "write the document's title",
        },
    );
}

#[test]
fn empty_notes_folder() {
    let dir = copy_of("invalid/empty-notes");
    std::fs::create_dir_all(dir.path().join("notes")).unwrap();
    assert_fails(
        dir.path(),
        &Expected {
            error: "error[empty-folder]: no Markdown files in `notes/`",
            location: "= in notes/",
            source: &[],
            help: "add a note, e.g. `guidance new note \"My strategy\"`",
        },
    );
}

#[test]
fn non_utf8_file_names_the_byte_offset() {
    let dir = copy_of("invalid/base");
    let mut bytes = b"---\ntitle: Caf".to_vec();
    bytes.push(0xE9); // Latin-1 "é": offset 14.
    bytes.extend_from_slice(b" planning\nsummary: x.\nprinciple: sound-policymaking\n---\nBody\n");
    std::fs::write(dir.path().join("notes/cafe.md"), bytes).unwrap();
    assert_fails(
        dir.path(),
        &Expected {
            error: "error[not-utf8]: file is not valid UTF-8 (first bad byte at offset 14)",
            location: "--> notes/cafe.md:2:11",
            source: &["  |           ^"],
            help: "save the file as UTF-8",
        },
    );
}

#[test]
fn binary_file_in_notes() {
    let dir = copy_of("invalid/base");
    std::fs::write(
        dir.path().join("notes/diagram.png"),
        b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
    )
    .unwrap();
    assert_fails(
        dir.path(),
        &Expected {
            error: "error[binary-file]: binary file in `notes/`",
            location: "= in notes/diagram.png",
            source: &[],
            help: "only Markdown files belong in `notes/`; move the file elsewhere",
        },
    );
}

#[test]
fn binary_file_with_a_markdown_name() {
    let dir = copy_of("invalid/base");
    std::fs::write(
        dir.path().join("notes/scan.md"),
        b"---\ntitle: x\0\0\n---\n",
    )
    .unwrap();
    assert_fails(
        dir.path(),
        &Expected {
            error: "error[binary-file]: binary file with a `.md` name",
            location: "= in notes/scan.md",
            source: &[],
            help: "a note must be UTF-8 Markdown text",
        },
    );
}

#[cfg(unix)]
#[test]
fn symlink_loop() {
    let dir = copy_of("invalid/base");
    std::os::unix::fs::symlink("..", dir.path().join("notes/loop")).unwrap();
    assert_fails(
        dir.path(),
        &Expected {
            error: "error[symlink-loop]: symbolic link loop",
            location: "= in notes/loop",
            source: &[],
            help: "remove the symbolic link that points back to one of its own parent folders",
        },
    );
}

/// Rewrites every Markdown file of a project with a UTF-8 BOM and CRLF line endings.
fn to_bom_crlf(root: &Path) {
    for entry in walkdir::WalkDir::new(root) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            std::fs::write(
                entry.path(),
                format!("\u{feff}{}", text.replace('\n', "\r\n")),
            )
            .unwrap();
        }
    }
}

#[test]
fn bom_and_crlf_are_accepted() {
    let dir = copy_of("valid-site");
    to_bom_crlf(dir.path());
    let out = dir.path().join("site");
    let output = run(&["build", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page =
        std::fs::read_to_string(out.join("notes/strategic-planning-and-foresight/index.html"))
            .unwrap();
    assert!(
        page.contains("<h2 id=\"why-it-matters\">"),
        "headings parsed through CRLF"
    );
    assert!(!page.contains('\u{feff}'));

    // Columns are still right in a BOM + CRLF file.
    let dir = copy_of("invalid/unknown-principle");
    to_bom_crlf(dir.path());
    assert_fails(
        dir.path(),
        &Expected {
            error: "error[unknown-principle]: unknown principle \"sound-policy\"",
            location: &format!("--> {NOTE}:4:12"),
            source: &["  |            ^^^^^^^^^^^^"],
            help: "did you mean \"sound-policymaking\"?",
        },
    );
}

#[test]
fn every_invalid_fixture_has_a_test() {
    let tested = [
        "base",
        "duplicate-slug",
        "empty-notes",
        "empty-title",
        "invalid-yaml",
        "missing-front-matter",
        "same-url",
        "unclosed-front-matter",
        "unknown-anchor",
        "unknown-country",
        "unknown-key",
        "unknown-note",
        "unknown-principle",
        "wrong-type",
    ];
    let present: Vec<String> = std::fs::read_dir(fixture("invalid"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(present, tested);
    // The base the runtime cases start from is itself valid.
    let output = run(&["check", "--root", fixture("invalid/base").to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn all_problems_are_reported_at_once() {
    let dir = copy_of("invalid/base");
    let note = dir.path().join(NOTE);
    let text = std::fs::read_to_string(&note).unwrap();
    let text = text.replace("countries: [MUS]", "countries: [MUS, PAQ]")
        + "\n[a](note:nope) [b](principle:integrty) [c](country:ZZZ) [d](#nowhere)\n";
    std::fs::write(&note, text).unwrap();
    let output = run(&["check", "--root", dir.path().to_str().unwrap()]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1));
    for code in [
        "unknown-country",
        "unknown-link",
        "unknown-principle",
        "unknown-anchor",
    ] {
        assert!(
            text.contains(&format!("error[{code}]")),
            "{code} missing:\n{text}"
        );
    }
    assert!(text.contains("check failed: 5 errors"), "{text}");
}

/// The `error[...]` headlines of a failed `check`, in order.
fn check_errors(root: &Path) -> Vec<String> {
    let output = run(&["check", "--root", root.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    stderr(&output)
        .lines()
        .filter(|l| l.starts_with("error["))
        .map(str::to_string)
        .collect()
}

/// Replaces `from` with `to` in one file of a project (the text must be there).
fn edit(root: &Path, file: &str, from: &str, to: &str) {
    let path = root.join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}

/// Gives the note `strategic-planning-and-foresight` an unknown principle, an error of its own
/// that leaves it out of the site.
fn misspell_the_principle_of_strategic_planning(root: &Path) {
    edit(
        root,
        "notes/strategic-planning-and-foresight.md",
        "principle: sound-policymaking",
        "principle: sound-policymakng",
    );
}

#[test]
fn a_note_with_an_unknown_principle_is_one_error_not_one_per_link_to_it() {
    // Three documents link to this note; none of those links is reported.
    let dir = copy_of("valid-site");
    misspell_the_principle_of_strategic_planning(dir.path());
    assert_eq!(
        check_errors(dir.path()),
        ["error[unknown-principle]: unknown principle \"sound-policymakng\""]
    );
}

#[test]
fn a_misspelled_link_to_a_note_that_failed_suggests_that_note() {
    // The note is left out of the site by its own error, but it exists: a link that misspells
    // its slug is told so rather than pointed at another note.
    let dir = copy_of("valid-site");
    misspell_the_principle_of_strategic_planning(dir.path());
    edit(
        dir.path(),
        "notes/open-budget-processes.md",
        "note:strategic-planning-and-foresight",
        "note:strategic-planing-and-foresight",
    );
    let output = run(&["check", "--root", dir.path().to_str().unwrap()]);
    let text = stderr(&output);
    assert!(
        text.contains("unknown note \"strategic-planing-and-foresight\""),
        "{text}"
    );
    assert!(
        text.contains("= help: did you mean \"strategic-planning-and-foresight\"?"),
        "{text}"
    );
}

#[test]
fn a_file_that_fails_to_load_hides_no_other_problem() {
    let dir = copy_of("valid-site");
    let note = dir.path().join("notes/strategic-planning-and-foresight.md");
    let text = std::fs::read_to_string(&note).unwrap();
    let body = text.splitn(3, "---\n").nth(2).unwrap();
    std::fs::write(&note, body).unwrap();
    edit(
        dir.path(),
        "notes/participatory-budgeting.md",
        "note:open-budget-processes",
        "note:open-budget-proceses",
    );
    // The broken link elsewhere is reported beside the load failure; the links to the note that
    // failed are not.
    assert_eq!(
        check_errors(dir.path()),
        [
            "error[unknown-link]: unknown note \"open-budget-proceses\"",
            "error[no-front-matter]: missing front matter",
        ]
    );
}

#[test]
fn a_principle_that_fails_to_load_is_one_error() {
    // Its notes (and the links to them) and its translation are not reported as well.
    let dir = copy_of("i18n-site");
    edit(dir.path(), "principles/integrity.md", "title:", "titel:");
    let errors = check_errors(dir.path());
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].starts_with("error[unknown-key]"), "{errors:#?}");
}

#[test]
fn front_matter_values_are_checked_with_a_suggestion_each() {
    let dir = copy_of("invalid/base");
    edit(
        dir.path(),
        NOTE,
        "countries: [MUS]",
        "countries: [MUS, GYU, GY, Guyana, MUS]\nsdg_targets: [\"16.6\", \"1.1.1\", \"SDG 16.1\", \"16.x\", \"16.1 \", \"16.B\", \"16.6\"]\npublished: 2022-05\nupdated: 2021",
    );
    edit(
        dir.path(),
        "principles/sound-policymaking.md",
        "number: 2",
        "number: 12",
    );
    let second = dir.path().join("notes/second.md");
    std::fs::write(
        &second,
        "---\ntitle: strategic planning and Foresight\nsummary: S.\nprinciple: sound-policymaking\n---\nText.\n",
    )
    .unwrap();
    let output = run(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    // Each problem with its place and its help, in the order of the file.
    let expected = [
        (
            "error[unknown-country]: unknown country code \"GYU\"",
            "5:18",
            "did you mean GUY (Guyana)?",
        ),
        (
            "error[unknown-country]: unknown country code \"GY\"",
            "5:23",
            "GY is a two-letter code; Guyana's three-letter code is GUY",
        ),
        (
            "error[unknown-country]: unknown country code \"Guyana\"",
            "5:27",
            "write the country's code: GUY",
        ),
        (
            "warning[repeated-item]: \"MUS\" is listed twice",
            "5:35",
            "list each country once",
        ),
        (
            "error[bad-sdg-target]: \"1.1.1\" is not an SDG target",
            "6:24",
            "that is an indicator; write its target, \"1.1\"",
        ),
        (
            "error[bad-sdg-target]: \"SDG 16.1\" is not an SDG target",
            "6:33",
            "write the target alone: \"16.1\"",
        ),
        (
            "error[bad-sdg-target]: \"16.x\" is not an SDG target",
            "6:45",
            "write targets as quoted strings like \"16.6\" or \"16.b\": goals 1 to 17, targets 1 to 19 or a to d",
        ),
        (
            "error[bad-sdg-target]: \"16.1 \" is not an SDG target",
            "6:53",
            "remove the spaces: \"16.1\"",
        ),
        (
            "error[bad-sdg-target]: \"16.B\" is not an SDG target",
            "6:62",
            "write the letter in lower case: \"16.b\"",
        ),
        (
            "warning[repeated-item]: \"16.6\" is listed twice",
            "6:70",
            "list each SDG target once",
        ),
    ];
    let lines: Vec<&str> = text.lines().map(str::trim).collect();
    for (headline, place, help) in expected {
        let at = lines
            .iter()
            .position(|l| *l == headline)
            .unwrap_or_else(|| panic!("no `{headline}` in:\n{text}"));
        assert_eq!(lines[at + 1], format!("--> {NOTE}:{place}"), "{headline}");
        assert!(
            lines[at + 2..]
                .iter()
                .take(6)
                .any(|l| *l == format!("= help: {help}")),
            "{headline}: no help `{help}` in:\n{text}"
        );
    }
    assert!(
        text.contains("error[bad-number]: principle number 12 is not a CEPA principle's"),
        "{text}"
    );
    assert!(
        text.contains("warning[date-order]: updated 2021 is before published 2022-05"),
        "{text}"
    );
    assert!(text.contains(&format!("--> {NOTE}:8:10")), "{text}");
    assert!(
        text.contains("--> principles/sound-policymaking.md:3:9"),
        "{text}"
    );
    assert!(
        text.contains(
            "warning[repeated-title]: another note is titled \"Strategic planning and foresight\""
        ),
        "{text}"
    );
}

#[test]
fn odd_links_and_values_get_a_specific_help() {
    let dir = copy_of("invalid/base");
    edit(
        dir.path(),
        NOTE,
        "countries: [MUS]",
        "countries: [MUS]\nstatus: publised",
    );
    let output = run(&["check", "--root", dir.path().to_str().unwrap()]);
    assert!(
        stderr(&output).contains("= help: did you mean `published`?"),
        "{}",
        stderr(&output)
    );
    edit(dir.path(), NOTE, "status: publised", "status: provisional");
    let note = dir.path().join(NOTE);
    let mut text = std::fs::read_to_string(&note).unwrap();
    text.push_str(
        "\n[a]() [b](www.example.org) [c](https://) [d][nowhere] [sic] \
         [e](/notes/strategic-planning-and-foresight.md#at-a-glance)\n",
    );
    std::fs::write(&note, text).unwrap();
    let output = run(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    for expected in [
        "error[bad-link]: empty link",
        "error[bad-link]: link \"www.example.org\" has no https://",
        "= help: write the whole address: https://www.example.org",
        "error[bad-link]: link \"https://\" has no address after https://",
        "warning[undefined-reference]: no link called [nowhere]: the text shows as written",
        "check failed: 3 errors",
    ] {
        assert!(
            text.lines().any(|l| l.trim() == expected),
            "no `{expected}` in:\n{text}"
        );
    }
    // `[sic]` alone is text, and a link from the project's root resolves.
    let headlines: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("error[") || l.starts_with("warning["))
        .collect();
    assert_eq!(headlines.len(), 4, "{text}");
    assert!(
        text.contains("  | ^^^^^\n"),
        "the empty link is underlined whole:\n{text}"
    );
}

#[test]
fn file_names_get_a_specific_help_and_editor_leftovers_are_ignored() {
    let dir = copy_of("i18n-site");
    let notes = dir.path().join("notes");
    std::fs::copy(notes.join("civic-labs.md"), notes.join("Civic-Labs.md")).unwrap();
    std::fs::copy(
        notes.join("risk-registers.fr.md"),
        notes.join("risk-registrs.fr.md"),
    )
    .unwrap();
    std::fs::copy(
        notes.join("risk-registers.fr.md"),
        notes.join("risk-registers.FR.md"),
    )
    .unwrap();
    for leftover in ["civic-labs.md~", "#civic-labs.md#", "civic-labs.md.orig"] {
        std::fs::write(notes.join(leftover), "half-saved").unwrap();
    }
    let output = run(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    for expected in [
        "= help: `civic-labs.md` exists beside it: merge the two, or give this one its own name",
        "= help: language codes are lower case: name it `risk-registers.fr.md`",
        "= help: did you mean `notes/risk-registers.fr.md`, the translation of `risk-registers.md`?",
        "check failed: 3 errors",
    ] {
        assert!(
            text.lines().any(|l| l.trim() == expected),
            "no `{expected}` in:\n{text}"
        );
    }
    // The fixture's one warning is about its content (a heading some translations lack).
    assert!(
        text.lines()
            .filter(|l| l.starts_with("warning"))
            .all(|l| l.starts_with("warning[anchor-not-translated]")),
        "{text}"
    );
    // Nor are the editors' leftovers.
    for leftover in ["civic-labs.md~", "#civic-labs.md#", "civic-labs.md.orig"] {
        assert!(!text.contains(leftover), "{leftover} reported:\n{text}");
    }
}

#[test]
fn theme_overrides_that_change_nothing_are_warned_and_template_errors_are_placed() {
    let dir = copy_of("valid-site");
    let theme = dir.path().join("theme");
    std::fs::create_dir_all(theme.join("templates")).unwrap();
    std::fs::create_dir_all(theme.join("i18n")).unwrap();
    std::fs::write(theme.join("templates/nte.html"), "x").unwrap();
    std::fs::write(
        theme.join("i18n/fr.yaml"),
        "home: Accueil\nskip_to_contentx: Aller\n",
    )
    .unwrap();
    std::fs::write(theme.join("i18n/de.yaml"), "home: Start\n").unwrap();
    std::fs::create_dir_all(theme.join("static")).unwrap();
    std::fs::write(theme.join("static/sit.css"), "body{}").unwrap();
    // A new file of its own name is the project's to add.
    std::fs::write(theme.join("static/ministry-logo.svg"), "<svg/>").unwrap();
    let output = run(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stderr(&output);
    for expected in [
        "warning[theme-unused]: `theme/templates/nte.html` replaces no file of the theme",
        "= help: did you mean `templates/note.html`?",
        "warning[theme-unused]: `theme/i18n/de.yaml` replaces no file of the theme",
        "= help: strings files are named after a supported language: ar.yaml, en.yaml, es.yaml, fr.yaml, ru.yaml, zh.yaml",
        "warning[unknown-string]: the theme has no string `skip_to_contentx`",
        "--> theme/i18n/fr.yaml:2:1",
        "= help: did you mean `skip_to_content`?",
        "warning[theme-unused]: `theme/static/sit.css` replaces no file of the theme",
        "= help: did you mean `static/site.css`? (as it is, it is published beside the theme's own)",
        "checked: no errors, 4 warnings",
    ] {
        assert!(
            text.lines().any(|l| l.trim() == expected),
            "no `{expected}` in:\n{text}"
        );
    }

    // A template error points at the expression in the override.
    let note = common::repo_root().join("src/theme/templates/note.html");
    let template = std::fs::read_to_string(note).unwrap().replacen(
        "{% block main %}",
        "{% block main %}\n{{ title.nosuch.deeper }}",
        1,
    );
    std::fs::write(theme.join("templates/note.html"), &template).unwrap();
    let line = template
        .lines()
        .position(|l| l == "{{ title.nosuch.deeper }}")
        .unwrap()
        + 1;
    let output = run(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains(&format!("--> theme/templates/note.html:{line}:")),
        "{text}"
    );
    assert!(
        text.contains("error[template]: template error: `title` has no field `nosuch`"),
        "{text}"
    );
    assert!(
        text.contains("= help: `title` is a string, which has no fields"),
        "{text}"
    );

    // An undefined name is named, with the page's closest one; a loop's own variable, which
    // the page does not hold, is named as the template wrote it.
    let note = common::repo_root().join("src/theme/templates/note.html");
    let original = std::fs::read_to_string(note).unwrap();
    for (from, to, message, help) in [
        (
            "{{ title }}",
            "{{ titel }}",
            "`titel` is not a variable of this page",
            Some("did you mean `title`?"),
        ),
        (
            "{{ title }}",
            "{{ t.skip_to_contnt }}",
            "`t` has no field `skip_to_contnt`",
            Some("did you mean `skip_to_content`?"),
        ),
        ("{{ c.name }}", "{{ c.nme }}", "`c.nme` is undefined", None),
    ] {
        assert!(original.contains(from), "note.html has {from}");
        std::fs::write(
            theme.join("templates/note.html"),
            original.replacen(from, to, 1),
        )
        .unwrap();
        let output = run(&["check", "--root", dir.path().to_str().unwrap()]);
        let text = stderr(&output);
        assert!(
            text.contains(&format!("error[template]: template error: {message}")),
            "{text}"
        );
        if let Some(help) = help {
            assert!(text.contains(&format!("= help: {help}")), "{text}");
        }
    }
}

#[test]
fn a_strings_file_in_the_theme_changes_only_the_strings_it_names() {
    let dir = copy_of("valid-site");
    let i18n = dir.path().join("theme/i18n");
    std::fs::create_dir_all(&i18n).unwrap();
    std::fs::write(i18n.join("fr.yaml"), "nav_notes: Fiches\n").unwrap();
    std::fs::write(i18n.join("en.yaml"), "nav_notes: All notes\n").unwrap();
    let out = tempfile::tempdir().unwrap();
    let site = out.path().join("site");
    let output = run(&[
        "build",
        "--root",
        dir.path().to_str().unwrap(),
        "--out",
        site.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = |path: &str| std::fs::read_to_string(site.join(path)).unwrap();
    let french = page("fr/index.html");
    assert!(french.contains(">Fiches<"), "the override's string");
    assert!(
        french.contains("Aller au contenu principal"),
        "the embedded French strings stay"
    );
    assert!(!french.contains("Skip to main content"));
    let english = page("index.html");
    assert!(english.contains(">All notes<"));
    assert!(english.contains("Skip to main content"));
    // Spanish has no override: the embedded Spanish, not the project's English.
    let spanish = page("es/index.html");
    assert!(!spanish.contains("All notes"));
}

#[test]
fn valid_site_builds_with_every_markdown_feature() {
    let dir = copy_of("valid-site");
    let output = run(&["build", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // The summary: pages, size, where, how long.
    let summary = stderr(&output);
    let summary = summary.lines().last().unwrap_or_default();
    assert!(
        summary.starts_with("built ") && summary.contains(" pages ("),
        "{summary}"
    );
    assert!(
        summary.contains("/site in ") && summary.ends_with(" s"),
        "{summary}"
    );
    let site = dir.path().join("site");
    for page in [
        "index.html",
        "404.html",
        "robots.txt",
        "notes/index.html",
        "notes/strategic-planning-and-foresight/index.html",
        "principles/index.html",
        "principles/integrity/index.html",
        "countries/index.html",
        "countries/mus/index.html",
        "about/index.html",
    ] {
        assert!(site.join(page).is_file(), "{page} missing");
    }
    let note =
        std::fs::read_to_string(site.join("notes/strategic-planning-and-foresight/index.html"))
            .unwrap();
    for wanted in [
        "<table>",
        "type=\"checkbox\"",
        "footnote",
        "\u{201c}governments\u{201d}",
        "class=\"language-yaml\"",
        "hl-",
        "href=\"#why-it-matters\"",
        "href=\"../../notes/open-budget-processes/#why-it-matters\"",
        "href=\"../../notes/participatory-budgeting/\"",
        "href=\"../../principles/sound-policymaking/\"",
        "href=\"../../countries/mus/\"",
    ] {
        assert!(note.contains(wanted), "note page lacks {wanted}");
    }
    let output = run(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0));
    assert!(stderr(&output).contains("checked: no errors, 0 warnings"));
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec![],
        vec!["bogus"],
        vec!["build", "--nope"],
        vec!["build", "--root"],
        vec!["new", "note"],
        vec!["new", "page", "x"],
        vec!["check", "extra"],
    ] {
        let output = run(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}:\n{}",
            stderr(&output)
        );
        let text = stderr(&output);
        assert!(
            text.contains("Usage: guidance") || text.contains("try '--help'"),
            "{args:?}: no usage hint in\n{text}"
        );
    }
    // A project folder that is not there is a usage error, and nothing is created.
    let parent = tempfile::tempdir().unwrap();
    let missing = parent.path().join("no-such-project");
    for command in [
        vec!["check"],
        vec!["build"],
        vec!["serve"],
        vec!["new", "note", "A title"],
    ] {
        let mut args = command.clone();
        args.extend(["--root", missing.to_str().unwrap()]);
        let output = run(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).starts_with(&format!(
                "error[project-folder]: the project folder `{}` does not exist",
                missing.display()
            )),
            "{}",
            stderr(&output)
        );
        assert!(!missing.exists(), "{args:?} created the folder");
    }
    // A folder that is not a project says so once, instead of 'no Markdown files in
    // principles/', and like a missing folder it is a usage error, whichever the command.
    for command in ["check", "build", "bundle", "serve"] {
        let output = run(&[command, "--root", parent.path().to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{command}");
        let text = stderr(&output);
        assert!(
            text.starts_with("error[not-a-project]")
                && text.contains("has no notes/ or principles/ folder"),
            "{text}"
        );
        assert_eq!(text.matches("error").count(), 1, "{text}");
    }

    let dir = copy_of("valid-site");
    let root = dir.path().to_str().unwrap();
    let output = run(&[
        "new",
        "note",
        "A title",
        "--principle",
        "sound-policy",
        "--root",
        root,
    ]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("help: did you mean --principle sound-policymaking?"),
        "{}",
        stderr(&output)
    );
    let output = run(&["new", "note", "!!!", "--root", root]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(!dir.path().join("notes/a-title.md").exists());
    let output = run(&["new", "note", "Line one\nline two", "--root", root]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("the title holds a line break"));

    // Only in a project: not in an empty folder, nor in notes/ itself.
    let empty = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes");
    for folder in [empty.path(), notes.as_path()] {
        let output = run(&["new", "note", "A title", "--root", folder.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("has no notes/ or principles/ folder"),
            "{}",
            stderr(&output)
        );
        assert!(!folder.join("notes").exists());
    }
}

#[test]
fn new_note_is_accepted_by_check_and_build() {
    let dir = copy_of("valid-site");
    let root = dir.path().to_str().unwrap();
    for title in [
        " Open government data ",
        "Data: \"open\" by default # really",
    ] {
        let output = run(&["new", "note", title, "--root", root]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let text = std::fs::read_to_string(dir.path().join("notes/open-government-data.md")).unwrap();
    assert!(
        text.starts_with("---\ntitle: \"Open government data\"\nprinciple: sound-policymaking\n"),
        "{text}"
    );
    assert!(
        dir.path()
            .join("notes/data-open-by-default-really.md")
            .is_file()
    );

    // Accepted, with a warning for each part still to write: the summary and the seven sections.
    let output = run(&["check", "--root", root]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text_out = stderr(&output);
    assert!(
        text_out.contains("checked: no errors, 16 warnings"),
        "{text_out}"
    );
    assert_eq!(
        text_out
            .matches("warning[placeholder-summary]: the summary is still the placeholder `guidance new` wrote")
            .count(),
        2
    );
    assert!(
        text_out.contains("warning[empty-section]: section \"Measuring progress\" is empty"),
        "{text_out}"
    );
    let output = run(&["build", "--root", root]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page = std::fs::read_to_string(
        dir.path()
            .join("site/notes/data-open-by-default-really/index.html"),
    )
    .unwrap();
    assert!(
        page.contains("Data: \u{201c}open\u{201d} by default # really")
            || page.contains("Data: &quot;open&quot; by default # really")
    );

    // Titles without Latin letters take --slug; long titles make a slug cut at a word.
    let output = run(&["new", "note", "数据共享", "--root", root]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("give the file name with --slug"));
    let output = run(&[
        "new",
        "note",
        "数据共享",
        "--slug",
        "data-sharing-zh",
        "--root",
        root,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(dir.path().join("notes/data-sharing-zh.md").is_file());
    let output = run(&["new", "note", "x", "--slug", "Not A Slug", "--root", root]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("e.g. --slug not-a-slug"),
        "{}",
        stderr(&output)
    );
    let long = "Strengthening the capacity of national statistical systems to produce timely disaggregated data";
    let output = run(&["new", "note", long, "--root", root]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        dir.path()
            .join("notes/strengthening-the-capacity-of-national-statistical-systems.md")
            .is_file()
    );

    // A second note with the same title is refused, and the first is kept.
    let output = run(&["new", "note", "Open government data", "--root", root]);
    assert_eq!(output.status.code(), Some(1));
    assert!(stderr(&output).contains("notes/open-government-data.md already exists"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("notes/open-government-data.md")).unwrap(),
        text
    );
}

#[test]
fn every_command_has_help() {
    let output = run(&["--help"]);
    assert_eq!(output.status.code(), Some(0));
    let help = String::from_utf8(output.stdout).unwrap();
    assert!(help.contains("Usage: guidance <COMMAND>"), "{help}");
    let commands: Vec<String> = help
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    for required in ["build", "check", "new"] {
        assert!(
            commands.iter().any(|c| c == required),
            "{required} not in --help:\n{help}"
        );
    }
    let mut invocations: Vec<Vec<String>> = commands.iter().map(|c| vec![c.clone()]).collect();
    invocations.push(vec!["new".into(), "note".into()]);
    for words in invocations {
        let mut args: Vec<&str> = words.iter().map(String::as_str).collect();
        args.push("--help");
        let output = run(&args);
        let text = String::from_utf8_lossy(&output.stdout);
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert!(
            text.contains(&format!("Usage: guidance {}", words.join(" "))),
            "{args:?}:\n{text}"
        );
        // Every option is explained (clap prints the doc comment beside it).
        for line in text.lines().filter(|l| l.trim_start().starts_with("--")) {
            assert!(
                line.trim()
                    .split("  ")
                    .filter(|p| !p.trim().is_empty())
                    .count()
                    >= 2,
                "undocumented: {line}"
            );
        }
    }
}

/// Runs the binary with a pseudo-terminal on stderr (through `script`), so colour would be used.
fn run_in_terminal(args: &str, no_color: bool) -> Option<String> {
    if Command::new("script").arg("--version").output().is_err() {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("`script` (util-linux) is needed to test colour output");
        }
        eprintln!("SKIP: `script` not found; NO_COLOR not tested with a terminal");
        return None;
    }
    let mut command = Command::new("script");
    command.args(["-qec", &format!("{BIN} {args}"), "/dev/null"]);
    command.env_remove("NO_COLOR").env("TERM", "xterm-256color");
    if no_color {
        command.env("NO_COLOR", "1");
    }
    let output = command.output().unwrap();
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn no_color_is_respected() {
    let root = fixture("invalid/unknown-key");
    let args = format!("check --root {}", root.display());
    let Some(coloured) = run_in_terminal(&args, false) else {
        return;
    };
    assert!(
        coloured.contains('\x1b'),
        "a terminal gets colour:\n{coloured}"
    );
    let plain = run_in_terminal(&args, true).unwrap();
    assert!(
        plain.contains("error[unknown-key]: unknown key `sumary`"),
        "{plain}"
    );
    assert!(
        !plain.contains('\x1b'),
        "NO_COLOR output has escapes:\n{plain:?}"
    );
    let usage = run_in_terminal("bogus", true).unwrap();
    assert!(
        usage.contains("Usage:") && !usage.contains('\x1b'),
        "{usage:?}"
    );
    // Without a terminal there is never colour, NO_COLOR or not.
    let output = Command::new(BIN)
        .args(["check", "--root", root.to_str().unwrap()])
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    assert!(!stderr(&output).contains('\x1b'));
}

/// Builds the real content at the repository root with the binary into `out`.
fn build_real(out: &Path) {
    let output = run(&[
        "build",
        "--root",
        common::repo_root().to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
}

#[test]
fn two_builds_of_the_real_content_are_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    // Both builds use one copy of the binary, so a rebuild of the target folder in between (a
    // shared working tree) cannot make them differ.
    let bin = dir.path().join("guidance");
    std::fs::copy(BIN, &bin).unwrap();
    for out in ["a", "b"] {
        let root = common::repo_root();
        let mut tries = 0;
        let output = loop {
            let run = Command::new(&bin)
                .args([
                    "build",
                    "--root",
                    root.to_str().unwrap(),
                    "--out",
                    dir.path().join(out).to_str().unwrap(),
                ])
                .env("NO_COLOR", "1")
                .output();
            // A process another test forks while the copy is written holds it open for writing
            // until it starts its own program: until then, running the copy is refused.
            match run {
                Err(e) if e.kind() == std::io::ErrorKind::ExecutableFileBusy && tries < 200 => {
                    tries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                run => break run.unwrap(),
            }
        };
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let a = snapshot(&dir.path().join("a"));
    let b = snapshot(&dir.path().join("b"));
    assert!(a.len() > 50, "only {} files", a.len());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(
            bytes == &b[path],
            "{} differs between two builds",
            path.display()
        );
    }
}

/// Every `href="..."` and `src="..."` in an HTML file, unescaped.
fn references(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for attr in [" href=\"", " src=\""] {
        let mut rest = html;
        while let Some(i) = rest.find(attr) {
            rest = &rest[i + attr.len()..];
            let end = rest.find('"').unwrap_or(rest.len());
            found.push(rest[..end].replace("&amp;", "&"));
            rest = &rest[end..];
        }
    }
    found
}

fn is_external(reference: &str) -> bool {
    ["http://", "https://", "mailto:", "tel:", "data:"]
        .iter()
        .any(|p| reference.starts_with(p))
}

/// The file a relative reference from `page` (a path relative to the site root) points at, or
/// `None` if it climbs out of the site.
fn resolve(page: &str, reference: &str) -> Option<String> {
    let path = reference.split(['#', '?']).next().unwrap_or_default();
    let mut parts: Vec<&str> = page.split('/').collect();
    parts.pop();
    if path.is_empty() {
        return Some(page.to_string());
    }
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    let mut joined = parts.join("/");
    if path.ends_with('/') || joined.is_empty() {
        joined = format!(
            "{}index.html",
            if joined.is_empty() {
                String::new()
            } else {
                format!("{joined}/")
            }
        );
    }
    Some(joined)
}

/// A fragment as a browser matches it against ids: percent-decoded as UTF-8
/// (`#medici%C3%B3n` is the heading `id="medición"`).
fn decoded(fragment: &str) -> String {
    percent_encoding::percent_decode_str(fragment)
        .decode_utf8()
        .unwrap()
        .into_owned()
}

/// The ids an HTML file declares.
fn ids(html: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let mut rest = html;
    while let Some(i) = rest.find(" id=\"") {
        rest = &rest[i + 5..];
        let end = rest.find('"').unwrap_or(rest.len());
        found.insert(rest[..end].to_string());
    }
    found
}

#[test]
fn every_internal_link_in_the_real_site_resolves() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    build_real(&site);
    let files = snapshot(&site);
    let html: BTreeMap<String, String> = files
        .iter()
        .filter(|(p, _)| p.extension().is_some_and(|e| e == "html"))
        .map(|(p, b)| {
            (
                p.to_string_lossy().replace('\\', "/"),
                String::from_utf8(b.clone()).unwrap(),
            )
        })
        .collect();
    let mut problems = BTreeSet::new();
    let mut checked = 0;
    for (page, text) in &html {
        for reference in references(text) {
            if is_external(&reference) {
                continue;
            }
            checked += 1;
            if reference.starts_with('/') || reference.starts_with("//") {
                problems.insert(format!("{page}: `{reference}` is not relative"));
                continue;
            }
            let Some(target) = resolve(page, &reference) else {
                problems.insert(format!("{page}: `{reference}` climbs out of the site"));
                continue;
            };
            if !files.contains_key(Path::new(&target)) {
                problems.insert(format!("{page}: `{reference}` -> {target} does not exist"));
                continue;
            }
            if let (Some((_, fragment)), Some(target_html)) =
                (reference.split_once('#'), html.get(&target))
                && !fragment.is_empty()
                && !ids(target_html).contains(&decoded(fragment))
            {
                problems.insert(format!(
                    "{page}: `{reference}` -> no id \"{fragment}\" in {target}"
                ));
            }
        }
    }
    assert!(checked > 1000, "only {checked} links checked");
    assert!(
        problems.is_empty(),
        "{} broken links:\n{}",
        problems.len(),
        problems.into_iter().collect::<Vec<_>>().join("\n")
    );
}

/// A plain HTTP/1.0 GET on 127.0.0.1; returns the status code.
fn http_status(port: u16, path: &str) -> u16 {
    let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).unwrap();
    let head = String::from_utf8_lossy(&response[..response.len().min(64)]).into_owned();
    head.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn the_real_site_works_under_a_subpath() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    build_real(&site);
    let server = common::StaticServer::start_under(&site, "/un/guidance/");
    let files = snapshot(&site);
    let mut urls = BTreeSet::new();
    for (path, bytes) in &files {
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let page = path.to_string_lossy().replace('\\', "/");
        // The page as a browser would request it: folders without `index.html`.
        let page_url = page.strip_suffix("index.html").unwrap_or(&page).to_string();
        for reference in references(&String::from_utf8_lossy(bytes)) {
            if is_external(&reference) || reference.starts_with('#') {
                continue;
            }
            let target = resolve(&format!("{page_url}x"), &reference)
                .unwrap_or_else(|| panic!("{page}: `{reference}` climbs above the subpath"));
            let target = if reference
                .split(['#', '?'])
                .next()
                .unwrap_or_default()
                .ends_with('/')
            {
                target.trim_end_matches("index.html").to_string()
            } else {
                target
            };
            urls.insert(format!("/un/guidance/{target}"));
        }
    }
    assert!(urls.len() > 50);
    let broken: Vec<&String> = urls
        .iter()
        .filter(|u| http_status(server.port, u) != 200)
        .collect();
    assert!(broken.is_empty(), "not found under the subpath: {broken:?}");
    assert_eq!(http_status(server.port, "/un/guidance/"), 200);
}

#[test]
fn a_large_site_builds_without_a_writable_temporary_folder() {
    // 100 synthetic notes make a print edition of several MB, whose compressed copy waits for
    // its place in the zip in an unnamed file in the staging folder, not in TMPDIR.
    let dir = tempfile::tempdir().unwrap();
    guidance::synthetic::write_corpus(dir.path(), 100, 7).unwrap();
    let output = Command::new(BIN)
        .args(["build", "--root", dir.path().to_str().unwrap()])
        .env("NO_COLOR", "1")
        .env("TMPDIR", dir.path().join("no-such-folder"))
        .output()
        .expect("run guidance");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let site = dir.path().join("site");
    let print = std::fs::metadata(site.join("print/index.html"))
        .unwrap()
        .len();
    assert!(print > 2 * 1024 * 1024, "print edition of {print} bytes");
    let (model, _) = guidance::load_site(dir.path()).unwrap_or_else(|d| panic!("{d}"));
    let zip = site.join(guidance::bundle::site_path(&model));
    let mut archive = zip::ZipArchive::new(std::fs::File::open(zip).unwrap()).unwrap();
    let name = format!("{}/print/index.html", guidance::bundle::stem(&model));
    // Read whole (the zip crate checks the CRC): the copy's edition, with its file links.
    let mut printed = String::new();
    archive
        .by_name(&name)
        .unwrap()
        .read_to_string(&mut printed)
        .unwrap();
    assert!(printed.len() as u64 > print, "{} bytes", printed.len());
    assert!(printed.trim_end().ends_with("</html>"));
}

/// Builds `root` into `site` in the background and interrupts it with `signal` once its staging
/// folder exists; `None` when the build finished first.
#[cfg(unix)]
fn interrupt_a_build(root: &Path, signal: &str) -> Option<Output> {
    let mut child = Command::new(BIN)
        .args(["build", "--root", root.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run guidance");
    let staging_exists = || {
        std::fs::read_dir(root)
            .unwrap()
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with(".site.new-"))
    };
    while !staging_exists() {
        if child.try_wait().unwrap().is_some() {
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(1));
    }
    // Let it write for a moment.
    std::thread::sleep(std::time::Duration::from_millis(50));
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    let output = child.wait_with_output().unwrap();
    // It may have finished in the moment before the signal.
    (output.status.code() != Some(0)).then_some(output)
}

#[test]
#[cfg(unix)]
fn an_interrupted_build_leaves_the_previous_site_and_nothing_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    guidance::synthetic::write_corpus(dir.path(), 400, 3).unwrap();
    let output = run(&["build", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // Marks the previous build, to tell it from a new one.
    let marker = dir.path().join("site/previous-build.txt");
    std::fs::write(&marker, "previous").unwrap();
    let mut interrupted = 0;
    for signal in ["INT", "TERM", "INT", "TERM"] {
        let Some(output) = interrupt_a_build(dir.path(), signal) else {
            continue;
        };
        interrupted += 1;
        assert_eq!(output.status.code(), Some(130), "{}", stderr(&output));
        assert!(stderr(&output).contains("interrupted"));
        let beside: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with('.'))
            .collect();
        assert!(beside.is_empty(), "left beside the site: {beside:?}");
        assert!(marker.exists(), "site/ is still the previous build");
        assert!(dir.path().join("site/index.html").exists());
    }
    assert!(
        interrupted >= 2,
        "only {interrupted} builds were interrupted"
    );
}

#[test]
fn headings_are_placed_as_written_and_keep_clear_of_the_templates_ids() {
    let dir = copy_of("valid-site");
    let path = dir.path().join("notes/participatory-budgeting.md");
    let mut text = std::fs::read_to_string(&path).unwrap();
    // Smart punctuation changes the text of these headings from what is written.
    text.push_str(
        "\n## Costs -- and \"benefits\"\n\n## What's next\n\n## Main\n\nText under a heading whose id the page already uses.\n",
    );
    std::fs::write(&path, &text).unwrap();
    let line_of = |heading: &str| text.lines().position(|l| l == heading).unwrap() + 1;
    let output = run(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let out = stderr(&output);
    for (heading, shown) in [
        (
            "## Costs -- and \"benefits\"",
            "Costs \u{2013} and \u{201c}benefits\u{201d}",
        ),
        ("## What's next", "What\u{2019}s next"),
    ] {
        let warning = format!("warning[empty-section]: section \"{shown}\" is empty");
        let at = out
            .find(&warning)
            .unwrap_or_else(|| panic!("no `{warning}` in:\n{out}"));
        let place = format!(
            "--> notes/participatory-budgeting.md:{}:1",
            line_of(heading)
        );
        assert!(
            out[at..].lines().nth(1).unwrap().trim() == place,
            "{heading} is not placed at {place}:\n{out}"
        );
    }

    let site = dir.path().join("site");
    let output = run(&["build", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let page =
        std::fs::read_to_string(site.join("notes/participatory-budgeting/index.html")).unwrap();
    assert_eq!(
        page.matches("id=\"main\"").count(),
        1,
        "the skip link's target"
    );
    assert!(page.contains("<h2 id=\"main-2\""), "the body's heading");
}

#[test]
fn a_tab_in_front_matter_and_a_line_before_it_are_explained() {
    let dir = copy_of("valid-site");
    let note = dir.path().join("notes/participatory-budgeting.md");
    let text = std::fs::read_to_string(&note).unwrap();
    std::fs::write(&note, text.replacen("\ntitle:", "\n\ttitle:", 1)).unwrap();
    let other = dir.path().join("notes/open-budget-processes.md");
    let text = std::fs::read_to_string(&other).unwrap();
    std::fs::write(&other, format!("\n{text}")).unwrap();
    let output = run(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let out = stderr(&output);
    for expected in [
        "--> notes/participatory-budgeting.md:2:1",
        "= help: YAML indents with spaces, never tabs: replace the tab with spaces",
        "--> notes/open-budget-processes.md:1:1",
        "= help: the front matter's `---` must be the very first line: remove what comes before it",
    ] {
        assert!(
            out.lines().any(|l| l.trim() == expected),
            "no `{expected}` in:\n{out}"
        );
    }
}

#[test]
fn every_wrong_key_of_one_front_matter_is_reported_at_once() {
    let dir = copy_of("valid-site");
    let path = dir.path().join("notes/participatory-budgeting.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let (head, body) = text.split_once("\n---\n").unwrap();
    let head: String = head
        .lines()
        .filter(|l| !l.starts_with("status:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let text = format!(
        "{head}status: draft\ntags: [x]\nnumber_of_pages: 3\npublished: 2021-13\n---\n{body}"
    );
    std::fs::write(&path, &text).unwrap();
    let line_of = |start: &str| text.lines().position(|l| l.starts_with(start)).unwrap() + 1;
    let output = run(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let out = stderr(&output);
    for (message, place) in [
        (
            "error[wrong-type]: status: unknown variant `draft`, expected `published` or `provisional`",
            format!("notes/participatory-budgeting.md:{}:9", line_of("status:")),
        ),
        (
            "error[unknown-key]: unknown key `tags`",
            format!("notes/participatory-budgeting.md:{}:1", line_of("tags:")),
        ),
        (
            "error[unknown-key]: unknown key `number_of_pages`",
            format!(
                "notes/participatory-budgeting.md:{}:1",
                line_of("number_of_pages:")
            ),
        ),
        (
            "error[wrong-type]: published: invalid date `2021-13`: there is no month 13",
            format!(
                "notes/participatory-budgeting.md:{}:12",
                line_of("published:")
            ),
        ),
    ] {
        let at = out
            .find(message)
            .unwrap_or_else(|| panic!("no `{message}` in:\n{out}"));
        assert!(
            out[at..].lines().nth(1).unwrap().trim() == format!("--> {place}"),
            "{message} is not at {place}:\n{out}"
        );
    }
    assert!(out.contains("check failed: 4 errors"), "{out}");
}

#[test]
fn a_page_published_twice_is_named_by_its_address() {
    let dir = copy_of("valid-site");
    let pages = dir.path().join("pages");
    std::fs::copy(pages.join("about.md"), pages.join("about.en.md")).unwrap();
    let output = run(&["check", "--root", dir.path().to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains("= help: `.en` is the default language, so both files are about/;"),
        "{text}"
    );
}
