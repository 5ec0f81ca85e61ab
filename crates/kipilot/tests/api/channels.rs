//! Tracked links, cookie-less page counts and the attribution report.

use crate::db_test;
use crate::helpers::{Options, TestApp};
use storage::with_pool;

const BROWSER: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Safari/537.36";
const BOT: &str =
    "LinkedInBot/1.0 (compatible; Mozilla/5.0; Apache-HttpClient +http://www.linkedin.com)";

async fn visit(app: &TestApp, path: &str, ua: &str) -> anyhow::Result<reqwest::Response> {
    Ok(app
        .client
        .get(app.url(path))
        .header("user-agent", ua)
        .send()
        .await?)
}

async fn create_link(
    app: &TestApp,
    cookie: &str,
    code: &str,
    target: &str,
    channel: &str,
) -> anyhow::Result<reqwest::Response> {
    let csrf = app.csrf(cookie).await?;
    app.post_form_with(
        "/admin/links",
        &[
            ("csrf", &csrf),
            ("code", code),
            ("target", target),
            ("channel", channel),
            ("label", &format!("Test {code}")),
        ],
        Some(cookie),
    )
    .await
}

db_test!(
    a_tracked_link_redirects_counts_and_carries_its_code_into_the_lead,
    Options::plain(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        assert_eq!(
            create_link(&app, &cookie, "wko-linz", "/mitmachen", "flyer")
                .await?
                .status()
                .as_u16(),
            303
        );
        let r = visit(&app, "/l/wko-linz", BROWSER).await?;
        assert_eq!(r.status().as_u16(), 302);
        assert_eq!(r.headers()["location"], "/mitmachen?source=wko-linz");
        assert!(r.headers().get("set-cookie").is_none());
        visit(&app, "/l/wko-linz", BOT).await?;
        let rows: Vec<(i64, i64)> = with_pool!(&app.db, |pool| sqlx::query_as(
            "SELECT bot, visits FROM link_visits ORDER BY bot"
        )
        .fetch_all(pool)
        .await)?;
        assert_eq!(rows, vec![(0, 1), (1, 1)], "people and bots counted apart");

        let (_, form) = app.get_text("/mitmachen?source=wko-linz").await?;
        assert!(form.contains("name=\"source\" value=\"wko-linz\""));
        let token =
            crate::helpers::extract_attr(&form, "name=\"form_token\" value=\"").expect("token");
        app.post_form(
            "/mitmachen",
            &[
                ("form_token", &token),
                ("company", "Flyer GmbH"),
                ("name", "Fritz Flyer"),
                ("email", "fritz@flyer.example"),
                ("industry", "handel"),
                ("company_size", "1-9"),
                ("consent", "on"),
                ("source", "wko-linz"),
            ],
        )
        .await?;
        let lead = storage::leads::find_by_email(&app.db, "fritz@flyer.example")
            .await?
            .expect("lead");
        assert_eq!(lead.source.as_deref(), Some("wko-linz"));
        let html = app
            .get_with_cookie("/admin/links", &cookie)
            .await?
            .text()
            .await?;
        assert!(html.contains("http://kipilot.test/l/wko-linz"));
        Ok(())
    }
);

