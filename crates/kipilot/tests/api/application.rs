//! The application form and its double opt-in.

use crate::db_test;
use crate::helpers::{Options, TestApp};
use storage::with_pool;

async fn lead_status(app: &TestApp, email: &str) -> anyhow::Result<Option<String>> {
    Ok(storage::leads::find_by_email(&app.db, email)
        .await?
        .map(|l| l.status))
}

db_test!(
    a_valid_application_is_stored_unconfirmed_with_consent_and_a_queued_mail,
    Options::plain(),
    |app: TestApp| async move {
        let r = app.apply("anna@bau-huber.at").await?;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(r.headers()["location"], "/mitmachen/danke");
        let lead = storage::leads::find_by_email(&app.db, "anna@bau-huber.at")
            .await?
            .expect("stored");
        assert_eq!(lead.status, "unbestaetigt");
        assert_eq!(lead.stage, "neu");
        assert_eq!(lead.source.as_deref(), Some("wko-linz"));
        assert_eq!(lead.interests, "texte,analyse");
        let consents = storage::leads::consents(&app.db, lead.id).await?;
        assert_eq!(consents.len(), 1);
        assert_eq!(consents[0].event, "erteilt");
        assert_eq!(
            consents[0].text_version,
            domain::consent::APPLICATION_V1.version
        );
        assert_eq!(
            consents[0].text_hash,
            domain::consent::APPLICATION_V1.hash()
        );
        let mails = app.outbox().await?;
        assert_eq!(mails.len(), 1);
        assert_eq!(mails[0].kind, "bestaetigung");
        assert!(
            mails[0]
                .body_text
                .contains("http://kipilot.test/mitmachen/bestaetigen?token=")
        );
        assert!(
            !mails[0].body_text.to_lowercase().contains("newsletter"),
            "confirmation mail must stay neutral"
        );
        let (status, thanks) = app.get_text("/mitmachen/danke").await?;
        assert_eq!(status, 200);
        assert!(thanks.contains("Postfach"));
        Ok(())
    }
);

db_test!(
    invalid_input_gets_german_messages_and_keeps_what_was_typed,
    Options::plain(),
    |app: TestApp| async move {
        let token = app.form_token("/mitmachen").await?;
        let r = app
            .post_form(
                "/mitmachen",
                &[
                    ("form_token", &token),
                    ("company", "Spedition Mayr & Söhne"),
                    ("name", "Max Mayr"),
                    ("email", "max@mayr"),
                    ("industry", "logistik"),
                    ("company_size", "1-9"),
                    ("interests", "bilder"),
                    ("message", "Lieferscheine <b>erfassen</b>"),
                ],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await?;
        assert!(
            html.contains("Nach dem @ fehlt eine gültige Domain"),
            "email message missing"
        );
        assert!(
            html.contains("Bitte bestätigen Sie, dass wir Ihre Angaben"),
            "consent message missing"
        );
        assert!(
            html.contains("value=\"Spedition Mayr &amp; Söhne\"")
                || html.contains("value=\"Spedition Mayr &#38; Söhne\""),
            "company not kept"
        );
        assert!(html.contains("value=\"max@mayr\""));
        assert!(
            html.contains("Lieferscheine &lt;b&gt;erfassen&lt;/b&gt;")
                || html.contains("Lieferscheine &#60;b&#62;erfassen&#60;/b&#62;")
        );
        assert!(html.contains("value=\"logistik\" selected"));
        assert!(html.contains("value=\"bilder\" checked"));
        assert!(html.contains("aria-invalid=\"true\""));
        assert_eq!(
            storage::leads::list(&app.db, &Default::default(), 10)
                .await?
                .len(),
            0
        );
        Ok(())
    }
);

db_test!(
    opening_the_link_does_not_confirm_but_the_button_does_once,
    Options::plain(),
    |app: TestApp| async move {
        app.apply("anna@bau-huber.at").await?;
        let token = app
            .confirmation_token_from_outbox("anna@bau-huber.at")
            .await?;
        let (status, page) = app
            .get_text(&format!("/mitmachen/bestaetigen?token={token}"))
            .await?;
        assert_eq!(status, 200);
        assert!(page.contains("Anmeldung bestätigen"));
        assert_eq!(
            lead_status(&app, "anna@bau-huber.at").await?.as_deref(),
            Some("unbestaetigt"),
            "a GET must not confirm"
        );

        let r = app
            .post_form("/mitmachen/bestaetigen", &[("token", &token)])
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.text().await?.contains("Sie sind dabei"));
        assert_eq!(
            lead_status(&app, "anna@bau-huber.at").await?.as_deref(),
            Some("bestaetigt")
        );
        let lead = storage::leads::find_by_email(&app.db, "anna@bau-huber.at")
            .await?
            .expect("lead");
        let events: Vec<String> = storage::leads::consents(&app.db, lead.id)
            .await?
            .into_iter()
            .map(|c| c.event)
            .collect();
        assert_eq!(events, vec!["erteilt", "bestaetigt"]);
        let team = app
            .outbox()
            .await?
            .into_iter()
            .filter(|m| m.kind == "team-benachrichtigung")
            .collect::<Vec<_>>();
        assert_eq!(team.len(), 1);
        assert_eq!(team[0].to_addr, "team@kipilot.test");

        // Replaying the link is harmless and says so.
        let replay = app
            .post_form("/mitmachen/bestaetigen", &[("token", &token)])
            .await?;
        assert_eq!(replay.status().as_u16(), 200);
        assert!(replay.text().await?.contains("schon bestätigt"));
        assert_eq!(
            app.outbox()
                .await?
                .iter()
                .filter(|m| m.kind == "team-benachrichtigung")
                .count(),
            1
        );
        Ok(())
    }
);

