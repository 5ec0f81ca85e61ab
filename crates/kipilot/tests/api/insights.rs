//! Pain points and insights: every source arrives in one list, the team classifies them,
//! participants submit theirs (only their own company's list is visible), the dashboard and
//! its CSV obey the 3-company rule, and HTML is escaped on page, in SVG and in the CSV.

use crate::db_test;
use crate::helpers::{Options, TestApp};
use crate::participants::{csrf_of, invited_login, participant_company};
use domain::UnixMs;

/// Applies for `company` with an obstacle in the form and confirms by the mailed link;
/// returns the lead id.
async fn confirmed_applicant(
    app: &TestApp,
    email: &str,
    company: &str,
    industry: &str,
    size: &str,
    obstacle: &str,
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
                ("industry", industry),
                ("company_size", size),
                ("interests", "texte"),
                ("message", obstacle),
                ("consent", "on"),
            ],
        )
        .await?;
    anyhow::ensure!(r.status().as_u16() == 303, "apply: {}", r.status());
    let confirm = app.confirmation_token_from_outbox(email).await?;
    let r = app
        .post_form("/mitmachen/bestaetigen", &[("token", &confirm)])
        .await?;
    anyhow::ensure!(r.status().as_u16() == 200, "confirm: {}", r.status());
    let lead = storage::leads::find_by_email(&app.db, email)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no lead"))?;
    Ok(lead.id)
}

async fn tag_id(app: &TestApp, label: &str) -> anyhow::Result<i64> {
    storage::events::tags(&app.db)
        .await?
        .into_iter()
        .find(|t| t.label == label)
        .map(|t| t.id)
        .ok_or_else(|| anyhow::anyhow!("no tag {label}"))
}

/// Tags every pain point of the list with `tag`.
async fn tag_all(app: &TestApp, admin: &str, tag: i64) -> anyhow::Result<()> {
    let csrf = app.csrf(admin).await?;
    for p in storage::insights::all(&app.db).await? {
        let r = app
            .post_form_with(
                &format!("/admin/anliegen/{}", p.id),
                &[
                    ("csrf", &csrf),
                    ("tag_id", &tag.to_string()),
                    ("kind", "hindernis"),
                ],
                Some(admin),
            )
            .await?;
        anyhow::ensure!(r.status().as_u16() == 303, "classify: {}", r.status());
    }
    Ok(())
}

