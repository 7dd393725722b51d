# Degenerate components are errors (or are dropped), never an ordinary fit;
# the ridge is relative to a robust scale; a fit that stops at max_iter
# says so; a Bayesian fit counts only its occupied components.

catch <- function(expr) tryCatch(expr, error = function(e) e)

tied_data <- function() {
  set.seed(40)
  # 60 spread rows and 6 rows tied at one point
  x <- rbind(matrix(rnorm(120), 60), matrix(c(5, 5), 6, 2, byrow = TRUE))
  list(x = x, labels = rep(1:2, c(60, 6)))
}

test_that("a component on tied rows has collapsed, as mclust finds too", {
  s <- tied_data()
  err <- catch(emix(s$x, k = 2, init = s$labels))
  expect_s3_class(err, "emix_error_collapsed")
  expect_s3_class(err, "emix_error_degenerate")
  expect_match(conditionMessage(err), "^EM stopped at the start: the covariance of component 2 collapsed")
  expect_identical(err$component, 2L)
  expect_identical(err$iteration, 0L)
  # no spread: the covariance is the ridge R, and found, its variance in
  # its flattest direction in units of the yardstick R + 1e-10 s^2, is
  # 1e-6 / (1e-6 + 1e-10)
  expect_equal(err$found, 1e-6 / (1e-6 + 1e-10), tolerance = 1e-8)
  # the same start in mclust, without a ridge: no fit (NA)
  theirs <- mclust::meVVV(s$x, z = mclust::unmap(s$labels))
  expect_true(is.na(theirs$loglik))
  expect_error(emix(s$x, k = 2, init = s$labels, control = emix_control(reg = 0)),
               class = "emix_error_collapsed")
  # the message names the method used
  expect_error(emix(s$x, k = 2, init = s$labels, method = "cem"),
               "^classification EM stopped at the start", class = "emix_error_collapsed")
  expect_error(emix(s$x, k = 2, init = s$labels, method = "iem"),
               "^incremental EM stopped at the start", class = "emix_error_collapsed")
  # dropped: the tied rows join the one remaining component, which is the
  # one-component fit
  fit <- emix(s$x, k = 2, init = s$labels, control = emix_control(empty = "drop"))
  expect_identical(fit$k, 1L)
  expect_identical(fit$dropped, 1L)
  ref <- emix(s$x, k = 1, init = rep(1L, nrow(s$x)))
  expect_equal(fit$loglik, ref$loglik, tolerance = 1e-8)
  expect_equal(fit$loglik, ref_loglik(s$x, 1, ref$mean, ref$sigma), tolerance = 1e-8)
})

test_that("iris with 6 VVV components from five starts keeps no degenerate component", {
  set.seed(1)
  fit <- emix(iris[1:4], k = 6, nstart = 5)
  # the starts that ended on a component of fewer than d + 1 = 5 rows are
  # set aside (NA, their errors kept), and said so; the kept fit's
  # components each hold 5 or more effective rows of its posterior
  failed <- which(is.na(fit$start_objective))
  expect_identical(as.character(names(fit$start_errors)), as.character(failed))
  for (e in fit$start_errors) expect_s3_class(e, "emix_error_degenerate")
  expect_true(all(colSums(fit$z) >= 5))
  expect_identical(fit$start, which.max(fit$start_objective))
  # the mclust choice, k = 2, keeps the smaller BIC
  expect_lt(BIC(emix(iris[1:4], k = 2)), BIC(fit))
  # when every start degenerates: an error that counts them, each classed
  set.seed(1)
  err <- catch(emix(iris[1:4], k = 140, nstart = 2))
  expect_s3_class(err, "emix_error_starts")
  for (e in err$errors) expect_s3_class(e, "emix_error_empty")
  expect_match(conditionMessage(err), "^All 2 starts failed: 2 had an empty component")
  # a random start whose component 5 has too few rows: an error naming it,
  # or, with empty = "drop", fewer components at a fixed point of EM
  # (restarted from its own posterior it stays)
  set.seed(7)
  err <- catch(emix(iris[1:4], k = 6, init = "random"))
  expect_s3_class(err, "emix_error_empty")
  expect_identical(c(err$component, err$iteration), c(5L, 0L))
  expect_lt(err$found, err$needed)
  set.seed(7)
  fit <- emix(iris[1:4], k = 6, init = "random",
              control = emix_control(empty = "drop", tol = 1e-12))
  expect_identical(fit$k, 6L - fit$dropped)
  expect_gt(fit$dropped, 0L)
  again <- emix(iris[1:4], k = fit$k, init = fit$z, control = emix_control(tol = 1e-12))
  expect_equal(again$loglik, fit$loglik, tolerance = 1e-8)
  expect_equal(unname(again$mean), unname(fit$mean), tolerance = 1e-6)
})

