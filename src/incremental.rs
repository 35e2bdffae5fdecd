//! Incremental rebuilds for `guidance serve`. A [`Build`] is the whole site in memory; a
//! [`Project`] makes the next one from the last good one by comparing the old and the new `Site`
//! and re-rendering only the pages an edit affects. Pages are rendered on first request or by a
//! background pass ([`Build::warm`]), so a new build can be swapped in as soon as the model is
//! linked: a page is never served stale, because an affected page is either rendered for the new
//! model or rendered on demand before it is served.

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::Diagnostics;
use crate::load::{Document, display_path};
use crate::markdown::Analysis;
use crate::model::Site;
use crate::render::{HOME_PAGE, OutputFile, PageId, RenderOptions, Renderer};
use crate::theme::Theme;

/// One file of a build, with the tag browsers revalidate against.
#[derive(Debug)]
pub struct Entry {
    pub bytes: Vec<u8>,
    /// A hash of the bytes, for `ETag`.
    pub hash: u64,
}

impl Entry {
    fn new(bytes: Vec<u8>) -> Arc<Entry> {
        let mut hasher = DefaultHasher::new();
        bytes.hash(&mut hasher);
        Arc::new(Entry {
            hash: hasher.finish(),
            bytes,
        })
    }
}

type Rendered = Result<Arc<Entry>, Diagnostics>;

/// A page that is rendered when first needed. Shared between consecutive builds while an edit
/// does not affect it (its bytes are then the same for both models).
#[derive(Debug, Default)]
struct Pending {
    cell: OnceLock<Rendered>,
    /// What the last good build served, kept in case rendering for the new model fails.
    fallback: Option<Arc<Entry>>,
}

#[derive(Clone, Debug)]
enum Slot {
    Ready(Arc<Entry>),
    Pending(Arc<Pending>),
}

/// What a lookup in a build found.
#[derive(Debug)]
pub enum Lookup {
    Found(Arc<Entry>),
    Missing,
    /// Rendering failed; `fallback` is the last good version of the file, if there was one.
    Failed {
        diagnostics: Diagnostics,
        fallback: Option<Arc<Entry>>,
    },
}

/// The site in memory: pages and theme assets by path, plus the data files (feeds, JSON export,
/// sitemap) made together on first request.
pub struct Build {
    pub generation: u64,
    site: Arc<Site>,
    theme: Arc<Theme>,
    options: RenderOptions,
    /// Every page path of this model, with the page and language it renders.
    pages: Arc<HashMap<String, (PageId, String)>>,
    files: HashMap<String, Slot>,
    /// Pages to render first in [`Build::warm`]: those of the documents just edited.
    first: Vec<String>,
    data: OnceLock<Result<HashMap<String, Arc<Entry>>, Diagnostics>>,
    superseded: AtomicBool,
}

impl Build {
    /// The file at `path` (a site path such as `notes/x/index.html`), rendering it if needed.
    pub fn get(&self, path: &str) -> Lookup {
        match self.files.get(path) {
            Some(Slot::Ready(entry)) => Lookup::Found(Arc::clone(entry)),
            Some(Slot::Pending(pending)) => {
                match pending.cell.get_or_init(|| self.render_one(path, None)) {
                    Ok(entry) => Lookup::Found(Arc::clone(entry)),
                    Err(diagnostics) => Lookup::Failed {
                        diagnostics: diagnostics.clone(),
                        fallback: pending.fallback.clone(),
                    },
                }
            }
            None => match self.data_files() {
                Ok(files) => files
                    .get(path)
                    .map_or(Lookup::Missing, |e| Lookup::Found(Arc::clone(e))),
                Err(diagnostics) => Lookup::Failed {
                    diagnostics: diagnostics.clone(),
                    fallback: None,
                },
            },
        }
    }

