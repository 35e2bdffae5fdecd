//! Atom feeds (RFC 4287): `feeds/notes.xml` with every note, newest first, and one
//! `feeds/principles/<slug>.xml` per principle with the notes that serve or draw on it. Each
//! other language of the site has the same feeds under `<lang>/feeds/`, in its words where the
//! content is translated, linking to its pages.
//!
//! * Ids are `urn:uuid:` name-based UUIDs (version 5) of the site's `offline_name` and the page's
//!   path, so they stay the same when the site moves to another address (RFC 4287 §4.2.6 asks
//!   that an id never change on relocation) and need no domain the project may not own.
//! * Links are absolute when `base_url` is configured; otherwise they are relative to the feed
//!   file itself (`../notes/x/`), which Atom resolves against the feed's own address, so they
//!   work wherever the site is served.
//! * Timestamps come from the content (`updated`, else `published`), never from the clock: a
//!   partial date stands for its first day, at midnight UTC.

use sha1::{Digest, Sha1};

use crate::markdown::escape;
use crate::model::*;
use crate::render::{LinkStyle, OutputFile, PageId, link_path, root_of};

/// The feed of every note.
pub const NOTES_FEED: &str = "feeds/notes.xml";

/// A timestamp for a feed or entry with no date at all (Atom requires one).
const NO_DATE: &str = "1970-01-01T00:00:00Z";

/// The name-space of the UUIDs in feed ids: the RFC 4122 URL name-space.
const NAMESPACE_URL: [u8; 16] = [
    0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
];

/// The feed of every note in `lang`.
pub fn notes_feed_path(site: &Site, lang: &str) -> String {
    in_language(site, lang, NOTES_FEED.to_string())
}

pub fn principle_feed_path(site: &Site, slug: &str, lang: &str) -> String {
    in_language(site, lang, format!("feeds/principles/{slug}.xml"))
}

/// Other languages' files live under `<lang>/`, as their pages do.
fn in_language(site: &Site, lang: &str, path: String) -> String {
    if lang == site.config.default_language() {
        path
    } else {
        format!("{lang}/{path}")
    }
}

/// A feed a page can announce with `<link rel="alternate" type="application/atom+xml">`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedLink {
    pub title: String,
    /// From the site root.
    pub path: String,
}

/// The feeds to announce on a page in `lang`: the notes feed, and the feed of the principle the
/// page is about, if any. `separator` is the language's between a label and its text (the
/// theme's `label_separator`: `: `, ` : ` in French, `：` in Chinese).
pub fn alternates(
    site: &Site,
    principle: Option<usize>,
    lang: &str,
    separator: &str,
) -> Vec<FeedLink> {
    let mut links = vec![FeedLink {
        title: notes_feed_title(site, lang).0.to_string(),
        path: notes_feed_path(site, lang),
    }];
    if let Some(p) = principle {
        links.push(FeedLink {
            title: principle_feed_title(site, p, lang, separator).0,
            path: principle_feed_path(site, &site.principles[p].slug, lang),
        });
    }
    links
}

/// A text of a feed, with the language it is written in.
type InLanguage<'a> = (&'a str, &'a str);

fn notes_feed_title<'a>(site: &'a Site, lang: &'a str) -> InLanguage<'a> {
    let texts = site.config.texts_in(lang);
    (texts.title, texts.title_lang)
}

/// "Site title: 3. Principle title", with `separator` after the site title. The language is the
/// principle title's, which says most.
fn principle_feed_title(site: &Site, p: usize, lang: &str, separator: &str) -> (String, String) {
    let principle = &site.principles[p];
    let (title, title_lang) = site
        .translation(Kind::Principle, &principle.slug, lang)
        .and_then(|t| Some((t.title.as_deref()?, t.lang.as_str())))
        .unwrap_or((&principle.meta.title, site.config.default_language()));
    let (site_title, _) = notes_feed_title(site, lang);
    (
        format!("{site_title}{separator}{}. {title}", principle.meta.number),
        title_lang.to_string(),
    )
}

