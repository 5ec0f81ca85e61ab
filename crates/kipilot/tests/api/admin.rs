//! The back office: authorization on every route, login lockout, escaping, CSV, pipeline,
//! updates editor, profile.

use crate::db_test;
use crate::helpers::{Options, TestApp};

/// Every back-office route with a sample id; kept in step with `admin::router()`.
const GET_ROUTES: &[&str] = &[
    "/admin",
    "/admin/anliegen",
    "/admin/erkenntnisse",
    "/admin/erkenntnisse.csv",
    "/admin/leads",
    "/admin/leads.csv",
    "/admin/leads/1",
    "/admin/leads/1/export.json",
    "/admin/updates",
    "/admin/updates/neu",
    "/admin/updates/1",
    "/admin/outbox",
    "/admin/outbox/1",
    "/admin/profil",
    "/admin/links",
    "/admin/auswertung",
    "/admin/auswertung.csv",
    "/admin/kontakt",
    "/admin/posts",
    "/admin/posts/neu",
    "/admin/posts/vorlagen",
    "/admin/posts/1",
    "/admin/posts/1/export.txt",
    "/admin/links/wko/flyer",
    "/admin/links/wko/flyer.pdf",
    "/admin/links/wko/qr.svg",
    "/admin/teilnehmer",
    "/admin/leads/1/teilnehmer",
    "/admin/wissen",
    "/admin/wissen/neu",
    "/admin/wissen/1",
];
const POST_ROUTES: &[&str] = &[
    "/admin/logout",
    "/admin/anliegen/1",
    "/admin/leads/1/phase",
    "/admin/leads/1/notizen",
    "/admin/leads/1/loeschen",
    "/admin/updates/neu",
    "/admin/updates/1",
    "/admin/updates/1/veroeffentlichen",
    "/admin/updates/1/zurueckziehen",
    "/admin/updates/1/loeschen",
    "/admin/outbox/1/erneut",
    "/admin/profil",
    "/admin/leads/1/phase",
    "/admin/links",
    "/admin/links/1/loeschen",
    "/admin/kontakt",
    "/admin/posts/neu",
    "/admin/posts/vorlagen",
    "/admin/posts/1",
    "/admin/posts/1/status",
    "/admin/posts/1/zahlen",
    "/admin/posts/1/umfrage",
    "/admin/posts/1/kommentare",
    "/admin/posts/1/kommentare/1/loeschen",
    "/admin/posts/1/loeschen",
    "/admin/links/wko/flyer",
    "/admin/leads/1/teilnehmer",
    "/admin/teilnehmer/1/loeschen",
    "/admin/teilnehmer/aufbewahrung",
    "/admin/wissen/neu",
    "/admin/wissen/1",
    "/admin/wissen/1/veroeffentlichen",
    "/admin/wissen/1/zurueckziehen",
    "/admin/wissen/1/versenden",
    "/admin/wissen/1/loeschen",
];

db_test!(
    every_back_office_route_requires_a_session,
    Options {
        demo: true,
        ..Options::default()
    },
    |app: TestApp| async move {
        app.apply("anna@bau-huber.at").await?;
        for path in GET_ROUTES {
            for cookie in [
                "",
                "kipilot_admin=0000000000000000000000000000000000000000000000000000000000000000",
                "kipilot_admin=<script>",
            ] {
                let r = app.get_with_cookie(path, cookie).await?;
                assert_eq!(r.status().as_u16(), 303, "GET {path} with {cookie:?}");
                assert_eq!(r.headers()["location"], "/admin/login");
                assert!(!r.text().await?.contains("anna@bau-huber.at"));
            }
        }
        for path in POST_ROUTES {
            let r = app
                .post_form(
                    path,
                    &[
                        ("stage", "abgelehnt"),
                        ("confirm", "on"),
                        ("title", "x"),
                        ("summary", "y"),
                        ("company_name", "Hacked"),
                    ],
                )
                .await?;
            assert_eq!(r.status().as_u16(), 303, "POST {path}");
            assert_eq!(r.headers()["location"], "/admin/login");
        }
        let lead = storage::leads::find_by_email(&app.db, "anna@bau-huber.at")
            .await?
            .expect("lead untouched");
        assert_eq!(lead.stage, "neu");
        assert_eq!(storage::updates::count(&app.db).await?, 3);
        Ok(())
    }
);