    /// Every path this build serves, sorted (makes the data files if they are not made yet).
    pub fn paths(&self) -> Vec<String> {
        let mut paths: Vec<String> = self.files.keys().cloned().collect();
        if let Ok(data) = self.data_files() {
            paths.extend(data.keys().cloned());
        }
        paths.sort();
        paths
    }

    /// Whether `path` is a page or an asset of this build (without rendering anything).
    pub fn has_page(&self, path: &str) -> bool {
        self.files.contains_key(path)
    }

    /// Renders every page not rendered yet, the edited documents' pages first, then makes the
    /// data files. Stops early once a newer build has replaced this one. Returns what failed.
    pub fn warm(&self) -> Diagnostics {
        let mut problems = Diagnostics::default();
        let renderer = match Renderer::new(&self.site, &self.theme, self.options.clone()) {
            Ok(renderer) => renderer,
            Err(diagnostics) => return diagnostics,
        };
        let mut order: Vec<&str> = self.first.iter().map(String::as_str).collect();
        let mut rest: Vec<&str> = self
            .files
            .iter()
            .filter(|(_, slot)| matches!(slot, Slot::Pending(p) if p.cell.get().is_none()))
            .map(|(path, _)| path.as_str())
            .collect();
        // The big listing pages last: a request for one of them renders it at once anyway.
        rest.sort_by_key(|path| (path.matches('/').count() < 2, *path));
        order.extend(rest);
        let failures: Vec<Diagnostics> = order
            .par_iter()
            .filter_map(|path| {
                if self.superseded.load(Ordering::Relaxed) {
                    return None;
                }
                let Some(Slot::Pending(pending)) = self.files.get(*path) else {
                    return None;
                };
                pending
                    .cell
                    .get_or_init(|| self.render_one(path, Some(&renderer)))
                    .as_ref()
                    .err()
                    .cloned()
            })
            .collect();
        for failure in failures {
            problems.extend(failure);
        }
        if !self.superseded.load(Ordering::Relaxed)
            && let Err(diagnostics) = self.data_files()
        {
            problems.extend(diagnostics.clone());
        }
        problems.into_result().err().unwrap_or_default()
    }

    /// Marks the build as replaced, so [`Build::warm`] stops.
    pub fn supersede(&self) {
        self.superseded.store(true, Ordering::Relaxed);
    }

    /// Whether every page is rendered and the data files are made.
    pub fn is_warm(&self) -> bool {
        self.rendered().1 == 0 && self.data.get().is_some()
    }

    /// How many pages are rendered, and how many are still waiting for a request or the warmer.
    pub fn rendered(&self) -> (usize, usize) {
        let pending = self
            .files
            .values()
            .filter(|s| matches!(s, Slot::Pending(p) if p.cell.get().is_none()))
            .count();
        (self.files.len() - pending, pending)
    }

    fn render_one(&self, path: &str, renderer: Option<&Renderer>) -> Rendered {
        let (id, lang) = &self.pages[path];
        let file = match renderer {
            Some(renderer) => renderer.render_in(*id, lang)?,
            None => Renderer::new(&self.site, &self.theme, self.options.clone())?
                .render_in(*id, lang)?,
        };
        Ok(Entry::new(file.bytes))
    }

    fn data_files(&self) -> &Result<HashMap<String, Arc<Entry>>, Diagnostics> {
        self.data.get_or_init(|| {
            let renderer = Renderer::new(&self.site, &self.theme, self.options.clone())?;
            let mut files = renderer.site_files();
            files.extend(crate::data_files(&self.site));
            Ok(files
                .into_iter()
                .map(|f| (f.path, Entry::new(f.bytes)))
                .collect())
        })
    }
}

/// What one rebuild did.
pub struct Rebuilt {
    pub build: Arc<Build>,
    /// Site paths whose content may have changed (added, edited or removed pages and assets);
    /// `None` after a full rebuild that changed more than is worth listing.
    pub changed: Option<Vec<String>>,
    pub warnings: Diagnostics,
    /// Whether the whole site was rebuilt (first build, theme or config change).
    pub full: bool,
    /// How many pages this rebuild invalidated.
    pub pages: usize,
}

