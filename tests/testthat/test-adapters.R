# Inputs that once crashed R, one test each: every one now ends in an R
# error, or in a fit checked against a reference.

test_that("a huge number of incremental EM blocks means one row per block", {
  sim <- sim_mixture(40, 2, 2, seed = 7)
  control <- emix_control(tol = 0, max_iter = 2, reg = 0)
  one_row <- emix(sim$x, k = 2, method = iem(blocks = 40), init = sim$labels, control = control)
  for (blocks in c(.Machine$integer.max, .Machine$integer.max - 20L, 1e9)) {
    fit <- emix(sim$x, k = 2, method = iem(blocks = blocks), init = sim$labels, control = control)
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
  err <- expect_error(emix(x, k = k, method = iem(blocks = n)),
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
              threads = 0L, rule_code = 4L, reg = -1,
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

test_that("the run routine refuses bad method fields and a family it does not know", {
  a <- adapter_args()
  run <- function(method, family = "gaussian", labels = a$labels) {
    .Call(emix:::C_ffi_run, family, a$model, a$x, NULL, labels, a$k, a$core, method, a$prior)
  }
  good <- method_list(0L, 0L)
  bad <- list(loop = 4L, loop = -1L, q_step = 3L, q_step = NA_integer_, blocks = -1L,
              burnin = -1L, draws = 0L, thin = 0L, loop = "em")
  for (i in seq_along(bad)) {
    method <- good
    method[[names(bad)[i]]] <- bad[[i]]
    expect_error(run(method), paste0("method$", names(bad)[i]), fixed = TRUE,
                 info = names(bad)[i])
  }
  expect_error(run(good[-1]), "'loop' is missing")
  # incremental EM has a soft q-step and blocks; VB and ME do not draw;
  # Gibbs draws and starts from labels
  expect_error(run(method_list(1L, 1L, 3L)), "incremental EM")
  expect_error(run(method_list(1L, 0L, 0L)), "incremental EM")
  expect_error(run(method_list(2L, 2L)), "q_step")
  expect_error(run(method_list(3L, 0L)), "Gibbs sampling draws")
  expect_error(run(method_list(3L, 2L, 0L, 2L^30, 2L^30, 2L)), "Gibbs sampling draws")
  expect_error(run(method_list(3L, 2L), labels = a$z), "starts from labels")
  for (family in list("poisson", NA_character_, 1, c("gaussian", "gaussian"))) {
    expect_error(run(good, family), "family", info = deparse(family))
  }
  # the noise family has no conjugate prior
  expect_error(.Call(emix:::C_ffi_run, "gaussian_noise", c(a$model, a$noise_log_volume), a$x,
                     NULL, a$noise_start, a$k + 1L, a$core, method_list(2L, 0L), a$prior),
               "no conjugate prior")
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
  expect_error(call_adapter("estep", a, list(pro = numeric(0))), "$pro'", fixed = TRUE)
  expect_error(call_adapter("estep", a, list(pro = c(a$pro, 0))), "$mean'", fixed = TRUE)
  expect_error(call_adapter("estep", a, list(mean = a$mean[1, , drop = FALSE])), "$mean'",
               fixed = TRUE)
  expect_error(call_adapter("estep", a, list(sigma = a$sigma[, , 1])), "$sigma'", fixed = TRUE)
  expect_error(call_adapter("estep", a, list(log_weight = 1)), "$log_weight'", fixed = TRUE)
  expect_error(call_adapter("estep", a, list(log_weight = c(0, NaN))), "'log_weight'")
  expect_error(call_adapter("estep", a, list(pro = c(0.5, -1))), "'pro'")
  expect_error(call_adapter("estep", a, list(model = 14)), "model code from 0 to 13")
  expect_error(call_adapter("estep", a, list(model = 14L)), "'settings'")
  expect_error(call_adapter("estep", a, list(threads = 0L)), "'threads'")
})

test_that("the Bayesian routines refuse a bad prior, model or sampling", {
  a <- adapter_args()
  for (field in c("alpha", "kappa", "df", "mean", "scale")) {
    prior <- a$prior
    prior[[field]] <- -1
    expect_error(call_adapter("bayes", a, list(prior = prior)), field, info = field)
  }
  expect_error(call_adapter("bayes", a, list(model = 4)), "fit models VII, VVI and VVV")
  for (sampling in list(c(-1L, 1L, 1L), c(0L, 0L, 1L), c(1L, 1L), c(1, 0.5, 1),
                        c(2L^30, 2L^30, 2L), c(NA, 1L, 1L))) {
    expect_error(call_adapter("gibbs", a, list(sampling = sampling)), "method\\$|Gibbs")
  }
})

test_that("a huge max_iter allocates nothing up front, and the trace grows", {
  x <- as.matrix(faithful)
  lab <- ifelse(faithful$eruptions > 3, 2L, 1L)
  fit <- emix(x, k = 2, init = lab, control = emix_control(max_iter = 2e9, reg = 0))
  expect_true(fit$converged)
  expect_identical(nrow(fit$trace), fit$iter + 1L)
  # past the first allocation (32 entries) the trace is still plain EM's
  long <- emix(x, k = 2, init = lab,
               control = emix_control(tol = 0, max_iter = 100, reg = 0, accelerate = FALSE))
  ref <- ref_em(x, ref_one_hot(lab), iters = 100)
  expect_equal(long$trace$loglik, ref$trace, tolerance = 1e-12)
  iem <- emix(x, k = 2, init = lab, method = iem(blocks = 3),
              control = emix_control(tol = 0, max_iter = 70, reg = 0))
  expect_identical(iem$trace$iter, 0:70)
  expect_true(all(is.finite(iem$trace$objective)))
})

test_that("any number of threads emix_control() accepts reaches the k-means start", {
  x <- as.matrix(faithful)
  control <- function(threads) {
    emix_control(threads = threads, reg = 0, tol = 1e-12, rule = "relative")
  }
  set.seed(1)
  one <- emix(x, k = 2, control = control(1L))
  set.seed(1)
  many <- emix(x, k = 2, control = control(70000))
  expect_identical(many$control$threads, 70000L)
  # the result does not depend on the number of threads
  expect_identical(many[c("pro", "mean", "sigma", "loglik", "z")],
                   one[c("pro", "mean", "sigma", "loglik", "z")])
  # and mclust's EM, started from the fit, stays at it
  mc <- mclust::meVVV(data = x, z = many$z, control = mclust::emControl(tol = c(1e-12, 1e-12)))
  expect_equal(many$loglik, mc$loglik, tolerance = 1e-10)
  old <- options(emix.threads = 1e5)
  on.exit(options(old))
  set.seed(1)
  from_option <- emix(x, k = 2, control = emix_control(reg = 0, tol = 1e-12, rule = "relative"))
  expect_identical(from_option$control$threads, 100000L)
  expect_identical(from_option$loglik, one$loglik)

  # the Lloyd routine itself: labels of the nearest centre, by plain R
  a <- adapter_args()
  nearest <- max.col(-cbind(colSums(a$inv_var * (t(a$x) - a$centres[1, ])^2),
                            colSums(a$inv_var * (t(a$x) - a$centres[2, ])^2)),
                     ties.method = "first")
  for (threads in list(1L, 70000L, .Machine$integer.max, 1e5)) {
    got <- call_adapter("lloyd", a, list(threads = threads, max_iter = 0L))
    expect_identical(got$labels, nearest)
  }
})

test_that("the k-means routines refuse bad weights, k, counts and dimensions", {
  a <- adapter_args()
  n <- nrow(a$x)
  for (routine in c("seed", "lloyd")) {
    for (w in list(replace(rep(1, n), 3, NaN), replace(rep(1, n), 3, -1),
                   replace(rep(1, n), 3, Inf), replace(rep(1, n), 3, NA), rep(1, n - 1),
                   rep(1L, n))) {
      expect_error(call_adapter(routine, a, list(w = w)), "'weights'", info = routine)
    }
    for (inv_var in list(1, c(1, 0), c(1, -1), c(1, NaN), c(1L, 1L))) {
      expect_error(call_adapter(routine, a, list(inv_var = inv_var)), "'inv_var'",
                   info = routine)
    }
    for (x in list(a$x[, 1], a$x[0, ], a$x[, 0], array(a$x, c(dim(a$x), 1)),
                   matrix(as.integer(a$x), n))) {
      expect_error(call_adapter(routine, a, list(x = x)), "'x'", info = routine)
    }
  }
  for (k in list(2.9, 0L, -1L, n + 1L, NA_integer_, NaN, 1:2, "2")) {
    expect_error(call_adapter("seed", a, list(k = k)), "'k'")
  }
  for (mode in list(2L, -1L, 0.5, NA)) {
    expect_error(call_adapter("seed", a, list(mode = mode)), "'mode'")
  }
  for (centres in list(a$centres[, 1, drop = FALSE], a$centres[0, ], a$centres[1, ],
                       cbind(a$centres, 1), t(a$centres[1, , drop = FALSE]),
                       replace(a$centres, 2, NaN), replace(a$centres, 3, Inf),
                       matrix(1L, 2, 2))) {
    expect_error(call_adapter("lloyd", a, list(centres = centres)), "'centres'")
  }
  for (max_iter in list(-1L, 2.5, NA_integer_, 2^31, c(1L, 1L))) {
    expect_error(call_adapter("lloyd", a, list(max_iter = max_iter)), "'max_iter'")
  }
  for (threads in list(0L, 2.9, NA_integer_, 2^31, -1)) {
    expect_error(call_adapter("lloyd", a, list(threads = threads)), "'threads'")
  }
  # a fractional k was once truncated: 2.9 seeded two centres
  expect_length(call_adapter("seed", a, list(k = 2)), 2L)
})

test_that("the permutation, robust scale and noise routines refuse malformed arguments", {
  a <- adapter_args()
  n <- nrow(a$x)
  for (perm in list(c(1L, 1L), c(2L, 3L), c(0L, 1L), c(NA, 1L), 1L, 1:3, c(2, 1))) {
    expect_error(call_adapter("permute", a, list(perm = perm)), "'perm'")
  }
  for (z in list(a$z[, 1], matrix(as.integer(round(a$z)), n), a$z[, 0])) {
    expect_error(call_adapter("permute", a, list(z = z)), "'z'")
  }
  # a valid permutation swaps the columns of (a copy of) z
  expect_identical(call_adapter("permute", a), a$z[, 2:1])
  for (w in list(replace(rep(1, n), 3, NaN), replace(rep(1, n), 3, -1), rep(1, 3))) {
    expect_error(call_adapter("scale", a, list(w = w)), "'weights'")
  }
  expect_error(call_adapter("scale", a, list(x = a$x[, 1])), "'x'")
  # log V of a region of d = 2 sides, each a positive double: |log V| < 746 d
  for (log_volume in list(Inf, -Inf, NaN, -1e300, 1e5, "1", c(1, 2), numeric(0), NA)) {
    expect_error(call_adapter("noise", a, list(noise_log_volume = log_volume)),
                 "log_volume|'settings'", info = deparse(log_volume))
  }
  # NA (no noise) only as a double, with a start of k columns
  expect_identical(call_adapter("run", a)$status[1L], 0L)
  run <- call_adapter("noise", a)
  expect_identical(run$status[1L], 0L)
  expect_length(run$parameters$pro, 3L)
})
