//! Round-tables: registration with double opt-in and real SMTP, capacity under concurrency,
//! waitlist promotion, personal links (tampered, replayed), minutes behind the link,
//! reminders, cancellation calendars parsed by Python's `icalendar`, privacy, bad input and
//! the back office's authorization.

use std::time::Duration;

use domain::UnixMs;
use domain::events::{EventDraft, Registration};
use kipilot::events::mails::Mailer;
use kipilot::events::{LinkPurpose, link_token};
use storage::events::RegistrationRow;
use storage::leads::ConsentGiven;

use crate::db_test;
use crate::helpers::{Options, TestApp, eventually, extract_attr};

const CONSENT: ConsentGiven<'static> = ConsentGiven {
    form: "veranstaltung",
    text_version: "test",
    text_hash: "test",
};

/// Creates an event `hours` from now directly in storage; returns (id, slug).
async fn event(app: &TestApp, slug: &str, capacity: i64, hours: i64) -> anyhow::Result<i64> {
    let draft = EventDraft {
        title: "Round-Table Dezember".to_owned(),
        slug: slug.to_owned(),
        starts: UnixMs::now().plus_hours(hours),
        duration_min: 90,
        online_url: "https://meet.example.at/rt".to_owned(),
        capacity,
        description_md: "Thema: **Kundendaten und ChatGPT**".to_owned(),
    };
    Ok(storage::events::create_event(&app.db, &draft, UnixMs::now()).await?)
}

/// An event on a fixed Vienna wall-clock time (for calendar checks).
async fn event_at(
    app: &TestApp,
    slug: &str,
    date: &str,
    time: &str,
    capacity: i64,
) -> anyhow::Result<i64> {
    let draft = EventDraft {
        title: "Round-Table; Jänner, \"KI\" <b>live</b>".to_owned(),
        slug: slug.to_owned(),
        starts: domain::events::vienna_instant(date, time).expect("valid time"),
        duration_min: 90,
        online_url: "https://meet.example.at/rt".to_owned(),
        capacity,
        description_md: String::new(),
    };
    Ok(storage::events::create_event(&app.db, &draft, UnixMs::now()).await?)
}

/// Registers through the public form, as a browser would.
async fn register(
    app: &TestApp,
    slug: &str,
    name: &str,
    email: &str,
) -> anyhow::Result<reqwest::Response> {
    let token = app
        .form_token(&format!("/veranstaltungen/{slug}?source=wko-linz"))
        .await?;
    let (_, html) = app
        .get_text(&format!("/veranstaltungen/{slug}?source=wko-linz"))
        .await?;
    let source = extract_attr(&html, "name=\"source\" value=\"").unwrap_or_default();
    app.post_form(
        &format!("/veranstaltungen/{slug}/anmelden"),
        &[
            ("form_token", &token),
            ("name", name),
            ("email", email),
            ("company", "Bau Huber GmbH"),
            ("consent", "on"),
            ("source", &source),
        ],
    )
    .await
}

/// Registers directly in storage (for many registrations at once).
async fn register_direct(app: &TestApp, event_id: i64, email: &str) -> anyhow::Result<i64> {
    let mailer = Mailer::load(&app.state, UnixMs::now()).await?;
    let reg = Registration {
        name: "Teilnehmer".to_owned(),
        email: domain::Email::parse(email).map_err(|e| anyhow::anyhow!("{e}"))?,
        source: None,
    };
    let salt = format!("salt-{email}");
    match storage::events::submit(
        &app.db,
        event_id,
        &reg,
        None,
        CONSENT,
        &salt,
        UnixMs::now(),
        &mailer,
    )
    .await?
    {
        storage::events::SubmitOutcome::Created(id) => Ok(id),
        other => anyhow::bail!("unexpected {other:?}"),
    }
}

async fn reg(app: &TestApp, id: i64) -> anyhow::Result<RegistrationRow> {
    storage::events::registration(&app.db, id)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no registration {id}"))
}

/// The `token=` value (`id.hex`) after `marker` in a text.
fn link_after(text: &str, marker: &str) -> Option<String> {
    let start = text.find(marker)? + marker.len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit() || *c == '.')
        .collect();
    (token.len() > 64).then_some(token)
}

/// Confirms via the web form; returns the page.
async fn confirm_via_web(app: &TestApp, token: &str) -> anyhow::Result<(u16, String)> {
    let r = app
        .post_form(
            "/veranstaltungen/anmeldung/bestaetigen",
            &[("token", token)],
        )
        .await?;
    Ok((r.status().as_u16(), r.text().await?))
}

fn access(app: &TestApp, reg: &RegistrationRow) -> String {
    link_token(&app.state.forms, LinkPurpose::Access, reg)
}

/// Whether `raw` appears in `html` only HTML-escaped (askama writes `&#60;`).
fn escaped(html: &str, raw: &str) -> bool {
    let numeric = raw.replace('<', "&#60;").replace('>', "&#62;");
    let named = raw.replace('<', "&lt;").replace('>', "&gt;");
    !html.contains(raw) && (html.contains(&numeric) || html.contains(&named))
}

