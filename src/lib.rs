//! guidance: a static site generator for the CEPA principles and strategy guidance notes.
//!
//! The pipeline, one module per stage:
//!
//! ```text
//! load    notes/, principles/, pages/  ->  Vec<Document>
//! link    Vec<Document>                ->  Site          (every reference resolved)
//! render  &Site                        ->  pages         (minijinja + pulldown-cmark + syntect)
//! emit    pages                        ->  site/         (atomic swap)
//! ```

pub mod config;
pub mod diagnostic;
pub mod emit;
pub mod i18n;
pub mod link;
pub mod load;
pub mod markdown;
pub mod model;
pub mod render;
pub mod synthetic;
pub mod theme;

use std::path::Path;

pub use diagnostic::{Diagnostic, Diagnostics};
pub use model::Site;
pub use render::{LinkStyle, OutputFile, RenderOptions};

/// load + link: the checked model of a project, with any warnings.
pub fn load_site(root: &Path) -> Result<(Site, Diagnostics), Diagnostics> {
    let config = config::Config::load(root)?;
    let documents = load::load(root, &config)?;
    link::link(documents, config)
}

/// Everything a site publishes, in memory: pages and theme assets, sorted by path.
pub fn generate(site: &Site, theme: &theme::Theme, options: RenderOptions) -> Result<Vec<OutputFile>, Diagnostics> {
    let renderer = render::Renderer::new(site, theme, options)?;
    let mut files = renderer.render_all()?;
    files.extend(theme.files_under("static/").map(|(name, bytes)| OutputFile {
        path: format!("static/{name}"),
        bytes: bytes.to_vec(),
    }));
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(files)
}

/// What a successful build reports.
#[derive(Debug)]
pub struct BuildReport {
    pub warnings: Diagnostics,
    pub pages: usize,
    pub bytes: usize,
}

/// `guidance build`: load, link, render and write `out` atomically.
pub fn build(root: &Path, out: &Path) -> Result<BuildReport, Diagnostics> {
    let (site, warnings) = load_site(root)?;
    let theme = theme::Theme::load(root)?;
    let files = generate(&site, &theme, RenderOptions::default())?;
    emit::write_atomically(out, &files).map_err(|e| {
        Diagnostic::error("io", format!("cannot write the site: {e}")).in_file(out.display().to_string())
    })?;
    Ok(BuildReport {
        warnings,
        pages: files.iter().filter(|f| f.path.ends_with(".html")).count(),
        bytes: files.iter().map(|f| f.bytes.len()).sum(),
    })
}

/// `guidance check`: everything a build does except writing.
pub fn check(root: &Path) -> Result<Diagnostics, Diagnostics> {
    let (site, warnings) = load_site(root)?;
    let theme = theme::Theme::load(root)?;
    generate(&site, &theme, RenderOptions::default())?;
    Ok(warnings)
}
