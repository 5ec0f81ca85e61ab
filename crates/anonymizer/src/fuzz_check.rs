//! Fuzz body: invariants that must hold for every input.
//!
//! `check` is what a cargo-fuzz target calls; the replay test runs it over
//! the checked-in corpus in `fuzz-corpus/` on stable Rust. It asserts (and so
//! panics on violation, which is the point of a fuzz target):
//! no panic inside the library, entities sorted, non-overlapping and on char
//! boundaries, char offsets consistent with byte offsets, exact round trip,
//! and streaming restoration equal to batch restoration.

use std::sync::LazyLock;

use crate::{Anonymizer, StreamingDeanonymizer, deanonymize};

static ANON: LazyLock<Anonymizer> = LazyLock::new(Anonymizer::new);

/// Checks all invariants on `data` (lossily decoded as UTF-8).
///
/// Why: shared by the fuzz target and the stable replay test.
pub fn check(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let text = text.as_ref();
    let a = &*ANON;
    let ents = a.detect(text);
    let mut last = 0;
    for e in &ents {
        assert!(e.byte_start < e.byte_end, "empty entity");
        assert!(e.byte_start >= last, "overlap or unsorted");
        assert!(text.is_char_boundary(e.byte_start) && text.is_char_boundary(e.byte_end));
        assert_eq!(text[..e.byte_start].chars().count(), e.start);
        assert_eq!(text[..e.byte_end].chars().count(), e.end);
        last = e.byte_end;
    }
    let p = a.pseudonymize(text);
    assert_eq!(deanonymize(&p.text, &p.mapping), text, "round trip");
    let mut sd = StreamingDeanonymizer::new(&p.mapping);
    let mut streamed = String::new();
    let mut i = 0;
    let chars: Vec<char> = p.text.chars().collect();
    let step = 1 + data.first().map_or(0, |b| usize::from(*b % 5));
    while i < chars.len() {
        let chunk: String = chars[i..(i + step).min(chars.len())].iter().collect();
        streamed.push_str(&sd.push(&chunk));
        i += step;
    }
    streamed.push_str(&sd.finish());
    assert_eq!(streamed, text, "streaming round trip");
    let m = a.mask(text);
    assert_eq!(m.entities.len(), p.entities.len());
}
