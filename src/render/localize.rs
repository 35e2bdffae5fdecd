//! Template filters that write dates, numbers and counted nouns the way each language does, from
//! the strings in the theme's `i18n/<lang>.yaml` (month names, date patterns, separators, plural
//! forms), so an editor corrects them without touching Rust or templates.
//!
//! The filters read the page's strings (`t`) and language (`lang`) from the template context:
//!
//! ```text
//! {{ meta.published | format_date }}      1 February 2021 · 1er février 2021 · 2021年2月1日
//! {{ 12345 | format_number }}             12,345 · 12 345 · 12.345
//! {{ n | plural("notes") }}               note / notes · записка / записки / записок
//! {{ n | count("notes") }}                1 note / 3 notes · مذكرة واحدة / مذكرتان / 3 مذكرات
//! {{ note.lang | language_name }}         English · anglais · الإنجليزية (in the page's language)
//! {{ note.lang | text_direction }}        ltr · rtl
//! ```
//!
//! and functions that mark text in another language than the page's (an untranslated item),
//! called on every card and link of a list, where a macro call would cost more than the card:
//!
//! ```text
//! {{ lang_within(item_lang, parent_lang) }}  ` lang="fr" dir="ltr"`, or nothing when the same
//! {{ lang_attrs(item_lang) }}                 the same against the page's language
//! {{ lang_attrs(item_lang, true) }}           and ` hreflang="fr"`, for a link
//! {{ lang_marker(item_lang) }}                ` <span class="lang-marker">Not translated: French</span>`
//! ```

use std::collections::BTreeMap;

use minijinja::value::Kwargs;
use minijinja::{Environment, Error, ErrorKind, State, Value};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::PartialDate;
use crate::render::escape_text;

/// Registers the filters on the template environment.
pub fn register(env: &mut Environment) {
    env.add_filter("format_date", format_date_filter);
    env.add_filter("format_number", format_number_filter);
    env.add_filter("plural", plural_filter);
    env.add_filter("count", count_filter);
    env.add_filter("format_size", format_size_filter);
    env.add_filter("language_name", |state: &State, lang: &str| {
        crate::i18n::language_name_in(lang, &context_lang(state))
    });
    env.add_filter("text_direction", |lang: &str| {
        crate::i18n::direction(lang).to_string()
    });
    env.add_function("lang_within", |item_lang: &str, parent_lang: &str| {
        Value::from_safe_string(lang_within(item_lang, parent_lang))
    });
    env.add_function(
        "lang_attrs",
        |state: &State, item_lang: &str, link: Option<bool>| {
            let lang = context_lang(state);
            let mut attrs = lang_within(item_lang, &lang);
            if link == Some(true) && item_lang != lang {
                attrs.push_str(&format!(" hreflang=\"{}\"", escape_text(item_lang)));
            }
            Value::from_safe_string(attrs)
        },
    );
    env.add_function("lang_marker", lang_marker);
}

/// The `lang` and `dir` attributes an element in `parent_lang` needs to hold text in
/// `item_lang`; nothing when the two are the same.
pub(crate) fn lang_within(item_lang: &str, parent_lang: &str) -> String {
    if item_lang == parent_lang {
        return String::new();
    }
    format!(
        " lang=\"{}\" dir=\"{}\"",
        escape_text(item_lang),
        crate::i18n::direction(item_lang)
    )
}

/// The note beside an item not in the page's language, naming its language in the page's:
/// "Non traduit : anglais".
fn lang_marker(state: &State, item_lang: &str) -> Result<Value, Error> {
    let lang = context_lang(state);
    if item_lang == lang {
        return Ok(Value::from_safe_string(String::new()));
    }
    let strings = context_strings(state)?;
    let text = format!(
        "{}{}{}",
        strings.or("untranslated_marker", ""),
        strings.or("label_separator", ""),
        crate::i18n::language_name_in(item_lang, &lang)
    );
    Ok(Value::from_safe_string(format!(
        " <span class=\"lang-marker\">{}</span>",
        escape_text(&text)
    )))
}

/// The page's interface strings, looked up by key (English is already merged in for missing keys).
pub trait Strings {
    fn get(&self, key: &str) -> Option<String>;

    fn or(&self, key: &str, fallback: &str) -> String {
        self.get(key).unwrap_or_else(|| fallback.to_string())
    }
}