/// Parses an iCalendar text with Python's `icalendar` and returns
/// `METHOD|SEQUENCE|STATUS|start in Vienna|end in Vienna|SUMMARY`.
fn python_ics(ics: &str) -> String {
    let python = std::env::var("KIPILOT_TEST_PYTHON")
        .unwrap_or_else(|_| "/var/tmp/kipilot-pyenv/bin/python".to_owned());
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("invite.ics");
    std::fs::write(&path, ics).expect("write ics");
    let script = r#"
import sys, zoneinfo, icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
ev = next(c for c in cal.walk() if c.name == 'VEVENT')
tz = zoneinfo.ZoneInfo('Europe/Vienna')
fmt = '%Y-%m-%d %H:%M'
print('|'.join([str(cal['METHOD']), str(ev['SEQUENCE']), str(ev['STATUS']),
    ev.decoded('DTSTART').astimezone(tz).strftime(fmt),
    ev.decoded('DTEND').astimezone(tz).strftime(fmt), str(ev['SUMMARY'])]))
"#;
    let out = std::process::Command::new(&python)
        .arg("-c")
        .arg(script)
        .arg(&path)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {python} ({e}): install the test venv with scripts/install-test-deps.sh or set KIPILOT_TEST_PYTHON"
            )
        });
    assert!(
        out.status.success(),
        "icalendar could not parse the invitation: {}\n{ics}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

db_test!(
    registration_end_to_end_with_real_smtp_and_a_calendar_invite,
    Options::with_smtp(),
    |app: TestApp| async move {
        event_at(&app, "rt-jaenner", "2027-01-12", "17:00", 5).await?;
        let (status, page) = app.get_text("/veranstaltungen").await?;
        assert_eq!(status, 200);
        assert!(page.contains("/veranstaltungen/rt-jaenner"));
        assert!(page.contains("noch 5 Plätze frei"));
        // The title's HTML is escaped on the public page.
        let (_, page) = app.get_text("/veranstaltungen/rt-jaenner").await?;
        assert!(escaped(&page, "<b>live</b>"));
        assert!(page.contains("Dienstag, 12. Jänner 2027, 17:00–18:30 Uhr"));

        let r = register(&app, "rt-jaenner", "Anna Huber", "anna@bau-huber.at").await?;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(r.headers()["location"], "/veranstaltungen/rt-jaenner/danke");
        let lead = storage::leads::find_by_email(&app.db, "anna@bau-huber.at")
            .await?
            .expect("lead created");
        assert_eq!(lead.status, "unbestaetigt");
        assert_eq!(lead.source.as_deref(), Some("wko-linz"));
        assert_eq!(lead.company, "Bau Huber GmbH");

        let smtp = app.smtp.clone().expect("smtp");
        let confirm_mail = eventually(Duration::from_secs(10), || {
            let smtp = smtp.clone();
            async move {
                Ok(smtp
                    .mails()
                    .into_iter()
                    .find(|m| m.text().contains("bestaetigen?token=")))
            }
        })
        .await?;
        assert_eq!(confirm_mail.to, vec!["<anna@bau-huber.at>"]);
        assert!(!confirm_mail.data.contains("text/calendar"));
        let token = link_after(&confirm_mail.text(), "bestaetigen?token=").expect("token");
        let (status, page) = app
            .get_text(&format!(
                "/veranstaltungen/anmeldung/bestaetigen?token={token}"
            ))
            .await?;
        assert_eq!(status, 200);
        assert!(page.contains("Anmeldung bestätigen"));
        // The GET alone (a mail scanner) confirms nothing.
        let regs = storage::events::registrations_by_email(
            &app.db,
            &domain::Email::parse("anna@bau-huber.at").expect("mail"),
        )
        .await?;
        assert_eq!(regs[0].status, "unbestaetigt");

        let (status, page) = confirm_via_web(&app, &token).await?;
        assert_eq!(status, 200);
        assert!(page.contains("Ihr Platz ist reserviert"), "{page}");
        // Replaying the confirmation changes nothing.
        let (status, page) = confirm_via_web(&app, &token).await?;
        assert_eq!(status, 200);
        assert!(page.contains("schon bestätigt"));

        let invite = eventually(Duration::from_secs(10), || {
            let smtp = smtp.clone();
            async move {
                Ok(smtp
                    .mails()
                    .into_iter()
                    .find(|m| m.data.contains("text/calendar")))
            }
        })
        .await?;
        assert!(invite.data.contains("multipart/alternative"));
        assert!(invite.data.contains("text/calendar; method=REQUEST"));
        assert!(invite.text().contains("Ihr Platz ist reserviert"));
        assert!(invite.text().contains("/veranstaltungen/anmeldung?token="));

        let stored = app
            .outbox()
            .await?
            .into_iter()
            .find(|m| m.kind == "veranstaltung-einladung")
            .expect("invitation in outbox");
        let ics = stored.ics.expect("calendar attached");
        assert_eq!(
            python_ics(&ics),
            "REQUEST|0|CONFIRMED|2027-01-12 17:00|2027-01-12 18:30|Round-Table; Jänner, \"KI\" <b>live</b>"
        );
        assert!(ics.contains("DTSTART:20270112T160000Z"));

        let lead = storage::leads::find_by_email(&app.db, "anna@bau-huber.at")
            .await?
            .expect("lead");
        assert_eq!(
            lead.status, "bestaetigt",
            "the registration's opt-in confirms its own lead"
        );
        let consents = storage::leads::consents(&app.db, lead.id).await?;
        assert!(
            consents
                .iter()
                .any(|c| c.form == "veranstaltung" && c.event == "bestaetigt")
        );

        // Personal page and calendar download with the link from the mail.
        let access_token = link_after(&invite.text(), "anmeldung?token=").expect("access link");
        let (status, page) = app
            .get_text(&format!("/veranstaltungen/anmeldung?token={access_token}"))
            .await?;
        assert_eq!(status, 200);
        assert!(page.contains("Platz reserviert") && page.contains("Teilnahme absagen"));
        let r = app
            .get(&format!(
                "/veranstaltungen/anmeldung/kalender.ics?token={access_token}"
            ))
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()?
                .starts_with("text/calendar")
        );
        let file = r.text().await?;
        assert!(python_ics(&file).starts_with("REQUEST|0|CONFIRMED|2027-01-12 17:00"));

        let (_, page) = app.get_text("/veranstaltungen/rt-jaenner").await?;
        assert!(page.contains("Noch 4 von 5 Plätzen frei"));
        Ok(())
    }
);

