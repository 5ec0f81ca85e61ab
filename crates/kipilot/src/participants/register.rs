//! The AI register (KI-Verzeichnis): one entry per AI system in use, with its change
//! history, CSV and PDF exports for auditors, and review reminders by mail.
//!
//! Risk class and obligations come from the KI-Risiko-Check: its result page links to a new
//! entry prefilled with both ("Ins KI-Verzeichnis übernehmen"); they can also be typed.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use domain::{FieldErrors, UnixMs};
use storage::register::RegisterEntry;

use super::auth::{Participant, Role};
use super::fields::{FieldDef, Kind, clean_field, views};
use super::{Flash, FormPage, ParticipantCtx, csv_download, pdf_download, slug};
use crate::error::{AppError, AppResult};
use crate::profile::CompanyProfile;
use crate::state::AppState;
use crate::web::formdata::FormFields;

const YES_NO: &[(&str, &str)] = &[("ja", "Ja"), ("nein", "Nein"), ("unklar", "Noch unklar")];
const LOCATIONS: &[(&str, &str)] = &[
    ("eu", "In der EU / im EWR"),
    ("drittland", "In einem Drittland (z. B. USA)"),
    ("unklar", "Noch unklar"),
];
const AVV: &[(&str, &str)] = &[
    ("ja", "Ja, abgeschlossen"),
    ("nein", "Nein, fehlt noch"),
    (
        "nicht_noetig",
        "Nicht nötig (keine personenbezogenen Daten)",
    ),
    ("unklar", "Noch unklar"),
];
/// Risk classes of the AI Act as entered by hand (codes match the risk-check badges).
pub const RISK_CLASSES: &[(&str, &str)] = &[
    ("offen", "Noch nicht eingestuft"),
    ("minimal", "Minimales Risiko"),
    (
        "begrenzt",
        "Begrenztes Risiko (Transparenzpflichten, Art. 50)",
    ),
    ("hoch", "Hohes Risiko (Hochrisiko-KI-System)"),
    ("verboten", "Verbotene Praxis (Art. 5)"),
];

