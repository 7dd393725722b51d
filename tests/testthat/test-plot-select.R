# plot(which = "uncertainty") and plot(which = "starts"), the fit's
# start_traces, and the classification and density plots of the fourteen
# Gaussian models. What is drawn is read back from the recorded display
# list and compared with plain-R references (helper-reference.R,
# helper-multinomial.R) and with fits of one start at a time.

# Runs a plotting call on a null device; returns its value and the
# plot.xy() calls it recorded (x, y, type and cex of each).
record_xy <- function(code) {
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  grDevices::dev.control("enable")
  value <- code
  ops <- grDevices::recordPlot()[[1]]
  is_xy <- vapply(ops, function(op) {
    routine <- op[[2]][[1]]
    is.list(routine) && identical(routine$name, "C_plotXY")
  }, NA)
  xy <- lapply(ops[is_xy], function(op) {
    args <- op[[2]]
    list(x = args[[2]]$x, y = args[[2]]$y, type = args[[3]], cex = args[[8]])
  })
  list(value = value, xy = xy)
}

# The drawn point sets of n points each.
point_sets <- function(xy, n) {
  Filter(function(call) call$type == "p" && length(call$x) == n, xy)
}

# TRUE when `size` is an increasing affine function of `u`, as the point
# sizes of the uncertainty plot are.
increasing_affine <- function(size, u) {
  slope <- unname(stats::coef(stats::lm(size ~ u))[2L])
  slope > 0 && max(abs(stats::residuals(stats::lm(size ~ u)))) < 1e-10
}

faithful_labels <- function() ifelse(faithful$eruptions > 3, 2, 1)

# 1 - max z loses the digits of a z near 1: compare absolutely
expect_uncertainty <- function(u, z) {
  expect_lt(max(abs(unname(u) - (1 - apply(z, 1, max)))), 1e-10)
}

test_that("the uncertainty is 1 - the largest posterior, drawn against x (d = 1) or as point size (d = 2)", {
  fit <- emix(~ ., data = faithful, k = 2, init = faithful_labels())
  drawn <- record_xy(plot(fit, which = "uncertainty"))
  u <- drawn$value
  expect_identical(u, 1 - apply(fit$z, 1, max))
  ref <- ref_estep(faithful, fit$pro, fit$mean, fit$sigma)
  expect_uncertainty(u, ref$z)
  points <- point_sets(drawn$xy, nrow(faithful))
  expect_length(points, 1L)
  expect_equal(points[[1L]]$x, faithful$eruptions)
  expect_equal(points[[1L]]$y, faithful$waiting)
  expect_true(increasing_affine(points[[1L]]$cex, u))

  one <- emix(~ waiting, data = faithful, k = 2, init = faithful_labels())
  drawn <- record_xy(plot(one, which = "uncertainty"))
  ref <- ref_estep(faithful["waiting"], one$pro, one$mean, one$sigma)
  expect_uncertainty(drawn$value, ref$z)
  points <- point_sets(drawn$xy, nrow(faithful))
  expect_equal(points[[1L]]$x, faithful$waiting)
  expect_equal(points[[1L]]$y, unname(drawn$value))
})

test_that("four variables: every panel of the scatter plot matrix sizes the points by uncertainty", {
  fit <- emix(iris[1:4], k = 3, init = as.integer(iris$Species))
  drawn <- record_xy(plot(fit, which = "uncertainty"))
  ref <- ref_estep(iris[1:4], fit$pro, fit$mean, fit$sigma)
  expect_uncertainty(drawn$value, ref$z)
  panels <- point_sets(drawn$xy, nrow(iris))
  expect_length(panels, 12L)
  for (panel in panels) {
    expect_true(increasing_affine(panel$cex, drawn$value))
  }
})

test_that("with noise, the uncertainty counts the noise column, and stays below 1 - 1/(k + 1)", {
  set.seed(4)
  fit <- emix(~ ., data = faithful, k = 2, noise = TRUE)
  u <- record_xy(plot(fit, which = "uncertainty"))$value
  expect_identical(u, 1 - apply(fit$z, 1, max))
  expect_identical(ncol(fit$z), 3L)
  expect_true(all(u >= 0 & u <= 2 / 3))
})

test_that("a multinomial fit draws its documents' uncertainty in increasing order", {
  sim <- sim_topics(n = 120, V = 20, k = 3, length = 30, own = 0.5, seed = 2)
  fit <- emix(sim$x, k = 3, family = multinomial_mix(), init = sim$labels)
  drawn <- record_xy(plot(fit, which = "uncertainty"))
  ref <- ref_multi_estep(sim$x, fit$pro, fit$prob)
  expect_uncertainty(drawn$value, ref$z)
  bars <- Filter(function(call) call$type == "h", drawn$xy)
  expect_length(bars, 1L)
  expect_equal(bars[[1L]]$y, sort(unname(drawn$value)))
})

test_that("start_traces holds each start's trace, NULL for the starts that failed", {
  x <- two_clusters()
  single <- one_start_at_a_time(x, 10, seed = 1, k = 3, model = "EII", method = "cem",
                                init = "random")
  failed <- vapply(single, inherits, NA, "emix_error_degenerate")
  expect_true(any(failed) && !all(failed)) # the case exercises both
  set.seed(1)
  fit <- emix(x, k = 3, model = "EII", method = "cem", init = "random", nstart = 10)
  expect_length(fit$start_traces, 10L)
  for (s in seq_along(single)) {
    if (failed[s]) {
      expect_null(fit$start_traces[[s]])
      next
    }
    trace <- fit$start_traces[[s]]
    expect_identical(trace, single[[s]]$trace)
    expect_identical(trace$objective[nrow(trace)], fit$start_objective[s])
  }
  expect_identical(fit$start_traces[[fit$start]], fit$trace)
})

