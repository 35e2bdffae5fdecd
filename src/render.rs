//! Stage 3: render the `Site` into pages with minijinja templates from the theme. Each page is
//! named by a `PageId`, so `serve` can re-render only the pages an edit affects.

use std::collections::BTreeMap;

use minijinja::{Environment, UndefinedBehavior, Value, context};
use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::markdown;
use crate::model::*;
use crate::theme::Theme;

/// How links between pages are written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkStyle {
    /// `notes/x/`: for a web server, which serves `index.html` for a folder.
    Clean,
    /// `notes/x/index.html`: for the offline copy opened from disk.
    File,
}

#[derive(Clone, Debug)]
pub struct RenderOptions {
    pub link_style: LinkStyle,
    /// A script tag the dev server injects before `</body>`; never set by `guidance build`.
    pub inject: Option<String>,
}

impl Default for RenderOptions {
    fn default() -> RenderOptions {
        RenderOptions { link_style: LinkStyle::Clean, inject: None }
    }
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
}

impl PageId {
    pub fn all(site: &Site) -> Vec<PageId> {
        let mut ids = vec![PageId::Home, PageId::NotesIndex, PageId::PrinciplesIndex, PageId::CountriesIndex, PageId::Search, PageId::NotFound];
        ids.extend((0..site.notes.len()).map(PageId::Note));
        ids.extend((0..site.principles.len()).map(PageId::Principle));
        ids.extend((0..site.countries.len()).map(PageId::Country));
        ids.extend((0..site.pages.len()).filter(|&i| site.pages[i].slug != HOME_PAGE).map(PageId::Page));
        ids
    }

    /// The file the page is written to.
    pub fn path(self, site: &Site) -> String {
        match self {
            PageId::Home => "index.html".to_string(),
            PageId::NotesIndex => "notes/index.html".to_string(),
            PageId::Note(i) => format!("notes/{}/index.html", site.notes[i].slug),
            PageId::PrinciplesIndex => "principles/index.html".to_string(),
            PageId::Principle(i) => format!("principles/{}/index.html", site.principles[i].slug),
            PageId::CountriesIndex => "countries/index.html".to_string(),
            PageId::Country(i) => format!("countries/{}/index.html", site.countries[i].code.to_lowercase()),
            PageId::Page(i) => format!("{}/index.html", site.pages[i].slug),
            PageId::Search => "search/index.html".to_string(),
            PageId::NotFound => "404.html".to_string(),
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
    }
}

/// `../` once per folder between `path` and the site root.
pub fn root_of(path: &str) -> String {
    "../".repeat(path.matches('/').count())
}

pub struct Renderer<'a> {
    site: &'a Site,
    env: Environment<'a>,
    options: RenderOptions,
    strings: BTreeMap<String, String>,
}

