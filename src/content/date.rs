//! Dates in front matter: TOML dates (`2024-01-02`, `2024-01-02T10:00:00Z`)
//! or the same written as strings (YAML).

use std::fmt;

use jiff::civil;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A calendar date with an optional time, as written by the author.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SiteDate {
    /// UTC date and time (midnight when only a date was given).
    pub datetime: civil::DateTime,
    pub has_time: bool,
    /// The offset the time was written with, so that templates see it as
    /// written (as Zola gives `page.date`).
    pub zone: Zone,
}

/// How a date's time was written: without an offset, with `Z`, or with
/// `+hh:mm` / `-hh:mm` (seconds east of UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Zone {
    #[default]
    Unspecified,
    Z,
    Fixed(i32),
}

impl Zone {
    /// The offset at the end of an RFC 3339 date-time.
    fn of(text: &str) -> Self {
        if text.ends_with(['Z', 'z']) {
            return Self::Z;
        }
        let Some(tail) = text.len().checked_sub(6).and_then(|i| text.get(i..)) else {
            return Self::Unspecified;
        };
        let num = |r: std::ops::Range<usize>| tail.get(r).and_then(|t| t.parse::<i32>().ok());
        let sign = match tail.as_bytes()[0] {
            b'+' => 1,
            b'-' => -1,
            _ => return Self::Unspecified,
        };
        match (num(1..3), tail.as_bytes()[3], num(4..6)) {
            (Some(h), b':', Some(m)) => Self::Fixed(sign * (h * 3600 + m * 60)),
            _ => Self::Unspecified,
        }
    }

    /// jiff's time zone for it (UTC when none was written).
    pub fn time_zone(self) -> jiff::tz::TimeZone {
        match self {
            Self::Fixed(secs) => jiff::tz::Offset::from_seconds(secs)
                .map_or(jiff::tz::TimeZone::UTC, jiff::tz::TimeZone::fixed),
            _ => jiff::tz::TimeZone::UTC,
        }
    }
}

impl SiteDate {
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.len() == 10
            && let Ok(d) = s.parse::<civil::Date>()
        {
            return Ok(Self {
                datetime: d.to_datetime(civil::Time::midnight()),
                has_time: false,
                zone: Zone::Unspecified,
            });
        }
        if let Ok(ts) = s.parse::<jiff::Timestamp>() {
            let dt = ts.to_zoned(jiff::tz::TimeZone::UTC).datetime();
            return Ok(Self {
                datetime: dt,
                has_time: true,
                zone: Zone::of(s),
            });
        }
        if let Ok(dt) = s.replace(' ', "T").parse::<civil::DateTime>() {
            return Ok(Self {
                datetime: dt,
                has_time: true,
                zone: Zone::Unspecified,
            });
        }
        Err(format!(
            "`{s}` is not a date; write it as YYYY-MM-DD (e.g. 2026-11-01) or RFC 3339"
        ))
    }

    pub fn date(&self) -> civil::Date {
        self.datetime.date()
    }

    /// RFC 3339 in UTC, for feeds and sitemaps.
    pub fn rfc3339(&self) -> String {
        format!("{}Z", self.datetime.strftime("%Y-%m-%dT%H:%M:%S"))
    }

    /// Whole days from `self` to `other`.
    pub fn days_until(&self, other: civil::Date) -> i64 {
        let span = self.date().until(other).unwrap_or_default();
        span.get_days().into()
    }
}

/// As written (Zola's `page.date`): the date, or the date and time in the
/// offset it was written with, followed by that offset.
impl fmt::Display for SiteDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.has_time {
            return write!(f, "{}", self.date());
        }
        let local = match self.zone {
            Zone::Fixed(secs) => self
                .datetime
                .checked_add(jiff::SignedDuration::from_secs(i64::from(secs)))
                .unwrap_or(self.datetime),
            _ => self.datetime,
        };
        write!(f, "{}", local.strftime("%Y-%m-%dT%H:%M:%S"))?;
        match self.zone {
            Zone::Unspecified => Ok(()),
            Zone::Z => f.write_str("Z"),
            Zone::Fixed(secs) => {
                let sign = if secs < 0 { '-' } else { '+' };
                let m = secs.unsigned_abs() / 60;
                write!(f, "{sign}{:02}:{:02}", m / 60, m % 60)
            }
        }
    }
}

