//! libFuzzer entry point: runs the shared invariant checks on arbitrary bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    anonymizer::fuzz_check::check(data);
});
