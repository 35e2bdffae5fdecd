use std::time::Instant;
use guidance::*;
fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    for _ in 0..2 {
    let t = Instant::now();
    let (site, _) = load_site(&root).map_err(|d| d.to_string()).unwrap();
    let t_load = t.elapsed();
    let theme = theme::Theme::load(&root).unwrap();
    let r = render::Renderer::new(&site, &theme, RenderOptions::default()).unwrap();
    let t2 = Instant::now();
    for id in [render::PageId::Home, render::PageId::NotesIndex, render::PageId::PrinciplesIndex, render::PageId::Note(5), render::PageId::Principle(0), render::PageId::Country(0), render::PageId::CountriesIndex] {
        let t3 = Instant::now();
        let f = r.render(id).unwrap();
        println!("  {:?} {} bytes {:?}", id, f.bytes.len(), t3.elapsed());
    }
    let _ = t2;
    let t4 = Instant::now();
    let files = generate(&site, &theme, RenderOptions::default()).unwrap();
    println!("notes {} load {:?} generate {:?} files {}", site.notes.len(), t_load, t4.elapsed(), files.len());
    }
}
