//! Section cost controls.
