//! The obligation tag vocabulary (aiact-facts.md §4.1) as data.
//!
//! Title, default legal reference and applies-from date of every tag live in
//! [`SPECS`]; the engine only decides *which* tags apply and fills in letters,
//! points and the AT/DE variant. The tag order here is the output order.

use std::borrow::Cow;

use serde::Serialize;

use crate::rules::meta::Certainty;
use crate::vocab::Country;

/// One obligation tag of aiact-facts.md §4.1 (exactly these tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum Tag {
    Art4Literacy,
    Art5CeaseUse,
    #[serde(rename = "art6_4_documentation")]
    Art6_4Documentation,
    #[serde(rename = "art49_2_registration")]
    Art49_2Registration,
    Art16ProviderHighRisk,
    Art25ProviderObligations,
    Art26DeployerDuties,
    #[serde(rename = "art26_7_worker_information")]
    Art26_7WorkerInformation,
    #[serde(rename = "art26_11_affected_person_notice")]
    Art26_11AffectedPersonNotice,
    Art27Fria,
    Art50ChatbotDisclosure,
    Art50SyntheticMarking,
    Art50EmotionBiometricNotice,
    Art50DeepfakeLabel,
    Art50PublicInterestTextLabel,
    AnnexISectoralConformity,
    GdprBaseline,
    GdprArt9Special,
    GdprArt22,
    GdprArt28Avv,
    GdprArt35Dpia,
    GdprArt44Transfer,
    LabourLawCodetermination,
}

/// Number of tags; the engine keeps a fixed-size slot array in tag order.
pub const TAG_COUNT: usize = 23;

impl Tag {
    /// The tag's JSON spelling.
    pub fn as_str(self) -> &'static str {
        spec(self).name
    }
    /// True for the Art. 50 transparency tags (risk class `limited`).
    pub fn is_art50(self) -> bool {
        matches!(
            self,
            Tag::Art50ChatbotDisclosure
                | Tag::Art50SyntheticMarking
                | Tag::Art50EmotionBiometricNotice
                | Tag::Art50DeepfakeLabel
                | Tag::Art50PublicInterestTextLabel
        )
    }
}

/// Static data of one tag.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct TagSpec {
    /// The tag.
    pub tag: Tag,
    /// JSON spelling.
    pub name: &'static str,
    /// German title (aiact-facts.md §4.1).
    pub title_de: &'static str,
    /// Default legal reference; the engine may fill in letters or the AT/DE variant.
    pub legal_ref: &'static str,
    /// Default applies-from date (ISO).
    pub applies_from: &'static str,
    /// Certainty label of the date and reference.
    pub certainty: Certainty,
}

macro_rules! specs {
    ($($tag:ident, $name:literal, $title:literal, $reference:literal, $date:literal, $cert:ident;)+) => {
        /// The tag table in output order.
        pub static SPECS: [TagSpec; TAG_COUNT] = [$(TagSpec {
            tag: Tag::$tag, name: $name, title_de: $title, legal_ref: $reference,
            applies_from: $date, certainty: Certainty::$cert,
        }),+];
    };
}

