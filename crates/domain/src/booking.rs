//! Bookable meetings: availability settings, Austrian public holidays and the slot engine.
//!
//! Everything here is pure: the current instant (`now`) and the existing bookings are passed
//! in, so availability can be unit-tested on DST switch days and benchmarked without a
//! database. Weekly hours are wall-clock times in Europe/Vienna; a slot is generated for each
//! wall-clock start time and then turned into an instant:
//! - a start time that does not exist (the skipped hour on the last Sunday of March) yields
//!   no slot;
//! - a start time that exists twice (the repeated hour on the last Sunday of October) yields
//!   one slot, at its first occurrence, so a visitor never sees the same time twice.
//!
//! Buffers: every booking blocks `[start − before, end + after)`. Two blocked ranges may not
//! overlap — the same rule the database enforces (exclusion constraint on PostgreSQL, a
//! re-check inside an immediate transaction on SQLite), so the page never offers a slot the
//! database would refuse.

use jiff::Timestamp;
/// Calendar dates (re-exported so callers need no direct `jiff` dependency).
pub use jiff::civil::Date;
use jiff::civil::{DateTime, Time};
use jiff::tz::{AmbiguousOffset, TimeZone};
use serde::{Deserialize, Serialize};

use crate::UnixMs;
use crate::text::FieldErrors;
use crate::time::VIENNA;

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// How far before the meeting the reminder goes out: 24 hours of real time, so on a DST
/// switch day the reminder is 24 h before the start, not "same wall-clock time yesterday".
pub const REMINDER_LEAD_MS: i64 = 24 * HOUR_MS;

/// A reminder is only worth sending if the booking was made at least this long before the
/// reminder instant; a call booked for tomorrow morning already has its confirmation mail.
pub const REMINDER_MIN_GAP_MS: i64 = HOUR_MS;

/// The kinds of meeting the engine serves. Each has its own availability and its own access
/// rule; the engine itself is the same for all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeetingKind {
    /// The free first call, bookable by anyone on `/erstgespraech`.
    Erstgespraech,
    /// A 1:1 meeting for pilot participants.
    EinsZuEins,
}

/// Who may book a meeting kind; handlers ask this before showing slots.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Any visitor (with consent and a confirmed e-mail address).
    Public,
    /// Only pilot participants (today through a personal signed link, later by login).
    Participant,
}

impl MeetingKind {
    /// All kinds, for the back office.
    pub const ALL: [MeetingKind; 2] = [MeetingKind::Erstgespraech, MeetingKind::EinsZuEins];

    /// Stable code stored in the database and used in URLs.
    pub fn code(self) -> &'static str {
        match self {
            MeetingKind::Erstgespraech => "erstgespraech",
            MeetingKind::EinsZuEins => "eins-zu-eins",
        }
    }

    /// German name for pages and mails.
    pub fn title(self) -> &'static str {
        match self {
            MeetingKind::Erstgespraech => "Erstgespräch",
            MeetingKind::EinsZuEins => "1:1-Termin",
        }
    }

    /// Calendar title of the invitation.
    pub fn calendar_summary(self) -> &'static str {
        match self {
            MeetingKind::Erstgespraech => "Erstgespräch KI-Pilotprojekt (OdoubleT)",
            MeetingKind::EinsZuEins => "1:1-Termin KI-Pilotprojekt (OdoubleT)",
        }
    }

    /// Who may book it.
    pub fn access(self) -> Access {
        match self {
            MeetingKind::Erstgespraech => Access::Public,
            MeetingKind::EinsZuEins => Access::Participant,
        }
    }

    /// Parses a stored or submitted code.
    pub fn from_code(code: &str) -> Option<MeetingKind> {
        MeetingKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Sensible settings for a fresh installation, so the page works before anyone opens the
    /// back office: weekdays 09:00–12:00 and 13:00–16:00 for first calls (Friday mornings
    /// only); 60-minute 1:1 meetings on Tuesday and Thursday afternoons.
    pub fn default_availability(self) -> Availability {
        let r = |a: u16, b: u16| TimeRange {
            start_min: a * 60,
            end_min: b * 60,
        };
        match self {
            MeetingKind::Erstgespraech => Availability {
                duration_min: 30,
                buffer_before_min: 0,
                buffer_after_min: 10,
                min_notice_min: 12 * 60,
                horizon_days: 28,
                weekly: vec![
                    vec![r(9, 12), r(13, 16)],
                    vec![r(9, 12), r(13, 16)],
                    vec![r(9, 12), r(13, 16)],
                    vec![r(9, 12), r(13, 16)],
                    vec![r(9, 12)],
                    vec![],
                    vec![],
                ],
                block_holidays: true,
                video_url: String::new(),
                phone_option: true,
            },
            MeetingKind::EinsZuEins => Availability {
                duration_min: 60,
                buffer_before_min: 0,
                buffer_after_min: 15,
                min_notice_min: 24 * 60,
                horizon_days: 42,
                weekly: vec![
                    vec![],
                    vec![r(13, 17)],
                    vec![],
                    vec![r(13, 17)],
                    vec![],
                    vec![],
                    vec![],
                ],
                block_holidays: true,
                video_url: String::new(),
                phone_option: true,
            },
        }
    }
}

/// A wall-clock range within one day, in minutes after local midnight (end exclusive; 1440
/// means midnight at the end of the day).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimeRange {
    /// First minute.
    pub start_min: u16,
    /// Minute after the last one.
    pub end_min: u16,
}

