//! The generated crates compile as a user would use them (pass cases, which
//! also run) and reject misuse with the compiler errors in `fail/*.stderr`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.pass("pass/*.rs");
    t.compile_fail("fail/*.rs");
}
