//! Public pages: content, feed, embed, 404, health.

use crate::db_test;
use crate::helpers::Options;

db_test!(
    public_pages_render_in_german_with_demo_content,
    Options {
        demo: true,
        ..Options::default()
    },
    |app: crate::helpers::TestApp| async move {
        let (status, home) = app.get_text("/").await?;
        assert_eq!(status, 200);
        assert!(
            home.contains("KI einsetzen, <em>aber sicher</em>"),
            "teaser missing"
        );
        assert!(home.contains("href=\"/ki-pilotprojekt\""));
        assert!(home.contains("href=\"/mitmachen\""));
        assert!(
            home.contains("Endlich weiß ich, was ich darf") || home.contains("Bautagebuch"),
            "demo quote missing"
        );

        let (status, project) = app.get_text("/ki-pilotprojekt").await?;
        assert_eq!(status, 200);
        for needle in [
            "Jetzt Teil des KI-Pilotprojekts werden",
            "Unverbindliches Erstgespräch vereinbaren",
            "href=\"/erstgespraech\"",
            "Stand:",
        ] {
            assert!(project.contains(needle), "project page lacks {needle}");
        }

        let (status, wissen) = app.get_text("/wissen").await?;
        assert_eq!(status, 200);
        assert!(wissen.contains("Keine Rechtsberatung") || wissen.contains("keine Rechtsberatung"));
        assert!(
            wissen.contains("2026/1744"),
            "Digital Omnibus must be cited"
        );
        assert!(wissen.contains("Stand:"));

        let (status, updates) = app.get_text("/updates").await?;
        assert_eq!(status, 200);
        assert!(
            updates.matches("<li>").count() >= 3,
            "three demo updates expected"
        );
        assert!(updates.find("Zitat").is_some());

        let (status, one) = app.get_text("/updates/projektstart").await?;
        assert_eq!(status, 200);
        assert!(one.contains("Das KI-Pilotprojekt startet"));
        Ok(())
    }
);

db_test!(
    atom_feed_is_well_formed_and_lists_published_updates,
    Options {
        demo: true,
        ..Options::default()
    },
    |app: crate::helpers::TestApp| async move {
        let r = app.get("/updates.atom").await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(
            r.headers()["content-type"]
                .to_str()?
                .starts_with("application/atom+xml")
        );
        let xml = r.text().await?;
        assert!(xml.starts_with("<?xml"));
        assert_eq!(xml.matches("<entry>").count(), 3);
        assert!(xml.contains("<id>http://kipilot.test/updates/projektstart</id>"));
        // Entry HTML is escaped inside <content type="html">, never raw markup.
        assert!(!xml.contains("<content type=\"html\"><p>"));
        assert_eq!(
            xml.matches("<entry>").count(),
            xml.matches("</entry>").count()
        );
        Ok(())
    }
);

db_test!(
    embed_teaser_may_be_framed_and_everything_else_may_not,
    Options::plain(),
    |app: crate::helpers::TestApp| async move {
        let embed = app.get("/embed/teaser").await?;
        assert_eq!(embed.status().as_u16(), 200);
        let csp = embed.headers()["content-security-policy"]
            .to_str()?
            .to_owned();
        assert!(!csp.contains("frame-ancestors 'none'"));
        assert!(embed.headers().get("x-frame-options").is_none());
        let body = embed.text().await?;
        assert!(body.contains("KI einsetzen, aber sicher"));
        assert!(!body.contains("<script"));
        let home = app.get("/").await?;
        assert!(
            home.headers()["content-security-policy"]
                .to_str()?
                .contains("frame-ancestors 'none'")
        );
        assert_eq!(home.headers()["x-frame-options"], "DENY");
        Ok(())
    }
);

db_test!(
    unknown_pages_get_a_friendly_german_404,
    Options::plain(),
    |app: crate::helpers::TestApp| async move {
        let (status, body) = app.get_text("/gibt-es-nicht").await?;
        assert_eq!(status, 404);
        assert!(body.contains("Seite nicht gefunden"));
        assert!(body.contains("href=\"/ki-pilotprojekt\""));
        let (status, _) = app.get_text("/updates/gibt-es-nicht").await?;
        assert_eq!(status, 404);
        // The framework's own rejections speak German too.
        let cookie = app.login_admin("team@odoublet.test").await?;
        let r = app.get_with_cookie("/admin/leads/abc", &cookie).await?;
        assert_eq!(r.status().as_u16(), 400);
        assert!(
            r.text()
                .await?
                .contains("Diese Adresse oder Anfrage ist ungültig")
        );
        let r = app.client.delete(app.url("/mitmachen")).send().await?;
        assert_eq!(r.status().as_u16(), 405);
        assert!(r.text().await?.contains("lässt sich so nicht aufrufen"));
        Ok(())
    }
);