/// The availability of one meeting kind, as the team sets it in the back office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Availability {
    /// Length of a meeting in minutes; slots start every `duration_min` within a range.
    pub duration_min: u16,
    /// Kept free before each meeting.
    pub buffer_before_min: u16,
    /// Kept free after each meeting.
    pub buffer_after_min: u16,
    /// The earliest bookable start is `now` plus this.
    pub min_notice_min: u32,
    /// Slots are offered up to this many days ahead.
    pub horizon_days: u16,
    /// Seven lists (Monday … Sunday) of wall-clock ranges in Europe/Vienna, sorted.
    pub weekly: Vec<Vec<TimeRange>>,
    /// Whether Austrian public holidays are closed automatically.
    pub block_holidays: bool,
    /// Video-call link sent with the invitation; empty when the team sends it later.
    pub video_url: String,
    /// Whether the visitor may choose a phone call instead of video.
    pub phone_option: bool,
}

/// Limits the back office enforces; documented next to the inputs.
pub mod limits {
    /// Shortest and longest meeting.
    pub const DURATION_MIN: (u16, u16) = (10, 240);
    /// Longest buffer.
    pub const BUFFER_MAX: u16 = 120;
    /// Longest minimum notice, in hours.
    pub const NOTICE_MAX_HOURS: u32 = 24 * 30;
    /// Shortest and longest horizon, in days.
    pub const HORIZON_DAYS: (u16, u16) = (1, 365);
    /// Most ranges per weekday.
    pub const RANGES_PER_DAY: usize = 6;
}

/// German weekday names, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "Montag",
    "Dienstag",
    "Mittwoch",
    "Donnerstag",
    "Freitag",
    "Samstag",
    "Sonntag",
];

/// Short German weekday names, Monday first.
pub const WEEKDAYS_SHORT: [&str; 7] = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"];

/// The availability form as typed, kept as text so it can be shown again with messages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AvailabilityInput {
    /// Minutes.
    pub duration_min: String,
    /// Minutes.
    pub buffer_before_min: String,
    /// Minutes.
    pub buffer_after_min: String,
    /// Hours.
    pub min_notice_hours: String,
    /// Days.
    pub horizon_days: String,
    /// Seven texts like `09:00-12:00, 13:00-17:00`, Monday first.
    pub weekly: Vec<String>,
    /// Checkbox.
    pub block_holidays: bool,
    /// URL or empty.
    pub video_url: String,
    /// Checkbox.
    pub phone_option: bool,
}

impl AvailabilityInput {
    /// The form's values for stored settings.
    pub fn from_availability(a: &Availability) -> AvailabilityInput {
        AvailabilityInput {
            duration_min: a.duration_min.to_string(),
            buffer_before_min: a.buffer_before_min.to_string(),
            buffer_after_min: a.buffer_after_min.to_string(),
            min_notice_hours: (a.min_notice_min / 60).to_string(),
            horizon_days: a.horizon_days.to_string(),
            weekly: (0..7)
                .map(|d| format_ranges(a.weekly.get(d).map(Vec::as_slice).unwrap_or(&[])))
                .collect(),
            block_holidays: a.block_holidays,
            video_url: a.video_url.clone(),
            phone_option: a.phone_option,
        }
    }

    /// Checks every field; one German message per faulty field (keys `duration`, `day0` …).
    pub fn parse(&self) -> Result<Availability, FieldErrors> {
        let mut errors = FieldErrors::default();
        let mut number = |field: &'static str, raw: &str, min: u32, max: u32, what: &str| match raw
            .trim()
            .parse::<u32>()
        {
            Ok(n) if (min..=max).contains(&n) => n,
            _ => {
                errors.add(
                    field,
                    format!("{what}: bitte eine ganze Zahl von {min} bis {max} eingeben."),
                );
                min
            }
        };
        let duration = number(
            "duration",
            &self.duration_min,
            u32::from(limits::DURATION_MIN.0),
            u32::from(limits::DURATION_MIN.1),
            "Dauer in Minuten",
        );
        let before = number(
            "buffer_before",
            &self.buffer_before_min,
            0,
            u32::from(limits::BUFFER_MAX),
            "Puffer davor in Minuten",
        );
        let after = number(
            "buffer_after",
            &self.buffer_after_min,
            0,
            u32::from(limits::BUFFER_MAX),
            "Puffer danach in Minuten",
        );
        let notice = number(
            "notice",
            &self.min_notice_hours,
            0,
            limits::NOTICE_MAX_HOURS,
            "Mindestvorlauf in Stunden",
        );
        let horizon = number(
            "horizon",
            &self.horizon_days,
            u32::from(limits::HORIZON_DAYS.0),
            u32::from(limits::HORIZON_DAYS.1),
            "Buchungszeitraum in Tagen",
        );
        const DAY_FIELDS: [&str; 7] = ["day0", "day1", "day2", "day3", "day4", "day5", "day6"];
        let mut weekly = Vec::with_capacity(7);
        for (i, field) in DAY_FIELDS.iter().enumerate() {
            let raw = self.weekly.get(i).map(String::as_str).unwrap_or("");
            match parse_ranges(raw) {
                Ok(ranges) => weekly.push(ranges),
                Err(m) => {
                    errors.add(field, format!("{}: {m}", WEEKDAYS[i]));
                    weekly.push(Vec::new());
                }
            }
        }
        let video_url = self.video_url.trim().to_owned();
        if !video_url.is_empty()
            && (!video_url.starts_with("https://")
                || video_url.chars().count() > 500
                || video_url
                    .chars()
                    .any(|c| c.is_whitespace() || c.is_control()))
        {
            errors.add(
                "video_url",
                "Der Videocall-Link muss mit https:// beginnen und darf keine Leerzeichen enthalten (höchstens 500 Zeichen). Leer lassen, wenn Sie den Link später schicken.",
            );
        }
        if errors.is_empty() {
            Ok(Availability {
                duration_min: u16::try_from(duration).unwrap_or(30),
                buffer_before_min: u16::try_from(before).unwrap_or(0),
                buffer_after_min: u16::try_from(after).unwrap_or(0),
                min_notice_min: notice * 60,
                horizon_days: u16::try_from(horizon).unwrap_or(28),
                weekly,
                block_holidays: self.block_holidays,
                video_url,
                phone_option: self.phone_option,
            })
        } else {
            Err(errors)
        }
    }
}

