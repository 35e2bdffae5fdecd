mod common;
#[test]
fn scratch() {
    let browser = common::browser().unwrap();
    let (_dir, site) = common::build_to_temp(&common::repo_root());
    let page = browser.open(&common::file_url(&site, "index.html"));
    for q in ["participatory budg", "participatory budgeting", "participatory budgetting"] {
        let r = page.eval(&format!(r#"guidanceSearch.open('en').then(ix => ix.search({q:?}).then(r => ({{ groups: r.groups.map(g => g.map(a => [a.t, a.w, a.rec.df])), hits: r.hits.slice(0, 6).map(h => [h.d, h.s]) }})))"#));
        println!("{q}: {r}");
    }
}
