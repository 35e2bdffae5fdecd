//! The pages that serve readers away from the web: the Download page (the offline copy and the
//! print edition) and the print edition itself, every principle and note on one page.

use minijinja::{Value, context};
use serde::Serialize;

use rayon::prelude::*;

use super::{Document, LinkStyle, Localized, PageContext, PageId, Renderer};
use crate::bundle;
use crate::model::{Body, Site, Status, Target};

/// Where each document starts in the print edition: `principle--<slug>` or `note--<slug>`.
/// Generated heading ids never contain `--`, so these cannot collide with a document's own ids,
/// which the print edition scopes as `<document id>--<heading id>`.
fn print_id(kind: &str, slug: &str, anchor: Option<&str>) -> String {
    match anchor {
        Some(a) => format!("{kind}--{slug}--{a}"),
        None => format!("{kind}--{slug}"),
    }
}

/// Stands in the print template's output for the body of document `k` (principles, then notes),
/// until [`Renderer::write_print_edition`] puts the body there. Everything else in that output is
/// escaped text or markup from the theme, so no content can forge one.
fn body_marker(k: usize) -> String {
    format!("{BODY_MARKER}{k}-->")
}

const BODY_MARKER: &str = "<!--print-body-";

/// Bodies made at once while the print edition is written: enough for both cores, few enough
/// that a batch is a small part of memory.
const BODY_BATCH: usize = 64;

/// One principle or note as the print edition shows it, in the page's language where translated.
#[derive(Serialize)]
struct PrintDocument {
    id: String,
    slug: String,
    title: String,
    summary: String,
    /// The document's language, which differs from the page's where it is not translated.
    lang: String,
    dir: &'static str,
    body: String,
}

