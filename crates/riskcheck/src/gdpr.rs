//! Step 9: the GDPR and labour-law module (aiact.md §16).
//!
//! Runs for every result except prohibited ones, including non-AI systems,
//! because the AI Act does not displace the GDPR (Art. 2(7) KI-VO).
//! Processor mode replaces the controller tags by the AVV duty.

use std::borrow::Cow;

use crate::obligations::{Tag, codetermination, dpia_ref};
use crate::rules::meta::Reason;
use crate::rules::{State, table};
use crate::vocab::{BiometricMode, Country, ProcessorLocation};

/// For prohibited results: no GDPR tags, but the risk is named.
pub(crate) fn prohibited_note(st: &mut State<'_>) {
    st.say(
        &table::GDPR_OFF,
        "Datenschutzpflichten wurden nicht einzeln ausgewertet, weil der Einsatz verboten ist; \
         werden personenbezogene Daten verarbeitet, droht zusätzlich ein Verstoß gegen die DSGVO \
         (fehlende Rechtsgrundlage, Art. 6, 9 DSGVO)",
    );
}

/// Runs the module.
pub(crate) fn run(st: &mut State<'_>) {
    let f = st.f;
    let implied = st.d.special || st.d.biometric_data;
    match (f.processes_personal_data, implied) {
        (Some(false), true) => st.flag(
            &table::GDPR_CONFLICT,
            "Widersprüchliche Angaben: keine personenbezogenen Daten angegeben, aber biometrische \
             oder besondere Daten; der Datenschutz wird trotzdem geprüft",
        ),
        (Some(false), false) => {
            st.say(
                &table::GDPR_OFF,
                "Keine personenbezogenen Daten: die DSGVO ist nicht anwendbar",
            );
            return;
        }
        (None, false) => {
            st.say(&table::GDPR_OFF, "Datenschutz nicht geprüft: bitte angeben, ob personenbezogene Daten verarbeitet werden");
            return;
        }
        _ => {}
    }
    if f.external_processor == Some(false) && f.processor_location.is_some() {
        st.flag(&table::GDPR_28, "Widersprüchliche Angaben: kein externer Dienstleister, aber ein Verarbeitungsort des Dienstleisters angegeben; im Zweifel externer Dienstleister");
    }
    if f.acts_as_processor_for_customers == Some(true) {
        st.tag(Tag::GdprArt28Avv);
        st.say(&table::GDPR_PROCESSOR, "Sie verarbeiten die Daten als Auftragsverarbeiter Ihrer Kunden: AVV mit Ihren Kunden (und mit Unterauftragsverarbeitern) schließen; die Pflichten des Verantwortlichen tragen Ihre Kunden");
        transfer(st);
        return;
    }
    st.tag(Tag::GdprBaseline);
    st.say(&table::GDPR_BASE, "Rechtsgrundlage festlegen, Betroffene informieren, Verarbeitungsverzeichnis führen, nur nötige Daten eingeben, Löschfristen und angemessene Sicherheit sicherstellen");
    if st.d.special {
        st.tag(Tag::GdprArt9Special);
        let why = if st.d.sensitive && f.special_category_data != Some(true) {
            "Das System leitet sensible Merkmale ab; auch abgeleitete Angaben sind besondere Kategorien"
        } else if matches!(
            f.biometric_mode,
            Some(BiometricMode::Verification | BiometricMode::Identification)
        ) && f.special_category_data != Some(true)
        {
            "Biometrische Daten zur eindeutigen Identifizierung oder Verifizierung sind besondere Kategorien"
        } else {
            "Besondere Kategorien personenbezogener Daten"
        };
        st.say(&table::GDPR_9, format!("{why}: nur mit einer Ausnahme nach Art. 9 Abs. 2 DSGVO zulässig (z. B. ausdrückliche Einwilligung)"));
    }
    if f.solely_automated_decision_legal_or_similar_effect == Some(true) {
        st.tag(Tag::GdprArt22);
        st.say(&table::GDPR_22, "Ausschließlich automatisierte Entscheidung mit rechtlicher oder ähnlich erheblicher Wirkung: nur bei Vertragserforderlichkeit, gesetzlicher Grundlage oder ausdrücklicher Einwilligung; menschliches Eingreifen und verständliche Erklärung sichern");
    }
    if st.d.external {
        st.tag(Tag::GdprArt28Avv);
        st.say(&table::GDPR_28, "Externer Dienstleister verarbeitet die Daten in Ihrem Auftrag: AVV abschließen, nur Tarife mit AVV nutzen (nicht Gratis-Versionen)");
    }
    transfer(st);
    dpia(st);
    labour(st);
}

