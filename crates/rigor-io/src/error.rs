//! The one error type of rigor-io: every variant names the file, and the line where
//! there is one, so the binary can print a single line a user can act on.

use std::path::{Path, PathBuf};

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A line that does not parse: bad input (exit 2).
    #[error("{}:{line}: {problem}", path.display())]
    Line {
        path: PathBuf,
        line: u64,
        problem: String,
    },
    /// A file that cannot be used as input at all: missing, a directory, empty,
    /// not valid gzip. Bad input (exit 2).
    #[error("{}: {problem}", path.display())]
    File { path: PathBuf, problem: String },
    /// Reading failed for a reason that is not the user's input (exit 3).
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub fn line(path: &Path, line: u64, problem: impl Into<String>) -> Error {
        Error::Line {
            path: path.to_path_buf(),
            line,
            problem: problem.into(),
        }
    }

    pub fn file(path: &Path, problem: impl Into<String>) -> Error {
        Error::File {
            path: path.to_path_buf(),
            problem: problem.into(),
        }
    }

    /// Classifies an I/O error: problems a user can fix by naming another file are bad
    /// input; anything else is an I/O failure.
    pub fn io(path: &Path, source: std::io::Error) -> Error {
        use std::io::ErrorKind::*;
        match source.kind() {
            NotFound => Error::file(path, "no such file"),
            PermissionDenied => Error::file(path, "permission denied"),
            InvalidData | InvalidInput | UnexpectedEof => {
                Error::file(path, format!("cannot be read: {source}"))
            }
            _ => Error::Io {
                path: path.to_path_buf(),
                source,
            },
        }
    }

    /// Whether this is the user's input (exit 2) rather than a machine failure (exit 3).
    pub fn is_bad_input(&self) -> bool {
        !matches!(self, Error::Io { .. })
    }
}
