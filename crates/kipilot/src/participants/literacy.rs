//! The AI-literacy log (Art. 4 KI-VO): trainings and other measures with date, topic,
//! format, duration, trainer, attendees and material, exported as CSV and PDF as evidence.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{FieldErrors, UnixMs};
use storage::register::LiteracyEntry;

use super::auth::Participant;
use super::fields::{FieldDef, Kind, clean_field, views};
use super::{Flash, FormPage, ParticipantCtx, csv_download, pdf_download, slug};
use crate::error::{AppError, AppResult};
use crate::profile::CompanyProfile;
use crate::state::AppState;
use crate::web::formdata::FormFields;

/// Date of the legal explanation on the log page; bump it when the text is reviewed.
pub const ART4_STAND: &str = "27. November 2026";

const FORMATS: &[(&str, &str)] = &[
    ("schulung", "Schulung vor Ort"),
    ("workshop", "Workshop"),
    ("online", "Online-Schulung / Webinar"),
    ("unterweisung", "Unterweisung am Arbeitsplatz"),
    ("selbstlernen", "Selbstlernen (Video, Leitfaden)"),
    ("sonstiges", "Sonstiges"),
];

/// The log's fields in form, CSV and PDF order.
pub const FIELDS: &[FieldDef] = &[
    FieldDef {
        key: "held",
        label: "Datum",
        subject: "Das Datum",
        hint: "Wann fand die Maßnahme statt?",
        kind: Kind::Date,
        missing: Some("Bitte geben Sie das Datum der Maßnahme an."),
    },
    FieldDef {
        key: "topic",
        label: "Thema",
        subject: "Das Thema",
        hint: "z. B. „Was darf in ChatGPT? Kundendaten und Angebote“ (Tischlerei)",
        kind: Kind::Line(200),
        missing: Some("Bitte geben Sie das Thema an, z. B. „Was darf in ChatGPT?“."),
    },
    FieldDef {
        key: "format",
        label: "Format",
        subject: "Das Format",
        hint: "",
        kind: Kind::Select(FORMATS),
        missing: Some("Bitte wählen Sie ein Format."),
    },
    FieldDef {
        key: "duration",
        label: "Dauer in Minuten",
        subject: "Die Dauer",
        hint: "z. B. 30 für eine kurze Einweisung, 240 für einen halben Tag",
        kind: Kind::Number(10_000),
        missing: Some("Bitte geben Sie die Dauer in Minuten an, z. B. 30."),
    },
    FieldDef {
        key: "trainer",
        label: "Durchgeführt von",
        subject: "Die Angabe zur Schulungsleitung",
        hint: "Person oder Organisation, z. B. „WKO Oberösterreich“ oder „Maria Berger (intern)“",
        kind: Kind::Line(150),
        missing: Some("Bitte geben Sie an, wer die Maßnahme durchgeführt hat."),
    },
    FieldDef {
        key: "attendees",
        label: "Teilnehmende (Namen)",
        subject: "Die Liste der Teilnehmenden",
        hint: "Ein Name pro Zeile – oder leer lassen und unten nur die Anzahl angeben",
        kind: Kind::Text(3000),
        missing: None,
    },
    FieldDef {
        key: "attendee_count",
        label: "Anzahl Teilnehmende",
        subject: "Die Anzahl",
        hint: "Leer lassen, wenn Sie oben Namen eintragen: dann zählen wir mit.",
        kind: Kind::Number(10_000),
        missing: None,
    },
    FieldDef {
        key: "material",
        label: "Unterlagen",
        subject: "Die Angabe zu Unterlagen",
        hint: "z. B. „Folien im Laufwerk unter Schulungen/KI“, „Leitfaden Datenschutz und KI (PDF)“",
        kind: Kind::Text(1000),
        missing: None,
    },
];