db_test!(
    insights_pain_points_from_every_source_arrive_in_one_list,
    Options::plain(),
    |app: TestApp| async move {
        let admin = app.login_admin("team@odoublet.at").await?;
        // Application form: "größtes Hindernis", imported on confirmation (once).
        let lead = confirmed_applicant(
            &app,
            "a@alpha.at",
            "Alpha GmbH",
            "handel",
            "1-9",
            "BewerbungsHindernis: Angst vor Abmahnungen",
        )
        .await?;
        // Round-table minutes.
        let kosten = tag_id(&app, "Kosten").await?;
        storage::events::add_pain_point(
            &app.db,
            "RoundTablePunkt: Lizenzkosten",
            kosten,
            false,
            storage::events::SOURCE_EVENT,
            42,
            UnixMs::now(),
        )
        .await?;
        // LinkedIn comment.
        let post = storage::posts::create(
            &app.db,
            &storage::posts::PostDraft {
                kind: "tipp".to_owned(),
                body: "Frage an KMU".to_owned(),
                planned_ms: None,
                link_id: None,
                poll_question: None,
                poll_options: Vec::new(),
                poll_days: None,
            },
            UnixMs::now(),
        )
        .await?;
        storage::posts::add_comment(
            &app.db,
            post,
            "Kommentar",
            Some("LinkedInPunkt: keine Zeit"),
            UnixMs::now(),
        )
        .await?;
        // Participant area.
        storage::leads::set_stage(
            &app.db,
            lead,
            domain::LeadStage::Teilnehmer,
            "test",
            UnixMs::now(),
        )
        .await?;
        let cookie = invited_login(
            &app,
            &admin,
            lead,
            "Petra",
            "petra@alpha.at",
            "mitarbeitende",
        )
        .await?;
        let csrf = csrf_of(&app, &cookie).await?;
        let r = app
            .post_form_with(
                "/teilnehmer/anliegen",
                &[
                    ("csrf", &csrf),
                    ("kind", "wunsch"),
                    ("text", "TeilnehmerWunsch: Vorlage für Kennzeichnung"),
                ],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        assert_eq!(r.headers()["location"], "/teilnehmer/anliegen?ok=anliegen");

        let r = app.get_with_cookie("/admin/anliegen", &admin).await?;
        assert_eq!(r.status().as_u16(), 200);
        let page = r.text().await?;
        for text in [
            "BewerbungsHindernis: Angst vor Abmahnungen",
            "Bewerbung (größtes Hindernis) · Alpha GmbH",
            "RoundTablePunkt: Lizenzkosten",
            "Round-Table",
            "LinkedInPunkt: keine Zeit",
            "TeilnehmerWunsch: Vorlage für Kennzeichnung",
            "Teilnehmerbereich · Alpha GmbH",
            "2 Punkte warten",
        ] {
            assert!(page.contains(text), "missing {text}");
        }
        let rows = storage::insights::all(&app.db).await?;
        assert_eq!(rows.len(), 3);
        // A round-table point keeps its tag (the minutes are grouped by it).
        let event_point = rows
            .iter()
            .find(|r| r.source_kind == "event")
            .map(|r| r.id)
            .unwrap_or_default();
        let admin_csrf = app.csrf(&admin).await?;
        let r = app
            .post_form_with(
                &format!("/admin/anliegen/{event_point}"),
                &[
                    ("csrf", admin_csrf.as_str()),
                    ("tag_id", "0"),
                    ("kind", "wunsch"),
                ],
                Some(&admin),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 400);
        assert!(r.text().await?.contains("brauchen ein Schlagwort"));
        assert!(!storage::insights::classify(&app.db, event_point, None, true, false).await?);
        let r = app
            .post_form_with(
                &format!("/admin/anliegen/{event_point}"),
                &[
                    ("csrf", admin_csrf.as_str()),
                    ("tag_id", &kosten.to_string()),
                    ("kind", "wunsch"),
                ],
                Some(&admin),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        // The participant sees the company's points, including the application's.
        let own = app
            .get_with_cookie("/teilnehmer/anliegen", &cookie)
            .await?
            .text()
            .await?;
        assert!(own.contains("TeilnehmerWunsch"));
        assert!(own.contains("BewerbungsHindernis"));
        assert!(!own.contains("RoundTablePunkt"));
        // The team's export of the lead (Art. 15) carries its points.
        let export = app
            .get_with_cookie(&format!("/admin/leads/{lead}/export.json"), &admin)
            .await?
            .text()
            .await?;
        assert!(export.contains("TeilnehmerWunsch: Vorlage für Kennzeichnung"));
        assert!(!export.contains("RoundTablePunkt"));
        // Erasing the lead removes its points with it.
        storage::leads::erase(&app.db, lead, "test", "test", UnixMs::now()).await?;
        let left = storage::insights::all(&app.db).await?;
        assert_eq!(left.len(), 1);
        assert_eq!(left[0].text, "RoundTablePunkt: Lizenzkosten");
        Ok(())
    }
);

db_test!(
    insights_team_tags_and_marks_wishes_as_feature_ideas,
    Options::plain(),
    |app: TestApp| async move {
        let admin = app.login_admin("team@odoublet.at").await?;
        let lead = confirmed_applicant(
            &app,
            "a@alpha.at",
            "Alpha GmbH",
            "handel",
            "1-9",
            "Wir wüssten gern, welches Tool passt",
        )
        .await?;
        let id = storage::insights::all(&app.db).await?[0].id;
        let tool = tag_id(&app, "Tool-Auswahl").await?;
        let csrf = app.csrf(&admin).await?;
        let r = app
            .post_form_with(
                &format!("/admin/anliegen/{id}"),
                &[
                    ("csrf", csrf.as_str()),
                    ("tag_id", &tool.to_string()),
                    ("kind", "wunsch"),
                    ("feature_idea", "on"),
                ],
                Some(&admin),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let row = &storage::insights::all(&app.db).await?[0];
        assert_eq!(row.tag_id, Some(tool));
        assert_eq!((row.is_wish, row.feature_idea), (1, 1));
        let dash = app
            .get_with_cookie("/admin/erkenntnisse", &admin)
            .await?
            .text()
            .await?;
        assert!(dash.contains("Als Feature-Idee markiert"));
        assert!(dash.contains("Wir wüssten gern, welches Tool passt"));
        assert!(dash.contains("<td>Tool-Auswahl</td><td>1</td>"));
        // The list's views: feature ideas and wishes show it, "ohne Schlagwort" does not.
        for (view, shown) in [
            ("ideen", true),
            ("wuensche", true),
            ("offen", false),
            ("<x>", true),
        ] {
            let page = app
                .get_with_cookie(&format!("/admin/anliegen?zeige={view}"), &admin)
                .await?
                .text()
                .await?;
            assert_eq!(page.contains("Wir wüssten gern"), shown, "{view}");
        }
        // An obstacle cannot be a feature idea.
        app.post_form_with(
            &format!("/admin/anliegen/{id}"),
            &[
                ("csrf", csrf.as_str()),
                ("tag_id", &tool.to_string()),
                ("kind", "hindernis"),
                ("feature_idea", "on"),
            ],
            Some(&admin),
        )
        .await?;
        let row = &storage::insights::all(&app.db).await?[0];
        assert_eq!((row.is_wish, row.feature_idea), (0, 0));
        // The tag is in use now: it cannot be deleted.
        let r = app
            .post_form_with(
                &format!("/admin/veranstaltungen/schlagworte/{tool}/loeschen"),
                &[("csrf", csrf.as_str())],
                Some(&admin),
            )
            .await?;
        assert_ne!(r.status().as_u16(), 500);
        assert!(tag_id(&app, "Tool-Auswahl").await.is_ok());
        // Unknown tag, unknown point, bad kind, missing CSRF: refused, never a 500.
        for (path, tag, kind, status) in [
            (
                format!("/admin/anliegen/{id}"),
                "999999".to_owned(),
                "wunsch",
                404,
            ),
            (
                "/admin/anliegen/999999".to_owned(),
                tool.to_string(),
                "wunsch",
                404,
            ),
            (
                format!("/admin/anliegen/{id}"),
                "abc".to_owned(),
                "wunsch",
                400,
            ),
            (
                format!("/admin/anliegen/{id}"),
                tool.to_string(),
                "<x>",
                400,
            ),
        ] {
            let r = app
                .post_form_with(
                    &path,
                    &[("csrf", csrf.as_str()), ("tag_id", &tag), ("kind", kind)],
                    Some(&admin),
                )
                .await?;
            assert_eq!(r.status().as_u16(), status, "{path} {tag} {kind}");
        }
        let r = app
            .post_form_with(
                &format!("/admin/anliegen/{id}"),
                &[("tag_id", "0"), ("kind", "wunsch")],
                Some(&admin),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 403);
        let _ = lead;
        Ok(())
    }
);

db_test!(
    insights_breakdown_needs_three_companies_on_page_and_in_csv,
    Options::plain(),
    |app: TestApp| async move {
        let admin = app.login_admin("team@odoublet.at").await?;
        for (i, company) in ["Log1", "Log2", "Log3"].iter().enumerate() {
            confirmed_applicant(
                &app,
                &format!("l{i}@log.at"),
                company,
                "logistik",
                "1-9",
                "Datenschutz unklar",
            )
            .await?;
        }
        for (i, company) in ["Han1", "Han2"].iter().enumerate() {
            confirmed_applicant(
                &app,
                &format!("h{i}@handel.at"),
                company,
                "handel",
                "50-249",
                "Kosten zu hoch",
            )
            .await?;
        }
        tag_all(&app, &admin, tag_id(&app, "Kosten").await?).await?;
        let page = app
            .get_with_cookie("/admin/erkenntnisse", &admin)
            .await?
            .text()
            .await?;
        assert!(page.contains("<td>Logistik und Transport</td><td>3</td>"));
        assert!(page.contains("<td>1–9 Mitarbeitende</td><td>3</td>"));
        assert!(!page.contains("Handel"), "2 companies must not be shown");
        assert!(!page.contains("50–249"));
        assert!(!page.contains("<td>Andere (weniger als 3 Unternehmen)</td>"));
        assert!(page.contains("<td>Kosten</td><td>5</td>"));
        let r = app
            .get_with_cookie("/admin/erkenntnisse.csv", &admin)
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        let csv = r.text().await?;
        assert!(csv.starts_with('\u{feff}'));
        assert!(csv.contains("\"Branche\";\"Logistik und Transport\";\"3\""));
        assert!(!csv.contains("Handel"));
        assert!(!csv.contains("50–249"));

        // A third company in Handel: now it is shown, on the page and in the CSV.
        confirmed_applicant(
            &app,
            "h3@handel.at",
            "Han3",
            "handel",
            "250+",
            "Kosten zu hoch",
        )
        .await?;
        let page = app
            .get_with_cookie("/admin/erkenntnisse", &admin)
            .await?
            .text()
            .await?;
        assert!(page.contains("<td>Handel</td><td>3</td>"));
        // Sizes 50–249 (2) and 250+ (1) merge into "Andere" with 3 companies.
        assert!(page.contains("<td>Andere (weniger als 3 Unternehmen)</td><td>3</td>"));
        assert!(!page.contains("50–249"));
        let csv = app
            .get_with_cookie("/admin/erkenntnisse.csv", &admin)
            .await?
            .text()
            .await?;
        assert!(csv.contains("\"Branche\";\"Handel\";\"3\""));
        assert!(csv.contains("\"Unternehmensgröße\";\"Andere (weniger als 3 Unternehmen)\";\"3\""));
        // The charts are accessible images with a title and a description.
        assert!(page.contains("role=\"img\" aria-labelledby=\"c-branche-t c-branche-d\""));
        assert!(page.contains("<title id=\"c-branche-t\">"));
        assert!(!page.contains("style="));
        Ok(())
    }
);

db_test!(
    insights_participant_submission_is_validated_and_company_scoped,
    Options::plain(),
    |app: TestApp| async move {
        let admin = app.login_admin("team@odoublet.at").await?;
        let a = participant_company(&app, "a@alpha.at", "Alpha GmbH").await?;
        let b = participant_company(&app, "b@beta.at", "Beta GmbH").await?;
        let cookie_a =
            invited_login(&app, &admin, a, "Anna", "anna@alpha.at", "ansprechperson").await?;
        let cookie_b =
            invited_login(&app, &admin, b, "Bert", "bert@beta.at", "ansprechperson").await?;
        let csrf_a = csrf_of(&app, &cookie_a).await?;
        let csrf_b = csrf_of(&app, &cookie_b).await?;

        // Without a session: to the login page; with a team session: also.
        for cookie in ["", admin.as_str()] {
            let r = app.get_with_cookie("/teilnehmer/anliegen", cookie).await?;
            assert_eq!(r.status().as_u16(), 303);
            assert_eq!(
                r.headers()["location"],
                "/teilnehmer/anmelden?weiter=%2Fteilnehmer%2Fanliegen"
            );
        }
        let r = app
            .post_form("/teilnehmer/anliegen", &[("kind", "wunsch"), ("text", "x")])
            .await?;
        assert_eq!(r.headers()["location"], "/teilnehmer/anmelden");
        assert!(storage::insights::all(&app.db).await?.is_empty());

        // Another company's CSRF token does not work.
        let r = app
            .post_form_with(
                "/teilnehmer/anliegen",
                &[("csrf", csrf_b.as_str()), ("kind", "wunsch"), ("text", "x")],
                Some(&cookie_a),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 403);

        // Over-long, empty, no kind: German message, text kept, 422.
        let long = "ä".repeat(1001);
        let r = app
            .post_form_with(
                "/teilnehmer/anliegen",
                &[
                    ("csrf", csrf_a.as_str()),
                    ("kind", "hindernis"),
                    ("text", &long),
                ],
                Some(&cookie_a),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        let page = r.text().await?;
        assert!(page.contains("Ihr Anliegen ist zu lang: 1001 Zeichen, erlaubt sind höchstens 1000. Bitte kürzen Sie den Text."));
        assert!(page.contains(&long));
        let r = app
            .post_form_with(
                "/teilnehmer/anliegen",
                &[("csrf", csrf_a.as_str()), ("text", "Etwas")],
                Some(&cookie_a),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        let page = r.text().await?;
        assert!(page.contains("Bitte wählen Sie, ob es ein Hindernis oder ein Wunsch ist."));
        assert!(page.contains(">Etwas</textarea>"));
        let r = app
            .post_form_with(
                "/teilnehmer/anliegen",
                &[
                    ("csrf", csrf_a.as_str()),
                    ("kind", "wunsch"),
                    ("text", "   "),
                ],
                Some(&cookie_a),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(storage::insights::all(&app.db).await?.is_empty());

        // Alpha writes; Beta never sees it.
        let r = app
            .post_form_with(
                "/teilnehmer/anliegen",
                &[
                    ("csrf", csrf_a.as_str()),
                    ("kind", "hindernis"),
                    ("text", "GeheimesAnliegenAlpha"),
                ],
                Some(&cookie_a),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        let page_a = app
            .get_with_cookie("/teilnehmer/anliegen?ok=anliegen", &cookie_a)
            .await?;
        assert_eq!(page_a.headers()["cache-control"], "no-store");
        let page_a = page_a.text().await?;
        assert!(page_a.contains("GeheimesAnliegenAlpha"));
        assert!(page_a.contains("Ihr Anliegen ist bei uns angekommen"));
        let page_b = app
            .get_with_cookie("/teilnehmer/anliegen", &cookie_b)
            .await?
            .text()
            .await?;
        assert!(!page_b.contains("GeheimesAnliegenAlpha"));
        // The company's data export carries its pain points, and only its own.
        for (cookie, expected) in [(&cookie_a, true), (&cookie_b, false)] {
            let json = app
                .get_with_cookie("/teilnehmer/meine-daten/export.json", cookie)
                .await?
                .text()
                .await?;
            assert!(json.contains("\"pain_points\""));
            assert_eq!(json.contains("GeheimesAnliegenAlpha"), expected);
        }
        let rows = storage::insights::all(&app.db).await?;
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].lead_id, Some(a));
        Ok(())
    }
);

db_test!(
    insights_html_is_escaped_on_pages_in_svg_and_csv,
    Options::plain(),
    |app: TestApp| async move {
        let admin = app.login_admin("team@odoublet.at").await?;
        let a = participant_company(&app, "a@alpha.at", "<i>Alpha</i> GmbH").await?;
        let cookie =
            invited_login(&app, &admin, a, "Anna", "anna@alpha.at", "ansprechperson").await?;
        let csrf = csrf_of(&app, &cookie).await?;
        let evil = "<script>alert(1)</script>";
        let r = app
            .post_form_with(
                "/teilnehmer/anliegen",
                &[("csrf", csrf.as_str()), ("kind", "wunsch"), ("text", evil)],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        assert!(
            storage::events::add_tag(&app.db, "=HYPERLINK(\"x\")<b>Tag</b>", UnixMs::now()).await?
        );
        let tag = tag_id(&app, "=HYPERLINK(\"x\")<b>Tag</b>").await?;
        let id = storage::insights::all(&app.db).await?[0].id;
        let admin_csrf = app.csrf(&admin).await?;
        let r = app
            .post_form_with(
                &format!("/admin/anliegen/{id}"),
                &[
                    ("csrf", admin_csrf.as_str()),
                    ("tag_id", &tag.to_string()),
                    ("kind", "wunsch"),
                    ("feature_idea", "on"),
                ],
                Some(&admin),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        for (path, cookie) in [
            ("/admin/anliegen", admin.as_str()),
            ("/admin/erkenntnisse", admin.as_str()),
            ("/teilnehmer/anliegen", cookie.as_str()),
        ] {
            let page = app.get_with_cookie(path, cookie).await?.text().await?;
            assert!(!page.contains("<script>alert"), "{path}");
            assert!(!page.contains("<b>Tag"), "{path}");
            assert!(!page.contains("<i>Alpha"), "{path}");
            assert!(page.contains("&#60;script&#62;alert(1)"), "{path}");
        }
        let dash = app
            .get_with_cookie("/admin/erkenntnisse", &admin)
            .await?
            .text()
            .await?;
        // The tag label inside the SVG bar chart is escaped too.
        assert!(
            dash.contains(
                "fill=\"#1d1d1d\">=HYPERLINK(&#34;x&#34;)&#60;b&#62;Tag&#60;/b&#62;</text>"
            )
        );
        assert!(dash.contains(
            "<desc id=\"c-wuensche-d\">=HYPERLINK(&#34;x&#34;)&#60;b&#62;Tag&#60;/b&#62;: 1</desc>"
        ));
        let csv = app
            .get_with_cookie("/admin/erkenntnisse.csv", &admin)
            .await?
            .text()
            .await?;
        assert!(
            csv.contains("\"'=HYPERLINK(\"\"x\"\")<b>Tag</b>\""),
            "{csv}"
        );
        assert!(!csv.contains(";\"=HYPERLINK"));
        Ok(())
    }
);
