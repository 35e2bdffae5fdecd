//! Countries' names in each of the site's languages. English names are ISO 3166's short names
//! (the `isocountry` crate, as they always were); the other languages take CLDR's region names
//! (ICU4X's data, compiled into the binary), with the abbreviations of its Russian names spelt
//! out. `guidance.yaml` replaces any of them: the default language's with `country_names`,
//! another language's with `translations.<lang>.country_names`.

use std::collections::{BTreeMap, BTreeSet};

use icu_experimental::displaynames::{DisplayNamesOptions, multi::RegionDisplayNames};
use icu_locale_core::Locale;
use icu_locale_core::subtags::Region;
use isocountry::CountryCode;

use crate::config::Config;
use crate::model::Country;

/// The name tables of a site's languages, made once for a build.
pub struct CountryNames<'c> {
    config: &'c Config,
    /// For each language of the site, in order, CLDR's names in it (none for English).
    cldr: Vec<(&'c str, Option<RegionDisplayNames>)>,
}

impl<'c> CountryNames<'c> {
    pub fn new(config: &'c Config) -> CountryNames<'c> {
        let cldr = config
            .languages
            .iter()
            .map(|lang| {
                let table = match lang.as_str() {
                    "en" => None,
                    _ => cldr_names(lang),
                };
                (lang.as_str(), table)
            })
            .collect();
        CountryNames { config, cldr }
    }

    /// The name of the country with ISO 3166-1 alpha-3 code `code` on a page in `lang`: the
    /// configured name, else CLDR's (ISO 3166's in English and where CLDR has none). `None`
    /// when `code` is no country's.
    pub fn name(&self, code: &str, lang: &str) -> Option<String> {
        let iso = CountryCode::for_alpha3(code).ok()?;
        let configured = self.config.country_names_in(lang).and_then(|n| n.get(code));
        if let Some(name) = configured {
            return Some(name.clone());
        }
        let cldr = self
            .cldr
            .iter()
            .find(|(l, _)| *l == lang)
            .and_then(|(_, table)| table.as_ref())
            .zip(Region::try_from_str(iso.alpha2()).ok())
            .and_then(|(table, region)| table.of(region));
        Some(match cldr {
            Some(name) if lang == "ru" => spelt_out_in_russian(name),
            Some(name) => name.to_string(),
            None => iso.name().to_string(),
        })
    }

    /// The country with code `code`, named in every language of the site.
    fn country(&self, code: String) -> Option<Country> {
        let names: BTreeMap<String, String> = self
            .cldr
            .iter()
            .map(|(lang, _)| Some((lang.to_string(), self.name(&code, lang)?)))
            .collect::<Option<_>>()?;
        Some(Country {
            name: self.name(&code, self.config.default_language())?,
            names,
            code,
            notes: Vec::new(),
        })
    }
}

/// CLDR's region names in `lang`.
fn cldr_names(lang: &str) -> Option<RegionDisplayNames> {
    let locale = Locale::try_from_str(lang).ok()?;
    RegionDisplayNames::try_new((&locale).into(), DisplayNamesOptions::default()).ok()
}

/// A Russian name from CLDR with its abbreviations written in full, as the UN writes the names
/// of its Member States: `Сейшельские о-ва` is `Сейшельские Острова`, `о-в Мэн` `Остров Мэн`.
fn spelt_out_in_russian(name: &str) -> String {
    let words: Vec<&str> = name
        .split(' ')
        .map(|word| match word {
            "о-ва" => "Острова",
            "о-в" => "Остров",
            "Св." => "Святой",
            word => word,
        })
        .collect();
    words.join(" ")
}

/// Whether `code` is an ISO 3166-1 alpha-3 code (upper case).
pub fn is_country(code: &str) -> bool {
    CountryCode::for_alpha3(code).is_ok()
}

/// The countries with these codes (each an ISO 3166-1 alpha-3 code, others are left out), named
/// in every language of the site, in the default language's alphabetical order of their names.
pub fn countries(codes: BTreeSet<String>, config: &Config) -> Vec<Country> {
    let names = CountryNames::new(config);
    let mut countries: Vec<Country> = codes
        .into_iter()
        .filter_map(|code| names.country(code))
        .collect();
    crate::i18n::sort_by_name(config.default_language(), &mut countries, |c| &c.name);
    countries
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_iso_3166_in_english_and_cldr_in_the_other_languages() {
        let config = Config::default();
        let names = CountryNames::new(&config);
        let guyana = |lang| names.name("GUY", lang).unwrap();
        assert_eq!(guyana("en"), "Guyana");
        assert_eq!(guyana("ar"), "غيانا");
        assert_eq!(guyana("zh"), "圭亚那");
        assert_eq!(guyana("ru"), "Гайана");
        // CLDR's "Сейшельские о-ва", spelt out.
        assert_eq!(names.name("SYC", "ru").unwrap(), "Сейшельские Острова");
        assert_eq!(names.name("SHN", "ru").unwrap(), "Остров Святой Елены");
        assert_eq!(names.name("MUS", "fr").unwrap(), "Maurice");
        assert_eq!(names.name("MUS", "en").unwrap(), "Mauritius");
        // The built-in English name for Laos replaces ISO 3166's, in English only.
        assert_eq!(names.name("LAO", "en").unwrap(), "Lao PDR");
        assert_eq!(names.name("LAO", "fr").unwrap(), "Laos");
        assert_eq!(names.name("XYZ", "fr"), None);
    }

    #[test]
    fn a_configured_name_wins_in_its_own_language_only() {
        let config = Config::parse(
            "country_names: {GUY: Co-operative Republic of Guyana}\n\
             translations:\n  fr:\n    country_names: {LAO: RDP lao, GUY: République du Guyana}\n",
        )
        .unwrap();
        let names = CountryNames::new(&config);
        assert_eq!(
            names.name("GUY", "en").unwrap(),
            "Co-operative Republic of Guyana"
        );
        assert_eq!(names.name("GUY", "fr").unwrap(), "République du Guyana");
        assert_eq!(names.name("LAO", "fr").unwrap(), "RDP lao");
        assert_eq!(names.name("GUY", "es").unwrap(), "Guyana");
        // Setting `country_names` replaces the built-in one for Laos.
        assert_eq!(
            names.name("LAO", "en").unwrap(),
            "Lao People's Democratic Republic"
        );
    }

    #[test]
    fn countries_are_named_in_every_language_and_sorted_in_the_default_one() {
        let config = Config::parse("languages: [fr, en, zh]\n").unwrap();
        let codes = ["EGY", "ZMB", "GUY", "DEU"].map(String::from);
        let countries = countries(BTreeSet::from(codes), &config);
        let shown: Vec<&str> = countries.iter().map(|c| c.name.as_str()).collect();
        // French order: the accented É sorts with E.
        assert_eq!(shown, ["Allemagne", "Égypte", "Guyana", "Zambie"]);
        let egypt = &countries[1];
        assert_eq!(egypt.names["en"], "Egypt");
        assert_eq!(egypt.names["zh"], "埃及");
        assert_eq!(egypt.names.len(), 3);
    }
}
