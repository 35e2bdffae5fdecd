//! Template errors as diagnostics: where in which template, and for an undefined value the
//! closest name the page has.

use minijinja::Value;

use super::Renderer;
use crate::diagnostic::{Diagnostic, Span, did_you_mean};
use crate::theme::Theme;

impl Renderer<'_> {
    /// A template error met while rendering a page from `ctx`. An undefined value is named,
    /// with the closest name the page has when it comes from the page's own variables.
    pub(super) fn render_diagnostic(&self, error: &minijinja::Error, ctx: &Value) -> Diagnostic {
        let d = template_diagnostic(error, self.theme);
        if error.kind() != minijinja::ErrorKind::UndefinedError {
            return d;
        }
        let Some(expression) = error
            .name()
            .and_then(|name| self.theme.text(&format!("templates/{name}")))
            .zip(error.range())
            .and_then(|(source, range)| {
                // minijinja's range may start at the failing `.name`: take in what it follows.
                let before = source.get(..range.start)?;
                let path =
                    before.trim_end_matches(|c: char| c.is_alphanumeric() || "_.".contains(c));
                source.get(path.len()..range.end)
            })
        else {
            return d;
        };
        // Only a name the template takes from the page can be looked up here: a loop variable
        // or a macro's argument is the template's own.
        let from_page = |first: &str| {
            let template = error.name().and_then(|n| self.env.get_template(n).ok());
            template.is_some_and(|t| t.undeclared_variables(false).contains(first))
        };
        match undefined_in(expression, ctx, from_page) {
            Some((message, help)) => Diagnostic { message, ..d }.help(help),
            None => Diagnostic {
                message: format!("template error: `{expression}` is undefined"),
                ..d
            },
        }
    }
}

/// How many of a value's names a help lists when none is close to the one asked for.
const SHOWN_NAMES: usize = 40;

/// What is undefined in `expression` (`note.titel`, `titel | upper`) when its first name is one
/// of the page's variables (`from_page`): the message and a help naming what the page has.
fn undefined_in(
    expression: &str,
    ctx: &Value,
    from_page: impl Fn(&str) -> bool,
) -> Option<(String, String)> {
    let path: String = expression
        .trim()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    let mut names = path.split('.').filter(|n| !n.is_empty());
    let first = names.next()?;
    if !from_page(first) {
        return None;
    }
    let (mut value, mut owner) = (ctx.clone(), None);
    for name in std::iter::once(first).chain(names) {
        let next = value.get_attr(name).ok().filter(|v| !v.is_undefined());
        let Some(next) = next else {
            let known: Vec<String> = match value.kind() {
                minijinja::value::ValueKind::Map => value
                    .try_iter()
                    .map(|keys| {
                        keys.filter_map(|k| k.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            let message = match &owner {
                None => format!("template error: `{name}` is not a variable of this page"),
                Some(owner) => format!("template error: `{owner}` has no field `{name}`"),
            };
            let help = match did_you_mean(name, known.iter().map(String::as_str)) {
                Some(close) => format!("did you mean `{close}`?"),
                None if known.is_empty() => format!(
                    "`{}` is a {}, which has no fields",
                    owner.as_deref().unwrap_or("the page"),
                    value.kind()
                ),
                None if known.len() > SHOWN_NAMES => {
                    format!("it has: {}, …", known[..SHOWN_NAMES].join(", "))
                }
                None => format!("it has: {}", known.join(", ")),
            };
            return Some((message, help));
        };
        owner = Some(match owner {
            None => name.to_string(),
            Some(owner) => format!("{owner}.{name}"),
        });
        value = next;
    }
    None
}

/// A template error at its place in the template (the project's override or the embedded one).
pub(super) fn template_diagnostic(error: &minijinja::Error, theme: &Theme) -> Diagnostic {
    let name = format!("templates/{}", error.name().unwrap_or("?"));
    let mut message = format!("template error: {}", error.kind());
    if let Some(detail) = error.detail() {
        message.push_str(&format!(": {detail}"));
    }
    let help = if theme.is_override(&name) {
        "fix the template (the embedded one it replaces is in the guidance source, src/theme/)"
    } else {
        "the embedded theme itself fails: report this with the page that failed"
    };
    let d = Diagnostic::error("template", message).help(help);
    let path = theme.source_path(&name);
    let Some(source) = theme.text(&name) else {
        return d.in_file(path);
    };
    let text: std::sync::Arc<str> = std::sync::Arc::from(source);
    // The expression that failed when minijinja knows it, else its line.
    let range = error.range().or_else(|| {
        let line = error.line()?;
        let start: usize = source
            .split_inclusive('\n')
            .take(line.saturating_sub(1))
            .map(str::len)
            .sum();
        let len = source[start..].find('\n').unwrap_or(source.len() - start);
        Some(start..start + len)
    });
    match range.filter(|r| r.end <= text.len()) {
        Some(range) => d.at(Span::new(&path, &text, range)),
        None => d.in_file(path),
    }
}
