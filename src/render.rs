//! Stage 3: render the `Site` into pages with minijinja templates from the theme. Each page is
//! named by a `PageId`, so `serve` can re-render only the pages an edit affects.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use minijinja::{Environment, UndefinedBehavior, Value, context};
use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostic::{Diagnostic, Diagnostics, Span, did_you_mean};
use crate::markdown;
use crate::model::*;
use crate::theme::Theme;

mod localize;
mod offline;

pub use offline::DOWNLOAD_PAGE;

/// How links between pages are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkStyle {
    /// `notes/x/`: for a web server, which serves `index.html` for a folder.
    Clean,
    /// `notes/x/index.html`: for the offline copy opened from disk.
    File,
    /// Either, decided after rendering: links carry markers that [`expand_links`] turns into
    /// one style or the other, so `guidance build` renders a page once for the site and its
    /// offline copy.
    Marked,
}

/// In a [`LinkStyle::Marked`] page, where a link to a folder's page ends: `index.html` in the
/// file style, nothing in the clean style. Unicode noncharacters, reserved for such internal
/// use; a site whose input holds them is rendered once per style instead (see
/// [`mentions_link_markers`]).
const FOLDER_PAGE: &str = "\u{FDD0}";
/// The home page linked from itself: `index.html` in the file style, `./` in the clean style.
const HOME_FROM_HOME: &str = "\u{FDD1}";
/// The markers as Markdown links write them (percent-encoded by the HTML writer).
const FOLDER_PAGE_ENCODED: &str = "%EF%B7%90";
const HOME_FROM_HOME_ENCODED: &str = "%EF%B7%91";

/// Whether the page's renders in the two styles differ only in their links, so a
/// [`LinkStyle::Marked`] render stands for both: every page but the 404 page (absolute links on a
/// site with a published address) and the Download page (the web's shows the zip's size).
pub fn differs_only_in_links(id: PageId) -> bool {
    !matches!(id, PageId::NotFound | PageId::Download)
}

/// Writes a [`LinkStyle::Marked`] page into two writers as it comes, expanded into the clean
/// style for one and the file style for the other, so no page is held whole (the print edition
/// holds every document). No marker holds the byte `>`, so what has arrived up to the last `>`
/// can be expanded; the rest waits for more.
pub struct ExpandInto<'w> {
    clean: &'w mut dyn Write,
    file: &'w mut dyn Write,
    pending: Vec<u8>,
}

impl<'w> ExpandInto<'w> {
    pub fn new(clean: &'w mut dyn Write, file: &'w mut dyn Write) -> ExpandInto<'w> {
        ExpandInto {
            clean,
            file,
            pending: Vec::with_capacity(EXPAND_BLOCK * 2),
        }
    }

    /// Expands and writes what is left; the page has ended.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.expand(self.pending.len())
    }

    fn expand(&mut self, end: usize) -> std::io::Result<()> {
        let done = &self.pending[..end];
        self.clean
            .write_all(&expand_links(done, LinkStyle::Clean))?;
        self.file.write_all(&expand_links(done, LinkStyle::File))?;
        self.pending.drain(..end);
        Ok(())
    }
}

/// How much [`ExpandInto`] gathers before it expands.
const EXPAND_BLOCK: usize = 64 * 1024;

impl Write for ExpandInto<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.pending.extend_from_slice(data);
        if self.pending.len() >= EXPAND_BLOCK
            && let Some(last) = self.pending.iter().rposition(|&b| b == b'>')
        {
            self.expand(last + 1)?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A [`LinkStyle::Marked`] page in the given style (`Clean` or `File`).
pub fn expand_links(marked: &[u8], style: LinkStyle) -> Vec<u8> {
    let (folder_page, home) = match style {
        LinkStyle::File => ("index.html", "index.html"),
        LinkStyle::Clean | LinkStyle::Marked => ("", "./"),
    };
    let markers = [
        (FOLDER_PAGE, folder_page),
        (HOME_FROM_HOME, home),
        (FOLDER_PAGE_ENCODED, folder_page),
        (HOME_FROM_HOME_ENCODED, home),
    ];
    let mut out = Vec::with_capacity(marked.len() + marked.len() / 16);
    let mut rest = marked;
    // Every marker starts with the byte 0xEF (UTF-8) or `%` (percent-encoded).
    while let Some(i) = memchr::memchr2(0xEF, b'%', rest) {
        out.extend_from_slice(&rest[..i]);
        let tail = &rest[i..];
        match markers.iter().find(|(m, _)| tail.starts_with(m.as_bytes())) {
            Some((marker, text)) => {
                out.extend_from_slice(text.as_bytes());
                rest = &tail[marker.len()..];
            }
            None => {
                out.push(tail[0]);
                rest = &tail[1..];
            }
        }
    }
    out.extend_from_slice(rest);
    out
}

/// Whether `text` (content, configuration, theme) holds a link marker, raw or percent-encoded
/// in any case, which a marked render could not tell from its own.
pub fn mentions_link_markers(text: &str) -> bool {
    text.contains(FOLDER_PAGE)
        || text.contains(HOME_FROM_HOME)
        || text.match_indices('%').any(|(i, _)| {
            let candidate = text.as_bytes().get(i..i + FOLDER_PAGE_ENCODED.len());
            candidate.is_some_and(|c| {
                [FOLDER_PAGE_ENCODED, HOME_FROM_HOME_ENCODED]
                    .iter()
                    .any(|m| c.eq_ignore_ascii_case(m.as_bytes()))
            })
        })
}

#[derive(Clone, Debug)]
pub struct RenderOptions {
    pub link_style: LinkStyle,
    /// A script tag the dev server injects before `</body>`; never set by `guidance build`.
    pub inject: Option<String>,
    /// The size in bytes of the offline copy, shown on the Download page; `None` while the copy
    /// itself is rendered (it never contains itself) and wherever no copy is made.
    pub offline_size: Option<u64>,
}

impl Default for RenderOptions {
    fn default() -> RenderOptions {
        RenderOptions {
            link_style: LinkStyle::Clean,
            inject: None,
            offline_size: None,
        }
    }
}

/// Writes a value into a page. Text is escaped for HTML as minijinja does, except that `/` stays
/// as it is: escaping it protects nothing inside quoted attributes or text, and every link would
/// read `..&#x2f;..&#x2f;notes&#x2f;` in the page source.
fn write_value(
    out: &mut minijinja::Output,
    state: &minijinja::State,
    value: &Value,
) -> Result<(), minijinja::Error> {
    let text = match (state.auto_escape(), value.as_str()) {
        (minijinja::AutoEscape::Html, Some(text)) if !value.is_safe() => text,
        _ => return minijinja::escape_formatter(out, state, value),
    };
    write_escaped(out, text)?;
    Ok(())
}

/// `text` escaped for HTML as [`write_value`] escapes it, for values made outside a template.
pub(crate) fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Writing into a String cannot fail.
    let _ = write_escaped(&mut out, text);
    out
}

