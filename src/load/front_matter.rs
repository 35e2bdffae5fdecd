//! Front matter: the YAML block at the top of a document, split from the body with the byte
//! offset of every key and value, and read into its typed record with every problem placed at
//! file:line:col (serde_yaml's own positions mapped back to the file).

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use serde::de::DeserializeOwned;

use crate::diagnostic::{Diagnostic, Diagnostics, Span, did_you_mean};

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

/// Reads front matter into its record, reporting every key that is unknown or of the wrong
/// type at once: serde stops at the first, so each key found wrong is blanked out (its bytes
/// become spaces, keeping every offset) and the rest read again.
pub(super) struct FieldsParser<'a> {
    pub(super) yaml: &'a str,
    pub(super) path: &'a str,
    pub(super) text: &'a Arc<str>,
    pub(super) offset: usize,
    pub(super) fields: &'a [&'a str],
    pub(super) front_matter: &'a FrontMatter,
}

impl FieldsParser<'_> {
    pub(super) fn parse<T: DeserializeOwned>(&self) -> Result<T, Diagnostics> {
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

pub(super) fn parse_yaml<T: DeserializeOwned>(
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

pub(super) fn bom_len(text: &str) -> usize {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::load::NOTE_FIELDS;
    use crate::model::NoteMeta;

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
}