/// What changed since the last rebuild.
#[derive(Clone, Debug)]
pub enum Changes {
    /// Unknown, or the theme or configuration: read and render everything again.
    Everything,
    /// These files or folders changed (paths from the project root, `/`-separated).
    Files(BTreeSet<String>),
}

/// A project being served: the last good build and what is needed to make the next one.
pub struct Project {
    root: PathBuf,
    options: RenderOptions,
    current: Option<Arc<Build>>,
    generation: u64,
    cache: Cache,
}

/// The documents read and analysed before, by path from the project root, reused while their
/// files do not change.
#[derive(Default)]
struct Cache {
    config: Option<Config>,
    documents: HashMap<String, Document>,
    analyses: Mutex<HashMap<String, CachedAnalysis>>,
}

/// A body's analysis with the text it was made from.
type CachedAnalysis = Arc<(Arc<str>, Analysis)>;

impl Cache {
    /// Forgets what `changes` may have made stale (before reading, so that a failed rebuild
    /// never leaves an old version of a changed file behind).
    fn invalidate(&mut self, changes: &Changes, config: &Config) {
        let stale = match changes {
            Changes::Everything => true,
            Changes::Files(_) => self.config.as_ref() != Some(config),
        };
        if stale {
            self.documents.clear();
            self.analyses.get_mut().unwrap().clear();
            self.config = Some(config.clone());
            return;
        }
        if let Changes::Files(paths) = changes {
            let changed = |path: &str| {
                let mut at = path;
                loop {
                    if paths.contains(at) {
                        return true;
                    }
                    match at.rsplit_once('/') {
                        Some((parent, _)) => at = parent,
                        None => return false,
                    }
                }
            };
            self.documents.retain(|path, _| !changed(path));
        }
    }

    fn analysis(&self, document: &Document) -> Analysis {
        let text = &document.source.text;
        let cached = self
            .analyses
            .lock()
            .unwrap()
            .get(&document.source.path)
            .cloned();
        if let Some(cached) = cached.filter(|c| Arc::ptr_eq(&c.0, text)) {
            return cached.1.clone();
        }
        let analysis = crate::markdown::analyse(&text[document.body.clone()]);
        let entry = Arc::new((Arc::clone(text), analysis.clone()));
        self.analyses
            .lock()
            .unwrap()
            .insert(document.source.path.clone(), entry);
        analysis
    }

    /// Remembers what was read this time, and forgets deleted files.
    fn keep(&mut self, documents: &[Document]) {
        let mut seen = HashSet::with_capacity(documents.len());
        for document in documents {
            seen.insert(document.source.path.as_str());
            let same = self
                .documents
                .get(&document.source.path)
                .is_some_and(|d| Arc::ptr_eq(&d.source.text, &document.source.text));
            if !same {
                self.documents
                    .insert(document.source.path.clone(), document.clone());
            }
        }
        self.documents
            .retain(|path, _| seen.contains(path.as_str()));
        self.analyses
            .get_mut()
            .unwrap()
            .retain(|path, _| seen.contains(path.as_str()));
    }
}

/// A change list longer than this is sent to browsers as "everything changed".
const LIST_LIMIT: usize = 2_000;

impl Project {
    pub fn new(root: &Path, options: RenderOptions) -> Project {
        Project {
            root: root.to_path_buf(),
            options,
            current: None,
            generation: 0,
            cache: Cache::default(),
        }
    }

