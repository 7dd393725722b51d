# Errors users met as unclear ones, now classed and saying what to do; the
# univariate models; update() and residuals() on fits. The messages are in
# _snaps/errors.md.

x_faithful <- as.matrix(faithful)
labels_faithful <- function() ifelse(faithful$eruptions > 3, 1L, 2L)

expect_argument_error <- function(expr, argument) {
  err <- tryCatch(expr, error = function(e) e)
  expect_s3_class(err, "emix_error_argument")
  expect_identical(err$argument, argument)
}

test_that("a column whose variance over- or underflows is named, not called constant", {
  expect_argument_error(emix(x_faithful * 1e160, k = 2), "x")
  expect_argument_error(emix(cbind(a = faithful$waiting, b = faithful$eruptions * 1e-162), k = 2), "x")
  # inside the range the fit is the fit to the unscaled data, rescaled
  # (equivariance of the Gaussian likelihood: log-likelihood - n d log s;
  # the absolute stopping rule does not depend on that shift)
  ctl <- emix_control(reg = 0, tol = 1e-10, rule = "absolute", max_iter = 1000)
  fit <- emix(x_faithful, k = 2, init = labels_faithful(), control = ctl)
  for (s in c(1e-150, 1e150)) {
    scaled <- emix(x_faithful * s, k = 2, init = labels_faithful(), control = ctl)
    expect_equal(scaled$loglik, fit$loglik - 272 * 2 * log(s), tolerance = 1e-10)
    expect_equal(scaled$mean / s, fit$mean, tolerance = 1e-8)
  }
  # the messages (snapshots skip the rest of a test on CRAN, so they come last)
  expect_snapshot(error = TRUE, emix(x_faithful * 1e160, k = 2))
  expect_snapshot(error = TRUE, emix(~ ., data = as.data.frame(x_faithful * 1e-163), k = 2))
  # a truly constant column is still called constant
  expect_snapshot(error = TRUE, emix(cbind(x_faithful, c = 1e-200), k = 2))
})

test_that("weights that overflow are refused naming `weights`", {
  expect_argument_error(emix(faithful, k = 2, weights = rep(1e307, 272)), "weights")
  # the sum is finite but the weighted sums of the data are not
  expect_true(is.finite(sum(rep(1e305, 272))))
  expect_argument_error(emix(faithful, k = 2, weights = rep(1e305, 272)), "weights")
  # as the message says, scaled-down weights give the same estimates
  ctl <- emix_control(reg = 0, tol = 1e-12, max_iter = 1000)
  w <- rep(c(1, 3), 136)
  a <- emix(faithful, k = 2, weights = w, init = labels_faithful(), control = ctl)
  b <- emix(faithful, k = 2, weights = w * 1e-3, init = labels_faithful(), control = ctl)
  expect_equal(b$mean, a$mean, tolerance = 1e-8)
  expect_equal(b$sigma, a$sigma, tolerance = 1e-8)
  # the messages (snapshots skip the rest of a test on CRAN, so they come last)
  expect_snapshot(error = TRUE, emix(faithful, k = 2, weights = rep(1e307, 272)))
  expect_snapshot(error = TRUE, emix(faithful, k = 2, weights = rep(1e305, 272)))
})