/// Every feed the site publishes, in every language; `separator` gives a language's
/// `label_separator` (see [`alternates`]).
pub fn files(site: &Site, separator: &dyn Fn(&str) -> String) -> Vec<OutputFile> {
    let mut feeds = Vec::new();
    for lang in &site.config.languages {
        let (title, title_lang) = notes_feed_title(site, lang);
        let texts = site.config.texts_in(lang);
        feeds.push(Feed {
            lang,
            path: notes_feed_path(site, lang),
            title: (title.to_string(), title_lang.to_string()),
            subtitle: (texts.description, texts.description_lang),
            page: PageId::NotesIndex,
            notes: (0..site.notes.len()).collect(),
        });
        for (p, principle) in site.principles.iter().enumerate() {
            let mut notes = principle.notes.clone();
            notes.extend(
                principle
                    .related_notes
                    .iter()
                    .filter(|n| !principle.notes.contains(n)),
            );
            let subtitle = site
                .translation(Kind::Principle, &principle.slug, lang)
                .and_then(|t| Some((t.summary.as_deref()?, t.lang.as_str())))
                .unwrap_or((&principle.meta.summary, site.config.default_language()));
            feeds.push(Feed {
                lang,
                path: principle_feed_path(site, &principle.slug, lang),
                title: principle_feed_title(site, p, lang, &separator(lang)),
                subtitle,
                page: PageId::Principle(p),
                notes,
            });
        }
    }
    feeds.iter().map(|feed| feed.write(site)).collect()
}

struct Feed<'a> {
    /// The language of the feed: its pages, and its texts where the content is translated.
    lang: &'a str,
    path: String,
    title: (String, String),
    subtitle: InLanguage<'a>,
    /// The HTML page the feed is an alternate of.
    page: PageId,
    notes: Vec<usize>,
}

impl Feed<'_> {
    fn write(&self, site: &Site) -> OutputFile {
        // The site is the author, named as the feed's language names it.
        let author = escape(site.config.texts_in(self.lang).title);
        let mut notes = self.notes.clone();
        // Newest first: by `updated` (else `published`), then `published`, then series order.
        notes.sort_by(|&a, &b| {
            let key = |n: usize| (entry_date(&site.notes[n]), site.notes[n].meta.published);
            key(b).cmp(&key(a)).then(a.cmp(&b))
        });
        let newest = notes
            .iter()
            .filter_map(|&n| entry_date(&site.notes[n]))
            .max()
            .or_else(|| site.notes.iter().filter_map(entry_date).max());

        let mut xml = String::with_capacity(1024 + 1024 * notes.len());
        xml.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
        xml.push_str(&format!(
            "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n",
            escape(self.lang)
        ));
        xml.push_str(&format!("  <id>{}</id>\n", id(site, &self.path)));
        self.push_text(&mut xml, "  ", "title", (&self.title.0, &self.title.1));
        self.push_text(&mut xml, "  ", "subtitle", self.subtitle);
        xml.push_str(&format!(
            "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>\n",
            escape(&href(site, &self.path, &self.path))
        ));
        xml.push_str(&format!(
            "  <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(&href(site, &self.path, &self.page.path_in(site, self.lang)))
        ));
        xml.push_str(&format!("  <updated>{}</updated>\n", timestamp(newest)));
        xml.push_str(&format!("  <author><name>{author}</name></author>\n"));
        xml.push_str(&format!(
            "  <generator version=\"{}\">guidance</generator>\n",
            env!("CARGO_PKG_VERSION")
        ));
        for &n in &notes {
            self.write_entry(site, n, &author, &mut xml);
        }
        xml.push_str("</feed>\n");
        OutputFile {
            path: self.path.clone(),
            bytes: xml.into_bytes(),
        }
    }

    fn write_entry(&self, site: &Site, n: usize, author: &str, xml: &mut String) {
        let note = &site.notes[n];
        let page = PageId::Note(n).path_in(site, self.lang);
        let principle = &site.principles[note.principle];
        let (title, summary, text_lang) = match site.translation(Kind::Note, &note.slug, self.lang)
        {
            Some(t) => (
                t.title.as_deref().unwrap_or(&note.meta.title),
                t.summary.as_deref().unwrap_or(&note.meta.summary),
                t.lang.as_str(),
            ),
            None => (
                note.meta.title.as_str(),
                note.meta.summary.as_str(),
                site.config.default_language(),
            ),
        };
        xml.push_str("  <entry>\n");
        xml.push_str(&format!(
            "    <id>{}</id>\n",
            id(site, &link_path(&page, LinkStyle::Clean))
        ));
        self.push_text(xml, "    ", "title", (title, text_lang));
        xml.push_str(&format!(
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n",
            escape(&href(site, &self.path, &page))
        ));
        xml.push_str(&format!(
            "    <link rel=\"alternate\" type=\"application/json\" href=\"{}\"/>\n",
            escape(&href(
                site,
                &self.path,
                &crate::api::note_api_path(&note.slug)
            ))
        ));
        if let Some(published) = note.meta.published {
            xml.push_str(&format!(
                "    <published>{}</published>\n",
                timestamp(Some(published))
            ));
        }
        xml.push_str(&format!(
            "    <updated>{}</updated>\n",
            timestamp(entry_date(note))
        ));
        xml.push_str(&format!("    <author><name>{author}</name></author>\n"));
        let principle_title = site
            .translation(Kind::Principle, &principle.slug, self.lang)
            .and_then(|t| t.title.as_deref())
            .unwrap_or(&principle.meta.title);
        let principles = PageId::PrinciplesIndex.path_in(site, self.lang);
        push_category(site, xml, &principle.slug, principle_title, &principles);
        let countries = PageId::CountriesIndex.path_in(site, self.lang);
        for &c in &note.countries {
            let name = site.country_name(c, self.lang);
            push_category(site, xml, &site.countries[c].code, name, &countries);
        }
        // Atom's text constructs are plain text unless a `type` says otherwise.
        self.push_text(xml, "    ", "summary", (summary, text_lang));
        xml.push_str("  </entry>\n");
    }

    /// `<name>text</name>`, saying its language when it is not the feed's (an untranslated
    /// note in the French feed keeps its English title, marked as English).
    fn push_text(&self, xml: &mut String, indent: &str, tag: &str, (text, lang): InLanguage) {
        xml.push_str(&format!("{indent}<{tag}"));
        if lang != self.lang {
            xml.push_str(&format!(" xml:lang=\"{}\"", escape(lang)));
        }
        xml.push_str(&format!(">{}</{tag}>\n", escape(text)));
    }
}

