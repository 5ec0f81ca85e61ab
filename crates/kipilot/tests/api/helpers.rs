//! Test harness: the real app on a random port with a fresh database (SQLite file or a new
//! PostgreSQL database), a real SMTP server on loopback, and an HTTP client that does not
//! follow redirects (so tests see exactly what the browser is told).

use std::io::Write as _;
use std::sync::{Arc, Mutex, Once};
use std::time::Duration;

use kipilot::config::Config;
use kipilot::startup::Application;
use storage::Db;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Declares one test that runs on SQLite and, when `KIPILOT_TEST_POSTGRES_URL` is set, on
/// PostgreSQL, as two test functions `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! db_test {
    ($name:ident, $options:expr, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() -> anyhow::Result<()> {
                let app = $crate::helpers::spawn_app($crate::helpers::Backend::Sqlite, $options)
                    .await?
                    .expect("sqlite always runs");
                let result = ($body)(app.clone()).await;
                app.cleanup().await;
                result
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() -> anyhow::Result<()> {
                let Some(app) =
                    $crate::helpers::spawn_app($crate::helpers::Backend::Postgres, $options)
                        .await?
                else {
                    return Ok(());
                };
                let result = ($body)(app.clone()).await;
                app.cleanup().await;
                result
            }
        }
    };
}

/// Knobs for one test app.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Start a loopback SMTP server and point the app at it.
    pub smtp: bool,
    /// Seed the demo content.
    pub demo: bool,
    /// Minimum form fill time (default 0 in tests).
    pub min_fill_ms: u64,
    /// A stub model server for the privacy gateway (`KIPILOT_GATEWAY_UPSTREAM`).
    pub gateway_stub: Option<crate::gateway::Stub>,
    /// `KIPILOT_GATEWAY_TIMEOUT_MS` (default: the app's).
    pub gateway_timeout_ms: Option<u64>,
    /// Trust `X-Forwarded-For` (lets a test act as many clients for rate limits).
    pub trust_proxy: bool,
}

impl Options {
    pub fn plain() -> Options {
        Options::default()
    }
    pub fn with_smtp() -> Options {
        Options {
            smtp: true,
            ..Options::default()
        }
    }
}

/// A running app.
#[derive(Clone)]
pub struct TestApp {
    /// `http://127.0.0.1:PORT`
    pub address: String,
    /// Client without redirects and without a cookie store.
    pub client: reqwest::Client,
    /// Shared state (to flush in-memory counters).
    pub state: kipilot::state::AppState,
    /// Database handle.
    pub db: Db,
    /// The SMTP server, when requested.
    pub smtp: Option<SmtpSink>,
    /// The gateway's stub model server, when requested.
    pub stub: Option<crate::gateway::Stub>,
    drop_db: Option<(String, String)>,
    _tempdir: Option<Arc<tempfile::TempDir>>,
}

fn postgres_url() -> Option<String> {
    static WARN: Once = Once::new();
    let url = std::env::var("KIPILOT_TEST_POSTGRES_URL")
        .ok()
        .filter(|v| !v.is_empty());
    if url.is_none() {
        WARN.call_once(|| {
            // Written straight to stderr so it is visible even with captured test output.
            let _ = writeln!(
                std::io::stderr(),
                "\n*** PostgreSQL tests SKIPPED: KIPILOT_TEST_POSTGRES_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/postgres) ***\n"
            );
        });
    }
    url
}

fn random_name() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).expect("randomness");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh database URL for `backend`, plus what to drop afterwards.
pub async fn fresh_database(
    backend: Backend,
) -> anyhow::Result<
    Option<(
        String,
        Option<(String, String)>,
        Option<Arc<tempfile::TempDir>>,
    )>,
> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir()?;
            let url = format!("sqlite://{}/kipilot.db", dir.path().display());
            Ok(Some((url, None, Some(Arc::new(dir)))))
        }
        Backend::Postgres => {
            let Some(admin_url) = postgres_url() else {
                return Ok(None);
            };
            let name = format!("kipilot_test_{}", random_name());
            let admin = Db::connect(&admin_url).await?;
            if let Db::Postgres(pool) = &admin {
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                    .execute(pool)
                    .await?;
            }
            admin.close().await;
            let (base, _) = admin_url
                .rsplit_once('/')
                .ok_or_else(|| anyhow::anyhow!("KIPILOT_TEST_POSTGRES_URL needs a /database"))?;
            Ok(Some((
                format!("{base}/{name}"),
                Some((admin_url.clone(), name)),
                None,
            )))
        }
    }
}