    /// load + link, reading and analysing only the files that changed since the last time.
    fn load_site(&mut self, changes: &Changes) -> Result<(Site, Diagnostics), Diagnostics> {
        let config = Config::load(&self.root)?;
        self.cache.invalidate(changes, &config);
        let root = &self.root;
        let cache = &self.cache;
        let documents = crate::load::load_reusing(root, &config, &|path: &Path| {
            cache.documents.get(&display_path(root, path)).cloned()
        })?;
        self.cache.keep(&documents);
        let cache = &self.cache;
        crate::link::link_reusing(documents, config, &|document: &Document| {
            Some(cache.analysis(document))
        })
    }

    /// The last good build, if any.
    pub fn current(&self) -> Option<&Arc<Build>> {
        self.current.as_ref()
    }

    /// Rebuilds after a change: everything for [`Changes::Everything`] (theme or configuration
    /// edited), otherwise only the pages the content changes affect. On error the last good
    /// build stays current.
    pub fn rebuild(&mut self, changes: &Changes) -> Result<Rebuilt, Diagnostics> {
        let everything = matches!(changes, Changes::Everything);
        let (site, warnings) = self.load_site(changes)?;
        let previous = match (&self.current, everything) {
            (Some(previous), false) if previous.site.config == site.config => Arc::clone(previous),
            _ => return self.full(site, warnings),
        };
        let Some(affected) = affected_pages(&previous.site, &site) else {
            return self.full(site, warnings);
        };
        let site = Arc::new(site);
        let theme = Arc::clone(&previous.theme);
        let renderer = Renderer::new(&site, &theme, self.options.clone())?;
        // The same documents in the same order publish the same pages under the same ids.
        let pages = if same_structure(&previous.site, &site) {
            Arc::clone(&previous.pages)
        } else {
            Arc::new(page_paths(&site, &renderer))
        };

        let mut invalid: BTreeSet<String> = BTreeSet::new();
        for (path, (id, _)) in pages.iter() {
            if affected.contains(id) || !previous.files.contains_key(path) {
                invalid.insert(path.clone());
            }
        }
        let removed: Vec<String> = previous
            .pages
            .keys()
            .filter(|p| !pages.contains_key(*p))
            .cloned()
            .collect();
        if invalid.is_empty() && removed.is_empty() {
            // Nothing anyone can see changed (a file saved without edits): keep the build.
            return Ok(Rebuilt {
                build: previous,
                changed: Some(Vec::new()),
                warnings,
                full: false,
                pages: 0,
            });
        }

        // Render the edited documents' own pages now, so an error in them keeps the last good
        // build; everything else renders on request or in the background.
        let first: Vec<String> = invalid
            .iter()
            .filter(|p| {
                pages[*p].0.document(&site).is_some() && affected.first.contains(&pages[*p].0)
            })
            .cloned()
            .collect();
        let eager: Vec<(String, Rendered)> = first
            .par_iter()
            .map(|path| {
                let (id, lang) = &pages[path];
                (
                    path.clone(),
                    renderer
                        .render_in(*id, lang)
                        .map(|f| Entry::new(f.bytes))
                        .map_err(Diagnostics::from),
                )
            })
            .collect();
        let mut eager_files = HashMap::new();
        let mut problems = Diagnostics::default();
        for (path, result) in eager {
            match result {
                Ok(entry) => {
                    eager_files.insert(path, entry);
                }
                Err(d) => problems.extend(d),
            }
        }
        problems.into_result()?;
        drop(renderer);

        let mut files: HashMap<String, Slot> =
            HashMap::with_capacity(previous.files.len() + invalid.len());
        for (path, slot) in &previous.files {
            if !previous.pages.contains_key(path) {
                files.insert(path.clone(), slot.clone()); // theme assets: the theme did not change
            }
        }
        for path in pages.keys() {
            let slot = if let Some(entry) = eager_files.remove(path) {
                Slot::Ready(entry)
            } else if invalid.contains(path) {
                let fallback = previous.files.get(path).and_then(ready);
                Slot::Pending(Arc::new(Pending {
                    cell: OnceLock::new(),
                    fallback,
                }))
            } else {
                match &previous.files[path] {
                    Slot::Pending(p) if p.cell.get().is_some_and(Result::is_err) => {
                        Slot::Pending(Arc::new(Pending::default()))
                    }
                    Slot::Pending(p) => match p.cell.get() {
                        Some(Ok(entry)) => Slot::Ready(Arc::clone(entry)),
                        _ => Slot::Pending(Arc::clone(p)),
                    },
                    ready => ready.clone(),
                }
            };
            files.insert(path.clone(), slot);
        }
        let count = invalid.len();
        let mut changed: Vec<String> = invalid.into_iter().chain(removed).collect();
        changed.sort();
        let build = self.swap(Build {
            generation: 0,
            site,
            theme,
            options: self.options.clone(),
            pages,
            files,
            first,
            data: OnceLock::new(),
            superseded: AtomicBool::new(false),
        });
        Ok(Rebuilt {
            build,
            changed: Some(changed),
            warnings,
            full: false,
            pages: count,
        })
    }