test_that("10 rows in 20 dimensions cannot hold a full covariance", {
  set.seed(2)
  x <- matrix(rnorm(200), 10)
  err <- catch(emix(x, k = 1, init = rep(1L, 10)))
  expect_s3_class(err, "emix_error_empty")
  expect_identical(err$found, 10)
  expect_identical(err$needed, 21)
  # mclust has no fit either
  expect_true(is.na(mclust::mvnXXX(x)$loglik))
  # drop cannot help with one component, and says so
  err <- catch(emix(x, k = 1, init = rep(1L, 10), control = emix_control(empty = "drop")))
  expect_s3_class(err, "emix_error_empty")
  expect_match(conditionMessage(err), "cannot help here: there is no other component")
  expect_no_match(conditionMessage(err), "emix_control\\(empty")
})

test_that("k close to n (iris, k = 140) stops instead of converging", {
  set.seed(1)
  err <- catch(emix(iris[1:4], k = 140))
  expect_s3_class(err, "emix_error_empty")
  expect_lt(err$found, 5)
})

test_that("mtcars with 9 VVI components stops on a degenerate component", {
  # its discrete columns (cyl, gear, ...) are constant within small groups
  set.seed(1)
  err <- catch(emix(mtcars, k = 9, model = "VVI"))
  expect_s3_class(err, "emix_error_degenerate")
  # a start with a one-row component
  lab <- c(rep(1:8, each = 4)[1:31], 9L)
  err <- catch(emix(mtcars, k = 9, model = "VVI", init = lab))
  expect_s3_class(err, "emix_error_empty")
  expect_identical(c(err$component, err$iteration), c(9L, 0L))
  expect_identical(err$needed, 2)
  expect_equal(err$found, 1)
  expect_match(conditionMessage(err), "a diagonal covariance needs")
  # from a start with a one-row component mclust has no fit, and emix errs
  x <- as.matrix(mtcars)
  lab <- c(rep(1L, 31), 2L)
  expect_true(is.na(mclust::meVVI(x, z = mclust::unmap(lab))$loglik))
  expect_error(emix(x, k = 2, model = "VVI", init = lab, control = emix_control(reg = 0)),
               class = "emix_error_empty")
  # where mclust has a fit, emix has the same one
  lab <- ifelse(mtcars$mpg > 20, 1L, 2L)
  theirs <- mclust::meVVI(x, z = mclust::unmap(lab), control = mclust::emControl(tol = c(1e-10, 1e-10)))
  ours <- emix(x, k = 2, model = "VVI", init = lab, control = emix_control(reg = 0, tol = 1e-10))
  expect_false(is.na(theirs$loglik))
  expect_equal(ours$loglik, theirs$loglik, tolerance = 1e-8)
})

test_that("the shared models need k + d (EEE) or k + 1 observations in all", {
  x <- cbind(c(0, 1, 0, 10, 11, 10), c(0, 0, 1, 0, 1, 1))
  lab <- rep(1:2, each = 3)
  # 6 >= k + d = 4: a fit, equal to mclust's from the same start
  ours <- emix(x, k = 2, model = "EEE", init = lab, control = emix_control(reg = 0, tol = 1e-10))
  theirs <- mclust::meEEE(x, z = mclust::unmap(lab), control = mclust::emControl(tol = c(1e-10, 1e-10)))
  expect_equal(ours$loglik, theirs$loglik, tolerance = 1e-8)
  # 3 rows for k = 2, d = 2: the pooled covariance is short of data
  err <- catch(emix(x[c(1, 4, 5), ], k = 2, model = "EEE", init = c(1L, 2L, 2L)))
  expect_s3_class(err, "emix_error_empty")
  expect_true(is.na(err$component))
  expect_identical(err$needed, 4)
  err <- catch(emix(x[c(1, 4, 5), ], k = 2, model = "EEE", init = c(1L, 2L, 2L),
                    control = emix_control(empty = "drop")))
  expect_match(conditionMessage(err), "shared by all components, so no one component can be dropped")
})

