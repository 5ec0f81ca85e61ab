//! Table-driven regression suite: each case cites the article that decides it.
//!
//! Facts are merged onto a base of `{"is_ai_system": true, "annex_iii_point": null}`
//! unless the case sets `raw`, so cases only state what matters. The suite
//! compares risk class, role, the set of tags (aiact-facts.md §4) and, where
//! given, `needs_review` and applies-from dates.

use std::collections::BTreeSet;

use riskcheck::{RiskClass::*, Role::*, evaluate};
use serde_json::{Value, json};

struct Case {
    name: &'static str,
    cite: &'static str,
    facts: Value,
    raw: bool,
    class: riskcheck::RiskClass,
    role: riskcheck::Role,
    tags: &'static [&'static str],
    review: Option<bool>,
    date: Option<(&'static str, &'static str)>,
}

fn c(
    name: &'static str,
    cite: &'static str,
    facts: Value,
    class: riskcheck::RiskClass,
    role: riskcheck::Role,
    tags: &'static [&'static str],
    review: Option<bool>,
) -> Case {
    Case {
        name,
        cite,
        facts,
        raw: false,
        class,
        role,
        tags,
        review,
        date: None,
    }
}

impl Case {
    fn raw(mut self) -> Self {
        self.raw = true;
        self
    }
    fn date(mut self, tag: &'static str, d: &'static str) -> Self {
        self.date = Some((tag, d));
        self
    }
}

const L4: &str = "art4_literacy";
const P5: &[&str] = &["art5_cease_use"];
const D_HR: &[&str] = &[
    "art4_literacy",
    "art26_deployer_duties",
    "art26_11_affected_person_notice",
];
/// Biometric high-risk cases also process personal data (aiact-facts.md §1.7: biometric_data ⇒ personal data; high-risk ⇒ DPIA).
const BIO_EMO: &[&str] = &[
    "art4_literacy",
    "art26_deployer_duties",
    "art26_11_affected_person_notice",
    "art50_emotion_biometric_notice",
    "gdpr_baseline",
    "gdpr_art35_dpia",
];
const BIO_ID: &[&str] = &[
    "art4_literacy",
    "art26_deployer_duties",
    "art26_11_affected_person_notice",
    "gdpr_baseline",
    "gdpr_art9_special",
    "gdpr_art35_dpia",
];
const D_HR_FRIA: &[&str] = &[
    "art4_literacy",
    "art26_deployer_duties",
    "art26_11_affected_person_notice",
    "art27_fria",
];

