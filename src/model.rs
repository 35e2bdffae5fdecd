//! The site model: plain data that every stage after `link` reads. Relations are indexes into the
//! site's vectors, never pointers, so the whole `Site` is cheap to share and easy to serialize.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::config::Config;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pillar {
    Effectiveness,
    Accountability,
    Inclusiveness,
}

impl Pillar {
    pub const ALL: [Pillar; 3] = [
        Pillar::Effectiveness,
        Pillar::Accountability,
        Pillar::Inclusiveness,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Pillar::Effectiveness => "effectiveness",
            Pillar::Accountability => "accountability",
            Pillar::Inclusiveness => "inclusiveness",
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Published,
    /// The title is not yet confirmed against the published series.
    Provisional,
}

/// A date as precise as the facts allow: a year, a month, or a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    pub year: u16,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl PartialDate {
    /// Parses `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<PartialDate> {
        let mut parts = text.trim().split('-');
        let year = parts.next().filter(|y| y.len() == 4)?.parse().ok()?;
        let month: Option<u8> = match parts.next() {
            Some(m) if m.len() == 2 => Some(m.parse().ok().filter(|m| (1..=12).contains(m))?),
            Some(_) => return None,
            None => None,
        };
        let day: Option<u8> = match parts.next() {
            Some(d) if d.len() == 2 => {
                let max = days_in_month(year, month?);
                Some(d.parse().ok().filter(|d| (1..=max).contains(d))?)
            }
            Some(_) => return None,
            None => None,
        };
        if parts.next().is_some() {
            return None;
        }
        Some(PartialDate { year, month, day })
    }

    /// The first day the date can mean, as `YYYY-MM-DD` (feeds and JSON-LD want a full date).
    pub fn first_day(self) -> String {
        format!(
            "{:04}-{:02}-{:02}",
            self.year,
            self.month.unwrap_or(1),
            self.day.unwrap_or(1)
        )
    }
}

/// Why `text` is not a [`PartialDate`], in words an editor can act on.
fn date_problem(text: &str) -> String {
    let parts: Vec<&str> = text.split('-').collect();
    let shaped = parts.len() <= 3
        && parts
            .iter()
            .zip([4, 2, 2])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_digit()));
    if !shaped {
        return "write YYYY, YYYY-MM or YYYY-MM-DD".to_string();
    }
    let year = parts[0].parse().unwrap_or(0);
    let month = parts.get(1).and_then(|m| m.parse().ok()).unwrap_or(1);
    if !(1..=12).contains(&month) {
        return format!("there is no month {month}");
    }
    format!("{year}-{month:02} has {} days", days_in_month(year, month))
}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(month) = self.month {
            write!(f, "-{month:02}")?;
        }
        if let Some(day) = self.day {
            write!(f, "-{day:02}")?;
        }
        Ok(())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PartialDate {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // YAML reads `2021` as a number and `2021-02-01` as a string; accept both.
        let value = serde_yaml::Value::deserialize(deserializer)?;
        let text = match &value {
            serde_yaml::Value::Number(n) => n.to_string(),
            serde_yaml::Value::String(s) => s.clone(),
            _ => String::new(),
        };
        PartialDate::parse(&text).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "invalid date `{}`: {}",
                text.trim(),
                date_problem(text.trim())
            ))
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExternalSource {
    pub title: String,
    pub url: String,
}

/// Front matter of `principles/<slug>.md`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrincipleMeta {
    pub title: String,
    pub number: u8,
    pub pillar: Pillar,
    pub strategies: Vec<String>,
    #[serde(default)]
    pub sdg_targets: Vec<String>,
    pub summary: String,
}

/// Front matter of `notes/<slug>.md`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteMeta {
    pub title: String,
    pub principle: String,
    /// The principle's strategy this note covers, as the principle lists it.
    #[serde(default)]
    pub strategy: Option<String>,
    #[serde(default)]
    pub related_principles: Vec<String>,
    #[serde(default)]
    pub countries: Vec<String>,
    #[serde(default)]
    pub sdg_targets: Vec<String>,
    pub summary: String,
    #[serde(default)]
    pub published: Option<PartialDate>,
    #[serde(default)]
    pub updated: Option<PartialDate>,
    #[serde(default)]
    pub status: Status,
    #[serde(default)]
    pub sources: Vec<ExternalSource>,
}

