//! Stage 1: read `principles/`, `notes/` and `pages/` into typed documents, keeping byte offsets so
//! every later problem can name file:line:col.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::de::DeserializeOwned;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics, Span, did_you_mean};
use crate::model::{Kind, NoteMeta, PageMeta, PrincipleMeta, ProjectFile, SourceFile};

mod files;

pub use files::load_files;

/// Typed front matter of one document.
#[derive(Clone, Debug)]
pub enum Meta {
    Principle(PrincipleMeta),
    Note(NoteMeta),
    Page(PageMeta),
    /// A translation (`<slug>.<lang>.md`): every key optional, checked against the original later.
    Translation(serde_yaml::Mapping),
}

/// One Markdown file, split and parsed.
#[derive(Clone, Debug)]
pub struct Document {
    pub kind: Kind,
    pub slug: String,
    pub lang: String,
    pub source: SourceFile,
    pub meta: Meta,
    pub front_matter: FrontMatter,
    /// Byte range of the Markdown body in `source.text`.
    pub body: Range<usize>,
}

impl Document {
    /// A span in this document, for a diagnostic.
    pub fn span(&self, range: Range<usize>) -> Span {
        Span::new(&self.source.path, &self.source.text, range)
    }
}

/// What [`load`] found: the documents that loaded, and the problems of those that did not.
#[derive(Debug, Default)]
pub struct Loaded {
    pub documents: Vec<Document>,
    /// Documents whose files exist but did not load. Their problems are in `problems`; the link
    /// stage does not report links to them again.
    pub failed: Failed,
    /// The files under `files/`, by path.
    pub files: Vec<ProjectFile>,
    pub problems: Diagnostics,
}

/// Documents (in any language) that exist but could not be used, by kind and slug.
pub type Failed = std::collections::BTreeSet<(Kind, String)>;

/// An error unless `root` looks like a project: a folder with `notes/` or `principles/` in it.
pub fn not_a_project(root: &Path) -> Option<Diagnostic> {
    let has = |kind: Kind| root.join(kind.folder()).is_dir();
    if has(Kind::Note) || has(Kind::Principle) {
        return None;
    }
    Some(
        Diagnostic::error(
            "not-a-project",
            format!("`{}` has no notes/ or principles/ folder", root.display()),
        )
        .help("run guidance in the project folder, or pass it with --root"),
    )
}

/// Reads every document under `root`, and the files under `files/`, going on past the ones that
/// fail so that linking the rest can report its problems too: an editor sees every problem in
/// one run.
pub fn load(root: &Path, config: &Config) -> Loaded {
    load_reusing(root, config, &|_| None)
}

/// [`load`], taking a document from `reuse` instead of reading its file when `reuse` has one (the
/// dev server keeps the documents of files that have not changed since it last read them).
pub fn load_reusing(
    root: &Path,
    config: &Config,
    reuse: &(dyn Fn(&Path) -> Option<Document> + Sync),
) -> Loaded {
    let mut loaded = Loaded::default();
    if let Some(problem) = not_a_project(root) {
        loaded.problems.push(problem);
        return loaded;
    }
    let mut files = Vec::new();
    for kind in [Kind::Principle, Kind::Note, Kind::Page] {
        let (found, problems) = list_markdown(root, kind);
        loaded.problems.extend(problems);
        let required = kind != Kind::Page;
        if found.is_empty() && required && !loaded.problems.has_errors() {
            loaded.problems.push(
                Diagnostic::error(
                    "empty-folder",
                    format!("no Markdown files in `{}/`", kind.folder()),
                )
                .in_file(format!("{}/", kind.folder()))
                .help(match kind {
                    Kind::Note => "add a note, e.g. `guidance new note \"My strategy\"`",
                    _ => "add the principles as `principles/<slug>.md`",
                }),
            );
        }
        files.extend(found.into_iter().map(|path| (kind, path)));
    }
    let (project_files, problems) = load_files(root);
    loaded.files = project_files;
    loaded.problems.extend(problems);
    let results: Vec<Result<Document, Diagnostics>> = files
        .par_iter()
        .map(|(kind, path)| {
            reuse(path).map_or_else(|| read_document(root, *kind, path, config), Ok)
        })
        .collect();
    for ((kind, path), result) in files.iter().zip(results) {
        match result {
            Ok(doc) => loaded.documents.push(doc),
            Err(problems) => {
                loaded.problems.extend(problems);
                let name = path.file_name().unwrap_or_default().to_string_lossy();
                let (slug, lang) = slug_and_language(&name);
                // A translation that fails leaves its original whole.
                if lang.is_none_or(|l| l == config.default_language()) {
                    loaded.failed.insert((*kind, slug.to_string()));
                }
            }
        }
    }
    loaded
}