/// The register's fields in form, CSV and PDF order.
pub const FIELDS: &[FieldDef] = &[
    FieldDef {
        key: "name",
        label: "Name des KI-Systems",
        subject: "Der Name",
        hint: "z. B. „ChatGPT Team“, „DeepL Pro“ oder „Angebotsassistent in der Branchensoftware“",
        kind: Kind::Line(150),
        missing: Some("Bitte geben Sie den Namen des KI-Systems an, z. B. „ChatGPT Team“."),
    },
    FieldDef {
        key: "provider",
        label: "Anbieter",
        subject: "Der Anbieter",
        hint: "z. B. „OpenAI“, „DeepL SE“",
        kind: Kind::Line(150),
        missing: Some("Bitte geben Sie den Anbieter an, z. B. „OpenAI“."),
    },
    FieldDef {
        key: "purpose",
        label: "Zweck",
        subject: "Der Zweck",
        hint: "Wofür setzen Sie es ein? z. B. „Angebotstexte für Küchen formulieren“ (Tischlerei)",
        kind: Kind::Text(2000),
        missing: Some("Bitte beschreiben Sie kurz, wofür Sie das System einsetzen."),
    },
    FieldDef {
        key: "users",
        label: "Wer nutzt es?",
        subject: "Die Angabe zu den Nutzenden",
        hint: "z. B. „Büro, 2 Personen“ oder „alle Bauleiter“",
        kind: Kind::Line(300),
        missing: Some("Bitte geben Sie an, wer das System nutzt, z. B. „Büro, 2 Personen“."),
    },
    FieldDef {
        key: "affected",
        label: "Betroffene Personen",
        subject: "Die Angabe zu betroffenen Personen",
        hint: "Wen betrifft das Ergebnis? z. B. „Kundinnen und Kunden“, „Bewerber“",
        kind: Kind::Line(300),
        missing: None,
    },
    FieldDef {
        key: "personal_data",
        label: "Gehen personenbezogene Daten hinein?",
        subject: "Die Angabe zu personenbezogenen Daten",
        hint: "Namen, Adressen, Gesundheitsdaten, Lohndaten …",
        kind: Kind::Select(YES_NO),
        missing: Some("Bitte wählen Sie, ob personenbezogene Daten hineingehen."),
    },
    FieldDef {
        key: "data_categories",
        label: "Welche Kategorien personenbezogener Daten?",
        subject: "Die Angabe zu Datenkategorien",
        hint: "z. B. „Name und Adresse von Mandanten“ (Steuerberatung); leer lassen, wenn keine",
        kind: Kind::Text(1000),
        missing: None,
    },
    FieldDef {
        key: "location",
        label: "Wo verarbeitet der Anbieter die Daten?",
        subject: "Der Verarbeitungsort",
        hint: "Steht meist im Auftragsverarbeitungsvertrag oder in der Datenschutzerklärung des Anbieters.",
        kind: Kind::Select(LOCATIONS),
        missing: Some("Bitte wählen Sie, wo der Anbieter die Daten verarbeitet."),
    },
    FieldDef {
        key: "avv",
        label: "Auftragsverarbeitungsvertrag (AVV) abgeschlossen?",
        subject: "Die Angabe zum AVV",
        hint: "Art. 28 DSGVO, nötig, sobald personenbezogene Daten hineingehen",
        kind: Kind::Select(AVV),
        missing: Some("Bitte wählen Sie, ob ein AVV abgeschlossen ist."),
    },
    FieldDef {
        key: "transparency",
        label: "Transparenzmaßnahmen",
        subject: "Die Angabe zu Transparenzmaßnahmen",
        hint: "z. B. „Hinweis im Chatfenster: Sie schreiben mit einer KI“, „KI-Bilder gekennzeichnet“",
        kind: Kind::Text(1000),
        missing: None,
    },
    FieldDef {
        key: "human_review",
        label: "Menschliche Prüfung",
        subject: "Die Angabe zur menschlichen Prüfung",
        hint: "z. B. „Jedes Angebot liest der Meister vor dem Versand“",
        kind: Kind::Text(1000),
        missing: None,
    },
    FieldDef {
        key: "responsible",
        label: "Verantwortliche Person",
        subject: "Die verantwortliche Person",
        hint: "Wer kümmert sich um dieses System? z. B. „Maria Berger, Büroleitung“",
        kind: Kind::Line(150),
        missing: Some("Bitte nennen Sie eine verantwortliche Person."),
    },
    FieldDef {
        key: "risk_class",
        label: "Risikoklasse nach KI-Verordnung",
        subject: "Die Risikoklasse",
        hint: "Ermitteln Sie sie mit dem KI-Risiko-Check: „Ins KI-Verzeichnis übernehmen“ auf der Ergebnisseite füllt Risikoklasse und Pflichten hier aus.",
        kind: Kind::Select(RISK_CLASSES),
        missing: Some("Bitte wählen Sie eine Risikoklasse oder „Noch nicht eingestuft“."),
    },
    FieldDef {
        key: "obligations",
        label: "Pflichten",
        subject: "Die Angabe zu Pflichten",
        hint: "z. B. „KI-Kompetenz (Art. 4), Kennzeichnung von KI-Texten (Art. 50)“, aus dem Bericht des KI-Risiko-Checks",
        kind: Kind::Text(2000),
        missing: None,
    },
    FieldDef {
        key: "review",
        label: "Nächste Prüfung",
        subject: "Der Prüftermin",
        hint: "Wann sehen Sie die Angaben wieder durch? z. B. in einem Jahr. Wir erinnern Sie per E-Mail.",
        kind: Kind::Date,
        missing: None,
    },
];

/// The label of `code` among `options`.
fn choice(options: &[(&str, &str)], code: &str) -> String {
    options
        .iter()
        .find(|(c, _)| *c == code)
        .map_or_else(|| code.to_owned(), |(_, l)| (*l).to_owned())
}

