//! Wizard questions for Annex III (step F), Art. 6(3) (step G) and the GDPR module.

use crate::questionnaire::{Answer, Cond, Opt, Question, Val, is_true, q};

const A: Cond = Cond::Always;

const fn o(label_de: &'static str, value: &'static str) -> Opt {
    Opt {
        label_de,
        value: Val::Str(value),
    }
}

const fn p(
    id: &'static str,
    value: &'static str,
    area: &'static str,
    text_de: &'static str,
    help_de: &'static str,
) -> Question {
    Question {
        id,
        key: "annex_iii_point",
        ui_only: false,
        text_de,
        help_de,
        answer: Answer::ListMember { value },
        show_if: Cond::Contains {
            key: "ui_annex_iii_areas",
            value: area,
        },
        article: "Art. 6 Abs. 2, Anhang III KI-VO",
    }
}

const fn has(point: &'static str) -> Cond {
    Cond::Contains {
        key: "annex_iii_point",
        value: point,
    }
}

/// Annex III area and sub-point questions.
pub(crate) static QUESTIONS: &[Question] = &[
    Question {
        id: "F",
        key: "ui_annex_iii_areas",
        ui_only: true,
        text_de: "In welchen dieser Bereiche setzen Sie das System ein? (Mehrfachauswahl)",
        help_de: "Wählen Sie „keines davon“, wenn nichts zutrifft; dann senden Sie annex_iii_point: null.",
        answer: Answer::Multi {
            options: &[
                o("Biometrie", "1"),
                o("Kritische Infrastruktur", "2"),
                o("Bildung und Ausbildung", "3"),
                o("Beschäftigung und Personal", "4"),
                o("Kredit, Versicherung, öffentliche Leistungen, Notrufe", "5"),
                o("Strafverfolgung", "6"),
                o("Migration, Asyl, Grenzkontrolle", "7"),
                o("Justiz und Wahlen", "8"),
                o("Keines davon", "none"),
            ],
        },
        show_if: A,
        article: "Anhang III KI-VO",
    },
    p(
        "F-1(a)",
        "1(a)",
        "1",
        "Erkennt das System Personen anhand von Gesicht, Stimme, Gang o. Ä., ohne dass diese aktiv mitwirken, indem es sie mit einer Datenbank vieler Personen abgleicht (z. B. Kamera im Geschäft gleicht alle Besucher mit einer Liste ab)?",
        "Nicht gemeint: nur bestätigen, dass jemand die Person ist, die sie zu sein behauptet (Face-ID, Gesicht + Ausweis an der Tür).",
    ),
    p(
        "F-1(b)",
        "1(b)",
        "1",
        "Ordnet das System Personen anhand biometrischer Merkmale bestimmten Gruppen zu, z. B. nach Geschlecht, Alter oder anderen geschützten Merkmalen?",
        "",
    ),
    p(
        "F-1(c)",
        "1(c)",
        "1",
        "Erkennt das System Gefühle oder Absichten von Personen (z. B. Ärger, Stress) anhand von Gesicht, Stimme oder Körpersignalen, außerhalb von Arbeitsplatz und Bildung oder dort aus medizinischen oder Sicherheitsgründen?",
        "",
    ),
    p(
        "F-2",
        "2",
        "2",
        "Steuert oder überwacht die KI sicherheitsrelevante Funktionen in der Versorgung mit Wasser, Gas, Wärme oder Strom, im Straßenverkehr (z. B. Ampelsteuerung) oder in kritischer digitaler Infrastruktur, sodass ein Fehler Menschen oder die Versorgung gefährden könnte?",
        "Prognosen für Handel oder Einkauf zählen nicht.",
    ),
    p(
        "F-3(a)",
        "3(a)",
        "3",
        "Entscheidet oder hilft die KI zu entscheiden, wer in eine Schule, Hochschule, Aus- oder Weiterbildungseinrichtung aufgenommen oder welcher Klasse oder welchem Kurs jemand zugeteilt wird?",
        "",
    ),
    p(
        "F-3(b)",
        "3(b)",
        "3",
        "Bewertet die KI Lernergebnisse, z. B. Prüfungen, Aufsätze, Tests, oder steuert sie anhand solcher Bewertungen den Lernweg?",
        "",
    ),
    p(
        "F-3(c)",
        "3(c)",
        "3",
        "Beurteilt die KI, welches Bildungsniveau oder welchen Bildungsweg eine Person erhalten oder erreichen kann (z. B. Einstufungstest)?",
        "",
    ),
    p(
        "F-3(d)",
        "3(d)",
        "3",
        "Überwacht die KI Lernende während Prüfungen, um Schummeln oder verbotenes Verhalten zu erkennen (Online-Proctoring)?",
        "Erkennt sie dabei auch Nervosität aus Gesicht oder Stimme, ist das verboten.",
    ),
    p(
        "F-4(a)",
        "4(a)",
        "4",
        "Nutzen Sie die KI, um Stellenanzeigen gezielt bestimmten Personen auszuspielen, Bewerbungen zu sichten, zu filtern oder zu sortieren, oder Bewerbende zu bewerten oder zu vergleichen?",
        "Nur den Text einer Stellenanzeige schreiben zählt nicht.",
    ),
    p(
        "F-4(b)",
        "4(b)",
        "4",
        "Trifft oder unterstützt die KI Entscheidungen über Arbeitsbedingungen, Beförderung oder Kündigung, verteilt sie Aufgaben oder Touren anhand von Verhalten oder Eigenschaften einzelner Mitarbeitender, oder überwacht und bewertet sie deren Leistung oder Verhalten?",
        "",
    ),
    q(
        "F-4a1",
        "targeting_by_ai",
        "Entscheidet die KI, welchen Personen eine Stellenanzeige angezeigt wird?",
        "",
        "Anhang III Nr. 4 lit. a KI-VO",
        Cond::Contains {
            key: "ui_annex_iii_areas",
            value: "4",
        },
    ),
    q(
        "F-4b1",
        "task_allocation_based_on_individual_traits",
        "Verteilt die KI Aufgaben, Touren oder Schichten anhand von Verhalten, Leistung oder Eigenschaften einzelner Mitarbeitender?",
        "",
        "Anhang III Nr. 4 lit. b KI-VO",
        Cond::Contains {
            key: "ui_annex_iii_areas",
            value: "4",
        },
    ),
    q(
        "F-4b2",
        "used_for_employee_evaluation",
        "Nutzen Sie die Ergebnisse, um Leistung oder Verhalten von Beschäftigten zu überwachen oder zu bewerten, oder um über Bonus, Beförderung oder Kündigung zu entscheiden?",
        "",
        "Anhang III Nr. 4 lit. b KI-VO",
        Cond::Contains {
            key: "ui_annex_iii_areas",
            value: "4",
        },
    ),
    q(
        "F-4b3",
        "used_for_teacher_evaluation",
        "Werden die Ergebnisse genutzt, um die Arbeit von Lehrkräften zu bewerten?",
        "",
        "Anhang III Nr. 4 lit. b KI-VO",
        Cond::Any(&[
            Cond::Contains {
                key: "ui_annex_iii_areas",
                value: "3",
            },
            Cond::Contains {
                key: "ui_annex_iii_areas",
                value: "4",
            },
        ]),
    ),
    p(
        "F-5(a)",
        "5(a)",
        "5",
        "Prüfen Sie im Auftrag einer Behörde mit KI, ob Menschen Anspruch auf öffentliche Leistungen haben (z. B. Sozialleistungen, Förderungen, Gesundheitsleistungen), oder entscheiden Sie über Gewährung oder Rückforderung?",
        "",
    ),
    p(
        "F-5(b)",
        "5(b)",
        "5",
        "Bewertet die KI die Kreditwürdigkeit oder Zahlungsfähigkeit von Privatpersonen oder Einzelunternehmer:innen (z. B. Ratenkauf, Leasing, Kauf auf Rechnung, Kredit), oder berechnet sie einen Kredit-Score?",
        "",
    ),
    q(
        "F-5b1",
        "subjects_are_natural_persons",
        "Bewertet die KI die Kreditwürdigkeit von Privatpersonen oder Einzelunternehmer:innen, und nicht ausschließlich von GmbHs, AGs o. Ä.?",
        "",
        "Anhang III Nr. 5 lit. b KI-VO",
        has("5(b)"),
    ),
    q(
        "F-5b2",
        "fraud_detection_only",
        "Dient die KI ausschließlich der Erkennung von Betrug (z. B. gestohlene Kreditkarten)?",
        "",
        "Anhang III Nr. 5 lit. b KI-VO",
        has("5(b)"),
    ),
    p(
        "F-5(c)",
        "5(c)",
        "5",
        "Nutzen Sie KI, um für Lebens- oder Krankenversicherungen das Risiko einer Person einzuschätzen oder den Preis festzulegen?",
        "Kfz- oder Sachversicherung zählt nicht.",
    ),
    Question {
        id: "F-5c1",
        key: "insurance_type",
        ui_only: false,
        text_de: "Für welche Versicherungssparte schätzt die KI Risiken ein oder berechnet Prämien?",
        help_de: "",
        answer: Answer::Single {
            options: &[
                o("Leben", "life"),
                o("Kranken", "health"),
                o("Kfz", "motor"),
                o("Sach", "property"),
                o("Haftpflicht", "liability"),
                o("Andere", "other"),
            ],
            unknown: Val::Omit,
        },
        show_if: has("5(c)"),
        article: "Anhang III Nr. 5 lit. c KI-VO",
    },
    p(
        "F-5(d)",
        "5(d)",
        "5",
        "Bewertet oder priorisiert die KI Notrufe oder steuert sie den Einsatz von Rettung, Feuerwehr oder Polizei, oder die Triage von Notfallpatient:innen?",
        "",
    ),
    p(
        "F-6(a)",
        "6(a)",
        "6",
        "Arbeiten Sie im Auftrag der Polizei oder einer Strafverfolgungsbehörde und schätzt die KI ein, wie wahrscheinlich eine Person Opfer einer Straftat wird?",
        "",
    ),
    p(
        "F-6(b)",
        "6(b)",
        "6",
        "Wird die KI im Auftrag einer Strafverfolgungsbehörde als ‚Lügendetektor‘ oder ähnliches Werkzeug eingesetzt?",
        "",
    ),
    p(
        "F-6(c)",
        "6(c)",
        "6",
        "Bewertet die KI im Auftrag einer Strafverfolgungsbehörde die Verlässlichkeit von Beweismitteln?",
        "",
    ),
    p(
        "F-6(d)",
        "6(d)",
        "6",
        "Schätzt die KI im Auftrag einer Strafverfolgungsbehörde ein, ob jemand (erneut) straffällig wird, oder bewertet sie Persönlichkeit oder frühere Straftaten?",
        "",
    ),
    p(
        "F-6(e)",
        "6(e)",
        "6",
        "Erstellt die KI im Rahmen von Ermittlungen Profile von Personen?",
        "",
    ),
    p(
        "F-7(a)",
        "7(a)",
        "7",
        "Arbeiten Sie im Auftrag einer Migrations-, Asyl- oder Grenzbehörde und wird die KI als ‚Lügendetektor‘ o. Ä. eingesetzt?",
        "",
    ),
    p(
        "F-7(b)",
        "7(b)",
        "7",
        "Schätzt die KI für eine solche Behörde Risiken (Sicherheit, irreguläre Migration, Gesundheit) einer einreisenden Person ein?",
        "",
    ),
    p(
        "F-7(c)",
        "7(c)",
        "7",
        "Unterstützt die KI für eine solche Behörde die Prüfung von Asyl-, Visa- oder Aufenthaltsanträgen?",
        "",
    ),
    p(
        "F-7(d)",
        "7(d)",
        "7",
        "Erkennt oder identifiziert die KI für eine solche Behörde Personen (außer der Prüfung von Reisedokumenten)?",
        "",
    ),
    p(
        "F-8(a)",
        "8(a)",
        "8",
        "Unterstützt die KI ein Gericht oder eine Schlichtungs- bzw. Streitbeilegungsstelle dabei, Sachverhalte und Recht zu ermitteln, auszulegen oder auf einen Fall anzuwenden?",
        "Die eigene Vertragsprüfung einer Kanzlei oder eines Unternehmens zählt nicht.",
    ),
    q(
        "F-8a1",
        "judicial_authority_or_adr",
        "Unterstützt die KI ein Gericht oder eine Schlichtungs- bzw. Streitbeilegungsstelle?",
        "",
        "Anhang III Nr. 8 lit. a KI-VO",
        has("8(a)"),
    ),
    p(
        "F-8(b)",
        "8(b)",
        "8",
        "Soll die KI Wahl- oder Abstimmungsverhalten von Menschen beeinflussen, z. B. durch gezielte politische Botschaften, die Wählende direkt sehen?",
        "Reine Verwaltungs- oder Logistikwerkzeuge einer Kampagne zählen nicht.",
    ),
];

