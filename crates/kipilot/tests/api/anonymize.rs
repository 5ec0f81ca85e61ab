//! The anonymizer's three interfaces: JSON API, web tool, command line.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::db_test;
use crate::helpers::{Options, TestApp};

async fn post_json(
    app: &TestApp,
    path: &str,
    body: &str,
) -> anyhow::Result<(u16, serde_json::Value)> {
    let r = app
        .client
        .post(app.url(path))
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await?;
    let status = r.status().as_u16();
    Ok((status, serde_json::from_str(&r.text().await?)?))
}

db_test!(
    the_api_pseudonymizes_with_code_point_offsets_and_restores,
    Options::plain(),
    |app: TestApp| async move {
        let text = "Grüße von Frau Elisabeth Haas (haas@firma.at). Frau Haas zahlt auf AT61 1904 3002 3457 3201.";
        let (status, out) = post_json(
            &app,
            "/api/v1/anonymize",
            &serde_json::json!({ "text": text }).to_string(),
        )
        .await?;
        assert_eq!(status, 200);
        let entities = out["entities"].as_array().expect("entities");
        let chars: Vec<char> = text.chars().collect();
        for e in entities {
            let (s, end) = (
                e["start"].as_u64().expect("start") as usize,
                e["end"].as_u64().expect("end") as usize,
            );
            let original: String = chars[s..end].iter().collect();
            assert!(!original.is_empty());
            if e["label"] == "EMAIL" {
                assert_eq!(original, "haas@firma.at", "code-point offsets, not bytes");
            }
        }
        let anonymized = out["text"].as_str().expect("text");
        assert!(
            !anonymized.contains("Haas")
                && !anonymized.contains("haas@")
                && !anonymized.contains("AT61"),
            "{anonymized}"
        );
        let answer = anonymized.replace('[', "\n[").to_owned() + " Antwort an [Person_1].";
        let (status, back) = post_json(
            &app,
            "/api/v1/deanonymize",
            &serde_json::json!({ "text": anonymized, "mapping": out["mapping"] }).to_string(),
        )
        .await?;
        assert_eq!(status, 200);
        assert_eq!(back["text"], text);
        let (status, tolerant) = post_json(
            &app,
            "/api/v1/deanonymize",
            &serde_json::json!({ "text": answer, "mapping": out["mapping"] }).to_string(),
        )
        .await?;
        assert_eq!(status, 200);
        assert!(
            tolerant["text"]
                .as_str()
                .expect("text")
                .contains("Antwort an Elisabeth Haas")
                || tolerant["text"]
                    .as_str()
                    .expect("text")
                    .contains("Antwort an Frau"),
            "{tolerant}"
        );
        let (status, masked) = post_json(
            &app,
            "/api/v1/anonymize",
            r#"{"text": "Anruf von Max Mayr", "mode": "mask"}"#,
        )
        .await?;
        assert_eq!(status, 200);
        assert_eq!(masked["mapping"], serde_json::json!({}));
        Ok(())
    }
);

