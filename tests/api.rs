//! Data export (issue 8): the JSON files under `api/` and their schemas, the Atom feeds, the
//! JSON-LD on note pages, the API documentation page, and `guidance check --json`.
//!
//! Fixtures: the real project, `tests/fixtures/api-edge` (partial and missing dates, a heading-less
//! preamble, explicit and repeated heading ids, characters that need escaping) and
//! `tests/fixtures/api-broken` (two errors for `check --json`).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use guidance::RenderOptions;
use serde_json::Value;

const BASE: &str = "https://example.org/guidance/";

/// Every file a project generates, in memory, by path.
fn generate(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let (site, _warnings) = guidance::load_site(root)
        .unwrap_or_else(|d| panic!("{} does not load:\n{d}", root.display()));
    let theme = guidance::theme::Theme::load(root).unwrap_or_else(|d| panic!("theme:\n{d}"));
    let files = guidance::generate(&site, &theme, RenderOptions::default())
        .unwrap_or_else(|d| panic!("generate:\n{d}"));
    files.into_iter().map(|f| (f.path, f.bytes)).collect()
}

fn text<'a>(files: &'a BTreeMap<String, Vec<u8>>, path: &str) -> &'a str {
    let bytes = files
        .get(path)
        .unwrap_or_else(|| panic!("{path} was not generated"));
    std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{path} is not UTF-8: {e}"))
}

fn json(files: &BTreeMap<String, Vec<u8>>, path: &str) -> Value {
    serde_json::from_str(text(files, path)).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

fn edge() -> PathBuf {
    common::repo_root().join("tests/fixtures/api-edge")
}

/// A temporary copy of `root` whose guidance.yaml sets `base_url` (given without its trailing
/// slash, which the site must add).
fn with_base_url(root: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    common::copy_tree(root, dir.path());
    let config = dir.path().join("guidance.yaml");
    let existing = std::fs::read_to_string(&config).unwrap_or_default();
    let mut text: String = existing
        .lines()
        .filter(|l| !l.starts_with("base_url:"))
        .map(|l| format!("{l}\n"))
        .collect();
    text.push_str(&format!("\nbase_url: {}\n", BASE.trim_end_matches('/')));
    std::fs::write(config, text).unwrap();
    dir
}

fn real_project() -> tempfile::TempDir {
    common::copy_of_real_project()
}

/// The schema a file under `api/` follows.
fn schema_of(path: &str) -> Option<&'static str> {
    match path {
        "api/notes.json" => Some("api/schema/notes.schema.json"),
        "api/principles.json" => Some("api/schema/principles.schema.json"),
        "api/countries.json" => Some("api/schema/countries.schema.json"),
        p if p.starts_with("api/notes/") && p.ends_with(".json") => {
            Some("api/schema/note.schema.json")
        }
        _ => None,
    }
}

/// The published schema at `schema_path`, made strict when `strict` is true: every object that
/// lists its properties allows no others. The published schemas let files gain fields (the API
/// page says to ignore unknown ones); the tests hold the files to their documented fields.
fn validator(
    files: &BTreeMap<String, Vec<u8>>,
    schema_path: &str,
    strict: bool,
) -> jsonschema::Validator {
    let mut schema = json(files, schema_path);
    if let Err(e) = jsonschema::draft202012::meta::validate(&schema) {
        panic!("{schema_path} is not a valid draft 2020-12 schema: {e}");
    }
    if strict {
        forbid_unlisted_properties(&mut schema);
    }
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{schema_path} does not compile: {e}"))
}

fn forbid_unlisted_properties(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if map.contains_key("properties") {
                map.insert("additionalProperties".into(), false.into());
            }
            map.values_mut().for_each(forbid_unlisted_properties);
        }
        Value::Array(items) => items.iter_mut().for_each(forbid_unlisted_properties),
        _ => {}
    }
}

/// Validates every JSON file of a generated site; returns how many it checked.
fn assert_api_valid(files: &BTreeMap<String, Vec<u8>>) -> usize {
    let schemas: Vec<&String> = files
        .keys()
        .filter(|p| p.starts_with("api/schema/"))
        .collect();
    assert_eq!(schemas.len(), 4, "{schemas:?}");
    let mut checked = 0;
    for path in files
        .keys()
        .filter(|p| p.starts_with("api/") && p.ends_with(".json") && !p.starts_with("api/schema/"))
    {
        let schema = schema_of(path).unwrap_or_else(|| panic!("{path} has no schema"));
        let validator = validator(files, schema, true);
        let instance = json(files, path);
        let errors: Vec<String> = validator
            .iter_errors(&instance)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{path} does not match {schema}:\n{}",
            errors.join("\n")
        );
        assert_eq!(instance["schema_version"], 1, "{path}");
        checked += 1;
    }
    // One file per note, and no other.
    let notes = json(files, "api/notes.json");
    let listed: BTreeSet<String> = notes["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["api"].as_str().unwrap().to_string())
        .collect();
    let present: BTreeSet<String> = files
        .keys()
        .filter(|p| p.starts_with("api/notes/"))
        .cloned()
        .collect();
    assert_eq!(listed, present);
    checked
}