impl Strings for BTreeMap<String, String> {
    fn get(&self, key: &str) -> Option<String> {
        BTreeMap::get(self, key).cloned()
    }
}

/// The `t` value of a template context.
struct ContextStrings(Value);

impl Strings for ContextStrings {
    fn get(&self, key: &str) -> Option<String> {
        self.0
            .get_attr(key)
            .ok()
            .filter(|v| !v.is_undefined() && !v.is_none())
            .map(|v| v.to_string())
    }
}

fn context_strings(state: &State) -> Result<ContextStrings, Error> {
    state
        .lookup("t")
        .filter(|t| !t.is_undefined())
        .map(ContextStrings)
        .ok_or_else(|| {
            Error::new(
                ErrorKind::UndefinedError,
                "the page's interface strings `t` are not in the context",
            )
        })
}

fn context_lang(state: &State) -> String {
    state
        .lookup("lang")
        .and_then(|l| l.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A date written `YYYY`, `YYYY-MM` or `YYYY-MM-DD` in the page's language. Text that is not a
/// date is returned unchanged (the build has already checked every front-matter date).
pub fn format_date(date: PartialDate, strings: &impl Strings) -> String {
    let year = date.year.to_string();
    match (date.month, date.day) {
        (Some(month), Some(day)) => {
            let day_text = if day == 1 {
                strings.or("day_1", "1")
            } else {
                day.to_string()
            };
            strings
                .or("date_day", "{day} {month} {year}")
                .replace("{day}", &day_text)
                .replace(
                    "{month}",
                    &strings.or(&format!("month_of_{month}"), &month.to_string()),
                )
                .replace("{year}", &year)
        }
        (Some(month), None) => strings
            .or("date_month", "{month} {year}")
            .replace(
                "{month}",
                &strings.or(&format!("month_{month}"), &month.to_string()),
            )
            .replace("{year}", &year),
        _ => strings.or("date_year", "{year}").replace("{year}", &year),
    }
}

/// A number with the language's group and decimal separators, and `decimals` digits after the
/// decimal separator.
pub fn format_number(value: f64, decimals: usize, strings: &impl Strings) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = match text.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (text.as_str(), None),
    };
    let group = strings.or("number_group", ",");
    let min: usize = strings
        .get("number_group_min")
        .and_then(|m| m.trim().parse().ok())
        .unwrap_or(4);
    let mut out = String::new();
    if value < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('-');
    }
    if whole.len() >= min {
        for (i, digit) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i).is_multiple_of(3) {
                out.push_str(&group);
            }
            out.push(digit);
        }
    } else {
        out.push_str(whole);
    }
    if let Some(fraction) = fraction {
        out.push_str(&strings.or("number_decimal", "."));
        out.push_str(fraction);
    }
    out
}

/// A file size in kilobytes (rounded up) or megabytes (one decimal), with the language's unit
/// names (`size_kb`, `size_mb`) and number format.
pub fn format_size(bytes: u64, strings: &impl Strings) -> String {
    if bytes >= 1_000_000 {
        let size = format_number(bytes as f64 / 1e6, 1, strings);
        strings.or("size_mb", "{size} MB").replace("{size}", &size)
    } else {
        let size = format_number(bytes.div_ceil(1000).max(1) as f64, 0, strings);
        strings.or("size_kb", "{size} KB").replace("{size}", &size)
    }
}

/// Which plural form a count takes in `lang`, as an index into the forms its `*_plural` strings
/// list (CLDR's cardinal categories for whole numbers, in CLDR's order).
pub fn plural_index(lang: &str, n: u64) -> usize {
    match lang {
        // one | other (French counts 0 as singular)
        "fr" => usize::from(n > 1),
        // other
        "zh" | "ja" | "ko" => 0,
        // one | few | many
        "ru" | "uk" => {
            let (units, tens) = (n % 10, n % 100);
            if units == 1 && tens != 11 {
                0
            } else if (2..=4).contains(&units) && !(12..=14).contains(&tens) {
                1
            } else {
                2
            }
        }
        // zero | one | two | few | many | other
        "ar" => match (n, n % 100) {
            (0, _) => 0,
            (1, _) => 1,
            (2, _) => 2,
            (_, 3..=10) => 3,
            (_, 11..=99) => 4,
            _ => 5,
        },
        // one | other (English, Spanish and most others)
        _ => usize::from(n != 1),
    }
}