impl Renderer<'_> {
    pub(super) fn download(&self, page: &PageContext) -> Value {
        let site = self.site;
        let intro = site.page(DOWNLOAD_PAGE).map(|i| {
            let p = &site.pages[i];
            let text = self.localized(page, p);
            (text.title, self.body_html(page, &text))
        });
        let offline = self.options.offline_size.map(|bytes| {
            context! {
                href => page.href(bundle::site_path(site)),
                file_name => bundle::file_name(site),
                size => bundle::human_size(bytes),
                bytes => bytes,
            }
        });
        context! {
            title => intro.as_ref().map_or(self.t(page, "download_title"), |(title, _)| title),
            description => self.t(page, "download_description"),
            intro => intro.map(|(_, body)| body),
            offline => offline,
            is_offline_copy => self.options.link_style == LinkStyle::File,
            content_date => bundle::content_date(site).map(|d| d.to_string()),
            print_url => self.href_to(page, PageId::Print),
            start_page => PageId::Home.path_in(site, &page.lang),
        }
    }

    /// The plain-text note at the top of the zip's folder, in the site's default language, with
    /// a line in each other language naming its home page (CRLF, so every text editor shows
    /// lines).
    pub fn offline_readme(&self) -> String {
        let (site, config) = (self.site, &self.site.config);
        let lang = config.default_language();
        let t = |key: &str| self.t_in(lang, key).to_string();
        let start = |lang: &str| PageId::Home.path_in(site, lang);
        let title = t("readme_title").replace("{title}", config.texts_in(lang).title);
        let mut text = format!("{title}\n{}\n\n", "=".repeat(title.chars().count()));
        if let Some(date) = bundle::content_date(site) {
            let line = t("readme_date").replace("{date}", &date.to_string());
            text.push_str(&format!("{line}\n\n"));
        }
        let print = PageId::Print.path_in(site, lang);
        for paragraph in [
            t("readme_open").replace("{start}", &start(lang)),
            t("readme_offline"),
            t("readme_print").replace("{print}", &print),
        ] {
            text.push_str(&wrap(&paragraph, README_WIDTH));
            text.push_str("\n\n");
        }
        text.pop();
        if config.languages.len() > 1 {
            text.push('\n');
            for other in &config.languages {
                let line = self.t_in(other, "readme_language");
                text.push_str(&line.replace("{start}", &start(other)));
                text.push('\n');
            }
        }
        if let Some(base) = config.base_url() {
            text.push('\n');
            text.push_str(&t("readme_latest").replace("{url}", &base));
            text.push('\n');
        }
        // A byte order mark, so that older Windows editors read the other languages' lines as
        // UTF-8.
        format!("\u{feff}{}", text.replace('\n', "\r\n"))
    }

    pub(super) fn print_edition(&self, page: &PageContext) -> Value {
        let site = self.site;
        let principle_link = |i: usize| {
            let p = &site.principles[i];
            let text = self.localized(page, p);
            context! {
                number => p.meta.number,
                pillar => p.meta.pillar,
                title => text.title,
                lang => text.lang,
                href => format!("#{}", print_id("principle", &p.slug, None)),
            }
        };
        let note_link = |i: usize| {
            let n = &site.notes[i];
            let text = self.localized(page, n);
            context! {
                title => text.title,
                lang => text.lang,
                href => format!("#{}", print_id("note", &n.slug, None)),
            }
        };
        let principles: Vec<Value> = (0..site.principles.len())
            .map(|i| {
                let p = &site.principles[i];
                let text = self.localized(page, p);
                let id = print_id("principle", &p.slug, None);
                let strategies: Vec<Value> = self
                    .strategy_names(page, i)
                    .iter()
                    .zip(&p.strategy_notes)
                    .map(|(name, notes)| context! { name => name, notes => notes.iter().map(|&n| note_link(n)).collect::<Vec<_>>() })
                    .collect();
                context! {
                    number => p.meta.number,
                    pillar => p.meta.pillar,
                    pillar_title => self.t(page, &format!("pillar_{}", p.meta.pillar.slug())),
                    strategies => strategies,
                    sdg_targets => p.meta.sdg_targets,
                    ..Value::from_serialize(PrintDocument {
                        body: body_marker(i),
                        id,
                        slug: p.slug.clone(),
                        title: text.title.to_string(),
                        summary: text.summary.to_string(),
                        lang: text.lang.to_string(),
                        dir: crate::i18n::direction(text.lang),
                    })
                }
            })
            .collect();
        let notes: Vec<Value> = (0..site.notes.len())
            .map(|i| {
                let n = &site.notes[i];
                let text = self.localized(page, n);
                let id = print_id("note", &n.slug, None);
                context! {
                    provisional => n.meta.status == Status::Provisional,
                    principle => principle_link(n.principle),
                    strategy => n.strategy.map(|s| &self.strategy_names(page, n.principle)[s]),
                    related_principles => n.related_principles.iter().map(|&p| principle_link(p)).collect::<Vec<_>>(),
                    countries => n.countries.iter().map(|&c| site.country_name(c, &page.lang)).collect::<Vec<_>>(),
                    sdg_targets => n.meta.sdg_targets,
                    published => n.meta.published.map(|d| d.to_string()),
                    updated => n.meta.updated.map(|d| d.to_string()),
                    sources => n.meta.sources,
                    ..Value::from_serialize(PrintDocument {
                        body: body_marker(site.principles.len() + i),
                        id,
                        slug: n.slug.clone(),
                        title: text.title.to_string(),
                        summary: text.summary.to_string(),
                        lang: text.lang.to_string(),
                        dir: crate::i18n::direction(text.lang),
                    })
                }
            })
            .collect();
        context! {
            title => self.t(page, "print_title"),
            description => self.t(page, "print_description"),
            content_date => bundle::content_date(site).map(|d| d.to_string()),
            principles => principles,
            notes => notes,
        }
    }

    /// Writes the print edition from its template's output, `html`, which holds a marker where
    /// each document's body goes: the bodies are made a batch at a time, in parallel, and written
    /// in their places, so the edition never has to be held in memory whole.
    pub(super) fn write_print_edition(
        &self,
        page: &PageContext,
        html: &str,
        out: &mut dyn std::io::Write,
    ) -> std::io::Result<()> {
        let site = self.site;
        // (start, end, document) of every marker, in the order they appear.
        let mut holes = Vec::new();
        let mut from = 0;
        while let Some(at) = html[from..].find(BODY_MARKER) {
            let start = from + at;
            let number = &html[start + BODY_MARKER.len()..];
            let digits = number.bytes().take_while(u8::is_ascii_digit).count();
            let end = start + BODY_MARKER.len() + digits + "-->".len();
            let k: usize = number[..digits].parse().map_err(std::io::Error::other)?;
            holes.push((start, end, k));
            from = end;
        }
        let body = |k: usize| match k.checked_sub(site.principles.len()) {
            None => self.document_body(page, "principle", &site.principles[k]),
            Some(n) => self.document_body(page, "note", &site.notes[n]),
        };
        let mut written = 0;
        for batch in holes.chunks(BODY_BATCH) {
            let bodies: Vec<String> = batch.par_iter().map(|&(_, _, k)| body(k)).collect();
            for (&(start, end, _), body) in batch.iter().zip(bodies) {
                out.write_all(&html.as_bytes()[written..start])?;
                out.write_all(body.as_bytes())?;
                written = end;
            }
        }
        out.write_all(&html.as_bytes()[written..])
    }

    /// The body of a principle or note (`kind`) in the print edition, in the page's language
    /// where translated.
    fn document_body(&self, page: &PageContext, kind: &str, document: &impl Document) -> String {
        let text = self.localized(page, document);
        let id = print_id(kind, document.slug(), None);
        self.print_body(page, &id, &text)
    }

    /// A document body for the print edition: links to principles and notes point into this
    /// page, the document's own ids are scoped by `id`, and headings sit two levels lower (under
    /// the part and the document title).
    fn print_body(&self, page: &PageContext, id: &str, text: &Localized) -> String {
        let (site, body) = (self.site, text.body);
        let resolve = |dest: &str| {
            body.links.get(dest).map(|target| match target {
                Target::Principle { index, anchor } => {
                    let p = &site.principles[*index];
                    let shown = self.localized(page, p);
                    format!(
                        "#{}",
                        print_id("principle", &p.slug, heading_in(shown.body, anchor))
                    )
                }
                Target::Note { index, anchor } => {
                    let n = &site.notes[*index];
                    let shown = self.localized(page, n);
                    format!(
                        "#{}",
                        print_id("note", &n.slug, heading_in(shown.body, anchor))
                    )
                }
                other => self.target_href(page, other),
            })
        };
        let html = crate::markdown::to_html(
            Site::markdown(text.source, body),
            &body.headings,
            &self.anchor_label(text.lang),
            &resolve,
        );
        scope_html(&html, id, 2)
    }
}

