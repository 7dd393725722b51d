# Inputs that once crashed R, one test each: every one now ends in an R
# error, or in a fit checked against a reference.

test_that("a huge number of incremental EM blocks means one row per block", {
  sim <- sim_mixture(40, 2, 2, seed = 7)
  control <- function(blocks) emix_control(tol = 0, max_iter = 2, reg = 0, blocks = blocks)
  one_row <- emix(sim$x, k = 2, method = "iem", init = sim$labels, control = control(40))
  for (blocks in c(.Machine$integer.max, .Machine$integer.max - 20L, 1e9)) {
    fit <- emix(sim$x, k = 2, method = "iem", init = sim$labels, control = control(blocks))
    expect_identical(fit$trace$objective, one_row$trace$objective)
    expect_identical(fit$mean, one_row$mean)
  }
  # and one row per block is the plain-R block update with 40 blocks
  rows <- split(seq_len(40), seq_len(40))
  theta <- ref_mstep(sim$x, ref_one_hot(sim$labels, 2), "VVV")
  q <- ref_estep(sim$x, theta$pro, theta$mean, theta$sigma)$z
  theta <- ref_mstep(sim$x, q, "VVV")
  for (sweep in 1:2) {
    for (b in rows) {
      q[b, ] <- ref_estep(sim$x[b, , drop = FALSE], theta$pro, theta$mean, theta$sigma)$z
      theta <- ref_mstep(sim$x, q, "VVV")
    }
  }
  expect_equal(unname(one_row$mean), ref_fit_order(theta)$mean, tolerance = 1e-10)
})

test_that("incremental EM refuses blocks whose statistics would not fit in memory", {
  set.seed(3)
  n <- 1e5
  d <- 10
  k <- 50
  x <- matrix(rnorm(n * d), n, d)
  # one set of statistics: shift and sums (k x d each), weights (k), k
  # scatter matrices and 3 d x d of scratch, in doubles
  per_block <- 8 * (2 * k * d + k + k * d * d + 3 * d * d)
  expect_gt(n * per_block, 2^30)
  err <- expect_error(emix(x, k = k, method = "iem", control = emix_control(blocks = n)),
                      class = "emix_error_argument")
  expect_identical(err$argument, "blocks")
  expect_match(err$message, sprintf("Use at most %s blocks",
                                    format(floor(2^30 / per_block), big.mark = ",")))
  expect_match(err$message, sprintf("%.3g GB", n * per_block / 2^30), fixed = TRUE)
  expect_match(err$message, "method = \"em\"", fixed = TRUE)
})

test_that("the run routines refuse labels out of 1..k and k < 1", {
  a <- adapter_args()
  for (routine in c("run", "bayes", "gibbs")) {
    for (labels in list(replace(a$labels, 5, 3L), replace(a$labels, 5, 0L),
                        replace(a$labels, 5, NA_integer_), replace(a$labels, 5, -7L),
                        a$labels[-1], c(a$labels, 1L))) {
      expect_error(call_adapter(routine, a, list(labels = labels)), "start", info = routine)
    }
    expect_error(call_adapter(routine, a, list(k = 0L)), "'k'", info = routine)
    expect_error(call_adapter(routine, a, list(k = -1L)), "'k'", info = routine)
    expect_error(call_adapter(routine, a, list(k = NA_integer_)), "'k'", info = routine)
  }
})

test_that("the run routines refuse bad control fields", {
  a <- adapter_args()
  bad <- list(max_iter = -1L, max_iter = NA_integer_, tol = -1, tol = NaN, tol = Inf,
              threads = 0L, blocks = -1L, q_step = 3L, rule_code = 3L, reg = -1,
              total_weight = 0, var_scale = 1, var_scale = c(1, NA), mean_weight = "a", mean_weight = 0)
  for (routine in c("run", "bayes", "mstep")) {
    for (i in seq_along(bad)) {
      field <- names(bad)[i]
      core <- a$core
      core[[field]] <- bad[[i]]
      expect_error(call_adapter(routine, a, list(core = core)), field, fixed = TRUE,
                   info = paste(routine, field))
    }
    core <- a$core
    core$tol <- NULL
    expect_error(call_adapter(routine, a, list(core = core)), "'tol' is missing")
    expect_error(call_adapter(routine, a, list(core = 1:3)), "named list")
    expect_error(call_adapter(routine, a, list(core = unname(a$core))), "no names")
  }
})