/// Front matter of `pages/<slug>.md` (the About page, the home-page introduction).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageMeta {
    pub title: String,
    pub summary: String,
}

/// Which folder a document came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Principle,
    Note,
    Page,
}

impl Kind {
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Principle => "principles",
            Kind::Note => "notes",
            Kind::Page => "pages",
        }
    }

    /// What a link calls a document of this kind (`note:<slug>`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Principle => "principle",
            Kind::Note => "note",
            Kind::Page => "page",
        }
    }
}

/// A source file as read from disk: its text is shared with every diagnostic that points into it.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// Path relative to the project root, with `/` separators (what diagnostics print).
    pub path: String,
    pub text: Arc<str>,
}

/// A heading in a document body, with the id its anchor gets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Heading {
    pub level: u8,
    pub text: String,
    pub id: String,
    /// Where the heading starts in the body's Markdown, for diagnostics.
    #[serde(skip)]
    pub offset: usize,
}

/// A section of a body: the text under one heading (or before the first), for search and the API.
/// It points into its body rather than holding strings of its own: a large site holds every
/// section until the search index and the API are made, and the copies of each heading's text
/// and id, with a string per section, were 550,000 of the 1.4 million allocations the model of
/// 10,000 notes held.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Section {
    /// Its heading, by position in the body's `headings`; `None` for the text before the first.
    pub heading: Option<usize>,
    /// Where its text is in the body's `text`.
    pub text: Range<usize>,
}

/// A section with its heading and text, borrowed from its body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SectionText<'a> {
    /// Empty for the text before the first heading.
    pub id: &'a str,
    pub heading: &'a str,
    /// The heading's level (`None` before the first heading).
    pub level: Option<u8>,
    pub text: &'a str,
}

/// A link target written in a body, resolved by the link stage.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    Principle {
        index: usize,
        anchor: Option<String>,
    },
    Note {
        index: usize,
        anchor: Option<String>,
    },
    Page {
        index: usize,
        anchor: Option<String>,
    },
    Country {
        index: usize,
    },
    /// `page:api`: the data and feeds page the site makes itself, at one of its sections.
    Api {
        anchor: Option<String>,
    },
    /// `#anchor` within the same document.
    Anchor(String),
    /// Left as written: `https:`, `mailto:` and the like.
    External(String),
    /// A file under `files/`, by its path from the site root (`files/chart.png`, which is also
    /// its path from the project root), with the fragment written after it (`#page=2`).
    File {
        path: String,
        fragment: Option<String>,
    },
}

/// A document's Markdown body, analysed once: headings, sections and links (with their spans).
#[derive(Clone, Debug, Default)]
pub struct Body {
    /// Byte range of the body in the source file.
    pub range: Range<usize>,
    pub headings: Vec<Heading>,
    pub sections: Vec<Section>,
    /// The sections' text, one after another: plain text with single spaces.
    pub text: String,
    /// Every link written in the body, by its destination as written, resolved.
    pub links: BTreeMap<String, Target>,
    pub has_code: bool,
}

impl Body {
    /// The sections in order, with their headings and text.
    pub fn sections(&self) -> impl ExactSizeIterator<Item = SectionText<'_>> {
        self.sections
            .iter()
            .map(|section| section_text(&self.headings, &self.text, section))
    }
}

/// `section` of a body with these `headings` and this `text`.
pub fn section_text<'a>(
    headings: &'a [Heading],
    text: &'a str,
    section: &Section,
) -> SectionText<'a> {
    let heading = section.heading.map(|i| &headings[i]);
    SectionText {
        id: heading.map_or("", |h| &h.id),
        heading: heading.map_or("", |h| &h.text),
        level: heading.map(|h| h.level),
        text: &text[section.text.clone()],
    }
}

