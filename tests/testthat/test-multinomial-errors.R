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

test_that("settings of other families, unknown methods and wrong starts are refused", {
  x <- bad_counts()
  expect_multi_argument_error(emix(x, k = 2, family = multinomial_mix(), noise = TRUE), "noise")
  expect_multi_argument_error(emix(x, k = 2, family = multinomial_mix(), model = "VVI"), "model")
  expect_multi_argument_error(emix(x, k = 2, family = multinomial_mix(), method = "lda"), "method")
  expect_multi_argument_error(emix(x, k = 2, family = multinomial_mix(),
                                   method = vb(prior = emix_prior(alpha = 1))), "prior")
  expect_multi_argument_error(emix(x, k = 2, family = multinomial_mix(),
                                   init = list(pro = c(0.5, 0.5), mean = diag(2))), "init")
  fit <- emix(x, k = 2, family = multinomial_mix(), init = c(1, 1, 2, 2))
  expect_multi_argument_error(predict(fit, x[, 1:2]), "newdata")
  expect_snapshot(error = TRUE, emix(x, k = 2, family = multinomial_mix(), noise = TRUE))
  expect_snapshot(error = TRUE, emix(x, k = 2, family = multinomial_mix(), method = "lda"))
  expect_snapshot(error = TRUE, emix(x, k = 2, family = multinomial_mix(),
                                     method = vb(prior = emix_prior(alpha = 1))))
  expect_snapshot(error = TRUE, emix(x, k = 2, family = multinomial_mix(),
                                     init = list(pro = c(0.5, 0.5), mean = diag(2))))
  expect_snapshot(error = TRUE, predict(fit, x[, 1:2]))
})

test_that("an empty component and a document no component can explain stop with classed errors", {
  x <- rbind(c(2, 1, 0), c(1, 2, 0), c(0, 0, 0), c(3, 0, 0))
  # component 2 holds only the document without words: with smooth = 0 it
  # has no word probabilities
  err <- tryCatch(emix(x, k = 2, family = multinomial_mix(smooth = 0), init = c(1, 1, 2, 1)),
                  error = function(e) e)
  expect_s3_class(err, "emix_error_empty")
  expect_identical(err$component, 2L)
  expect_snapshot(error = TRUE, emix(x, k = 2, family = multinomial_mix(smooth = 0),
                                     init = c(1, 1, 2, 1)))
  # ... and with smoothing it has the uniform distribution
  fit <- emix(x, k = 2, family = multinomial_mix(smooth = 1), init = c(1, 1, 2, 1),
              control = emix_control(max_iter = 0))
  expect_equal(unname(fit$prob[fit$pro < 0.5, ]), rep(1 / 3, 3))
  # a document of weight 0 uses a word no other document uses: with
  # smooth = 0 no component gives it a positive probability
  y <- rbind(c(2, 1, 0), c(1, 2, 0), c(0, 0, 4), c(3, 0, 0))
  err <- tryCatch(emix(y, k = 2, family = multinomial_mix(smooth = 0), init = c(1, 2, 1, 2),
                       weights = c(1, 1, 0, 1)), error = function(e) e)
  expect_s3_class(err, "emix_error_zero_density")
  expect_snapshot(error = TRUE, emix(y, k = 2, family = multinomial_mix(smooth = 0),
                                     init = c(1, 2, 1, 2), weights = c(1, 1, 0, 1)))
})
