//! A small in-memory rate limiter (fixed window per key).
//!
//! Why not a crate: the need is tiny (a handful of limits, one process) and the keys are
//! client addresses that must never leave memory. Old windows are swept on insert so memory
//! stays bounded under a flood of distinct addresses.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Allows `limit` events per `window` per key.
#[derive(Debug)]
pub struct RateLimiter {
    limit: u32,
    window: Duration,
    buckets: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

/// Maximum number of keys held; beyond this, expired windows are swept first and, if that
/// is not enough, the map is cleared (failing open rather than growing without bound).
const MAX_KEYS: usize = 100_000;

impl RateLimiter {
    /// A limiter for `limit` events per `window`.
    pub fn new(limit: u32, window: Duration) -> RateLimiter {
        RateLimiter {
            limit,
            window,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one event for `key`; false when the key is over its limit.
    pub fn check(&self, key: IpAddr) -> bool {
        let now = Instant::now();
        let Ok(mut buckets) = self.buckets.lock() else {
            return true;
        };
        if buckets.len() >= MAX_KEYS {
            let window = self.window;
            buckets.retain(|_, (start, _)| now.duration_since(*start) < window);
            if buckets.len() >= MAX_KEYS {
                buckets.clear();
            }
        }
        let entry = buckets.entry(key).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        entry.1 <= self.limit
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_per_key() {
        let limiter = RateLimiter::new(2, Duration::from_secs(60));
        let a = IpAddr::from([10, 0, 0, 1]);
        let b = IpAddr::from([10, 0, 0, 2]);
        assert!(limiter.check(a));
        assert!(limiter.check(a));
        assert!(!limiter.check(a));
        assert!(limiter.check(b));
    }

    #[test]
    fn a_new_window_starts_fresh() {
        let limiter = RateLimiter::new(1, Duration::from_millis(1));
        let a = IpAddr::from([10, 0, 0, 1]);
        assert!(limiter.check(a));
        std::thread::sleep(Duration::from_millis(5));
        assert!(limiter.check(a));
    }
}
