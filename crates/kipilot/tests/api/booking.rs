//! Booking first calls and 1:1 meetings: end to end with real SMTP, the double-booking guard
//! under 100 concurrent submits, DST switch days, signed links (tampered, replayed,
//! outdated), expiry, reminders, bad input, the back office and privacy.

use std::time::Duration;

use domain::UnixMs;
use domain::booking::{
    Availability, Date, MeetingKind, add_days, parse_ranges, vienna_clock, vienna_date,
    vienna_instant, weekday_index,
};
use kipilot::booking::worker;

use crate::db_test;
use crate::helpers::{Options, ReceivedMail, TestApp, eventually};

const TAKEN: &str = "Dieser Termin ist leider gerade vergeben";

/// Every day `ranges`, no buffers before, 10 min after, 2 h notice, holidays open.
fn every_day(ranges: &str, horizon_days: u16) -> Availability {
    let r = parse_ranges(ranges).expect("ranges");
    Availability {
        duration_min: 30,
        buffer_before_min: 0,
        buffer_after_min: 10,
        min_notice_min: 120,
        horizon_days,
        weekly: vec![r; 7],
        block_holidays: false,
        video_url: "https://meet.example/odoublet".to_owned(),
        phone_option: true,
    }
}

async fn set_availability(
    app: &TestApp,
    kind: MeetingKind,
    a: &Availability,
) -> anyhow::Result<()> {
    storage::settings::put(
        &app.db,
        &storage::booking::settings_key(kind.code()),
        &serde_json::to_string(a)?,
    )
    .await?;
    Ok(())
}

/// All slot ids (radio values) on a page.
fn slot_ids(html: &str) -> Vec<String> {
    let marker = "name=\"slot\" value=\"";
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find(marker) {
        rest = &rest[i + marker.len()..];
        if let Some(end) = rest.find('"') {
            out.push(rest[..end].to_owned());
        }
    }
    out
}

fn labels(ids: &[String]) -> Vec<String> {
    ids.iter()
        .map(|id| vienna_clock(UnixMs(id.parse().expect("id"))))
        .collect()
}

async fn first_slot(app: &TestApp) -> anyhow::Result<String> {
    let (status, html) = app.get_text("/erstgespraech").await?;
    assert_eq!(status, 200);
    slot_ids(&html)
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no free slot on /erstgespraech"))
}

fn fields<'a>(token: &'a str, slot: &'a str, email: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("form_token", token),
        ("slot", slot),
        ("name", "Anna Huber"),
        ("company", "Bau Huber GmbH"),
        ("email", email),
        ("phone", "+43 664 1234567"),
        ("channel", "video"),
        ("topics", "texte"),
        ("topics", "sonstiges"),
        ("message", "Dürfen wir Kundendaten in ChatGPT eingeben?"),
        ("consent", "on"),
        ("source", "wko-linz"),
    ]
}

async fn book(app: &TestApp, slot: &str, email: &str) -> anyhow::Result<reqwest::Response> {
    let token = app.form_token("/erstgespraech").await?;
    app.post_form("/erstgespraech", &fields(&token, slot, email))
        .await
}

/// The signed token after `/termin/{path}?t=` in a text.
fn link_token(text: &str, path: &str) -> Option<String> {
    let marker = format!("/termin/{path}?t=");
    let start = text.find(&marker)? + marker.len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit() || *c == '.')
        .collect();
    (!token.is_empty()).then_some(token)
}

/// The token for `path` from the newest outbox mail of `kind`.
async fn outbox_token(app: &TestApp, kind: &str, path: &str) -> anyhow::Result<String> {
    let mails = app.outbox().await?;
    let mail = mails
        .iter()
        .find(|m| m.kind == kind)
        .ok_or_else(|| anyhow::anyhow!("no {kind} mail"))?;
    link_token(&mail.body_text, path).ok_or_else(|| anyhow::anyhow!("no {path} link in {kind}"))
}

async fn count_kind(app: &TestApp, kind: &str) -> anyhow::Result<usize> {
    Ok(app
        .outbox()
        .await?
        .iter()
        .filter(|m| m.kind == kind)
        .count())
}

async fn only_booking(app: &TestApp) -> anyhow::Result<storage::booking::BookingRow> {
    let rows = storage::booking::list(
        &app.db,
        storage::booking::ListFilter::All,
        UnixMs::now(),
        10,
    )
    .await?;
    anyhow::ensure!(
        rows.len() == 1,
        "expected one booking, found {}",
        rows.len()
    );
    Ok(rows.into_iter().next().expect("one"))
}