fn write_escaped(out: &mut impl std::fmt::Write, text: &str) -> std::fmt::Result {
    let mut rest = text;
    while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
        out.write_str(&rest[..at])?;
        out.write_str(match rest.as_bytes()[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#x27;",
        })?;
        rest = &rest[at + 1..];
    }
    out.write_str(rest)
}

/// One file of output, by its path inside the site (always `/`-separated, never leading `/`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Every page the site has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PageId {
    Home,
    NotesIndex,
    Note(usize),
    PrinciplesIndex,
    Principle(usize),
    CountriesIndex,
    Country(usize),
    Page(usize),
    Search,
    NotFound,
    /// The offline copy and the print edition.
    Download,
    /// Every principle and note on one page, for printing.
    Print,
    /// The documentation of the JSON files, feeds and JSON-LD (`api/`).
    Api,
}

impl PageId {
    pub fn all(site: &Site) -> Vec<PageId> {
        let mut ids = vec![
            PageId::Home,
            PageId::NotesIndex,
            PageId::PrinciplesIndex,
            PageId::CountriesIndex,
            PageId::Search,
            PageId::NotFound,
            PageId::Download,
            PageId::Print,
            PageId::Api,
        ];
        ids.extend((0..site.notes.len()).map(PageId::Note));
        ids.extend((0..site.principles.len()).map(PageId::Principle));
        ids.extend((0..site.countries.len()).map(PageId::Country));
        ids.extend(
            (0..site.pages.len())
                .filter(|&i| {
                    site.pages[i].slug != HOME_PAGE && site.pages[i].slug != offline::DOWNLOAD_PAGE
                })
                .map(PageId::Page),
        );
        ids
    }

    /// The file the page is written to, in the default language.
    pub fn path(self, site: &Site) -> String {
        self.path_in(site, site.config.default_language())
    }

    /// The file the page is written to in `lang`: other languages live under `<lang>/`.
    pub fn path_in(self, site: &Site, lang: &str) -> String {
        let path = self.base_path(site);
        if lang == site.config.default_language() {
            path
        } else {
            format!("{lang}/{path}")
        }
    }

    /// The document a page shows, if it shows one (its translations decide where it exists).
    pub fn document(self, site: &Site) -> Option<(Kind, &str)> {
        match self {
            PageId::Note(i) => Some((Kind::Note, site.notes[i].slug.as_str())),
            PageId::Principle(i) => Some((Kind::Principle, site.principles[i].slug.as_str())),
            PageId::Page(i) => Some((Kind::Page, site.pages[i].slug.as_str())),
            _ => None,
        }
    }

    /// Whether the page's text is in `lang`: a generated page is written in every language, a
    /// document in the default language and the languages it is translated into. Every page is
    /// published in every language of the site; where a document is not translated, its page
    /// in that language shows the original inside the language's interface (a fallback page).
    pub fn translated_in(self, site: &Site, lang: &str) -> bool {
        match self.document(site) {
            Some((kind, slug)) => {
                lang == site.config.default_language()
                    || site.translation(kind, slug, lang).is_some()
            }
            None => true,
        }
    }

    fn base_path(self, site: &Site) -> String {
        match self {
            PageId::Home => "index.html".to_string(),
            PageId::NotesIndex => "notes/index.html".to_string(),
            PageId::Note(i) => format!("notes/{}/index.html", site.notes[i].slug),
            PageId::PrinciplesIndex => "principles/index.html".to_string(),
            PageId::Principle(i) => format!("principles/{}/index.html", site.principles[i].slug),
            PageId::CountriesIndex => "countries/index.html".to_string(),
            PageId::Country(i) => format!(
                "countries/{}/index.html",
                site.countries[i].code.to_lowercase()
            ),
            PageId::Page(i) => format!("{}/index.html", site.pages[i].slug),
            PageId::Search => "search/index.html".to_string(),
            PageId::NotFound => "404.html".to_string(),
            PageId::Download => "download/index.html".to_string(),
            PageId::Print => "print/index.html".to_string(),
            PageId::Api => "api/index.html".to_string(),
        }
    }
}

/// The page whose body introduces the home page (`pages/home.md`); it has no page of its own.
pub const HOME_PAGE: &str = "home";

/// Turns a page path into the link to it, from the site root, in the given style.
pub fn link_path(path: &str, style: LinkStyle) -> String {
    match style {
        LinkStyle::File => path.to_string(),
        LinkStyle::Clean => match path.strip_suffix("index.html") {
            Some("") => "./".to_string(),
            Some(folder) => folder.to_string(),
            None => path.to_string(),
        },
        LinkStyle::Marked => match path.strip_suffix("index.html") {
            Some("") => HOME_FROM_HOME.to_string(),
            Some(folder) => format!("{folder}{FOLDER_PAGE}"),
            None => path.to_string(),
        },
    }
}

/// `../` once per folder between `path` and the site root.
pub fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

/// The body of the document page `id` shows, in its original language.
fn original_body(site: &Site, id: PageId) -> Option<&Body> {
    match id {
        PageId::Note(i) => Some(&site.notes[i].body),
        PageId::Principle(i) => Some(&site.principles[i].body),
        PageId::Page(i) => Some(&site.pages[i].body),
        _ => None,
    }
}

pub struct Renderer<'a> {
    site: &'a Site,
    theme: &'a Theme,
    env: Environment<'a>,
    options: RenderOptions,
    /// Interface strings by language, each complete (missing keys fall back to English).
    strings: BTreeMap<String, BTreeMap<String, String>>,
    /// The same as template values (`t`), made once: every page gets them.
    string_values: BTreeMap<String, Value>,
    /// The languages some document is not yet translated into.
    untranslated: BTreeSet<&'a str>,
}

/// The languages other than the default that some document (note, principle or page) is not
/// translated into: on their pages, a search that finds nothing says that part of the site is
/// only in the original language.
pub fn languages_with_untranslated(site: &Site) -> BTreeSet<&str> {
    let translated: std::collections::HashSet<(Kind, &str, &str)> = site
        .translations
        .iter()
        .map(|t| (t.kind, t.slug.as_str(), t.lang.as_str()))
        .collect();
    let documents = || {
        (site.notes.iter().map(|n| (Kind::Note, n.slug.as_str())))
            .chain(
                site.principles
                    .iter()
                    .map(|p| (Kind::Principle, p.slug.as_str())),
            )
            .chain(site.pages.iter().map(|p| (Kind::Page, p.slug.as_str())))
    };
    let default = site.config.default_language();
    site.config
        .languages
        .iter()
        .map(String::as_str)
        .filter(|lang| *lang != default)
        .filter(|lang| documents().any(|(kind, slug)| !translated.contains(&(kind, slug, *lang))))
        .collect()
}

