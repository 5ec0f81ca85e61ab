//! Building the output text and the entity list from resolved candidates.
//!
//! Candidates arrive sorted and non-overlapping in byte offsets; this module
//! converts to code point offsets in one forward pass and asks a callback
//! for each replacement (a mapping placeholder or a fixed mask).

use crate::Entity;
use crate::detect::Cand;
use crate::label::Label;

/// Entities (with char offsets) for `cands`, placeholders from `ph`.
pub(crate) fn entities(
    text: &str,
    cands: &[Cand],
    mut ph: impl FnMut(Label, &str) -> String,
) -> Vec<Entity> {
    replace_inner(text, cands, &mut ph, false).1
}

/// Replaced text and entities.
pub(crate) fn replace(
    text: &str,
    cands: &[Cand],
    mut ph: impl FnMut(Label, &str) -> String,
) -> (String, Vec<Entity>) {
    replace_inner(text, cands, &mut ph, true)
}

fn replace_inner(
    text: &str,
    cands: &[Cand],
    ph: &mut dyn FnMut(Label, &str) -> String,
    build: bool,
) -> (String, Vec<Entity>) {
    let mut out = String::with_capacity(if build { text.len() + 16 } else { 0 });
    let mut ents = Vec::with_capacity(cands.len());
    let (mut last_byte, mut last_char) = (0usize, 0usize);
    for c in cands {
        let (Some(before), Some(value)) = (text.get(last_byte..c.start), text.get(c.start..c.end))
        else {
            continue;
        };
        let start = last_char + before.chars().count();
        let end = start + value.chars().count();
        let p = ph(c.label, value);
        if build {
            out.push_str(before);
            out.push_str(&p);
        }
        ents.push(Entity {
            start,
            end,
            label: c.label,
            placeholder: p,
            byte_start: c.start,
            byte_end: c.end,
        });
        last_byte = c.end;
        last_char = end;
    }
    if build {
        out.push_str(text.get(last_byte..).unwrap_or(""));
    }
    (out, ents)
}
