//! Dates in templates: the `date` filter (on `YYYY-MM-DD`, RFC 3339 text
//! or a Unix timestamp, as in Tera) and the `now()` function.

use minijinja::value::{Kwargs, Rest, Value, ValueKind};
use minijinja::{Error, ErrorKind};

use super::filters::Args;
use super::printing::tera_text;

/// `date(format="%Y-%m-%d", timezone=, locale=)`: a timestamp is read in
/// UTC, then shown in `timezone` when given; with `locale` (`fr_FR`, `es`),
/// month and weekday names (`%B %b %h %A %a`) are that locale's, as
/// Tera's `locale` gives them ([`super::date_locales`]; a locale glibc
/// does not have keeps English names).
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
        // In the offset it was written with, as Tera reads RFC 3339 text.
        date.datetime
            .to_zoned(utc)
            .map_err(|e| args.error(e.to_string()))?
            .with_time_zone(date.zone.time_zone())
    };
    let zoned = match args.string(2, "timezone")? {
        Some(name) => {
            let tz = jiff::tz::TimeZone::get(&name)
                .map_err(|e| args.error(format!("unknown timezone `{name}`: {e}")))?;
            zoned.with_time_zone(tz)
        }
        None => zoned,
    };
    let format = match locale.as_deref().and_then(super::date_locales::names) {
        Some(names) => localised(&format, names, zoned.month(), zoned.weekday()),
        None => format,
    };
    Ok(zoned.strftime(&format).to_string())
}

/// `format` with its month and weekday names written out in `names`
/// (`%%` kept), for jiff to format the rest.
fn localised(
    format: &str,
    names: super::date_locales::Names,
    month: i8,
    weekday: jiff::civil::Weekday,
) -> String {
    let m = usize::try_from(month - 1).unwrap_or(0).min(11);
    let d = usize::from(weekday.to_sunday_zero_offset().unsigned_abs()).min(6);
    let mut out = String::with_capacity(format.len() + 16);
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let name = match chars.peek() {
            Some('B') => names.months.get(m).copied(),
            Some('b' | 'h') => names.short_months.get(m).copied(),
            Some('A') => names.days.get(d).copied(),
            Some('a') => names.short_days.get(d).copied(),
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
        // glibc's Catalan months are genitive (Zola writes `14 de jul.`).
        assert_eq!(
            render("2026-03-02", "%a %d %B", Some("ca")),
            "dl. 02 de març"
        );
        assert_eq!(
            render("2023-07-14", "%d %b %Y", Some("ca_ES")),
            "14 de jul. 2023"
        );
        assert_eq!(
            render("2023-01-31", "%d %B %Y", Some("ar_SA")),
            "31 يناير 2023"
        );
        // `%%B` stays a literal, other specifiers are jiff's; an unknown
        // language keeps English names; no locale is English.
        assert_eq!(render("2026-12-06", "%%B %B", Some("de_DE")), "%B Dezember");
        assert_eq!(render("2026-12-06", "%B", Some("xx_YY")), "December");
        assert_eq!(render("2026-12-06", "%B", None), "December");
    }
}
