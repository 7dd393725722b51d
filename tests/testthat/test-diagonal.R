# The diagonal and spherical models (EII, VII, EEI, VVI) keep their
# covariances as diagonals in the C core and return them as d x d x k
# arrays. Their steps, predictions and fits against the plain R reference of
# helper-reference.R, which works with full matrices throughout.

diagonal_models <- c("EII", "VII", "EEI", "VVI")

# the off-diagonal entries of a d x d x k array
off_diagonal <- function(sigma) {
  d <- dim(sigma)[1L]
  sigma[!array(diag(d) == 1, dim(sigma))]
}

test_that("the M-step of the diagonal models equals the reference, with and without weights", {
  set.seed(40)
  x <- sim_mixture(200, 4, 3, seed = 41)$x
  w <- runif(nrow(x), 0.2, 3)
  z <- ref_random_z(nrow(x), 3)
  for (model in diagonal_models) {
    for (weights in list(NULL, w)) {
      info <- sprintf("%s, %s", model, if (is.null(weights)) "unweighted" else "weighted")
      got <- gaussian_mstep(x, z, model = model, weights = weights)
      ref <- ref_mstep(x, z, model, weights)
      expect_identical(dim(got$sigma), c(4L, 4L, 3L), info = info)
      expect_identical(off_diagonal(got$sigma), rep(0, 4 * 3 * 3), info = info)
      expect_equal(got$pro, ref$pro, tolerance = 1e-15, info = info)
      expect_equal(got$mean, ref$mean, tolerance = 1e-15, info = info)
      expect_equal(got$sigma, ref$sigma, tolerance = 1e-15, info = info)
    }
  }
})

test_that("the E-step of the diagonal models equals the reference and reads only the diagonals", {
  set.seed(42)
  x <- sim_mixture(150, 3, 2, seed = 43)$x
  w <- runif(nrow(x), 0.5, 2)
  pro <- c(0.3, 0.7)
  mean <- matrix(c(-1, 1, 0.5, 0, 2, -0.5), 2)
  variances <- list(EII = c(1.5, 1.5, 1.5), VII = c(0.8, 0.8, 0.8, 2, 2, 2),
                    EEI = c(0.5, 1, 2), VVI = c(0.5, 1, 2, 3, 0.25, 1.5))
  for (model in diagonal_models) {
    v <- matrix(variances[[model]], 3, 2)
    sigma <- array(0, c(3, 3, 2))
    for (c in 1:2) sigma[, , c] <- diag(v[, c])
    for (weights in list(NULL, w)) {
      info <- sprintf("%s, %s", model, if (is.null(weights)) "unweighted" else "weighted")
      got <- gaussian_estep(x, pro, mean, sigma, model = model, weights = weights)
      ref <- ref_estep(x, pro, mean, sigma, weights)
      expect_equal(got$z, ref$z, tolerance = 1e-15, info = info)
      expect_equal(got$row_loglik, ref$row_loglik, tolerance = 1e-15, info = info)
      expect_equal(got$loglik, ref$loglik, tolerance = 1e-15, info = info)
    }
    # off-diagonal entries (here a valid full covariance) are not read:
    # the model says they are 0
    tilted <- sigma
    for (c in 1:2) tilted[, , c] <- tilted[, , c] + 0.1 * (1 - diag(3))
    expect_identical(gaussian_estep(x, pro, mean, tilted, model = model),
                     gaussian_estep(x, pro, mean, sigma, model = model), info = model)
  }
})

test_that("predict() with a diagonal fit's sigma equals the reference E-step", {
  x <- as.matrix(iris[, 1:4])
  new <- x[c(3, 60, 120, 140), ] + 0.05
  for (model in diagonal_models) {
    set.seed(44)
    fit <- emix(x, k = 3, model = model)
    expect_identical(off_diagonal(fit$sigma), rep(0, 4 * 4 * 3 - 4 * 3), info = model)
    ref <- ref_estep(new, fit$pro, fit$mean, fit$sigma)
    expect_equal(unname(predict(fit, new, type = "posterior")), ref$z, tolerance = 1e-15,
                 info = model)
    expect_equal(unname(predict(fit, new, type = "logdensity")), ref$row_loglik,
                 tolerance = 1e-15, info = model)
  }
})