/// The form value of `key` in a stored entry.
fn value(e: &RegisterEntry, key: &str) -> String {
    match key {
        "name" => e.name.clone(),
        "provider" => e.provider.clone(),
        "purpose" => e.purpose.clone(),
        "users" => e.users.clone(),
        "affected" => e.affected.clone(),
        "personal_data" => e.personal_data.clone(),
        "data_categories" => e.data_categories.clone(),
        "location" => e.location.clone(),
        "avv" => e.avv.clone(),
        "transparency" => e.transparency.clone(),
        "human_review" => e.human_review.clone(),
        "responsible" => e.responsible.clone(),
        "risk_class" => e.risk_class.clone(),
        "obligations" => e.obligations.clone(),
        "review" => e
            .review_ms
            .map(|t| UnixMs(t).format_iso_date())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

fn set(e: &mut RegisterEntry, key: &str, v: String) {
    match key {
        "name" => e.name = v,
        "provider" => e.provider = v,
        "purpose" => e.purpose = v,
        "users" => e.users = v,
        "affected" => e.affected = v,
        "personal_data" => e.personal_data = v,
        "data_categories" => e.data_categories = v,
        "location" => e.location = v,
        "avv" => e.avv = v,
        "transparency" => e.transparency = v,
        "human_review" => e.human_review = v,
        "responsible" => e.responsible = v,
        "risk_class" => e.risk_class = v,
        "obligations" => e.obligations = v,
        _ => {}
    }
}

/// A value as people read it (labels for choices, German dates).
fn display(def: &FieldDef, e: &RegisterEntry) -> String {
    match def.kind {
        Kind::Select(_) => def.option_label(&value(e, def.key)),
        Kind::Date => e
            .review_ms
            .map(|t| UnixMs(t).format_long_date())
            .unwrap_or_else(|| "nicht festgelegt".to_owned()),
        _ => {
            let v = value(e, def.key);
            if v.is_empty() { "–".to_owned() } else { v }
        }
    }
}

/// Reads and checks a submitted form. `old_review` is the stored date: an unchanged date may
/// lie in the past (the entry is simply due), a newly entered one may not.
fn parse(
    form: &FormFields,
    old_review: Option<i64>,
    now: UnixMs,
) -> (RegisterEntry, String, FieldErrors) {
    let mut errors = FieldErrors::default();
    let mut e = RegisterEntry::default();
    let mut review_raw = String::new();
    for def in FIELDS {
        let v = clean_field(def, form.get(def.key), &mut errors);
        if def.key == "review" {
            review_raw = v;
        } else {
            set(&mut e, def.key, v);
        }
    }
    if e.personal_data == "ja"
        && e.data_categories.is_empty()
        && errors.get("data_categories").is_none()
    {
        errors.add(
            "data_categories",
            "Sie haben angegeben, dass personenbezogene Daten hineingehen. Bitte nennen Sie, welche, z. B. „Name und Adresse von Kunden“.",
        );
    }
    if !review_raw.is_empty() {
        match UnixMs::from_vienna_date(&review_raw) {
            None => errors.add(
                "review",
                "Der Prüftermin ist kein gültiges Datum. Bitte wählen Sie ein Datum im Kalender, z. B. in einem Jahr.",
            ),
            Some(day) => {
                let today = UnixMs::from_vienna_date(&now.format_iso_date()).unwrap_or(now);
                if day < today && Some(day.0) != old_review {
                    errors.add(
                        "review",
                        format!(
                            "Der Prüftermin {} liegt in der Vergangenheit. Bitte wählen Sie ein Datum ab heute, z. B. den {} (in einem Jahr).",
                            day.format_long_date(),
                            now.plus_ms(365 * 86_400_000).format_long_date()
                        ),
                    );
                } else {
                    e.review_ms = Some(day.0);
                }
            }
        }
    }
    (e, review_raw, errors)
}

/// The fields that differ, for the history ("Zweck; Risikoklasse: offen → Minimales Risiko").
fn changes(old: &RegisterEntry, new: &RegisterEntry) -> String {
    FIELDS
        .iter()
        .filter(|d| value(old, d.key) != value(new, d.key))
        .map(|d| match d.kind {
            Kind::Select(_) | Kind::Date => {
                format!("{}: {} → {}", d.label, display(d, old), display(d, new))
            }
            _ => d.label.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

struct Row {
    id: i64,
    name: String,
    provider: String,
    risk_code: String,
    risk: String,
    personal_data: String,
    review: String,
    due: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "participants/register.html")]
pub(super) struct ListPage {
    nav: &'static str,
    ctx: ParticipantCtx,
    rows: Vec<Row>,
    version: i64,
}

/// `GET /teilnehmer/verzeichnis`.
pub(super) async fn list(
    State(state): State<AppState>,
    p: Participant,
    flash: Flash,
) -> AppResult<ListPage> {
    let now = UnixMs::now();
    let rows = storage::register::list(&state.db, p.lead_id)
        .await?
        .into_iter()
        .map(|e| Row {
            id: e.id,
            risk: choice(RISK_CLASSES, &e.risk_class),
            personal_data: choice(YES_NO, &e.personal_data),
            review: e
                .review_ms
                .map_or_else(|| "–".to_owned(), |t| UnixMs(t).format_long_date()),
            due: e.review_ms.is_some_and(|t| t <= now.0),
            risk_code: e.risk_class,
            name: e.name,
            provider: e.provider,
        })
        .collect();
    Ok(ListPage {
        nav: "verzeichnis",
        ctx: ParticipantCtx::load(&state, &p, flash.0).await?,
        rows,
        version: storage::register::version(&state.db, p.lead_id).await?,
    })
}

async fn form_page(
    state: &AppState,
    p: &Participant,
    flash: Option<&'static str>,
    id: Option<i64>,
    title: String,
    value: impl Fn(&str) -> String,
    errors: FieldErrors,
) -> AppResult<Response> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = FormPage {
        nav: "verzeichnis",
        ctx: ParticipantCtx::load(state, p, flash).await?,
        title,
        intro: "Tragen Sie ein, was Sie heute wissen – Felder ohne „Pflichtfeld“ können Sie später ergänzen.",
        action: id.map_or_else(
            || "/teilnehmer/verzeichnis/neu".to_owned(),
            |id| format!("/teilnehmer/verzeichnis/{id}"),
        ),
        submit: "Speichern",
        back: "/teilnehmer/verzeichnis",
        fields: views(FIELDS, value, &errors),
        errors,
        delete_action: id.map(|id| format!("/teilnehmer/verzeichnis/{id}/loeschen")),
        show_check_link: true,
    };
    Ok((status, page).into_response())
}

/// What the KI-Risiko-Check's result page hands over: its risk class and duties.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct Prefill {
    #[serde(default)]
    risiko: String,
    #[serde(default)]
    pflichten: String,
}

/// Longest duties text taken over from a link (the field allows 2,000 characters).
const MAX_PREFILLED_OBLIGATIONS: usize = 2000;

/// `GET /teilnehmer/verzeichnis/neu[?risiko=hoch&pflichten=…]`: an empty entry, or one
/// prefilled with the result of the KI-Risiko-Check ("Ins KI-Verzeichnis übernehmen"). Only
/// known risk classes are taken over; nothing is saved until the participant saves.
pub(super) async fn new_form(
    State(state): State<AppState>,
    p: Participant,
    Query(prefill): Query<Prefill>,
) -> AppResult<Response> {
    let risk_class = RISK_CLASSES
        .iter()
        .find(|(code, _)| *code == prefill.risiko)
        .map_or("offen", |(code, _)| *code);
    let blank = RegisterEntry {
        personal_data: "unklar".to_owned(),
        location: "unklar".to_owned(),
        avv: "unklar".to_owned(),
        risk_class: risk_class.to_owned(),
        obligations: prefill
            .pflichten
            .chars()
            .filter(|c| !c.is_control() || *c == '\n')
            .take(MAX_PREFILLED_OBLIGATIONS)
            .collect::<String>()
            .trim()
            .to_owned(),
        ..RegisterEntry::default()
    };
    form_page(
        &state,
        &p,
        None,
        None,
        "KI-System eintragen".to_owned(),
        |k| value(&blank, k),
        FieldErrors::default(),
    )
    .await
}

/// `POST /teilnehmer/verzeichnis/neu`.
pub(super) async fn create(
    State(state): State<AppState>,
    p: Participant,
    form: FormFields,
) -> AppResult<Response> {
    p.check_csrf(&form)?;
    let now = UnixMs::now();
    let (entry, _, errors) = parse(&form, None, now);
    if !errors.is_empty() {
        let typed = |k: &str| form.get(k).to_owned();
        return form_page(
            &state,
            &p,
            None,
            None,
            "KI-System eintragen".to_owned(),
            typed,
            errors,
        )
        .await;
    }
    storage::register::create(&state.db, p.lead_id, &entry, &p.history_actor(), now).await?;
    Ok(Redirect::to("/teilnehmer/verzeichnis?ok=angelegt").into_response())
}

/// `GET /teilnehmer/verzeichnis/{id}`: the entry as an editable form.
pub(super) async fn edit_form(
    State(state): State<AppState>,
    p: Participant,
    flash: Flash,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let entry = storage::register::get(&state.db, p.lead_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    if entry.review_ms.is_some_and(|t| t <= UnixMs::now().0) {
        errors.add(
            "review",
            "Dieser Prüftermin ist erreicht. Bitte sehen Sie die Angaben durch und tragen Sie danach den nächsten Termin ein.",
        );
    }
    let title = format!("KI-System: {}", entry.name);
    // A due review is a reminder, not a failed submission: show it with status 200.
    let mut response = form_page(
        &state,
        &p,
        flash.0,
        Some(id),
        title,
        |k| value(&entry, k),
        errors,
    )
    .await?;
    *response.status_mut() = StatusCode::OK;
    Ok(response)
}

/// `POST /teilnehmer/verzeichnis/{id}`.
pub(super) async fn save(
    State(state): State<AppState>,
    p: Participant,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    p.check_csrf(&form)?;
    let old = storage::register::get(&state.db, p.lead_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let now = UnixMs::now();
    let (entry, _, errors) = parse(&form, old.review_ms, now);
    if !errors.is_empty() {
        let typed = |k: &str| form.get(k).to_owned();
        let title = format!("KI-System: {}", old.name);
        return form_page(&state, &p, None, Some(id), title, typed, errors).await;
    }
    let diff = changes(&old, &entry);
    if !storage::register::update(
        &state.db,
        p.lead_id,
        id,
        &entry,
        &diff,
        &p.history_actor(),
        now,
    )
    .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/teilnehmer/verzeichnis?ok=gespeichert").into_response())
}

/// `POST /teilnehmer/verzeichnis/{id}/loeschen`.
pub(super) async fn delete(
    State(state): State<AppState>,
    p: Participant,
    Path(id): Path<i64>,
    form: FormFields,
) -> AppResult<Response> {
    p.check_csrf(&form)?;
    if form.get("confirm") != "on" {
        return Err(AppError::BadRequest(
            "Bitte setzen Sie das Häkchen „Ja, dieses KI-System aus dem Verzeichnis löschen“, damit wir wissen, dass Sie das wirklich möchten. Der Änderungsverlauf bleibt erhalten.".to_owned(),
        ));
    }
    if !storage::register::delete(&state.db, p.lead_id, id, &p.history_actor(), UnixMs::now())
        .await?
    {
        return Err(AppError::NotFound);
    }
    Ok(Redirect::to("/teilnehmer/verzeichnis?ok=geloescht").into_response())
}

struct HistoryLine {
    time: String,
    actor: String,
    action: &'static str,
    entry: String,
    changes: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "participants/history.html")]
pub(super) struct HistoryPage {
    nav: &'static str,
    ctx: ParticipantCtx,
    lines: Vec<HistoryLine>,
}

fn action_label(code: &str) -> &'static str {
    match code {
        "angelegt" => "angelegt",
        "geaendert" => "geändert",
        "geloescht" => "gelöscht",
        _ => "?",
    }
}

/// `GET /teilnehmer/verzeichnis/verlauf`: who changed what, when.
pub(super) async fn history(
    State(state): State<AppState>,
    p: Participant,
) -> AppResult<HistoryPage> {
    let lines = storage::register::history(&state.db, p.lead_id, 1000)
        .await?
        .into_iter()
        .map(|h| HistoryLine {
            time: UnixMs(h.created_ms).format_short(),
            action: action_label(&h.action),
            actor: h.actor,
            entry: h.entry_name,
            changes: h.changes,
        })
        .collect();
    Ok(HistoryPage {
        nav: "verzeichnis",
        ctx: ParticipantCtx::load(&state, &p, None).await?,
        lines,
    })
}

/// `GET /teilnehmer/verzeichnis.csv`.
pub(super) async fn csv(State(state): State<AppState>, p: Participant) -> AppResult<Response> {
    let entries = storage::register::list(&state.db, p.lead_id).await?;
    let mut head: Vec<&str> = FIELDS.iter().map(|d| d.label).collect();
    head.push("Zuletzt geändert");
    let rows: Vec<Vec<String>> = entries
        .iter()
        .map(|e| {
            let mut row: Vec<String> = FIELDS
                .iter()
                .map(|d| match d.kind {
                    Kind::Date => value(e, d.key),
                    Kind::Select(_) => d.option_label(&value(e, d.key)),
                    _ => value(e, d.key),
                })
                .collect();
            row.push(UnixMs(e.updated_ms).format_short());
            row
        })
        .collect();
    let lead = storage::leads::get(&state.db, p.lead_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let filename = format!(
        "ki-verzeichnis-{}-{}.csv",
        slug(&lead.company),
        UnixMs::now().format_iso_date()
    );
    Ok(csv_download(&filename, &head, &rows))
}

/// The sentence every export ends with.
pub const DISCLAIMER: &str = "Diese Unterlage dokumentiert die Angaben des Unternehmens. Sie ist keine Rechtsberatung; für Grenzfälle empfehlen wir rechtliche oder datenschutzrechtliche Beratung.";

/// `GET /teilnehmer/verzeichnis.pdf`: the register for an auditor (company, date, version,
/// one section per system).
pub(super) async fn pdf(State(state): State<AppState>, p: Participant) -> AppResult<Response> {
    let lead = storage::leads::get(&state.db, p.lead_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let entries = storage::register::list(&state.db, p.lead_id).await?;
    let version = storage::register::version(&state.db, p.lead_id).await?;
    let history: Vec<[String; 5]> = storage::register::history(&state.db, p.lead_id, 50)
        .await?
        .into_iter()
        .map(|h| {
            [
                UnixMs(h.created_ms).format_short(),
                h.actor,
                h.entry_name,
                action_label(&h.action).to_owned(),
                h.changes,
            ]
        })
        .collect();
    let profile = CompanyProfile::load(&state.db).await?;
    let now = UnixMs::now();
    let sections: Vec<serde_json::Value> = entries
        .iter()
        .map(|e| {
            let rows: Vec<[String; 2]> = FIELDS
                .iter()
                .skip(1)
                .map(|d| [d.label.to_owned(), display(d, e)])
                .chain(std::iter::once([
                    "Zuletzt geändert".to_owned(),
                    UnixMs(e.updated_ms).format_short(),
                ]))
                .collect();
            serde_json::json!({ "heading": e.name, "rows": rows })
        })
        .collect();
    let data = serde_json::json!({
        "title": "KI-Verzeichnis",
        "subtitle": "Übersicht der eingesetzten KI-Systeme",
        "company": lead.company,
        "created": now.format_long_date(),
        "created_iso": now.format_iso_date(),
        "version": format!("Version {version}"),
        "intro": format!(
            "Dieses Verzeichnis listet {} KI-System(e), die {} einsetzt, mit Zweck, Datenverarbeitung, Risikoklasse nach der KI-Verordnung (EU) 2024/1689 und den nächsten Prüfterminen. Die Versionsnummer zählt die dokumentierten Änderungen; der Änderungsverlauf ist im Teilnehmerbereich einsehbar.",
            entries.len(),
            lead.company
        ),
        "sections": sections,
        "empty": "Noch keine KI-Systeme eingetragen.",
        "appendix": {
            "heading": "Änderungsverlauf",
            "note": format!("Die letzten {} von {version} dokumentierten Änderungen, neueste zuerst.", history.len()),
            "columns": ["Zeit", "Person", "KI-System", "Aktion", "Geänderte Angaben"],
            "rows": history,
        },
        "imprint": profile.imprint_line(),
        "disclaimer": DISCLAIMER,
    });
    let filename = format!(
        "ki-verzeichnis-{}-{}.pdf",
        slug(&lead.company),
        now.format_iso_date()
    );
    Ok(pdf_download(data, filename).await)
}

/// Queues a reminder mail for every register entry whose review date has come, addressed
/// to the company's contact persons (or everyone, if it has none). Idempotent: each entry
/// and date is reminded once, however often this runs. Returns the number of entries.
pub async fn send_review_reminders(state: &AppState, now: UnixMs) -> AppResult<usize> {
    let due = storage::register::due_reviews(&state.db, now).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let profile = CompanyProfile::load(&state.db).await?;
    for d in &due {
        let people = storage::participants::of_company(&state.db, d.lead_id).await?;
        let contacts: Vec<_> = people
            .iter()
            .filter(|a| a.role == Role::Ansprechperson.code())
            .collect();
        let recipients = if contacts.is_empty() {
            people.iter().collect()
        } else {
            contacts
        };
        let date = UnixMs(d.review_ms).format_long_date();
        let mails: Vec<_> = recipients
            .into_iter()
            .map(|a| {
                super::mails::review_reminder(
                    &state.config.base_url,
                    &profile,
                    a,
                    d.id,
                    &d.name,
                    &date,
                    d.review_ms,
                )
            })
            .collect();
        storage::register::queue_review_reminder(&state.db, d, &mails, now).await?;
    }
    state.mail_wakeup.notify_one();
    Ok(due.len())
}

/// Checks for due reviews a few minutes after start and then every hour.
pub async fn reminder_loop(state: AppState) {
    let first = tokio::time::Instant::now() + std::time::Duration::from_secs(120);
    let mut interval = tokio::time::interval_at(first, std::time::Duration::from_secs(3600));
    loop {
        interval.tick().await;
        if let Err(e) = send_review_reminders(&state, UnixMs::now()).await {
            tracing::error!(error = %e, "review reminders failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_review_dates_are_refused_unless_unchanged() {
        let now = UnixMs::from_vienna_date("2026-11-27").expect("date");
        let form = FormFields::parse(
            b"name=X&provider=Y&purpose=Z&users=U&personal_data=nein&location=eu&avv=nicht_noetig&responsible=R&risk_class=minimal&review=2025-01-01",
        );
        let (_, _, errors) = parse(&form, None, now);
        let message = errors.get("review").expect("message");
        assert!(message.contains("in der Vergangenheit"), "{message}");
        let old = UnixMs::from_vienna_date("2025-01-01").map(|t| t.0);
        let (entry, _, errors) = parse(&form, old, now);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(entry.review_ms, old);
    }

    #[test]
    fn personal_data_needs_categories() {
        let now = UnixMs::from_vienna_date("2026-11-27").expect("date");
        let form = FormFields::parse(
            b"name=X&provider=Y&purpose=Z&users=U&personal_data=ja&location=eu&avv=ja&responsible=R&risk_class=minimal",
        );
        let (_, _, errors) = parse(&form, None, now);
        assert!(errors.get("data_categories").is_some());
    }
}
