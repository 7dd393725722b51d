# The prior's defaults and checks, and what print, summary and plot show
# of a Bayesian fit.

test_that("the default prior is worked out from the (weighted) data", {
  x <- as.matrix(faithful)
  w <- rep(1:2, 136)
  set.seed(1)
  fit <- emix(x, k = 5, method = "vb", weights = w)
  expect_equal(fit$prior$alpha, 1 / 5)
  expect_equal(fit$prior$kappa, 1)
  expect_equal(fit$prior$df, 2)
  expect_equal(fit$prior$mean, unname(colSums(w * x) / sum(w)))
  centred <- sweep(x, 2, fit$prior$mean)
  expect_equal(fit$prior$scale, unname(crossprod(centred * sqrt(w)) / sum(w)))
})

test_that("bad priors are refused with the argument named", {
  expect_snapshot(error = TRUE, emix_prior(alpha = 0))
  expect_snapshot(error = TRUE, emix_prior(kappa = c(1, 2)))
  expect_snapshot(error = TRUE, emix_prior(mean = c(1, NA)))
  x <- as.matrix(faithful)
  expect_snapshot(error = TRUE, emix(x, k = 2, method = vb(prior = list(alpha = 1))))
  expect_snapshot(error = TRUE, emix(x, k = 2, method = vb(prior = emix_prior(mean = 1))))
  expect_snapshot(error = TRUE, emix(x, k = 2,
                                     method = vb(prior = emix_prior(scale = diag(c(1, -1))))))
  expect_snapshot(error = TRUE, emix(x, k = 2, method = vb(prior = emix_prior(df = 0.5))))
  expect_snapshot(error = TRUE, gibbs(draws = 0))
  # a proper prior for the diagonal model needs df > 0 only
  set.seed(1)
  expect_s3_class(emix(x, k = 2, method = vb(prior = emix_prior(df = 0.5)), model = "VVI"),
                  "emix")
})

test_that("print and summary report the occupied components and the objective", {
  set.seed(1)
  vb <- emix(~ ., data = faithful, k = 5, method = "vb")
  expect_output(print(vb), sprintf("ELBO = .*; %d of 5 components occupied", vb$occupied))
  expect_output(print(summary(vb)), "components occupied")
  me <- emix(~ ., data = faithful, k = 5, method = "me")
  expect_output(print(me), "log p\\(x, z\\) = .* of 5 components occupied")
  gibbs <- emix(~ ., data = faithful, k = 3, method = gibbs(burnin = 10, draws = 20))
  expect_output(print(gibbs), "Ran 30 sweeps")
  expect_output(print(gibbs), "20 draws kept \\(burn-in 10, thin 1\\)")
})

test_that("plot draws each method's objective and refuses the bound of a Bayesian fit", {
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  set.seed(1)
  vb <- emix(~ ., data = faithful, k = 3, method = "vb")
  gibbs <- emix(~ ., data = faithful, k = 2, method = gibbs(burnin = 5, draws = 5))
  expect_silent(plot(vb))
  expect_silent(plot(gibbs))
  expect_silent(plot(vb, which = "classification"))
  expect_error(plot(vb, which = "bound"), class = "emix_error_argument")
  expect_error(plot(gibbs, which = "bound"), "has no bound")
})

test_that("co-clustering of a non-Bayesian fit comes from the posterior probabilities", {
  fit <- emix(~ ., data = faithful, k = 2, init = rep(1:2, 136))
  co <- coclustering(fit, rows = c(1, 5, 9))
  expect_equal(unname(co), unname(tcrossprod(fit$z[c(1, 5, 9), ])))
  expect_error(coclustering(fit, rows = 0), class = "emix_error_argument")
  expect_error(coclustering(1), class = "emix_error_argument")
})