/// A language's interface strings: the embedded theme's, with the project's `theme/i18n/`
/// file over them.
pub(crate) fn strings_layers(
    theme: &Theme,
    lang: &str,
) -> Result<BTreeMap<String, String>, Diagnostic> {
    let name = format!("i18n/{lang}.yaml");
    let parse = |text: &str| {
        serde_yaml::from_str::<BTreeMap<String, String>>(text).map_err(|e| {
            Diagnostic::error("theme", format!("interface strings do not parse: {e}"))
                .in_file(format!("theme/{name}"))
        })
    };
    let embedded = Theme::embedded_text(&name);
    let project = theme.override_text(&name);
    if embedded.is_none() && project.is_none() {
        return Err(Diagnostic::error(
            "theme",
            format!("no interface strings for language `{lang}`"),
        )
        .in_file(format!("theme/{name}"))
        .help("add the file, or remove the language from guidance.yaml"));
    }
    let mut strings = embedded.map(parse).transpose()?.unwrap_or_default();
    if let Some(text) = project {
        strings.extend(parse(text)?);
    }
    Ok(strings)
}

impl<'a> Renderer<'a> {
    pub fn new(
        site: &'a Site,
        theme: &'a Theme,
        options: RenderOptions,
    ) -> Result<Renderer<'a>, Diagnostics> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        env.set_formatter(write_value);
        localize::register(&mut env);
        let mut diagnostics = Diagnostics::default();
        for (name, bytes) in theme.files_under("templates/") {
            let source = String::from_utf8_lossy(bytes).into_owned();
            if let Err(e) = env.add_template_owned(name.to_string(), source) {
                diagnostics.push(template_diagnostic(&e, theme));
            }
        }
        // A strings file in the project's theme changes only the strings it names: each
        // language's strings are English, then the embedded language's, then the project's.
        let mut strings = BTreeMap::new();
        let english = match strings_layers(theme, "en") {
            Ok(english) => english,
            Err(d) => {
                diagnostics.push(d);
                BTreeMap::new()
            }
        };
        for lang in &site.config.languages {
            let name = format!("i18n/{lang}.yaml");
            let mut merged = english.clone();
            if lang != "en" {
                match strings_layers(theme, lang) {
                    Ok(own) => merged.extend(own),
                    Err(d) => {
                        diagnostics.push(d);
                        continue;
                    }
                }
            }
            diagnostics.extend(localize::check_plurals(
                lang,
                &merged,
                &format!("theme/{name}"),
            ));
            strings.insert(lang.clone(), merged);
        }
        diagnostics.into_result()?;
        let string_values = strings
            .iter()
            .map(|(lang, strings)| (lang.clone(), Value::from_serialize(strings)))
            .collect();
        Ok(Renderer {
            site,
            theme,
            env,
            options,
            strings,
            string_values,
            untranslated: languages_with_untranslated(site),
        })
    }

    /// Renders every page, in parallel.
    pub fn render_all(&self) -> Result<Vec<OutputFile>, Diagnostics> {
        let pages = self.pages();
        let results: Vec<Result<OutputFile, Diagnostic>> = pages
            .par_iter()
            .map(|(id, lang)| self.render_in(*id, lang))
            .collect();
        let mut files = Vec::with_capacity(results.len() + 2);
        let mut diagnostics = Diagnostics::default();
        for result in results {
            match result {
                Ok(file) => files.push(file),
                Err(d) => diagnostics.push(d),
            }
        }
        diagnostics.into_result()?;
        files.extend(self.site_files());
        Ok(files)
    }

    /// The files that list every page (`sitemap.xml`, `robots.txt`), rendered with the pages. A
    /// sitemap's addresses must be absolute, so a site without a `base_url` has none (its
    /// `/about/` would be wrong under a subpath, and crawlers reject it).
    pub fn site_files(&self) -> Vec<OutputFile> {
        let sitemap = self.site.config.base_url().map(|base| self.sitemap(&base));
        sitemap.into_iter().chain([self.robots()]).collect()
    }

    /// Every page in every language of the site: a document not translated into a language is
    /// shown there in its original (see [`PageId::translated_in`]).
    pub fn pages(&self) -> Vec<(PageId, String)> {
        let site = self.site;
        let ids = PageId::all(site);
        let mut pages = Vec::with_capacity(ids.len() * site.config.languages.len());
        for lang in &site.config.languages {
            pages.extend(ids.iter().map(|&id| (id, lang.clone())));
        }
        pages
    }

    /// Renders one page in the default language.
    pub fn render(&self, id: PageId) -> Result<OutputFile, Diagnostic> {
        self.render_in(id, self.site.config.default_language())
    }

    /// Renders one page in `lang`.
    pub fn render_in(&self, id: PageId, lang: &str) -> Result<OutputFile, Diagnostic> {
        let mut bytes = Vec::new();
        self.render_to(id, lang, &mut bytes)?;
        Ok(OutputFile {
            path: id.path_in(self.site, lang),
            bytes,
        })
    }

    /// Renders one page in `lang` into `out`. The print edition, which holds every document, is
    /// written a part at a time.
    pub fn render_to(&self, id: PageId, lang: &str, out: &mut dyn Write) -> Result<(), Diagnostic> {
        let path = id.path_in(self.site, lang);
        let mut page = PageContext::new(self, &path, lang);
        // A host serves 404.html at whatever address was missing, so relative links would break
        // there: use absolute ones when the site knows where it lives (else the page's script
        // makes its own folder the base, see `rebase_404`).
        if let (PageId::NotFound, Some(base), LinkStyle::Clean) =
            (id, self.site.config.base_url(), self.options.link_style)
        {
            page.root = base;
        }
        let (template, ctx) = match id {
            PageId::Home => ("home.html", self.home(&page)),
            PageId::NotesIndex => ("notes.html", self.notes_index(&page)),
            PageId::Note(i) => ("note.html", self.note(&page, i)),
            PageId::PrinciplesIndex => ("principles.html", self.principles_index(&page)),
            PageId::Principle(i) => ("principle.html", self.principle(&page, i)),
            PageId::CountriesIndex => ("countries.html", self.countries_index(&page)),
            PageId::Country(i) => ("country.html", self.country(&page, i)),
            PageId::Page(i) => ("page.html", self.page(&page, i)),
            PageId::Search => (
                "search.html",
                context! { title => self.t(&page, "search_title"), description => self.t(&page, "search_label") },
            ),
            PageId::NotFound => (
                "404.html",
                context! {
                    title => self.t(&page, "not_found_title"),
                    description => self.t(&page, "not_found_text"),
                    rebase => self.rebase_404(&page),
                    other_languages => self.other_404s(&page),
                },
            ),
            PageId::Download => ("download.html", self.download(&page)),
            PageId::Print => ("print.html", self.print_edition(&page)),
            PageId::Api => ("api.html", self.api_page(&page)),
        };
        let base = self.base_context(&page, id);
        let ctx = context! { ..ctx, ..base };
        let html = self
            .env
            .get_template(template)
            .and_then(|t| t.render(&ctx))
            .map_err(|e| self.render_diagnostic(&e, &ctx))?;
        let html = match &self.options.inject {
            Some(script) => match html.rfind("</body>") {
                Some(i) => format!("{}{script}{}", &html[..i], &html[i..]),
                None => format!("{html}{script}"),
            },
            None => html,
        };
        let written = match id {
            PageId::Print => self.write_print_edition(&page, &html, out),
            _ => out.write_all(html.as_bytes()),
        };
        written.map_err(|e| Diagnostic::error("io", format!("cannot write the page {path}: {e}")))
    }

    /// For a web 404 page whose links stay relative (no `base_url`): the site's top-level
    /// folders, from which a script finds the site's root in the missing address (a host serves
    /// 404.html at that address), and the page's own folder under the root (`fr/` for
    /// `fr/404.html`), which the script makes the base its links resolve from. `None` when the
    /// links need no help.
    fn rebase_404(&self, page: &PageContext) -> Option<Value> {
        if self.options.link_style != LinkStyle::Clean || self.site.config.base_url().is_some() {
            return None;
        }
        let folder = page
            .path
            .rsplit_once('/')
            .map_or(String::new(), |(f, _)| format!("{f}/"));
        let mut folders: BTreeSet<String> = crate::link::RESERVED
            .iter()
            .map(|f| f.to_string())
            .collect();
        let pages = self.site.pages.iter().filter(|p| p.slug != HOME_PAGE);
        folders.extend(pages.map(|p| p.slug.clone()));
        folders.extend(self.site.config.languages.iter().skip(1).cloned());
        Some(context! { folders => folders, folder => folder })
    }

    /// The other languages' 404 pages, for the default language's: a host serves that one at
    /// every missing address, and its script shows a reader who was under `fr/` the French one.
    fn other_404s(&self, page: &PageContext) -> Vec<String> {
        let config = &self.site.config;
        if self.options.link_style != LinkStyle::Clean || page.lang != config.default_language() {
            return Vec::new();
        }
        let others = config.languages.iter().filter(|l| **l != page.lang);
        others
            .map(|l| page.href(PageId::NotFound.path_in(self.site, l)))
            .collect()
    }

    /// The separator between a label and its text in `lang` (`label_separator`), which feed
    /// titles use too.
    pub fn label_separator(&self, lang: &str) -> &str {
        self.t_in(lang, "label_separator")
    }

    /// What ends a sentence in `lang` (`full_stop`), which the search index uses too.
    pub fn full_stop(&self, lang: &str) -> &str {
        self.t_in(lang, "full_stop")
    }

    fn t<'k>(&'k self, page: &PageContext, key: &'k str) -> &'k str {
        self.t_in(&page.lang, key)
    }

    /// An interface string in `lang`.
    fn t_in<'k>(&'k self, lang: &str, key: &'k str) -> &'k str {
        self.strings
            .get(lang)
            .and_then(|s| s.get(key))
            .map_or(key, String::as_str)
    }

    fn base_context(&self, page: &PageContext, id: PageId) -> Value {
        let site = self.site;
        let config = &site.config;
        let translated = id.translated_in(site, &page.lang);
        // A page showing an untranslated document names the original as the one document
        // search engines should index.
        let canonical_path = if translated {
            page.path.clone()
        } else {
            id.path(site)
        };
        let canonical = config
            .base_url()
            .filter(|_| id != PageId::NotFound)
            .map(|base| {
                format!(
                    "{base}{}",
                    link_path(&canonical_path, LinkStyle::Clean).trim_start_matches("./")
                )
            });
        let texts = config.texts_in(&page.lang);
        context! {
            site => context! {
                title => texts.title,
                title_lang => texts.title_lang,
                description => texts.description,
                source_note => texts.source_note,
                source_note_lang => texts.source_note_lang,
                base_url => config.base_url(),
            },
            lang => page.lang,
            default_lang => config.default_language(),
            dir => crate::i18n::direction(&page.lang),
            t => self.string_values.get(&page.lang),
            alternates => self.alternates(page, id),
            feeds => self.feeds(page, id),
            translated => translated,
            some_untranslated => self.untranslated.contains(page.lang.as_str()),
            root => page.root,
            path => page.path,
            canonical => canonical,
            section => match id {
                PageId::NotesIndex | PageId::Note(_) => "notes",
                PageId::PrinciplesIndex | PageId::Principle(_) => "principles",
                PageId::CountriesIndex | PageId::Country(_) => "countries",
                PageId::Page(i) => site.pages[i].slug.as_str(),
                PageId::Search => "search",
                PageId::Home => "home",
                PageId::NotFound => "",
                PageId::Download => "download",
                PageId::Print => "print",
                PageId::Api => "api",
            },
            links => context! {
                home => self.href_to(page, PageId::Home),
                notes => self.href_to(page, PageId::NotesIndex),
                principles => self.href_to(page, PageId::PrinciplesIndex),
                countries => self.href_to(page, PageId::CountriesIndex),
                search => self.href_to(page, PageId::Search),
                // Where a query that finds nothing in another language is offered the default
                // language's search, which holds what is not yet translated.
                search_original => (page.lang != config.default_language())
                    .then(|| page.href(PageId::Search.path_in(site, config.default_language()))),
                about => site.page("about").map(|i| self.href_to(page, PageId::Page(i))),
                download => self.href_to(page, PageId::Download),
                print => self.href_to(page, PageId::Print),
                api => self.href_to(page, PageId::Api),
                static_dir => format!("{}static/", page.root),
            },
        }
    }

    /// The link from `page` to page `id` in the page's language (where `id` is not translated,
    /// its page there shows the original).
    fn href_to(&self, page: &PageContext, id: PageId) -> String {
        page.href(id.path_in(self.site, &page.lang))
    }

    /// Principle `i`'s strategies in the page's language when its translation names them.
    fn strategy_names(&self, page: &PageContext, i: usize) -> &[String] {
        self.site.strategies_in(i, &page.lang)
    }

    /// The language [`Renderer::strategy_names`] are written in.
    fn strategies_lang(&self, page: &PageContext, i: usize) -> &str {
        self.site.strategies_named_in(i, &page.lang).1
    }

    /// A document's title, summary and body in the page's language (the original where
    /// untranslated).
    fn localized<'s>(&'s self, page: &PageContext, document: &'s impl Document) -> Localized<'s> {
        let (kind, slug) = (document.kind(), document.slug());
        let Original {
            title,
            summary,
            source,
            body,
        } = document.original();
        match self.site.translation(kind, slug, &page.lang) {
            Some(t) => Localized {
                title: t.title.as_deref().unwrap_or(title),
                summary: t.summary.as_deref().unwrap_or(summary),
                source: &t.source,
                body: &t.body,
                lang: &t.lang,
            },
            None => Localized {
                title,
                summary,
                source,
                body,
                lang: self.site.config.default_language(),
            },
        }
    }

    fn body_html(&self, page: &PageContext, text: &Localized) -> String {
        let body = text.body;
        let resolve = |dest: &str| {
            body.links
                .get(dest)
                .map(|target| self.target_href(page, target))
        };
        markdown::to_html(
            Site::markdown(text.source, body),
            &body.headings,
            &self.anchor_label(text.lang),
            &resolve,
        )
    }

    /// What begins a heading anchor's accessible name in `lang`, the language of the text it is
    /// in: "Link to this section: ".
    fn anchor_label(&self, lang: &str) -> String {
        format!(
            "{}{}",
            self.t_in(lang, "anchor_label"),
            self.t_in(lang, "label_separator")
        )
    }

    /// The page in every language of the site, for the language switcher; those whose text is
    /// in that language (`translated`) are also the `hreflang` links.
    fn alternates(&self, page: &PageContext, id: PageId) -> Vec<Value> {
        let site = self.site;
        site.config
            .languages
            .iter()
            .map(|lang| {
                context! {
                    lang => lang,
                    name => crate::i18n::native_name(lang),
                    translated => id.translated_in(site, lang),
                    href => page.href(id.path_in(site, lang)),
                    // Absolute, for `hreflang` links, when the site has a published address.
                    url => site.config.base_url().map(|base| {
                        format!("{base}{}", link_path(&id.path_in(site, lang), LinkStyle::Clean).trim_start_matches("./"))
                    }),
                    current => *lang == page.lang,
                }
            })
            .collect()
    }

    fn target_href(&self, page: &PageContext, target: &Target) -> String {
        let site = self.site;
        let with_anchor = |id: PageId, anchor: &Option<String>| {
            let lang = page.lang.as_str();
            let href = page.href(id.path_in(site, lang));
            // Headings are translated: an anchor leads to the heading in the page's language
            // where one corresponds (`guidance check` warns where none does).
            let anchor = anchor.as_deref().and_then(|a| match id.document(site) {
                Some((kind, slug)) => site.anchor_in(kind, slug, original_body(site, id)?, a, lang),
                None => Some(a),
            });
            match anchor {
                Some(a) => format!("{href}#{a}"),
                None => href,
            }
        };
        match target {
            Target::Principle { index, anchor } => with_anchor(PageId::Principle(*index), anchor),
            Target::Note { index, anchor } => with_anchor(PageId::Note(*index), anchor),
            Target::Page { index, anchor } if site.pages[*index].slug == HOME_PAGE => {
                with_anchor(PageId::Home, anchor)
            }
            Target::Page { index, anchor } if site.pages[*index].slug == offline::DOWNLOAD_PAGE => {
                with_anchor(PageId::Download, anchor)
            }
            Target::Page { index, anchor } => with_anchor(PageId::Page(*index), anchor),
            Target::Country { index } => with_anchor(PageId::Country(*index), &None),
            Target::Api { anchor } => with_anchor(PageId::Api, anchor),
            Target::Anchor(a) => format!("#{a}"),
            Target::External(url) => url.clone(),
            Target::File { path, fragment } => {
                let href = format!("{}{}", page.root, markdown::encode_path(path));
                match fragment {
                    Some(f) => format!("{href}#{f}"),
                    None => href,
                }
            }
        }
    }

    fn note_card(&self, page: &PageContext, i: usize) -> NoteCard {
        let site = self.site;
        let note = &site.notes[i];
        let principle = &site.principles[note.principle];
        let text = self.localized(page, note);
        let principle_text = self.localized(page, principle);
        NoteCard {
            slug: note.slug.clone(),
            title: text.title.to_string(),
            summary: text.summary.to_string(),
            lang: text.lang.to_string(),
            url: self.href_to(page, PageId::Note(i)),
            provisional: note.meta.status == Status::Provisional,
            principle: principle_text.title.to_string(),
            principle_lang: principle_text.lang.to_string(),
            principle_url: self.href_to(page, PageId::Principle(note.principle)),
            pillar: principle.meta.pillar,
            countries: note
                .countries
                .iter()
                .map(|&c| site.country_name(c, &page.lang).to_string())
                .collect(),
            published: note.meta.published.map(|d| d.to_string()),
        }
    }

    /// What a link to a note needs (the matrix has a row for every note).
    fn note_link(&self, page: &PageContext, i: usize) -> Value {
        let text = self.localized(page, &self.site.notes[i]);
        context! {
            title => text.title,
            lang => text.lang,
            url => self.href_to(page, PageId::Note(i)),
        }
    }

    /// A principle's card, with the lists of notes `lists` asks for (a page listing every note
    /// under every principle would otherwise hold cards it never shows).
    fn principle_card(&self, page: &PageContext, i: usize, lists: NoteLists) -> PrincipleCard {
        let site = self.site;
        let p = &site.principles[i];
        let text = self.localized(page, p);
        let cards = |notes: &[usize], wanted: bool| -> Vec<NoteCard> {
            if wanted {
                notes.iter().map(|&n| self.note_card(page, n)).collect()
            } else {
                Vec::new()
            }
        };
        PrincipleCard {
            slug: p.slug.clone(),
            number: p.meta.number,
            title: text.title.to_string(),
            summary: text.summary.to_string(),
            lang: text.lang.to_string(),
            pillar: p.meta.pillar,
            url: self.href_to(page, PageId::Principle(i)),
            strategy_count: p.meta.strategies.len(),
            note_count: p.notes.len(),
            notes: cards(&p.notes, lists != NoteLists::None),
            related_notes: cards(&p.related_notes, lists == NoteLists::NotesAndRelated),
        }
    }

    fn pillars(&self, page: &PageContext, lists: NoteLists) -> Vec<PillarView> {
        Pillar::ALL
            .iter()
            .map(|&pillar| {
                let principles: Vec<PrincipleCard> = self
                    .site
                    .principles_in(pillar)
                    .map(|i| self.principle_card(page, i, lists))
                    .collect();
                PillarView {
                    slug: pillar,
                    title: self
                        .t(page, &format!("pillar_{}", pillar.slug()))
                        .to_string(),
                    note_count: principles.iter().map(|p| p.note_count).sum(),
                    strategy_count: principles.iter().map(|p| p.strategy_count).sum(),
                    principles,
                }
            })
            .collect()
    }

    /// Which notes serve (1) or relate to (2) which principle: rows are notes, columns principles.
    fn matrix(&self, page: &PageContext) -> Value {
        let site = self.site;
        let rows: Vec<Value> = (0..site.notes.len())
            .map(|i| {
                let note = &site.notes[i];
                let cells: Vec<u8> = (0..site.principles.len())
                    .map(|p| {
                        if note.principle == p {
                            2
                        } else if note.related_principles.contains(&p) {
                            1
                        } else {
                            0
                        }
                    })
                    .collect();
                context! { note => self.note_link(page, i), cells => cells }
            })
            .collect();
        let columns: Vec<PrincipleCard> = (0..site.principles.len())
            .map(|i| self.principle_card(page, i, NoteLists::None))
            .collect();
        context! { rows => rows, columns => columns }
    }

    fn home(&self, page: &PageContext) -> Value {
        let site = self.site;
        let intro = site.page(HOME_PAGE).map(|i| {
            let home = &site.pages[i];
            let text = self.localized(page, home);
            (self.body_html(page, &text), text.lang)
        });
        let texts = site.config.texts_in(&page.lang);
        context! {
            title => texts.title,
            description => texts.description,
            intro_lang => intro.as_ref().map_or(page.lang.as_str(), |(_, lang)| lang),
            intro => intro.as_ref().map(|(html, _)| html),
            pillars => self.pillars(page, NoteLists::Notes),
            counts => context! {
                principles => site.principles.len(),
                notes => site.notes.len(),
                countries => site.countries.len(),
                strategies => site.principles.iter().map(|p| p.meta.strategies.len()).sum::<usize>(),
            },
        }
    }

    fn notes_index(&self, page: &PageContext) -> Value {
        context! {
            title => self.t(page, "notes_title"),
            description => self.t(page, "notes_description"),
            pillars => self.pillars(page, NoteLists::Notes),
        }
    }

    fn principles_index(&self, page: &PageContext) -> Value {
        context! {
            title => self.t(page, "principles_title"),
            description => self.t(page, "principles_description"),
            pillars => self.pillars(page, NoteLists::None),
            matrix => self.matrix(page),
        }
    }

    fn countries_index(&self, page: &PageContext) -> Value {
        let site = self.site;
        // By their names in the page's language, in its alphabetical order.
        let mut named: Vec<(usize, &str)> = (0..site.countries.len())
            .map(|i| (i, site.country_name(i, &page.lang)))
            .collect();
        crate::i18n::sort_by_name(&page.lang, &mut named, |(_, name)| name);
        let countries: Vec<Value> = named
            .into_iter()
            .map(|(i, name)| {
                let c = &site.countries[i];
                context! {
                    code => c.code,
                    name => name,
                    url => self.href_to(page, PageId::Country(i)),
                    note_count => c.notes.len(),
                }
            })
            .collect();
        let max = site
            .countries
            .iter()
            .map(|c| c.notes.len())
            .max()
            .unwrap_or(0);
        context! {
            title => self.t(page, "countries_title"),
            description => self.t(page, "countries_description"),
            countries => countries,
            max_count => max,
        }
    }

    fn note(&self, page: &PageContext, i: usize) -> Value {
        let site = self.site;
        let note = &site.notes[i];
        let card = |j: usize| self.note_card(page, j);
        // The notes that link to this one and that its body does not already link to: those
        // it links to are in its own text (its "Related notes" section), with why.
        let backlinks: Vec<usize> = note
            .linked_from
            .iter()
            .copied()
            .filter(|j| !note.links_to.contains(j))
            .collect();
        let strategy = note
            .strategy
            .map(|s| self.strategy_names(page, note.principle)[s].clone());
        let text = self.localized(page, note);
        context! {
            title => text.title,
            description => text.summary,
            text_lang => text.lang,
            text_attrs => lang_attrs(page, text.lang),
            note => card(i),
            meta => note.meta,
            // Sources come from the original's front matter, titled in its language.
            sources_attrs => lang_attrs(page, site.config.default_language()),
            strategy => strategy,
            strategy_attrs => lang_attrs(page, self.strategies_lang(page, note.principle)),
            principle => self.principle_card_short(page, note.principle),
            related_principles => note.related_principles.iter().map(|&p| self.principle_card_short(page, p)).collect::<Vec<_>>(),
            countries => note.countries.iter().map(|&c| context! {
                code => site.countries[c].code,
                name => site.country_name(c, &page.lang),
                url => self.href_to(page, PageId::Country(c)),
            }).collect::<Vec<_>>(),
            toc => text.body.headings.iter().filter(|h| h.level <= 3).collect::<Vec<_>>(),
            body => self.body_html(page, &text),
            // The note itself is the page its text is written in (the original, if untranslated).
            jsonld => crate::api::note_jsonld(site, i, &crate::api::NoteText { title: text.title, summary: text.summary, lang: text.lang }, &|id| {
                let lang = if id == PageId::Note(i) { text.lang } else { &page.lang };
                self.jsonld_href(page, id, lang)
            }),
            backlinks => backlinks.into_iter().map(card).collect::<Vec<_>>(),
            previous => i.checked_sub(1).map(card),
            next => (i + 1 < site.notes.len()).then(|| card(i + 1)),
        }
    }

    /// The Atom feeds a page announces: the notes feed, and its principle's feed.
    fn feeds(&self, page: &PageContext, id: PageId) -> Vec<Value> {
        let principle = match id {
            PageId::Principle(p) => Some(p),
            PageId::Note(n) => Some(self.site.notes[n].principle),
            _ => None,
        };
        crate::feed::alternates(
            self.site,
            principle,
            &page.lang,
            self.label_separator(&page.lang),
        )
        .into_iter()
        .map(|f| context! { title => f.title, href => page.href(f.path) })
        .collect()
    }

    /// A page in `lang` as JSON-LD links it: absolute with a base URL, else relative to `page`.
    fn jsonld_href(&self, page: &PageContext, id: PageId, lang: &str) -> String {
        let path = id.path_in(self.site, lang);
        match self.site.config.base_url() {
            Some(base) => format!(
                "{base}{}",
                link_path(&path, LinkStyle::Clean).trim_start_matches("./")
            ),
            None => page.href(path),
        }
    }

    fn api_page(&self, page: &PageContext) -> Value {
        context! {
            title => self.t(page, "api_title"),
            description => self.t(page, "api_description"),
            ..Value::from_serialize(crate::api::page(self.site, &page.lang, self.label_separator(&page.lang), &|path| page.href(path.to_string())))
        }
    }

    fn principle_card_short(&self, page: &PageContext, i: usize) -> Value {
        let p = &self.site.principles[i];
        let text = self.localized(page, p);
        context! {
            slug => p.slug,
            title => text.title,
            lang => text.lang,
            number => p.meta.number,
            pillar => p.meta.pillar,
            url => self.href_to(page, PageId::Principle(i)),
        }
    }

    fn principle(&self, page: &PageContext, i: usize) -> Value {
        let site = self.site;
        let p = &site.principles[i];
        let strategies: Vec<Value> = self
            .strategy_names(page, i)
            .iter()
            .zip(&p.strategy_notes)
            .map(|(name, notes)| context! { name => name, notes => notes.iter().map(|&n| self.note_card(page, n)).collect::<Vec<_>>() })
            .collect();
        // The notes the strategies do not list, shown on their own.
        let other_notes: Vec<NoteCard> = p
            .notes
            .iter()
            .filter(|n| !p.strategy_notes.iter().any(|s| s.contains(n)))
            .map(|&n| self.note_card(page, n))
            .collect();
        let text = self.localized(page, p);
        context! {
            title => text.title,
            description => text.summary,
            text_lang => text.lang,
            text_attrs => lang_attrs(page, text.lang),
            principle => self.principle_card(page, i, NoteLists::NotesAndRelated),
            meta => p.meta,
            pillar_title => self.t(page, &format!("pillar_{}", p.meta.pillar.slug())),
            strategies => strategies,
            strategies_attrs => lang_attrs(page, self.strategies_lang(page, i)),
            other_notes => other_notes,
            toc => text.body.headings.iter().filter(|h| h.level <= 3).collect::<Vec<_>>(),
            body => self.body_html(page, &text),
            previous => i.checked_sub(1).map(|j| self.principle_card_short(page, j)),
            next => (i + 1 < site.principles.len()).then(|| self.principle_card_short(page, i + 1)),
        }
    }

    fn country(&self, page: &PageContext, i: usize) -> Value {
        let c = &self.site.countries[i];
        let name = self.site.country_name(i, &page.lang);
        // What each note says about the country: the sentence that links to its page.
        let mentions: Vec<Value> = c
            .notes
            .iter()
            .filter_map(|&n| {
                let excerpt = self.country_excerpt(page, n, &c.code)?;
                Some(context! {
                    note => self.note_link(page, n),
                    excerpt => excerpt.html,
                    lang => excerpt.lang,
                    section => excerpt.section.map(|(id, title)| context! { id => id, title => title }),
                })
            })
            .collect();
        context! {
            title => name,
            description => format!("{} ({name})", self.t(page, "country_description")),
            country => context! { code => c.code, name => name },
            notes => c.notes.iter().map(|&n| self.note_card(page, n)).collect::<Vec<_>>(),
            mentions => mentions,
        }
    }

    /// The sentence of note `n` (in the page's language when translated) that links to the page
    /// of country `code`, as HTML, with its language and the section it is in.
    fn country_excerpt(&self, page: &PageContext, n: usize, code: &str) -> Option<Excerpt> {
        let text = self.localized(page, &self.site.notes[n]);
        let markdown = Site::markdown(text.source, text.body);
        let link = format!("](country:{code}");
        let at = markdown.find(&link)?;
        let paragraph = markdown[..at].rfind("\n\n").map_or(0, |i| i + 2);
        let paragraph_end = markdown[at..]
            .find("\n\n")
            .map_or(markdown.len(), |i| at + i);
        // The sentence: from the end of the one before (a full stop and a space) to its own.
        let start = markdown[paragraph..at]
            .rfind(". ")
            .map_or(paragraph, |i| paragraph + i + 2);
        let end = markdown[at..paragraph_end]
            .find(". ")
            .map_or(paragraph_end, |i| at + i + 1);
        // The link to this very page shows as emphasis instead.
        let here = &link[2..];
        let resolve = |dest: &str| match text.body.links.get(dest) {
            Some(_) if dest == here => Some(String::new()),
            Some(target) => Some(self.target_href(page, target)),
            None => None,
        };
        let mut html = markdown::to_html(&markdown[start..end], &[], "", &resolve);
        // (No other link has an empty address: `check` refuses them.)
        while let Some(open) = html.find("<a href=\"\">") {
            let close = html[open..].find("</a>").map_or(html.len(), |i| open + i);
            html.replace_range(close..(close + 4).min(html.len()), "</strong>");
            html.replace_range(open..open + 11, "<strong>");
        }
        // Its section: the last heading before it (lines in code blocks aside).
        let mut fenced = false;
        let mut headings: usize = 0;
        for line in markdown[..start].lines() {
            if line.starts_with("```") || line.starts_with("~~~") {
                fenced = !fenced;
            } else if !fenced && line.starts_with('#') {
                headings += 1;
            }
        }
        let section = headings
            .checked_sub(1)
            .and_then(|h| text.body.headings.get(h));
        Some(Excerpt {
            html,
            lang: text.lang.to_string(),
            section: section.map(|h| (h.id.clone(), h.text.clone())),
        })
    }

    fn page(&self, page: &PageContext, i: usize) -> Value {
        let p = &self.site.pages[i];
        let text = self.localized(page, p);
        context! {
            title => text.title,
            description => text.summary,
            text_lang => text.lang,
            text_attrs => lang_attrs(page, text.lang),
            slug => p.slug,
            toc => text.body.headings.iter().filter(|h| h.level <= 3).collect::<Vec<_>>(),
            body => self.body_html(page, &text),
        }
    }

    fn sitemap(&self, base: &str) -> OutputFile {
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        // Only the pages whose text is in their language: a page showing an untranslated
        // document names the original as canonical, and a sitemap lists canonical pages.
        let mut paths: Vec<String> = self
            .pages()
            .into_iter()
            .filter(|(id, lang)| *id != PageId::NotFound && id.translated_in(self.site, lang))
            .map(|(id, lang)| id.path_in(self.site, &lang))
            .collect();
        paths.sort();
        for path in paths {
            let link = link_path(&path, LinkStyle::Clean);
            let link = link.trim_start_matches("./");
            xml.push_str(&format!(
                "  <url><loc>{}</loc></url>\n",
                markdown::escape(&format!("{base}{link}"))
            ));
        }
        xml.push_str("</urlset>\n");
        OutputFile {
            path: "sitemap.xml".to_string(),
            bytes: xml.into_bytes(),
        }
    }

    fn robots(&self) -> OutputFile {
        let mut text = String::from("User-agent: *\nAllow: /\n");
        if let Some(base) = self.site.config.base_url() {
            text.push_str(&format!("Sitemap: {base}sitemap.xml\n"));
        }
        OutputFile {
            path: "robots.txt".to_string(),
            bytes: text.into_bytes(),
        }
    }
}

