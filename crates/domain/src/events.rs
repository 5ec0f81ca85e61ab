//! Round-tables: the team's event form, the public registration form, and the calendar
//! arithmetic behind the "monthly" helper.
//!
//! All wall-clock times are Europe/Vienna. A round-table "every 2nd Tuesday at 17:00" stays
//! at 17:00 local time across the DST switches, so the helper computes dates in civil time
//! and converts each one to an instant on its own (never "last instant + 4 weeks").

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Timestamp, ToSpan};

use crate::text::{TextRule, clean};
use crate::{Email, FieldErrors, UnixMs};

/// Longest event title.
pub const MAX_TITLE: usize = 200;
/// Longest description or minutes text (Markdown).
pub const MAX_MARKDOWN: usize = 20_000;
/// Longest video-call link.
pub const MAX_URL: usize = 500;
/// Largest capacity the form accepts (a round-table, not a conference).
pub const MAX_CAPACITY: i64 = 500;
/// Shortest and longest duration in minutes.
pub const DURATION_RANGE: (i64, i64) = (15, 480);
/// Longest participant name.
pub const MAX_NAME: usize = 120;

const WEEKDAYS: [&str; 7] = [
    "Montag",
    "Dienstag",
    "Mittwoch",
    "Donnerstag",
    "Freitag",
    "Samstag",
    "Sonntag",
];

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

fn vienna() -> Option<TimeZone> {
    TimeZone::get(crate::time::VIENNA).ok()
}

fn civil(at: UnixMs) -> Option<DateTime> {
    let ts = Timestamp::from_millisecond(at.0).ok()?;
    Some(vienna()?.to_datetime(ts))
}

fn weekday_name(w: Weekday) -> &'static str {
    WEEKDAYS
        .get(usize::try_from(w.to_monday_zero_offset()).unwrap_or(0))
        .copied()
        .unwrap_or("")
}

/// Why a Vienna wall-clock time could not become an instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WallClockError {
    /// Date or time is not readable.
    Malformed,
    /// The time is skipped by the switch to summer time (e.g. 02:30 on the last Sunday of
    /// March).
    Skipped,
}

/// The instant of `date` (`YYYY-MM-DD`) at `time` (`HH:MM`) in Vienna. A time that exists
/// twice (the repeated hour in October) means the first, summer-time one.
pub fn vienna_instant(date: &str, time: &str) -> Result<UnixMs, WallClockError> {
    let date: Date = date.trim().parse().map_err(|_| WallClockError::Malformed)?;
    let time: Time = time.trim().parse().map_err(|_| WallClockError::Malformed)?;
    wall_clock(date.to_datetime(time))
}

fn wall_clock(dt: DateTime) -> Result<UnixMs, WallClockError> {
    let tz = vienna().ok_or(WallClockError::Malformed)?;
    let ambiguous = tz.to_ambiguous_timestamp(dt);
    if matches!(ambiguous.offset(), AmbiguousOffset::Gap { .. }) {
        return Err(WallClockError::Skipped);
    }
    let ts = ambiguous.earlier().map_err(|_| WallClockError::Malformed)?;
    Ok(UnixMs(ts.as_millisecond()))
}

/// `(YYYY-MM-DD, HH:MM)` of an instant in Vienna, for the form's date and time inputs.
pub fn vienna_date_time(at: UnixMs) -> (String, String) {
    match civil(at) {
        Some(dt) => (
            format!("{:04}-{:02}-{:02}", dt.year(), dt.month(), dt.day()),
            format!("{:02}:{:02}", dt.hour(), dt.minute()),
        ),
        None => (String::new(), String::new()),
    }
}