/// The width README.txt's paragraphs are wrapped to, for editors that do not wrap lines.
const README_WIDTH: usize = 78;

/// `text` with its spaces turned into line breaks where a line would pass `width` characters
/// (text written without spaces, such as Chinese, stays one line).
fn wrap(text: &str, width: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut line = 0;
    for word in text.split(' ') {
        let length = word.chars().count();
        if line > 0 && line + 1 + length > width {
            out.push('\n');
            line = 0;
        } else if line > 0 {
            out.push(' ');
            line += 1;
        }
        out.push_str(word);
        line += length;
    }
    out
}

/// `anchor` if the body shown has a heading with that id (a translation's headings differ), so
/// every fragment in the print edition lands somewhere.
fn heading_in<'a>(body: &Body, anchor: &'a Option<String>) -> Option<&'a str> {
    anchor
        .as_deref()
        .filter(|a| body.headings.iter().any(|h| h.id == *a))
}

/// The page `pages/download.md`, if a project has one, introduces the Download page.
pub const DOWNLOAD_PAGE: &str = "download";

/// Rewrites HTML made by `markdown::to_html` for a page that holds many documents: every
/// `id="x"` becomes `id="<prefix>--x"`, every `href="#x"` follows it (unless `x` already names a
/// document of the print edition), and headings move `shift` levels down (at most to `h6`).
fn scope_html(html: &str, prefix: &str, shift: u8) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 8);
    let mut rest = html;
    // Only tags change: text between them is copied as it is.
    while let Some(open) = memchr::memchr(b'<', rest.as_bytes()) {
        out.push_str(&rest[..open]);
        let tag = &rest[open..];
        let end = memchr::memchr(b'>', tag.as_bytes()).map_or(tag.len(), |close| close + 1);
        scope_tag(&tag[..end], prefix, shift, &mut out);
        rest = &tag[end..];
    }
    out.push_str(rest);
    out
}

