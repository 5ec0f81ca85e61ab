//! Mail delivery over real SMTP, including an SMTP outage.

use std::collections::HashSet;
use std::time::Duration;

use crate::db_test;
use crate::helpers::{Options, TestApp, eventually, token_from_text};

db_test!(
    the_confirmation_mail_arrives_over_smtp_and_its_link_confirms,
    Options::with_smtp(),
    |app: TestApp| async move {
        let smtp = app.smtp.clone().expect("smtp");
        app.apply("anna@bau-huber.at").await?;
        let mail = eventually(Duration::from_secs(20), || {
            let smtp = smtp.clone();
            async move {
                Ok(smtp
                    .mails()
                    .into_iter()
                    .find(|m| m.to.iter().any(|t| t.contains("anna@bau-huber.at"))))
            }
        })
        .await?;
        let text = mail.text();
        assert!(
            text.contains("Bitte bestätigen Sie Ihre Anmeldung") || text.contains("=?utf-8?"),
            "subject/body: {text}"
        );
        assert!(mail.message_id().is_some_and(|id| id.contains("kipilot-")));
        let token = token_from_text(&text).expect("link in mail");
        let r = app
            .post_form("/mitmachen/bestaetigen", &[("token", &token)])
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        eventually(Duration::from_secs(20), || {
            let smtp = smtp.clone();
            async move {
                Ok(smtp
                    .mails()
                    .into_iter()
                    .find(|m| m.to.iter().any(|t| t.contains("team@kipilot.test"))))
            }
        })
        .await?;
        // The SMTP server has the mail before the worker records the delivery.
        eventually(Duration::from_secs(20), || {
            let app = app.clone();
            async move {
                Ok(app
                    .outbox()
                    .await?
                    .iter()
                    .all(|m| m.sent_ms.is_some())
                    .then_some(()))
            }
        })
        .await?;
        Ok(())
    }
);

db_test!(
    mails_survive_an_smtp_outage_and_are_delivered_exactly_once,
    Options::with_smtp(),
    |app: TestApp| async move {
        let smtp = app.smtp.clone().expect("smtp");
        smtp.stop();
        for i in 0..3 {
            assert_eq!(
                app.apply(&format!("lead{i}@outage.example"))
                    .await?
                    .status()
                    .as_u16(),
                303
            );
        }
        // While SMTP is down, the mails wait in the outbox with a recorded error.
        eventually(Duration::from_secs(20), || {
            let app = app.clone();
            async move {
                let mails = app.outbox().await?;
                Ok((mails.len() == 3
                    && mails
                        .iter()
                        .all(|m| m.attempts >= 1 && m.last_error.is_some() && m.sent_ms.is_none()))
                .then_some(()))
            }
        })
        .await?;
        assert!(smtp.mails().is_empty());
        smtp.restart().await?;
        let delivered = eventually(Duration::from_secs(30), || {
            let smtp = smtp.clone();
            async move {
                let mails = smtp.mails();
                Ok((mails.len() >= 3).then_some(mails))
            }
        })
        .await?;
        // Give a duplicate the chance to show up before counting.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let delivered = if smtp.mails().len() > delivered.len() {
            smtp.mails()
        } else {
            delivered
        };
        assert_eq!(delivered.len(), 3, "each mail exactly once");
        let ids: HashSet<String> = delivered.iter().filter_map(|m| m.message_id()).collect();
        assert_eq!(ids.len(), 3);
        eventually(Duration::from_secs(20), || {
            let app = app.clone();
            async move {
                Ok(app
                    .outbox()
                    .await?
                    .iter()
                    .all(|m| m.sent_ms.is_some())
                    .then_some(()))
            }
        })
        .await?;
        Ok(())
    }
);

db_test!(
    without_smtp_mails_wait_in_the_outbox_visible_in_the_back_office,
    Options::plain(),
    |app: TestApp| async move {
        app.apply("anna@bau-huber.at").await?;
        let cookie = app.login_admin("team@odoublet.test").await?;
        let html = app
            .get_with_cookie("/admin/outbox", &cookie)
            .await?
            .text()
            .await?;
        assert!(html.contains("Bitte bestätigen Sie Ihre Anmeldung zum KI-Pilotprojekt"));
        assert!(html.contains("Es ist kein SMTP-Server eingerichtet"));
        let mails = app.outbox().await?;
        let detail = app
            .get_with_cookie(&format!("/admin/outbox/{}", mails[0].id), &cookie)
            .await?
            .text()
            .await?;
        assert!(detail.contains("/mitmachen/bestaetigen?token="));
        Ok(())
    }
);
