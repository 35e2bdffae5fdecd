//! The embedded default theme (templates, CSS, JavaScript, interface strings), with any file in
//! the project's `theme/` folder replacing the embedded file of the same name.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::Path;

use include_dir::{Dir, include_dir};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::display_path;

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/src/theme");

/// Files a project's `theme/` folder may hold that are not part of the theme.
const IGNORED: &[&str] = &["README.md"];

#[derive(Clone, Debug)]
pub struct Theme {
    /// By path inside the theme, e.g. `templates/note.html`, `static/site.css`, `i18n/en.yaml`.
    files: BTreeMap<String, Cow<'static, [u8]>>,
}

impl Theme {
    pub fn embedded() -> Theme {
        let mut files = BTreeMap::new();
        collect(&DEFAULT_THEME, &mut files);
        Theme { files }
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
                            theme.files.insert(name, Cow::Owned(bytes));
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

    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.files.get(name).map(|b| &**b)
    }

    pub fn text(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(|b| std::str::from_utf8(b).ok())
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

/// The theme's scripts are written to be read, with comments and indentation; pages ship them
/// without comment-only lines, blank lines and indentation, about a quarter lighter. Only whole
/// lines are touched, which is safe as long as no template literal spans lines (a theme test
/// checks the embedded scripts for that).
pub fn compact_script(source: &str) -> String {
    let mut out = String::with_capacity(source.len());
    for line in source.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with("//") {
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