#[derive(Clone, Debug)]
pub struct Principle {
    pub slug: String,
    pub source: SourceFile,
    pub meta: PrincipleMeta,
    pub body: Body,
    /// Notes whose `principle` is this one, in series order.
    pub notes: Vec<usize>,
    /// Notes that list this principle among their related principles.
    pub related_notes: Vec<usize>,
    /// For each strategy (same order as `meta.strategies`), the notes that cover it.
    pub strategy_notes: Vec<Vec<usize>>,
}

#[derive(Clone, Debug)]
pub struct Note {
    pub slug: String,
    pub source: SourceFile,
    pub meta: NoteMeta,
    pub body: Body,
    pub principle: usize,
    pub related_principles: Vec<usize>,
    pub countries: Vec<usize>,
    /// Index into the principle's strategies.
    pub strategy: Option<usize>,
    /// Notes this note links to in its body, sorted, without itself.
    pub links_to: Vec<usize>,
    /// Notes that link to this one.
    pub linked_from: Vec<usize>,
}

#[derive(Clone, Debug)]
pub struct Page {
    pub slug: String,
    pub source: SourceFile,
    pub meta: PageMeta,
    pub body: Body,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Country {
    /// ISO 3166-1 alpha-3 code, upper case.
    pub code: String,
    /// The name in the default language (the data export and the feeds use it).
    pub name: String,
    /// The name in each of the site's languages, the default one's included (see
    /// `link::countries`).
    pub names: BTreeMap<String, String>,
    /// Notes that cite the country, in series order.
    pub notes: Vec<usize>,
}

/// Everything the site publishes, linked. Built by `link::link`, read by every later stage.
#[derive(Clone, Debug)]
pub struct Site {
    pub config: Config,
    /// In official order (by number).
    pub principles: Vec<Principle>,
    /// In series order: by principle, then by the principle's order of strategies, then title.
    pub notes: Vec<Note>,
    /// By slug.
    pub pages: Vec<Page>,
    /// By name in the default language.
    pub countries: Vec<Country>,
    /// Documents in languages other than the default, by (kind, slug, lang).
    pub translations: Vec<Translation>,
    /// The files under `files/`, published as they are, by path.
    pub files: Vec<ProjectFile>,
}

/// The folder whose files are published as they are, at the same path in the site.
pub const FILES_FOLDER: &str = "files";

/// A file under `files/` (an image, a PDF), published byte for byte at the same path.
#[derive(Clone, PartialEq, Eq)]
pub struct ProjectFile {
    /// From the project root, `/`-separated (`files/chart.png`): also its path in the site.
    pub path: String,
    pub bytes: Arc<[u8]>,
}

impl fmt::Debug for ProjectFile {
    /// The path, size and a hash of the bytes: a model's debug text stays readable (and still
    /// differs when a file's bytes do).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        self.bytes.hash(&mut hasher);
        f.debug_struct("ProjectFile")
            .field("path", &self.path)
            .field("len", &self.bytes.len())
            .field("hash", &format_args!("{:016x}", hasher.finish()))
            .finish()
    }
}

/// A translation of a principle, note or page (`<slug>.<lang>.md`). Its front matter may only
/// override fields that readers see (title, summary); structure comes from the original.
#[derive(Clone, Debug)]
pub struct Translation {
    pub kind: Kind,
    pub slug: String,
    pub lang: String,
    pub source: SourceFile,
    pub title: Option<String>,
    pub summary: Option<String>,
    /// A principle's strategies in this language, in the original's order.
    pub strategies: Option<Vec<String>>,
    pub body: Body,
}

impl Site {
    pub fn principle(&self, slug: &str) -> Option<usize> {
        self.principles.iter().position(|p| p.slug == slug)
    }

    /// Every note's index by its slug, for looking many up.
    pub fn notes_by_slug(&self) -> std::collections::HashMap<&str, usize> {
        let notes = self.notes.iter().enumerate();
        notes.map(|(i, n)| (n.slug.as_str(), i)).collect()
    }

