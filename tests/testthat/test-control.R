test_that("emix_control() returns checked defaults", {
  ctl <- emix_control()
  expect_s3_class(ctl, "emix_control")
  expect_equal(ctl$tol, 1e-8)
  expect_identical(ctl$max_iter, 1000L)
  expect_identical(ctl$rule, "relative")
  expect_equal(ctl$reg, 1e-6)
  expect_identical(ctl$empty, "error")
})

test_that("emix_control() rejects bad settings, naming them", {
  expect_snapshot(error = TRUE, emix_control(tol = -1))
  expect_snapshot(error = TRUE, emix_control(max_iter = 2.5))
  expect_snapshot(error = TRUE, emix_control(rule = "aitken"))
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

test_that("the relative and absolute rules stop where they say", {
  x <- as.matrix(faithful)
  lab <- ifelse(faithful$eruptions > 3, 2L, 1L)
  for (rule in c("relative", "absolute")) {
    fit <- emix(x, k = 2, init = lab, control = emix_control(tol = 1e-6, rule = rule, reg = 0))
    ll <- fit$trace$loglik
    change <- abs(diff(ll))
    if (rule == "relative") change <- change / (1 + abs(ll[-1]))
    t <- length(change)
    expect_true(fit$converged)
    expect_lt(change[t], 1e-6)
    expect_true(all(change[-t] >= 1e-6))
  }
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