/// The slug and language a content file's name gives it: `integrity.md` is `integrity` in the
/// default language, `integrity.fr.md` is `integrity` in `fr`.
fn slug_and_language(file_name: &str) -> (&str, Option<&str>) {
    let stem = file_name.trim_end_matches(".md");
    match stem.rsplit_once('.') {
        Some((slug, lang)) => (slug, Some(lang)),
        None => (stem, None),
    }
}

/// The `.md` files of one content folder, sorted; other files are reported.
fn list_markdown(root: &Path, kind: Kind) -> (Vec<PathBuf>, Diagnostics) {
    let folder = root.join(kind.folder());
    let mut diagnostics = Diagnostics::default();
    let mut found = Vec::new();
    if !folder.exists() {
        return (found, diagnostics);
    }
    for entry in walkdir::WalkDir::new(&folder)
        .follow_links(true)
        .sort_by_file_name()
        .min_depth(1)
    {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| display_path(root, p))
                    .unwrap_or_else(|| kind.folder().to_string());
                let (code, help) = if e.loop_ancestor().is_some() {
                    (
                        "symlink-loop",
                        "remove the symbolic link that points back to one of its own parent folders",
                    )
                } else {
                    ("io", "check the file's permissions")
                };
                let message = if e.loop_ancestor().is_some() {
                    "symbolic link loop".to_string()
                } else {
                    format!("cannot read: {e}")
                };
                diagnostics.push(Diagnostic::error(code, message).in_file(path).help(help));
                continue;
            }
        };
        let name = entry.file_name().to_string_lossy();
        if name.starts_with('.') || is_editor_leftover(&name) || !entry.file_type().is_file() {
            continue;
        }
        if name.ends_with(".md") {
            found.push(entry.into_path());
        } else if looks_binary(entry.path()) {
            diagnostics.push(
                Diagnostic::error(
                    "binary-file",
                    format!("binary file in `{}/`", kind.folder()),
                )
                .in_file(display_path(root, entry.path()))
                .help(format!(
                    "only Markdown files belong in `{}/`; move the file elsewhere",
                    kind.folder()
                )),
            );
        } else {
            diagnostics.push(
                Diagnostic::warning("not-markdown", "file ignored: it does not end in `.md`")
                    .in_file(display_path(root, entry.path()))
                    .help("rename it to `.md` if it is a document, or move it out of the content folder"),
            );
        }
    }
    (found, diagnostics)
}

/// Backups and autosaves editors leave beside the file (`x.md~`, `#x.md#`, `x.md.orig`): not
/// content, and not worth a warning.
fn is_editor_leftover(name: &str) -> bool {
    const ENDINGS: &[&str] = &["~", ".bak", ".orig", ".swp", ".swo", ".tmp", ".rej"];
    ENDINGS.iter().any(|e| name.ends_with(e)) || (name.starts_with('#') && name.ends_with('#'))
}

fn looks_binary(path: &Path) -> bool {
    std::fs::read(path)
        .map(|bytes| bytes.iter().take(8192).any(|&b| b == 0))
        .unwrap_or(false)
}

