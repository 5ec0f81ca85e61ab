//! Knowledge base and peer exchange: visibility of participant-only and public articles,
//! the AI-Act legal note, escaping, the one-time article mail with its signed unsubscribe
//! link, the opt-in directory with export and erasure, and bad input in both forms.

use std::time::Duration;

use crate::db_test;
use crate::helpers::{Options, TestApp, eventually, extract_attr};
use crate::participants::{csrf_of, invited_login, participant_company};

const ADMIN: &str = "team@odoublet.test";

/// Creates an article through the back office; returns its id.
async fn create_article(
    app: &TestApp,
    admin: &str,
    fields: &[(&str, &str)],
) -> anyhow::Result<i64> {
    let csrf = app.csrf(admin).await?;
    let mut form = vec![("csrf", csrf.as_str()), ("action", "save")];
    form.extend_from_slice(fields);
    let r = app
        .post_form_with("/admin/wissen/neu", &form, Some(admin))
        .await?;
    anyhow::ensure!(r.status().as_u16() == 303, "create: {}", r.status());
    let location = r.headers()["location"].to_str()?.to_owned();
    let id = location
        .trim_start_matches("/admin/wissen/")
        .split('?')
        .next()
        .unwrap_or_default()
        .parse::<i64>()?;
    Ok(id)
}

/// Presses a button on the article page (`veroeffentlichen`, `versenden`, …).
async fn article_action(
    app: &TestApp,
    admin: &str,
    id: i64,
    action: &str,
) -> anyhow::Result<reqwest::Response> {
    let csrf = app.csrf(admin).await?;
    app.post_form_with(
        &format!("/admin/wissen/{id}/{action}"),
        &[("csrf", &csrf)],
        Some(admin),
    )
    .await
}

async fn text(app: &TestApp, path: &str, cookie: &str) -> anyhow::Result<(u16, String)> {
    let r = app.get_with_cookie(path, cookie).await?;
    Ok((r.status().as_u16(), r.text().await?))
}

