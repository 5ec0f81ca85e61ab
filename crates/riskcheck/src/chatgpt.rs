//! „Darf ich das in ChatGPT eingeben?“ — the quick check for generative AI tools.
//!
//! A pure function from four answers (data categories, tool plan, processing
//! location, training on inputs) to ja / ja, mit Auflagen / nein, so nicht,
//! with German reasons that each cite an article, a certainty label and a
//! "Stand", plus concrete fixes. The strictest category decides the verdict.

use serde::{Deserialize, Serialize};

use crate::rules::meta::Certainty;

const STAND: &str = "2026-11-27";

/// What the user wants to enter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataCategory {
    /// Nothing confidential, no personal data.
    None,
    /// Business secrets (prices, customer lists without names, source code …).
    BusinessSecrets,
    /// Personal data of customers.
    CustomerPersonalData,
    /// Personal data of employees or applicants.
    EmployeePersonalData,
    /// Special categories under Art. 9 GDPR (health, religion, biometrics …).
    SpecialCategories,
}

/// Which plan of the tool is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ToolPlan {
    /// Consumer plan (Free, Plus): no processor agreement.
    Consumer,
    /// Business, Team or Enterprise plan with a processor agreement (AVV).
    BusinessWithAvv,
    /// Access via the provider's API.
    Api,
    /// Model run on own or self-controlled infrastructure.
    SelfHosted,
}

/// Where the provider processes the data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// EU/EEA.
    Eu,
    /// USA, recipient certified under the EU-US Data Privacy Framework.
    UsDpf,
    /// Another third country (or the US without DPF certification).
    OtherThirdCountry,
    /// Not known.
    Unknown,
}

/// Whether the provider trains its models on the inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Training {
    /// Inputs are used for training.
    Yes,
    /// Training is switched off or contractually excluded.
    No,
    /// Not known.
    Unknown,
}

/// The four answers of the quick check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickCheckInput {
    /// Data categories (multi-select); empty means `none`.
    pub data: Vec<DataCategory>,
    /// Tool plan.
    pub plan: ToolPlan,
    /// Processing location.
    pub location: Location,
    /// Training on inputs.
    pub training: Training,
}

/// The answer, ordered from permissive to strict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// „Ja“.
    Ja,
    /// „Ja, mit Auflagen“.
    JaMitAuflagen,
    /// „Nein, so nicht“.
    NeinSoNicht,
}

impl Verdict {
    /// German label for the UI.
    pub fn label_de(self) -> &'static str {
        match self {
            Verdict::Ja => "Ja",
            Verdict::JaMitAuflagen => "Ja, mit Auflagen",
            Verdict::NeinSoNicht => "Nein, so nicht",
        }
    }
}

/// One German statement with its source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// German text.
    pub text_de: String,
    /// Legal reference.
    pub article: &'static str,
    /// Certainty label.
    pub certainty: Certainty,
    /// Date last checked.
    pub stand: &'static str,
}

/// A concrete fix the user can apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Fix {
    /// Stable id (e.g. for linking to the anonymizer).
    pub id: &'static str,
    /// German text.
    pub text_de: &'static str,
}

/// Fix: pseudonymise with the product's anonymizer.
pub const FIX_ANONYMIZE: Fix = Fix {
    id: "anonymize",
    text_de: "Daten vor der Eingabe pseudonymisieren — mit unserem Anonymisierer",
};
/// Fix: business plan with processor agreement.
pub const FIX_BUSINESS: Fix = Fix {
    id: "business_plan",
    text_de: "Business-Tarif mit AVV",
};
/// Fix: choose an EU provider.
pub const FIX_EU: Fix = Fix {
    id: "eu_provider",
    text_de: "EU-Anbieter wählen",
};
/// Fix: switch off training.
pub const FIX_TRAINING: Fix = Fix {
    id: "training_off",
    text_de: "Training mit Ihren Eingaben abschalten (Opt-out) oder vertraglich ausschließen",
};
/// Fix: ask for the processing location.
pub const FIX_LOCATION: Fix = Fix {
    id: "ask_location",
    text_de: "Verarbeitungsort beim Anbieter erfragen (AVV, Unterauftragsverarbeiter-Liste)",
};

