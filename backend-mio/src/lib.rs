//! # backend-mio (under construction)
#![deny(missing_docs)]