    /// Renders everything with the build pipeline's own `generate`.
    fn full(&mut self, site: Site, warnings: Diagnostics) -> Result<Rebuilt, Diagnostics> {
        let theme = Theme::load(&self.root)?;
        let generated = crate::generate(&site, &theme, self.options.clone())?;
        let renderer = Renderer::new(&site, &theme, self.options.clone())?;
        let pages = Arc::new(page_paths(&site, &renderer));
        drop(renderer);
        let assets: HashSet<String> = crate::theme_files(&theme).map(|f| f.path).collect();
        let mut files = HashMap::new();
        let mut data = HashMap::new();
        for OutputFile { path, bytes } in generated {
            let entry = Entry::new(bytes);
            if pages.contains_key(&path) || assets.contains(&path) {
                files.insert(path, Slot::Ready(entry));
            } else {
                data.insert(path, entry);
            }
        }
        let changed = self
            .current
            .as_ref()
            .map(|previous| changed_files(previous, &files, &data));
        let count = pages.len();
        let cell = OnceLock::new();
        let _ = cell.set(Ok(data));
        let build = self.swap(Build {
            generation: 0,
            site: Arc::new(site),
            theme: Arc::new(theme),
            options: self.options.clone(),
            pages,
            files,
            first: Vec::new(),
            data: cell,
            superseded: AtomicBool::new(false),
        });
        let changed = changed.filter(|c| c.len() <= LIST_LIMIT);
        Ok(Rebuilt {
            build,
            changed,
            warnings,
            full: true,
            pages: count,
        })
    }

    fn swap(&mut self, mut build: Build) -> Arc<Build> {
        self.generation += 1;
        build.generation = self.generation;
        let build = Arc::new(build);
        if let Some(previous) = self.current.replace(Arc::clone(&build)) {
            previous.supersede();
        }
        build
    }
}

/// The slugs of the notes before and after note `i` (what its previous/next links show).
fn neighbours(site: &Site, i: usize) -> (Option<&str>, Option<&str>) {
    let slug = |k: Option<usize>| k.and_then(|k| site.notes.get(k)).map(|n| n.slug.as_str());
    (slug(i.checked_sub(1)), slug(Some(i + 1)))
}

fn ready(slot: &Slot) -> Option<Arc<Entry>> {
    match slot {
        Slot::Ready(entry) => Some(Arc::clone(entry)),
        Slot::Pending(p) => p
            .cell
            .get()
            .and_then(|r| r.as_ref().ok())
            .cloned()
            .or_else(|| p.fallback.clone()),
    }
}

