//! Restoring placeholders in an AI answer (batch and streaming).
//!
//! Models mangle placeholders: they change the case (`[Person_1]`), drop the
//! brackets (`PERSON_1`), inflect them (`[PERSON_1]s`, `PERSON_1s`), or wrap
//! lines inside them (`[PERSON_\n1]`). The matcher below accepts those forms
//! and restores only placeholders present in the mapping; all other text is
//! copied byte for byte. The same matcher drives the streaming restorer, so
//! streaming and batch output are identical.

use crate::label::Label;
use crate::mapping::{Mapping, PlaceholderId};

/// Result of trying to read a placeholder at one position.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// A complete placeholder ends at `end`.
    Match(usize, PlaceholderId),
    /// The input ended while it still looked like a placeholder.
    Partial,
    /// Not a placeholder.
    No,
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Outcome of matching a label name or a number at position `j`.
enum Part {
    Done(usize),
    NeedMore,
    Fail,
}

fn match_label(s: &[u8], mut j: usize, name: &str, loose: bool) -> Part {
    for &c in name.as_bytes() {
        if c == b'_' {
            if loose {
                while j < s.len() && (is_ws(s[j]) || s[j] == b'_' || s[j] == b'-') {
                    j += 1;
                }
                if j == s.len() {
                    return Part::NeedMore;
                }
                continue;
            }
            if j == s.len() {
                return Part::NeedMore;
            }
            if s[j] != b'_' {
                return Part::Fail;
            }
            j += 1;
            continue;
        }
        if j == s.len() {
            return Part::NeedMore;
        }
        if !s[j].eq_ignore_ascii_case(&c) {
            return Part::Fail;
        }
        j += 1;
    }
    Part::Done(j)
}

fn read_num(s: &[u8], mut j: usize) -> (usize, Option<u32>) {
    let start = j;
    let mut v: u32 = 0;
    while j < s.len() && s[j].is_ascii_digit() && j - start < 9 {
        v = v * 10 + u32::from(s[j] - b'0');
        j += 1;
    }
    if j == start { (j, None) } else { (j, Some(v)) }
}

/// Tries to read a (possibly mangled) placeholder starting at `i`.
fn match_at(s: &[u8], i: usize, prev_word: bool, eof: bool) -> Step {
    let more = if eof { Step::No } else { Step::Partial };
    let bracket = s[i] == b'[';
    if !bracket && (!s[i].is_ascii_alphabetic() || prev_word) {
        return Step::No;
    }
    let mut j0 = i + usize::from(bracket);
    if bracket {
        while j0 < s.len() && is_ws(s[j0]) {
            j0 += 1;
        }
        if j0 == s.len() {
            return more;
        }
    }
    let mut saw_partial = false;
    for label in Label::ALL {
        let mut j = match match_label(s, j0, label.as_str(), bracket) {
            Part::Done(j) => j,
            Part::NeedMore => {
                saw_partial = true;
                continue;
            }
            Part::Fail => continue,
        };
        // separator between label and number
        if bracket {
            while j < s.len() && (is_ws(s[j]) || s[j] == b'_' || s[j] == b'-') {
                j += 1;
            }
        } else if j < s.len() && s[j] == b'_' {
            j += 1;
        } else if j < s.len() {
            continue;
        }
        if j == s.len() {
            saw_partial = true;
            continue;
        }
        let (j2, n) = read_num(s, j);
        let Some(n) = n else { continue };
        j = j2;
        let mut variant = 1;
        if j < s.len() && s[j] == b'.' {
            if j + 1 == s.len() {
                if !eof {
                    saw_partial = true;
                    continue;
                }
            } else if s[j + 1].is_ascii_digit() {
                let (j3, v) = read_num(s, j + 1);
                if let Some(v) = v {
                    variant = v;
                    j = j3;
                }
            }
        }
        let id = PlaceholderId { label, n, variant };
        if bracket {
            while j < s.len() && is_ws(s[j]) {
                j += 1;
            }
            if j == s.len() {
                saw_partial = true;
                continue;
            }
            if s[j] == b']' {
                return Step::Match(j + 1, id);
            }
            continue;
        }
        // unbracketed: needs a word end (an inflection "s" is left in the text)
        if j == s.len() {
            if eof {
                return Step::Match(j, id);
            }
            saw_partial = true;
            continue;
        }
        if !is_word(s[j]) {
            return Step::Match(j, id);
        }
        if s[j] == b's' {
            if j + 1 == s.len() {
                if eof {
                    return Step::Match(j, id);
                }
                saw_partial = true;
                continue;
            }
            if !is_word(s[j + 1]) {
                return Step::Match(j, id);
            }
        }
    }
    if saw_partial && !eof {
        Step::Partial
    } else {
        Step::No
    }
}

