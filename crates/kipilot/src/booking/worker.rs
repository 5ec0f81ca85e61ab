//! The booking worker: lapses unconfirmed bookings and queues reminders.
//!
//! [`tick`] takes the instant as a parameter, so tests can run it "the day before a DST
//! switch" without waiting; the loop calls it every minute with the real clock. Both steps
//! are idempotent: a booking is marked in the same transaction that queues its mail, and
//! every mail has a unique idempotency key.

use std::time::Duration;

use domain::UnixMs;

use super::mails::Appointment;
use super::{mail_ctx, team_address, uid_host};
use crate::profile::CompanyProfile;
use crate::state::AppState;

/// How often the loop looks for due work; reminders go out at most this late.
pub const INTERVAL: Duration = Duration::from_secs(60);

/// What one run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TickReport {
    /// Lapse notices queued.
    pub lapsed: u64,
    /// Reminders queued.
    pub reminders: u64,
}

/// Runs both steps once at `now`.
pub async fn tick(state: &AppState, now: UnixMs) -> Result<TickReport, storage::StoreError> {
    let profile = CompanyProfile::load(&state.db).await?;
    let team = team_address(state, &profile);
    let host = uid_host(state);
    let ctx = mail_ctx(state, &profile, team.as_deref(), &host, now);
    let lapsed = storage::booking::lapse_due(&state.db, now, |b| {
        vec![ctx.lapsed(&Appointment::from_row(b))]
    })
    .await?;
    let reminders = storage::booking::queue_due_reminders(&state.db, now, |b| {
        Some(ctx.reminder(&Appointment::from_row(b)))
    })
    .await?;
    if lapsed + reminders > 0 {
        state.mail_wakeup.notify_one();
        tracing::info!(lapsed, reminders, "booking worker queued mails");
    }
    Ok(TickReport { lapsed, reminders })
}

/// Runs [`tick`] every [`INTERVAL`] with the real clock.
pub async fn run(state: AppState) {
    let mut interval = tokio::time::interval(INTERVAL);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        interval.tick().await;
        if let Err(e) = tick(&state, UnixMs::now()).await {
            tracing::error!(error = %e, "booking worker run failed");
        }
    }
}