#[test]
fn every_json_file_validates_against_its_schema() {
    let real = real_project();
    let files = generate(real.path());
    let checked = assert_api_valid(&files);
    let notes = json(&files, "api/notes.json");
    assert_eq!(checked, 3 + notes["notes"].as_array().unwrap().len());
    assert_eq!(
        json(&files, "api/principles.json")["principles"]
            .as_array()
            .unwrap()
            .len(),
        11
    );
    assert_eq!(notes["base_url"], Value::Null);

    // Each principle lists its translations, one per translated file, each with its page.
    let translated_files = std::fs::read_dir(real.path().join("principles"))
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_string_lossy().matches('.').count() == 2
        })
        .count();
    let mut listed = 0;
    for p in json(&files, "api/principles.json")["principles"]
        .as_array()
        .unwrap()
    {
        for t in p["translations"].as_array().unwrap() {
            let (lang, url) = (t["language"].as_str().unwrap(), t["url"].as_str().unwrap());
            assert_eq!(
                url,
                format!("{lang}/principles/{}/", p["slug"].as_str().unwrap())
            );
            let page = text(&files, &format!("{url}index.html"));
            let title = t["title"].as_str().unwrap();
            assert!(
                page.contains(&format!("<h1>{title}</h1>")),
                "{url}: {title}"
            );
            assert!(page.contains(&format!("<html lang=\"{lang}\"")), "{url}");
            listed += 1;
        }
    }
    assert!(translated_files > 20, "{translated_files}");
    assert_eq!(listed, translated_files);

    assert_api_valid(&generate(&edge()));
    let configured = with_base_url(&edge());
    let files = generate(configured.path());
    assert_api_valid(&files);
    assert_eq!(json(&files, "api/countries.json")["base_url"], BASE);
    // URLs stay relative to the site root even with a base URL.
    assert_eq!(json(&files, "api/notes/dated.json")["url"], "notes/dated/");
}

#[test]
fn schemas_reject_what_they_do_not_describe() {
    let files = generate(&edge());
    let published = validator(&files, "api/schema/note.schema.json", false);
    let good = json(&files, "api/notes/dated.json");
    assert!(published.is_valid(&good));
    // The published schemas let a file gain fields, at any depth, as the API page promises; the
    // strict form the tests use does not.
    let mut extra = good.clone();
    extra["surprise"] = Value::Bool(true);
    extra["front_matter"]["also_new"] = Value::from("x");
    extra["sections"][0]["words"] = Value::from(3);
    assert!(published.is_valid(&extra), "new fields are allowed");
    let strict = validator(&files, "api/schema/note.schema.json", true);
    assert!(strict.is_valid(&good));
    assert!(!strict.is_valid(&extra), "the tests' strict form");
    let mut bad_date = good.clone();
    bad_date["front_matter"]["published"] = Value::from("Feb 2021");
    assert!(
        !published.is_valid(&bad_date),
        "dates must be YYYY[-MM[-DD]]"
    );
    let mut absolute = good.clone();
    absolute["url"] = Value::from("/notes/dated/");
    assert!(
        !published.is_valid(&absolute),
        "URLs must be relative to the site root"
    );
    let mut not_a_url = good.clone();
    not_a_url["base_url"] = Value::from("not a URL");
    assert!(!published.is_valid(&not_a_url), "formats are checked");
    let mut missing = good;
    missing.as_object_mut().unwrap().remove("sections");
    assert!(!published.is_valid(&missing), "every field is required");
}

/// `url`-like fields of a JSON value with where they were found.
fn urls(value: &Value, at: &str, out: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let here = format!("{at}.{key}");
                match v {
                    Value::String(s) if ["url", "api", "feed"].contains(&key.as_str()) => {
                        out.push((here, s.clone()))
                    }
                    _ => urls(v, &here, out),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| urls(v, &format!("{at}[]"), out)),
        _ => {}
    }
}

/// The generated file a link from the site root points to, and its fragment.
fn target_of(link: &str) -> (String, Option<String>) {
    let (path, fragment) = match link.split_once('#') {
        Some((p, f)) => (p, Some(f.to_string())),
        None => (link, None),
    };
    let path = if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    };
    (path, fragment)
}

#[test]
fn api_urls_resolve_to_generated_pages_and_sections() {
    let real = real_project();
    for root in [real.path().to_path_buf(), edge()] {
        let files = generate(&root);
        let mut checked = 0;
        for path in files.keys().filter(|p| schema_of(p).is_some()) {
            let mut found = Vec::new();
            urls(&json(&files, path), "", &mut found);
            for (at, link) in found {
                if at.contains(".sources[]") {
                    assert!(link.starts_with("http"), "{path}{at}: {link}");
                    continue;
                }
                assert!(
                    !link.contains(':') && !link.starts_with('/'),
                    "{path}{at}: `{link}` is not root-relative"
                );
                let (target, fragment) = target_of(&link);
                assert!(
                    files.contains_key(&target),
                    "{path}{at}: `{link}` points to no file"
                );
                if let Some(id) = fragment {
                    let page = text(&files, &target);
                    assert!(
                        page.contains(&format!("id=\"{id}\"")),
                        "{path}{at}: no #{id} in {target}"
                    );
                }
                checked += 1;
            }
        }
        assert!(checked > 20, "{checked}");
    }
}

