//! KI-Risiko-Check: the JSON API, the guided wizard (posted as a browser would), the
//! ChatGPT quick check and the `kipilot check` command.
//!
//! Nothing here touches the database, so every test runs on SQLite only.

use std::collections::HashMap;

use crate::helpers::{Backend, Options, TestApp, spawn_app};

async fn app() -> anyhow::Result<TestApp> {
    spawn_app(Backend::Sqlite, Options::plain())
        .await?
        .ok_or_else(|| anyhow::anyhow!("sqlite always runs"))
}

async fn post_json(
    app: &TestApp,
    content_type: Option<&str>,
    body: impl Into<String>,
) -> anyhow::Result<(u16, String, String)> {
    let mut req = app
        .client
        .post(app.url("/api/v1/risk-check"))
        .body(body.into());
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    let r = req.send().await?;
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    Ok((status, ct, r.text().await?))
}

fn error_of(body: &str) -> anyhow::Result<(String, serde_json::Value)> {
    let v: serde_json::Value = serde_json::from_str(body)?;
    let message = v["error"]["message"]
        .as_str()
        .ok_or_else(|| anyhow::anyhow!("no error.message in {body}"))?
        .to_owned();
    Ok((message, v["error"]["key"].clone()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn risk_check_api_answers_with_the_contract() -> anyhow::Result<()> {
    let app = app().await?;
    let facts = serde_json::json!({
        "is_ai_system": true,
        "uses_third_party_system": true,
        "annex_iii_point": "4(a)",
        "processes_personal_data": true,
        "country": "AT"
    });
    let (status, ct, body) = post_json(
        &app,
        Some("application/json; charset=utf-8"),
        serde_json::to_string(&facts)?,
    )
    .await?;
    assert_eq!(status, 200, "{body}");
    assert!(ct.starts_with("application/json"), "{ct}");
    let v: serde_json::Value = serde_json::from_str(&body)?;
    let keys: Vec<&str> = v
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "needs_review",
            "obligations",
            "reasons",
            "risk_class",
            "role"
        ]
    );
    // Contract order in the text itself.
    let pos = |k: &str| body.find(&format!("\"{k}\"")).unwrap_or(usize::MAX);
    assert!(pos("risk_class") < pos("role") && pos("role") < pos("obligations"));
    assert!(pos("obligations") < pos("needs_review") && pos("needs_review") < pos("reasons"));
    assert_eq!(v["risk_class"], "high");
    assert_eq!(v["role"], "deployer");
    assert!(
        v["obligations"]
            .as_array()
            .is_some_and(|o| o.iter().any(|o| o["tag"] == "art26_deployer_duties"))
    );
    // The same facts on the command line give the same bytes.
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("facts.json");
    std::fs::write(&path, serde_json::to_string(&facts)?)?;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kipilot"))
        .arg("check")
        .arg(&path)
        .output()?;
    assert_eq!(String::from_utf8(out.stdout)?.trim_end(), body.trim_end());
    app.cleanup().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn risk_check_api_rejects_bad_input_in_german() -> anyhow::Result<()> {
    let app = app().await?;
    let json = Some("application/json");

    // Malformed JSON.
    let (status, ct, body) = post_json(&app, json, "{\"is_ai_system\": nope}").await?;
    assert_eq!(status, 400, "{body}");
    assert!(ct.starts_with("application/json"));
    let (message, key) = error_of(&body)?;
    assert!(
        message.contains("kein gültiges JSON") && message.contains("Zeile 1"),
        "{message}"
    );
    assert!(key.is_null());

    // Cut off JSON and an empty body.
    let (status, _, body) = post_json(&app, json, "{\"is_ai_system\": ").await?;
    assert_eq!(status, 400);
    assert!(error_of(&body)?.0.contains("endet unerwartet"));
    let (status, _, body) = post_json(&app, json, "").await?;
    assert_eq!(status, 400);
    assert!(error_of(&body)?.0.contains("leer"));

    // Not an object.
    let (status, _, body) = post_json(&app, json, "[true]").await?;
    assert_eq!(status, 400);
    assert!(error_of(&body)?.0.contains("JSON-Objekt"));

    // Wrong type.
    let (status, _, body) = post_json(&app, json, r#"{"is_ai_system": "ja"}"#).await?;
    assert_eq!(status, 400);
    let (message, key) = error_of(&body)?;
    assert_eq!(
        message,
        "Das Feld „is_ai_system“ hat den falschen Typ: erwartet wird true oder false."
    );
    assert_eq!(key, "is_ai_system");

    // Unknown enum value.
    let (status, _, body) = post_json(&app, json, r#"{"biometric_mode": "xyz"}"#).await?;
    assert_eq!(status, 400);
    let (message, key) = error_of(&body)?;
    assert!(
        message.contains("unbekannten Wert „xyz“") && message.contains("Erlaubt sind"),
        "{message}"
    );
    assert_eq!(key, "biometric_mode");

    // Too large.
    let big = format!("{{\"purpose\": \"{}\"}}", "x".repeat(70 * 1024));
    let (status, ct, body) = post_json(&app, json, big).await?;
    assert_eq!(status, 413, "{body}");
    assert!(ct.starts_with("application/json"));
    assert!(error_of(&body)?.0.contains("zu groß"));

    // Wrong or missing content type.
    for ct in [
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
        None,
    ] {
        let (status, rct, body) = post_json(&app, ct, r#"{"is_ai_system": true}"#).await?;
        assert_eq!(status, 415, "{ct:?}: {body}");
        assert!(rct.starts_with("application/json"));
        assert!(
            error_of(&body)?
                .0
                .contains("Content-Type: application/json")
        );
    }

    // Wrong method.
    let r = app.get("/api/v1/risk-check").await?;
    assert_eq!(r.status().as_u16(), 405);
    assert!(error_of(&r.text().await?)?.0.contains("POST"));

    // A cross-site header does not matter for the cookie-less API.
    let r = app
        .client
        .post(app.url("/api/v1/risk-check"))
        .header("content-type", "application/json")
        .header("origin", "https://elsewhere.example")
        .header("sec-fetch-site", "cross-site")
        .body(r#"{"is_ai_system": false}"#)
        .send()
        .await?;
    assert_eq!(r.status().as_u16(), 200);
    app.cleanup().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn openapi_document_describes_the_risk_check() -> anyhow::Result<()> {
    let app = app().await?;
    let r = app.get("/api/v1/openapi.json").await?;
    assert_eq!(r.status().as_u16(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()?
            .starts_with("application/json")
    );
    let doc: serde_json::Value = serde_json::from_str(&r.text().await?)?;
    assert_eq!(doc["openapi"], "3.1.0");
    let post = &doc["paths"]["/api/v1/risk-check"]["post"];
    for status in ["200", "400", "413", "415"] {
        assert!(
            post["responses"][status].is_object(),
            "response {status} missing"
        );
    }
    app.cleanup().await;
    Ok(())
}

// ---------------------------------------------------------------------------------------
// The wizard, driven like a browser
// ---------------------------------------------------------------------------------------

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#34;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&amp;", "&")
        .replace("&#38;", "&")
}

/// The attributes of every `<input>` on the page, in order.
fn inputs(html: &str) -> Vec<HashMap<String, String>> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<input ") {
        let tag_start = start + "<input ".len();
        let Some(len) = rest[tag_start..].find('>') else {
            break;
        };
        let tag = &rest[tag_start..tag_start + len];
        rest = &rest[tag_start + len..];
        let mut attrs = HashMap::new();
        let mut t = tag.trim();
        while !t.is_empty() {
            let name_end = t
                .find(|c: char| c == '=' || c.is_whitespace())
                .unwrap_or(t.len());
            let name = t[..name_end].to_owned();
            t = &t[name_end..];
            if let Some(after) = t.strip_prefix("=\"") {
                let end = after.find('"').unwrap_or(after.len());
                attrs.insert(name, unescape(&after[..end]));
                t = after.get(end + 1..).unwrap_or("").trim_start();
            } else {
                attrs.insert(name, String::new());
                t = t.trim_start();
            }
        }
        out.push(attrs);
    }
    out
}

fn h1(html: &str) -> String {
    let start = html.find("<h1>").map_or(0, |i| i + 4);
    let end = html[start..]
        .find("</h1>")
        .map_or(html.len(), |i| i + start);
    html[start..end].to_owned()
}

/// What a browser sends for this page: every hidden field, every checked input, and for
/// unanswered radio groups the override (by question id) or „nein“/„keine“/first option.
fn answer_page(html: &str, overrides: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut fields = Vec::new();
    // (field name, [(value, checked)], input type)
    type Group = (String, Vec<(String, bool)>, String);
    let mut groups: Vec<Group> = Vec::new();
    for attrs in inputs(html) {
        let ty = attrs.get("type").map(String::as_str).unwrap_or("");
        let name = attrs.get("name").cloned().unwrap_or_default();
        let value = attrs.get("value").cloned().unwrap_or_default();
        match ty {
            "hidden" => fields.push((name, value)),
            "radio" | "checkbox" => {
                let checked = attrs.contains_key("checked");
                match groups.iter_mut().find(|(n, _, _)| *n == name) {
                    Some((_, opts, _)) => opts.push((value, checked)),
                    None => groups.push((name, vec![(value, checked)], ty.to_owned())),
                }
            }
            _ => {}
        }
    }
    for (name, options, ty) in groups {
        let id = name.strip_prefix("a.").unwrap_or(&name);
        let wanted: Vec<&str> = overrides
            .iter()
            .filter(|(q, _)| *q == id)
            .map(|(_, v)| *v)
            .collect();
        let checked: Vec<&str> = options
            .iter()
            .filter(|(_, c)| *c)
            .map(|(v, _)| v.as_str())
            .collect();
        let has = |v: &str| options.iter().any(|(o, _)| o == v);
        let chosen: Vec<String> = if !checked.is_empty() {
            checked.iter().map(|v| (*v).to_owned()).collect()
        } else if !wanted.is_empty() {
            wanted
                .iter()
                .filter(|v| has(v))
                .map(|v| (*v).to_owned())
                .collect()
        } else if ty == "checkbox" {
            Vec::new()
        } else if has("nein") {
            vec!["nein".to_owned()]
        } else if has("keine") {
            vec!["keine".to_owned()]
        } else {
            options
                .first()
                .map(|(v, _)| v.clone())
                .into_iter()
                .collect()
        };
        fields.extend(chosen.into_iter().map(|v| (name.clone(), v)));
    }
    fields
}

async fn post_wizard(app: &TestApp, fields: &[(String, String)]) -> anyhow::Result<(u16, String)> {
    let pairs: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let r = app.post_form("/werkzeuge/ki-check", &pairs).await?;
    let status = r.status().as_u16();
    let no_store = r
        .headers()
        .get("cache-control")
        .and_then(|v| v.to_str().ok())
        == Some("no-store");
    assert!(no_store, "wizard pages must not be cached");
    Ok((status, r.text().await?))
}

/// Clicks „Weiter“ until the result page; returns the step headings seen and the result.
async fn browse(
    app: &TestApp,
    mut html: String,
    overrides: &[(&str, &str)],
) -> anyhow::Result<(Vec<String>, String)> {
    let mut seen = Vec::new();
    for _ in 0..40 {
        if html.contains("Ihr Ergebnis:") {
            return Ok((seen, html));
        }
        seen.push(h1(&html));
        let mut fields = answer_page(&html, overrides);
        fields.push(("go".to_owned(), "weiter".to_owned()));
        let (status, next) = post_wizard(app, &fields).await?;
        assert_eq!(
            status,
            200,
            "unexpected status on {:?}: {next}",
            seen.last()
        );
        html = next;
    }
    anyhow::bail!("no result after 40 pages; seen {seen:?}")
}

/// A deployer lets a general chat assistant pre-sort applications: high risk.
const APPLICANTS: &[(&str, &str)] = &[
    ("AT/DE", "AT"),
    ("A1", "ja"),
    ("KMU", "small"),
    ("B1", "ja"),
    ("C2", "ja"),
    ("C7", "applicants"),
    ("F", "4"),
    ("F-4(a)", "ja"),
    ("G0", "ja"),
    ("GDPR-1", "ja"),
    ("GDPR-28", "ja"),
    ("GDPR-44", "US"),
    ("GDPR-44b", "ja"),
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wizard_walks_to_a_high_risk_result_and_back() -> anyhow::Result<()> {
    let app = app().await?;
    let (status, start) = app.get_text("/werkzeuge/ki-check").await?;
    assert_eq!(status, 200);
    assert!(start.contains("Check starten"));
    assert!(start.contains("href=\"/werkzeuge/ki-check/chatgpt\""));
    assert!(!start.contains("<script"));

    let (status, step1) = post_wizard(&app, &[("go".into(), "start".into())]).await?;
    assert_eq!(status, 200);
    assert!(step1.contains("Schritt 1 von"), "progress text missing");
    assert!(step1.contains("<progress"));
    assert!(step1.contains("<legend>"));
    assert!(step1.contains("Weiß nicht"));

    // „Weiter“ without answers: the questions are marked, the alert names them.
    let (status, again) = post_wizard(
        &app,
        &[
            ("step".into(), "ki_system".into()),
            ("shown".into(), "AT/DE".into()),
            ("shown".into(), "A1".into()),
            ("go".into(), "weiter".into()),
        ],
    )
    .await?;
    assert_eq!(status, 422);
    assert!(again.contains("role=\"alert\""));
    assert!(again.contains("Bitte wählen Sie"));
    assert!(again.contains("Schritt 1 von"));

    // Step 1 → 2 → 3, then back to 2: the answers are still there.
    let mut fields = answer_page(&step1, APPLICANTS);
    fields.push(("go".into(), "weiter".into()));
    let (_, step2) = post_wizard(&app, &fields).await?;
    assert!(step2.contains("Schritt 2 von"), "{}", h1(&step2));
    let mut fields = answer_page(&step2, APPLICANTS);
    fields.push(("go".into(), "weiter".into()));
    let (_, step3) = post_wizard(&app, &fields).await?;
    assert!(h1(&step3).contains("Rolle"), "{}", h1(&step3));
    let mut fields = answer_page(&step3, APPLICANTS);
    fields.push(("go".into(), "zurueck".into()));
    let (status, back) = post_wizard(&app, &fields).await?;
    assert_eq!(status, 200);
    assert!(back.contains("Schritt 2 von"));
    assert!(
        back.contains("name=\"a.B1\" value=\"ja\" checked"),
        "B1 answer lost"
    );
    assert!(
        back.contains("name=\"a.C2\" value=\"ja\""),
        "step 3 answer not carried"
    );
    assert!(
        back.contains("name=\"a.A1\" value=\"ja\""),
        "step 1 answer not carried"
    );

    // Forward again through every step to the result.
    let mut fields = answer_page(&back, APPLICANTS);
    fields.push(("go".into(), "weiter".into()));
    let (_, step3) = post_wizard(&app, &fields).await?;
    assert!(
        step3.contains("name=\"a.C2\" value=\"ja\" checked"),
        "C2 answer lost"
    );
    let (seen, result) = browse(&app, step3, APPLICANTS).await?;
    assert!(
        seen.iter().any(|t| t.contains("Hochrisiko-Bereiche")),
        "{seen:?}"
    );
    assert!(seen.iter().any(|t| t.contains("Ausnahmen")), "{seen:?}");
    assert!(seen.iter().any(|t| t.contains("Datenschutz")), "{seen:?}");

    assert!(result.contains("badge hoch"), "{}", h1(&result));
    assert!(result.contains("Hohes Risiko"));
    assert!(result.contains("Ihre Pflichten"));
    assert!(result.contains("Betreiberpflichten für Hochrisiko-KI-Systeme erfüllen"));
    assert!(result.contains("gilt ab 2. Dezember 2027"));
    assert!(result.contains("gilt bereits (seit 2. Februar 2025)"));
    // The result can be taken into a participant's KI-Verzeichnis.
    let link = result
        .split("href=\"/teilnehmer/verzeichnis/neu?")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("link to the KI-Verzeichnis");
    let query: HashMap<String, String> = serde_urlencoded::from_str(&unescape(link))?;
    assert_eq!(query["risiko"], "hoch");
    assert!(
        query["pflichten"].contains("Betreiberpflichten für Hochrisiko-KI-Systeme erfüllen"),
        "{query:?}"
    );
    assert!(result.contains("AVV mit dem Anbieter abschließen"));
    assert!(result.contains("href=\"/werkzeuge/anonymisieren\""));
    assert!(result.contains("<textarea"), "templates missing");
    assert!(result.contains("readonly"));
    assert!(result.contains("Regelwerk 2026-11-27.1"));
    assert!(result.contains("ersetzt keine Rechtsberatung"));
    assert!(result.contains("href=\"/mitmachen?source=ki-check\""));
    assert!(result.contains("href=\"/erstgespraech\""));
    assert!(result.contains("Warum dieses Ergebnis?"));
    assert!(
        !result.contains("[F-4(a)]"),
        "raw rule ids leak into the page"
    );

    // „Antworten ändern“ from the result: the last step, with its answers.
    let mut fields = answer_page(&result, &[]);
    fields.push(("go".into(), "zurueck".into()));
    let (status, last) = post_wizard(&app, &fields).await?;
    assert_eq!(status, 200);
    assert!(h1(&last).contains("Datenschutz"), "{}", h1(&last));
    assert!(last.contains("name=\"a.GDPR-1\" value=\"ja\" checked"));

    // Jump straight to a step from the result page.
    let mut fields = answer_page(&result, &[]);
    fields.push(("goto".into(), "hochrisiko".into()));
    let (status, areas) = post_wizard(&app, &fields).await?;
    assert_eq!(status, 200);
    assert!(areas.contains("name=\"a.F\" value=\"4\" checked"));
    assert!(areas.contains("name=\"a.F-4(a)\" value=\"ja\" checked"));
    app.cleanup().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wizard_ends_early_on_a_prohibited_practice() -> anyhow::Result<()> {
    let app = app().await?;
    let (_, step1) = post_wizard(&app, &[("go".into(), "start".into())]).await?;
    let overrides = [("A1", "ja"), ("B1", "ja"), ("C2", "ja"), ("D-e", "ja")];
    let (seen, result) = browse(&app, step1, &overrides).await?;
    assert!(
        seen.iter().any(|t| t.contains("Verbotene Praktiken")),
        "{seen:?}"
    );
    assert!(
        !seen.iter().any(|t| t.contains("Transparenz")),
        "went past the prohibition: {seen:?}"
    );
    assert!(result.contains("badge verboten"));
    assert!(result.contains("Der Check endet hier"));
    assert!(result.contains("Verbotene KI-Praxis: Einsatz einstellen bzw. nicht anbieten"));
    assert!(result.contains("Den Einsatz sofort beenden"));
    assert!(result.contains("ersetzt keine Rechtsberatung"));

    // Back from the result lands on the step that ended the check; answering „nein“ there
    // continues the check.
    let mut fields = answer_page(&result, &[]);
    fields.push(("go".into(), "zurueck".into()));
    let (_, verbote) = post_wizard(&app, &fields).await?;
    assert!(h1(&verbote).contains("Verbotene Praktiken"));
    let changed = verbote.replace(
        "name=\"a.D-e\" value=\"ja\" checked",
        "name=\"a.D-e\" value=\"ja\"",
    );
    let (seen, result) = browse(&app, changed, &[("F", "none")]).await?;
    assert!(seen.iter().any(|t| t.contains("Transparenz")), "{seen:?}");
    assert!(!result.contains("badge verboten"));
    app.cleanup().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wizard_survives_tampered_fields() -> anyhow::Result<()> {
    let app = app().await?;
    let long = "x".repeat(5000);
    let cases: Vec<Vec<(&str, &str)>> = vec![
        vec![
            ("step", "rolle"),
            ("go", "weiter"),
            ("a.A1", "vielleicht"),
            ("a.AT/DE", "FR"),
        ],
        vec![("step", "gibt-es-nicht"), ("go", "weiter")],
        vec![("step", "ergebnis"), ("a.F", "99"), ("a.C7", "aliens")],
        vec![("step", "ergebnis"), ("go", "zurueck")],
        vec![("goto", "nirgendwo")],
        vec![("go", "fliegen")],
        vec![
            ("step", "hochrisiko"),
            ("go", "weiter"),
            ("a.F-4(a)", "ja"),
            ("a.ZWECK", long.as_str()),
        ],
        vec![],
    ];
    for fields in cases {
        let r = app.post_form("/werkzeuge/ki-check", &fields).await?;
        let status = r.status().as_u16();
        let html = r.text().await?;
        assert!(matches!(status, 200 | 422), "{fields:?} gave {status}");
        assert!(html.contains("lang=\"de\""));
        assert!(
            !html.contains("Ihr Ergebnis:"),
            "{fields:?} skipped to a result"
        );
    }
    let r = app
        .post_form(
            "/werkzeuge/ki-check",
            &[("step", "rolle"), ("go", "weiter"), ("a.A1", "vielleicht")],
        )
        .await?;
    let html = r.text().await?;
    assert!(
        html.contains("ungültig"),
        "no German message about the tampered field"
    );
    assert!(html.contains("role=\"alert\""));

    // Not a form at all: the German error page, not a 500.
    let r = app
        .client
        .post(app.url("/werkzeuge/ki-check"))
        .header("content-type", "application/json")
        .body("{}")
        .send()
        .await?;
    assert_eq!(r.status().as_u16(), 400);
    assert!(r.text().await?.contains("Formulardaten"));
    app.cleanup().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chatgpt_quick_check_answers_with_reasons_and_fixes() -> anyhow::Result<()> {
    let app = app().await?;
    let (status, form) = app.get_text("/werkzeuge/ki-check/chatgpt").await?;
    assert_eq!(status, 200);
    assert!(form.contains("Darf ich das in ChatGPT eingeben?"));
    assert!(form.contains("<legend>"));

    let r = app
        .post_form(
            "/werkzeuge/ki-check/chatgpt",
            &[
                ("data", "customer_personal_data"),
                ("plan", "consumer"),
                ("location", "us_dpf"),
                ("training", "yes"),
            ],
        )
        .await?;
    assert_eq!(r.status().as_u16(), 200);
    let html = r.text().await?;
    assert!(html.contains("Nein, so nicht"));
    assert!(html.contains("badge verboten"));
    assert!(html.contains("Art. 28 Abs. 3"));
    assert!(html.contains("href=\"/werkzeuge/anonymisieren\""));
    assert!(html.contains("Business-Tarif mit AVV"));
    assert!(html.contains("ersetzt keine Rechtsberatung"));
    assert!(
        html.contains("value=\"consumer\" checked"),
        "answers not kept"
    );

    let r = app
        .post_form(
            "/werkzeuge/ki-check/chatgpt",
            &[
                ("data", "none"),
                ("plan", "consumer"),
                ("location", "unknown"),
                ("training", "unknown"),
            ],
        )
        .await?;
    assert!(r.text().await?.contains("badge minimal"));

    let r = app
        .post_form(
            "/werkzeuge/ki-check/chatgpt",
            &[("plan", "gratis"), ("data", "alles")],
        )
        .await?;
    assert_eq!(r.status().as_u16(), 422);
    let html = r.text().await?;
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("Bitte wählen Sie"));
    app.cleanup().await;
    Ok(())
}

#[test]
fn cli_check_prints_json_and_exits_2_on_bad_input() -> anyhow::Result<()> {
    use std::io::Write as _;
    use std::process::{Command, Stdio};
    let bin = env!("CARGO_BIN_EXE_kipilot");
    let dir = tempfile::tempdir()?;

    let valid = dir.path().join("chatbot.json");
    std::fs::write(
        &valid,
        r#"{"is_ai_system": true, "annex_iii_point": null, "interacts_directly_with_natural_persons": true}"#,
    )?;
    let out = Command::new(bin).arg("check").arg(&valid).output()?;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(v["risk_class"], "limited");
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let invalid = dir.path().join("invalid.json");
    std::fs::write(&invalid, r#"{"is_ai_system": "ja"}"#)?;
    let out = Command::new(bin).arg("check").arg(&invalid).output()?;
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8(out.stderr)?;
    assert!(
        err.contains("Das Feld „is_ai_system“ hat den falschen Typ"),
        "{err}"
    );

    let broken = dir.path().join("broken.json");
    std::fs::write(&broken, "{\"is_ai_system\": true,")?;
    let out = Command::new(bin).arg("check").arg(&broken).output()?;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr)?.contains("kein vollständiges JSON"));

    let missing = dir.path().join("gibt-es-nicht.json");
    let out = Command::new(bin).arg("check").arg(&missing).output()?;
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr)?;
    assert!(
        err.contains("kann nicht gelesen werden") && err.contains("existiert nicht"),
        "{err}"
    );

    // `-` reads standard input.
    let mut child = Command::new(bin)
        .args(["check", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child
        .stdin
        .take()
        .ok_or_else(|| anyhow::anyhow!("no stdin"))?
        .write_all(br#"{"is_ai_system": false}"#)?;
    let out = child.wait_with_output()?;
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(v["risk_class"], "minimal");
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_result_downloads_as_a_typeset_pdf_report() -> anyhow::Result<()> {
    let app = app().await?;
    let (_, step1) = post_wizard(&app, &[("go".into(), "start".into())]).await?;
    let (_, result) = browse(&app, step1, APPLICANTS).await?;
    assert!(result.contains("Bericht herunterladen (PDF)"));
    let mut fields: Vec<(String, String)> = answer_page(&result, &[])
        .into_iter()
        .filter(|(k, _)| k != "go" && k != "goto")
        .collect();
    fields.dedup();
    fields.push((
        "system_name".into(),
        "Bewerbungs-Vorauswahl <b>#import</b>".into(),
    ));
    fields.push(("company".into(), "Bau Huber GmbH".into()));
    fields.push(("go".into(), "bericht".into()));
    let body = serde_urlencoded::to_string(&fields)?;
    let r = app
        .client
        .post(app.url("/werkzeuge/ki-check"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await?;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(
        r.headers()["content-disposition"]
            .to_str()?
            .contains("ki-risiko-check-")
    );
    let pdf = r.bytes().await?;
    assert!(pdf.starts_with(b"%PDF"));
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("bericht.pdf");
    std::fs::write(&path, &pdf)?;
    let out = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(&path)
        .arg("-")
        .output()?;
    assert!(
        out.status.success(),
        "pdftotext (poppler-utils) must be installed"
    );
    let text = String::from_utf8_lossy(&out.stdout);
    for needle in [
        "KI-Risiko-Check",
        "Bewerbungs-Vorauswahl <b>#import</b>",
        "Bau Huber GmbH",
        "Hohes Risiko",
        "2. Dezember 2027",
        "Rechtsberatung",
    ] {
        assert!(text.contains(needle), "PDF text lacks {needle}:\n{text}");
    }
    let fonts = std::process::Command::new("pdffonts").arg(&path).output()?;
    let fonts = String::from_utf8_lossy(&fonts.stdout);
    for line in fonts.lines().skip(2) {
        let cols: Vec<&str> = line.split_whitespace().collect();
        assert!(
            cols.iter().rev().nth(4) == Some(&"yes"),
            "font not embedded: {line}"
        );
    }
    app.cleanup().await;
    Ok(())
}
