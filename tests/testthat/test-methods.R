faithful_labels <- function() ifelse(faithful$eruptions > 3, 2, 1)

faithful_fit <- function(...) {
  emix(~ ., data = faithful, k = 2, init = faithful_labels(), ...)
}

test_that("logLik() carries df and nobs, and AIC() and BIC() follow R's formulas", {
  fit <- faithful_fit()
  ll <- logLik(fit)
  expect_s3_class(ll, "logLik")
  expect_identical(as.numeric(ll), fit$loglik)
  expect_equal(attr(ll, "df"), 11)
  expect_identical(attr(ll, "nobs"), 272L)
  expect_identical(nobs(fit), 272L)
  expect_equal(AIC(fit), -2 * fit$loglik + 2 * 11, tolerance = 1e-14)
  expect_equal(BIC(fit), -2 * fit$loglik + 11 * log(272), tolerance = 1e-14)
})

test_that("the number of free parameters is counted per model (d = 2, k = 3)", {
  x <- iris[c("Sepal.Length", "Petal.Width")]
  lab <- as.integer(iris$Species)
  df <- c(VVV = 17, VVI = 14, VII = 11, EEE = 11, EII = 9, EEI = 10)
  for (model in names(df)) {
    fit <- emix(x, k = 3, model = model, init = lab)
    expect_equal(attr(logLik(fit), "df"), df[[model]], label = model)
    expect_equal(AIC(fit), -2 * fit$loglik + 2 * df[[model]], tolerance = 1e-14)
  }
})

test_that("with weights, nobs is the sum of the weights and enters BIC", {
  w <- rep(c(0.5, 1.25, 2), length.out = nrow(faithful))
  fit <- emix(faithful, k = 2, weights = w, init = faithful_labels())
  expect_equal(nobs(fit), sum(w))
  expect_equal(attr(logLik(fit), "nobs"), sum(w))
  expect_equal(BIC(fit), -2 * fit$loglik + fit$df * log(sum(w)), tolerance = 1e-14)
})

test_that("summary() holds the criteria, ICL and the component sizes", {
  w <- rep(1:3, length.out = nrow(faithful))
  fit <- emix(faithful, k = 2, weights = w, init = faithful_labels())
  s <- summary(fit)
  expect_s3_class(s, "summary.emix")
  z <- fit$z
  entropy <- -sum(w * z * log(z))
  bic <- -2 * fit$loglik + fit$df * log(sum(w))
  expect_equal(s$entropy, entropy, tolerance = 1e-12)
  expect_equal(s$criteria[["AIC"]], AIC(fit), tolerance = 1e-14)
  expect_equal(s$criteria[["BIC"]], BIC(fit), tolerance = 1e-14)
  expect_equal(s$criteria[["BIC"]], bic, tolerance = 1e-14)
  expect_equal(s$criteria[["ICL"]], bic + 2 * entropy, tolerance = 1e-12)
  expect_gt(s$criteria[["ICL"]], s$criteria[["BIC"]])
  expect_equal(s$components$proportion, unname(fit$pro))
  expect_identical(s$components$size, as.integer(table(fit$classification)))
  expect_equal(s$components$N, unname(colSums(w * z)), tolerance = 1e-12)
  expect_equal(sum(s$components$N), sum(w), tolerance = 1e-10)
  expect_identical(as.integer(s$classification), s$components$size)
  expect_equal(s$nobs, sum(w))
  expect_true(s$weighted)
})

test_that("a posterior probability of exactly 0 adds nothing to the entropy", {
  fit <- faithful_fit()
  fit$z[1, ] <- c(0, 1)
  expect_false(is.nan(summary(fit)$entropy))
})

test_that("the entropy of the posterior is the plain-R sum, over blocks of rows and with weights", {
  # the C sum takes 256 rows at a time: 1000 rows end in a part block
  set.seed(8)
  n <- 1000L
  z <- matrix(stats::rexp(3L * n), n)
  z[sample(length(z), 600L)] <- 0
  z[1L, ] <- c(1, 0, 0)
  z[2L, ] <- c(1e-310, 1, 1) # a subnormal entry: the library's log
  z <- z / rowSums(z)
  w <- stats::runif(n, 0, 3)
  reference <- function(z, w) -sum(w * rowSums(ifelse(z > 0, z * log(z), 0)))
  expect_equal(posterior_entropy(list(z = z)), reference(z, rep(1, n)), tolerance = 1e-13)
  expect_equal(posterior_entropy(list(z = z, weights = w)), reference(z, w), tolerance = 1e-13)
  # one component: certainty; a NaN spreads
  expect_identical(posterior_entropy(list(z = matrix(1, 5L, 1L))), 0)
  z[3L, 2L] <- NaN
  expect_true(is.nan(posterior_entropy(list(z = z))))
  expect_error(posterior_entropy(list(z = z, weights = w[-1L])), "weights")
})