#[test]
fn a_note_file_has_front_matter_plain_text_and_sections() {
    let files = generate(&edge());
    let note = json(&files, "api/notes/dated.json");
    let fm = &note["front_matter"];
    assert_eq!(
        fm["title"],
        "Plans & \"quotes\" </script><script>alert(1)</script>"
    );
    assert_eq!(fm["published"], "2021-02");
    assert_eq!(fm["updated"], "2023");
    assert_eq!(fm["status"], "provisional");
    assert_eq!(fm["sdg_targets"], serde_json::json!(["16.7", "16.b"]));
    assert_eq!(
        fm["sources"][0]["url"],
        "https://example.org/official.pdf?a=1&b=2"
    );
    assert_eq!(note["principle"]["slug"], "alpha");
    assert_eq!(note["related_principles"][0]["slug"], "beta");
    let codes: BTreeSet<&str> = note["countries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, BTreeSet::from(["GUY", "MUS"]));
    assert_eq!(note["links_to"][0]["slug"], "undated");
    assert_eq!(note["linked_from"][0]["slug"], "published-only");

    let sections = note["sections"].as_array().unwrap();
    let ids: Vec<&Value> = sections.iter().map(|s| &s["id"]).collect();
    assert_eq!(
        ids,
        [
            &Value::Null,
            &Value::from("understanding-the-strategy"),
            &Value::from("custom-id"),
            &Value::from("understanding-the-strategy-2")
        ]
    );
    assert_eq!(sections[0]["url"], "notes/dated/");
    assert!(
        sections[0]["text"]
            .as_str()
            .unwrap()
            .starts_with("A preamble before the first heading")
    );
    assert_eq!(sections[2]["level"], 3);
    assert_eq!(sections[2]["heading"], "A deeper level");
    assert_eq!(sections[2]["url"], "notes/dated/#custom-id");
    let body = note["body"].as_str().unwrap();
    assert!(
        body.contains("Understanding the strategy\n\nSome text with code and a country."),
        "{body}"
    );
    assert!(
        !body.contains('[') && !body.contains("##"),
        "plain text, not Markdown: {body}"
    );

    let undated = json(&files, "api/notes/undated.json");
    assert_eq!(undated["front_matter"]["published"], Value::Null);
    assert_eq!(undated["front_matter"]["strategy"], Value::Null);

    let principles = json(&files, "api/principles.json");
    let alpha = &principles["principles"][0];
    assert_eq!(
        alpha["notes"],
        serde_json::json!(["dated", "published-only", "undated"])
    );
    assert_eq!(
        alpha["strategies"][0]["notes"],
        serde_json::json!(["dated"])
    );
    assert_eq!(alpha["feed"], "feeds/principles/alpha.xml");
    assert_eq!(
        principles["principles"][1]["related_notes"],
        serde_json::json!(["dated", "published-only"])
    );
    let countries = json(&files, "api/countries.json");
    let guyana = countries["countries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "GUY")
        .unwrap();
    assert_eq!(
        guyana["notes"],
        serde_json::json!(["dated", "published-only"])
    );
}

/// Just enough of an XML tree to check a feed.
#[derive(Debug, Default)]
struct Element {
    name: String,
    attributes: BTreeMap<String, String>,
    children: Vec<Element>,
    text: String,
}

impl Element {
    fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    fn one(&self, name: &str) -> &Element {
        let found: Vec<&Element> = self.children.iter().filter(|c| c.name == name).collect();
        assert_eq!(found.len(), 1, "<{}> needs exactly one <{name}>", self.name);
        found[0]
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attributes.get(name).map(String::as_str)
    }
}

/// Parses a whole document; panics unless it is well-formed XML with one root element.
fn parse_xml(xml: &str) -> Element {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let element = |e: &quick_xml::events::BytesStart| Element {
        name: e.name().into_inner().to_string(),
        attributes: e
            .attributes()
            .map(|a| {
                let a = a.expect("well-formed attribute");
                let value = a
                    .normalized_value(quick_xml::XmlVersion::default())
                    .expect("attribute value")
                    .into_owned();
                (a.key.into_inner().to_string(), value)
            })
            .collect(),
        ..Element::default()
    };
    let mut stack = vec![Element::default()];
    loop {
        match reader
            .read_event()
            .unwrap_or_else(|e| panic!("not well-formed at {}: {e}", reader.buffer_position()))
        {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => stack.last_mut().unwrap().children.push(element(&e)),
            Event::End(_) => {
                let mut done = stack.pop().unwrap();
                done.text = done.text.trim().to_string();
                stack.last_mut().expect("balanced tags").children.push(done);
            }
            Event::Text(t) => stack.last_mut().unwrap().text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref().expect("valid character reference") {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&r)
                        .expect("predefined entity")
                        .to_string(),
                };
                stack.last_mut().unwrap().text.push_str(&resolved);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1, "unclosed elements");
    let mut document = stack.pop().unwrap();
    assert_eq!(document.children.len(), 1, "one root element");
    document.children.pop().unwrap()
}

fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    s.len() == 20
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            19 => *c == b'Z',
            _ => c.is_ascii_digit(),
        })
}

