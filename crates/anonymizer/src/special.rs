//! GDPR Art. 9 special categories: keyword-based hints.
//!
//! This does not anonymize anything; it tells the caller that a text talks
//! about health, religion, union membership, sexual orientation, ethnic
//! origin, political opinion, or biometric/genetic data, so the gateway can
//! warn or block. Simple by design: a German keyword list (stems, matched as
//! substrings so compounds like "Krankenstand" count; short stems must start
//! a word), searched with one Aho-Corasick automaton.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::{Deserialize, Serialize};

/// The special categories of personal data (GDPR Art. 9).
///
/// Why: processing them needs an explicit legal basis; the UI must flag them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum SpecialCategoryKind {
    /// Health data (diagnoses, sick leave, treatments).
    Health,
    /// Religious or philosophical beliefs.
    Religion,
    /// Trade union membership.
    UnionMembership,
    /// Sex life or sexual orientation.
    SexualOrientation,
    /// Racial or ethnic origin.
    EthnicOrigin,
    /// Political opinions or party membership.
    PoliticalOpinion,
    /// Biometric data used for identification.
    Biometric,
    /// Genetic data.
    Genetic,
}

impl SpecialCategoryKind {
    /// German display name.
    ///
    /// Why: shown to German-speaking users.
    pub const fn german_name(self) -> &'static str {
        match self {
            SpecialCategoryKind::Health => "Gesundheitsdaten",
            SpecialCategoryKind::Religion => "Religion/Weltanschauung",
            SpecialCategoryKind::UnionMembership => "Gewerkschaftszugehörigkeit",
            SpecialCategoryKind::SexualOrientation => "Sexuelle Orientierung",
            SpecialCategoryKind::EthnicOrigin => "Ethnische Herkunft",
            SpecialCategoryKind::PoliticalOpinion => "Politische Meinung",
            SpecialCategoryKind::Biometric => "Biometrische Daten",
            SpecialCategoryKind::Genetic => "Genetische Daten",
        }
    }
}

/// One keyword hit.
///
/// Why: the UI highlights the word that triggered the warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpecialCategory {
    /// The category.
    pub category: SpecialCategoryKind,
    /// Start in code points.
    pub start: usize,
    /// End (exclusive) in code points.
    pub end: usize,
    /// Start in bytes.
    pub byte_start: usize,
    /// End (exclusive) in bytes.
    pub byte_end: usize,
    /// The matched text.
    pub keyword: String,
}

use SpecialCategoryKind as K;

const KEYWORDS: &[(K, &str)] = &[
    (K::Health, "krank"),
    (K::Health, "diagnose"),
    (K::Health, "arzt"),
    (K::Health, "ärzt"),
    (K::Health, "therapie"),
    (K::Health, "therapeut"),
    (K::Health, "klinik"),
    (K::Health, "spital"),
    (K::Health, "operation"),
    (K::Health, "depression"),
    (K::Health, "burnout"),
    (K::Health, "burn-out"),
    (K::Health, "diabetes"),
    (K::Health, "krebs"),
    (K::Health, "tumor"),
    (K::Health, "schwanger"),
    (K::Health, "behinderung"),
    (K::Health, "medikament"),
    (K::Health, "befund"),
    (K::Health, "reha"),
    (K::Health, "psychiat"),
    (K::Health, "psycholog"),
    (K::Health, "hiv"),
    (K::Health, "allergie"),
    (K::Health, "bandscheibe"),
    (K::Health, "arbeitsunfähig"),
    (K::Health, "pflegestufe"),
    (K::Health, "pflegegeld"),
    (K::Health, "sucht"),
    (K::Health, "covid"),
    (K::Religion, "religion"),
    (K::Religion, "konfession"),
    (K::Religion, "katholisch"),
    (K::Religion, "evangelisch"),
    (K::Religion, "muslim"),
    (K::Religion, "islam"),
    (K::Religion, "jüdisch"),
    (K::Religion, "jude"),
    (K::Religion, "kirchenaustritt"),
    (K::Religion, "kirchenbeitrag"),
    (K::Religion, "kirchensteuer"),
    (K::Religion, "atheist"),
    (K::Religion, "buddhist"),
    (K::Religion, "orthodox"),
    (K::Religion, "moschee"),
    (K::Religion, "synagoge"),
    (K::UnionMembership, "gewerkschaft"),
    (K::UnionMembership, "betriebsrat"),
    (K::UnionMembership, "verdi"),
    (K::UnionMembership, "ögb"),
    (K::UnionMembership, "unia"),
    (K::UnionMembership, "gpa"),
    (K::SexualOrientation, "homosexuell"),
    (K::SexualOrientation, "heterosexuell"),
    (K::SexualOrientation, "bisexuell"),
    (K::SexualOrientation, "schwul"),
    (K::SexualOrientation, "lesbisch"),
    (K::SexualOrientation, "queer"),
    (K::SexualOrientation, "transgender"),
    (K::SexualOrientation, "sexuelle orientierung"),
    (K::SexualOrientation, "lgbt"),
    (K::EthnicOrigin, "ethnisch"),
    (K::EthnicOrigin, "herkunft"),
    (K::EthnicOrigin, "migrationshintergrund"),
    (K::EthnicOrigin, "hautfarbe"),
    (K::EthnicOrigin, "roma"),
    (K::EthnicOrigin, "sinti"),
    (K::EthnicOrigin, "abstammung"),
    (K::PoliticalOpinion, "partei"),
    (K::PoliticalOpinion, "politisch"),
    (K::PoliticalOpinion, "wählt"),
    (K::PoliticalOpinion, "övp"),
    (K::PoliticalOpinion, "spö"),
    (K::PoliticalOpinion, "fpö"),
    (K::PoliticalOpinion, "cdu"),
    (K::PoliticalOpinion, "csu"),
    (K::PoliticalOpinion, "spd"),
    (K::PoliticalOpinion, "afd"),
    (K::PoliticalOpinion, "svp"),
    (K::PoliticalOpinion, "neos"),
    (K::PoliticalOpinion, "grüne"),
    (K::PoliticalOpinion, "demonstration"),
    (K::Biometric, "fingerabdruck"),
    (K::Biometric, "gesichtserkennung"),
    (K::Biometric, "biometri"),
    (K::Biometric, "iris-scan"),
    (K::Biometric, "irisscan"),
    (K::Biometric, "stimmerkennung"),
    (K::Genetic, "genetisch"),
    (K::Genetic, "gentest"),
    (K::Genetic, "dna"),
    (K::Genetic, "erbkrankheit"),
    (K::Genetic, "genom"),
];

