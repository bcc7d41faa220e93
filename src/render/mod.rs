//! Renderers: typed tables and forms in, bytes out.

pub mod pdf;
