//! An acknowledged submission survives `kill -9`, and its mail is delivered after restart.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use crate::helpers::{Backend, SmtpSink, eventually, fresh_database, token_from_text};

fn free_port() -> anyhow::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn start(database_url: &str, port: u16, smtp_port: Option<u16>) -> anyhow::Result<Child> {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kipilot"));
    cmd.arg("serve")
        .env("KIPILOT_LISTEN", format!("127.0.0.1:{port}"))
        .env("KIPILOT_DATABASE_URL", database_url)
        .env("KIPILOT_FORM_MIN_FILL_MS", "0")
        .env("KIPILOT_DEMO", "0")
        .env("KIPILOT_MAIL_RETRY_BASE_MS", "100")
        .env_remove("KIPILOT_SMTP_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(p) = smtp_port {
        cmd.env("KIPILOT_SMTP_URL", format!("smtp://127.0.0.1:{p}"));
    }
    Ok(cmd.spawn()?)
}

async fn wait_healthy(client: &reqwest::Client, base: &str) -> anyhow::Result<()> {
    eventually(Duration::from_secs(30), || async move {
        Ok(client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .ok()
            .filter(|r| r.status().is_success())
            .map(|_| ()))
    })
    .await
}

async fn kill9_keeps_acknowledged_submissions(backend: Backend) -> anyhow::Result<()> {
    let Some((url, drop, _dir)) = fresh_database(backend).await? else {
        return Ok(());
    };
    let port = free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut child = start(&url, port, None)?;
    wait_healthy(&client, &base).await?;
    let html = client
        .get(format!("{base}/mitmachen"))
        .send()
        .await?
        .text()
        .await?;
    let token = crate::helpers::extract_attr(&html, "name=\"form_token\" value=\"").expect("token");
    let body = serde_urlencoded::to_string([
        ("form_token", token.as_str()),
        ("company", "Durable GmbH"),
        ("name", "Dora Durable"),
        ("email", "dora@durable.example"),
        ("industry", "produktion"),
        ("company_size", "10-49"),
        ("consent", "on"),
    ])?;
    let r = client
        .post(format!("{base}/mitmachen"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await?;
    assert_eq!(r.status().as_u16(), 303, "acknowledged");
    // SIGKILL right after the acknowledgement: no graceful shutdown, no flush.
    child.kill()?;
    child.wait()?;

    let smtp = SmtpSink::start().await?;
    let mut child = start(&url, port, Some(smtp.port))?;
    wait_healthy(&client, &base).await?;
    let mail = eventually(Duration::from_secs(30), || {
        let smtp = smtp.clone();
        async move { Ok(smtp.mails().into_iter().next()) }
    })
    .await;
    child.kill()?;
    child.wait()?;
    let mail = mail?;
    assert!(mail.to.iter().any(|t| t.contains("dora@durable.example")));
    assert!(token_from_text(&mail.text()).is_some());
    let db = storage::Db::connect(&url).await?;
    assert!(
        storage::leads::find_by_email(&db, "dora@durable.example")
            .await?
            .is_some()
    );
    db.close().await;
    crate::helpers::drop_database(drop).await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_after_acknowledgement_loses_nothing_sqlite() -> anyhow::Result<()> {
    kill9_keeps_acknowledged_submissions(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_after_acknowledgement_loses_nothing_postgres() -> anyhow::Result<()> {
    kill9_keeps_acknowledged_submissions(Backend::Postgres).await
}
