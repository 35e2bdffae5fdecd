//! The embedded default theme (templates, CSS, JavaScript, interface strings), with any file in
//! the project's `theme/` folder replacing the embedded file of the same name.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use include_dir::{Dir, include_dir};

use crate::diagnostic::{Diagnostic, Diagnostics, Span, did_you_mean};
use crate::load::{FrontMatter, display_path};

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/src/theme");

/// Files a project's `theme/` folder may hold that are not part of the theme.
const IGNORED: &[&str] = &["README.md"];

#[derive(Clone, Debug)]
pub struct Theme {
    /// By path inside the theme, e.g. `templates/note.html`, `static/site.css`, `i18n/en.yaml`.
    files: BTreeMap<String, Cow<'static, [u8]>>,
    /// The files the project's `theme/` folder replaced or added.
    overrides: BTreeSet<String>,
    /// Overrides that look like mistakes: they replace nothing, or name strings the theme lacks.
    warnings: Diagnostics,
}

impl Theme {
    pub fn embedded() -> Theme {
        let mut files = BTreeMap::new();
        collect(&DEFAULT_THEME, &mut files);
        Theme {
            files,
            overrides: BTreeSet::new(),
            warnings: Diagnostics::default(),
        }
    }

    /// The embedded theme with the project's overrides applied.
    pub fn load(root: &Path) -> Result<Theme, Diagnostics> {
        let mut theme = Theme::embedded();
        let folder = root.join("theme");
        if !folder.is_dir() {
            return Ok(theme);
        }
        let mut diagnostics = Diagnostics::default();
        for entry in walkdir::WalkDir::new(&folder)
            .follow_links(true)
            .sort_by_file_name()
        {
            match entry {
                Ok(entry) if entry.file_type().is_file() => {
                    let name = display_path(&folder, entry.path());
                    if IGNORED.contains(&name.as_str()) || name.starts_with('.') {
                        continue;
                    }
                    match std::fs::read(entry.path()) {
                        Ok(bytes) => {
                            theme.warnings.extend(check_override(&name, &bytes));
                            theme.files.insert(name.clone(), Cow::Owned(bytes));
                            theme.overrides.insert(name);
                        }
                        Err(e) => diagnostics.push(
                            Diagnostic::error("io", format!("cannot read theme file: {e}"))
                                .in_file(display_path(root, entry.path())),
                        ),
                    }
                }
                Ok(_) => {}
                Err(e) => diagnostics.push(
                    Diagnostic::error("io", format!("cannot read theme folder: {e}"))
                        .in_file("theme/"),
                ),
            }
        }
        diagnostics.into_result().map(|_| theme)
    }

    /// What the overrides look like they got wrong (see [`Theme::load`]).
    pub fn warnings(&self) -> &Diagnostics {
        &self.warnings
    }

    /// Where a theme file comes from, for a diagnostic: the project's `theme/` folder, or the
    /// embedded theme's source.
    pub fn source_path(&self, name: &str) -> String {
        if self.overrides.contains(name) {
            format!("theme/{name}")
        } else {
            format!("src/theme/{name}")
        }
    }

    /// Whether the project's `theme/` folder provides `name`.
    pub fn is_override(&self, name: &str) -> bool {
        self.overrides.contains(name)
    }

    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(|b| &**b)
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|b| std::str::from_utf8(b).ok())
    }

    /// The project's own version of a file, if `theme/` has one.
    pub fn override_text(&self, name: &str) -> Option<&str> {
        self.overrides.contains(name).then(|| self.text(name))?
    }

    /// The embedded theme's version of a file, whatever the project overrides.
    pub fn embedded_text(name: &str) -> Option<&'static str> {
        DEFAULT_THEME.get_file(name)?.contents_utf8()
    }

    /// Files under `prefix`, with the prefix removed from their names.
    pub fn files_under<'a>(
        &'a self,
        prefix: &'a str,
    ) -> impl Iterator<Item = (&'a str, &'a [u8])> + 'a {
        self.files
            .iter()
            .filter_map(move |(name, bytes)| Some((name.strip_prefix(prefix)?, &**bytes)))
    }
}