/// Path relative to the project root with `/` separators.
pub fn display_path(root: &Path, path: &Path) -> String {
    let relative = path.strip_prefix(root).unwrap_or(path);
    relative
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Reads one document: `path` is a Markdown file in `kind`'s folder under `root` (the dev server
/// re-reads only the files that changed).
pub fn read_document(
    root: &Path,
    kind: Kind,
    path: &Path,
    config: &Config,
) -> Result<Document, Diagnostics> {
    let shown = display_path(root, path);
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::error("io", format!("cannot read file: {e}")).in_file(&shown))?;
    if bytes.contains(&0) {
        return Err(
            Diagnostic::error("binary-file", "binary file with a `.md` name")
                .in_file(&shown)
                .help("a note must be UTF-8 Markdown text")
                .into(),
        );
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        // Everything before the bad byte is valid, so in the lossy text (bad bytes replaced by
        // U+FFFD) the offset still names the same place: point at it with line and column.
        let lossy: Arc<str> = Arc::from(String::from_utf8_lossy(e.as_bytes()));
        let end = offset + lossy[offset..].chars().next().map_or(0, char::len_utf8);
        Diagnostic::error(
            "not-utf8",
            format!("file is not valid UTF-8 (first bad byte at offset {offset})"),
        )
        .at(Span::new(&shown, &lossy, offset..end))
        .help("save the file as UTF-8")
    })?;
    let text: Arc<str> = Arc::from(text);
    let source = SourceFile {
        path: shown.clone(),
        text: Arc::clone(&text),
    };

    let file_name = path.file_name().unwrap_or_default().to_string_lossy();
    let (slug, lang) = slug_and_language(&file_name);
    let lang = lang.unwrap_or(config.default_language());
    let whole_file = Span::new(&shown, &text, 0..0);
    if !config.languages.iter().any(|l| l == lang) {
        let lower = lang.to_lowercase();
        let help = if config.languages.contains(&lower) {
            format!("language codes are lower case: name it `{slug}.{lower}.md`")
        } else if crate::i18n::LANGUAGES.contains(&lang) {
            format!(
                "`{lang}` is left out of `languages` in guidance.yaml; add it there to publish this translation: languages: [{}, {lang}]",
                config.languages.join(", ")
            )
        } else {
            format!(
                "a translation is named `<slug>.<lang>.md` with a language from guidance.yaml: {}",
                config.languages.join(", ")
            )
        };
        return Err(Diagnostic::error(
            "unknown-language",
            format!("unknown language `{lang}` in file name"),
        )
        .at(whole_file)
        .help(help)
        .into());
    }
    if !is_slug(slug) {
        let suggested = format!("{}.md", slugify(slug));
        let help = if path.with_file_name(&suggested).exists() {
            format!("`{suggested}` exists beside it: merge the two, or give this one its own name")
        } else {
            format!("name the file with lower-case letters, digits and `-`, e.g. `{suggested}`")
        };
        return Err(
            Diagnostic::error("bad-slug", format!("`{slug}` is not a valid slug"))
                .at(whole_file)
                .help(help)
                .into(),
        );
    }

    let split = split_front_matter(&text).map_err(|e| match e {
        SplitError::Missing => Diagnostic::error("no-front-matter", "missing front matter")
            .at(Span::new(&shown, &text, bom_len(&text)..bom_len(&text)))
            .help(if text[bom_len(&text)..].trim_start().starts_with("---") {
                "the front matter's `---` must be the very first line: remove what comes before it"
            } else {
                "start the file with a `---` line, the YAML fields, and a closing `---` line"
            }),
        SplitError::Unclosed { open } => {
            Diagnostic::error("unclosed-front-matter", "front matter is never closed")
                .at(Span::new(&shown, &text, open))
                .help("add a line containing only `---` after the last front-matter field")
        }
    })?;
    let yaml = &text[split.yaml.clone()];
    let front_matter = FrontMatter::scan(&text, split.yaml.clone());
    let is_default = lang == config.default_language();
    let parse = |fields| FieldsParser {
        yaml,
        path: &shown,
        text: &text,
        offset: split.yaml.start,
        fields,
        front_matter: &front_matter,
    };
    let meta = if !is_default {
        Meta::Translation(parse(&[]).parse()?)
    } else {
        match kind {
            Kind::Principle => Meta::Principle(parse(PRINCIPLE_FIELDS).parse()?),
            Kind::Note => Meta::Note(parse(NOTE_FIELDS).parse()?),
            Kind::Page => Meta::Page(parse(PAGE_FIELDS).parse()?),
        }
    };
    let doc = Document {
        kind,
        slug: slug.to_string(),
        lang: lang.to_string(),
        source,
        meta,
        front_matter,
        body: split.body,
    };
    check_required_text(&doc)?;
    Ok(doc)
}

pub const PRINCIPLE_FIELDS: &[&str] = &[
    "title",
    "number",
    "pillar",
    "strategies",
    "sdg_targets",
    "summary",
];
pub const NOTE_FIELDS: &[&str] = &[
    "title",
    "principle",
    "strategy",
    "related_principles",
    "countries",
    "sdg_targets",
    "summary",
    "published",
    "updated",
    "status",
    "sources",
];
pub const PAGE_FIELDS: &[&str] = &["title", "summary"];

/// serde_yaml points at the first character of a value it cannot use; underline the whole value.
fn widen(mut diagnostic: Diagnostic, front_matter: &FrontMatter) -> Diagnostic {
    if diagnostic.code != "wrong-type" {
        return diagnostic;
    }
    // A bad date is reported by our own deserializer, which serde_yaml cannot place: find the
    // date field holding the value.
    let bad_date = diagnostic
        .message
        .strip_prefix("invalid date `")
        .and_then(|rest| rest.split('`').next());
    if let (Some(value), Some(span)) = (bad_date, &mut diagnostic.span) {
        let field = ["published", "updated"].into_iter().find_map(|key| {
            let range = front_matter.value(key)?;
            (front_matter.text[range.clone()]
                .trim()
                .trim_matches(['"', '\''])
                == value)
                .then_some((key, range))
        });
        if let Some((key, range)) = field {
            span.range = range;
            diagnostic.message = format!("{key}: {}", diagnostic.message);
        }
        return diagnostic;
    }
    if let Some(span) = &mut diagnostic.span {
        let at = span.range.start;
        if let Some(value) = front_matter
            .keys
            .values()
            .map(|(_, v)| v)
            .find(|v| v.start == at && v.end > at)
        {
            span.range = value.clone();
        }
    }
    diagnostic
}

