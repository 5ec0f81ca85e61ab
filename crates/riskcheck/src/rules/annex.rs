//! Steps 5-7: Annex I (Art. 6(1)), Annex III (Art. 6(2)) with the Art. 6(3)
//! filter, and the high-risk obligation tags.
//!
//! Effective Annex III points = answered points ∪ points derived from
//! qualifiers, minus points removed by exclusions (aiact-facts.md §2).

use std::borrow::Cow;

use super::meta::Reason;
use super::{State, table};
use crate::facts::AnnexIiiAnswer;
use crate::model::Role;
use crate::obligations::Tag;
use crate::vocab::{AffectedPerson, AnnexISection, AnnexPoint as P, BiometricMode, InsuranceType};

const DATE_ANNEX_III: &str = "2027-12-02";
const DATE_ANNEX_I: &str = "2028-08-02";

/// Step 5: Annex I product route.
pub(crate) fn annex_i(st: &mut State<'_>) {
    let f = st.f;
    let named = f
        .annex_i_legislation
        .as_deref()
        .is_some_and(|s| !s.trim().is_empty());
    let covered = f.annex_i_product == Some(true) || (named && f.annex_i_product != Some(false));
    if !covered {
        if f.annex_i_product == Some(false) {
            st.say(
                &table::E1,
                "Kein Produkt nach den EU-Harmonisierungsvorschriften des Anhangs I",
            );
        }
        return;
    }
    if f.safety_function == Some(false) && f.failure_endangers_health_safety != Some(true) {
        st.say(&table::E2, "Anhang-I-Produkt, aber die KI erfüllt keine Sicherheitsfunktion (reine Assistenz-, Effizienz-, Komfort- oder Qualitätskontrollfunktion): kein Sicherheitsbauteil");
        return;
    }
    match f.third_party_conformity_required {
        Some(false) => {
            st.say(&table::E3, "Keine Konformitätsbewertung durch eine benannte Stelle erforderlich: kein Hochrisiko nach Art. 6 Abs. 1");
            return;
        }
        None => st.flag(&table::E3, "Unklar, ob eine benannte Stelle prüfen muss (weiß nicht): im Zweifel Hochrisiko nach Art. 6 Abs. 1"),
        Some(true) => st.say(&table::E3, "Sicherheitsbauteil bzw. Produkt mit Konformitätsbewertung durch eine benannte Stelle: Hochrisiko nach Art. 6 Abs. 1"),
    }
    let section = match f.annex_i_section {
        Some(s) => s,
        None => {
            st.flag(&table::E4, "Abschnitt von Anhang I nicht angegeben: im Zweifel Abschnitt A (volles Hochrisiko-Regime ab 2. August 2028)");
            AnnexISection::A
        }
    };
    if section == AnnexISection::B {
        st.say(&table::E4, "Produkt nach Anhang I Abschnitt B: die KI-Anforderungen gelten über das jeweilige Produktrecht (z. B. Maschinenverordnung); Art. 4 und Art. 50 KI-VO gelten hier nicht");
    } else if f.annex_i_section.is_some() {
        st.say(
            &table::E4,
            "Produkt nach Anhang I Abschnitt A: volles Hochrisiko-Regime ab 2. August 2028",
        );
    }
    st.annex_i = Some(section);
}

