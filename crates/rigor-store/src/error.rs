//! The one error type of rigor-store. Each variant maps to one MLflow error code; the
//! server renders it as `{"error_code", "message"}` and hides internal details.

pub type Result<T> = std::result::Result<T, Error>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// MLflow `RESOURCE_DOES_NOT_EXIST` (404).
    #[error("{0}")]
    NotFound(String),
    /// MLflow `RESOURCE_ALREADY_EXISTS` (400).
    #[error("{0}")]
    AlreadyExists(String),
    /// MLflow `INVALID_PARAMETER_VALUE` (400): the request breaks a rule.
    #[error("{0}")]
    InvalidParameter(String),
    /// MLflow `INVALID_STATE` (400): the entity exists but cannot take this change.
    #[error("{0}")]
    InvalidState(String),
    /// The database failed (500, `INTERNAL_ERROR`); the message is logged, not sent.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The artifact store failed (500, `INTERNAL_ERROR`).
    #[error("artifact store error: {0}")]
    Artifact(String),
}

impl Error {
    pub fn invalid(msg: impl Into<String>) -> Error {
        Error::InvalidParameter(msg.into())
    }

    pub fn not_found(msg: impl Into<String>) -> Error {
        Error::NotFound(msg.into())
    }

    /// MLflow's error code for this error.
    pub fn error_code(&self) -> &'static str {
        match self {
            Error::NotFound(_) => "RESOURCE_DOES_NOT_EXIST",
            Error::AlreadyExists(_) => "RESOURCE_ALREADY_EXISTS",
            Error::InvalidParameter(_) => "INVALID_PARAMETER_VALUE",
            Error::InvalidState(_) => "INVALID_STATE",
            Error::Database(_) | Error::Artifact(_) => "INTERNAL_ERROR",
        }
    }

    /// True when the error is the client's (4xx), false for internal failures.
    pub fn is_client_error(&self) -> bool {
        !matches!(self, Error::Database(_) | Error::Artifact(_))
    }
}