/// Third-country transfer (Art. 44-49) with the DPF and adequacy hints.
fn transfer(st: &mut State<'_>) {
    let f = st.f;
    if !st.d.third_country {
        return;
    }
    st.tag(Tag::GdprArt44Transfer);
    if st.d.transfer_conflict {
        st.flag(&table::GDPR_44, "Widersprüchliche Angaben: keine Drittlandübermittlung angegeben, aber Dienstleister außerhalb der EU; im Zweifel Drittlandübermittlung");
    }
    match f.processor_location {
        Some(ProcessorLocation::Us) => st.say(&table::GDPR_44_DPF, "Empfänger in den USA: DPF-Zertifizierung prüfen (dataprivacyframework.gov), Standardvertragsklauseln als Rückfall bereithalten; das Data Privacy Framework kann vom EuGH gekippt werden"),
        Some(ProcessorLocation::Uk | ProcessorLocation::Ch) => st.say(&table::GDPR_44, "Vereinigtes Königreich bzw. Schweiz: Übermittlung auf Grundlage eines Angemessenheitsbeschlusses (Art. 45 DSGVO); dessen Geltung prüfen"),
        _ => st.say(&table::GDPR_44, "Drittlandübermittlung: Angemessenheitsbeschluss prüfen, sonst Standardvertragsklauseln (Art. 46 Abs. 2 lit. c DSGVO) und Transfer-Folgenabschätzung"),
    }
}

/// DPIA triggers (i)-(vi) of aiact-facts.md §3 step 9.
fn dpia(st: &mut State<'_>) {
    let f = st.f;
    let profiling = f.profiling_natural_persons == Some(true);
    let triggers: [(bool, &str); 6] = [
        (
            st.high_full(),
            "Hochrisiko-KI-System (Art. 26 Abs. 9 KI-VO: Betreiberinformationen für die DSFA nutzen)",
        ),
        (
            profiling && f.solely_automated_decision_legal_or_similar_effect == Some(true),
            "Profiling mit automatisierter Entscheidung (Art. 35 Abs. 3 lit. a DSGVO; AT: DSFA-V Z 1)",
        ),
        (
            matches!(
                f.biometric_mode,
                Some(BiometricMode::Verification | BiometricMode::Identification)
            ),
            "biometrische Identifizierung oder Verifizierung",
        ),
        (
            f.employees_monitored == Some(true),
            "systematische Überwachung von Beschäftigten",
        ),
        (
            st.d.special && profiling,
            "besondere Kategorien und Profiling",
        ),
        (
            f.large_scale_special_category == Some(true)
                || f.large_scale_public_monitoring == Some(true),
            "umfangreiche Verarbeitung besonderer Kategorien bzw. Überwachung öffentlicher Bereiche (Art. 35 Abs. 3 lit. b, c DSGVO)",
        ),
    ];
    let hits: Vec<&str> = triggers
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, t)| *t)
        .collect();
    if hits.is_empty() {
        let extra = if profiling {
            "; da Profiling vorliegt: Art. 35 Abs. 3 lit. a DSGVO erfasst auch Entscheidungen, die nicht ausschließlich automatisiert sind"
        } else {
            ""
        };
        st.say(
            &table::GDPR_35_CHECK,
            format!("DSFA prüfen (Schwellwertanalyse){extra}"),
        );
        return;
    }
    st.tag_with(
        Tag::GdprArt35Dpia,
        Some(Cow::Borrowed(dpia_ref(f.country))),
        None,
    );
    st.say(
        &table::GDPR_35,
        format!(
            "Datenschutz-Folgenabschätzung vor dem Einsatz erforderlich: {}",
            hits.join("; ")
        ),
    );
}

/// Works-council co-determination (AT ArbVG, DE BetrVG).
fn labour(st: &mut State<'_>) {
    let f = st.f;
    if f.works_council_exists == Some(true) {
        let (r, date) = codetermination(f.country);
        st.tag_with(
            Tag::LabourLawCodetermination,
            Some(Cow::Borrowed(r)),
            Some(date),
        );
        let reason = Reason::new(
            &table::LAB_1,
            "Betriebsrat vor der Einführung beteiligen (Betriebsvereinbarung): ein System, das Daten von Beschäftigten verarbeitet, ist zur Überwachung objektiv geeignet",
        );
        st.reasons.push(if f.country.is_some() {
            reason.with_article(r)
        } else {
            reason
        });
    } else if f.works_council_exists.is_none() && f.employees_monitored == Some(true) {
        match f.country {
            Some(Country::De) => st.say(&table::LAB_1, "Besteht ein Betriebsrat? Dann ist er vor der Einführung zu beteiligen"),
            _ => st.say(&table::LAB_2, "Besteht ein Betriebsrat? In Österreich ist ohne Betriebsrat die Zustimmung der Beschäftigten nach § 10 AVRAG zu prüfen"),
        }
    }
}
