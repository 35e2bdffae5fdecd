//! The API page (`api/index.html`): every file with its fields, read from the JSON Schemas, so
//! the page and the files cannot drift apart.

use serde::Serialize;
use serde_json::Value;

use super::{FILES, SCHEMA_VERSION, note_api_path};
use crate::model::*;

/// The API page (`api/index.html`): every file with its fields, and the feeds.
#[derive(Clone, Debug, Serialize)]
pub struct ApiPage {
    pub schema_version: u32,
    pub files: Vec<FileDoc>,
    pub atom_feeds: FeedsDoc,
}

/// What the API page shows about one kind of file, read from its schema.
#[derive(Clone, Debug, Serialize)]
pub struct FileDoc {
    pub path: &'static str,
    /// The id of its section on the page.
    pub anchor: String,
    /// The link to the file, unless `path` is a pattern (`api/notes/<slug>.json`).
    pub href: Option<String>,
    /// For a pattern, the link to one real file of that kind.
    pub example_href: Option<String>,
    pub schema: String,
    pub schema_href: String,
    pub description_html: String,
    pub fields: Vec<FieldDoc>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FeedsDoc {
    pub notes: FeedDoc,
    /// Where a principle's feed is: `feeds/principles/<slug>.xml`.
    pub principles_pattern: String,
    pub principles: Vec<FeedDoc>,
}

#[derive(Clone, Debug, Serialize)]
pub struct FeedDoc {
    pub title: String,
    pub path: String,
    pub href: String,
}

/// One field of a file, as the schema describes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldDoc {
    /// Dotted path, with `[]` for the items of a list: `notes[].slug`.
    pub name: String,
    pub kind: String,
    pub required: bool,
    pub description_html: String,
}

/// The content of the API page, generated from the schemas so that it always matches them.
/// `href` turns a path from the site root into a link from the page; the feeds listed are
/// those in `lang`, the page's language, titled with its `label_separator` `separator`.
pub fn page(site: &Site, lang: &str, separator: &str, href: &dyn Fn(&str) -> String) -> ApiPage {
    let files = FILES
        .iter()
        .map(|file| {
            let schema: Value = serde_json::from_str(file.schema)
                .expect("embedded schemas are valid JSON (tested)");
            let mut fields = Vec::new();
            describe_properties(&schema, &schema, "", &mut fields);
            let pattern = file.path.contains('<');
            FileDoc {
                path: file.path,
                anchor: file
                    .schema_name
                    .trim_end_matches(".schema.json")
                    .to_string(),
                href: (!pattern).then(|| href(file.path)),
                example_href: site
                    .notes
                    .first()
                    .filter(|_| pattern)
                    .map(|n| href(&note_api_path(&n.slug))),
                schema: file.schema_path(),
                schema_href: href(&file.schema_path()),
                description_html: inline_code(schema["description"].as_str().unwrap_or_default()),
                fields,
            }
        })
        .collect();
    let feed_doc = |link: crate::feed::FeedLink| FeedDoc {
        href: href(&link.path),
        title: link.title,
        path: link.path,
    };
    let principles = (0..site.principles.len())
        .filter_map(|p| crate::feed::alternates(site, Some(p), lang, separator).pop())
        .map(feed_doc)
        .collect();
    let notes = crate::feed::alternates(site, None, lang, separator).remove(0);
    ApiPage {
        schema_version: SCHEMA_VERSION,
        files,
        atom_feeds: FeedsDoc {
            notes: feed_doc(notes),
            principles_pattern: crate::feed::principle_feed_path(site, "<slug>", lang),
            principles,
        },
    }
}

/// The schema `node` points to, following a local `$ref` (`#/$defs/name`).
fn resolve<'a>(root: &'a Value, node: &'a Value) -> &'a Value {
    match node
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix('#'))
    {
        Some(pointer) => root.pointer(pointer).unwrap_or(node),
        None => node,
    }
}