test_that("one extreme row does not inflate the ridge", {
  x <- as.matrix(iris[1:4])
  outlier <- rbind(x, rep(1e10, 4))
  lab <- as.integer(iris$Species)
  # VVI: a full covariance holding the 1e10 row and the virginica rows
  # cannot be factorised in double precision, whatever the ridge
  ctl <- emix_control(max_iter = 0)
  dirty <- emix(outlier, k = 3, model = "VVI", init = c(lab, 3L), control = ctl)
  clean <- emix(x, k = 3, model = "VVI", init = lab, control = ctl)
  # with a ridge relative to the variance, setosa's and versicolor's
  # variances were 6e13 times too large (before this rule); now they
  # differ by the change of the robust scale only
  # components are numbered by proportion: setosa and versicolor are the
  # two of 50 rows in the dirty fit, the two of smallest first mean in the
  # clean one (all three hold 50)
  fifty <- which(round(dirty$pro * 151) == 50)
  dirty_ok <- fifty[order(dirty$mean[fifty, 1])]
  clean_ok <- order(clean$mean[, 1])[1:2]
  expect_equal(unname(dirty$sigma[, , dirty_ok]), unname(clean$sigma[, , clean_ok]), tolerance = 1e-4)
  expect_equal(unname(dirty$mean[dirty_ok, ]), unname(clean$mean[clean_ok, ]), tolerance = 1e-12)
})

test_that("the robust scale is the weighted MAD, with its fallbacks", {
  set.seed(7)
  n <- 101
  x <- cbind(
    plain = rnorm(n),
    ties = c(rep(2, 30), round(rnorm(n - 30), 1)),
    iqr = c(rep(0, 60), seq_len(n - 60)),  # MAD 0: IQR / 1.349
    sd = c(rep(0, 80), seq_len(n - 80)),   # MAD and IQR 0: the sd
    outlier = c(rnorm(n - 1), 1e10)
  )
  scale <- function(x, w = NULL) .Call(emix:::C_ffi_robust_scale, x, w)
  expect_equal(scale(x), unname(ref_robust_scale(x)), tolerance = 1e-12)
  expect_equal(scale(x)[c(1, 5)], unname(apply(x[, c(1, 5)], 2, mad)), tolerance = 1e-12)
  w <- runif(n, 0.1, 3)
  expect_equal(scale(x, w), unname(ref_robust_scale(x, w)), tolerance = 1e-12)
  # whole weights are repeated rows
  wi <- sample(1:3, n, replace = TRUE)
  expect_equal(scale(x, as.numeric(wi)), scale(x[rep(seq_len(n), wi), ]), tolerance = 1e-12)
  # an even number of rows averages the two middle values
  expect_equal(scale(x[-1, ]), unname(apply(x[-1, ], 2, function(v) {
    s <- mad(v)
    if (s == 0) s <- diff(quantile(v, c(0.25, 0.75), type = 2, names = FALSE)) / 1.349
    if (s == 0) s <- sqrt(mean((v - mean(v))^2))
    s
  })), tolerance = 1e-12)
})

test_that("the robust scale of many rows is the MAD, as with weights of 1", {
  # from 4096 rows a sample brackets the medians before the selection
  set.seed(8)
  scale <- function(x, w = NULL) .Call(emix:::C_ffi_robust_scale, x, w)
  for (n in c(4095, 4096, 10000, 10001)) {
    x <- cbind(
      plain = rnorm(n),
      ties = round(rnorm(n), 1),
      sorted = sort(rexp(n)),
      reversed = rev(sort(rnorm(n))),
      periodic = (seq_len(n) %% 7) + rnorm(n, sd = 1e-3),
      outlier = c(rnorm(n - 1), 1e10)
    )
    info <- sprintf("n = %d", n)
    expect_equal(scale(x), unname(apply(x, 2, mad)), tolerance = 1e-14, info = info)
    expect_identical(scale(x), scale(x, rep(1, n)), info = info)
  }
})

