//! Steps 8 and 10: Art. 50 transparency duties, GPAI and legacy notes, and
//! Art. 4 AI literacy.
//!
//! Art. 50 is cumulative with high-risk (Art. 50(6)) but does not apply to
//! prohibited practices or Annex I Section B products (Art. 2(2) as amended).

use super::{State, table};
use crate::model::Role;
use crate::obligations::Tag;
use crate::vocab::{AnnexPoint, ComputeShare, OrgSize};

pub(crate) fn run(st: &mut State<'_>) {
    if st.ai_act_general() {
        art50(st);
    }
    notes(st);
    if st.ai_act_general() {
        st.tag(Tag::Art4Literacy);
        st.say(&table::L4, "KI-Kompetenz: Sorgen Sie dafür, dass alle Personen, die dieses KI-Werkzeug nutzen, wissen, was es kann und was nicht, welche Daten sie eingeben dürfen und wann ein Mensch prüfen muss; dokumentieren Sie Schulungen mit Datum");
    }
}

fn art50(st: &mut State<'_>) {
    let f = st.f;
    // H1: Art. 50(1)
    if f.interacts_directly_with_natural_persons == Some(true) {
        let human_like = f.human_persona == Some(true) || f.human_like_voice == Some(true);
        if f.human_sends_reply == Some(true) {
            st.say(&table::H1_DEPLOYER, "Die KI erstellt nur Entwürfe, die ein Mensch prüft und selbst absendet: keine direkte Interaktion im Sinne von Art. 50 Abs. 1");
        } else if f.ai_nature_obvious == Some(true) && !human_like {
            st.say(&table::H1, "Direkte Interaktion, aber für jede Person offensichtlich eine KI: keine Hinweispflicht");
        } else {
            st.tag(Tag::Art50ChatbotDisclosure);
            if human_like && f.ai_nature_obvious == Some(true) {
                st.say(&table::H1, "Menschlicher Name, Avatar oder menschlich klingende Stimme: die KI ist nicht offensichtlich erkennbar");
            }
            if st.role == Role::Provider {
                st.say(&table::H1, "Personen kommunizieren direkt mit der KI: bauen Sie den Hinweis „Sie kommunizieren mit einer KI“ spätestens bei der ersten Interaktion ein");
            } else {
                st.say(&table::H1_DEPLOYER, "Personen kommunizieren direkt mit der KI: die Hinweispflicht trifft den Anbieter; als Betreiber sorgen Sie dafür, dass der Hinweis angezeigt und nicht abgeschaltet wird");
            }
        }
    }
    // H2: Art. 50(2), provider only
    if f.generates_synthetic_content == Some(true) {
        if st.role == Role::Provider {
            let date = if f.placed_on_market_before_2026_08_02 == Some(true) {
                "2026-12-02"
            } else {
                "2026-08-02"
            };
            st.tag_with(Tag::Art50SyntheticMarking, None, Some(date));
            let extra = if f.built_on_gpai_api == Some(true) {
                "; bei einem System auf Basis eines fremden Modells können Sie die Markierung des Modells nutzen, wenn sie erhalten bleibt"
            } else {
                ""
            };
            st.say(&table::H2, format!("Ihr System erzeugt Inhalte: maschinenlesbare Kennzeichnung und Erkennbarkeit als KI-erzeugt sicherstellen{extra}"));
        } else {
            st.say(&table::H2, "Die maschinenlesbare Kennzeichnung KI-erzeugter Inhalte ist Pflicht des Anbieters, nicht des Betreibers");
        }
    }
    // H3: Art. 50(3), own use of emotion recognition or biometric categorisation
    let emotion_or_cat = st.points.contains(AnnexPoint::P1c) || st.points.contains(AnnexPoint::P1b);
    if emotion_or_cat && st.own_use {
        if f.law_enforcement == Some(true) {
            st.say(&table::H3, "Gesetzlich zugelassener Einsatz zur Aufdeckung, Verhütung oder Ermittlung von Straftaten: keine Hinweispflicht nach Art. 50 Abs. 3");
        } else {
            st.tag(Tag::Art50EmotionBiometricNotice);
            st.say(&table::H3, "Emotionserkennung bzw. biometrische Kategorisierung: informieren Sie die betroffenen Personen über den Betrieb des Systems");
        }
    }
    // H4: Art. 50(4) subpara 1, deep fakes
    let components = f.realistic == Some(true)
        && f.resembles_existing_persons_places_objects_events == Some(true);
    let deepfake = match f.output_is_deepfake {
        Some(true) => true,
        Some(false) if components => {
            st.flag(&table::H4, "Widersprüchliche Angaben: kein Deepfake angegeben, aber realistische Darstellung echter Personen, Orte oder Ereignisse; im Zweifel kennzeichnen");
            true
        }
        Some(false) => false,
        None => components,
    };
    if deepfake {
        st.tag(Tag::Art50DeepfakeLabel);
        if f.evidently_artistic_or_fictional == Some(true) {
            st.say(&table::H4, "Deepfake in einem offensichtlich künstlerischen, satirischen oder fiktionalen Werk: Offenlegung in einer Form, die die Darstellung nicht beeinträchtigt");
        } else {
            st.say(&table::H4, "Täuschend echte KI-Bilder, -Videos oder -Audios: offenlegen, dass die Inhalte KI-erzeugt oder KI-verändert sind");
        }
    }
    // H5: Art. 50(4) subpara 2, public-interest text
    if f.publishes_ai_text_on_public_interest == Some(true) {
        if f.human_editorial_review_and_responsibility == Some(true) {
            st.say(&table::H5, "KI-Texte von öffentlichem Interesse mit redaktioneller Prüfung und redaktioneller Verantwortung: keine Kennzeichnungspflicht");
        } else {
            st.tag(Tag::Art50PublicInterestTextLabel);
            st.say(&table::H5, "KI-Texte zur Information der Öffentlichkeit ohne redaktionelle Verantwortung: als KI-erzeugt kennzeichnen");
        }
    }
}

/// GPAI indicators, legacy systems and SME relief (reasons only, no tags).
fn notes(st: &mut State<'_>) {
    let f = st.f;
    let gpai_share = matches!(
        f.gpai_modification_compute_share,
        Some(ComputeShare::Above | ComputeShare::Unknown)
    );
    if f.gpai_model_provider == Some(true) || gpai_share {
        st.flag(&table::GPAI, "Möglicherweise Anbieter eines KI-Modells mit allgemeinem Verwendungszweck (Art. 53); diese Pflichten deckt dieser Check nicht ab");
    }
    let high = st.high_full() && !st.prohibited;
    if high && f.legacy_high_risk_unchanged == Some(true) {
        st.flag(&table::HR_LEGACY, "Vor dem Stichtag in Verkehr gebrachtes, seither nicht wesentlich geändertes Hochrisiko-System: Pflichten greifen erst bei erheblicher Änderung des Designs (Behörden: spätestens 2. August 2030); Einordnung prüfen");
    }
    let sme = matches!(
        f.org_size,
        Some(OrgSize::Micro | OrgSize::Small | OrgSize::Medium | OrgSize::SmallMidCap)
    );
    if sme && high {
        let doc = if st.role == Role::Provider {
            "vereinfachte technische Dokumentation und verhältnismäßiges Qualitätsmanagement möglich; "
        } else {
            ""
        };
        st.say(
            &table::HR_SME,
            format!(
                "KMU bzw. kleine Midcap: {doc}bei Bußgeldern gilt der jeweils niedrigere Betrag"
            ),
        );
    }
}