fn value(e: &LiteracyEntry, key: &str) -> String {
    match key {
        "held" => {
            if e.held_ms == 0 {
                String::new()
            } else {
                UnixMs(e.held_ms).format_iso_date()
            }
        }
        "topic" => e.topic.clone(),
        "format" => e.format.clone(),
        "duration" => {
            if e.duration_minutes == 0 {
                String::new()
            } else {
                e.duration_minutes.to_string()
            }
        }
        "trainer" => e.trainer.clone(),
        "attendees" => e.attendees.clone(),
        "attendee_count" => {
            if e.attendee_count == 0 {
                String::new()
            } else {
                e.attendee_count.to_string()
            }
        }
        "material" => e.material.clone(),
        _ => String::new(),
    }
}

fn display(def: &FieldDef, e: &LiteracyEntry) -> String {
    match def.key {
        "held" => UnixMs(e.held_ms).format_long_date(),
        "format" => def.option_label(&e.format),
        _ => {
            let v = value(e, def.key);
            if v.is_empty() { "–".to_owned() } else { v }
        }
    }
}

/// Names listed one per line (or separated by commas or semicolons).
fn count_names(names: &str) -> i64 {
    let n = names
        .split(['\n', ',', ';'])
        .filter(|n| !n.trim().is_empty())
        .count();
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn number(def: &FieldDef, raw: &str, errors: &mut FieldErrors) -> i64 {
    let Kind::Number(max) = def.kind else {
        return 0;
    };
    if raw.is_empty() {
        if let Some(m) = def.missing {
            errors.add(def.key, m);
        }
        return 0;
    }
    match raw.parse::<i64>() {
        Ok(n) if (1..=max).contains(&n) => n,
        _ => {
            errors.add(
                def.key,
                format!(
                    "{} muss eine ganze Zahl zwischen 1 und {max} sein, z. B. 30.",
                    def.subject
                ),
            );
            0
        }
    }
}

fn parse(form: &FormFields) -> (LiteracyEntry, FieldErrors) {
    let mut errors = FieldErrors::default();
    let mut e = LiteracyEntry::default();
    for def in FIELDS {
        let v = clean_field(def, form.get(def.key), &mut errors);
        match def.key {
            "held" => {
                if v.is_empty() {
                    if let Some(m) = def.missing {
                        errors.add(def.key, m);
                    }
                } else if let Some(day) = UnixMs::from_vienna_date(&v) {
                    e.held_ms = day.0;
                } else {
                    errors.add(
                        def.key,
                        "Das Datum ist ungültig. Bitte wählen Sie es im Kalender aus.",
                    );
                }
            }
            "topic" => e.topic = v,
            "format" => e.format = v,
            "duration" => e.duration_minutes = number(def, &v, &mut errors),
            "trainer" => e.trainer = v,
            "attendees" => e.attendees = v,
            "attendee_count" => e.attendee_count = number(def, &v, &mut errors),
            "material" => e.material = v,
            _ => {}
        }
    }
    if e.attendee_count == 0 && errors.get("attendee_count").is_none() {
        e.attendee_count = count_names(&e.attendees);
        if e.attendee_count == 0 && errors.get("attendees").is_none() {
            errors.add(
                "attendees",
                "Bitte tragen Sie die Namen der Teilnehmenden ein oder geben Sie unten ihre Anzahl an.",
            );
        }
    }
    (e, errors)
}

struct Row {
    id: i64,
    date: String,
    topic: String,
    format: String,
    duration: i64,
    trainer: String,
    attendees: i64,
}

#[derive(Template, WebTemplate)]
#[template(path = "participants/literacy.html")]
pub(super) struct ListPage {
    nav: &'static str,
    ctx: ParticipantCtx,
    rows: Vec<Row>,
    total_minutes: i64,
    stand: &'static str,
}

/// `GET /teilnehmer/kompetenz`: the log and what Art. 4 asks.
pub(super) async fn list(
    State(state): State<AppState>,
    p: Participant,
    flash: Flash,
) -> AppResult<ListPage> {
    let entries = storage::register::literacy_list(&state.db, p.lead_id).await?;
    let format = &FIELDS[2];
    Ok(ListPage {
        nav: "kompetenz",
        ctx: ParticipantCtx::load(&state, &p, flash.0).await?,
        total_minutes: entries.iter().map(|e| e.duration_minutes).sum(),
        rows: entries
            .into_iter()
            .map(|e| Row {
                id: e.id,
                date: UnixMs(e.held_ms).format_long_date(),
                format: format.option_label(&e.format),
                duration: e.duration_minutes,
                attendees: e.attendee_count,
                topic: e.topic,
                trainer: e.trainer,
            })
            .collect(),
        stand: ART4_STAND,
    })
}

async fn form_page(
    state: &AppState,
    p: &Participant,
    id: Option<i64>,
    value: impl Fn(&str) -> String,
    errors: FieldErrors,
) -> AppResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        nav: "kompetenz",
        ctx: ParticipantCtx::load(state, p, None).await?,
        title: if id.is_some() {
            "Maßnahme bearbeiten".to_owned()
        } else {
            "Schulung oder Maßnahme eintragen".to_owned()
        },
        intro: "Eine Zeile pro Maßnahme genügt: Datum, Thema, wer dabei war. Auch eine kurze Einweisung zählt.",
        action: id.map_or_else(
            || "/teilnehmer/kompetenz/neu".to_owned(),
            |id| format!("/teilnehmer/kompetenz/{id}"),
        ),
        submit: "Speichern",
        back: "/teilnehmer/kompetenz",
        fields: views(FIELDS, value, &errors),
        errors,
        delete_action: id.map(|id| format!("/teilnehmer/kompetenz/{id}/loeschen")),
        show_check_link: false,
    };
    Ok((status, page).into_response())
}