/// Starts the app; `None` when the backend is not configured (PostgreSQL without URL).
pub async fn spawn_app(backend: Backend, options: Options) -> anyhow::Result<Option<TestApp>> {
    let Some((database_url, drop_db, tempdir)) = fresh_database(backend).await? else {
        return Ok(None);
    };
    let smtp = if options.smtp {
        Some(SmtpSink::start().await?)
    } else {
        None
    };
    let smtp_url = smtp
        .as_ref()
        .map(|s| format!("smtp://127.0.0.1:{}", s.port));
    let min_fill = options.min_fill_ms.to_string();
    let gateway_upstream = options.gateway_stub.as_ref().map(|s| s.base_url());
    let gateway_timeout = options.gateway_timeout_ms.map(|ms| ms.to_string());
    let demo = if options.demo { "1" } else { "0" };
    let config = Config::from_lookup(|key| match key {
        "KIPILOT_LISTEN" => Some("127.0.0.1:0".to_owned()),
        "KIPILOT_DATABASE_URL" => Some(database_url.clone()),
        "KIPILOT_BASE_URL" => Some("http://kipilot.test".to_owned()),
        "KIPILOT_SMTP_URL" => smtp_url.clone(),
        "KIPILOT_MAIL_FROM" => Some("KI-Pilotprojekt <noreply@kipilot.test>".to_owned()),
        "KIPILOT_TEAM_EMAIL" => Some("team@kipilot.test".to_owned()),
        "KIPILOT_MAIL_RETRY_BASE_MS" => Some("100".to_owned()),
        "KIPILOT_FORM_MIN_FILL_MS" => Some(min_fill.clone()),
        "KIPILOT_DEMO" => Some(demo.to_owned()),
        "KIPILOT_GATEWAY_UPSTREAM" => gateway_upstream.clone(),
        "KIPILOT_GATEWAY_UPSTREAM_KEY" => gateway_upstream
            .as_ref()
            .map(|_| crate::gateway::UPSTREAM_KEY.to_owned()),
        "KIPILOT_GATEWAY_TIMEOUT_MS" => gateway_timeout.clone(),
        "KIPILOT_TRUST_PROXY" => options.trust_proxy.then(|| "1".to_owned()),
        _ => None,
    })?;
    let app = Application::build(config).await?;
    let address = format!("http://{}", app.local_addr()?);
    let state = app.state().clone();
    tokio::spawn(async move {
        let _ = app.run().await;
    });
    // No connection reuse: the server closes a connection whose oversized body (413) it did
    // not read, and a pooled connection must not carry that into the next request.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(0)
        .timeout(Duration::from_secs(30))
        .build()?;
    Ok(Some(TestApp {
        address,
        client,
        db: state.db.clone(),
        state,
        smtp,
        stub: options.gateway_stub.clone(),
        drop_db,
        _tempdir: tempdir,
    }))
}

/// Drops a test database created by [`fresh_database`] (`admin_url`, `name`).
pub async fn drop_database(drop: Option<(String, String)>) {
    let Some((admin_url, name)) = drop else {
        return;
    };
    if let Ok(admin) = Db::connect(&admin_url).await {
        if let Db::Postgres(pool) = &admin {
            let sql = format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)");
            let _ = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(pool).await;
        }
        admin.close().await;
    }
}