/// Art. 6(3) questions (asked only when an Annex III point was answered).
pub(crate) static EXCEPTIONS: &[Question] = &[
    q(
        "G0",
        "profiling_natural_persons",
        "Bewertet das System einzelne Personen automatisch, etwa ihre Leistung, Zuverlässigkeit, finanzielle Lage, Gesundheit, Vorlieben, Interessen, ihr Verhalten oder ihren Aufenthaltsort, und erstellt daraus einen Score, ein Ranking, eine Prognose oder eine Einstufung?",
        "Wenn ja, ist das System immer Hochrisiko; die folgenden Ausnahmen entfallen.",
        "Art. 6 Abs. 3 UAbs. 3 KI-VO; Art. 4 Nr. 4 DSGVO",
        A,
    ),
    Question {
        id: "G1-4",
        key: "art6_3_condition",
        ui_only: false,
        text_de: "Trifft eine dieser Beschreibungen auf die Aufgabe der KI zu?",
        help_de: "G1: nur eng begrenzte Hilfstätigkeit (Daten aus Dokumenten in Felder übertragen, Dokumente sortieren, doppelte Bewerbungen finden), ohne Personen zu bewerten. G2: verbessert nur ein fertiges Ergebnis eines Menschen (sprachliche Überarbeitung). G3: prüft nur im Nachhinein, ob menschliche Entscheidungen von einem Muster abweichen, ein Mensch prüft sorgfältig. G4: bereitet nur vor (Übersetzen, Zusammenfassen, Indexieren), die Bewertung nimmt vollständig ein Mensch vor.",
        answer: Answer::Single {
            options: &[
                o("G1: eng begrenzte Hilfstätigkeit", "a"),
                o("G2: verbessert fertiges menschliches Ergebnis", "b"),
                o("G3: Abweichungsprüfung im Nachhinein", "c"),
                o("G4: nur vorbereitende Aufgabe", "d"),
                Opt {
                    label_de: "Keine davon",
                    value: Val::Null,
                },
            ],
            unknown: Val::Omit,
        },
        show_if: Cond::IsNot {
            key: "profiling_natural_persons",
            value: Val::Bool(true),
        },
        article: "Art. 6 Abs. 3 UAbs. 2 KI-VO",
    },
    q(
        "G5",
        "materially_influences_decision",
        "Hat das Ergebnis der KI spürbaren Einfluss darauf, wie die Entscheidung über die Person ausfällt?",
        "",
        "Art. 6 Abs. 3 UAbs. 1 KI-VO",
        Cond::All(&[
            Cond::IsNot {
                key: "art6_3_condition",
                value: Val::Omit,
            },
            Cond::IsNot {
                key: "art6_3_condition",
                value: Val::Null,
            },
        ]),
    ),
    Question {
        id: "G-H",
        key: "vendor_claims_art6_3",
        ui_only: false,
        text_de: "Gibt der Hersteller an, dass sein System trotz Hochrisiko-Bereich nicht hochriskant sei? Wenn ja, mit welcher Begründung?",
        help_de: "Fordern Sie die Dokumentation des Herstellers an.",
        answer: Answer::Single {
            options: &[
                o("Eng begrenzte Hilfstätigkeit", "a"),
                o("Verbesserung eines menschlichen Ergebnisses", "b"),
                o("Abweichungsprüfung", "c"),
                o("Vorbereitende Aufgabe", "d"),
                Opt {
                    label_de: "Keine solche Angabe",
                    value: Val::Null,
                },
            ],
            unknown: Val::Omit,
        },
        show_if: is_true("uses_third_party_system"),
        article: "Art. 6 Abs. 4 KI-VO",
    },
    q(
        "HR-111",
        "legacy_high_risk_unchanged",
        "Wurde dieser Systemtyp bereits vor dem Stichtag auf den Markt gebracht und seither nicht wesentlich verändert?",
        "",
        "Art. 111 Abs. 2 KI-VO idF VO (EU) 2026/1744",
        A,
    ),
];

