# Accelerated EM (src/accelerate.c: squared extrapolation, and Anderson
# acceleration where EM is slow) and the Aitken stopping rule, against long
# plain-EM runs, plain-R computations of the rule, and plain EM on data
# where it converges quickly.

# Three overlapping Gaussian components in three dimensions: plain EM needs
# about 1200 iterations to come within 1e-9 of its optimum.
slow_data <- function(n = 3000, seed = 2) {
  set.seed(seed)
  mu <- matrix(rnorm(9), 3)
  lab <- sample(3, n, TRUE)
  list(x = mu[lab, ] + matrix(rnorm(n * 3), n), labels = lab)
}

# plain EM run long past convergence: its optimum, and the first iteration
# within `rel` of it
long_plain_run <- function(x, k, model, init, max_iter = 4000, rel = 1e-9, ...) {
  fit <- emix(x, k = k, model = model, init = init, ...,
              control = emix_control(reg = 0, accelerate = FALSE, tol = 0, max_iter = max_iter))
  best <- max(fit$trace$loglik)
  list(fit = fit, loglik = best,
       reached = which((best - fit$trace$loglik) / abs(best) < rel)[1L] - 1L)
}

test_that("on slowly converging data the accelerated fit ends at plain EM's optimum in 5 times fewer E-steps", {
  d <- slow_data()
  for (model in c("VVV", "VEV")) {
    long <- long_plain_run(d$x, 3, model, d$labels)
    # the long run has settled: its last 100 iterations gained nothing
    tr <- long$fit$trace$loglik
    expect_lt(tr[length(tr)] - tr[length(tr) - 100L], 1e-10 * abs(long$loglik))
    fit <- emix(d$x, k = 3, model = model, init = d$labels, control = emix_control(reg = 0))
    info <- model
    expect_true(fit$converged, info = info)
    expect_lt(abs(fit$loglik - long$loglik) / abs(long$loglik), 1e-9)
    # plain EM's own E-steps to come as close: one per iteration
    expect_lte(5 * fit$esteps, long$reached + 1L)
    expect_true(any(fit$trace$accelerated), info = info)
    # the log-likelihood never falls along the accelerated trace
    slack <- 1e-12 * abs(fit$loglik)
    expect_true(all(diff(fit$trace$loglik) >= -slack), info = info)
    expect_true(all(fit$trace$gap[-1] >= -slack), info = info)
    # within the tolerance of the optimum, per unit of weight, as the rule says
    expect_lt((long$loglik - fit$loglik) / nrow(d$x), 1e-8)
    # the parameters, along the flat directions that make EM slow, only to
    # about the square root of that
    expect_equal(ref_params(fit), ref_params(long$fit), tolerance = 1e-3, info = info)
    # the returned log-likelihood and z are those of the returned parameters
    ref <- ref_estep(d$x, fit$pro, fit$mean, fit$sigma)
    expect_equal(list(fit$loglik, unname(fit$z)), list(ref$loglik, ref$z), tolerance = 1e-10)
  }
})

test_that("where EM crawls in five dimensions the Anderson phase reaches plain EM's optimum in 5 times fewer E-steps", {
  # five overlapping components in five dimensions (184 parameters): plain
  # EM needs about 2800 iterations to come within 1e-9 of its optimum;
  # squared extrapolation soon keeps its jumps at the cap and hands over
  # to Anderson acceleration, whose proposals take most of the rows
  set.seed(3)
  mu <- matrix(rnorm(25, sd = 1.2), 5)
  lab <- sample.int(5, 1e4, replace = TRUE)
  x <- mu[lab, ] + matrix(rnorm(5e4), 1e4)
  long <- long_plain_run(x, 5, "VVV", lab)
  fit <- emix(x, k = 5, model = "VVV", init = lab, control = emix_control(reg = 0))
  expect_true(fit$converged)
  expect_lt(abs(fit$loglik - long$loglik) / abs(long$loglik), 1e-9)
  expect_lte(5 * fit$esteps, long$reached + 1L)
  # proposals on half of the rows (squared extrapolation alone: 28%)
  expect_gt(mean(fit$trace$accelerated), 0.4)
  slack <- 1e-12 * abs(fit$loglik)
  expect_true(all(diff(fit$trace$loglik) >= -slack))
  expect_true(all(fit$trace$gap[-1] >= -slack))
  ref <- ref_estep(x, fit$pro, fit$mean, fit$sigma)
  expect_equal(list(fit$loglik, unname(fit$z)), list(ref$loglik, ref$z), tolerance = 1e-10)
})