fn is_urn_uuid(s: &str) -> bool {
    s.strip_prefix("urn:uuid:").is_some_and(|u| {
        u.len() == 36
            && u.char_indices().all(|(i, c)| {
                if [8, 13, 18, 23].contains(&i) {
                    c == '-'
                } else {
                    c.is_ascii_hexdigit() && !c.is_ascii_uppercase()
                }
            })
            && u.as_bytes()[14] == b'5'
    })
}

/// Resolves a relative reference against the file at `from` (both from the site root).
fn resolve(from: &str, link: &str) -> String {
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for segment in link.split('/') {
        match segment {
            ".." => {
                assert!(
                    parts.pop().is_some(),
                    "`{link}` from {from} leaves the site"
                );
            }
            "." => {}
            s => parts.push(s),
        }
    }
    parts.join("/")
}

/// Checks one feed; returns its entries' ids and the `updated` of its feed element.
fn check_feed(
    files: &BTreeMap<String, Vec<u8>>,
    path: &str,
    base: Option<&str>,
) -> (Vec<String>, String) {
    let feed = parse_xml(text(files, path));
    assert_eq!(feed.name, "feed", "{path}");
    assert_eq!(
        feed.attr("xmlns"),
        Some("http://www.w3.org/2005/Atom"),
        "{path}"
    );
    // `feeds/` is the default language's (English here); `fr/feeds/` is French, and so on.
    let lang = feed_language(path);
    assert_eq!(feed.attr("xml:lang"), Some(lang), "{path}");
    let pages = if lang == "en" {
        String::new()
    } else {
        format!("{lang}/")
    };
    assert!(
        is_urn_uuid(&feed.one("id").text),
        "{path}: feed id {}",
        feed.one("id").text
    );
    assert!(!feed.one("title").text.is_empty());
    let updated = feed.one("updated").text.clone();
    assert!(is_rfc3339(&updated), "{path}: {updated}");
    assert!(!feed.one("author").one("name").text.is_empty());
    let self_link: Vec<&Element> = feed
        .all("link")
        .filter(|l| l.attr("rel") == Some("self"))
        .collect();
    assert_eq!(self_link.len(), 1, "{path}: one rel=self");

    // Every link: absolute under the base URL, or relative to the feed; either way, to a real file.
    let check_href = |href: &str| {
        let from_root = match base {
            Some(base) => href
                .strip_prefix(base)
                .unwrap_or_else(|| panic!("{path}: `{href}` is not under {base}"))
                .to_string(),
            None => {
                assert!(
                    !href.contains(':') && !href.starts_with('/'),
                    "{path}: `{href}` must be relative"
                );
                resolve(path, href)
            }
        };
        let (target, _) = target_of(&from_root);
        assert!(
            files.contains_key(&target),
            "{path}: `{href}` points to no file ({target})"
        );
        target
    };
    assert_eq!(
        check_href(self_link[0].attr("href").unwrap()),
        path,
        "rel=self is the feed itself"
    );

    let mut ids = Vec::new();
    let mut keys = Vec::new();
    for entry in feed.all("entry") {
        let id = entry.one("id").text.clone();
        assert!(is_urn_uuid(&id), "{path}: entry id {id}");
        ids.push(id);
        assert!(!entry.one("title").text.is_empty());
        let entry_updated = entry.one("updated").text.clone();
        assert!(is_rfc3339(&entry_updated), "{entry_updated}");
        assert!(
            entry_updated <= updated,
            "{path}: an entry is newer than its feed"
        );
        let published = entry.all("published").next().map(|p| p.text.clone());
        if let Some(p) = &published {
            assert!(is_rfc3339(p), "{p}");
        }
        keys.push((entry_updated, published));
        assert!(!entry.one("summary").text.is_empty());
        assert!(!entry.one("author").one("name").text.is_empty());
        let html: Vec<&Element> = entry
            .all("link")
            .filter(|l| l.attr("rel") == Some("alternate") && l.attr("type") == Some("text/html"))
            .collect();
        assert_eq!(html.len(), 1, "{path}: one HTML alternate per entry");
        let page = check_href(html[0].attr("href").unwrap());
        assert!(
            page.starts_with(&format!("{pages}notes/")),
            "{path}: an entry links to {page}, not to a note in the feed's language"
        );
        for link in entry.all("link") {
            check_href(link.attr("href").unwrap());
        }
        for category in entry.all("category") {
            assert!(category.attr("term").is_some_and(|t| !t.is_empty()));
            // atom:category/@scheme is an IRI, never a relative reference.
            match (base, category.attr("scheme")) {
                (Some(_), Some(scheme)) => {
                    check_href(scheme);
                }
                (None, Some(scheme)) => panic!("{path}: relative scheme {scheme}"),
                (Some(_), None) => panic!("{path}: category without scheme"),
                (None, None) => {}
            }
        }
    }
    // Newest first: by updated, then by published.
    let mut sorted = keys.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(keys, sorted, "{path}: entries out of order");
    if let Some((newest, _)) = keys.first() {
        assert_eq!(
            newest, &updated,
            "{path}: the feed's updated is its newest entry's"
        );
    }
    (ids, updated)
}

