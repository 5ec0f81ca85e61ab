//! Shared application state handed to every handler.

use std::sync::Arc;

use storage::Db;
use tokio::sync::Notify;

use crate::channels::analytics::Analytics;
use crate::config::Config;
use crate::web::forms::FormSigner;
use crate::web::metrics::Metrics;
use crate::web::ratelimit::RateLimiter;

/// Cheap to clone: everything inside is shared.
#[derive(Clone)]
pub struct AppState {
    /// Database pool.
    pub db: Db,
    /// Configuration.
    pub config: Arc<Config>,
    /// Signs and checks anti-forgery tokens of public forms.
    pub forms: Arc<FormSigner>,
    /// Per-client limits for public form posts (in memory only).
    pub form_limiter: Arc<RateLimiter>,
    /// Per-client limits for login attempts (in memory only).
    pub login_limiter: Arc<RateLimiter>,
    /// Request counters and latency histograms.
    pub metrics: Arc<Metrics>,
    /// Today's page-view counters (in memory until flushed).
    pub analytics: Arc<Analytics>,
    /// Wakes the mail worker when a mail was queued.
    pub mail_wakeup: Arc<Notify>,
    /// The privacy gateway: upstream client, per-key limits, anonymizer per policy.
    pub gateway: Arc<crate::gateway::Gateway>,
    /// Booking links signer and confirmation window.
    pub booking: Arc<crate::booking::BookingConfig>,
}
