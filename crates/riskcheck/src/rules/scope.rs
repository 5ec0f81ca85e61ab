//! Steps 2 and 3: AI-system test, Art. 2 scope and the role (Art. 3, 25).
//!
//! "Not an AI system" together with answers that only an AI system can have
//! is a contradiction: the engine treats the tool as an AI system (the
//! protective reading) and sets `needs_review` (aiact-facts.md §2).

use super::meta::Reason;
use super::{State, table};
use crate::model::Role;
use crate::vocab::AnnexISection;

/// Keys whose `true` value presupposes an AI system.
fn ai_indicators(st: &State<'_>) -> Vec<&'static str> {
    let f = st.f;
    let pairs: [(&'static str, bool); 13] = [
        (
            "infers_emotions_from_biometrics",
            f.infers_emotions_from_biometrics == Some(true),
        ),
        (
            "generates_synthetic_content",
            f.generates_synthetic_content == Some(true),
        ),
        ("output_is_deepfake", f.output_is_deepfake == Some(true)),
        (
            "generates_ncii_of_identifiable_persons",
            f.generates_ncii_of_identifiable_persons == Some(true),
        ),
        ("generates_csam", f.generates_csam == Some(true)),
        ("built_on_gpai_api", f.built_on_gpai_api == Some(true)),
        ("gpai_model_provider", f.gpai_model_provider == Some(true)),
        ("targeting_by_ai", f.targeting_by_ai == Some(true)),
        (
            "untargeted_face_scraping",
            f.untargeted_face_scraping == Some(true),
        ),
        (
            "art25_own_name_on_high_risk_system",
            f.art25_own_name_on_high_risk_system == Some(true),
        ),
        (
            "art25_intended_purpose_changed_to_high_risk",
            f.art25_intended_purpose_changed_to_high_risk == Some(true),
        ),
        (
            "art25_substantial_modification",
            f.art25_substantial_modification == Some(true),
        ),
        ("art6_3_condition", f.art6_3_condition.is_some()),
    ];
    pairs
        .iter()
        .filter(|(_, on)| *on)
        .map(|(k, _)| *k)
        .collect()
}

/// Step 2: is the AI Act applicable at all?
pub(crate) fn ai_system(st: &mut State<'_>) {
    let f = st.f;
    let indicators = ai_indicators(st);
    let says_no = f.is_ai_system == Some(false)
        || (f.is_ai_system.is_none() && f.rule_based_only == Some(true));
    st.in_scope = if says_no && !indicators.is_empty() {
        st.flag(
            &table::A_CONFLICT,
            format!(
                "Widersprüchliche Angaben: laut Ihren Angaben kein KI-System, aber KI-typische \
                 Funktionen angegeben ({}); im Zweifel als KI-System behandelt",
                indicators.join(", ")
            ),
        );
        true
    } else if says_no {
        st.say(
            &table::A2,
            "Kein KI-System: Das Werkzeug arbeitet nur mit vollständig von Menschen \
             vorgegebenen Regeln; die KI-Verordnung ist nicht anwendbar, die DSGVO schon",
        );
        false
    } else if f.is_ai_system == Some(true) && f.rule_based_only == Some(true) {
        st.flag(
            &table::A_CONFLICT,
            "Widersprüchliche Angaben: KI-System und zugleich nur feste Regeln; im Zweifel als \
             KI-System behandelt",
        );
        true
    } else if f.is_ai_system == Some(true) {
        st.say(
            &table::A1,
            "KI-System: Das Werkzeug leitet aus Eingaben selbstständig Ergebnisse ab",
        );
        true
    } else {
        st.flag(
            &table::A3,
            "Nicht geklärt, ob ein KI-System vorliegt; im Zweifel als KI-System behandelt",
        );
        true
    };
    if st.in_scope {
        exclusions(st);
    }
}

/// Art. 2 exclusions (reserved keys of aiact-facts.md §1.8).
fn exclusions(st: &mut State<'_>) {
    let f = st.f;
    if f.used_professionally_in_eu == Some(false) {
        st.say(&table::B1, "Keine berufliche Nutzung in der EU und keine Verwendung der Ergebnisse in der EU: KI-Verordnung nicht anwendbar");
        st.in_scope = false;
    }
    if f.personal_non_professional_use_only == Some(true) {
        st.say(&table::B2, "Ausschließlich private, nicht berufliche Nutzung: keine Betreiberpflichten nach der KI-Verordnung");
        st.say(&table::B_GDPR_HOUSEHOLD, "Ausschließlich persönliche oder familiäre Tätigkeit: auch die DSGVO ist nicht anwendbar");
        st.in_scope = false;
        st.gdpr_excluded = true;
    }
    if f.military_or_national_security_only == Some(true) {
        st.say(&table::B3, "Ausschließlich militärische Zwecke oder nationale Sicherheit: KI-Verordnung nicht anwendbar");
        st.say(&table::B_GDPR_SECURITY, "Tätigkeiten der nationalen Sicherheit fallen nicht unter das Unionsrecht und damit nicht unter die DSGVO; nationales Recht prüfen");
        st.in_scope = false;
        st.gdpr_excluded = true;
    }
    if f.pre_market_research_only == Some(true) {
        st.say(&table::B4, "Nur Forschung, Entwicklung und Tests vor dem Inverkehrbringen (ohne Tests unter Realbedingungen): KI-Verordnung derzeit nicht anwendbar");
        st.in_scope = false;
    }
}

/// Step 3: role per aiact-facts.md §2 (Art. 25 flip first). Runs after the
/// high-risk steps because Art. 25 needs a high-risk system; returns its reasons
/// so the caller can place them in evaluation order.
pub(crate) fn role(st: &mut State<'_>) -> Vec<Reason> {
    let start = st.reasons.len();
    let f = st.f;
    let high = st.in_scope && !st.prohibited && st.high_full();
    let flag_a = f.art25_own_name_on_high_risk_system == Some(true);
    let derived_a = f.uses_third_party_system == Some(true)
        && f.offered_or_put_into_service_under_own_name == Some(true)
        && f.developed_or_commissioned_by_us != Some(true);
    let flag_b = f.art25_substantial_modification == Some(true);
    let flag_c = f.art25_intended_purpose_changed_to_high_risk == Some(true);
    let developed = f.developed_or_commissioned_by_us == Some(true);
    if high && (flag_a || derived_a || flag_b || flag_c) {
        st.role = Role::Provider;
        let (rule, text) = if flag_c {
            (
                &table::C5,
                "Sie setzen ein KI-System für einen Hochrisiko-Zweck ein, den der Hersteller nicht vorgesehen hat: Sie gelten als Anbieter",
            )
        } else if flag_b {
            (
                &table::C4,
                "Wesentliche Veränderung eines Hochrisiko-KI-Systems: Sie gelten als Anbieter",
            )
        } else {
            (
                &table::C3,
                "Hochrisiko-KI-System eines anderen Herstellers unter eigenem Namen oder eigener Marke: Sie gelten als Anbieter",
            )
        };
        st.art25 =
            u8::from(flag_a || derived_a) | (u8::from(flag_b) << 1) | (u8::from(flag_c) << 2);
        st.say(rule, text);
    } else {
        if st.in_scope && (flag_a || flag_b || flag_c) {
            let why = if st.annex_i == Some(AnnexISection::B) {
                "Art. 25 gilt nicht für Produkte nach Anhang I Abschnitt B"
            } else {
                "es wurde kein Hochrisiko-Einsatz festgestellt"
            };
            st.flag(
                &table::C_NO_FLIP,
                format!(
                    "Angabe zur Anbieterrolle nach Art. 25 ohne Folge, weil {why}; bitte prüfen"
                ),
            );
        }
        if developed && f.offered_or_put_into_service_under_own_name != Some(false) {
            st.role = Role::Provider;
            st.say(&table::C1, "Eigenentwicklung bzw. in Auftrag gegeben und unter eigenem Namen angeboten oder selbst eingesetzt: Sie sind Anbieter");
        } else {
            st.role = Role::Deployer;
            st.say(
                &table::C2,
                "Sie setzen das KI-System in eigener Verantwortung ein: Sie sind Betreiber",
            );
        }
    }
    st.own_use = st.role == Role::Deployer
        || flag_c && st.art25 & 4 != 0
        || f.also_used_in_own_operations == Some(true);
    if st.role == Role::Provider && st.own_use {
        st.say(
            &table::C_OWN_USE,
            "Sie nutzen das System auch selbst: zusätzlich gelten die Betreiberpflichten",
        );
    }
    st.reasons.split_off(start)
}
