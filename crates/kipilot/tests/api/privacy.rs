//! Data-subject rights (export, erasure) and retention.

use crate::db_test;
use crate::helpers::{Options, TestApp, token_from_text};
use domain::UnixMs;
use storage::with_pool;

db_test!(
    a_lead_can_export_and_erase_their_data_by_mail_link,
    Options::plain(),
    |app: TestApp| async move {
        app.apply("anna@bau-huber.at").await?;
        let token = app.form_token("/datenschutz").await?;
        // Unknown and known addresses get the same page.
        let unknown = app
            .post_form(
                "/datenschutz/anfrage",
                &[("form_token", &token), ("email", "niemand@example.at")],
            )
            .await?;
        assert_eq!(unknown.status().as_u16(), 200);
        let unknown_html = unknown.text().await?;
        with_pool!(&app.db, |pool| sqlx::query(
            "UPDATE leads SET last_mail_ms = last_mail_ms - 3600000"
        )
        .execute(pool)
        .await
        .map(|_| ()))?;
        let known = app
            .post_form(
                "/datenschutz/anfrage",
                &[("form_token", &token), ("email", "anna@bau-huber.at")],
            )
            .await?;
        assert_eq!(known.status().as_u16(), 200);
        assert_eq!(
            known.text().await?,
            unknown_html,
            "the answer must not reveal registration"
        );
        let mail = app
            .outbox()
            .await?
            .into_iter()
            .find(|m| m.kind == "datenschutz-link")
            .expect("privacy mail");
        let link_token = token_from_text(&mail.body_text).expect("token");

        let (status, page) = app
            .get_text(&format!("/datenschutz/meine-daten?token={link_token}"))
            .await?;
        assert_eq!(status, 200);
        assert!(page.contains("Bau Huber GmbH"));
        let export = app
            .post_form("/datenschutz/meine-daten/export", &[("token", &link_token)])
            .await?;
        assert_eq!(export.status().as_u16(), 200);
        assert!(
            export.headers()["content-disposition"]
                .to_str()?
                .contains("attachment")
        );
        let json: serde_json::Value = serde_json::from_str(&export.text().await?)?;
        assert_eq!(json["lead"]["email"], "anna@bau-huber.at");
        assert_eq!(json["consents"][0]["event"], "erteilt");
        assert!(json["mails"].as_array().is_some_and(|m| m.len() == 2));

        let r = app
            .post_form(
                "/datenschutz/meine-daten/loeschen",
                &[("token", &link_token)],
            )
            .await?;
        assert_eq!(
            r.status().as_u16(),
            400,
            "erasure needs the confirmation tick"
        );
        let r = app
            .post_form(
                "/datenschutz/meine-daten/loeschen",
                &[("token", &link_token), ("confirm", "on")],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert!(r.text().await?.contains("gelöscht"));
        assert!(
            storage::leads::find_by_email(&app.db, "anna@bau-huber.at")
                .await?
                .is_none()
        );
        assert!(
            app.outbox()
                .await?
                .iter()
                .all(|m| !m.to_addr.contains("anna@")),
            "mails erased too"
        );
        let audit = storage::audit::recent(&app.db, 50).await?;
        assert!(audit.iter().any(|a| a.action.contains("Lead gelöscht")));
        assert!(
            audit
                .iter()
                .all(|a| !format!("{}{}{}", a.actor, a.action, a.subject).contains("anna")),
            "audit holds no personal data"
        );
        // The link is dead afterwards.
        assert_eq!(
            app.get_text(&format!("/datenschutz/meine-daten?token={link_token}"))
                .await?
                .0,
            404
        );
        Ok(())
    }
);

db_test!(
    the_team_can_export_and_erase_a_lead,
    Options::plain(),
    |app: TestApp| async move {
        app.apply("anna@bau-huber.at").await?;
        let lead = storage::leads::find_by_email(&app.db, "anna@bau-huber.at")
            .await?
            .expect("lead");
        let cookie = app.login_admin("team@odoublet.test").await?;
        let export = app
            .get_with_cookie(&format!("/admin/leads/{}/export.json", lead.id), &cookie)
            .await?;
        assert_eq!(export.status().as_u16(), 200);
        let json: serde_json::Value = serde_json::from_str(&export.text().await?)?;
        assert_eq!(json["lead"]["company"], "Bau Huber GmbH");
        let csrf = app.csrf(&cookie).await?;
        let r = app
            .post_form_with(
                &format!("/admin/leads/{}/loeschen", lead.id),
                &[("csrf", &csrf), ("confirm", "on")],
                Some(&cookie),
            )
            .await?;
        assert_eq!(r.status().as_u16(), 303);
        assert!(storage::leads::get(&app.db, lead.id).await?.is_none());
        assert!(storage::leads::consents(&app.db, lead.id).await?.is_empty());
        assert!(
            storage::audit::recent(&app.db, 10)
                .await?
                .iter()
                .any(|a| a.subject == format!("lead #{}", lead.id))
        );
        Ok(())
    }
);

db_test!(
    retention_deletes_unconfirmed_leads_after_seven_days_and_old_sent_mails,
    Options::plain(),
    |app: TestApp| async move {
        app.apply("old@example.at").await?;
        app.apply("fresh@example.at").await?;
        app.apply("confirmed@example.at").await?;
        let token = app
            .confirmation_token_from_outbox("confirmed@example.at")
            .await?;
        app.post_form("/mitmachen/bestaetigen", &[("token", &token)])
            .await?;
        let now = UnixMs::now();
        let eight_days_ago = now.minus_days(8).0;
        with_pool!(&app.db, |pool| sqlx::query(
            "UPDATE leads SET created_ms = $1 WHERE email <> 'fresh@example.at'"
        )
        .bind(eight_days_ago)
        .execute(pool)
        .await
        .map(|_| ()))?;
        with_pool!(&app.db, |pool| sqlx::query(
            "UPDATE outbox SET sent_ms = $1 WHERE to_addr = 'team@kipilot.test'"
        )
        .bind(now.minus_days(31).0)
        .execute(pool)
        .await
        .map(|_| ()))?;
        let deleted = kipilot::privacy::run_retention(&app.db, now).await?;
        assert!(deleted >= 2);
        assert!(
            storage::leads::find_by_email(&app.db, "old@example.at")
                .await?
                .is_none(),
            "unconfirmed after 7 days: deleted"
        );
        assert!(
            storage::leads::find_by_email(&app.db, "fresh@example.at")
                .await?
                .is_some(),
            "unconfirmed within 7 days: kept"
        );
        assert!(
            storage::leads::find_by_email(&app.db, "confirmed@example.at")
                .await?
                .is_some(),
            "confirmed: kept"
        );
        let mails = app.outbox().await?;
        assert!(mails.iter().all(|m| m.to_addr != "old@example.at"));
        assert!(
            mails.iter().all(|m| m.to_addr != "team@kipilot.test"),
            "sent mails older than 30 days deleted"
        );
        Ok(())
    }
);
