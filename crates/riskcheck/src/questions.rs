//! The question content of the wizard (German texts from aiact.md §3-§16 and
//! aiact-facts.md §1). Structure and semantics are in [`crate::questionnaire`].

use crate::questionnaire::{Answer, Cond, Opt, Question, Step, Val, is_true, q};

const A: Cond = Cond::Always;
const AI: Cond = Cond::IsNot {
    key: "is_ai_system",
    value: Val::Bool(false),
};

const fn o(label_de: &'static str, value: &'static str) -> Opt {
    Opt {
        label_de,
        value: Val::Str(value),
    }
}

const fn single(
    id: &'static str,
    key: &'static str,
    text_de: &'static str,
    help_de: &'static str,
    article: &'static str,
    options: &'static [Opt],
    show_if: Cond,
) -> Question {
    Question {
        id,
        key,
        ui_only: false,
        text_de,
        help_de,
        answer: Answer::Single {
            options,
            unknown: Val::Omit,
        },
        show_if,
        article,
    }
}

const fn multi(
    id: &'static str,
    key: &'static str,
    text_de: &'static str,
    help_de: &'static str,
    article: &'static str,
    options: &'static [Opt],
    show_if: Cond,
) -> Question {
    Question {
        id,
        key,
        ui_only: false,
        text_de,
        help_de,
        answer: Answer::Multi { options },
        show_if,
        article,
    }
}

