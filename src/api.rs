//! Machine-readable copies of the content, beside the HTML: `api/notes.json`,
//! `api/principles.json`, `api/countries.json`, one `api/notes/<slug>.json` per note, the JSON
//! Schema of each (`api/schema/`), the JSON-LD of note pages, and the documentation page that
//! describes them all, generated from the schemas so that the two cannot drift apart.
//!
//! Every URL in the files is relative to the site root; `base_url` (when configured) makes it
//! absolute. Output is deterministic: structs serialize their fields in declaration order, lists
//! follow the site's own stable orders.

use std::collections::HashMap;

use rayon::prelude::*;
use serde::Serialize;

use crate::model::*;
use crate::render::{LinkStyle, OutputFile, PageId, link_path};

mod jsonld;
mod page;

pub use jsonld::{NoteText, note_jsonld};
pub use page::{ApiPage, FeedDoc, FeedsDoc, FieldDoc, FileDoc, page};

/// The layout version of every file under `api/`. Bump it (and the `const` in each schema) only
/// when a field is removed, renamed or changes meaning; adding a field is not a breaking change.
pub const SCHEMA_VERSION: u32 = 1;

/// One kind of file under `api/`, with its schema (a real file in `src/api/schema/`).
pub struct ApiFile {
    /// The file's path in the site; `<slug>` stands for each note.
    pub path: &'static str,
    /// The schema's file name under `api/schema/`.
    pub schema_name: &'static str,
    pub schema: &'static str,
}

impl ApiFile {
    pub fn schema_path(&self) -> String {
        format!("api/schema/{}", self.schema_name)
    }
}

pub const FILES: [ApiFile; 4] = [
    ApiFile {
        path: "api/notes.json",
        schema_name: "notes.schema.json",
        schema: include_str!("api/schema/notes.schema.json"),
    },
    ApiFile {
        path: "api/notes/<slug>.json",
        schema_name: "note.schema.json",
        schema: include_str!("api/schema/note.schema.json"),
    },
    ApiFile {
        path: "api/principles.json",
        schema_name: "principles.schema.json",
        schema: include_str!("api/schema/principles.schema.json"),
    },
    ApiFile {
        path: "api/countries.json",
        schema_name: "countries.schema.json",
        schema: include_str!("api/schema/countries.schema.json"),
    },
];

/// Every file under `api/`: the data, then the schemas.
pub fn files(site: &Site) -> Vec<OutputFile> {
    let mut out = files_but_notes(site);
    out.extend(note_outputs(site));
    out
}

/// Every note's own file.
pub fn note_outputs(site: &Site) -> Vec<OutputFile> {
    (0..site.notes.len())
        .into_par_iter()
        .map(|i| note_output(site, i))
        .collect()
}

/// A note's own file, `api/notes/<slug>.json`.
pub fn note_output(site: &Site, i: usize) -> OutputFile {
    json_file(
        &note_api_path(&site.notes[i].slug),
        &note_file(site, i, site.config.base_url()),
    )
}

/// Every file under `api/` except the notes' own files, which [`note_output`] makes one by one.
pub fn files_but_notes(site: &Site) -> Vec<OutputFile> {
    let lang = site.config.default_language();
    let base_url = site.config.base_url();
    let translations = Translations::of(site);
    let mut out = vec![
        json_file(
            "api/notes.json",
            &NotesFile {
                schema_version: SCHEMA_VERSION,
                language: lang,
                base_url: base_url.clone(),
                notes: (0..site.notes.len())
                    .map(|i| note_summary(site, &translations, i))
                    .collect(),
            },
        ),
        json_file(
            "api/principles.json",
            &PrinciplesFile {
                schema_version: SCHEMA_VERSION,
                language: lang,
                base_url: base_url.clone(),
                principles: (0..site.principles.len())
                    .map(|i| principle_entry(site, &translations, i))
                    .collect(),
            },
        ),
        json_file(
            "api/countries.json",
            &CountriesFile {
                schema_version: SCHEMA_VERSION,
                language: lang,
                base_url: base_url.clone(),
                countries: (0..site.countries.len())
                    .map(|i| CountryEntry {
                        code: &site.countries[i].code,
                        name: &site.countries[i].name,
                        names: &site.countries[i].names,
                        url: page_url(site, PageId::Country(i)),
                        notes: slugs(site, &site.countries[i].notes),
                    })
                    .collect(),
            },
        ),
    ];
    out.extend(FILES.iter().map(|f| OutputFile {
        path: f.schema_path(),
        bytes: f.schema.as_bytes().to_vec(),
    }));
    out
}