/// The result of [`quick_check`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuickCheckAnswer {
    /// The verdict.
    pub verdict: Verdict,
    /// German label of the verdict.
    pub verdict_de: &'static str,
    /// Reasons with sources.
    pub reasons: Vec<Statement>,
    /// Fixes, without duplicates.
    pub fixes: Vec<Fix>,
    /// Disclaimer with the rule-set version.
    pub disclaimer_de: String,
}

struct Acc {
    verdict: Verdict,
    reasons: Vec<Statement>,
    fixes: Vec<Fix>,
}

impl Acc {
    fn add(
        &mut self,
        v: Verdict,
        text: impl Into<String>,
        article: &'static str,
        certainty: Certainty,
    ) {
        self.verdict = self.verdict.max(v);
        self.reasons.push(Statement {
            text_de: text.into(),
            article,
            certainty,
            stand: STAND,
        });
    }
    fn fix(&mut self, f: Fix) {
        if !self.fixes.contains(&f) {
            self.fixes.push(f);
        }
    }
}

/// Decides whether the data may be entered into the tool. Pure; never panics.
pub fn quick_check(input: &QuickCheckInput) -> QuickCheckAnswer {
    use Certainty::{Law, Verify};
    use Verdict::{Ja, JaMitAuflagen as Auflagen};
    let mut a = Acc {
        verdict: Ja,
        reasons: Vec::new(),
        fixes: Vec::new(),
    };
    let has = |c: DataCategory| input.data.contains(&c);
    let personal = has(DataCategory::CustomerPersonalData)
        || has(DataCategory::EmployeePersonalData)
        || has(DataCategory::SpecialCategories);
    let secrets = has(DataCategory::BusinessSecrets);
    if !personal && !secrets {
        a.add(Ja, "Keine personenbezogenen Daten und keine Geschäftsgeheimnisse: die DSGVO ist nicht anwendbar. Prüfen Sie die Ergebnisse trotzdem, bevor Sie sie verwenden.", "Art. 2 Abs. 1, Art. 4 Nr. 1 DSGVO; Art. 4 KI-VO", Law);
    }
    if secrets {
        secrets_rules(&mut a, input);
    }
    if personal {
        personal_rules(&mut a, input);
    }
    if has(DataCategory::EmployeePersonalData) {
        a.add(Auflagen, "Beschäftigtendaten: Rechtsgrundlage im Beschäftigungsverhältnis prüfen, Beschäftigte informieren und einen bestehenden Betriebsrat vorab beteiligen, wenn das Werkzeug Verhalten oder Leistung auswerten kann.", "Art. 6, 13, 88 DSGVO; AT: §§ 96 Abs. 1 Z 3, 96a ArbVG; DE: § 87 Abs. 1 Nr. 6 BetrVG", Law);
    }
    if has(DataCategory::SpecialCategories) {
        special_rules(&mut a, input);
    }
    if personal && a.fixes.contains(&FIX_ANONYMIZE) {
        a.add(a.verdict.min(Auflagen), "Pseudonymisierte Daten bleiben für Sie personenbezogen; entfernen Sie Namen, Kontaktdaten, Kennnummern und seltene Details vollständig, dann entfällt der Personenbezug für den Anbieter in der Regel.", "Art. 4 Nr. 5, ErwGr. 26 DSGVO", Law);
    }
    if a.verdict == Ja && matches!(input.training, Training::Yes) {
        a.add(Ja, "Der Anbieter trainiert mit Ihren Eingaben: geben Sie nichts ein, was später nicht öffentlich werden darf.", "Art. 4 KI-VO (KI-Kompetenz)", Verify);
    }
    QuickCheckAnswer {
        verdict: a.verdict,
        verdict_de: a.verdict.label_de(),
        reasons: a.reasons,
        fixes: a.fixes,
        disclaimer_de: format!(
            "Diese Einschätzung ersetzt keine Rechtsberatung. Stand der Rechtslage: DSGVO (EU) 2016/679 und Verordnung (EU) 2024/1689 in der Fassung der Verordnung (EU) 2026/1744; Stand 27.11.2026. Regelwerk {}.",
            crate::RULESET_VERSION
        ),
    }
}

