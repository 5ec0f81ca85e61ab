//! Step 1: normalisation of overlapping keys (aiact-facts.md §2).
//!
//! Derived values are computed once here so that every later step reads the
//! same interpretation. Where keys conflict, the protective reading wins and
//! `needs_review` is set.

use super::State;
use super::table;
use crate::vocab::{AffectedPerson, BiometricMode, EmotionContext, ProcessorLocation};

/// Values derived from several keys.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Derived {
    /// `biometric_data` after implication by the specific biometric keys.
    pub biometric_data: bool,
    /// Emotion context and whether it was a "weiß nicht" fallback.
    pub emotion_ctx: Option<EmotionContext>,
    pub emotion_ctx_fallback: bool,
    /// Any Art. 5(1)(g) attribute is inferred.
    pub sensitive: bool,
    /// Art. 9 GDPR data (explicit, unique-identification biometrics, or inferred).
    pub special: bool,
    /// An external processor is involved.
    pub external: bool,
    /// A third-country transfer takes place, and whether keys conflicted.
    pub third_country: bool,
    pub transfer_conflict: bool,
}

pub(crate) fn run(st: &mut State<'_>) {
    let f = st.f;
    for k in &f.unknown_keys {
        st.say(
            &table::IN_UNKNOWN,
            format!("Unbekanntes Merkmal ignoriert: {k}"),
        );
    }
    if let Some(p) = f.purpose.as_deref().filter(|p| !p.trim().is_empty()) {
        st.say(
            &table::IN_PURPOSE,
            format!("Angegebener Einsatzzweck: „{p}“"),
        );
    }
    let specific = f.infers_emotions_from_biometrics == Some(true)
        || f.biometric_mode.is_some()
        || f.untargeted_face_scraping == Some(true);
    if f.biometric_data == Some(false) && specific {
        st.flag(
            &table::A_CONFLICT,
            "Widersprüchliche Angaben: „keine biometrischen Daten“, aber biometrische Funktionen \
             angegeben; die konkreten Angaben gehen vor",
        );
    }
    let mut d = Derived {
        biometric_data: specific || f.biometric_data == Some(true),
        sensitive: f
            .sensitive_attributes_inferred
            .iter()
            .any(|a| a.is_sensitive()),
        ..Derived::default()
    };
    d.emotion_ctx = f
        .emotion_context
        .or_else(|| emotion_ctx_from(&f.affected_persons));
    if d.emotion_ctx.is_none() {
        d.emotion_ctx = Some(EmotionContext::Workplace);
        d.emotion_ctx_fallback = true;
    }
    d.special = f.special_category_data == Some(true)
        || matches!(
            f.biometric_mode,
            Some(BiometricMode::Verification | BiometricMode::Identification)
        )
        || d.sensitive;
    d.external = f.external_processor == Some(true) || f.processor_location.is_some();
    let non_eu = f
        .processor_location
        .is_some_and(|l| l != ProcessorLocation::Eu);
    d.third_country = f.third_country_transfer == Some(true) || non_eu;
    d.transfer_conflict = f.third_country_transfer == Some(false) && non_eu;
    st.d = d;
}

/// Derives the emotion context from the affected persons (aiact-facts.md §2).
fn emotion_ctx_from(persons: &[AffectedPerson]) -> Option<EmotionContext> {
    use AffectedPerson as P;
    if persons.iter().any(|p| {
        matches!(
            p,
            P::Employees | P::Applicants | P::PotentialApplicants | P::Teachers
        )
    }) {
        Some(EmotionContext::Workplace)
    } else if persons.contains(&P::Students) {
        Some(EmotionContext::Education)
    } else if persons.is_empty() {
        None
    } else {
        Some(EmotionContext::Customers)
    }
}