/// Step 6: effective Annex III points and the Art. 6(3) filter.
pub(crate) fn annex_iii(st: &mut State<'_>) {
    let f = st.f;
    let mut pts = match f.annex_iii_point {
        AnnexIiiAnswer::Points(s) => s,
        _ => Default::default(),
    };
    if f.infers_emotions_from_biometrics == Some(true) {
        pts.insert(P::P1c);
    }
    match f.biometric_mode {
        Some(BiometricMode::Identification) if f.remote != Some(false) => {
            pts.insert(P::P1a);
            if f.remote.is_none() {
                pt(
                    st,
                    P::P1a,
                    "Unklar, ob die Identifizierung ohne aktive Mitwirkung erfolgt (weiß nicht): im Zweifel biometrische Fernidentifizierung",
                    true,
                );
            }
        }
        Some(BiometricMode::Verification) => {
            if pts.contains(P::P1a) {
                pt(
                    st,
                    P::P1a,
                    "Reine biometrische Verifizierung (1:1) ist von Anhang III Nr. 1 lit. a ausgenommen",
                    false,
                );
            }
            pts.remove(P::P1a);
        }
        Some(BiometricMode::Categorisation) => pts.insert(P::P1b),
        _ => {}
    }
    if st.d.sensitive && f.law_enforcement == Some(true) && f.biometric_data != Some(false) {
        pts.insert(P::P1b);
    }
    if f.targeting_by_ai == Some(true) {
        pts.insert(P::P4a);
    }
    if f.task_allocation_based_on_individual_traits == Some(true)
        || f.used_for_employee_evaluation == Some(true)
        || f.used_for_teacher_evaluation == Some(true)
    {
        pts.insert(P::P4b);
    }
    let removals: [(P, bool, &str); 4] = [
        (
            P::P5b,
            f.subjects_are_natural_persons == Some(false),
            "Nur juristische Personen werden bewertet: keine Kreditwürdigkeitsprüfung natürlicher Personen",
        ),
        (
            P::P5b,
            f.fraud_detection_only == Some(true),
            "Ausschließlich Betrugserkennung: ausdrücklich ausgenommen",
        ),
        (
            P::P5c,
            f.insurance_type
                .is_some_and(|t| !matches!(t, InsuranceType::Life | InsuranceType::Health)),
            "Keine Lebens- oder Krankenversicherung: nicht erfasst (Art. 22 DSGVO kann trotzdem gelten)",
        ),
        (
            P::P8a,
            f.judicial_authority_or_adr == Some(false),
            "Kein Einsatz durch oder für ein Gericht oder eine Streitbeilegungsstelle: nicht erfasst",
        ),
    ];
    for (p, cond, text) in removals {
        if cond && pts.contains(p) {
            pt(st, p, text, false);
            pts.remove(p);
        }
    }
    if pts.contains(P::P2) {
        match f.safety_function {
            Some(false) => {
                pt(
                    st,
                    P::P2,
                    "Keine Sicherheitsfunktion (z. B. nur Prognose für Handel oder Einkauf): nicht erfasst",
                    false,
                );
                pts.remove(P::P2);
            }
            None => pt(
                st,
                P::P2,
                "Unklar, ob die KI eine Sicherheitsfunktion erfüllt (weiß nicht): im Zweifel erfasst",
                true,
            ),
            Some(true) => {}
        }
    }
    if f.law_enforcement == Some(false) && pts.iter().any(|p| p.area() == 6) {
        st.flag(&table::F_AREA6, "Widersprüchliche Angaben: Anhang III Nr. 6 setzt einen Einsatz durch oder für Strafverfolgungsbehörden voraus, Sie haben das verneint; im Zweifel erfasst");
    }
    st.points = pts;
    if pts.is_empty() {
        if f.annex_iii_point == AnnexIiiAnswer::NoneOfThem {
            st.say(
                &table::F_NONE,
                "Kein Hochrisiko-Bereich nach Anhang III einschlägig",
            );
        }
        return;
    }
    for p in pts.iter() {
        let text = crate::texts::point_title_de(p);
        pt(st, p, text, false);
    }
    art6_3(st);
}

/// The Art. 6(3) filter with the profiling override.
fn art6_3(st: &mut State<'_>) {
    let f = st.f;
    st.high_iii = true;
    if let Some(c) = f.art6_3_condition {
        match (f.profiling_natural_persons, f.materially_influences_decision) {
            (Some(true), _) => st.say(&table::G0, "Das System erstellt Profile natürlicher Personen: immer Hochrisiko, die Ausnahmen nach Art. 6 Abs. 3 greifen nicht"),
            (None, _) => st.flag(&table::G0, "Unklar, ob das System Personen profiliert (weiß nicht): im Zweifel Hochrisiko"),
            (Some(false), Some(true)) => st.say(&table::G5, "Das Ergebnis beeinflusst die Entscheidung spürbar: Ausnahme nach Art. 6 Abs. 3 greift nicht"),
            (Some(false), None) => st.flag(&table::G5, "Unklar, ob das Ergebnis die Entscheidung spürbar beeinflusst (weiß nicht): im Zweifel Hochrisiko"),
            (Some(false), Some(false)) => {
                st.high_iii = false;
                st.derogation = true;
                let what = match c.as_str() {
                    "a" => "eng begrenzte Verfahrensaufgabe",
                    "b" => "Verbesserung eines abgeschlossenen menschlichen Arbeitsergebnisses",
                    "c" => "Erkennung von Abweichungen von früheren Entscheidungsmustern mit menschlicher Überprüfung",
                    _ => "vorbereitende Aufgabe",
                };
                let r = Reason::new(&table::G_DEROGATION, format!("Ausnahme greift ({what}), kein Profiling, kein spürbarer Einfluss: kein Hochrisiko-System"))
                    .with_id(format!("G{}", 1 + (c as u8)))
                    .with_article(format!("Art. 6 Abs. 3 UAbs. 2 lit. {} KI-VO", c.as_str()));
                st.reasons.push(r);
            }
        }
    }
    if let (true, Some(v)) = (st.high_iii, f.vendor_claims_art6_3) {
        st.flag(&table::G_VENDOR, format!("Herstellerangabe überzeugt nicht: der Hersteller beruft sich auf Art. 6 Abs. 3 lit. {}, nach Ihren Angaben liegt aber ein Hochrisiko-Einsatz vor", v.as_str()));
    }
}

