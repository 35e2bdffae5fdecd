//! Languages the site can be published in, and their text direction.

/// The six official UN languages. The first configured language is the site's default.
pub const LANGUAGES: [&str; 6] = ["en", "fr", "es", "ar", "zh", "ru"];

/// `rtl` for scripts written right to left.
pub fn direction(lang: &str) -> &'static str {
    if lang == "ar" { "rtl" } else { "ltr" }
}

/// A language's name in its own script, for the language switcher.
pub fn native_name(lang: &str) -> &'static str {
    match lang {
        "en" => "English",
        "fr" => "Français",
        "es" => "Español",
        "ar" => "العربية",
        "zh" => "中文",
        "ru" => "Русский",
        _ => "",
    }
}

/// The name of language `lang` written in language `in_lang`, as a word of running text:
/// CLDR's name (compiled into the binary), `anglais` in French, `英语` in Chinese; else the
/// language's own name.
pub fn language_name_in(lang: &str, in_lang: &str) -> String {
    use icu_experimental::displaynames::{DisplayNamesOptions, multi::LanguageDisplayNames};
    use icu_locale_core::{Locale, subtags::Language};
    let cldr = || -> Option<String> {
        let locale = Locale::try_from_str(in_lang).ok()?;
        let names =
            LanguageDisplayNames::try_new((&locale).into(), DisplayNamesOptions::default()).ok()?;
        names
            .of(Language::try_from_str(lang).ok()?)
            .map(str::to_string)
    };
    cldr().unwrap_or_else(|| native_name(lang).to_string())
}

/// Sorts `items` by their names in `lang`'s alphabetical order (CLDR's collation, compiled into
/// the binary): `Égypte` before `Zambie` in French, pinyin order in Chinese. Items whose names
/// compare equal keep their order.
pub fn sort_by_name<T>(lang: &str, items: &mut [T], name: impl Fn(&T) -> &str) {
    use icu_collator::{CollatorBorrowed, options::CollatorOptions};
    use icu_locale_core::Locale;
    let locale = Locale::try_from_str(lang).unwrap_or(Locale::UNKNOWN);
    match CollatorBorrowed::try_new((&locale).into(), CollatorOptions::default()) {
        Ok(collator) => items.sort_by(|a, b| collator.compare(name(a), name(b))),
        // Compiled data has a collation for every locale (an unknown one gets CLDR's root
        // order), so this is a safeguard only: code point order, still deterministic.
        Err(_) => items.sort_by(|a, b| name(a).cmp(name(b))),
    }
}