/// "Dienstag, 8. Dezember 2026, 17:00–18:30 Uhr" in Vienna time, for pages and mails.
pub fn format_event_time(start: UnixMs, duration_min: i64) -> String {
    let end = start.plus_ms(duration_min.saturating_mul(60_000));
    match (civil(start), civil(end)) {
        (Some(s), Some(e)) => {
            let month = usize::try_from(s.month() - 1)
                .ok()
                .and_then(|i| MONTHS.get(i))
                .copied()
                .unwrap_or("");
            format!(
                "{}, {}. {} {}, {:02}:{:02}–{:02}:{:02} Uhr",
                weekday_name(s.weekday()),
                s.day(),
                month,
                s.year(),
                s.hour(),
                s.minute(),
                e.hour(),
                e.minute()
            )
        }
        _ => "–".to_owned(),
    }
}

/// Which week of the month a monthly event falls on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeekOfMonth {
    /// The 1st to 4th such weekday.
    Nth(i8),
    /// The last such weekday (used when the template fell on a 5th one).
    Last,
}

/// "Every 2nd Tuesday at 17:00", derived from the last round-table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MonthlyRule {
    /// Week of the month.
    pub week: WeekOfMonth,
    /// Day of the week.
    pub weekday: Weekday,
    /// Wall-clock start time in Vienna.
    pub time: Time,
}

impl MonthlyRule {
    /// The rule an event at `start` follows; `None` only for an unrepresentable instant.
    pub fn from_start(start: UnixMs) -> Option<MonthlyRule> {
        let dt = civil(start)?;
        let nth = (dt.day() - 1) / 7 + 1;
        let week = if nth >= 5 {
            WeekOfMonth::Last
        } else {
            WeekOfMonth::Nth(nth)
        };
        Some(MonthlyRule {
            week,
            weekday: dt.weekday(),
            time: Time::new(dt.hour(), dt.minute(), 0, 0).ok()?,
        })
    }

    /// "jeden 2. Dienstag im Monat, 17:00 Uhr".
    pub fn label(&self) -> String {
        let week = match self.week {
            WeekOfMonth::Nth(n) => format!("{n}."),
            WeekOfMonth::Last => "letzten".to_owned(),
        };
        format!(
            "jeden {week} {} im Monat, {:02}:{:02} Uhr",
            weekday_name(self.weekday),
            self.time.hour(),
            self.time.minute()
        )
    }

    /// The date this rule picks in the month of `first_of_month`.
    fn date_in(&self, first_of_month: Date) -> Option<Date> {
        match self.week {
            WeekOfMonth::Nth(n) => first_of_month.nth_weekday_of_month(n, self.weekday).ok(),
            WeekOfMonth::Last => first_of_month.nth_weekday_of_month(-1, self.weekday).ok(),
        }
    }

    /// The next `count` start instants strictly after `after`, each at the rule's Vienna
    /// wall-clock time (a time skipped by DST moves forward by the gap).
    pub fn next_after(&self, after: UnixMs, count: usize) -> Vec<UnixMs> {
        let Some(from) = civil(after) else {
            return Vec::new();
        };
        let Ok(mut month) = Date::new(from.year(), from.month(), 1) else {
            return Vec::new();
        };
        let mut out = Vec::with_capacity(count);
        // Enough months for `count` hits even if the first one has already passed.
        for _ in 0..(count + 2) {
            if out.len() == count {
                break;
            }
            if let Some(day) = self.date_in(month) {
                let dt = day.to_datetime(self.time);
                let instant = wall_clock(dt).ok().or_else(|| {
                    let tz = vienna()?;
                    let ts = tz.to_ambiguous_timestamp(dt).compatible().ok()?;
                    Some(UnixMs(ts.as_millisecond()))
                });
                if let Some(at) = instant
                    && at > after
                {
                    out.push(at);
                }
            }
            match month.checked_add(1.month()) {
                Ok(next) => month = next,
                Err(_) => break,
            }
        }
        out
    }
}

/// The team's event form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventInput {
    /// Title.
    pub title: String,
    /// Address part; empty: derived from title and date.
    pub slug: String,
    /// `YYYY-MM-DD` in Vienna.
    pub date: String,
    /// `HH:MM` in Vienna.
    pub time: String,
    /// Minutes, as typed.
    pub duration_min: String,
    /// Video-call link.
    pub online_url: String,
    /// Seats, as typed.
    pub capacity: String,
    /// Markdown description.
    pub description_md: String,
}

