//! Incremental rebuilds for `guidance serve`. A [`Build`] is the whole site in memory; a
//! [`Project`] makes the next one from the last good one by comparing the old and the new `Site`
//! and re-rendering only the pages an edit affects. When only note files changed, the new `Site`
//! itself is a patch of a copy of the last good one (only the changed files are read, see
//! `patch`); anything else loads every file, reusing the documents and analyses of unchanged
//! ones. Pages are rendered on first request or by a background pass ([`Build::warm`]), so a new
//! build can be swapped in as soon as the model is linked: a page is never served stale, because
//! an affected page is either rendered for the new model or rendered on demand before it is
//! served.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::Diagnostics;
use crate::load::{Document, display_path};
use crate::markdown::Analysis;
use crate::model::Site;
use crate::render::{OutputFile, PageId, RenderOptions, Renderer};
use crate::theme::Theme;

mod affected;
mod build;
mod patch;

use affected::{affected_pages, changed_project_files, pages_using, same_structure};
pub use build::{Build, Entry, Lookup};
use build::{Pending, Rendered, Slot, ready};
use patch::Spare;

/// What one rebuild did.
pub struct Rebuilt {
    pub build: Arc<Build>,
    /// Site paths whose content changed (added, edited or removed pages and assets), as far as
    /// is known when the build is swapped in: pages left to render on request or in the
    /// background are compared by [`Build::warm`]. `None` after a full rebuild that changed more
    /// than is worth listing.
    pub changed: Option<Vec<String>>,
    pub warnings: Diagnostics,
    /// Whether the whole site was rebuilt (first build, theme or config change).
    pub full: bool,
    /// How many pages this rebuild invalidated (rendered now, or left to render).
    pub pages: usize,
    /// Whether the model was patched from the last good one (only note files changed) rather
    /// than loaded and linked from every file.
    pub patched: bool,
}

/// A model, its warnings, and (when patched) how its notes are renumbered.
type Linked = (Site, Diagnostics, Option<Vec<Option<usize>>>);

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
    /// The paths changed since the current build was made (several rebuilds' worth when some
    /// failed), and whether something changed that only a full rebuild handles.
    dirty: BTreeSet<String>,
    dirty_all: bool,
    /// The current build's warnings.
    warnings: Diagnostics,
    /// A copy of the current build's model, for the next rebuild to patch.
    spare: Option<Spare>,
}

/// The documents read and analysed before, by path from the project root, reused while their
/// files do not change.
#[derive(Default)]
struct Cache {
    config: Option<Config>,
    documents: HashMap<String, Kept<Document>>,
    /// Each body's analysis, with the text it was made from.
    analyses: HashMap<String, Kept<(Arc<str>, Analysis)>>,
    /// Analyses made during this rebuild, added to `analyses` after it.
    fresh: Mutex<Vec<(String, Arc<str>, Analysis)>>,
}

/// A cached value and a spare copy of it made while the server is idle, so that a rebuild takes
/// an owned copy without copying on the way to the reload signal.
struct Kept<T> {
    value: T,
    spare: Mutex<Option<T>>,
}

impl<T: Clone> Kept<T> {
    fn new(value: T) -> Kept<T> {
        Kept {
            value,
            spare: Mutex::new(None),
        }
    }

    fn take(&self) -> T {
        let spare = self.spare.lock().unwrap().take();
        spare.unwrap_or_else(|| self.value.clone())
    }