/// Parses `09:00-12:00, 13:00-17:30` (also `9-12`, en dash, `;`) into sorted,
/// non-overlapping ranges. Empty text means "closed".
pub fn parse_ranges(text: &str) -> Result<Vec<TimeRange>, String> {
    let mut ranges = Vec::new();
    for part in text.split([',', ';']) {
        let part = part.trim();
        if part.is_empty() {
            continue;
        }
        let part = part.replace(['–', '—'], "-");
        let Some((a, b)) = part.split_once('-') else {
            return Err(format!(
                "„{part}“ ist kein Zeitraum. Bitte so schreiben: 09:00-12:00, 13:00-17:00."
            ));
        };
        let (Some(start), Some(end)) = (parse_clock(a), parse_clock(b)) else {
            return Err(format!(
                "„{part}“ enthält keine gültige Uhrzeit. Bitte so schreiben: 09:00-12:00."
            ));
        };
        if start >= end {
            return Err(format!("In „{part}“ liegt das Ende nicht nach dem Beginn."));
        }
        ranges.push(TimeRange {
            start_min: start,
            end_min: end,
        });
    }
    ranges.sort_by_key(|r| r.start_min);
    if ranges.windows(2).any(|w| w[0].end_min > w[1].start_min) {
        return Err("Zwei Zeiträume überschneiden sich. Bitte fassen Sie sie zusammen.".to_owned());
    }
    if ranges.len() > limits::RANGES_PER_DAY {
        return Err(format!(
            "Höchstens {} Zeiträume pro Tag.",
            limits::RANGES_PER_DAY
        ));
    }
    Ok(ranges)
}

/// `9`, `09:30`, `9.30`, `24:00` → minutes after midnight.
fn parse_clock(text: &str) -> Option<u16> {
    let text = text.trim();
    let (h, m) = match text.split_once([':', '.']) {
        Some((h, m)) => (h, m),
        None => (text, "0"),
    };
    if h.is_empty() || h.len() > 2 || m.is_empty() || m.len() > 2 {
        return None;
    }
    let h: u16 = h.parse().ok()?;
    let m: u16 = m.parse().ok()?;
    if m >= 60 || h > 24 || (h == 24 && m != 0) {
        return None;
    }
    Some(h * 60 + m)
}

/// `09:00-12:00, 13:00-17:00` for a list of ranges.
pub fn format_ranges(ranges: &[TimeRange]) -> String {
    ranges
        .iter()
        .map(|r| format!("{}-{}", clock(r.start_min), clock(r.end_min)))
        .collect::<Vec<_>>()
        .join(", ")
}

fn clock(min: u16) -> String {
    format!("{:02}:{:02}", min / 60, min % 60)
}

/// A closed period set by the team (holiday, trade fair), inclusive, in Vienna dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DayBlock {
    /// First closed day.
    pub from: Date,
    /// Last closed day.
    pub to: Date,
}

impl DayBlock {
    /// Whether `day` is inside.
    pub fn contains(&self, day: Date) -> bool {
        self.from <= day && day <= self.to
    }
}

/// Easter Sunday (Gregorian calendar) by the anonymous Gregorian algorithm
/// (Meeus/Jones/Butcher); `None` outside the years jiff can represent.
pub fn easter_sunday(year: i16) -> Option<Date> {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::new(year, i8::try_from(month).ok()?, i8::try_from(day).ok()?).ok()
}

/// The 13 nationwide public holidays of Austria (Arbeitsruhegesetz § 7 Abs. 2) in `year`,
/// sorted, with their German names. Karfreitag is no longer one (since 2019).
pub fn austrian_holidays(year: i16) -> Vec<(Date, &'static str)> {
    let mut out = Vec::with_capacity(13);
    let fixed: [(i8, i8, &str); 9] = [
        (1, 1, "Neujahr"),
        (1, 6, "Heilige Drei Könige"),
        (5, 1, "Staatsfeiertag"),
        (8, 15, "Mariä Himmelfahrt"),
        (10, 26, "Nationalfeiertag"),
        (11, 1, "Allerheiligen"),
        (12, 8, "Mariä Empfängnis"),
        (12, 25, "Christtag"),
        (12, 26, "Stefanitag"),
    ];
    for (m, d, name) in fixed {
        if let Ok(date) = Date::new(year, m, d) {
            out.push((date, name));
        }
    }
    if let Some(easter) = easter_sunday(year) {
        let movable: [(i64, &str); 4] = [
            (1, "Ostermontag"),
            (39, "Christi Himmelfahrt"),
            (50, "Pfingstmontag"),
            (60, "Fronleichnam"),
        ];
        for (offset, name) in movable {
            if let Ok(date) = easter.checked_add(jiff::Span::new().days(offset)) {
                out.push((date, name));
            }
        }
    }
    out.sort();
    out
}

/// The holiday's name if `day` is an Austrian public holiday.
pub fn austrian_holiday(day: Date) -> Option<&'static str> {
    austrian_holidays(day.year())
        .into_iter()
        .find(|(d, _)| *d == day)
        .map(|(_, name)| name)
}

/// A time already taken, including its buffers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Busy {
    /// Start of the blocked range.
    pub start: UnixMs,
    /// End of the blocked range (exclusive).
    pub end: UnixMs,
}

/// A bookable meeting time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Start instant.
    pub start: UnixMs,
    /// End instant.
    pub end: UnixMs,
}

impl Slot {
    /// The range this slot blocks with `a`'s buffers, as stored with the booking.
    pub fn blocked(&self, a: &Availability) -> Busy {
        Busy {
            start: self
                .start
                .plus_ms(-i64::from(a.buffer_before_min) * MINUTE_MS),
            end: self.end.plus_ms(i64::from(a.buffer_after_min) * MINUTE_MS),
        }
    }
}

