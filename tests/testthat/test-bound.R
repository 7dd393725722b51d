# The free energy F(q, theta) = E_q[log p(x, z | theta)] + H(q) that the EM
# trace records after each M-step, against a direct computation in R.

test_that("the bound equals F(q_{t-1}, theta_t) computed directly", {
  sim <- sim_mixture(300, 3, 3, seed = 21)
  set.seed(22)
  w <- runif(nrow(sim$x), 0.3, 2)
  for (model in ref_models) {
    for (weights in list(NULL, w)) {
      for (reg in c(0, 1e-3)) {
        iters <- 4L
        fit <- emix(sim$x, k = 3, model = model, weights = weights, init = sim$labels,
                    control = emix_control(tol = 0, max_iter = iters, reg = reg))
        theta <- ref_mstep(sim$x, ref_one_hot(sim$labels, 3), model, weights, reg)
        expected <- NA_real_
        for (t in seq_len(iters)) {
          q <- ref_estep(sim$x, theta$pro, theta$mean, theta$sigma, weights)$z
          theta <- ref_mstep(sim$x, q, model, weights, reg)
          expected[t + 1L] <- ref_free_energy(sim$x, q, theta$pro, theta$mean, theta$sigma,
                                              weights)
        }
        expect_equal(fit$trace$bound, expected, tolerance = 1e-10,
                     info = paste(model, is.null(weights), reg))
        expect_equal(fit$trace$gap, fit$trace$loglik - expected, tolerance = 1e-8,
                     info = paste(model, is.null(weights), reg))
      }
    }
  }
})

test_that("the bound lies between consecutive log-likelihoods with reg = 0", {
  for (model in ref_models) {
    set.seed(5)
    fit <- emix(as.matrix(iris[1:4]), k = 3, model = model, init = "random",
                control = emix_control(reg = 0, tol = 1e-10))
    tr <- fit$trace
    slack <- 1e-10 * sum(abs(tr$loglik)) / nrow(tr)
    t <- seq_len(nrow(tr))[-1L]
    # the M-step raises F above the last log-likelihood (an extrapolated
    # row of accelerated EM was made by no M-step) ...
    m <- t[!tr$accelerated[t]]
    expect_true(all(tr$bound[m] >= tr$loglik[m - 1L] - slack), info = model)
    expect_true(any(tr$accelerated), info = model)
    # ... and the new log-likelihood lies above F by the KL divergence
    expect_true(all(tr$gap[t] >= -slack), info = model)
    expect_true(is.na(tr$bound[1L]))
  }
})

test_that("the bound is drawn", {
  fit <- emix(~ ., data = faithful, k = 2, init = ifelse(faithful$eruptions > 3, 2, 1))
  pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_identical(plot(fit, which = "bound"), fit)
})
