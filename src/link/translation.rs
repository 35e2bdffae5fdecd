//! A translation's front matter (`<slug>.<lang>.md`): it may give the reader-facing text in its
//! language (title, summary); every other field is structural and belongs to the original. A
//! structural field repeated in a translation must say the same as the original's, so a
//! translator cannot move a note to another principle or other countries by accident.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_yaml::{Mapping, Value};

use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::load::{Document, Meta, NOTE_FIELDS, PAGE_FIELDS, PRINCIPLE_FIELDS};
use crate::model::{Kind, Site};

/// The fields a translation writes in its own language (and a principle's `strategies`, see
/// [`strategies`]).
pub const TRANSLATABLE: &[&str] = &["title", "summary"];

/// A principle translation's strategies, when it names as many as the original, in its order
/// (anything else is reported by [`check_front_matter`]).
pub fn strategies(site: &Site, doc: &Document, map: &Mapping) -> Option<Vec<String>> {
    let original = &site.principles[site.principle(&doc.slug)?].meta.strategies;
    let names: Vec<String> = serde_yaml::from_value(map.get("strategies")?.clone()).ok()?;
    (doc.kind == Kind::Principle && names.len() == original.len()).then_some(names)
}

/// A principle translation's `strategies`: a list of text, one per strategy of the original, in
/// its order.
fn check_strategies(
    doc: &Document,
    value: &Value,
    original: Option<usize>,
    diagnostics: &mut Diagnostics,
) {
    let span = doc.span(doc.front_matter.locate("strategies"));
    let names: Option<Vec<String>> = serde_yaml::from_value(value.clone()).ok();
    match (names, original) {
        (None, _) => diagnostics.push(
            Diagnostic::error("wrong-type", "`strategies` must be a list of text")
                .at(span)
                .help("write one `- strategy` line per strategy, in the original's order"),
        ),
        (Some(names), Some(count)) if names.len() != count => diagnostics.push(
            Diagnostic::error(
                "strategy-count",
                format!(
                    "the original has {count} strategies; this lists {}",
                    names.len()
                ),
            )
            .at(span)
            .help("translate each of the original's strategies, in its order"),
        ),
        (Some(names), _) if names.iter().any(|n| n.trim().is_empty()) => diagnostics.push(
            Diagnostic::error("empty-field", "a strategy is empty")
                .at(span)
                .help("write each strategy's name in this language"),
        ),
        _ => {}
    }
}

/// Checks the front matter of the translation `doc` against its original in `site`. A
/// translation without an original is reported elsewhere (`orphan-translation`); only its keys
/// are checked here.
pub fn check_front_matter(site: &Site, doc: &Document, diagnostics: &mut Diagnostics) {
    let Meta::Translation(map) = &doc.meta else {
        return;
    };
    match doc.kind {
        Kind::Principle => {
            let original = site
                .principle(&doc.slug)
                .map(|i| (&site.principles[i].meta, &site.principles[i].source.path));
            if let Some(value) = map.get("strategies") {
                let count = original.map(|(meta, _)| meta.strategies.len());
                check_strategies(doc, value, count, diagnostics);
            }
            let mut structural = map.clone();
            structural.remove("strategies");
            check(doc, &structural, PRINCIPLE_FIELDS, original, diagnostics);
        }
        Kind::Note => {
            let original = site
                .note(&doc.slug)
                .map(|i| (&site.notes[i].meta, &site.notes[i].source.path));
            check(doc, map, NOTE_FIELDS, original, diagnostics);
        }
        Kind::Page => {
            let original = site
                .page(&doc.slug)
                .map(|i| (&site.pages[i].meta, &site.pages[i].source.path));
            check(doc, map, PAGE_FIELDS, original, diagnostics);
        }
    }
}

fn check<T: Serialize + DeserializeOwned>(
    doc: &Document,
    map: &Mapping,
    fields: &[&str],
    original: Option<(&T, &String)>,
    diagnostics: &mut Diagnostics,
) {
    for (key, value) in map {
        let Some(key) = key.as_str() else {
            diagnostics.push(
                Diagnostic::error(
                    "wrong-type",
                    "front-matter keys are words, not numbers or lists",
                )
                .at(doc.span(0..0))
                .help(format!(
                    "a translation may set {}",
                    TRANSLATABLE.join(" and ")
                )),
            );
            continue;
        };
        if !fields.contains(&key) {
            diagnostics.push(unknown_key(doc, key, fields));
        } else if TRANSLATABLE.contains(&key) {
            check_text(doc, key, value, diagnostics);
        } else if let Some((meta, path)) = original
            && let Some(d) = contradiction(doc, key, value, meta, path)
        {
            diagnostics.push(d);
        }
    }
}