/// Empty titles and summaries would make blank links and headings.
fn check_required_text(doc: &Document) -> Result<(), Diagnostic> {
    let (title, summary) = match &doc.meta {
        Meta::Principle(m) => (&m.title, &m.summary),
        Meta::Note(m) => (&m.title, &m.summary),
        Meta::Page(m) => (&m.title, &m.summary),
        Meta::Translation(_) => return Ok(()),
    };
    for (key, value) in [("title", title), ("summary", summary)] {
        if value.trim().is_empty() {
            return Err(
                Diagnostic::error("empty-field", format!("`{key}` is empty"))
                    .at(doc.span(doc.front_matter.locate(key)))
                    .help(format!("write the document's {key}")),
            );
        }
    }
    Ok(())
}

/// Reads front matter into its record, reporting every key that is unknown or of the wrong
/// type at once: serde stops at the first, so each key found wrong is blanked out (its bytes
/// become spaces, keeping every offset) and the rest read again.
struct FieldsParser<'a> {
    yaml: &'a str,
    path: &'a str,
    text: &'a Arc<str>,
    offset: usize,
    fields: &'a [&'a str],
    front_matter: &'a FrontMatter,
}

impl FieldsParser<'_> {
    fn parse<T: DeserializeOwned>(&self) -> Result<T, Diagnostics> {
        let mut yaml = self.yaml.to_string();
        let mut problems = Diagnostics::default();
        let mut blanked: Vec<&str> = Vec::new();
        loop {
            let diagnostic = match parse_yaml(&yaml, self.path, self.text, self.offset, self.fields)
            {
                Ok(record) if problems.is_empty() => return Ok(record),
                Ok(_) => return Err(problems),
                Err(d) => widen(d, self.front_matter),
            };
            // A required key blanked out for being wrong, or misspelt (`titel`, with "did you
            // mean `title`?"), is reported already.
            let missing = diagnostic.code == "missing-key";
            let missing_key = diagnostic.message.split('`').nth(1).unwrap_or_default();
            let suggested = |d: &Diagnostic| {
                d.help
                    .as_ref()
                    .is_some_and(|h| h.contains(&format!("`{missing_key}`?")))
            };
            if missing && (blanked.contains(&missing_key) || problems.iter().any(suggested)) {
                return Err(problems);
            }
            let key = diagnostic
                .span
                .as_ref()
                .and_then(|span| self.key_at(span.range.start));
            problems.push(diagnostic);
            match key {
                Some(key) if !missing && !blanked.contains(&key) => {
                    let (key_range, value_range) = self.front_matter.keys[key].clone();
                    let entry = key_range.start - self.offset
                        ..value_range.end.max(key_range.end) - self.offset;
                    let spaces: String = yaml[entry.clone()]
                        .chars()
                        .flat_map(|c| {
                            let n = if c == '\n' { 0 } else { c.len_utf8() };
                            std::iter::repeat_n(' ', n).chain((c == '\n').then_some('\n'))
                        })
                        .collect();
                    yaml.replace_range(entry, &spaces);
                    blanked.push(key);
                }
                _ => return Err(problems),
            }
        }
    }

    /// The top-level key whose entry holds `at` (an offset in the file).
    fn key_at(&self, at: usize) -> Option<&str> {
        self.front_matter
            .keys
            .iter()
            .find(|(_, (key, value))| key.start <= at && at <= value.end.max(key.end))
            .map(|(name, _)| name.as_str())
    }
}

fn parse_yaml<T: DeserializeOwned>(
    yaml: &str,
    path: &str,
    text: &Arc<str>,
    offset: usize,
    fields: &[&str],
) -> Result<T, Diagnostic> {
    // An empty front matter block reads as YAML null; report it as the missing fields it lacks.
    let yaml = if yaml.trim().is_empty() { "{}" } else { yaml };
    serde_yaml::from_str(yaml).map_err(|e| yaml_diagnostic(&e, path, text, offset, fields))
}

