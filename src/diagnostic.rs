//! Compiler-style diagnostics: every problem names a file, a line and a column, says what is wrong
//! and what to do about it. The library only collects them; the binary prints them once.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use codespan_reporting::diagnostic::{Diagnostic as Report, Label};
use codespan_reporting::files::{Files, SimpleFile};
use codespan_reporting::term::{self, Chars};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// A place in a source file: the file's display path, its whole text (shared, never copied) and a
/// byte range inside it.
#[derive(Clone, Debug)]
pub struct Span {
    pub path: String,
    pub text: Arc<str>,
    pub range: Range<usize>,
}

impl Span {
    pub fn new(path: &str, text: &Arc<str>, range: Range<usize>) -> Span {
        let end = range.end.min(text.len());
        let start = range.start.min(end);
        Span {
            path: path.to_string(),
            text: Arc::clone(text),
            range: start..end,
        }
    }

    /// 1-based line and column (the column counts characters, as editors do).
    pub fn line_column(&self) -> (usize, usize) {
        let before = &self.text[..floor_char_boundary(&self.text, self.range.start)];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let mut column = before[line_start..].chars().count() + 1;
        if line == 1 && self.text.starts_with('\u{feff}') && column > 1 {
            column -= 1;
        }
        (line, column)
    }
}

fn floor_char_boundary(text: &str, mut index: usize) -> usize {
    index = index.min(text.len());
    while !text.is_char_boundary(index) {
        index -= 1;
    }
    index
}

