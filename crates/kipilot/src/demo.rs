//! Demo content for a fresh installation: two updates, one participant quote, one public
//! knowledge-base article and the next monthly round-table.
//!
//! Seeded once, on the first start with an empty `updates` table (unless `KIPILOT_DEMO=0`),
//! so the README's first command shows a living site. The texts say plainly that they are
//! examples; the team edits or deletes them in the back office.

use domain::UnixMs;
use storage::Db;
use storage::updates::{UpdateDraft, kind};

const MARKER: &str = "demo_seeded";
/// Separate marker for the knowledge-base article, so installations seeded before the
/// knowledge base existed get it once too.
const KNOWLEDGE_MARKER: &str = "demo_knowledge_seeded";
/// Marker for the demo round-table (seeded once, like the article).
const EVENTS_MARKER: &str = "demo_events_seeded";

/// Seeds the demo content if this database never had any.
pub async fn seed_if_new(db: &Db, now: UnixMs) -> Result<(), storage::StoreError> {
    seed_knowledge_if_new(db, now).await?;
    seed_round_table_if_new(db, now).await?;
    if storage::settings::get(db, MARKER).await?.is_some() || storage::updates::count(db).await? > 0
    {
        return Ok(());
    }
    storage::settings::put(db, MARKER, "1").await?;
    let day = 86_400_000;
    let items = [
        (
            UpdateDraft {
                slug: "projektstart".into(),
                kind: kind::REPORT.into(),
                title: "Das KI-Pilotprojekt startet".into(),
                summary: "Warum wir mit 5 bis 15 Unternehmen gemeinsam herausfinden wollen, wie KI im Alltag sicher funktioniert.".into(),
                body_md: "*Beispieltext – im Backoffice unter „Updates“ bearbeiten oder löschen.*\n\n\
Viele Betriebe wollen KI nutzen, bremsen sich aber selbst: Darf ich Kundendaten in ein KI-Tool eingeben? \
Was verlangt die KI-Verordnung von mir? Genau diese Fragen klären wir im Pilotprojekt – gemeinsam, \
an echten Aufgaben aus Ihrem Betrieb.\n\n\
**So geht es los:** Im ersten Round-Table sammeln wir die größten Hürden. Danach arbeiten wir in 1:1-Gesprächen \
an konkreten Lösungen, zum Beispiel einem datenschutzfreundlichen Ablauf für Angebotstexte.\n\n\
[Jetzt mitmachen](/mitmachen)"
                    .into(),
                ..UpdateDraft::default()
            },
            now.0 - 14 * day,
        ),
        (
            UpdateDraft {
                slug: "erste-erkenntnisse-round-table".into(),
                kind: kind::STORY.into(),
                title: "Erste Erkenntnis: Anonymisieren vor dem Prompt".into(),
                summary: "Ein Logistikbetrieb prüft Lieferscheine jetzt mit KI – ohne dass Namen oder Adressen das Haus verlassen.".into(),
                body_md: "*Beispieltext – im Backoffice unter „Updates“ bearbeiten oder löschen.*\n\n\
Im ersten Round-Table war die häufigste Sorge: „Unsere Kundendaten dürfen nicht bei einem KI-Anbieter landen.“ \
Die Lösung war einfacher als gedacht: Namen, Adressen und Telefonnummern werden vor der Eingabe durch Platzhalter \
ersetzt und in der Antwort wieder eingesetzt.\n\n\
So bleibt die KI eine Hilfe beim Formulieren und Prüfen, und die personenbezogenen Daten bleiben im Betrieb."
                    .into(),
                ..UpdateDraft::default()
            },
            now.0 - 5 * day,
        ),
        (
            UpdateDraft {
                slug: "zitat-bauunternehmen".into(),
                kind: kind::QUOTE.into(),
                title: "„Endlich weiß ich, was ich darf“".into(),
                summary: "Wir wollten KI fürs Bautagebuch nutzen, hatten aber Angst vor der DSGVO. Nach zwei Gesprächen hatten wir einen klaren Plan.".into(),
                body_md: "*Beispielzitat – im Backoffice unter „Updates“ bearbeiten oder löschen.*\n\n\
„Wir wollten KI fürs Bautagebuch nutzen, hatten aber Angst vor der DSGVO. Nach zwei Gesprächen hatten wir \
einen klaren Plan – und die Mängelliste schreibt sich jetzt fast von selbst.“"
                    .into(),
                quote_author: Some("Beispiel: Geschäftsführerin eines Bauunternehmens, 25 Mitarbeitende".into()),
                consent_by: Some("Beispiel-Einwilligung (Demo-Inhalt)".into()),
                consent_ms: Some(now.0 - 3 * day),
                consent_text: Some("Ich bin einverstanden, dass mein Zitat mit meiner Funktion und Branche auf der Projektseite veröffentlicht wird.".into()),
            },
            now.0 - 2 * day,
        ),
    ];
    for (draft, published_at) in items {
        let id = storage::updates::create(db, &draft, UnixMs(published_at)).await?;
        storage::updates::publish(db, id, UnixMs(published_at)).await?;
    }
    Ok(())
}