/// Parses a received mail with Python's `email` and `icalendar` packages (an independent
/// parser) and returns what a calendar would import.
fn python_ics(mail: &ReceivedMail) -> anyhow::Result<serde_json::Value> {
    let python = std::env::var("KIPILOT_TEST_PYTHON")
        .unwrap_or_else(|_| "/var/tmp/kipilot-pyenv/bin/python".to_owned());
    anyhow::ensure!(
        std::path::Path::new(&python).exists(),
        "Python with icalendar not found at {python}: run scripts/install-test-deps.sh or set KIPILOT_TEST_PYTHON"
    );
    const SCRIPT: &str = r#"
import sys, json, email, email.policy
from zoneinfo import ZoneInfo
import icalendar
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=email.policy.default)
parts = [p for p in msg.walk() if p.get_content_type() == "text/calendar"]
assert len(parts) == 1, f"{len(parts)} calendar parts"
part = parts[0]
cal = icalendar.Calendar.from_ical(part.get_content())
ev = [c for c in cal.walk("VEVENT")][0]
start = ev.decoded("DTSTART")
end = ev.decoded("DTEND")
vienna = start.astimezone(ZoneInfo("Europe/Vienna"))
print(json.dumps({
  "content_method": part.get_param("method"),
  "method": str(cal.get("METHOD")),
  "uid": str(ev.get("UID")),
  "sequence": int(ev.get("SEQUENCE")),
  "status": str(ev.get("STATUS")),
  "summary": str(ev.get("SUMMARY")),
  "vienna_local": vienna.strftime("%Y-%m-%d %H:%M"),
  "vienna_offset": vienna.strftime("%z"),
  "utc": start.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%dT%H:%MZ"),
  "minutes": int((end - start).total_seconds() // 60),
}))
"#;
    use std::io::Write as _;
    let mut child = std::process::Command::new(&python)
        .arg("-c")
        .arg(SCRIPT)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(mail.data.replace("\r\n..", "\r\n.").as_bytes())?;
    let out = child.wait_with_output()?;
    anyhow::ensure!(
        out.status.success(),
        "icalendar could not parse the invitation: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(serde_json::from_slice(&out.stdout)?)
}

async fn wait_for_mail(
    app: &TestApp,
    to: &str,
    subject_part: &str,
) -> anyhow::Result<ReceivedMail> {
    let smtp = app.smtp.clone().expect("smtp");
    eventually(Duration::from_secs(10), || {
        let smtp = smtp.clone();
        async move {
            Ok(smtp
                .mails()
                .into_iter()
                .rev()
                .find(|m| m.to.iter().any(|t| t.contains(to)) && m.text().contains(subject_part)))
        }
    })
    .await
}

db_test!(
    a_visitor_books_confirms_and_cancels_with_real_smtp,
    Options::with_smtp(),
    |app: TestApp| async move {
        set_availability(
            &app,
            MeetingKind::Erstgespraech,
            &every_day("08:00-18:00", 28),
        )
        .await?;
        let (status, html) = app.get_text("/erstgespraech?source=wko-linz").await?;
        assert_eq!(status, 200);
        assert!(html.contains("Unverbindliches Erstgespräch vereinbaren"));
        assert!(
            html.contains("source=wko-linz"),
            "day links carry the source"
        );
        let slot = slot_ids(&html).into_iter().next().expect("a free slot");
        let start = UnixMs(slot.parse()?);

        let r = book(&app, &slot, "anna@bau-huber.at").await?;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(r.headers()["location"], "/erstgespraech/danke");
        let (_, thanks) = app.get_text("/erstgespraech/danke").await?;
        assert!(thanks.contains("24 Stunden"));

        // Lead, consent and booking were written together.
        let lead = storage::leads::find_by_email(&app.db, "anna@bau-huber.at")
            .await?
            .expect("lead");
        assert_eq!(lead.stage, "erstgespraech");
        assert_eq!(lead.status, "unbestaetigt");
        assert_eq!(lead.source.as_deref(), Some("wko-linz"));
        assert_eq!(lead.interests, "texte");
        let consents = storage::leads::consents(&app.db, lead.id).await?;
        assert_eq!(consents.len(), 1);
        assert_eq!(
            consents[0].text_version,
            domain::consent::BOOKING_V1.version
        );
        assert_eq!(consents[0].text_hash, domain::consent::BOOKING_V1.hash());
        let b = only_booking(&app).await?;
        assert_eq!(
            (b.status.as_str(), b.start_ms, b.sequence),
            ("offen", start.0, 0)
        );
        assert_eq!(b.block_end_ms - b.end_ms, 10 * 60_000, "buffer stored");
        // The slot is no longer offered.
        let (_, html) = app.get_text("/erstgespraech").await?;
        assert!(!slot_ids(&html).contains(&slot));

        // The invitation arrives over SMTP and parses with an independent parser.
        let mail = wait_for_mail(&app, "anna@bau-huber.at", "Bitte best").await?;
        let ics = python_ics(&mail)?;
        assert_eq!(ics["method"], "REQUEST");
        assert_eq!(ics["content_method"], "REQUEST");
        assert_eq!(ics["uid"], format!("booking-{}@kipilot.test", b.id));
        assert_eq!(ics["sequence"], 0);
        assert_eq!(ics["minutes"], 30);
        assert_eq!(
            ics["vienna_local"],
            format!("{} {}", vienna_date(start), vienna_clock(start))
        );
        let text = mail.text();
        let confirm_token = link_token(&text, "bestaetigen").expect("confirm link");

        let (status, page) = app
            .get_text(&format!("/termin/bestaetigen?t={confirm_token}"))
            .await?;
        assert_eq!(status, 200);
        assert!(page.contains("Termin bestätigen"));
        // GET alone confirms nothing (mail scanners prefetch links).
        assert_eq!(only_booking(&app).await?.status, "offen");
        let r = app
            .post_form("/termin/bestaetigen", &[("t", &confirm_token)])
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.text().await?.contains("Ihr Termin ist bestätigt"));
        let b = only_booking(&app).await?;
        assert_eq!(b.status, "bestaetigt");
        assert_eq!(
            b.reminder_at_ms,
            Some(b.start_ms - 86_400_000).filter(|at| at - b.created_ms >= 3_600_000)
        );
        let lead = storage::leads::get(&app.db, lead.id).await?.expect("lead");
        assert_eq!(lead.status, "bestaetigt");
        assert_eq!(storage::leads::consents(&app.db, lead.id).await?.len(), 2);
        let team = wait_for_mail(&app, "team@kipilot.test", "Neuer Termin").await?;
        assert_eq!(
            python_ics(&team)?["uid"],
            format!("booking-{}@kipilot.test", b.id)
        );
        // Confirming twice is harmless.
        let r = app
            .post_form("/termin/bestaetigen", &[("t", &confirm_token)])
            .await?;
        assert!(r.text().await?.contains("bereits bestätigt"));
        assert_eq!(count_kind(&app, "team-benachrichtigung").await?, 1);

        // Cancel with the link from the mail.
        let cancel_token = link_token(&text, "absagen").expect("cancel link");
        let (status, page) = app
            .get_text(&format!("/termin/absagen?t={cancel_token}"))
            .await?;
        assert_eq!(status, 200);
        assert!(page.contains("Termin absagen"));
        let r = app
            .post_form("/termin/absagen", &[("t", &cancel_token)])
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.text().await?.contains("Ihr Termin ist abgesagt"));
        let cancel_mail = wait_for_mail(&app, "anna@bau-huber.at", "Abgesagt").await?;
        let ics = python_ics(&cancel_mail)?;
        assert_eq!(ics["method"], "CANCEL");
        assert_eq!(ics["content_method"], "CANCEL");
        assert_eq!(ics["status"], "CANCELLED");
        assert_eq!(ics["sequence"], 1);
        assert_eq!(ics["uid"], format!("booking-{}@kipilot.test", b.id));
        // The slot is free again.
        let (_, html) = app
            .get_text(&format!("/erstgespraech?tag={}", vienna_date(start)))
            .await?;
        assert!(slot_ids(&html).contains(&slot));
        Ok(())
    }
);