/// A checked event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventDraft {
    /// Title.
    pub title: String,
    /// Unique address part (`[a-z0-9-]`).
    pub slug: String,
    /// Start.
    pub starts: UnixMs,
    /// Duration in minutes.
    pub duration_min: i64,
    /// Video-call link (http or https).
    pub online_url: String,
    /// Seats (at least 1).
    pub capacity: i64,
    /// Markdown description.
    pub description_md: String,
}

impl EventInput {
    /// Checks every field. `unchanged_start` is the stored start of an edited event: keeping
    /// a start that is now in the past is allowed (fixing a typo after the event), moving an
    /// event into the past is not.
    pub fn parse(
        &self,
        now: UnixMs,
        unchanged_start: Option<UnixMs>,
    ) -> Result<EventDraft, FieldErrors> {
        let mut errors = FieldErrors::default();
        let title = clean(
            &self.title,
            TextRule {
                label: "Der Titel",
                missing: "Bitte geben Sie einen Titel an, z. B. „Round-Table Dezember“.",
                required: true,
                max_chars: MAX_TITLE,
                multiline: false,
            },
        )
        .map_err(|m| errors.add("title", m))
        .ok()
        .flatten();
        let description_md = clean(
            &self.description_md,
            TextRule {
                label: "Die Beschreibung",
                missing: "",
                required: false,
                max_chars: MAX_MARKDOWN,
                multiline: true,
            },
        )
        .map_err(|m| errors.add("description_md", m))
        .ok()
        .flatten()
        .unwrap_or_default();
        let starts = match vienna_instant(&self.date, &self.time) {
            Ok(t) if t <= now && Some(t) != unchanged_start => {
                errors.add(
                    "date",
                    "Dieser Termin liegt in der Vergangenheit. Bitte wählen Sie ein Datum in der Zukunft.",
                );
                None
            }
            Ok(t) => Some(t),
            Err(WallClockError::Skipped) => {
                errors.add(
                    "time",
                    "Diese Uhrzeit gibt es an diesem Tag nicht: In der Nacht wird auf Sommerzeit umgestellt. Bitte wählen Sie eine andere Uhrzeit.",
                );
                None
            }
            Err(WallClockError::Malformed) => {
                errors.add(
                    "date",
                    "Bitte geben Sie Datum und Uhrzeit an, z. B. 08.12.2026 und 17:00.",
                );
                None
            }
        };
        let duration_min = match self.duration_min.trim().parse::<i64>() {
            Ok(d) if (DURATION_RANGE.0..=DURATION_RANGE.1).contains(&d) => Some(d),
            _ => {
                errors.add(
                    "duration_min",
                    format!(
                        "Bitte geben Sie die Dauer in Minuten an, zwischen {} und {}.",
                        DURATION_RANGE.0, DURATION_RANGE.1
                    ),
                );
                None
            }
        };
        let capacity = match self.capacity.trim().parse::<i64>() {
            Ok(c) if (1..=MAX_CAPACITY).contains(&c) => Some(c),
            _ => {
                errors.add(
                    "capacity",
                    format!(
                        "Bitte geben Sie die Zahl der Plätze an, mindestens 1 und höchstens {MAX_CAPACITY}."
                    ),
                );
                None
            }
        };
        let url = self.online_url.trim();
        let online_url = if (url.starts_with("https://") || url.starts_with("http://"))
            && url.len() > "https://".len()
            && url.chars().count() <= MAX_URL
            && !url
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"'))
        {
            Some(url.to_owned())
        } else {
            errors.add(
                "online_url",
                "Bitte geben Sie den Link zum Online-Treffen an, beginnend mit https://, z. B. https://meet.example.at/round-table.",
            );
            None
        };
        let slug_source = if self.slug.trim().is_empty() {
            format!("{} {}", title.as_deref().unwrap_or(""), self.date.trim())
        } else {
            self.slug.clone()
        };
        let slug = slugify(&slug_source);
        if slug.is_empty() {
            errors.add(
                "slug",
                "Die Adresse braucht mindestens einen Buchstaben oder eine Ziffer.",
            );
        }
        match (title, starts, duration_min, capacity, online_url) {
            (Some(title), Some(starts), Some(duration_min), Some(capacity), Some(online_url))
                if errors.is_empty() =>
            {
                Ok(EventDraft {
                    title,
                    slug,
                    starts,
                    duration_min,
                    online_url,
                    capacity,
                    description_md,
                })
            }
            _ => Err(errors),
        }
    }
}