    fn replenish(&self) {
        let mut spare = self.spare.lock().unwrap();
        if spare.is_none() {
            *spare = Some(self.value.clone());
        }
    }
}

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
            self.analyses.clear();
            self.config = Some(config.clone());
            return;
        }
        if let Changes::Files(paths) = changes {
            self.documents.retain(|path, _| !within(paths, path));
        }
    }

    /// The analysis of a document's body: the cached one if its text is unchanged.
    fn analysis(&self, document: &Document) -> Analysis {
        let text = &document.source.text;
        if let Some(kept) = self.analyses.get(&document.source.path)
            && Arc::ptr_eq(&kept.value.0, text)
        {
            return kept.take().1;
        }
        let analysis = crate::markdown::analyse(&text[document.body.clone()]);
        let path = document.source.path.clone();
        self.fresh
            .lock()
            .unwrap()
            .push((path, Arc::clone(text), analysis.clone()));
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
                .is_some_and(|d| Arc::ptr_eq(&d.value.source.text, &document.source.text));
            if !same {
                self.documents
                    .insert(document.source.path.clone(), Kept::new(document.clone()));
            }
        }
        self.documents
            .retain(|path, _| seen.contains(path.as_str()));
        self.analyses.retain(|path, _| seen.contains(path.as_str()));
    }

    /// Adds the analyses made during the last rebuild.
    fn absorb(&mut self) {
        for (path, text, analysis) in self.fresh.get_mut().unwrap().drain(..) {
            self.analyses.insert(path, Kept::new((text, analysis)));
        }
    }

    /// Makes the spare copies the next rebuild will take.
    fn replenish(&self) {
        fn fill<T: Clone + Send + Sync>(kept: &HashMap<String, Kept<T>>) {
            // Usually only the few files just read lack a copy: finding them is cheap, and a
            // parallel pass would wait behind the background renderer's work.
            let missing: Vec<&Kept<T>> = kept
                .values()
                .filter(|k| k.spare.lock().unwrap().is_none())
                .collect();
            if missing.len() > 64 {
                missing.par_iter().for_each(|k| k.replenish());
            } else {
                missing.iter().for_each(|k| k.replenish());
            }
        }
        fill(&self.documents);
        fill(&self.analyses);
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
            dirty: BTreeSet::new(),
            dirty_all: true,
            warnings: Diagnostics::default(),
            spare: None,
        }
    }

    /// load + link: the current model patched when only notes changed, otherwise every file
    /// loaded (reading and analysing only the files that changed since the last time) and
    /// linked. A patched model comes with its notes' renumbering (see [`affected_pages`]).
    fn load_site(&mut self, changes: &Changes) -> Result<Linked, Diagnostics> {
        if matches!(changes, Changes::Files(_))
            && let Some((site, warnings, renumbered)) = self.patch()
        {
            return Ok((site, warnings, Some(renumbered)));
        }
        let config = Config::load(&self.root)?;
        self.cache.invalidate(changes, &config);
        let root = &self.root;
        let cache = &self.cache;
        let loaded = crate::load::load_reusing(root, &config, &|path: &Path| {
            cache
                .documents
                .get(&display_path(root, path))
                .map(Kept::take)
        });
        self.cache.keep(&loaded.documents);
        let cache = &self.cache;
        let linked = crate::link::link_reusing(
            loaded.documents,
            loaded.files,
            config,
            &loaded.failed,
            &|document: &Document| Some(cache.analysis(document)),
        );
        self.cache.absorb();
        crate::with_load_problems(loaded.problems, linked)
            .map(|(site, warnings)| (site, warnings, None))
    }

    /// Work best done between rebuilds (after the reload signal): copies of the cached documents
    /// and of the current model for the next rebuild to take.
    pub fn prepare_next(&mut self) {
        self.cache.replenish();
        if let Some(current) = &self.current
            && self
                .spare
                .as_ref()
                .is_none_or(|s| s.generation() != current.generation)
        {
            self.spare = Some(Spare::of(current.generation, &current.site));
        }
    }

    /// Waits until the work [`Project::prepare_next`] started is done (the server does, once,
    /// before it starts watching).
    pub fn finish_preparing(&mut self) {
        if let Some(spare) = &mut self.spare {
            spare.finish();
        }
    }

    /// The last good build, if any.
    pub fn current(&self) -> Option<&Arc<Build>> {
        self.current.as_ref()
    }

    /// Rebuilds after a change: everything for [`Changes::Everything`] (theme or configuration
    /// edited), otherwise only the pages the content changes affect. On error the last good
    /// build stays current.
    pub fn rebuild(&mut self, changes: &Changes) -> Result<Rebuilt, Diagnostics> {
        match changes {
            Changes::Everything => self.dirty_all = true,
            Changes::Files(paths) => self.dirty.extend(paths.iter().cloned()),
        }
        let rebuilt = self.relink_and_render(changes)?;
        self.dirty.clear();
        self.dirty_all = false;
        self.warnings = rebuilt.warnings.clone();
        Ok(rebuilt)
    }

    fn relink_and_render(&mut self, changes: &Changes) -> Result<Rebuilt, Diagnostics> {
        let everything = matches!(changes, Changes::Everything);
        let (site, warnings, renumbered) = self.load_site(changes)?;
        let patched = renumbered.is_some();
        let previous = match (&self.current, everything) {
            (Some(previous), false) if previous.site.config == site.config => Arc::clone(previous),
            _ => return self.full(site, warnings, patched),
        };
        let Some(affected) = affected_pages(&previous.site, &site, renumbered.as_deref()) else {
            return self.full(site, warnings, patched);
        };
        // Files under `files/`: the pages link them by path, so only the files themselves change
        // (and the pages showing them reload).
        let file_changes = changed_project_files(&previous.site, &site);
        let site = Arc::new(site);
        let theme = Arc::clone(&previous.theme);
        let warnings = with_theme_warnings(warnings, &theme);
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
        if invalid.is_empty()
            && removed.is_empty()
            && file_changes.is_empty()
            && same_files(&previous.site, &site)
        {
            // Nothing anyone can see changed (a file saved without edits): keep the build. Not
            // when files moved (a folder renamed): the model must know where they are now.
            return Ok(Rebuilt {
                build: previous,
                changed: Some(Vec::new()),
                warnings,
                full: false,
                pages: 0,
                patched,
            });
        }

        // Render the edited documents' own pages now, in the languages they are written in, so
        // an error in them keeps the last good build; everything else renders on request or in
        // the background, starting with their pages in the languages that show the original.
        let first: Vec<String> = invalid
            .iter()
            .filter(|p| {
                pages[*p].0.document(&site).is_some() && affected.first.contains(&pages[*p].0)
            })
            .cloned()
            .collect();
        let render_now: Vec<&String> = first
            .iter()
            .filter(|p| {
                let (id, lang) = &pages[*p];
                id.translated_in(&site, lang)
            })
            .collect();
        let render = |path: &&String| {
            let (id, lang) = &pages[*path];
            let rendered = renderer
                .render_in(*id, lang)
                .map(|f| Entry::new(f.bytes))
                .map_err(Diagnostics::from);
            ((*path).clone(), rendered)
        };
        // One edited note's pages render on this thread: the shared pool may be busy with the
        // last build's background pass.
        let eager: Vec<(String, Rendered)> = if render_now.len() > 4 {
            render_now.par_iter().map(render).collect()
        } else {
            render_now.iter().map(render).collect()
        };
        let mut eager_files = HashMap::new();
        let mut problems = Diagnostics::default();
        // Pages known to differ now: those rendered now whose bytes changed, and new ones.
        let mut changed: Vec<String> = Vec::new();
        for (path, result) in eager {
            match result {
                Ok(entry) => {
                    let before = previous.files.get(&path).and_then(ready);
                    if before.is_none_or(|b| b.bytes != entry.bytes) {
                        changed.push(path.clone());
                    }
                    eager_files.insert(path, entry);
                }
                Err(d) => problems.extend(d),
            }
        }
        problems.into_result()?;
        drop(renderer);
        changed.extend(
            invalid
                .iter()
                .filter(|p| !previous.files.contains_key(*p) && !eager_files.contains_key(*p))
                .cloned(),
        );

        let mut files: HashMap<String, Slot> =
            HashMap::with_capacity(previous.files.len() + invalid.len());
        for (path, slot) in &previous.files {
            if !previous.pages.contains_key(path) && previous.site.file(path).is_none() {
                files.insert(path.clone(), slot.clone()); // theme assets: the theme did not change
            }
        }
        for file in &site.files {
            let slot = match previous.files.get(&file.path) {
                Some(slot) if !file_changes.contains(&file.path) => slot.clone(),
                _ => Slot::Ready(Entry::new(file.bytes.to_vec())),
            };
            files.insert(file.path.clone(), slot);
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
        changed.extend(removed);
        changed.extend(users_of(&site, &pages, &file_changes));
        changed.extend(file_changes);
        changed.sort();
        changed.dedup();
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
            patched,
        })
    }

    /// Renders everything with the build pipeline's own `generate`.
    fn full(
        &mut self,
        site: Site,
        warnings: Diagnostics,
        patched: bool,
    ) -> Result<Rebuilt, Diagnostics> {
        let theme = Theme::load(&self.root)?;
        let warnings = with_theme_warnings(warnings, &theme);
        let generated = crate::generate(&site, &theme, self.options.clone())?;
        let renderer = Renderer::new(&site, &theme, self.options.clone())?;
        let pages = Arc::new(page_paths(&site, &renderer));
        drop(renderer);
        let mut assets: HashSet<String> = crate::theme_files(&theme).map(|f| f.path).collect();
        assets.extend(site.files.iter().map(|f| f.path.clone()));
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
        let changed = self.current.as_ref().map(|previous| {
            let mut changed = changed_files(previous, &files, &data);
            let file_changes = changed_project_files(&previous.site, &site);
            changed.extend(users_of(&site, &pages, &file_changes));
            changed.sort();
            changed.dedup();
            changed
        });
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
            patched,
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

/// Paths whose bytes differ between the previous build and a fully rebuilt one.
/// The model's warnings and the theme's, each once (a patched model keeps the last build's).
fn with_theme_warnings(mut warnings: Diagnostics, theme: &Theme) -> Diagnostics {
    warnings
        .0
        .retain(|d| !d.file().is_some_and(|f| f.starts_with("theme/")));
    warnings.extend(theme.warnings().clone());
    warnings
}

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

/// The paths, in every language, of the pages that show or link one of `files` (see
/// [`pages_using`]).
fn users_of(
    site: &Site,
    pages: &HashMap<String, (PageId, String)>,
    files: &BTreeSet<String>,
) -> Vec<String> {
    let using = pages_using(site, files);
    if using.is_empty() {
        return Vec::new();
    }
    let found = pages.iter().filter(|(_, (id, _))| using.contains(id));
    found.map(|(path, _)| path.clone()).collect()
}

fn page_paths(site: &Site, renderer: &Renderer) -> HashMap<String, (PageId, String)> {
    renderer
        .pages()
        .into_iter()
        .map(|(id, lang)| (id.path_in(site, &lang), (id, lang)))
        .collect()
}

/// Whether `path` (from the project root) is one of `changed`, or inside a folder that is.
fn within(changed: &BTreeSet<String>, path: &str) -> bool {
    let mut at = path;
    loop {
        if changed.contains(at) {
            return true;
        }
        match at.rsplit_once('/') {
            Some((parent, _)) => at = parent,
            None => return false,
        }
    }
}

/// Whether two models were read from the same files.
fn same_files(old: &Site, new: &Site) -> bool {
    source_paths(old).eq(source_paths(new))
}

fn source_paths(site: &Site) -> impl Iterator<Item = &str> {
    let principles = site.principles.iter().map(|p| &p.source);
    let notes = site.notes.iter().map(|n| &n.source);
    let pages = site.pages.iter().map(|p| &p.source);
    let translations = site.translations.iter().map(|t| &t.source);
    principles
        .chain(notes)
        .chain(pages)
        .chain(translations)
        .map(|source| source.path.as_str())
}