    pub fn note(&self, slug: &str) -> Option<usize> {
        self.notes.iter().position(|n| n.slug == slug)
    }

    pub fn page(&self, slug: &str) -> Option<usize> {
        self.pages.iter().position(|p| p.slug == slug)
    }

    /// The file under `files/` at `path` (from the project root), if there is one.
    pub fn file(&self, path: &str) -> Option<&ProjectFile> {
        let found = self.files.binary_search_by(|f| f.path.as_str().cmp(path));
        found.ok().map(|i| &self.files[i])
    }

    pub fn country(&self, code: &str) -> Option<usize> {
        self.countries.iter().position(|c| c.code == code)
    }

    /// Country `i`'s name on a page in `lang`.
    pub fn country_name(&self, i: usize, lang: &str) -> &str {
        let country = &self.countries[i];
        country.names.get(lang).unwrap_or(&country.name)
    }

    /// The translation of a document into `lang`, if one exists.
    pub fn translation(&self, kind: Kind, slug: &str, lang: &str) -> Option<&Translation> {
        let key = (kind, slug, lang);
        let found = self
            .translations
            .binary_search_by(|t| (t.kind, t.slug.as_str(), t.lang.as_str()).cmp(&key));
        found.ok().map(|i| &self.translations[i])
    }

    /// Where `#anchor`, a heading of a document's original `body`, leads in the document's
    /// version in `lang`: the same id where that version has it (the original, or a translation
    /// giving the heading `{#anchor}`); else the heading in the same place, when the
    /// translation's headings follow the original's one for one; else nowhere.
    pub fn anchor_in<'a>(
        &'a self,
        kind: Kind,
        slug: &str,
        body: &Body,
        anchor: &'a str,
        lang: &str,
    ) -> Option<&'a str> {
        // Translations are never in the default language: there, the original answers.
        let Some(translation) = self.translation(kind, slug, lang) else {
            return Some(anchor);
        };
        let theirs = &translation.body.headings;
        if theirs.iter().any(|h| h.id == anchor) {
            return Some(anchor);
        }
        let parallel = theirs.len() == body.headings.len()
            && theirs
                .iter()
                .zip(&body.headings)
                .all(|(t, o)| t.level == o.level);
        let place = body.headings.iter().position(|h| h.id == anchor)?;
        parallel.then(|| theirs[place].id.as_str())
    }

    /// Principle `i`'s strategies in `lang` when its translation names them, else the original's.
    pub fn strategies_in(&self, i: usize, lang: &str) -> &[String] {
        self.strategies_named_in(i, lang).0
    }

    /// [`Site::strategies_in`], with the language the names are written in.
    pub fn strategies_named_in(&self, i: usize, lang: &str) -> (&[String], &str) {
        let p = &self.principles[i];
        let translated = self.translation(Kind::Principle, &p.slug, lang);
        match translated.and_then(|t| Some((t.strategies.as_deref()?, t.lang.as_str()))) {
            Some(named) => named,
            None => (&p.meta.strategies, self.config.default_language()),
        }
    }

    pub fn principles_in(&self, pillar: Pillar) -> impl Iterator<Item = usize> + '_ {
        (0..self.principles.len()).filter(move |&i| self.principles[i].meta.pillar == pillar)
    }

    /// The Markdown of a document body.
    pub fn markdown<'a>(source: &'a SourceFile, body: &Body) -> &'a str {
        &source.text[body.range.clone()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_dates_parse_and_print() {
        assert_eq!(
            PartialDate::parse("2021-02").unwrap().to_string(),
            "2021-02"
        );
        assert_eq!(
            PartialDate::parse("2024-02-29").unwrap().first_day(),
            "2024-02-29"
        );
        assert_eq!(
            PartialDate::parse("2022").unwrap().first_day(),
            "2022-01-01"
        );
        for bad in [
            "2023-02-29",
            "2021-13",
            "21-01",
            "2021-1",
            "2021-01-01-01",
            "soon",
        ] {
            assert_eq!(PartialDate::parse(bad), None, "{bad}");
        }
    }
}
