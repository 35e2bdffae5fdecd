//! The schema.org description (JSON-LD) of each note page: an `Article` about its principle,
//! with the countries it covers and its dates.

use serde_json::{Value, json};

use crate::model::*;
use crate::render::PageId;

/// What a note page shows in its own language (a translation's title and summary).
pub struct NoteText<'a> {
    pub title: &'a str,
    pub summary: &'a str,
    pub lang: &'a str,
}

/// The schema.org description of a note page, as the text of a `<script type="application/ld+json">`.
/// `href` gives the link to write to a page: absolute when the site has a base URL, relative to
/// the note page otherwise (JSON-LD resolves relative IRIs against the page).
pub fn note_jsonld(
    site: &Site,
    i: usize,
    text: &NoteText,
    href: &dyn Fn(PageId) -> String,
) -> String {
    let note = &site.notes[i];
    let principle_term = |p: usize| {
        let principle = &site.principles[p];
        let translation = site.translation(Kind::Principle, &principle.slug, text.lang);
        json!({
            "@type": "DefinedTerm",
            "name": translation.and_then(|t| t.title.as_deref()).unwrap_or(&principle.meta.title),
            "termCode": principle.meta.number.to_string(),
            "description": translation.and_then(|t| t.summary.as_deref()).unwrap_or(&principle.meta.summary),
            "url": href(PageId::Principle(p)),
            "inDefinedTermSet": href(PageId::PrinciplesIndex),
        })
    };
    let mut value = json!({
        "@context": "https://schema.org",
        "@type": "Article",
        "url": href(PageId::Note(i)),
        "headline": text.title,
        "name": text.title,
        "description": text.summary,
        "inLanguage": text.lang,
        "creativeWorkStatus": note.meta.status,
        "about": principle_term(note.principle),
        "isPartOf": {
            "@type": "WebSite",
            "name": site.config.title,
            "url": href(PageId::Home),
        },
    });
    let fields = value.as_object_mut().expect("built as an object");
    // Partial dates (`2021`, `2021-02`) are valid ISO 8601 dates at reduced precision, which
    // schema.org accepts; they are not padded to a day that nobody recorded.
    if let Some(published) = note.meta.published {
        fields.insert("datePublished".into(), json!(published));
    }
    if let Some(updated) = note.meta.updated {
        fields.insert("dateModified".into(), json!(updated));
    }
    if !note.related_principles.is_empty() {
        fields.insert(
            "mentions".into(),
            note.related_principles
                .iter()
                .map(|&p| principle_term(p))
                .collect(),
        );
    }
    if !note.countries.is_empty() {
        let places: Vec<Value> = note
            .countries
            .iter()
            .map(|&c| {
                json!({
                    "@type": "Country",
                    "name": site.country_name(c, text.lang),
                    "identifier": site.countries[c].code,
                    "url": href(PageId::Country(c)),
                })
            })
            .collect();
        fields.insert("spatialCoverage".into(), places.into());
    }
    if !note.meta.sources.is_empty() {
        let sources: Vec<Value> = note
            .meta
            .sources
            .iter()
            .map(|s| json!({ "@type": "CreativeWork", "name": s.title, "url": s.url }))
            .collect();
        fields.insert("isBasedOn".into(), sources.into());
    }
    if !note.meta.sdg_targets.is_empty() {
        let keywords: Vec<String> = note
            .meta
            .sdg_targets
            .iter()
            .map(|t| format!("SDG {t}"))
            .collect();
        fields.insert("keywords".into(), keywords.into());
    }
    script_safe(&serde_json::to_string(&value).expect("JSON values always serialize"))
}

/// JSON that can sit inside `<script>`: `<`, `>` and `&` only occur in strings, where a `\u`
/// escape means the same character, so `</script>` in a title cannot end the element.
fn script_safe(json: &str) -> String {
    json.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_escaped() {
        assert_eq!(
            script_safe(r#"{"t":"</script><b>&"}"#),
            r#"{"t":"\u003c/script\u003e\u003cb\u003e\u0026"}"#
        );
    }
}