/// Turns a serde_yaml error into a diagnostic at the same place in the file, with a suggestion
/// for misspelt keys.
pub fn yaml_diagnostic(
    error: &serde_yaml::Error,
    path: &str,
    text: &Arc<str>,
    offset: usize,
    fields: &[&str],
) -> Diagnostic {
    let message = error.to_string();
    // serde_yaml appends " at line L column C"; the span carries that already.
    let message = match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    };
    let start = error.location().map_or(offset, |l| offset + l.index());
    let mut end = start;
    // Errors inside a nested value come as `sources[0]: unknown field ...`: classify by the part
    // after the path, and suggest keys of the nested record.
    let (field_path, detail) = match message.split_once(": ") {
        Some((path, rest))
            if !path.contains(' ') && SERDE_PREFIXES.iter().any(|p| rest.starts_with(p)) =>
        {
            (path, rest)
        }
        _ => ("", message.as_str()),
    };
    let fields: &[&str] = if field_path.starts_with("sources") {
        SOURCE_FIELDS
    } else {
        fields
    };
    let unknown = detail
        .strip_prefix("unknown field `")
        .and_then(|rest| rest.split('`').next());
    let (code, help) = if let Some(key) = unknown {
        end = start + key.len();
        let help = match did_you_mean(key, fields.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("remove it; allowed keys are: {}", fields.join(", ")),
        };
        ("unknown-key", help)
    } else if let Some(rest) = detail.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or_default();
        ("missing-key", format!("add `{key}:` to the front matter"))
    } else if detail.starts_with("invalid") || detail.starts_with("unknown variant") {
        ("wrong-type", wrong_type_help(detail))
    } else {
        ("invalid-yaml", "fix the YAML syntax: `key: value` lines, lists as `[a, b]` or `- a` lines; quote text that contains `: ` or ` #`".to_string())
    };
    // YAML reports a tab as a character that "cannot start any token".
    let help = if code == "invalid-yaml" && text.get(start..).is_some_and(|r| r.starts_with('\t')) {
        "YAML indents with spaces, never tabs: replace the tab with spaces".to_string()
    } else {
        help
    };
    let message = if code == "unknown-key" {
        message
            .split(", expected")
            .next()
            .unwrap_or(&message)
            .to_string()
    } else {
        message.clone()
    };
    let message = message
        .replace("unknown field", "unknown key")
        .replace("missing field", "missing key")
        .replace("expected u8", "expected a whole number from 0 to 255")
        .replace("expected u16", "expected a whole number from 0 to 65535");
    if let Some(key) = detail
        .strip_prefix("duplicate field `")
        .and_then(|rest| rest.split('`').next())
    {
        return duplicate_key(key, path, text, offset);
    }
    // YAML notices an unclosed bracket or quote only lines later: point where it opened.
    let about_an_unclosed_value = ["did not find expected", "end of stream", "quoted scalar"]
        .iter()
        .any(|m| detail.contains(m));
    if code == "invalid-yaml"
        && about_an_unclosed_value
        && let Some(opened) = unclosed_before(&text[offset..start.max(offset)])
    {
        let (what, help) = match opened.1 {
            '[' => (
                "this list is never closed",
                "end it with `]` on the same line",
            ),
            '{' => (
                "this mapping is never closed",
                "end it with `}` on the same line",
            ),
            _ => (
                "this quoted text is never closed",
                "end it with the same quote on the same line",
            ),
        };
        let at = offset + opened.0;
        return Diagnostic::error("invalid-yaml", what)
            .at(Span::new(path, text, at..at + 1))
            .help(help);
    }
    Diagnostic::error(code, message)
        .at(Span::new(path, text, start..end))
        .help(help)
}

/// The first bracket or quote in `yaml` still open at the end of its line (front matter keeps
/// each value on one line), with its offset: what a YAML syntax error after it is about.
fn unclosed_before(yaml: &str) -> Option<(usize, char)> {
    let mut at = 0;
    for line in yaml.split_inclusive('\n') {
        let mut open: Vec<(usize, char)> = Vec::new();
        let mut quote: Option<(usize, char)> = None;
        // Only the value: a key's own characters never open anything.
        let value_start = line.find(": ").map_or(0, |i| i + 2);
        for (i, c) in line.char_indices().skip_while(|(i, _)| *i < value_start) {
            match (quote, c) {
                (Some((_, q)), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') if open.is_empty() && line[value_start..i].trim().is_empty() => {
                    quote = Some((at + i, c))
                }
                (None, '"' | '\'') if !open.is_empty() => quote = Some((at + i, c)),
                (None, '[' | '{') => open.push((at + i, c)),
                (None, ']' | '}') => {
                    open.pop();
                }
                (None, '#') if line[..i].ends_with(' ') => break,
                _ => {}
            }
        }
        if let Some(unclosed) = quote.or_else(|| open.first().copied()) {
            return Some(unclosed);
        }
        at += line.len();
    }
    None
}

/// A key written twice: points at the second `key:` line (YAML points at the first).
fn duplicate_key(key: &str, path: &str, text: &Arc<str>, offset: usize) -> Diagnostic {
    let lines = LineIter { text, at: offset };
    let written: Vec<Range<usize>> = lines
        .map(|(line, _)| line)
        .filter(|line| {
            text[line.clone()]
                .strip_prefix(key)
                .is_some_and(|rest| rest.trim_start().starts_with(':'))
        })
        .take(2)
        .collect();
    let range = written
        .last()
        .map_or(offset..offset, |line| line.start..line.start + key.len());
    Diagnostic::error("duplicate-key", format!("`{key}` is written twice"))
        .at(Span::new(path, text, range))
        .help(format!("keep one `{key}:` line and remove the other"))
}

