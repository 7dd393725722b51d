# The compiled E-step against the plain R reference of helper-reference.R.

estep_data <- sim_mixture(240, 3, 3, seed = 11)$x

test_that("the reference log-density is the multivariate normal density", {
  skip_if_not_installed("mvtnorm")
  set.seed(3)
  x <- estep_data[1:20, ]
  par <- ref_random_params(x, 2, "VVV")
  ld <- ref_logdens(x, par$mean, par$sigma)
  for (c in 1:2) {
    expect_equal(ld[, c], mvtnorm::dmvnorm(x, par$mean[c, ], par$sigma[, , c], log = TRUE),
                 tolerance = 1e-12)
  }
})

test_that("the E-step matches the reference for all six models, with and without weights", {
  set.seed(20)
  x <- estep_data
  w <- runif(nrow(x), 0.1, 3)
  for (model in ref_models) {
    for (k in c(2, 3)) {
      par <- ref_random_params(x, k, model)
      for (weights in list(NULL, w)) {
        info <- sprintf("model %s, k = %d, %s", model, k,
                        if (is.null(weights)) "unweighted" else "weighted")
        got <- gaussian_estep(x, par$pro, par$mean, par$sigma, model = model,
                              weights = weights)
        ref <- ref_estep(x, par$pro, par$mean, par$sigma, weights)
        expect_equal(list(row_loglik = got$row_loglik, loglik = got$loglik, z = unname(got$z)),
                     ref[c("row_loglik", "loglik", "z")], tolerance = 1e-10, info = info)
        expect_true(all(abs(rowSums(got$z) - 1) < 1e-12) && all(got$z >= 0 & got$z <= 1),
                    info = info)
      }
    }
  }
})

test_that("responsibilities are exact also where they are small", {
  # compare log z so that entries far below 1 are checked to full precision
  set.seed(21)
  x <- estep_data
  for (model in ref_models) {
    par <- ref_random_params(x, 3, model)
    got <- gaussian_estep(x, par$pro, par$mean, par$sigma, model = model)
    ref <- ref_estep(x, par$pro, par$mean, par$sigma)
    keep <- ref$z > 1e-250
    expect_equal(log(got$z[keep]), log(ref$z[keep]), tolerance = 1e-10, info = model)
    expect_true(all(got$z[!keep] < 1e-240), info = model)
  }
})

test_that("the diagonal models read only the diagonal of sigma", {
  set.seed(22)
  x <- estep_data
  for (model in c("EII", "VII", "EEI", "VVI")) {
    par <- ref_random_params(x, 2, model)
    noisy <- par$sigma
    for (c in 1:2) {
      noisy[, , c] <- noisy[, , c] + 0.1 * (1 - diag(3))
    }
    got <- gaussian_estep(x, par$pro, par$mean, noisy, model = model)
    ref <- ref_estep(x, par$pro, par$mean, par$sigma)
    expect_equal(got$row_loglik, ref$row_loglik, tolerance = 1e-10, info = model)
  }
})

test_that("the log-likelihood scales with the weights and not the responsibilities", {
  set.seed(23)
  x <- estep_data
  par <- ref_random_params(x, 3, "VVV")
  w <- runif(nrow(x))
  plain <- gaussian_estep(x, par$pro, par$mean, par$sigma)
  weighted <- gaussian_estep(x, par$pro, par$mean, par$sigma, weights = w)
  expect_equal(weighted$z, plain$z, tolerance = 1e-14)
  expect_equal(weighted$row_loglik, plain$row_loglik, tolerance = 1e-14)
  expect_equal(weighted$loglik, sum(w * ref_estep(x, par$pro, par$mean, par$sigma)$row_loglik),
               tolerance = 1e-10)
  expect_equal(plain$loglik, sum(plain$row_loglik), tolerance = 1e-12)
})

test_that("a point far from every component gives a finite log-likelihood and valid z", {
  set.seed(24)
  x <- rbind(estep_data[1:50, ], c(1e6, -1e6, 1e6), c(-3e6, 0, 0))
  n <- nrow(x)
  for (model in ref_models) {
    par <- ref_random_params(x[1:50, ], 3, model)
    got <- gaussian_estep(x, par$pro, par$mean, par$sigma, model = model)
    ref <- ref_estep(x, par$pro, par$mean, par$sigma)
    expect_true(all(is.finite(got$row_loglik)) && is.finite(got$loglik), info = model)
    expect_true(!anyNA(got$z) && all(abs(rowSums(got$z) - 1) < 1e-12), info = model)
    expect_lt(max(got$row_loglik[n - 1:0]), -1e10)
    expect_equal(list(row_loglik = got$row_loglik, loglik = got$loglik,
                      far_z = unname(got$z[n - 1:0, ])),
                 list(row_loglik = ref$row_loglik, loglik = ref$loglik, far_z = ref$z[n - 1:0, ]),
                 tolerance = 1e-10, info = model)
  }
})

test_that("one component: z is 1 and the log-likelihood is the normal log-density", {
  set.seed(25)
  x <- estep_data
  w <- runif(nrow(x), 0.5, 2)
  for (model in ref_models) {
    par <- ref_random_params(x, 1, model)
    got <- gaussian_estep(x, 1, par$mean, par$sigma, model = model, weights = w)
    ld <- ref_logdens(x, par$mean, par$sigma)[, 1]
    expect_equal(list(z = unname(got$z), row_loglik = got$row_loglik, loglik = got$loglik),
                 list(z = matrix(1, nrow(x), 1), row_loglik = ld, loglik = sum(w * ld)),
                 tolerance = 1e-10, info = model)
  }
})

test_that("one variable: the E-step matches the reference", {
  set.seed(26)
  x <- estep_data[, 2, drop = FALSE]
  w <- runif(nrow(x), 0.5, 2)
  for (model in ref_models) {
    par <- ref_random_params(x, 3, model)
    for (weights in list(NULL, w)) {
      got <- gaussian_estep(x, par$pro, par$mean, par$sigma, model = model, weights = weights)
      ref <- ref_estep(x, par$pro, par$mean, par$sigma, weights)
      expect_equal(list(row_loglik = got$row_loglik, loglik = got$loglik, z = unname(got$z)),
                   ref[c("row_loglik", "loglik", "z")], tolerance = 1e-10, info = model)
    }
  }
  # the density of one normal variable written out by hand
  got <- gaussian_estep(x, 1, 0.5, array(2, c(1, 1, 1)), model = "VII")
  expect_equal(got$row_loglik, dnorm(x[, 1], 0.5, sqrt(2), log = TRUE), tolerance = 1e-12)
})
