//! The one error type of rigor-track. Each variant says whose problem it is, so the
//! binary can map it to an exit code: the user's (a bad URI, an unknown run, a missing
//! input: exit 2) or the system's (exit 3).

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Nothing answers at the tracking URI.
    #[error("tracking server {uri} is unreachable: {why}")]
    Unreachable { uri: String, why: String },
    /// The server refused a request with MLflow's error shape.
    #[error("tracking server: {code}: {message}")]
    Api {
        status: u16,
        code: String,
        message: String,
    },
    /// Bad input: a value the user can correct.
    #[error("{0}")]
    Input(String),
    /// The server answered something that is not MLflow's JSON.
    #[error("tracking server sent an unexpected response: {0}")]
    Protocol(String),
    /// A local operation failed (a file, a process).
    #[error("{0}")]
    Io(String),
}

impl Error {
    /// True when the user can fix it by changing the command (exit 2).
    pub fn is_bad_input(&self) -> bool {
        match self {
            Error::Unreachable { .. } | Error::Input(_) => true,
            Error::Api { status, .. } => *status < 500,
            Error::Protocol(_) | Error::Io(_) => false,
        }
    }
}

impl From<rigor_io::Error> for Error {
    fn from(e: rigor_io::Error) -> Error {
        if e.is_bad_input() {
            Error::Input(e.to_string())
        } else {
            Error::Io(e.to_string())
        }
    }
}