/// One day of the week view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaySlots {
    /// The Vienna date.
    pub date: Date,
    /// Free slots, ascending.
    pub slots: Vec<Slot>,
    /// Why the day is closed, if it is (holiday name or "geschlossen").
    pub closed: Option<&'static str>,
}

/// Everything the engine needs besides the calendar range.
#[derive(Debug, Clone, Copy)]
pub struct SlotQuery<'a> {
    /// The meeting kind's settings.
    pub availability: &'a Availability,
    /// Periods the team closed.
    pub blocked: &'a [DayBlock],
    /// Ranges taken by existing bookings of any kind (the team has one calendar).
    pub busy: &'a [Busy],
    /// The current instant.
    pub now: UnixMs,
}

fn vienna() -> TimeZone {
    TimeZone::get(VIENNA).unwrap_or(TimeZone::UTC)
}

/// The Vienna date of an instant.
pub fn vienna_date(at: UnixMs) -> Date {
    let ts = Timestamp::from_millisecond(at.0).unwrap_or(Timestamp::UNIX_EPOCH);
    vienna().to_datetime(ts).date()
}

/// `09:30` in Vienna time.
pub fn vienna_clock(at: UnixMs) -> String {
    let ts = Timestamp::from_millisecond(at.0).unwrap_or(Timestamp::UNIX_EPOCH);
    let dt = vienna().to_datetime(ts);
    format!("{:02}:{:02}", dt.hour(), dt.minute())
}

/// "Donnerstag, 3. Dezember 2026, 09:30 Uhr" in Vienna time, for mails and pages.
pub fn vienna_long(at: UnixMs) -> String {
    let date = vienna_date(at);
    format!(
        "{}, {}, {} Uhr",
        WEEKDAYS[weekday_index(date)],
        UnixMs::from_vienna_date(&date.to_string())
            .map(UnixMs::format_long_date)
            .unwrap_or_default(),
        vienna_clock(at)
    )
}

/// `day` plus `n` days (negative goes back); `day` itself at the end of the calendar.
pub fn add_days(day: Date, n: i64) -> Date {
    day.checked_add(jiff::Span::new().days(n)).unwrap_or(day)
}

/// Monday = 0 … Sunday = 6.
pub fn weekday_index(day: Date) -> usize {
    usize::try_from(day.weekday().to_monday_zero_offset()).unwrap_or(0)
}

/// The instant a wall-clock time on `day` denotes in Vienna: `None` for a time skipped by
/// the switch to summer time; the first occurrence for a time repeated in October.
pub fn vienna_instant(day: Date, minute_of_day: u16) -> Option<UnixMs> {
    let base = day.to_datetime(Time::midnight());
    let dt: DateTime = base
        .checked_add(jiff::Span::new().minutes(i64::from(minute_of_day)))
        .ok()?;
    let tz = vienna();
    let offset = match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset,
        AmbiguousOffset::Gap { .. } => return None,
        AmbiguousOffset::Fold { before, .. } => before,
    };
    offset
        .to_timestamp(dt)
        .ok()
        .map(|ts| UnixMs(ts.as_millisecond()))
}

/// The instant a range ends: like [`vienna_instant`], but an end inside the skipped hour
/// moves to the end of the gap, and an end in the repeated hour to its second occurrence, so
/// a range never loses real time at its end.
fn vienna_range_end(day: Date, minute_of_day: u16) -> Option<UnixMs> {
    let base = day.to_datetime(Time::midnight());
    let dt: DateTime = base
        .checked_add(jiff::Span::new().minutes(i64::from(minute_of_day)))
        .ok()?;
    let tz = vienna();
    let offset = match tz.to_ambiguous_timestamp(dt).offset() {
        AmbiguousOffset::Unambiguous { offset } => offset,
        AmbiguousOffset::Gap { before, .. } => before,
        AmbiguousOffset::Fold { after, .. } => after,
    };
    offset
        .to_timestamp(dt)
        .ok()
        .map(|ts| UnixMs(ts.as_millisecond()))
}

/// The first and last Vienna date of the booking horizon seen at `now`.
pub fn horizon_days(a: &Availability, now: UnixMs) -> (Date, Date) {
    let first = vienna_date(now);
    let last = vienna_date(now.plus_ms(i64::from(a.horizon_days) * DAY_MS));
    (first, last)
}

