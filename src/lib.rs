//! guidance: a static site generator for the CEPA principles and strategy guidance notes.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! load    notes/, principles/, pages/  ->  Vec<Document>   (and files/, published as they are)
//! link    Vec<Document>                ->  Site          (every reference resolved)
//! render  &Site                        ->  pages         (minijinja + pulldown-cmark + syntect)
//! index   &Site                        ->  search/       (client-side search index, sharded)
//! emit    pages                        ->  site/         (atomic swap)
//! ```
//!
//! `guidance build` runs render, index and emit together in `publish`, a batch of pages at a
//! time, writing the site and compressing its offline copy (`bundle`) as it goes; `generate`
//! makes the same pages in memory for `serve` and the tests.

pub mod allocator;
pub mod api;
pub mod bundle;
pub mod config;
pub mod diagnostic;
pub mod emit;
pub mod feed;
pub mod i18n;
pub mod incremental;
pub mod link;
pub mod load;
pub mod markdown;
pub mod model;
pub mod publish;
pub mod render;
pub mod search;
pub mod serve;
pub mod synthetic;
pub mod theme;

use std::path::Path;

use rayon::prelude::*;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use model::Site;
pub use render::{LinkStyle, OutputFile, RenderOptions};

/// load + link: the checked model of a project, with any warnings.
pub fn load_site(root: &Path) -> Result<(Site, Diagnostics), Diagnostics> {
    let config = config::Config::load(root)?;
    let loaded = load::load(root, &config);
    let linked = link::link(loaded.documents, loaded.files, config, &loaded.failed);
    with_load_problems(loaded.problems, linked)
}

/// Linking's result with loading's problems added: an error in either fails the whole, with
/// every problem of both reported.
pub fn with_load_problems<T>(
    mut problems: Diagnostics,
    linked: Result<(T, Diagnostics), Diagnostics>,
) -> Result<(T, Diagnostics), Diagnostics> {
    let (value, more) = match linked {
        Ok((value, warnings)) => (Some(value), warnings),
        Err(errors) => (None, errors),
    };
    problems.extend(more);
    let diagnostics = problems.into_result()?;
    Ok((
        value.expect("linking succeeds when nothing is an error"),
        diagnostics,
    ))
}

/// Everything a site publishes, in memory: pages, theme assets, data and the project's files,
/// sorted by path.
pub fn generate(
    site: &Site,
    theme: &theme::Theme,
    options: RenderOptions,
) -> Result<Vec<OutputFile>, Diagnostics> {
    generate_with(&render::Renderer::new(site, theme, options)?, site, theme)
}

/// [`generate`] with a renderer made already (for `site` and `theme`).
pub fn generate_with(
    renderer: &render::Renderer,
    site: &Site,
    theme: &theme::Theme,
) -> Result<Vec<OutputFile>, Diagnostics> {
    let mut files = renderer.render_all()?;
    files.extend(theme_files(theme));
    files.extend(project_files(site));
    files.extend(data_files(site, renderer));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// The theme's assets, published under `static/`.
pub fn theme_files(theme: &theme::Theme) -> impl Iterator<Item = OutputFile> + '_ {
    theme
        .files_under("static/")
        .map(|(name, bytes)| OutputFile {
            path: format!("static/{name}"),
            bytes: match std::str::from_utf8(bytes) {
                Ok(source) if name.ends_with(".js") => theme::compact_script(source).into_bytes(),
                Ok(source) if name.ends_with(".css") => theme::compact_style(source).into_bytes(),
                _ => bytes.to_vec(),
            },
        })
}

/// Files made from the model rather than rendered as pages (data export, feeds). `serve` makes
/// these apart from the pages, so everything of this kind belongs here. The renderer gives the
/// few interface strings they use (the separator in feed titles).
pub fn data_files(site: &Site, renderer: &render::Renderer) -> Vec<OutputFile> {
    let (mut files, texts) = data_files_in_part(site, renderer);
    files.extend(texts.iter().flat_map(search::TextChunks::files));
    files.extend(api::note_outputs(site));
    files
}

