//! The conformance kit (under construction).
