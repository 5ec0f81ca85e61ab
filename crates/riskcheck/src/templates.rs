//! Ready-to-use German notice texts for the duties a result contains.
//!
//! These are **templates** (`is_template = true`): the organisation adapts the
//! placeholders in square brackets and checks them before use. Each template
//! names the tags that make it relevant, its legal basis and a "Stand" date.

use serde::Serialize;

use crate::model::Assessment;
use crate::obligations::Tag;

/// One ready-to-use German text.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Template {
    /// Stable id for the UI and exports.
    pub id: &'static str,
    /// Always true: this is a template to adapt, not legal advice.
    pub is_template: bool,
    /// German title shown above the text.
    pub title_de: &'static str,
    /// Legal basis of the duty the text helps to meet.
    pub legal_basis: &'static str,
    /// Tags that make this template relevant (any of them).
    pub for_tags: &'static [Tag],
    /// The text; placeholders in square brackets.
    pub text_de: &'static str,
    /// Hint for the user on how to use the text.
    pub usage_de: &'static str,
    /// Date the text was last checked.
    pub stand: &'static str,
}

const STAND: &str = "2026-11-27";

/// All templates, in display order.
pub static TEMPLATES: &[Template] = &[
    Template {
        id: "chatbot_notice",
        is_template: true,
        title_de: "Hinweis für Chatbots und Voicebots",
        legal_basis: "Art. 50 Abs. 1, 5 KI-VO",
        for_tags: &[Tag::Art50ChatbotDisclosure],
        text_de: "Hinweis: Sie kommunizieren mit einem KI-System, nicht mit einem Menschen. Die Antworten werden automatisch erzeugt und können Fehler enthalten. Wenn Sie mit einer Mitarbeiterin oder einem Mitarbeiter sprechen möchten, [schreiben Sie „Mensch“ / rufen Sie uns an unter …].",
        usage_de: "Spätestens bei der ersten Interaktion deutlich sichtbar anzeigen (Chatfenster) bzw. zu Beginn des Gesprächs ansagen (Voicebot).",
        stand: STAND,
    },
    Template {
        id: "deepfake_label",
        is_template: true,
        title_de: "Kennzeichnung KI-erzeugter oder KI-veränderter Bilder, Videos und Audios",
        legal_basis: "Art. 50 Abs. 4 UAbs. 1, Abs. 5 KI-VO",
        for_tags: &[Tag::Art50DeepfakeLabel],
        text_de: "KI-generiert: Dieses [Bild / Video / Audio] wurde mit künstlicher Intelligenz erstellt bzw. verändert und zeigt keine reale Aufnahme.",
        usage_de: "Direkt am Inhalt anbringen (Bildunterschrift, Einblendung im Video, Ansage im Audio). Bei offensichtlich künstlerischen oder satirischen Werken genügt ein dezenter Hinweis, z. B. im Abspann: „Enthält KI-generierte Inhalte.“",
        stand: STAND,
    },
    Template {
        id: "public_interest_text_label",
        is_template: true,
        title_de: "Kennzeichnung KI-erstellter Texte von öffentlichem Interesse",
        legal_basis: "Art. 50 Abs. 4 UAbs. 2, Abs. 5 KI-VO",
        for_tags: &[Tag::Art50PublicInterestTextLabel],
        text_de: "Dieser Text wurde mit Hilfe künstlicher Intelligenz erstellt [und nicht redaktionell geprüft].",
        usage_de: "Am Anfang oder direkt unter dem Titel des Beitrags anzeigen. Entfällt, wenn eine Person jeden Text redaktionell prüft und Ihr Haus die redaktionelle Verantwortung trägt.",
        stand: STAND,
    },
    Template {
        id: "emotion_biometric_notice",
        is_template: true,
        title_de: "Information über Emotionserkennung bzw. biometrische Kategorisierung",
        legal_basis: "Art. 50 Abs. 3 KI-VO; Art. 13 DSGVO",
        for_tags: &[Tag::Art50EmotionBiometricNotice],
        text_de: "In [Bereich / Anwendung] setzen wir ein KI-System ein, das [Gefühle bzw. Absichten erkennt / Personen anhand körperlicher Merkmale Kategorien zuordnet]. Zweck: [Zweck]. Verantwortlich: [Name, Kontakt]. Weitere Informationen zur Verarbeitung Ihrer Daten finden Sie in unserer Datenschutzerklärung: [Link].",
        usage_de: "Vor bzw. bei der ersten Erfassung gut sichtbar anzeigen (z. B. Schild am Eingang, Hinweis in der App).",
        stand: STAND,
    },
    Template {
        id: "affected_person_notice",
        is_template: true,
        title_de: "Information Betroffener bei Entscheidungen mit Hochrisiko-KI",
        legal_basis: "Art. 26 Abs. 11 KI-VO; Art. 13, 14, 22 DSGVO",
        for_tags: &[Tag::Art26_11AffectedPersonNotice],
        text_de: "Bei [Entscheidung, z. B. der Vorauswahl von Bewerbungen] unterstützt uns ein KI-System. Die Entscheidung trifft [eine Mitarbeiterin / ein Mitarbeiter]. Sie können eine Erklärung zur Rolle des KI-Systems verlangen und sich an [Kontakt] wenden.",
        usage_de: "Gemeinsam mit der Datenschutzinformation geben, bevor das System über die Person mitentscheidet.",
        stand: STAND,
    },
    Template {
        id: "ai_answer_disclaimer",
        is_template: true,
        title_de: "Hinweis unter KI-Antworten",
        legal_basis: "keine gesetzliche Pflicht; unterstützt Art. 50 Abs. 1 KI-VO und Art. 5 Abs. 1 lit. d DSGVO (Richtigkeit)",
        for_tags: &[Tag::Art50ChatbotDisclosure, Tag::Art50SyntheticMarking],
        text_de: "Diese Antwort wurde von einer KI erstellt. Sie kann unvollständig oder fehlerhaft sein und ersetzt keine individuelle Beratung. Verbindlich sind nur Auskünfte unserer Mitarbeiterinnen und Mitarbeiter.",
        usage_de: "Unter jeder automatisch erzeugten Antwort anzeigen.",
        stand: STAND,
    },
    Template {
        id: "employee_information",
        is_template: true,
        title_de: "Kurzinformation für Beschäftigte",
        legal_basis: "Art. 4, Art. 26 Abs. 7 KI-VO; Art. 13, 88 DSGVO; AT: §§ 96, 96a ArbVG; DE: § 87 Abs. 1 Nr. 6 BetrVG",
        for_tags: &[
            Tag::Art26_7WorkerInformation,
            Tag::LabourLawCodetermination,
            Tag::Art4Literacy,
        ],
        text_de: "Information zum KI-Einsatz: Ab [Datum] setzen wir [Name des KI-Systems] für [Zweck] ein. Es verarbeitet [Datenarten]. Das System [bewertet / bewertet keine] Leistung oder Verhalten von Beschäftigten. Regeln für die Nutzung: Geben Sie keine vertraulichen oder personenbezogenen Daten ein, soweit das nicht ausdrücklich erlaubt ist, und prüfen Sie Ergebnisse vor der Verwendung. Schulung: [Termin]. Ansprechperson: [Name]. [Der Betriebsrat wurde beteiligt; Betriebsvereinbarung vom …]",
        usage_de: "Vor dem Einsatz an alle betroffenen Beschäftigten geben (Intranet, E-Mail, Aushang) und die Weitergabe dokumentieren.",
        stand: STAND,
    },
];

/// The templates relevant for a result, in display order. Why a function and
/// not a field: the §4 JSON contract has exactly five keys.
pub fn templates_for(assessment: &Assessment) -> Vec<&'static Template> {
    TEMPLATES
        .iter()
        .filter(|t| t.for_tags.iter().any(|tag| assessment.has(*tag)))
        .collect()
}