/// [`data_files`] but the notes' own API files and the search index's text chunks, which
/// `publish` makes a batch at a time (they are most of the bytes); the text chunks come back
/// ready to be made.
pub fn data_files_in_part<'s>(
    site: &'s Site,
    renderer: &render::Renderer,
) -> (Vec<OutputFile>, Vec<search::TextChunks<'s>>) {
    let (mut files, (index, texts)) = rayon::join(
        || data_files_but_search(site, renderer),
        || search_files_in_part(site, renderer),
    );
    files.extend(index);
    (files, texts)
}

/// The data export but the notes' own files, and the feeds.
pub fn data_files_but_search(site: &Site, renderer: &render::Renderer) -> Vec<OutputFile> {
    let separator = |lang: &str| renderer.label_separator(lang).to_string();
    let (mut files, feeds) = rayon::join(
        || api::files_but_notes(site),
        || feed::files(site, &separator),
    );
    files.extend(feeds);
    files
}

/// The search index but its text chunks, which come back ready to be made.
pub fn search_files_in_part<'s>(
    site: &'s Site,
    renderer: &render::Renderer,
) -> (Vec<OutputFile>, Vec<search::TextChunks<'s>>) {
    let full_stop = |lang: &str| renderer.full_stop(lang).to_string();
    search::index_but_text(site, search::index::LIMITS, &full_stop)
}

/// The files under `files/`, published as they are at the same path.
pub fn project_files(site: &Site) -> impl Iterator<Item = OutputFile> + '_ {
    site.files.iter().map(|file| OutputFile {
        path: file.path.clone(),
        bytes: file.bytes.to_vec(),
    })
}

/// What a successful build reports.
#[derive(Debug)]
pub struct BuildReport {
    pub warnings: Diagnostics,
    pub pages: usize,
    pub bytes: usize,
}

/// `guidance build`: load, link, render and write `out` atomically, with the offline copy.
pub fn build(root: &Path, out: &Path) -> Result<BuildReport, Diagnostics> {
    let (site, mut warnings) = load_site(root)?;
    let theme = theme::Theme::load(root)?;
    warnings.extend(theme.warnings().clone());
    let published = emit::replace_atomically(out, |staging| {
        publish::publish(&site, &theme, staging).map_err(BuildError::Content)
    })
    .map_err(|e| match e {
        BuildError::Content(d) => d,
        BuildError::Io(e) => Diagnostic::error("io", format!("cannot write the site: {e}"))
            .in_file(out.display().to_string())
            .into(),
    })?;
    Ok(BuildReport {
        warnings,
        pages: published.pages,
        bytes: published.bytes as usize,
    })
}

/// Why writing a build failed: the content (already diagnosed) or the file system.
enum BuildError {
    Content(Diagnostics),
    Io(std::io::Error),
}

impl From<std::io::Error> for BuildError {
    fn from(e: std::io::Error) -> BuildError {
        BuildError::Io(e)
    }
}

/// `guidance check`: everything a build does except writing. Pages are rendered (a template can
/// fail on any of them) and thrown away, so a large site is checked in little memory.
pub fn check(root: &Path) -> Result<Diagnostics, Diagnostics> {
    let (site, mut warnings) = load_site(root)?;
    let theme = theme::Theme::load(root)?;
    warnings.extend(theme.warnings().clone());
    let renderer = render::Renderer::new(&site, &theme, RenderOptions::default())?;
    let mut diagnostics = Diagnostics::default();
    let failures: Vec<Diagnostic> = renderer
        .pages()
        .par_iter()
        .filter_map(|(id, lang)| renderer.render_to(*id, lang, &mut std::io::sink()).err())
        .collect();
    for failure in failures {
        diagnostics.push(failure);
    }
    diagnostics.into_result()?;
    Ok(warnings)
}