impl Serialize for SiteDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for SiteDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct DateVisitor;
        impl<'de> Visitor<'de> for DateVisitor {
            type Value = SiteDate;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a date such as 2026-11-01")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<SiteDate, E> {
                SiteDate::parse(v).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SiteDate, A::Error> {
                // toml's datetime arrives as a one-entry map holding its text.
                let Some((_, value)) = map.next_entry::<String, String>()? else {
                    return Err(de::Error::custom("empty date"));
                };
                SiteDate::parse(&value).map_err(de::Error::custom)
            }
        }
        d.deserialize_any(DateVisitor)
    }
}

/// Zola's dated file names: `2024-01-05-first-post.md` (or a bundle folder
/// so named) is dated 2024-01-05 when its front matter gives no date, and
/// its slug is `first-post`. The date may carry an RFC 3339 time; the rest
/// follows a `-` or `_`, optionally after one space. Zola's pattern
/// (`components/content/src/page.rs`, `RFC3339_DATE`).
pub fn from_file_name(name: &str) -> Option<(SiteDate, Option<&str>)> {
    static DATED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"^(?P<datetime>(\d{4})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]|60)(\.[0-9]+)?(Z|(\+|-)([01][0-9]|2[0-3]):([0-5][0-9])))?)(\s?(_|-)(?P<slug>.+$))?",
        )
        .expect("a valid pattern")
    });
    let caps = DATED.captures(name)?;
    let date = SiteDate::parse(caps.name("datetime")?.as_str()).ok()?;
    Some((date, caps.name("slug").map(|m| m.as_str())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_date_and_datetime() {
        assert_eq!(
            SiteDate::parse("2024-03-05").unwrap().to_string(),
            "2024-03-05"
        );
        let dt = SiteDate::parse("2024-03-05T10:00:00+02:00").unwrap();
        assert_eq!(dt.rfc3339(), "2024-03-05T08:00:00Z");
        // Shown as written, as Zola shows `page.date`.
        assert_eq!(dt.to_string(), "2024-03-05T10:00:00+02:00");
        for written in [
            "2021-05-01T09:19:42+00:00",
            "2021-05-01T09:19:42Z",
            "2021-05-01T09:19:42-05:30",
            "2021-05-01T09:19:42",
        ] {
            assert_eq!(SiteDate::parse(written).unwrap().to_string(), written);
        }
        assert!(SiteDate::parse("March").is_err());
    }

    #[test]
    fn from_toml() {
        #[derive(Deserialize)]
        struct T {
            d: SiteDate,
        }
        let t: T = toml::from_str("d = 2026-11-01").unwrap();
        assert_eq!(t.d.to_string(), "2026-11-01");
    }

    #[test]
    fn dated_file_names_as_zola_reads_them() {
        let (d, slug) = from_file_name("2020-07-08-language-tests").unwrap();
        assert_eq!(
            (d.to_string().as_str(), slug),
            ("2020-07-08", Some("language-tests"))
        );
        let (d, slug) = from_file_name("2020-07-08_notes").unwrap();
        assert_eq!(
            (d.to_string().as_str(), slug),
            ("2020-07-08", Some("notes"))
        );
        let (d, slug) = from_file_name("2024-03-05T10:00:00Z-launch").unwrap();
        assert_eq!(
            (d.rfc3339().as_str(), slug),
            ("2024-03-05T10:00:00Z", Some("launch"))
        );
        // A date alone names the page by its date.
        assert_eq!(from_file_name("2024-01-05").unwrap().1, None);
        // Not a date: an impossible month, or a number that only starts like one.
        assert!(from_file_name("2024-13-05-x").is_none());
        assert!(from_file_name("20240105-x").is_none());
        assert!(from_file_name("first-post").is_none());
    }
}
