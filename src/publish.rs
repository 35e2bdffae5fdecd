//! Stages 4 and 5 for `guidance build`: render the site and its offline copy and write both out,
//! a batch of files at a time.
//!
//! Every page is rendered twice (clean links for the web, file links for the copy). The web page
//! goes straight into the staging folder and the copy's page into the zip, compressed, so memory
//! holds one batch of pages at a time rather than the whole output. Theme and data files are the
//! same in both and are made once. The Download pages come last, once the zip's size is known.
//!
//! [`crate::bundle::generate_with_offline_copy`] makes the same files in memory; a test holds the
//! two to the same bytes.

use std::io::{self, BufWriter};
use std::path::Path;

use rayon::prelude::*;

use crate::bundle::{self, FolderZip, ZipEntry};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::Site;
use crate::render::{LinkStyle, OutputFile, PageId, RenderOptions, Renderer};
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
    /// A file that is the same in both (theme assets, data, feeds, search index).
    Shared(usize),
    /// `sitemap.xml` or `robots.txt`, which each render makes for itself.
    SiteFile(usize),
    /// The copy's `README.txt`, which the web site does not have.
    Readme,
}

/// Renders `site` into `dir` (an empty staging folder) with its offline copy at
/// [`bundle::site_path`].
pub fn publish(site: &Site, theme: &Theme, dir: &Path) -> Result<Published, Diagnostics> {
    let web = Renderer::new(site, theme, RenderOptions::default())?;
    let copy = Renderer::new(
        site,
        theme,
        RenderOptions {
            link_style: LinkStyle::File,
            ..RenderOptions::default()
        },
    )?;
    let mut shared: Vec<OutputFile> = crate::theme_files(theme).collect();
    shared.extend(crate::data_files(site));
    let web_site_files = web.site_files();
    let copy_site_files = copy.site_files();
    let readme = bundle::readme(site);

    let mut jobs: Vec<(String, Job)> = web
        .pages()
        .into_iter()
        .map(|(id, lang)| (id.path_in(site, &lang), Job::Page(id, lang)))
        .collect();
    jobs.extend(
        shared
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.clone(), Job::Shared(i))),
    );
    jobs.extend(
        copy_site_files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.path.clone(), Job::SiteFile(i))),
    );
    jobs.push(("README.txt".to_string(), Job::Readme));
    jobs.sort_by(|a, b| a.0.cmp(&b.0));

    let folder = bundle::stem(site);
    let modified = bundle::modified_time(site);
    let zip_path = dir.join(bundle::site_path(site));
    let zip_file = create_file(&zip_path).map_err(|e| io_error(&zip_path, e))?;
    let mut zip = FolderZip::new(BufWriter::new(zip_file), &folder, modified)
        .map_err(|e| io_error(&zip_path, e))?;
    let mut published = Published::default();
    let mut diagnostics = Diagnostics::default();

    for batch in jobs.chunks(BATCH) {
        let done: Vec<Result<(ZipEntry, Written), Diagnostics>> = batch
            .par_iter()
            .map(|(path, job)| {
                // The web file (if it is written now) and the copy's bytes for the same path.
                let (web_file, copy_bytes): (Option<&[u8]>, std::borrow::Cow<[u8]>) = match job {
                    Job::Shared(i) => (Some(&shared[*i].bytes), (&shared[*i].bytes[..]).into()),
                    Job::SiteFile(i) => (
                        web_site_files.get(*i).map(|f| &f.bytes[..]),
                        (&copy_site_files[*i].bytes[..]).into(),
                    ),
                    Job::Readme => (None, readme.as_bytes().into()),
                    Job::Page(id, lang) => {
                        // Two renders of one big page (the print edition) run side by side.
                        let (page, written) = rayon::join(
                            || copy.render_in(*id, lang).map_err(Diagnostics::from),
                            || match id {
                                PageId::Download => Ok(Written::default()),
                                _ => {
                                    let page =
                                        web.render_in(*id, lang).map_err(Diagnostics::from)?;
                                    write(dir, &page.path, &page.bytes)
                                }
                            },
                        );
                        let (page, written) = (page?, written?);
                        let entry = ZipEntry::compress(&folder, path, &page.bytes, modified)
                            .map_err(|e| io_error(&zip_path, e))?;
                        return Ok((entry, written));
                    }
                };
                let written = match web_file {
                    Some(bytes) => write(dir, path, bytes)?,
                    None => Written::default(),
                };
                let entry = ZipEntry::compress(&folder, path, &copy_bytes, modified)
                    .map_err(|e| io_error(&zip_path, e))?;
                Ok((entry, written))
            })
            .collect();
        for result in done {
            match result {
                Ok((entry, written)) => {
                    zip.add(entry).map_err(|e| io_error(&zip_path, e))?;
                    published.pages += written.pages;
                    published.bytes += written.bytes;
                }
                Err(d) => diagnostics.extend(d),
            }
        }
    }
    diagnostics.into_result()?;
    let zip_size = {
        let mut writer = zip.finish().map_err(|e| io_error(&zip_path, e))?;
        io::Write::flush(&mut writer).map_err(|e| io_error(&zip_path, e))?;
        let file = writer.into_inner().map_err(|e| io_error(&zip_path, e.into_error()))?;
        file.metadata().map_err(|e| io_error(&zip_path, e))?.len()
    };
    published.bytes += zip_size;

    // The Download pages show the zip's size, known only now.
    let download = Renderer::new(
        site,
        theme,
        RenderOptions {
            offline_size: Some(zip_size),
            ..RenderOptions::default()
        },
    )?;
    for (id, lang) in web.pages() {
        if id == PageId::Download {
            let page = download.render_in(id, &lang).map_err(Diagnostics::from)?;
            let written = write(dir, &page.path, &page.bytes)?;
            published.pages += written.pages;
            published.bytes += written.bytes;
        }
    }
    Ok(published)
}

/// What one write added to the totals.
#[derive(Default)]
struct Written {
    pages: usize,
    bytes: u64,
}

fn write(dir: &Path, path: &str, bytes: &[u8]) -> Result<Written, Diagnostics> {
    let file = dir.join(path);
    create_file(&file)
        .and_then(|mut f| io::Write::write_all(&mut f, bytes))
        .map_err(|e| io_error(&file, e))?;
    Ok(Written {
        pages: usize::from(path.ends_with(".html")),
        bytes: bytes.len() as u64,
    })
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

    #[test]
    fn writes_exactly_what_the_in_memory_build_makes() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let (site, _) = crate::load_site(root).unwrap();
        let theme = Theme::load(root).unwrap();
        let expected =
            bundle::generate_with_offline_copy(&site, &theme, RenderOptions::default()).unwrap();
        assert!(expected.len() > 2 * BATCH, "the site spans several batches");

        let dir = tempfile::tempdir().unwrap();
        let published = publish(&site, &theme, dir.path()).unwrap();
        let written = files_under(dir.path());

        let expected_paths: Vec<&str> = expected.iter().map(|f| f.path.as_str()).collect();
        let written_paths: Vec<&str> = written.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(written_paths, expected_paths);
        for (file, (path, bytes)) in expected.iter().zip(&written) {
            assert!(file.bytes == *bytes, "{path} differs from the in-memory build");
        }
        let pages = expected.iter().filter(|f| f.path.ends_with(".html")).count();
        let bytes: usize = expected.iter().map(|f| f.bytes.len()).sum();
        assert_eq!(published.pages, pages);
        assert_eq!(published.bytes as usize, bytes);
    }
}
