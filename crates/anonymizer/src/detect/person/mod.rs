//! Person-name detection from cues, gazetteers and in-document propagation.
//!
//! The text is split into word tokens once (lower-cased copies are kept).
//! Rules then look for cues: salutations and titles (`Frau Mag.a Huber`),
//! greetings (`Liebe Anna,`), closings with the name on the next line,
//! `i.A.`, field labels (`Kontoinhaber: Huber, Anna`, `Von: Huber Anna`),
//! e-mail display names, first names from the gazetteer, and known surnames
//! after a capitalised word. Every name found is then propagated: its tokens
//! are masked wherever else they occur in the document. Names followed by
//! company words (`GmbH`, `& Partner`, `Stiftung`) are company names and
//! are left alone. The closing, display-name and propagation rules live in
//! `person/rules.rs`.

mod rules;

use super::tokens::{Tok, tokenize};

use super::Cand;
use super::person_words::{
    C_CLOSING, C_COMPANY, C_GREET, C_LABEL, C_PARTICLE, C_ROLE, C_SALUT, C_STOP, C_TITLE, class,
};
use crate::gazetteer::{G_AMBIG, G_FIRST, G_LAST, Gazetteer};
use crate::label::Label;

const F_FIRST: u16 = 1;
const F_LAST: u16 = 2;
const F_AMBIG: u16 = 4;
const F_STOP: u16 = C_STOP;
const F_TITLE: u16 = C_TITLE;
const F_SALUT: u16 = C_SALUT;
const F_GREET: u16 = C_GREET;
const F_CLOSING: u16 = C_CLOSING;
const F_LABEL: u16 = C_LABEL;
const F_COMPANY: u16 = C_COMPANY;
const F_PARTICLE: u16 = C_PARTICLE;
const F_ROLE: u16 = C_ROLE;

/// Per-document detection state.
pub(crate) struct PersonScan<'a> {
    text: &'a str,
    toks: Vec<Tok>,
    gaz: &'a Gazetteer,
    caps: bool,
    lower: bool,
    /// Lower-cased tokens, concatenated; `lows[i]` is the range of token i.
    low_text: String,
    lows: Vec<(usize, usize)>,
    /// Per-token word-class bits (`F_*`), computed once.
    flags: Vec<u16>,
}

impl<'a> PersonScan<'a> {
    pub(crate) fn new(text: &'a str, gaz: &'a Gazetteer, style: (bool, bool)) -> Self {
        let (caps, lower) = style;
        let toks = tokenize(text);
        let mut low_text = String::with_capacity(text.len() + 8);
        let mut lows = Vec::with_capacity(toks.len());
        for t in &toks {
            let a = low_text.len();
            let w = text.get(t.s..t.e).unwrap_or("");
            if w.is_ascii() {
                low_text.push_str(w);
                if let Some(tail) = low_text.get_mut(a..) {
                    tail.make_ascii_lowercase();
                }
            } else {
                for c in w.chars() {
                    low_text.extend(c.to_lowercase());
                }
            }
            lows.push((a, low_text.len()));
        }
        let flags = toks
            .iter()
            .zip(&lows)
            .map(|(t, &(a, b))| {
                let l = low_text.get(a..b).unwrap_or("");
                if l.len() > 24 {
                    return 0;
                }
                let mut f = class(l);
                // in normal text only capitalised words can be names
                let cap = text
                    .get(t.s..)
                    .and_then(|w| w.chars().next())
                    .is_some_and(char::is_uppercase);
                if cap || caps || lower {
                    let g = gaz.bits(l);
                    let mut first = g & G_FIRST != 0;
                    let mut last = g & G_LAST != 0;
                    if l.contains('-') {
                        first |= l.split('-').next().is_some_and(|p| gaz.is_first(p));
                        last |= l.split('-').any(|p| gaz.is_last(p));
                    }
                    f |= (u16::from(first) * F_FIRST) | (u16::from(last) * F_LAST);
                    if g & G_AMBIG != 0 {
                        f |= F_AMBIG;
                    }
                }
                f
            })
            .collect();
        PersonScan {
            text,
            toks,
            gaz,
            caps,
            lower,
            low_text,
            lows,
            flags,
        }
    }

    fn has(&self, i: usize, bits: u16) -> bool {
        self.flags.get(i).is_some_and(|f| f & bits != 0)
    }

    fn first_at(&self, i: usize) -> bool {
        self.has(i, F_FIRST)
    }

    fn last_at(&self, i: usize) -> bool {
        self.has(i, F_LAST)
    }

    fn ambiguous_at(&self, i: usize) -> bool {
        self.has(i, F_AMBIG)
    }