/// The plural categories `plural_index` chooses among for `lang`, in order.
pub fn plural_categories(lang: &str) -> &'static [&'static str] {
    match lang {
        "zh" | "ja" | "ko" => &["other"],
        "ru" | "uk" => &["one", "few", "many"],
        "ar" => &["zero", "one", "two", "few", "many", "other"],
        _ => &["one", "other"],
    }
}

/// Every `*_plural` string must list as many forms as the language has plural categories.
pub fn check_plurals(lang: &str, strings: &BTreeMap<String, String>, file: &str) -> Diagnostics {
    let categories = plural_categories(lang);
    let mut diagnostics = Diagnostics::default();
    for (key, value) in strings.iter().filter(|(k, _)| k.ends_with("_plural")) {
        let count = value.split('|').count();
        if count != categories.len() {
            diagnostics.push(
                Diagnostic::error(
                    "theme",
                    format!(
                        "`{key}` has {count} plural forms, but `{lang}` needs {}",
                        categories.len()
                    ),
                )
                .in_file(file)
                .help(format!(
                    "write the forms separated by `|`, in this order: {}",
                    categories.join(" | ")
                )),
            );
        }
    }
    diagnostics
}

/// The form of the noun `key` (`notes`, `principles`...) for the count `n`: the `<key>_plural`
/// string holds the forms separated by `|`. Where the forms place the number (`{count}`), the
/// noun alone, without it.
pub fn plural(lang: &str, n: u64, key: &str, strings: &impl Strings) -> String {
    let (form, _) = plural_form(lang, n, key, strings);
    form.replace("{count}", "").trim().to_string()
}

/// `n` and its noun `key`, as the language writes a count: `3 notes`, `1 note`. The number is
/// written before the form, unless the forms place it themselves: then a form with `{count}`
/// has the number there and a form without is written alone, as Arabic writes its singular
/// and dual (`مذكرة واحدة`, `مذكرتان`, but `3 مذكرات`).
pub fn count(lang: &str, n: u64, key: &str, strings: &impl Strings) -> String {
    let number = format_number(n as f64, 0, strings);
    count_with(lang, n, key, strings, &number, str::to_string)
}

/// [`count`] with `number` standing for the number and `text` applied to the words around it.
fn count_with(
    lang: &str,
    n: u64,
    key: &str,
    strings: &impl Strings,
    number: &str,
    text: impl Fn(&str) -> String,
) -> String {
    let (form, placed) = plural_form(lang, n, key, strings);
    if placed {
        let parts: Vec<String> = form.split("{count}").map(text).collect();
        parts.join(number)
    } else {
        format!("{number} {}", text(&form))
    }
}

/// The form of `key` for `n`, and whether the forms place the number themselves.
fn plural_form(lang: &str, n: u64, key: &str, strings: &impl Strings) -> (String, bool) {
    let forms = strings.or(&format!("{key}_plural"), key);
    let placed = forms.contains("{count}");
    let forms: Vec<&str> = forms.split('|').map(str::trim).collect();
    let index = plural_index(lang, n).min(forms.len() - 1);
    (forms[index].to_string(), placed)
}

fn format_date_filter(state: &State, value: Value) -> Result<String, Error> {
    let text = value.to_string();
    match PartialDate::parse(&text) {
        Some(date) => Ok(format_date(date, &context_strings(state)?)),
        None => Ok(text),
    }
}

fn format_number_filter(state: &State, value: Value, kwargs: Kwargs) -> Result<String, Error> {
    let decimals: Option<usize> = kwargs.get("decimals")?;
    kwargs.assert_all_used()?;
    let number = f64::try_from(value.clone()).map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("format_number needs a number, got {value}"),
        )
    })?;
    let decimals = decimals.unwrap_or(if number.fract() == 0.0 { 0 } else { 1 });
    Ok(format_number(number, decimals, &context_strings(state)?))
}

fn format_size_filter(state: &State, value: Value) -> Result<String, Error> {
    let bytes = u64::try_from(value.clone()).map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("format_size needs a number of bytes, got {value}"),
        )
    })?;
    Ok(format_size(bytes, &context_strings(state)?))
}

