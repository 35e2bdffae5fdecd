//! Markdown in two passes over the same parser: `analyse` (headings, sections, links with spans,
//! for the link stage) and `to_html` (for the render stage, with links already resolved).

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, OnceLock};

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use crate::model::{Heading, Section, SectionText, section_text};

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_STRIKETHROUGH
}

/// A link or image destination as written, with its byte range relative to the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LinkRef {
    pub dest: String,
    pub range: Range<usize>,
    /// An image (`![text](dest)`), which must show a file rather than lead to a page.
    pub image: bool,
}

#[derive(Clone, Debug, Default)]
pub struct Analysis {
    pub headings: Vec<Heading>,
    pub sections: Vec<Section>,
    /// The sections' text, one after another (see [`Section`]).
    pub text: String,
    /// Links and images, in the order they are written.
    pub links: Vec<LinkRef>,
    /// `[text][name]` references whose `[name]: address` line is missing (they show as text).
    pub undefined_references: Vec<LinkRef>,
    pub has_code: bool,
}

/// Reads a body once for everything the link stage needs.
pub fn analyse(markdown: &str) -> Analysis {
    let mut analysis = Analysis::default();
    let mut ids = HeadingIds::default();
    let mut section = Section {
        heading: None,
        text: 0..0,
    };
    let mut heading: Option<(u8, Option<String>, String, usize)> = None;
    let mut undefined = Vec::new();
    let mut note_undefined = |link: pulldown_cmark::BrokenLink<'_>| {
        // `[sic]` alone is ordinary text; only the explicit `[text][name]` forms name a reference.
        if matches!(
            link.link_type,
            pulldown_cmark::LinkType::Reference | pulldown_cmark::LinkType::Collapsed
        ) {
            undefined.push(LinkRef {
                dest: link.reference.to_string(),
                range: link.span,
                image: false,
            });
        }
        None
    };
    let parser =
        Parser::new_with_broken_link_callback(markdown, options(), Some(&mut note_undefined));
    for (event, range) in parser.into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { level, id, .. }) => {
                heading = Some((
                    level_number(level),
                    id.map(|i| i.to_string()),
                    String::new(),
                    range.start,
                ));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, explicit, text, offset)) = heading.take() {
                    let text = text.trim().to_string();
                    let id = ids.assign(explicit.as_deref(), &text);
                    let finished = std::mem::replace(
                        &mut section,
                        Section {
                            heading: Some(analysis.headings.len()),
                            text: 0..0,
                        },
                    );
                    push_section(&mut analysis, finished);
                    section.text = analysis.text.len()..analysis.text.len();
                    analysis.headings.push(Heading {
                        level,
                        text,
                        id,
                        offset,
                    });
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => {
                analysis.links.push(LinkRef {
                    dest: dest_url.to_string(),
                    range,
                    image: false,
                });
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                analysis.links.push(LinkRef {
                    dest: dest_url.to_string(),
                    range,
                    image: true,
                });
            }
            Event::Start(Tag::CodeBlock(_)) => analysis.has_code = true,
            Event::Text(text) | Event::Code(text) => match &mut heading {
                Some((_, _, heading_text, _)) => heading_text.push_str(&text),
                None => push_collapsed(&mut analysis.text, section.text.start, &text),
            },
            Event::SoftBreak | Event::HardBreak => match &mut heading {
                Some((_, _, heading_text, _)) => heading_text.push(' '),
                None => push_collapsed(&mut analysis.text, section.text.start, " "),
            },
            Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::TableCell | TagEnd::CodeBlock,
            ) => {
                push_collapsed(&mut analysis.text, section.text.start, " ");
            }
            _ => {}
        }
    }
    push_section(&mut analysis, section);
    // Exactly its length: the text grew by doubling, and a large site holds every body's text
    // until the search index and the API are made.
    analysis.text.shrink_to_fit();
    analysis.undefined_references = undefined;
    analysis
}

impl Analysis {
    /// The sections in order, with their headings and text.
    pub fn sections(&self) -> impl ExactSizeIterator<Item = SectionText<'_>> {
        self.sections
            .iter()
            .map(|section| section_text(&self.headings, &self.text, section))
    }
}