impl TestApp {
    /// Drops the PostgreSQL test database.
    pub async fn cleanup(&self) {
        self.db.close().await;
        drop_database(self.drop_db.clone()).await;
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    pub async fn get(&self, path: &str) -> anyhow::Result<reqwest::Response> {
        Ok(self.client.get(self.url(path)).send().await?)
    }

    pub async fn get_text(&self, path: &str) -> anyhow::Result<(u16, String)> {
        let r = self.get(path).await?;
        Ok((r.status().as_u16(), r.text().await?))
    }

    /// Posts url-encoded `fields` (repeated keys allowed).
    pub async fn post_form(
        &self,
        path: &str,
        fields: &[(&str, &str)],
    ) -> anyhow::Result<reqwest::Response> {
        self.post_form_with(path, fields, None).await
    }

    /// Posts a form with an optional session cookie.
    pub async fn post_form_with(
        &self,
        path: &str,
        fields: &[(&str, &str)],
        cookie: Option<&str>,
    ) -> anyhow::Result<reqwest::Response> {
        let body = serde_urlencoded::to_string(fields)?;
        let mut req = self
            .client
            .post(self.url(path))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        if let Some(c) = cookie {
            req = req.header("cookie", c);
        }
        Ok(req.send().await?)
    }

    pub async fn get_with_cookie(
        &self,
        path: &str,
        cookie: &str,
    ) -> anyhow::Result<reqwest::Response> {
        Ok(self
            .client
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await?)
    }

    /// Opens `/mitmachen` and returns the signed form token, as a browser would get it.
    pub async fn form_token(&self, page: &str) -> anyhow::Result<String> {
        let (_, html) = self.get_text(page).await?;
        extract_attr(&html, "name=\"form_token\" value=\"")
            .ok_or_else(|| anyhow::anyhow!("no form token on {page}"))
    }

    /// Submits a valid application for `email`; returns the response.
    pub async fn apply(&self, email: &str) -> anyhow::Result<reqwest::Response> {
        let token = self.form_token("/mitmachen").await?;
        self.post_form(
            "/mitmachen",
            &[
                ("form_token", &token),
                ("company", "Bau Huber GmbH"),
                ("name", "Anna Huber"),
                ("email", email),
                ("phone", "+43 664 1234567"),
                ("industry", "bau"),
                ("company_size", "10-49"),
                ("interests", "texte"),
                ("interests", "analyse"),
                ("message", "Dürfen wir Kundendaten in ChatGPT eingeben?"),
                ("consent", "on"),
                ("source", "wko-linz"),
            ],
        )
        .await
    }

    /// Creates a team account and logs in; returns the `Cookie` header value.
    pub async fn login_admin(&self, email: &str) -> anyhow::Result<String> {
        let password = "richtig-langes-passwort";
        let hash = kipilot::password::hash(password.to_owned()).await?;
        storage::users::upsert(&self.db, email, &hash, domain::UnixMs::now()).await?;
        let token = self.form_token("/admin/login").await?;
        let r = self
            .post_form(
                "/admin/login",
                &[
                    ("form_token", &token),
                    ("email", email),
                    ("password", password),
                ],
            )
            .await?;
        anyhow::ensure!(
            r.status().as_u16() == 303,
            "login failed with {}",
            r.status()
        );
        let set_cookie = r
            .headers()
            .get("set-cookie")
            .and_then(|v| v.to_str().ok())
            .ok_or_else(|| anyhow::anyhow!("no cookie"))?;
        Ok(set_cookie.split(';').next().unwrap_or_default().to_owned())
    }

    /// The CSRF token of a logged-in session, read from a back-office page.
    pub async fn csrf(&self, cookie: &str) -> anyhow::Result<String> {
        let html = self.get_with_cookie("/admin", cookie).await?.text().await?;
        extract_attr(&html, "name=\"csrf\" value=\"")
            .ok_or_else(|| anyhow::anyhow!("no csrf token"))
    }

    /// Outbox rows as (kind, to, body).
    pub async fn outbox(&self) -> anyhow::Result<Vec<storage::outbox::OutboxMail>> {
        Ok(storage::outbox::recent(&self.db, 1000).await?)
    }

    /// The confirmation link from the newest confirmation mail in the outbox.
    pub async fn confirmation_token_from_outbox(&self, email: &str) -> anyhow::Result<String> {
        let mails = self.outbox().await?;
        let mail = mails
            .iter()
            .find(|m| m.kind == "bestaetigung" && m.to_addr == email)
            .ok_or_else(|| anyhow::anyhow!("no confirmation mail for {email}"))?;
        token_from_text(&mail.body_text).ok_or_else(|| anyhow::anyhow!("no token in mail"))
    }
}

/// The value after `marker` up to the next quote.
pub fn extract_attr(html: &str, marker: &str) -> Option<String> {
    let start = html.find(marker)? + marker.len();
    let end = html[start..].find('"')? + start;
    Some(html[start..end].to_owned())
}

/// The 64-hex token after `token=` in a mail text.
pub fn token_from_text(text: &str) -> Option<String> {
    let start = text.find("token=")? + "token=".len();
    let token: String = text[start..]
        .chars()
        .take_while(|c| c.is_ascii_hexdigit())
        .collect();
    (token.len() == 64).then_some(token)
}

/// Polls `check` until it returns `Some` or `timeout` passes.
pub async fn eventually<T, F, Fut>(timeout: Duration, mut check: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Option<T>>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(v) = check().await? {
            return Ok(v);
        }
        if tokio::time::Instant::now() > deadline {
            anyhow::bail!("condition not met within {timeout:?}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A received mail.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub to: Vec<String>,
    pub data: String,
}

impl ReceivedMail {
    /// The decoded body (quoted-printable or base64 as lettre chose) is awkward to parse;
    /// tests look for the token in the raw data with soft line breaks removed.
    pub fn text(&self) -> String {
        let unfolded = self.data.replace("=\r\n", "");
        decode_qp(&unfolded)
    }

    pub fn message_id(&self) -> Option<String> {
        self.data
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("message-id:"))
            .map(|l| l[11..].trim().to_owned())
    }
}

fn decode_qp(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'='
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A minimal real SMTP server on loopback: enough of RFC 5321 for lettre to deliver.
#[derive(Clone)]
pub struct SmtpSink {
    pub port: u16,
    pub received: Arc<Mutex<Vec<ReceivedMail>>>,
    task: Arc<Mutex<Option<tokio::task::JoinHandle<()>>>>,
}

impl SmtpSink {
    pub async fn start() -> anyhow::Result<SmtpSink> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let port = listener.local_addr()?.port();
        let sink = SmtpSink {
            port,
            received: Arc::new(Mutex::new(Vec::new())),
            task: Arc::new(Mutex::new(None)),
        };
        sink.serve(listener);
        Ok(sink)
    }

    fn serve(&self, listener: TcpListener) {
        let received = self.received.clone();
        let handle = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let received = received.clone();
                tokio::spawn(async move {
                    let _ = handle_session(stream, received).await;
                });
            }
        });
        *self.task.lock().expect("lock") = Some(handle);
    }

    /// Stops accepting connections (an SMTP outage).
    pub fn stop(&self) {
        if let Some(h) = self.task.lock().expect("lock").take() {
            h.abort();
        }
    }

    /// Starts again on the same port.
    pub async fn restart(&self) -> anyhow::Result<()> {
        let listener = loop {
            match TcpListener::bind(("127.0.0.1", self.port)).await {
                Ok(l) => break l,
                Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
            }
        };
        self.serve(listener);
        Ok(())
    }

    pub fn mails(&self) -> Vec<ReceivedMail> {
        self.received.lock().expect("lock").clone()
    }
}

