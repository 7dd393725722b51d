# The eight models whose covariances are built from shared and own parts
# (VEI EVI VEE EVE VVE EEV VEV EVV): their inner iterations, what a fit
# reports of them, the methods that take them, and their degenerate cases.
# Their M-steps, E-steps and whole EM runs are checked against the plain-R
# reference with the six others (test-mstep.R, test-em.R, test-iem.R,
# test-cem.R, test-noise.R), and against mclust in test-mclust.R.

iterative_models <- c("VEI", "VEE", "EVE", "VVE", "VEV")

test_that("the trace counts each M-step's inner iterations, for the models that iterate", {
  x <- as.matrix(iris[1:4])
  lab <- as.integer(iris$Species)
  for (model in ref_models) {
    fit <- emix(x, k = 3, model = model, init = lab, control = emix_control(reg = 0))
    if (model %in% iterative_models) {
      # row 0 holds the start's M-step: each M-step iterates at least once;
      # an extrapolated row (accelerated EM) was made by no M-step
      made <- !fit$trace$accelerated
      inner <- fit$trace$inner
      expect_true(all(inner[made] >= 1 & inner[made] <= 1000 & inner[made] == round(inner[made])),
                  info = model)
      expect_true(all(inner[!made] == 0), info = model)
    } else {
      expect_false("inner" %in% names(fit$trace), info = model)
    }
  }
})

test_that("the inner settings are checked", {
  expect_error(emix_control(inner_tol = -1), "`inner_tol`", class = "emix_error_argument")
  expect_error(emix_control(inner_tol = NA), "`inner_tol`", class = "emix_error_argument")
  expect_error(emix_control(inner_max_iter = 0), "`inner_max_iter`",
               class = "emix_error_argument")
  expect_error(emix_control(inner_max_iter = 2.5), "`inner_max_iter`",
               class = "emix_error_argument")
  control <- emix_control()
  control$inner_max_iter <- -1L
  expect_error(emix(faithful, k = 2, model = "VEE", control = control),
               "`control$inner_max_iter`", fixed = TRUE, class = "emix_error_argument")
})

test_that("M-steps cut short by inner_max_iter still raise the likelihood and warn", {
  x <- as.matrix(iris[1:4])
  lab <- as.integer(iris$Species)
  for (model in iterative_models) {
    full <- emix(x, k = 3, model = model, init = lab,
                 control = emix_control(reg = 0, tol = 1e-12, rule = "relative",
                                        max_iter = 5000))
    caught <- NULL
    short <- withCallingHandlers(
      emix(x, k = 3, model = model, init = lab,
           control = emix_control(reg = 0, tol = 1e-12, rule = "relative", max_iter = 5000,
                                  inner_max_iter = 1)),
      emix_warning_inner_max_iter = function(w) {
        caught <<- w
        invokeRestart("muffleWarning")
      })
    expect_s3_class(caught, "emix_warning_inner_max_iter")
    # every M-step is capped: the start's, those of the rows, and those of
    # accelerated EM's cycles that gave no row (at most one per E-step)
    expect_true(caught$capped >= nrow(short$trace) - sum(short$trace$accelerated) &&
                  caught$capped <= short$esteps + 1L, info = model)
    expect_match(conditionMessage(caught), "inner_max_iter` \\(1\\)")
    # one inner iteration per M-step, each a generalised EM step from the
    # last: the log-likelihood never falls, and the fit reaches the same
    # optimum as with full inner iterations (the first M-step of EVE and VVE
    # screens k + 1 orientations, one sweep each here, and continues the
    # best)
    made <- !short$trace$accelerated[-1] # rows made by an M-step
    expect_true(all(short$trace$inner[-1][made] == 1), info = model)
    expect_identical(short$trace$inner[1], if (model %in% c("EVE", "VVE")) 5 else 1)
    slack <- 1e-10 * sum(abs(ref_estep(x, short$pro, short$mean, short$sigma)$row_loglik))
    expect_true(all(diff(short$trace$loglik) >= -slack), info = model)
    expect_equal(short$loglik, full$loglik, tolerance = 1e-8, info = model)
  }
  # the closed forms never warn
  expect_silent(emix(x, k = 3, model = "EEV", init = lab,
                     control = emix_control(inner_max_iter = 1)))
})