/// A principle, note or page, as `localized` needs it to find its translation.
trait Document {
    fn kind(&self) -> Kind;
    fn slug(&self) -> &str;
    fn original(&self) -> Original<'_>;
}

macro_rules! impl_document {
    ($type:ty, $kind:expr) => {
        impl Document for $type {
            fn kind(&self) -> Kind {
                $kind
            }
            fn slug(&self) -> &str {
                &self.slug
            }
            fn original(&self) -> Original<'_> {
                Original {
                    title: &self.meta.title,
                    summary: &self.meta.summary,
                    source: &self.source,
                    body: &self.body,
                }
            }
        }
    };
}

impl_document!(Note, Kind::Note);
impl_document!(Principle, Kind::Principle);
impl_document!(Page, Kind::Page);

/// A document's reader-facing text as written in the default language.
struct Original<'s> {
    title: &'s str,
    summary: &'s str,
    source: &'s SourceFile,
    body: &'s Body,
}

/// A document's reader-facing text in one language.
struct Localized<'s> {
    title: &'s str,
    summary: &'s str,
    source: &'s SourceFile,
    body: &'s Body,
    lang: &'s str,
}

/// Where a page sits: its path, its language and the way back to the root.
struct PageContext {
    path: String,
    root: String,
    style: LinkStyle,
    lang: String,
}