db_test!(
    logged_in_posts_without_the_csrf_token_are_refused,
    Options::plain(),
    |app: TestApp| async move {
        app.apply("anna@bau-huber.at").await?;
        let lead = storage::leads::find_by_email(&app.db, "anna@bau-huber.at")
            .await?
            .expect("lead");
        let cookie = app.login_admin("team@odoublet.test").await?;
        let path = format!("/admin/leads/{}/phase", lead.id);
        let r = app
            .post_form_with(&path, &[("stage", "abgelehnt")], Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 403);
        let r = app
            .post_form_with(
                &path,
                &[("stage", "abgelehnt"), ("csrf", "falsch")],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 403);
        assert_eq!(
            storage::leads::get(&app.db, lead.id)
                .await?
                .expect("lead")
                .stage,
            "neu"
        );
        let csrf = app.csrf(&cookie).await?;
        let r = app
            .post_form_with(
                &path,
                &[("stage", "kontaktiert"), ("csrf", &csrf)],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(
            storage::leads::get(&app.db, lead.id)
                .await?
                .expect("lead")
                .stage,
            "kontaktiert"
        );
        let r = app
            .post_form_with(
                &path,
                &[("stage", "gibts-nicht"), ("csrf", &csrf)],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 400);
        Ok(())
    }
);

db_test!(
    login_is_rate_limited_and_locks_the_account_after_five_failures,
    Options::plain(),
    |app: TestApp| async move {
        app.login_admin("team@odoublet.test").await?;
        let token = app.form_token("/admin/login").await?;
        for _ in 0..5 {
            let r = app
                .post_form(
                    "/admin/login",
                    &[
                        ("form_token", &token),
                        ("email", "team@odoublet.test"),
                        ("password", "falsch"),
                    ],
                )
                .await?;
            assert_eq!(r.status().as_u16(), 401);
            assert!(r.text().await?.contains("stimmen nicht"));
        }
        let r = app
            .post_form(
                "/admin/login",
                &[
                    ("form_token", &token),
                    ("email", "team@odoublet.test"),
                    ("password", "richtig-langes-passwort"),
                ],
            )
            .await?;
        assert_eq!(
            r.status().as_u16(),
            429,
            "locked even with the right password"
        );
        assert!(r.text().await?.contains("gesperrt"));
        // Unknown accounts get the same answer as wrong passwords.
        let r = app
            .post_form(
                "/admin/login",
                &[
                    ("form_token", &token),
                    ("email", "niemand@odoublet.test"),
                    ("password", "x"),
                ],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 401);
        // Without the page's token (login CSRF) nothing happens.
        let r = app
            .post_form(
                "/admin/login",
                &[
                    ("email", "team@odoublet.test"),
                    ("password", "richtig-langes-passwort"),
                ],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 403);
        Ok(())
    }
);

db_test!(
    the_session_cookie_is_http_only_and_strict_and_logout_ends_it,
    Options::plain(),
    |app: TestApp| async move {
        let password = "richtig-langes-passwort";
        let hash = kipilot::password::hash(password.to_owned()).await?;
        storage::users::upsert(&app.db, "team@odoublet.test", &hash, domain::UnixMs::now()).await?;
        let token = app.form_token("/admin/login").await?;
        let r = app
            .post_form(
                "/admin/login",
                &[
                    ("form_token", &token),
                    ("email", "Team@Odoublet.test"),
                    ("password", password),
                ],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let set_cookie = r.headers()["set-cookie"].to_str()?.to_owned();
        assert!(
            set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
            "{set_cookie}"
        );
        let cookie = set_cookie.split(';').next().unwrap_or_default().to_owned();
        assert_eq!(
            app.get_with_cookie("/admin", &cookie)
                .await?
                .status()
                .as_u16(),
            200
        );
        let csrf = app.csrf(&cookie).await?;
        let r = app
            .post_form_with("/admin/logout", &[("csrf", &csrf)], Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(
            app.get_with_cookie("/admin", &cookie)
                .await?
                .status()
                .as_u16(),
            303,
            "session gone after logout"
        );
        Ok(())
    }
);

db_test!(
    stored_html_is_escaped_in_the_back_office_and_csv_guards_formulas,
    Options::plain(),
    |app: TestApp| async move {
        let token = app.form_token("/mitmachen").await?;
        let xss = "<img src=x onerror=alert(1)>";
        app.post_form(
            "/mitmachen",
            &[
                ("form_token", &token),
                ("company", "=HYPERLINK(\"http://evil.example\")"),
                ("name", xss),
                ("email", "xss@evil.example"),
                ("industry", "agentur"),
                ("company_size", "1-9"),
                ("message", "<script>alert('backoffice')</script>"),
                ("consent", "on"),
            ],
        )
        .await?;
        let lead = storage::leads::find_by_email(&app.db, "xss@evil.example")
            .await?
            .expect("stored as typed");
        assert_eq!(lead.name, xss, "stored verbatim, escaped only on output");
        let cookie = app.login_admin("team@odoublet.test").await?;
        for path in [
            "/admin".to_owned(),
            "/admin/leads".to_owned(),
            format!("/admin/leads/{}", lead.id),
        ] {
            let html = app.get_with_cookie(&path, &cookie).await?.text().await?;
            assert!(!html.contains("<img src=x"), "{path} renders raw HTML");
            assert!(!html.contains("<script>alert"), "{path} renders raw script");
        }
        let csv = app.get_with_cookie("/admin/leads.csv", &cookie).await?;
        assert_eq!(csv.status().as_u16(), 200);
        assert!(
            csv.headers()["content-disposition"]
                .to_str()?
                .contains("leads.csv")
        );
        let text = csv.text().await?;
        assert!(
            text.contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\""),
            "{text}"
        );
        assert!(!text.contains(";\"=HYPERLINK"));
        Ok(())
    }
);

db_test!(
    leads_can_be_filtered_searched_and_annotated,
    Options::plain(),
    |app: TestApp| async move {
        app.apply("anna@bau-huber.at").await?;
        let token = app.form_token("/mitmachen").await?;
        app.post_form(
            "/mitmachen",
            &[
                ("form_token", &token),
                ("company", "Müller Logistik"),
                ("name", "Jörg Müller"),
                ("email", "joerg@mueller.de"),
                ("industry", "logistik"),
                ("company_size", "50-249"),
                ("consent", "on"),
            ],
        )
        .await?;
        let cookie = app.login_admin("team@odoublet.test").await?;
        let check = |query: &'static str, expect_anna: bool, expect_joerg: bool| {
            let app = app.clone();
            let cookie = cookie.clone();
            async move {
                let html = app
                    .get_with_cookie(&format!("/admin/leads?{query}"), &cookie)
                    .await?
                    .text()
                    .await?;
                assert_eq!(html.contains("Bau Huber GmbH"), expect_anna, "{query}");
                assert_eq!(html.contains("Müller Logistik"), expect_joerg, "{query}");
                anyhow::Ok(())
            }
        };
        check("", true, true).await?;
        check("q=M%C3%9CLLER", false, true).await?;
        check("source=wko-linz", true, false).await?;
        check("industry=logistik", false, true).await?;
        check("stage=neu", true, true).await?;
        check("stage=teilnehmer", false, false).await?;
        check("from=2000-01-01&to=2099-12-31", true, true).await?;
        check("from=2099-01-01", false, false).await?;
        let html = app
            .get_with_cookie("/admin/leads?from=kaputt", &cookie)
            .await?
            .text()
            .await?;
        assert!(html.contains("Datum im Filter ist ungültig"));

        let lead = storage::leads::find_by_email(&app.db, "anna@bau-huber.at")
            .await?
            .expect("lead");
        let csrf = app.csrf(&cookie).await?;
        let r = app
            .post_form_with(
                &format!("/admin/leads/{}/notizen", lead.id),
                &[("csrf", &csrf), ("body", "Rückruf Dienstag")],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        app.post_form_with(
            &format!("/admin/leads/{}/phase", lead.id),
            &[("csrf", &csrf), ("stage", "erstgespraech")],
            Some(&cookie),
        )
        .await?;
        let html = app
            .get_with_cookie(&format!("/admin/leads/{}", lead.id), &cookie)
            .await?
            .text()
            .await?;
        assert!(html.contains("Rückruf Dienstag"));
        assert!(html.contains("Phase geändert: neu → Erstgespräch"));
        assert!(
            html.contains(domain::consent::APPLICATION_V1.version),
            "consent history shown"
        );
        let r = app
            .post_form_with(
                &format!("/admin/leads/{}/notizen", lead.id),
                &[("csrf", &csrf), ("body", "")],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 400);
        assert_eq!(
            app.get_with_cookie("/admin/leads/999999", &cookie)
                .await?
                .status()
                .as_u16(),
            404
        );
        Ok(())
    }
);

db_test!(
    a_quote_is_published_only_with_recorded_consent,
    Options::plain(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        let csrf = app.csrf(&cookie).await?;
        let r = app
            .post_form_with(
                "/admin/updates/neu",
                &[
                    ("csrf", &csrf),
                    ("action", "save"),
                    ("title", "Stimme aus der Logistik"),
                    ("kind", "zitat"),
                    ("summary", "KI spart uns jeden Tag eine Stunde."),
                    ("quote_author", "Jörg Müller, Müller Logistik"),
                    ("body_md", "Mehr dazu <script>alert(1)</script> **bald**."),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let id: i64 = r.headers()["location"]
            .to_str()?
            .trim_start_matches("/admin/updates/")
            .split('?')
            .next()
            .unwrap_or("0")
            .parse()?;
        let r = app
            .post_form_with(
                &format!("/admin/updates/{id}/veroeffentlichen"),
                &[("csrf", &csrf)],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(
            r.text()
                .await?
                .contains("kann noch nicht veröffentlicht werden")
        );
        assert_eq!(
            app.get_text("/updates/stimme-aus-der-logistik").await?.0,
            404
        );

        let r = app
            .post_form_with(
                &format!("/admin/updates/{id}"),
                &[
                    ("csrf", &csrf),
                    ("action", "save"),
                    ("title", "Stimme aus der Logistik"),
                    ("slug", ""),
                    ("kind", "zitat"),
                    ("summary", "KI spart uns jeden Tag eine Stunde."),
                    ("quote_author", "Jörg Müller, Müller Logistik"),
                    ("body_md", "Mehr dazu <script>alert(1)</script> **bald**."),
                    ("consent_by", "Jörg Müller"),
                    ("consent_date", "2026-11-20"),
                    (
                        "consent_text",
                        "Ich bin mit der Veröffentlichung einverstanden.",
                    ),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let r = app
            .post_form_with(
                &format!("/admin/updates/{id}/veroeffentlichen"),
                &[("csrf", &csrf)],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let (status, html) = app.get_text("/updates/stimme-aus-der-logistik").await?;
        assert_eq!(status, 200);
        assert!(html.contains("KI spart uns jeden Tag eine Stunde."));
        assert!(!html.contains("<script>alert(1)</script>"));
        assert!(html.contains("<strong>bald</strong>"));
        // Removing the consent while published takes the quote offline.
        app.post_form_with(
            &format!("/admin/updates/{id}"),
            &[
                ("csrf", &csrf),
                ("action", "save"),
                ("title", "Stimme aus der Logistik"),
                ("kind", "zitat"),
                ("summary", "KI spart uns jeden Tag eine Stunde."),
                ("quote_author", "Jörg Müller, Müller Logistik"),
                ("consent_by", ""),
            ],
            Some(&cookie),
        )
        .await?;
        assert_eq!(
            app.get_text("/updates/stimme-aus-der-logistik").await?.0,
            404
        );
        // Preview renders without saving; bad dates get a message.
        let r = app
            .post_form_with(
                "/admin/updates/neu",
                &[
                    ("csrf", &csrf),
                    ("action", "preview"),
                    ("title", "Vorschau"),
                    ("summary", "s"),
                    ("body_md", "# Hallo"),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.text().await?.contains("<h1>Hallo</h1>"));
        let r = app
            .post_form_with(
                "/admin/updates/neu",
                &[
                    ("csrf", &csrf),
                    ("action", "save"),
                    ("title", "X"),
                    ("summary", "s"),
                    ("kind", "zitat"),
                    ("quote_author", "A"),
                    ("consent_date", "2999-01-01"),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await?.contains("in der Zukunft"));
        Ok(())
    }
);

db_test!(
    the_company_profile_feeds_the_imprint,
    Options::plain(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        let csrf = app.csrf(&cookie).await?;
        let (_, before) = app.get_text("/impressum").await?;
        assert!(
            before.contains("Pflichtangaben"),
            "missing fields are listed"
        );
        let r = app
            .post_form_with(
                "/admin/profil",
                &[
                    ("csrf", &csrf),
                    ("company_name", "OdoubleT"),
                    ("legal_form", "GmbH"),
                    ("street", "Hauptplatz 1"),
                    ("postal_code", "4020"),
                    ("city", "Linz"),
                    ("country", "Österreich"),
                    ("email", "office@odoublet.test"),
                    ("business_purpose", "Softwareentwicklung"),
                    ("register_number", "FN 123456a"),
                    ("responsible_person", "Thomas Ott"),
                    ("editorial_line", "Information über KI"),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let (_, html) = app.get_text("/impressum").await?;
        for needle in [
            "OdoubleT GmbH",
            "Hauptplatz 1",
            "4020 Linz",
            "FN 123456a",
            "§ 25 MedienG",
            "Thomas Ott",
        ] {
            assert!(html.contains(needle), "imprint lacks {needle}");
        }
        assert!(!html.contains("Pflichtangaben"));
        let (_, privacy) = app.get_text("/datenschutz").await?;
        assert!(privacy.contains("OdoubleT GmbH, Hauptplatz 1, 4020 Linz"));
        let r = app
            .post_form_with(
                "/admin/profil",
                &[("csrf", &csrf), ("email", "kaputt@")],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        Ok(())
    }
);
