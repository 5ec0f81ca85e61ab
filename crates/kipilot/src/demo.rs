//! Demo content for a fresh installation: two updates and one participant quote.
//!
//! Seeded once, on the first start with an empty `updates` table (unless `KIPILOT_DEMO=0`),
//! so the README's first command shows a living site. The texts say plainly that they are
//! examples; the team edits or deletes them in the back office.

use domain::UnixMs;
use storage::Db;
use storage::updates::{UpdateDraft, kind};

const MARKER: &str = "demo_seeded";

/// Seeds the demo content if this database never had any.
pub async fn seed_if_new(db: &Db, now: UnixMs) -> Result<(), storage::StoreError> {
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