/// Where a note's own JSON file lives, from the site root.
pub fn note_api_path(slug: &str) -> String {
    format!("api/notes/{slug}.json")
}

fn json_file(path: &str, value: &impl Serialize) -> OutputFile {
    // Plain structs of strings, numbers and lists: serializing them cannot fail.
    let mut bytes = serde_json::to_vec_pretty(value).expect("API values always serialize");
    bytes.push(b'\n');
    OutputFile {
        path: path.to_string(),
        bytes,
    }
}

/// A page's address relative to the site root, as a web server serves it (`notes/x/`).
fn page_url(site: &Site, id: PageId) -> String {
    link_path(&id.path(site), LinkStyle::Clean)
}

fn slugs<'a>(site: &'a Site, notes: &[usize]) -> Vec<&'a str> {
    notes.iter().map(|&n| site.notes[n].slug.as_str()).collect()
}

#[derive(Serialize)]
struct NotesFile<'a> {
    schema_version: u32,
    language: &'a str,
    base_url: Option<String>,
    notes: Vec<NoteSummary<'a>>,
}

#[derive(Serialize)]
struct NoteSummary<'a> {
    slug: &'a str,
    title: &'a str,
    summary: &'a str,
    status: Status,
    principle: &'a str,
    strategy: Option<&'a str>,
    related_principles: Vec<&'a str>,
    countries: Vec<&'a str>,
    sdg_targets: &'a [String],
    published: Option<PartialDate>,
    updated: Option<PartialDate>,
    url: String,
    api: String,
    translations: Vec<TranslationEntry<'a>>,
}

fn note_summary<'a>(site: &'a Site, translations: &Translations<'a>, i: usize) -> NoteSummary<'a> {
    let note = &site.notes[i];
    let principle = &site.principles[note.principle];
    NoteSummary {
        translations: translations.entries(site, PageId::Note(i), &note.meta.title),
        slug: &note.slug,
        title: &note.meta.title,
        summary: &note.meta.summary,
        status: note.meta.status,
        principle: &principle.slug,
        strategy: note.strategy.map(|s| principle.meta.strategies[s].as_str()),
        related_principles: note
            .related_principles
            .iter()
            .map(|&p| site.principles[p].slug.as_str())
            .collect(),
        countries: note
            .countries
            .iter()
            .map(|&c| site.countries[c].code.as_str())
            .collect(),
        sdg_targets: &note.meta.sdg_targets,
        published: note.meta.published,
        updated: note.meta.updated,
        url: page_url(site, PageId::Note(i)),
        api: note_api_path(&note.slug),
    }
}

#[derive(Serialize)]
struct NoteFile<'a> {
    schema_version: u32,
    language: &'a str,
    base_url: Option<String>,
    slug: &'a str,
    url: String,
    front_matter: &'a NoteMeta,
    principle: PrincipleRef<'a>,
    related_principles: Vec<PrincipleRef<'a>>,
    countries: Vec<CountryRef<'a>>,
    links_to: Vec<NoteRef<'a>>,
    linked_from: Vec<NoteRef<'a>>,
    body: String,
    sections: Vec<SectionEntry<'a>>,
}

