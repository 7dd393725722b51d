# Classification EM against a plain-R version of the same iterations.

ref_cem <- function(x, labels, model, iters, weights = NULL) {
  k <- max(labels)
  w <- if (is.null(weights)) rep(1, nrow(x)) else weights
  theta <- ref_mstep(x, ref_one_hot(labels, k), model, weights)
  objective <- numeric(0)
  for (t in 0:iters) {
    log_joint <- sweep(ref_logdens(x, theta$mean, theta$sigma), 2L, log(theta$pro), "+")
    best <- max.col(log_joint, ties.method = "first")
    keep <- log_joint[cbind(seq_along(labels), labels)] == log_joint[cbind(seq_along(best), best)]
    new_labels <- ifelse(keep, labels, best)
    objective[t + 1L] <- sum(w * log_joint[cbind(seq_along(new_labels), new_labels)])
    if (t > 0 && all(new_labels == labels)) {
      break
    }
    labels <- new_labels
    if (t < iters) {
      theta <- ref_mstep(x, ref_one_hot(labels, k), model, weights)
    }
  }
  c(theta, list(objective = objective, labels = new_labels))
}

test_that("CEM equals the plain-R classification EM for every model", {
  sim <- sim_mixture(400, 2, 3, seed = 31)
  set.seed(32)
  w <- runif(nrow(sim$x), 0.5, 2)
  # a rough start, so that rows move between components
  start <- ifelse(sim$x[, 1] < 6, 1L, ifelse(sim$x[, 1] < 10, 2L, 3L))
  for (model in ref_models) {
    for (weights in list(NULL, w)) {
      ref <- ref_cem(sim$x, start, model, iters = 50L, weights = weights)
      fit <- emix(sim$x, k = 3, model = model, method = "cem", weights = weights,
                  init = start, control = emix_control(tol = 0, max_iter = 50, reg = 0))
      info <- paste(model, is.null(weights))
      expect_true(fit$converged, info = info)
      expect_equal(fit$trace$objective, ref$objective, tolerance = 1e-10, info = info)
      expect_equal(ref_params(fit), ref_params(ref), tolerance = 1e-10, info = info)
      expect_identical(fit$classification, ref_fit_order(ref)$labels, info = info)
      expect_identical(fit$method, "cem")
    }
  }
})

test_that("CEM never lowers the classification log-likelihood and ends by itself", {
  for (model in c("EII", "VVI", "VVV")) {
    for (seed in 1:3) {
      set.seed(seed)
      fit <- emix(as.matrix(iris[1:4]), k = 3, model = model, method = "cem",
                  init = "random", control = emix_control(tol = 0, max_iter = 500, reg = 0,
                                                          empty = "drop"))
      tr <- fit$trace
      info <- paste(model, seed)
      slack <- 1e-10 * max(abs(tr$objective))
      expect_true(fit$converged, info = info)
      expect_lt(fit$iter, 500L)
      expect_true(all(diff(tr$objective[tr$k == fit$k]) >= -slack), info = info)
      # after the M-step, F with q a point mass is the classification
      # log-likelihood at the old partition: between the two objectives
      t <- which(!is.na(tr$bound) & !is.na(tr$change))
      expect_true(all(tr$bound[t] >= tr$objective[t - 1L] - slack), info = info)
      expect_true(all(tr$bound[t] <= tr$objective[t] + slack), info = info)
      # the log-likelihood at the returned parameters is the usual one
      expect_equal(fit$loglik, ref_loglik(iris[1:4], fit$pro, fit$mean, fit$sigma),
                   tolerance = 1e-10, info = info)
    }
  }
})

test_that("CEM's objective is below the log-likelihood, and print names the method", {
  fit <- emix(~ ., data = faithful, k = 2, method = "cem",
              init = ifelse(faithful$eruptions > 3, 2, 1))
  expect_true(all(fit$trace$objective <= fit$trace$loglik))
  expect_match(capture.output(print(fit))[1], "fitted by classification EM")
  expect_identical(fit$classification, max.col(fit$z, ties.method = "first"))
})

test_that("the four-point k-means trace: labels and sums of squares fall to a fixed point", {
  # from centres (0, 1) the nearest-centre labels are (1, 2, 2, 2); with one
  # spherical variance and estimated proportions, CEM takes k-means' steps
  x <- matrix(c(0, 1, 10, 11), dimnames = list(NULL, "x"))
  fit <- emix(x, k = 2, model = "EII", method = "cem", init = c(1L, 2L, 2L, 2L),
              control = emix_control(reg = 0))
  expect_equal(fit$classification, c(1L, 1L, 2L, 2L))
  expect_equal(unname(fit$mean[, 1]), c(0.5, 10.5))
  expect_equal(fit$iter, 1L) # the start, one C-step that moves a row, one that does not
  expect_true(fit$converged)
  # row 0: the start's parameters (from labels 1 2 2 2: proportions 1/4 and
  # 3/4, means 0 and 22/3, variance SSE / 4 = 182 / 12) scoring the new
  # labels 1 1 2 2; row 1: the k-means fixed point, SSE 1
  score <- function(labels, pro, mean, var) {
    sum(log(pro[labels]) + dnorm(x, mean[labels], sqrt(var), log = TRUE))
  }
  expect_equal(fit$trace$objective,
               c(score(c(1, 1, 2, 2), c(1, 3) / 4, c(0, 22 / 3), 182 / 12),
                 score(c(1, 1, 2, 2), c(1, 1) / 2, c(0.5, 10.5), 1 / 4)),
               tolerance = 1e-12)
  expect_gt(diff(fit$trace$objective), 0)
})