test_that("short weights and a short z are refused", {
  a <- adapter_args()
  for (routine in c("estep", "mstep", "run", "bayes", "gibbs", "moments")) {
    expect_error(call_adapter(routine, a, list(w = rep(1, 10))), "'weights'", info = routine)
    expect_error(call_adapter(routine, a, list(w = replace(rep(1, 272), 3, -1))), "'weights'")
  }
  expect_error(call_adapter("mstep", a, list(z = a$z[1:10, ])), "'z'")
  expect_error(call_adapter("run", a, list(labels = a$z[1:10, ])), "'start'")
  expect_error(call_adapter("run", a, list(labels = a$z[, 1, drop = FALSE])), "'start'")
  expect_error(call_adapter("draw", a, list(z = a$z[1:10, ])), "'u'")
  expect_error(call_adapter("draw", a, list(z = a$z[, 0])), "'z'")
})

test_that("the E-step routine refuses parameters of the wrong size", {
  a <- adapter_args()
  expect_error(call_adapter("estep", a, list(pro = numeric(0))), "'pro'")
  expect_error(call_adapter("estep", a, list(pro = c(a$pro, 0))), "'mean'")
  expect_error(call_adapter("estep", a, list(mean = a$mean[1, , drop = FALSE])), "'mean'")
  expect_error(call_adapter("estep", a, list(sigma = a$sigma[, , 1])), "'sigma'")
  expect_error(call_adapter("estep", a, list(log_weight = 1)), "'log_weight'")
  expect_error(call_adapter("estep", a, list(model = 6L)), "'model'")
  expect_error(call_adapter("estep", a, list(threads = 0L)), "'threads'")
})

test_that("the Bayesian routines refuse a bad prior, model or sampling", {
  a <- adapter_args()
  for (field in c("alpha", "kappa", "df", "mean", "scale")) {
    prior <- a$prior
    prior[[field]] <- -1
    expect_error(call_adapter("bayes", a, list(prior = prior)), field, info = field)
  }
  expect_error(call_adapter("bayes", a, list(model = 4L)), "'model'")
  core <- a$core
  core$q_step <- 2L
  expect_error(call_adapter("bayes", a, list(core = core)), "q_step")
  for (sampling in list(c(-1L, 1L, 1L), c(0L, 0L, 1L), c(1L, 1L), c(1, 1, 1),
                        c(2L^30, 2L^30, 2L), c(NA, 1L, 1L))) {
    expect_error(call_adapter("gibbs", a, list(sampling = sampling)), "'sampling'")
  }
})

test_that("a huge max_iter allocates nothing up front, and the trace grows", {
  x <- as.matrix(faithful)
  lab <- ifelse(faithful$eruptions > 3, 2L, 1L)
  fit <- emix(x, k = 2, init = lab, control = emix_control(max_iter = 2e9, reg = 0))
  expect_true(fit$converged)
  expect_identical(nrow(fit$trace), fit$iter + 1L)
  # past the first allocation (32 entries) the trace is still plain EM's
  long <- emix(x, k = 2, init = lab, control = emix_control(tol = 0, max_iter = 100, reg = 0))
  ref <- ref_em(x, ref_one_hot(lab), iters = 100)
  expect_equal(long$trace$loglik, ref$trace, tolerance = 1e-12)
  iem <- emix(x, k = 2, init = lab, method = "iem",
              control = emix_control(tol = 0, max_iter = 70, reg = 0, blocks = 3))
  expect_identical(iem$trace$iter, 0:70)
  expect_true(all(is.finite(iem$trace$objective)))
})
