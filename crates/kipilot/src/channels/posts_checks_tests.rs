//! Unit tests of the post checks, at the exact limits.

use super::*;

const URL: &str = "http://kipilot.test/l/post-1";

fn text(kind: PostKind, body: &str) -> Vec<Check> {
    check_post(&PostText {
        kind,
        body,
        link_url: Some(URL),
        poll_question: "",
        poll_options: &[],
        poll_days: None,
    })
}

fn level(checks: &[Check], title: &str) -> Level {
    checks
        .iter()
        .find(|c| c.title == title)
        .map(|c| c.level)
        .unwrap_or(Level::Ok)
}

fn poll(question: &str, options: &[&str], days: Option<i64>) -> Vec<Check> {
    let options: Vec<String> = options.iter().map(|s| (*s).to_owned()).collect();
    check_post(&PostText {
        kind: PostKind::Umfrage,
        body: "Frage an euch?",
        link_url: None,
        poll_question: question,
        poll_options: &options,
        poll_days: days,
    })
}

#[test]
fn three_thousand_characters_pass_and_one_more_fails() {
    let ok = "ä".repeat(MAX_CHARS);
    assert_eq!(level(&text(PostKind::Meilenstein, &ok), "Länge"), Level::Ok);
    let long = "ä".repeat(MAX_CHARS + 1);
    let checks = text(PostKind::Meilenstein, &long);
    assert_eq!(level(&checks, "Länge"), Level::Error);
    assert!(
        checks[0].message.contains("3.001 Zeichen"),
        "{}",
        checks[0].message
    );
    assert!(checks[0].message.contains("um 1 Zeichen"));
}

#[test]
fn characters_are_code_points_and_crlf_is_one() {
    assert_eq!(char_count("Grüß 👋"), 6);
    assert_eq!(char_count("a\r\nb"), 3);
}

#[test]
fn the_tracked_link_counts_towards_the_limit() {
    let body = format!("{}{LINK_PLACEHOLDER}", "a".repeat(MAX_CHARS - URL.len()));
    assert_eq!(
        level(&text(PostKind::Meilenstein, &body), "Länge"),
        Level::Ok
    );
    let body = format!("a{body}");
    assert_eq!(
        level(&text(PostKind::Meilenstein, &body), "Länge"),
        Level::Error
    );
}

#[test]
fn the_hook_must_end_within_210_characters() {
    let first = format!("{}.", "a".repeat(HOOK_CHARS - 1));
    let ok = format!("{first} Weiter geht's");
    assert_eq!(
        level(&text(PostKind::Meilenstein, &ok), "Einstieg"),
        Level::Ok
    );
    let bad = format!("{} und so weiter.", "a".repeat(HOOK_CHARS));
    assert_eq!(
        level(&text(PostKind::Meilenstein, &bad), "Einstieg"),
        Level::Warn
    );
    assert_eq!(hook(&bad).chars().count(), HOOK_CHARS);
}

