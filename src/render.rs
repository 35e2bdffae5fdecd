//! Stage 3: render the `Site` into pages with minijinja templates from the theme. Each page is
//! named by a `PageId`, so `serve` can re-render only the pages an edit affects.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;

use minijinja::{Environment, UndefinedBehavior, Value, context};
use rayon::prelude::*;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::markdown;
use crate::model::*;
use crate::theme::Theme;

mod diagnostics;
mod links;
mod localize;
mod offline;
mod views;

pub use links::{ExpandInto, LinkStyle, expand_links, link_path, mentions_link_markers, root_of};
pub use offline::DOWNLOAD_PAGE;

use diagnostics::template_diagnostic;
use links::PageContext;

/// Whether the page's renders in the two styles differ only in their links, so a
/// [`LinkStyle::Marked`] render stands for both: every page but the 404 page (absolute links on a
/// site with a published address) and the Download page (the web's shows the zip's size).
pub fn differs_only_in_links(id: PageId) -> bool {
    !matches!(id, PageId::NotFound | PageId::Download)
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
        // The print edition's context (every document's metadata) is not needed while its
        // bodies are written, which takes most of a large build.
        drop(ctx);
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
}
