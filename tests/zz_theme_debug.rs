mod common;
#[test]
fn debug() {
    let browser = common::browser().unwrap();
    let server = common::StaticServer::start(std::path::Path::new("/tmp/rsite"));
    let page = browser.open("about:blank");
    page.set_viewport(320, 640);
    for p in std::env::var("PAGES").unwrap().split(',') {
        page.goto(&server.url(p));
        let js = std::env::var("JS").unwrap();
        println!("{p}: {}", page.eval(&js));
    }
}