test_that("proposed proportions sum to 1 exactly, so long steps do not inflate the log-likelihood", {
  # three overlapping components in two dimensions, where the cap on the
  # step length grows large: before the proportions were rescaled, their
  # sum drifted from 1 by rounding times the squared step, the proposals'
  # log-likelihoods came out too high by n times that, and the trace fell
  # 36 times after kept jumps (by up to 3e-5), the fit not converging
  set.seed(1)
  mu <- matrix(rnorm(6), 3)
  lab <- sample.int(3, 1e4, replace = TRUE)
  x <- mu[lab, ] + matrix(rnorm(2e4), 1e4)
  fit <- emix(x, k = 3, model = "VVV", init = lab, control = emix_control(reg = 0))
  expect_true(fit$converged)
  expect_true(all(diff(fit$trace$loglik) >= -1e-12 * abs(fit$loglik)))
  # the reported log-likelihood is that of the returned parameters
  ref <- ref_estep(x, fit$pro, fit$mean, fit$sigma)
  expect_equal(fit$loglik, ref$loglik, tolerance = 1e-12)
})

test_that("with a MAP M-step (multinomial smooth > 0) proposals are judged on the log posterior", {
  # the M-step raises log-likelihood + smooth * sum log prob; proposals
  # judged on the log-likelihood alone made the MAP steps after them pull
  # it down (824 falls and no convergence in 1000 iterations here)
  set.seed(4)
  prob <- matrix(rgamma(36, 1), 3)
  prob <- prob / rowSums(prob)
  prob[1, 1:3] <- 0
  prob[1, ] <- prob[1, ] / sum(prob[1, ])
  topic <- sample.int(3, 600, replace = TRUE, prob = c(0.6, 0.3, 0.1))
  counts <- t(sapply(topic, function(c) rmultinom(1, 15, prob[c, ])))
  set.seed(11)
  init <- sample.int(4, 600, replace = TRUE)
  log_posterior <- function(f) f$loglik + 0.01 * sum(log(f$prob))
  fit <- emix(counts, k = 4, family = multinomial_mix(smooth = 0.01), init = init)
  expect_true(fit$converged)
  # plain MAP-EM, run long, ends at the same maximum of the log posterior
  long <- emix(counts, k = 4, family = multinomial_mix(smooth = 0.01), init = init,
               control = emix_control(accelerate = FALSE, tol = 0, max_iter = 5000))
  expect_equal(log_posterior(fit), log_posterior(long), tolerance = 1e-10)
  expect_lt(fit$esteps, 150L)
  # the log posterior of the fits stopped on the way never falls
  path <- vapply(seq(2L, 40L, by = 2L), function(m) {
    log_posterior(suppressWarnings(emix(counts, k = 4, family = multinomial_mix(smooth = 0.01),
                                        init = init, control = emix_control(max_iter = m))))
  }, numeric(1))
  expect_true(all(diff(path) >= -1e-12 * abs(path[-1])))
})

test_that("the E-steps are counted: one per row for plain EM, and those of rejected steps besides", {
  d <- slow_data(1000, seed = 3)
  plain <- emix(d$x, k = 3, init = d$labels, control = emix_control(accelerate = FALSE))
  expect_identical(plain$esteps, plain$iter + 1L)
  expect_false("accelerated" %in% names(plain$trace))
  fast <- emix(d$x, k = 3, init = d$labels)
  expect_gte(fast$esteps, fast$iter + 1L)
  expect_identical(sum(fast$trace$accelerated) > 0, TRUE)
})

