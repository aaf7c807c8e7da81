//! Month and weekday names for `date(locale=)`, from the glibc locale data
//! that Tera's dates use (chrono reads the same `pure-rust-locales` crate):
//! `%B` is the locale's `MON`, `%b` its `ABMON`, `%A` `DAY`, `%a` `ABDAY`,
//! so `ca_ES` writes `14 de jul.` and `ar_SA` `يناير`, as Zola does.

use pure_rust_locales::{Locale, locale_match};

/// One locale's names: months from January, weekdays from Sunday.
#[derive(Debug, Clone, Copy)]
pub struct Names {
    pub months: &'static [&'static str],
    pub short_months: &'static [&'static str],
    pub days: &'static [&'static str],
    pub short_days: &'static [&'static str],
}

/// The names of `locale` (`fr_FR`, `pt-BR`), or of a bare language's main
/// locale (`fr` is `fr_FR`, `ca` `ca_ES`); `None` for a locale glibc does
/// not have (the date keeps English names).
pub fn names(locale: &str) -> Option<Names> {
    let locale = locale.replace('-', "_");
    let found = Locale::try_from(locale.as_str()).ok().or_else(|| {
        let lang = locale.split(['_', '.', '@']).next()?.to_ascii_lowercase();
        let main = MAIN.iter().find(|(l, _)| *l == lang).map_or_else(
            || format!("{lang}_{}", lang.to_ascii_uppercase()),
            |(_, m)| (*m).to_string(),
        );
        Locale::try_from(main.as_str()).ok()
    })?;
    Some(Names {
        months: locale_match!(found => LC_TIME::MON),
        short_months: locale_match!(found => LC_TIME::ABMON),
        days: locale_match!(found => LC_TIME::DAY),
        short_days: locale_match!(found => LC_TIME::ABDAY),
    })
}

/// A language's main locale where it is not `xx_XX`.
const MAIN: &[(&str, &str)] = &[
    ("ar", "ar_SA"),
    ("ca", "ca_ES"),
    ("cs", "cs_CZ"),
    ("da", "da_DK"),
    ("el", "el_GR"),
    ("en", "en_US"),
    ("et", "et_EE"),
    ("eu", "eu_ES"),
    ("fa", "fa_IR"),
    ("gl", "gl_ES"),
    ("he", "he_IL"),
    ("hi", "hi_IN"),
    ("ja", "ja_JP"),
    ("ko", "ko_KR"),
    ("nb", "nb_NO"),
    ("sl", "sl_SI"),
    ("sv", "sv_SE"),
    ("uk", "uk_UA"),
    ("vi", "vi_VN"),
    ("zh", "zh_CN"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glibc_names_by_locale_or_language() {
        let ca = names("ca_ES").unwrap();
        assert_eq!(ca.short_months[6], "de jul.");
        assert_eq!(ca.months[7], "d’agost");
        assert_eq!(names("ar_SA").unwrap().months[0], "يناير");
        assert_eq!(names("fr").unwrap().days[0], "dimanche");
        assert_eq!(names("pt-BR").unwrap().months[2], "março");
        assert!(names("xx_YY").is_none());
    }
}
