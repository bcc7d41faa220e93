//! Renderers: typed tables and forms in, bytes out.