db_test!(
    unknown_deleted_and_duplicate_codes_are_handled_kindly,
    Options::plain(),
    |app: TestApp| async move {
        let (status, html) = app.get_text("/l/gibt-es-nicht").await?;
        assert_eq!(status, 404);
        assert!(
            html.contains("href=\"/ki-pilotprojekt\""),
            "friendly 404 with a way on"
        );
        assert_eq!(app.get_text("/l/%3Cscript%3E").await?.0, 404);
        let cookie = app.login_admin("team@odoublet.test").await?;
        create_link(&app, &cookie, "post-4", "/ki-pilotprojekt", "linkedin").await?;
        let dup = create_link(&app, &cookie, "post-4", "/", "linkedin").await?;
        assert_eq!(dup.status().as_u16(), 422);
        assert!(dup.text().await?.contains("gibt es schon"));
        let bad = create_link(
            &app,
            &cookie,
            "böse code",
            "https://evil.example",
            "linkedin",
        )
        .await?;
        assert_eq!(bad.status().as_u16(), 422);
        let id: i64 = with_pool!(&app.db, |pool| sqlx::query_scalar(
            "SELECT id FROM links WHERE code = 'post-4'"
        )
        .fetch_one(pool)
        .await)?;
        let csrf = app.csrf(&cookie).await?;
        app.post_form_with(
            &format!("/admin/links/{id}/loeschen"),
            &[("csrf", &csrf)],
            Some(&cookie),
        )
        .await?;
        assert_eq!(
            app.get_text("/l/post-4").await?.0,
            404,
            "deleted links stop redirecting"
        );
        let again = create_link(&app, &cookie, "post-4", "/", "linkedin").await?;
        assert_eq!(again.status().as_u16(), 422, "codes are never reused");
        Ok(())
    }
);

db_test!(
    the_attribution_report_counts_a_scripted_campaign,
    Options::plain(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        create_link(&app, &cookie, "post-1", "/mitmachen", "linkedin").await?;
        create_link(&app, &cookie, "wko-wels", "/mitmachen", "flyer").await?;
        for _ in 0..3 {
            visit(&app, "/l/post-1", BROWSER).await?;
        }
        visit(&app, "/l/post-1", BOT).await?;
        visit(&app, "/l/wko-wels", BROWSER).await?;
        let apply = |email: &'static str, source: &'static str| {
            let app = app.clone();
            async move {
                let token = app.form_token("/mitmachen").await?;
                app.post_form(
                    "/mitmachen",
                    &[
                        ("form_token", &token),
                        ("company", "Firma"),
                        ("name", "Name"),
                        ("email", email),
                        ("industry", "bau"),
                        ("company_size", "1-9"),
                        ("consent", "on"),
                        ("source", source),
                    ],
                )
                .await?;
                anyhow::Ok(())
            }
        };
        apply("a@linkedin.example", "post-1").await?;
        apply("b@linkedin.example", "post-1").await?;
        apply("c@flyer.example", "wko-wels").await?;
        apply("d@direct.example", "").await?;
        apply("e@teaser.example", "homepage-teaser").await?;
        let token = app
            .confirmation_token_from_outbox("a@linkedin.example")
            .await?;
        app.post_form("/mitmachen/bestaetigen", &[("token", &token)])
            .await?;
        let a = storage::leads::find_by_email(&app.db, "a@linkedin.example")
            .await?
            .expect("lead");
        storage::leads::set_stage(
            &app.db,
            a.id,
            domain::LeadStage::Teilnehmer,
            "test",
            domain::UnixMs::now(),
        )
        .await?;

        let csv = app
            .get_with_cookie("/admin/auswertung.csv", &cookie)
            .await?
            .text()
            .await?;
        let line = |source: &str| {
            csv.lines()
                .find(|l| l.starts_with(&format!("\"{source}\"")))
                .map(str::to_owned)
                .unwrap_or_default()
        };
        assert!(line("post-1").ends_with(";3;2;1;1"), "{csv}");
        assert!(line("wko-wels").ends_with(";1;1;0;0"), "{csv}");
        assert!(line("homepage-teaser").ends_with(";0;1;0;0"), "{csv}");
        assert!(
            csv.lines()
                .any(|l| l.contains("Direkt") && l.ends_with(";0;1;0;0")),
            "{csv}"
        );
        let html = app
            .get_with_cookie("/admin/auswertung", &cookie)
            .await?
            .text()
            .await?;
        assert!(html.contains("<svg class=\"chart\" role=\"img\""));
        assert!(html.contains("LinkedIn: 3 Besuche, 2 Anmeldungen, 1 bestätigt"));
        let bad = app
            .get_with_cookie("/admin/auswertung?from=kaputt", &cookie)
            .await?;
        assert_eq!(bad.status().as_u16(), 200);
        assert!(bad.text().await?.contains("Datum ist ungültig"));
        Ok(())
    }
);

