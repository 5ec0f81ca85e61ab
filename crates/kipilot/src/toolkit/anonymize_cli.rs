//! `kipilot anonymize` and `kipilot deanonymize`: the anonymizer for files and pipelines.
//!
//! Plain text is processed as one document, so one person keeps one placeholder across the
//! whole file. With `--jsonl`, every line is an independent document and lines are spread
//! over all cores in order-preserving batches. Exit code 2 means unusable input, with a German
//! message on stderr.

use std::io::{IsTerminal, Read, Write};
use std::process::ExitCode;

use anonymizer::Mapping;
use serde::Serialize;

use crate::api::anonymize::{EntityOut, Mode, anonymize};

/// Lines per batch handed to one worker thread.
const BATCH_LINES: usize = 512;

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("{message}");
    ExitCode::from(2)
}

fn read_input(file: Option<&str>) -> Result<String, String> {
    let mut bytes = Vec::new();
    let result = match file {
        None | Some("-") => std::io::stdin().lock().read_to_end(&mut bytes).map(|_| ()),
        Some(path) => std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map(|_| ()),
    };
    result.map_err(|e| format!("Die Eingabe kann nicht gelesen werden: {e}"))?;
    String::from_utf8(bytes).map_err(|e| {
        format!("Die Eingabe ist nicht UTF-8-kodiert (Byte {}). Bitte speichern Sie die Datei als UTF-8.", e.utf8_error().valid_up_to())
    })
}

#[derive(Serialize)]
struct LineOut<'a> {
    id: &'a serde_json::Value,
    text: String,
    entities: Vec<EntityOut>,
}

#[derive(Serialize)]
struct MapLine<'a> {
    id: &'a serde_json::Value,
    mapping: Mapping,
}

/// `kipilot anonymize [FILE] [--mode pseudonymize|mask] [--map MAP.json] [--jsonl]`.
pub fn anonymize_command(
    file: Option<&str>,
    mode: &str,
    map: Option<&str>,
    jsonl: bool,
) -> ExitCode {
    let mode = match mode {
        "pseudonymize" => Mode::Pseudonymize,
        "mask" => Mode::Mask,
        other => {
            return fail(format!(
                "Unbekannter Modus „{other}“. Erlaubt sind: pseudonymize, mask."
            ));
        }
    };
    let input = match read_input(file) {
        Ok(text) => text,
        Err(message) => return fail(message),
    };
    let mut stdout = std::io::stdout().lock();
    if !jsonl {
        let out = anonymize(&input, mode);
        if let Some(path) = map
            && let Err(e) = write_json(path, &out.mapping)
        {
            return fail(e);
        }
        return match stdout
            .write_all(out.text.as_bytes())
            .and_then(|()| stdout.flush())
        {
            Ok(()) => ExitCode::SUCCESS,
            Err(_) => ExitCode::FAILURE,
        };
    }

    let lines: Vec<&str> = input.lines().filter(|l| !l.trim().is_empty()).collect();
    let mut docs = Vec::with_capacity(lines.len());
    for (n, line) in lines.iter().enumerate() {
        let value: serde_json::Value = match serde_json::from_str(line) {
            Ok(v) => v,
            Err(e) => {
                return fail(format!(
                    "Zeile {}: kein gültiges JSON ({e}). Erwartet wird {{\"id\": …, \"text\": \"…\"}}.",
                    n + 1
                ));
            }
        };
        let Some(text) = value
            .get("text")
            .and_then(|t| t.as_str())
            .map(str::to_owned)
        else {
            return fail(format!(
                "Zeile {}: das Feld „text“ fehlt oder ist kein Text.",
                n + 1
            ));
        };
        let id = value.get("id").cloned().unwrap_or(serde_json::Value::Null);
        docs.push((id, text));
    }
    let show_progress = std::io::stderr().is_terminal() && input.len() > 1_000_000;
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1);
    let batches: Vec<&[(serde_json::Value, String)]> = docs.chunks(BATCH_LINES).collect();
    let mut map_file = match map.map(std::fs::File::create).transpose() {
        Ok(f) => f.map(std::io::BufWriter::new),
        Err(e) => {
            return fail(format!(
                "Die Zuordnungsdatei kann nicht geschrieben werden: {e}"
            ));
        }
    };
    let mut done = 0usize;
    for group in batches.chunks(threads) {
        let results: Vec<Vec<(String, Mapping)>> = std::thread::scope(|scope| {
            let handles: Vec<_> = group
                .iter()
                .map(|batch| {
                    scope.spawn(move || {
                        batch
                            .iter()
                            .map(|(id, text)| {
                                let out = anonymize(text, mode);
                                let line = serde_json::to_string(&LineOut {
                                    id,
                                    text: out.text,
                                    entities: out.entities,
                                })
                                .unwrap_or_default();
                                (line, out.mapping)
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        for (batch, result) in group.iter().zip(results) {
            for ((id, _), (line, mapping)) in batch.iter().zip(result) {
                if writeln!(stdout, "{line}").is_err() {
                    return ExitCode::FAILURE;
                }
                if let Some(f) = map_file.as_mut()
                    && serde_json::to_string(&MapLine { id, mapping })
                        .map(|l| writeln!(f, "{l}"))
                        .is_err()
                {
                    return fail("Die Zuordnungsdatei kann nicht geschrieben werden.");
                }
            }
            done += batch.len();
        }
        if show_progress {
            eprint!(
                "\rAnonymisiert: {done} von {} Zeilen ({} %)",
                docs.len(),
                done * 100 / docs.len().max(1)
            );
        }
    }
    if show_progress {
        eprintln!();
    }
    if let Some(mut f) = map_file
        && f.flush().is_err()
    {
        return fail("Die Zuordnungsdatei kann nicht geschrieben werden.");
    }
    match stdout.flush() {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn write_json(path: &str, mapping: &Mapping) -> Result<(), String> {
    let json = serde_json::to_string_pretty(mapping).map_err(|e| e.to_string())?;
    std::fs::write(path, json)
        .map_err(|e| format!("Die Zuordnungsdatei „{path}“ kann nicht geschrieben werden: {e}"))
}

/// `kipilot deanonymize --map MAP.json [FILE]`.
pub fn deanonymize_command(map: &str, file: Option<&str>) -> ExitCode {
    let mapping: Mapping = match std::fs::read_to_string(map)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(m) => m,
        Err(e) => {
            return fail(format!(
                "Die Zuordnungsdatei „{map}“ ist nicht lesbar oder kein JSON-Objekt von Platzhaltern: {e}"
            ));
        }
    };
    let input = match read_input(file) {
        Ok(text) => text,
        Err(message) => return fail(message),
    };
    let restored = anonymizer::deanonymize(&input, &mapping);
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(restored.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}