db_test!(
    hundred_concurrent_bookings_of_one_slot_have_exactly_one_winner,
    Options {
        trust_proxy: true,
        ..Options::default()
    },
    |app: TestApp| async move {
        set_availability(
            &app,
            MeetingKind::Erstgespraech,
            &every_day("08:00-18:00", 28),
        )
        .await?;
        let slot = first_slot(&app).await?;
        let token = app.form_token("/erstgespraech").await?;
        let mut tasks = Vec::new();
        for i in 0..100u32 {
            let client = app.client.clone();
            let url = app.url("/erstgespraech");
            let email = format!("person{i}@firma{i}.at");
            let body = serde_urlencoded::to_string(fields(&token, &slot, &email))?;
            tasks.push(tokio::spawn(async move {
                let r = client
                    .post(url)
                    .header("content-type", "application/x-www-form-urlencoded")
                    .header(
                        "x-forwarded-for",
                        format!("10.1.{}.{}", i / 200, i % 200 + 1),
                    )
                    .body(body)
                    .send()
                    .await?;
                let status = r.status().as_u16();
                let text = r.text().await?;
                anyhow::Ok((status, text))
            }));
        }
        let mut winners = 0;
        let mut losers = 0;
        for t in tasks {
            let (status, text) = t.await??;
            match status {
                303 => winners += 1,
                409 => {
                    assert!(text.contains(TAKEN), "loser page names the conflict");
                    assert!(
                        text.contains("Die nächsten freien Termine"),
                        "and offers next slots"
                    );
                    assert!(text.contains("value=\"Bau Huber GmbH\""), "form kept");
                    losers += 1;
                }
                other => panic!("unexpected status {other}: {text}"),
            }
        }
        assert_eq!((winners, losers), (1, 99));
        let active = storage::booking::list(
            &app.db,
            storage::booking::ListFilter::All,
            UnixMs::now(),
            1000,
        )
        .await?;
        assert_eq!(active.len(), 1, "exactly one booking row");
        let leads =
            storage::leads::list(&app.db, &storage::leads::LeadFilter::default(), 1000).await?;
        assert_eq!(leads.len(), 1, "losers leave no lead behind");
        assert_eq!(count_kind(&app, "termin-gebucht").await?, 1);
        Ok(())
    }
);

fn last_sunday(year: i16, month: i8) -> Date {
    let mut d = Date::new(year, month, 31).expect("date");
    while weekday_index(d) != 6 {
        d = add_days(d, -1);
    }
    d
}

/// The next last Sunday of `month` after today (Vienna).
fn next_switch(month: i8) -> Date {
    let today = vienna_date(UnixMs::now());
    [today.year(), today.year() + 1]
        .into_iter()
        .map(|y| last_sunday(y, month))
        .find(|d| *d > today)
        .expect("switch day")
}

db_test!(
    dst_switch_days_have_no_phantom_or_double_slots_and_invites_keep_vienna_time,
    Options::with_smtp(),
    |app: TestApp| async move {
        let mut a = every_day("01:00-04:00, 09:00-10:00", 366);
        a.buffer_after_min = 0;
        set_availability(&app, MeetingKind::Erstgespraech, &a).await?;
        let march = next_switch(3);
        let october = next_switch(10);

        let (_, html) = app.get_text(&format!("/erstgespraech?tag={march}")).await?;
        assert_eq!(
            labels(&slot_ids(&html)),
            ["01:00", "01:30", "03:00", "03:30", "09:00", "09:30"],
            "no slot in the skipped hour on {march}"
        );
        let (_, html) = app
            .get_text(&format!("/erstgespraech?tag={october}"))
            .await?;
        let oct = labels(&slot_ids(&html));
        assert_eq!(
            oct,
            [
                "01:00", "01:30", "02:00", "02:30", "03:00", "03:30", "09:00", "09:30"
            ],
            "the repeated hour is offered once on {october}"
        );
        // A tampered id for the second 02:00 (one hour after the first) is refused.
        let first_two = vienna_instant(october, 120).expect("02:00");
        let token = app.form_token("/erstgespraech").await?;
        let second_two = first_two.plus_hours(1).0.to_string();
        let r = app
            .post_form("/erstgespraech", &fields(&token, &second_two, "x@firma.at"))
            .await?;
        assert_eq!(r.status().as_u16(), 422);

        // Book 09:00 on the March switch day: the invitation says 09:00 summer time.
        let nine = vienna_instant(march, 9 * 60).expect("09:00");
        let r = book(&app, &nine.0.to_string(), "dst@firma.at").await?;
        assert_eq!(r.status().as_u16(), 303);
        let mail = wait_for_mail(&app, "dst@firma.at", "Bitte best").await?;
        let ics = python_ics(&mail)?;
        assert_eq!(ics["vienna_local"], format!("{march} 09:00"));
        assert_eq!(ics["vienna_offset"], "+0200");
        assert_eq!(ics["utc"], format!("{march}T07:00Z"));

        // Confirm, then the reminder goes out exactly 24 real hours before (08:00 CET on
        // Saturday), once.
        let token = link_token(&mail.text(), "bestaetigen").expect("confirm");
        let r = app
            .post_form("/termin/bestaetigen", &[("t", &token)])
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        let b = only_booking(&app).await?;
        let due = UnixMs(b.start_ms - 86_400_000);
        assert_eq!(b.reminder_at_ms, Some(due.0));
        assert_eq!(vienna_clock(due), "08:00");
        assert_eq!(
            worker::tick(&app.state, due.plus_ms(-60_000))
                .await?
                .reminders,
            0
        );
        assert_eq!(worker::tick(&app.state, due).await?.reminders, 1);
        assert_eq!(
            worker::tick(&app.state, due.plus_ms(60_000))
                .await?
                .reminders,
            0
        );
        assert_eq!(count_kind(&app, "termin-erinnerung").await?, 1);
        // Queued at the simulated instant, so it sits in the outbox until then.
        let reminder = app
            .outbox()
            .await?
            .into_iter()
            .find(|m| m.kind == "termin-erinnerung")
            .expect("reminder");
        assert_eq!(reminder.next_attempt_ms, due.0);
        assert!(reminder.body_text.contains("09:00 Uhr"));
        Ok(())
    }
);

