//! Stage 1: read `principles/`, `notes/` and `pages/` into typed documents, keeping byte offsets so
//! every later problem can name file:line:col.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics, Span};
use crate::model::{Kind, NoteMeta, PageMeta, PrincipleMeta, ProjectFile, SourceFile};

mod files;
mod front_matter;

pub use files::load_files;
pub use front_matter::{FrontMatter, Split, SplitError, split_front_matter, yaml_diagnostic};

use front_matter::{FieldsParser, bom_len};

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