/// A category whose scheme is the index page of its kind. Atom wants the scheme as an absolute
/// IRI, so it is only given when the site has a base URL.
fn push_category(site: &Site, xml: &mut String, term: &str, label: &str, index: &str) {
    xml.push_str(&format!(
        "    <category term=\"{}\" label=\"{}\"",
        escape(term),
        escape(label)
    ));
    if site.config.base_url().is_some() {
        xml.push_str(&format!(" scheme=\"{}\"", escape(&href(site, "", index))));
    }
    xml.push_str("/>\n");
}

/// The date an entry was last changed: `updated`, else `published`.
fn entry_date(note: &Note) -> Option<PartialDate> {
    note.meta.updated.or(note.meta.published)
}

/// An RFC 3339 timestamp for a content date.
fn timestamp(date: Option<PartialDate>) -> String {
    date.map_or_else(
        || NO_DATE.to_string(),
        |d| format!("{}T00:00:00Z", d.first_day()),
    )
}

/// The link from the feed at `from` to the file at `target` (both from the site root).
fn href(site: &Site, from: &str, target: &str) -> String {
    let link = link_path(target, LinkStyle::Clean);
    let link = if link == "./" { "" } else { link.as_str() };
    if let Some(base) = site.config.base_url() {
        return format!("{base}{link}");
    }
    // Up only as far as the folders the two share: `fr/feeds/notes.xml` reaches
    // `fr/notes/x/` by `../notes/x/`.
    let mut from = from;
    let mut link = link;
    while let (Some((a, from_rest)), Some((b, link_rest))) =
        (from.split_once('/'), link.split_once('/'))
    {
        if a != b || link_rest.is_empty() {
            break;
        }
        (from, link) = (from_rest, link_rest);
    }
    format!("{}{link}", root_of(from))
}

/// A permanent id for a feed or an entry: `urn:uuid:` of the site's name and the path.
fn id(site: &Site, path: &str) -> String {
    format!(
        "urn:uuid:{}",
        uuid_v5(
            &NAMESPACE_URL,
            &format!("{}:{path}", site.config.offline_name)
        )
    )
}

/// A name-based UUID, version 5 (SHA-1), as RFC 4122 §4.3 defines it.
fn uuid_v5(namespace: &[u8; 16], name: &str) -> String {
    let mut hasher = Sha1::new();
    hasher.update(namespace);
    hasher.update(name.as_bytes());
    let hash = hasher.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&hash[..16]);
    bytes[6] = (bytes[6] & 0x0f) | 0x50;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuid_v5_matches_rfc_4122() {
        // The well-known example: uuid5(NAMESPACE_DNS, "python.org").
        let dns = [
            0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4,
            0x30, 0xc8,
        ];
        assert_eq!(
            uuid_v5(&dns, "python.org"),
            "886313e1-3b8a-5372-9b90-0c9aee199e5d"
        );
    }

    #[test]
    fn partial_dates_become_midnight_of_their_first_day() {
        assert_eq!(
            timestamp(PartialDate::parse("2021-02")),
            "2021-02-01T00:00:00Z"
        );
        assert_eq!(timestamp(None), NO_DATE);
    }
}