db_test!(
    reschedule_keeps_the_uid_and_old_or_tampered_links_do_nothing,
    Options::with_smtp(),
    |app: TestApp| async move {
        set_availability(
            &app,
            MeetingKind::Erstgespraech,
            &every_day("08:00-18:00", 28),
        )
        .await?;
        let slot = first_slot(&app).await?;
        assert_eq!(
            book(&app, &slot, "anna@bau-huber.at")
                .await?
                .status()
                .as_u16(),
            303
        );
        let confirm = outbox_token(&app, "termin-gebucht", "bestaetigen").await?;
        app.post_form("/termin/bestaetigen", &[("t", &confirm)])
            .await?;
        let old_cancel = outbox_token(&app, "termin-gebucht", "absagen").await?;
        let old_move = outbox_token(&app, "termin-gebucht", "verschieben").await?;

        // Tampered tokens: 404, nothing changes.
        let last = old_cancel.chars().last().expect("char");
        let flipped = if last == '0' { '1' } else { '0' };
        let tampered = format!("{}{flipped}", &old_cancel[..old_cancel.len() - 1]);
        let b0 = only_booking(&app).await?;
        let forged_id = old_cancel.replacen(&format!("{}.", b0.id), &format!("{}.", b0.id + 1), 1);
        for bad in [
            tampered.as_str(),
            forged_id.as_str(),
            "",
            "1.0.zz",
            "../../etc",
        ] {
            let r = app.post_form("/termin/absagen", &[("t", bad)]).await?;
            assert_eq!(r.status().as_u16(), 404, "{bad:?}");
            let (status, _) = app.get_text(&format!("/termin/absagen?t={bad}")).await?;
            assert_eq!(status, 404);
        }
        // A cancel token cannot be used to confirm or reschedule.
        let r = app
            .post_form(
                "/termin/verschieben",
                &[("t", &old_cancel), ("slot", &slot)],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 404);

        // Reschedule to another slot.
        let (status, html) = app
            .get_text(&format!("/termin/verschieben?t={old_move}"))
            .await?;
        assert_eq!(status, 200);
        assert!(html.contains("Ihr bisheriger Termin"));
        let new_slot = slot_ids(&html)
            .into_iter()
            .find(|s| *s != slot)
            .expect("another slot");
        let r = app
            .post_form(
                "/termin/verschieben",
                &[("t", &old_move), ("slot", &new_slot)],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.text().await?.contains("verschoben"));
        let b = only_booking(&app).await?;
        assert_eq!(
            (b.start_ms.to_string(), b.sequence, b.status.as_str()),
            (new_slot.clone(), 1, "bestaetigt")
        );
        let moved = wait_for_mail(&app, "anna@bau-huber.at", "Verschoben").await?;
        let ics = python_ics(&moved)?;
        assert_eq!(
            (ics["method"].as_str(), ics["sequence"].as_i64()),
            (Some("REQUEST"), Some(1))
        );
        assert_eq!(ics["uid"], format!("booking-{}@kipilot.test", b.id));

        // The old links are outdated now: replaying them changes nothing.
        let r = app
            .post_form("/termin/absagen", &[("t", &old_cancel)])
            .await?;
        assert_eq!(r.status().as_u16(), 410);
        assert!(r.text().await?.contains("gilt nicht mehr"));
        let r = app
            .post_form("/termin/verschieben", &[("t", &old_move), ("slot", &slot)])
            .await?;
        assert_eq!(r.status().as_u16(), 410);
        assert_eq!(only_booking(&app).await?.status, "bestaetigt");

        // The new cancel link works once; a replay sends nothing more.
        let new_cancel = link_token(&moved.text(), "absagen").expect("new cancel link");
        let r = app
            .post_form("/termin/absagen", &[("t", &new_cancel)])
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        let r = app
            .post_form("/termin/absagen", &[("t", &new_cancel)])
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.text().await?.contains("bereits abgesagt"));
        assert_eq!(count_kind(&app, "termin-abgesagt").await?, 1);
        let b = only_booking(&app).await?;
        assert_eq!((b.status.as_str(), b.sequence), ("abgesagt", 2));
        let cancelled = wait_for_mail(&app, "anna@bau-huber.at", "Abgesagt").await?;
        assert_eq!(python_ics(&cancelled)?["sequence"], 2);
        // Rescheduling a cancelled booking is refused too.
        let r = app
            .post_form(
                "/termin/verschieben",
                &[
                    (
                        "t",
                        &link_token(&moved.text(), "verschieben").expect("move"),
                    ),
                    ("slot", &slot),
                ],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.text().await?.contains("bereits abgesagt"));
        Ok(())
    }
);