/// Paths whose bytes differ between the previous build and a fully rebuilt one.
fn changed_files(
    previous: &Build,
    files: &HashMap<String, Slot>,
    data: &HashMap<String, Arc<Entry>>,
) -> Vec<String> {
    let old_hash = |path: &str| match previous.files.get(path) {
        Some(slot) => ready(slot).map(|e| e.hash),
        None => match previous.data.get() {
            Some(Ok(old)) => old.get(path).map(|e| e.hash),
            _ => None,
        },
    };
    let mut changed: Vec<String> = Vec::new();
    for (path, slot) in files {
        let hash = ready(slot).map(|e| e.hash);
        if hash != old_hash(path) || hash.is_none() {
            changed.push(path.clone());
        }
    }
    for (path, entry) in data {
        if Some(entry.hash) != old_hash(path) {
            changed.push(path.clone());
        }
    }
    changed.extend(
        previous
            .files
            .keys()
            .filter(|p| !files.contains_key(*p) && !data.contains_key(*p))
            .cloned(),
    );
    changed.sort();
    changed
}

/// Whether two models have the same documents, countries and translations in the same order.
fn same_structure(old: &Site, new: &Site) -> bool {
    old.config.languages == new.config.languages
        && old
            .notes
            .iter()
            .map(|n| &n.slug)
            .eq(new.notes.iter().map(|n| &n.slug))
        && old
            .principles
            .iter()
            .map(|p| &p.slug)
            .eq(new.principles.iter().map(|p| &p.slug))
        && old
            .pages
            .iter()
            .map(|p| &p.slug)
            .eq(new.pages.iter().map(|p| &p.slug))
        && old
            .countries
            .iter()
            .map(|c| &c.code)
            .eq(new.countries.iter().map(|c| &c.code))
        && old
            .translations
            .iter()
            .map(|t| (t.kind, &t.slug, &t.lang))
            .eq(new.translations.iter().map(|t| (t.kind, &t.slug, &t.lang)))
}

fn page_paths(site: &Site, renderer: &Renderer) -> HashMap<String, (PageId, String)> {
    renderer
        .pages()
        .into_iter()
        .map(|(id, lang)| (id.path_in(site, &lang), (id, lang)))
        .collect()
}

/// The pages of the new model that an edit may have changed, or `None` when it may have changed
/// every page (the configuration, a principle or the set of pages changed).
struct Affected {
    pages: BTreeSet<PageId>,
    /// The pages of the edited documents themselves (rendered before the swap).
    first: BTreeSet<PageId>,
}

impl Affected {
    fn contains(&self, id: &PageId) -> bool {
        self.pages.contains(id)
    }
}