test_that("I(), poly() and AsIs columns are ordinary numeric variables", {
  set.seed(5)
  fit <- emix(~ I(waiting / 60) + eruptions, faithful, k = 2)
  transformed <- data.frame(hours = faithful$waiting / 60, eruptions = faithful$eruptions)
  set.seed(5)
  direct <- emix(transformed, k = 2)
  expect_identical(colnames(fit$mean), c("I(waiting/60)", "eruptions"))
  expect_equal(fit$loglik, direct$loglik, tolerance = 1e-12)
  expect_equal(unname(fit$mean), unname(direct$mean), tolerance = 1e-12)
  expect_equal(unname(fit$sigma), unname(direct$sigma), tolerance = 1e-12)
  # predict() applies the term again to new data
  new <- data.frame(waiting = c(50, 70, 90), eruptions = c(2, 3.5, 5))
  expect_equal(unname(predict(fit, new, type = "logdensity")),
               unname(predict(direct, data.frame(hours = new$waiting / 60, eruptions = new$eruptions),
                              type = "logdensity")), tolerance = 1e-12)

  # poly() gives a matrix: the design gets its columns, named as
  # model.matrix() names them, and predict() uses the same basis
  p <- poly(faithful$waiting, 2)
  fit_poly <- emix(~ poly(waiting, 2), faithful, k = 2, model = "VVI", init = labels_faithful())
  direct_poly <- emix(unclass(p)[, 1:2], k = 2, model = "VVI", init = labels_faithful())
  expect_identical(colnames(fit_poly$mean),
                   colnames(model.matrix(~ poly(waiting, 2), faithful))[-1])
  expect_equal(fit_poly$loglik, direct_poly$loglik, tolerance = 1e-12)
  expect_equal(unname(predict(fit_poly, new, type = "posterior")),
               unname(predict(direct_poly, predict(p, new$waiting), type = "posterior")),
               tolerance = 1e-10)

  # a data frame with an AsIs numeric column
  d <- faithful
  d$waiting <- I(d$waiting)
  plain <- emix(faithful, k = 2, init = labels_faithful())
  asis <- emix(d, k = 2, init = labels_faithful())
  expect_equal(asis$loglik, plain$loglik, tolerance = 1e-12)
  expect_equal(predict(asis, d[1:5, ], type = "posterior"),
               predict(plain, faithful[1:5, ], type = "posterior"), tolerance = 1e-12)

  # the messages (snapshots skip the rest of a test on CRAN, so they come
  # last): factors and characters are still refused
  expect_snapshot(error = TRUE, emix(~ Sepal.Length + Species, iris, k = 2))
  expect_snapshot(error = TRUE, emix(~ Sepal.Length + I(as.character(Species)), iris, k = 2))
  expect_snapshot(error = TRUE, emix(iris, k = 2))
})

test_that("Bayesian methods on collinear data blame the data, and the prior only when given", {
  set.seed(2)
  a <- faithful$waiting
  nearly <- cbind(a = a, b = 2 * a + 1e-8 * rnorm(272), c = faithful$eruptions)
  err <- tryCatch(emix(nearly, k = 3, method = "me"), error = function(e) e)
  expect_s3_class(err, "emix_error_degenerate")
  expect_match(conditionMessage(err), "collinear")
  expect_no_match(conditionMessage(err), "Check the prior")
  set.seed(1)
  err <- tryCatch(emix(nearly, k = 3, method = gibbs(burnin = 20, draws = 20)),
                  error = function(e) e)
  expect_s3_class(err, "emix_error_degenerate")
  expect_match(conditionMessage(err), "collinear")
  # exactly collinear: the default prior scale is singular
  exact <- cbind(a = a, b = 2 * a, c = faithful$eruptions)
  expect_argument_error(emix(exact, k = 2, method = "vb"), "x")
  # a prior the user gave is named
  given <- vb(prior = emix_prior(scale = diag(1e-300, 3), df = 3))
  err <- tryCatch(emix(nearly, k = 3, method = given), error = function(e) e)
  expect_s3_class(err, "emix_error_degenerate")
  expect_match(conditionMessage(err), "Check the prior")
  # the messages (snapshots skip the rest of a test on CRAN, so they come last)
  expect_snapshot(error = TRUE, emix(nearly, k = 3, method = "vb"))
  expect_snapshot(error = TRUE, emix(exact, k = 2, method = "vb"))
})

