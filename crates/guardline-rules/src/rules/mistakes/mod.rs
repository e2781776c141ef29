//! Section mistakes controls.
