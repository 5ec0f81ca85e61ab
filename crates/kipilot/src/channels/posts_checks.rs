//! The checks a LinkedIn post gets while it is written, and the cadence guard of the
//! calendar. Pure functions, so every limit is unit-tested at its exact edge.
//!
//! Only limits the issue names are encoded: 3,000 characters per post, a hook in the first
//! ~210 characters, a call to action, the tracked link, 3–5 hashtags, polls with 2–4 options
//! of at most 30 characters, a question of at most 140 and a duration of 1, 3, 7 or 14 days,
//! and at most 14 days between posts. Hard limits (what LinkedIn would refuse) are errors
//! that block saving; the rest are hints.

/// Most characters LinkedIn accepts in a post.
pub const MAX_CHARS: usize = 3000;
/// Characters LinkedIn shows before "…mehr anzeigen" (approximately).
pub const HOOK_CHARS: usize = 210;
/// Fewest and most hashtags we recommend.
pub const HASHTAGS: (usize, usize) = (3, 5);
/// Fewest and most poll options.
pub const POLL_OPTIONS: (usize, usize) = (2, 4);
/// Longest poll option.
pub const OPTION_MAX: usize = 30;
/// Longest poll question.
pub const QUESTION_MAX: usize = 140;
/// Poll durations LinkedIn offers, in days.
pub const POLL_DAYS: [i64; 4] = [1, 3, 7, 14];
/// Longest gap between two posts before the calendar warns.
pub const MAX_GAP_DAYS: i64 = 14;
/// Stands for the tracked link's URL in a post text.
pub const LINK_PLACEHOLDER: &str = "{link}";

/// The five post types of the planner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostKind {
    /// Project start and invitation.
    Ankuendigung,
    /// What was learned so far.
    Zwischenerkenntnis,
    /// A step reached.
    Meilenstein,
    /// A question or poll to the community.
    Umfrage,
    /// A participant's success.
    Erfolgsgeschichte,
}

impl PostKind {
    /// All types in the order the form lists them.
    pub const ALL: [PostKind; 5] = [
        PostKind::Ankuendigung,
        PostKind::Zwischenerkenntnis,
        PostKind::Meilenstein,
        PostKind::Umfrage,
        PostKind::Erfolgsgeschichte,
    ];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            PostKind::Ankuendigung => "ankuendigung",
            PostKind::Zwischenerkenntnis => "zwischenerkenntnis",
            PostKind::Meilenstein => "meilenstein",
            PostKind::Umfrage => "umfrage",
            PostKind::Erfolgsgeschichte => "erfolgsgeschichte",
        }
    }

    /// German label.
    pub fn label(self) -> &'static str {
        match self {
            PostKind::Ankuendigung => "Ankündigung",
            PostKind::Zwischenerkenntnis => "Zwischenerkenntnis",
            PostKind::Meilenstein => "Meilenstein",
            PostKind::Umfrage => "Frage/Umfrage",
            PostKind::Erfolgsgeschichte => "Erfolgsgeschichte",
        }
    }

    /// The type for a stored or submitted code.
    pub fn from_code(code: &str) -> Option<PostKind> {
        PostKind::ALL.into_iter().find(|k| k.code() == code)
    }
}

/// Counts characters as LinkedIn does in practice: one per Unicode code point (Rust
/// `char`), after line breaks are normalised to `\n`. This is an assumption from observing
/// LinkedIn's composer, not a documented rule: an emoji made of several code points (skin
/// tone, family) counts several times here, so the count errs on the safe side.
pub fn char_count(text: &str) -> usize {
    text.replace("\r\n", "\n").chars().count()
}

/// The text as it will be posted: `{link}` replaced by the tracked URL, when there is one.
pub fn expand(body: &str, link_url: Option<&str>) -> String {
    let body = body.replace("\r\n", "\n");
    match link_url {
        Some(url) => body.replace(LINK_PLACEHOLDER, url),
        None => body,
    }
}

/// The part LinkedIn shows before "…mehr anzeigen".
pub fn hook(text: &str) -> String {
    text.chars().take(HOOK_CHARS).collect()
}

/// How serious a check result is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Fulfilled.
    Ok,
    /// A hint; saving is allowed.
    Warn,
    /// LinkedIn would refuse it; saving is blocked.
    Error,
}

/// One check result, shown next to the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Form field the result belongs to (for the error next to it).
    pub field: &'static str,
    /// Result.
    pub level: Level,
    /// Short German name of the check.
    pub title: &'static str,
    /// German explanation.
    pub message: String,
}

impl Check {
    /// CSS class of the status badge.
    pub fn css(&self) -> &'static str {
        match self.level {
            Level::Ok => "ok",
            Level::Warn => "warn",
            Level::Error => "err",
        }
    }

    /// Badge text (not only colour carries the meaning).
    pub fn badge(&self) -> &'static str {
        match self.level {
            Level::Ok => "erfüllt",
            Level::Warn => "Hinweis",
            Level::Error => "Fehler",
        }
    }
}