test_that("EM's start traces begin and end at the log-likelihood of their starts and fits", {
  set.seed(7)
  fit <- emix(faithful, k = 3, init = "random", nstart = 4)
  single <- one_start_at_a_time(faithful, 4, seed = 7, k = 3, init = "random")
  expect_length(fit$start_traces, 4L)
  for (s in 1:4) {
    trace <- fit$start_traces[[s]]
    expect_identical(trace$loglik[1L], single[[s]]$trace$loglik[1L])
    # the last value is the log-likelihood of that start's fit (plain R)
    expect_equal(trace$loglik[nrow(trace)],
                 ref_loglik(faithful, single[[s]]$pro, single[[s]]$mean, single[[s]]$sigma),
                 tolerance = 1e-10)
  }
  expect_identical(fit$start_traces[[fit$start]]$loglik, fit$trace$loglik)
  one <- emix(~ ., data = faithful, k = 2, init = faithful_labels())
  expect_identical(one$start_traces, list(one$trace))
})

test_that("the starts plot draws every start's objective, the kept one last", {
  set.seed(7)
  fit <- emix(~ ., data = faithful, k = 3, init = "random", nstart = 4)
  drawn <- record_xy(plot(fit, which = "starts"))
  expect_identical(drawn$value, fit)
  lines <- Filter(function(call) call$type == "l", drawn$xy)
  expect_length(lines, 4L)
  others <- setdiff(1:4, fit$start)
  for (i in seq_along(others)) {
    expect_equal(lines[[i]]$y, fit$start_traces[[others[i]]]$objective)
  }
  expect_equal(lines[[4L]]$y, fit$trace$loglik)
  # a failed start has no line
  set.seed(1)
  cem <- emix(two_clusters(), k = 3, model = "EII", method = "cem", init = "random", nstart = 10)
  lines <- Filter(function(call) call$type == "l", record_xy(plot(cem, which = "starts"))$xy)
  expect_length(lines, sum(!is.na(cem$start_objective)))
})

test_that("starts and uncertainty are drawn for d = 1, 2, 4, one or several starts, and other methods", {
  data <- list(faithful["waiting"], faithful, iris[1:4])
  for (x in data) {
    for (nstart in c(1L, 3L)) {
      set.seed(2)
      fit <- emix(x, k = 2, nstart = nstart)
      expect_silent(record_xy(plot(fit, which = "starts")))
      expect_silent(record_xy(plot(fit, which = "uncertainty")))
    }
  }
  for (method in c("cem", "iem", "vb", "me")) {
    set.seed(2)
    fit <- emix(faithful, k = 2, method = method, nstart = 2)
    lines <- Filter(function(call) call$type == "l", record_xy(plot(fit, which = "starts"))$xy)
    expect_equal(lines[[length(lines)]]$y, fit$trace$objective)
    expect_silent(record_xy(plot(fit, which = "uncertainty")))
  }
})

test_that("a plot the family or the method does not draw is an argument error that lists the choices", {
  sim <- sim_topics(n = 60, V = 12, k = 2, length = 20, seed = 3)
  fit <- emix(sim$x, k = 2, family = multinomial_mix(), init = sim$labels)
  expect_error(plot(fit, which = "classification"), class = "emix_error_argument")
  expect_snapshot(error = TRUE, plot(fit, which = "density"))
  set.seed(1)
  chain <- emix(faithful, k = 2, method = gibbs(burnin = 5, draws = 5))
  expect_snapshot(error = TRUE, plot(chain, which = "starts"))
  gaussian <- emix(faithful, k = 2, init = faithful_labels())
  expect_snapshot(error = TRUE, plot(gaussian, which = "uncertain"))
})

test_that("classification, density and uncertainty plots work for the fourteen models", {
  radius2 <- stats::qchisq(0.95, df = 2)
  for (model in emix:::gaussian_models()) {
    fit <- emix(faithful, k = 2, model = model, init = faithful_labels())
    for (which in c("classification", "density", "uncertainty")) {
      expect_silent(record_xy(plot(fit, which = which)))
    }
    # each component's ellipse is its 95% region: on it, the Mahalanobis
    # distance is the chi-squared quantile
    outlines <- emix:::ellipses(fit, 1L, 2L)
    for (c in 1:2) {
      expect_equal(stats::mahalanobis(outlines[[c]], fit$mean[c, ], fit$sigma[, , c]),
                   rep(radius2, nrow(outlines[[c]])), tolerance = 1e-10)
    }
    three <- emix(iris[1:3], k = 3, model = model, init = as.integer(iris$Species))
    expect_silent(record_xy(plot(three, which = "classification")))
    outlines <- emix:::ellipses(three, 1L, 3L)
    for (c in 1:3) {
      expect_equal(stats::mahalanobis(outlines[[c]], three$mean[c, c(1, 3)],
                                      three$sigma[c(1, 3), c(1, 3), c]),
                   rep(radius2, nrow(outlines[[c]])), tolerance = 1e-10)
    }
  }
})

test_that("the one-variable density plot draws the mixture density, for both models", {
  for (model in c("E", "V")) {
    fit <- emix(~ waiting, data = faithful, k = 2, model = model, init = faithful_labels())
    lines <- Filter(function(call) call$type == "l",
                    record_xy(plot(fit, which = "density"))$xy)
    total <- lines[[length(lines)]]
    sd <- sqrt(fit$sigma[1, 1, ])
    expect_equal(total$y, fit$pro[[1]] * dnorm(total$x, fit$mean[1, 1], sd[1]) +
                   fit$pro[[2]] * dnorm(total$x, fit$mean[2, 1], sd[2]), tolerance = 1e-12)
    if (model == "E") expect_identical(unname(sd[1]), unname(sd[2]))
  }
})