/// Lower-case ASCII address part: umlauts transliterated, the rest collapsed to hyphens.
pub fn slugify(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        match c {
            'ä' => out.push_str("ae"),
            'ö' => out.push_str("oe"),
            'ü' => out.push_str("ue"),
            'ß' => out.push_str("ss"),
            c if c.is_ascii_alphanumeric() => out.push(c),
            _ => {
                if !out.ends_with('-') && !out.is_empty() {
                    out.push('-');
                }
            }
        }
    }
    let cut: String = out.chars().take(80).collect();
    cut.trim_end_matches('-').to_owned()
}

/// The public registration form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistrationInput {
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: String,
    /// Consent checkbox.
    pub consent: bool,
    /// Tracked-link source, carried from the page URL.
    pub source: String,
}

/// A checked registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    /// Name.
    pub name: String,
    /// E-mail.
    pub email: Email,
    /// Source code, if a valid one came along.
    pub source: Option<String>,
}

impl RegistrationInput {
    /// Checks the form; German messages per field.
    pub fn parse(&self) -> Result<Registration, FieldErrors> {
        let mut errors = FieldErrors::default();
        let name = clean(
            &self.name,
            TextRule {
                label: "Der Name",
                missing: "Bitte geben Sie Ihren Namen an.",
                required: true,
                max_chars: MAX_NAME,
                multiline: false,
            },
        )
        .map_err(|m| errors.add("name", m))
        .ok()
        .flatten();
        let email = Email::parse(&self.email)
            .map_err(|e| errors.add("email", e.to_string()))
            .ok();
        if !self.consent {
            errors.add(
                "consent",
                "Bitte bestätigen Sie die Einwilligung, damit wir Ihnen Einladung und Erinnerung schicken dürfen.",
            );
        }
        match (name, email) {
            (Some(name), Some(email)) if errors.is_empty() => Ok(Registration {
                name,
                email,
                source: crate::application::parse_source(&self.source),
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str, time: &str) -> UnixMs {
        vienna_instant(date, time).expect("valid wall-clock time")
    }

    #[test]
    fn monthly_helper_keeps_vienna_wall_clock_across_dst() {
        // 2nd Tuesday of September 2026 at 17:00 (summer time, UTC+2).
        let last = at("2026-09-08", "17:00");
        let rule = MonthlyRule::from_start(last).expect("rule");
        assert_eq!(rule.label(), "jeden 2. Dienstag im Monat, 17:00 Uhr");
        let next = rule.next_after(last, 4);
        let shown: Vec<_> = next.iter().map(|t| t.format_short()).collect();
        // October is still summer time, November and later winter time (switch 25.10.):
        // the wall-clock time stays 17:00, so the UTC instants differ by one hour.
        assert_eq!(
            shown,
            [
                "13.10.2026, 17:00",
                "10.11.2026, 17:00",
                "08.12.2026, 17:00",
                "12.01.2027, 17:00"
            ]
        );
        assert_eq!(next[0].rfc3339(), "2026-10-13T15:00:00Z");
        assert_eq!(next[1].rfc3339(), "2026-11-10T16:00:00Z");
        // And back into summer time in spring (switch 28.03.2027).
        let winter = at("2027-02-09", "17:00");
        let spring = MonthlyRule::from_start(winter)
            .expect("rule")
            .next_after(winter, 2);
        assert_eq!(spring[0].rfc3339(), "2027-03-09T16:00:00Z");
        assert_eq!(spring[1].rfc3339(), "2027-04-13T15:00:00Z");
        assert_eq!(spring[1].format_short(), "13.04.2027, 17:00");
    }

    #[test]
    fn a_fifth_weekday_becomes_the_last_one() {
        let rule = MonthlyRule::from_start(at("2026-09-29", "18:30")).expect("rule");
        assert_eq!(rule.week, WeekOfMonth::Last);
        assert_eq!(rule.label(), "jeden letzten Dienstag im Monat, 18:30 Uhr");
        let next = rule.next_after(at("2026-09-29", "18:30"), 2);
        assert_eq!(next[0].format_short(), "27.10.2026, 18:30");
        assert_eq!(next[1].format_short(), "24.11.2026, 18:30");
    }

    #[test]
    fn skipped_times_are_refused_and_repeated_ones_mean_summer_time() {
        assert_eq!(
            vienna_instant("2026-03-29", "02:30"),
            Err(WallClockError::Skipped)
        );
        assert_eq!(at("2026-10-25", "02:30").rfc3339(), "2026-10-25T00:30:00Z");
        assert_eq!(
            vienna_instant("2026-02-30", "10:00"),
            Err(WallClockError::Malformed)
        );
        assert_eq!(
            vienna_instant("2026-12-08", "25:00"),
            Err(WallClockError::Malformed)
        );
    }

    #[test]
    fn event_form_refuses_past_dates_bad_capacity_and_links() {
        let now = at("2026-11-27", "10:00");
        let input = EventInput {
            title: "Round-Table <Dezember>".into(),
            slug: String::new(),
            date: "2026-12-08".into(),
            time: "17:00".into(),
            duration_min: "90".into(),
            online_url: "https://meet.example.at/rt".into(),
            capacity: "12".into(),
            description_md: "Thema: **Datenschutz**".into(),
        };
        let draft = input.parse(now, None).expect("valid");
        assert_eq!(draft.slug, "round-table-dezember-2026-12-08");
        assert_eq!(
            format_event_time(draft.starts, 90),
            "Dienstag, 8. Dezember 2026, 17:00–18:30 Uhr"
        );
        let past = EventInput {
            date: "2026-11-01".into(),
            ..input.clone()
        };
        let errors = past.parse(now, None).expect_err("past");
        assert!(errors.get("date").is_some());
        // Keeping the stored (now past) start of an edited event is fine.
        let stored = at("2026-11-01", "17:00");
        assert!(past.parse(now, Some(stored)).is_ok());
        for capacity in ["0", "-3", "", "zwölf", "501"] {
            let bad = EventInput {
                capacity: capacity.into(),
                ..input.clone()
            };
            assert!(
                bad.parse(now, None)
                    .expect_err("capacity")
                    .get("capacity")
                    .is_some()
            );
        }
        let bad = EventInput {
            online_url: "javascript:alert(1)".into(),
            title: "x".repeat(MAX_TITLE + 1),
            ..input
        };
        let errors = bad.parse(now, None).expect_err("bad");
        assert!(errors.get("online_url").is_some() && errors.get("title").is_some());
    }

    #[test]
    fn registration_needs_name_mail_and_consent() {
        let ok = RegistrationInput {
            name: "Anna Huber".into(),
            email: "Anna@Bau-Huber.AT".into(),
            consent: true,
            source: "wko-linz".into(),
        }
        .parse()
        .expect("valid");
        assert_eq!(ok.email.as_str(), "Anna@bau-huber.at");
        assert_eq!(ok.source.as_deref(), Some("wko-linz"));
        let errors = RegistrationInput {
            name: "x".repeat(MAX_NAME + 1),
            email: "anna@".into(),
            consent: false,
            source: "<script>".into(),
        }
        .parse()
        .expect_err("invalid");
        assert_eq!(errors.len(), 3);
    }
}