/// [`scope_html`] for one tag, from its `<` to its `>`.
fn scope_tag(tag: &str, prefix: &str, shift: u8, out: &mut String) {
    let mut rest = tag;
    if let Some(level) = heading_tag(tag) {
        let close = tag.as_bytes()[1] == b'/';
        out.push_str(if close { "</h" } else { "<h" });
        out.push(char::from(b'0' + (level + shift).min(6)));
        rest = &tag[if close { 3 } else { 2 } + 1..];
    }
    while let Some(at) = memchr::memchr(b' ', rest.as_bytes()) {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        if let Some(after) = rest.strip_prefix(" id=\"") {
            out.push_str(" id=\"");
            out.push_str(prefix);
            out.push_str("--");
            rest = after;
        } else if let Some(after) = rest.strip_prefix(" href=\"#") {
            out.push_str(" href=\"#");
            if !(after.starts_with("principle--") || after.starts_with("note--")) {
                out.push_str(prefix);
                out.push_str("--");
            }
            rest = after;
        } else {
            out.push(' ');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
}

/// The level of a heading tag at the start of `text` (`<h2 ` , `<h2>`, `</h2>`).
fn heading_tag(text: &str) -> Option<u8> {
    let tag = text
        .strip_prefix("</h")
        .or_else(|| text.strip_prefix("<h"))?
        .as_bytes();
    match tag {
        [d @ b'1'..=b'6', b' ' | b'>', ..] => Some(d - b'0'),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoped_html_has_unique_ids_and_lower_headings() {
        let html = "<h2 id=\"why\">Why <a class=\"anchor\" href=\"#why\">#</a></h2>\n<p>See <a href=\"#note--other--how\">x</a>, \
                    <a href=\"../../countries/guy/index.html\">Guyana</a><sup class=\"footnote-reference\"><a href=\"#1\">1</a></sup></p>\n\
                    <h5 id=\"deep\">Deep</h5><div class=\"footnote-definition\" id=\"1\"></div><hr>";
        let scoped = scope_html(html, "note--a", 2);
        assert_eq!(
            scoped,
            "<h4 id=\"note--a--why\">Why <a class=\"anchor\" href=\"#note--a--why\">#</a></h4>\n<p>See <a href=\"#note--other--how\">x</a>, \
             <a href=\"../../countries/guy/index.html\">Guyana</a><sup class=\"footnote-reference\"><a href=\"#note--a--1\">1</a></sup></p>\n\
             <h6 id=\"note--a--deep\">Deep</h6><div class=\"footnote-definition\" id=\"note--a--1\"></div><hr>"
        );
    }

    #[test]
    fn readme_paragraphs_wrap_at_spaces() {
        assert_eq!(wrap("aa bb cc dd", 5), "aa bb\ncc dd");
        assert_eq!(wrap("abcdefgh ij", 5), "abcdefgh\nij");
        assert_eq!(wrap("离线副本离线副本", 5), "离线副本离线副本");
    }

    #[test]
    fn text_that_looks_like_markup_is_left_alone() {
        let html = "<p>a &lt;h2 id=&quot;x&quot;&gt; é <header>hid=\"x\"</header></p>";
        assert_eq!(scope_html(html, "p", 2), html);
    }
}