# Aitken's estimate as the rule computes it: the largest of the last three
# ratios of consecutive changes, a, and change * a / (1 - a).
ref_aitken <- function(value) {
  out <- rep(NA_real_, length(value))
  change <- abs(diff(value))
  for (t in seq_along(value)[-(1:2)]) {
    j <- seq(max(3L, t - 2L), t)
    a <- max(change[j - 1L] / change[j - 2L])
    out[t] <- if (a < 1) change[t - 1L] * a / (1 - a) else Inf
  }
  out
}

test_that("the Aitken rule's estimate and stop equal a plain-R computation on the trace", {
  cases <- list(list(x = as.matrix(faithful), k = 2L, lab = ifelse(faithful$eruptions > 3, 2L, 1L)),
                list(x = as.matrix(iris[1:4]), k = 3L, lab = rep(1:3, 50)),
                c(slow_data(800, seed = 4)[c("x")], list(k = 3L, lab = slow_data(800, seed = 4)$labels)))
  for (i in seq_along(cases)) {
    cs <- cases[[i]]
    tol <- 1e-9
    fit <- emix(cs$x, k = cs$k, init = cs$lab,
                control = emix_control(tol = tol, reg = 0, accelerate = FALSE))
    ll <- fit$trace$loglik
    expected <- ref_aitken(ll)
    expect_equal(fit$trace$to_limit, expected, tolerance = 1e-10, info = i)
    W <- nrow(cs$x)
    change <- c(NA, abs(diff(ll)))
    holds <- change / W < tol & (expected / W < tol | change <= 64 * .Machine$double.eps * abs(ll))
    expect_true(fit$converged, info = i)
    expect_identical(which(holds %in% TRUE)[1L], length(ll), info = i)
  }
})

test_that("on data where EM converges quickly the accelerated and plain fits agree", {
  cases <- separated_cases()
  for (name in names(cases)) {
    cs <- cases[[name]]
    set.seed(1)
    lab <- kmeans(cs$x, cs$k, nstart = 5)$cluster
    for (model in c("VVV", "EEE", "VEI", "EVE")) {
      info <- paste(name, model)
      fast <- emix(cs$x, k = cs$k, model = model, init = lab,
                   control = emix_control(reg = 0, tol = 1e-12))
      plain <- emix(cs$x, k = cs$k, model = model, init = lab,
                    control = emix_control(reg = 0, tol = 1e-12, accelerate = FALSE))
      expect_equal(fast$loglik, plain$loglik, tolerance = 1e-10, info = info)
      expect_equal(ref_params(fast), ref_params(plain), tolerance = 1e-5, info = info)
    }
  }
})

test_that("acceleration works for the noise and multinomial families", {
  d <- slow_data(1500, seed = 5)
  # with the noise, plain EM needs about 10000 iterations
  long <- long_plain_run(d$x, 3, "VVV", d$labels, max_iter = 12000, noise = TRUE)
  fit <- emix(d$x, k = 3, model = "VVV", init = d$labels, noise = TRUE,
              control = emix_control(reg = 0))
  expect_lt(abs(fit$loglik - long$loglik) / abs(long$loglik), 1e-9)
  expect_lte(5 * fit$esteps, long$reached + 1L)
  expect_true(all(diff(fit$trace$loglik) >= -1e-12 * abs(fit$loglik)))
  # documents: the multinomial family's vector is the proportions and the
  # word probabilities
  counts <- sim_topics(n = 240, V = 20, k = 3, length = 30, own = 0.8, seed = 11)$x
  set.seed(3)
  doc_weights <- runif(nrow(counts), 0.2, 3)
  set.seed(4)
  z0 <- matrix(stats::runif(nrow(counts) * 3), ncol = 3)
  z0 <- z0 / rowSums(z0)
  family <- multinomial_mix()
  plain <- emix(counts, k = 3, family = family, init = z0, weights = doc_weights,
                control = emix_control(accelerate = FALSE, tol = 0, max_iter = 3000))
  fast <- emix(counts, k = 3, family = family, init = z0, weights = doc_weights)
  expect_lt(abs(fast$loglik - max(plain$trace$loglik)) / abs(fast$loglik), 1e-9)
  expect_equal(unname(fast$prob), unname(plain$prob), tolerance = 1e-5)
  expect_true(all(diff(fast$trace$loglik) >= -1e-12 * abs(fast$loglik)))
})