/// The language of the feed at `path`: the folder above `feeds/`, else the default (English).
fn feed_language(path: &str) -> &str {
    match path.split_once("/feeds/") {
        Some((lang, _)) => lang,
        None => "en",
    }
}

/// Every feed, in every language, checked.
fn all_feeds(
    files: &BTreeMap<String, Vec<u8>>,
    base: Option<&str>,
) -> BTreeMap<String, Vec<String>> {
    let paths: Vec<&String> = files
        .keys()
        .filter(|p| {
            p.starts_with("feeds/")
                || p.split_once('/')
                    .is_some_and(|(_, rest)| rest.starts_with("feeds/"))
        })
        .collect();
    assert!(paths.iter().all(|p| p.ends_with(".xml")));
    paths
        .into_iter()
        .map(|p| (p.clone(), check_feed(files, p, base).0))
        .collect()
}

#[test]
fn feeds_are_atom_with_relative_links_without_a_base_url() {
    let real = real_project();
    let files = generate(real.path());
    let feeds = all_feeds(&files, None);
    // The notes feed and one per principle, in each of the six languages.
    assert_eq!(feeds.len(), (1 + 11) * 6, "{:?}", feeds.keys());
    let notes = json(&files, "api/notes.json")["notes"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(feeds["feeds/notes.xml"].len(), notes);
    let unique: BTreeSet<&String> = feeds["feeds/notes.xml"].iter().collect();
    assert_eq!(unique.len(), notes, "entry ids are unique");

    let files = generate(&edge());
    let feeds = all_feeds(&files, None);
    let titles: Vec<String> = parse_xml(text(&files, "feeds/notes.xml"))
        .all("entry")
        .map(|e| e.one("title").text.clone())
        .collect();
    // dated (updated 2023) > published-only (published 2022-05-03) > undated (no date at all).
    assert_eq!(
        titles,
        [
            "Plans & \"quotes\" </script><script>alert(1)</script>",
            "Published only",
            "Undated"
        ]
    );
    let notes = parse_xml(text(&files, "feeds/notes.xml"));
    assert_eq!(notes.one("updated").text, "2023-01-01T00:00:00Z");
    let first = notes.all("entry").next().unwrap();
    assert_eq!(first.one("published").text, "2021-02-01T00:00:00Z");
    let terms: Vec<&str> = first
        .all("category")
        .filter_map(|c| c.attr("term"))
        .collect();
    assert_eq!(terms, ["alpha", "MUS", "GUY"]);
    // Beta serves no note but two draw on it; its feed lists them.
    assert_eq!(feeds["feeds/principles/beta.xml"].len(), 2);
    assert_eq!(feeds["feeds/principles/alpha.xml"].len(), 3);
}

/// The `title` in a Markdown file's front matter.
fn front_matter_title(file: &Path) -> String {
    let text = std::fs::read_to_string(file).unwrap();
    let front = text.split("---\n").nth(1).unwrap();
    let yaml: serde_yaml::Value = serde_yaml::from_str(front).unwrap();
    yaml["title"].as_str().unwrap().to_string()
}

#[test]
fn a_feed_marks_an_untranslated_notes_title_and_summary_as_the_originals_language() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/i18n-site");
    let files = generate(&fixture);
    let russian = parse_xml(text(&files, "ru/feeds/notes.xml"));
    let titles: Vec<(String, Option<&str>, Option<&str>)> = russian
        .all("entry")
        .map(|e| {
            (
                e.one("title").text.clone(),
                e.one("title").attr("xml:lang"),
                e.one("summary").attr("xml:lang"),
            )
        })
        .collect();
    // Civic laboratories has no Russian translation; open budgets has one.
    assert!(
        titles.contains(&("Civic laboratories".to_string(), Some("en"), Some("en"))),
        "{titles:?}"
    );
    let budgets = front_matter_title(&fixture.join("notes/open-budgets.ru.md"));
    assert!(titles.contains(&(budgets, None, None)), "{titles:?}");
}