impl PageContext {
    fn new(renderer: &Renderer, path: &str, lang: &str) -> PageContext {
        PageContext {
            path: path.to_string(),
            root: root_of(path),
            style: renderer.options.link_style,
            lang: lang.to_string(),
        }
    }

    /// The relative link from this page to the page at `target` (a path from the site root).
    fn href(&self, target: String) -> String {
        let link = link_path(&target, self.style);
        if self.root.is_empty() {
            link
        } else if link == "./" {
            self.root.clone()
        } else if link == HOME_FROM_HOME {
            format!("{}{FOLDER_PAGE}", self.root)
        } else {
            format!("{}{}", self.root, link)
        }
    }
}

/// The attributes that mark text in `lang` on `page` (` lang="en" dir="ltr"`), empty when it is
/// the page's language: made here rather than by a template macro, as every document's page
/// uses them several times.
fn lang_attrs(page: &PageContext, lang: &str) -> Value {
    Value::from_safe_string(localize::lang_within(lang, &page.lang))
}

/// What a note says about a country (see `Renderer::country_excerpt`).
struct Excerpt {
    html: String,
    lang: String,
    /// The id and title of the heading the sentence is under.
    section: Option<(String, String)>,
}

#[derive(Serialize)]
struct NoteCard {
    slug: String,
    title: String,
    summary: String,
    /// The language the linked page is in (differs from the page's when untranslated).
    lang: String,
    url: String,
    provisional: bool,
    principle: String,
    /// The language of `principle`, the title (English where the principle is untranslated).
    principle_lang: String,
    principle_url: String,
    pillar: Pillar,
    countries: Vec<String>,
    published: Option<String>,
}