db_test!(
    the_answer_is_the_same_for_new_pending_and_confirmed_addresses,
    Options::plain(),
    |app: TestApp| async move {
        let id = event(&app, "rt-gleich", 5, 48).await?;
        let confirmed = register_direct(&app, id, "bekannt@firma.at").await?;
        let r = reg(&app, confirmed).await?;
        let mailer = Mailer::load(&app.state, UnixMs::now()).await?;
        storage::events::confirm(&app.db, r.id, &r.link_salt, CONSENT, UnixMs::now(), &mailer)
            .await?;
        register_direct(&app, id, "wartend@firma.at").await?;
        // Let the resend gap pass for the confirmed address.
        storage::execute!(&app.db, |pool| sqlx::query(
            "UPDATE event_registrations SET last_mail_ms = 0 WHERE id = $1"
        )
        .bind(confirmed))?;
        let mut answers = Vec::new();
        for email in ["bekannt@firma.at", "wartend@firma.at", "neu@firma.at"] {
            let r = register(&app, "rt-gleich", "Max Muster", email).await?;
            answers.push((
                r.status().as_u16(),
                r.headers()["location"].to_str()?.to_owned(),
            ));
        }
        assert!(answers.iter().all(|a| a == &answers[0]), "{answers:?}");
        // The confirmed one got its personal link again, not a second seat.
        let mails = app.outbox().await?;
        assert!(mails.iter().any(
            |m| m.kind == "veranstaltung-bereits-angemeldet" && m.to_addr == "bekannt@firma.at"
        ));
        let seats = storage::events::get(&app.db, id)
            .await?
            .expect("event")
            .seats;
        assert_eq!(seats, 1);
        Ok(())
    }
);

db_test!(
    capacity_holds_under_twenty_concurrent_confirmations,
    Options::plain(),
    |app: TestApp| async move {
        let id = event(&app, "rt-voll", 3, 48).await?;
        let mut regs = Vec::new();
        for i in 0..20 {
            let rid = register_direct(&app, id, &format!("person{i}@firma.at")).await?;
            regs.push(reg(&app, rid).await?);
        }
        // Twenty people click "Anmeldung bestätigen" at the same moment, through the server.
        let started = std::time::Instant::now();
        let mut tasks = Vec::new();
        for r in regs {
            let app = app.clone();
            let token = link_token(&app.state.forms, LinkPurpose::Confirm, &r);
            tasks.push(tokio::spawn(
                async move { confirm_via_web(&app, &token).await },
            ));
        }
        let mut seats = 0;
        let mut waitlisted = 0;
        for t in tasks {
            let (status, page) = t.await??;
            assert_eq!(status, 200, "{page}");
            if page.contains("Ihr Platz ist reserviert") {
                seats += 1;
            } else if page.contains("Sie stehen auf der Warteliste") {
                waitlisted += 1;
            } else {
                anyhow::bail!("unexpected page: {page}");
            }
        }
        eprintln!(
            "20 concurrent confirmations over HTTP on {}: {:?}",
            app.db.backend_name(),
            started.elapsed()
        );
        assert_eq!((seats, waitlisted), (3, 17));
        // Waitlist positions are 1…17 without gaps or duplicates.
        let mut positions = Vec::new();
        for r in storage::events::registrations(&app.db, id).await? {
            if r.reg.status == "warteliste" {
                positions.push(storage::events::waitlist_position(&app.db, &r.reg).await?);
            }
        }
        positions.sort_unstable();
        assert_eq!(positions, (1..=17).collect::<Vec<i64>>());
        let e = storage::events::get(&app.db, id).await?.expect("event");
        assert_eq!((e.seats, e.waitlist), (3, 17));
        let mails = app.outbox().await?;
        assert_eq!(
            mails
                .iter()
                .filter(|m| m.kind == "veranstaltung-einladung")
                .count(),
            3
        );
        assert_eq!(
            mails
                .iter()
                .filter(|m| m.kind == "veranstaltung-warteliste")
                .count(),
            17
        );
        let (_, page) = app.get_text("/veranstaltungen/rt-voll").await?;
        assert!(page.contains("Auf die Warteliste"));
        Ok(())
    }
);

