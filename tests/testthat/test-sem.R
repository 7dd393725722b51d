# Stochastic EM against a plain-R version drawing the same uniforms, and
# its S-step against the responsibilities it samples from.

ref_sem <- function(x, labels, model, iters, weights = NULL) {
  k <- max(labels)
  theta <- ref_mstep(x, ref_one_hot(labels, k), model, weights)
  loglik <- numeric(0)
  for (t in 0:iters) {
    u <- runif(nrow(x)) # the C core draws n uniforms before each E-step
    e <- ref_estep(x, theta$pro, theta$mean, theta$sigma, weights)
    loglik[t + 1L] <- e$loglik
    if (t == iters) break
    cum <- t(apply(e$z, 1L, cumsum))
    labels <- pmin(rowSums(cum <= u) + 1L, k)
    theta <- ref_mstep(x, ref_one_hot(labels, k), model, weights)
  }
  c(theta, list(loglik = loglik))
}

test_that("SEM equals the plain-R stochastic EM with the same random numbers", {
  sim <- sim_mixture(300, 2, 3, seed = 41)
  # overlapping components, so that the draws matter
  x <- sim$x
  x[, 1] <- x[, 1] / 4
  for (model in ref_models) {
    set.seed(42)
    fit <- emix(x, k = 3, model = model, method = "sem", init = sim$labels,
                control = emix_control(max_iter = 6, reg = 0))
    set.seed(42)
    ref <- ref_sem(x, sim$labels, model, iters = 6L)
    expect_equal(fit$trace$loglik, ref$loglik, tolerance = 1e-10, info = model)
    expect_equal(ref_params(fit), ref_params(ref), tolerance = 1e-10, info = model)
    expect_identical(fit$iter, 6L)
    expect_false(fit$converged)
  }
})

test_that("set.seed() reproduces a stochastic EM fit", {
  x <- as.matrix(faithful)
  start <- ifelse(faithful$eruptions > 3, 2L, 1L)
  set.seed(7)
  a <- emix(x, k = 2, method = "sem", init = start, control = emix_control(max_iter = 20))
  set.seed(7)
  b <- emix(x, k = 2, method = "sem", init = start, control = emix_control(max_iter = 20))
  set.seed(8)
  c <- emix(x, k = 2, method = "sem", init = start, control = emix_control(max_iter = 20))
  expect_identical(a$trace, b$trace)
  expect_identical(a$mean, b$mean)
  expect_false(identical(a$trace$loglik, c$trace$loglik))
})

test_that("the S-step draws labels with the frequencies of the responsibilities", {
  # one row's responsibilities, drawn 1e5 times: a chi-square test at a fixed seed
  r <- c(0.5, 0.3, 0.15, 0.05)
  m <- 1e5
  set.seed(11)
  labels <- .Call(C_ffi_draw_labels, matrix(r, m, 4, byrow = TRUE), runif(m))
  counts <- tabulate(labels, 4)
  chi2 <- sum((counts - m * r)^2 / (m * r))
  expect_lt(chi2, qchisq(0.999, df = 3))
  # the inverse CDF exactly at the edges
  edges <- .Call(C_ffi_draw_labels, matrix(r, 4, 4, byrow = TRUE), c(0, 0.5, 0.8, 0.999999))
  expect_identical(edges, 1:4)
  # a component with zero responsibility is never drawn
  zero <- .Call(C_ffi_draw_labels, matrix(c(0.5, 0, 0.5), 3, 3, byrow = TRUE), c(0.2, 0.5, 1))
  expect_identical(zero, c(1L, 3L, 3L))
})

test_that("on perfectly separated data SEM and CEM give EM's fit", {
  # centres about 100 standard deviations apart: every responsibility is
  # 0 or 1 to double precision
  sim <- sim_mixture(500, 2, 3, seed = 43)
  x <- sim$x
  x[, 1] <- x[, 1] + 100 * (sim$labels - 1)
  set.seed(44)
  sem <- emix(x, k = 3, method = "sem", init = sim$labels,
              control = emix_control(max_iter = 30, reg = 0))
  cem <- emix(x, k = 3, method = "cem", init = sim$labels, control = emix_control(reg = 0))
  em <- emix(x, k = 3, init = sim$labels, control = emix_control(reg = 0, tol = 1e-12))
  expect_equal(sem$loglik, em$loglik, tolerance = 1e-12)
  expect_equal(ref_params(sem), ref_params(em), tolerance = 1e-12)
  expect_equal(ref_params(cem), ref_params(em), tolerance = 1e-12)
})