/// Why a day is closed regardless of bookings.
fn closed_reason(q: &SlotQuery<'_>, day: Date) -> Option<&'static str> {
    if q.blocked.iter().any(|b| b.contains(day)) {
        return Some("geschlossen");
    }
    if q.availability.block_holidays
        && let Some(name) = austrian_holiday(day)
    {
        return Some(name);
    }
    None
}

/// Free slots for every day from `first` to `last` (inclusive, Vienna dates), honouring
/// weekly hours, closed days, holidays, minimum notice, the horizon and existing bookings.
pub fn free_slots(q: &SlotQuery<'_>, first: Date, last: Date) -> Vec<DaySlots> {
    let a = q.availability;
    let duration_ms = i64::from(a.duration_min.max(1)) * MINUTE_MS;
    let earliest = q.now.plus_ms(i64::from(a.min_notice_min) * MINUTE_MS);
    let latest = q.now.plus_ms(i64::from(a.horizon_days) * DAY_MS);
    let mut busy: Vec<Busy> = q.busy.to_vec();
    busy.sort_by_key(|b| b.start);
    let mut out = Vec::new();
    let mut day = first;
    while day <= last {
        let closed = closed_reason(q, day);
        let mut slots = Vec::new();
        if closed.is_none() {
            let ranges = a
                .weekly
                .get(weekday_index(day))
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            for range in ranges {
                let Some(range_end) = vienna_range_end(day, range.end_min) else {
                    continue;
                };
                let mut minute = range.start_min;
                while minute < range.end_min {
                    if let Some(start) = vienna_instant(day, minute) {
                        let slot = Slot {
                            start,
                            end: start.plus_ms(duration_ms),
                        };
                        if slot.end > range_end {
                            break;
                        }
                        let free = slot.start >= earliest
                            && slot.start <= latest
                            && !overlaps_any(&busy, slot.blocked(a));
                        // A repeated wall-clock time maps to its first occurrence; never
                        // push the same instant twice.
                        if free && slots.last().is_none_or(|s: &Slot| s.start < slot.start) {
                            slots.push(slot);
                        }
                    }
                    minute = minute.saturating_add(a.duration_min.max(1));
                }
            }
        }
        out.push(DaySlots {
            date: day,
            slots,
            closed,
        });
        match day.tomorrow() {
            Ok(next) => day = next,
            Err(_) => break,
        }
    }
    out
}

/// Whether `range` overlaps any busy range (`busy` sorted by start).
fn overlaps_any(busy: &[Busy], range: Busy) -> bool {
    // Only busy ranges starting before our end can overlap.
    let upto = busy.partition_point(|b| b.start < range.end);
    busy[..upto].iter().any(|b| b.end > range.start)
}

/// The slot starting exactly at `start`, if it is free and bookable now. This is how a
/// submitted slot id is checked: it must be one the engine would offer.
pub fn bookable(q: &SlotQuery<'_>, start: UnixMs) -> Option<Slot> {
    let day = vienna_date(start);
    free_slots(q, day, day)
        .into_iter()
        .flat_map(|d| d.slots)
        .find(|s| s.start == start)
}

/// The next `n` free slots from `now` within the horizon (for "Dieser Termin ist leider
/// gerade vergeben" and the reschedule page).
pub fn next_free(q: &SlotQuery<'_>, n: usize) -> Vec<Slot> {
    let (first, last) = horizon_days(q.availability, q.now);
    free_slots(q, first, last)
        .into_iter()
        .flat_map(|d| d.slots)
        .take(n)
        .collect()
}

/// When to send the reminder for a meeting at `start` booked at `booked`: 24 hours of real
/// time before the start, or `None` when the booking is too close to the meeting.
pub fn reminder_at(start: UnixMs, booked: UnixMs) -> Option<UnixMs> {
    let at = start.plus_ms(-REMINDER_LEAD_MS);
    (at.0 - booked.0 >= REMINDER_MIN_GAP_MS).then_some(at)
}

/// When an unconfirmed booking lapses: `confirm_hours` after booking, but never after the
/// meeting has started.
pub fn confirm_deadline(start: UnixMs, booked: UnixMs, confirm_hours: i64) -> UnixMs {
    booked.plus_hours(confirm_hours).min(start)
}

/// Topics a visitor can tick on the booking form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Topic {
    /// Texte erstellen und prüfen.
    Texte,
    /// Daten und Dokumente analysieren.
    Analyse,
    /// Bilder und Medien.
    Bilder,
    /// Assistenz bei Routineaufgaben.
    Assistenz,
    /// Anything else.
    Sonstiges,
}

impl Topic {
    /// All topics in form order.
    pub const ALL: [Topic; 5] = [
        Topic::Texte,
        Topic::Analyse,
        Topic::Bilder,
        Topic::Assistenz,
        Topic::Sonstiges,
    ];

    /// Form value and stored code (the first four match [`crate::Interest`] codes, so a new
    /// lead's interests can be filled from them).
    pub fn code(self) -> &'static str {
        match self {
            Topic::Texte => "texte",
            Topic::Analyse => "analyse",
            Topic::Bilder => "bilder",
            Topic::Assistenz => "assistenz",
            Topic::Sonstiges => "sonstiges",
        }
    }

    /// German label.
    pub fn label(self) -> &'static str {
        match self {
            Topic::Texte => "Texte",
            Topic::Analyse => "Analyse",
            Topic::Bilder => "Bilder",
            Topic::Assistenz => "Assistenz",
            Topic::Sonstiges => "Sonstiges",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Topic> {
        Topic::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// How the call takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    /// Video call (link from the settings).
    Video,
    /// The team calls the visitor.
    Telefon,
}

impl Channel {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Channel::Video => "video",
            Channel::Telefon => "telefon",
        }
    }

    /// German label.
    pub fn label(self) -> &'static str {
        match self {
            Channel::Video => "Videocall",
            Channel::Telefon => "Telefon (wir rufen Sie an)",
        }
    }

    /// Parses a code.
    pub fn from_code(code: &str) -> Option<Channel> {
        match code {
            "video" => Some(Channel::Video),
            "telefon" => Some(Channel::Telefon),
            _ => None,
        }
    }
}

/// The booking form as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BookingInput {
    /// Chosen slot: its start in Unix milliseconds, as text.
    pub slot: String,
    /// Name.
    pub name: String,
    /// Company.
    pub company: String,
    /// E-mail.
    pub email: String,
    /// Phone, optional (required for a phone call).
    pub phone: String,
    /// Topic codes.
    pub topics: Vec<String>,
    /// `video` or `telefon`.
    pub channel: String,
    /// Optional note.
    pub message: String,
    /// Consent checkbox.
    pub consent: bool,
    /// Tracked-link source.
    pub source: String,
}

/// A valid booking request (the slot is checked against availability separately).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BookingRequest {
    /// Requested start.
    pub start: UnixMs,
    /// Name.
    pub name: String,
    /// Company.
    pub company: String,
    /// E-mail.
    pub email: crate::Email,
    /// Phone.
    pub phone: Option<String>,
    /// Topics, sorted, unique.
    pub topics: Vec<Topic>,
    /// Video or phone.
    pub channel: Channel,
    /// Note.
    pub message: Option<String>,
    /// Source code.
    pub source: Option<String>,
}

/// Parses a slot id from a form or URL: the start instant in milliseconds.
pub fn parse_slot_id(text: &str) -> Option<UnixMs> {
    let t = text.trim();
    if t.is_empty() || t.len() > 16 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok().map(UnixMs)
}