#[allow(clippy::too_many_lines)]
fn cases() -> Vec<Case> {
    vec![
        // ---- Art. 5 ----
        c("manipulation with harm", "Art. 5(1)(a)", json!({"manipulative_or_deceptive_techniques": true, "significant_harm_likely": true}), Prohibited, Deployer, P5, Some(false)),
        c("manipulation, harm unknown", "Art. 5(1)(a)", json!({"manipulative_or_deceptive_techniques": true}), Prohibited, Deployer, P5, Some(true)),
        c("manipulation without harm", "Art. 5(1)(a)", json!({"manipulative_or_deceptive_techniques": true, "significant_harm_likely": false}), Minimal, Deployer, &[L4], Some(false)),
        c("exploits over-indebtedness", "Art. 5(1)(b)", json!({"exploits_vulnerability": "specific_economic_situation", "significant_harm_likely": true}), Prohibited, Deployer, P5, Some(false)),
        c("exploits age, harm unknown", "Art. 5(1)(b)", json!({"exploits_vulnerability": "age"}), Prohibited, Deployer, P5, Some(true)),
        c("social score unrelated context", "Art. 5(1)(c)(i)", json!({"social_scoring": true, "detrimental_treatment_unrelated_context": true}), Prohibited, Deployer, P5, Some(false)),
        c("social score disproportionate", "Art. 5(1)(c)(ii)", json!({"social_scoring": true, "detrimental_treatment_unrelated_context": false, "detrimental_treatment_disproportionate": true}), Prohibited, Deployer, P5, Some(false)),
        c("social score without detriment", "Art. 5(1)(c)", json!({"social_scoring": true, "detrimental_treatment_unrelated_context": false, "detrimental_treatment_disproportionate": false}), Minimal, Deployer, &[L4], Some(false)),
        c("social score detriment unknown", "Art. 5(1)(c)", json!({"social_scoring": true}), Prohibited, Deployer, P5, Some(true)),
        c("crime prediction by profiling", "Art. 5(1)(d)", json!({"predicts_crime_solely_from_profiling": true}), Prohibited, Deployer, P5, Some(false)),
        c("face scraping", "Art. 5(1)(e)", json!({"untargeted_face_scraping": true}), Prohibited, Deployer, P5, Some(false)),
        c("emotions at the workplace", "Art. 5(1)(f)", json!({"infers_emotions_from_biometrics": true, "emotion_context": "workplace"}), Prohibited, Deployer, P5, Some(false)).date("art5_cease_use", "2025-02-02"),
        c("emotions in education", "Art. 5(1)(f)", json!({"infers_emotions_from_biometrics": true, "emotion_context": "education"}), Prohibited, Deployer, P5, Some(false)),
        c("emotions of applicants (derived)", "Art. 5(1)(f)", json!({"infers_emotions_from_biometrics": true, "affected_persons": ["applicants"]}), Prohibited, Deployer, P5, Some(false)),
        c("emotions, context unknown", "Art. 5(1)(f)", json!({"infers_emotions_from_biometrics": true}), Prohibited, Deployer, P5, Some(true)),
        c("emotions workplace, safety purpose", "Art. 5(1)(f) exception; Annex III 1(c)", json!({"infers_emotions_from_biometrics": true, "emotion_context": "workplace", "medical_or_safety_purpose": true}), High, Deployer, BIO_EMO, Some(false)),
        c("emotions of customers", "Annex III 1(c); Art. 50(3)", json!({"infers_emotions_from_biometrics": true, "emotion_context": "customers"}), High, Deployer, BIO_EMO, Some(false)),
        c("fatigue detection only", "Recital 18; Art. 3(39)", json!({"detects_physical_state_fatigue": true}), Minimal, Deployer, &[L4], Some(false)),
        c("biometric categorisation by politics", "Art. 5(1)(g)", json!({"biometric_mode": "categorisation", "sensitive_attributes_inferred": ["political_opinion"]}), Prohibited, Deployer, P5, Some(false)),
        c("sensitive categorisation in law enforcement", "Art. 5(1)(g) exception; Annex III 1(b); Art. 9 GDPR", json!({"biometric_mode": "categorisation", "sensitive_attributes_inferred": ["religion"], "law_enforcement": true}), High, Deployer, BIO_ID, Some(true)),
        c("categorisation by age only", "Annex III 1(b); Art. 50(3)", json!({"biometric_mode": "categorisation", "sensitive_attributes_inferred": ["age"]}), High, Deployer, BIO_EMO, Some(false)),
        c("real-time RBI for police", "Art. 5(1)(h)", json!({"biometric_mode": "identification_1toN", "remote": true, "realtime": true, "publicly_accessible_space": true, "law_enforcement": true}), Prohibited, Deployer, P5, Some(true)),
        c("nudifier", "Art. 5(1)(ba)", json!({"generates_ncii_of_identifiable_persons": true}), Prohibited, Deployer, P5, Some(false)).date("art5_cease_use", "2026-12-02"),
        c("nudifier with consent check", "Art. 5(1a)", json!({"generates_ncii_of_identifiable_persons": true, "consent_checked": true}), Minimal, Deployer, &[L4], Some(true)),
        c("CSAM generation", "Art. 5(1)(bb)", json!({"generates_csam": true}), Prohibited, Deployer, P5, Some(false)).date("art5_cease_use", "2026-12-02"),
        c("prohibited suppresses GDPR tags", "Art. 5(1)(e); aiact-facts §3 step 4", json!({"untargeted_face_scraping": true, "processes_personal_data": true, "works_council_exists": true}), Prohibited, Deployer, P5, Some(false)),
        // ---- Annex III ----
        c("remote biometric identification", "Annex III 1(a)", json!({"biometric_mode": "identification_1toN", "remote": true}), High, Deployer, BIO_ID, Some(false)),
        c("1:N, remoteness unknown", "Annex III 1(a); Art. 3(41)", json!({"biometric_mode": "identification_1toN"}), High, Deployer, BIO_ID, Some(true)),
        c("1:1 verification door access", "Annex III 1(a) excl.; Art. 9, 35 GDPR", json!({"biometric_mode": "verification_1to1", "annex_iii_point": "1(a)", "processes_personal_data": true}), Minimal, Deployer, &["art4_literacy", "gdpr_baseline", "gdpr_art9_special", "gdpr_art35_dpia"], Some(false)),
        c("critical infrastructure safety", "Annex III 2; Art. 27(1) excl.", json!({"annex_iii_point": "2", "safety_function": true}), High, Deployer, &["art4_literacy", "art26_deployer_duties"], Some(false)),
        c("critical infrastructure, no safety function", "Annex III 2", json!({"annex_iii_point": "2", "safety_function": false}), Minimal, Deployer, &[L4], Some(false)),
        c("critical infrastructure, safety unknown", "Annex III 2", json!({"annex_iii_point": "2"}), High, Deployer, &["art4_literacy", "art26_deployer_duties"], Some(true)),
        c("admission to education", "Annex III 3(a)", json!({"annex_iii_point": "3(a)"}), High, Deployer, D_HR, Some(false)),
        c("grading exams", "Annex III 3(b)", json!({"annex_iii_point": "3(b)"}), High, Deployer, D_HR, Some(false)),
        c("placement test", "Annex III 3(c)", json!({"annex_iii_point": "3(c)"}), High, Deployer, D_HR, Some(false)),
        c("proctoring", "Annex III 3(d)", json!({"annex_iii_point": "3(d)"}), High, Deployer, D_HR, Some(false)).date("art26_deployer_duties", "2027-12-02"),
        c("CV screening", "Annex III 4(a)", json!({"annex_iii_point": "4(a)", "affected_persons": ["applicants"]}), High, Deployer, D_HR, Some(false)),
        c("targeted job ads (qualifier)", "Annex III 4(a)", json!({"targeting_by_ai": true}), High, Deployer, D_HR, Some(false)),
        c("employee evaluation (qualifier)", "Annex III 4(b); Art. 26(7)", json!({"used_for_employee_evaluation": true, "affected_persons": ["employees"]}), High, Deployer, &["art4_literacy", "art26_deployer_duties", "art26_7_worker_information", "art26_11_affected_person_notice"], Some(false)),
        c("tour allocation by traits", "Annex III 4(b)", json!({"task_allocation_based_on_individual_traits": true, "employees_monitored": true}), High, Deployer, &["art4_literacy", "art26_deployer_duties", "art26_7_worker_information", "art26_11_affected_person_notice"], Some(false)),
        c("teacher evaluation", "Annex III 4(b); Art. 26(7)", json!({"used_for_teacher_evaluation": true, "affected_persons": ["teachers"]}), High, Deployer, &["art4_literacy", "art26_deployer_duties", "art26_7_worker_information", "art26_11_affected_person_notice"], Some(false)),
        c("public benefits for authority", "Annex III 5(a); Art. 27(1)", json!({"annex_iii_point": "5(a)", "public_body": true}), High, Deployer, D_HR_FRIA, Some(false)),
        c("consumer credit scoring", "Annex III 5(b); Art. 27(1)", json!({"annex_iii_point": "5(b)"}), High, Deployer, D_HR_FRIA, Some(false)),
        c("credit scoring of companies only", "Annex III 5(b)", json!({"annex_iii_point": "5(b)", "subjects_are_natural_persons": false}), Minimal, Deployer, &[L4], Some(false)),
        c("fraud detection only", "Annex III 5(b) exception", json!({"annex_iii_point": "5(b)", "fraud_detection_only": true}), Minimal, Deployer, &[L4], Some(false)),
        c("life insurance pricing", "Annex III 5(c); Art. 27(1)", json!({"annex_iii_point": "5(c)", "insurance_type": "life"}), High, Deployer, D_HR_FRIA, Some(false)),
        c("motor insurance pricing", "Annex III 5(c)", json!({"annex_iii_point": "5(c)", "insurance_type": "motor"}), Minimal, Deployer, &[L4], Some(false)),
        c("emergency triage, private", "Annex III 5(d); Art. 27(1)", json!({"annex_iii_point": "5(d)"}), High, Deployer, D_HR, Some(false)),
        c("emergency dispatch, public service", "Annex III 5(d); Art. 27(1)", json!({"annex_iii_point": "5(d)", "provides_public_service": true}), High, Deployer, D_HR_FRIA, Some(false)),
        c("victim risk for police", "Annex III 6(a)", json!({"annex_iii_point": "6(a)", "law_enforcement": true}), High, Deployer, D_HR, Some(false)),
        c("polygraph for police", "Annex III 6(b)", json!({"annex_iii_point": "6(b)", "law_enforcement": true}), High, Deployer, D_HR, Some(false)),
        c("evidence reliability", "Annex III 6(c)", json!({"annex_iii_point": "6(c)", "law_enforcement": true}), High, Deployer, D_HR, Some(false)),
        c("re-offending risk", "Annex III 6(d)", json!({"annex_iii_point": "6(d)", "law_enforcement": true}), High, Deployer, D_HR, Some(false)),
        c("profiling in investigations", "Annex III 6(e)", json!({"annex_iii_point": "6(e)", "law_enforcement": true}), High, Deployer, D_HR, Some(false)),
        c("area 6 without law enforcement", "Annex III 6", json!({"annex_iii_point": "6(a)", "law_enforcement": false}), High, Deployer, D_HR, Some(true)),
        c("migration polygraph", "Annex III 7(a)", json!({"annex_iii_point": "7(a)", "public_body": true}), High, Deployer, D_HR_FRIA, Some(false)),
        c("migration risk assessment", "Annex III 7(b)", json!({"annex_iii_point": "7(b)"}), High, Deployer, D_HR, Some(false)),
        c("asylum applications", "Annex III 7(c)", json!({"annex_iii_point": "7(c)"}), High, Deployer, D_HR, Some(false)),
        c("border identification", "Annex III 7(d)", json!({"annex_iii_point": "7(d)"}), High, Deployer, D_HR, Some(false)),
        c("court assistance", "Annex III 8(a)", json!({"annex_iii_point": "8(a)", "judicial_authority_or_adr": true}), High, Deployer, D_HR, Some(false)),
        c("own contract review", "Annex III 8(a)", json!({"annex_iii_point": "8(a)", "judicial_authority_or_adr": false}), Minimal, Deployer, &[L4], Some(false)),
        c("election influence", "Annex III 8(b)", json!({"annex_iii_point": ["8(b)"]}), High, Deployer, D_HR, Some(false)),
        // ---- Art. 6(3) ----
        c("derogation (a) deployer", "Art. 6(3)(a)", json!({"annex_iii_point": "4(a)", "art6_3_condition": "a", "profiling_natural_persons": false, "materially_influences_decision": false}), Minimal, Deployer, &[L4], Some(false)),
        c("derogation (b) deployer", "Art. 6(3)(b)", json!({"annex_iii_point": "4(b)", "art6_3_condition": "b", "profiling_natural_persons": false, "materially_influences_decision": false}), Minimal, Deployer, &[L4], Some(false)),
        c("derogation (c) deployer", "Art. 6(3)(c)", json!({"annex_iii_point": "3(b)", "art6_3_condition": "c", "profiling_natural_persons": false, "materially_influences_decision": false}), Minimal, Deployer, &[L4], Some(false)),
        c("derogation (d) provider", "Art. 6(3)(d), 6(4), 49(2)", json!({"annex_iii_point": "4(a)", "art6_3_condition": "d", "profiling_natural_persons": false, "materially_influences_decision": false, "developed_or_commissioned_by_us": true}), Minimal, Provider, &["art4_literacy", "art6_4_documentation", "art49_2_registration"], Some(false)),
        c("profiling overrides derogation", "Art. 6(3) subpara 3", json!({"annex_iii_point": "4(a)", "art6_3_condition": "d", "profiling_natural_persons": true, "materially_influences_decision": false}), High, Deployer, D_HR, Some(false)),
        c("profiling unknown", "Art. 6(3) subpara 3", json!({"annex_iii_point": "4(a)", "art6_3_condition": "a", "materially_influences_decision": false}), High, Deployer, D_HR, Some(true)),
        c("material influence", "Art. 6(3) subpara 1", json!({"annex_iii_point": "4(a)", "art6_3_condition": "a", "profiling_natural_persons": false, "materially_influences_decision": true}), High, Deployer, D_HR, Some(false)),
        c("material influence unknown", "Art. 6(3) subpara 1", json!({"annex_iii_point": "4(a)", "art6_3_condition": "a", "profiling_natural_persons": false}), High, Deployer, D_HR, Some(true)),
        c("vendor claim not convincing", "Art. 6(3), 6(4)", json!({"annex_iii_point": "4(a)", "vendor_claims_art6_3": "d"}), High, Deployer, D_HR, Some(true)),
        // ---- Art. 25 and roles ----
        c("white label flag", "Art. 25(1)(a)", json!({"annex_iii_point": "4(a)", "art25_own_name_on_high_risk_system": true}), High, Provider, &["art4_literacy", "art25_provider_obligations"], Some(false)),
        c("white label derived", "Art. 25(1)(a)", json!({"annex_iii_point": "5(b)", "uses_third_party_system": true, "offered_or_put_into_service_under_own_name": true}), High, Provider, &["art4_literacy", "art25_provider_obligations"], Some(false)),
        c("substantial modification", "Art. 25(1)(b)", json!({"annex_iii_point": "3(b)", "art25_substantial_modification": true}), High, Provider, &["art4_literacy", "art25_provider_obligations"], Some(false)),
        c("GPT repurposed to rank applicants", "Art. 25(1)(c)", json!({"annex_iii_point": "4(a)", "uses_third_party_system": true, "art25_intended_purpose_changed_to_high_risk": true}), High, Provider, &["art4_literacy", "art25_provider_obligations", "art26_deployer_duties", "art26_11_affected_person_notice"], Some(false)),
        c("Art. 25 flag without high-risk", "Art. 25(1)", json!({"art25_intended_purpose_changed_to_high_risk": true}), Minimal, Deployer, &[L4], Some(true)),
        c("original provider high-risk", "Art. 3(3), 16", json!({"annex_iii_point": "4(a)", "developed_or_commissioned_by_us": true}), High, Provider, &["art4_literacy", "art16_provider_high_risk"], Some(false)),
        c("provider also using it", "Art. 16, 26", json!({"annex_iii_point": "4(a)", "developed_or_commissioned_by_us": true, "also_used_in_own_operations": true}), High, Provider, &["art4_literacy", "art16_provider_high_risk", "art26_deployer_duties", "art26_11_affected_person_notice"], Some(false)),
        c("developed but not under own name", "Art. 3(3)", json!({"developed_or_commissioned_by_us": true, "offered_or_put_into_service_under_own_name": false}), Minimal, Deployer, &[L4], Some(false)),
        // ---- Art. 50 ----
        c("vendor chatbot (deployer)", "Art. 50(1)", json!({"interacts_directly_with_natural_persons": true}), Limited, Deployer, &["art4_literacy", "art50_chatbot_disclosure"], Some(false)),
        c("own chatbot on API (provider)", "Art. 50(1), 50(2)", json!({"interacts_directly_with_natural_persons": true, "developed_or_commissioned_by_us": true, "generates_synthetic_content": true, "built_on_gpai_api": true}), Limited, Provider, &["art4_literacy", "art50_chatbot_disclosure", "art50_synthetic_marking"], Some(false)).date("art50_synthetic_marking", "2026-08-02"),
        c("legacy generative system", "Art. 50(2); Art. 111(4)", json!({"developed_or_commissioned_by_us": true, "generates_synthetic_content": true, "placed_on_market_before_2026_08_02": true}), Limited, Provider, &["art4_literacy", "art50_synthetic_marking"], Some(false)).date("art50_synthetic_marking", "2026-12-02"),
        c("deployer generating text: no marking duty", "Art. 50(2)", json!({"generates_synthetic_content": true}), Minimal, Deployer, &[L4], Some(false)),
        c("obviously a bot", "Art. 50(1) exception", json!({"interacts_directly_with_natural_persons": true, "ai_nature_obvious": true}), Minimal, Deployer, &[L4], Some(false)),
        c("obvious but human persona", "Art. 50(1)", json!({"interacts_directly_with_natural_persons": true, "ai_nature_obvious": true, "human_persona": true}), Limited, Deployer, &["art4_literacy", "art50_chatbot_disclosure"], Some(false)),
        c("voicebot with human voice", "Art. 50(1)", json!({"interacts_directly_with_natural_persons": true, "ai_nature_obvious": true, "human_like_voice": true}), Limited, Deployer, &["art4_literacy", "art50_chatbot_disclosure"], Some(false)),
        c("human sends every reply", "Art. 50(1); Guidelines pt. 30", json!({"interacts_directly_with_natural_persons": true, "human_sends_reply": true}), Minimal, Deployer, &[L4], Some(false)),
        c("deepfake derived", "Art. 50(4) subpara 1; Art. 3(60)", json!({"realistic": true, "resembles_existing_persons_places_objects_events": true}), Limited, Deployer, &["art4_literacy", "art50_deepfake_label"], Some(false)),
        c("deepfake denied but components true", "Art. 50(4) subpara 1", json!({"output_is_deepfake": false, "realistic": true, "resembles_existing_persons_places_objects_events": true}), Limited, Deployer, &["art4_literacy", "art50_deepfake_label"], Some(true)),
        c("artistic deepfake still labelled", "Art. 50(4) subpara 1 sentence 3", json!({"output_is_deepfake": true, "evidently_artistic_or_fictional": true}), Limited, Deployer, &["art4_literacy", "art50_deepfake_label"], Some(false)),
        c("stylised images, no deepfake", "Art. 3(60)", json!({"realistic": false, "resembles_existing_persons_places_objects_events": true}), Minimal, Deployer, &[L4], Some(false)),
        c("public-interest AI text", "Art. 50(4) subpara 2", json!({"publishes_ai_text_on_public_interest": true}), Limited, Deployer, &["art4_literacy", "art50_public_interest_text_label"], Some(false)),
        c("public-interest text with editor", "Art. 50(4) subpara 2 exception", json!({"publishes_ai_text_on_public_interest": true, "human_editorial_review_and_responsibility": true}), Minimal, Deployer, &[L4], Some(false)),
        c("Art. 50 cumulative with high-risk", "Art. 50(6); Annex III 4(a)", json!({"annex_iii_point": "4(a)", "interacts_directly_with_natural_persons": true}), High, Deployer, &["art4_literacy", "art26_deployer_duties", "art26_11_affected_person_notice", "art50_chatbot_disclosure"], Some(false)),
        // ---- Annex I ----
        c("medical device, section A", "Art. 6(1); Annex I A", json!({"annex_i_product": true, "annex_i_section": "A", "third_party_conformity_required": true}), High, Deployer, &["art4_literacy", "art26_deployer_duties"], Some(false)).date("art26_deployer_duties", "2028-08-02"),
        c("machinery, section B", "Art. 2(2), 6(1); Annex I B", json!({"annex_i_legislation": "VO (EU) 2023/1230", "annex_i_section": "B", "third_party_conformity_required": true, "interacts_directly_with_natural_persons": true}), High, Deployer, &["annex_i_sectoral_conformity"], Some(false)),
        c("Annex I quality control only", "Art. 6(1a)", json!({"annex_i_product": true, "safety_function": false, "annex_i_section": "A", "third_party_conformity_required": true}), Minimal, Deployer, &[L4], Some(false)),
        c("Annex I quality control, failure dangerous", "Art. 6(1b)", json!({"annex_i_product": true, "safety_function": false, "failure_endangers_health_safety": true, "annex_i_section": "A", "third_party_conformity_required": true}), High, Deployer, &["art4_literacy", "art26_deployer_duties"], Some(false)),
        c("Annex I without notified body", "Art. 6(1)(b)", json!({"annex_i_product": true, "annex_i_section": "A", "third_party_conformity_required": false}), Minimal, Deployer, &[L4], Some(false)),
        c("Annex I notified body unknown", "Art. 6(1)(b)", json!({"annex_i_product": true, "annex_i_section": "A"}), High, Deployer, &["art4_literacy", "art26_deployer_duties"], Some(true)),
        c("Annex I section unknown", "Annex I; Art. 2(2)", json!({"annex_i_product": true, "third_party_conformity_required": true, "developed_or_commissioned_by_us": true}), High, Provider, &["art4_literacy", "art16_provider_high_risk"], Some(true)).date("art16_provider_high_risk", "2028-08-02"),
        // ---- GDPR ----
        c("GDPR baseline", "Art. 5, 6, 13 GDPR", json!({"processes_personal_data": true}), Minimal, Deployer, &["art4_literacy", "gdpr_baseline"], Some(false)),
        c("health data", "Art. 9 GDPR", json!({"processes_personal_data": true, "special_category_data": true}), Minimal, Deployer, &["art4_literacy", "gdpr_baseline", "gdpr_art9_special"], Some(false)),
        c("automated rejection", "Art. 22 GDPR", json!({"processes_personal_data": true, "solely_automated_decision_legal_or_similar_effect": true}), Minimal, Deployer, &["art4_literacy", "gdpr_baseline", "gdpr_art22"], Some(false)),
        c("profiling + automated decision", "Art. 35(3)(a) GDPR", json!({"processes_personal_data": true, "solely_automated_decision_legal_or_similar_effect": true, "profiling_natural_persons": true}), Minimal, Deployer, &["art4_literacy", "gdpr_baseline", "gdpr_art22", "gdpr_art35_dpia"], Some(false)),
        c("US cloud processor", "Art. 28, 44-46 GDPR", json!({"processes_personal_data": true, "processor_location": "US"}), Minimal, Deployer, &["art4_literacy", "gdpr_baseline", "gdpr_art28_avv", "gdpr_art44_transfer"], Some(false)),
        c("EU cloud processor", "Art. 28 GDPR", json!({"processes_personal_data": true, "processor_location": "EU"}), Minimal, Deployer, &["art4_literacy", "gdpr_baseline", "gdpr_art28_avv"], Some(false)),
        c("transfer denied but US location", "Art. 44 GDPR", json!({"processes_personal_data": true, "processor_location": "US", "third_country_transfer": false}), Minimal, Deployer, &["art4_literacy", "gdpr_baseline", "gdpr_art28_avv", "gdpr_art44_transfer"], Some(true)),
        c("processor for customers", "Art. 28 GDPR", json!({"processes_personal_data": true, "acts_as_processor_for_customers": true, "special_category_data": true, "processor_location": "UK"}), Minimal, Deployer, &["art4_literacy", "gdpr_art28_avv", "gdpr_art44_transfer"], Some(false)),
        c("employee monitoring DPIA", "Art. 35(1) GDPR; WP 248", json!({"processes_personal_data": true, "employees_monitored": true}), Minimal, Deployer, &["art4_literacy", "gdpr_baseline", "gdpr_art35_dpia"], Some(false)),
        c("large-scale special data", "Art. 35(3)(b) GDPR", json!({"processes_personal_data": true, "large_scale_special_category": true}), Minimal, Deployer, &["art4_literacy", "gdpr_baseline", "gdpr_art35_dpia"], Some(false)),
        c("works council AT", "§§ 96, 96a ArbVG", json!({"processes_personal_data": true, "works_council_exists": true, "country": "AT"}), Minimal, Deployer, &["art4_literacy", "gdpr_baseline", "labour_law_codetermination"], Some(false)).date("labour_law_codetermination", "1974-07-01"),
        c("works council DE", "§ 87(1) Nr. 6 BetrVG", json!({"processes_personal_data": true, "works_council_exists": true, "country": "DE"}), Minimal, Deployer, &["art4_literacy", "gdpr_baseline", "labour_law_codetermination"], Some(false)).date("labour_law_codetermination", "1972-01-19"),
        c("high-risk with personal data → DPIA", "Art. 35(1) GDPR; Art. 26(9)", json!({"annex_iii_point": "4(a)", "processes_personal_data": true}), High, Deployer, &["art4_literacy", "art26_deployer_duties", "art26_11_affected_person_notice", "gdpr_baseline", "gdpr_art35_dpia"], Some(false)),
        c("personal data denied but biometrics", "Art. 4(1), 9 GDPR", json!({"processes_personal_data": false, "biometric_mode": "verification_1to1"}), Minimal, Deployer, &["art4_literacy", "gdpr_baseline", "gdpr_art9_special", "gdpr_art35_dpia"], Some(true)),
        c("no personal data", "Art. 2(1), 4(1) GDPR", json!({"processes_personal_data": false}), Minimal, Deployer, &[L4], Some(false)),
        // ---- Scope / AI system ----
        c("rule-based tool with personal data", "Art. 3(1) AI Act; Art. 22 GDPR", json!({"rule_based_only": true, "processes_personal_data": true, "solely_automated_decision_legal_or_similar_effect": true}), Minimal, Deployer, &["gdpr_baseline", "gdpr_art22"], Some(false)).raw(),
        c("not AI but generates deepfakes", "Art. 3(1)", json!({"is_ai_system": false, "output_is_deepfake": true, "annex_iii_point": null}), Limited, Deployer, &["art4_literacy", "art50_deepfake_label"], Some(true)).raw(),
        c("AI and rule-based at once", "Art. 3(1)", json!({"is_ai_system": true, "rule_based_only": true, "annex_iii_point": null}), Minimal, Deployer, &[L4], Some(true)).raw(),
        c("AI status unknown", "Art. 3(1)", json!({"annex_iii_point": null}), Minimal, Deployer, &[L4], Some(true)).raw(),
        c("Annex III question not asked", "Art. 6(2); aiact-facts §4", json!({"is_ai_system": true}), Minimal, Deployer, &[L4], Some(true)).raw(),
        c("not used professionally in the EU", "Art. 2(1)", json!({"used_professionally_in_eu": false, "processes_personal_data": true}), Minimal, Deployer, &["gdpr_baseline"], Some(false)),
        c("purely personal use", "Art. 2(10) AI Act; Art. 2(2)(c) GDPR", json!({"personal_non_professional_use_only": true, "processes_personal_data": true}), Minimal, Deployer, &[], Some(false)),
        c("GPAI model provider indicator", "Art. 53", json!({"gpai_model_provider": true}), Minimal, Deployer, &[L4], Some(true)),
    ]
}