db_test!(
    unconfirmed_bookings_lapse_and_free_the_slot,
    Options::default(),
    |app: TestApp| async move {
        set_availability(
            &app,
            MeetingKind::Erstgespraech,
            &every_day("08:00-18:00", 28),
        )
        .await?;
        let slot = first_slot(&app).await?;
        assert_eq!(
            book(&app, &slot, "typo@firma.att").await?.status().as_u16(),
            303
        );
        let b = only_booking(&app).await?;
        let deadline = b.expires_ms.expect("deadline");
        assert!(deadline <= b.created_ms + 24 * 3_600_000 && deadline <= b.start_ms);
        let (_, html) = app.get_text("/erstgespraech").await?;
        assert!(!slot_ids(&html).contains(&slot), "held while unconfirmed");

        // Before the deadline nothing lapses; at it, the booking lapses once.
        assert_eq!(
            worker::tick(&app.state, UnixMs(deadline - 1)).await?.lapsed,
            0
        );
        assert_eq!(worker::tick(&app.state, UnixMs(deadline)).await?.lapsed, 1);
        assert_eq!(
            worker::tick(&app.state, UnixMs(deadline + 1)).await?.lapsed,
            0
        );
        assert_eq!(only_booking(&app).await?.status, "verfallen");
        let lapse = app
            .outbox()
            .await?
            .into_iter()
            .find(|m| m.kind == "termin-verfallen")
            .expect("lapse mail");
        let ics = lapse.ics.expect("calendar");
        assert!(ics.contains("METHOD:CANCEL") && ics.contains("SEQUENCE:1"));
        let (_, html) = app.get_text("/erstgespraech").await?;
        assert!(slot_ids(&html).contains(&slot), "free again");
        // The confirmation link no longer works.
        let confirm = outbox_token(&app, "termin-gebucht", "bestaetigen").await?;
        let r = app
            .post_form("/termin/bestaetigen", &[("t", &confirm)])
            .await?;
        assert_eq!(r.status().as_u16(), 410);
        assert!(r.text().await?.contains("verfallen"));
        // And somebody else can book the slot.
        assert_eq!(
            book(&app, &slot, "real@firma.at").await?.status().as_u16(),
            303
        );
        // Booking again with the same address (the mail did not arrive) replaces the
        // unconfirmed booking, even for the same slot, and withdraws its invitation.
        assert_eq!(
            book(&app, &slot, "real@firma.at").await?.status().as_u16(),
            303
        );
        let rows = storage::booking::list(
            &app.db,
            storage::booking::ListFilter::All,
            UnixMs::now(),
            10,
        )
        .await?;
        let active: Vec<_> = rows.iter().filter(|b| b.status == "offen").collect();
        assert_eq!(active.len(), 1);
        let replaced = rows
            .iter()
            .find(|b| b.cancelled_by.as_deref() == Some("ersetzt"))
            .expect("replaced");
        assert_eq!(
            (replaced.status.as_str(), replaced.sequence),
            ("abgesagt", 1)
        );
        let mail = app
            .outbox()
            .await?
            .into_iter()
            .find(|m| m.kind == "termin-ersetzt")
            .expect("withdrawal");
        assert!(mail.ics.expect("ics").contains("METHOD:CANCEL"));
        // Another address still cannot take it.
        assert_eq!(
            book(&app, &slot, "other@firma.at").await?.status().as_u16(),
            409
        );
        Ok(())
    }
);

db_test!(
    bad_input_gets_a_german_message_and_keeps_the_form,
    Options::default(),
    |app: TestApp| async move {
        set_availability(
            &app,
            MeetingKind::Erstgespraech,
            &every_day("08:00-18:00", 28),
        )
        .await?;
        let slot = first_slot(&app).await?;
        let start = UnixMs(slot.parse()?);
        let day = vienna_date(start);
        let past = vienna_instant(add_days(vienna_date(UnixMs::now()), -1), 9 * 60)
            .expect("past")
            .0
            .to_string();
        let evening = vienna_instant(day, 20 * 60).expect("20:00").0.to_string();
        let off_grid = (start.0 + 60_000).to_string();
        let far = vienna_instant(add_days(day, 60), 9 * 60)
            .expect("far")
            .0
            .to_string();
        let cases: Vec<(String, &str)> = vec![
            (past, "in der Vergangenheit"),
            (evening, "nicht anbieten"),
            (off_grid, "nicht anbieten"),
            (far, "nicht anbieten"),
            (
                "abc".to_owned(),
                "Bitte wählen Sie oben einen freien Termin aus.",
            ),
            (
                "99999999999999999999".to_owned(),
                "Bitte wählen Sie oben einen freien Termin aus.",
            ),
            (
                "".to_owned(),
                "Bitte wählen Sie oben einen freien Termin aus.",
            ),
        ];
        for (slot_id, message) in &cases {
            let token = app.form_token("/erstgespraech").await?;
            let r = app
                .post_form(
                    "/erstgespraech",
                    &fields(&token, slot_id, "anna@bau-huber.at"),
                )
                .await?;
            assert_eq!(r.status().as_u16(), 422, "{slot_id}");
            let html = r.text().await?;
            assert!(html.contains(message), "{slot_id}: {message}");
            assert!(html.contains("value=\"Bau Huber GmbH\""), "form kept");
            assert!(html.contains("Dürfen wir Kundendaten"), "message kept");
        }
        let token = app.form_token("/erstgespraech").await?;
        let long_name = "N".repeat(121);
        let long_message = "x".repeat(2001);
        let mut f = fields(&token, &slot, "anna@bau-huber");
        f.retain(|(k, _)| !matches!(*k, "name" | "consent" | "message" | "channel" | "phone"));
        f.push(("name", &long_name));
        f.push(("message", &long_message));
        f.push(("channel", "telefon"));
        f.push(("topics", "<script>"));
        let r = app.post_form("/erstgespraech", &f).await?;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await?;
        for message in [
            "Der Name ist zu lang",
            "Nach dem @ fehlt eine gültige Domain",
            "Bitte bestätigen Sie, dass wir Ihre Angaben für den Termin verwenden dürfen",
            "Für ein Telefonat brauchen wir Ihre Nummer",
            "Bitte wählen Sie nur aus den angebotenen Themen",
            "Ihre Nachricht ist zu lang",
        ] {
            assert!(html.contains(message), "{message}");
        }
        assert!(!html.contains("<script>"), "escaped");
        assert!(
            html.contains(&format!("value=\"{slot}\" checked")),
            "chosen slot kept"
        );
        // A forged form token is refused, the form kept.
        let r = app
            .post_form(
                "/erstgespraech",
                &fields("1.2.3", &slot, "anna@bau-huber.at"),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await?.contains("value=\"Anna Huber\""));
        // Nothing was booked, no lead created.
        assert!(
            storage::booking::list(
                &app.db,
                storage::booking::ListFilter::All,
                UnixMs::now(),
                10
            )
            .await?
            .is_empty()
        );
        assert!(
            storage::leads::find_by_email(&app.db, "anna@bau-huber.at")
                .await?
                .is_none()
        );
        // A slot taken in the meantime: the conflict message plus the next free slots.
        assert_eq!(
            book(&app, &slot, "first@firma.at").await?.status().as_u16(),
            303
        );
        let r = book(&app, &slot, "second@firma.at").await?;
        assert_eq!(r.status().as_u16(), 409);
        let html = r.text().await?;
        assert!(html.contains(TAKEN) && html.contains("Die nächsten freien Termine"));
        assert!(html.contains("value=\"second@firma.at\""));
        // Odd query parameters never break the page.
        for q in [
            "?tag=2026-02-30",
            "?tag=9999-01-01",
            "?tag=%00",
            "?source=%3Cscript%3E",
            "?tag=1900-01-01",
        ] {
            let (status, html) = app.get_text(&format!("/erstgespraech{q}")).await?;
            assert_eq!(status, 200, "{q}");
            assert!(!html.contains("<script>"));
        }
        Ok(())
    }
);

