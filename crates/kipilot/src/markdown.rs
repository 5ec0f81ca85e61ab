//! Markdown to safe HTML for updates written by the team.
//!
//! Raw HTML inside Markdown is shown as text, never passed through: even a team account
//! must not be able to put a script on the public site (and the CSP would block it anyway).
//! Links may only point to http(s), mailto or site-relative targets.

use pulldown_cmark::{Event, Options, Parser, Tag, html};

/// Renders Markdown to HTML that is safe to embed without further escaping.
pub fn to_safe_html(markdown: &str) -> String {
    let parser = Parser::new_ext(
        markdown,
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES,
    )
    .map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            let safe = dest_url.starts_with("https://")
                || dest_url.starts_with("http://")
                || dest_url.starts_with("mailto:")
                || (dest_url.starts_with('/') && !dest_url.starts_with("//"));
            let dest_url = if safe { dest_url } else { "#".into() };
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        Event::Start(Tag::Image {
            link_type,
            dest_url,
            title,
            id,
        }) => {
            // Images would be third-party requests unless hosted here; allow site-relative only.
            let dest_url = if dest_url.starts_with('/') && !dest_url.starts_with("//") {
                dest_url
            } else {
                "#".into()
            };
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            })
        }
        other => other,
    });
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, parser);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_html_is_escaped_not_rendered() {
        let html = to_safe_html("Hallo <script>alert(1)</script> **Welt**");
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("<strong>Welt</strong>"));
    }

    #[test]
    fn javascript_links_are_neutralised() {
        let html =
            to_safe_html("[klick](javascript:alert(1)) [ok](/wissen) [ext](https://example.org)");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(html.contains("href=\"/wissen\""));
        assert!(html.contains("href=\"https://example.org\""));
    }
}
