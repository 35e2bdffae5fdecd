//! The browser harness itself: a page opens from the local server and from disk, and axe runs.
mod common;

#[test]
fn chromium_opens_the_built_site_over_http_and_from_disk() {
    let Some(browser) = common::browser() else {
        return;
    };
    let (_dir, site) = common::build_to_temp(&common::repo_root());
    let server = common::StaticServer::start(&site);
    let page = browser.open(&server.url(""));
    assert_eq!(
        page.eval("document.querySelectorAll('h1').length"),
        serde_json::json!(1)
    );
    let page = browser.open(&common::file_url(&site, "notes/data-sharing/index.html"));
    assert!(
        page.eval("document.title")
            .as_str()
            .unwrap()
            .contains("Data sharing")
    );
    assert!(
        page.external_requests().is_empty(),
        "{:?}",
        page.external_requests()
    );
}
