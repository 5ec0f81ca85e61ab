//! Self-hosted, fingerprinted static assets.
//!
//! The stylesheet is compiled into the binary and served under a name that contains a hash
//! of its content, so browsers may cache it forever and a new release can never be shown
//! with an old stylesheet. No font files: the site uses the system font stack, which costs
//! no request and no third party.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

const SITE_CSS: &str = include_str!("../../static/site.css");
const FAVICON_SVG: &str = include_str!("../../static/favicon.svg");

struct Asset {
    name: String,
    body: &'static str,
    content_type: &'static str,
}

fn fingerprint(stem: &str, ext: &str, body: &'static str, content_type: &'static str) -> Asset {
    let hash = domain::hex::encode(&Sha256::digest(body.as_bytes()));
    Asset {
        name: format!("{stem}.{}.{ext}", &hash[..10]),
        body,
        content_type,
    }
}

static ASSETS: LazyLock<[Asset; 2]> = LazyLock::new(|| {
    [
        fingerprint("site", "css", SITE_CSS, "text/css; charset=utf-8"),
        fingerprint("favicon", "svg", FAVICON_SVG, "image/svg+xml"),
    ]
});

/// URL of the stylesheet, for templates.
pub fn css_url() -> String {
    format!("/static/{}", ASSETS[0].name)
}

/// URL of the favicon, for templates.
pub fn favicon_url() -> String {
    format!("/static/{}", ASSETS[1].name)
}

/// Serves `/static/{name}`.
pub async fn serve(Path(name): Path<String>) -> Response {
    match ASSETS.iter().find(|a| a.name == name) {
        Some(asset) => {
            let mut response = asset.body.into_response();
            let headers = response.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static(asset.content_type),
            );
            headers.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            response
        }
        None => (StatusCode::NOT_FOUND, "Nicht gefunden").into_response(),
    }
}