/// Restores `buf` into `out`. Returns how many bytes were consumed: all of
/// them when `eof`, otherwise up to the first possible placeholder prefix
/// that starts within `hold` bytes of the end.
fn restore_into(
    out: &mut String,
    buf: &str,
    mapping: &Mapping,
    prev_word: bool,
    eof: bool,
    hold: usize,
) -> usize {
    let s = buf.as_bytes();
    let hold_from = s.len().saturating_sub(hold);
    let mut i = 0;
    let mut copied = 0;
    while i < s.len() {
        let pw = if i == 0 { prev_word } else { is_word(s[i - 1]) };
        let b = s[i];
        if b == b'[' || b.is_ascii_alphabetic() {
            match match_at(s, i, pw, eof) {
                Step::Match(end, id) => {
                    if let Some(orig) = mapping.get(&id.render()) {
                        out.push_str(&buf[copied..i]);
                        out.push_str(orig);
                        copied = end;
                        i = end;
                        continue;
                    }
                }
                Step::Partial if i >= hold_from => {
                    out.push_str(&buf[copied..i]);
                    return i;
                }
                _ => {}
            }
        }
        i += 1;
    }
    out.push_str(&buf[copied..]);
    s.len()
}

/// Marks placeholder-like text already present in the input as taken, so
/// that new placeholders never collide with it (keeps round trips exact).
pub(crate) fn reserve_literal_placeholders(text: &str, mapping: &mut Mapping) {
    let s = text.as_bytes();
    if !s.contains(&b'_') && !s.contains(&b'[') {
        return;
    }
    let mut i = 0;
    while i < s.len() {
        let b = s[i];
        if b == b'[' || b.is_ascii_alphabetic() {
            let pw = i > 0 && is_word(s[i - 1]);
            if let Step::Match(end, id) = match_at(s, i, pw, true) {
                mapping.reserve(id.label, id.n);
                i = end;
                continue;
            }
        }
        i += 1;
    }
}

/// Replaces every placeholder known to `mapping` in `text` by its original.
///
/// Why: the AI's answer must read naturally again before the user sees it.
/// Unknown or malformed placeholders and all other text are left unchanged.
pub fn deanonymize(text: &str, mapping: &Mapping) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    restore_into(&mut out, text, mapping, false, true, 0);
    out
}

/// Incremental restorer for streamed AI answers (SSE chunks).
///
/// Why: a gateway must forward text as it arrives; a placeholder split across
/// chunks (`[PERS` + `ON_1]`) must still be restored, so only a possible
/// placeholder prefix is held back.
#[derive(Debug)]
pub struct StreamingDeanonymizer<'m> {
    mapping: &'m Mapping,
    pending: String,
    prev_word: bool,
    hold: usize,
}

impl<'m> StreamingDeanonymizer<'m> {
    /// A restorer for one answer stream.
    ///
    /// Why: the mapping is borrowed, so one session mapping serves many streams.
    pub fn new(mapping: &'m Mapping) -> Self {
        // Mangled placeholders may contain extra whitespace; allow some slack.
        let hold = mapping.max_placeholder_len().max(8) + 8;
        StreamingDeanonymizer {
            mapping,
            pending: String::new(),
            prev_word: false,
            hold,
        }
    }