test_that("ME skips a merger whose update fails instead of stopping", {
  x <- x_faithful
  set.seed(1)
  labels <- kmeans(x, 4)$cluster
  k <- 4L
  core <- emix:::core_control(emix_control(), x, NULL)
  core$tol <- 0
  prior <- emix:::resolve_prior(emix_prior(), x, NULL, k, "VVV")
  current <- ref_me_objective(x, labels, k, unclass(prior), "VVV")
  # every merger scored by the plain-R reference
  pairs <- t(combn(sort(unique(labels)), 2))
  merged <- lapply(seq_len(nrow(pairs)), function(p) {
    out <- labels
    out[out == pairs[p, 2]] <- pairs[p, 1]
    out
  })
  value <- vapply(merged, function(l) ref_me_objective(x, l, k, unclass(prior), "VVV"), numeric(1))
  ranked <- order(value, decreasing = TRUE)
  expect_gt(value[ranked[2]], current) # so that the second best is the answer below

  prep <- list(c_name = "gaussian", settings = emix:::model_code("VVV"), data = x,
               weights = NULL, k = k, prior = prior, method = me())
  expect_identical(emix:::best_merge(prep, labels, core, current), merged[[ranked[1]]])
  # make the best merger's update fail, as a singular covariance does
  ns <- asNamespace("emix")
  real_call <- ns$bayes_call
  failing <- function(prep, start, core) {
    if (identical(start, merged[[ranked[1]]])) {
      emix:::stop_bayes(c(2L, 1L, NA_integer_, 0L), "me", prep$prior)
    }
    real_call(prep, start, core)
  }
  unlockBinding("bayes_call", ns)
  assign("bayes_call", failing, envir = ns)
  on.exit({
    assign("bayes_call", real_call, envir = ns)
    lockBinding("bayes_call", ns)
  })
  expect_identical(emix:::best_merge(prep, labels, core, current), merged[[ranked[2]]])
})

test_that("update() refits, also with a one-sided formula", {
  lab <- rep(1:2, c(50, 100))
  fit <- emix(~ ., iris[1:4], k = 2, model = "VVI", init = lab)
  smaller <- update(fit, . ~ . - Sepal.Width)
  direct <- emix(~ Sepal.Length + Petal.Length + Petal.Width, iris, k = 2, model = "VVI", init = lab)
  expect_identical(colnames(smaller$mean), c("Sepal.Length", "Petal.Length", "Petal.Width"))
  expect_equal(smaller$loglik, direct$loglik, tolerance = 1e-12)
  expect_equal(smaller$mean, direct$mean, tolerance = 1e-12)
  expect_equal(update(fit, ~ . - Sepal.Width)$loglik, direct$loglik, tolerance = 1e-12)
  # other arguments, through the call
  lab3 <- rep(1:3, each = 50)
  expect_equal(update(fit, k = 3, init = lab3, model = "VVV")$loglik,
               emix(~ ., iris[1:4], k = 3, init = lab3)$loglik, tolerance = 1e-12)
  matrix_fit <- emix(x_faithful, k = 2, init = labels_faithful())
  expect_equal(update(matrix_fit, model = "EII")$loglik,
               emix(x_faithful, k = 2, model = "EII", init = labels_faithful())$loglik,
               tolerance = 1e-12)
  # the messages (snapshots skip the rest of a test on CRAN, so they come last)
  expect_snapshot(error = TRUE, update(matrix_fit, ~ . - waiting))
  expect_snapshot(error = TRUE, update(fit, 3))
})

test_that("a formula as a string and unnamed extra arguments are explained", {
  expect_argument_error(emix("~ .", data = faithful), "x")
  # R's own route for a string works
  expect_equal(emix(as.formula("~ ."), data = faithful, k = 2, init = labels_faithful())$loglik,
               emix(~ ., data = faithful, k = 2, init = labels_faithful())$loglik)
  fit <- emix(faithful, k = 2, init = labels_faithful())
  # the messages (snapshots skip the rest of a test on CRAN, so they come last)
  expect_snapshot(error = TRUE, emix("~ .", data = faithful))
  expect_snapshot(error = TRUE,
                  emix(faithful, 2, "VVV", "em", NULL, "kmeans++", 1, emix_control(), "VVI", 3))
  expect_snapshot(error = TRUE, predict(fit, faithful[1:3, ], "class", TRUE, new_data = 1))
})

