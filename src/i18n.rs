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
