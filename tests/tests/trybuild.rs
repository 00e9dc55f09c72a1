//! The generated crates compile as a user would use them (pass cases, which
//! also run) and reject misuse with the compiler errors in `ui/fail/*.stderr`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("ui/pass/*.rs");
    t.compile_fail("ui/fail/*.rs");
}