db_test!(
    page_views_are_counted_per_day_without_cookies_and_without_bots,
    Options::plain(),
    |app: TestApp| async move {
        for ua in [BROWSER, BROWSER, "Mozilla/5.0 (iPhone) Safari/605.1"] {
            app.client
                .get(app.url("/"))
                .header("user-agent", ua)
                .header("referer", "https://www.linkedin.com/feed/")
                .send()
                .await?;
        }
        visit(&app, "/", BOT).await?;
        visit(&app, "/gibt-es-nicht", BROWSER).await?;
        app.state.analytics.flush(&app.db).await?;
        let cookie = app.login_admin("team@odoublet.test").await?;
        visit(&app, "/admin", BROWSER).await?;
        app.state.analytics.flush(&app.db).await?;
        let rows: Vec<(String, String, i64, i64)> = with_pool!(&app.db, |pool| sqlx::query_as(
            "SELECT path, referrer_host, views, uniques FROM page_views ORDER BY path"
        )
        .fetch_all(pool)
        .await)?;
        assert_eq!(
            rows,
            vec![("/".to_owned(), "www.linkedin.com".to_owned(), 3, 2)],
            "bots, 404s and the back office are not counted"
        );
        let html = app
            .get_with_cookie("/admin/auswertung", &cookie)
            .await?
            .text()
            .await?;
        assert!(html.contains("www.linkedin.com"));
        Ok(())
    }
);

