// Linked into every sanitized binary (MOVIEREC_SANITIZE, MOVIEREC_BUILD_FUZZERS): the sanitizers'
// defaults, so that any run of such a binary, by ctest or by hand, stops at the first report with
// a stack trace and a non-zero exit. ASAN_OPTIONS and UBSAN_OPTIONS still override them (the
// tests add log_path, so that no report can hide behind an expected failure).

// The sanitizer runtimes look these functions up by name.
extern "C" {
const char* __asan_default_options();   // NOLINT(bugprone-reserved-identifier)
const char* __ubsan_default_options();  // NOLINT(bugprone-reserved-identifier)

const char* __asan_default_options() {
  return "halt_on_error=1:detect_leaks=1:check_initialization_order=1:strict_init_order=1:"
         "detect_stack_use_after_return=1";
}

const char* __ubsan_default_options() { return "halt_on_error=1:print_stacktrace=1"; }
}