/// `GET /teilnehmer/kompetenz/neu`.
pub(super) async fn new_form(State(state): State<AppState>, p: Participant) -> AppResult<Response> {
    let blank = LiteracyEntry {
        held_ms: UnixMs::from_vienna_date(&UnixMs::now().format_iso_date()).map_or(0, |t| t.0),
        format: "schulung".to_owned(),
        ..LiteracyEntry::default()
    };
    form_page(
        &state,
        &p,
        None,
        |k| value(&blank, k),
        FieldErrors::default(),
    )
    .await
}

/// `POST /teilnehmer/kompetenz/neu`.
pub(super) async fn create(
    State(state): State<AppState>,
    p: Participant,
    form: FormFields,
) -> AppResult<Response> {
    p.check_csrf(&form)?;
    let (mut entry, errors) = parse(&form);
    if !errors.is_empty() {
        return form_page(&state, &p, None, |k| form.get(k).to_owned(), errors).await;
    }
    entry.created_by = p.audit_actor();
    storage::register::literacy_create(&state.db, p.lead_id, &entry, UnixMs::now()).await?;
    Ok(Redirect::to("/teilnehmer/kompetenz?ok=angelegt").into_response())
}

/// `GET /teilnehmer/kompetenz/{id}`.
pub(super) async fn edit_form(
    State(state): State<AppState>,
    p: Participant,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let entry = storage::register::literacy_get(&state.db, p.lead_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    form_page(
        &state,
        &p,
        Some(id),
        |k| value(&entry, k),
        FieldErrors::default(),
    )
    .await
}

/// `POST /teilnehmer/kompetenz/{id}`.
pub(super) async fn save(
    State(state): State<AppState>,
    p: Participant,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    p.check_csrf(&form)?;
    if storage::register::literacy_get(&state.db, p.lead_id, id)
        .await?
        .is_none()
    {
        return Err(AppError::NotFound);
    }
    let (entry, errors) = parse(&form);
    if !errors.is_empty() {
        return form_page(&state, &p, Some(id), |k| form.get(k).to_owned(), errors).await;
    }
    if !storage::register::literacy_update(&state.db, p.lead_id, id, &entry, UnixMs::now()).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/teilnehmer/kompetenz?ok=gespeichert").into_response())
}

/// `POST /teilnehmer/kompetenz/{id}/loeschen`.
pub(super) async fn delete(
    State(state): State<AppState>,
    p: Participant,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    p.check_csrf(&form)?;
    if form.get("confirm") != "on" {
        return Err(AppError::BadRequest(
            "Bitte setzen Sie das Häkchen „Ja, diesen Eintrag löschen“, damit wir wissen, dass Sie das wirklich möchten.".to_owned(),
        ));
    }
    if !storage::register::literacy_delete(&state.db, p.lead_id, id).await? {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/teilnehmer/kompetenz?ok=geloescht").into_response())
}

/// `GET /teilnehmer/kompetenz.csv`.
pub(super) async fn csv(State(state): State<AppState>, p: Participant) -> AppResult<Response> {
    let entries = storage::register::literacy_list(&state.db, p.lead_id).await?;
    let head: Vec<&str> = FIELDS.iter().map(|d| d.label).collect();
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            FIELDS
                .iter()
                .map(|d| match d.key {
                    "format" => d.option_label(&e.format),
                    _ => value(e, d.key),
                })
                .collect()
        })
        .collect();
    let lead = storage::leads::get(&state.db, p.lead_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let filename = format!(
        "ki-kompetenz-{}-{}.csv",
        slug(&lead.company),
        UnixMs::now().format_iso_date()
    );
    Ok(csv_download(&filename, &head, &rows))
}

/// `GET /teilnehmer/kompetenz.pdf`: the log as evidence, one section per measure.
pub(super) async fn pdf(State(state): State<AppState>, p: Participant) -> AppResult<Response> {
    let lead = storage::leads::get(&state.db, p.lead_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let entries = storage::register::literacy_list(&state.db, p.lead_id).await?;
    let profile = CompanyProfile::load(&state.db).await?;
    let now = UnixMs::now();
    let sections: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| {
            let rows: Vec<[String; 2]> = FIELDS
                .iter()
                .filter(|d| d.key != "topic")
                .map(|d| [d.label.to_owned(), display(d, e)])
                .collect();
            serde_json::json!({ "heading": e.topic, "rows": rows })
        })
        .collect();
    let minutes: i64 = entries.iter().map(|e| e.duration_minutes).sum();
    let data = serde_json::json!({
        "title": "Nachweis KI-Kompetenz",
        "subtitle": "Maßnahmen nach Art. 4 KI-Verordnung (EU) 2024/1689",
        "company": lead.company,
        "created": now.format_long_date(),
        "created_iso": now.format_iso_date(),
        "version": format!("{} Maßnahme(n), zusammen {} Minuten", entries.len(), minutes),
        "intro": "Art. 4 der KI-Verordnung verlangt von Unternehmen, die KI-Systeme einsetzen, Maßnahmen zur Förderung der KI-Kompetenz ihres Personals und anderer Personen, die in ihrem Auftrag mit KI-Systemen arbeiten (gilt seit 2. Februar 2025, geänderte Fassung seit 27. Juli 2026). Dieses Protokoll listet die dokumentierten Maßnahmen.",
        "sections": sections,
        "empty": "Noch keine Maßnahmen eingetragen.",
        "imprint": profile.imprint_line(),
        "disclaimer": super::register::DISCLAIMER,
    });
    let filename = format!(
        "ki-kompetenz-{}-{}.pdf",
        slug(&lead.company),
        now.format_iso_date()
    );
    Ok(pdf_download(data, filename).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attendees_by_name_are_counted_and_one_of_both_is_required() {
        let (e, errors) = parse(&FormFields::parse(
            b"held=2026-11-20&topic=T&format=workshop&duration=30&trainer=X&attendees=Anna%0ABernd%0A",
        ));
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(e.attendee_count, 2);
        let (_, errors) = parse(&FormFields::parse(
            b"held=2026-11-20&topic=T&format=workshop&duration=30&trainer=X",
        ));
        assert!(errors.get("attendees").is_some());
        let (_, errors) = parse(&FormFields::parse(
            b"held=2026-11-20&topic=T&format=workshop&duration=abc&trainer=X&attendee_count=3",
        ));
        assert!(errors.get("duration").is_some());
    }
}
