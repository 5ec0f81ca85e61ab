//! The participant area: magic-link login, authorization between companies on every route,
//! the AI register with history and exports, the AI-literacy log, bad input, review
//! reminders, and the privacy functions.

use crate::db_test;
use crate::helpers::{Options, TestApp, extract_attr, token_from_text};
use domain::UnixMs;

/// Every participant route with a session; `{r}` / `{l}` are replaced by register and log
/// entry ids. Kept in step with `participants::router()` and the participant routes of
/// `knowledge::router()`.
const GET_ROUTES: &[&str] = &[
    "/teilnehmer",
    "/teilnehmer/anliegen",
    "/teilnehmer/verzeichnis",
    "/teilnehmer/verzeichnis/neu",
    "/teilnehmer/verzeichnis/verlauf",
    "/teilnehmer/verzeichnis.csv",
    "/teilnehmer/verzeichnis.pdf",
    "/teilnehmer/verzeichnis/{r}",
    "/teilnehmer/kompetenz",
    "/teilnehmer/kompetenz/neu",
    "/teilnehmer/kompetenz.csv",
    "/teilnehmer/kompetenz.pdf",
    "/teilnehmer/kompetenz/{l}",
    "/teilnehmer/meine-daten",
    "/teilnehmer/meine-daten/export.json",
    "/teilnehmer/wissen",
    "/teilnehmer/austausch",
];
const POST_ROUTES: &[&str] = &[
    "/teilnehmer/abmelden",
    "/teilnehmer/anliegen",
    "/teilnehmer/verzeichnis/neu",
    "/teilnehmer/verzeichnis/{r}",
    "/teilnehmer/verzeichnis/{r}/loeschen",
    "/teilnehmer/kompetenz/neu",
    "/teilnehmer/kompetenz/{l}",
    "/teilnehmer/kompetenz/{l}/loeschen",
    "/teilnehmer/meine-daten/loeschen",
    "/teilnehmer/austausch",
    "/teilnehmer/austausch/austreten",
    "/teilnehmer/wissen-mails",
];

/// A lead for `company` (as if it had applied) in stage "Teilnehmer"; returns its id.
pub(crate) async fn participant_company(
    app: &TestApp,
    email: &str,
    company: &str,
) -> anyhow::Result<i64> {
    let token = app.form_token("/mitmachen").await?;
    let r = app
        .post_form(
            "/mitmachen",
            &[
                ("form_token", &token),
                ("company", company),
                ("name", "Kontakt"),
                ("email", email),
                ("industry", "bau"),
                ("company_size", "10-49"),
                ("interests", "texte"),
                ("consent", "on"),
            ],
        )
        .await?;
    anyhow::ensure!(r.status().is_success() || r.status().is_redirection());
    let lead = storage::leads::find_by_email(&app.db, email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no lead"))?;
    storage::leads::set_stage(
        &app.db,
        lead.id,
        domain::LeadStage::Teilnehmer,
        "test",
        UnixMs::now(),
    )
    .await?;
    Ok(lead.id)
}

/// Invites a person through the back office; returns the response status.
pub(crate) async fn invite(
    app: &TestApp,
    admin: &str,
    lead_id: i64,
    name: &str,
    email: &str,
    role: &str,
) -> anyhow::Result<reqwest::Response> {
    let csrf = app.csrf(admin).await?;
    app.post_form_with(
        &format!("/admin/leads/{lead_id}/teilnehmer"),
        &[
            ("csrf", &csrf),
            ("name", name),
            ("email", email),
            ("role", role),
        ],
        Some(admin),
    )
    .await
}

/// The token from the newest participant mail to `email`.
pub(crate) async fn link_token(app: &TestApp, email: &str) -> anyhow::Result<String> {
    let mails = app.outbox().await?;
    let mail = mails
        .iter()
        .find(|m| m.to_addr == email && m.kind.starts_with("teilnehmer-"))
        .ok_or_else(|| anyhow::anyhow!("no mail for {email}"))?;
    token_from_text(&mail.body_text).ok_or_else(|| anyhow::anyhow!("no token"))
}

/// Opens the link page and presses "Anmelden"; returns the response.
pub(crate) async fn redeem(app: &TestApp, token: &str) -> anyhow::Result<reqwest::Response> {
    let form_token = app
        .form_token(&format!("/teilnehmer/anmelden/link?token={token}"))
        .await?;
    redeem_with(app, token, &form_token).await
}

/// Presses "Anmelden" with a button-page form token obtained earlier (a used or unknown link
/// shows no button, but a replayed or forged post must still fail).
async fn redeem_with(
    app: &TestApp,
    token: &str,
    form_token: &str,
) -> anyhow::Result<reqwest::Response> {
    app.post_form(
        "/teilnehmer/anmelden/link",
        &[("form_token", form_token), ("token", token)],
    )
    .await
}

pub(crate) fn cookie_of(r: &reqwest::Response) -> anyhow::Result<String> {
    let set = r
        .headers()
        .get("set-cookie")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| anyhow::anyhow!("no cookie"))?;
    Ok(set.split(';').next().unwrap_or_default().to_owned())
}

/// Invites `email` and logs in with the invitation link; returns the cookie.
pub(crate) async fn invited_login(
    app: &TestApp,
    admin: &str,
    lead_id: i64,
    name: &str,
    email: &str,
    role: &str,
) -> anyhow::Result<String> {
    let r = invite(app, admin, lead_id, name, email, role).await?;
    anyhow::ensure!(r.status().as_u16() == 303, "invite: {}", r.status());
    let token = link_token(app, email).await?;
    let r = redeem(app, &token).await?;
    anyhow::ensure!(r.status().as_u16() == 303, "login: {}", r.status());
    cookie_of(&r)
}

/// The CSRF token of a participant session.
pub(crate) async fn csrf_of(app: &TestApp, cookie: &str) -> anyhow::Result<String> {
    let html = app
        .get_with_cookie("/teilnehmer", cookie)
        .await?
        .text()
        .await?;
    extract_attr(&html, "name=\"csrf\" value=\"").ok_or_else(|| anyhow::anyhow!("no csrf"))
}

