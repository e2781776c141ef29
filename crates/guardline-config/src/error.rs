//! The errors of loading a configuration: [`ConfigError`] (one problem, located by file, line and column)
//! and [`ConfigErrors`] (every problem found in one file).
//!
//! The [`Display`](fmt::Display) form is the primary, stable one: one line `path:line:column: message` per
//! problem, followed by an indented `  help: ...` line when there is advice. Tests snapshot it and scripts may
//! parse it. The [`miette::Diagnostic`] implementations carry the same information plus the source text and
//! byte spans, for the CLI's graphical rendering.

use std::fmt;
use std::ops::Range;

use miette::{Diagnostic, LabeledSpan, NamedSource, SourceCode};

/// One problem in a configuration file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The file, as the caller named it.
    pub path: String,
    /// 1-based line; 0 when the problem has no location (the file could not be read).
    pub line: usize,
    /// 1-based column, counted in characters; 0 when there is no location.
    pub column: usize,
    /// What is wrong, starting lowercase and without a final period.
    pub message: String,
    /// How to fix it, when there is something more useful to say than the message.
    pub help: Option<String>,
    /// The byte range of the problem in the file; `None` when there is no location.
    pub span: Option<Range<usize>>,
}

impl ConfigError {
    /// A problem without a location in the file (e.g. the file could not be read).
    pub fn unlocated(path: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            path: path.to_owned(),
            line: 0,
            column: 0,
            message: message.into(),
            help: None,
            span: None,
        }
    }
}

/// One line, `path:line:column: message` (or `path: message` without a location); the help is not part of
/// it (see [`ConfigErrors`]'s `Display`, and [`Diagnostic::help`]).
impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(f, "{}:{}:{}: {}", self.path, self.line, self.column, self.message)
        }
    }
}

impl std::error::Error for ConfigError {}

impl Diagnostic for ConfigError {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.span.clone()?;
        Some(Box::new(std::iter::once(LabeledSpan::underline(span))))
    }
}

/// Every problem found in one configuration file, in file order.
#[derive(Debug, Clone)]
pub struct ConfigErrors {
    pub errors: Vec<ConfigError>,
    /// The file's text, for [`Diagnostic::source_code`]; `None` when it could not be read.
    source: Option<NamedSource<String>>,
}

impl ConfigErrors {
    /// Sorts `errors` into file order and drops exact duplicates.
    pub fn new(errors: Vec<ConfigError>, source: Option<NamedSource<String>>) -> ConfigErrors {
        let mut errors = errors;
        errors.sort_by_key(|error| (error.line, error.column));
        errors.dedup();
        ConfigErrors { errors, source }
    }

    /// The file could not be read.
    pub fn unreadable(path: &str, message: impl Into<String>) -> ConfigErrors {
        ConfigErrors::new(vec![ConfigError::unlocated(path, message)], None)
    }

    pub fn len(&self) -> usize {
        self.errors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, ConfigError> {
        self.errors.iter()
    }

    /// A view for graphical rendering with miette: a one-line summary as the header, then each problem as a
    /// related diagnostic with its own snippet and help.
    ///
    /// ```text
    /// GraphicalReportHandler::new().render_report(&mut out, &errors.report())
    /// ```
    pub fn report(&self) -> ConfigReport<'_> {
        ConfigReport::new(self)
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.errors.iter().enumerate() {
            if index > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
            if let Some(help) = &error.help {
                write!(f, "\n  help: {help}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

impl<'a> IntoIterator for &'a ConfigErrors {
    type Item = &'a ConfigError;
    type IntoIter = std::slice::Iter<'a, ConfigError>;

    fn into_iter(self) -> Self::IntoIter {
        self.errors.iter()
    }
}

/// One diagnostic for the whole file: the [`Display`](fmt::Display) lines as the header, then the source
/// with every problem labelled by its message. [`ConfigErrors::report`] renders more readably.
impl Diagnostic for ConfigErrors {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("guardline::config"))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|source| source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.source.as_ref()?;
        Some(Box::new(self.errors.iter().filter_map(|error| {
            Some(LabeledSpan::new_with_span(Some(error.message.clone()), error.span.clone()?))
        })))
    }
}

/// See [`ConfigErrors::report`].
#[derive(Debug, Clone)]
pub struct ConfigReport<'a> {
    errors: &'a ConfigErrors,
    items: Vec<ReportItem<'a>>,
}

impl<'a> ConfigReport<'a> {
    fn new(errors: &'a ConfigErrors) -> ConfigReport<'a> {
        ConfigReport { errors, items: errors.errors.iter().map(ReportItem).collect() }
    }
}

impl fmt::Display for ConfigReport<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let errors = &self.errors.errors;
        let path = errors.first().map_or("configuration", |error| error.path.as_str());
        match errors.len() {
            1 => write!(f, "{path}: 1 problem in the configuration"),
            n => write!(f, "{path}: {n} problems in the configuration"),
        }
    }
}

impl std::error::Error for ConfigReport<'_> {}

impl Diagnostic for ConfigReport<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("guardline::config"))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.errors.source_code()
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.items.iter().map(|item| item as &dyn Diagnostic)))
    }
}

/// One problem inside a [`ConfigReport`]: the message alone as the header, since the snippet shows the
/// location.
#[derive(Debug, Clone, Copy)]
struct ReportItem<'a>(&'a ConfigError);

impl fmt::Display for ReportItem<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.span {
            Some(_) => f.write_str(&self.0.message),
            None => write!(f, "{}", self.0),
        }
    }
}

impl std::error::Error for ReportItem<'_> {}

impl Diagnostic for ReportItem<'_> {
    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.help()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.0.labels()
    }
}

/// Turns byte offsets into 1-based lines and character columns.
#[derive(Debug)]
pub(crate) struct Locator<'a> {
    text: &'a str,
    /// Byte offset where each line starts.
    line_starts: Vec<usize>,
}

impl<'a> Locator<'a> {
    pub(crate) fn new(text: &'a str) -> Locator<'a> {
        let line_starts =
            std::iter::once(0).chain(text.match_indices('\n').map(|(offset, _)| offset + 1)).collect();
        Locator { text, line_starts }
    }

    /// `(line, column)` of a byte offset; offsets past the end (or inside a character) are clamped.
    pub(crate) fn locate(&self, offset: usize) -> (usize, usize) {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset);
        let start = self.line_starts[line - 1];
        (line, self.text[start..offset].chars().count() + 1)
    }

    /// The 1-based line of a byte offset.
    pub(crate) fn line(&self, offset: usize) -> usize {
        self.locate(offset).0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_counts_characters() {
        let locator = Locator::new("ab\n東京 = 1\n");
        assert_eq!(locator.locate(0), (1, 1));
        assert_eq!(locator.locate(2), (1, 3));
        assert_eq!(locator.locate(3), (2, 1));
        // After the two 3-byte characters.
        assert_eq!(locator.locate(9), (2, 3));
        // Inside a character: clamped back to its start.
        assert_eq!(locator.locate(4), (2, 1));
        // Past the end.
        assert_eq!(locator.locate(100), (3, 1));
    }
}