/// Appends `text` to `out` with every run of whitespace as one space and none at the start of what
/// `out` holds from byte `from` (the current section's text), so section text needs no second
/// pass (it is most of what the link stage does for a long body).
fn push_collapsed(out: &mut String, from: usize, text: &str) {
    let bytes = text.as_bytes();
    // Text is copied a run at a time: from `start` up to the next whitespace that needs changing.
    let mut start = 0;
    // Whitespace was left out just before `start`: a space is due before the next word.
    let mut space = false;
    // Most bytes are letters, digits and punctuation, and most spaces single between words.
    let plain = |b: u8| b > b' ' && b.is_ascii();
    let mut i = 0;
    while i < bytes.len() {
        if plain(bytes[i]) {
            i += 1;
            continue;
        }
        if bytes[i] == b' ' && i > start && bytes.get(i + 1).is_some_and(|&b| plain(b)) {
            i += 2;
            continue;
        }
        let first = whitespace_len(text, i);
        if first == 0 {
            i += 1;
            continue;
        }
        let mut end = i + first;
        while end < bytes.len() {
            match whitespace_len(text, end) {
                0 => break,
                more => end += more,
            }
        }
        // One space between two words is already what it should be.
        let between_words = end - i == 1 && bytes[i] == b' ' && i > start && end < bytes.len();
        if !between_words {
            push_words(out, from, &text[start..i], &mut space);
            space = true;
            start = end;
        }
        i = end;
    }
    push_words(out, from, &text[start..], &mut space);
    if space && may_space(out, from) {
        out.push(' ');
    }
}

/// Appends `words` (no whitespace at either end), after the space due if there is one.
fn push_words(out: &mut String, from: usize, words: &str, space: &mut bool) {
    if words.is_empty() {
        return;
    }
    if *space && may_space(out, from) {
        out.push(' ');
    }
    out.push_str(words);
    *space = false;
}

/// Whether a space may come next: not at the section's start (byte `from`), nor after another.
fn may_space(out: &str, from: usize) -> bool {
    out.len() > from && !out.ends_with(' ')
}

/// The length of the whitespace character (as `char::is_whitespace`) at byte `i`, or 0.
fn whitespace_len(text: &str, i: usize) -> usize {
    let byte = text.as_bytes()[i];
    if byte.is_ascii() {
        return usize::from(matches!(byte, b' ' | b'\t'..=b'\r'));
    }
    // Whitespace beyond ASCII (U+0085 to U+3000) starts with one of these bytes, which only
    // ever start a character: any other byte, `i` inside a character included, is not it.
    if !matches!(byte, 0xC2 | 0xE1 | 0xE2 | 0xE3) {
        return 0;
    }
    text[i..]
        .chars()
        .next()
        .filter(|c| c.is_whitespace())
        .map_or(0, char::len_utf8)
}

/// Ends `section`, whose text runs from its start to the end of the analysis' text: kept when it
/// has text or a heading with text.
fn push_section(analysis: &mut Analysis, mut section: Section) {
    let start = section.text.start;
    let end = start + analysis.text[start..].trim_end().len();
    analysis.text.truncate(end);
    section.text = start..end;
    let headed = section
        .heading
        .is_some_and(|i| !analysis.headings[i].text.is_empty());
    if !section.text.is_empty() || headed {
        analysis.sections.push(section);
    }
}

fn level_number(level: HeadingLevel) -> u8 {
    level as u8
}

/// Ids the theme's templates give elements of the pages bodies are shown on: a heading with one
/// of them gets the next free variant (`main-2`), so that the skip link and the sections'
/// labels keep pointing at the template's element. A test checks the templates against it.
pub const TEMPLATE_IDS: &[&str] = &[
    "backlinks-title",
    "feeds",
    "files",
    "glance-title",
    "json-ld",
    "main",
    "matrix-caption",
    "matrix-title",
    "notes-title",
    "offline-title",
    "part-notes",
    "part-principles",
    "print-title",
    "print-toc-title",
    "related-title",
    "search-filters-title",
    "search-page-input",
    "search-results-title",
    "site-search",
    "site-search-listbox",
    "sources-title",
    "strategies-title",
];

