//! Word tokenizer and document case style for the person rules.
//!
//! A token is a run of letters, with inner hyphens and apostrophes
//! ("Müller-Lüdenscheidt", "D'Angelo"). ASCII is handled byte-wise; other
//! characters are decoded only where they occur.

/// A word token as a byte range of the text.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tok {
    pub(crate) s: usize,
    pub(crate) e: usize,
}

/// Splits `text` into word tokens.
pub(crate) fn tokenize(text: &str) -> Vec<Tok> {
    let b = text.as_bytes();
    let mut toks = Vec::with_capacity(text.len() / 6);
    let mut start: Option<usize> = None;
    let mut i = 0;
    while i < b.len() {
        let (c, len) = if b[i] < 0x80 {
            (char::from(b[i]), 1)
        } else {
            let c = text.get(i..).and_then(|t| t.chars().next()).unwrap_or(' ');
            (c, c.len_utf8())
        };
        let letter = if len == 1 {
            c.is_ascii_alphabetic()
        } else {
            c.is_alphabetic()
        };
        let joiner = start.is_some()
            && matches!(c, '-' | '\'' | '’')
            && text
                .get(i + len..)
                .and_then(|t| t.chars().next())
                .is_some_and(char::is_alphabetic);
        match start {
            None if letter => start = Some(i),
            Some(s) if !letter && !joiner => {
                toks.push(Tok { s, e: i });
                start = None;
            }
            _ => {}
        }
        i += len;
    }
    if let Some(s) = start {
        toks.push(Tok { s, e: text.len() });
    }
    toks
}

/// Document case style: mostly capitals, or no capitals at all.
pub(crate) fn case_style(text: &str) -> (bool, bool) {
    // ASCII letters decide; umlauts are too rare to change the verdict
    let (mut up, mut low) = (0usize, 0usize);
    for b in text.bytes() {
        up += usize::from(b.is_ascii_uppercase());
        low += usize::from(b.is_ascii_lowercase());
    }
    let letters = up + low;
    (
        letters >= 12 && up * 10 >= letters * 7,
        letters >= 12 && up * 100 <= letters,
    )
}
