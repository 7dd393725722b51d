# Runs the test suite against the installed emix and ends with one line
# "N passed, N failed" (counted in expectations; a test that errors counts
# as one failure). Exits non-zero when anything failed.
library(testthat)
# the whole suite, snapshots included (testthat skips them when NOT_CRAN is unset)
Sys.setenv(NOT_CRAN = "true")
results <- testthat::test_dir(
  "tests/testthat",
  package = "emix",
  load_package = "installed",
  reporter = testthat::ProgressReporter$new(show_praise = FALSE),
  stop_on_failure = FALSE
)
df <- as.data.frame(results)
failed <- sum(df$failed) + sum(df$error)
skipped <- sum(df$skipped)
passed <- sum(df$nb) - sum(df$failed) - sum(df$skipped)
cat(sprintf("\n%d passed, %d failed, %d skipped\n", passed, failed, skipped))
quit(status = if (failed > 0) 1L else 0L)