    fn word(&self, i: usize) -> &'a str {
        self.toks
            .get(i)
            .and_then(|t| self.text.get(t.s..t.e))
            .unwrap_or("")
    }

    fn lw(&self, i: usize) -> &str {
        self.lows
            .get(i)
            .and_then(|&(a, b)| self.low_text.get(a..b))
            .unwrap_or("")
    }

    /// Text between token i-1 and token i.
    fn gap(&self, i: usize) -> &'a str {
        let (Some(a), Some(b)) = (
            i.checked_sub(1).and_then(|j| self.toks.get(j)),
            self.toks.get(i),
        ) else {
            return "";
        };
        self.text.get(a.e..b.s).unwrap_or("")
    }

    /// Text after token i up to the next token (or the end).
    fn after(&self, i: usize) -> &'a str {
        let Some(t) = self.toks.get(i) else { return "" };
        let end = self.toks.get(i + 1).map_or(self.text.len(), |n| n.s);
        self.text.get(t.e..end).unwrap_or("")
    }

    fn line_start(&self, i: usize) -> bool {
        let Some(t) = self.toks.get(i) else {
            return false;
        };
        let before = self.text.get(..t.s).unwrap_or("");
        let tail = before.rsplit('\n').next().unwrap_or("");
        tail.chars()
            .all(|c| c.is_whitespace() || matches!(c, '>' | '-' | '*' | '"' | '\''))
    }

    /// Start of a sentence: first token, or after . ! ? : or a line break.
    fn sentence_start(&self, i: usize) -> bool {
        i == 0
            || self.gap(i).trim_end().ends_with(['.', '!', '?', ':', '\n'])
            || self.gap(i).contains('\n')
    }

    fn name_like(&self, i: usize) -> bool {
        let w = self.word(i);
        let Some(first) = w.chars().next() else {
            return false;
        };
        if w.len() < 2 {
            return false;
        }
        let l = self.lw(i);
        let shape = if self.caps || self.lower {
            true
        } else {
            first.is_uppercase()
                && (w.chars().skip(1).any(char::is_lowercase)
                    || (l.chars().count() >= 3 && (self.first_at(i) || self.last_at(i))))
        };
        shape && !self.has(i, F_STOP | F_TITLE | F_SALUT)
    }

    /// After a role noun, accept a known name or a capitalised word that
    /// does not look like a German noun (no -ung, -heit, -keit, … suffix).
    fn role_name_ok(&self, i: usize) -> bool {
        if !self.name_like(i) {
            return false;
        }
        if self.first_at(i) || self.last_at(i) {
            return true;
        }
        let l = self.lw(i);
        if l.split('-').next().is_some_and(|p| class(p) & C_STOP != 0) {
            return false;
        }
        const NOUN: &[&str] = &[
            "ung", "heit", "keit", "schaft", "tion", "ität", "nis", "tum", "ment", "ismus", "ik",
            "ei", "ur", "enz", "anz",
        ];
        !NOUN.iter().any(|s| l.ends_with(s))
    }

    fn is_title(&self, i: usize) -> bool {
        let l = self.lw(i);
        self.has(i, F_TITLE) || (l.len() == 1 && i > 0 && self.lw(i - 1) == "mag")
    }

    /// Reads a name starting at token `i` (titles skipped). Returns a token
    /// range, or `None` (no name, or the name belongs to a company).
    fn read_name(&self, mut i: usize, comma_form: bool) -> Option<(usize, usize)> {
        let mut guard = 0;
        while i < self.toks.len() && self.is_title(i) && guard < 6 {
            if self.gap(i + 1).contains('\n') {
                return None;
            }
            i += 1;
            guard += 1;
        }
        if i >= self.toks.len() || !self.name_like(i) {
            return None;
        }
        let first_is_given = self.first_at(i);
        let mut end = i;
        let mut j = i + 1;
        while j < self.toks.len() && j - i < 4 {
            let gap = self.gap(j);
            if gap == " "
                && self.has(j, F_PARTICLE)
                && self.gap(j + 1) == " "
                && self.name_like(j + 1)
            {
                end = j + 1;
                j += 2;
                continue;
            }
            let comma = comma_form && j == i + 1 && gap == ", ";
            if gap != " " && !comma {
                break;
            }
            if gap == " " && self.has(j, F_COMPANY) {
                return None;
            }
            if !self.name_like(j) {
                break;
            }
            let known = self.first_at(j) || self.last_at(j);
            let prev_given = self.first_at(end);
            if comma && !self.first_at(j) {
                break;
            }
            if !(known
                || (!self.lower && !self.caps && prev_given && end == j - 1 && first_is_given))
            {
                break;
            }
            end = j;
            j += 1;
        }
        Some((i, end))
    }

    /// Is the name at `end_tok` part of a company name ("Huber & Partner",
    /// "Steiner IT-Service GmbH")? Looks up to three words ahead on the line.
    fn is_company(&self, end_tok: usize) -> bool {
        let after = self.after(end_tok).trim_start();
        if after.starts_with('&') || after.starts_with('+') {
            return true;
        }
        let mut k = end_tok + 1;
        while k < self.toks.len() && k <= end_tok + 3 {
            let gap = self.gap(k);
            if !(gap == " " || gap == "-" || gap == " - ") {
                return false;
            }
            if self.has(k, F_COMPANY) {
                return true;
            }
            k += 1;
        }
        false
    }

    fn emit(&self, range: Option<(usize, usize)>, prio: u8, out: &mut Vec<Cand>) {
        let Some((a, b)) = range else { return };
        if self.is_company(b) {
            return;
        }
        if a > 0
            && matches!(
                self.lw(a - 1),
                "firma" | "fa" | "hotel" | "restaurant" | "gasthof" | "café" | "cafe"
            )
        {
            return;
        }
        let (Some(s), Some(e)) = (self.toks.get(a), self.toks.get(b)) else {
            return;
        };
        let mut c = Cand::new(s.s, e.e, Label::Person);
        c.prio = prio;
        out.push(c);
    }

    /// Runs all rules, then propagation; pushes person candidates.
    pub(crate) fn run(self, out: &mut Vec<Cand>) {
        let n = self.toks.len();
        let start_len = out.len();
        for i in 0..n {
            let w = self.lw(i);
            let after = self.after(i);
            if self.has(i, F_SALUT) && !after.starts_with(':') {
                self.emit(self.read_name(i + 1, false), 62, out);
            } else if self.has(i, F_ROLE) && self.gap(i + 1) == " " && self.role_name_ok(i + 1) {
                self.emit(self.read_name(i + 1, false), 58, out);
            } else if self.has(i, F_TITLE)
                && after.starts_with('.')
                && !self.gap(i + 1).contains('\n')
            {
                self.emit(self.read_name(i + 1, false), 60, out);
            } else if self.has(i, F_GREET)
                && (self.line_start(i)
                    || matches!(w, "geehrte" | "geehrter" | "morgen" | "abend" | "tag"))
            {
                if matches!(w, "morgen" | "abend" | "tag") && (i == 0 || self.lw(i - 1) != "guten")
                {
                    continue;
                }
                if matches!(w, "geehrte" | "geehrter") && (i == 0 || self.lw(i - 1) != "sehr") {
                    continue;
                }
                if let Some((a, b)) = self.read_name(i + 1, false)
                    && a == i + 1
                    && !self.gap(a).contains('\n')
                {
                    self.emit(Some((a, b)), 60, out);
                }
            } else if self.has(i, F_CLOSING) {
                self.closing(i, out);
            } else if w == "i"
                && (after.starts_with(".A.")
                    || after.starts_with(".V.")
                    || after.starts_with(". A.")
                    || after.starts_with(". V."))
            {
                self.emit(self.read_name(i + 2, false), 60, out);
            } else if self.has(i, F_LABEL)
                && after.starts_with(':')
                && (self.line_start(i) || matches!(w, "name" | "person" | "halter" | "halterin"))
            {
                if let Some((a, b)) = self.read_name(i + 1, true)
                    && !self.gap(a).contains('\n')
                {
                    self.emit(Some((a, b)), 60, out);
                }
            } else if after.starts_with(" <")
                && self
                    .text
                    .get(self.toks[i].e..)
                    .is_some_and(|t| t.split('>').next().is_some_and(|x| x.contains('@')))
            {
                self.display_name(i, out);
            } else if self.first_at(i)
                && !self.ambiguous_at(i)
                && self.name_like(i)
                && (self.word(i).starts_with(char::is_uppercase)
                    || self.lower && w.chars().count() >= 4)
            {
                let mut r = self.read_name(i, false);
                // "Huber, Anna": surname before a comma
                if let Some((a, _)) = r.as_mut()
                    && *a > 0
                    && self.gap(*a) == ", "
                    && self.name_like(*a - 1)
                    && (self.last_at(*a - 1) || self.line_start(*a - 1))
                    // not the end of a preceding full name ("Anna Ritter, Albert Huber")
                    && !(*a >= 2 && self.gap(*a - 1) == " " && self.name_like(*a - 2))
                {
                    *a -= 1;
                }
                self.emit(r, 55, out);
            } else if i > 0
                && self.last_at(i)
                && !self.ambiguous_at(i)
                && self.gap(i) == " "
                && self.name_like(i)
                && self.name_like(i - 1)
                && !self.sentence_start(i - 1)
                && !self.is_title(i - 1)
                && !self.lower
                && !self.caps
            {
                // "… für Radegund Ringhofer": unknown first name + known surname
                self.emit(Some((i - 1, i)), 52, out);
            }
        }
        self.propagate(start_len, out);
    }
}