db_test!(
    tampered_and_expired_links_get_clear_pages,
    Options::plain(),
    |app: TestApp| async move {
        app.apply("anna@bau-huber.at").await?;
        let token = app
            .confirmation_token_from_outbox("anna@bau-huber.at")
            .await?;
        let mut tampered = token.clone();
        tampered.replace_range(0..1, if token.starts_with('a') { "b" } else { "a" });
        for bad in [tampered.as_str(), "", "zz", "<script>alert(1)</script>"] {
            let r = app
                .post_form("/mitmachen/bestaetigen", &[("token", bad)])
                .await?;
            assert_eq!(r.status().as_u16(), 404, "{bad}");
            assert!(r.text().await?.contains("ungültig"));
            let (status, _) = app
                .get_text(&format!("/mitmachen/bestaetigen?token={}", urlencode(bad)))
                .await?;
            assert_eq!(status, 404);
        }
        // Let the token expire (72 h) by moving its expiry into the past.
        with_pool!(&app.db, |pool| sqlx::query(
            "UPDATE lead_tokens SET expires_ms = 1"
        )
        .execute(pool)
        .await
        .map(|_| ()))?;
        let r = app
            .post_form("/mitmachen/bestaetigen", &[("token", &token)])
            .await?;
        assert_eq!(r.status().as_u16(), 410);
        assert!(r.text().await?.contains("abgelaufen"));
        assert_eq!(
            lead_status(&app, "anna@bau-huber.at").await?.as_deref(),
            Some("unbestaetigt")
        );
        Ok(())
    }
);

fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("x", s)])
        .map(|e| e[2..].to_owned())
        .unwrap_or_default()
}

db_test!(
    submitting_again_while_pending_resends_rate_limited_and_never_errors,
    Options::plain(),
    |app: TestApp| async move {
        assert_eq!(app.apply("anna@bau-huber.at").await?.status().as_u16(), 303);
        let first = app
            .confirmation_token_from_outbox("anna@bau-huber.at")
            .await?;
        // Immediately again: accepted, but no second mail within the minimum gap.
        assert_eq!(app.apply("Anna@Bau-Huber.AT").await?.status().as_u16(), 303);
        assert_eq!(app.outbox().await?.len(), 1);
        assert_eq!(
            storage::leads::list(&app.db, &Default::default(), 10)
                .await?
                .len(),
            1,
            "same address, case-insensitive"
        );
        // After the gap, a new mail with a new link; the old link no longer works.
        with_pool!(&app.db, |pool| sqlx::query(
            "UPDATE leads SET last_mail_ms = last_mail_ms - 3600000"
        )
        .execute(pool)
        .await
        .map(|_| ()))?;
        assert_eq!(app.apply("anna@bau-huber.at").await?.status().as_u16(), 303);
        let mails = app.outbox().await?;
        assert_eq!(mails.len(), 2);
        let newest = crate::helpers::token_from_text(&mails[0].body_text).expect("token");
        assert_ne!(newest, first);
        assert_eq!(
            app.post_form("/mitmachen/bestaetigen", &[("token", &first)])
                .await?
                .status()
                .as_u16(),
            404
        );
        assert_eq!(
            app.post_form("/mitmachen/bestaetigen", &[("token", &newest)])
                .await?
                .status()
                .as_u16(),
            200
        );
        // A confirmed lead applying again gets a neutral "already registered" mail and a note.
        with_pool!(&app.db, |pool| sqlx::query(
            "UPDATE leads SET last_mail_ms = last_mail_ms - 3600000"
        )
        .execute(pool)
        .await
        .map(|_| ()))?;
        assert_eq!(app.apply("anna@bau-huber.at").await?.status().as_u16(), 303);
        assert!(
            app.outbox()
                .await?
                .iter()
                .any(|m| m.kind == "bereits-angemeldet")
        );
        let lead = storage::leads::find_by_email(&app.db, "anna@bau-huber.at")
            .await?
            .expect("lead");
        assert_eq!(lead.status, "bestaetigt");
        assert!(
            storage::leads::notes(&app.db, lead.id)
                .await?
                .iter()
                .any(|n| n.kind == "formular")
        );
        Ok(())
    }
);

