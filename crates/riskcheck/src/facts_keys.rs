//! The key table of aiact-facts.md §1: key name → field and JSON type.
//!
//! One macro invocation lists every key once, so the parser and the list of
//! known keys ([`KNOWN_KEYS`], used by the questionnaire tests) cannot drift.

use serde_json::Value;

use crate::error::FactsError;
use crate::facts::{Facts, annex_iii, b, e, l, s};
use crate::vocab::{
    AffectedPerson, AnnexISection, Art63Condition, Attribute, BiometricMode, ComputeShare, Country,
    EmotionContext, InsuranceType, OrgSize, ProcessorLocation, Vulnerability,
};

macro_rules! key_table {
    (
        bool: [$($bk:ident),* $(,)?],
        string: [$($sk:ident),* $(,)?],
        enums: [$($ek:ident : $et:ident),* $(,)?],
        lists: [$($lk:ident : $lt:ident),* $(,)?],
    ) => {
        /// Every key the schema defines, so tools can validate references to keys.
        pub const KNOWN_KEYS: &[&str] = &[
            $(stringify!($bk),)* $(stringify!($sk),)* $(stringify!($ek),)* $(stringify!($lk),)*
            "annex_iii_point",
        ];

        /// Stores one key/value pair, or records the key as unknown.
        pub(crate) fn assign(f: &mut Facts, k: &str, v: &Value) -> Result<(), FactsError> {
            match k {
                $(stringify!($bk) => f.$bk = b(k, v)?,)*
                $(stringify!($sk) => f.$sk = s(k, v)?,)*
                $(stringify!($ek) => f.$ek = e(k, v, $et::parse, $et::allowed)?,)*
                $(stringify!($lk) => f.$lk = l(k, v, $lt::parse, $lt::allowed)?,)*
                "annex_iii_point" => f.annex_iii_point = annex_iii(k, v)?,
                _ => f.unknown_keys.push(k.to_owned()),
            }
            Ok(())
        }
    };
}

key_table! {
    bool: [
        is_ai_system, rule_based_only, uses_third_party_system, developed_or_commissioned_by_us,
        offered_or_put_into_service_under_own_name, art25_own_name_on_high_risk_system,
        art25_intended_purpose_changed_to_high_risk, art25_substantial_modification, public_body,
        provides_public_service, significant_harm_likely, manipulative_or_deceptive_techniques,
        social_scoring, detrimental_treatment_unrelated_context,
        detrimental_treatment_disproportionate, predicts_crime_solely_from_profiling,
        untargeted_face_scraping, infers_emotions_from_biometrics, medical_or_safety_purpose,
        detects_physical_state_fatigue, biometric_data, remote, realtime,
        publicly_accessible_space, law_enforcement, generates_ncii_of_identifiable_persons,
        consent_checked, generates_csam, annex_i_product, safety_function,
        failure_endangers_health_safety, third_party_conformity_required,
        subjects_are_natural_persons, fraud_detection_only, judicial_authority_or_adr,
        targeting_by_ai, task_allocation_based_on_individual_traits, used_for_employee_evaluation,
        used_for_teacher_evaluation, profiling_natural_persons, materially_influences_decision,
        interacts_directly_with_natural_persons, human_sends_reply, ai_nature_obvious,
        human_persona, human_like_voice, generates_synthetic_content,
        placed_on_market_before_2026_08_02, built_on_gpai_api, gpai_model_provider,
        output_is_deepfake, realistic, resembles_existing_persons_places_objects_events,
        evidently_artistic_or_fictional, publishes_ai_text_on_public_interest,
        human_editorial_review_and_responsibility, processes_personal_data,
        special_category_data, solely_automated_decision_legal_or_similar_effect,
        external_processor, third_country_transfer, acts_as_processor_for_customers,
        employees_monitored, works_council_exists, also_used_in_own_operations,
        used_professionally_in_eu, personal_non_professional_use_only,
        military_or_national_security_only, pre_market_research_only,
        large_scale_special_category, large_scale_public_monitoring, legacy_high_risk_unchanged,
    ],
    string: [purpose, annex_i_legislation],
    enums: [
        country: Country, org_size: OrgSize, exploits_vulnerability: Vulnerability,
        emotion_context: EmotionContext, biometric_mode: BiometricMode,
        annex_i_section: AnnexISection, insurance_type: InsuranceType,
        art6_3_condition: Art63Condition, vendor_claims_art6_3: Art63Condition,
        gpai_modification_compute_share: ComputeShare, processor_location: ProcessorLocation,
    ],
    lists: [affected_persons: AffectedPerson, sensitive_attributes_inferred: Attribute],
}
