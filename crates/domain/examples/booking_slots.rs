//! Benchmark (not a test) of the pure slot computation: the 4-week availability of the
//! first call with default hours and 40 existing bookings, as `/erstgespraech` computes it on
//! every request.
//!
//! `cargo run --release -p domain --example booking_slots [iterations]`

use std::time::Instant;

use domain::UnixMs;
use domain::booking::{Busy, MeetingKind, SlotQuery, free_slots, horizon_days};

fn main() {
    let iterations: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(20_000);
    let availability = MeetingKind::Erstgespraech.default_availability();
    let now = UnixMs(1_795_766_400_000); // 2026-11-27T05:20:00Z
    let (first, last) = horizon_days(&availability, now);
    // 40 bookings spread over the horizon (every 17 hours, 30 minutes plus buffer).
    let busy: Vec<Busy> = (1..=40)
        .map(|i| {
            let start = now.plus_hours(17 * i);
            Busy {
                start,
                end: start.plus_ms(40 * 60_000),
            }
        })
        .collect();
    let query = SlotQuery {
        availability: &availability,
        blocked: &[],
        busy: &busy,
        now,
    };
    let days = free_slots(&query, first, last);
    let slots: usize = days.iter().map(|d| d.slots.len()).sum();
    let mut samples = Vec::with_capacity(iterations);
    let mut checksum = 0usize;
    for _ in 0..iterations {
        let t = Instant::now();
        let days = free_slots(&query, first, last);
        checksum = checksum.wrapping_add(days.len());
        samples.push(t.elapsed().as_nanos());
    }
    samples.sort_unstable();
    let pct = |p: f64| samples[((samples.len() as f64 - 1.0) * p) as usize] as f64 / 1000.0;
    println!(
        "free_slots over {} days ({first} .. {last}), {} busy, {slots} free slots: p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs over {iterations} runs (checksum {checksum})",
        days.len(),
        busy.len(),
        pct(0.5),
        pct(0.99),
        pct(1.0)
    );
}
