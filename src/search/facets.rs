//! The search page's filters for one language: principles, pillars, countries and SDG targets,
//! each with its name and the set of documents it holds.

use serde_json::{Value, json};

use super::documents::SearchDoc;
use super::encode::{push_number, push_set};
use crate::model::{Kind, Pillar, Site};

/// Filter values with their names and the set of documents having each.
pub(super) fn facets(site: &Site, lang: &str, docs: &[SearchDoc]) -> Value {
    let total = docs.len() as u32;
    let set = |pred: &dyn Fn(&SearchDoc) -> bool| {
        let members: Vec<u32> = (0..docs.len())
            .filter(|&d| pred(&docs[d]))
            .map(|d| d as u32)
            .collect();
        let mut text = String::new();
        push_number(&mut text, members.len() as u64);
        push_set(&mut text, &members, total);
        (members.len(), text)
    };
    let principles: Vec<Value> = site
        .principles
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let title = site
                .translation(Kind::Principle, &p.slug, lang)
                .and_then(|t| t.title.clone())
                .unwrap_or_else(|| p.meta.title.clone());
            json!([
                p.slug,
                title,
                p.meta.pillar.slug(),
                set(&|d| d.facets.principle == Some(i)).1
            ])
        })
        .collect();
    let pillars: Vec<Value> = Pillar::ALL
        .iter()
        .map(|&pillar| json!([pillar.slug(), set(&|d| d.facets.pillar == Some(pillar)).1]))
        .collect();
    // Countries by their names in `lang`, in its alphabetical order.
    let mut named: Vec<(usize, &str)> = (0..site.countries.len())
        .map(|i| (i, site.country_name(i, lang)))
        .collect();
    crate::i18n::sort_by_name(lang, &mut named, |(_, name)| name);
    let countries: Vec<Value> = named
        .into_iter()
        .map(|(i, name)| {
            let code = &site.countries[i].code;
            json!([code, name, set(&|d| d.facets.countries.contains(&i)).1])
        })
        .collect();
    let mut targets: Vec<&String> = docs.iter().flat_map(|d| &d.facets.sdg_targets).collect();
    targets.sort_by_key(|t| sdg_key(t));
    targets.dedup();
    let sdgs: Vec<Value> = targets
        .into_iter()
        .map(|t| json!([t, set(&|d| d.facets.sdg_targets.contains(t)).1]))
        .collect();
    json!({ "principle": principles, "pillar": pillars, "country": countries, "sdg": sdgs })
}

/// `16.10` after `16.9`, `16.a` after the numbered targets.
fn sdg_key(target: &str) -> Vec<(u8, u32, String)> {
    target
        .split('.')
        .map(|part| match part.parse::<u32>() {
            Ok(n) => (0, n, String::new()),
            Err(_) => (1, 0, part.to_string()),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sdg_targets_sort_numerically() {
        let mut t = vec!["16.10", "16.a", "16.9", "5.1", "16.7"];
        t.sort_by_key(|t| sdg_key(t));
        assert_eq!(t, ["5.1", "16.7", "16.9", "16.10", "16.a"]);
    }
}
