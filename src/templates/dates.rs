//! Dates in templates: the `date` filter (on `YYYY-MM-DD`, RFC 3339 text
//! or a Unix timestamp, as in Tera) and the `now()` function.

use minijinja::value::{Kwargs, Rest, Value, ValueKind};
use minijinja::{Error, ErrorKind};

use super::filters::Args;
use super::printing::tera_text;

/// `date(format="%Y-%m-%d", timezone=)`: a timestamp is read in UTC, then
/// shown in `timezone` when given (`locale` is accepted and ignored).
pub fn date(value: &Value, rest: Rest<Value>, kw: Kwargs) -> Result<String, Error> {
    let args = Args::new("date", rest, kw);
    let format = args
        .string(0, "format")?
        .unwrap_or_else(|| "%Y-%m-%d".into());
    let _ = args.value(1, "locale")?;
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
    Ok(zoned.strftime(&format).to_string())
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