fn affected_pages(old: &Site, new: &Site) -> Option<Affected> {
    let same_text = |a: &crate::model::SourceFile, b: &crate::model::SourceFile| {
        Arc::ptr_eq(&a.text, &b.text) || a.text == b.text
    };
    if old.config != new.config
        || old.principles.len() != new.principles.len()
        || old
            .principles
            .iter()
            .zip(&new.principles)
            .any(|(a, b)| a.slug != b.slug || !same_text(&a.source, &b.source))
        || old.pages.len() != new.pages.len()
        || old
            .pages
            .iter()
            .zip(&new.pages)
            .any(|(a, b)| a.slug != b.slug)
    {
        return None;
    }
    let mut pages = BTreeSet::new();
    let mut first = BTreeSet::new();
    let mut changed: HashSet<&str> = HashSet::new();

    for (i, (a, b)) in old.pages.iter().zip(&new.pages).enumerate() {
        if !same_text(&a.source, &b.source) {
            let id = if b.slug == HOME_PAGE {
                PageId::Home
            } else {
                PageId::Page(i)
            };
            pages.insert(id);
            first.insert(id);
        }
    }
    let translations = |site: &Site| -> HashMap<(crate::model::Kind, String, String), Arc<str>> {
        site.translations
            .iter()
            .map(|t| {
                (
                    (t.kind, t.slug.clone(), t.lang.clone()),
                    Arc::clone(&t.source.text),
                )
            })
            .collect()
    };
    let (old_t, new_t) = (translations(old), translations(new));
    let keys: BTreeSet<_> = old_t.keys().chain(new_t.keys()).collect();
    for key in keys {
        if old_t.get(key) == new_t.get(key) {
            continue;
        }
        let (kind, slug, _) = key;
        match kind {
            crate::model::Kind::Principle => return None,
            crate::model::Kind::Note => {
                if let Some(i) = new.note(slug) {
                    changed.insert(new.notes[i].slug.as_str());
                }
            }
            crate::model::Kind::Page => {
                let i = new.page(slug)?;
                let id = if slug == HOME_PAGE {
                    PageId::Home
                } else {
                    PageId::Page(i)
                };
                pages.insert(id);
                first.insert(id);
            }
        }
    }

    let old_index: HashMap<&str, usize> = old
        .notes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.slug.as_str(), i))
        .collect();
    let new_index: HashMap<&str, usize> = new
        .notes
        .iter()
        .enumerate()
        .map(|(i, n)| (n.slug.as_str(), i))
        .collect();
    for note in &old.notes {
        match new_index.get(note.slug.as_str()) {
            Some(&j) if same_text(&note.source, &new.notes[j].source) => {}
            _ => {
                changed.insert(note.slug.as_str());
            }
        }
    }
    for note in &new.notes {
        if !old_index.contains_key(note.slug.as_str()) {
            changed.insert(note.slug.as_str());
        }
    }
    let country_codes = |site: &Site| {
        site.countries
            .iter()
            .map(|c| c.code.clone())
            .collect::<Vec<_>>()
    };
    if changed.is_empty() && pages.is_empty() && country_codes(old) == country_codes(new) {
        return Some(Affected { pages, first });
    }

    // Pages that show no document list or summarise the notes: home, indexes, print, search...
    pages.extend(PageId::all(new).into_iter().filter(|id| {
        !matches!(
            id,
            PageId::Note(_) | PageId::Principle(_) | PageId::Country(_) | PageId::Page(_)
        )
    }));

    // Compared in order, without allocating: a reordering counts as a change, which is safe.
    let same_notes = |a: &[usize], b: &[usize]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(&x, &y)| old.notes[x].slug == new.notes[y].slug)
    };
    for (i, note) in new.notes.iter().enumerate() {
        let id = PageId::Note(i);
        if changed.contains(note.slug.as_str()) {
            pages.insert(id);
            first.insert(id);
            continue;
        }
        let Some(&j) = old_index.get(note.slug.as_str()) else {
            continue;
        };
        let was = &old.notes[j];
        let (before, after) = neighbours(new, i);
        let related_changed = note
            .links_to
            .iter()
            .chain(&note.linked_from)
            .any(|&k| changed.contains(new.notes[k].slug.as_str()))
            || before
                .into_iter()
                .chain(after)
                .any(|slug| changed.contains(slug));
        if related_changed
            || neighbours(old, j) != neighbours(new, i)
            || !same_notes(&was.links_to, &note.links_to)
            || !same_notes(&was.linked_from, &note.linked_from)
        {
            pages.insert(id);
        }
    }
    // The principles and countries that list an edited note, before and after the edit.
    for (site, index) in [(old, &old_index), (new, &new_index)] {
        for slug in &changed {
            let Some(&i) = index.get(slug) else { continue };
            let note = &site.notes[i];
            for &p in std::iter::once(&note.principle).chain(&note.related_principles) {
                pages.insert(PageId::Principle(p));
            }
            for &c in &note.countries {
                if let Some(k) = new.country(&site.countries[c].code) {
                    pages.insert(PageId::Country(k));
                }
            }
        }
    }
    Some(Affected { pages, first })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_hash_their_bytes() {
        assert_eq!(
            Entry::new(b"a".to_vec()).hash,
            Entry::new(b"a".to_vec()).hash
        );
        assert_ne!(
            Entry::new(b"a".to_vec()).hash,
            Entry::new(b"b".to_vec()).hash
        );
    }
}