db_test!(
    health_and_metrics_report_status_without_personal_data,
    Options::plain(),
    |app: crate::helpers::TestApp| async move {
        let (status, health) = app.get_text("/healthz").await?;
        assert_eq!(status, 200);
        assert!(health.contains("\"status\":\"ok\""));
        app.apply("metrics@example.at").await?;
        let (status, metrics) = app.get_text("/metrics").await?;
        assert_eq!(status, 200);
        assert!(
            metrics.contains(
                "http_requests_total{method=\"POST\",route=\"/mitmachen\",status=\"303\"} 1"
            ),
            "{metrics}"
        );
        assert!(metrics.contains("http_request_duration_seconds_bucket"));
        assert!(metrics.contains("kipilot_outbox_pending 1"));
        assert!(!metrics.contains("metrics@example.at"));
        Ok(())
    }
);

db_test!(
    pages_stay_small_and_reference_no_other_host,
    Options {
        demo: true,
        ..Options::default()
    },
    |app: crate::helpers::TestApp| async move {
        for path in [
            "/",
            "/ki-pilotprojekt",
            "/wissen",
            "/updates",
            "/mitmachen",
            "/impressum",
            "/datenschutz",
            "/erstgespraech",
        ] {
            let (status, html) = app.get_text(path).await?;
            assert_eq!(status, 200, "{path}");
            assert!(html.len() < 100_000, "{path} is {} bytes", html.len());
            for attr in ["src=\"http", "href=\"//", "src=\"//", "<script"] {
                assert!(!html.contains(attr), "{path} contains {attr}");
            }
            for stylesheet in html
                .match_indices("rel=\"stylesheet\" href=\"")
                .map(|(i, m)| &html[i + m.len()..])
            {
                assert!(
                    stylesheet.starts_with("/static/"),
                    "{path}: external stylesheet"
                );
            }
        }
        let css_path =
            crate::helpers::extract_attr(&app.get_text("/").await?.1, "rel=\"stylesheet\" href=\"")
                .expect("css link");
        let css = app.get(&css_path).await?;
        assert_eq!(css.status().as_u16(), 200);
        assert!(
            css.headers()["cache-control"]
                .to_str()?
                .contains("immutable")
        );
        Ok(())
    }
);

db_test!(
    every_guide_renders_and_its_links_resolve,
    Options::plain(),
    |app: crate::helpers::TestApp| async move {
        let (_, wissen) = app.get_text("/wissen").await?;
        let guide_paths: Vec<String> = wissen
            .match_indices("href=\"/wissen/")
            .filter_map(|(i, m)| {
                wissen[i + m.len()..]
                    .split('"')
                    .next()
                    .map(|slug| format!("/wissen/{slug}"))
            })
            .collect();
        assert!(guide_paths.len() >= 6, "six guides listed on /wissen");
        for path in &guide_paths {
            let (status, html) = app.get_text(path).await?;
            assert_eq!(status, 200, "{path}");
            assert!(
                html.contains("Stand: 27. November 2026"),
                "{path} shows its Stand"
            );
            assert!(
                html.contains("keine Rechtsberatung"),
                "{path} carries the disclaimer"
            );
            assert!(html.contains("Checkliste"), "{path} has its checklist");
            assert!(!html.contains("<input"), "{path}: no unlabeled checkboxes");
            for target in html
                .match_indices("href=\"/")
                .filter_map(|(i, _)| html[i + 6..].split('"').next())
            {
                let target = target.split('#').next().unwrap_or(target);
                if target.starts_with("/static/") || target.is_empty() {
                    continue;
                }
                let (status, _) = app.get_text(target).await?;
                assert_ne!(status, 404, "{path} links to missing {target}");
            }
        }
        // Every guide is also a print-ready PDF whose text carries the title.
        let dir = tempfile::tempdir()?;
        for path in &guide_paths {
            let r = app.get(&format!("{path}/pdf")).await?;
            assert_eq!(r.status().as_u16(), 200, "{path}/pdf");
            assert_eq!(r.headers()["content-type"], "application/pdf");
            let file = dir.path().join("guide.pdf");
            std::fs::write(&file, r.bytes().await?)?;
            let out = std::process::Command::new("pdftotext")
                .arg(&file)
                .arg("-")
                .output()?;
            assert!(
                out.status.success(),
                "pdftotext (poppler-utils) must be installed"
            );
            let text = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
            let (_, html) = app.get_text(path).await?;
            let title = html
                .split("<title>")
                .nth(1)
                .and_then(|t| t.split(" · ").next())
                .unwrap_or_default();
            let first_words: String = title
                .split_whitespace()
                .take(2)
                .collect::<Vec<_>>()
                .join(" ");
            assert!(
                text.contains("Checkliste"),
                "{path}: checklist missing in PDF"
            );
            assert!(
                !first_words.is_empty() && text.contains(&first_words),
                "{path}: PDF lacks the title words {first_words:?}"
            );
        }
        assert_eq!(app.get_text("/wissen/gibt-es-nicht").await?.0, 404);
        assert_eq!(app.get_text("/wissen/gibt-es-nicht/pdf").await?.0, 404);
        Ok(())
    }
);
