//! What the index holds: one search document per page that shows a principle, a note, a page or a
//! country, in one language, read from the `Site` (never from rendered HTML).

use std::borrow::Cow;
use std::collections::BTreeMap;

use crate::model::{Body, Kind, Pillar, Site};
use crate::render::{HOME_PAGE, LinkStyle, PageId, link_path};

/// At most this many sections per document; any further sections are folded into the last one
/// (section masks are 128 bits wide).
pub const MAX_SECTIONS: usize = 128;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SearchDoc<'a> {
    pub kind: DocKind,
    pub title: String,
    pub summary: String,
    /// The page's address from the site root in clean style: `notes/x/`, `fr/principles/y/`, or
    /// empty for the home page. The browser appends `index.html` in the offline copy.
    pub path: String,
    /// Whether the text is in the index's language: the default language, a translation, or a
    /// country's name. Other languages' indexes hold only these; the browser finds the rest
    /// through the default language's index.
    pub local: bool,
    /// A page at the same address in every language (generated pages such as home, download
    /// and countries; on a site in several languages, every page, since an untranslated
    /// document is shown in its original under each language): found through the default
    /// language's index, the browser links to the page in the reader's language.
    pub everywhere: bool,
    /// The language of the text (a document not yet translated is indexed in its original).
    pub lang: String,
    /// Section 0 is the lead (no heading: the text before the first heading, which the summary
    /// precedes in results); each following section is a heading and the text under it.
    pub sections: Vec<DocSection<'a>>,
    pub facets: Facets,
}

/// What a search document shows; the browser names it in results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocKind {
    Note,
    Principle,
    Page,
    Country,
}

impl DocKind {
    pub fn code(self) -> &'static str {
        match self {
            DocKind::Note => "note",
            DocKind::Principle => "principle",
            DocKind::Page => "page",
            DocKind::Country => "country",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocSection<'a> {
    /// The heading's id (empty for the lead).
    pub anchor: &'a str,
    pub heading: &'a str,
    /// Borrowed from the site where it can be: a large site's text is not copied.
    pub text: Cow<'a, str>,
}

/// Values a document has for each filter: indexes into the site's principles and countries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Facets {
    pub principle: Option<usize>,
    pub pillar: Option<Pillar>,
    pub countries: Vec<usize>,
    pub sdg_targets: Vec<String>,
}

/// Each language's full stop, as the site's interface strings give it: "." in English, "。" in
/// Chinese.
pub type FullStops<'f> = dyn Fn(&str) -> String + Sync + 'f;

/// Principle `i`'s strategies as one text in `lang`'s index, as sentences of the language they are
/// written in: "Open data. Open budgets" in English, "开放数据。开放预算" in Chinese.
fn strategies_text(site: &Site, i: usize, lang: &str, full_stops: &FullStops) -> String {
    let (names, written_in) = site.strategies_named_in(i, lang);
    let stop = full_stops(written_in);
    // A space follows an ASCII stop; a full-width stop, as Chinese writes it, holds its own.
    let sentence_break = if stop.is_ascii() { stop + " " } else { stop };
    names.join(&sentence_break)
}

/// The embedded theme's full stops for the site's languages, for an index made without a
/// project's theme (tests and benchmarks; a build passes the strings its pages use).
pub fn embedded_full_stops(site: &Site) -> impl Fn(&str) -> String + Sync + use<> {
    let theme = crate::theme::Theme::embedded();
    let stops: BTreeMap<String, String> = site
        .config
        .languages
        .iter()
        .filter_map(|lang| {
            let mut strings = crate::render::strings_layers(&theme, lang).ok()?;
            Some((lang.clone(), strings.remove("full_stop")?))
        })
        .collect();
    move |lang: &str| stops.get(lang).cloned().unwrap_or_else(|| ".".to_string())
}

/// Every searchable page in `lang`, in a stable order: notes (series order), principles, pages,
/// countries; principles' strategies joined with the embedded theme's full stops.
pub fn documents<'a>(site: &'a Site, lang: &str) -> Vec<SearchDoc<'a>> {
    documents_with(site, lang, &embedded_full_stops(site))
}