#[derive(Serialize)]
struct PrincipleCard {
    slug: String,
    number: u8,
    title: String,
    summary: String,
    lang: String,
    pillar: Pillar,
    url: String,
    strategy_count: usize,
    note_count: usize,
    /// Filled only where a page lists them ([`NoteLists`]).
    notes: Vec<NoteCard>,
    related_notes: Vec<NoteCard>,
}

/// Which lists of notes a principle's card carries.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NoteLists {
    None,
    /// The notes that serve it.
    Notes,
    /// Those and the notes that relate to it (its own page).
    NotesAndRelated,
}

#[derive(Serialize)]
struct PillarView {
    slug: Pillar,
    title: String,
    note_count: usize,
    strategy_count: usize,
    principles: Vec<PrincipleCard>,
}

impl Renderer<'_> {
    /// A template error met while rendering a page from `ctx`. An undefined value is named,
    /// with the closest name the page has when it comes from the page's own variables.
    fn render_diagnostic(&self, error: &minijinja::Error, ctx: &Value) -> Diagnostic {
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
fn template_diagnostic(error: &minijinja::Error, theme: &Theme) -> Diagnostic {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_for_html_but_slashes_stay() {
        let mut env = Environment::new();
        env.set_formatter(write_value);
        env.add_template(
            "t.html",
            "<a href=\"{{ href }}\" title='{{ t }}'>{{ t }}</a>{{ raw | safe }}{{ n }}",
        )
        .unwrap();
        let html = env
            .get_template("t.html")
            .unwrap()
            .render(context! { href => "../notes/a/", t => "<img src=x onerror=\"alert('1')\"> & co", raw => "<b>/</b>", n => 3 })
            .unwrap();
        assert_eq!(
            html,
            "<a href=\"../notes/a/\" title='&lt;img src=x onerror=&quot;alert(&#x27;1&#x27;)&quot;&gt; &amp; co'>\
             &lt;img src=x onerror=&quot;alert(&#x27;1&#x27;)&quot;&gt; &amp; co</a><b>/</b>3"
        );
    }

    #[test]
    fn a_page_expanded_as_it_is_written_is_the_page_expanded_whole() {
        // Markers of both kinds, some right after a `>` and some far from one, across many
        // blocks of `ExpandInto`.
        let mut marked = String::new();
        for i in 0..20_000 {
            marked.push_str(&format!(
                "<p><a href=\"../n{i}/\u{FDD0}\">n{i}</a>>\u{FDD1} \
                 <a href=\"{i}/%EF%B7%90#x\">%</a> text without a tag end {i}</p>\n"
            ));
        }
        let marked = marked.as_bytes();
        for piece in [1, 7, 4096, 100_000] {
            let (mut clean, mut file) = (Vec::new(), Vec::new());
            let mut both = ExpandInto::new(&mut clean, &mut file);
            for part in marked.chunks(piece) {
                both.write_all(part).unwrap();
            }
            both.finish().unwrap();
            assert!(
                clean == expand_links(marked, LinkStyle::Clean),
                "pieces of {piece}"
            );
            assert!(
                file == expand_links(marked, LinkStyle::File),
                "pieces of {piece}"
            );
        }
        assert!(
            !String::from_utf8(expand_links(marked, LinkStyle::File))
                .unwrap()
                .contains('\u{FDD0}')
        );
    }

    #[test]
    fn file_paths_are_encoded_for_links() {
        use markdown::encode_path;
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
    fn links_are_relative_in_both_styles() {
        assert_eq!(root_of("notes/a/index.html"), "../../");
        assert_eq!(root_of("index.html"), "");
        assert_eq!(
            link_path("notes/a/index.html", LinkStyle::Clean),
            "notes/a/"
        );
        assert_eq!(link_path("index.html", LinkStyle::Clean), "./");
        // A marked link becomes either style afterwards.
        for (path, clean, file) in [
            ("notes/a/index.html", "notes/a/", "notes/a/index.html"),
            ("index.html", "./", "index.html"),
            ("sitemap.xml", "sitemap.xml", "sitemap.xml"),
        ] {
            let marked = link_path(path, LinkStyle::Marked);
            assert_eq!(
                expand_links(marked.as_bytes(), LinkStyle::Clean),
                clean.as_bytes()
            );
            assert_eq!(
                expand_links(marked.as_bytes(), LinkStyle::File),
                file.as_bytes()
            );
        }
        assert_eq!(
            link_path("notes/a/index.html", LinkStyle::File),
            "notes/a/index.html"
        );
        let page = PageContext {
            path: "notes/a/index.html".into(),
            root: "../../".into(),
            style: LinkStyle::Clean,
            lang: "en".into(),
        };
        assert_eq!(page.href("index.html".into()), "../../");
        assert_eq!(
            page.href("principles/b/index.html".into()),
            "../../principles/b/"
        );
        let home = PageContext {
            path: "index.html".into(),
            root: String::new(),
            style: LinkStyle::Clean,
            lang: "en".into(),
        };
        assert_eq!(home.href("index.html".into()), "./");

        // Marked: the home page from below, and a marker as a Markdown link percent-encodes it.
        let marked = PageContext {
            style: LinkStyle::Marked,
            ..page
        };
        let up = marked.href("index.html".into());
        assert_eq!(expand_links(up.as_bytes(), LinkStyle::Clean), b"../../");
        assert_eq!(
            expand_links(up.as_bytes(), LinkStyle::File),
            b"../../index.html"
        );
        assert_eq!(
            expand_links(b"<a href=\"../%EF%B7%90#x\">%</a>", LinkStyle::File),
            b"<a href=\"../index.html#x\">%</a>"
        );
        assert!(mentions_link_markers("a \u{FDD1} b"));
        assert!(mentions_link_markers("[x](a/%ef%B7%90)"));
        assert!(!mentions_link_markers("100% of %EF%B7 and \u{FDD2}"));
    }
}