test_that("one variable: the models E and V, as in mclust", {
  x <- faithful$waiting
  lab <- ifelse(x > 67, 1L, 2L)
  z0 <- cbind(lab == 1, lab == 2) * 1
  ctl <- emix_control(reg = 0, tol = 1e-12, max_iter = 5000, rule = "relative",
                      accelerate = FALSE)
  mc_control <- mclust::emControl(tol = c(1e-12, 1e-12), itmax = c(5000, 5000))
  for (model in c("E", "V")) {
    fit <- emix(x, k = 2, model = model, init = lab, control = ctl)
    mc <- getExportedValue("mclust", paste0("me", model))(data = x, z = z0, control = mc_control)
    expect_identical(fit$model, model)
    expect_equal(fit$loglik, mc$loglik, tolerance = 1e-10)
    expect_equal(unname(fit$pro), as.numeric(mc$parameters$pro), tolerance = 1e-8)
    expect_equal(unname(fit$mean[, 1]), as.numeric(mc$parameters$mean), tolerance = 1e-8)
    expect_equal(as.numeric(fit$sigma), rep_len(mc$parameters$variance$sigmasq, 2), tolerance = 1e-8)
    for (k in 1:4) {
      expect_equal(emix:::family_df("gaussian", emix:::model_code(model), k, 1L),
                   mclust::nMclustParams(model, 1, k))
    }
    expect_equal(fit$df, mclust::nMclustParams(model, 1, 2))
    # BIC on R's scale is minus mclust's
    expect_equal(BIC(fit), -mclust::bic(model, mc$loglik, length(x), 1, 2), tolerance = 1e-10)
  }
  # the six multivariate names map to E or V, the default is V
  for (model in c("EII", "EEI", "EEE", "VII", "VVI", "VVV", "spherical", "full")) {
    fit <- emix(x, k = 2, model = model, init = lab, control = ctl)
    univariate <- if (model %in% c("EII", "EEI", "EEE")) "E" else "V"
    expect_identical(fit$model, univariate)
    expect_equal(fit$loglik, emix(x, k = 2, model = univariate, init = lab, control = ctl)$loglik)
  }
  # the C core fits E with EII's code and V with VII's: in one dimension
  # they are the full models EEE and VVV (emix_fit() without emix() keeps
  # the multivariate name, so it runs their code)
  x1 <- matrix(x, dimnames = list(NULL, "x1"))
  for (method in list(em(), vb(), me(), gibbs(burnin = 20, draws = 20))) {
    control <- emix_control(reg = 0, tol = 1e-12)
    set.seed(3)
    v <- emix(x, k = 2, method = method, init = lab, control = control)
    set.seed(3)
    vvv <- emix:::emix_fit(x1, 2, family = gaussian_mix("VVV"), method = method, init = lab,
                           control = control)
    expect_identical(vvv$model, "VVV")
    expect_equal(v$objective, vvv$objective, tolerance = 1e-12, info = method$name)
    expect_equal(v$sigma, vvv$sigma, tolerance = 1e-10, info = method$name)
  }
  e <- emix(x, k = 2, model = "E", init = lab, control = ctl)
  eee <- emix:::emix_fit(x1, 2, family = gaussian_mix("EEE"), init = lab, control = ctl)
  expect_equal(e$loglik, eee$loglik, tolerance = 1e-12)
  expect_identical(emix(faithful["waiting"], k = 2, init = lab)$model, "V")
  expect_identical(emix(~ waiting, faithful, k = 2, init = lab, method = "vb")$model, "V")
  # the messages (snapshots skip the rest of a test on CRAN, so they come last)
  expect_snapshot(print(emix(x, k = 2, model = "EEE", init = lab, control = ctl)))
  expect_snapshot(error = TRUE, emix(faithful, k = 2, model = "E"))
})

test_that("residuals() is an error pointing to fitted() and predict()", {
  fit <- emix(faithful, k = 2, init = labels_faithful())
  expect_argument_error(residuals(fit), "object")
  # the messages (snapshots skip the rest of a test on CRAN, so they come last)
  expect_snapshot(error = TRUE, residuals(fit))
})

test_that("a sparse matrix is refused as such", {
  sparse <- Matrix::Matrix(x_faithful, sparse = TRUE)
  expect_argument_error(emix(sparse, k = 2), "x")
  # the messages (snapshots skip the rest of a test on CRAN, so they come last)
  expect_snapshot(error = TRUE, emix(sparse, k = 2))
})

test_that("the constant-column error lists at most five names", {
  x <- cbind(x_faithful, matrix(1, 272, 30, dimnames = list(NULL, paste0("c", 1:30))))
  err <- tryCatch(emix(x, k = 2), error = function(e) e)
  expect_match(conditionMessage(err), "`c5` and 25 more")
  # the messages (snapshots skip the rest of a test on CRAN, so they come last)
  expect_snapshot(error = TRUE, emix(x, k = 2))
})