    /// Feeds a chunk; returns the restored text that is safe to emit now.
    ///
    /// Why: emitting early keeps streaming latency low.
    pub fn push(&mut self, chunk: &str) -> String {
        self.pending.push_str(chunk);
        let mut out = String::new();
        let used = restore_into(
            &mut out,
            &self.pending,
            self.mapping,
            self.prev_word,
            false,
            self.hold,
        );
        self.advance(used);
        out
    }

    /// Flushes everything still held back.
    ///
    /// Why: at the end of the stream a held prefix is plain text.
    pub fn finish(self) -> String {
        let mut out = String::new();
        restore_into(
            &mut out,
            &self.pending,
            self.mapping,
            self.prev_word,
            true,
            0,
        );
        out
    }

    fn advance(&mut self, used: usize) {
        if used == 0 {
            return;
        }
        if let Some(&b) = self.pending.as_bytes().get(used - 1) {
            self.prev_word = is_word(b);
        }
        self.pending.drain(..used);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mapping() -> Mapping {
        let mut m = Mapping::new();
        m.placeholder_for(Label::Person, "Elisabeth Haas");
        m.placeholder_for(Label::Person, "Haas");
        m.placeholder_for(Label::Iban, "AT61 1904 3002 3457 3201");
        m.placeholder_for(Label::CreditCard, "4111 1111 1111 1111");
        m
    }

    #[test]
    fn tolerant_forms() {
        let m = mapping();
        let cases = [
            ("Hallo [PERSON_1]!", "Hallo Elisabeth Haas!"),
            ("Hallo [Person_1]!", "Hallo Elisabeth Haas!"),
            ("Hallo PERSON_1, ok", "Hallo Elisabeth Haas, ok"),
            ("[PERSON_1]s Konto", "Elisabeth Haass Konto"),
            ("PERSON_1s Konto", "Elisabeth Haass Konto"),
            ("Frau [PERSON_1.2] zahlt", "Frau Haas zahlt"),
            ("an [PERSON_\n1] senden", "an Elisabeth Haas senden"),
            ("IBAN [iban 1]", "IBAN AT61 1904 3002 3457 3201"),
            ("Karte [CREDIT CARD_1]", "Karte 4111 1111 1111 1111"),
            ("[PERSON_9] bleibt", "[PERSON_9] bleibt"),
            ("XPERSON_1 bleibt", "XPERSON_1 bleibt"),
            ("PERSON_12 bleibt", "PERSON_12 bleibt"),
            ("Ende PERSON_1", "Ende Elisabeth Haas"),
        ];
        for (input, want) in cases {
            assert_eq!(deanonymize(input, &m), want, "{input:?}");
        }
    }

    #[test]
    fn streaming_matches_batch_one_char_chunks() {
        let m = mapping();
        let texts = [
            "Sehr geehrte [PERSON_1], Ihre IBAN [IBAN_1] ist ok. PERSON_1s Karte [Credit_Card_1].",
            "ä[PERSON_1]ö PERSON_1 [PERS [PERSON_1.2] end [",
            "Ende mit PERSON_1",
        ];
        for t in texts {
            let mut sd = StreamingDeanonymizer::new(&m);
            let mut out = String::new();
            for c in t.chars() {
                out.push_str(&sd.push(&c.to_string()));
            }
            out.push_str(&sd.finish());
            assert_eq!(out, deanonymize(t, &m), "{t:?}");
        }
    }

    #[test]
    fn streaming_holds_only_prefix() {
        let m = mapping();
        let mut sd = StreamingDeanonymizer::new(&m);
        assert_eq!(sd.push("Hallo [PERS"), "Hallo ");
        assert_eq!(sd.push("ON_1] und"), "Elisabeth Haas und");
        assert_eq!(sd.finish(), "");
    }
}
