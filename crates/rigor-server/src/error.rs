//! `ApiError`: every failure a handler returns, rendered in MLflow's error shape
//! `{"error_code": "...", "message": "..."}` with MLflow's status codes. Internal
//! failures are logged in full and answered with a generic message.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "INVALID_PARAMETER_VALUE",
            message: message.into(),
        }
    }

    pub fn endpoint_not_found(method: &str, path: &str) -> ApiError {
        ApiError {
            status: StatusCode::NOT_FOUND,
            code: "ENDPOINT_NOT_FOUND",
            message: format!("No API endpoint {method} {path} is served by rigor"),
        }
    }

    /// A required field missing from the request (MLflow's wording).
    pub fn missing(field: &str) -> ApiError {
        ApiError::invalid(format!(
            "Missing value for required parameter '{field}'. See the API docs for more \
             information about request parameters."
        ))
    }
}

impl From<rigor_store::Error> for ApiError {
    fn from(e: rigor_store::Error) -> ApiError {
        let status = match &e {
            rigor_store::Error::NotFound(_) => StatusCode::NOT_FOUND,
            e if e.is_client_error() => StatusCode::BAD_REQUEST,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let message = if e.is_client_error() {
            e.to_string()
        } else {
            tracing::error!(error = %e, "internal error");
            "Internal error; see the server log".to_string()
        };
        ApiError {
            status,
            code: e.error_code(),
            message,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            Json(serde_json::json!({"error_code": self.code, "message": self.message})),
        )
            .into_response()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
