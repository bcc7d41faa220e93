//! The deterministic sample-data generator (`kebiao sample`).
