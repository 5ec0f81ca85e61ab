//! Step 4: prohibited practices (Art. 5), terminal.
//!
//! Any hit gives `prohibited` with `art5_cease_use` only. Thresholds that are
//! "weiß nicht" (significant harm, detriment, emotion context, remoteness)
//! take the protective outcome and set `needs_review`.

use std::borrow::Cow;

use super::meta::RuleMeta;
use super::{State, table};
use crate::obligations::Tag;
use crate::vocab::{BiometricMode, EmotionContext};

/// Date of the original prohibitions and of the Omnibus letters (ba)/(bb).
const DATE_ORIGINAL: &str = "2025-02-02";
const DATE_OMNIBUS: &str = "2026-12-02";

pub(crate) fn run(st: &mut State<'_>) {
    let f = st.f;
    let mut letters: Vec<&'static str> = Vec::new();
    let mut hit = |st: &mut State<'_>,
                   rule: &'static RuleMeta,
                   letter: &'static str,
                   text: Cow<'static, str>,
                   review: bool| {
        letters.push(letter);
        if review {
            st.flag(rule, text);
        } else {
            st.say(rule, text);
        }
    };
    let harm = f.significant_harm_likely;
    let harm_text = |what: &str| -> Cow<'static, str> {
        match harm {
            Some(true) => format!("{what}, mit erheblichem Schaden: verbotene Praxis").into(),
            _ => format!("{what}; erheblicher Schaden nicht ausgeschlossen (weiß nicht), daher im Zweifel verboten").into(),
        }
    };
    if f.manipulative_or_deceptive_techniques == Some(true) {
        if harm == Some(false) {
            st.say(&table::D_A, "Manipulative oder täuschende Techniken, aber kein erheblicher Schaden zu erwarten: nicht verboten");
        } else {
            hit(
                st,
                &table::D_A,
                "a",
                harm_text("Unterschwellige, manipulative oder täuschende Techniken"),
                harm.is_none(),
            );
        }
    }
    if let Some(v) = f.exploits_vulnerability {
        if harm == Some(false) {
            st.say(&table::D_B, format!("Ausnutzung einer Schwäche ({}), aber kein erheblicher Schaden zu erwarten: nicht verboten", v.as_str()));
        } else {
            hit(
                st,
                &table::D_B,
                "b",
                harm_text(&format!(
                    "Ausnutzung einer Schwäche von Personen ({})",
                    v.as_str()
                )),
                harm.is_none(),
            );
        }
    }
    if f.social_scoring == Some(true) {
        let (u, d) = (
            f.detrimental_treatment_unrelated_context,
            f.detrimental_treatment_disproportionate,
        );
        if u == Some(true) || d == Some(true) {
            hit(st, &table::D_C, "c", "Social Scoring mit Benachteiligung in fremdem Zusammenhang oder unverhältnismäßiger Behandlung: verbotene Praxis".into(), false);
        } else if u == Some(false) && d == Some(false) {
            st.say(&table::D_C, "Bewertung von Personen, aber ohne Benachteiligung in fremdem Zusammenhang und ohne unverhältnismäßige Behandlung: kein verbotenes Social Scoring");
        } else {
            hit(st, &table::D_C, "c", "Social Scoring; Benachteiligung nicht ausgeschlossen (weiß nicht), daher im Zweifel verboten".into(), true);
        }
    }
    if f.predicts_crime_solely_from_profiling == Some(true) {
        hit(st, &table::D_D, "d", "Vorhersage von Straftaten allein aufgrund von Profiling oder Persönlichkeitsmerkmalen: verbotene Praxis".into(), false);
    }
    if f.untargeted_face_scraping == Some(true) {
        hit(st, &table::D_E, "e", "Aufbau oder Erweiterung einer Gesichtserkennungsdatenbank durch ungezieltes Auslesen von Gesichtsbildern: verbotene Praxis".into(), false);
    }
    if f.infers_emotions_from_biometrics == Some(true) {
        let ctx = st.d.emotion_ctx.unwrap_or(EmotionContext::Workplace);
        let fallback = st.d.emotion_ctx_fallback;
        let place = if ctx == EmotionContext::Education {
            "in einer Bildungseinrichtung"
        } else {
            "am Arbeitsplatz"
        };
        match ctx {
            EmotionContext::Workplace | EmotionContext::Education => {
                if f.medical_or_safety_purpose == Some(true) {
                    st.say(&table::D_F, format!("Emotionserkennung {place} ausschließlich aus medizinischen oder Sicherheitsgründen: Ausnahme greift, stattdessen Hochrisiko (Anhang III Nr. 1 lit. c)"));
                } else if fallback {
                    hit(st, &table::D_F, "f", "Emotionserkennung; unklar, wessen Gefühle erkannt werden (weiß nicht), daher im Zweifel als Arbeitsplatz gewertet: verbotene Praxis".into(), true);
                } else {
                    hit(
                        st,
                        &table::D_F,
                        "f",
                        format!(
                            "Emotionserkennung {place} aus biometrischen Daten: verbotene Praxis"
                        )
                        .into(),
                        false,
                    );
                }
            }
            EmotionContext::Customers | EmotionContext::Other => {
                st.say(&table::D_F, "Emotionserkennung nicht am Arbeitsplatz und nicht in der Bildung: nicht verboten, aber Hochrisiko (Anhang III Nr. 1 lit. c) und Hinweispflicht (Art. 50 Abs. 3)");
            }
        }
    } else if f.detects_physical_state_fatigue == Some(true) {
        st.say(&table::D_F, "Erkennung nur körperlicher Zustände wie Müdigkeit oder Schmerz ist keine Emotionserkennung (ErwGr. 18)");
    }
    if st.d.sensitive {
        if f.biometric_data == Some(false) && f.biometric_mode.is_none() {
            st.say(&table::D_G, "Sensible Merkmale werden nicht aus biometrischen Daten abgeleitet: kein Verbot nach lit. g, aber besondere Kategorien nach Art. 9 DSGVO");
        } else if f.law_enforcement == Some(true) {
            st.flag(&table::D_G, "Biometrische Kategorisierung nach sensiblen Merkmalen im Bereich der Strafverfolgung: Ausnahme von lit. g, Hochrisiko (Anhang III Nr. 1 lit. b); Rechtsgrundlage prüfen");
        } else {
            hit(st, &table::D_G, "g", "Biometrische Kategorisierung nach Rasse, politischer Meinung, Gewerkschaftszugehörigkeit, Religion, Weltanschauung oder Sexualleben: verbotene Praxis".into(), false);
        }
    }
    if f.biometric_mode == Some(BiometricMode::Identification)
        && f.remote != Some(false)
        && f.realtime == Some(true)
        && f.publicly_accessible_space == Some(true)
        && f.law_enforcement == Some(true)
    {
        hit(st, &table::D_H, "h", "Biometrische Echtzeit-Fernidentifizierung in öffentlich zugänglichen Räumen zur Strafverfolgung: grundsätzlich verboten; die engen Ausnahmen erfordern eine vorherige Genehmigung".into(), true);
    }
    if f.generates_ncii_of_identifiable_persons == Some(true) {
        if f.consent_checked == Some(true) {
            st.flag(&table::D_BA, "Erzeugung intimer Darstellungen echter Personen mit Einwilligungsprüfung: nicht automatisch verboten, ob die Schutzmaßnahme angemessen ist, muss geprüft werden");
        } else {
            hit(st, &table::D_BA, "ba", "Erzeugung realistischer Nackt- oder Sexdarstellungen echter, erkennbarer Personen ohne Einwilligung: verbotene Praxis ab 2. Dezember 2026".into(), false);
        }
    }
    if f.generates_csam == Some(true) {
        hit(st, &table::D_BB, "bb", "Erzeugung oder Veränderung von Darstellungen sexuellen Kindesmissbrauchs: verbotene Praxis ab 2. Dezember 2026".into(), false);
    }
    if letters.is_empty() {
        st.say(&table::D_NONE, "Keine verbotene KI-Praxis festgestellt");
        return;
    }
    st.prohibited = true;
    let date = if letters.iter().any(|l| !matches!(*l, "ba" | "bb")) {
        DATE_ORIGINAL
    } else {
        DATE_OMNIBUS
    };
    let amended = letters.iter().any(|l| matches!(*l, "ba" | "bb"));
    let legal_ref = format!(
        "Art. 5 Abs. 1 lit. {} KI-VO{}",
        letters.join(", "),
        if amended {
            " idF VO (EU) 2026/1744"
        } else {
            ""
        }
    );
    st.tag_with(Tag::Art5CeaseUse, Some(legal_ref.into()), Some(date));
}