/// Warnings for a file of the project's `theme/` folder (`name` inside it): a template or
/// strings file that replaces no embedded one (a misspelt name is silently unused), and strings
/// the theme does not have (a misspelt key leaves the English text in place).
fn check_override(name: &str, bytes: &[u8]) -> Diagnostics {
    let mut warnings = Diagnostics::default();
    let shown = format!("theme/{name}");
    let embedded = |n: &str| DEFAULT_THEME.get_file(n).is_some();
    // A new file in static/ is published as it is (a logo, a stylesheet a template links), unless
    // its name is one letter away from a theme file's: then it is most likely a misspelt override.
    if name.starts_with("static/") && !embedded(name) {
        let (folder, file) = name.rsplit_once('/').unwrap_or(("static", name));
        let siblings = DEFAULT_THEME
            .get_dir(folder)
            .map(|d| {
                d.files()
                    .filter_map(|f| f.path().file_name()?.to_str())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default();
        if let Some(close) = did_you_mean(file, siblings.iter().copied()) {
            warnings.push(
                Diagnostic::warning(
                    "theme-unused",
                    format!("`{shown}` replaces no file of the theme"),
                )
                .in_file(shown.clone())
                .help(format!(
                    "did you mean `{folder}/{close}`? (as it is, it is published beside the theme's own)"
                )),
            );
        }
        return warnings;
    }
    let replaces_nothing =
        (name.starts_with("templates/") || name.starts_with("i18n/")) && !embedded(name);
    if replaces_nothing {
        let folder = name.rsplit_once('/').map_or("", |(f, _)| f);
        let siblings: Vec<&str> = DEFAULT_THEME
            .get_dir(folder)
            .map(|d| {
                d.files()
                    .filter_map(|f| f.path().file_name()?.to_str())
                    .collect()
            })
            .unwrap_or_default();
        let file = name.rsplit('/').next().unwrap_or(name);
        let help = match did_you_mean(file, siblings.iter().copied()) {
            _ if folder == "i18n" => format!(
                "strings files are named after a supported language: {}",
                siblings.join(", ")
            ),
            Some(close) => format!("did you mean `{folder}/{close}`?"),
            None => "name it after the embedded template it replaces; a new template is used only where another one includes it".to_string(),
        };
        warnings.push(
            Diagnostic::warning(
                "theme-unused",
                format!("`{shown}` replaces no file of the theme"),
            )
            .in_file(shown.clone())
            .help(help),
        );
        return warnings;
    }
    if name.starts_with("i18n/") && name.ends_with(".yaml") {
        let text: Arc<str> = Arc::from(String::from_utf8_lossy(bytes));
        let known: BTreeMap<String, serde_yaml::Value> = DEFAULT_THEME
            .get_file("i18n/en.yaml")
            .and_then(|f| f.contents_utf8())
            .and_then(|t| serde_yaml::from_str(t).ok())
            .unwrap_or_default();
        let Ok(written) = serde_yaml::from_str::<BTreeMap<String, serde_yaml::Value>>(&text) else {
            return warnings; // reported as an error where the strings are read
        };
        let keys = FrontMatter::scan(&text, 0..text.len());
        for key in written.keys().filter(|k| !known.contains_key(*k)) {
            let mut d =
                Diagnostic::warning("unknown-string", format!("the theme has no string `{key}`"))
                    .at(Span::new(&shown, &text, keys.key(key).unwrap_or(0..0)));
            d = match did_you_mean(key, known.keys().map(String::as_str)) {
                Some(close) => d.help(format!("did you mean `{close}`?")),
                None => d.help("use the keys of the embedded src/theme/i18n/en.yaml"),
            };
            warnings.push(d);
        }
    }
    warnings
}

/// The theme's scripts are written to be read, with comments and indentation; pages ship them
/// without comment-only lines, blank lines and indentation, about a quarter lighter. Only whole
/// lines are touched, which is safe as long as no template literal spans lines (a theme test
/// checks the embedded scripts for that).
pub fn compact_script(source: &str) -> String {
    compact_lines(source, |line| line.starts_with("//"))
}

/// Stylesheets likewise ship without their comments, blank lines and indentation (site.css and
/// search.css lose 1.7 KB of the weight every page loads). A comment is `/* ... */` outside a
/// quoted string; a line is otherwise kept as it is, trimmed.
pub fn compact_style(source: &str) -> String {
    let mut bare = String::with_capacity(source.len());
    let mut rest = source;
    while let Some(at) = rest.find(['/', '"', '\'']) {
        let (before, from) = rest.split_at(at);
        bare.push_str(before);
        let quote = from.as_bytes()[0];
        if quote == b'/' {
            if let Some(comment) = from.strip_prefix("/*") {
                // A comment parts what is either side of it, as a space does; an unclosed one
                // runs to the end, as browsers read it.
                bare.push(' ');
                rest = comment.find("*/").map_or("", |end| &comment[end + 2..]);
            } else {
                bare.push('/');
                rest = &from[1..];
            }
            continue;
        }
        // A string runs to its closing quote, past escaped characters (or to the line's end).
        let mut end = 1;
        let bytes = from.as_bytes();
        while end < bytes.len() && bytes[end] != quote && bytes[end] != b'\n' {
            end += if bytes[end] == b'\\' { 2 } else { 1 };
        }
        let end = (end + 1).min(from.len());
        bare.push_str(&from[..end]);
        rest = &from[end..];
    }
    bare.push_str(rest);
    compact_lines(&bare, |_| false)
}

/// Every line of `source` trimmed, but blank lines and those `drop` names.
fn compact_lines(source: &str, drop: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.lines().map(str::trim) {
        if line.is_empty() || drop(line) {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn collect(dir: &Dir<'static>, files: &mut BTreeMap<String, Cow<'static, [u8]>>) {
    for file in dir.files() {
        let name = file.path().to_string_lossy().replace('\\', "/");
        files.insert(name, Cow::Borrowed(file.contents()));
    }
    for sub in dir.dirs() {
        collect(sub, files);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_script_drops_comments_blank_lines_and_indentation_only() {
        let source =
            "// about\nfunction f() {\n\n    // why\n    return \"// not a comment\";\n}\n";
        assert_eq!(
            compact_script(source),
            "function f() {\nreturn \"// not a comment\";\n}\n"
        );
    }

    #[test]
    fn compact_style_drops_comments_but_not_inside_strings() {
        let source = "/* about\n   the theme */\na { color: red; }\n\n  b::before { content: \"/* kept */\"; }\nc{margin:0/**/auto} /* why */\ni{content:'\\'/*'}\n";
        assert_eq!(
            compact_style(source),
            "a { color: red; }\nb::before { content: \"/* kept */\"; }\nc{margin:0 auto}\ni{content:'\\'/*'}\n"
        );
    }

    #[test]
    fn embedded_scripts_have_no_template_literal_spanning_lines() {
        let theme = Theme::embedded();
        for (name, bytes) in theme
            .files_under("static/")
            .filter(|(n, _)| n.ends_with(".js"))
        {
            let text = std::str::from_utf8(bytes).unwrap();
            for (number, line) in text.lines().enumerate() {
                assert_eq!(
                    line.matches('`').count() % 2,
                    0,
                    "static/{name}:{}: a template literal spans lines",
                    number + 1
                );
            }
        }
    }
}
