# The compiled M-step against the plain R reference of helper-reference.R,
# and against values worked out by hand.

mstep_data <- sim_mixture(180, 3, 3, seed = 12)$x

# pro, mean and each component's covariance each within `tolerance`
expect_params_equal <- function(got, ref, tolerance, info = NULL) {
  expect_equal(ref_params(got), ref_params(ref), tolerance = tolerance, info = info)
}

test_that("the M-step matches the reference for all six models, with and without weights", {
  set.seed(30)
  x <- mstep_data
  w <- runif(nrow(x), 0.1, 3)
  for (model in ref_models) {
    for (k in c(2, 3)) {
      z <- ref_random_z(nrow(x), k)
      for (weights in list(NULL, w)) {
        info <- sprintf("model %s, k = %d, %s", model, k,
                        if (is.null(weights)) "unweighted" else "weighted")
        got <- gaussian_mstep(x, z, model = model, weights = weights)
        ref <- ref_mstep(x, z, model, weights)
        expect_identical(dim(got$sigma), c(3L, 3L, as.integer(k)), info = info)
        expect_params_equal(got, ref, 1e-10, info)
      }
    }
  }
})

test_that("the M-step matches the reference from hard (one-hot) responsibilities", {
  s <- sim_mixture(150, 2, 3, seed = 13)
  z <- ref_one_hot(s$labels, 3)
  w <- rep(c(1, 2.5, 0.5), length.out = 150)
  for (model in ref_models) {
    expect_params_equal(gaussian_mstep(s$x, z, model = model, weights = w),
                        ref_mstep(s$x, z, model, w), 1e-10, model)
  }
})

test_that("covariances keep their precision when components are far apart", {
  # within-component spread 1, between-component spread 1e4: a covariance
  # formed as E[x x'] - mu mu' (or total minus between scatter) would lose
  # about eight digits here
  s <- sim_mixture(150, 2, 3, seed = 14)
  x <- s$x
  x[, 1] <- x[, 1] + 1e4 * s$labels
  x[, 2] <- x[, 2] + 1e6
  z <- ref_one_hot(s$labels, 3)
  for (model in ref_models) {
    expect_params_equal(gaussian_mstep(x, z, model = model),
                        ref_mstep(x, z, model), 1e-10, model)
  }
})

test_that("T1: the M-step and E-step agree with the worked example", {
  a <- log(3) / 2
  x <- matrix(c(-a, 0, a), ncol = 1)
  z <- cbind(c(3 / 4, 1 / 2, 1 / 4), c(1 / 4, 1 / 2, 3 / 4))
  m <- a / 3
  v <- 5 * a^2 / 9
  expect_equal(m, 0.183102048111352, tolerance = 1e-14)
  expect_equal(v, 0.167631800112859, tolerance = 1e-14)
  for (model in c("VII", "VVI", "VVV")) {
    # the rows twice: the same estimates, from the 3 observations per
    # component a variance needs (1.5 each would be degenerate)
    got <- gaussian_mstep(rbind(x, x), rbind(z, z), model = model)
    expect_equal(as.numeric(got$pro), c(1 / 2, 1 / 2), tolerance = 1e-14, info = model)
    expect_equal(as.numeric(got$mean), c(-m, m), tolerance = 1e-14, info = model)
    expect_equal(as.numeric(got$sigma), c(v, v), tolerance = 1e-14, info = model)
  }
  ref <- ref_mstep(x, z, "VVV")
  expect_equal(as.numeric(ref$mean), c(-m, m), tolerance = 1e-14)
  expect_equal(as.numeric(ref$sigma), c(v, v), tolerance = 1e-14)

  # theta0: equal proportions, means -1 and 1, unit variances
  sigma0 <- array(1, c(1, 1, 2))
  e_ref <- ref_estep(x, c(0.5, 0.5), c(-1, 1), sigma0)
  expect_equal(e_ref$z, z, tolerance = 1e-14)
  expect_equal(e_ref$loglik, -4.270870767365, tolerance = 1e-12)
  for (model in c("VII", "VVV")) {
    e <- gaussian_estep(x, c(0.5, 0.5), c(-1, 1), sigma0, model = model)
    expect_equal(unname(e$z), z, tolerance = 1e-14, info = model)
    expect_equal(e$loglik, -4.270870767365, tolerance = 1e-12, info = model)
  }

  # theta1: the parameters above
  sigma1 <- array(v, c(1, 1, 2))
  expect_equal(ref_loglik(x, c(0.5, 0.5), c(-m, m), sigma1), -1.837566969875, tolerance = 1e-12)
  for (model in c("VII", "VVV")) {
    e <- gaussian_estep(x, c(0.5, 0.5), c(-m, m), sigma1, model = model)
    expect_equal(e$loglik, -1.837566969875, tolerance = 1e-12, info = model)
  }
})