test_that("a component on a line collapses with the default ridge, a tight cluster does not", {
  set.seed(3)
  line <- cbind(1:5, 0.5 * (1:5))
  x <- rbind(line, matrix(rnorm(60, 20), 30))
  err <- catch(emix(x, k = 2, init = rep(1:2, c(5, 30))))
  expect_s3_class(err, "emix_error_collapsed")
  expect_identical(err$component, 1L)
  # closed form: the smallest eigenvalue of Y^-1/2 (S + R) Y^-1/2 for the
  # line, Y = R + 1e-10 s^2, and the variable that weighs most in its
  # eigenvector
  r <- 1e-6 * ref_robust_scale(x)^2
  S <- crossprod(sweep(line, 2, colMeans(line))) / 5 + diag(r)
  y <- (1e-6 + 1e-10) * ref_robust_scale(x)^2
  scaled <- diag(1 / sqrt(y)) %*% S %*% diag(1 / sqrt(y))
  flattest <- eigen(scaled, symmetric = TRUE)
  expect_equal(err$found, min(flattest$values), tolerance = 1e-6)
  expect_lt(err$found, 1)
  expect_identical(err$variable, paste0("x", which.max(abs(flattest$vectors[, 2]))))
  # the rule does not depend on the order of the variables: a steep line
  # (whose conditional variances, in one order, stay above the yardstick)
  # collapses either way round
  for (steep in list(cbind(1:5, 2 * (1:5)), cbind(2 * (1:5), 1:5))) {
    err <- catch(emix(rbind(steep, matrix(rnorm(60, 20), 30)), k = 2,
                      init = rep(1:2, c(5, 30))))
    expect_s3_class(err, "emix_error_collapsed")
  }
  # a genuine cluster with sd 1e-2 in data of sd 1 is a fit
  set.seed(4)
  y <- rbind(matrix(rnorm(100, sd = 1e-2), 50), matrix(rnorm(100), 50))
  fit <- emix(y, k = 2, init = rep(1:2, each = 50))
  tight <- which.min(fit$sigma[1, 1, ])
  expect_equal(sqrt(fit$sigma[1, 1, tight]), 1e-2, tolerance = 0.3)
  expect_true(is.finite(fit$loglik))
})

test_that("stopping at max_iter is a classed warning, except when asked for", {
  lab <- ifelse(faithful$eruptions > 3, 2L, 1L)
  expect_warning(emix(faithful, k = 2, init = lab, control = emix_control(max_iter = 2)),
                      class = "emix_warning_max_iter")
  expect_no_warning(fit <- emix(faithful, k = 2, init = lab,
                                control = emix_control(max_iter = 2, tol = 0)))
  expect_identical(fit$iter, 2L)
  expect_no_warning(emix(faithful, k = 2, init = lab, method = "sem",
                         control = emix_control(max_iter = 5)))
  set.seed(3)
  expect_warning(emix(faithful, k = 2, init = sample(1:2, 272, TRUE), method = "cem",
                      control = emix_control(max_iter = 1)), "classification EM did not converge",
                 class = "emix_warning_max_iter")
  set.seed(1)
  expect_warning(emix(faithful, k = 2, nstart = 2, control = emix_control(max_iter = 2)),
                 "best of 2 starts", class = "emix_warning_max_iter")
  expect_no_warning(emix(faithful, k = 2, init = lab))
})

test_that("an objective that falls beyond rounding is a classed warning with the fall", {
  # the check on a recorded trace: the change of row 2 is a fall of 1e-6
  # where rounding allows 1e-10 of the sum of |log-likelihood| (1e3)
  trace <- data.frame(iter = 0:2, change = c(NA, 0.5, -1e-6))
  w <- tryCatch(emix:::check_monotone(trace, abs_loglik = 1e3),
                emix_warning_not_monotone = function(w) w)
  expect_s3_class(w, "emix_warning_not_monotone")
  expect_identical(list(w$fall, w$iteration), list(1e-6, 2L))
  expect_match(conditionMessage(w), "fell by 1e-06 at iteration 2")
  # a fall within rounding is none
  trace$change[3] <- -1e-8
  expect_no_warning(emix:::check_monotone(trace, abs_loglik = 1e3))
})

