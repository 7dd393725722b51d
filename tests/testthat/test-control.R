test_that("emix_control() returns checked defaults", {
  ctl <- emix_control()
  expect_s3_class(ctl, "emix_control")
  expect_equal(ctl$tol, 1e-8)
  expect_identical(ctl$max_iter, 1000L)
  expect_identical(ctl$rule, "aitken")
  expect_true(ctl$accelerate)
  expect_equal(ctl$reg, 1e-6)
  expect_identical(ctl$empty, "error")
})

test_that("emix_control() rejects bad settings, naming them", {
  expect_snapshot(error = TRUE, emix_control(tol = -1))
  expect_snapshot(error = TRUE, emix_control(max_iter = 2.5))
  expect_snapshot(error = TRUE, emix_control(rule = "quadratic"))
  expect_snapshot(error = TRUE, emix_control(accelerate = NA))
  expect_snapshot(error = TRUE, emix_control(reg = NA))
  expect_snapshot(error = TRUE, emix_control(empty = "reseed"))
})

test_that("a plain list is accepted as control and checked", {
  x <- as.matrix(faithful)
  lab <- ifelse(faithful$eruptions > 3, 2L, 1L)
  a <- emix(x, k = 2, init = lab, control = list(tol = 0, max_iter = 3))
  expect_identical(a$iter, 3L)
  expect_error(emix(x, k = 2, control = list(tolerance = 1)), "tolerance",
               class = "emix_error_argument")
})

test_that("tol = 0 runs exactly max_iter iterations", {
  x <- as.matrix(iris[1:4])
  fit <- emix(x, k = 3, init = as.integer(iris$Species),
              control = emix_control(tol = 0, max_iter = 7))
  expect_identical(fit$iter, 7L)
  expect_false(fit$converged)
  expect_identical(fit$trace$iter, 0:7)
})

test_that("each rule stops where it says", {
  x <- as.matrix(faithful)
  lab <- ifelse(faithful$eruptions > 3, 2L, 1L)
  set.seed(5)
  w <- runif(nrow(x), 0.5, 2)
  for (rule in c("mean", "relative", "absolute")) {
    for (weights in list(NULL, w)) {
      fit <- emix(x, k = 2, init = lab, weights = weights,
                  control = emix_control(tol = 1e-7, rule = rule, reg = 0, accelerate = FALSE))
      ll <- fit$trace$loglik
      W <- if (is.null(weights)) nrow(x) else sum(weights)
      change <- abs(diff(ll))
      change <- switch(rule, mean = change / W, relative = change / (1 + abs(ll[-1])),
                       absolute = change)
      t <- length(change)
      info <- paste(rule, is.null(weights))
      expect_true(fit$converged, info = info)
      expect_gt(t, 1L)
      expect_lt(change[t], 1e-7)
      expect_true(all(change[-t] >= 1e-7), info = info)
    }
  }
})

test_that("the mean rule does not depend on the scale of the weights", {
  x <- as.matrix(faithful)
  lab <- ifelse(faithful$eruptions > 3, 2L, 1L)
  n <- nrow(x)
  for (method in c("em", "cem", "iem")) {
    one <- emix(x, k = 2, init = lab, method = method, weights = rep(1, n))
    tiny <- emix(x, k = 2, init = lab, method = method, weights = rep(1e-10, n))
    expect_identical(tiny$iter, one$iter, info = method)
    expect_equal(tiny$mean, one$mean, tolerance = 1e-10, info = method)
    expect_equal(tiny$loglik, 1e-10 * one$loglik, tolerance = 1e-10, info = method)
  }
  # whereas mclust's relative rule stops the tiny weights after one step,
  # short of the optimum
  one <- emix(x, k = 2, init = lab, control = emix_control(rule = "relative"))
  tiny <- emix(x, k = 2, init = lab, weights = rep(1e-10, n),
               control = emix_control(rule = "relative"))
  expect_identical(tiny$iter, 1L)
  expect_gt(one$iter, 1L)
})

test_that("the mean rule does not depend on the units of the data", {
  # x s has density f(x) / s^d: the log-likelihood of every iteration
  # shifts by -W d log(s), the ELBO of VB too (its default prior scales
  # with the data), and the rule sees the same changes
  x <- as.matrix(faithful)
  lab <- ifelse(faithful$eruptions > 3, 2L, 1L)
  shift <- function(s) -nrow(x) * ncol(x) * log(s)
  for (method in c("em", "cem", "iem", "vb")) {
    base <- emix(x, k = 2, init = lab, method = method)
    for (s in c(1e150, 1e-150)) {
      info <- paste(method, s)
      scaled <- emix(x * s, k = 2, init = lab, method = method)
      expect_identical(scaled$iter, base$iter, info = info)
      expect_equal(scaled$trace$objective, base$trace$objective + shift(s),
                   tolerance = 1e-13, info = info)
      expect_equal(scaled$loglik, base$loglik + shift(s), tolerance = 1e-13, info = info)
      expect_equal(scaled$mean / s, base$mean, tolerance = 1e-10, info = info)
    }
  }
})

test_that("the default rule and tol reach the optimum's log-likelihood closely", {
  x <- as.matrix(iris[1:4])
  lab <- as.integer(iris$Species)
  fit <- emix(x, k = 3, init = lab, control = emix_control(reg = 0))
  best <- emix(x, k = 3, init = lab, control = emix_control(reg = 0, tol = 1e-14))
  expect_true(fit$converged)
  expect_lt(best$loglik - fit$loglik, 1e-6)
  expect_gte(best$loglik - fit$loglik, 0)
})

test_that("reg is relative to each variable's squared robust scale in the data", {
  x <- as.matrix(faithful)
  z <- cbind(rep(1, nrow(x)))
  exact <- gaussian_mstep(x, z, "VVV", reg = 0)
  ridged <- gaussian_mstep(x, z, "VVV", reg = 0.01)
  v <- ref_robust_scale(x)^2
  expect_equal(ridged$sigma[, , 1] - exact$sigma[, , 1], diag(0.01 * v, 2),
               tolerance = 1e-12)
  # so variables on very different scales keep their own structure
  set.seed(1)
  x <- cbind(a = c(rnorm(200), rnorm(200, 6)) * 1e-4, b = rnorm(400) * 100)
  lab <- rep(1:2, each = 200)
  ridged <- emix(x, k = 2, init = lab)
  exact <- emix(x, k = 2, init = lab, control = emix_control(reg = 0))
  expect_equal(ridged$loglik, exact$loglik, tolerance = 1e-5)
  expect_identical(ridged$classification, exact$classification)
})