test_that("one component: the weighted mean and the divisor-W covariance", {
  set.seed(31)
  x <- mstep_data
  w <- runif(nrow(x), 0.2, 4)
  z <- matrix(1, nrow(x), 1)
  cw <- stats::cov.wt(x, wt = w / sum(w), method = "ML")
  expected <- ref_one_component_sigma(cw$cov)
  for (model in ref_models) {
    got <- gaussian_mstep(x, z, model = model, weights = w)
    expect_equal(ref_params(got),
                 list(pro = 1, mean = matrix(cw$center, 1), sigma = list(expected[[model]])),
                 tolerance = 1e-12, info = model)
  }
  # unweighted: divisor n, not n - 1
  got <- gaussian_mstep(x, z, model = "VVV")
  expect_equal(unname(got$sigma[, , 1]), unname(cov(x)) * (nrow(x) - 1) / nrow(x),
               tolerance = 1e-12)
})

test_that("scaling all weights by a constant leaves the parameters unchanged", {
  set.seed(32)
  x <- mstep_data
  w <- runif(nrow(x), 0.2, 4)
  z <- ref_random_z(nrow(x), 3)
  for (model in ref_models) {
    base <- gaussian_mstep(x, z, model = model, weights = w)
    for (scale in c(1e-3, 7.25, 1e4)) {
      expect_params_equal(gaussian_mstep(x, z, model = model, weights = scale * w), base,
                          1e-12, paste(model, scale))
    }
    expect_params_equal(gaussian_mstep(x, z, model = model, weights = rep(3, nrow(x))),
                        gaussian_mstep(x, z, model = model), 1e-12, model)
  }
})

test_that("zero weights are the same as leaving the rows out", {
  set.seed(33)
  x <- mstep_data
  w <- runif(nrow(x), 0.2, 4)
  w[seq(1, nrow(x), by = 4)] <- 0
  z <- ref_random_z(nrow(x), 3)
  keep <- w > 0
  for (model in ref_models) {
    expect_params_equal(gaussian_mstep(x, z, model = model, weights = w),
                        gaussian_mstep(x[keep, ], z[keep, ], model = model, weights = w[keep]),
                        1e-12, model)
  }
})

test_that("reg adds reg times each variable's squared weighted robust scale to the diagonal", {
  set.seed(34)
  x <- mstep_data
  w <- runif(nrow(x), 0.2, 4)
  z <- ref_random_z(nrow(x), 3)
  reg <- 0.01
  v <- ref_robust_scale(x, w)^2
  for (model in ref_models) {
    exact <- gaussian_mstep(x, z, model = model, weights = w, reg = 0)
    ridged <- gaussian_mstep(x, z, model = model, weights = w, reg = reg)
    expect_equal(list(ridged$pro, ridged$mean), list(exact$pro, exact$mean),
                 tolerance = 1e-14, info = model)
    # the models whose estimate is linear in the scatters get the ridge
    # added (the spherical ones its mean); the others fit their
    # constraint to the scatters plus the ridge
    if (model %in% c("EII", "VII", "EEI", "VVI", "EEE", "VVV")) {
      ridge <- reg * if (model %in% c("EII", "VII")) rep(mean(v), 3) else v
      added <- lapply(1:3, function(c) unname(ridged$sigma[, , c] - exact$sigma[, , c]))
      expect_equal(added, rep(list(diag(ridge, 3)), 3), tolerance = 1e-12, info = model)
    }
    expect_params_equal(ridged, ref_mstep(x, z, model, w, reg = reg), 1e-10, model)
  }
})