impl<'a> Renderer<'a> {
    pub fn new(site: &'a Site, theme: &'a Theme, options: RenderOptions) -> Result<Renderer<'a>, Diagnostics> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.set_trim_blocks(true);
        env.set_lstrip_blocks(true);
        let mut diagnostics = Diagnostics::default();
        for (name, bytes) in theme.files_under("templates/") {
            let source = String::from_utf8_lossy(bytes).into_owned();
            if let Err(e) = env.add_template_owned(name.to_string(), source) {
                diagnostics.push(template_diagnostic(&e));
            }
        }
        let lang = site.config.default_language();
        let strings = match theme.text(&format!("i18n/{lang}.yaml")).map(serde_yaml::from_str) {
            Some(Ok(strings)) => strings,
            Some(Err(e)) => {
                diagnostics.push(
                    Diagnostic::error("theme", format!("interface strings do not parse: {e}"))
                        .in_file(format!("theme/i18n/{lang}.yaml")),
                );
                BTreeMap::new()
            }
            None => {
                diagnostics.push(
                    Diagnostic::error("theme", format!("no interface strings for language `{lang}`"))
                        .in_file(format!("theme/i18n/{lang}.yaml")),
                );
                BTreeMap::new()
            }
        };
        diagnostics.into_result()?;
        Ok(Renderer { site, env, options, strings })
    }

    /// Renders every page, in parallel.
    pub fn render_all(&self) -> Result<Vec<OutputFile>, Diagnostics> {
        let ids = PageId::all(self.site);
        let results: Vec<Result<OutputFile, Diagnostic>> = ids.par_iter().map(|&id| self.render(id)).collect();
        let mut files = Vec::with_capacity(results.len() + 2);
        let mut diagnostics = Diagnostics::default();
        for result in results {
            match result {
                Ok(file) => files.push(file),
                Err(d) => diagnostics.push(d),
            }
        }
        diagnostics.into_result()?;
        files.push(self.sitemap());
        files.push(self.robots());
        Ok(files)
    }

    /// Renders one page.
    pub fn render(&self, id: PageId) -> Result<OutputFile, Diagnostic> {
        let path = id.path(self.site);
        let page = PageContext::new(self, &path);
        let (template, ctx) = match id {
            PageId::Home => ("home.html", self.home(&page)),
            PageId::NotesIndex => ("notes.html", self.notes_index(&page)),
            PageId::Note(i) => ("note.html", self.note(&page, i)),
            PageId::PrinciplesIndex => ("principles.html", self.principles_index(&page)),
            PageId::Principle(i) => ("principle.html", self.principle(&page, i)),
            PageId::CountriesIndex => ("countries.html", self.countries_index(&page)),
            PageId::Country(i) => ("country.html", self.country(&page, i)),
            PageId::Page(i) => ("page.html", self.page(&page, i)),
            PageId::Search => ("search.html", context! { title => self.t("search_title"), description => self.t("search_label") }),
            PageId::NotFound => ("404.html", context! { title => self.t("not_found_title"), description => self.t("not_found_text") }),
        };
        let base = self.base_context(&page, id);
        let ctx = context! { ..ctx, ..base };
        let html = self
            .env
            .get_template(template)
            .and_then(|t| t.render(ctx))
            .map_err(|e| template_diagnostic(&e))?;
        let html = match &self.options.inject {
            Some(script) => match html.rfind("</body>") {
                Some(i) => format!("{}{script}{}", &html[..i], &html[i..]),
                None => format!("{html}{script}"),
            },
            None => html,
        };
        Ok(OutputFile { path, bytes: html.into_bytes() })
    }

    fn t<'k>(&'k self, key: &'k str) -> &'k str {
        self.strings.get(key).map_or(key, String::as_str)
    }

    fn base_context(&self, page: &PageContext, id: PageId) -> Value {
        let site = self.site;
        let config = &site.config;
        let canonical = config.base_url().filter(|_| id != PageId::NotFound).map(|base| {
            format!("{base}{}", link_path(&page.path, LinkStyle::Clean).trim_start_matches("./"))
        });
        context! {
            site => context! {
                title => config.title,
                description => config.description,
                source_note => config.source_note,
                base_url => config.base_url(),
            },
            lang => config.default_language(),
            dir => crate::i18n::direction(config.default_language()),
            t => self.strings,
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
            },
            links => context! {
                home => page.href(PageId::Home.path(site)),
                notes => page.href(PageId::NotesIndex.path(site)),
                principles => page.href(PageId::PrinciplesIndex.path(site)),
                countries => page.href(PageId::CountriesIndex.path(site)),
                search => page.href(PageId::Search.path(site)),
                about => site.page("about").map(|i| page.href(PageId::Page(i).path(site))),
                download => site.page("download").map(|i| page.href(PageId::Page(i).path(site))),
                static_dir => format!("{}static/", page.root),
            },
        }
    }

    fn body_html(&self, page: &PageContext, source: &SourceFile, body: &Body) -> String {
        let resolve = |dest: &str| body.links.get(dest).map(|target| self.target_href(page, target));
        markdown::to_html(Site::markdown(source, body), self.t("anchor_label"), &resolve)
    }

    fn target_href(&self, page: &PageContext, target: &Target) -> String {
        let site = self.site;
        let with_anchor = |id: PageId, anchor: &Option<String>| {
            let href = page.href(id.path(site));
            match anchor {
                Some(a) => format!("{href}#{a}"),
                None => href,
            }
        };
        match target {
            Target::Principle { index, anchor } => with_anchor(PageId::Principle(*index), anchor),
            Target::Note { index, anchor } => with_anchor(PageId::Note(*index), anchor),
            Target::Page { index, anchor } if site.pages[*index].slug == HOME_PAGE => with_anchor(PageId::Home, anchor),
            Target::Page { index, anchor } => with_anchor(PageId::Page(*index), anchor),
            Target::Country { index } => with_anchor(PageId::Country(*index), &None),
            Target::Anchor(a) => format!("#{a}"),
            Target::External(url) => url.clone(),
        }
    }

    fn note_card(&self, page: &PageContext, i: usize) -> NoteCard {
        let site = self.site;
        let note = &site.notes[i];
        let principle = &site.principles[note.principle];
        NoteCard {
            slug: note.slug.clone(),
            title: note.meta.title.clone(),
            summary: note.meta.summary.clone(),
            url: page.href(PageId::Note(i).path(site)),
            provisional: note.meta.status == Status::Provisional,
            principle: principle.meta.title.clone(),
            principle_url: page.href(PageId::Principle(note.principle).path(site)),
            pillar: principle.meta.pillar,
            countries: note.countries.iter().map(|&c| site.countries[c].name.clone()).collect(),
            published: note.meta.published.map(|d| d.to_string()),
        }
    }

    fn principle_card(&self, page: &PageContext, i: usize) -> PrincipleCard {
        let site = self.site;
        let p = &site.principles[i];
        PrincipleCard {
            slug: p.slug.clone(),
            number: p.meta.number,
            title: p.meta.title.clone(),
            summary: p.meta.summary.clone(),
            pillar: p.meta.pillar,
            url: page.href(PageId::Principle(i).path(site)),
            strategy_count: p.meta.strategies.len(),
            notes: p.notes.iter().map(|&n| self.note_card(page, n)).collect(),
            related_notes: p.related_notes.iter().map(|&n| self.note_card(page, n)).collect(),
        }
    }

    fn pillars(&self, page: &PageContext) -> Vec<PillarView> {
        Pillar::ALL
            .iter()
            .map(|&pillar| {
                let principles: Vec<PrincipleCard> =
                    self.site.principles_in(pillar).map(|i| self.principle_card(page, i)).collect();
                PillarView {
                    slug: pillar,
                    title: self.t(&format!("pillar_{}", pillar.slug())).to_string(),
                    note_count: principles.iter().map(|p| p.notes.len()).sum(),
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
                    .map(|p| if note.principle == p { 2 } else if note.related_principles.contains(&p) { 1 } else { 0 })
                    .collect();
                context! { note => self.note_card(page, i), cells => cells }
            })
            .collect();
        let columns: Vec<PrincipleCard> = (0..site.principles.len()).map(|i| self.principle_card(page, i)).collect();
        context! { rows => rows, columns => columns }
    }

    fn home(&self, page: &PageContext) -> Value {
        let site = self.site;
        let intro = site.page(HOME_PAGE).map(|i| self.body_html(page, &site.pages[i].source, &site.pages[i].body));
        context! {
            title => site.config.title,
            description => site.config.description,
            intro => intro,
            pillars => self.pillars(page),
            counts => context! {
                principles => site.principles.len(),
                notes => site.notes.len(),
                countries => site.countries.len(),
                strategies => site.principles.iter().map(|p| p.meta.strategies.len()).sum::<usize>(),
            },
        }
    }

    fn notes_index(&self, page: &PageContext) -> Value {
        let notes: Vec<NoteCard> = (0..self.site.notes.len()).map(|i| self.note_card(page, i)).collect();
        context! {
            title => self.t("notes_title"),
            description => self.t("notes_description"),
            notes => notes,
            pillars => self.pillars(page),
        }
    }

    fn principles_index(&self, page: &PageContext) -> Value {
        context! {
            title => self.t("principles_title"),
            description => self.t("principles_description"),
            pillars => self.pillars(page),
            matrix => self.matrix(page),
        }
    }

    fn countries_index(&self, page: &PageContext) -> Value {
        let site = self.site;
        let countries: Vec<Value> = (0..site.countries.len())
            .map(|i| {
                let c = &site.countries[i];
                context! {
                    code => c.code,
                    name => c.name,
                    url => page.href(PageId::Country(i).path(site)),
                    note_count => c.notes.len(),
                }
            })
            .collect();
        let max = site.countries.iter().map(|c| c.notes.len()).max().unwrap_or(0);
        context! {
            title => self.t("countries_title"),
            description => self.t("countries_description"),
            countries => countries,
            max_count => max,
        }
    }

    fn note(&self, page: &PageContext, i: usize) -> Value {
        let site = self.site;
        let note = &site.notes[i];
        let principle = &site.principles[note.principle];
        let card = |j: usize| self.note_card(page, j);
        // Related notes: the ones it links to, then the ones linking to it, then its siblings.
        let mut related: Vec<usize> = note.links_to.clone();
        related.extend(note.linked_from.iter().filter(|j| !related.contains(j)).collect::<Vec<_>>());
        let strategy = note.strategy.map(|s| principle.meta.strategies[s].clone());
        context! {
            title => note.meta.title,
            description => note.meta.summary,
            note => card(i),
            meta => note.meta,
            strategy => strategy,
            principle => self.principle_card_short(page, note.principle),
            related_principles => note.related_principles.iter().map(|&p| self.principle_card_short(page, p)).collect::<Vec<_>>(),
            countries => note.countries.iter().map(|&c| context! {
                code => site.countries[c].code,
                name => site.countries[c].name,
                url => page.href(PageId::Country(c).path(site)),
            }).collect::<Vec<_>>(),
            toc => note.body.headings.iter().filter(|h| h.level <= 3).collect::<Vec<_>>(),
            body => self.body_html(page, &note.source, &note.body),
            related => related.into_iter().map(card).collect::<Vec<_>>(),
            linked_from => note.linked_from.iter().map(|&j| card(j)).collect::<Vec<_>>(),
            previous => i.checked_sub(1).map(card),
            next => (i + 1 < site.notes.len()).then(|| card(i + 1)),
        }
    }

    fn principle_card_short(&self, page: &PageContext, i: usize) -> Value {
        let p = &self.site.principles[i];
        context! {
            slug => p.slug,
            title => p.meta.title,
            number => p.meta.number,
            pillar => p.meta.pillar,
            url => page.href(PageId::Principle(i).path(self.site)),
        }
    }

    fn principle(&self, page: &PageContext, i: usize) -> Value {
        let site = self.site;
        let p = &site.principles[i];
        let strategies: Vec<Value> = p
            .meta
            .strategies
            .iter()
            .zip(&p.strategy_notes)
            .map(|(name, notes)| context! { name => name, notes => notes.iter().map(|&n| self.note_card(page, n)).collect::<Vec<_>>() })
            .collect();
        context! {
            title => p.meta.title,
            description => p.meta.summary,
            principle => self.principle_card(page, i),
            meta => p.meta,
            pillar_title => self.t(&format!("pillar_{}", p.meta.pillar.slug())),
            strategies => strategies,
            toc => p.body.headings.iter().filter(|h| h.level <= 3).collect::<Vec<_>>(),
            body => self.body_html(page, &p.source, &p.body),
            previous => i.checked_sub(1).map(|j| self.principle_card_short(page, j)),
            next => (i + 1 < site.principles.len()).then(|| self.principle_card_short(page, i + 1)),
        }
    }

    fn country(&self, page: &PageContext, i: usize) -> Value {
        let c = &self.site.countries[i];
        context! {
            title => c.name,
            description => format!("{} ({})", self.t("country_description"), c.name),
            country => context! { code => c.code, name => c.name },
            notes => c.notes.iter().map(|&n| self.note_card(page, n)).collect::<Vec<_>>(),
        }
    }

    fn page(&self, page: &PageContext, i: usize) -> Value {
        let p = &self.site.pages[i];
        context! {
            title => p.meta.title,
            description => p.meta.summary,
            slug => p.slug,
            toc => p.body.headings.iter().filter(|h| h.level <= 3).collect::<Vec<_>>(),
            body => self.body_html(page, &p.source, &p.body),
        }
    }

    fn sitemap(&self) -> OutputFile {
        let base = self.site.config.base_url().unwrap_or_else(|| "/".to_string());
        let mut xml = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        let mut ids = PageId::all(self.site);
        ids.retain(|id| *id != PageId::NotFound);
        let mut paths: Vec<String> = ids.iter().map(|id| id.path(self.site)).collect();
        paths.sort();
        for path in paths {
            let link = link_path(&path, LinkStyle::Clean);
            let link = link.trim_start_matches("./");
            xml.push_str(&format!("  <url><loc>{}</loc></url>\n", markdown::escape(&format!("{base}{link}"))));
        }
        xml.push_str("</urlset>\n");
        OutputFile { path: "sitemap.xml".to_string(), bytes: xml.into_bytes() }
    }

    fn robots(&self) -> OutputFile {
        let mut text = String::from("User-agent: *\nAllow: /\n");
        if let Some(base) = self.site.config.base_url() {
            text.push_str(&format!("Sitemap: {base}sitemap.xml\n"));
        }
        OutputFile { path: "robots.txt".to_string(), bytes: text.into_bytes() }
    }
}

