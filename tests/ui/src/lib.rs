//! Trybuild cases of the generated crates; the cases are in `pass/` and
//! `fail/`, the test that runs them in `tests/ui.rs`.
