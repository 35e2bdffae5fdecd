//! Stages 4 and 5 for `guidance build`: render the site and its offline copy and write both out,
//! a batch of files at a time.
//!
//! Every page is rendered once with marked links and expanded into both styles (clean links for
//! the web, file links for the copy; the print edition, too large to hold, as it is rendered),
//! except the few pages that differ in more than their links (and every page of a site whose
//! input holds the markers), which are rendered once per style.
//! The web page goes straight into the staging folder and the copy's page into the zip,
//! compressed, so memory holds one batch of pages at a time rather than the whole output. Theme
//! assets, the project's own files (`files/`) and data files are the same in both: they are made
//! once, written first, and only their
//! compressed form waits for its place in the zip; the bulk of the data (the notes' API files and
//! the search index's text chunks) is made in the batches like the pages. The Download pages come
//! last, once the zip's size is known.
//!
//! A test holds this to the bytes of the same build made in memory with `crate::generate` and
//! `bundle::offline_copy`.

use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::Mutex;

use rayon::prelude::*;

use crate::api;
use crate::bundle::{self, FolderZip, Spill, ZipEntry};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::Site;
use crate::render::{
    self, ExpandInto, LinkStyle, OutputFile, PageId, RenderOptions, Renderer, mentions_link_markers,
};
use crate::theme::Theme;

/// Files rendered and compressed together before they are written: large enough to keep both
/// cores busy, small enough that a batch of pages is a small part of memory.
const BATCH: usize = 128;

/// What [`publish`] wrote.
#[derive(Debug, Default)]
pub struct Published {
    pub pages: usize,
    pub bytes: u64,
}

/// One file of the offline copy, and what the web site gets at the same path.
enum Job {
    /// A page, rendered once per link style. The web site's Download page waits for the zip.
    Page(PageId, String),
    /// A file that is the same in both (theme assets, the project's files, data, feeds, search
    /// index), already written and compressed.
    Shared(usize),
    /// A note's own API file (`api/notes/<slug>.json`), the same in both.
    NoteData(usize),
    /// A file of search text chunks (language, document, chunk), the same in both.
    SearchText(usize, usize, usize),
    /// `sitemap.xml` or `robots.txt`, which each render makes for itself.
    SiteFile(usize),
    /// The copy's `README.txt`, which the web site does not have.
    Readme,
}

impl Job {
    fn is_print(&self) -> bool {
        matches!(self, Job::Page(PageId::Print, _))
    }
}

