# Incremental EM against a plain-R version of the same block updates.

ref_iem <- function(x, labels, model, blocks, sweeps, weights = NULL) {
  n <- nrow(x)
  k <- max(labels)
  rows <- split(seq_len(n), ceiling(seq_len(n) / ceiling(n / blocks)))
  theta <- ref_mstep(x, ref_one_hot(labels, k), model, weights)
  q <- ref_estep(x, theta$pro, theta$mean, theta$sigma, weights)$z
  free_energy <- numeric(0)
  theta <- ref_mstep(x, q, model, weights)
  for (t in seq_len(sweeps)) {
    for (b in rows) {
      q[b, ] <- ref_estep(x[b, , drop = FALSE], theta$pro, theta$mean, theta$sigma)$z
      theta <- ref_mstep(x, q, model, weights)
    }
    free_energy[t] <- ref_free_energy(x, q, theta$pro, theta$mean, theta$sigma, weights)
  }
  c(theta, list(free_energy = free_energy))
}

test_that("incremental EM equals the plain-R block updates", {
  sim <- sim_mixture(250, 2, 3, seed = 51)
  set.seed(52)
  w <- runif(nrow(sim$x), 0.5, 2)
  for (model in ref_models) {
    for (weights in list(NULL, w)) {
      ref <- ref_iem(sim$x, sim$labels, model, blocks = 4, sweeps = 3, weights = weights)
      fit <- emix(sim$x, k = 3, model = model, method = iem(blocks = 4), weights = weights,
                  init = sim$labels, control = emix_control(tol = 0, max_iter = 3, reg = 0))
      info <- paste(model, is.null(weights))
      expect_equal(fit$trace$objective[-1], ref$free_energy, tolerance = 1e-10, info = info)
      expect_equal(ref_params(fit), ref_params(ref), tolerance = 1e-10, info = info)
      expect_equal(fit$loglik, ref_loglik(sim$x, fit$pro, fit$mean, fit$sigma, weights),
                   tolerance = 1e-10, info = info)
    }
  }
})

test_that("incremental EM never lowers F and reaches EM's log-likelihood", {
  cases <- separated_cases()
  for (name in names(cases)) {
    case <- cases[[name]]
    set.seed(1)
    start <- kmeans(case$x, case$k)$cluster
    for (model in c("VII", "EEE", "VVV")) {
      info <- paste(name, model)
      iem <- emix(case$x, k = case$k, model = model, method = iem(blocks = 5), init = start,
                  control = emix_control(reg = 0, tol = 1e-12))
      em <- emix(case$x, k = case$k, model = model, init = start,
                 control = emix_control(reg = 0, tol = 1e-12))
      tr <- iem$trace
      expect_true(iem$converged, info = info)
      expect_true(all(diff(tr$objective) >= -1e-10 * abs(tr$objective[-1])), info = info)
      # the log-likelihood is known at the start and the end, and F is below it
      expect_identical(which(!is.na(tr$loglik)), c(1L, nrow(tr)))
      expect_gte(iem$loglik, tr$objective[nrow(tr)] - 1e-9 * abs(iem$loglik))
      expect_equal(iem$loglik, em$loglik, tolerance = 1e-6, info = info)
    }
  }
})