fn describe_properties(root: &Value, node: &Value, prefix: &str, out: &mut Vec<FieldDoc>) {
    let node = resolve(root, node);
    let Some(properties) = node.get("properties").and_then(Value::as_object) else {
        return;
    };
    let required: Vec<&str> = node
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    // In the order the schema lists them as required (the files' own order), then the rest.
    let mut names: Vec<&str> = required
        .iter()
        .copied()
        .filter(|n| properties.contains_key(*n))
        .collect();
    names.extend(
        properties
            .keys()
            .map(String::as_str)
            .filter(|n| !required.contains(n)),
    );
    for name in names {
        let property = &properties[name];
        let target = resolve(root, property);
        let description = property
            .get("description")
            .or_else(|| target.get("description"))
            .and_then(Value::as_str);
        let path = format!("{prefix}{name}");
        out.push(FieldDoc {
            name: path.clone(),
            kind: kind(root, target),
            required: required.contains(&name),
            description_html: inline_code(description.unwrap_or_default()),
        });
        describe_properties(root, target, &format!("{path}."), out);
        if let Some(items) = target.get("items") {
            describe_properties(root, items, &format!("{path}[]."), out);
        }
    }
}

/// A reader's name for a schema's type: `string or null`, `list of strings`, `always 1`.
fn kind(root: &Value, node: &Value) -> String {
    let node = resolve(root, node);
    if let Some(value) = node.get("const") {
        return format!("always {value}");
    }
    if let Some(values) = node.get("enum").and_then(Value::as_array) {
        let names: Vec<String> = values.iter().map(Value::to_string).collect();
        return format!("one of {}", names.join(", "));
    }
    let types: Vec<&str> = match node.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let names: Vec<String> = types
        .iter()
        .map(|&t| match t {
            "array" => match node.get("items") {
                Some(items) => format!("list of {}", plural(&kind(root, items))),
                None => "list".to_string(),
            },
            "string" if node.get("format").and_then(Value::as_str) == Some("uri") => {
                "URL".to_string()
            }
            "string" if node.get("format").and_then(Value::as_str) == Some("iri-reference") => {
                "relative URL".to_string()
            }
            "string"
                if node.get("pattern").and_then(Value::as_str)
                    == Some(r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$") =>
            {
                "date".to_string()
            }
            "integer" => "integer".to_string(),
            other => other.to_string(),
        })
        .collect();
    names.join(" or ")
}

fn plural(kind: &str) -> String {
    match kind {
        "relative URL" | "URL" | "string" | "integer" | "object" | "date" => format!("{kind}s"),
        other => other.to_string(),
    }
}

/// Escapes text for HTML and turns `code` spans into `<code>` elements.
fn inline_code(text: &str) -> String {
    let escaped = crate::markdown::escape(text);
    let mut out = String::with_capacity(escaped.len() + 16);
    for (n, part) in escaped.split('`').enumerate() {
        if n % 2 == 1 {
            out.push_str("<code>");
            out.push_str(part);
            out.push_str("</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_schema_is_json_and_documents_every_field() {
        for file in &FILES {
            let schema: Value = serde_json::from_str(file.schema)
                .unwrap_or_else(|e| panic!("{}: {e}", file.schema_name));
            assert_eq!(
                schema["$schema"],
                "https://json-schema.org/draft/2020-12/schema"
            );
            assert_eq!(
                schema["properties"]["schema_version"]["const"],
                SCHEMA_VERSION
            );
            let mut fields = Vec::new();
            describe_properties(&schema, &schema, "", &mut fields);
            assert!(fields.len() > 4, "{}", file.schema_name);
            for field in &fields {
                assert!(
                    !field.description_html.is_empty(),
                    "{}: `{}` has no description",
                    file.schema_name,
                    field.name
                );
                assert!(
                    !field.kind.is_empty(),
                    "{}: `{}` has no type",
                    file.schema_name,
                    field.name
                );
            }
        }
    }

    #[test]
    fn kinds_read_like_prose() {
        let root = json!({"$defs": {"d": {"type": ["string", "null"], "pattern": r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"}}});
        assert_eq!(kind(&root, &json!({"$ref": "#/$defs/d"})), "date or null");
        assert_eq!(
            kind(
                &root,
                &json!({"type": "array", "items": {"type": "string"}})
            ),
            "list of strings"
        );
        assert_eq!(kind(&root, &json!({"const": 1})), "always 1");
        assert_eq!(
            kind(&root, &json!({"enum": ["a", "b"]})),
            "one of \"a\", \"b\""
        );
    }

    #[test]
    fn inline_code_is_escaped() {
        assert_eq!(inline_code("a `b` <c>"), "a <code>b</code> &lt;c&gt;");
    }
}