const GET_ROUTES: &[&str] = &[
    "/admin/termine",
    "/admin/termine?alle=1",
    "/admin/termine/einstellungen/erstgespraech",
    "/admin/termine/einstellungen/eins-zu-eins",
    "/admin/termine/sperrzeiten",
];
const POST_ROUTES: &[&str] = &[
    "/admin/termine/1/absagen",
    "/admin/termine/einstellungen/erstgespraech",
    "/admin/termine/sperrzeiten",
    "/admin/termine/sperrzeiten/1/loeschen",
    "/admin/leads/1/termin-link",
];

db_test!(
    every_booking_admin_route_requires_a_session_and_csrf,
    Options::default(),
    |app: TestApp| async move {
        assert_eq!(
            book(&app, &first_slot(&app).await?, "anna@bau-huber.at")
                .await?
                .status()
                .as_u16(),
            303
        );
        for path in GET_ROUTES {
            for cookie in [
                "",
                "kipilot_admin=0000000000000000000000000000000000000000000000000000000000000000",
            ] {
                let r = app.get_with_cookie(path, cookie).await?;
                assert_eq!(r.status().as_u16(), 303, "GET {path}");
                assert_eq!(r.headers()["location"], "/admin/login");
                assert!(!r.text().await?.contains("anna@bau-huber.at"));
            }
        }
        for path in POST_ROUTES {
            let r = app
                .post_form(path, &[("duration", "45"), ("from", "2030-01-01")])
                .await?;
            assert_eq!(r.status().as_u16(), 303, "POST {path}");
            assert_eq!(r.headers()["location"], "/admin/login");
        }
        let cookie = app.login_admin("team@odoublet.test").await?;
        for path in POST_ROUTES {
            let r = app
                .post_form_with(path, &[("duration", "45")], Some(&cookie))
                .await?;
            assert_eq!(r.status().as_u16(), 403, "POST {path} without csrf");
        }
        assert_eq!(only_booking(&app).await?.status, "offen");
        Ok(())
    }
);