/// A complete, valid register form with `name`.
fn register_form<'a>(csrf: &'a str, name: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("name", name),
        ("provider", "OpenAI"),
        ("purpose", "Angebotstexte für Küchen formulieren"),
        ("users", "Büro, 2 Personen"),
        ("affected", "Kundinnen und Kunden"),
        ("personal_data", "ja"),
        ("data_categories", "Name und Adresse von Kunden"),
        ("location", "drittland"),
        ("avv", "ja"),
        ("transparency", "Hinweis im Angebot"),
        ("human_review", "Der Meister liest jedes Angebot"),
        ("responsible", "Maria Berger"),
        ("risk_class", "minimal"),
        ("obligations", "KI-Kompetenz (Art. 4)"),
        ("review", ""),
    ]
}

fn literacy_form<'a>(csrf: &'a str, topic: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("held", "2026-11-20"),
        ("topic", topic),
        ("format", "workshop"),
        ("duration", "90"),
        ("trainer", "WKO Oberösterreich"),
        ("attendees", "Anna Huber\nBernd Gruber"),
        ("attendee_count", ""),
        ("material", "Folien im Laufwerk"),
    ]
}

fn pdf_text(pdf: &[u8]) -> anyhow::Result<(String, String)> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("doc.pdf");
    std::fs::write(&path, pdf)?;
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()?;
    assert!(
        out.status.success(),
        "pdftotext (poppler-utils) must be installed"
    );
    let fonts = std::process::Command::new("pdffonts").arg(&path).output()?;
    Ok((
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&fonts.stdout).into_owned(),
    ))
}

fn assert_fonts_embedded(fonts: &str) {
    let mut n = 0;
    for line in fonts.lines().skip(2) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert!(
            cols.iter().rev().nth(4) == Some(&"yes"),
            "font not embedded: {line}"
        );
        n += 1;
    }
    assert!(n > 0, "no fonts listed:\n{fonts}");
}

db_test!(
    magic_link_login_is_single_use_short_lived_and_tamper_proof,
    Options::plain(),
    |app: TestApp| async move {
        let lead =
            participant_company(&app, "kontakt@tischlerei-holz.at", "Tischlerei Holz").await?;
        let admin = app.login_admin("team@odoublet.test").await?;

        // Public pages of the area set no cookie.
        let r = app.get("/teilnehmer/anmelden").await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.headers().get("set-cookie").is_none());

        let r = invite(
            &app,
            &admin,
            lead,
            "Anna Holz",
            "anna@tischlerei-holz.at",
            "ansprechperson",
        )
        .await?;
        assert_eq!(r.status().as_u16(), 303);
        let token = link_token(&app, "anna@tischlerei-holz.at").await?;

        let button = app
            .form_token(&format!("/teilnehmer/anmelden/link?token={token}"))
            .await?;
        // Tampered: one hex digit changed.
        let mut tampered = token.clone();
        let last = if tampered.ends_with('0') { "1" } else { "0" };
        tampered.replace_range(63.., last);
        for bad in [tampered.as_str(), "abc", "<script>"] {
            let (status, html) = app
                .get_text(&format!("/teilnehmer/anmelden/link?token={bad}"))
                .await?;
            assert_eq!(status, 410, "{bad}");
            assert!(html.contains("ungültig"));
            let r = redeem_with(&app, bad, &button).await?;
            assert_eq!(r.status().as_u16(), 410);
            assert!(r.headers().get("set-cookie").is_none());
        }

        // Opening the link page twice does not use the link.
        for _ in 0..2 {
            let (status, _) = app
                .get_text(&format!("/teilnehmer/anmelden/link?token={token}"))
                .await?;
            assert_eq!(status, 200);
        }
        let r = redeem(&app, &token).await?;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(r.headers()["location"], "/teilnehmer");
        let set = r.headers()["set-cookie"].to_str()?.to_owned();
        assert!(set.starts_with("kipilot_teilnehmer="), "{set}");
        assert!(
            set.contains("HttpOnly") && set.contains("SameSite=Strict") && set.contains("Path=/")
        );
        let cookie = cookie_of(&r)?;
        let (status, page) = {
            let r = app.get_with_cookie("/teilnehmer", &cookie).await?;
            (r.status().as_u16(), r.text().await?)
        };
        assert_eq!(status, 200);
        assert!(page.contains("Anna Holz") && page.contains("Tischlerei Holz"));

        // Reused.
        let r = redeem_with(&app, &token, &button).await?;
        assert_eq!(r.status().as_u16(), 410);
        assert!(r.text().await?.contains("schon verwendet"));

        // Expired: a link issued with an expiry in the past.
        let expired = "ab".repeat(32);
        let hash = kipilot::web::tokens::hash(&expired);
        let now = UnixMs::now();
        storage::participants::request_login(
            &app.db,
            "anna@tischlerei-holz.at",
            &hash,
            now.plus_ms(-1),
            now.plus_ms(-60_000),
            10,
            now,
            |a| storage::outbox::NewMail {
                idempotency_key: format!("test-expired-{}", a.id),
                kind: "test".to_owned(),
                lead_id: Some(a.lead_id),
                ics: None,
                to: a.email.clone(),
                subject: "x".to_owned(),
                body_text: "x".to_owned(),
            },
        )
        .await?;
        let (status, html) = app
            .get_text(&format!("/teilnehmer/anmelden/link?token={expired}"))
            .await?;
        assert_eq!(status, 410);
        assert!(html.contains("abgelaufen"));
        let r = redeem_with(&app, &expired, &button).await?;
        assert_eq!(r.status().as_u16(), 410);
        assert!(matches!(
            storage::participants::link_state(&app.db, &hash, now).await?,
            storage::participants::LinkState::Expired
        ));

        // The request form answers identically for known and unknown addresses.
        let mut answers = Vec::new();
        for email in ["anna@tischlerei-holz.at", "niemand@example.at"] {
            let form_token = app.form_token("/teilnehmer/anmelden").await?;
            let r = app
                .post_form(
                    "/teilnehmer/anmelden",
                    &[("form_token", &form_token), ("email", email)],
                )
                .await?;
            assert_eq!(r.status().as_u16(), 200);
            assert!(r.headers().get("set-cookie").is_none());
            let html = r.text().await?;
            assert!(html.contains("Bitte schauen Sie in Ihr Postfach"));
            let token_value =
                extract_attr(&html, "name=\"form_token\" value=\"").unwrap_or_default();
            answers.push(html.replace(&token_value, ""));
        }
        assert_eq!(answers[0], answers[1]);
        let mails = app.outbox().await?;
        assert!(!mails.iter().any(|m| m.to_addr == "niemand@example.at"));
        let login_mail = mails
            .iter()
            .find(|m| m.kind == "teilnehmer-anmeldung")
            .expect("login mail");
        assert!(login_mail.body_text.contains("15 Minuten"));
        // The new link works once and logs in.
        let fresh = token_from_text(&login_mail.body_text).expect("token");
        assert_eq!(redeem(&app, &fresh).await?.status().as_u16(), 303);

        // Access ends when the company leaves the pilot, and returns with it.
        for (stage, expected) in [
            (domain::LeadStage::Abgelehnt, 303),
            (domain::LeadStage::Referenzkunde, 200),
        ] {
            storage::leads::set_stage(&app.db, lead, stage, "test", UnixMs::now()).await?;
            let r = app.get_with_cookie("/teilnehmer", &cookie).await?;
            assert_eq!(r.status().as_u16(), expected, "{stage:?}");
        }

        // Logout ends the session.
        let csrf = csrf_of(&app, &cookie).await?;
        let r = app
            .post_form_with("/teilnehmer/abmelden", &[("csrf", &csrf)], Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        assert!(r.headers()["set-cookie"].to_str()?.contains("Max-Age=0"));
        let r = app.get_with_cookie("/teilnehmer", &cookie).await?;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(r.headers()["location"], "/teilnehmer/anmelden");
        Ok(())
    }
);

