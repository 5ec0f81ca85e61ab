//! Parsing and validation of the fact object (aiact-facts.md §0, §1).
//!
//! Every key is optional: `None` means "not established", and the rules apply
//! the per-key default (F, X, U, D, I). A wrong type or an unlisted enum value
//! is an input error; unknown keys are collected so that the engine can report
//! them as ignored (aiact-facts.md §0).

use serde_json::{Map, Value};

use crate::error::FactsError;
use crate::vocab::{
    AffectedPerson, AnnexISection, AnnexPoint, Art63Condition, Attribute, BiometricMode,
    ComputeShare, Country, EmotionContext, InsuranceType, OrgSize, ProcessorLocation,
    Vulnerability,
};

/// A set of Annex III points as a bit mask, cheap to copy and combine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PointSet(u32);

impl PointSet {
    /// Adds a point.
    pub fn insert(&mut self, p: AnnexPoint) {
        self.0 |= 1 << (p as u32);
    }
    /// Removes a point.
    pub fn remove(&mut self, p: AnnexPoint) {
        self.0 &= !(1 << (p as u32));
    }
    /// Membership test.
    pub fn contains(self, p: AnnexPoint) -> bool {
        self.0 & (1 << (p as u32)) != 0
    }
    /// True if no point is set.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    /// Points in schema order.
    pub fn iter(self) -> impl Iterator<Item = AnnexPoint> {
        AnnexPoint::ALL
            .iter()
            .map(|(p, _)| *p)
            .filter(move |p| self.contains(*p))
    }
    /// Comma-separated JSON spellings, e.g. "4(a), 4(b)".
    pub fn list(self) -> String {
        self.iter()
            .map(AnnexPoint::as_str)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// The answer to the Annex III question: absent = not asked, `null` = none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum AnnexIiiAnswer {
    /// Key absent: the question was not asked.
    #[default]
    NotAsked,
    /// `null` or `[]`: "keines davon".
    NoneOfThem,
    /// One or more sub-points.
    Points(PointSet),
}

/// All fact keys of aiact-facts.md §1, each `None` when absent or `null`.
#[allow(missing_docs)]
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub country: Option<Country>,
    pub is_ai_system: Option<bool>,
    pub rule_based_only: Option<bool>,
    pub org_size: Option<OrgSize>,
    pub purpose: Option<String>,
    pub uses_third_party_system: Option<bool>,
    pub developed_or_commissioned_by_us: Option<bool>,
    pub offered_or_put_into_service_under_own_name: Option<bool>,
    pub art25_own_name_on_high_risk_system: Option<bool>,
    pub art25_intended_purpose_changed_to_high_risk: Option<bool>,
    pub art25_substantial_modification: Option<bool>,
    pub public_body: Option<bool>,
    pub provides_public_service: Option<bool>,
    pub affected_persons: Vec<AffectedPerson>,
    pub exploits_vulnerability: Option<Vulnerability>,
    pub significant_harm_likely: Option<bool>,
    pub manipulative_or_deceptive_techniques: Option<bool>,
    pub social_scoring: Option<bool>,
    pub detrimental_treatment_unrelated_context: Option<bool>,
    pub detrimental_treatment_disproportionate: Option<bool>,
    pub predicts_crime_solely_from_profiling: Option<bool>,
    pub untargeted_face_scraping: Option<bool>,
    pub infers_emotions_from_biometrics: Option<bool>,
    pub emotion_context: Option<EmotionContext>,
    pub medical_or_safety_purpose: Option<bool>,
    pub detects_physical_state_fatigue: Option<bool>,
    pub biometric_data: Option<bool>,
    pub biometric_mode: Option<BiometricMode>,
    pub remote: Option<bool>,
    pub realtime: Option<bool>,
    pub publicly_accessible_space: Option<bool>,
    pub law_enforcement: Option<bool>,
    pub sensitive_attributes_inferred: Vec<Attribute>,
    pub generates_ncii_of_identifiable_persons: Option<bool>,
    pub consent_checked: Option<bool>,
    pub generates_csam: Option<bool>,
    pub annex_i_product: Option<bool>,
    pub annex_i_legislation: Option<String>,
    pub annex_i_section: Option<AnnexISection>,
    pub safety_function: Option<bool>,
    pub failure_endangers_health_safety: Option<bool>,
    pub third_party_conformity_required: Option<bool>,
    pub annex_iii_point: AnnexIiiAnswer,
    pub subjects_are_natural_persons: Option<bool>,
    pub fraud_detection_only: Option<bool>,
    pub insurance_type: Option<InsuranceType>,
    pub judicial_authority_or_adr: Option<bool>,
    pub targeting_by_ai: Option<bool>,
    pub task_allocation_based_on_individual_traits: Option<bool>,
    pub used_for_employee_evaluation: Option<bool>,
    pub used_for_teacher_evaluation: Option<bool>,
    pub profiling_natural_persons: Option<bool>,
    pub art6_3_condition: Option<Art63Condition>,
    pub materially_influences_decision: Option<bool>,
    pub vendor_claims_art6_3: Option<Art63Condition>,
    pub interacts_directly_with_natural_persons: Option<bool>,
    pub human_sends_reply: Option<bool>,
    pub ai_nature_obvious: Option<bool>,
    pub human_persona: Option<bool>,
    pub human_like_voice: Option<bool>,
    pub generates_synthetic_content: Option<bool>,
    pub placed_on_market_before_2026_08_02: Option<bool>,
    pub built_on_gpai_api: Option<bool>,
    pub gpai_modification_compute_share: Option<ComputeShare>,
    pub gpai_model_provider: Option<bool>,
    pub output_is_deepfake: Option<bool>,
    pub realistic: Option<bool>,
    pub resembles_existing_persons_places_objects_events: Option<bool>,
    pub evidently_artistic_or_fictional: Option<bool>,
    pub publishes_ai_text_on_public_interest: Option<bool>,
    pub human_editorial_review_and_responsibility: Option<bool>,
    pub processes_personal_data: Option<bool>,
    pub special_category_data: Option<bool>,
    pub solely_automated_decision_legal_or_similar_effect: Option<bool>,
    pub external_processor: Option<bool>,
    pub processor_location: Option<ProcessorLocation>,
    pub third_country_transfer: Option<bool>,
    pub acts_as_processor_for_customers: Option<bool>,
    pub employees_monitored: Option<bool>,
    pub works_council_exists: Option<bool>,
    pub also_used_in_own_operations: Option<bool>,
    pub used_professionally_in_eu: Option<bool>,
    pub personal_non_professional_use_only: Option<bool>,
    pub military_or_national_security_only: Option<bool>,
    pub pre_market_research_only: Option<bool>,
    pub large_scale_special_category: Option<bool>,
    pub large_scale_public_monitoring: Option<bool>,
    pub legacy_high_risk_unchanged: Option<bool>,
    /// Keys that are not in the schema; reported as ignored.
    pub unknown_keys: Vec<String>,
}