/// How serde's data errors begin (anything else is a YAML syntax error).
const SERDE_PREFIXES: &[&str] = &[
    "unknown field",
    "missing field",
    "invalid type",
    "invalid value",
    "invalid length",
    "unknown variant",
    "invalid date",
];

const SOURCE_FIELDS: &[&str] = &["title", "url"];

/// What to write instead, from what serde expected.
fn wrong_type_help(detail: &str) -> String {
    let expected = detail.rsplit_once("expected ").map_or("", |(_, e)| e);
    if expected.starts_with("a sequence") {
        "write a list: `[A, B]` on one line, or one `- item` per line".to_string()
    } else if expected.starts_with("a string") {
        "write text; put it in quotes if it contains `: `, ` #` or starts with a symbol".to_string()
    } else if expected.starts_with("u8")
        || expected.starts_with("u16")
        || expected.starts_with("an integer")
    {
        "write a whole number, without quotes".to_string()
    } else if let Some(rest) = detail.strip_prefix("unknown variant `") {
        // `unknown variant `publised`, expected `published` or `provisional``
        let written = rest.split('`').next().unwrap_or_default();
        let allowed: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        match did_you_mean(written, allowed.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None => format!("use one of: {}", allowed.join(", ")),
        }
    } else if detail.starts_with("invalid date") && detail.contains("write YYYY") {
        "write the date as YYYY, YYYY-MM or YYYY-MM-DD".to_string()
    } else if detail.starts_with("invalid date") {
        "check the month and the day".to_string()
    } else {
        "check the value's type against the front-matter fields in README.md".to_string()
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    pub yaml: Range<usize>,
    pub body: Range<usize>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SplitError {
    /// The file does not start with a `---` line.
    Missing,
    /// No closing `---` line; the range is the opening line.
    Unclosed { open: Range<usize> },
}

fn bom_len(text: &str) -> usize {
    if text.starts_with('\u{feff}') { 3 } else { 0 }
}

/// Splits `---\n<yaml>\n---\n<body>` into byte ranges. Accepts a UTF-8 BOM and CRLF line endings;
/// `...` also closes the block, as in YAML.
pub fn split_front_matter(text: &str) -> Result<Split, SplitError> {
    let start = bom_len(text);
    let mut lines = LineIter { text, at: start };
    let Some((open, _)) = lines.next() else {
        return Err(SplitError::Missing);
    };
    if text[open.clone()].trim_end() != "---" {
        return Err(SplitError::Missing);
    }
    let yaml_start = lines.at;
    for (line, next) in lines {
        let content = text[line.clone()].trim_end();
        if content == "---" || content == "..." {
            return Ok(Split {
                yaml: yaml_start..line.start,
                body: next..text.len(),
            });
        }
    }
    Err(SplitError::Unclosed {
        open: open.start..open.start + 3,
    })
}

/// Lines as (range without the line break, offset of the next line).
struct LineIter<'a> {
    text: &'a str,
    at: usize,
}

impl Iterator for LineIter<'_> {
    type Item = (Range<usize>, usize);

    fn next(&mut self) -> Option<Self::Item> {
        if self.at >= self.text.len() {
            return None;
        }
        let rest = &self.text[self.at..];
        let (len, next) = match rest.find('\n') {
            Some(i) => (i, self.at + i + 1),
            None => (rest.len(), self.text.len()),
        };
        let line = self.at..self.at + len;
        self.at = next;
        Some((line, next))
    }
}

/// Where each top-level front-matter key and its value sit in the file. serde_yaml gives no spans
/// for values, so this flat scan of the (always flat) front matter lets diagnostics point at the
/// value that is wrong rather than at the top of the file.
#[derive(Clone, Debug, Default)]
pub struct FrontMatter {
    keys: BTreeMap<String, (Range<usize>, Range<usize>)>,
    text: Arc<str>,
}