async fn handle_session(
    stream: tokio::net::TcpStream,
    received: Arc<Mutex<Vec<ReceivedMail>>>,
) -> anyhow::Result<()> {
    let (read, mut write) = stream.into_split();
    let mut lines = BufReader::new(read);
    write.write_all(b"220 sink.test ESMTP\r\n").await?;
    let mut to = Vec::new();
    let mut line = String::new();
    loop {
        line.clear();
        if lines.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let upper = line.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            write
                .write_all(b"250-sink.test\r\n250 8BITMIME\r\n")
                .await?;
        } else if upper.starts_with("MAIL FROM:") {
            to.clear();
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            to.push(line[8..].trim().to_owned());
            write.write_all(b"250 OK\r\n").await?;
        } else if upper.starts_with("DATA") {
            write.write_all(b"354 go ahead\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if lines.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" || line == ".\n" {
                    break;
                }
                data.push_str(&line);
            }
            received.lock().expect("lock").push(ReceivedMail {
                to: to.clone(),
                data,
            });
            write.write_all(b"250 queued\r\n").await?;
        } else if upper.starts_with("QUIT") {
            write.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else if upper.starts_with("RSET") || upper.starts_with("NOOP") {
            write.write_all(b"250 OK\r\n").await?;
        } else {
            write.write_all(b"502 not implemented\r\n").await?;
        }
    }
}