/// GDPR and labour-law questions.
pub(crate) static GDPR: &[Question] = &[
    q(
        "GDPR-1",
        "processes_personal_data",
        "Geben Sie in das Werkzeug Daten zu erkennbaren Personen ein, oder verarbeitet es solche Daten (z. B. Namen, E-Mail-Adressen, Bilder, Stimmen, Bewerbungen, Standortdaten)?",
        "",
        "Art. 4 Nr. 1 DSGVO",
        A,
    ),
    q(
        "GDPR-9",
        "special_category_data",
        "Verarbeitet das System Gesundheitsdaten, biometrische Daten zur Identifizierung, oder Angaben zu Herkunft, Religion, politischer Meinung, Gewerkschaftszugehörigkeit oder Sexualleben?",
        "",
        "Art. 9 Abs. 1 DSGVO",
        is_true("processes_personal_data"),
    ),
    q(
        "GDPR-22",
        "solely_automated_decision_legal_or_similar_effect",
        "Trifft das System, oder eine feste Regel auf Basis seines Ergebnisses, Entscheidungen mit rechtlicher oder ähnlich erheblicher Wirkung (z. B. Ablehnung eines Vertrags oder einer Bewerbung, Preisfestlegung), ohne dass ein Mensch jeden Fall inhaltlich prüft?",
        "Auch ein fremder Score zählt, wenn er maßgeblich ist (EuGH C-634/21).",
        "Art. 22 DSGVO",
        is_true("processes_personal_data"),
    ),
    q(
        "GDPR-4",
        "profiling_natural_persons",
        "Bewertet das System einzelne Personen automatisch (Score, Ranking, Prognose, Einstufung)?",
        "",
        "Art. 4 Nr. 4, Art. 35 Abs. 3 lit. a DSGVO",
        Cond::All(&[
            is_true("processes_personal_data"),
            Cond::Is {
                key: "profiling_natural_persons",
                value: Val::Omit,
            },
        ]),
    ),
    q(
        "GDPR-28",
        "external_processor",
        "Verarbeitet ein externer Dienstleister (z. B. Cloud-, Software- oder API-Anbieter) die Daten in Ihrem Auftrag?",
        "",
        "Art. 28 DSGVO",
        is_true("processes_personal_data"),
    ),
    Question {
        id: "GDPR-44",
        key: "processor_location",
        ui_only: false,
        text_de: "Wo sitzt dieser Dienstleister, bzw. wo werden die Daten verarbeitet: EU/EWR, USA, Vereinigtes Königreich, Schweiz oder ein anderes Land?",
        help_de: "",
        answer: Answer::Single {
            options: &[
                o("EU/EWR", "EU"),
                o("USA", "US"),
                o("Vereinigtes Königreich", "UK"),
                o("Schweiz", "CH"),
                o("Anderes Land", "other_third_country"),
            ],
            unknown: Val::Omit,
        },
        show_if: is_true("external_processor"),
        article: "Art. 44-49 DSGVO",
    },
    q(
        "GDPR-44b",
        "third_country_transfer",
        "Werden Daten in ein Land außerhalb der EU bzw. des EWR übermittelt oder von dort abgerufen (auch durch Support- oder Konzernzugriffe)?",
        "",
        "Art. 44 DSGVO",
        is_true("processes_personal_data"),
    ),
    q(
        "GDPR-28P",
        "acts_as_processor_for_customers",
        "Verarbeiten Sie die personenbezogenen Daten ausschließlich im Auftrag und nach Weisung Ihrer Kunden (Sie sind deren Auftragsverarbeiter)?",
        "",
        "Art. 28 DSGVO",
        is_true("processes_personal_data"),
    ),
    q(
        "GDPR-35a",
        "employees_monitored",
        "Erfasst oder überwacht das System laufend Verhalten, Standort, Zustand oder Leistung Ihrer Beschäftigten (z. B. GPS, Kamera, Aktivitäts- oder Zutrittsprotokolle)?",
        "",
        "Art. 35 DSGVO; Art. 26 Abs. 7 KI-VO",
        A,
    ),
    q(
        "GDPR-35b",
        "large_scale_special_category",
        "Verarbeiten Sie besondere Kategorien personenbezogener Daten in großem Umfang?",
        "",
        "Art. 35 Abs. 3 lit. b DSGVO",
        is_true("processes_personal_data"),
    ),
    q(
        "GDPR-35c",
        "large_scale_public_monitoring",
        "Überwacht das System systematisch und umfangreich öffentlich zugängliche Bereiche?",
        "",
        "Art. 35 Abs. 3 lit. c DSGVO",
        is_true("processes_personal_data"),
    ),
    q(
        "ARB-1",
        "works_council_exists",
        "Gibt es in Ihrem Betrieb einen Betriebsrat?",
        "Fragen Sie das immer, wenn Beschäftigte das System nutzen oder ihre Daten verarbeitet werden.",
        "AT: §§ 96, 96a ArbVG; DE: § 87 Abs. 1 Nr. 6 BetrVG",
        A,
    ),
];