fn whole_number(filter: &str, value: &Value) -> Result<u64, Error> {
    u64::try_from(value.clone()).map_err(|_| {
        Error::new(
            ErrorKind::InvalidOperation,
            format!("{filter} needs a whole number, got {value}"),
        )
    })
}

fn plural_filter(state: &State, value: Value, key: &str) -> Result<String, Error> {
    let n = whole_number("plural", &value)?;
    Ok(plural(
        &context_lang(state),
        n,
        key,
        &context_strings(state)?,
    ))
}

/// `count("notes")`; with `strong=true`, HTML with the number (where written) in `<strong>`.
fn count_filter(state: &State, value: Value, key: &str, kwargs: Kwargs) -> Result<Value, Error> {
    let n = whole_number("count", &value)?;
    let strong: Option<bool> = kwargs.get("strong")?;
    kwargs.assert_all_used()?;
    let (lang, strings) = (context_lang(state), context_strings(state)?);
    if strong != Some(true) {
        return Ok(Value::from(count(&lang, n, key, &strings)));
    }
    let number = format!("<strong>{}</strong>", format_number(n as f64, 0, &strings));
    let html = count_with(&lang, n, key, &strings, &number, crate::markdown::escape);
    Ok(Value::from_safe_string(html))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn date(text: &str) -> PartialDate {
        PartialDate::parse(text).unwrap()
    }

    #[test]
    fn text_in_another_language_is_marked_and_the_page_language_is_not() {
        let mut env = Environment::new();
        register(&mut env);
        env.add_template(
            "t.html",
            "[{{ lang_attrs('fr', true) }}][{{ lang_attrs('fr') }}][{{ lang_attrs('en', true) }}]\
             [{{ lang_within('ar', 'en') }}][{{ lang_within('en', 'en') }}]\
             [{{ lang_marker('fr') }}][{{ lang_marker('en') }}]",
        )
        .unwrap();
        let t = strings(&[
            ("untranslated_marker", "Not <translated>"),
            ("label_separator", ": "),
        ]);
        let html = env
            .get_template("t.html")
            .unwrap()
            .render(minijinja::context! { lang => "en", t => t })
            .unwrap();
        assert_eq!(
            html,
            "[ lang=\"fr\" dir=\"ltr\" hreflang=\"fr\"][ lang=\"fr\" dir=\"ltr\"][]\
             [ lang=\"ar\" dir=\"rtl\"][]\
             [ <span class=\"lang-marker\">Not &lt;translated&gt;: French</span>][]"
        );
    }

    #[test]
    fn dates_follow_the_language_patterns() {
        let en = strings(&[("month_2", "February"), ("month_of_2", "February")]);
        assert_eq!(format_date(date("2021-02-01"), &en), "1 February 2021");
        assert_eq!(format_date(date("2021-02"), &en), "February 2021");
        assert_eq!(format_date(date("2021"), &en), "2021");
        let fr = strings(&[("month_of_2", "février"), ("day_1", "1er")]);
        assert_eq!(format_date(date("2021-02-01"), &fr), "1er février 2021");
        assert_eq!(format_date(date("2021-02-03"), &fr), "3 février 2021");
        let zh = strings(&[
            ("date_day", "{year}年{month}{day}日"),
            ("date_month", "{year}年{month}"),
            ("date_year", "{year}年"),
            ("month_of_2", "2月"),
            ("month_2", "2月"),
        ]);
        assert_eq!(format_date(date("2021-02-09"), &zh), "2021年2月9日");
        assert_eq!(format_date(date("2021-02"), &zh), "2021年2月");
        assert_eq!(format_date(date("2021"), &zh), "2021年");
        let ru = strings(&[
            ("month_2", "февраль"),
            ("month_of_2", "февраля"),
            ("date_day", "{day} {month} {year} г."),
        ]);
        assert_eq!(format_date(date("2021-02-09"), &ru), "9 февраля 2021 г.");
    }

    #[test]
    fn numbers_group_thousands_per_language() {
        let en = strings(&[]);
        assert_eq!(format_number(1234567.0, 0, &en), "1,234,567");
        assert_eq!(format_number(999.0, 0, &en), "999");
        assert_eq!(format_number(2.26, 1, &en), "2.3");
        assert_eq!(format_number(-1234.5, 1, &en), "-1,234.5");
        let fr = strings(&[("number_group", "\u{202f}"), ("number_decimal", ",")]);
        assert_eq!(format_number(12345.5, 1, &fr), "12\u{202f}345,5");
        let es = strings(&[
            ("number_group", "\u{a0}"),
            ("number_decimal", ","),
            ("number_group_min", "5"),
        ]);
        assert_eq!(format_number(1234.0, 0, &es), "1234");
        assert_eq!(format_number(12345.0, 0, &es), "12\u{a0}345");
    }

    #[test]
    fn sizes_use_the_language_units() {
        let fr = strings(&[
            ("number_decimal", ","),
            ("size_mb", "{size} Mo"),
            ("size_kb", "{size} ko"),
        ]);
        assert_eq!(format_size(2_345_678, &fr), "2,3 Mo");
        assert_eq!(format_size(1_001, &fr), "2 ko");
        assert_eq!(format_size(2_345_678, &strings(&[])), "2.3 MB");
    }

    #[test]
    fn plural_categories_match_cldr_for_whole_numbers() {
        let en: Vec<usize> = [0, 1, 2, 5]
            .iter()
            .map(|&n| plural_index("en", n))
            .collect();
        assert_eq!(en, [1, 0, 1, 1]);
        let fr: Vec<usize> = [0, 1, 2].iter().map(|&n| plural_index("fr", n)).collect();
        assert_eq!(fr, [0, 0, 1]);
        let ru: Vec<usize> = [1, 2, 5, 11, 12, 21, 22, 25, 111]
            .iter()
            .map(|&n| plural_index("ru", n))
            .collect();
        assert_eq!(ru, [0, 1, 2, 2, 2, 0, 1, 2, 2]);
        let ar: Vec<usize> = [0, 1, 2, 3, 10, 11, 99, 100, 102, 103]
            .iter()
            .map(|&n| plural_index("ar", n))
            .collect();
        assert_eq!(ar, [0, 1, 2, 3, 3, 4, 4, 5, 5, 3]);
        assert_eq!(plural_index("zh", 5), 0);
        let ru_strings = strings(&[("notes_plural", "записка|записки|записок")]);
        assert_eq!(plural("ru", 23, "notes", &ru_strings), "записки");
        assert_eq!(plural("ru", 21, "notes", &ru_strings), "записка");
        assert_eq!(plural("ru", 11, "notes", &ru_strings), "записок");
        assert_eq!(count("ru", 23, "notes", &ru_strings), "23 записки");
    }

    #[test]
    fn arabic_writes_its_singular_and_dual_without_the_number() {
        let theme = crate::theme::Theme::embedded();
        let ar: BTreeMap<String, String> =
            serde_yaml::from_str(theme.text("i18n/ar.yaml").unwrap()).unwrap();
        let counts: Vec<String> = [1, 2, 3, 11, 100]
            .iter()
            .map(|&n| count("ar", n, "notes", &ar))
            .collect();
        assert_eq!(
            counts,
            [
                "مذكرة واحدة",
                "مذكرتان",
                "3 مذكرات",
                "11 مذكرة",
                "100 مذكرة"
            ]
        );
        // The noun alone, for a number written apart.
        assert_eq!(plural("ar", 3, "notes", &ar), "مذكرات");
        assert_eq!(plural("ar", 2, "notes", &ar), "مذكرتان");
    }

    #[test]
    fn every_language_of_the_default_theme_has_its_plural_forms() {
        let theme = crate::theme::Theme::embedded();
        let english: BTreeMap<String, String> =
            serde_yaml::from_str(theme.text("i18n/en.yaml").unwrap()).unwrap();
        for lang in crate::i18n::LANGUAGES {
            let own: BTreeMap<String, String> =
                serde_yaml::from_str(theme.text(&format!("i18n/{lang}.yaml")).unwrap()).unwrap();
            let mut merged = english.clone();
            merged.extend(own);
            let problems = check_plurals(lang, &merged, lang);
            assert!(problems.is_empty(), "{problems}");
        }
        let wrong = strings(&[("notes_plural", "записка|записки")]);
        let problems = check_plurals("ru", &wrong, "theme/i18n/ru.yaml");
        assert_eq!(problems.error_count(), 1);
        assert!(
            problems.to_string().contains("one | few | many"),
            "{problems}"
        );
    }
}