#[derive(Clone, Debug)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable identifier such as `unknown-principle`, for tools that filter diagnostics.
    pub code: &'static str,
    pub message: String,
    /// Where the problem is; `None` for problems that belong to no file (an empty folder).
    /// Boxed: a diagnostic is the error type of many functions, and a small one keeps their
    /// `Result`s small.
    pub span: Option<Box<Span>>,
    /// Without a span, the file or folder the problem concerns.
    pub path: Option<String>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span: None,
            path: None,
            help: None,
        }
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    pub fn at(mut self, span: Span) -> Diagnostic {
        self.span = Some(Box::new(span));
        self
    }

    pub fn in_file(mut self, path: impl Into<String>) -> Diagnostic {
        self.path = Some(path.into());
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    pub fn file(&self) -> Option<&str> {
        self.span
            .as_ref()
            .map(|s| s.path.as_str())
            .or(self.path.as_deref())
    }

    /// The diagnostic as one JSON object (for `guidance check --json` and the serve overlay).
    pub fn to_json(&self) -> serde_json::Value {
        let (line, column) = self.span.as_ref().map_or((None, None), |s| {
            let (l, c) = s.line_column();
            (Some(l), Some(c))
        });
        serde_json::json!({
            "file": self.file(),
            "line": line,
            "column": column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "help": self.help,
        })
    }

    /// Renders the diagnostic the way a compiler does: message, `--> file:line:col`, the source
    /// line with a caret under the problem, and a `help:` line.
    pub fn render(&self, color: bool) -> String {
        let mut report = match self.severity {
            Severity::Error => Report::error(),
            Severity::Warning => Report::warning(),
        }
        .with_message(&self.message)
        .with_code(self.code);
        if let Some(help) = &self.help {
            report = report.with_notes(vec![format!("help: {help}")]);
        }
        let config = term::Config {
            chars: Chars::ascii(),
            ..term::Config::default()
        };
        let mut out = Vec::new();
        let written = match &self.span {
            Some(span) => {
                let file = ShortenedLine::new(span);
                let report = report.with_labels(vec![Label::primary((), file.range.clone())]);
                emit(&mut out, color, &config, &file, &report)
            }
            None => {
                let file = SimpleFile::new("", "");
                let mut report = report;
                if let Some(path) = &self.path {
                    report.notes.insert(0, format!("in {path}"));
                }
                emit(&mut out, color, &config, &file, &report)
            }
        };
        if written.is_err() {
            return format!("{self}\n");
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

fn emit<'f, F: Files<'f, FileId = ()>>(
    out: &mut Vec<u8>,
    color: bool,
    config: &term::Config,
    file: &'f F,
    report: &Report<()>,
) -> Result<(), codespan_reporting::files::Error> {
    if color {
        let mut writer = term::termcolor::Ansi::new(out);
        term::emit_to_write_style(&mut writer, config, file, report)
    } else {
        let mut writer = term::termcolor::NoColor::new(out);
        term::emit_to_write_style(&mut writer, config, file, report)
    }
}

/// A diagnostic shows at most this many characters of the problem's line: a paragraph is often
/// one line of thousands, and printing it whole buries the caret.
const SHOWN_LINE: usize = 100;
/// How much of the line before the problem stays in view.
const SHOWN_BEFORE: usize = 40;

/// The file as a diagnostic shows it: the problem's line cut to a window around the problem,
/// with `…` where text is left out, and columns still counted as in the file.
struct ShortenedLine<'s> {
    file: SimpleFile<&'s str, String>,
    /// The problem, in the shortened text.
    range: Range<usize>,
    /// The problem's line, and the characters of it hidden before the window less the `…`.
    line: usize,
    hidden_columns: usize,
}

impl<'s> ShortenedLine<'s> {
    fn new(span: &'s Span) -> ShortenedLine<'s> {
        let text = &*span.text;
        let start = span.range.start.min(text.len());
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
        let line = text[..line_start].matches('\n').count();
        let unchanged = ShortenedLine {
            file: SimpleFile::new(&span.path, text.to_string()),
            range: span.range.clone(),
            line,
            hidden_columns: 0,
        };
        if text[line_start..line_end].chars().count() <= SHOWN_LINE {
            return unchanged;
        }
        // The window: SHOWN_BEFORE characters before the problem, the rest after it.
        let before: Vec<usize> = text[line_start..start]
            .char_indices()
            .map(|(i, _)| line_start + i)
            .collect();
        let from = before
            .len()
            .checked_sub(SHOWN_BEFORE)
            .map_or(line_start, |i| before[i]);
        let shown_before = before.len() - before.iter().position(|&i| i == from).unwrap_or(0);
        let to = text[from..line_end]
            .char_indices()
            .nth(SHOWN_LINE)
            .map_or(line_end, |(i, _)| from + i);
        let cut_front = from > line_start;
        let mut shortened = String::with_capacity(text.len());
        shortened.push_str(&text[..line_start]);
        if cut_front {
            shortened.push('…');
        }
        let window_at = shortened.len();
        shortened.push_str(&text[from..to]);
        if to < line_end {
            shortened.push('…');
        }
        shortened.push_str(&text[line_end..]);
        let moved = |offset: usize| window_at + offset.clamp(from, to) - from;
        ShortenedLine {
            file: SimpleFile::new(&span.path, shortened),
            range: moved(start)..moved(span.range.end.max(start)).max(moved(start)),
            line,
            hidden_columns: if cut_front {
                before.len() - shown_before - 1
            } else {
                0
            },
        }
    }
}

impl<'s> Files<'s> for ShortenedLine<'s> {
    type FileId = ();
    type Name = &'s str;
    type Source = &'s str;

    fn name(&'s self, _: ()) -> Result<&'s str, codespan_reporting::files::Error> {
        Ok(self.file.name())
    }

    fn source(&'s self, _: ()) -> Result<&'s str, codespan_reporting::files::Error> {
        Ok(self.file.source())
    }

    fn line_index(
        &'s self,
        id: (),
        byte: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        self.file.line_index(id, byte)
    }

    fn line_range(
        &'s self,
        id: (),
        line: usize,
    ) -> Result<Range<usize>, codespan_reporting::files::Error> {
        self.file.line_range(id, line)
    }

    fn column_number(
        &'s self,
        id: (),
        line: usize,
        byte: usize,
    ) -> Result<usize, codespan_reporting::files::Error> {
        let shown = self.file.column_number(id, line, byte)?;
        Ok(if line == self.line {
            shown + self.hidden_columns
        } else {
            shown
        })
    }
}

impl fmt::Display for Diagnostic {
    /// One line: `file:line:col: error: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let severity = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        match &self.span {
            Some(span) => {
                let (line, column) = span.line_column();
                write!(
                    f,
                    "{}:{line}:{column}: {severity}: {}",
                    span.path, self.message
                )?
            }
            None => match &self.path {
                Some(path) => write!(f, "{path}: {severity}: {}", self.message)?,
                None => write!(f, "{severity}: {}", self.message)?,
            },
        }
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// Every problem a build found. A build fails when at least one of them is an error.
#[derive(Clone, Debug, Default)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }

    /// Stable order: by file, then position, so two runs print the same report.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            let key = |d: &Diagnostic| {
                (
                    d.file().map(str::to_string),
                    d.span.as_ref().map(|s| s.range.start),
                )
            };
            key(a).cmp(&key(b)).then_with(|| a.message.cmp(&b.message))
        });
    }

    /// `Ok` with the warnings when nothing is an error, otherwise every diagnostic as the error.
    pub fn into_result(mut self) -> Result<Diagnostics, Diagnostics> {
        self.sort();
        // The same template mistake fails every page that uses it: report it once.
        self.0.dedup_by(|a, b| {
            a.code == b.code
                && a.message == b.message
                && a.file() == b.file()
                && a.span.as_ref().map(|s| s.range.clone())
                    == b.span.as_ref().map(|s| s.range.clone())
        });
        if self.has_errors() {
            Err(self)
        } else {
            Ok(self)
        }
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for diagnostic in &self.0 {
            writeln!(f, "{diagnostic}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

impl From<Diagnostic> for Diagnostics {
    fn from(diagnostic: Diagnostic) -> Diagnostics {
        Diagnostics(vec![diagnostic])
    }
}

/// The closest candidate to `wanted`, if one is close enough to be a plausible typo.
pub fn did_you_mean<'a>(
    wanted: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let wanted = wanted.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&wanted, &c.to_lowercase()), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_count_characters() {
        let text: Arc<str> = Arc::from("a: 1\nprincipl\u{e9}: x\n");
        let span = Span::new("f.md", &text, 16..17);
        assert_eq!(span.line_column(), (2, 11));
    }

    #[test]
    fn suggestion_picks_closest() {
        let found = did_you_mean(
            "sound-policy",
            ["competence", "sound-policymaking", "integrity"],
        );
        assert_eq!(found, Some("sound-policymaking"));
        assert_eq!(did_you_mean("zzz", ["competence"]), None);
    }

    #[test]
    fn render_shows_location_caret_and_help() {
        let text: Arc<str> = Arc::from("---\nprincipal: x\n---\n");
        let d = Diagnostic::error("unknown-key", "unknown key `principal`")
            .at(Span::new("notes/a.md", &text, 4..13))
            .help("did you mean `principle`?");
        let out = d.render(false);
        assert!(out.contains("--> notes/a.md:2:1"), "{out}");
        assert!(out.contains("^^^^^^^^^"), "{out}");
        assert!(out.contains("help: did you mean `principle`?"), "{out}");
    }

    #[test]
    fn a_long_line_is_shown_around_the_problem_with_its_true_column() {
        let paragraph = "Lorem é 数据 ".repeat(500);
        let text: Arc<str> = Arc::from(format!("# T\n{paragraph}[x](note:nope) after\nnext\n"));
        let start = text.find("note:nope").unwrap();
        let column = text[..start].lines().last().unwrap().chars().count() + 1;
        let d = Diagnostic::error("unknown-link", "unknown note").at(Span::new(
            "notes/a.md",
            &text,
            start..start + 9,
        ));
        let out = d.render(false);
        assert!(out.contains(&format!("--> notes/a.md:2:{column}")), "{out}");
        let shown = out.lines().find(|l| l.starts_with("2 |")).unwrap();
        assert!(shown.starts_with("2 | …"), "{shown}");
        assert!(shown.ends_with("](note:nope) after"), "{shown}");
        assert!(shown.chars().count() < SHOWN_LINE + 10, "{shown}");
        // The caret is under the problem, counting double-width characters twice.
        let caret = out.lines().find(|l| l.contains('^')).unwrap();
        let under = caret.find('^').unwrap();
        let width_before: usize = shown[..shown.find("note:nope").unwrap()]
            .chars()
            .map(|c| if c == '数' || c == '据' { 2 } else { 1 })
            .sum();
        assert_eq!(under, width_before, "{out}");

        // Short lines are shown whole.
        let text: Arc<str> = Arc::from("# T\nsee [x](note:nope)\n");
        let d = Diagnostic::error("unknown-link", "unknown note").at(Span::new(
            "notes/a.md",
            &text,
            13..22,
        ));
        assert!(d.render(false).contains("2 | see [x](note:nope)"));
    }
}
