//! Dates in templates: the `date` filter (on `YYYY-MM-DD`, RFC 3339 text
//! or a Unix timestamp, as in Tera) and the `now()` function.

use minijinja::value::{Kwargs, Rest, Value, ValueKind};
use minijinja::{Error, ErrorKind};

use super::filters::Args;
use super::printing::tera_text;

/// `date(format="%Y-%m-%d", timezone=, locale=)`: a timestamp is read in
/// UTC, then shown in `timezone` when given; with `locale` (`fr_FR`, `es`),
/// month and weekday names (`%B %b %h %A %a`) are that language's, as
/// Tera's `locale` gives them, for the languages in [`NAMES`] (others keep
/// English names).
pub fn date(value: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<String, Error> {
    let args = Args::new("date", rest, kw);
    let format = args
        .string(0, "format")?
        .unwrap_or_else(|| "%Y-%m-%d".into());
    let locale = args.string(1, "locale")?;
    let utc = jiff::tz::TimeZone::UTC;
    let zoned = if value.kind() == ValueKind::Number {
        let secs = i64::try_from(value.clone())
            .map_err(|_| args.error(format!("{value} is not a whole number of seconds")))?;
        jiff::Timestamp::from_second(secs)
            .map_err(|e| args.error(e.to_string()))?
            .to_zoned(utc)
    } else {
        let date = crate::content::date::SiteDate::parse(&tera_text(value))
            .map_err(|e| Error::new(ErrorKind::InvalidOperation, e))?;
        date.datetime
            .to_zoned(utc)
            .map_err(|e| args.error(e.to_string()))?
    };
    let zoned = match args.string(2, "timezone")? {
        Some(name) => {
            let tz = jiff::tz::TimeZone::get(&name)
                .map_err(|e| args.error(format!("unknown timezone `{name}`: {e}")))?;
            zoned.with_time_zone(tz)
        }
        None => zoned,
    };
    let format = match locale.as_deref().and_then(names_of) {
        Some(names) => localised(&format, names, zoned.month(), zoned.weekday()),
        None => format,
    };
    Ok(zoned.strftime(&format).to_string())
}

/// Month names, abbreviated month names, weekday names (Monday first) and
/// abbreviated weekday names, as glibc's locales (and so Tera) give them.
type Names = (
    [&'static str; 12],
    [&'static str; 12],
    [&'static str; 7],
    [&'static str; 7],
);

/// The languages `date(locale=)` names months and days in, by primary subtag.
const NAMES: &[(&str, Names)] = &[
    (
        "fr",
        (
            [
                "janvier",
                "février",
                "mars",
                "avril",
                "mai",
                "juin",
                "juillet",
                "août",
                "septembre",
                "octobre",
                "novembre",
                "décembre",
            ],
            [
                "janv.", "févr.", "mars", "avril", "mai", "juin", "juil.", "août", "sept.", "oct.",
                "nov.", "déc.",
            ],
            [
                "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
            ],
            ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."],
        ),
    ),
    (
        "es",
        (
            [
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ],
            [
                "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic",
            ],
            [
                "lunes",
                "martes",
                "miércoles",
                "jueves",
                "viernes",
                "sábado",
                "domingo",
            ],
            ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"],
        ),
    ),
    (
        "ca",
        (
            [
                "gener", "febrer", "març", "abril", "maig", "juny", "juliol", "agost", "setembre",
                "octubre", "novembre", "desembre",
            ],
            [
                "gen.", "febr.", "març", "abr.", "maig", "juny", "jul.", "ag.", "set.", "oct.",
                "nov.", "des.",
            ],
            [
                "dilluns",
                "dimarts",
                "dimecres",
                "dijous",
                "divendres",
                "dissabte",
                "diumenge",
            ],
            ["dl.", "dt.", "dc.", "dj.", "dv.", "ds.", "dg."],
        ),
    ),
    (
        "de",
        (
            [
                "Januar",
                "Februar",
                "März",
                "April",
                "Mai",
                "Juni",
                "Juli",
                "August",
                "September",
                "Oktober",
                "November",
                "Dezember",
            ],
            [
                "Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez",
            ],
            [
                "Montag",
                "Dienstag",
                "Mittwoch",
                "Donnerstag",
                "Freitag",
                "Samstag",
                "Sonntag",
            ],
            ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"],
        ),
    ),
    (
        "it",
        (
            [
                "gennaio",
                "febbraio",
                "marzo",
                "aprile",
                "maggio",
                "giugno",
                "luglio",
                "agosto",
                "settembre",
                "ottobre",
                "novembre",
                "dicembre",
            ],
            [
                "gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic",
            ],
            [
                "lunedì",
                "martedì",
                "mercoledì",
                "giovedì",
                "venerdì",
                "sabato",
                "domenica",
            ],
            ["lun", "mar", "mer", "gio", "ven", "sab", "dom"],
        ),
    ),
    (
        "pt",
        (
            [
                "janeiro",
                "fevereiro",
                "março",
                "abril",
                "maio",
                "junho",
                "julho",
                "agosto",
                "setembro",
                "outubro",
                "novembro",
                "dezembro",
            ],
            [
                "jan", "fev", "mar", "abr", "mai", "jun", "jul", "ago", "set", "out", "nov", "dez",
            ],
            [
                "segunda", "terça", "quarta", "quinta", "sexta", "sábado", "domingo",
            ],
            ["seg", "ter", "qua", "qui", "sex", "sáb", "dom"],
        ),
    ),
    (
        "nl",
        (
            [
                "januari",
                "februari",
                "maart",
                "april",
                "mei",
                "juni",
                "juli",
                "augustus",
                "september",
                "oktober",
                "november",
                "december",
            ],
            [
                "jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec",
            ],
            [
                "maandag",
                "dinsdag",
                "woensdag",
                "donderdag",
                "vrijdag",
                "zaterdag",
                "zondag",
            ],
            ["ma", "di", "wo", "do", "vr", "za", "zo"],
        ),
    ),
];

fn names_of(locale: &str) -> Option<&'static Names> {
    let primary = locale.split(['_', '-', '.']).next()?.to_ascii_lowercase();
    NAMES.iter().find(|(l, _)| *l == primary).map(|(_, n)| n)
}

/// `format` with its month and weekday names written out in `names`
/// (`%%` kept), for jiff to format the rest.
fn localised(format: &str, names: &Names, month: i8, weekday: jiff::civil::Weekday) -> String {
    let m = usize::try_from(month - 1).unwrap_or(0).min(11);
    let d = usize::from(weekday.to_monday_zero_offset().unsigned_abs()).min(6);
    let mut out = String::with_capacity(format.len() + 16);
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let name = match chars.peek() {
            Some('B') => Some(names.0[m]),
            Some('b' | 'h') => Some(names.1[m]),
            Some('A') => Some(names.2[d]),
            Some('a') => Some(names.3[d]),
            _ => None,
        };
        if let Some(n) = name {
            chars.next();
            out.push_str(n);
        } else {
            out.push('%');
            if let Some(next) = chars.next() {
                out.push(next);
            }
        }
    }
    out
}

/// `now(timestamp=false, utc=false)`: the time of the build, RFC 3339 in
/// UTC, or seconds since 1970 with `timestamp=true`.
pub fn now(rest: Rest<Value>, kw: Kwargs) -> Result<Value, Error> {
    let args = Args::new("now", rest, kw);
    let _ = args.bool(1, "utc")?;
    let now = jiff::Timestamp::now();
    if args.bool(0, "timestamp")?.unwrap_or(false) {
        return Ok(Value::from(now.as_second()));
    }
    Ok(Value::from(now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(value: &str, format: &str, locale: Option<&str>) -> String {
        let mut env = minijinja::Environment::new();
        env.add_filter("date", date);
        let call = match locale {
            Some(l) => format!("{{{{ v | date(format=\"{format}\", locale=\"{l}\") }}}}"),
            None => format!("{{{{ v | date(format=\"{format}\") }}}}"),
        };
        env.render_str(&call, minijinja::context! { v => value })
            .unwrap()
    }

    #[test]
    fn locale_names_months_and_days_as_tera_does() {
        assert_eq!(
            render("2026-12-06", "%A %-d %B %Y", Some("fr_FR")),
            "dimanche 6 décembre 2026"
        );
        assert_eq!(
            render("2026-08-01", "%d %b %Y", Some("es_ES")),
            "01 ago 2026"
        );
        assert_eq!(render("2026-03-02", "%a %d %B", Some("ca")), "dl. 02 març");
        // `%%B` stays a literal, other specifiers are jiff's; an unknown
        // language keeps English names; no locale is English.
        assert_eq!(render("2026-12-06", "%%B %B", Some("de_DE")), "%B Dezember");
        assert_eq!(render("2026-12-06", "%B", Some("ja_JP")), "December");
        assert_eq!(render("2026-12-06", "%B", None), "December");
    }
}