test_that("the other methods are not accelerated", {
  x <- as.matrix(faithful)
  lab <- ifelse(faithful$eruptions > 3, 2L, 1L)
  for (method in list("cem", iem(blocks = 3), "vb")) {
    a <- emix(x, k = 2, init = lab, method = method)
    b <- emix(x, k = 2, init = lab, method = method, control = emix_control(accelerate = FALSE))
    expect_identical(a$trace, b$trace)
    expect_false("accelerated" %in% names(a$trace))
  }
})

test_that("the accelerated path does not depend on the units of the data", {
  d <- slow_data(1000, seed = 6)
  base <- emix(d$x, k = 3, init = d$labels)
  scale <- c(1e-3, 1, 1e4)
  scaled <- emix(sweep(d$x, 2, scale, "*"), k = 3, init = d$labels)
  expect_identical(scaled$iter, base$iter)
  expect_identical(scaled$trace$accelerated, base$trace$accelerated)
  expect_equal(sweep(scaled$mean, 2, scale, "/"), base$mean, tolerance = 1e-6)
})

test_that("plot(which = \"loglik\") marks the accelerated rows", {
  d <- slow_data(1000, seed = 3)
  fit <- emix(d$x, k = 3, init = d$labels)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  grDevices::dev.control("enable")
  plot(fit, which = "loglik")
  ops <- grDevices::recordPlot()[[1]]
  # the points drawn in red are the accelerated rows
  red <- Filter(function(op) {
    args <- op[[2]]
    identical(args[[1]]$name, "C_plotXY") && "firebrick" %in% unlist(args)
  }, ops)
  expect_length(red, 2L) # the points, and the legend's
  xy <- red[[1]][[2]][[2]]
  expect_equal(xy$x, fit$trace$iter[fit$trace$accelerated])
  expect_equal(xy$y, fit$trace$loglik[fit$trace$accelerated])
})

test_that("with M-steps cut short by inner_max_iter the accelerated trace still never falls", {
  # a rejected jump's stabilising M-step changes the inner iterations'
  # warm start; the parameters and their warm start go back together
  x <- as.matrix(faithful)
  for (model in c("VEV", "VEE", "VVE")) {
    set.seed(2)
    fit <- suppressWarnings(emix(x, k = 5, model = model, init = "random",
                                 control = emix_control(reg = 0, inner_max_iter = 1, max_iter = 95)))
    expect_true(all(diff(fit$trace$loglik) >= -1e-10 * abs(fit$loglik)), info = model)
  }
})

test_that("accelerated EM does not stop near a saddle point or on a plateau", {
  # two correlated clusters from a random half-and-half partition: EM first
  # sits near the saddle point where both components are alike
  set.seed(3)
  mu <- matrix(rnorm(6, sd = 1.5), 2)
  lab <- sample.int(2, 400, replace = TRUE)
  x <- matrix(0, 400, 3)
  for (c in 1:2) {
    A <- matrix(rnorm(9, sd = 0.5), 3) + diag(3)
    i <- lab == c
    x[i, ] <- sweep(matrix(rnorm(sum(i) * 3), ncol = 3) %*% A, 2, mu[c, ], "+")
  }
  set.seed(3)
  init <- sample(rep_len(1:2, 400))
  fit <- emix(x, k = 2, model = "EEE", init = init, control = emix_control(reg = 0))
  long <- emix(x, k = 2, model = "EEE", init = fit,
               control = emix_control(reg = 0, accelerate = FALSE, tol = 0, max_iter = 5000))
  expect_true(fit$converged)
  expect_lt((max(long$trace$loglik) - fit$loglik) / nrow(x), 1e-8)
})

test_that("the rule is judged at max_iter too", {
  fit <- emix(as.matrix(faithful), k = 1, control = emix_control(max_iter = 1))
  expect_true(fit$converged)
  expect_identical(fit$iter, 1L)
})