specs! {
    Art4Literacy, "art4_literacy", "KI-Kompetenz der Mitarbeitenden fördern", "Art. 4 KI-VO (idF VO (EU) 2026/1744)", "2025-02-02", LawAmended;
    Art5CeaseUse, "art5_cease_use", "Verbotene KI-Praxis: Einsatz einstellen bzw. nicht anbieten", "Art. 5 Abs. 1 KI-VO", "2025-02-02", Law;
    Art6_4Documentation, "art6_4_documentation", "Einstufung als nicht hochriskant vor dem Inverkehrbringen dokumentieren", "Art. 6 Abs. 3, 4 KI-VO", "2027-12-02", LawAmended;
    Art49_2Registration, "art49_2_registration", "Nicht-Hochrisiko-Einstufung in der EU-Datenbank registrieren", "Art. 49 Abs. 2 KI-VO", "2027-12-02", LawAmended;
    Art16ProviderHighRisk, "art16_provider_high_risk", "Anbieterpflichten für Hochrisiko-KI-Systeme erfüllen", "Art. 16 iVm Art. 9–15, 17–22, 43, 47–49, 72, 73 KI-VO", "2027-12-02", LawAmended;
    Art25ProviderObligations, "art25_provider_obligations", "Sie gelten als Anbieter (Art. 25): volle Anbieterpflichten", "Art. 25 Abs. 1 iVm Art. 16 KI-VO", "2027-12-02", LawAmended;
    Art26DeployerDuties, "art26_deployer_duties", "Betreiberpflichten für Hochrisiko-KI-Systeme erfüllen", "Art. 26 Abs. 1–6, 9, 12 KI-VO", "2027-12-02", LawAmended;
    Art26_7WorkerInformation, "art26_7_worker_information", "Betriebsrat und Beschäftigte vor dem Einsatz informieren", "Art. 26 Abs. 7 KI-VO", "2027-12-02", LawAmended;
    Art26_11AffectedPersonNotice, "art26_11_affected_person_notice", "Betroffene Personen über den KI-Einsatz informieren", "Art. 26 Abs. 11 KI-VO", "2027-12-02", LawAmended;
    Art27Fria, "art27_fria", "Grundrechte-Folgenabschätzung vor dem ersten Einsatz durchführen", "Art. 27 KI-VO", "2027-12-02", LawAmended;
    Art50ChatbotDisclosure, "art50_chatbot_disclosure", "Hinweis, dass Personen mit einer KI kommunizieren", "Art. 50 Abs. 1 KI-VO", "2026-08-02", Law;
    Art50SyntheticMarking, "art50_synthetic_marking", "KI-erzeugte Inhalte maschinenlesbar kennzeichnen", "Art. 50 Abs. 2 KI-VO; Art. 111 Abs. 4", "2026-08-02", LawAmended;
    Art50EmotionBiometricNotice, "art50_emotion_biometric_notice", "Betroffene über Emotionserkennung bzw. biometrische Kategorisierung informieren", "Art. 50 Abs. 3 KI-VO", "2026-08-02", Law;
    Art50DeepfakeLabel, "art50_deepfake_label", "Deepfakes als KI-erzeugt oder KI-verändert offenlegen", "Art. 50 Abs. 4 UAbs. 1 KI-VO", "2026-08-02", Law;
    Art50PublicInterestTextLabel, "art50_public_interest_text_label", "KI-Texte zu Themen von öffentlichem Interesse kennzeichnen", "Art. 50 Abs. 4 UAbs. 2 KI-VO", "2026-08-02", Law;
    AnnexISectoralConformity, "annex_i_sectoral_conformity", "KI-Anforderungen über das Produktrecht erfüllen (Anhang I Abschnitt B)", "Art. 2 Abs. 2, Art. 6 Abs. 1 KI-VO idF VO (EU) 2026/1744 iVm dem Harmonisierungsrechtsakt nach Anhang I Abschnitt B", "2028-08-02", LawAmended;
    GdprBaseline, "gdpr_baseline", "DSGVO-Grundpflichten: Rechtsgrundlage, Information, Verzeichnis, Datenminimierung, Löschung, Sicherheit", "Art. 5, 6, 13, 14, 17, 25, 30, 32 DSGVO", "2018-05-25", Law;
    GdprArt9Special, "gdpr_art9_special", "Besondere Datenkategorien: Ausnahme nach Art. 9 Abs. 2 DSGVO erforderlich", "Art. 9 DSGVO", "2018-05-25", Law;
    GdprArt22, "gdpr_art22", "Automatisierte Einzelentscheidung: Zulässigkeit und Betroffenenrechte sichern", "Art. 22, 13 Abs. 2 lit. f, 15 Abs. 1 lit. h DSGVO; EuGH C-634/21, C-203/22", "2018-05-25", Law;
    GdprArt28Avv, "gdpr_art28_avv", "Auftragsverarbeitungsvertrag (AVV) abschließen", "Art. 28 DSGVO", "2018-05-25", Law;
    GdprArt35Dpia, "gdpr_art35_dpia", "Datenschutz-Folgenabschätzung (DSFA) durchführen", "Art. 35 DSGVO; AT: DSFA-V BGBl. II Nr. 278/2018; DE: DSK-Muss-Liste", "2018-05-25", Law;
    GdprArt44Transfer, "gdpr_art44_transfer", "Drittlandübermittlung absichern (DPF bzw. Standardvertragsklauseln)", "Art. 44–49 DSGVO; Durchführungsbeschluss (EU) 2023/1795", "2018-05-25", Law;
    LabourLawCodetermination, "labour_law_codetermination", "Betriebsrat beteiligen (Betriebsvereinbarung)", "AT: §§ 96 Abs. 1 Z 3, 96a ArbVG; DE: § 87 Abs. 1 Nr. 6 BetrVG", "1974-07-01", Law;
}

/// Looks up a tag's static data.
pub fn spec(tag: Tag) -> &'static TagSpec {
    &SPECS[tag as usize]
}

/// One entry of `obligations` in the §4 output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Obligation {
    /// Tag from the vocabulary.
    pub tag: Tag,
    /// German title.
    pub title_de: &'static str,
    /// Legal reference, filled in for letter/point and AT/DE.
    pub legal_ref: Cow<'static, str>,
    /// ISO date from which the duty applies (also when in the past).
    pub applies_from: &'static str,
}

impl Obligation {
    /// The obligation with the table's defaults.
    pub fn from_spec(tag: Tag) -> Self {
        let s = spec(tag);
        Self {
            tag,
            title_de: s.title_de,
            legal_ref: Cow::Borrowed(s.legal_ref),
            applies_from: s.applies_from,
        }
    }
}

/// DPIA reference for the given country (AT list vs DE list; both if unknown).
pub fn dpia_ref(country: Option<Country>) -> &'static str {
    match country {
        Some(Country::At) => "Art. 35 DSGVO; AT: DSFA-V BGBl. II Nr. 278/2018",
        Some(Country::De) => "Art. 35 DSGVO; DE: DSK-Muss-Liste (DSFA-Positivliste)",
        None => spec(Tag::GdprArt35Dpia).legal_ref,
    }
}

/// Co-determination reference and date for the given country.
pub fn codetermination(country: Option<Country>) -> (&'static str, &'static str) {
    match country {
        Some(Country::At) => ("§§ 96 Abs. 1 Z 3, 96a ArbVG", "1974-07-01"),
        Some(Country::De) => ("§ 87 Abs. 1 Nr. 6 BetrVG", "1972-01-19"),
        None => (spec(Tag::LabourLawCodetermination).legal_ref, "1974-07-01"),
    }
}