impl FrontMatter {
    /// Scans the YAML at `yaml` in `text` (front matter, or a whole settings file).
    pub fn scan(text: &Arc<str>, yaml: Range<usize>) -> FrontMatter {
        let mut keys = BTreeMap::new();
        let mut current: Option<(String, Range<usize>, usize)> = None;
        let mut last_end = yaml.start;
        let lines = LineIter {
            text: &text[..yaml.end],
            at: yaml.start,
        };
        for (line, _) in lines {
            let content = &text[line.clone()];
            let is_key = content
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && content.contains(':');
            if is_key {
                if let Some((key, key_range, value_start)) = current.take() {
                    keys.insert(key, (key_range, value_start..last_end.max(value_start)));
                }
                let colon = content.find(':').unwrap_or(0);
                let name = content[..colon].trim();
                let after = &content[colon + 1..];
                let value_start = line.start + colon + 1 + (after.len() - after.trim_start().len());
                current = Some((
                    name.to_string(),
                    line.start..line.start + name.len(),
                    value_start,
                ));
            }
            let trimmed = content.trim_end();
            if !trimmed.trim_start().is_empty() && !trimmed.trim_start().starts_with('#') {
                last_end = line.start + trimmed.len();
            }
        }
        if let Some((key, key_range, value_start)) = current {
            keys.insert(key, (key_range, value_start..last_end.max(value_start)));
        }
        FrontMatter {
            keys,
            text: Arc::clone(text),
        }
    }

    /// The text the ranges index.
    pub fn text(&self) -> &Arc<str> {
        &self.text
    }

    /// The range of `key:` itself.
    pub fn key(&self, key: &str) -> Option<Range<usize>> {
        self.keys.get(key).map(|(k, _)| k.clone())
    }

    /// The range of the value written after `key:` (the whole block for a list).
    pub fn value(&self, key: &str) -> Option<Range<usize>> {
        self.keys.get(key).map(|(_, v)| v.clone())
    }

    /// The range of one item of a list value, found as a whole word inside the value.
    pub fn item(&self, key: &str, item: &str) -> Option<Range<usize>> {
        self.items(key, item).next()
    }

    /// Every whole-word occurrence of `item` inside `key`'s value, in order (a list can repeat
    /// an item).
    pub fn items<'a>(
        &'a self,
        key: &str,
        item: &'a str,
    ) -> impl Iterator<Item = Range<usize>> + 'a {
        let value = self.value(key).unwrap_or(0..0);
        let haystack = &self.text[value.clone()];
        let is_word = |c: char| c.is_alphanumeric() || c == '-' || c == '_' || c == '.';
        haystack
            .match_indices(item)
            .filter(move |(i, _)| {
                let before = haystack[..*i].chars().next_back();
                let after = haystack[i + item.len()..].chars().next();
                !before.is_some_and(is_word) && !after.is_some_and(is_word)
            })
            .map(move |(i, _)| value.start + i..value.start + i + item.len())
    }

    /// The value's range, or the key's, or the start of the file: the best place to point at.
    pub fn locate(&self, key: &str) -> Range<usize> {
        self.value(key)
            .filter(|v| !v.is_empty())
            .or_else(|| self.key(key))
            .unwrap_or(0..0)
    }
}

pub fn is_slug(text: &str) -> bool {
    !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !text.starts_with('-')
        && !text.ends_with('-')
}

