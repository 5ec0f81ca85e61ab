//! A minimal in-memory typst [`World`]: one main source, a few virtual files,
//! the fonts bundled in `typst-assets`, no file system, no network, no clock.
//!
//! The fonts, the font book and the standard library are built once per
//! process ([`ASSETS`]); a `MemoryWorld` per render only holds the template
//! and the files, so creating one is cheap.

use std::path::PathBuf;
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{DiagSpanKind, FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

use crate::error::{Diagnostic, RenderError};

/// Fonts, font book, library and the union of all fonts' Unicode coverage,
/// shared by every render. Why a `LazyLock`: parsing 17 fonts and building
/// the library takes tens of milliseconds; doing it once keeps warm renders
/// fast, and typst's memoization (comemo) keys on these stable values.
pub(crate) struct Assets {
    library: LazyHash<Library>,
    book: LazyHash<FontBook>,
    fonts: Vec<Font>,
    /// Sorted code points some bundled font can draw; see [`Assets::covers`].
    coverage: Vec<u32>,
}

impl Assets {
    fn load() -> Self {
        let fonts: Vec<Font> = typst_assets::fonts()
            .flat_map(|data| Font::iter(Bytes::new(data)))
            .collect();
        let mut coverage: Vec<u32> = fonts
            .iter()
            .flat_map(|font| font.info().coverage.iter())
            .collect();
        coverage.sort_unstable();
        coverage.dedup();
        Self {
            library: LazyHash::new(Library::builder().build()),
            book: LazyHash::new(FontBook::from_fonts(&fonts)),
            fonts,
            coverage,
        }
    }

    /// True if at least one bundled font has a glyph for `c`.
    pub(crate) fn covers(&self, c: char) -> bool {
        self.coverage.binary_search(&u32::from(c)).is_ok()
    }

    /// Names of the bundled font families, for documentation and tests.
    #[cfg(test)]
    pub(crate) fn families(&self) -> Vec<String> {
        let mut families: Vec<String> =
            self.fonts.iter().map(|f| f.info().family.clone()).collect();
        families.dedup();
        families
    }
}

/// The process-wide assets.
pub(crate) static ASSETS: LazyLock<Assets> = LazyLock::new(Assets::load);

/// Path of the main source inside the virtual project.
const MAIN_PATH: &str = "/main.typ";

/// One render's world: the template as `/main.typ` plus virtual files.
pub(crate) struct MemoryWorld {
    main: Source,
    files: Vec<(VirtualPath, Bytes)>,
}

/// Interns a project path. Why `FileId::new` and never `FileId::unique`:
/// typst interns file ids for the life of the process (at most 65 535), so
/// every render must reuse the ids of the same paths.
fn project_id(path: &str) -> Result<FileId, RenderError> {
    let vpath = VirtualPath::new(path).map_err(|e| RenderError::InvalidPath {
        path: path.to_owned(),
        detail: e.to_string(),
    })?;
    Ok(FileId::new(RootedPath::new(VirtualRoot::Project, vpath)))
}

impl MemoryWorld {
    /// Builds the world. Supplied files are looked up by path, without
    /// interning them, so arbitrary names cannot exhaust typst's id space.
    pub(crate) fn new(template: &str, files: Vec<(String, Bytes)>) -> Result<Self, RenderError> {
        let main = Source::new(project_id(MAIN_PATH)?, template.to_owned());
        let files = files
            .into_iter()
            .map(|(path, bytes)| {
                VirtualPath::new(&path)
                    .map(|vpath| (vpath, bytes))
                    .map_err(|e| RenderError::InvalidPath {
                        path,
                        detail: e.to_string(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self { main, files })
    }

    /// The bytes of a supplied file, if the id names one.
    fn lookup(&self, id: FileId) -> Option<&Bytes> {
        if *id.root() != VirtualRoot::Project {
            return None;
        }
        self.files
            .iter()
            .find(|(path, _)| path == id.vpath())
            .map(|(_, bytes)| bytes)
    }

    /// Turns typst diagnostics into owned [`Diagnostic`]s with the span text.
    pub(crate) fn resolve(&self, diagnostics: &[SourceDiagnostic]) -> Vec<Diagnostic> {
        diagnostics
            .iter()
            .map(|d| {
                let (file, line, span_text) = self.locate(d.span);
                Diagnostic {
                    message: d.message.to_string(),
                    file,
                    line,
                    span_text,
                    hints: d.hints.iter().map(|h| h.v.to_string()).collect(),
                }
            })
            .collect()
    }

    /// File, 1-based line and covered text of a diagnostic span.
    fn locate(
        &self,
        span: typst::syntax::DiagSpan,
    ) -> (Option<String>, Option<usize>, Option<String>) {
        match span.get() {
            DiagSpanKind::Detached => (None, None, None),
            // A span in a typst source: the template or an imported `.typ`.
            DiagSpanKind::Number { id, num, sub_range } => {
                let file = Some(id.vpath().get_with_slash().to_owned());
                let Ok(source) = self.source(id) else {
                    return (file, None, None);
                };
                let Some(range) = source.range(num, sub_range) else {
                    return (file, None, None);
                };
                let line = source.lines().byte_to_line(range.start).map(|l| l + 1);
                (file, line, source.text().get(range).map(shorten))
            }
            // A byte range in a data file, e.g. a JSON syntax error.
            DiagSpanKind::Range { id, range } => {
                let file = Some(id.vpath().get_with_slash().to_owned());
                let text = self
                    .lookup(id)
                    .and_then(|b| b.as_slice().get(range))
                    .map(|slice| shorten(&String::from_utf8_lossy(slice)));
                (file, None, text)
            }
        }
    }
}

/// Cuts long span texts (a whole table call) to 200 characters.
fn shorten(text: &str) -> String {
    const MAX: usize = 200;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(MAX).collect();
        short.push('…');
        short
    }
}

impl World for MemoryWorld {
    fn library(&self) -> &LazyHash<Library> {
        &ASSETS.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        &ASSETS.book
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    /// The template, or a supplied `.typ` file (so a template can
    /// `#import "/lib.typ"`). Packages (`@preview/…`) are not available:
    /// nothing is downloaded at run time.
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            return Ok(self.main.clone());
        }
        let bytes = self.lookup(id).ok_or_else(|| not_found(id))?;
        let text = std::str::from_utf8(bytes.as_slice()).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text.to_owned()))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.main.id() {
            return Ok(Bytes::from_string(self.main.text().to_owned()));
        }
        self.lookup(id).cloned().ok_or_else(|| not_found(id))
    }

    fn font(&self, index: usize) -> Option<Font> {
        ASSETS.fonts.get(index).cloned()
    }

    /// No clock: `datetime.today()` fails, so the same input always gives the
    /// same PDF. Templates take dates from their data.
    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        None
    }
}

/// The error typst reports for a file we do not have.
fn not_found(id: FileId) -> FileError {
    match id.root() {
        VirtualRoot::Project => FileError::NotFound(PathBuf::from(id.vpath().get_with_slash())),
        VirtualRoot::Package(_) => FileError::AccessDenied,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_fonts_are_the_typst_assets() {
        let families = ASSETS.families();
        for family in [
            "Libertinus Serif",
            "New Computer Modern",
            "DejaVu Sans Mono",
        ] {
            assert!(
                families.iter().any(|f| f == family),
                "{family} missing in {families:?}"
            );
        }
    }

    #[test]
    fn coverage_includes_german_and_excludes_emoji() {
        for c in ['ä', 'ß', '„', '“', '–', '€', '§'] {
            assert!(ASSETS.covers(c), "{c} not covered");
        }
        assert!(!ASSETS.covers('🚀'));
    }
}