/// Keywords shorter than this must start a word ("gpa", "reha", "roma").
const MIN_INFIX: usize = 6;

fn variants() -> Vec<(K, String)> {
    let mut out = Vec::new();
    for &(k, w) in KEYWORDS {
        out.push((k, w.to_string()));
        // ASCII-only case folding: add the capitalised umlaut form explicitly
        let mut cs = w.chars();
        if let Some(f) = cs.next()
            && !f.is_ascii()
        {
            out.push((k, f.to_uppercase().chain(cs).collect()));
        }
        let upper = w.to_uppercase();
        if !upper.is_ascii() {
            out.push((k, upper));
        }
    }
    out
}

/// Automaton plus (category, keyword) per pattern id.
type Keywords = (AhoCorasick, Vec<(K, String)>);

static AUTOMATON: LazyLock<Option<Keywords>> = LazyLock::new(|| {
    let v = variants();
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .build(v.iter().map(|(_, w)| w.as_str()))
        .ok()
        .map(|ac| (ac, v))
});

/// Finds keywords of GDPR Art. 9 special categories in `text`.
///
/// Why: texts about health, religion, etc. need extra care before they go
/// to an AI; this is a cheap, explainable first signal (not a classifier).
pub fn special_categories(text: &str) -> Vec<SpecialCategory> {
    let Some((ac, v)) = AUTOMATON.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let (mut last_b, mut last_c) = (0usize, 0usize);
    for m in ac.find_iter(text) {
        let Some((k, w)) = v.get(m.pattern().as_usize()) else {
            continue;
        };
        let prev_letter = text
            .get(..m.start())
            .and_then(|s| s.chars().next_back())
            .is_some_and(char::is_alphabetic);
        if prev_letter && w.chars().count() < MIN_INFIX {
            continue;
        }
        // short stems must also end a word unless they are clear prefixes
        if w.chars().count() <= 3
            && text
                .get(m.end()..)
                .and_then(|s| s.chars().next())
                .is_some_and(char::is_alphabetic)
        {
            continue;
        }
        let (Some(before), Some(kw)) = (text.get(last_b..m.start()), text.get(m.start()..m.end()))
        else {
            continue;
        };
        let start = last_c + before.chars().count();
        let end = start + kw.chars().count();
        out.push(SpecialCategory {
            category: *k,
            start,
            end,
            byte_start: m.start(),
            byte_end: m.end(),
            keyword: kw.to_string(),
        });
        last_b = m.end();
        last_c = end;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_categories() {
        let hits = special_categories(
            "Frau Huber ist seit Montag im Krankenstand, sie ist Gewerkschaftsmitglied und Ärztin.",
        );
        let kinds: Vec<_> = hits.iter().map(|h| h.category).collect();
        assert!(kinds.contains(&K::Health));
        assert!(kinds.contains(&K::UnionMembership));
        assert!(special_categories("Die Rechnung ist bezahlt.").is_empty());
        assert!(special_categories("Programmatisch").is_empty());
    }
}