/// What the checks look at.
#[derive(Debug, Clone, Copy)]
pub struct PostText<'a> {
    /// Type.
    pub kind: PostKind,
    /// Text as typed (with `{link}`).
    pub body: &'a str,
    /// URL of the tracked link, if one is chosen.
    pub link_url: Option<&'a str>,
    /// Poll question as typed.
    pub poll_question: &'a str,
    /// Non-empty poll options as typed.
    pub poll_options: &'a [String],
    /// Poll duration, `None` if missing or not a number.
    pub poll_days: Option<i64>,
}

fn check(field: &'static str, level: Level, title: &'static str, message: String) -> Check {
    Check {
        field,
        level,
        title,
        message,
    }
}

/// German thousands separator: 3000 → "3.000".
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

/// Hashtags: `#` at the start or after white space, followed by a letter or digit.
pub fn hashtag_count(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    (0..chars.len())
        .filter(|&i| {
            chars[i] == '#'
                && (i == 0 || chars[i - 1].is_whitespace())
                && chars.get(i + 1).is_some_and(|c| c.is_alphanumeric())
        })
        .count()
}

const CTA_WORDS: [&str; 24] = [
    "schreib",
    "meld",
    "kommentar",
    "kommentier",
    "lass uns",
    "lasst uns",
    "mach mit",
    "macht mit",
    "mitmachen",
    "bewirb",
    "bewerb",
    "anmeld",
    "stimm",
    "teil",
    "erzähl",
    "verrat",
    "klick",
    "nachricht",
    "kontakt",
    "austausch",
    "ruf",
    "folg",
    "→",
    "👉",
];

/// Whether the last paragraph (hashtag lines aside) invites the reader to do something.
pub fn has_call_to_action(text: &str) -> bool {
    let lines: Vec<&str> = text.lines().collect();
    let end = lines
        .iter()
        .rposition(|l| {
            !l.trim().is_empty() && hashtag_count(l) * 2 < l.split_whitespace().count().max(1)
        })
        .map_or(0, |i| i + 1);
    let start = lines[..end]
        .iter()
        .rposition(|l| l.trim().is_empty())
        .map_or(0, |i| i + 1);
    let last = lines[start..end].join(" ").to_lowercase();
    last.contains('?')
        || last.contains(LINK_PLACEHOLDER)
        || last.contains("http")
        || CTA_WORDS.iter().any(|w| last.contains(w))
}

/// All checks of a post, in the order they are shown.
pub fn check_post(p: &PostText<'_>) -> Vec<Check> {
    let text = expand(p.body, p.link_url);
    let count = char_count(&text);
    let mut out = Vec::new();
    out.push(if text.trim().is_empty() {
        check("body", Level::Error, "Länge", "Bitte schreiben Sie den Text des Posts.".to_owned())
    } else if count > MAX_CHARS {
        check("body", Level::Error, "Länge", format!(
            "Der Text ist zu lang: {} Zeichen, LinkedIn erlaubt höchstens {} (der Link zählt mit). Bitte kürzen Sie um {} Zeichen.",
            thousands(count), thousands(MAX_CHARS), thousands(count - MAX_CHARS)))
    } else {
        check("body", Level::Ok, "Länge", format!("{} von {} Zeichen (der Link zählt mit).", thousands(count), thousands(MAX_CHARS)))
    });
    let first_line = text.trim_start().lines().next().unwrap_or("");
    let visible = hook(text.trim_start());
    let sentence_ends = visible
        .char_indices()
        .any(|(_, c)| matches!(c, '.' | '?' | '!' | ':' | '…'));
    out.push(if !first_line.trim().is_empty() && (char_count(first_line) <= HOOK_CHARS || sentence_ends) {
        check("body", Level::Ok, "Einstieg", format!("Der erste Gedanke endet innerhalb der ersten {HOOK_CHARS} Zeichen, die vor „…mehr anzeigen“ zu sehen sind."))
    } else {
        check("body", Level::Warn, "Einstieg", format!("Vor „…mehr anzeigen“ sind nur etwa {HOOK_CHARS} Zeichen zu sehen. Beenden Sie den ersten Satz früher, damit er allein neugierig macht."))
    });
    out.push(if has_call_to_action(&text) {
        check(
            "body",
            Level::Ok,
            "Handlungsaufruf",
            "Der Post endet mit einem Handlungsaufruf.".to_owned(),
        )
    } else {
        check(
            "body",
            Level::Warn,
            "Handlungsaufruf",
            "Am Ende fehlt ein Handlungsaufruf, z. B. „Schreib mir …“ oder „Was meint ihr?“."
                .to_owned(),
        )
    });
    out.push(match p.link_url {
        None => check("link", Level::Warn, "Verfolgter Link", "Noch kein verfolgter Link zugeordnet. Wählen Sie einen oder lassen Sie einen anlegen, dann zeigt die Auswertung, was der Post bringt.".to_owned()),
        Some(url) if !text.contains(url) => check("link", Level::Warn, "Verfolgter Link", format!("Der verfolgte Link steht nicht im Text. Schreiben Sie {LINK_PLACEHOLDER} an die Stelle, an der er erscheinen soll.")),
        Some(url) => check("link", Level::Ok, "Verfolgter Link", format!("Der Link {url} steht im Text.")),
    });
    let tags = hashtag_count(&text);
    out.push(if (HASHTAGS.0..=HASHTAGS.1).contains(&tags) {
        check("body", Level::Ok, "Hashtags", format!("{tags} Hashtags."))
    } else {
        check(
            "body",
            Level::Warn,
            "Hashtags",
            format!(
                "{tags} Hashtags – empfohlen sind {} bis {}.",
                HASHTAGS.0, HASHTAGS.1
            ),
        )
    });
    if p.kind == PostKind::Umfrage {
        out.extend(check_poll(p));
    }
    out
}

