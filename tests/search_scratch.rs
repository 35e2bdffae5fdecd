mod common;
#[test]
fn scratch() {
    let root = common::repo_root().join("bench-corpus/1000");
    let (site, _) = guidance::load_site(&root).unwrap();
    let theme = guidance::theme::Theme::load(&root).unwrap();
    let files = guidance::generate(&site, &theme, guidance::RenderOptions::default()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    guidance::emit::write_tree(dir.path(), &files).unwrap();
    let server = common::StaticServer::start(dir.path());
    let browser = common::browser().unwrap();
    for (i, q) in ["civil", "and", "budget reform", "kaloru", "pro", "monitoring data"].iter().cycle().take(40).enumerate() {
        let page = browser.open(&server.url(&format!("notes/{}/", site.notes[0].slug)));
        page.wait_for("document.getElementById('site-search').getAttribute('role') === 'combobox'", std::time::Duration::from_secs(20));
        page.eval(&format!("(() => {{ const i = document.getElementById('site-search'); i.focus(); i.value = {q:?}; i.dispatchEvent(new Event('input', {{ bubbles: true }})); }})()"));
        let t0 = std::time::Instant::now();
        loop {
            if page.eval(&format!("document.getElementById('site-search-listbox').getAttribute('data-query') === {q:?}")) == serde_json::Value::Bool(true) { break; }
            if t0.elapsed().as_secs() > 8 {
                println!("TIMEOUT {i} {q} {}\nREQUESTS {:?}\nRESOURCES {}", page.eval("JSON.stringify(guidanceSearch.trace)"), page.requests(), page.eval("JSON.stringify(performance.getEntriesByType('resource').map(e => e.name))"));
                panic!();
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        println!("{i} ok {:?}", t0.elapsed());
    }
}