/// A URL-safe slug for a title: lower-case ASCII letters and digits joined by `-`.
pub fn slugify(title: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let mut slug = String::new();
    for c in title.nfd().filter(|c| c.is_ascii()) {
        if c.is_ascii_alphanumeric() {
            slug.push(c.to_ascii_lowercase());
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    slug.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lf_crlf_and_bom() {
        let text = "---\ntitle: A\n---\nBody\n";
        let split = split_front_matter(text).unwrap();
        assert_eq!(&text[split.yaml.clone()], "title: A\n");
        assert_eq!(&text[split.body.clone()], "Body\n");

        let text = "\u{feff}---\r\ntitle: A\r\n---\r\nBody\r\n";
        let split = split_front_matter(text).unwrap();
        assert_eq!(&text[split.yaml], "title: A\r\n");
        assert_eq!(&text[split.body], "Body\r\n");
    }

    #[test]
    fn reports_missing_and_unclosed() {
        assert_eq!(split_front_matter("title: A\n"), Err(SplitError::Missing));
        assert_eq!(split_front_matter(""), Err(SplitError::Missing));
        assert_eq!(
            split_front_matter("---\ntitle: A\n"),
            Err(SplitError::Unclosed { open: 0..3 })
        );
    }

    #[test]
    fn front_matter_spans_point_at_values_and_items() {
        let text: Arc<str> =
            Arc::from("---\ntitle: A\ncountries: [MUS, PAK]\nlist:\n  - one\n  - two\n---\n");
        let split = split_front_matter(&text).unwrap();
        let fm = FrontMatter::scan(&text, split.yaml);
        assert_eq!(&text[fm.value("title").unwrap()], "A");
        assert_eq!(&text[fm.item("countries", "PAK").unwrap()], "PAK");
        assert_eq!(&text[fm.item("list", "two").unwrap()], "two");
        assert_eq!(&text[fm.key("list").unwrap()], "list");
    }

    #[test]
    fn nested_keys_dates_and_wrong_types_point_at_the_value() {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "principles/p.md",
            "---\ntitle: P\nnumber: two\npillar: effectiveness\nstrategies: []\nsummary: S.\n---\n",
        );
        write(
            "notes/a.md",
            "---\ntitle: A\nprinciple: p\nsummary: S.\nsources:\n  - title: T\n    link: https://x.org\n---\n",
        );
        write(
            "notes/b.md",
            "---\ntitle: B\nprinciple: p\nsummary: S.\nupdated: 2021-13\n---\n",
        );
        let loaded = load(dir.path(), &Config::default());
        let failed: Vec<(Kind, &str)> = loaded
            .failed
            .iter()
            .map(|(k, s)| (*k, s.as_str()))
            .collect();
        assert_eq!(
            failed,
            [(Kind::Principle, "p"), (Kind::Note, "a"), (Kind::Note, "b")]
        );
        assert!(loaded.documents.is_empty());
        let errors = loaded.problems;
        let found: Vec<String> = errors.iter().map(|d| format!("{d}")).collect();
        let expected = [
            "notes/a.md:7:5: error: sources[0]: unknown key `link` (help: remove it; allowed keys are: title, url)",
            "notes/b.md:5:10: error: updated: invalid date `2021-13`: there is no month 13 (help: check the month and the day)",
            "principles/p.md:3:9: error: number: invalid type: string \"two\", expected a whole number from 0 to 255 (help: write a whole number, without quotes)",
        ];
        for e in expected {
            assert!(found.iter().any(|f| f == e), "missing {e} in {found:#?}");
        }
        let wrong = errors
            .iter()
            .find(|d| d.code == "wrong-type" && d.message.starts_with("number"))
            .unwrap();
        assert_eq!(wrong.span.as_ref().unwrap().range.len(), "two".len());
    }

    /// The problem with a note whose front matter is `yaml`.
    fn note_problem(yaml: &str) -> Diagnostic {
        let text: Arc<str> = Arc::from(format!("---\n{yaml}---\nbody\n"));
        let split = split_front_matter(&text).unwrap();
        parse_yaml::<NoteMeta>(
            &text[split.yaml.clone()],
            "n.md",
            &text,
            split.yaml.start,
            NOTE_FIELDS,
        )
        .unwrap_err()
    }

    #[test]
    fn an_unclosed_list_or_quote_is_reported_where_it_opens() {
        let place = |yaml: &str| {
            let d = note_problem(yaml);
            let (line, column) = d.span.as_ref().unwrap().line_column();
            (d.message, line, column)
        };
        assert_eq!(
            place("title: A\ncountries: [GUY\nsdg_targets: [\"16.6\"]\nsummary: S.\n"),
            ("this list is never closed".to_string(), 3, 12)
        );
        assert_eq!(
            place("title: \"Don't panic\nprinciple: p\nsummary: S.\n"),
            ("this quoted text is never closed".to_string(), 2, 8)
        );
        // An apostrophe inside plain text opens nothing.
        assert_eq!(
            place("title: Don't panic\ncountries: [GUY\nsdg_targets: [\"16.6\"]\n"),
            ("this list is never closed".to_string(), 3, 12)
        );
    }

    #[test]
    fn a_key_written_twice_points_at_the_second() {
        let d = note_problem("title: A\nprinciple: p\ntitle: B\nsummary: S.\n");
        assert_eq!(d.code, "duplicate-key");
        assert_eq!(d.message, "`title` is written twice");
        let span = d.span.as_ref().unwrap();
        assert_eq!(span.line_column(), (4, 1));
        assert_eq!(&span.text[span.range.clone()], "title");
    }

    #[test]
    fn a_well_formed_date_that_does_not_exist_says_why() {
        let problem = |date: &str| {
            serde_yaml::from_str::<crate::model::PartialDate>(date)
                .unwrap_err()
                .to_string()
        };
        assert!(
            problem("2021-02-30").starts_with("invalid date `2021-02-30`: 2021-02 has 28 days")
        );
        assert!(problem("2024-02-30").contains("2024-02 has 29 days"));
        assert!(problem("2021-00").contains("there is no month 0"));
        assert!(problem("21-02-03").contains("write YYYY, YYYY-MM or YYYY-MM-DD"));
        assert!(problem("2021-2-3").contains("write YYYY, YYYY-MM or YYYY-MM-DD"));
    }

    #[test]
    fn slugify_folds_accents() {
        assert_eq!(
            slugify("Égalité & Fiscal  federalism!"),
            "egalite-fiscal-federalism"
        );
        assert!(is_slug("data-sharing"));
        assert!(!is_slug("Data_Sharing"));
    }
}