/// Where a page sits: its path and the way back to the root.
struct PageContext {
    path: String,
    root: String,
    style: LinkStyle,
}

impl PageContext {
    fn new(renderer: &Renderer, path: &str) -> PageContext {
        PageContext { path: path.to_string(), root: root_of(path), style: renderer.options.link_style }
    }

    /// The relative link from this page to the page at `target` (a path from the site root).
    fn href(&self, target: String) -> String {
        let link = link_path(&target, self.style);
        if self.root.is_empty() || link != "./" {
            format!("{}{}", self.root, link)
        } else {
            self.root.clone()
        }
    }
}

#[derive(Serialize)]
struct NoteCard {
    slug: String,
    title: String,
    summary: String,
    url: String,
    provisional: bool,
    principle: String,
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
    pillar: Pillar,
    url: String,
    strategy_count: usize,
    notes: Vec<NoteCard>,
    related_notes: Vec<NoteCard>,
}

#[derive(Serialize)]
struct PillarView {
    slug: Pillar,
    title: String,
    note_count: usize,
    strategy_count: usize,
    principles: Vec<PrincipleCard>,
}

fn template_diagnostic(error: &minijinja::Error) -> Diagnostic {
    let file = format!("theme/templates/{}", error.name().unwrap_or("?"));
    let line = error.line().map(|l| format!(" (line {l})")).unwrap_or_default();
    let mut message = format!("template error{line}: {}", error.kind());
    if let Some(detail) = error.detail() {
        message.push_str(&format!(": {detail}"));
    }
    Diagnostic::error("template", message)
        .in_file(file)
        .help("fix the template; the embedded default theme is in src/theme/templates/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_relative_in_both_styles() {
        assert_eq!(root_of("notes/a/index.html"), "../../");
        assert_eq!(root_of("index.html"), "");
        assert_eq!(link_path("notes/a/index.html", LinkStyle::Clean), "notes/a/");
        assert_eq!(link_path("index.html", LinkStyle::Clean), "./");
        assert_eq!(link_path("notes/a/index.html", LinkStyle::File), "notes/a/index.html");
        let page = PageContext { path: "notes/a/index.html".into(), root: "../../".into(), style: LinkStyle::Clean };
        assert_eq!(page.href("index.html".into()), "../../");
        assert_eq!(page.href("principles/b/index.html".into()), "../../principles/b/");
        let home = PageContext { path: "index.html".into(), root: String::new(), style: LinkStyle::Clean };
        assert_eq!(home.href("index.html".into()), "./");
    }
}