db_test!(
    the_api_rejects_bad_input_with_german_json_errors,
    Options::plain(),
    |app: TestApp| async move {
        for (body, expect) in [
            ("{", 400),
            (r#"{"text": 5}"#, 400),
            (r#"{"text": "x", "mode": "raten"}"#, 400),
            (r#"{"txt": "x"}"#, 400),
            (r#"{"text": "x", "mapping": {}}"#, 400),
        ] {
            let (status, json) = post_json(&app, "/api/v1/anonymize", body).await?;
            assert_eq!(status, expect, "{body}");
            assert!(
                json["error"]["message"]
                    .as_str()
                    .is_some_and(|m| m.contains("JSON")),
                "{json}"
            );
        }
        let r = app
            .client
            .post(app.url("/api/v1/anonymize"))
            .header("content-type", "text/plain")
            .body("Max Mayr")
            .send()
            .await?;
        assert_eq!(r.status().as_u16(), 415);
        let big = serde_json::json!({ "text": "a".repeat(1_100_000) }).to_string();
        let r = app
            .client
            .post(app.url("/api/v1/anonymize"))
            .header("content-type", "application/json")
            .body(big)
            .send()
            .await?;
        assert_eq!(r.status().as_u16(), 413);
        assert!(r.text().await?.contains("zu groß"));
        let just_under = serde_json::json!({ "text": "Wort ".repeat(150_000) }).to_string();
        let r = app
            .client
            .post(app.url("/api/v1/anonymize"))
            .header("content-type", "application/json")
            .body(just_under)
            .send()
            .await?;
        assert_eq!(r.status().as_u16(), 200, "bodies under 1 MB are fine");
        let (status, _) = post_json(
            &app,
            "/api/v1/deanonymize",
            r#"{"text": "x", "mapping": [1]}"#,
        )
        .await?;
        assert_eq!(status, 400);
        assert_eq!(app.get("/api/v1/anonymize").await?.status().as_u16(), 405);
        let (_, doc) = app.get_text("/api/v1/openapi.json").await?;
        let doc: serde_json::Value = serde_json::from_str(&doc)?;
        assert!(doc["paths"]["/api/v1/anonymize"]["post"].is_object());
        assert!(doc["paths"]["/api/v1/deanonymize"]["post"].is_object());
        Ok(())
    }
);

db_test!(
    the_web_tool_highlights_replaces_restores_and_stores_nothing,
    Options::plain(),
    |app: TestApp| async move {
        let (status, page) = app.get_text("/werkzeuge/anonymisieren").await?;
        assert_eq!(status, 200);
        assert!(page.contains("nicht und schreiben ihn in kein Protokoll"));
        let text =
            "Hallo Frau Anna Huber, Ihre IBAN AT61 1904 3002 3457 3201 ist notiert. <b>fett</b>";
        let r = app
            .post_form(
                "/werkzeuge/anonymisieren",
                &[
                    ("step", "anonymize"),
                    ("text", text),
                    ("mode", "pseudonymize"),
                ],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["cache-control"], "no-store");
        let html = r.text().await?;
        assert!(
            html.contains("<mark title=\"Person → [PERSON_1]\">Anna Huber</mark>")
                || html.contains(">Anna Huber</mark>"),
            "highlight"
        );
        assert!(html.contains("[IBAN_1]"));
        assert!(
            html.contains("&lt;b&gt;fett&lt;/b&gt;") || html.contains("&#60;b&#62;fett"),
            "escaped"
        );
        let mapping = crate::helpers::extract_attr(&html, "name=\"mapping\" value=\"")
            .expect("mapping field");
        let mapping = mapping
            .replace("&quot;", "\"")
            .replace("&#34;", "\"")
            .replace("&#x22;", "\"")
            .replace("&amp;", "&");
        let r = app
            .post_form(
                "/werkzeuge/anonymisieren",
                &[
                    ("step", "restore"),
                    ("text", text),
                    ("mode", "pseudonymize"),
                    ("mapping", &mapping),
                    ("answer", "Liebe [PERSON_1], danke für die Nachricht."),
                ],
            )
            .await?;
        let html = r.text().await?;
        assert!(html.contains("Liebe Anna Huber, danke"), "restored");
        let r = app
            .post_form(
                "/werkzeuge/anonymisieren",
                &[("step", "anonymize"), ("text", "  ")],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        let r = app
            .post_form(
                "/werkzeuge/anonymisieren",
                &[
                    ("step", "restore"),
                    ("text", text),
                    ("mapping", "kaputt"),
                    ("answer", "x"),
                ],
            )
            .await?;
        assert_eq!(r.status().as_u16(), 422);
        assert!(
            storage::leads::list(&app.db, &Default::default(), 10)
                .await?
                .is_empty()
        );
        assert!(app.outbox().await?.is_empty());
        Ok(())
    }
);

fn kipilot(args: &[&str], stdin: &[u8]) -> anyhow::Result<std::process::Output> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kipilot"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()?;
    child.stdin.take().expect("stdin").write_all(stdin)?;
    Ok(child.wait_with_output()?)
}

#[test]
fn the_cli_round_trips_text_and_writes_jsonl_with_code_point_offsets() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let map = dir.path().join("map.json");
    let map_arg = map.to_string_lossy().into_owned();
    let text = "Grüße an Jörg Müller, Tel. +43 664 1234567.\n";
    let out = kipilot(&["anonymize", "--map", &map_arg], text.as_bytes())?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let anonymized = String::from_utf8(out.stdout)?;
    assert!(
        !anonymized.contains("Müller") && !anonymized.contains("664"),
        "{anonymized}"
    );
    let back = kipilot(&["deanonymize", "--map", &map_arg], anonymized.as_bytes())?;
    assert!(back.status.success());
    assert_eq!(String::from_utf8(back.stdout)?, text);

    let jsonl = "{\"id\": 7, \"text\": \"Frau Öztürk schreibt an anna@firma.at\"}\n{\"id\": \"x\", \"text\": \"Rechnung 4711 über 120,00 EUR\"}\n";
    let out = kipilot(&["anonymize", "--jsonl"], jsonl.as_bytes())?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)?
        .lines()
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()?;
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["id"], 7);
    let email = lines[0]["entities"]
        .as_array()
        .expect("entities")
        .iter()
        .find(|e| e["label"] == "EMAIL")
        .expect("email found");
    let chars: Vec<char> = "Frau Öztürk schreibt an anna@firma.at".chars().collect();
    let (s, e) = (
        email["start"].as_u64().expect("s") as usize,
        email["end"].as_u64().expect("e") as usize,
    );
    assert_eq!(chars[s..e].iter().collect::<String>(), "anna@firma.at");
    assert_eq!(
        lines[1]["entities"],
        serde_json::json!([]),
        "invoice numbers and amounts are not personal data"
    );

    let bad = kipilot(&["anonymize", "--jsonl"], b"{\"id\": 1}\n")?;
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("Zeile 1"));
    let bad = kipilot(&["anonymize"], b"\xff\xfe")?;
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("UTF-8"));
    let bad = kipilot(&["anonymize", "--mode", "raten"], b"x")?;
    assert_eq!(bad.status.code(), Some(2));
    Ok(())
}
