faithful_fit <- function() {
  emix(~ ., data = faithful, k = 2, init = ifelse(faithful$eruptions > 3, 2, 1))
}

test_that("simulate() returns nsim data sets of n rows in the variables of the fit", {
  fit <- faithful_fit()
  sims <- simulate(fit, nsim = 3, seed = 42)
  expect_s3_class(sims, "data.frame")
  expect_identical(names(sims), c(".sim", ".component", "eruptions", "waiting"))
  expect_identical(nrow(sims), 3L * 272L)
  expect_identical(sims$.sim, rep(1:3, each = 272L))
  expect_type(sims$.component, "integer")
  expect_true(all(sims$.component %in% 1:2))
})

test_that("a seed gives the same draws and leaves the session's stream alone", {
  fit <- faithful_fit()
  a <- simulate(fit, nsim = 2, seed = 7)
  b <- simulate(fit, nsim = 2, seed = 7)
  expect_identical(a, b)
  expect_identical(attr(a, "seed"), structure(7, kind = as.list(RNGkind())))
  expect_false(identical(a$waiting, simulate(fit, nsim = 2, seed = 8)$waiting))

  set.seed(1)
  simulate(fit, seed = 99)
  after <- stats::runif(3)
  set.seed(1)
  expect_identical(stats::runif(3), after)
})

test_that("without a seed the current stream is used and recorded", {
  fit <- faithful_fit()
  set.seed(123)
  state <- .Random.seed
  a <- simulate(fit)
  expect_identical(attr(a, "seed"), state)
  set.seed(123)
  expect_identical(simulate(fit), a)
  expect_false(identical(simulate(fit)$waiting, a$waiting))
})

test_that("the draws follow the fitted mixture", {
  fit <- faithful_fit()
  sims <- simulate(fit, nsim = 200, seed = 2024)
  freq <- tabulate(sims$.component, 2) / nrow(sims)
  expect_equal(freq, unname(fit$pro), tolerance = 0.02)
  vars <- c("eruptions", "waiting")
  for (c in 1:2) {
    draws <- as.matrix(sims[sims$.component == c, vars])
    expect_equal(colMeans(draws), fit$mean[c, ], tolerance = 0.01)
    expect_equal(cov(draws), fit$sigma[, , c], tolerance = 0.05, ignore_attr = TRUE)
  }
})

test_that("a single variable and a weighted fit simulate too", {
  fit <- emix(faithful["waiting"], k = 2, init = ifelse(faithful$eruptions > 3, 2, 1),
              weights = rep(c(1, 3), length.out = nrow(faithful)))
  sims <- simulate(fit, nsim = 100, seed = 3)
  expect_identical(names(sims), c(".sim", ".component", "waiting"))
  expect_identical(nrow(sims), 100L * 272L)
  expect_equal(tapply(sims$waiting, sims$.component, mean), fit$mean[, "waiting"],
               tolerance = 0.01, ignore_attr = TRUE)
})

test_that("simulate() rejects a bad nsim or n", {
  fit <- faithful_fit()
  expect_error(simulate(fit, nsim = 0), "`nsim` must be a single whole number",
               class = "emix_error_argument")
  expect_error(simulate(fit, n = 0), "`n` must be a single whole number",
               class = "emix_error_argument")
  expect_error(simulate(fit, nsim = 3, n = 1e9), "`n` times `nsim` must be at most",
               class = "emix_error_argument")
})

test_that("`n` sets the rows per data set and is not taken for `nsim`", {
  fit <- faithful_fit()
  sims <- simulate(fit, n = 1000, seed = 5)
  expect_identical(nrow(sims), 1000L)
  expect_identical(unique(sims$.sim), 1L)
  two <- simulate(fit, nsim = 2, n = 10, seed = 5)
  expect_identical(nrow(two), 20L)
  expect_identical(two$.sim, rep(1:2, each = 10L))
  # the same stream gives the same first rows whatever n is: rows are drawn
  # component first, then the values, so compare the components drawn
  set.seed(5)
  expect_identical(two$.component, sample.int(2L, 20L, replace = TRUE, prob = fit$pro))
})

test_that("variables called sim or component do not clash with the bookkeeping columns", {
  x <- as.matrix(faithful)
  colnames(x) <- c("sim", "component")
  fit <- emix(x, k = 2, init = ifelse(faithful$eruptions > 3, 2, 1))
  sims <- simulate(fit, nsim = 2, seed = 1)
  expect_identical(names(sims), c(".sim", ".component", "sim", "component"))
  expect_false(anyDuplicated(names(sims)) > 0L)
  expect_equal(colMeans(sims[c("sim", "component")]), colMeans(x), tolerance = 0.1)
  colnames(x) <- c(".sim", "waiting")
  dotted <- emix(x, k = 2, init = ifelse(faithful$eruptions > 3, 2, 1))
  expect_error(simulate(dotted), "`object` has a variable named `.sim`",
               class = "emix_error_argument")
})