/// Step 7 (and the derogation tags of step 6): needs the role.
pub(crate) fn high_risk_tags(st: &mut State<'_>) {
    let f = st.f;
    if st.derogation {
        if st.role == Role::Provider {
            st.tag(Tag::Art6_4Documentation);
            st.tag(Tag::Art49_2Registration);
            st.say(&table::G6, "Dokumentieren Sie die Einstufung vor dem Inverkehrbringen und registrieren Sie das System in der EU-Datenbank");
        } else {
            st.say(&table::G_DEPLOYER, "Dokumentation des Anbieters anfordern: der Anbieter muss die Nicht-Hochrisiko-Einstufung dokumentieren");
        }
    }
    if st.annex_i == Some(AnnexISection::B) {
        let r = match f
            .annex_i_legislation
            .as_deref()
            .filter(|s| !s.trim().is_empty())
        {
            Some(l) => {
                format!("Art. 2 Abs. 2, Art. 6 Abs. 1 KI-VO idF VO (EU) 2026/1744 iVm {l}").into()
            }
            None => crate::obligations::spec(Tag::AnnexISectoralConformity)
                .legal_ref
                .into(),
        };
        st.tag_with(Tag::AnnexISectoralConformity, Some(r), None);
        return;
    }
    if !st.high_full() {
        return;
    }
    let date = if st.high_iii {
        DATE_ANNEX_III
    } else {
        DATE_ANNEX_I
    };
    if st.role == Role::Provider {
        if st.art25 != 0 {
            let letters: Vec<&str> = [(1, "a"), (2, "b"), (4, "c")]
                .iter()
                .filter(|(b, _)| st.art25 & b != 0)
                .map(|(_, l)| *l)
                .collect();
            let r = format!(
                "Art. 25 Abs. 1 lit. {} iVm Art. 16 KI-VO",
                letters.join(", ")
            );
            st.tag_with(Tag::Art25ProviderObligations, Some(r.into()), Some(date));
        } else {
            st.tag_with(Tag::Art16ProviderHighRisk, None, Some(date));
        }
        st.say(&table::HR_PROVIDER, "Anbieterpflichten für Hochrisiko-KI-Systeme: Risikomanagement, Daten-Governance, technische Dokumentation, Protokollierung, menschliche Aufsicht, Konformitätsbewertung, Registrierung, Marktbeobachtung");
    }
    if !st.own_use {
        return;
    }
    st.tag_with(Tag::Art26DeployerDuties, None, Some(date));
    st.say(&table::HR_DEPLOYER, "Betreiberpflichten: Einsatz nach Betriebsanleitung, geschulte menschliche Aufsicht, Eingabedaten, Überwachung, Protokolle mindestens sechs Monate");
    let workers = f
        .affected_persons
        .iter()
        .any(|p| matches!(p, AffectedPerson::Employees | AffectedPerson::Teachers))
        || f.employees_monitored == Some(true);
    if workers {
        st.tag_with(Tag::Art26_7WorkerInformation, None, Some(date));
        st.say(&table::HR_WORKERS, "Einsatz am Arbeitsplatz: Arbeitnehmervertretung und betroffene Beschäftigte vorab informieren (unabhängig davon, ob ein Betriebsrat besteht)");
    }
    let non2 = st.high_iii && st.points.iter().any(|p| p != crate::vocab::AnnexPoint::P2);
    if non2 {
        st.tag(Tag::Art26_11AffectedPersonNotice);
        let credit = st.points.contains(crate::vocab::AnnexPoint::P5b)
            || st.points.contains(crate::vocab::AnnexPoint::P5c);
        if f.public_body == Some(true) || f.provides_public_service == Some(true) || credit {
            st.tag(Tag::Art27Fria);
            st.say(&table::HR_FRIA, "Grundrechte-Folgenabschätzung vor dem ersten Einsatz erforderlich (öffentliche Stelle, öffentliche Dienstleistung oder Anhang III Nr. 5 lit. b/c)");
        } else {
            st.say(&table::HR_FRIA, "Keine Grundrechte-Folgenabschätzung: weder öffentliche Stelle noch öffentliche Dienstleistung noch Anhang III Nr. 5 lit. b/c");
        }
    }
}

/// Adds a reason for one Annex III point, with the point in id and article.
fn pt(st: &mut State<'_>, p: P, text: impl Into<Cow<'static, str>>, review: bool) {
    let r = Reason::new(&table::F_POINT, text)
        .with_id(format!("F-{}", p.as_str()))
        .with_article(format!("Art. 6 Abs. 2 iVm {} KI-VO", p.cite_de()));
    st.review |= review;
    st.reasons.push(r);
}
