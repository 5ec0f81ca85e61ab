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
    (K::Health, "operiert worden"),
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
    (K::Health, "suchterkrankung"),
    (K::Health, "suchtkrank"),
    (K::Health, "süchtig"),
    (K::Health, "alkoholsucht"),
    (K::Health, "drogensucht"),
    (K::Health, "spielsucht"),
    (K::Health, "nikotinsucht"),
    (K::Health, "medikamentensucht"),
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
    (K::EthnicOrigin, "rassisch"),
    (K::EthnicOrigin, "ethnie"),
    (K::EthnicOrigin, "migrationshintergrund"),
    (K::EthnicOrigin, "hautfarbe"),
    (K::EthnicOrigin, "roma"),
    (K::EthnicOrigin, "sinti"),
    (K::EthnicOrigin, "abstammung"),
    (K::PoliticalOpinion, "parteimitglied"),
    (K::PoliticalOpinion, "parteibuch"),
    (K::PoliticalOpinion, "parteizugehörigkeit"),
    (K::PoliticalOpinion, "politisch"),
    (K::PoliticalOpinion, "wahlverhalten"),
    (K::PoliticalOpinion, "wahlentscheidung"),
    (K::PoliticalOpinion, "övp"),
    (K::PoliticalOpinion, "spö"),
    (K::PoliticalOpinion, "fpö"),
    (K::PoliticalOpinion, "cdu"),
    (K::PoliticalOpinion, "csu"),
    (K::PoliticalOpinion, "spd"),
    (K::PoliticalOpinion, "afd"),
    (K::PoliticalOpinion, "svp"),
    (K::PoliticalOpinion, "neos"),
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

/// Keywords that count only as a whole word: abbreviations and names that begin ordinary
/// words ("verdi" in "verdient", "roma" in "Romantik", "jude" in "Judendorf") and "operation",
/// which ends many business words ("Kooperation", "Rechenoperation").
const WHOLE_WORD: &[&str] = &[
    "verdi",
    "unia",
    "gpa",
    "ögb",
    "roma",
    "sinti",
    "jude",
    "övp",
    "spö",
    "fpö",
    "cdu",
    "csu",
    "spd",
    "afd",
    "svp",
    "neos",
    "hiv",
    "dna",
    "queer",
    "operation",
];

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
        let whole_word = WHOLE_WORD.iter().any(|x| x.eq_ignore_ascii_case(w));
        if prev_letter && (w.chars().count() < MIN_INFIX || whole_word) {
            continue;
        }
        // short stems and whole-word keywords must also end a word
        if (w.chars().count() <= 3 || whole_word)
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

    /// Everyday business German must not look like Art. 9 data: the gateway blocks on these
    /// hits by default, so every false alarm stops an employee's harmless request.
    #[test]
    fn business_german_is_not_a_special_category() {
        for text in [
            "Herr Huber sucht ein Angebot für 40 Fenster.",
            "Bitte prüfen Sie die Herkunft der Ware.",
            "Die Kooperation mit der Tischlerei läuft gut.",
            "Jede Vertragspartei erhält eine Ausfertigung.",
            "Der Kunde wählt den Tarif selbst.",
            "Wir setzen auf grüne Energie.",
            "Die Produktdemonstration ist am Montag.",
            "Er verdient 3.200 Euro brutto.",
            "Die Romantik-Suite ist gebucht.",
            "Eine Rechenoperation dauert 2 ms.",
            "Sie versucht es morgen noch einmal und besucht uns.",
        ] {
            assert_eq!(special_categories(text), Vec::new(), "{text}");
        }
    }

    #[test]
    fn real_special_categories_are_still_found() {
        for (text, kind) in [
            ("Er ist wegen Alkoholsucht in Behandlung.", K::Health),
            (
                "Nach der Operation bleibt sie zwei Wochen daheim.",
                K::Health,
            ),
            ("Sie ist spielsüchtig.", K::Health),
            ("Er ist Parteimitglied der SPÖ.", K::PoliticalOpinion),
            ("Sie ist Mitglied bei Verdi.", K::UnionMembership),
            ("Angaben zur rassischen Herkunft", K::EthnicOrigin),
            ("Der Betriebsrat wurde informiert.", K::UnionMembership),
        ] {
            let kinds: Vec<_> = special_categories(text)
                .iter()
                .map(|h| h.category)
                .collect();
            assert!(kinds.contains(&kind), "{text}: {kinds:?}");
        }
    }
}