/// Renders `site` into `dir` (an empty staging folder) with its offline copy at
/// [`bundle::site_path`].
pub fn publish(site: &Site, theme: &Theme, dir: &Path) -> Result<Published, Diagnostics> {
    let copy_options = RenderOptions {
        link_style: LinkStyle::File,
        ..RenderOptions::default()
    };
    let (web, copy) = (
        Renderer::new(site, theme, RenderOptions::default())?,
        Renderer::new(site, theme, copy_options)?,
    );
    let marked_options = RenderOptions {
        link_style: LinkStyle::Marked,
        ..RenderOptions::default()
    };
    let marked = if input_mentions_link_markers(site, theme) {
        None
    } else {
        Some(Renderer::new(site, theme, marked_options)?)
    };
    let zip_path = dir.join(bundle::site_path(site));
    let readme = copy.offline_readme();
    let mut publisher = Publisher {
        site,
        dir,
        web_site_files: web.site_files(),
        copy_site_files: copy.site_files(),
        web,
        copy,
        marked,
        shared: Vec::new(),
        texts: Vec::new(),
        readme,
        zip_path: zip_path.clone(),
    };
    // The files made whole are written and compressed as soon as they are made, the search
    // index's last: making it is the build's peak of memory, which the others' bytes need not
    // add to. The notes' API files and the search text chunks are made in their batch.
    let mut shared: Vec<OutputFile> = crate::theme_files(theme).collect();
    shared.extend(crate::project_files(site));
    shared.extend(crate::data_files_but_search(site, &publisher.web));
    let mut made = publisher.write_shared(shared)?;
    let (index, texts) = crate::search_files_in_part(site, &publisher.web);
    made.extend(publisher.write_shared(index)?);
    publisher.shared = made;
    publisher.texts = texts;

    let zip_file = create_file(&zip_path).map_err(|e| io_error(&zip_path, e))?;
    let mut zip = FolderZip::new(
        BufWriter::new(zip_file),
        &bundle::stem(site),
        bundle::modified_time(site),
    )
    .map_err(|e| io_error(&zip_path, e))?;
    let mut published = Published::default();
    let mut diagnostics = Diagnostics::default();
    let jobs = publisher.jobs();
    let publisher = &publisher;
    std::thread::scope(|scope| {
        // A print edition (every document in one page) keeps one thread busy as long as many
        // batches keep both: made on a thread of its own from the start, no core waits for it
        // at the end of its batch. Its results come in path order, as the batches meet them.
        let (send, made_alone) = std::sync::mpsc::channel();
        let alone: Vec<&(String, Job)> = jobs.iter().filter(|(_, job)| job.is_print()).collect();
        scope.spawn(move || {
            for (path, job) in alone {
                if send.send(publisher.make(path, job)).is_err() {
                    return;
                }
            }
        });
        for batch in jobs.chunks(BATCH) {
            let done: Vec<_> = batch
                .par_iter()
                .map(|(path, job)| (!job.is_print()).then(|| publisher.make(path, job)))
                .collect();
            // The zip takes the batch in path order, whichever thread finished first.
            for result in done {
                let result = result.unwrap_or_else(|| {
                    made_alone
                        .recv()
                        .expect("one result for each print edition")
                });
                match result {
                    Ok((entry, written)) => {
                        zip.add(entry).map_err(|e| io_error(&zip_path, e))?;
                        published.add(written);
                    }
                    Err(d) => diagnostics.extend(d),
                }
            }
        }
        Ok::<(), Diagnostics>(())
    })?;
    diagnostics.into_result()?;
    let zip_size = {
        let mut writer = zip.finish().map_err(|e| io_error(&zip_path, e))?;
        writer.flush().map_err(|e| io_error(&zip_path, e))?;
        let file = writer
            .into_inner()
            .map_err(|e| io_error(&zip_path, e.into_error()))?;
        file.metadata().map_err(|e| io_error(&zip_path, e))?.len()
    };
    published.bytes += zip_size;

    // The Download pages show the zip's size, known only now.
    let download_options = RenderOptions {
        offline_size: Some(zip_size),
        ..RenderOptions::default()
    };
    let download = Renderer::new(site, theme, download_options)?;
    for (id, lang) in publisher.web.pages() {
        if id == PageId::Download {
            let page = download.render_in(id, &lang).map_err(Diagnostics::from)?;
            published.add(write(dir, &page.path, &page.bytes)?);
        }
    }
    Ok(published)
}

/// Everything the batches share: the two renders, the files made once, and where output goes.
struct Publisher<'a> {
    site: &'a Site,
    dir: &'a Path,
    web: Renderer<'a>,
    copy: Renderer<'a>,
    /// Renders a page once for both (see [`LinkStyle::Marked`]); `None` when the input holds
    /// the link markers.
    marked: Option<Renderer<'a>>,
    shared: Vec<SharedFile>,
    texts: Vec<crate::search::TextChunks<'a>>,
    web_site_files: Vec<OutputFile>,
    copy_site_files: Vec<OutputFile>,
    readme: String,
    zip_path: std::path::PathBuf,
}

/// A theme or data file, written to the staging folder; its zip entry is taken when the zip
/// reaches its path.
struct SharedFile {
    path: String,
    made: Mutex<Option<(ZipEntry, Written)>>,
}