#[test]
fn hashtags_three_to_five() {
    let tags = |n: usize| {
        (0..n)
            .map(|i| format!("#tag{i}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    for (n, expected) in [
        (2, Level::Warn),
        (3, Level::Ok),
        (5, Level::Ok),
        (6, Level::Warn),
    ] {
        let body = format!("Schreib mir!\n\n{}", tags(n));
        assert_eq!(
            level(&text(PostKind::Meilenstein, &body), "Hashtags"),
            expected,
            "{n}"
        );
    }
    assert_eq!(hashtag_count("C# und https://x.at/#anker und #KI"), 1);
}

#[test]
fn call_to_action_at_the_end_ignoring_hashtags() {
    assert!(has_call_to_action(
        "Heute war gut.\n\nSchreib mir, wenn du mitmachen willst!\n\n#KI #DSGVO"
    ));
    assert!(has_call_to_action("Was meint ihr?"));
    assert!(!has_call_to_action(
        "Heute war gut.\n\nDanke.\n\n#KI #DSGVO #KMU"
    ));
}

#[test]
fn tracked_link_must_be_chosen_and_in_the_text() {
    let no_link = check_post(&PostText {
        kind: PostKind::Meilenstein,
        body: "Text {link}",
        link_url: None,
        poll_question: "",
        poll_options: &[],
        poll_days: None,
    });
    assert_eq!(level(&no_link, "Verfolgter Link"), Level::Warn);
    assert_eq!(
        level(
            &text(PostKind::Meilenstein, "Text ohne Link"),
            "Verfolgter Link"
        ),
        Level::Warn
    );
    assert_eq!(
        level(
            &text(PostKind::Meilenstein, "Text {link}"),
            "Verfolgter Link"
        ),
        Level::Ok
    );
    assert_eq!(expand("Hier: {link}", Some(URL)), format!("Hier: {URL}"));
}

#[test]
fn poll_limits_at_their_edges() {
    let q140 = "f".repeat(QUESTION_MAX);
    let o30 = "o".repeat(OPTION_MAX);
    let o31 = "o".repeat(OPTION_MAX + 1);
    let ok = poll(&q140, &[&o30, "Zeit"], Some(7));
    assert!(ok.iter().all(|c| c.level != Level::Error), "{ok:?}");
    let long_q = poll(&format!("{q140}?"), &["a", "b"], Some(7));
    assert_eq!(level(&long_q, "Umfrage: Frage"), Level::Error);
    let long_o = poll("Frage?", &[&o31, "b"], Some(7));
    assert_eq!(level(&long_o, "Umfrage: Antworten"), Level::Error);
    assert!(long_o.iter().any(|c| c.message.contains("(31 Zeichen)")));
    assert_eq!(
        level(&poll("Frage?", &["a"], Some(7)), "Umfrage: Antworten"),
        Level::Error
    );
    assert_eq!(
        level(
            &poll("Frage?", &["a", "b", "c", "d"], Some(7)),
            "Umfrage: Antworten"
        ),
        Level::Ok
    );
    assert_eq!(
        level(
            &poll("Frage?", &["a", "b", "c", "d", "e"], Some(7)),
            "Umfrage: Antworten"
        ),
        Level::Error
    );
    for d in POLL_DAYS {
        assert_eq!(
            level(&poll("Frage?", &["a", "b"], Some(d)), "Umfrage: Dauer"),
            Level::Ok
        );
    }
    for d in [None, Some(0), Some(2), Some(30)] {
        assert_eq!(
            level(&poll("Frage?", &["a", "b"], d), "Umfrage: Dauer"),
            Level::Error
        );
    }
    assert_eq!(
        level(&poll("", &["a", "b"], Some(1)), "Umfrage: Frage"),
        Level::Error
    );
}

#[test]
fn other_types_have_no_poll_checks() {
    assert!(
        text(PostKind::Ankuendigung, "x")
            .iter()
            .all(|c| !c.title.starts_with("Umfrage"))
    );
}

#[test]
fn day_numbers_and_weekdays() {
    assert_eq!(day_number("1970-01-01"), Some(0));
    assert_eq!(
        day_number("2026-03-01").map(|d| d - day_number("2026-02-28").unwrap_or(0)),
        Some(1)
    );
    assert_eq!(day_number("2024-02-30"), None);
    assert_eq!(day_number("kaputt"), None);
    // 27 November 2026 is a Friday.
    assert_eq!(day_number("2026-11-27").map(weekday), Some(4));
}

#[test]
fn cadence_warns_after_more_than_fourteen_days() {
    let days = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    assert!(cadence_gaps(&days(&["2026-03-01", "2026-03-15"]), "2026-03-16").is_empty());
    let gaps = cadence_gaps(&days(&["2026-03-01", "2026-03-16"]), "2026-03-16");
    assert_eq!(
        gaps,
        vec![Gap {
            from: "2026-03-01".into(),
            to: "2026-03-16".into(),
            days: 15,
            open: false
        }]
    );
    let open = cadence_gaps(&days(&["2026-03-01"]), "2026-03-20");
    assert_eq!(open.len(), 1);
    assert!(open[0].open);
    assert!(cadence_gaps(&[], "2026-03-20").is_empty());
}

#[test]
fn thousands_separator() {
    assert_eq!(thousands(3000), "3.000");
    assert_eq!(thousands(999), "999");
    assert_eq!(thousands(1_234_567), "1.234.567");
}

#[test]
fn kinds_round_trip() {
    for k in PostKind::ALL {
        assert_eq!(PostKind::from_code(k.code()), Some(k));
    }
    assert_eq!(PostKind::from_code("<script>"), None);
}