db_test!(
    spam_guards_store_nothing_and_explain_themselves,
    Options {
        min_fill_ms: 60_000,
        ..Options::default()
    },
    |app: TestApp| async move {
        // Honeypot: looks like success, stores nothing.
        let token = app.form_token("/mitmachen").await?;
        let fields = [
            ("form_token", token.as_str()),
            ("company", "Spam AG"),
            ("name", "Bot"),
            ("email", "bot@spam.example"),
            ("industry", "handel"),
            ("company_size", "1-9"),
            ("consent", "on"),
            ("website", "http://spam.example"),
        ];
        let r = app.post_form("/mitmachen", &fields).await?;
        assert_eq!(r.status().as_u16(), 303);
        // Too fast: the page was opened less than the minimum fill time ago.
        let r = app.post_form("/mitmachen", &fields[..7]).await?;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await?;
        assert!(html.contains("Das ging sehr schnell"));
        assert!(html.contains("value=\"Spam AG\""), "input kept");
        // Forged: no token, or a token from elsewhere.
        let mut forged = fields[..7].to_vec();
        forged[0] = ("form_token", "1.00.00");
        let r = app.post_form("/mitmachen", &forged).await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await?.contains("nicht zugeordnet"));
        assert_eq!(
            storage::leads::list(&app.db, &Default::default(), 10)
                .await?
                .len(),
            0
        );
        assert_eq!(app.outbox().await?.len(), 0);
        Ok(())
    }
);

db_test!(
    bad_input_never_causes_a_server_error,
    Options::plain(),
    |app: TestApp| async move {
        let token = app.form_token("/mitmachen").await?;
        let long = "x".repeat(5000);
        let script = "<script>alert('x')</script>";
        let cases: Vec<Vec<(&str, &str)>> = vec![
            vec![],
            vec![("form_token", &token)],
            vec![
                ("form_token", &token),
                ("company", &long),
                ("name", &long),
                ("email", &long),
                ("phone", &long),
                ("industry", &long),
                ("company_size", &long),
                ("message", &long),
                ("consent", "on"),
            ],
            vec![
                ("form_token", &token),
                ("company", script),
                ("name", script),
                ("email", script),
                ("phone", script),
                ("industry", script),
                ("company_size", script),
                ("interests", script),
                ("message", script),
                ("consent", script),
                ("source", script),
            ],
            vec![
                ("form_token", &token),
                ("company", "A\u{0}B"),
                ("name", "Zeile\numbruch"),
                ("email", "a@b.at"),
                ("industry", "bau"),
                ("company_size", "1-9"),
                ("consent", "on"),
            ],
        ];
        for fields in cases {
            let r = app.post_form("/mitmachen", &fields).await?;
            let status = r.status().as_u16();
            assert!(
                (400..500).contains(&status),
                "status {status} for {fields:?}"
            );
            let html = r.text().await?;
            assert!(!html.contains("<script>alert"), "unescaped script echoed");
        }
        // Invalid UTF-8 in the body.
        let r = app
            .client
            .post(app.url("/mitmachen"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(b"company=%FF%FE&name=\xff\xfe&email=a%40b.at".to_vec())
            .send()
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        // A 1 MB body.
        let big = format!("form_token={token}&company={}", "A".repeat(1024 * 1024));
        let r = app
            .client
            .post(app.url("/mitmachen"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(big)
            .send()
            .await?;
        assert_eq!(r.status().as_u16(), 413);
        assert!(r.text().await?.contains("Zu viel Text"));
        // Not a form at all.
        let r = app
            .client
            .post(app.url("/mitmachen"))
            .header("content-type", "application/json")
            .body("{}")
            .send()
            .await?;
        assert_eq!(r.status().as_u16(), 400);
        assert!(r.text().await?.contains("keine Formulardaten"));
        assert_eq!(
            storage::leads::list(&app.db, &Default::default(), 10)
                .await?
                .len(),
            0
        );
        Ok(())
    }
);

db_test!(
    the_form_rate_limit_answers_with_a_german_message_and_keeps_input,
    Options::plain(),
    |app: TestApp| async move {
        let token = app.form_token("/mitmachen").await?;
        let mut last = 0;
        for _ in 0..25 {
            let r = app
                .post_form(
                    "/mitmachen",
                    &[("form_token", &token), ("company", "Viel AG")],
                )
                .await?;
            last = r.status().as_u16();
            if last == 429 {
                let html = r.text().await?;
                assert!(html.contains("sehr viele Anmeldungen"));
                assert!(html.contains("value=\"Viel AG\""));
                break;
            }
        }
        assert_eq!(last, 429);
        Ok(())
    }
);

db_test!(
    a_source_from_a_tracked_link_travels_into_the_form,
    Options::plain(),
    |app: TestApp| async move {
        let (_, html) = app.get_text("/mitmachen?source=linkedin-post-4").await?;
        assert!(html.contains("name=\"source\" value=\"linkedin-post-4\""));
        let (_, html) = app.get_text("/mitmachen?source=%3Cscript%3E").await?;
        assert!(
            html.contains("name=\"source\" value=\"\""),
            "foreign source dropped"
        );
        Ok(())
    }
);