fn secrets_rules(a: &mut Acc, i: &QuickCheckInput) {
    use Certainty::Law;
    const ART: &str = "Art. 2 Nr. 1 lit. c RL (EU) 2016/943; DE: § 2 Nr. 1 lit. b GeschGehG; AT: § 26b Abs. 1 UWG";
    match (i.plan, i.training) {
        (ToolPlan::SelfHosted, _) => a.add(Verdict::Ja, "Geschäftsgeheimnisse auf eigener Infrastruktur: der Geheimnisschutz bleibt gewahrt, wenn Zugriffe beschränkt sind.", ART, Law),
        (_, Training::Yes) | (ToolPlan::Consumer, Training::Unknown) => {
            a.add(Verdict::NeinSoNicht, "Geschäftsgeheimnisse in einem Werkzeug, das mit Ihren Eingaben trainiert oder keine Vertraulichkeit zusagt: Sie riskieren den Schutz als Geschäftsgeheimnis, der angemessene Geheimhaltungsmaßnahmen voraussetzt.", ART, Law);
            a.fix(FIX_TRAINING);
            a.fix(FIX_BUSINESS);
        }
        (ToolPlan::Consumer, _) => {
            a.add(Verdict::JaMitAuflagen, "Geschäftsgeheimnisse im Gratis- bzw. Plus-Tarif ohne Training: nur wenn keine Geheimhaltungsvereinbarung entgegensteht; der Tarif enthält keine vertragliche Vertraulichkeitszusage.", ART, Law);
            a.fix(FIX_BUSINESS);
        }
        (_, Training::Unknown) => {
            a.add(Verdict::JaMitAuflagen, "Geschäftsgeheimnisse: klären Sie vorab, dass der Anbieter nicht mit Ihren Eingaben trainiert und Vertraulichkeit zusagt.", ART, Law);
            a.fix(FIX_TRAINING);
        }
        (_, Training::No) => a.add(Verdict::JaMitAuflagen, "Geschäftsgeheimnisse im Business- bzw. API-Zugang ohne Training: zulässig, wenn Vertraulichkeit vertraglich zugesagt ist und keine Geheimhaltungsvereinbarung mit Dritten entgegensteht.", ART, Law),
    }
}