#[derive(Serialize)]
struct PrincipleRef<'a> {
    slug: &'a str,
    number: u8,
    title: &'a str,
    pillar: Pillar,
    url: String,
}

#[derive(Serialize)]
struct CountryRef<'a> {
    code: &'a str,
    name: &'a str,
    url: String,
}

#[derive(Serialize)]
struct NoteRef<'a> {
    slug: &'a str,
    title: &'a str,
    url: String,
}

#[derive(Serialize)]
struct SectionEntry<'a> {
    id: Option<&'a str>,
    level: Option<u8>,
    heading: Option<&'a str>,
    text: &'a str,
    url: String,
}

fn note_file(site: &Site, i: usize, base_url: Option<String>) -> NoteFile<'_> {
    let note = &site.notes[i];
    let principle_ref = |p: usize| PrincipleRef {
        slug: &site.principles[p].slug,
        number: site.principles[p].meta.number,
        title: &site.principles[p].meta.title,
        pillar: site.principles[p].meta.pillar,
        url: page_url(site, PageId::Principle(p)),
    };
    let note_ref = |n: usize| NoteRef {
        slug: &site.notes[n].slug,
        title: &site.notes[n].meta.title,
        url: page_url(site, PageId::Note(n)),
    };
    let url = page_url(site, PageId::Note(i));
    NoteFile {
        schema_version: SCHEMA_VERSION,
        language: site.config.default_language(),
        base_url,
        slug: &note.slug,
        front_matter: &note.meta,
        principle: principle_ref(note.principle),
        related_principles: note
            .related_principles
            .iter()
            .map(|&p| principle_ref(p))
            .collect(),
        countries: note
            .countries
            .iter()
            .map(|&c| CountryRef {
                code: &site.countries[c].code,
                name: &site.countries[c].name,
                url: page_url(site, PageId::Country(c)),
            })
            .collect(),
        links_to: sorted(&note.links_to).into_iter().map(note_ref).collect(),
        linked_from: sorted(&note.linked_from)
            .into_iter()
            .map(note_ref)
            .collect(),
        body: plain_text(&note.body),
        sections: sections(&note.body, &url),
        url,
    }
}

fn sorted(indexes: &[usize]) -> Vec<usize> {
    let mut indexes = indexes.to_vec();
    indexes.sort_unstable();
    indexes.dedup();
    indexes
}

#[derive(Serialize)]
struct PrinciplesFile<'a> {
    schema_version: u32,
    language: &'a str,
    base_url: Option<String>,
    principles: Vec<PrincipleEntry<'a>>,
}

#[derive(Serialize)]
struct PrincipleEntry<'a> {
    slug: &'a str,
    number: u8,
    title: &'a str,
    pillar: Pillar,
    summary: &'a str,
    sdg_targets: &'a [String],
    strategies: Vec<StrategyEntry<'a>>,
    notes: Vec<&'a str>,
    related_notes: Vec<&'a str>,
    url: String,
    feed: String,
    body: String,
    sections: Vec<SectionEntry<'a>>,
    translations: Vec<TranslationEntry<'a>>,
}

#[derive(Serialize)]
struct StrategyEntry<'a> {
    title: &'a str,
    notes: Vec<&'a str>,
}

fn principle_entry<'a>(
    site: &'a Site,
    translations: &Translations<'a>,
    i: usize,
) -> PrincipleEntry<'a> {
    let p = &site.principles[i];
    let url = page_url(site, PageId::Principle(i));
    PrincipleEntry {
        translations: translations.entries(site, PageId::Principle(i), &p.meta.title),
        slug: &p.slug,
        number: p.meta.number,
        title: &p.meta.title,
        pillar: p.meta.pillar,
        summary: &p.meta.summary,
        sdg_targets: &p.meta.sdg_targets,
        strategies: p
            .meta
            .strategies
            .iter()
            .enumerate()
            .map(|(s, title)| StrategyEntry {
                title,
                notes: p
                    .strategy_notes
                    .get(s)
                    .map(|notes| slugs(site, notes))
                    .unwrap_or_default(),
            })
            .collect(),
        notes: slugs(site, &p.notes),
        related_notes: slugs(site, &p.related_notes),
        feed: crate::feed::principle_feed_path(site, &p.slug, site.config.default_language()),
        body: plain_text(&p.body),
        sections: sections(&p.body, &url),
        url,
    }
}