/// All steps.
pub(crate) static STEPS: &[Step] = &[
    Step {
        id: "ki_system",
        title_de: "Ist es ein KI-System?",
        help_de: "Entscheidend ist, ob das Werkzeug aus Eingaben selbst Ergebnisse ableitet. Beispiel: Ein Chatbot auf Basis von ChatGPT ist ein KI-System, eine Excel-Formel für Freigaben nicht.",
        show_if: A,
        questions: &[
            single(
                "AT/DE",
                "country",
                "Hat Ihr Unternehmen seinen Sitz in Österreich oder in Deutschland?",
                "Bestimmt die nationalen Verweise (z. B. ArbVG oder BetrVG).",
                "—",
                &[o("Österreich", "AT"), o("Deutschland", "DE")],
                A,
            ),
            q(
                "A1",
                "is_ai_system",
                "Erzeugt das Werkzeug selbstständig Texte, Bilder, Prognosen, Bewertungen oder Empfehlungen, etwa mit einem trainierten Modell (z. B. ChatGPT, Bilderkennung, Scoring-Modell)?",
                "Im Zweifel: Wenn der Hersteller von ‚KI‘, ‚Machine Learning‘, ‚intelligenter Erkennung‘ oder ‚Large Language Model‘ spricht, wählen Sie ‚Ja‘.",
                "Art. 3 Nr. 1 KI-VO",
                A,
            ),
            q(
                "A2",
                "rule_based_only",
                "Arbeitet das Werkzeug ausschließlich mit festen Wenn-dann-Regeln, die ein Mensch vollständig vorgegeben hat (z. B. ‚Rechnungsbetrag > 5.000 € → Freigabe durch Chef‘)?",
                "Dann ist es kein KI-System; die DSGVO gilt trotzdem, auch für automatisierte Entscheidungen.",
                "Art. 3 Nr. 1 KI-VO",
                Cond::IsNot {
                    key: "is_ai_system",
                    value: Val::Bool(true),
                },
            ),
            single(
                "KMU",
                "org_size",
                "Wie groß ist Ihr Unternehmen: Kleinst-, Klein- oder Mittelunternehmen, kleine Midcap oder größer?",
                "Nur für Erleichterungen (vereinfachte Dokumentation, niedrigere Bußgeldobergrenze).",
                "Art. 11 Abs. 1, Art. 99 Abs. 6 KI-VO",
                &[
                    o("Kleinstunternehmen", "micro"),
                    o("Kleinunternehmen", "small"),
                    o("Mittleres Unternehmen", "medium"),
                    o("Kleine Midcap", "small_mid_cap"),
                    o("Größer", "large"),
                ],
                A,
            ),
            Question {
                id: "ZWECK",
                key: "purpose",
                ui_only: false,
                text_de: "Wofür genau setzen Sie das System ein? (Kurzbeschreibung)",
                help_de: "Nur zur Dokumentation; die Einstufung ergibt sich aus Ihren Antworten, nicht aus diesem Text.",
                answer: Answer::Text,
                show_if: A,
                article: "Art. 3 Nr. 12 KI-VO",
            },
        ],
    },
    Step {
        id: "anwendungsbereich",
        title_de: "Anwendungsbereich",
        help_de: "Einige Einsätze sind von der KI-Verordnung ausgenommen. Beispiel: Ein Prototyp, der nur intern getestet wird und noch nicht im Einsatz ist.",
        show_if: AI,
        questions: &[
            q(
                "B1",
                "used_professionally_in_eu",
                "Nutzen Sie das KI-System beruflich in der EU, oder wird sein Ergebnis in der EU verwendet?",
                "Für Unternehmen in Österreich oder Deutschland fast immer ‚Ja‘.",
                "Art. 2 Abs. 1 KI-VO",
                A,
            ),
            q(
                "B2",
                "personal_non_professional_use_only",
                "Nutzen Sie es ausschließlich privat, nicht für Ihr Unternehmen?",
                "",
                "Art. 2 Abs. 10 KI-VO",
                A,
            ),
            q(
                "B3",
                "military_or_national_security_only",
                "Dient das System ausschließlich militärischen Zwecken oder der nationalen Sicherheit?",
                "Für KMU praktisch nie der Fall.",
                "Art. 2 Abs. 3 KI-VO",
                A,
            ),
            q(
                "B4",
                "pre_market_research_only",
                "Wird das System nur entwickelt und getestet und ist noch nicht im Einsatz oder auf dem Markt (kein Test unter Realbedingungen)?",
                "",
                "Art. 2 Abs. 8 KI-VO",
                A,
            ),
        ],
    },
    Step {
        id: "rolle",
        title_de: "Ihre Rolle: Anbieter oder Betreiber?",
        help_de: "Wer ein KI-System unter eigenem Namen anbietet oder selbst entwickelt, ist Anbieter; wer ein fertiges Produkt nutzt, ist Betreiber. Beispiel: Ein eigener Website-Chatbot auf Basis der OpenAI-API macht Sie zum Anbieter.",
        show_if: AI,
        questions: &[
            q(
                "C1",
                "developed_or_commissioned_by_us",
                "Haben Sie das KI-System selbst entwickelt oder entwickeln lassen (auch wenn es technisch auf ChatGPT, Claude o. Ä. aufbaut)?",
                "",
                "Art. 3 Nr. 3 KI-VO",
                A,
            ),
            q(
                "C1b",
                "offered_or_put_into_service_under_own_name",
                "Bieten Sie das System unter Ihrem eigenen Namen oder Ihrer Marke an, oder setzen Sie es so ein?",
                "Auch der Einsatz im eigenen Betrieb zählt (Inbetriebnahme).",
                "Art. 3 Nr. 3, 11 KI-VO",
                A,
            ),
            q(
                "C1c",
                "also_used_in_own_operations",
                "Setzen Sie Ihr eigenes System auch selbst in Ihrem Unternehmen ein?",
                "Dann gelten zusätzlich die Betreiberpflichten.",
                "Art. 3 Nr. 4, Art. 26 KI-VO",
                is_true("developed_or_commissioned_by_us"),
            ),
            q(
                "C2",
                "uses_third_party_system",
                "Nutzen Sie ein fertiges KI-Produkt eines anderen Herstellers (z. B. ChatGPT, Microsoft Copilot, DeepL, eine Bewerber-Software) in Ihrem Unternehmen?",
                "",
                "Art. 3 Nr. 4 KI-VO",
                A,
            ),
            q(
                "C3",
                "art25_own_name_on_high_risk_system",
                "Verkaufen oder überlassen Sie ein Hochrisiko-KI-System eines anderen Herstellers unter Ihrem eigenen Namen oder Ihrer Marke (White-Label)?",
                "",
                "Art. 25 Abs. 1 lit. a KI-VO",
                A,
            ),
            q(
                "C4",
                "art25_substantial_modification",
                "Haben Sie ein Hochrisiko-KI-System wesentlich verändert, etwa durch ein neues Modell, Nachtraining mit anderen Daten oder neue Funktionen, die der Hersteller nicht vorgesehen hat?",
                "",
                "Art. 25 Abs. 1 lit. b KI-VO",
                A,
            ),
            q(
                "C5",
                "art25_intended_purpose_changed_to_high_risk",
                "Setzen Sie ein KI-System, z. B. einen allgemeinen Chat-Assistenten, für einen Zweck ein, den der Hersteller nicht vorgesehen hat und der auf der Hochrisiko-Liste steht (z. B. Bewerbungen bewerten oder ranken, Mitarbeitende beurteilen, Kreditwürdigkeit von Privatpersonen prüfen)?",
                "Beispiel: Ein interner GPT-Assistent wird genutzt, um Bewerbungen zu sortieren.",
                "Art. 25 Abs. 1 lit. c KI-VO",
                A,
            ),
            q(
                "C6",
                "public_body",
                "Sind Sie eine Behörde oder eine Einrichtung des öffentlichen Rechts?",
                "",
                "Art. 27 Abs. 1 KI-VO",
                A,
            ),
            q(
                "C6b",
                "provides_public_service",
                "Erbringen Sie als privates Unternehmen öffentliche Dienstleistungen, etwa im Auftrag der öffentlichen Hand (z. B. Rettungsdienst, staatlich anerkannte Schule, Sozialdienst)?",
                "",
                "Art. 27 Abs. 1 KI-VO; ErwGr. 96",
                A,
            ),
            multi(
                "C7",
                "affected_persons",
                "Wen betreffen die Ergebnisse des Systems?",
                "Mehrfachauswahl.",
                "Art. 26 Abs. 7, 11 KI-VO",
                &[
                    o("Kund:innen", "customers"),
                    o("Verbraucher:innen", "consumers"),
                    o("Bewerbende", "applicants"),
                    o("Potenzielle Bewerbende", "potential_applicants"),
                    o("Beschäftigte", "employees"),
                    o("Lehrkräfte", "teachers"),
                    o("Lernende", "students"),
                    o("Patient:innen", "patients"),
                    o("Öffentlichkeit", "public"),
                ],
                A,
            ),
        ],
    },
    Step {
        id: "verbote",
        title_de: "Verbotene Praktiken",
        help_de: "Diese Einsätze sind seit 2. Februar 2025 verboten. Beispiel: Eine Software, die in Videocalls die Stimmung von Mitarbeitenden auswertet.",
        show_if: AI,
        questions: crate::questions_art5::QUESTIONS,
    },
    Step {
        id: "produkt",
        title_de: "Produkte mit CE-Kennzeichnung (Anhang I)",
        help_de: "Betrifft KI in regulierten Produkten. Beispiel: KI-Bildauswertung in einem Medizinprodukt.",
        show_if: AI,
        questions: &[
            q(
                "E1",
                "annex_i_product",
                "Ist das KI-System selbst ein Produkt oder Teil eines Produkts, für das eigene EU-Produktvorschriften mit CE-Kennzeichnung gelten (z. B. Medizinprodukt, Maschine, Spielzeug, Aufzug, Funkgerät, Fahrzeug, Schutzausrüstung)?",
                "",
                "Art. 6 Abs. 1 lit. a KI-VO",
                A,
            ),
            Question {
                id: "E1b",
                key: "annex_i_legislation",
                ui_only: false,
                text_de: "Welche EU-Produktvorschrift gilt für das Produkt?",
                help_de: "z. B. Medizinprodukteverordnung (EU) 2017/745 oder Maschinenverordnung (EU) 2023/1230",
                answer: Answer::Text,
                show_if: is_true("annex_i_product"),
                article: "Anhang I KI-VO",
            },
            q(
                "E2",
                "safety_function",
                "Übernimmt die KI eine Sicherheitsfunktion, verhindert sie also Gefahren für Menschen, Sachen oder die Versorgung? Reine Komfort-, Effizienz-, Energiespar- oder Qualitätskontrollfunktionen zählen nicht.",
                "Dieselbe Frage gilt für kritische Infrastruktur (Anhang III Nr. 2).",
                "Art. 6 Abs. 1 lit. a, Abs. 1a KI-VO",
                is_true("annex_i_product"),
            ),
            q(
                "E2b",
                "failure_endangers_health_safety",
                "Würde ein Fehler oder Ausfall der KI-Funktion Menschen gefährden?",
                "",
                "Art. 6 Abs. 1b KI-VO",
                Cond::All(&[
                    is_true("annex_i_product"),
                    Cond::Is {
                        key: "safety_function",
                        value: Val::Bool(false),
                    },
                ]),
            ),
            q(
                "E3",
                "third_party_conformity_required",
                "Muss das Produkt von einer benannten Stelle (‚Notified Body‘) geprüft werden, z. B. ein Medizinprodukt ab Klasse IIa?",
                "Prüfungen nur wegen Funk oder elektromagnetischer Verträglichkeit zählen nicht.",
                "Art. 6 Abs. 1 lit. b, Abs. 1c KI-VO",
                is_true("annex_i_product"),
            ),
            single(
                "E4",
                "annex_i_section",
                "Abschnitt von Anhang I (intern, aus der Produktvorschrift abzuleiten)",
                "Abschnitt A: u. a. Spielzeug, Sportboote, Aufzüge, ATEX, Funkanlagen, Druckgeräte, Seilbahnen, PSA, Gasgeräte, Medizinprodukte, In-vitro-Diagnostika. Abschnitt B: u. a. Luftfahrt, Kraftfahrzeuge, Zwei- und Dreiräder, land- und forstwirtschaftliche Fahrzeuge, Schiffsausrüstung, Eisenbahn, Maschinen (VO (EU) 2023/1230).",
                "Anhang I, Art. 2 Abs. 2 KI-VO idF VO (EU) 2026/1744",
                &[o("Abschnitt A", "A"), o("Abschnitt B", "B")],
                is_true("annex_i_product"),
            ),
        ],
    },
    Step {
        id: "hochrisiko",
        title_de: "Hochrisiko-Bereiche (Anhang III)",
        help_de: "Entscheidend ist, wofür Sie das System tatsächlich einsetzen, nicht das Werkzeug. Beispiel: ChatGPT zum Sortieren von Bewerbungen ist Hochrisiko, ChatGPT für Werbetexte nicht.",
        show_if: AI,
        questions: crate::questions_annex::QUESTIONS,
    },
    Step {
        id: "ausnahmen",
        title_de: "Ausnahmen für Hochrisiko-Bereiche (Art. 6 Abs. 3)",
        help_de: "Ein System in einem Hochrisiko-Bereich kann ausgenommen sein, wenn es nur eine Hilfstätigkeit übernimmt. Beispiel: Die KI übersetzt Bewerbungsunterlagen, bewerten tut ein Mensch.",
        show_if: Cond::All(&[
            AI,
            Cond::IsNot {
                key: "annex_iii_point",
                value: Val::Omit,
            },
            Cond::IsNot {
                key: "annex_iii_point",
                value: Val::Null,
            },
        ]),
        questions: crate::questions_annex::EXCEPTIONS,
    },
    Step {
        id: "transparenz",
        title_de: "Transparenzpflichten (Art. 50)",
        help_de: "Gelten seit 2. August 2026. Beispiel: Ein Website-Chatbot muss erkennbar machen, dass eine KI antwortet.",
        show_if: AI,
        questions: crate::questions_art5::TRANSPARENCY,
    },
    Step {
        id: "datenschutz",
        title_de: "Datenschutz und Betriebsrat",
        help_de: "Die DSGVO gilt neben der KI-Verordnung, auch für einfache Software. Beispiel: Kundendaten in einem Cloud-KI-Dienst brauchen einen AVV.",
        show_if: A,
        questions: crate::questions_annex::GDPR,
    },
];