test_that("a component with too little support for the parts of its own is an error", {
  x <- as.matrix(iris[1:4])
  # component 3 holds one row: a volume or shape of its own needs 2, a shape
  # of its own in d = 4 dimensions d + 1 = 5, a model pooling parts over
  # the components 1 (and k + d in all)
  lab <- c(rep(1L, 75), rep(2L, 74), 3L)
  own <- c("VII", "VEI", "EVI", "VVI", "VEE", "EVE", "VVE", "VEV", "EVV", "VVV")
  for (model in ref_models) {
    # the start alone (max_iter = 0), where the parameters come from lab
    err <- tryCatch(emix(x, k = 3, model = model, init = lab, control = emix_control(max_iter = 0)),
                    error = function(e) e)
    if (model %in% own) {
      expect_s3_class(err, "emix_error_empty")
      expect_identical(err$component, 3L, info = model)
      expect_identical(err$found, 1, info = model)
      expect_identical(err$needed, if (model %in% c("EVE", "VVE", "EVV", "VVV")) 5 else 2,
                       info = model)
    } else {
      # one row is enough for a component whose covariance is pooled (EII
      # EEI EEE) or whose volume and shape are (EEV)
      expect_s3_class(err, "emix")
      expect_true(is.finite(err$loglik), info = model)
    }
  }
  # the models that pool a part need k + d effective observations in all
  x2 <- x[1:6, ]
  err <- tryCatch(emix(x2, k = 3, model = "VEE", init = c(1L, 1L, 2L, 2L, 3L, 3L)),
                  error = function(e) e)
  expect_s3_class(err, "emix_error_empty")
  expect_identical(err$needed, 7) # k + d = 3 + 4
  expect_snapshot(error = TRUE, emix(x2, k = 3, model = "VEE", init = c(1L, 1L, 2L, 2L, 3L, 3L)))
  expect_snapshot(error = TRUE, emix(x, k = 3, model = "EVE", init = lab))
})

test_that("a component on a line: a collapse where the model lets it be one, never NaN", {
  set.seed(3)
  # 60 rows spread in the plane, and 8 rows exactly on the line y = 2x
  t <- seq(-1, 1, length.out = 8)
  x <- rbind(matrix(rnorm(120), 60), cbind(4 + t, 4 + 2 * t))
  lab <- rep(1:2, c(60, 8))
  for (model in ref_models) {
    for (reg in c(0, 1e-6)) {
      info <- paste(model, reg)
      out <- tryCatch(emix(x, k = 2, model = model, init = lab, control = emix_control(reg = reg)),
                      error = function(e) e)
      if (inherits(out, "error")) {
        # a documented degenerate end, which names the component
        expect_s3_class(out, "emix_error_degenerate")
        # the line's component
        expect_identical(out$component, 2L, info = info)
      } else {
        expect_true(is.finite(out$loglik) && all(is.finite(out$sigma)) &&
                      all(is.finite(out$z)), info = info)
      }
    }
  }
  # a shape of its own (EVV, VVV) lets the line's component collapse onto
  # it: without a ridge its covariance is singular, and with one the
  # component's own scatter is the ridge across the line, which EVV's
  # common volume would otherwise rescale out of sight
  for (model in c("EVV", "VVV")) {
    for (reg in c(0, 1e-6)) {
      err <- tryCatch(emix(x, k = 2, model = model, init = lab, control = emix_control(reg = reg)),
                      error = function(e) e)
      expect_s3_class(err, "emix_error_collapsed")
      expect_identical(err$component, 2L, info = paste(model, reg))
    }
  }
})

test_that("a variable constant within a component is a collapse under a common volume too", {
  set.seed(5)
  # component 2's rows all have x2 = 1
  x <- rbind(matrix(rnorm(90), 30), cbind(rnorm(12, 6), 1, rnorm(12, 6)))
  colnames(x) <- c("x1", "x2", "x3")
  lab <- rep(1:2, c(30, 12))
  for (model in c("EVI", "VVI", "EVE", "VVE", "EVV", "VVV")) {
    err <- tryCatch(emix(x, k = 2, model = model, init = lab), error = function(e) e)
    expect_s3_class(err, "emix_error_collapsed")
    expect_identical(err$component, 2L, info = model)
    expect_match(conditionMessage(err), "x2", fixed = TRUE)
  }
  # a shared shape keeps the component's variance of x2 away from 0: a fit
  for (model in c("VEI", "VEE", "VEV", "EEV")) {
    fit <- emix(x, k = 2, model = model, init = lab)
    expect_true(is.finite(fit$loglik) && all(is.finite(fit$sigma)), info = model)
  }
})

test_that("the Bayesian methods refuse the models without a conjugate prior here", {
  x <- as.matrix(faithful)
  for (model in setdiff(ref_models, c("VII", "VVI", "VVV"))) {
    for (method in c("vb", "me", "gibbs")) {
      expect_error(emix(x, k = 2, model = model, method = method),
                   "\"VII\", \"VVI\", \"VVV\"", class = "emix_error_argument",
                   info = paste(model, method))
    }
  }
})
