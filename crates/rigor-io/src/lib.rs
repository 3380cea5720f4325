//! rigor-io
