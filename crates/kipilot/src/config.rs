//! Configuration from the environment, read once at start-up.
//!
//! All variables are optional (PRODUCT.md): `kipilot serve` works with none set. Names are
//! fixed by PRODUCT.md; the `KIPILOT_*` variables below the table there are additions.

use std::net::SocketAddr;
use std::time::Duration;

/// Everything the application needs to know about its surroundings.
#[derive(Debug, Clone)]
pub struct Config {
    /// `KIPILOT_LISTEN`, default `127.0.0.1:8080`.
    pub listen: SocketAddr,
    /// `KIPILOT_DATABASE_URL`, default `sqlite://data/kipilot.db`.
    pub database_url: String,
    /// `KIPILOT_BASE_URL`, default `http://<listen>`; no trailing slash.
    pub base_url: String,
    /// `KIPILOT_SMTP_URL`; unset keeps mails in the outbox.
    pub smtp_url: Option<String>,
    /// `KIPILOT_MAIL_FROM`.
    pub mail_from: String,
    /// `KIPILOT_TEAM_EMAIL`: where "new lead" notifications go; default: the profile's
    /// e-mail address.
    pub team_email: Option<String>,
    /// `KIPILOT_MAIL_RETRY_BASE_MS`: first retry delay; doubles per attempt (default 60 s).
    pub mail_retry_base: Duration,
    /// `KIPILOT_FORM_MIN_FILL_MS`: submissions faster than this are treated as bots
    /// (default 2,500 ms).
    pub form_min_fill: Duration,
    /// `KIPILOT_DEMO`: `0` disables demo content on first start.
    pub demo_content: bool,
    /// `KIPILOT_TRUST_PROXY`: `1` takes the client address from `X-Forwarded-For` (only
    /// behind a reverse proxy you run; used for rate limiting, never stored).
    pub trust_proxy: bool,
    /// `KIPILOT_METRICS_TOKEN`: bearer token for `/metrics` from non-loopback clients.
    pub metrics_token: Option<String>,
    /// `KIPILOT_BOOKING_CONFIRM_HOURS`: an unconfirmed booking frees its slot after this
    /// many hours (default 24, 1 to 168).
    pub booking_confirm_hours: i64,
    /// `KIPILOT_GATEWAY_UPSTREAM`: base URL of the OpenAI-compatible model server behind the
    /// privacy gateway (e.g. `https://api.mistral.ai/v1`); unset: the gateway routes answer
    /// "not configured".
    pub gateway_upstream: Option<String>,
    /// `KIPILOT_GATEWAY_UPSTREAM_KEY`: the upstream's API key (never logged).
    pub gateway_upstream_key: Option<Secret>,
    /// `KIPILOT_GATEWAY_TIMEOUT_MS`: how long the gateway waits for the upstream's answer to
    /// start, and then for each further piece of it (default 120,000 ms).
    pub gateway_timeout: Duration,
}

/// A secret from the environment whose `Debug` output is redacted, so a logged or printed
/// configuration never shows it.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// A configuration value that cannot be used, with a message naming the variable.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

