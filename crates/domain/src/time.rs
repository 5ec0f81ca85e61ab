//! Instants and their German display in Vienna time.
//!
//! Instants are stored as Unix milliseconds (`BIGINT`), which both SQLite and PostgreSQL hold
//! natively. Display always names the zone: the product's users sit in Austria, the server
//! may not. Functions take `now` as a parameter instead of reading the clock, so behaviour
//! around DST switches is testable.

use jiff::Timestamp;
use jiff::tz::TimeZone;

/// Milliseconds since the Unix epoch, UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UnixMs(pub i64);

/// The zone all dates are shown in.
pub const VIENNA: &str = "Europe/Vienna";

const MONTHS: [&str; 12] = [
    "Jänner",
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
];

impl UnixMs {
    /// The current instant; call at the edge (handlers, workers) and pass it inward.
    pub fn now() -> UnixMs {
        UnixMs(Timestamp::now().as_millisecond())
    }

    /// This instant plus a number of milliseconds (saturating).
    pub fn plus_ms(self, ms: i64) -> UnixMs {
        UnixMs(self.0.saturating_add(ms))
    }

    /// This instant plus whole hours.
    pub fn plus_hours(self, hours: i64) -> UnixMs {
        self.plus_ms(hours.saturating_mul(3_600_000))
    }

    /// This instant minus whole days.
    pub fn minus_days(self, days: i64) -> UnixMs {
        self.plus_ms(-days.saturating_mul(86_400_000))
    }

    fn in_vienna(self) -> Option<jiff::civil::DateTime> {
        let ts = Timestamp::from_millisecond(self.0).ok()?;
        let tz = TimeZone::get(VIENNA).ok()?;
        Some(tz.to_datetime(ts))
    }

    /// "27.11.2026, 08:15" in Vienna time, for tables.
    pub fn format_short(self) -> String {
        match self.in_vienna() {
            Some(dt) => format!(
                "{:02}.{:02}.{}, {:02}:{:02}",
                dt.day(),
                dt.month(),
                dt.year(),
                dt.hour(),
                dt.minute()
            ),
            None => "–".to_owned(),
        }
    }

    /// "27. November 2026" in Vienna time (Austrian month names), for public pages.
    pub fn format_long_date(self) -> String {
        match self.in_vienna() {
            Some(dt) => {
                let month = usize::try_from(dt.month() - 1)
                    .ok()
                    .and_then(|i| MONTHS.get(i))
                    .copied()
                    .unwrap_or("");
                format!("{}. {} {}", dt.day(), month, dt.year())
            }
            None => "–".to_owned(),
        }
    }

    /// `YYYY-MM-DD` in Vienna time, for `<input type="date">` and CSV.
    pub fn format_iso_date(self) -> String {
        match self.in_vienna() {
            Some(dt) => format!("{:04}-{:02}-{:02}", dt.year(), dt.month(), dt.day()),
            None => String::new(),
        }
    }

    /// RFC 3339 in UTC, for Atom feeds and JSON exports.
    pub fn rfc3339(self) -> String {
        Timestamp::from_millisecond(self.0)
            .map(|ts| ts.to_string())
            .unwrap_or_default()
    }

    /// Parses a `YYYY-MM-DD` date as the start of that day in Vienna; `None` if malformed.
    pub fn from_vienna_date(text: &str) -> Option<UnixMs> {
        let date: jiff::civil::Date = text.trim().parse().ok()?;
        let tz = TimeZone::get(VIENNA).ok()?;
        let ts = tz
            .to_ambiguous_timestamp(date.to_datetime(jiff::civil::Time::midnight()))
            .compatible()
            .ok()?;
        Some(UnixMs(ts.as_millisecond()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_in_vienna_time_across_dst() {
        // 2026-07-01T06:00Z is 08:00 in summer time; 2026-12-01T07:00Z is 08:00 in winter.
        assert_eq!(
            UnixMs(1_782_885_600_000).format_short(),
            "01.07.2026, 08:00"
        );
        assert_eq!(
            UnixMs(1_796_108_400_000).format_short(),
            "01.12.2026, 08:00"
        );
        assert_eq!(
            UnixMs(1_796_108_400_000).format_long_date(),
            "1. Dezember 2026"
        );
    }

    #[test]
    fn vienna_date_round_trips() {
        let start = UnixMs::from_vienna_date("2026-03-29").expect("date");
        assert_eq!(start.format_iso_date(), "2026-03-29");
        assert_eq!(start.format_short(), "29.03.2026, 00:00");
        assert!(UnixMs::from_vienna_date("2026-02-30").is_none());
    }
}
