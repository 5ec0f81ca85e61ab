//! Built-in templates for the five post types, in Thomas Ott's voice: Ich-form, personal,
//! encouraging, each ending with a call to action, the tracked link (`{link}`) and a few
//! hashtags (the seed's "Kanäle für den Lead Magnet"). The team can replace each text in
//! the back office; these apply until then and again after a reset. Square brackets mark
//! what the writer fills in.

use super::posts_checks::PostKind;

/// The poll question the seed suggests; feeds the pain-point list once the votes are in.
pub const DEFAULT_POLL_QUESTION: &str =
    "Was hindert euch derzeit am meisten, KI im Unternehmen einzusetzen?";

/// Answer options for the default poll (each at most 30 characters).
pub const DEFAULT_POLL_OPTIONS: [&str; 4] = [
    "Datenschutz / DSGVO",
    "Unklare Rechtslage (AI Act)",
    "Fehlendes Know-how",
    "Keine Zeit im Alltag",
];

/// Default poll duration in days.
pub const DEFAULT_POLL_DAYS: i64 = 7;

/// The built-in template text of a type.
pub fn builtin(kind: PostKind) -> &'static str {
    match kind {
        PostKind::Ankuendigung => ANKUENDIGUNG,
        PostKind::Zwischenerkenntnis => ZWISCHENERKENNTNIS,
        PostKind::Meilenstein => MEILENSTEIN,
        PostKind::Umfrage => UMFRAGE,
        PostKind::Erfolgsgeschichte => ERFOLGSGESCHICHTE,
    }
}

const ANKUENDIGUNG: &str = "KI einsetzen, aber sicher – genau darum geht es in meinem neuen Projekt.

Seit Jahren entwickle ich Software, und in letzter Zeit höre ich von Unternehmerinnen und Unternehmern immer dieselbe Frage: „Dürfen wir das überhaupt?“ Kundendaten in ChatGPT, Angebote mit KI schreiben, Bilder generieren – die Ideen sind da, die Unsicherheit auch.

Deshalb starte ich das KI-Pilotprojekt: Gemeinsam mit 5 bis 15 kleinen und mittleren Unternehmen aus Österreich probiere ich aus, wie KI im Alltag hilft – DSGVO-konform und im Einklang mit dem AI Act. Ohne Fachchinesisch, ohne dass du Datenschutzanwalt sein musst.

[Ein Satz, warum mir das persönlich wichtig ist.]

Wenn du dabei sein willst oder jemanden kennst, für den das passt: Schreib mir oder melde dich direkt hier an 👉 {link}

#KI #DSGVO #KMU #Digitalisierung";

const ZWISCHENERKENNTNIS: &str = "Was ich in den ersten Wochen des KI-Pilotprojekts gelernt habe, hat mich selbst überrascht.

[Die Erkenntnis in einem Satz, z. B.: Fast alle Betriebe stehen vor derselben Hürde: …]

In den Gesprächen mit [Anzahl] Unternehmen hat sich gezeigt: [Was genau dahintersteckt und wie wir damit umgehen.]

Mein Learning daraus: [Was andere KMU daraus mitnehmen können.]

Wie ist das bei dir? Kennst du diese Hürde – oder habt ihr sie schon gelöst? Schreib es mir in die Kommentare. Mehr zum Projekt: {link}

#KI #DSGVO #KMU #Lernen";

const MEILENSTEIN: &str = "Geschafft: [der Meilenstein in wenigen Worten] 🎉

Als ich das KI-Pilotprojekt gestartet habe, war das noch ein Plan auf Papier. Heute [was erreicht ist, konkret und mit Zahl].

Danke an alle, die mitgemacht und kritische Fragen gestellt haben – genau das bringt uns weiter.

Als Nächstes nehme ich mir [den nächsten Schritt] vor.

Du willst beim nächsten Schritt dabei sein? Melde dich – hier gibt es alle Infos: {link}

#KI #KMU #Digitalisierung #Meilenstein";

const UMFRAGE: &str = "Eine ehrliche Frage an alle, die ein Unternehmen führen oder mitgestalten:

Was hindert euch derzeit am meisten, KI im Unternehmen einzusetzen?

Ich frage nicht aus Neugier: Eure Antworten fließen direkt in das KI-Pilotprojekt ein. Die häufigsten Hürden nehme ich mir mit den Pilotbetrieben als Erstes vor.

Stimm in der Umfrage ab und erzähl mir gern in den Kommentaren, was bei euch konkret hakt. Wer es gleich angehen will: {link}

#KI #DSGVO #KMU #Umfrage";

const ERFOLGSGESCHICHTE: &str = "Heute haben wir im KI-Pilotprojekt etwas gebaut, auf das ich richtig stolz bin.

[Unternehmen] kann jetzt [was die KI erledigt] – und zwar DSGVO-konform. [Vorher/nachher in einem Satz, z. B. gesparte Zeit pro Woche.]

Das Beste daran: [Was das Team dazu sagt – nur mit dessen Zustimmung zitieren.]

Solche Geschichten zeigen mir, dass KI nicht kompliziert sein muss, wenn man sie richtig angeht.

Willst du das auch für deinen Betrieb? Schreib mir oder schau hier vorbei: {link}

#KI #DSGVO #KMU #Erfolgsgeschichte";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::channels::posts_checks::{Level, OPTION_MAX, PostText, check_post};

    #[test]
    fn every_template_passes_every_check() {
        let options: Vec<String> = DEFAULT_POLL_OPTIONS
            .iter()
            .map(|s| (*s).to_owned())
            .collect();
        for kind in PostKind::ALL {
            let checks = check_post(&PostText {
                kind,
                body: builtin(kind),
                link_url: Some("https://kipilot.example/l/post-12"),
                poll_question: DEFAULT_POLL_QUESTION,
                poll_options: &options,
                poll_days: Some(DEFAULT_POLL_DAYS),
            });
            for c in checks {
                assert_eq!(c.level, Level::Ok, "{kind:?}: {} – {}", c.title, c.message);
            }
        }
        assert!(
            DEFAULT_POLL_OPTIONS
                .iter()
                .all(|o| o.chars().count() <= OPTION_MAX)
        );
    }

    #[test]
    fn templates_speak_in_the_first_person() {
        for kind in PostKind::ALL {
            let t = builtin(kind);
            assert!(
                t.contains(" ich ") || t.contains("Ich ") || t.contains("mir"),
                "{kind:?}"
            );
        }
    }
}
