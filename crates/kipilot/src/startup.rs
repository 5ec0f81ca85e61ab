//! Building and running the application: the same code path for `kipilot serve` and the
//! integration tests, which start it on a random port with a fresh database.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use domain::UnixMs;
use storage::Db;
use tokio::net::TcpListener;
use tokio::sync::Notify;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::timeout::TimeoutLayer;

use crate::config::Config;
use crate::state::AppState;
use crate::web::forms::FormSigner;
use crate::web::metrics::Metrics;
use crate::web::ratelimit::RateLimiter;

/// Largest request body accepted: generous for any form, far below what could hurt.
pub const MAX_BODY_BYTES: usize = 256 * 1024;

/// Builds the complete router for `state`.
pub fn app(state: AppState) -> Router {
    Router::new()
        .merge(crate::site::router())
        .merge(crate::leads::router())
        .merge(crate::booking::router())
        .merge(crate::privacy::router())
        .merge(crate::admin::router())
        .merge(crate::channels::router())
        .merge(crate::events::router())
        .merge(crate::insights::router())
        .merge(crate::toolkit::router())
        .merge(crate::api::router())
        .merge(crate::gateway::admin::router())
        .merge(crate::participants::router())
        .merge(crate::knowledge::router())
        .route(
            "/static/{name}",
            axum::routing::get(crate::web::assets::serve),
        )
        .route(
            "/metrics",
            axum::routing::get(crate::web::metrics::endpoint),
        )
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::channels::analytics::count_page_view,
        ))
        .route_layer(middleware::from_fn_with_state(
            state.clone(),
            crate::web::metrics::track,
        ))
        .fallback(crate::site::not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(crate::web::rejections::germanize))
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::web::origin::reject_cross_site,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::web::headers::security_headers,
        ))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        // After the site-wide layers: the gateway has its own limits and timeouts.
        .merge(crate::gateway::router(state.clone()))
        .with_state(state)
}

/// Connects to the database named by `url` and applies migrations.
pub async fn connect_and_migrate(url: &str) -> anyhow::Result<Db> {
    let db = Db::connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open database {}: {e}", redact(url)))?;
    db.migrate()
        .await
        .map_err(|e| anyhow::anyhow!("cannot migrate database: {e}"))?;
    Ok(db)
}

/// A database URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            format!("{}://…@{}", &url[..scheme], &url[at + 1..])
        }
        _ => url.to_owned(),
    }
}

/// A bound, ready-to-run application.
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Opens the database, migrates, seeds demo content on first start, binds the socket.
    pub async fn build(config: Config) -> anyhow::Result<Application> {
        let db = connect_and_migrate(&config.database_url).await?;
        let candidate = crate::web::tokens::new_token()?;
        let secret = storage::settings::get_or_insert(&db, "form_secret", &candidate).await?;
        if config.demo_content {
            crate::demo::seed_if_new(&db, UnixMs::now()).await?;
        }
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.listen))?;
        let state = AppState {
            db,
            forms: Arc::new(FormSigner::new(
                secret.clone().into_bytes(),
                config.form_min_fill,
            )),
            form_limiter: Arc::new(RateLimiter::new(20, Duration::from_secs(600))),
            login_limiter: Arc::new(RateLimiter::new(20, Duration::from_secs(900))),
            metrics: Arc::new(Metrics::default()),
            analytics: Arc::new(crate::channels::analytics::Analytics::default()),
            mail_wakeup: Arc::new(Notify::new()),
            gateway: Arc::new(crate::gateway::Gateway::new(&config)?),
            booking: Arc::new(crate::booking::BookingConfig::new(
                secret.as_bytes(),
                config.booking_confirm_hours,
            )),
            config: Arc::new(config),
        };
        Ok(Application { listener, state })
    }

    /// The bound address (tests bind port 0 and ask).
    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Shared state, e.g. for tests that inspect the database.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Starts the background workers and serves until SIGINT/SIGTERM.
    pub async fn run(self) -> anyhow::Result<()> {
        let Application { listener, state } = self;
        if let Some(url) = state.config.smtp_url.clone() {
            tokio::spawn(crate::mail::run_worker(state.clone(), url));
        } else {
            tracing::info!(
                "KIPILOT_SMTP_URL not set: mails stay in the outbox (back office → Postausgang)"
            );
        }
        tokio::spawn(crate::privacy::retention_loop(state.db.clone()));
        tokio::spawn(crate::events::reminder_loop(state.clone()));
        tokio::spawn(crate::booking::worker::run(state.clone()));
        tokio::spawn(crate::participants::register::reminder_loop(state.clone()));
        // Fonts and the typesetting library load once, off the request path.
        tokio::task::spawn_blocking(documents::warm_up);
        tokio::spawn(crate::channels::analytics::flush_loop(state.clone()));
        tracing::info!(address = %listener.local_addr()?, database = state.db.backend_name(), "kipilot is serving");
        let router = app(state);
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await?;
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords_in_database_urls() {
        assert_eq!(
            redact("postgres://u:secret@host/db"),
            "postgres://…@host/db"
        );
        assert_eq!(
            redact("sqlite://data/kipilot.db"),
            "sqlite://data/kipilot.db"
        );
    }
}