fn personal_rules(a: &mut Acc, i: &QuickCheckInput) {
    use Certainty::{Law, Verify};
    use Verdict::{JaMitAuflagen as Auflagen, NeinSoNicht as Nein};
    match i.plan {
        ToolPlan::Consumer => {
            a.add(Nein, "Personenbezogene Daten im Gratis- bzw. Plus-Tarif: es gibt keinen Auftragsverarbeitungsvertrag, der Anbieter verarbeitet die Daten für eigene Zwecke; dafür fehlt Ihnen in aller Regel eine Rechtsgrundlage.", "Art. 28 Abs. 3, Art. 6 Abs. 1 DSGVO", Law);
            a.fix(FIX_ANONYMIZE);
            a.fix(FIX_BUSINESS);
            return;
        }
        ToolPlan::BusinessWithAvv => a.add(Auflagen, "Business-Tarif mit AVV: zulässig mit Rechtsgrundlage, Information der Betroffenen (Datenschutzerklärung), Eintrag im Verarbeitungsverzeichnis und Datenminimierung.", "Art. 5 Abs. 1 lit. c, Art. 6, 13, 28, 30 DSGVO", Law),
        ToolPlan::Api => {
            a.add(Auflagen, "API-Zugang: schließen bzw. akzeptieren Sie den Auftragsverarbeitungsvertrag (DPA) des Anbieters; daneben Rechtsgrundlage, Information der Betroffenen und Verarbeitungsverzeichnis.", "Art. 6, 13, 28, 30 DSGVO", Law);
            a.fix(FIX_BUSINESS);
        }
        ToolPlan::SelfHosted => {
            a.add(Auflagen, "Selbst betriebenes Modell: kein Auftragsverarbeiter, soweit Sie die Infrastruktur selbst betreiben; Rechtsgrundlage, Information und Sicherheit der Verarbeitung bleiben Ihre Pflicht (bei gemietetem Server: AVV mit dem Hoster).", "Art. 6, 13, 28, 32 DSGVO", Law);
        }
    }
    if i.plan != ToolPlan::SelfHosted {
        match i.training {
            Training::Yes => {
                a.add(Nein, "Der Anbieter trainiert mit Ihren Eingaben: damit nutzt er personenbezogene Daten für eigene Zwecke und wird insoweit selbst Verantwortlicher; das deckt kein AVV.", "Art. 28 Abs. 10, Art. 5 Abs. 1 lit. b DSGVO", Law);
                a.fix(FIX_TRAINING);
            }
            Training::Unknown => {
                a.add(Auflagen, "Unklar, ob mit Ihren Eingaben trainiert wird: vor der Eingabe klären und ausschließen.", "Art. 28 Abs. 3 lit. a, Abs. 10 DSGVO", Law);
                a.fix(FIX_TRAINING);
            }
            Training::No => {}
        }
    }
    match i.location {
        Location::Eu => a.add(Auflagen.min(a.verdict), "Verarbeitung in der EU bzw. im EWR: keine Drittlandübermittlung.", "Art. 44 DSGVO", Law),
        Location::UsDpf => a.add(Auflagen, "Verarbeitung in den USA: zulässig, wenn der Empfänger unter dem EU-US Data Privacy Framework zertifiziert ist (dataprivacyframework.gov); Standardvertragsklauseln als Rückfall bereithalten, das Rechtsmittel gegen den Angemessenheitsbeschluss ist anhängig.", "Art. 45 DSGVO; Durchführungsbeschluss (EU) 2023/1795; EuGH C-703/25 P", Verify),
        Location::OtherThirdCountry => {
            a.add(Auflagen, "Verarbeitung in einem Drittland ohne DPF-Zertifizierung: nur mit Standardvertragsklauseln und Transfer-Folgenabschätzung (oder Angemessenheitsbeschluss).", "Art. 44, 45, 46 Abs. 2 lit. c DSGVO", Law);
            a.fix(FIX_EU);
        }
        Location::Unknown if i.plan != ToolPlan::SelfHosted => {
            a.add(Nein, "Verarbeitungsort unbekannt: ohne ihn können Sie nicht sicherstellen, dass eine Übermittlung in ein Drittland abgesichert ist.", "Art. 44 DSGVO", Law);
            a.fix(FIX_LOCATION);
            a.fix(FIX_EU);
        }
        Location::Unknown => a.add(Auflagen, "Serverstandort klären; liegt er außerhalb der EU, gelten die Regeln zur Drittlandübermittlung.", "Art. 44 DSGVO", Law),
    }
}

fn special_rules(a: &mut Acc, i: &QuickCheckInput) {
    use Certainty::Law;
    const ART: &str = "Art. 9 Abs. 1, 2, Art. 35 DSGVO";
    let safe_place =
        matches!(i.location, Location::Eu | Location::UsDpf) || i.plan == ToolPlan::SelfHosted;
    if i.plan == ToolPlan::Consumer
        || (i.plan != ToolPlan::SelfHosted && i.training != Training::No)
        || !safe_place
    {
        a.add(Verdict::NeinSoNicht, "Besondere Kategorien (z. B. Gesundheit, Religion, biometrische Daten) sind grundsätzlich verboten; so eingegeben fehlt die Absicherung durch AVV, Trainingsausschluss bzw. sicheren Verarbeitungsort.", ART, Law);
        a.fix(FIX_ANONYMIZE);
        a.fix(FIX_EU);
    } else {
        a.add(Verdict::JaMitAuflagen, "Besondere Kategorien: nur mit einer Ausnahme nach Art. 9 Abs. 2 DSGVO (z. B. ausdrückliche Einwilligung) und nach Prüfung, ob eine Datenschutz-Folgenabschätzung nötig ist.", ART, Law);
        a.fix(FIX_ANONYMIZE);
    }
}