#[test]
fn each_language_has_feeds_in_its_words_linking_to_its_pages() {
    let real = real_project();
    let files = generate(real.path());
    let english = parse_xml(text(&files, "feeds/notes.xml"));
    let french = parse_xml(text(&files, "fr/feeds/notes.xml"));
    let ids = |feed: &Element| -> BTreeSet<String> {
        feed.all("entry")
            .map(|e| e.one("id").text.clone())
            .collect()
    };
    // The French entries are the French pages: other resources, other ids.
    assert!(ids(&english).is_disjoint(&ids(&french)));
    assert_eq!(ids(&english).len(), ids(&french).len());

    // The feed's title is the site's French title.
    let home = text(&files, "fr/index.html");
    let site_title = french.one("title");
    assert!(site_title.attr("xml:lang").is_none(), "the title is French");
    assert!(
        home.contains(&format!("<title>{}", site_title.text)),
        "French home page's title starts with {}",
        site_title.text
    );

    // Every note is translated into every language: each entry has the translation's title
    // and summary, in the feed's language. (The i18n fixture's untranslated note is below.)
    for lang in ["fr", "es", "ru", "zh", "ar"] {
        let feed = parse_xml(text(&files, &format!("{lang}/feeds/notes.xml")));
        for entry in feed.all("entry") {
            let href = entry
                .all("link")
                .find(|l| l.attr("type") == Some("text/html"));
            let href = href.unwrap().attr("href").unwrap();
            let slug = href
                .strip_prefix("../notes/")
                .unwrap()
                .trim_end_matches('/');
            let file = real.path().join(format!("notes/{slug}.{lang}.md"));
            let title = entry.one("title");
            assert_eq!(title.text, front_matter_title(&file), "{lang}: {slug}");
            assert!(title.attr("xml:lang").is_none(), "{lang}: {slug}");
            assert!(entry.one("summary").attr("xml:lang").is_none());
        }
    }
    let countries = json(&files, "api/countries.json");
    let french_names: BTreeMap<String, String> = countries["countries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["code"].as_str().unwrap().to_string(),
                c["names"]["fr"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut countries_seen = 0;
    for (en, fr) in english.all("entry").zip(french.all("entry")) {
        assert!(en.one("title").attr("xml:lang").is_none());
        // Categories are labelled in French: principles by their French titles, countries by
        // the names the French pages use.
        for category in fr.all("category") {
            let term = category.attr("term").unwrap();
            let label = category.attr("label").unwrap();
            if let Some(name) = french_names.get(term) {
                assert_eq!(label, name);
                countries_seen += 1;
            } else {
                let principle =
                    std::fs::read_to_string(real.path().join(format!("principles/{term}.fr.md")))
                        .unwrap();
                assert!(
                    principle.contains(&format!("title: {label}\n")),
                    "{term} is not titled {label} in French"
                );
            }
        }
    }
    assert!(countries_seen > 0);
    // A name that differs shows the French one is used.
    assert!(french_names.values().any(|n| n == "Maurice"));

    // A principle's French feed is titled and described in French.
    let feed = parse_xml(text(&files, "fr/feeds/principles/participation.xml"));
    let source =
        std::fs::read_to_string(real.path().join("principles/participation.fr.md")).unwrap();
    let summary = feed.one("subtitle");
    assert!(summary.attr("xml:lang").is_none());
    assert!(source.contains(&summary.text), "{}", summary.text);

    // Pages announce the feeds in their language, and the API page lists them.
    let page = text(&files, "fr/principles/participation/index.html");
    let announced: Vec<&str> = page
        .split("<link rel=\"alternate\" type=\"application/atom+xml\"")
        .skip(1)
        .map(|tag| {
            tag.split_once("href=\"")
                .unwrap()
                .1
                .split('"')
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(
        announced,
        [
            "../../../fr/feeds/notes.xml",
            "../../../fr/feeds/principles/participation.xml"
        ]
    );
    let api = text(&files, "fr/api/index.html");
    assert!(api.contains("<code>fr/feeds/principles/&lt;slug&gt;.xml</code>"));
    assert!(api.contains("href=\"../../fr/feeds/notes.xml\""));
}

#[test]
fn the_api_page_marks_the_schemas_english_on_other_languages_pages() {
    let project = real_project();
    let files = generate(project.path());
    let rows = |page: &str| {
        page.split("<tr><th scope=\"row\">")
            .skip(1)
            .map(|row| row.split("</tr>").next().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let english = text(&files, "api/index.html");
    assert!(!rows(english).is_empty());
    assert!(
        rows(english).iter().all(|r| !r.contains("lang=")),
        "{english}"
    );
    for (lang, dir) in [("fr", "ltr"), ("ar", "rtl")] {
        let page = text(&files, &format!("{lang}/api/index.html"));
        assert!(page.contains(&format!("<html lang=\"{lang}\" dir=\"{dir}\">")));
        let rows = rows(page);
        assert_eq!(rows.len(), rows_count(english));
        for row in &rows {
            // The field's type and meaning come from the schema, in English; "optional" is the
            // page's word.
            assert!(row.contains("<td><span lang=\"en\" dir=\"ltr\">"), "{row}");
            assert!(row.contains("<td lang=\"en\" dir=\"ltr\">"), "{row}");
        }
        assert_eq!(
            page.matches("<p lang=\"en\" dir=\"ltr\">").count(),
            page.matches("<h3 id=").count(),
            "each file's description"
        );
    }
    let french = text(&files, "fr/api/index.html");
    assert!(french.contains("celles des schémas JSON, rédigés en anglais"));
}

fn rows_count(page: &str) -> usize {
    page.matches("<tr><th scope=\"row\">").count()
}

#[test]
fn feeds_use_absolute_links_with_a_base_url_and_keep_their_ids() {
    let configured = with_base_url(&edge());
    let with_base = all_feeds(&generate(configured.path()), Some(BASE));
    let without = all_feeds(&generate(&edge()), None);
    // Atom ids must not change when a site moves (RFC 4287 §4.2.6).
    assert_eq!(with_base, without);

    let real = with_base_url(real_project().path());
    let files = generate(real.path());
    all_feeds(&files, Some(BASE));
    let feed = parse_xml(text(&files, "feeds/principles/participation.xml"));
    let alternate = feed
        .all("link")
        .find(|l| l.attr("rel") == Some("alternate"))
        .unwrap();
    assert_eq!(
        alternate.attr("href"),
        Some("https://example.org/guidance/principles/participation/")
    );
}

/// Undoes the escaping minijinja applies to attribute values.
fn unescape_html(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn json_ld(page: &str) -> Value {
    const OPEN: &str = "<script type=\"application/ld+json\">";
    let start = page.find(OPEN).expect("a JSON-LD script") + OPEN.len();
    let end = start + page[start..].find("</script>").expect("closed script");
    assert_eq!(page.matches(OPEN).count(), 1);
    serde_json::from_str(&page[start..end])
        .unwrap_or_else(|e| panic!("JSON-LD does not parse: {e}\n{}", &page[start..end]))
}

#[test]
fn note_pages_carry_json_ld() {
    let files = generate(&edge());
    let page = text(&files, "notes/dated/index.html");
    let head = &page[..page.find("</head>").unwrap()];
    let ld = json_ld(head);
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "Article");
    // The title holds `</script>`: the script element must still end where it should.
    assert_eq!(
        ld["headline"],
        "Plans & \"quotes\" </script><script>alert(1)</script>"
    );
    assert_eq!(ld["inLanguage"], "en");
    assert_eq!(ld["datePublished"], "2021-02");
    assert_eq!(ld["dateModified"], "2023");
    assert_eq!(ld["creativeWorkStatus"], "provisional");
    assert_eq!(ld["about"]["@type"], "DefinedTerm");
    assert_eq!(ld["about"]["name"], "Alpha");
    assert_eq!(ld["mentions"][0]["name"], "Beta");
    let places = ld["spatialCoverage"].as_array().unwrap();
    assert_eq!(places.len(), 2);
    assert!(places.iter().all(|p| p["@type"] == "Country"));
    let codes: BTreeSet<&str> = places
        .iter()
        .map(|p| p["identifier"].as_str().unwrap())
        .collect();
    assert_eq!(codes, BTreeSet::from(["GUY", "MUS"]));
    assert_eq!(ld["isPartOf"]["@type"], "WebSite");
    assert_eq!(
        ld["isBasedOn"][0]["url"],
        "https://example.org/official.pdf?a=1&b=2"
    );
    // Without a base URL, links are relative to the page and land on real pages.
    for link in [
        &ld["url"],
        &ld["about"]["url"],
        &places[0]["url"],
        &ld["isPartOf"]["url"],
    ] {
        let (target, _) = target_of(&resolve("notes/dated/index.html", link.as_str().unwrap()));
        assert!(files.contains_key(&target), "{link} -> {target}");
    }
    let undated = json_ld(text(&files, "notes/undated/index.html"));
    assert!(undated.get("datePublished").is_none() && undated.get("dateModified").is_none());
    assert!(undated.get("spatialCoverage").is_none());

    let configured = with_base_url(&edge());
    let files = generate(configured.path());
    let ld = json_ld(text(&files, "notes/dated/index.html"));
    assert_eq!(ld["url"], format!("{BASE}notes/dated/"));
    assert_eq!(ld["about"]["url"], format!("{BASE}principles/alpha/"));

    let real = real_project();
    let files = generate(real.path());
    let pages: Vec<&String> = files
        .keys()
        .filter(|p| {
            p.starts_with("notes/") && p.ends_with("/index.html") && p.matches('/').count() == 2
        })
        .collect();
    assert!(pages.len() >= 20);
    for path in pages {
        let ld = json_ld(text(&files, path));
        assert_eq!(ld["@type"], "Article", "{path}");
        assert!(
            ld["about"]["name"].is_string() && ld["dateModified"].is_string(),
            "{path}"
        );
    }
}

#[test]
fn pages_announce_their_feeds() {
    let files = generate(&edge());
    let alternates = |path: &str| -> Vec<String> {
        let page = text(&files, path);
        let head = &page[..page.find("</head>").unwrap()];
        head.split("<link ")
            .skip(1)
            .filter(|l| l.contains("rel=\"alternate\" type=\"application/atom+xml\""))
            .map(|l| {
                let href = l
                    .split("href=\"")
                    .nth(1)
                    .unwrap()
                    .split('"')
                    .next()
                    .unwrap();
                resolve(path, &unescape_html(href))
            })
            .collect()
    };
    assert_eq!(
        alternates("notes/dated/index.html"),
        ["feeds/notes.xml", "feeds/principles/alpha.xml"]
    );
    assert_eq!(
        alternates("principles/beta/index.html"),
        ["feeds/notes.xml", "feeds/principles/beta.xml"]
    );
    assert_eq!(alternates("index.html"), ["feeds/notes.xml"]);
}

/// Dotted paths of every field in a JSON value (`notes[].slug`).
fn field_paths(value: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                let path = format!("{prefix}{key}");
                out.insert(path.clone());
                field_paths(v, &format!("{path}."), out);
            }
        }
        Value::Array(items) => {
            let prefix = format!("{}[].", prefix.trim_end_matches('.'));
            items.iter().for_each(|v| field_paths(v, &prefix, out));
        }
        _ => {}
    }
}

#[test]
fn the_api_page_documents_every_file_and_field() {
    let files = generate(&edge());
    let page = &unescape_html(text(&files, "api/index.html"));
    for schema in ["notes", "note", "principles", "countries"] {
        assert!(
            page.contains(&format!("api/schema/{schema}.schema.json")),
            "{schema}"
        );
    }
    for path in files.keys().filter(|p| schema_of(p).is_some()) {
        let mut fields = BTreeSet::new();
        field_paths(&json(&files, path), "", &mut fields);
        for field in fields {
            assert!(
                page.contains(&format!("<code>{field}</code>")),
                "api/index.html does not document `{field}` of {path}"
            );
        }
    }
    assert!(page.contains("feeds/notes.xml") && page.contains("application/ld+json"));
    assert!(page.contains("<code>1</code>"), "shows the schema version");
    // Every link on the page works.
    for href in page
        .split("href=\"")
        .skip(1)
        .map(|h| h.split('"').next().unwrap())
    {
        if let Some(id) = href.strip_prefix('#') {
            assert!(page.contains(&format!("id=\"{id}\"")), "{href}");
        } else if !href.contains(':') {
            let (target, _) = target_of(&resolve("api/index.html", href));
            assert!(files.contains_key(&target), "{href} -> {target}");
        }
    }
}

#[test]
fn outputs_are_deterministic() {
    let real = real_project();
    let first = generate(real.path());
    let second = generate(real.path());
    assert_eq!(
        first.keys().collect::<Vec<_>>(),
        second.keys().collect::<Vec<_>>()
    );
    for (path, bytes) in &first {
        assert!(second[path] == *bytes, "{path} differs between two builds");
    }
    assert!(
        first.keys().any(|p| p.starts_with("api/"))
            && first.keys().any(|p| p.starts_with("feeds/"))
    );

    // And through the command line, into two folders.
    let dir = tempfile::tempdir().unwrap();
    let build = |out: &str| {
        let status = Command::new(env!("CARGO_BIN_EXE_guidance"))
            .args(["build", "--root"])
            .arg(edge())
            .arg("--out")
            .arg(dir.path().join(out))
            .output()
            .unwrap();
        assert!(
            status.status.success(),
            "{}",
            String::from_utf8_lossy(&status.stderr)
        );
    };
    build("a");
    build("b");
    for folder in ["api", "feeds", "notes"] {
        for entry in walkdir::WalkDir::new(dir.path().join("a").join(folder)) {
            let entry = entry.unwrap();
            if entry.file_type().is_file() {
                let relative = entry.path().strip_prefix(dir.path().join("a")).unwrap();
                let other = std::fs::read(dir.path().join("b").join(relative)).unwrap();
                assert!(
                    std::fs::read(entry.path()).unwrap() == other,
                    "{} differs",
                    relative.display()
                );
            }
        }
    }
}

#[test]
fn check_json_prints_one_object_per_diagnostic() {
    let broken = common::repo_root().join("tests/fixtures/api-broken");
    let output = Command::new(env!("CARGO_BIN_EXE_guidance"))
        .args(["check", "--json", "--root"])
        .arg(&broken)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        output.stderr.is_empty(),
        "JSON mode keeps stderr quiet: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("`{l}`: {e}")))
        .collect();
    let keys: BTreeSet<&str> = [
        "file", "line", "column", "severity", "code", "message", "help",
    ]
    .into();
    let mut seen = Vec::new();
    for d in &lines {
        let object = d.as_object().expect("one object per line");
        assert_eq!(
            object.keys().map(String::as_str).collect::<BTreeSet<_>>(),
            keys,
            "{d}"
        );
        assert!(
            d["line"].as_u64().is_some_and(|l| l >= 1)
                && d["column"].as_u64().is_some_and(|c| c >= 1),
            "{d}"
        );
        assert_eq!(d["severity"], "error");
        assert!(
            d["message"].as_str().is_some_and(|m| !m.is_empty()) && d["help"].is_string(),
            "{d}"
        );
        seen.push((
            d["file"].as_str().unwrap(),
            d["line"].as_u64().unwrap(),
            d["column"].as_u64().unwrap(),
            d["code"].as_str().unwrap(),
        ));
    }
    assert_eq!(
        seen,
        [
            ("notes/bad-link.md", 8, 15, "unknown-link"),
            ("notes/broken.md", 3, 12, "unknown-principle"),
            // A note without a principle still has its links checked.
            ("notes/broken.md", 8, 15, "unknown-link")
        ]
    );
    assert_eq!(lines[1]["help"], "did you mean \"alpha\"?");

    // A clean project prints nothing and succeeds.
    let output = Command::new(env!("CARGO_BIN_EXE_guidance"))
        .args(["check", "--json", "--root"])
        .arg(edge())
        .output()
        .unwrap();
    assert!(
        output.status.success() && output.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );

    // A problem with no position still has every key, with null line and column.
    let d = guidance::Diagnostic::error("io", "cannot read")
        .in_file("notes/")
        .to_json();
    assert_eq!(d["file"], "notes/");
    assert!(d["line"].is_null() && d["column"].is_null() && d["help"].is_null());
    assert_eq!(d.as_object().unwrap().len(), 7);
}