test_that("a VVI fit with d = 300 and n = 400 matches the reference E-step at its parameters", {
  set.seed(45)
  n <- 400
  d <- 300
  labels <- rep_len(1:3, n)
  centres <- matrix(rnorm(3 * d, sd = 1.5), 3, d)
  spreads <- matrix(runif(3 * d, 0.5, 2), 3, d)
  x <- centres[labels, ] + spreads[labels, ] * matrix(rnorm(n * d), n, d)
  fit <- emix(x, k = 3, model = "VVI", init = labels)
  expect_identical(dim(fit$sigma), c(300L, 300L, 3L))
  expect_identical(off_diagonal(fit$sigma), rep(0, 300 * 299 * 3))
  ref <- ref_estep(x, fit$pro, fit$mean, fit$sigma)
  expect_equal(unname(fit$z), ref$z, tolerance = 1e-12)
  expect_equal(fit$loglik, ref$loglik, tolerance = 1e-12)
  # and the returned parameters are the M-step from the responsibilities
  # before the last E-step, which at convergence differ from fit$z by
  # rounding: the M-step from fit$z is the reference's
  expect_equal(unname(gaussian_mstep(x, fit$z, model = "VVI")$sigma),
               ref_mstep(x, fit$z, "VVI")$sigma, tolerance = 1e-14)
})

test_that("the Bayesian diagonal models return diagonal posterior scales equal to the reference", {
  x <- as.matrix(iris[, 1:4])
  # groups of 40, 60 and 50 rows: their weights tell the components apart
  z0 <- ref_one_hot(replace(as.integer(iris$Species), 1:10, 2L), 3)
  prior <- emix_prior(alpha = 1, kappa = 0.5, df = 6, mean = colMeans(x),
                      scale = diag(c(0.5, 0.3, 1, 0.2)))
  ref <- ref_bayes_posterior(x, z0, unclass(prior))
  for (model in c("VII", "VVI")) {
    fit <- emix(x, k = 3, model = model, method = vb(prior = prior), init = z0,
                control = emix_control(max_iter = 0))
    expect_identical(off_diagonal(fit$posterior$scale), rep(0, 4 * 4 * 3 - 4 * 3), info = model)
    expect_identical(off_diagonal(fit$sigma), rep(0, 4 * 4 * 3 - 4 * 3), info = model)
    for (c in 1:3) {
      # the reference's Psi_c is full; VVI keeps its diagonal, VII its mean
      psi <- diag(ref$scale[, , c])
      if (model == "VII") psi <- rep(mean(psi), 4)
      perm <- match(ref$N[c], fit$posterior$N)
      expect_equal(diag(fit$posterior$scale[, , perm]), psi, tolerance = 1e-14,
                   ignore_attr = TRUE, info = model)
      expect_equal(diag(fit$sigma[, , perm]), psi / ref$nu[c], tolerance = 1e-14,
                   ignore_attr = TRUE, info = model)
    }
  }
})

test_that("incremental EM's memory check counts a diagonal model's statistics as diagonals", {
  set.seed(46)
  n <- 5000
  d <- 500
  k <- 20
  x <- matrix(rnorm(n * d), n, d)
  # shift and sums (k x d each), weights (k), k diagonal scatters, d scratch
  per_block <- 8 * (2 * k * d + k + k * d + d)
  expect_gt(n * per_block, 2^30)
  err <- expect_error(emix(x, k = k, model = "VVI", method = iem(blocks = n)),
                      class = "emix_error_argument")
  expect_identical(err$argument, "blocks")
  expect_match(err$message, sprintf("Use at most %s blocks",
                                    format(floor(2^30 / per_block), big.mark = ",")))
})
