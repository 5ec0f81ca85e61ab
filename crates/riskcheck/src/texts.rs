//! German result texts (aiact.md §20), Annex III point titles and the disclaimer.
//!
//! Texts are data: editors change wording here without touching the rules.

use crate::RULESET_VERSION;
use crate::model::RiskClass;
use crate::obligations::Tag;
use crate::rules::State;
use crate::rules::meta::Reason;
use crate::vocab::AnnexPoint;

/// Date of the legal status printed in the disclaimer (German format).
pub const STAND_DE: &str = "27.11.2026";

/// Short German title of an Annex III sub-point, for reasons and the UI.
pub fn point_title_de(p: AnnexPoint) -> &'static str {
    use AnnexPoint as P;
    match p {
        P::P1a => "Biometrische Fernidentifizierung: Hochrisiko-Bereich",
        P::P1b => "Biometrische Kategorisierung nach geschützten Merkmalen: Hochrisiko-Bereich",
        P::P1c => "Emotionserkennung: Hochrisiko-Bereich",
        P::P2 => "Sicherheitsbauteil kritischer Infrastruktur: Hochrisiko-Bereich",
        P::P3a => "Zugang oder Zulassung zu Bildungseinrichtungen: Hochrisiko-Bereich",
        P::P3b => "Bewertung von Lernergebnissen: Hochrisiko-Bereich",
        P::P3c => "Bewertung des Bildungsniveaus: Hochrisiko-Bereich",
        P::P3d => "Überwachung von Prüfungen (Proctoring): Hochrisiko-Bereich",
        P::P4a => {
            "Personalauswahl (Stellenanzeigen gezielt ausspielen, Bewerbungen sichten, Bewerbende bewerten): Hochrisiko-Bereich"
        }
        P::P4b => {
            "Entscheidungen im Arbeitsverhältnis, Aufgabenzuteilung nach Verhalten oder Eigenschaften, Leistungsüberwachung: Hochrisiko-Bereich"
        }
        P::P5a => "Prüfung öffentlicher Leistungen für Behörden: Hochrisiko-Bereich",
        P::P5b => "Kreditwürdigkeitsprüfung natürlicher Personen: Hochrisiko-Bereich",
        P::P5c => {
            "Risikobewertung und Preisbildung in der Lebens- und Krankenversicherung: Hochrisiko-Bereich"
        }
        P::P5d => "Notrufe, Einsatzsteuerung und Notfall-Triage: Hochrisiko-Bereich",
        P::P6a => "Strafverfolgung: Risiko, Opfer einer Straftat zu werden: Hochrisiko-Bereich",
        P::P6b => "Strafverfolgung: Lügendetektoren und ähnliche Werkzeuge: Hochrisiko-Bereich",
        P::P6c => "Strafverfolgung: Verlässlichkeit von Beweismitteln: Hochrisiko-Bereich",
        P::P6d => "Strafverfolgung: Rückfall- oder Straffälligkeitsrisiko: Hochrisiko-Bereich",
        P::P6e => "Strafverfolgung: Profiling bei Ermittlungen: Hochrisiko-Bereich",
        P::P7a => "Migration: Lügendetektoren und ähnliche Werkzeuge: Hochrisiko-Bereich",
        P::P7b => "Migration: Risikobewertung einreisender Personen: Hochrisiko-Bereich",
        P::P7c => "Migration: Prüfung von Asyl-, Visa- und Aufenthaltsanträgen: Hochrisiko-Bereich",
        P::P7d => "Migration: Erkennung oder Identifizierung von Personen: Hochrisiko-Bereich",
        P::P8a => "Unterstützung von Gerichten oder Streitbeilegungsstellen: Hochrisiko-Bereich",
        P::P8b => "Beeinflussung von Wahlen oder Abstimmungen: Hochrisiko-Bereich",
    }
}