/// Seeds one public best-practice article into an empty knowledge base, once.
async fn seed_knowledge_if_new(db: &Db, now: UnixMs) -> Result<(), storage::StoreError> {
    if storage::settings::get(db, KNOWLEDGE_MARKER)
        .await?
        .is_some()
        || storage::knowledge::count(db).await? > 0
    {
        return Ok(());
    }
    storage::settings::put(db, KNOWLEDGE_MARKER, "1").await?;
    let draft = storage::knowledge::ArticleDraft {
        slug: "kundendaten-pseudonymisieren".into(),
        category: storage::knowledge::category::BEST_PRACTICE.into(),
        title: "Kundendaten vor dem Prompt pseudonymisieren – so geht's in 3 Schritten".into(),
        summary: "Namen, Adressen und Telefonnummern haben in einem Prompt meist nichts verloren. So ersetzen Sie sie vorher durch Platzhalter – und setzen sie danach wieder ein.".into(),
        body_md: "*Beispielartikel – im Backoffice unter „Wissen“ bearbeiten oder löschen.*\n\n\
Sie möchten eine Kundenbeschwerde mit KI beantworten oder ein Angebot umformulieren lassen? \
Für eine gute Antwort braucht das KI-Werkzeug meist nicht zu wissen, *wer* die Kundin ist. \
Mit drei Schritten geben Sie deutlich weniger personenbezogene Daten preis.\n\n\
## 1. Persönliche Angaben erkennen\n\n\
Lesen Sie den Text vor dem Einfügen einmal durch: Namen, Adressen, Telefonnummern, E-Mail-Adressen, \
Kundennummern, IBAN, Geburtsdaten. Besonders vorsichtig sind Sie bei Gesundheitsangaben.\n\n\
## 2. Durch Platzhalter ersetzen\n\n\
Ersetzen Sie jede Angabe durch einen Platzhalter, z. B. „Frau Huber“ durch „[PERSON_1]“. \
Das geht von Hand – oder mit unserem Werkzeug [Text anonymisieren](/werkzeuge/anonymisieren): \
Text einfügen, Platzhalter-Version kopieren. Das Werkzeug speichert Ihren Text nicht.\n\n\
## 3. Antwort zurückübersetzen und prüfen\n\n\
Fügen Sie die Antwort der KI wieder in das Werkzeug ein: Es setzt die echten Angaben an die Stelle \
der Platzhalter. Lesen Sie das Ergebnis vor dem Versand in Ruhe durch.\n\n\
**Gut zu wissen:** Pseudonymisierte Daten gelten nach der DSGVO weiterhin als personenbezogen. \
Die Platzhalter senken das Risiko, ersetzen aber nicht die Frage, ob Sie das KI-Werkzeug für \
diese Aufgabe überhaupt nutzen dürfen. Tragen Sie das Werkzeug dazu in Ihr KI-Verzeichnis ein."
            .into(),
        dated_ms: now.0,
        is_public: true,
    };
    let id = storage::knowledge::create(db, &draft, now).await?;
    storage::knowledge::publish(db, id, now).await?;
    Ok(())
}

/// Seeds the next monthly round-table (2nd Tuesday, 17:00 Vienna time, at least a week
/// ahead) into an installation that never had one, so `/veranstaltungen` shows how it works.
async fn seed_round_table_if_new(db: &Db, now: UnixMs) -> Result<(), storage::StoreError> {
    if storage::settings::get(db, EVENTS_MARKER).await?.is_some()
        || !storage::events::upcoming(db, now).await?.is_empty()
    {
        return Ok(());
    }
    storage::settings::put(db, EVENTS_MARKER, "1").await?;
    // 13 January 2026 was the 2nd Tuesday of its month: the rule "2nd Tuesday, 17:00".
    let Some(rule) = domain::events::vienna_instant("2026-01-13", "17:00")
        .ok()
        .and_then(domain::events::MonthlyRule::from_start)
    else {
        return Ok(());
    };
    let Some(starts) = rule
        .next_after(now.plus_ms(7 * 86_400_000), 1)
        .first()
        .copied()
    else {
        return Ok(());
    };
    let draft = domain::events::EventDraft {
        title: "Online-Round-Table: KI im Büroalltag".into(),
        slug: format!("round-table-{}", starts.format_iso_date()),
        starts,
        duration_min: 60,
        online_url: "https://video.example.at/ki-round-table".into(),
        capacity: 15,
        description_md:
            "*Beispieltermin – im Backoffice unter „Round-Tables“ bearbeiten oder absagen.*\n\n\
Eine Stunde, bis zu 15 Betriebe, eine Frage im Mittelpunkt: **Wo spart KI im Büro wirklich Zeit – \
und was darf dabei nicht hinein?** Wir zeigen zwei Beispiele aus dem Pilotprojekt (Angebote \
vorformulieren, E-Mails zusammenfassen) und sammeln Ihre Fragen zu DSGVO und KI-Verordnung.\n\n\
Keine Vorkenntnisse nötig. Den Link zum Videocall bekommen Sie mit der Bestätigung."
                .into(),
    };
    storage::events::create_event(db, &draft, now).await?;
    Ok(())
}