/// Assigns each heading a stable, unique id: the heading text lower-cased, with every run of
/// characters that are not letters or digits turned into one `-`; repeats get `-2`, `-3`.
struct HeadingIds {
    seen: HashMap<String, usize>,
}

impl Default for HeadingIds {
    fn default() -> HeadingIds {
        HeadingIds {
            seen: TEMPLATE_IDS.iter().map(|id| (id.to_string(), 1)).collect(),
        }
    }
}

impl HeadingIds {
    fn assign(&mut self, explicit: Option<&str>, text: &str) -> String {
        let base = match explicit {
            Some(id) => id.to_string(),
            None => anchor_id(text),
        };
        let count = self.seen.entry(base.clone()).or_insert(0);
        *count += 1;
        if *count == 1 {
            base
        } else {
            format!("{base}-{count}")
        }
    }
}

pub fn anchor_id(text: &str) -> String {
    let mut id = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            id.push(c);
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    let id = id.trim_end_matches('-');
    if id.is_empty() {
        "section".to_string()
    } else {
        id.to_string()
    }
}

/// Renders a body to HTML. `headings` are the body's as `analyse` found them (their ids, in
/// order); `anchor_label` begins each heading anchor's accessible name ("Link to this section: ",
/// with the language's separator); `resolve` maps a link or image destination as written to the
/// `href` or `src` to emit (the link stage has already checked that every destination resolves).
pub fn to_html(
    markdown: &str,
    headings: &[Heading],
    anchor_label: &str,
    resolve: &dyn Fn(&str) -> Option<String>,
) -> String {
    let mut ids = headings.iter().map(|h| h.id.as_str());
    let mut events: Vec<Event> = Vec::new();
    let mut heading: Option<(u8, Vec<Event>, String)> = None;
    let mut code: Option<(Option<String>, String)> = None;
    for event in Parser::new_ext(markdown, options()) {
        if let Some((_, text)) = &mut code {
            match event {
                Event::Text(t) => text.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (lang, text) = code.take().unwrap_or_default();
                    events.push(Event::Html(highlight(lang.as_deref(), &text).into()));
                }
                _ => {}
            }
            continue;
        }
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let href = resolve(&dest_url).map_or(dest_url, CowStr::from);
                Event::Start(Tag::Link {
                    link_type,
                    dest_url: href,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let src = resolve(&dest_url).map_or(dest_url, CowStr::from);
                Event::Start(Tag::Image {
                    link_type,
                    dest_url: src,
                    title,
                    id,
                })
            }
            other => other,
        };
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level_number(level), Vec::new(), String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, inner, text)) = heading.take() {
                    // The same parse as `analyse`'s meets the same headings in the same order.
                    let id = ids
                        .next()
                        .map_or_else(|| anchor_id(text.trim()), str::to_string);
                    let mut html = String::new();
                    pulldown_cmark::html::push_html(&mut html, inner.into_iter());
                    let label = escape(&format!("{anchor_label}{}", text.trim()));
                    events.push(Event::Html(
                        format!(
                            "<h{level} id=\"{id}\">{html} <a class=\"anchor\" href=\"#{id}\" aria-label=\"{label}\">#</a></h{level}>\n",
                            id = escape(&id)
                        )
                        .into(),
                    ));
                }
            }
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().map(str::to_string)
                    }
                    CodeBlockKind::Indented => None,
                };
                code = Some((lang, String::new()));
            }
            other => match &mut heading {
                Some((_, inner, text)) => {
                    if let Event::Text(t) | Event::Code(t) = &other {
                        text.push_str(t);
                    }
                    inner.push(other);
                }
                None => events.push(other),
            },
        }
    }
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// The syntax definitions, deserialized on first use only: a site without code never pays.
fn syntax_set() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// A fenced code block as HTML with `hl-` CSS classes (colours live in the theme's CSS).
///
/// A build renders the same body several times (the page, the print edition in each language,
/// the offline copy), so highlighted blocks are remembered: syntect is the slowest part of
/// rendering a body, and a block always highlights to the same HTML.
fn highlight(lang: Option<&str>, code: &str) -> String {
    type Cache = Mutex<HashMap<(Option<String>, String), Arc<str>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    let key = (lang.map(str::to_string), code.to_string());
    if let Some(html) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return html.to_string();
    }
    let html = highlight_uncached(lang, code);
    if let Ok(mut cache) = cache.lock() {
        // Bounded: a site with an unusual amount of code keeps working, just without the cache.
        if cache.len() < 50_000 {
            cache.insert(key, Arc::from(html.as_str()));
        }
    }
    html
}