/// The §20 result text for the class, filled in with letters, points and duties.
pub(crate) fn result_summary(st: &State<'_>, class: RiskClass) -> (String, &'static str) {
    let article = match class {
        _ if !st.in_scope => "Art. 2, Art. 3 Nr. 1 KI-VO; Art. 22 DSGVO",
        RiskClass::Prohibited => "Art. 5 KI-VO",
        RiskClass::High if st.high_iii => "Art. 6 Abs. 2, Art. 113 KI-VO idF VO (EU) 2026/1744",
        RiskClass::High => "Art. 6 Abs. 1, Art. 113 KI-VO idF VO (EU) 2026/1744",
        RiskClass::Limited => "Art. 50 KI-VO",
        RiskClass::Minimal => "Art. 4 KI-VO",
    };
    let text = match class {
        _ if !st.in_scope => "Nach Ihren Angaben fällt das Werkzeug nicht unter die KI-Verordnung (kein KI-System oder ausgenommen). Die DSGVO gilt trotzdem, insbesondere bei automatisierten Entscheidungen (Art. 22 DSGVO).".to_owned(),
        RiskClass::Prohibited => {
            let (r, since) = st.obligation(Tag::Art5CeaseUse).map_or(("Art. 5 Abs. 1 KI-VO", "seit 2. Februar 2025"), |o| {
                (o.legal_ref.as_ref(), if o.applies_from == "2026-12-02" { "ab 2. Dezember 2026" } else { "seit 2. Februar 2025" })
            });
            format!("Dieses Einsatzszenario ist nach {r} verboten ({since}). Bitte stellen Sie den Einsatz ein bzw. nehmen Sie das System nicht in Betrieb. Eine Dokumentation oder Einwilligung kann das nicht heilen. Lassen Sie sich rechtlich beraten.")
        }
        RiskClass::High if st.high_iii => format!(
            "Ihr Einsatz fällt unter Anhang III Nr. {} KI-Verordnung und ist ein Hochrisiko-KI-System. Die Hochrisiko-Pflichten gelten ab 2. Dezember 2027. Nutzen Sie die Zeit zur Vorbereitung; KI-Kompetenz (Art. 4) und Transparenzpflichten gelten bereits.",
            st.points.iter().map(|p| p.cite_de().replace("Anhang III Nr. ", "")).collect::<Vec<_>>().join(", ")
        ),
        RiskClass::High if st.annex_i == Some(crate::vocab::AnnexISection::B) => "Ihr KI-System ist Teil eines Produkts nach Anhang I Abschnitt B. Die Pflichten ergeben sich aus dem jeweiligen Produktrecht (z. B. Maschinenverordnung), ab 2. August 2028.".to_owned(),
        RiskClass::High => "Ihr KI-System ist als Sicherheitsbauteil oder Produkt nach Anhang I ein Hochrisiko-KI-System. Die Hochrisiko-Pflichten gelten ab 2. August 2028. KI-Kompetenz (Art. 4) und Transparenzpflichten gelten bereits.".to_owned(),
        RiskClass::Limited => {
            let list: Vec<&str> = [
                (Tag::Art50ChatbotDisclosure, "Hinweis auf KI-Interaktion"),
                (Tag::Art50SyntheticMarking, "maschinenlesbare Kennzeichnung"),
                (Tag::Art50EmotionBiometricNotice, "Information über Emotionserkennung bzw. biometrische Kategorisierung"),
                (Tag::Art50DeepfakeLabel, "Deepfake-Kennzeichnung"),
                (Tag::Art50PublicInterestTextLabel, "Kennzeichnung von KI-Texten von öffentlichem Interesse"),
            ]
            .iter()
            .filter(|(t, _)| st.has(*t))
            .map(|(_, s)| *s)
            .collect();
            format!("Für Ihr System gelten Transparenzpflichten nach Art. 50 KI-Verordnung (seit 2. August 2026): {}.", list.join(", "))
        }
        RiskClass::Minimal => "Ihr Einsatz ist nach der KI-Verordnung nicht verboten, kein Hochrisiko-System und löst keine Transparenzpflicht aus. Es gilt aber die Pflicht zur KI-Kompetenz (Art. 4). Prüfen Sie außerdem den Datenschutz (siehe unten).".to_owned(),
    };
    (text, article)
}

/// The closing disclaimer (§20) with the rule-set version; always the last reason.
pub fn disclaimer() -> Reason {
    let mut r = Reason::new(
        &crate::rules::table::DISCLAIMER,
        format!(
            "Diese Einschätzung ersetzt keine Rechtsberatung. Stand der Rechtslage: Verordnung (EU) 2024/1689 in der Fassung der Verordnung (EU) 2026/1744; Stand {STAND_DE}. Regelwerk {RULESET_VERSION}."
        ),
    );
    r.is_disclaimer = true;
    r
}