db_test!(
    a_contact_met_at_an_event_gets_one_confirmation_mail_and_keeps_its_source,
    Options::plain(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        create_link(&app, &cookie, "wko-linz", "/mitmachen", "flyer").await?;
        let csrf = app.csrf(&cookie).await?;
        let fields = [
            ("csrf", csrf.as_str()),
            ("name", "Gerda Gruber"),
            ("company", "Gruber Transporte"),
            ("email", "gerda@gruber.example"),
            ("source", "wko-linz"),
            ("note", "Lieferscheine mit KI erfassen"),
        ];
        let r = app
            .post_form_with("/admin/kontakt", &fields, Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let lead = storage::leads::find_by_email(&app.db, "gerda@gruber.example")
            .await?
            .expect("lead");
        assert_eq!(lead.status, "unbestaetigt");
        assert_eq!(lead.source.as_deref(), Some("wko-linz"));
        let mails = app.outbox().await?;
        assert_eq!(mails.len(), 1);
        assert!(
            mails[0].body_text.contains("Test wko-linz"),
            "names the event"
        );
        assert!(!mails[0].body_text.to_lowercase().contains("newsletter"));
        let consents = storage::leads::consents(&app.db, lead.id).await?;
        assert_eq!(consents[0].form, "persoenlich");
        // The same person entered again: a note, no second mail.
        let r = app
            .post_form_with("/admin/kontakt", &fields, Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(app.outbox().await?.len(), 1);
        // Confirming works exactly like an application.
        let token = app
            .confirmation_token_from_outbox("gerda@gruber.example")
            .await?;
        app.post_form("/mitmachen/bestaetigen", &[("token", &token)])
            .await?;
        let lead = storage::leads::find_by_email(&app.db, "gerda@gruber.example")
            .await?
            .expect("lead");
        assert_eq!(lead.status, "bestaetigt");
        // Bad input keeps what was typed.
        let r = app
            .post_form_with(
                "/admin/kontakt",
                &[
                    ("csrf", csrf.as_str()),
                    ("name", "Max"),
                    ("company", ""),
                    ("email", "max@"),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await?;
        assert!(html.contains("value=\"Max\""));
        assert!(html.contains("Bitte geben Sie das Unternehmen an."));
        Ok(())
    }
);

db_test!(
    the_back_office_downloads_a_print_ready_flyer_per_event,
    Options::plain(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        create_link(&app, &cookie, "wko-wels", "/mitmachen", "flyer").await?;
        for format in ["a6", "a5"] {
            let r = app
                .get_with_cookie(
                    &format!("/admin/links/wko-wels/flyer.pdf?format={format}"),
                    &cookie,
                )
                .await?;
            assert_eq!(r.status().as_u16(), 200, "{format}");
            assert_eq!(r.headers()["content-type"], "application/pdf");
            assert!(r.bytes().await?.starts_with(b"%PDF"));
        }
        assert_eq!(
            app.get_with_cookie("/admin/links/gibt-es-nicht/flyer.pdf", &cookie)
                .await?
                .status()
                .as_u16(),
            404
        );
        assert_eq!(
            app.get_with_cookie("/admin/links/wko-wels/flyer.pdf?format=a4", &cookie)
                .await?
                .status()
                .as_u16(),
            400
        );
        assert_eq!(
            app.get("/admin/links/wko-wels/flyer.pdf")
                .await?
                .status()
                .as_u16(),
            303,
            "team only"
        );
        Ok(())
    }
);

/// The words of a PDF, via poppler's `pdftotext` (an independent reader).
fn pdf_text(pdf: &[u8]) -> anyhow::Result<String> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("flyer.pdf");
    std::fs::write(&path, pdf)?;
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "pdftotext (poppler-utils) must be installed"
    );
    // Join hyphenated and wrapped lines so phrases can be searched.
    Ok(String::from_utf8_lossy(&out.stdout)
        .replace("-\n", "")
        .replace('\n', " "))
}

db_test!(
    the_flyer_text_is_edited_per_event_with_a_preview_and_only_saved_when_it_fits,
    Options::plain(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        create_link(&app, &cookie, "wko-steyr", "/mitmachen", "flyer").await?;
        create_link(&app, &cookie, "wko-enns", "/mitmachen", "flyer").await?;
        let r = app
            .get_with_cookie("/admin/links/wko-steyr/flyer", &cookie)
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        let html = r.text().await?;
        assert!(html.contains("KI einsetzen, aber sicher"), "default text");
        assert!(html.contains("/l/wko-steyr"));

        let csrf = app.csrf(&cookie).await?;
        let headline = "KI im Handwerk <b>sicher</b>";
        let bullets = "Angebote schneller schreiben\nBautagebuch per Sprache";
        let fields = |action: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("headline", headline.to_owned()),
                ("intro", "Für Betriebe in Steyr und Umgebung.".to_owned()),
                ("bullets", bullets.to_owned()),
                ("cta", "Scannen und mitmachen".to_owned()),
                ("crop_marks", "1".to_owned()),
                ("action", action.to_owned()),
            ]
        };
        // Preview: shown (escaped), not saved.
        let preview = fields("vorschau");
        let preview: Vec<(&str, &str)> = preview.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app
            .post_form_with("/admin/links/wko-steyr/flyer", &preview, Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        let html = r.text().await?;
        assert!(
            html.contains("KI im Handwerk &#60;b&#62;sicher&#60;/b&#62;")
                || html.contains("KI im Handwerk &lt;b&gt;sicher&lt;/b&gt;"),
            "escaped preview"
        );
        assert!(!html.contains("<b>sicher</b>"));
        assert!(html.contains("noch nicht gespeichert"));
        let pdf = app
            .get_with_cookie("/admin/links/wko-steyr/flyer.pdf?format=a6", &cookie)
            .await?
            .bytes()
            .await?;
        assert!(
            pdf_text(&pdf)?.contains("KI einsetzen, aber sicher"),
            "preview must not save"
        );

        // Save: the PDF (back office and CLI path alike) carries the new text, other events keep theirs.
        let save = fields("speichern");
        let save: Vec<(&str, &str)> = save.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let r = app
            .post_form_with("/admin/links/wko-steyr/flyer", &save, Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        for format in ["a6", "a5"] {
            let r = app
                .get_with_cookie(
                    &format!("/admin/links/wko-steyr/flyer.pdf?format={format}&ansicht=1"),
                    &cookie,
                )
                .await?;
            assert!(
                r.headers()["content-disposition"]
                    .to_str()?
                    .starts_with("inline")
            );
            let text = pdf_text(&r.bytes().await?)?;
            assert!(
                text.contains("KI im Handwerk <b>sicher</b>"),
                "{format}: {text}"
            );
            assert!(text.contains("Bautagebuch per Sprache"), "{format}: {text}");
            assert!(
                !text.contains("Kunden-Chatbot"),
                "{format}: old bullet gone"
            );
        }
        let other = app
            .get_with_cookie("/admin/links/wko-enns/flyer.pdf?format=a6", &cookie)
            .await?
            .bytes()
            .await?;
        assert!(pdf_text(&other)?.contains("KI einsetzen, aber sicher"));

        // One bullet only: German message, typed values kept, nothing saved.
        let r = app
            .post_form_with(
                "/admin/links/wko-steyr/flyer",
                &[
                    ("csrf", csrf.as_str()),
                    ("headline", "Neu"),
                    ("intro", ""),
                    ("bullets", "Nur ein Punkt"),
                    ("cta", "Los"),
                    ("action", "speichern"),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await?;
        assert!(html.contains("zwei oder drei Nutzenpunkte"), "{html}");
        assert!(html.contains(">Nur ein Punkt</textarea>"));
        // Over-long headline: refused before typesetting.
        let long = "A".repeat(61);
        let r = app
            .post_form_with(
                "/admin/links/wko-steyr/flyer",
                &[
                    ("csrf", csrf.as_str()),
                    ("headline", long.as_str()),
                    ("bullets", "a\nb"),
                    ("cta", "Los"),
                    ("action", "speichern"),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await?.contains("höchstens 60 Zeichen"));

        // The field limits are chosen so that the longest allowed text still fits one A6
        // page (the typesetting check behind "Speichern" is the second guard; its refusal
        // is tested in the documents crate).
        let words = "Wort ".repeat(99);
        let bullet = "Ein langer Nutzenpunkt mit sehr vielen Wörtern, der zeigt, dass der Platz knapp wird jetzt, und noch ein paar Wörter mehr, bis es voll ist";
        let bullets = format!("{bullet}\n{bullet}\n{bullet}");
        let r = app
            .post_form_with(
                "/admin/links/wko-steyr/flyer",
                &[
                    ("csrf", csrf.as_str()),
                    (
                        "headline",
                        "Eine Überschrift, die wirklich sehr lang geraten ist, oder?",
                    ),
                    ("intro", words.trim()),
                    ("bullets", bullets.as_str()),
                    (
                        "cta",
                        "Jetzt mitmachen und QR-Code scannen, es lohnt sich wirklich",
                    ),
                    ("action", "speichern"),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let pdf = app
            .get_with_cookie("/admin/links/wko-steyr/flyer.pdf?format=a6", &cookie)
            .await?
            .bytes()
            .await?;
        let dir = tempfile::tempdir()?;
        let path = dir.path().join("max.pdf");
        std::fs::write(&path, &pdf)?;
        let info = std::process::Command::new("pdfinfo").arg(&path).output()?;
        let info = String::from_utf8_lossy(&info.stdout);
        assert!(
            info.lines()
                .any(|l| l.starts_with("Pages:") && l.ends_with(" 1")),
            "{info}"
        );
        assert!(pdf_text(&pdf)?.contains("bis es voll ist"));

        // The QR code image for the preview, and team-only access to all of it.
        let r = app
            .get_with_cookie("/admin/links/wko-steyr/qr.svg", &cookie)
            .await?;
        assert_eq!(r.headers()["content-type"], "image/svg+xml");
        assert!(r.text().await?.contains("<svg"));
        for path in [
            "/admin/links/wko-steyr/flyer",
            "/admin/links/wko-steyr/qr.svg",
        ] {
            assert_eq!(app.get(path).await?.status().as_u16(), 303, "{path}");
        }
        assert_eq!(
            app.get_with_cookie("/admin/links/gibt-es-nicht/flyer", &cookie)
                .await?
                .status()
                .as_u16(),
            404
        );
        let r = app
            .post_form_with(
                "/admin/links/wko-steyr/flyer",
                &[("headline", "x"), ("action", "speichern")],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 403, "no CSRF token");
        Ok(())
    }
);