db_test!(
    the_team_sets_hours_closes_days_and_cancels_bookings,
    Options::default(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        let csrf = app.csrf(&cookie).await?;
        let html = app
            .get_with_cookie("/admin/termine/einstellungen/erstgespraech", &cookie)
            .await?
            .text()
            .await?;
        assert!(html.contains("09:00-12:00, 13:00-16:00"), "defaults shown");
        let mut form = vec![
            ("csrf", csrf.as_str()),
            ("duration", "5"),
            ("buffer_before", "0"),
            ("buffer_after", "10"),
            ("notice", "2"),
            ("horizon", "28"),
            ("day0", "08:00-12:00, 11:00-13:00"),
            ("video_url", "javascript:alert(1)"),
            ("phone_option", "on"),
        ];
        let r = app
            .post_form_with(
                "/admin/termine/einstellungen/erstgespraech",
                &form,
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await?;
        assert!(
            html.contains("Dauer in Minuten")
                && html.contains("überschneiden")
                && html.contains("https://")
        );
        assert!(
            html.contains("value=\"08:00-12:00, 11:00-13:00\""),
            "input kept"
        );
        form.retain(|(k, _)| !matches!(*k, "duration" | "day0" | "video_url"));
        let days = ["08:00-18:00"; 7];
        let names = ["day0", "day1", "day2", "day3", "day4", "day5", "day6"];
        for (n, d) in names.iter().zip(days.iter()) {
            form.push((n, d));
        }
        form.push(("duration", "45"));
        form.push(("video_url", "https://meet.example/raum"));
        let r = app
            .post_form_with(
                "/admin/termine/einstellungen/erstgespraech",
                &form,
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let a = kipilot::booking::availability(&app.db, MeetingKind::Erstgespraech).await?;
        assert_eq!(
            (a.duration_min, a.min_notice_min, a.block_holidays),
            (45, 120, false)
        );

        // Close the first bookable day: no slots there any more.
        let slot = first_slot(&app).await?;
        let day = vienna_date(UnixMs(slot.parse()?));
        let r = app
            .post_form_with(
                "/admin/termine/sperrzeiten",
                &[
                    ("csrf", &csrf),
                    ("from", &day.to_string()),
                    ("to", ""),
                    ("note", "Messe"),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let (_, html) = app.get_text(&format!("/erstgespraech?tag={day}")).await?;
        assert!(slot_ids(&html).is_empty(), "closed day offers nothing");
        let html = app
            .get_with_cookie("/admin/termine/sperrzeiten", &cookie)
            .await?
            .text()
            .await?;
        assert!(html.contains("Messe") && html.contains("Fronleichnam"));
        let r = app
            .post_form_with(
                "/admin/termine/sperrzeiten",
                &[
                    ("csrf", &csrf),
                    ("from", "2030-05-02"),
                    ("to", "2030-05-01"),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);

        // A booking appears in the list; the team cancels it and the visitor gets a CANCEL.
        let slot = first_slot(&app).await?;
        assert_eq!(
            book(&app, &slot, "anna@bau-huber.at")
                .await?
                .status()
                .as_u16(),
            303
        );
        let b = only_booking(&app).await?;
        let html = app
            .get_with_cookie("/admin/termine", &cookie)
            .await?
            .text()
            .await?;
        assert!(html.contains("Bau Huber GmbH (Anna Huber)") && html.contains("unbestätigt"));
        let r = app
            .post_form_with(
                &format!("/admin/termine/{}/absagen", b.id),
                &[("csrf", &csrf)],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let b = only_booking(&app).await?;
        assert_eq!(
            (b.status.as_str(), b.cancelled_by.as_deref()),
            ("abgesagt", Some("team@odoublet.test"))
        );
        let mail = app
            .outbox()
            .await?
            .into_iter()
            .find(|m| m.kind == "termin-abgesagt")
            .expect("mail");
        assert!(mail.body_text.contains("müssen wir Ihren Termin absagen"));
        assert!(mail.ics.expect("ics").contains("METHOD:CANCEL"));
        let html = app
            .get_with_cookie(&format!("/admin/leads/{}", b.lead_id), &cookie)
            .await?
            .text()
            .await?;
        assert!(html.contains("Erstgespräch gebucht für") && html.contains("abgesagt"));
        let html = app
            .get_with_cookie("/admin/termine", &cookie)
            .await?
            .text()
            .await?;
        assert!(
            !html.contains("Bau Huber GmbH (Anna Huber)"),
            "upcoming list drops cancelled"
        );
        let html = app
            .get_with_cookie("/admin/termine?alle=1", &cookie)
            .await?
            .text()
            .await?;
        assert!(html.contains("Bau Huber GmbH (Anna Huber)") && html.contains("abgesagt"));
        Ok(())
    }
);

db_test!(
    one_to_one_meetings_are_for_participants_with_a_personal_link,
    Options::default(),
    |app: TestApp| async move {
        app.apply("paul@tischlerei.at").await?;
        let lead = storage::leads::find_by_email(&app.db, "paul@tischlerei.at")
            .await?
            .expect("lead");
        let cookie = app.login_admin("team@odoublet.test").await?;
        let csrf = app.csrf(&cookie).await?;
        let html = app
            .get_with_cookie(&format!("/admin/leads/{}", lead.id), &cookie)
            .await?
            .text()
            .await?;
        assert!(
            !html.contains("1:1-Termin-Link"),
            "not for leads before Teilnehmer"
        );
        let r = app
            .post_form_with(
                &format!("/admin/leads/{}/termin-link", lead.id),
                &[("csrf", &csrf)],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 400);

        storage::leads::set_stage(
            &app.db,
            lead.id,
            domain::LeadStage::Teilnehmer,
            "test",
            UnixMs::now(),
        )
        .await?;
        let html = app
            .get_with_cookie(&format!("/admin/leads/{}", lead.id), &cookie)
            .await?
            .text()
            .await?;
        assert!(html.contains("1:1-Termin-Link"));
        let start = html.find("/termin/eins-zu-eins?zugang=").expect("link");
        let access: String = html[start + "/termin/eins-zu-eins?zugang=".len()..]
            .chars()
            .take_while(|c| c.is_ascii_hexdigit() || *c == '.')
            .collect();
        let r = app
            .post_form_with(
                &format!("/admin/leads/{}/termin-link", lead.id),
                &[("csrf", &csrf)],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let mail = app
            .outbox()
            .await?
            .into_iter()
            .find(|m| m.kind == "termin-link")
            .expect("link mail");
        assert!(mail.body_text.contains(&access));

        let page = format!("/termin/eins-zu-eins?zugang={access}");
        let (status, html) = app.get_text(&page).await?;
        assert_eq!(status, 200);
        assert!(html.contains("1:1-Termin vereinbaren") && html.contains("paul@tischlerei.at"));
        assert!(!html.contains("name=\"consent\""));
        let slot = slot_ids(&html).into_iter().next().expect("a 1:1 slot");
        let token = app.form_token(&page).await?;
        let r = app
            .post_form(
                "/termin/eins-zu-eins",
                &[
                    ("form_token", &token),
                    ("zugang", &access),
                    ("slot", &slot),
                    ("topics", "analyse"),
                    ("email", "evil@attacker.test"),
                ],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.text().await?.contains("eingetragen"));
        let b = only_booking(&app).await?;
        assert_eq!(
            (b.kind.as_str(), b.status.as_str(), b.lead_id),
            ("eins-zu-eins", "bestaetigt", lead.id)
        );
        assert_eq!(
            b.email, "paul@tischlerei.at",
            "address from the lead, not the form"
        );
        assert_eq!(b.end_ms - b.start_ms, 60 * 60_000);
        assert_eq!(count_kind(&app, "team-benachrichtigung").await?, 1);
        // The public first-call page does not offer this time any more (one calendar).
        let (_, html) = app
            .get_text(&format!(
                "/erstgespraech?tag={}",
                vienna_date(UnixMs(b.start_ms))
            ))
            .await?;
        assert!(!slot_ids(&html).contains(&slot));

        // Tampered, foreign-kind or revoked links are refused.
        let tampered = access.replacen(&format!("{}.", lead.id), &format!("{}.", lead.id + 1), 1);
        for bad in [tampered.as_str(), "", "1.99999999999999.00"] {
            let (status, _) = app
                .get_text(&format!("/termin/eins-zu-eins?zugang={bad}"))
                .await?;
            assert_eq!(status, 403, "{bad:?}");
        }
        storage::leads::set_stage(
            &app.db,
            lead.id,
            domain::LeadStage::Kontaktiert,
            "test",
            UnixMs::now(),
        )
        .await?;
        let (status, html) = app.get_text(&page).await?;
        assert_eq!(status, 403);
        assert!(html.contains("Erstgespräch vereinbaren"));
        Ok(())
    }
);

db_test!(
    bookings_are_exported_erased_and_expire_with_retention,
    Options::default(),
    |app: TestApp| async move {
        set_availability(
            &app,
            MeetingKind::Erstgespraech,
            &every_day("08:00-18:00", 28),
        )
        .await?;
        assert_eq!(
            book(&app, &first_slot(&app).await?, "anna@bau-huber.at")
                .await?
                .status()
                .as_u16(),
            303
        );
        let b = only_booking(&app).await?;
        let export = storage::leads::export(&app.db, b.lead_id)
            .await?
            .expect("export");
        assert_eq!(export.bookings.len(), 1);
        assert!(
            export
                .mails
                .iter()
                .any(|m| m.subject.contains("Erstgespräch"))
        );
        let cookie = app.login_admin("team@odoublet.test").await?;
        let json = app
            .get_with_cookie(&format!("/admin/leads/{}/export.json", b.lead_id), &cookie)
            .await?
            .text()
            .await?;
        assert!(json.contains("\"bookings\"") && json.contains("Bau Huber GmbH"));

        // Retention: a cancelled booking goes 30 days after the change (the confirmed lead
        // stays).
        let confirm = outbox_token(&app, "termin-gebucht", "bestaetigen").await?;
        app.post_form("/termin/bestaetigen", &[("t", &confirm)])
            .await?;
        let cancel = outbox_token(&app, "termin-gebucht", "absagen").await?;
        app.post_form("/termin/absagen", &[("t", &cancel)]).await?;
        let now = UnixMs::now();
        kipilot::privacy::run_retention(&app.db, now.plus_hours(29 * 24)).await?;
        assert_eq!(
            storage::booking::for_lead(&app.db, b.lead_id).await?.len(),
            1
        );
        kipilot::privacy::run_retention(&app.db, now.plus_hours(31 * 24)).await?;
        assert!(storage::booking::get(&app.db, b.id).await?.is_none());
        assert!(storage::leads::get(&app.db, b.lead_id).await?.is_some());

        // Erasure takes bookings with the lead.
        assert_eq!(
            book(&app, &first_slot(&app).await?, "zweite@firma.at")
                .await?
                .status()
                .as_u16(),
            303
        );
        let b = only_booking(&app).await?;
        assert!(storage::leads::erase(&app.db, b.lead_id, "test", "Test", UnixMs::now()).await?);
        assert!(storage::booking::get(&app.db, b.id).await?.is_none());
        assert!(
            app.outbox()
                .await?
                .iter()
                .all(|m| m.to_addr != "zweite@firma.at")
        );
        Ok(())
    }
);

db_test!(
    the_database_refuses_overlapping_bookings_even_without_the_page,
    Options::default(),
    |app: TestApp| async move {
        // Two bookings whose meetings do not overlap but whose buffers do: the second is
        // refused by storage (re-check; on PostgreSQL also the exclusion constraint).
        let start = UnixMs::now().plus_hours(48);
        let new = |start: UnixMs, email: &str| storage::booking::NewBooking {
            kind: "erstgespraech".to_owned(),
            start,
            end: start.plus_ms(30 * 60_000),
            block_start: start,
            block_end: start.plus_ms(40 * 60_000),
            name: "N".to_owned(),
            company: "C".to_owned(),
            email: email.to_owned(),
            phone: None,
            topics: String::new(),
            interests: String::new(),
            channel: "video".to_owned(),
            message: None,
            source: None,
            location: "Videocall".to_owned(),
            expires: Some(start),
            reminder_at: None,
            lead_id: None,
            note: "test".to_owned(),
        };
        let now = UnixMs::now();
        let first = storage::booking::book(
            &app.db,
            &new(start, "a@firma.at"),
            None,
            now,
            |_, _, _| vec![],
        )
        .await?;
        assert!(matches!(
            first,
            storage::booking::BookOutcome::Booked { .. }
        ));
        let second = storage::booking::book(
            &app.db,
            &new(start.plus_ms(35 * 60_000), "b@firma.at"),
            None,
            now,
            |_, _, _| vec![],
        )
        .await?;
        assert_eq!(second, storage::booking::BookOutcome::Taken);
        assert!(
            storage::leads::find_by_email(&app.db, "b@firma.at")
                .await?
                .is_none(),
            "rolled back"
        );
        let third = storage::booking::book(
            &app.db,
            &new(start.plus_ms(40 * 60_000), "c@firma.at"),
            None,
            now,
            |_, _, _| vec![],
        )
        .await?;
        assert!(
            matches!(third, storage::booking::BookOutcome::Booked { .. }),
            "touching ranges are fine"
        );

        // On PostgreSQL the constraint itself refuses an overlapping row written by hand.
        if let storage::Db::Postgres(pool) = &app.db {
            let b =
                storage::booking::list(&app.db, storage::booking::ListFilter::All, now, 10).await?;
            let lead_id = b[0].lead_id;
            let insert = |status: &'static str| {
                sqlx::query(
                    "INSERT INTO bookings (kind, lead_id, status, start_ms, end_ms, block_start_ms, block_end_ms, name, company, email, topics, channel, location, sequence, created_ms, updated_ms)
                     VALUES ('erstgespraech', $1, $4, $2, $3, $2, $3, 'x', 'x', 'x', '', 'video', 'x', 0, 0, 0)",
                )
                .bind(lead_id)
                .bind(start.0 + 60_000)
                .bind(start.0 + 120_000)
                .bind(status)
            };
            let err = insert("bestaetigt")
                .execute(pool)
                .await
                .expect_err("exclusion constraint");
            let code = err
                .as_database_error()
                .and_then(|e| e.code())
                .map(|c| c.into_owned());
            assert_eq!(code.as_deref(), Some("23P01"));
            // A cancelled row may overlap: only active bookings hold time.
            insert("abgesagt").execute(pool).await?;
        }
        Ok(())
    }
);