fn highlight_uncached(lang: Option<&str>, code: &str) -> String {
    let class = lang
        .map(|l| format!(" class=\"language-{}\"", escape(l)))
        .unwrap_or_default();
    let highlighted = lang.and_then(|lang| {
        let set = syntax_set();
        let syntax = set.find_syntax_by_token(lang)?;
        let mut generator = ClassedHTMLGenerator::new_with_class_style(
            syntax,
            set,
            ClassStyle::SpacedPrefixed { prefix: "hl-" },
        );
        for line in LinesWithEndings::from(code) {
            generator
                .parse_html_for_line_which_includes_newline(line)
                .ok()?;
        }
        Some(generator.finalize())
    });
    let body = highlighted.unwrap_or_else(|| escape(code));
    format!("<pre class=\"code\" tabindex=\"0\"><code{class}>{body}</code></pre>\n")
}

/// A file's path as a URL path: every byte but the letters, digits, `/` and the few marks that
/// mean nothing special in a path percent-encoded (`my chart.png` is `my%20chart.png`, and a `#`
/// or `%` in a name stays part of it). A file is linked by its own name in every link style, and
/// suggested in diagnostics as it would be written.
pub fn encode_path(path: &str) -> String {
    percent_encoding::utf8_percent_encode(path, PATH_KEEPS).to_string()
}

