use std::time::Instant;
use guidance::*;
fn main() {
    let root = std::path::PathBuf::from(std::env::args().nth(1).unwrap());
    let (site, _) = load_site(&root).unwrap();
    let theme = theme::Theme::load(&root).unwrap();
    for _ in 0..3 {
        let t = Instant::now();
        let r = render::Renderer::new(&site, &theme, RenderOptions::default()).unwrap();
        println!("renderer new {:?}", t.elapsed());
        drop(r);
    }
    let t = Instant::now(); let a = theme::Theme::load(&root).unwrap(); println!("theme load {:?}", t.elapsed()); drop(a);
}
