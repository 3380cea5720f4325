//! rigor-metrics
