//! The rules table: every rule's id, article, certainty label and "Stand".
//!
//! This is the single place to edit when the law or guidance changes. Notes
//! mark where the engine follows the law rather than the brief (aiact.md).

use super::meta::{Certainty, RuleMeta};

/// Date on which every rule in this table was last checked.
pub const STAND: &str = "2026-11-27";

macro_rules! rules {
    ($($name:ident = $id:literal, $art:literal, $cert:expr, $note:literal;)+) => {
        $(
            #[doc = concat!("Rule `", $id, "`: ", $art)]
            pub static $name: RuleMeta = RuleMeta { id: $id, article: $art, certainty: $cert, stand: STAND, note: $note };
        )+
        /// All rules, for documentation, audits and the app's source view.
        pub static ALL_RULES: &[&RuleMeta] = &[$(&$name),+];
    };
}

use Certainty::{Guidance, Law, LawAmended, Verify};

rules! {
    IN_UNKNOWN = "IN-1", "", None, "aiact-facts.md §0: unknown keys are ignored and reported";
    IN_PURPOSE = "IN-2", "", None, "Informational echo, never parsed (aiact.md §2.1(2))";
    A1 = "A1", "Art. 3 Nr. 1 KI-VO", Some(Law), "";
    A2 = "A2", "Art. 3 Nr. 1 KI-VO; Leitlinien C(2025) 5053", Some(Guidance), "";
    A3 = "A3", "Art. 3 Nr. 1 KI-VO", Some(Law), "U default: im Zweifel Ja (aiact.md §3.2 A3)";
    A_CONFLICT = "A-K", "Art. 3 Nr. 1 KI-VO", Some(Law), "Conflicting answers: protective reading + review (aiact-facts.md §2)";
    B1 = "B1", "Art. 2 Abs. 1 KI-VO", Some(Law), "";
    B2 = "B2", "Art. 2 Abs. 10 KI-VO", Some(Law), "";
    B3 = "B3", "Art. 2 Abs. 3 KI-VO", Some(Law), "";
    B4 = "B4", "Art. 2 Abs. 8 KI-VO", Some(Law), "";
    B_GDPR_HOUSEHOLD = "B2-DSGVO", "Art. 2 Abs. 2 lit. c DSGVO", Some(Law), "Correction: the brief runs the GDPR module for every out-of-scope case; purely personal use is also outside the GDPR (household exemption)";
    B_GDPR_SECURITY = "B3-DSGVO", "Art. 2 Abs. 2 lit. a DSGVO; Art. 4 Abs. 2 EUV", Some(Law), "Correction: national-security activities fall outside Union law and thus outside the GDPR";
    C1 = "C1", "Art. 3 Nr. 3, 11 KI-VO", Some(Law), "";
    C2 = "C2", "Art. 3 Nr. 4 KI-VO", Some(Law), "";
    C3 = "C3", "Art. 25 Abs. 1 lit. a KI-VO", Some(Law), "";
    C4 = "C4", "Art. 25 Abs. 1 lit. b KI-VO", Some(Law), "";
    C5 = "C5", "Art. 25 Abs. 1 lit. c KI-VO", Some(Law), "";
    C_NO_FLIP = "C-K", "Art. 25 Abs. 1 KI-VO", Some(Law), "Art. 25 needs a high-risk system; Section B products are outside Art. 25 (Art. 2 Abs. 2)";
    C_OWN_USE = "C-E", "Art. 3 Nr. 4, Art. 26 KI-VO", Some(Law), "";
    D_A = "D-a", "Art. 5 Abs. 1 lit. a KI-VO", Some(Law), "";
    D_B = "D-b", "Art. 5 Abs. 1 lit. b KI-VO", Some(Law), "";
    D_C = "D-c", "Art. 5 Abs. 1 lit. c KI-VO", Some(Law), "";
    D_D = "D-d", "Art. 5 Abs. 1 lit. d KI-VO", Some(Law), "";
    D_E = "D-e", "Art. 5 Abs. 1 lit. e KI-VO", Some(Law), "";
    D_F = "D-f", "Art. 5 Abs. 1 lit. f KI-VO", Some(Law), "";
    D_G = "D-g", "Art. 5 Abs. 1 lit. g KI-VO", Some(Law), "Law lists 'Rasse' (race), not ethnic origin; the enum value race_ethnicity is read protectively as race";
    D_H = "D-h", "Art. 5 Abs. 1 lit. h, Abs. 2-7 KI-VO", Some(Law), "";
    D_BA = "D-ba", "Art. 5 Abs. 1 lit. ba, Abs. 1a KI-VO idF VO (EU) 2026/1744", Some(LawAmended), "EUR-Lex text of 2026/1744 not read directly (aiact.md §21(1))";
    D_BB = "D-bb", "Art. 5 Abs. 1 lit. bb KI-VO idF VO (EU) 2026/1744", Some(LawAmended), "EUR-Lex text of 2026/1744 not read directly (aiact.md §21(1))";
    D_NONE = "D-0", "Art. 5 Abs. 1 KI-VO", Some(Law), "";
    E1 = "E1", "Art. 6 Abs. 1 KI-VO; Anhang I", Some(LawAmended), "";
    E2 = "E2", "Art. 6 Abs. 1a, 1b KI-VO idF VO (EU) 2026/1744", Some(LawAmended), "";
    E3 = "E3", "Art. 6 Abs. 1 lit. b, Abs. 1c KI-VO", Some(LawAmended), "";
    E4 = "E4", "Art. 2 Abs. 2 KI-VO idF VO (EU) 2026/1744; Anhang I", Some(LawAmended), "";
    F_POINT = "F", "Art. 6 Abs. 2 iVm Anhang III KI-VO", Some(Law), "";
    F_NONE = "F-0", "Art. 6 Abs. 2 iVm Anhang III KI-VO", Some(Law), "";
    F_NOT_ASKED = "F-?", "Art. 6 Abs. 2 iVm Anhang III KI-VO", Some(Law), "";
    F_AREA6 = "F-6", "Anhang III Nr. 6 KI-VO", Some(Law), "Area 6 requires use by or on behalf of law-enforcement authorities";
    G0 = "G0", "Art. 6 Abs. 3 UAbs. 3 KI-VO", Some(Law), "";
    G_DEROGATION = "G1-4", "Art. 6 Abs. 3 UAbs. 2 KI-VO", Some(Law), "";
    G5 = "G5", "Art. 6 Abs. 3 UAbs. 1 KI-VO", Some(Law), "";
    G6 = "G6", "Art. 6 Abs. 4, Art. 49 Abs. 2 KI-VO", Some(LawAmended), "";
    G_DEPLOYER = "G-B", "Art. 6 Abs. 4 KI-VO", Some(Law), "";
    G_VENDOR = "G-H", "Art. 6 Abs. 3, 4 KI-VO", Some(Law), "";
    HR_PROVIDER = "HR-16", "Art. 16 KI-VO", Some(Law), "";
    HR_DEPLOYER = "HR-26", "Art. 26 KI-VO", Some(Law), "";
    HR_WORKERS = "HR-26-7", "Art. 26 Abs. 7 KI-VO", Some(Law), "";
    HR_NOTICE = "HR-26-11", "Art. 26 Abs. 11 KI-VO", Some(Law), "Art. 26(11) has no point-2 carve-out in its text; point-2 safety components rarely decide about natural persons, so the brief's exclusion is kept as an interpretation";
    HR_FRIA = "HR-27", "Art. 27 Abs. 1 KI-VO", Some(Law), "";
    HR_LEGACY = "HR-111", "Art. 111 Abs. 2 KI-VO idF VO (EU) 2026/1744", Some(LawAmended), "";
    HR_SME = "HR-KMU", "Art. 11 Abs. 1, Art. 17 Abs. 2, Art. 63, Art. 99 Abs. 6, 6a KI-VO", Some(LawAmended), "SMC thresholds of Rec. (EU) 2025/1099 unverified";
    H1 = "H1", "Art. 50 Abs. 1 KI-VO", Some(Law), "Art. 50(1) binds the provider; for a deployer the tag is a practical duty (keep the vendor's notice visible), labelled GUIDANCE in the reason";
    H1_DEPLOYER = "H1-B", "Art. 50 Abs. 1 KI-VO; Leitlinien C(2026) 5054", Some(Guidance), "";
    H2 = "H2", "Art. 50 Abs. 2 KI-VO; Art. 111 Abs. 4 KI-VO idF VO (EU) 2026/1744", Some(LawAmended), "";
    H3 = "H3", "Art. 50 Abs. 3 KI-VO", Some(Law), "";
    H4 = "H4", "Art. 50 Abs. 4 UAbs. 1, Art. 3 Nr. 60 KI-VO", Some(Law), "";
    H5 = "H5", "Art. 50 Abs. 4 UAbs. 2 KI-VO", Some(Law), "";
    GPAI = "GPAI-1", "Art. 53, 55 KI-VO; Leitlinien C(2025) 7719 Rn. 59-61", Some(Guidance), "";
    L4 = "L-4", "Art. 4 KI-VO idF VO (EU) 2026/1744", Some(LawAmended), "";
    GDPR_OFF = "GDPR-0", "Art. 2 Abs. 1, Art. 4 Nr. 1 DSGVO", Some(Law), "";
    GDPR_CONFLICT = "GDPR-K", "Art. 4 Nr. 1, 14, 15 DSGVO", Some(Law), "";
    GDPR_PROCESSOR = "GDPR-28P", "Art. 28 DSGVO", Some(Law), "";
    GDPR_BASE = "GDPR-6", "Art. 5, 6, 13, 14, 17, 25, 30, 32 DSGVO", Some(Law), "";
    GDPR_9 = "GDPR-9", "Art. 9 DSGVO", Some(Law), "Inferred sensitive attributes are Art. 9 data (CJEU C-184/20); added to the brief's derivation";
    GDPR_22 = "GDPR-22", "Art. 22 DSGVO; EuGH C-634/21, C-203/22", Some(Law), "";
    GDPR_28 = "GDPR-28", "Art. 28 DSGVO", Some(Law), "";
    GDPR_35 = "GDPR-35", "Art. 35 DSGVO", Some(Law), "Art. 26(9) KI-VO only says 'where applicable'; the Annex III trigger rests on Art. 35(1) and WP 248 rev.01 criteria, not on a presumption in Art. 26(9)";
    GDPR_35_CHECK = "GDPR-35S", "Art. 35 Abs. 1, 3 DSGVO; WP 248 rev.01", Some(Guidance), "Art. 35(3)(a) does not require a solely automated decision (WP 251 rev.01); profiling without such a decision is flagged for the threshold analysis";
    GDPR_44 = "GDPR-44", "Art. 44-49 DSGVO; Durchführungsbeschluss (EU) 2023/1795", Some(Law), "";
    GDPR_44_DPF = "GDPR-44-DPF", "Art. 45 DSGVO; Durchführungsbeschluss (EU) 2023/1795; EuG T-553/23; Rechtsmittel C-703/25 P", Some(Verify), "Appeal pending; re-check before each release";
    LAB_1 = "ARB-1", "AT: §§ 96 Abs. 1 Z 3, 96a ArbVG; DE: § 87 Abs. 1 Nr. 6 BetrVG", Some(Law), "DE cite checked: § 87 Abs. 1 Nr. 6 BetrVG (technische Überwachungseinrichtungen)";
    LAB_2 = "ARB-2", "AT: § 10 AVRAG; § 96 Abs. 1 Z 3 ArbVG", Some(Law), "";
    RESULT = "ERG", "Art. 5, 6, 50 KI-VO", Some(LawAmended), "Result texts of aiact.md §20";
    DISCLAIMER = "HINWEIS", "", None, "Disclaimer of aiact.md §20, with the rule-set version";
}