fn unknown_key(doc: &Document, key: &str, fields: &[&str]) -> Diagnostic {
    let help = match did_you_mean(key, fields.iter().copied()) {
        Some(close) => format!("did you mean `{close}`?"),
        None => format!(
            "a translation may set {}; the other fields come from the original {}/{}.md",
            TRANSLATABLE.join(" and "),
            doc.kind.folder(),
            doc.slug
        ),
    };
    Diagnostic::error("unknown-key", format!("unknown key `{key}`"))
        .at(doc.span(doc.front_matter.key(key).unwrap_or(0..0)))
        .help(help)
}

/// Title and summary are text, and not empty: they become links and headings.
fn check_text(doc: &Document, key: &str, value: &Value, diagnostics: &mut Diagnostics) {
    let span = doc.span(doc.front_matter.locate(key));
    match value.as_str() {
        Some(text) if text.trim().is_empty() => diagnostics.push(
            Diagnostic::error("empty-field", format!("`{key}` is empty"))
                .at(span)
                .help(format!("write the {key} in this language, or remove the line to show the original's")),
        ),
        Some(_) => {}
        None => diagnostics.push(
            Diagnostic::error("wrong-type", format!("`{key}` must be text"))
                .at(span)
                .help("write it on one line after the colon; quote it if it starts with a special character"),
        ),
    }
}

/// A structural field that differs from the original's, or cannot be read as one.
fn contradiction<T: Serialize + DeserializeOwned>(
    doc: &Document,
    key: &str,
    value: &Value,
    original: &T,
    original_path: &str,
) -> Option<Diagnostic> {
    let span = doc.span(doc.front_matter.locate(key));
    // Read the translation's value as the original's field type, so that `2021-02-01` and
    // "2021-02-01", or `16.6` in a list and "16.6", compare as the build reads them.
    let Ok(Value::Mapping(mut fields)) = serde_yaml::to_value(original) else {
        return None;
    };
    let expected = fields.get(key).cloned().unwrap_or(Value::Null);
    fields.insert(Value::String(key.to_string()), value.clone());
    let found = match serde_yaml::from_value::<T>(Value::Mapping(fields)) {
        Ok(typed) => match serde_yaml::to_value(&typed) {
            Ok(Value::Mapping(typed)) => typed.get(key).cloned().unwrap_or(Value::Null),
            _ => return None,
        },
        Err(e) => {
            let message = e.to_string();
            let message = message.split(" at line ").next().unwrap_or(&message);
            return Some(
                Diagnostic::error("wrong-type", format!("`{key}` cannot be read: {message}"))
                    .at(span)
                    .help(format!(
                        "`{key}` comes from {original_path}; remove it from the translation"
                    )),
            );
        }
    };
    if found == expected {
        return None;
    }
    Some(
        Diagnostic::error(
            "translation-contradicts-original",
            format!(
                "`{key}` is {} here but {} in {original_path}",
                show(&found),
                show(&expected)
            ),
        )
        .at(span)
        .help(format!(
            "`{key}` is structural and comes from the original; remove it from the translation (or \
             write the same value), and change it in {original_path} if it is wrong there"
        )),
    )
}

/// A value as an editor would recognise it: `integrity`, `[MUS, PAK]`, `(none)`.
fn show(value: &Value) -> String {
    match value {
        Value::Null => "(not set)".to_string(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("`{n}`"),
        Value::String(s) => format!("`{s}`"),
        Value::Sequence(items) => {
            let items: Vec<String> = items
                .iter()
                .map(|v| show(v).trim_matches('`').to_string())
                .collect();
            format!("`[{}]`", items.join(", "))
        }
        Value::Mapping(map) => {
            let items: Vec<String> = map
                .iter()
                .map(|(k, v)| {
                    format!(
                        "{}: {}",
                        show(k).trim_matches('`'),
                        show(v).trim_matches('`')
                    )
                })
                .collect();
            format!("`{{{}}}`", items.join(", "))
        }
        Value::Tagged(tagged) => show(&tagged.value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_show_as_written() {
        let value: Value = serde_yaml::from_str("[MUS, PAK]").unwrap();
        assert_eq!(show(&value), "`[MUS, PAK]`");
        assert_eq!(show(&Value::Null), "(not set)");
        let value: Value = serde_yaml::from_str("[{title: A, url: 'https://x'}]").unwrap();
        assert_eq!(show(&value), "`[{title: A, url: https://x}]`");
    }
}