impl BookingInput {
    /// Checks every field. `require_consent` is false for participants, who book under
    /// their participation agreement; `phone_allowed` mirrors the settings.
    pub fn parse(
        &self,
        require_consent: bool,
        phone_allowed: bool,
    ) -> Result<BookingRequest, FieldErrors> {
        use crate::text::{TextRule, clean};
        let mut errors = FieldErrors::default();
        let start = parse_slot_id(&self.slot);
        if start.is_none() {
            errors.add("slot", "Bitte wählen Sie oben einen freien Termin aus.");
        }
        let name = clean(
            &self.name,
            TextRule {
                label: "Der Name",
                missing: "Bitte geben Sie Ihren Namen an, damit wir Sie persönlich ansprechen können.",
                required: true,
                max_chars: 120,
                multiline: false,
            },
        )
        .map_err(|m| errors.add("name", m))
        .ok()
        .flatten();
        let company = clean(
            &self.company,
            TextRule {
                label: "Der Firmenname",
                missing: "Bitte geben Sie den Namen Ihres Unternehmens an.",
                required: true,
                max_chars: 150,
                multiline: false,
            },
        )
        .map_err(|m| errors.add("company", m))
        .ok()
        .flatten();
        let email = crate::Email::parse(&self.email)
            .map_err(|e| errors.add("email", e.to_string()))
            .ok();
        let phone = crate::application::parse_phone(&self.phone)
            .map_err(|m| errors.add("phone", m))
            .ok()
            .flatten();
        let mut topics = Vec::new();
        for raw in &self.topics {
            match Topic::from_code(raw.trim()) {
                Some(t) => topics.push(t),
                None => errors.add("topics", "Bitte wählen Sie nur aus den angebotenen Themen."),
            }
        }
        topics.sort();
        topics.dedup();
        let channel = if phone_allowed {
            match Channel::from_code(self.channel.trim()) {
                Some(c) => c,
                None if self.channel.trim().is_empty() => Channel::Video,
                None => {
                    errors.add("channel", "Bitte wählen Sie Videocall oder Telefon.");
                    Channel::Video
                }
            }
        } else {
            Channel::Video
        };
        if channel == Channel::Telefon && phone.is_none() && errors.get("phone").is_none() {
            errors.add(
                "phone",
                "Für ein Telefonat brauchen wir Ihre Nummer. Bitte tragen Sie sie ein oder wählen Sie Videocall.",
            );
        }
        let message = clean(
            &self.message,
            TextRule {
                label: "Ihre Nachricht",
                missing: "",
                required: false,
                max_chars: 2000,
                multiline: true,
            },
        )
        .map_err(|m| errors.add("message", m))
        .ok()
        .flatten();
        if require_consent && !self.consent {
            errors.add(
                "consent",
                "Bitte bestätigen Sie, dass wir Ihre Angaben für den Termin verwenden dürfen. Ohne Ihre Zustimmung können wir den Termin nicht eintragen.",
            );
        }
        let source = crate::application::parse_source(&self.source);
        match (start, name, company, email) {
            (Some(start), Some(name), Some(company), Some(email)) if errors.is_empty() => {
                Ok(BookingRequest {
                    start,
                    name,
                    company,
                    email,
                    phone,
                    topics,
                    channel,
                    message,
                    source,
                })
            }
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn ms(s: &str) -> UnixMs {
        UnixMs(s.parse::<Timestamp>().expect("timestamp").as_millisecond())
    }

    fn every_day(ranges: &str) -> Availability {
        let r = parse_ranges(ranges).expect("ranges");
        Availability {
            duration_min: 30,
            buffer_before_min: 0,
            buffer_after_min: 0,
            min_notice_min: 0,
            horizon_days: 400,
            weekly: vec![r; 7],
            block_holidays: false,
            video_url: String::new(),
            phone_option: true,
        }
    }

    /// `now` of `UnixMs(0)` stands for "the day before", well inside every horizon.
    fn slots_on(a: &Availability, day: Date, busy: &[Busy], now: UnixMs) -> Vec<Slot> {
        let now = if now == UnixMs(0) {
            UnixMs::from_vienna_date(&day.to_string())
                .expect("day")
                .minus_days(1)
        } else {
            now
        };
        let q = SlotQuery {
            availability: a,
            blocked: &[],
            busy,
            now,
        };
        free_slots(&q, day, day).remove(0).slots
    }

    #[test]
    fn easter_matches_known_dates() {
        for (y, m, d) in [
            (2019, 4, 21),
            (2024, 3, 31),
            (2025, 4, 20),
            (2026, 4, 5),
            (2027, 3, 28),
            (2028, 4, 16),
            (2029, 4, 1),
            (2030, 4, 21),
            (2038, 4, 25),
        ] {
            assert_eq!(easter_sunday(y), Some(date(y, m, d)), "{y}");
        }
    }

    #[test]
    fn austrian_holidays_for_several_years() {
        let h2026 = austrian_holidays(2026);
        assert_eq!(h2026.len(), 13);
        let find = |list: &[(Date, &str)], name: &str| {
            list.iter().find(|(_, n)| *n == name).map(|(d, _)| *d)
        };
        assert_eq!(find(&h2026, "Ostermontag"), Some(date(2026, 4, 6)));
        assert_eq!(find(&h2026, "Christi Himmelfahrt"), Some(date(2026, 5, 14)));
        assert_eq!(find(&h2026, "Pfingstmontag"), Some(date(2026, 5, 25)));
        assert_eq!(find(&h2026, "Fronleichnam"), Some(date(2026, 6, 4)));
        let h2027 = austrian_holidays(2027);
        assert_eq!(find(&h2027, "Ostermontag"), Some(date(2027, 3, 29)));
        assert_eq!(find(&h2027, "Christi Himmelfahrt"), Some(date(2027, 5, 6)));
        assert_eq!(find(&h2027, "Pfingstmontag"), Some(date(2027, 5, 17)));
        assert_eq!(find(&h2027, "Fronleichnam"), Some(date(2027, 5, 27)));
        let h2025 = austrian_holidays(2025);
        assert_eq!(find(&h2025, "Ostermontag"), Some(date(2025, 4, 21)));
        assert_eq!(find(&h2025, "Fronleichnam"), Some(date(2025, 6, 19)));
        let h2028 = austrian_holidays(2028);
        assert_eq!(find(&h2028, "Christi Himmelfahrt"), Some(date(2028, 5, 25)));
        assert_eq!(find(&h2028, "Pfingstmontag"), Some(date(2028, 6, 5)));
        assert_eq!(
            austrian_holiday(date(2026, 10, 26)),
            Some("Nationalfeiertag")
        );
        assert_eq!(
            austrian_holiday(date(2026, 12, 8)),
            Some("Mariä Empfängnis")
        );
        // Karfreitag is not a public holiday any more.
        assert_eq!(austrian_holiday(date(2026, 4, 3)), None);
        assert_eq!(austrian_holiday(date(2026, 11, 27)), None);
        for year in 2020..2040 {
            let list = austrian_holidays(year);
            assert_eq!(list.len(), 13, "{year}");
            assert!(
                list.windows(2).all(|w| w[0].0 < w[1].0),
                "{year} sorted, distinct"
            );
        }
    }

    #[test]
    fn holidays_and_blocked_days_have_no_slots() {
        let mut a = every_day("09:00-10:00");
        a.block_holidays = true;
        let blocked = [DayBlock {
            from: date(2026, 12, 28),
            to: date(2026, 12, 30),
        }];
        let q = SlotQuery {
            availability: &a,
            blocked: &blocked,
            busy: &[],
            now: ms("2026-12-01T00:00:00Z"),
        };
        let days = free_slots(&q, date(2026, 12, 24), date(2026, 12, 31));
        let by_day = |d: Date| days.iter().find(|x| x.date == d).expect("day");
        assert_eq!(by_day(date(2026, 12, 24)).slots.len(), 2);
        assert_eq!(by_day(date(2026, 12, 25)).closed, Some("Christtag"));
        assert!(by_day(date(2026, 12, 25)).slots.is_empty());
        assert_eq!(by_day(date(2026, 12, 29)).closed, Some("geschlossen"));
        assert_eq!(by_day(date(2026, 12, 31)).slots.len(), 2);
    }

    #[test]
    fn slots_are_vienna_wall_clock_times_in_winter_and_summer() {
        let a = every_day("09:00-10:00");
        let winter = slots_on(&a, date(2026, 12, 3), &[], UnixMs(0));
        assert_eq!(winter[0].start, ms("2026-12-03T08:00:00Z"));
        assert_eq!(winter[1].start, ms("2026-12-03T08:30:00Z"));
        let summer = slots_on(&a, date(2026, 7, 2), &[], UnixMs(0));
        assert_eq!(summer[0].start, ms("2026-07-02T07:00:00Z"));
    }

    #[test]
    fn spring_forward_has_no_slot_in_the_skipped_hour() {
        // 2027-03-28: 02:00 CET jumps to 03:00 CEST.
        let a = every_day("01:00-04:00");
        let slots = slots_on(&a, date(2027, 3, 28), &[], UnixMs(0));
        let labels: Vec<String> = slots.iter().map(|s| vienna_clock(s.start)).collect();
        assert_eq!(labels, ["01:00", "01:30", "03:00", "03:30"]);
        // 01:30 CET lasts until 03:00 CEST: 30 real minutes.
        assert_eq!(slots[1].end.0 - slots[1].start.0, 30 * MINUTE_MS);
        assert_eq!(slots[2].start, ms("2027-03-28T01:00:00Z"));
        // 09:00 on the switch day is 07:00 UTC (summer time).
        let day = slots_on(&every_day("09:00-09:30"), date(2027, 3, 28), &[], UnixMs(0));
        assert_eq!(day[0].start, ms("2027-03-28T07:00:00Z"));
        let day = slots_on(&every_day("09:00-09:30"), date(2026, 3, 29), &[], UnixMs(0));
        assert_eq!(day[0].start, ms("2026-03-29T07:00:00Z"));
    }

    #[test]
    fn fall_back_offers_the_repeated_hour_once() {
        // 2026-10-25: 03:00 CEST falls back to 02:00 CET; 02:00–03:00 happens twice.
        let a = every_day("01:00-04:00");
        let slots = slots_on(&a, date(2026, 10, 25), &[], UnixMs(0));
        let labels: Vec<String> = slots.iter().map(|s| vienna_clock(s.start)).collect();
        assert_eq!(
            labels,
            ["01:00", "01:30", "02:00", "02:30", "03:00", "03:30"]
        );
        let mut sorted = labels.clone();
        sorted.dedup();
        assert_eq!(sorted.len(), labels.len(), "no wall-clock time twice");
        // 02:00 is its first occurrence (CEST, 00:00 UTC).
        assert_eq!(slots[2].start, ms("2026-10-25T00:00:00Z"));
        assert!(slots.windows(2).all(|w| w[0].start < w[1].start));
        let day = slots_on(
            &every_day("09:00-09:30"),
            date(2026, 10, 25),
            &[],
            UnixMs(0),
        );
        assert_eq!(day[0].start, ms("2026-10-25T08:00:00Z"));
    }

    #[test]
    fn buffers_notice_and_horizon_apply() {
        let mut a = every_day("09:00-12:00");
        a.buffer_after_min = 10;
        a.buffer_before_min = 5;
        let day = date(2026, 12, 3);
        let taken = Slot {
            start: ms("2026-12-03T09:00:00Z"),
            end: ms("2026-12-03T09:30:00Z"),
        }; // 10:00–10:30 Vienna
        let busy = [taken.blocked(&a)];
        let labels: Vec<String> = slots_on(&a, day, &busy, UnixMs(0))
            .iter()
            .map(|s| vienna_clock(s.start))
            .collect();
        // 09:30 ends 10:00 + 10 min buffer overlaps 09:55 (10:00 − 5): taken; 10:30 starts
        // 10:25 with its buffer, before 10:40: taken.
        assert_eq!(labels, ["09:00", "11:00", "11:30"]);

        a.min_notice_min = 60;
        let now = ms("2026-12-03T08:10:00Z"); // 09:10 Vienna
        let labels: Vec<String> = slots_on(&a, day, &[], now)
            .iter()
            .map(|s| vienna_clock(s.start))
            .collect();
        assert_eq!(labels[0], "10:30");

        a.min_notice_min = 0;
        a.horizon_days = 1;
        let q = SlotQuery {
            availability: &a,
            blocked: &[],
            busy: &[],
            now,
        };
        assert!(bookable(&q, ms("2026-12-04T10:00:00Z")).is_none());
        assert!(bookable(&q, ms("2026-12-04T08:00:00Z")).is_some());
    }

    #[test]
    fn bookable_rejects_tampered_starts() {
        let a = every_day("09:00-12:00");
        let q = SlotQuery {
            availability: &a,
            blocked: &[],
            busy: &[],
            now: ms("2026-12-01T00:00:00Z"),
        };
        assert!(bookable(&q, ms("2026-12-03T08:00:00Z")).is_some());
        assert!(
            bookable(&q, ms("2026-12-03T08:10:00Z")).is_none(),
            "off-grid"
        );
        assert!(
            bookable(&q, ms("2026-12-03T12:00:00Z")).is_none(),
            "outside hours"
        );
        assert!(bookable(&q, ms("2026-11-30T08:00:00Z")).is_none(), "past");
        assert_eq!(
            parse_slot_id("1764748800000"),
            Some(UnixMs(1_764_748_800_000))
        );
        for bad in ["", "-1", "12a", "99999999999999999999", "1e9"] {
            assert_eq!(parse_slot_id(bad), None, "{bad}");
        }
    }

    #[test]
    fn reminder_is_24_real_hours_before_across_dst() {
        // Meeting 2027-03-28 09:00 CEST (07:00Z); 24 h before is 08:00 CET on Saturday.
        let start = ms("2027-03-28T07:00:00Z");
        let at = reminder_at(start, ms("2027-03-20T10:00:00Z")).expect("reminder");
        assert_eq!(at, ms("2027-03-27T07:00:00Z"));
        assert_eq!(vienna_clock(at), "08:00");
        // October: 09:00 CET on the switch day; 24 h before is 10:00 CEST on Saturday.
        let start = ms("2026-10-25T08:00:00Z");
        let at = reminder_at(start, ms("2026-10-01T08:00:00Z")).expect("reminder");
        assert_eq!(vienna_clock(at), "10:00");
        // Booked 20 hours ahead: no reminder.
        assert_eq!(reminder_at(start, start.plus_hours(-20)), None);
        assert_eq!(
            confirm_deadline(start, start.plus_hours(-2), 24),
            start,
            "never after the start"
        );
    }

    #[test]
    fn ranges_parse_with_german_messages() {
        assert_eq!(
            parse_ranges("13:00-17:00, 9-12").expect("ok"),
            vec![
                TimeRange {
                    start_min: 540,
                    end_min: 720
                },
                TimeRange {
                    start_min: 780,
                    end_min: 1020
                }
            ]
        );
        assert_eq!(parse_ranges("  ").expect("closed"), vec![]);
        assert!(parse_ranges("9:00–24:00").is_ok());
        assert!(parse_ranges("12-9").is_err());
        assert!(parse_ranges("9-12, 11-13").is_err());
        assert!(parse_ranges("9:60-10").is_err());
        assert!(parse_ranges("morgens").is_err());
        let input = AvailabilityInput::from_availability(
            &MeetingKind::Erstgespraech.default_availability(),
        );
        assert_eq!(input.weekly[0], "09:00-12:00, 13:00-16:00");
        assert_eq!(
            input.parse().expect("round trip"),
            MeetingKind::Erstgespraech.default_availability()
        );
        let bad = AvailabilityInput {
            duration_min: "5".into(),
            video_url: "http://x".into(),
            ..input
        };
        let errors = bad.parse().expect_err("invalid");
        assert!(errors.get("duration").is_some() && errors.get("video_url").is_some());
    }

    #[test]
    fn booking_input_checks_every_field() {
        let ok = BookingInput {
            slot: "1764748800000".into(),
            name: "Anna Huber".into(),
            company: "Bau Huber".into(),
            email: "anna@huber.at".into(),
            topics: vec!["texte".into(), "sonstiges".into(), "texte".into()],
            consent: true,
            ..BookingInput::default()
        };
        let req = ok.parse(true, true).expect("valid");
        assert_eq!(req.topics, vec![Topic::Texte, Topic::Sonstiges]);
        assert_eq!(req.channel, Channel::Video);
        let phone = BookingInput {
            channel: "telefon".into(),
            ..ok.clone()
        };
        assert!(
            phone
                .parse(true, true)
                .expect_err("needs phone")
                .get("phone")
                .is_some()
        );
        let bad = BookingInput {
            slot: "abc".into(),
            name: "x".repeat(121),
            email: "anna@huber".into(),
            topics: vec!["<script>".into()],
            consent: false,
            ..BookingInput::default()
        };
        let errors = bad.parse(true, true).expect_err("invalid");
        for f in ["slot", "name", "company", "email", "topics", "consent"] {
            assert!(errors.get(f).is_some(), "{f}");
        }
        assert!(
            bad.parse(false, true)
                .expect_err("x")
                .get("consent")
                .is_none()
        );
    }
}