/// A document's published translation, for consumers that show the content in other languages.
#[derive(Serialize)]
struct TranslationEntry<'a> {
    language: &'a str,
    title: &'a str,
    summary: Option<&'a str>,
    url: String,
}

/// The site's translations by the document they translate, looked up once per document.
struct Translations<'a>(HashMap<(Kind, &'a str), Vec<&'a Translation>>);

impl<'a> Translations<'a> {
    fn of(site: &'a Site) -> Self {
        let mut by_document: HashMap<_, Vec<_>> = HashMap::new();
        for t in &site.translations {
            by_document
                .entry((t.kind, t.slug.as_str()))
                .or_default()
                .push(t);
        }
        Translations(by_document)
    }

    /// The translations of the document page `id` shows, in the site's order of languages. A
    /// translation that keeps the original's title has that title; its summary is null unless
    /// it writes its own.
    fn entries(&self, site: &Site, id: PageId, title: &'a str) -> Vec<TranslationEntry<'a>> {
        let Some(found) = id.document(site).and_then(|key| self.0.get(&key)) else {
            return Vec::new();
        };
        site.config
            .languages
            .iter()
            .filter_map(|lang| found.iter().find(|t| t.lang == *lang))
            .map(|t| TranslationEntry {
                language: &t.lang,
                title: t.title.as_deref().unwrap_or(title),
                summary: t.summary.as_deref(),
                url: link_path(&id.path_in(site, &t.lang), LinkStyle::Clean),
            })
            .collect()
    }
}

#[derive(Serialize)]
struct CountriesFile<'a> {
    schema_version: u32,
    language: &'a str,
    base_url: Option<String>,
    countries: Vec<CountryEntry<'a>>,
}

#[derive(Serialize)]
struct CountryEntry<'a> {
    code: &'a str,
    name: &'a str,
    names: &'a std::collections::BTreeMap<String, String>,
    url: String,
    notes: Vec<&'a str>,
}

/// A body as plain text: each heading, then the text under it, separated by blank lines.
pub fn plain_text(body: &Body) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for section in body.sections() {
        if !section.heading.is_empty() {
            parts.push(section.heading);
        }
        if !section.text.is_empty() {
            parts.push(section.text);
        }
    }
    parts.join("\n\n")
}

fn sections<'a>(body: &'a Body, page_url: &str) -> Vec<SectionEntry<'a>> {
    body.sections()
        .map(|section| {
            // Only the text before the first heading has no heading of its own.
            let headed = section.level.is_some();
            SectionEntry {
                id: headed.then_some(section.id),
                level: section.level,
                heading: headed.then_some(section.heading),
                text: section.text,
                url: if headed {
                    format!("{page_url}#{}", encode_fragment(section.id))
                } else {
                    page_url.to_string()
                },
            }
        })
        .collect()
}

/// Percent-encodes the few characters an IRI fragment may not hold (an editor can give a
/// heading any explicit id).
pub fn encode_fragment(id: &str) -> String {
    let mut out = String::with_capacity(id.len());
    for c in id.chars() {
        if c.is_control() || c.is_whitespace() || "\"<>\\^`{|}%#".contains(c) {
            let mut buf = [0; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{byte:02X}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments_are_escaped() {
        assert_eq!(encode_fragment("égalité-réelle"), "égalité-réelle");
        assert_eq!(encode_fragment("a b\"c"), "a%20b%22c");
    }
}