test_that("coef() stacks proportions, means and the covariance lower triangle", {
  fit <- emix(~ Sepal.Length + Sepal.Width + Petal.Length, data = iris, k = 3,
              init = as.integer(iris$Species))
  cf <- coef(fit)
  expect_identical(dim(cf), c(1L + 3L + 6L, 3L))
  expect_identical(colnames(cf), c("1", "2", "3"))
  expect_identical(rownames(cf), c(
    "pro", "mean.Sepal.Length", "mean.Sepal.Width", "mean.Petal.Length",
    "sigma.Sepal.Length.Sepal.Length", "sigma.Sepal.Width.Sepal.Length",
    "sigma.Petal.Length.Sepal.Length", "sigma.Sepal.Width.Sepal.Width",
    "sigma.Petal.Length.Sepal.Width", "sigma.Petal.Length.Petal.Length"
  ))
  expect_identical(cf["pro", ], fit$pro)
  expect_identical(cf["mean.Sepal.Width", ], fit$mean[, "Sepal.Width"])
  expect_identical(cf["sigma.Petal.Length.Sepal.Width", ],
                   fit$sigma["Petal.Length", "Sepal.Width", ])
  expect_identical(cf["sigma.Sepal.Length.Sepal.Length", ],
                   fit$sigma["Sepal.Length", "Sepal.Length", ])
})

test_that("coef() works for a single variable", {
  fit <- emix(faithful["waiting"], k = 2, init = faithful_labels())
  cf <- coef(fit)
  expect_identical(rownames(cf), c("pro", "mean.waiting", "sigma.waiting.waiting"))
  expect_identical(cf["sigma.waiting.waiting", ], fit$sigma[1, 1, ])
})

test_that("fitted() gives the posterior or the classes, padded under na.exclude", {
  fit <- faithful_fit()
  expect_identical(fitted(fit), fit$z)
  expect_identical(fitted(fit, type = "class"), fit$classification)

  d <- faithful
  d$eruptions[c(3, 10)] <- NA
  lab <- faithful_labels()[-c(3, 10)]
  omitted <- emix(~ ., data = d, k = 2, init = lab)
  expect_identical(nrow(fitted(omitted)), nrow(d) - 2L)

  excluded <- emix(~ ., data = d, k = 2, init = lab, na.action = na.exclude)
  post <- fitted(excluded)
  expect_identical(nrow(post), nrow(d))
  expect_true(all(is.na(post[c(3, 10), ])))
  expect_identical(unname(post[-c(3, 10), ]), unname(excluded$z))
  cls <- fitted(excluded, type = "class")
  expect_length(cls, nrow(d))
  expect_identical(which(is.na(cls)), c(3L, 10L))
  expect_identical(unname(cls[-c(3, 10)]), excluded$classification)
  expect_error(fitted(fit, type = "density"), "`type` must be one of", class = "emix_error_argument")
})

test_that("print() and summary() show the fit", {
  fit <- faithful_fit()
  expect_snapshot(fit)
  expect_snapshot(summary(fit))
  capture.output(res <- withVisible(print(fit)))
  expect_false(res$visible)
  expect_identical(res$value, fit)
  s <- summary(fit)
  capture.output(res <- withVisible(print(s)))
  expect_false(res$visible)
  expect_identical(res$value, s)
})

test_that("summary() prints the covariances of the constrained models compactly", {
  x <- iris[c("Sepal.Length", "Petal.Width")]
  lab <- as.integer(iris$Species)
  expect_snapshot(summary(emix(x, k = 3, model = "EEE", init = lab)))
  expect_snapshot(summary(emix(x, k = 3, model = "VVI", init = lab)))
  expect_snapshot(summary(emix(x, k = 3, model = "EII", init = lab)))
})

test_that("print() reports weights, non-convergence and a single variable", {
  w <- rep(c(1, 2), length.out = nrow(faithful))
  expect_snapshot(emix(faithful, k = 2, weights = w, init = faithful_labels(),
                       control = emix_control(max_iter = 1)))
  expect_snapshot(summary(emix(faithful["waiting"], k = 2, model = "VII",
                               init = faithful_labels())))
})