db_test!(
    link_requests_are_rate_limited_and_capped_per_account,
    Options::plain(),
    |app: TestApp| async move {
        let lead = participant_company(&app, "kontakt@bau-stein.at", "Bau Stein").await?;
        let admin = app.login_admin("team@odoublet.test").await?;
        invite(
            &app,
            &admin,
            lead,
            "Bernd Stein",
            "bernd@bau-stein.at",
            "mitarbeitende",
        )
        .await?;
        let mut limited = false;
        for _ in 0..25 {
            let form_token = app.form_token("/teilnehmer/anmelden").await?;
            let r = app
                .post_form(
                    "/teilnehmer/anmelden",
                    &[("form_token", &form_token), ("email", "bernd@bau-stein.at")],
                )
                .await?;
            if r.status().as_u16() == 429 {
                assert!(r.text().await?.contains("15 Minuten"));
                limited = true;
                break;
            }
            assert_eq!(r.status().as_u16(), 200);
        }
        assert!(limited, "the request form must be rate-limited");
        let links = app
            .outbox()
            .await?
            .into_iter()
            .filter(|m| m.kind == "teilnehmer-anmeldung")
            .count();
        // The invitation counts toward the cap of 3 links per account per 15 minutes.
        assert_eq!(links, 2, "at most 3 links per account per 15 minutes");
        Ok(())
    }
);

