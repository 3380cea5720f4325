//! rigor-report: decision readouts and model cards.
