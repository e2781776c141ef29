//! Section detection controls.