db_test!(
    participant_only_articles_stay_inside_and_public_ones_are_listed,
    Options::plain(),
    |app: TestApp| async move {
        let admin = app.login_admin(ADMIN).await?;
        let lead = participant_company(&app, "anna@bau-huber.at", "Bau Huber GmbH").await?;
        let cookie = invited_login(
            &app,
            &admin,
            lead,
            "Anna Huber",
            "anna@bau-huber.at",
            "ansprechperson",
        )
        .await?;

        let inside = create_article(
            &app,
            &admin,
            &[
                ("title", "Nur intern <script>alert(1)</script>"),
                ("slug", "nur-intern"),
                ("category", "ai-act-update"),
                ("date", "2026-11-20"),
                ("summary", "Kurz <b>fett</b>"),
                (
                    "body_md",
                    "Text <script>alert(2)</script> und [x](javascript:alert(3))",
                ),
            ],
        )
        .await?;
        // A draft is invisible everywhere.
        let (status, _) = text(&app, "/teilnehmer/wissen/nur-intern", &cookie).await?;
        assert_eq!(status, 404);
        assert_eq!(
            article_action(&app, &admin, inside, "veroeffentlichen")
                .await?
                .status()
                .as_u16(),
            303
        );

        let public = create_article(
            &app,
            &admin,
            &[
                ("title", "Prompts ohne Kundendaten"),
                ("slug", ""),
                ("category", "best-practice"),
                ("date", "2026-11-21"),
                ("summary", "Drei Schritte."),
                ("body_md", "## Schritt 1\n\nLesen."),
                ("public", "on"),
            ],
        )
        .await?;
        article_action(&app, &admin, public, "veroeffentlichen").await?;

        // Public site: only the public article.
        let (status, _) = app.get_text("/wissen/artikel/nur-intern").await?;
        assert_eq!(status, 404);
        let (status, html) = app.get_text("/wissen").await?;
        assert_eq!(status, 200);
        assert!(
            html.contains("/wissen/artikel/prompts-ohne-kundendaten"),
            "{html}"
        );
        assert!(!html.contains("nur-intern"));
        assert!(html.contains("/wissen/"), "guides still listed");
        let (status, html) = app
            .get_text("/wissen/artikel/prompts-ohne-kundendaten")
            .await?;
        assert_eq!(status, 200);
        assert!(html.contains("<h2>Schritt 1</h2>"));
        assert!(!html.contains("Keine Rechtsberatung"));

        // Participants see both; the AI-Act update carries Stand and the legal note.
        let (status, html) = text(&app, "/teilnehmer/wissen", &cookie).await?;
        assert_eq!(status, 200);
        assert!(html.contains("/teilnehmer/wissen/nur-intern"));
        assert!(html.contains("/teilnehmer/wissen/prompts-ohne-kundendaten"));
        assert!(!html.contains("<script>alert"), "{html}");
        let (status, html) = text(&app, "/teilnehmer/wissen/nur-intern", &cookie).await?;
        assert_eq!(status, 200);
        assert!(html.contains("Stand: 20. November 2026"), "{html}");
        assert!(html.contains("Keine Rechtsberatung"));
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<b>fett"));
        assert!(!html.contains("javascript:"));
        assert!(html.contains("&lt;script&gt;"));

        // The back office escapes titles too.
        for path in [
            "/admin/wissen".to_owned(),
            format!("/admin/wissen/{inside}"),
        ] {
            let (status, html) = text(&app, &path, &admin).await?;
            assert_eq!(status, 200, "{path}");
            assert!(!html.contains("<script>alert"), "{path}: {html}");
        }

        // Without a session: login.
        let r = app.get("/teilnehmer/wissen").await?;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(
            r.headers()["location"],
            "/teilnehmer/anmelden?weiter=%2Fteilnehmer%2Fwissen"
        );
        let r = app.get("/teilnehmer/wissen/nur-intern").await?;
        assert_eq!(r.status().as_u16(), 303);

        // Unpublished: gone from both.
        article_action(&app, &admin, public, "zurueckziehen").await?;
        let (status, _) = app
            .get_text("/wissen/artikel/prompts-ohne-kundendaten")
            .await?;
        assert_eq!(status, 404);
        // Deleted: gone from the back office.
        let csrf = app.csrf(&admin).await?;
        let r = app
            .post_form_with(
                &format!("/admin/wissen/{public}/loeschen"),
                &[("csrf", &csrf)],
                Some(&admin),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        assert!(storage::knowledge::get(&app.db, public).await?.is_none());
        Ok(())
    }
);

db_test!(
    editor_previews_escapes_and_rejects_bad_input_in_german,
    Options::plain(),
    |app: TestApp| async move {
        let admin = app.login_admin(ADMIN).await?;
        let csrf = app.csrf(&admin).await?;
        let long = "x".repeat(201);
        let r = app
            .post_form_with(
                "/admin/wissen/neu",
                &[
                    ("csrf", &csrf),
                    ("action", "save"),
                    ("title", &long),
                    ("category", "best-practice"),
                    ("date", "2026-11-20"),
                    ("summary", "Mein Kurztext bleibt"),
                    ("body_md", "Text"),
                ],
                Some(&admin),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await?;
        assert!(html.contains("ist zu lang"), "{html}");
        assert!(html.contains("Mein Kurztext bleibt"));
        // Preview renders Markdown safely and shows the legal note for AI-Act updates.
        let r = app
            .post_form_with(
                "/admin/wissen/neu",
                &[
                    ("csrf", &csrf),
                    ("action", "preview"),
                    ("title", "T"),
                    ("category", "ai-act-update"),
                    ("date", "2026-11-20"),
                    ("summary", "S"),
                    ("body_md", "**fett** <script>alert(1)</script>"),
                ],
                Some(&admin),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        let html = r.text().await?;
        assert!(html.contains("<strong>fett</strong>"));
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("Keine Rechtsberatung"));
        assert_eq!(storage::knowledge::count(&app.db).await?, 0);
        // Missing date and a taken slug.
        let id = create_article(
            &app,
            &admin,
            &[
                ("title", "Eins"),
                ("category", "best-practice"),
                ("date", "2026-11-20"),
                ("summary", "S"),
                ("body_md", "B"),
            ],
        )
        .await?;
        let r = app
            .post_form_with(
                &format!("/admin/wissen/{id}"),
                &[
                    ("csrf", &csrf),
                    ("action", "save"),
                    ("title", "Eins"),
                    ("category", "best-practice"),
                    ("date", ""),
                    ("summary", "S"),
                    ("body_md", "B"),
                ],
                Some(&admin),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await?.contains("Datum"));
        let r = app
            .post_form_with(
                "/admin/wissen/neu",
                &[
                    ("csrf", &csrf),
                    ("action", "save"),
                    ("title", "Eins"),
                    ("category", "best-practice"),
                    ("date", "2026-11-20"),
                    ("summary", "S"),
                    ("body_md", "B"),
                ],
                Some(&admin),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await?.contains("schon vergeben"));
        // Mailing a draft is refused with advice, not sent.
        let r = article_action(&app, &admin, id, "versenden").await?;
        assert_eq!(r.status().as_u16(), 400);
        assert!(
            app.outbox()
                .await?
                .iter()
                .all(|m| m.kind != "wissen-artikel")
        );
        Ok(())
    }
);

/// The unsubscribe link (`/wissen/abmelden?…`) in a mail body, as a path.
fn unsubscribe_path(body: &str) -> Option<String> {
    let start = body.find("/wissen/abmelden?")?;
    Some(
        body[start..]
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned(),
    )
}

db_test!(
    article_mail_goes_out_once_and_respects_unsubscribe,
    Options::with_smtp(),
    |app: TestApp| async move {
        let admin = app.login_admin(ADMIN).await?;
        let a = participant_company(&app, "anna@bau-huber.at", "Bau Huber GmbH").await?;
        let b = participant_company(&app, "office@tischlerei.at", "Tischlerei Berger").await?;
        invited_login(
            &app,
            &admin,
            a,
            "Anna Huber",
            "anna@bau-huber.at",
            "ansprechperson",
        )
        .await?;
        invited_login(
            &app,
            &admin,
            a,
            "Bernd Huber",
            "bernd@bau-huber.at",
            "mitarbeitende",
        )
        .await?;
        invited_login(
            &app,
            &admin,
            b,
            "Maria Berger",
            "office@tischlerei.at",
            "ansprechperson",
        )
        .await?;
        let article_mails = |app: TestApp, id: i64| async move {
            let key = format!(":artikel:{id}");
            Ok::<_, anyhow::Error>(
                app.outbox()
                    .await?
                    .into_iter()
                    .filter(|m| m.kind == "wissen-artikel" && m.idempotency_key.ends_with(&key))
                    .collect::<Vec<_>>(),
            )
        };

        let first = create_article(
            &app,
            &admin,
            &[
                ("title", "Erster Artikel"),
                ("category", "best-practice"),
                ("date", "2026-11-20"),
                ("summary", "Kurz."),
                ("body_md", "Text."),
            ],
        )
        .await?;
        article_action(&app, &admin, first, "veroeffentlichen").await?;
        let r = article_action(&app, &admin, first, "versenden").await?;
        assert_eq!(r.status().as_u16(), 303);
        let r = article_action(&app, &admin, first, "versenden").await?;
        assert_eq!(r.status().as_u16(), 303);
        assert!(
            r.headers()["location"]
                .to_str()?
                .contains("schon-versendet")
        );
        let mails = article_mails(app.clone(), first).await?;
        assert_eq!(mails.len(), 3, "exactly one per participant");
        let mut to: Vec<_> = mails.iter().map(|m| m.to_addr.clone()).collect();
        to.sort();
        assert_eq!(
            to,
            [
                "anna@bau-huber.at",
                "bernd@bau-huber.at",
                "office@tischlerei.at"
            ]
        );
        let smtp = app.smtp.clone().expect("smtp");
        eventually(Duration::from_secs(20), || {
            let smtp = smtp.clone();
            async move {
                let n = smtp
                    .mails()
                    .iter()
                    .filter(|m| m.text().contains("Erster Artikel"))
                    .count();
                Ok((n >= 3).then_some(()))
            }
        })
        .await?;

        // Bernd unsubscribes; tampered links do nothing.
        let bernd = mails
            .iter()
            .find(|m| m.to_addr == "bernd@bau-huber.at")
            .expect("mail");
        let path = unsubscribe_path(&bernd.body_text).expect("link");
        let tampered = path.replace("sig=", "sig=00");
        let (status, html) = app.get_text(&tampered).await?;
        assert_eq!(status, 404);
        assert!(html.contains("ungültig"));
        let other_id = path.replace("k=", "k=9");
        let (status, _) = app.get_text(&other_id).await?;
        assert_eq!(status, 404);
        let (status, html) = app.get_text(&path).await?;
        assert_eq!(status, 200);
        assert!(html.contains("Ja, abbestellen"));
        let form_token = extract_attr(&html, "name=\"form_token\" value=\"").expect("token");
        let k = extract_attr(&html, "name=\"k\" value=\"").expect("k");
        let sig = extract_attr(&html, "name=\"sig\" value=\"").expect("sig");
        // Nothing happens on GET alone.
        let bernd_id = storage::knowledge::mail_recipients(&app.db)
            .await?
            .into_iter()
            .find(|r| r.email == "bernd@bau-huber.at")
            .expect("recipient")
            .participant_id;
        assert!(!storage::knowledge::opted_out(&app.db, bernd_id).await?);
        let forged = app
            .post_form(
                "/wissen/abmelden",
                &[("form_token", &form_token), ("k", &k), ("sig", "ab")],
            )
            .await?;
        assert_eq!(forged.status().as_u16(), 404);
        let no_token = app
            .post_form("/wissen/abmelden", &[("k", &k), ("sig", &sig)])
            .await?;
        assert_eq!(no_token.status().as_u16(), 403);
        assert!(!storage::knowledge::opted_out(&app.db, bernd_id).await?);
        let r = app
            .post_form(
                "/wissen/abmelden",
                &[("form_token", &form_token), ("k", &k), ("sig", &sig)],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.text().await?.contains("Erledigt"));
        assert!(storage::knowledge::opted_out(&app.db, bernd_id).await?);
        // Replayed: harmless, says so.
        let r = app
            .post_form(
                "/wissen/abmelden",
                &[("form_token", &form_token), ("k", &k), ("sig", &sig)],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.text().await?.contains("bereits abbestellt"));

        // The next article skips Bernd.
        let second = create_article(
            &app,
            &admin,
            &[
                ("title", "Zweiter Artikel"),
                ("category", "ai-act-update"),
                ("date", "2026-11-21"),
                ("summary", "Kurz."),
                ("body_md", "Text."),
            ],
        )
        .await?;
        article_action(&app, &admin, second, "veroeffentlichen").await?;
        article_action(&app, &admin, second, "versenden").await?;
        let mails = article_mails(app.clone(), second).await?;
        assert_eq!(mails.len(), 2);
        assert!(mails.iter().all(|m| m.to_addr != "bernd@bau-huber.at"));
        assert!(
            mails
                .iter()
                .all(|m| m.body_text.contains("Keine Rechtsberatung"))
        );
        assert_eq!(article_mails(app.clone(), first).await?.len(), 3);
        Ok(())
    }
);

db_test!(
    directory_shows_only_opted_in_companies_to_participants,
    Options::plain(),
    |app: TestApp| async move {
        let admin = app.login_admin(ADMIN).await?;
        let a = participant_company(&app, "anna@bau-huber.at", "Bau Huber GmbH").await?;
        let b = participant_company(&app, "office@tischlerei.at", "Tischlerei Berger").await?;
        let anna = invited_login(
            &app,
            &admin,
            a,
            "Anna Huber",
            "anna@bau-huber.at",
            "ansprechperson",
        )
        .await?;
        let maria = invited_login(
            &app,
            &admin,
            b,
            "Maria Berger",
            "office@tischlerei.at",
            "ansprechperson",
        )
        .await?;
        let tom = invited_login(
            &app,
            &admin,
            b,
            "Tom Berger",
            "tom@tischlerei.at",
            "mitarbeitende",
        )
        .await?;

        // Nobody opted in: nobody is shown.
        let (status, html) = text(&app, "/teilnehmer/austausch", &maria).await?;
        assert_eq!(status, 200);
        assert!(!html.contains("Bau Huber GmbH"));
        // No session: login.
        let r = app.get("/teilnehmer/austausch").await?;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(
            r.headers()["location"],
            "/teilnehmer/anmelden?weiter=%2Fteilnehmer%2Faustausch"
        );
        let r = app
            .post_form("/teilnehmer/austausch", &[("topics", "x")])
            .await?;
        assert_eq!(r.status().as_u16(), 303);

        // Over-long topics: German message, form kept, nothing stored.
        let csrf = csrf_of(&app, &anna).await?;
        let long = "Thema ".repeat(300);
        let r = app
            .post_form_with(
                "/teilnehmer/austausch",
                &[
                    ("csrf", &csrf),
                    ("contact_name", "Anna Huber (bleibt)"),
                    ("contact_email", "anna@bau-huber.at"),
                    ("topics", &long),
                ],
                Some(&anna),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await?;
        assert!(html.contains("zu lang"), "{html}");
        assert!(html.contains("Anna Huber (bleibt)"));
        assert!(
            storage::knowledge::directory_entry(&app.db, a)
                .await?
                .is_none()
        );
        let r = app
            .post_form_with(
                "/teilnehmer/austausch",
                &[
                    ("csrf", &csrf),
                    ("contact_name", "Anna Huber"),
                    ("contact_email", "keine-adresse"),
                    ("topics", "x"),
                ],
                Some(&anna),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await?.contains("gültige E-Mail-Adresse"));

        // Anna opts in; HTML in her topics stays text.
        let r = app
            .post_form_with(
                "/teilnehmer/austausch",
                &[
                    ("csrf", &csrf),
                    ("contact_name", "Anna Huber"),
                    ("contact_email", "anna@bau-huber.at"),
                    (
                        "topics",
                        "Bautagebuch per Sprache\n<script>alert(1)</script>",
                    ),
                ],
                Some(&anna),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let (_, html) = text(&app, "/teilnehmer/austausch", &maria).await?;
        assert!(html.contains("Bau Huber GmbH"));
        assert!(html.contains("Bautagebuch per Sprache"));
        assert!(html.contains("mailto:anna@bau-huber.at"));
        assert!(!html.contains("<script>alert"));
        assert!(html.contains("alert(1)"), "shown as text");
        // Tischlerei did not opt in: Anna does not see it.
        let (_, html) = text(&app, "/teilnehmer/austausch", &anna).await?;
        assert!(!html.contains("Tischlerei Berger"));

        // Only the Ansprechperson manages the entry.
        let tom_csrf = csrf_of(&app, &tom).await?;
        let r = app
            .post_form_with(
                "/teilnehmer/austausch",
                &[
                    ("csrf", &tom_csrf),
                    ("contact_name", "Tom"),
                    ("contact_email", "tom@tischlerei.at"),
                    ("topics", "x"),
                ],
                Some(&tom),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 403);
        assert!(
            storage::knowledge::directory_entry(&app.db, b)
                .await?
                .is_none()
        );
        // A forged post without CSRF token changes nothing.
        let r = app
            .post_form_with("/teilnehmer/austausch/austreten", &[], Some(&anna))
            .await?;
        assert!(r.status().is_client_error());
        assert!(
            storage::knowledge::directory_entry(&app.db, a)
                .await?
                .is_some()
        );

        // The export contains the entry.
        let r = app
            .get_with_cookie("/teilnehmer/meine-daten/export.json", &anna)
            .await?;
        let json: serde_json::Value = serde_json::from_str(&r.text().await?)?;
        assert_eq!(json["peer_directory"]["contact_name"], "Anna Huber");

        // Opting out removes it at once.
        let r = app
            .post_form_with(
                "/teilnehmer/austausch/austreten",
                &[("csrf", &csrf)],
                Some(&anna),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let (_, html) = text(&app, "/teilnehmer/austausch", &maria).await?;
        assert!(!html.contains("Bau Huber GmbH"));

        // Erasing the account that opted in removes the entry too.
        let maria_csrf = csrf_of(&app, &maria).await?;
        app.post_form_with(
            "/teilnehmer/austausch",
            &[
                ("csrf", &maria_csrf),
                ("contact_name", "Maria Berger"),
                ("contact_email", "office@tischlerei.at"),
                ("topics", "Angebote"),
            ],
            Some(&maria),
        )
        .await?;
        let entry = storage::knowledge::directory_entry(&app.db, b)
            .await?
            .expect("entry");
        storage::participants::erase(
            &app.db,
            entry.participant_id,
            "test",
            "Test",
            domain::UnixMs::now(),
        )
        .await?;
        assert!(
            storage::knowledge::directory_entry(&app.db, b)
                .await?
                .is_none()
        );
        Ok(())
    }
);

db_test!(
    demo_seeds_one_public_best_practice_article,
    Options {
        demo: true,
        ..Options::default()
    },
    |app: TestApp| async move {
        let (status, html) = app.get_text("/wissen").await?;
        assert_eq!(status, 200);
        assert!(
            html.contains("/wissen/artikel/kundendaten-pseudonymisieren"),
            "{html}"
        );
        let (status, html) = app
            .get_text("/wissen/artikel/kundendaten-pseudonymisieren")
            .await?;
        assert_eq!(status, 200);
        assert!(html.contains("href=\"/werkzeuge/anonymisieren\""));
        assert_eq!(storage::knowledge::count(&app.db).await?, 1);
        // The demo also plans the next monthly round-table (2nd Tuesday, 17:00 Vienna time).
        let (status, html) = app.get_text("/veranstaltungen").await?;
        assert_eq!(status, 200);
        assert!(
            html.contains("Online-Round-Table: KI im Büroalltag"),
            "{html}"
        );
        let events = storage::events::upcoming(&app.db, domain::UnixMs::now()).await?;
        assert_eq!(events.len(), 1);
        Ok(())
    }
);