#[test]
fn table_driven_cases() {
    let cases = cases();
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        assert!(!case.cite.is_empty(), "{}: missing cite", case.name);
        let mut facts = if case.raw {
            json!({})
        } else {
            json!({"is_ai_system": true, "annex_iii_point": null})
        };
        if let (Some(base), Some(extra)) = (facts.as_object_mut(), case.facts.as_object()) {
            for (k, v) in extra {
                base.insert(k.clone(), v.clone());
            }
        }
        let a = match evaluate(&facts) {
            Ok(a) => a,
            Err(e) => {
                failures.push(format!("{} ({}): input error {e}", case.name, case.cite));
                continue;
            }
        };
        let got: BTreeSet<&str> = a.obligations.iter().map(|o| o.tag.as_str()).collect();
        let want: BTreeSet<&str> = case.tags.iter().copied().collect();
        let mut problems = Vec::new();
        if a.risk_class != case.class {
            problems.push(format!("class {:?} != {:?}", a.risk_class, case.class));
        }
        if a.role != case.role {
            problems.push(format!("role {:?} != {:?}", a.role, case.role));
        }
        if got != want {
            problems.push(format!("tags {got:?} != {want:?}"));
        }
        if let Some(r) = case.review
            && a.needs_review != r
        {
            problems.push(format!("needs_review {} != {r}", a.needs_review));
        }
        if let Some((tag, date)) = case.date {
            let d = a
                .obligations
                .iter()
                .find(|o| o.tag.as_str() == tag)
                .map(|o| o.applies_from);
            if d != Some(date) {
                problems.push(format!("{tag} date {d:?} != {date}"));
            }
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{} ({}): {}\n    reasons: {:#?}",
                case.name,
                case.cite,
                problems.join("; "),
                a.reason_strings()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}