impl Facts {
    /// Parses a JSON value. Rejects non-objects, wrong types and unlisted enum values.
    pub fn from_json(value: &Value) -> Result<Self, FactsError> {
        let map = value
            .as_object()
            .ok_or_else(|| FactsError::new(crate::error::FactsErrorKind::NotAnObject))?;
        Self::from_map(map)
    }

    fn from_map(map: &Map<String, Value>) -> Result<Self, FactsError> {
        let mut f = Facts::default();
        for (key, v) in map {
            let k = key.as_str();
            crate::facts_keys::assign(&mut f, k, v)?;
        }
        Ok(f)
    }
}

/// Reads a bool; `null` = absent.
pub(crate) fn b(key: &str, v: &Value) -> Result<Option<bool>, FactsError> {
    match v {
        Value::Null => Ok(None),
        Value::Bool(x) => Ok(Some(*x)),
        _ => Err(FactsError::wrong_type(key, "true oder false")),
    }
}

/// Reads a free-text string; `null` = absent.
pub(crate) fn s(key: &str, v: &Value) -> Result<Option<String>, FactsError> {
    match v {
        Value::Null => Ok(None),
        Value::String(x) => Ok(Some(x.clone())),
        _ => Err(FactsError::wrong_type(key, "ein Text (String)")),
    }
}

/// Reads one enum value with a generated parser; `null` = absent.
pub(crate) fn e<T>(
    key: &str,
    v: &Value,
    parse: fn(&str) -> Option<T>,
    allowed: fn() -> String,
) -> Result<Option<T>, FactsError> {
    match v {
        Value::Null => Ok(None),
        Value::String(x) => parse(x)
            .map(Some)
            .ok_or_else(|| FactsError::unknown_value(key, x, allowed())),
        _ => Err(FactsError::wrong_type(key, "einer der erlaubten Texte")),
    }
}

/// Reads a list of enum values; `null` and `[]` mean the same. Duplicates are dropped.
pub(crate) fn l<T: PartialEq>(
    key: &str,
    v: &Value,
    parse: fn(&str) -> Option<T>,
    allowed: fn() -> String,
) -> Result<Vec<T>, FactsError> {
    match v {
        Value::Null => Ok(Vec::new()),
        Value::Array(items) => {
            let mut out = Vec::with_capacity(items.len());
            for item in items {
                let Value::String(x) = item else {
                    return Err(FactsError::wrong_type(key, "eine Liste von Texten"));
                };
                let val = parse(x).ok_or_else(|| FactsError::unknown_value(key, x, allowed()))?;
                if !out.contains(&val) {
                    out.push(val);
                }
            }
            Ok(out)
        }
        _ => Err(FactsError::wrong_type(key, "eine Liste von Texten")),
    }
}

/// Reads `annex_iii_point`: a string, a list of strings, or `null`.
pub(crate) fn annex_iii(key: &str, v: &Value) -> Result<AnnexIiiAnswer, FactsError> {
    let pts = match v {
        Value::Null => return Ok(AnnexIiiAnswer::NoneOfThem),
        Value::String(_) => vec![
            e(key, v, AnnexPoint::parse, AnnexPoint::allowed)?
                .ok_or_else(|| FactsError::wrong_type(key, "ein Anhang-III-Punkt"))?,
        ],
        Value::Array(_) => l(key, v, AnnexPoint::parse, AnnexPoint::allowed)?,
        _ => {
            return Err(FactsError::wrong_type(
                key,
                "ein Anhang-III-Punkt wie „4(a)“, eine Liste davon oder null",
            ));
        }
    };
    let mut set = PointSet::default();
    for p in pts {
        set.insert(p);
    }
    Ok(if set.is_empty() {
        AnnexIiiAnswer::NoneOfThem
    } else {
        AnnexIiiAnswer::Points(set)
    })
}