impl Config {
    /// Reads the process environment.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|key| std::env::var(key).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads configuration through `lookup`, so tests can pass their own values.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let listen_text = lookup("KIPILOT_LISTEN").unwrap_or_else(|| "127.0.0.1:8080".to_owned());
        let listen: SocketAddr = listen_text.parse().map_err(|_| {
            ConfigError(format!(
                "KIPILOT_LISTEN={listen_text} is not an address like 127.0.0.1:8080"
            ))
        })?;
        let database_url =
            lookup("KIPILOT_DATABASE_URL").unwrap_or_else(|| "sqlite://data/kipilot.db".to_owned());
        if !(database_url.starts_with("sqlite:")
            || database_url.starts_with("postgres://")
            || database_url.starts_with("postgresql://"))
        {
            return Err(ConfigError(
                "KIPILOT_DATABASE_URL must start with sqlite:// or postgres://".to_owned(),
            ));
        }
        let base_url = lookup("KIPILOT_BASE_URL").unwrap_or_else(|| format!("http://{listen}"));
        let base_url = base_url.trim_end_matches('/').to_owned();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(ConfigError(
                "KIPILOT_BASE_URL must start with http:// or https://".to_owned(),
            ));
        }
        let gateway_upstream =
            lookup("KIPILOT_GATEWAY_UPSTREAM").map(|u| u.trim().trim_end_matches('/').to_owned());
        if let Some(url) = &gateway_upstream
            && !(url.starts_with("http://") || url.starts_with("https://"))
        {
            return Err(ConfigError(
                "KIPILOT_GATEWAY_UPSTREAM must start with http:// or https://, e.g. https://api.mistral.ai/v1".to_owned(),
            ));
        }
        let smtp_url = lookup("KIPILOT_SMTP_URL");
        if let Some(url) = &smtp_url
            && !(url.starts_with("smtp://") || url.starts_with("smtps://"))
        {
            return Err(ConfigError(
                "KIPILOT_SMTP_URL must start with smtp:// or smtps://".to_owned(),
            ));
        }
        let millis = |key: &str, default: u64| -> Result<Duration, ConfigError> {
            match lookup(key) {
                None => Ok(Duration::from_millis(default)),
                Some(v) => v
                    .parse::<u64>()
                    .map(Duration::from_millis)
                    .map_err(|_| ConfigError(format!("{key}={v} is not a number of milliseconds"))),
            }
        };
        let booking_confirm_hours = match lookup("KIPILOT_BOOKING_CONFIRM_HOURS") {
            None => 24,
            Some(v) => v
                .parse::<i64>()
                .ok()
                .filter(|h| (1..=168).contains(h))
                .ok_or_else(|| {
                    ConfigError(format!(
                        "KIPILOT_BOOKING_CONFIRM_HOURS={v} is not a number of hours from 1 to 168"
                    ))
                })?,
        };
        Ok(Config {
            listen,
            database_url,
            base_url,
            smtp_url,
            mail_from: lookup("KIPILOT_MAIL_FROM")
                .unwrap_or_else(|| "KI-Pilotprojekt <noreply@localhost>".to_owned()),
            team_email: lookup("KIPILOT_TEAM_EMAIL"),
            mail_retry_base: millis("KIPILOT_MAIL_RETRY_BASE_MS", 60_000)?,
            form_min_fill: millis("KIPILOT_FORM_MIN_FILL_MS", 2_500)?,
            demo_content: lookup("KIPILOT_DEMO").is_none_or(|v| v != "0"),
            trust_proxy: lookup("KIPILOT_TRUST_PROXY").is_some_and(|v| v == "1"),
            metrics_token: lookup("KIPILOT_METRICS_TOKEN"),
            gateway_upstream,
            gateway_upstream_key: lookup("KIPILOT_GATEWAY_UPSTREAM_KEY").map(Secret),
            gateway_timeout: millis("KIPILOT_GATEWAY_TIMEOUT_MS", 120_000)?,
            booking_confirm_hours,
        })
    }

    /// Whether the site is served over HTTPS (enables HSTS and `Secure` cookies).
    pub fn is_https(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    /// Host (and port) of the public URL, for the anti-forgery origin check.
    pub fn base_host(&self) -> &str {
        let rest = self
            .base_url
            .split_once("://")
            .map_or(self.base_url.as_str(), |(_, r)| r);
        rest.split('/').next().unwrap_or(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn works_with_nothing_set() {
        let config = Config::from_lookup(|_| None).expect("defaults");
        assert_eq!(config.base_url, "http://127.0.0.1:8080");
        assert_eq!(config.database_url, "sqlite://data/kipilot.db");
        assert!(config.smtp_url.is_none());
        assert_eq!(config.base_host(), "127.0.0.1:8080");
        assert!(config.gateway_upstream.is_none());
    }

    #[test]
    fn never_prints_the_upstream_key() {
        let config = Config::from_lookup(|k| match k {
            "KIPILOT_GATEWAY_UPSTREAM" => Some("https://llm.example/v1/".to_owned()),
            "KIPILOT_GATEWAY_UPSTREAM_KEY" => Some("sk-geheim".to_owned()),
            _ => None,
        })
        .expect("valid");
        assert_eq!(
            config.gateway_upstream.as_deref(),
            Some("https://llm.example/v1")
        );
        assert!(!format!("{config:?}").contains("sk-geheim"));
        let err = Config::from_lookup(|k| {
            (k == "KIPILOT_GATEWAY_UPSTREAM").then(|| "llm:8000".to_owned())
        })
        .expect_err("no scheme");
        assert!(err.to_string().contains("KIPILOT_GATEWAY_UPSTREAM"));
    }

    #[test]
    fn booking_confirm_hours_default_and_range() {
        assert_eq!(
            Config::from_lookup(|_| None)
                .expect("defaults")
                .booking_confirm_hours,
            24
        );
        let with = |v: &str| {
            let v = v.to_owned();
            Config::from_lookup(move |k| (k == "KIPILOT_BOOKING_CONFIRM_HOURS").then(|| v.clone()))
        };
        assert_eq!(with("2").expect("2 h").booking_confirm_hours, 2);
        for bad in ["0", "169", "-1", "zwei"] {
            let err = with(bad).expect_err(bad);
            assert!(err.to_string().contains("KIPILOT_BOOKING_CONFIRM_HOURS"));
        }
    }

    #[test]
    fn rejects_unusable_values_with_the_variable_name() {
        let err = Config::from_lookup(|k| (k == "KIPILOT_LISTEN").then(|| "nope".to_owned()))
            .expect_err("bad");
        assert!(err.to_string().contains("KIPILOT_LISTEN"));
    }
}