/// What a path in a link may hold as it is (RFC 3986 `pchar` and `/`): the rest is escaped.
const PATH_KEEPS: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'/')
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_paths_are_encoded_for_links() {
        assert_eq!(
            encode_path("files/chart-2024_v1.png"),
            "files/chart-2024_v1.png"
        );
        assert_eq!(
            encode_path("files/my chart #1 (100%).png"),
            "files/my%20chart%20%231%20(100%25).png"
        );
        assert_eq!(encode_path("files/café.pdf"), "files/caf%C3%A9.pdf");
    }

    #[test]
    fn headings_get_stable_unique_ids() {
        let a = analyse(
            "## Putting it into practice\n\ntext\n\n## Notes\n\n## Notes\n\n### Égalité réelle\n",
        );
        let ids: Vec<_> = a.headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "putting-it-into-practice",
                "notes",
                "notes-2",
                "égalité-réelle"
            ]
        );
        assert_eq!(a.sections().next().unwrap().text, "text");
    }

    #[test]
    fn sections_point_at_their_headings_and_text() {
        let a = analyse("Lead  text.\n\n## One\n\nfirst\n\n## \n\n## Two {#own}\n\nsecond\n");
        let sections: Vec<_> = a
            .sections()
            .map(|s| (s.id, s.heading, s.level, s.text))
            .collect();
        assert_eq!(
            sections,
            [
                ("", "", None, "Lead text."),
                ("one", "One", Some(2), "first"),
                ("own", "Two", Some(2), "second"),
            ]
        );
        assert_eq!(a.text, "Lead text.firstsecond");
    }

    #[test]
    fn section_text_has_single_spaces() {
        let a = analyse(
            "## H\n\n  one\ttwo  \n three `four`five\n\n- six\n-  seven\u{a0}eight\n\n| a | b |\n|---|---|\n| x | y |\n",
        );
        assert_eq!(
            a.sections().next().unwrap().text,
            "one two three fourfive six seven eight a b x y"
        );
        // The text of an earlier section is left as it is, and this one starts without a space.
        let mut out = String::from("earlier ");
        for piece in ["", "  ", "a", "b ", "  c", " ", "\n", "d"] {
            push_collapsed(&mut out, 8, piece);
        }
        assert_eq!(out, "earlier ab c d");
    }

    proptest::proptest! {
        #[test]
        fn collapsing_equals_split_and_join(pieces in proptest::collection::vec("\\PC{0,6}|[ \t\n\u{b}\u{85}\u{a0}\u{1680}\u{2003}\u{202f}\u{3000}]{0,3}", 0..10)) {
            let mut out = String::from("earlier");
            for piece in &pieces {
                push_collapsed(&mut out, 7, piece);
            }
            out.truncate(out.trim_end().len());
            let expected = pieces.concat().split_whitespace().collect::<Vec<_>>().join(" ");
            proptest::prop_assert_eq!(&out[7..], expected);
        }
    }

    #[test]
    fn links_keep_their_spans() {
        let md = "See [the principle](principle:integrity) now.";
        let a = analyse(md);
        assert_eq!(a.links[0].dest, "principle:integrity");
        assert_eq!(
            &md[a.links[0].range.clone()],
            "[the principle](principle:integrity)"
        );
    }

    #[test]
    fn images_are_collected_and_resolved_like_links() {
        let md = "See ![A chart](../files/chart.png) and [the report](/files/report.pdf).";
        let a = analyse(md);
        let found: Vec<(&str, bool)> = a.links.iter().map(|l| (l.dest.as_str(), l.image)).collect();
        assert_eq!(
            found,
            [("../files/chart.png", true), ("/files/report.pdf", false)]
        );
        assert_eq!(
            &md[a.links[0].range.clone()],
            "![A chart](../files/chart.png)"
        );
        let html = to_html(md, &[], "Link", &|d| Some(format!("resolved:{d}")));
        assert!(
            html.contains("<img src=\"resolved:../files/chart.png\" alt=\"A chart\""),
            "{html}"
        );
        assert!(
            html.contains("href=\"resolved:/files/report.pdf\""),
            "{html}"
        );
    }

    #[test]
    fn html_has_anchors_resolved_links_tables_and_footnotes() {
        let md = "## Why it matters\n\n[x](note:a) \"quoted\"[^1]\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n[^1]: Footnote.\n";
        let html = to_html(md, &analyse(md).headings, "Link to section: ", &|d| {
            (d == "note:a").then(|| "../a/".to_string())
        });
        assert!(html.contains("<h2 id=\"why-it-matters\">Why it matters <a class=\"anchor\" href=\"#why-it-matters\""), "{html}");
        assert!(html.contains("href=\"../a/\""));
        assert!(html.contains("\u{201c}quoted\u{201d}"));
        assert!(html.contains("<table>"));
        assert!(html.contains("footnote"));
        assert!(html.contains("type=\"checkbox\""));
    }

    #[test]
    fn html_headings_carry_the_ids_analyse_gave_them() {
        let md =
            "# Scope\n\n## Scope\n\n### Own {#chosen}\n\n> ## Quoted `code`\n\n- ## In a list\n";
        let headings = analyse(md).headings;
        let ids: Vec<&str> = headings.iter().map(|h| h.id.as_str()).collect();
        assert_eq!(
            ids,
            ["scope", "scope-2", "chosen", "quoted-code", "in-a-list"]
        );
        let html = to_html(md, &headings, "Link", &|_| None);
        let found: Vec<&str> = html
            .split(" id=\"")
            .skip(1)
            .map(|rest| &rest[..rest.find('"').unwrap()])
            .collect();
        assert_eq!(found, ids, "{html}");
    }

    #[test]
    fn code_is_highlighted_with_classes() {
        let html = to_html("```rust\nfn main() {}\n```\n", &[], "Link", &|_| None);
        assert!(html.contains("class=\"language-rust\""), "{html}");
        assert!(html.contains("hl-"), "{html}");
        let plain = to_html("```\n<b>\n```\n", &[], "Link", &|_| None);
        assert!(plain.contains("&lt;b&gt;"));
    }
}