db_test!(
    cancelling_promotes_the_waitlist_and_replayed_or_tampered_links_do_nothing,
    Options::with_smtp(),
    |app: TestApp| async move {
        let id = event(&app, "rt-eins", 1, 48).await?;
        let a = register_direct(&app, id, "anna@firma.at").await?;
        let b = register_direct(&app, id, "bert@firma.at").await?;
        let c = register_direct(&app, id, "carla@firma.at").await?;
        for rid in [a, b, c] {
            let r = reg(&app, rid).await?;
            let token = link_token(&app.state.forms, LinkPurpose::Confirm, &r);
            let (status, _) = confirm_via_web(&app, &token).await?;
            assert_eq!(status, 200);
        }
        assert_eq!(reg(&app, a).await?.status, "platz");
        assert_eq!(reg(&app, b).await?.status, "warteliste");
        let (_, page) = app
            .get_text(&format!(
                "/veranstaltungen/anmeldung?token={}",
                access(&app, &reg(&app, c).await?)
            ))
            .await?;
        assert!(page.contains("Warteliste, Platz 2"), "{page}");

        // Tampered: another registration's id with A's signature, a flipped digit, junk.
        let token_a = access(&app, &reg(&app, a).await?);
        let sig = token_a.split_once('.').expect("dot").1.to_owned();
        let mut flipped = token_a.clone();
        let last = flipped.pop().expect("char");
        flipped.push(if last == '0' { '1' } else { '0' });
        let confirm_token_a =
            link_token(&app.state.forms, LinkPurpose::Confirm, &reg(&app, a).await?);
        for bad in [
            format!("{b}.{sig}"),
            flipped,
            "kaputt".to_owned(),
            String::new(),
            "99999999.".to_owned() + &"a".repeat(64),
            confirm_token_a,
        ] {
            let r = app
                .post_form("/veranstaltungen/anmeldung/absagen", &[("token", &bad)])
                .await?;
            assert_eq!(r.status().as_u16(), 404, "token {bad}");
            assert!(r.text().await?.contains("Dieser Link ist ungültig"));
            let (status, _) = app
                .get_text(&format!("/veranstaltungen/anmeldung?token={bad}"))
                .await?;
            assert_eq!(status, 404);
        }
        assert_eq!(reg(&app, a).await?.status, "platz");

        let r = app
            .post_form("/veranstaltungen/anmeldung/absagen", &[("token", &token_a)])
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.text().await?.contains("Sie haben abgesagt"));
        assert_eq!(reg(&app, a).await?.status, "abgesagt");
        assert_eq!(reg(&app, b).await?.status, "platz");
        assert_eq!(reg(&app, c).await?.status, "warteliste");

        // Replay: nothing moves again.
        let r = app
            .post_form("/veranstaltungen/anmeldung/absagen", &[("token", &token_a)])
            .await?;
        assert!(r.text().await?.contains("bereits abgesagt"));
        assert_eq!(reg(&app, c).await?.status, "warteliste");

        let smtp = app.smtp.clone().expect("smtp");
        let promoted = eventually(Duration::from_secs(10), || {
            let smtp = smtp.clone();
            async move {
                Ok(smtp.mails().into_iter().find(|m| {
                    m.to == vec!["<bert@firma.at>"] && m.text().contains("Sie haben einen Platz")
                }))
            }
        })
        .await?;
        assert!(promoted.data.contains("text/calendar; method=REQUEST"));
        let cancelled = eventually(Duration::from_secs(10), || {
            let smtp = smtp.clone();
            async move {
                Ok(smtp
                    .mails()
                    .into_iter()
                    .find(|m| m.to == vec!["<anna@firma.at>"] && m.data.contains("method=CANCEL")))
            }
        })
        .await?;
        assert!(cancelled.text().contains("Ihre Absage ist angekommen"));
        let ics = app
            .outbox()
            .await?
            .into_iter()
            .find(|m| m.kind == "veranstaltung-absage")
            .and_then(|m| m.ics)
            .expect("cancel calendar");
        assert!(python_ics(&ics).starts_with("CANCEL|1|CANCELLED|"));
        Ok(())
    }
);

