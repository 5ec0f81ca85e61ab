//! The LinkedIn post planner: editor with checks, exact limits, status flow, export, figures,
//! poll results feeding the pain points, templates, cadence guard, bad input.

use crate::db_test;
use crate::helpers::{Options, TestApp, extract_attr};
use domain::UnixMs;

/// Posts `fields` plus the session's CSRF token.
async fn send(
    app: &TestApp,
    cookie: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> anyhow::Result<reqwest::Response> {
    let csrf = app.csrf(cookie).await?;
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    app.post_form_with(path, &all, Some(cookie)).await
}

/// The id from a `303 /admin/posts/{id}?ok=…` answer.
fn id_from(r: &reqwest::Response) -> anyhow::Result<i64> {
    anyhow::ensure!(
        r.status().as_u16() == 303,
        "expected 303, got {}",
        r.status()
    );
    let location = r.headers()["location"].to_str()?;
    let id = location
        .trim_start_matches("/admin/posts/")
        .split('?')
        .next()
        .unwrap_or_default();
    Ok(id.parse()?)
}

fn day_in(days: i64) -> String {
    let today = UnixMs::from_vienna_date(&UnixMs::now().format_iso_date()).unwrap_or_default();
    today.plus_hours(days * 24 + 12).format_iso_date()
}

async fn page(app: &TestApp, cookie: &str, path: &str) -> anyhow::Result<String> {
    Ok(app.get_with_cookie(path, cookie).await?.text().await?)
}

const POLL: [(&str, &str); 5] = [
    ("kind", "umfrage"),
    (
        "poll_question",
        "Was hindert euch derzeit am meisten, KI einzusetzen?",
    ),
    ("poll_option", "Datenschutz / DSGVO"),
    ("poll_option", "Keine Zeit im Alltag"),
    ("poll_days", "7"),
];

db_test!(
    a_post_is_checked_saved_with_a_new_tracked_link_and_exported,
    Options::plain(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        let html = page(&app, &cookie, "/admin/posts/neu?typ=ankuendigung").await?;
        assert!(
            html.contains("KI einsetzen, aber sicher"),
            "template prefilled"
        );
        assert!(
            html.contains("keine LinkedIn-API"),
            "assisted publishing said in the UI"
        );
        let body = "Heute starte ich etwas Neues.\n\nSchreib mir! {link}\n\n#KI #DSGVO #KMU";
        let fields = [
            ("kind", "ankuendigung"),
            ("body", body),
            ("link", "neu"),
            ("link_target", "/mitmachen"),
            ("action", "preview"),
        ];
        let r = send(&app, &cookie, "/admin/posts/neu", &fields).await?;
        assert_eq!(r.status().as_u16(), 200);
        let html = r.text().await?;
        assert!(
            html.contains("Heute starte ich etwas Neues."),
            "typed text kept"
        );
        assert!(
            html.contains("http://kipilot.test/l/post-1"),
            "tracked URL in the copy-ready text"
        );
        assert!(html.contains("Länge:</strong>"));
        assert!(!html.contains("status err"), "{html}");
        assert_eq!(
            storage::posts::all(&app.db).await?.len(),
            0,
            "Prüfen saves nothing"
        );

        let save = [
            ("kind", "ankuendigung"),
            ("body", body),
            ("link", "neu"),
            ("link_target", "/mitmachen"),
            ("planned", &day_in(2)),
            ("action", "save"),
        ];
        let id = id_from(&send(&app, &cookie, "/admin/posts/neu", &save).await?)?;
        let link = storage::channels::active_link(&app.db, "post-1")
            .await?
            .expect("link created");
        assert_eq!(link.channel, "linkedin");
        assert_eq!(link.target_path, "/mitmachen");
        let row = storage::posts::get(&app.db, id).await?.expect("post");
        assert_eq!(row.link_id, Some(link.id));
        assert_eq!(row.status, "entwurf");

        let r = app
            .get_with_cookie(&format!("/admin/posts/{id}/export.txt"), &cookie)
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(
            r.headers()["content-disposition"]
                .to_str()?
                .contains("linkedin-post-")
        );
        let text = r.text().await?;
        assert!(
            text.contains("Schreib mir! http://kipilot.test/l/post-1"),
            "{text}"
        );
        assert!(!text.contains("{link}"));
        let list = page(&app, &cookie, "/admin/posts").await?;
        assert!(list.contains("Heute starte ich etwas Neues."));
        assert!(list.contains("Ankündigung"));
        Ok(())
    }
);

db_test!(
    checks_hold_at_the_exact_limits,
    Options::plain(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        let ok = "a".repeat(3000);
        let r = send(
            &app,
            &cookie,
            "/admin/posts/neu",
            &[("kind", "meilenstein"), ("body", &ok), ("action", "save")],
        )
        .await?;
        assert_eq!(r.status().as_u16(), 303, "3,000 characters are fine");
        let long = "ä".repeat(3001);
        let r = send(
            &app,
            &cookie,
            "/admin/posts/neu",
            &[("kind", "meilenstein"), ("body", &long), ("action", "save")],
        )
        .await?;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await?;
        assert!(
            html.contains("Der Text ist zu lang: 3.001 Zeichen, LinkedIn erlaubt höchstens 3.000"),
            "German message"
        );
        assert!(html.contains(&long), "typed text kept");

        let mut fields: Vec<(&str, &str)> = POLL.to_vec();
        fields.push(("body", "Was meint ihr?"));
        fields.push(("action", "save"));
        let o30 = "o".repeat(30);
        let o31 = "o".repeat(31);
        fields[2] = ("poll_option", &o30);
        assert_eq!(
            send(&app, &cookie, "/admin/posts/neu", &fields)
                .await?
                .status()
                .as_u16(),
            303,
            "30-character option"
        );
        fields[2] = ("poll_option", &o31);
        let r = send(&app, &cookie, "/admin/posts/neu", &fields).await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(
            r.text()
                .await?
                .contains("Jede Antwort darf höchstens 30 Zeichen haben")
        );
        fields[2] = ("poll_option", "Datenschutz");
        let q140 = "f".repeat(140);
        let q141 = "f".repeat(141);
        fields[1] = ("poll_question", &q140);
        assert_eq!(
            send(&app, &cookie, "/admin/posts/neu", &fields)
                .await?
                .status()
                .as_u16(),
            303,
            "140-character question"
        );
        fields[1] = ("poll_question", &q141);
        let r = send(&app, &cookie, "/admin/posts/neu", &fields).await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(
            r.text()
                .await?
                .contains("Die Frage ist zu lang: 141 Zeichen")
        );
        fields[1] = ("poll_question", "Frage?");
        fields[4] = ("poll_days", "2");
        let r = send(&app, &cookie, "/admin/posts/neu", &fields).await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(r.text().await?.contains("1, 3, 7 oder 14 Tage"));
        fields[4] = ("poll_days", "14");
        fields.truncate(3);
        fields.extend([("poll_days", "14"), ("body", "x"), ("action", "save")]);
        let r = send(&app, &cookie, "/admin/posts/neu", &fields).await?;
        assert_eq!(r.status().as_u16(), 422, "one option is not a poll");
        assert!(r.text().await?.contains("2 bis 4 Antwortmöglichkeiten"));
        assert_eq!(storage::posts::all(&app.db).await?.len(), 3);
        Ok(())
    }
);

db_test!(
    bad_input_gets_german_messages_and_never_a_500,
    Options::plain(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        let huge = "Ü".repeat(30_000);
        for (kind, body) in [
            ("meilenstein", huge.as_str()),
            ("<script>", "x"),
            ("meilenstein", ""),
        ] {
            let r = send(
                &app,
                &cookie,
                "/admin/posts/neu",
                &[
                    ("kind", kind),
                    ("body", body),
                    ("planned", "2026-02-30"),
                    ("link", "999"),
                    ("action", "save"),
                ],
            )
            .await?;
            assert_eq!(r.status().as_u16(), 422, "{kind}");
            let html = r.text().await?;
            assert!(html.contains("Bitte prüfen Sie Ihre Angaben"));
            if body.len() > 1000 {
                assert!(html.contains("Der Text ist zu lang: 30.000 Zeichen"));
            }
            assert!(html.contains("Das Datum ist ungültig"));
            assert!(html.contains("Diesen Link gibt es nicht"));
        }
        let r = send(
            &app,
            &cookie,
            "/admin/posts/neu",
            &[("kind", "meilenstein"), ("body", &"x".repeat(300_000))],
        )
        .await?;
        assert_eq!(r.status().as_u16(), 413);
        assert!(r.text().await?.contains("Zu viel Text auf einmal"));
        let r = send(
            &app,
            &cookie,
            "/admin/posts/vorlagen",
            &[
                ("kind", "meilenstein"),
                ("body", &"v".repeat(3001)),
                ("action", "save"),
            ],
        )
        .await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(
            r.text()
                .await?
                .contains("Die Vorlage ist zu lang: 3001 Zeichen")
        );
        let id = id_from(
            &send(
                &app,
                &cookie,
                "/admin/posts/neu",
                &[
                    ("kind", "meilenstein"),
                    ("body", "Kurz."),
                    ("action", "save"),
                ],
            )
            .await?,
        )?;
        let path = |p: &str| format!("/admin/posts/{id}/{p}");
        let r = send(
            &app,
            &cookie,
            &path("status"),
            &[
                ("status", "veroeffentlicht"),
                ("post_url", "javascript:alert(1)"),
            ],
        )
        .await?;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await?;
        assert!(html.contains("Bitte tragen Sie die Adresse des Posts auf LinkedIn ein"));
        assert!(
            html.contains("value=\"javascript:alert(1)\""),
            "typed URL kept"
        );
        let r = send(&app, &cookie, &path("zahlen"), &[("impressions", "12")]).await?;
        assert_eq!(r.status().as_u16(), 422, "figures only after publishing");
        assert!(
            r.text()
                .await?
                .contains("sobald der Post veröffentlicht ist")
        );
        let url = "https://www.linkedin.com/feed/update/urn:li:activity:1/";
        let r = send(
            &app,
            &cookie,
            &path("status"),
            &[("status", "veroeffentlicht"), ("post_url", url)],
        )
        .await?;
        assert_eq!(r.status().as_u16(), 303);
        let r = send(
            &app,
            &cookie,
            &path("kommentare"),
            &[("comment", &"k".repeat(2001))],
        )
        .await?;
        assert_eq!(r.status().as_u16(), 422);
        let html = r.text().await?;
        assert!(html.contains("Der Kommentar ist zu lang: 2001 Zeichen"));
        assert!(html.contains(&"k".repeat(2001)), "typed comment kept");
        let r = send(&app, &cookie, &path("zahlen"), &[("impressions", "viele")]).await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(
            r.text()
                .await?
                .contains("Bitte tragen Sie bei „Impressionen“ eine ganze Zahl ab 0 ein")
        );
        let r = app
            .post_form_with(&path("loeschen"), &[("csrf", "falsch")], Some(&cookie))
            .await?;
        assert_eq!(r.status().as_u16(), 403);
        assert_eq!(
            app.get_with_cookie("/admin/posts/999999", &cookie)
                .await?
                .status()
                .as_u16(),
            404
        );
        assert_eq!(
            app.get_with_cookie("/admin/posts/abc", &cookie)
                .await?
                .status()
                .as_u16(),
            400
        );
        Ok(())
    }
);

db_test!(
    a_poll_is_planned_published_counted_and_feeds_the_pain_points,
    Options::plain(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        let mut fields: Vec<(&str, &str)> = POLL.to_vec();
        fields.extend([
            (
                "body",
                "Eine Frage an euch: Was hindert euch? Stimm ab!\n\n#KI #DSGVO #KMU",
            ),
            ("action", "save"),
        ]);
        let id = id_from(&send(&app, &cookie, "/admin/posts/neu", &fields).await?)?;
        let path = |p: &str| format!("/admin/posts/{id}/{p}");
        let r = send(&app, &cookie, &path("status"), &[("status", "geplant")]).await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(
            r.text()
                .await?
                .contains("Ein geplanter Post braucht ein Datum")
        );
        let day = day_in(1);
        fields.push(("planned", &day));
        assert_eq!(
            send(&app, &cookie, &format!("/admin/posts/{id}"), &fields)
                .await?
                .status()
                .as_u16(),
            303
        );
        assert_eq!(
            send(&app, &cookie, &path("status"), &[("status", "geplant")])
                .await?
                .status()
                .as_u16(),
            303
        );
        assert_eq!(
            storage::posts::get(&app.db, id)
                .await?
                .expect("post")
                .status,
            "geplant"
        );
        let url = "https://www.linkedin.com/posts/thomas-ott_ki-pilotprojekt-activity-1";
        assert_eq!(
            send(
                &app,
                &cookie,
                &path("status"),
                &[("status", "veroeffentlicht"), ("post_url", url)]
            )
            .await?
            .status()
            .as_u16(),
            303
        );
        let r = send(
            &app,
            &cookie,
            &path("zahlen"),
            &[
                ("impressions", "1.250"),
                ("reactions", "40"),
                ("comments", "12"),
                ("reposts", "3"),
            ],
        )
        .await?;
        assert_eq!(r.status().as_u16(), 303);
        let row = storage::posts::get(&app.db, id).await?.expect("post");
        assert_eq!(
            (row.status.as_str(), row.post_url.as_deref()),
            ("veroeffentlicht", Some(url))
        );
        assert_eq!(
            (row.impressions, row.reactions, row.comments, row.reposts),
            (Some(1250), Some(40), Some(12), Some(3))
        );
        let r = send(
            &app,
            &cookie,
            &path("umfrage"),
            &[
                ("votes_0", "31"),
                ("pain_0", "on"),
                ("votes_1", "12"),
                ("pain_1", "on"),
            ],
        )
        .await?;
        assert_eq!(r.status().as_u16(), 303);
        let r = send(
            &app,
            &cookie,
            &path("kommentare"),
            &[
                ("comment", "Wir wissen nicht, welche Tools erlaubt sind."),
                ("pain_point", "Unklar, welche Tools erlaubt sind"),
            ],
        )
        .await?;
        assert_eq!(r.status().as_u16(), 303);
        let pains = storage::posts::pain_points(&app.db).await?;
        assert_eq!(pains.len(), 3);
        assert_eq!(pains[0].text, "Datenschutz / DSGVO");
        assert_eq!(pains[0].votes, 31);
        assert_eq!(
            pains[0].question,
            "Was hindert euch derzeit am meisten, KI einzusetzen?"
        );
        let list = page(&app, &cookie, "/admin/posts").await?;
        assert!(list.contains("Was hindert euch derzeit am meisten, KI einzusetzen?"));
        assert!(list.contains("Unklar, welche Tools erlaubt sind"));
        assert!(list.contains("1.250 Impressionen"));
        let edit = page(&app, &cookie, &format!("/admin/posts/{id}")).await?;
        assert!(edit.contains(url));
        let export = page(&app, &cookie, &path("export.txt")).await?;
        assert!(
            export.contains("Antwort 2: Keine Zeit im Alltag\nDauer: 7 Tage"),
            "{export}"
        );
        assert_eq!(
            send(&app, &cookie, &path("loeschen"), &[])
                .await?
                .status()
                .as_u16(),
            303
        );
        assert!(
            storage::posts::pain_points(&app.db).await?.is_empty(),
            "results go with the post"
        );
        Ok(())
    }
);

db_test!(
    the_calendar_warns_when_posts_are_more_than_fourteen_days_apart,
    Options::plain(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        for offset in [0, 14] {
            let day = day_in(offset);
            send(
                &app,
                &cookie,
                "/admin/posts/neu",
                &[
                    ("kind", "meilenstein"),
                    ("body", "Text"),
                    ("planned", &day),
                    ("action", "save"),
                ],
            )
            .await?;
        }
        let html = page(&app, &cookie, "/admin/posts").await?;
        assert!(html.contains("im Rhythmus"), "14 days are fine");
        let day = day_in(29);
        send(
            &app,
            &cookie,
            "/admin/posts/neu",
            &[
                ("kind", "meilenstein"),
                ("body", "Text"),
                ("planned", &day),
                ("action", "save"),
            ],
        )
        .await?;
        let html = page(&app, &cookie, "/admin/posts").await?;
        assert!(
            html.contains(&format!(
                "Zwischen {} und {day} liegen 15 Tage ohne Post.",
                day_in(14)
            )),
            "{html}"
        );
        let month = &day_in(0)[..7];
        let html = page(&app, &cookie, &format!("/admin/posts?monat={month}")).await?;
        assert!(html.contains("(heute)"));
        assert_eq!(
            app.get_with_cookie("/admin/posts?monat=%3Cscript%3E", &cookie)
                .await?
                .status()
                .as_u16(),
            200
        );
        Ok(())
    }
);

db_test!(
    templates_are_editable_and_can_be_reset,
    Options::plain(),
    |app: TestApp| async move {
        let cookie = app.login_admin("team@odoublet.test").await?;
        let html = page(&app, &cookie, "/admin/posts/vorlagen").await?;
        assert!(
            html.contains("Was hindert euch derzeit am meisten, KI im Unternehmen einzusetzen?")
        );
        let mine = "Ich habe heute etwas gelernt. Schreib mir! {link}";
        let r = send(
            &app,
            &cookie,
            "/admin/posts/vorlagen",
            &[
                ("kind", "zwischenerkenntnis"),
                ("body", mine),
                ("action", "save"),
            ],
        )
        .await?;
        assert_eq!(r.status().as_u16(), 303);
        let html = page(&app, &cookie, "/admin/posts/neu?typ=zwischenerkenntnis").await?;
        assert!(html.contains("Ich habe heute etwas gelernt."));
        let csrf = extract_attr(&html, "name=\"csrf\" value=\"").expect("csrf");
        assert!(!csrf.is_empty());
        send(
            &app,
            &cookie,
            "/admin/posts/vorlagen",
            &[("kind", "zwischenerkenntnis"), ("action", "reset")],
        )
        .await?;
        let html = page(&app, &cookie, "/admin/posts/neu?typ=zwischenerkenntnis").await?;
        assert!(html.contains("Was ich in den ersten Wochen"));
        Ok(())
    }
);