fn check_poll(p: &PostText<'_>) -> Vec<Check> {
    let mut out = Vec::new();
    let q = char_count(p.poll_question.trim());
    out.push(if q == 0 {
        check(
            "poll_question",
            Level::Error,
            "Umfrage: Frage",
            "Bitte geben Sie die Frage der Umfrage an.".to_owned(),
        )
    } else if q > QUESTION_MAX {
        check(
            "poll_question",
            Level::Error,
            "Umfrage: Frage",
            format!("Die Frage ist zu lang: {q} Zeichen, erlaubt sind höchstens {QUESTION_MAX}."),
        )
    } else {
        check(
            "poll_question",
            Level::Ok,
            "Umfrage: Frage",
            format!("{q} von {QUESTION_MAX} Zeichen."),
        )
    });
    let n = p.poll_options.len();
    let too_long: Vec<String> = p
        .poll_options
        .iter()
        .filter(|o| char_count(o.trim()) > OPTION_MAX)
        .map(|o| format!("„{}“ ({} Zeichen)", o.trim(), char_count(o.trim())))
        .collect();
    out.push(if !(POLL_OPTIONS.0..=POLL_OPTIONS.1).contains(&n) {
        check(
            "poll_options",
            Level::Error,
            "Umfrage: Antworten",
            format!(
                "Eine Umfrage braucht {} bis {} Antwortmöglichkeiten; eingetragen sind {n}.",
                POLL_OPTIONS.0, POLL_OPTIONS.1
            ),
        )
    } else if !too_long.is_empty() {
        check(
            "poll_options",
            Level::Error,
            "Umfrage: Antworten",
            format!(
                "Jede Antwort darf höchstens {OPTION_MAX} Zeichen haben. Zu lang: {}.",
                too_long.join(", ")
            ),
        )
    } else {
        check(
            "poll_options",
            Level::Ok,
            "Umfrage: Antworten",
            format!("{n} Antworten, jede höchstens {OPTION_MAX} Zeichen."),
        )
    });
    out.push(match p.poll_days {
        Some(d) if POLL_DAYS.contains(&d) => check(
            "poll_days",
            Level::Ok,
            "Umfrage: Dauer",
            format!("Läuft {d} {}.", if d == 1 { "Tag" } else { "Tage" }),
        ),
        _ => check(
            "poll_days",
            Level::Error,
            "Umfrage: Dauer",
            "Bitte wählen Sie als Dauer 1, 3, 7 oder 14 Tage.".to_owned(),
        ),
    });
    out
}

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian), for day arithmetic
/// without time zones.
pub fn day_number(iso: &str) -> Option<i64> {
    let mut parts = iso.trim().splitn(3, '-');
    let y: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let d: i64 = parts.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// Days in a month.
pub fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Weekday of a day number, 0 = Monday.
pub fn weekday(day: i64) -> i64 {
    (day + 3).rem_euclid(7)
}

/// A stretch without posts that is longer than [`MAX_GAP_DAYS`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// Day of the post before the gap (`YYYY-MM-DD`).
    pub from: String,
    /// Day of the post after it, or today when nothing follows.
    pub to: String,
    /// Days between them.
    pub days: i64,
    /// True when the gap runs up to today (nothing planned after it).
    pub open: bool,
}

/// The gaps longer than [`MAX_GAP_DAYS`] between the given post days, and from the last
/// one to `today` if that lies further back. Malformed days are ignored.
pub fn cadence_gaps(days: &[String], today: &str) -> Vec<Gap> {
    let mut dated: Vec<(i64, &str)> = days
        .iter()
        .filter_map(|d| Some((day_number(d)?, d.as_str())))
        .collect();
    dated.sort();
    dated.dedup();
    let mut gaps: Vec<Gap> = dated
        .windows(2)
        .filter(|w| w[1].0 - w[0].0 > MAX_GAP_DAYS)
        .map(|w| Gap {
            from: w[0].1.to_owned(),
            to: w[1].1.to_owned(),
            days: w[1].0 - w[0].0,
            open: false,
        })
        .collect();
    if let (Some(&(last, last_iso)), Some(now)) = (dated.last(), day_number(today))
        && now - last > MAX_GAP_DAYS
    {
        gaps.push(Gap {
            from: last_iso.to_owned(),
            to: today.to_owned(),
            days: now - last,
            open: true,
        });
    }
    gaps
}

#[cfg(test)]
#[path = "posts_checks_tests.rs"]
mod tests;