db_test!(
    the_team_cancels_an_event_with_calendar_cancellations,
    Options::plain(),
    |app: TestApp| async move {
        let id = event_at(&app, "rt-abgesagt", "2027-03-30", "17:00", 1).await?;
        let a = register_direct(&app, id, "anna@firma.at").await?;
        let b = register_direct(&app, id, "bert@firma.at").await?;
        let mailer = Mailer::load(&app.state, UnixMs::now()).await?;
        for rid in [a, b] {
            let r = reg(&app, rid).await?;
            storage::events::confirm(&app.db, rid, &r.link_salt, CONSENT, UnixMs::now(), &mailer)
                .await?;
        }
        let cookie = app.login_admin("team@kipilot.test").await?;
        let csrf = app.csrf(&cookie).await?;
        let path = format!("/admin/veranstaltungen/{id}/absagen");
        let r = app
            .post_form_with(&path, &[("csrf", &csrf)], Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 400, "needs the tick box");
        let r = app
            .post_form_with(&path, &[("csrf", &csrf), ("confirm", "on")], Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let mails = app.outbox().await?;
        let to_a = mails
            .iter()
            .find(|m| m.kind == "veranstaltung-faellt-aus" && m.to_addr == "anna@firma.at")
            .expect("seat holder mailed");
        // Summer time on 30 March 2027: 17:00 Vienna is 15:00 UTC.
        assert_eq!(
            python_ics(to_a.ics.as_deref().expect("calendar")),
            "CANCEL|1|CANCELLED|2027-03-30 17:00|2027-03-30 18:30|Round-Table; Jänner, \"KI\" <b>live</b>"
        );
        let to_b = mails
            .iter()
            .find(|m| m.kind == "veranstaltung-faellt-aus" && m.to_addr == "bert@firma.at")
            .expect("waitlist mailed");
        assert!(to_b.ics.is_none());
        // Registration is closed now, with a clear message and the form kept.
        let (_, page) = app.get_text("/veranstaltungen/rt-abgesagt").await?;
        assert!(page.contains("wurde leider abgesagt"));
        assert!(!page.contains("name=\"form_token\""));
        event(&app, "rt-offen", 5, 48).await?;
        let token = app.form_token("/veranstaltungen/rt-offen").await?;
        let r = app
            .post_form(
                "/veranstaltungen/rt-abgesagt/anmelden",
                &[
                    ("form_token", &token),
                    ("name", "Carla"),
                    ("email", "carla@firma.at"),
                    ("consent", "on"),
                ],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 409);
        assert!(r.text().await?.contains("wurde leider abgesagt"));
        // A second cancel is refused politely.
        let r = app
            .post_form_with(&path, &[("csrf", &csrf), ("confirm", "on")], Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 400);
        Ok(())
    }
);

db_test!(
    minutes_are_visible_only_with_a_confirmed_personal_link,
    Options::plain(),
    |app: TestApp| async move {
        let id = event(&app, "rt-protokoll", 5, 48).await?;
        let seat = register_direct(&app, id, "anna@firma.at").await?;
        let pending = register_direct(&app, id, "bert@firma.at").await?;
        let gone = register_direct(&app, id, "carla@firma.at").await?;
        let mailer = Mailer::load(&app.state, UnixMs::now()).await?;
        for rid in [seat, gone] {
            let r = reg(&app, rid).await?;
            storage::events::confirm(&app.db, rid, &r.link_salt, CONSENT, UnixMs::now(), &mailer)
                .await?;
        }
        let g = reg(&app, gone).await?;
        storage::events::cancel(&app.db, gone, Some(&g.link_salt), UnixMs::now(), &mailer).await?;

        let cookie = app.login_admin("team@kipilot.test").await?;
        let csrf = app.csrf(&cookie).await?;
        let path = format!("/admin/veranstaltungen/{id}/protokoll");
        let minutes = "Wir haben über **Auftragsverarbeitung** gesprochen. <script>x</script>";
        // Before the event, the minutes can be saved but not released.
        let r = app
            .post_form_with(
                &path,
                &[
                    ("csrf", &csrf),
                    ("minutes_md", minutes),
                    ("action", "publish"),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await?.contains("noch nicht stattgefunden"));
        // The event takes place…
        storage::execute!(&app.db, |pool| sqlx::query(
            "UPDATE events SET starts_ms = $1 WHERE id = $2"
        )
        .bind(UnixMs::now().plus_hours(-3).0)
        .bind(id))?;
        let tags = storage::events::tags(&app.db).await?;
        assert_eq!(tags.len(), 10);
        assert_eq!(tags[0].label, "Datenschutz/DSGVO");
        let r = app
            .post_form_with(
                &format!("/admin/veranstaltungen/{id}/schmerzpunkte"),
                &[
                    ("csrf", &csrf),
                    ("text", "Unklar, ob Kundendaten in ChatGPT dürfen"),
                    ("tag_id", &tags[0].id.to_string()),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let r = app
            .post_form_with(
                &format!("/admin/veranstaltungen/{id}/schmerzpunkte"),
                &[
                    ("csrf", &csrf),
                    ("text", "Vorlage für Kennzeichnung"),
                    ("tag_id", "99999"),
                    ("is_wish", "on"),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422, "unknown tag");
        let r = app
            .post_form_with(
                &path,
                &[
                    ("csrf", &csrf),
                    ("minutes_md", minutes),
                    ("action", "publish"),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let mails: Vec<_> = app
            .outbox()
            .await?
            .into_iter()
            .filter(|m| m.kind == "veranstaltung-protokoll")
            .collect();
        assert_eq!(mails.len(), 1, "only the confirmed registrant");
        assert_eq!(mails[0].to_addr, "anna@firma.at");
        let link = link_after(&mails[0].body_text, "protokoll?token=").expect("link");
        let (status, page) = app
            .get_text(&format!(
                "/veranstaltungen/anmeldung/protokoll?token={link}"
            ))
            .await?;
        assert_eq!(status, 200);
        assert!(page.contains("<strong>Auftragsverarbeitung</strong>"));
        assert!(!page.contains("<script>x</script>"));
        assert!(page.contains("Unklar, ob Kundendaten in ChatGPT dürfen"));
        assert!(page.contains("Datenschutz/DSGVO"));
        // Publishing again sends nothing new.
        let r = app
            .post_form_with(
                &path,
                &[
                    ("csrf", &csrf),
                    ("minutes_md", minutes),
                    ("action", "publish"),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(
            app.outbox()
                .await?
                .iter()
                .filter(|m| m.kind == "veranstaltung-protokoll")
                .count(),
            1
        );

        for (token, status) in [
            (access(&app, &reg(&app, pending).await?), 403),
            (access(&app, &reg(&app, gone).await?), 403),
            (format!("{link}0"), 404),
            (
                link.replacen(&seat.to_string(), &pending.to_string(), 1),
                404,
            ),
            (String::new(), 404),
        ] {
            let (got, page) = app
                .get_text(&format!(
                    "/veranstaltungen/anmeldung/protokoll?token={token}"
                ))
                .await?;
            assert_eq!(got, status, "token {token}");
            assert!(!page.contains("Auftragsverarbeitung"));
        }
        let (_, public) = app.get_text("/veranstaltungen/rt-protokoll").await?;
        assert!(!public.contains("Auftragsverarbeitung"));
        // The LinkedIn pain points are untouched by the new tables.
        assert!(storage::posts::pain_points(&app.db).await?.is_empty());
        Ok(())
    }
);

db_test!(
    reminders_are_queued_once_a_day_before,
    Options::plain(),
    |app: TestApp| async move {
        let soon = event(&app, "rt-morgen", 5, 30).await?;
        let later = event(&app, "rt-spaeter", 5, 37).await?;
        let today = event(&app, "rt-heute", 5, 5).await?;
        let mailer = Mailer::load(&app.state, UnixMs::now()).await?;
        for id in [soon, later, today] {
            let rid = register_direct(&app, id, &format!("anna{id}@firma.at")).await?;
            let r = reg(&app, rid).await?;
            storage::events::confirm(&app.db, rid, &r.link_salt, CONSENT, UnixMs::now(), &mailer)
                .await?;
        }
        // Right now only "rt-heute" starts within 24 hours, and its invitation was the
        // reminder already.
        assert_eq!(
            kipilot::events::send_due_reminders(&app.state, UnixMs::now()).await?,
            0
        );
        // Seven hours on, the first event starts within 24 hours. The seat given 5 hours
        // before "rt-heute" was its own reminder: no second mail for it.
        let now = UnixMs::now().plus_hours(7);
        assert_eq!(
            kipilot::events::send_due_reminders(&app.state, now).await?,
            1
        );
        assert_eq!(
            kipilot::events::send_due_reminders(&app.state, now).await?,
            0
        );
        let reminders: Vec<_> = app
            .outbox()
            .await?
            .into_iter()
            .filter(|m| m.kind == "veranstaltung-erinnerung")
            .collect();
        assert_eq!(reminders.len(), 1);
        assert_eq!(reminders[0].to_addr, format!("anna{soon}@firma.at"));
        assert!(
            reminders[0]
                .body_text
                .contains("/veranstaltungen/anmeldung?token=")
        );
        // Another seven hours later the second event is due too.
        assert_eq!(
            kipilot::events::send_due_reminders(&app.state, now.plus_hours(7)).await?,
            1
        );
        let invitations = app.outbox().await?;
        let today_mail = invitations
            .iter()
            .find(|m| {
                m.kind == "veranstaltung-einladung" && m.to_addr == format!("anna{today}@firma.at")
            })
            .expect("invitation");
        assert!(
            !today_mail
                .body_text
                .contains("Einen Tag vorher erinnern wir Sie")
        );
        let soon_mail = invitations
            .iter()
            .find(|m| {
                m.kind == "veranstaltung-einladung" && m.to_addr == format!("anna{soon}@firma.at")
            })
            .expect("invitation");
        assert!(
            soon_mail
                .body_text
                .contains("Einen Tag vorher erinnern wir Sie")
        );
        Ok(())
    }
);

db_test!(
    registrations_are_exported_erased_and_expire_unconfirmed,
    Options::plain(),
    |app: TestApp| async move {
        let id = event(&app, "rt-daten", 5, 48).await?;
        let confirmed = register_direct(&app, id, "anna@firma.at").await?;
        let r = reg(&app, confirmed).await?;
        let mailer = Mailer::load(&app.state, UnixMs::now()).await?;
        storage::events::confirm(
            &app.db,
            confirmed,
            &r.link_salt,
            CONSENT,
            UnixMs::now(),
            &mailer,
        )
        .await?;
        let pending = register_direct(&app, id, "bert@firma.at").await?;
        let lead = storage::leads::find_by_email(&app.db, "anna@firma.at")
            .await?
            .expect("lead");
        let export = storage::leads::export(&app.db, lead.id)
            .await?
            .expect("export");
        assert_eq!(export.event_registrations.len(), 1);
        assert_eq!(export.event_registrations[0].status, "platz");
        assert!(export.mails.iter().any(|m| m.subject.contains("Platz")));

        // Retention after 8 days: the pending registration (and its lead) go, the confirmed stay.
        let later = UnixMs::now().plus_hours(8 * 24);
        kipilot::privacy::run_retention(&app.db, later).await?;
        assert!(
            storage::events::registration(&app.db, pending)
                .await?
                .is_none()
        );
        assert!(
            storage::leads::find_by_email(&app.db, "bert@firma.at")
                .await?
                .is_none()
        );
        assert!(
            storage::events::registration(&app.db, confirmed)
                .await?
                .is_some()
        );

        storage::leads::erase(&app.db, lead.id, "test", "test", UnixMs::now()).await?;
        assert!(
            storage::events::registration(&app.db, confirmed)
                .await?
                .is_none()
        );
        assert!(
            app.outbox()
                .await?
                .iter()
                .all(|m| m.to_addr != "anna@firma.at")
        );
        assert_eq!(
            storage::events::get(&app.db, id)
                .await?
                .expect("event")
                .seats,
            0
        );
        Ok(())
    }
);

db_test!(
    bad_input_gets_german_messages_and_keeps_the_form,
    Options::plain(),
    |app: TestApp| async move {
        event(&app, "rt-eingabe", 5, 48).await?;
        let token = app.form_token("/veranstaltungen/rt-eingabe").await?;
        let long = "x".repeat(121);
        let r = app
            .post_form(
                "/veranstaltungen/rt-eingabe/anmelden",
                &[
                    ("form_token", &token),
                    ("name", &long),
                    ("email", "anna@firma"),
                    ("company", "<script>alert(1)</script>"),
                ],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await?;
        assert!(html.contains("Der Name ist zu lang"));
        assert!(html.contains("Nach dem @ fehlt eine gültige Domain"));
        assert!(html.contains("Bitte bestätigen Sie die Einwilligung"));
        assert!(html.contains("value=\"anna@firma\""));
        assert!(escaped(&html, "<script>alert(1)</script>"));
        // A forged form token.
        let r = app
            .post_form(
                "/veranstaltungen/rt-eingabe/anmelden",
                &[
                    ("form_token", "1.2.3"),
                    ("name", "Anna"),
                    ("email", "anna@firma.at"),
                    ("consent", "on"),
                ],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(
            r.text()
                .await?
                .contains("Formular konnte nicht zugeordnet werden")
        );
        // An event that has already begun takes no registrations, and its pending
        // confirmations are refused with a clear message.
        let past = event(&app, "rt-vorbei", 5, 1).await?;
        let pending = register_direct(&app, past, "spaet@firma.at").await?;
        storage::execute!(&app.db, |pool| sqlx::query(
            "UPDATE events SET starts_ms = $1 WHERE id = $2"
        )
        .bind(UnixMs::now().plus_hours(-1).0)
        .bind(past))?;
        let r = app
            .post_form(
                "/veranstaltungen/rt-vorbei/anmelden",
                &[
                    ("form_token", &token),
                    ("name", "Anna"),
                    ("email", "anna@firma.at"),
                    ("consent", "on"),
                ],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 409);
        assert!(r.text().await?.contains("schon stattgefunden"));
        let confirm = link_token(
            &app.state.forms,
            LinkPurpose::Confirm,
            &reg(&app, pending).await?,
        );
        let (status, page) = confirm_via_web(&app, &confirm).await?;
        assert_eq!(status, 409);
        assert!(page.contains("schon begonnen oder ist vorbei"));
        // Unknown event, tampered confirmation token.
        let (status, _) = app.get_text("/veranstaltungen/gibt-es-nicht").await?;
        assert_eq!(status, 404);
        let (status, page) = app
            .get_text("/veranstaltungen/anmeldung/bestaetigen?token=1.abc")
            .await?;
        assert_eq!(status, 404);
        assert!(page.contains("Dieser Link ist ungültig"));

        // Back office: past date, capacity 0, bad link, HTML in the title.
        let cookie = app.login_admin("team@kipilot.test").await?;
        let csrf = app.csrf(&cookie).await?;
        let r = app
            .post_form_with(
                "/admin/veranstaltungen/neu",
                &[
                    ("csrf", &csrf),
                    ("title", "<img src=x onerror=alert(1)>"),
                    ("date", "2020-01-01"),
                    ("time", "17:00"),
                    ("duration_min", "90"),
                    ("online_url", "javascript:alert(1)"),
                    ("capacity", "0"),
                    ("description_md", ""),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await?;
        assert!(html.contains("in der Vergangenheit"));
        assert!(html.contains("mindestens 1"));
        assert!(html.contains("beginnend mit https://"));
        assert!(escaped(&html, "<img src=x onerror=alert(1)>"));
        let r = app
            .post_form_with(
                "/admin/veranstaltungen/neu",
                &[
                    ("csrf", &csrf),
                    ("title", "Round-Table"),
                    ("date", "2027-03-28"),
                    ("time", "02:30"),
                    ("duration_min", "90"),
                    ("online_url", "https://meet.example.at/x"),
                    ("capacity", "10"),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await?.contains("Sommerzeit"));
        // Without the CSRF token nothing is created.
        let r = app
            .post_form_with(
                "/admin/veranstaltungen/neu",
                &[("title", "x")],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 403);
        Ok(())
    }
);

db_test!(
    the_team_plans_edits_exports_and_removes,
    Options::plain(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@kipilot.test").await?;
        let csrf = app.csrf(&cookie).await?;
        let (date, _) = domain::events::vienna_date_time(UnixMs::now().plus_hours(24 * 10));
        let fields = |capacity: &'static str, time: &'static str| {
            vec![
                ("title", "Round-Table Februar"),
                ("date", date.as_str()),
                ("time", time),
                ("duration_min", "90"),
                ("online_url", "https://meet.example.at/rt"),
                ("capacity", capacity),
                ("description_md", "Bringen Sie **eine Frage** mit."),
            ]
        };
        let mut create = fields("1", "17:00");
        create.push(("csrf", csrf.as_str()));
        let r = app
            .post_form_with("/admin/veranstaltungen/neu", &create, Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let location = r.headers()["location"].to_str()?.to_owned();
        let id: i64 = location
            .trim_start_matches("/admin/veranstaltungen/")
            .split('?')
            .next()
            .unwrap_or_default()
            .parse()?;
        let page = app
            .get_with_cookie("/admin/veranstaltungen", &cookie)
            .await?
            .text()
            .await?;
        assert!(page.contains("Round-Table Februar"));
        assert!(page.contains("Nächste Termine im gleichen Rhythmus"));
        assert!(page.contains("/admin/veranstaltungen/neu?vorlage="));

        let a = register_direct(&app, id, "anna@firma.at").await?;
        let b = register_direct(&app, id, "bert@firma.at").await?;
        let mailer = Mailer::load(&app.state, UnixMs::now()).await?;
        for rid in [a, b] {
            let r = reg(&app, rid).await?;
            storage::events::confirm(&app.db, rid, &r.link_salt, CONSENT, UnixMs::now(), &mailer)
                .await?;
        }
        storage::execute!(&app.db, |pool| sqlx::query(
            "UPDATE event_registrations SET name = '=HYPERLINK(\"http://x\")' WHERE id = $1"
        )
        .bind(a))?;
        let csv = app
            .get_with_cookie(
                &format!("/admin/veranstaltungen/{id}/anmeldungen.csv"),
                &cookie,
            )
            .await?;
        assert_eq!(csv.status().as_u16(), 200);
        let body = csv.text().await?;
        assert!(body.starts_with('\u{feff}'));
        assert!(body.contains("\"'=HYPERLINK(\"\"http://x\"\")\""));
        assert!(body.starts_with("\u{feff}Status;Name;"));
        assert!(body.contains("\n\"Platz\";"));
        assert!(body.contains("\"Warteliste\""));

        // Lowering the capacity below the seats taken is refused; raising it promotes.
        let mut save = fields("0", "17:00");
        save.push(("csrf", csrf.as_str()));
        let r = app
            .post_form_with(
                &format!("/admin/veranstaltungen/{id}"),
                &save,
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        let mut save = fields("2", "18:00");
        save.push(("csrf", csrf.as_str()));
        let r = app
            .post_form_with(
                &format!("/admin/veranstaltungen/{id}"),
                &save,
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(reg(&app, b).await?.status, "platz");
        let mails = app.outbox().await?;
        let changed = mails
            .iter()
            .find(|m| m.kind == "veranstaltung-aenderung")
            .expect("updated invitation");
        assert!(
            python_ics(changed.ics.as_deref().expect("ics")).starts_with("REQUEST|1|CONFIRMED|")
        );
        assert!(
            changed
                .ics
                .as_deref()
                .unwrap_or_default()
                .contains("SEQUENCE:1")
        );
        assert!(mails.iter().any(|m| m.kind == "veranstaltung-nachgerueckt"));

        // Manual removal: the seat frees, nobody waits, the person gets a mail.
        let r = app
            .post_form_with(
                &format!("/admin/veranstaltungen/{id}/anmeldungen/{a}/entfernen"),
                &[("csrf", &csrf)],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(reg(&app, a).await?.status, "abgesagt");
        let page = app
            .get_with_cookie(&format!("/admin/veranstaltungen/{id}/anmeldungen"), &cookie)
            .await?
            .text()
            .await?;
        assert!(page.contains("bert@firma.at"));

        // Managed tags: add, refuse a duplicate, delete an unused one.
        let r = app
            .post_form_with(
                "/admin/veranstaltungen/schlagworte",
                &[("csrf", &csrf), ("label", "Schulung")],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let r = app
            .post_form_with(
                "/admin/veranstaltungen/schlagworte",
                &[("csrf", &csrf), ("label", "schulung")],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        let tag = storage::events::tags(&app.db)
            .await?
            .into_iter()
            .find(|t| t.label == "Schulung")
            .expect("tag");
        let r = app
            .post_form_with(
                &format!("/admin/veranstaltungen/schlagworte/{}/loeschen", tag.id),
                &[("csrf", &csrf)],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        Ok(())
    }
);

const ADMIN_GET: &[&str] = &[
    "/admin/veranstaltungen",
    "/admin/veranstaltungen/neu",
    "/admin/veranstaltungen/schlagworte",
    "/admin/veranstaltungen/1",
    "/admin/veranstaltungen/1/anmeldungen",
    "/admin/veranstaltungen/1/anmeldungen.csv",
    "/admin/veranstaltungen/1/protokoll",
];

const ADMIN_POST: &[&str] = &[
    "/admin/veranstaltungen/neu",
    "/admin/veranstaltungen/schlagworte",
    "/admin/veranstaltungen/schlagworte/1/loeschen",
    "/admin/veranstaltungen/1",
    "/admin/veranstaltungen/1/absagen",
    "/admin/veranstaltungen/1/anmeldungen/1/entfernen",
    "/admin/veranstaltungen/1/protokoll",
    "/admin/veranstaltungen/1/schmerzpunkte",
    "/admin/veranstaltungen/1/schmerzpunkte/1/loeschen",
];

db_test!(
    every_event_admin_route_requires_a_login,
    Options::plain(),
    |app: TestApp| async move {
        event(&app, "rt-auth", 5, 48).await?;
        for path in ADMIN_GET {
            let r = app.get(path).await?;
            assert_eq!(r.status().as_u16(), 303, "GET {path}");
            assert_eq!(r.headers()["location"], "/admin/login", "GET {path}");
        }
        for path in ADMIN_POST {
            let r = app
                .post_form(path, &[("csrf", "x"), ("confirm", "on")])
                .await?;
            assert_eq!(r.status().as_u16(), 303, "POST {path}");
            assert_eq!(r.headers()["location"], "/admin/login", "POST {path}");
        }
        assert_eq!(
            storage::events::get(&app.db, 1)
                .await?
                .expect("event")
                .event
                .cancelled_ms,
            None
        );
        Ok(())
    }
);