test_that("a Bayesian fit's BIC counts the occupied components only", {
  set.seed(1)
  fit <- emix(faithful, k = 6, method = "vb")
  occupied <- fit$occupied
  expect_lt(occupied, 6L)
  # (occupied - 1) proportions, 2 means and 3 covariance entries each
  df <- (occupied - 1) + occupied * 2 + occupied * 3
  expect_identical(attr(logLik(fit), "df"), df)
  expect_equal(BIC(fit), -2 * fit$loglik + df * log(272), tolerance = 1e-12)
  expect_equal(AIC(fit), -2 * fit$loglik + 2 * df, tolerance = 1e-12)
  out <- capture.output(print(fit))
  expect_true(any(grepl(sprintf("%d of 6 components empty", 6 - occupied), out)))
  expect_identical(length(fit$pro), 6L)
  # the plot draws the occupied components' ellipses only: those holding at
  # least half an observation of posterior weight
  held <- which(colSums(fit$z) >= 0.5)
  expect_length(emix:::ellipses(fit, 1L, 2L), length(held))
  expect_equal(emix:::ellipses(fit, 1L, 2L)[[1L]][1L, ],
               fit$mean[held[1L], ] + sqrt(qchisq(0.95, 2)) * chol(fit$sigma[, , held[1L]])[1L, ],
               ignore_attr = TRUE)
  set.seed(2)
  g <- emix(faithful, k = 4, method = gibbs(burnin = 50, draws = 50))
  kept <- length(unique(g$draws$labels[, g$best_draw]))
  expect_identical(attr(logLik(g), "df"), (kept - 1) + kept * 5)
  expect_equal(BIC(g), -2 * g$loglik + ((kept - 1) + kept * 5) * log(272), tolerance = 1e-12)
})

test_that("print says what the numbers are", {
  lab <- ifelse(faithful$eruptions > 3, 2L, 1L)
  out <- capture.output(print(emix(faithful, k = 2, init = lab)))
  expect_true(any(grepl("Ridge reg = 1e-06", out, fixed = TRUE)))
  out <- capture.output(print(emix(faithful, k = 2, init = lab, control = emix_control(reg = 0))))
  expect_false(any(grepl("Ridge", out)))
  set.seed(1)
  out <- capture.output(print(emix(faithful, k = 2, init = lab, method = "sem",
                                   control = emix_control(max_iter = 10))))
  expect_true(any(grepl("Ran 10 iterations (stochastic EM runs a fixed number)", out, fixed = TRUE)))
})

test_that("the advice names simpler models and the numbers show which side of the bound", {
  # 1.9999999999999998 effective observations: not shown as 2.0
  err <- catch(emix(c(1, 2, 3, 4), k = 2))
  expect_s3_class(err, "emix_error_empty")
  expect_lt(err$found, 2)
  expect_match(conditionMessage(err), "just under 2 effective observations", fixed = TRUE)
  expect_match(conditionMessage(err), "fewer covariance parameters (\"E\")", fixed = TRUE)
  # a VVI fit with a one-row component is offered EEI, not itself, nor VII,
  # which needs 2 rows per component too
  err <- catch(emix(mtcars, k = 9, model = "VVI", init = c(rep(1:8, each = 4)[1:31], 9L)))
  expect_match(conditionMessage(err), "fewer covariance parameters (\"EEI\")", fixed = TRUE)
  expect_no_match(conditionMessage(err), "\"VVI\"", fixed = TRUE)
  expect_no_match(conditionMessage(err), "\"VII\"", fixed = TRUE)
  # a collapse (not too few rows) is offered both
  err <- catch(emix(mtcars, k = 9, model = "VVI", init = c(rep(1:8, each = 4)[1:30], 9L, 9L)))
  expect_s3_class(err, "emix_error_collapsed")
  expect_match(conditionMessage(err), "(\"VII\", \"EEI\")", fixed = TRUE)
  # one suggestion reads as one
  expect_identical(emix:::format_count(4.99996, 5), "4.99996")
  expect_identical(emix:::format_count(2 - 1e-15, 2), "just under 2")
})
