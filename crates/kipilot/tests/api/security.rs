//! Cross-site protection, headers, cookies, and no IP addresses at rest.

use crate::db_test;
use crate::helpers::{Options, TestApp};
use storage::with_pool;

db_test!(
    cross_site_posts_are_refused_before_anything_is_stored,
    Options::plain(),
    |app: TestApp| async move {
        let token = app.form_token("/mitmachen").await?;
        let body = serde_urlencoded::to_string([
            ("form_token", token.as_str()),
            ("company", "Evil"),
            ("name", "Eve"),
            ("email", "eve@evil.example"),
            ("industry", "handel"),
            ("company_size", "1-9"),
            ("consent", "on"),
        ])?;
        for (header, value) in [
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "same-site"),
        ] {
            let r = app
                .client
                .post(app.url("/mitmachen"))
                .header("content-type", "application/x-www-form-urlencoded")
                .header(header, value)
                .body(body.clone())
                .send()
                .await?;
            assert_eq!(r.status().as_u16(), 403, "{header}: {value}");
            assert!(r.text().await?.contains("nicht von unserer Website"));
        }
        assert!(
            storage::leads::list(&app.db, &Default::default(), 10)
                .await?
                .is_empty()
        );
        // The same post from our own origin passes.
        let r = app
            .client
            .post(app.url("/mitmachen"))
            .header("content-type", "application/x-www-form-urlencoded")
            .header("origin", "http://kipilot.test")
            .header("sec-fetch-site", "same-origin")
            .body(body)
            .send()
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        Ok(())
    }
);

db_test!(
    public_pages_set_no_cookie_and_send_strict_security_headers,
    Options {
        demo: true,
        ..Options::default()
    },
    |app: TestApp| async move {
        for path in [
            "/",
            "/ki-pilotprojekt",
            "/wissen",
            "/updates",
            "/updates/projektstart",
            "/mitmachen",
            "/datenschutz",
            "/impressum",
            "/admin/login",
            "/gibt-es-nicht",
        ] {
            let r = app.get(path).await?;
            assert!(
                r.headers().get("set-cookie").is_none(),
                "{path} sets a cookie"
            );
            let csp = r.headers()["content-security-policy"].to_str()?;
            assert!(
                csp.contains("default-src 'none'")
                    && !csp.contains("script-src")
                    && !csp.contains("unsafe-inline"),
                "{path}: {csp}"
            );
            assert_eq!(r.headers()["x-content-type-options"], "nosniff");
            assert_eq!(
                r.headers()["referrer-policy"],
                "strict-origin-when-cross-origin"
            );
            assert!(
                r.headers().get("strict-transport-security").is_none(),
                "no HSTS over plain http"
            );
        }
        let r = app.apply("anna@bau-huber.at").await?;
        assert!(
            r.headers().get("set-cookie").is_none(),
            "form post sets no cookie"
        );
        Ok(())
    }
);

db_test!(
    no_ip_address_or_user_agent_is_ever_stored,
    Options::plain(),
    |app: TestApp| async move {
        app.apply("anna@bau-huber.at").await?;
        let token = app
            .confirmation_token_from_outbox("anna@bau-huber.at")
            .await?;
        app.post_form("/mitmachen/bestaetigen", &[("token", &token)])
            .await?;
        let cookie = app.login_admin("team@odoublet.test").await?;
        app.get_with_cookie("/admin", &cookie).await?;
        // A tracked link and counted page views with a recognisable browser string.
        let csrf = app.csrf(&cookie).await?;
        app.post_form_with(
            "/admin/links",
            &[
                ("csrf", &csrf),
                ("code", "spur"),
                ("target", "/"),
                ("channel", "flyer"),
                ("label", "Spur"),
            ],
            Some(&cookie),
        )
        .await?;
        for path in ["/l/spur", "/", "/wissen"] {
            app.client
                .get(app.url(path))
                .header("user-agent", "Mozilla/5.0 UniqueBrowserMarker")
                .header("referer", "https://www.linkedin.com/feed/")
                .send()
                .await?;
        }
        app.state.analytics.flush(&app.db).await?;
        let tables = [
            "settings",
            "leads",
            "lead_tokens",
            "consents",
            "lead_notes",
            "audit_log",
            "outbox",
            "users",
            "sessions",
            "updates",
            "links",
            "link_visits",
            "page_views",
            "posts",
            "post_templates",
            "post_poll_results",
            "post_comments",
        ];
        for table in tables {
            let sql = format!("SELECT * FROM {table}");
            let dump: Vec<String> = with_pool!(&app.db, |pool| {
                use sqlx::Row;
                sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                    .fetch_all(pool)
                    .await
                    .map(|rows| {
                        rows.iter()
                            .flat_map(|row| {
                                (0..row.len())
                                    .filter_map(|i| {
                                        row.try_get::<Option<String>, _>(i).ok().flatten()
                                    })
                                    .collect::<Vec<_>>()
                            })
                            .collect()
                    })
            })?;
            for value in dump {
                assert!(
                    !value.contains("127.0.0.1"),
                    "{table} holds an IP address: {value}"
                );
                assert!(
                    !value.contains("UniqueBrowserMarker"),
                    "{table} holds a user agent"
                );
            }
        }
        Ok(())
    }
);