impl Publisher<'_> {
    /// Every file of the offline copy, by path, in the order the zip holds them.
    fn jobs(&self) -> Vec<(String, Job)> {
        let site = self.site;
        let pages = self.web.pages().into_iter();
        let mut jobs: Vec<(String, Job)> = pages
            .map(|(id, lang)| (id.path_in(site, &lang), Job::Page(id, lang)))
            .collect();
        let shared = self.shared.iter().enumerate();
        jobs.extend(shared.map(|(i, f)| (f.path.clone(), Job::Shared(i))));
        let site_files = self.copy_site_files.iter().enumerate();
        jobs.extend(site_files.map(|(i, f)| (f.path.clone(), Job::SiteFile(i))));
        let notes = site.notes.iter().enumerate();
        jobs.extend(notes.map(|(i, n)| (api::note_api_path(&n.slug), Job::NoteData(i))));
        for (k, text) in self.texts.iter().enumerate() {
            jobs.extend(
                text.each()
                    .map(|(path, d, c)| (path, Job::SearchText(k, d, c))),
            );
        }
        jobs.push(("README.txt".to_string(), Job::Readme));
        jobs.sort_by(|a, b| a.0.cmp(&b.0));
        jobs
    }

    /// Writes the web site's file at `path` (if it has one now) and compresses the copy's.
    fn make(&self, path: &str, job: &Job) -> Result<(ZipEntry, Written), Diagnostics> {
        let same_in_both = match job {
            Job::Page(id, lang) => return self.make_page(path, *id, lang),
            Job::Shared(i) => {
                let made = self.shared[*i].made.lock().map(|mut m| m.take());
                return Ok(made
                    .ok()
                    .flatten()
                    .expect("each shared file is zipped once"));
            }
            Job::NoteData(i) => &api::note_output(self.site, *i).bytes,
            Job::SearchText(k, d, c) => &self.texts[*k].file(*d, *c).bytes,
            Job::SiteFile(i) => {
                let written = write(self.dir, path, &self.web_site_files[*i].bytes)?;
                return Ok((
                    self.compress(path, &self.copy_site_files[*i].bytes)?,
                    written,
                ));
            }
            Job::Readme => {
                let entry = self.compress(path, self.readme.as_bytes())?;
                return Ok((entry, Written::default()));
            }
        };
        let written = write(self.dir, path, same_in_both)?;
        Ok((self.compress(path, same_in_both)?, written))
    }

    /// Renders a page for both: once with marked links where it can, else once per style, side
    /// by side.
    fn make_page(
        &self,
        path: &str,
        id: PageId,
        lang: &str,
    ) -> Result<(ZipEntry, Written), Diagnostics> {
        if let (Some(marked), true) = (&self.marked, render::differs_only_in_links(id)) {
            // Expanded into both as it is rendered, so even the print edition (every document
            // in one page) is never held whole. The copy is compressed in memory, so a write
            // error is the web file's.
            let mut written = Written::default();
            let entry = ZipEntry::compress_with(path, Spill::In(self.dir), |copy_out| {
                written = write_with(self.dir, path, |web_out| {
                    let mut both = ExpandInto::new(web_out, copy_out);
                    marked
                        .render_to(id, lang, &mut both)
                        .map_err(Failure::Render)?;
                    both.finish().map_err(Failure::Io)
                })?;
                Ok::<(), Failure>(())
            });
            return Ok((entry.map_err(|e| e.at(&self.dir.join(path)))?, written));
        }
        let (entry, written) = rayon::join(
            || {
                ZipEntry::compress_with(path, Spill::In(self.dir), |out| {
                    self.copy.render_to(id, lang, out).map_err(Failure::Render)
                })
            },
            || match id {
                PageId::Download => Ok(Written::default()),
                _ => write_with(self.dir, path, |out| {
                    self.web.render_to(id, lang, out).map_err(Failure::Render)
                }),
            },
        );
        let entry = entry.map_err(|e| e.at(&self.zip_path))?;
        Ok((entry, written.map_err(|e| e.at(&self.dir.join(path)))?))
    }

    /// Writes files that are the same in both and compresses them for the zip, which takes
    /// them when it reaches their paths.
    fn write_shared(&self, files: Vec<OutputFile>) -> Result<Vec<SharedFile>, Diagnostics> {
        files
            .into_par_iter()
            .map(|file| {
                let written = write(self.dir, &file.path, &file.bytes)?;
                let entry = self.compress(&file.path, &file.bytes)?;
                Ok(SharedFile {
                    path: file.path,
                    made: Mutex::new(Some((entry, written))),
                })
            })
            .collect()
    }

    fn compress(&self, path: &str, bytes: &[u8]) -> Result<ZipEntry, Diagnostics> {
        ZipEntry::compress(path, bytes, Spill::In(self.dir))
            .map_err(|e| io_error(&self.zip_path, e))
    }
}

/// Whether any input a page is made from holds the link markers of [`LinkStyle::Marked`].
fn input_mentions_link_markers(site: &Site, theme: &Theme) -> bool {
    let sources = (site.notes.iter().map(|n| &n.source))
        .chain(site.principles.iter().map(|p| &p.source))
        .chain(site.pages.iter().map(|p| &p.source))
        .chain(site.translations.iter().map(|t| &t.source));
    let config = serde_json::to_string(&site.config).unwrap_or_default();
    mentions_link_markers(&config)
        || site.files.iter().any(|f| mentions_link_markers(&f.path))
        || sources
            .into_iter()
            .any(|source| mentions_link_markers(&source.text))
        || theme
            .files_under("")
            .any(|(_, bytes)| mentions_link_markers(&String::from_utf8_lossy(bytes)))
}

impl Published {
    fn add(&mut self, written: Written) {
        self.pages += written.pages;
        self.bytes += written.bytes;
    }
}