/// [`documents`], with strategies joined with the given full stops.
pub fn documents_with<'a>(
    site: &'a Site,
    lang: &str,
    full_stops: &FullStops,
) -> Vec<SearchDoc<'a>> {
    let mut docs = Vec::new();
    for (i, note) in site.notes.iter().enumerate() {
        let text = Localized::of(
            site,
            Kind::Note,
            &note.slug,
            lang,
            &note.meta.title,
            &note.meta.summary,
            &note.body,
        );
        let principle = &site.principles[note.principle];
        docs.push(text.doc(
            site,
            PageId::Note(i),
            lang,
            String::new(),
            Facets {
                principle: Some(note.principle),
                pillar: Some(principle.meta.pillar),
                countries: note.countries.clone(),
                sdg_targets: note.meta.sdg_targets.clone(),
            },
        ));
    }
    for (i, p) in site.principles.iter().enumerate() {
        let text = Localized::of(
            site,
            Kind::Principle,
            &p.slug,
            lang,
            &p.meta.title,
            &p.meta.summary,
            &p.body,
        );
        docs.push(text.doc(
            site,
            PageId::Principle(i),
            lang,
            strategies_text(site, i, lang, full_stops),
            Facets {
                principle: Some(i),
                pillar: Some(p.meta.pillar),
                countries: Vec::new(),
                sdg_targets: p.meta.sdg_targets.clone(),
            },
        ));
    }
    let listed = PageId::all(site);
    for (i, page) in site.pages.iter().enumerate() {
        let id = if page.slug == HOME_PAGE {
            PageId::Home
        } else if listed.contains(&PageId::Page(i)) {
            PageId::Page(i)
        } else {
            // A page without a page of its own, other than the home introduction, is the
            // introduction of the Download page.
            PageId::Download
        };
        let text = Localized::of(
            site,
            Kind::Page,
            &page.slug,
            lang,
            &page.meta.title,
            &page.meta.summary,
            &page.body,
        );
        docs.push(text.doc(site, id, lang, String::new(), Facets::default()));
    }
    // A country's page is in every language, under its name in that language: each language's
    // index holds it.
    for i in 0..site.countries.len() {
        docs.push(SearchDoc {
            kind: DocKind::Country,
            title: site.country_name(i, lang).to_string(),
            summary: String::new(),
            path: page_path(site, PageId::Country(i), lang),
            local: true,
            everywhere: true,
            lang: lang.to_string(),
            sections: vec![DocSection {
                anchor: "",
                heading: "",
                text: Cow::Borrowed(""),
            }],
            facets: Facets {
                countries: vec![i],
                ..Facets::default()
            },
        });
    }
    docs
}

/// A document's text in `lang` where translated, else in the original.
struct Localized<'a> {
    title: &'a str,
    summary: &'a str,
    body: &'a Body,
    /// Whether the text is the translation (and the page lives under `<lang>/`).
    translated: bool,
    original_lang: &'a str,
}

impl<'a> Localized<'a> {
    fn of(
        site: &'a Site,
        kind: Kind,
        slug: &str,
        lang: &str,
        title: &'a str,
        summary: &'a str,
        body: &'a Body,
    ) -> Localized<'a> {
        let original_lang = site.config.default_language();
        match site
            .translation(kind, slug, lang)
            .filter(|_| lang != original_lang)
        {
            Some(t) => Localized {
                title: t.title.as_deref().unwrap_or(title),
                summary: t.summary.as_deref().unwrap_or(summary),
                body: &t.body,
                translated: true,
                original_lang,
            },
            None => Localized {
                title,
                summary,
                body,
                translated: false,
                original_lang,
            },
        }
    }

    fn doc(
        &self,
        site: &Site,
        id: PageId,
        lang: &str,
        extra_lead: String,
        facets: Facets,
    ) -> SearchDoc<'a> {
        let text_lang = if self.translated {
            lang
        } else {
            self.original_lang
        };
        let local = lang == self.original_lang || self.translated;
        let mut lead = String::new();
        let mut sections = Vec::new();
        // A document this language does not index needs only its filter values.
        if local {
            for s in self.body.sections() {
                if s.id.is_empty() {
                    append(&mut lead, s.text);
                } else {
                    sections.push(DocSection {
                        anchor: s.id,
                        heading: s.heading,
                        text: Cow::Borrowed(s.text),
                    });
                }
            }
        }
        append(&mut lead, &extra_lead);
        sections.insert(
            0,
            DocSection {
                anchor: "",
                heading: "",
                text: Cow::Owned(lead),
            },
        );
        if sections.len() > MAX_SECTIONS {
            let rest: Vec<DocSection> = sections.split_off(MAX_SECTIONS);
            let last = sections.last_mut().expect("MAX_SECTIONS > 0").text.to_mut();
            for s in rest {
                append(last, s.heading);
                append(last, &s.text);
            }
        }
        SearchDoc {
            kind: match id.document(site) {
                Some((Kind::Note, _)) => DocKind::Note,
                Some((Kind::Principle, _)) => DocKind::Principle,
                _ => DocKind::Page,
            },
            title: self.title.to_string(),
            summary: self.summary.to_string(),
            // Every page is published in every language (an untranslated document's page there
            // shows the original): results link to the page in the index's language.
            path: page_path(site, id, lang),
            local,
            // A site in one language has no other to link to: its documents stay unmarked.
            everywhere: id.document(site).is_none() || site.config.languages.len() > 1,
            lang: text_lang.to_string(),
            sections,
            facets,
        }
    }
}

fn append(text: &mut String, more: &str) {
    if more.is_empty() {
        return;
    }
    if !text.is_empty() {
        text.push(' ');
    }
    text.push_str(more);
}

/// The clean-style address of a page from the site root (`""` for the home page).
fn page_path(site: &Site, id: PageId, lang: &str) -> String {
    let link = link_path(&id.path_in(site, lang), LinkStyle::Clean);
    if link == "./" { String::new() } else { link }
}
