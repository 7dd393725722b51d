# Bad input to the multinomial family: each a classed error naming the
# argument, its message in _snaps/multinomial-errors.md.

bad_counts <- function() {
  x <- matrix(c(2, 0, 1, 1, 3, 0, 0, 1, 4, 2, 2, 0), 4, 3,
              dimnames = list(NULL, c("apple", "pear", "plum")))
  x
}

expect_multi_argument_error <- function(expr, argument) {
  err <- tryCatch(expr, error = function(e) e)
  expect_s3_class(err, "emix_error_argument")
  expect_identical(err$argument, argument)
}

test_that("counts that are not counts are refused, naming the first bad entry", {
  negative <- bad_counts()
  negative[3, 2] <- -1
  fractional <- bad_counts()
  fractional[4, 3] <- 0.5
  fractional[2, 1] <- 1.25
  missing <- bad_counts()
  missing[2, 2] <- NA
  infinite <- bad_counts()
  infinite[1, 3] <- Inf
  for (x in list(negative, fractional, missing, infinite)) {
    expect_multi_argument_error(emix(x, k = 2, family = multinomial_mix()), "x")
  }
  expect_snapshot(error = TRUE, emix(negative, k = 2, family = multinomial_mix()))
  expect_snapshot(error = TRUE, emix(fractional, k = 2, family = multinomial_mix()))
  expect_snapshot(error = TRUE, emix(missing, k = 2, family = multinomial_mix()))
  expect_snapshot(error = TRUE, emix(infinite, k = 2, family = multinomial_mix()))
})

test_that("sparse counts are checked alike, and other kinds of data are refused", {
  skip_if_not_installed("Matrix")
  fractional <- bad_counts()
  fractional[4, 3] <- 0.5
  sparse <- Matrix::Matrix(fractional, sparse = TRUE)
  expect_multi_argument_error(emix(sparse, k = 2, family = multinomial_mix()), "x")
  dense_matrix <- Matrix::Matrix(bad_counts(), sparse = FALSE)
  expect_multi_argument_error(emix(dense_matrix, k = 2, family = multinomial_mix()), "x")
  expect_snapshot(error = TRUE, emix(sparse, k = 2, family = multinomial_mix()))
  expect_snapshot(error = TRUE, emix(dense_matrix, k = 2, family = multinomial_mix()))
  expect_snapshot(error = TRUE, emix(letters, k = 2, family = multinomial_mix()))
})

test_that("settings and priors are checked", {
  expect_multi_argument_error(multinomial_mix(smooth = -1), "smooth")
  expect_multi_argument_error(multinomial_mix(smooth = NA), "smooth")
  expect_multi_argument_error(multinomial_prior(alpha = 0), "alpha")
  expect_multi_argument_error(multinomial_prior(beta = c(1, 2)), "beta")
  expect_snapshot(error = TRUE, multinomial_mix(smooth = -1))
  expect_snapshot(error = TRUE, multinomial_prior(beta = 0))
})