/// What one write added to the totals.
#[derive(Default)]
struct Written {
    pages: usize,
    bytes: u64,
}

fn write(dir: &Path, path: &str, bytes: &[u8]) -> Result<Written, Diagnostics> {
    write_with(dir, path, |out| out.write_all(bytes).map_err(Failure::Io))
        .map_err(|e| e.at(&dir.join(path)))
}

/// Writes what `fill` writes to the file at `path` under `dir`.
fn write_with(
    dir: &Path,
    path: &str,
    fill: impl FnOnce(&mut dyn Write) -> Result<(), Failure>,
) -> Result<Written, Failure> {
    let mut out = BufWriter::new(create_file(&dir.join(path))?);
    fill(&mut out)?;
    let file = out.into_inner().map_err(|e| e.into_error())?;
    Ok(Written {
        pages: usize::from(path.ends_with(".html")),
        bytes: file.metadata()?.len(),
    })
}

/// Why a file could not be made: its template, or the file system.
enum Failure {
    Render(Diagnostic),
    Io(io::Error),
}

impl From<io::Error> for Failure {
    fn from(e: io::Error) -> Failure {
        Failure::Io(e)
    }
}

impl Failure {
    /// The diagnostic for a failure while writing the file at `path`.
    fn at(self, path: &Path) -> Diagnostics {
        match self {
            Failure::Render(d) => d.into(),
            Failure::Io(e) => io_error(path, e),
        }
    }
}

fn create_file(path: &Path) -> io::Result<std::fs::File> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::File::create(path)
}

fn io_error(path: &Path, e: io::Error) -> Diagnostics {
    Diagnostics::from(
        Diagnostic::error("io", format!("cannot write the site: {e}"))
            .in_file(path.display().to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file under `dir`, by its `/`-separated path, sorted.
    fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
        let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(dir)
            .into_iter()
            .map(Result::unwrap)
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                let path = e.path().strip_prefix(dir).unwrap();
                let path = path.to_string_lossy().replace('\\', "/");
                (path, std::fs::read(e.path()).unwrap())
            })
            .collect();
        files.sort();
        files
    }

    /// The whole build in memory: the web site, whose Download page shows the size of the
    /// offline copy, and the copy itself.
    fn in_memory_build(site: &Site, theme: &Theme) -> Vec<OutputFile> {
        let copy = bundle::offline_copy(site, theme).unwrap();
        let options = RenderOptions {
            offline_size: Some(copy.bytes.len() as u64),
            ..RenderOptions::default()
        };
        let mut files = crate::generate(site, theme, options).unwrap();
        files.push(OutputFile {
            path: bundle::site_path(site),
            bytes: copy.bytes,
        });
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }

    #[test]
    fn writes_exactly_what_the_in_memory_build_makes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (site, _) = crate::load_site(root).unwrap();
        let theme = Theme::load(root).unwrap();
        // Pages are rendered once, with marked links, for both styles.
        assert!(!input_mentions_link_markers(&site, &theme));
        assert_publishes_the_in_memory_build(&site, &theme);
    }

    #[test]
    fn input_holding_the_link_markers_is_rendered_once_per_style() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (mut site, _) = crate::load_site(root).unwrap();
        let theme = Theme::load(root).unwrap();
        // On every page, as text and in the Download page's file name.
        site.config.title.push_str(" \u{FDD0} %ef%b7%91");
        assert!(input_mentions_link_markers(&site, &theme));
        assert_publishes_the_in_memory_build(&site, &theme);
    }

    fn assert_publishes_the_in_memory_build(site: &Site, theme: &Theme) {
        let expected = in_memory_build(site, theme);
        assert!(expected.len() > 2 * BATCH, "the site spans several batches");

        let dir = tempfile::tempdir().unwrap();
        let published = publish(site, theme, dir.path()).unwrap();
        let written = files_under(dir.path());

        let expected_paths: Vec<&str> = expected.iter().map(|f| f.path.as_str()).collect();
        let written_paths: Vec<&str> = written.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(written_paths, expected_paths);
        for (file, (path, bytes)) in expected.iter().zip(&written) {
            assert!(
                file.bytes == *bytes,
                "{path} differs from the in-memory build"
            );
        }
        let pages = expected
            .iter()
            .filter(|f| f.path.ends_with(".html"))
            .count();
        let bytes: usize = expected.iter().map(|f| f.bytes.len()).sum();
        assert_eq!(published.pages, pages);
        assert_eq!(published.bytes as usize, bytes);
    }
}