db_test!(
    a_participant_never_sees_or_changes_another_companys_data,
    Options::plain(),
    |app: TestApp| async move {
        let admin = app.login_admin("team@odoublet.test").await?;
        let a = participant_company(&app, "kontakt@firma-a.at", "Firma Alpha").await?;
        let b = participant_company(&app, "kontakt@firma-b.at", "Firma Beta").await?;
        let cookie_a = invited_login(
            &app,
            &admin,
            a,
            "Anna Alpha",
            "anna@firma-a.at",
            "ansprechperson",
        )
        .await?;
        let cookie_b = invited_login(
            &app,
            &admin,
            b,
            "Bruno Beta",
            "bruno@firma-b.at",
            "ansprechperson",
        )
        .await?;
        let csrf_a = csrf_of(&app, &cookie_a).await?;
        let csrf_b = csrf_of(&app, &cookie_b).await?;

        let r = app
            .post_form_with(
                "/teilnehmer/verzeichnis/neu",
                &register_form(&csrf_a, "GeheimesSystemAlpha"),
                Some(&cookie_a),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let r = app
            .post_form_with(
                "/teilnehmer/kompetenz/neu",
                &literacy_form(&csrf_a, "GeheimeSchulungAlpha"),
                Some(&cookie_a),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let entry = storage::register::list(&app.db, a).await?.remove(0);
        let training = storage::register::literacy_list(&app.db, a)
            .await?
            .remove(0);
        let fill = |p: &str| {
            p.replace("{r}", &entry.id.to_string())
                .replace("{l}", &training.id.to_string())
        };

        for path in GET_ROUTES.iter().map(|p| fill(p)) {
            // Without a session: the login page, no data.
            for cookie in [
                "",
                "kipilot_teilnehmer=0000000000000000000000000000000000000000000000000000000000000000",
                "kipilot_teilnehmer=<script>",
            ] {
                let r = app.get_with_cookie(&path, cookie).await?;
                assert_eq!(r.status().as_u16(), 303, "GET {path} with {cookie:?}");
                // The login page, which leads back to the page asked for.
                let expected = if path == "/teilnehmer" {
                    "/teilnehmer/anmelden".to_owned()
                } else {
                    format!(
                        "/teilnehmer/anmelden?{}",
                        serde_urlencoded::to_string([("weiter", path.as_str())])?
                    )
                };
                assert_eq!(r.headers()["location"], expected.as_str());
            }
            // A team session is not a participant session.
            let r = app.get_with_cookie(&path, &admin).await?;
            assert_eq!(r.status().as_u16(), 303, "GET {path} as team");
            // The other company's session: 404 for Alpha's ids, never Alpha's data.
            let r = app.get_with_cookie(&path, &cookie_b).await?;
            let status = r.status().as_u16();
            let bytes = r.bytes().await?;
            let body = String::from_utf8_lossy(&bytes);
            if path.contains(&format!("/{}", entry.id)) && path.contains("verzeichnis/")
                || path.contains(&format!("kompetenz/{}", training.id))
            {
                assert_eq!(status, 404, "GET {path} as Beta");
            } else {
                assert_eq!(status, 200, "GET {path} as Beta");
            }
            for secret in [
                "GeheimesSystemAlpha",
                "GeheimeSchulungAlpha",
                "Anna Alpha",
                "Firma Alpha",
            ] {
                assert!(!body.contains(secret), "GET {path} as Beta shows {secret}");
            }
            if path.ends_with(".pdf") {
                let (text, _) = pdf_text(&bytes)?;
                assert!(text.contains("Firma Beta"), "{path}: {text}");
                assert!(!text.contains("Alpha"), "{path}: {text}");
            }
        }
        // Alpha's own session sees its data on the same routes.
        let r = app
            .get_with_cookie(&fill("/teilnehmer/verzeichnis/{r}"), &cookie_a)
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.text().await?.contains("GeheimesSystemAlpha"));

        for path in POST_ROUTES.iter().map(|p| fill(p)) {
            let mut fields = register_form(&csrf_b, "VonBetaGeaendert");
            fields.extend(
                literacy_form(&csrf_b, "VonBetaGeaendert")
                    .into_iter()
                    .skip(1),
            );
            fields.push(("confirm", "on"));
            fields.push(("scope", "konto"));
            let r = app.post_form(&path, &fields).await?;
            assert_eq!(r.status().as_u16(), 303, "POST {path} without session");
            assert_eq!(r.headers()["location"], "/teilnehmer/anmelden");
            if path.contains(&format!("/{}", entry.id))
                || path.contains(&format!("/{}", training.id))
            {
                let r = app.post_form_with(&path, &fields, Some(&cookie_b)).await?;
                assert_eq!(r.status().as_u16(), 404, "POST {path} as Beta");
            }
            // Without the session's CSRF token: refused.
            let r = app
                .post_form_with(&path, &[("confirm", "on")], Some(&cookie_b))
                .await?;
            assert_eq!(r.status().as_u16(), 403, "POST {path} without csrf");
        }
        let still = storage::register::get(&app.db, a, entry.id)
            .await?
            .expect("entry");
        assert_eq!(still, entry);
        let still = storage::register::literacy_get(&app.db, a, training.id)
            .await?
            .expect("training");
        assert_eq!(still, training);
        assert!(
            storage::register::history(&app.db, a, 100)
                .await?
                .iter()
                .all(|h| h.actor.contains("Anna Alpha"))
        );
        Ok(())
    }
);

db_test!(
    register_history_and_exports_escape_every_field,
    Options::plain(),
    |app: TestApp| async move {
        let admin = app.login_admin("team@odoublet.test").await?;
        let lead =
            participant_company(&app, "kontakt@stb-klar.at", "Steuerberatung <b>Klar</b>").await?;
        let cookie = invited_login(
            &app,
            &admin,
            lead,
            "Clara <i>Klar</i>",
            "clara@stb-klar.at",
            "ansprechperson",
        )
        .await?;
        let csrf = csrf_of(&app, &cookie).await?;
        let evil = "<script>alert(1)</script>";
        let formula = "=HYPERLINK(\"http://x\")";
        let review = UnixMs::now().plus_ms(40 * 86_400_000).format_iso_date();
        let fields: Vec<(&str, &str)> = vec![
            ("csrf", &csrf),
            ("name", "DeepL <b>#import</b>"),
            ("provider", formula),
            ("purpose", evil),
            ("users", evil),
            ("affected", evil),
            ("personal_data", "ja"),
            ("data_categories", evil),
            ("location", "eu"),
            ("avv", "ja"),
            ("transparency", evil),
            ("human_review", "@SUM(1)"),
            ("responsible", "-1+1"),
            ("risk_class", "begrenzt"),
            ("obligations", "*fett* #set page(width: 1cm)"),
            ("review", &review),
        ];
        let r = app
            .post_form_with("/teilnehmer/verzeichnis/neu", &fields, Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(
            r.headers()["location"],
            "/teilnehmer/verzeichnis?ok=angelegt"
        );
        let entry = storage::register::list(&app.db, lead).await?.remove(0);

        for path in [
            "/teilnehmer".to_owned(),
            "/teilnehmer/verzeichnis".to_owned(),
            format!("/teilnehmer/verzeichnis/{}", entry.id),
            "/teilnehmer/verzeichnis/verlauf".to_owned(),
        ] {
            let html = app.get_with_cookie(&path, &cookie).await?.text().await?;
            assert!(!html.contains("<script>alert"), "{path}");
            assert!(!html.contains("<b>"), "{path}");
            assert!(!html.contains("<i>Klar"), "{path}");
            assert!(
                html.contains("&lt;b&gt;") || html.contains("&#60;b&#62;"),
                "{path}"
            );
        }

        // Change two fields: the history names who and what.
        let mut changed = fields.clone();
        changed[3] = ("purpose", "Mandantenbriefe übersetzen");
        changed[13] = ("risk_class", "minimal");
        let r = app
            .post_form_with(
                &format!("/teilnehmer/verzeichnis/{}", entry.id),
                &changed,
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let history = storage::register::history(&app.db, lead, 10).await?;
        assert_eq!(history.len(), 2);
        assert_eq!(history[0].action, "geaendert");
        assert!(history[0].changes.contains("Zweck"));
        assert!(
            history[0]
                .changes
                .contains("Risikoklasse nach KI-Verordnung: Begrenztes Risiko")
        );
        assert!(!history[0].changes.contains("Anbieter"));
        assert_eq!(history[0].actor, "Clara <i>Klar</i> (Ansprechperson)");
        let html = app
            .get_with_cookie("/teilnehmer/verzeichnis/verlauf", &cookie)
            .await?
            .text()
            .await?;
        assert!(html.contains("geändert") && html.contains("Zweck"));

        // CSV: BOM, semicolons, formulas neutralised.
        let r = app
            .get_with_cookie("/teilnehmer/verzeichnis.csv", &cookie)
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()?
                .starts_with("text/csv")
        );
        assert_eq!(r.headers()["cache-control"], "no-store");
        let csv = r.text().await?;
        assert!(csv.starts_with('\u{feff}'));
        assert!(csv.contains("Name des KI-Systems;Anbieter;Zweck"));
        assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
        assert!(csv.contains("\"'@SUM(1)\"") && csv.contains("\"'-1+1\""));
        assert!(csv.contains("\"<script>alert(1)</script>\""));

        // PDF: the text is printed literally, fonts are embedded.
        let r = app
            .get_with_cookie("/teilnehmer/verzeichnis.pdf", &cookie)
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "application/pdf");
        let pdf = r.bytes().await?;
        assert!(pdf.starts_with(b"%PDF"));
        let (text, fonts) = pdf_text(&pdf)?;
        for needle in [
            "Übersicht der eingesetzten KI-Systeme",
            "Steuerberatung <b>Klar</b>",
            "Version 2",
            "DeepL <b>#import</b>",
            "<script>alert(1)</script>",
            "*fett* #set page(width: 1cm)",
            "Mandantenbriefe übersetzen",
            "Minimales Risiko",
            "Änderungsverlauf",
            "Clara <i>Klar</i>",
            "Rechtsberatung",
        ] {
            assert!(text.contains(needle), "PDF lacks {needle}:\n{text}");
        }
        assert_fonts_embedded(&fonts);

        // Delete: the entry goes, the history stays.
        let r = app
            .post_form_with(
                &format!("/teilnehmer/verzeichnis/{}/loeschen", entry.id),
                &[("csrf", &csrf)],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 400);
        assert!(r.text().await?.contains("Häkchen"));
        let r = app
            .post_form_with(
                &format!("/teilnehmer/verzeichnis/{}/loeschen", entry.id),
                &[("csrf", &csrf), ("confirm", "on")],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        assert!(storage::register::list(&app.db, lead).await?.is_empty());
        let history = storage::register::history(&app.db, lead, 10).await?;
        assert_eq!(history[0].action, "geloescht");
        assert_eq!(storage::register::version(&app.db, lead).await?, 3);
        Ok(())
    }
);

db_test!(
    bad_register_input_gets_german_messages_and_keeps_the_form,
    Options::plain(),
    |app: TestApp| async move {
        let admin = app.login_admin("team@odoublet.test").await?;
        let lead = participant_company(&app, "kontakt@bau-huber.at", "Bau Huber").await?;
        let cookie = invited_login(
            &app,
            &admin,
            lead,
            "Anna Huber",
            "anna@bau-huber.at",
            "mitarbeitende",
        )
        .await?;
        let csrf = csrf_of(&app, &cookie).await?;

        let long = "x".repeat(151);
        let mut fields = register_form(&csrf, &long);
        fields[3] = ("purpose", "Bautagebuch <mit> Fotos");
        let r = app
            .post_form_with("/teilnehmer/verzeichnis/neu", &fields, Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await?;
        assert!(
            html.contains("Der Name ist zu lang: 151 Zeichen, erlaubt sind höchstens 150"),
            "{html}"
        );
        assert!(
            html.contains("Bautagebuch &lt;mit&gt; Fotos")
                || html.contains("Bautagebuch &#60;mit&#62; Fotos")
        );
        assert!(html.contains("Ihre Eingaben sind unten noch da"));

        let long_purpose = "y".repeat(2001);
        let mut fields = register_form(&csrf, "Bautagebuch-KI");
        fields[3] = ("purpose", &long_purpose);
        fields[15] = ("review", "2024-03-01");
        fields[6] = ("personal_data", "vielleicht");
        let r = app
            .post_form_with("/teilnehmer/verzeichnis/neu", &fields, Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await?;
        assert!(html.contains("Der Zweck ist zu lang"));
        assert!(
            html.contains("Der Prüftermin 1. März 2024 liegt in der Vergangenheit"),
            "{html}"
        );
        assert!(html.contains("einen Eintrag aus der Liste"));
        assert!(html.contains("value=\"Bautagebuch-KI\""));

        let mut fields = register_form(&csrf, "Bautagebuch-KI");
        fields[15] = ("review", "31.02.2027");
        let r = app
            .post_form_with("/teilnehmer/verzeichnis/neu", &fields, Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await?.contains("kein gültiges Datum"));

        // Literacy log: over-long topic, broken numbers.
        let long_topic = "z".repeat(201);
        let mut fields = literacy_form(&csrf, &long_topic);
        fields[4] = ("duration", "-5");
        let r = app
            .post_form_with("/teilnehmer/kompetenz/neu", &fields, Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await?;
        assert!(html.contains("Das Thema ist zu lang"));
        assert!(html.contains("Die Dauer muss eine ganze Zahl"));

        // Unknown ids, oversized bodies: German pages, never 500.
        let r = app
            .get_with_cookie("/teilnehmer/verzeichnis/999999", &cookie)
            .await?;
        assert_eq!(r.status().as_u16(), 404);
        let r = app
            .get_with_cookie("/teilnehmer/verzeichnis/abc", &cookie)
            .await?;
        assert_eq!(r.status().as_u16(), 400);
        let huge = "a".repeat(300 * 1024);
        let mut fields = register_form(&csrf, "X");
        fields[3] = ("purpose", &huge);
        let r = app
            .post_form_with("/teilnehmer/verzeichnis/neu", &fields, Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 413);
        assert!(r.text().await?.contains("Zu viel Text"));
        assert!(storage::register::list(&app.db, lead).await?.is_empty());
        Ok(())
    }
);

db_test!(
    literacy_log_with_art4_explanation_and_exports,
    Options::plain(),
    |app: TestApp| async move {
        let admin = app.login_admin("team@odoublet.test").await?;
        let lead = participant_company(&app, "kontakt@holzbau.at", "Holzbau Gruber").await?;
        let cookie = invited_login(
            &app,
            &admin,
            lead,
            "Georg Gruber",
            "georg@holzbau.at",
            "ansprechperson",
        )
        .await?;
        let csrf = csrf_of(&app, &cookie).await?;
        let html = app
            .get_with_cookie("/teilnehmer/kompetenz", &cookie)
            .await?
            .text()
            .await?;
        for needle in [
            "Art. 4",
            "2. Februar 2025",
            "2026/1744",
            "Stand: 27. November 2026",
            "Keine Rechtsberatung",
            "Art. 26 Abs. 2",
        ] {
            assert!(html.contains(needle), "log page lacks {needle}");
        }
        let r = app
            .post_form_with(
                "/teilnehmer/kompetenz/neu",
                &literacy_form(&csrf, "Was darf in ChatGPT? <Angebote>"),
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let mut count_only = literacy_form(&csrf, "=Unterweisung Baustelle");
        count_only[6] = ("attendees", "");
        count_only[7] = ("attendee_count", "12");
        let r = app
            .post_form_with("/teilnehmer/kompetenz/neu", &count_only, Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let log = storage::register::literacy_list(&app.db, lead).await?;
        assert_eq!(log.len(), 2);
        let html = app
            .get_with_cookie("/teilnehmer/kompetenz", &cookie)
            .await?
            .text()
            .await?;
        assert!(!html.contains("<Angebote>"));
        assert!(html.contains("&lt;Angebote&gt;") || html.contains("&#60;Angebote&#62;"));
        let counts: Vec<i64> = log.iter().map(|e| e.attendee_count).collect();
        assert!(counts.contains(&2) && counts.contains(&12));

        let csv = app
            .get_with_cookie("/teilnehmer/kompetenz.csv", &cookie)
            .await?
            .text()
            .await?;
        assert!(csv.starts_with('\u{feff}'));
        assert!(csv.contains("Datum;Thema;Format;Dauer in Minuten"));
        assert!(csv.contains("\"'=Unterweisung Baustelle\""));
        assert!(
            csv.contains("\"2026-11-20\";\"Was darf in ChatGPT? <Angebote>\";\"Workshop\";\"90\"")
        );

        let pdf = app
            .get_with_cookie("/teilnehmer/kompetenz.pdf", &cookie)
            .await?
            .bytes()
            .await?;
        let (text, fonts) = pdf_text(&pdf)?;
        for needle in [
            "Maßnahmen nach Art. 4",
            "Holzbau Gruber",
            "Was darf in ChatGPT? <Angebote>",
            "Art. 4",
            "20. November 2026",
            "Rechtsberatung",
            "180 Minuten",
        ] {
            assert!(text.contains(needle), "PDF lacks {needle}:\n{text}");
        }
        assert_fonts_embedded(&fonts);

        // Edit and delete.
        let id = log[0].id;
        let mut edited = literacy_form(&csrf, "Neues Thema");
        edited[4] = ("duration", "45");
        let r = app
            .post_form_with(
                &format!("/teilnehmer/kompetenz/{id}"),
                &edited,
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let e = storage::register::literacy_get(&app.db, lead, id)
            .await?
            .expect("entry");
        assert_eq!((e.topic.as_str(), e.duration_minutes), ("Neues Thema", 45));
        let r = app
            .post_form_with(
                &format!("/teilnehmer/kompetenz/{id}/loeschen"),
                &[("csrf", &csrf), ("confirm", "on")],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(
            storage::register::literacy_list(&app.db, lead).await?.len(),
            1
        );
        Ok(())
    }
);

db_test!(
    review_reminders_go_to_the_contact_person_once_per_date,
    Options::with_smtp(),
    |app: TestApp| async move {
        let admin = app.login_admin("team@odoublet.test").await?;
        let lead = participant_company(&app, "kontakt@tischlerei-ast.at", "Tischlerei Ast").await?;
        let cookie = invited_login(
            &app,
            &admin,
            lead,
            "Eva Ast",
            "eva@tischlerei-ast.at",
            "ansprechperson",
        )
        .await?;
        invite(
            &app,
            &admin,
            lead,
            "Max Ast",
            "max@tischlerei-ast.at",
            "mitarbeitende",
        )
        .await?;
        let csrf = csrf_of(&app, &cookie).await?;
        let now = UnixMs::now();
        let tomorrow = now.plus_ms(86_400_000).format_iso_date();
        let mut fields = register_form(&csrf, "Angebots-KI");
        fields[15] = ("review", &tomorrow);
        let r = app
            .post_form_with("/teilnehmer/verzeichnis/neu", &fields, Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 303);

        let state = app.state.clone();
        assert_eq!(
            kipilot::participants::register::send_review_reminders(&state, now).await?,
            0
        );
        let later = now.plus_ms(3 * 86_400_000);
        assert_eq!(
            kipilot::participants::register::send_review_reminders(&state, later).await?,
            1
        );
        assert_eq!(
            kipilot::participants::register::send_review_reminders(&state, later).await?,
            0
        );
        let reminders: Vec<_> = app
            .outbox()
            .await?
            .into_iter()
            .filter(|m| m.kind == "teilnehmer-pruefung")
            .collect();
        assert_eq!(reminders.len(), 1);
        assert_eq!(reminders[0].to_addr, "eva@tischlerei-ast.at");
        assert!(reminders[0].subject.contains("Angebots-KI"));
        // Delivered over SMTP by the outbox worker (queued "in three days", so due it now).
        let id = reminders[0].id;
        assert!(storage::outbox::retry_now(&app.db, id, UnixMs::now()).await?);
        app.state.mail_wakeup.notify_one();
        crate::helpers::eventually(std::time::Duration::from_secs(10), || {
            let db = app.db.clone();
            async move {
                Ok(storage::outbox::get(&db, id)
                    .await?
                    .and_then(|m| m.sent_ms)
                    .map(|_| ()))
            }
        })
        .await?;
        let smtp = app.smtp.clone().expect("smtp");
        assert!(
            smtp.mails()
                .iter()
                .any(|m| m.to.iter().any(|t| t.contains("eva@tischlerei-ast.at")))
        );

        let entry = storage::register::list(&app.db, lead).await?.remove(0);
        // A new date means a new reminder when it comes.
        let mut fields = register_form(&csrf, "Angebots-KI");
        let next = now.plus_ms(30 * 86_400_000).format_iso_date();
        fields[15] = ("review", &next);
        let r = app
            .post_form_with(
                &format!("/teilnehmer/verzeichnis/{}", entry.id),
                &fields,
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(
            kipilot::participants::register::send_review_reminders(
                &state,
                now.plus_ms(31 * 86_400_000)
            )
            .await?,
            1
        );
        Ok(())
    }
);

db_test!(
    team_invites_only_participants_and_executes_deletion_requests,
    Options::plain(),
    |app: TestApp| async move {
        let admin = app.login_admin("team@odoublet.test").await?;
        let lead = participant_company(&app, "kontakt@kanzlei-recht.at", "Kanzlei Recht").await?;
        // Not yet a participant: German message, no account.
        storage::leads::set_stage(
            &app.db,
            lead,
            domain::LeadStage::Kontaktiert,
            "test",
            UnixMs::now(),
        )
        .await?;
        let r = invite(
            &app,
            &admin,
            lead,
            "Ida Recht",
            "ida@kanzlei-recht.at",
            "ansprechperson",
        )
        .await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(
            r.text()
                .await?
                .contains("noch nicht in der Phase „Teilnehmer“")
        );
        assert!(
            storage::participants::find_by_email(&app.db, "ida@kanzlei-recht.at")
                .await?
                .is_none()
        );

        let lead_page = format!("/admin/leads/{lead}");
        let html = app
            .get_with_cookie(&lead_page, &admin)
            .await?
            .text()
            .await?;
        assert!(!html.contains("In den Teilnehmerbereich einladen"));

        // Through the back office's stage form, then invite from the lead page.
        let csrf = app.csrf(&admin).await?;
        app.post_form_with(
            &format!("/admin/leads/{lead}/phase"),
            &[("csrf", &csrf), ("stage", "teilnehmer")],
            Some(&admin),
        )
        .await?;
        let html = app
            .get_with_cookie(&lead_page, &admin)
            .await?
            .text()
            .await?;
        assert!(html.contains("In den Teilnehmerbereich einladen"));
        assert!(html.contains(&format!("action=\"/admin/leads/{lead}/teilnehmer\"")));
        let ida = invited_login(
            &app,
            &admin,
            lead,
            "Ida Recht",
            "ida@kanzlei-recht.at",
            "ansprechperson",
        )
        .await?;
        let max = invited_login(
            &app,
            &admin,
            lead,
            "Max <b>Muster</b>",
            "max@kanzlei-recht.at",
            "mitarbeitende",
        )
        .await?;
        let r = invite(
            &app,
            &admin,
            lead,
            "Doppelt",
            "MAX@kanzlei-recht.at",
            "mitarbeitende",
        )
        .await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await?.contains("schon einen Zugang"));
        let long = "N".repeat(121);
        let r = invite(
            &app,
            &admin,
            lead,
            &long,
            "neu@kanzlei-recht.at",
            "mitarbeitende",
        )
        .await?;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await?;
        assert!(html.contains("Der Name ist zu lang: 121 Zeichen"));
        assert!(html.contains("value=\"neu@kanzlei-recht.at\""), "form kept");
        let page = app
            .get_with_cookie(&format!("/admin/leads/{lead}/teilnehmer"), &admin)
            .await?
            .text()
            .await?;
        assert!(page.contains("Ida Recht"));
        assert!(page.contains("Max &lt;b&gt;Muster") || page.contains("Max &#60;b&#62;Muster"));

        // Max adds a register entry, then exports everything.
        let csrf_max = csrf_of(&app, &max).await?;
        app.post_form_with(
            "/teilnehmer/verzeichnis/neu",
            &register_form(&csrf_max, "Kanzlei-GPT"),
            Some(&max),
        )
        .await?;
        let r = app
            .get_with_cookie("/teilnehmer/meine-daten/export.json", &max)
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        let json: serde_json::Value = serde_json::from_str(&r.text().await?)?;
        assert_eq!(json["you"]["email"], "max@kanzlei-recht.at");
        assert_eq!(json["company"]["name"], "Kanzlei Recht");
        assert_eq!(json["register"][0]["name"], "Kanzlei-GPT");
        assert_eq!(json["register_history"][0]["action"], "angelegt");
        assert!(
            !json.to_string().contains("ida@kanzlei-recht.at"),
            "colleagues' addresses stay private"
        );

        // Only the contact person may ask to delete the company's data.
        let r = app
            .post_form_with(
                "/teilnehmer/meine-daten/loeschen",
                &[
                    ("csrf", &csrf_max),
                    ("scope", "unternehmen"),
                    ("confirm", "on"),
                ],
                Some(&max),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 400);
        assert!(r.text().await?.contains("nur die Ansprechperson"));
        let r = app
            .post_form_with(
                "/teilnehmer/meine-daten/loeschen",
                &[("csrf", &csrf_max), ("scope", "konto"), ("confirm", "on")],
                Some(&max),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let page = app
            .get_with_cookie("/admin/teilnehmer", &admin)
            .await?
            .text()
            .await?;
        assert!(page.contains("Löschung beantragt am"));

        // The team executes it: account gone, history anonymised, audit entry without name.
        let account = storage::participants::find_by_email(&app.db, "max@kanzlei-recht.at")
            .await?
            .expect("max");
        let csrf = app.csrf(&admin).await?;
        let r = app
            .post_form_with(
                &format!("/admin/teilnehmer/{}/loeschen", account.id),
                &[("csrf", &csrf), ("confirm", "on")],
                Some(&admin),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        assert!(
            storage::participants::get(&app.db, account.id)
                .await?
                .is_none()
        );
        let r = app.get_with_cookie("/teilnehmer", &max).await?;
        assert_eq!(r.status().as_u16(), 303);
        let history = storage::register::history(&app.db, lead, 10).await?;
        assert_eq!(history[0].actor, "gelöschtes Konto");
        assert!(
            app.outbox()
                .await?
                .iter()
                .all(|m| m.to_addr != "max@kanzlei-recht.at")
        );
        let audit = storage::audit::recent(&app.db, 50).await?;
        let entry = audit
            .iter()
            .find(|a| a.action.starts_with("Teilnehmer-Konto gelöscht"))
            .expect("audit entry");
        assert_eq!(
            entry.action,
            "Teilnehmer-Konto gelöscht (Anfrage der betroffenen Person)"
        );
        assert!(
            audit
                .iter()
                .all(|a| !a.action.contains("Max") && !a.subject.contains("Max"))
        );
        // The register stays with the company.
        assert_eq!(storage::register::list(&app.db, lead).await?.len(), 1);

        // Retention: the team sets the period; inactive accounts are deleted after it.
        let csrf = app.csrf(&admin).await?;
        for bad in ["abc", "10", "99999"] {
            let r = app
                .post_form_with(
                    "/admin/teilnehmer/aufbewahrung",
                    &[("csrf", &csrf), ("days", bad)],
                    Some(&admin),
                )
                .await?;
            assert_eq!(r.status().as_u16(), 422, "{bad}");
            assert!(r.text().await?.contains("ganze Zahl von 90 bis 1095 Tagen"));
        }
        let r = app
            .post_form_with(
                "/admin/teilnehmer/aufbewahrung",
                &[("csrf", &csrf), ("days", "200")],
                Some(&admin),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let html = app
            .get_with_cookie("/teilnehmer/meine-daten", &ida)
            .await?
            .text()
            .await?;
        assert!(html.contains("200 Tage lang nicht genutzt"));
        let soon = UnixMs::now().plus_ms(150 * 86_400_000);
        kipilot::participants::privacy::run_retention(&app.db, soon).await?;
        assert!(
            storage::participants::find_by_email(&app.db, "ida@kanzlei-recht.at")
                .await?
                .is_some()
        );
        let removed = kipilot::participants::privacy::run_retention(
            &app.db,
            UnixMs::now().plus_ms(201 * 86_400_000),
        )
        .await?;
        assert!(removed >= 1);
        assert!(
            storage::participants::find_by_email(&app.db, "ida@kanzlei-recht.at")
                .await?
                .is_none()
        );
        let r = app.get_with_cookie("/teilnehmer", &ida).await?;
        assert_eq!(r.status().as_u16(), 303);

        // Erasing the lead erases the whole area.
        let csrf = app.csrf(&admin).await?;
        app.post_form_with(
            &format!("/admin/leads/{lead}/loeschen"),
            &[("csrf", &csrf), ("confirm", "on")],
            Some(&admin),
        )
        .await?;
        assert!(storage::register::list(&app.db, lead).await?.is_empty());
        assert!(
            storage::register::history(&app.db, lead, 10)
                .await?
                .is_empty()
        );
        Ok(())
    }
);

db_test!(
    a_risk_check_result_prefills_a_new_register_entry,
    Options::plain(),
    |app: TestApp| async move {
        let lead = participant_company(&app, "kontakt@bau-kalk.at", "Bau Kalk").await?;
        let admin = app.login_admin("team@odoublet.test").await?;
        let cookie = invited_login(
            &app,
            &admin,
            lead,
            "Karl Kalk",
            "karl@bau-kalk.at",
            "ansprechperson",
        )
        .await?;
        let duties = "Betreiberpflichten erfüllen (Art. 26 KI-VO, gilt ab 2. Dezember 2027)\n<b>KI-Kompetenz</b> (Art. 4 KI-VO)";
        let query = serde_urlencoded::to_string([("risiko", "hoch"), ("pflichten", duties)])?;
        let r = app
            .get_with_cookie(&format!("/teilnehmer/verzeichnis/neu?{query}"), &cookie)
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        let html = r.text().await?;
        assert!(
            html.contains("<option value=\"hoch\" selected>"),
            "risk class taken over"
        );
        assert!(
            html.contains("Betreiberpflichten erfüllen (Art. 26 KI-VO, gilt ab 2. Dezember 2027)")
        );
        assert!(
            html.contains("&lt;b&gt;KI-Kompetenz&lt;/b&gt;")
                || html.contains("&#60;b&#62;KI-Kompetenz"),
            "escaped"
        );
        assert!(!html.contains("<b>KI-Kompetenz</b>"));
        // Unknown classes are not taken over; nothing is stored by opening the form.
        let html = app
            .get_with_cookie("/teilnehmer/verzeichnis/neu?risiko=%3Cscript%3E", &cookie)
            .await?
            .text()
            .await?;
        assert!(html.contains("<option value=\"offen\" selected>"));
        assert!(storage::register::list(&app.db, lead).await?.is_empty());
        // Without a session the link leads to the login and, through the mailed link, back
        // to the prefilled form.
        let target = format!("/teilnehmer/verzeichnis/neu?{query}");
        let r = app.get(&target).await?;
        assert_eq!(r.status().as_u16(), 303);
        let login = r.headers()["location"].to_str()?.to_owned();
        assert!(
            login.starts_with(
                "/teilnehmer/anmelden?weiter=%2Fteilnehmer%2Fverzeichnis%2Fneu%3Frisiko%3Dhoch"
            ),
            "{login}"
        );
        let form_token = app.form_token(&login).await?;
        let r = app
            .post_form(
                "/teilnehmer/anmelden",
                &[
                    ("form_token", form_token.as_str()),
                    ("email", "karl@bau-kalk.at"),
                    ("weiter", target.as_str()),
                ],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        let mail = app
            .outbox()
            .await?
            .into_iter()
            .find(|m| m.to_addr == "karl@bau-kalk.at" && m.kind == "teilnehmer-anmeldung")
            .expect("login mail");
        let link = mail
            .body_text
            .split_whitespace()
            .find(|w| w.contains("/teilnehmer/anmelden/link?token="))
            .and_then(|w| w.split_once("/teilnehmer/"))
            .map(|(_, rest)| format!("/teilnehmer/{rest}"))
            .expect("link in the mail");
        assert!(
            link.contains("&weiter=%2Fteilnehmer%2Fverzeichnis%2Fneu"),
            "{link}"
        );
        let token = token_from_text(&mail.body_text).expect("token");
        let (_, page) = app.get_text(&link).await?;
        assert!(
            page.contains("name=\"weiter\""),
            "the button page carries the way back"
        );
        let form_token = app.form_token(&link).await?;
        let r = app
            .post_form(
                "/teilnehmer/anmelden/link",
                &[
                    ("form_token", form_token.as_str()),
                    ("token", token.as_str()),
                    ("weiter", target.as_str()),
                ],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(r.headers()["location"].to_str()?, target);
        Ok(())
    }
);
