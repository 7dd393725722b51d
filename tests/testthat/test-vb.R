# Variational Bayes against the conjugate closed form and the plain-R
# reference of helper-bayes.R (whose ELBO is summed from its seven
# expectations, not the compact form the C core uses).

bayes_models_tested <- c("VII", "VVI", "VVV")

vb_example <- function(seed = 1) {
  set.seed(seed)
  x <- matrix(rnorm(180), 60, 3)
  x[1:30, ] <- x[1:30, ] + 3
  colnames(x) <- c("a", "b", "c")
  z0 <- matrix(runif(240), 60, 4)
  list(x = x, z0 = z0 / rowSums(z0), w = runif(60, 0.2, 3))
}

test_that("one update with one component gives the conjugate marginal likelihood (V1)", {
  x <- matrix(c(1, 2, 4), dimnames = list(NULL, "x"))
  prior <- emix_prior(alpha = 1, kappa = 1, mean = 0, df = 1, scale = matrix(1))
  for (model in bayes_models_tested) {
    fit <- emix(x, k = 1, model = model, method = vb(prior = prior), init = rep(1L, 3),
                control = emix_control(max_iter = 0))
    expect_equal(fit$trace$objective[1], -7.537141522278, tolerance = 1e-12)
    expect_equal(drop(fit$posterior$scale), 9.75, tolerance = 1e-14)
    expect_equal(fit$posterior$kappa, 4)
    expect_equal(fit$posterior$df, 4)
    expect_equal(unname(fit$mean[1, 1]), 7 / 4)
    # ME's log p(x, z) of the one partition is the same evidence
    me <- emix(x, k = 1, model = model, method = me(prior = prior), init = rep(1L, 3))
    expect_equal(me$objective, -7.537141522278, tolerance = 1e-12)
  }
})

test_that("the ELBO of every iteration equals the seven-term ELBO of the reference", {
  ex <- vb_example()
  prior <- emix_prior(alpha = 0.7, kappa = 0.5, df = 4.5, mean = c(0.5, 1, 1.5),
                      scale = crossprod(matrix(c(2, 0.3, 0.1, 0, 1, 0.2, 0, 0, 1.5), 3)))
  for (model in bayes_models_tested) {
    for (w in list(NULL, ex$w)) {
      fit <- emix(ex$x, k = 4, model = model, method = vb(prior = prior), init = ex$z0,
                  weights = w, control = emix_control(max_iter = 6, tol = 0))
      r <- ex$z0
      full <- numeric(7)
      for (t in 1:7) {
        post <- ref_bayes_posterior(ex$x, r, unclass(prior), w)
        full[t] <- ref_vb_elbo_full(ex$x, r, post, unclass(prior), model, w)
        r <- ref_vb_estep(ex$x, post, model)$z
      }
      expect_equal(fit$trace$objective, full, tolerance = 1e-10)
      # emix numbers the components by decreasing weight
      perm <- order(-post$N, post$mean[, 1])
      post <- within(post, {
        N <- N[perm]; kappa <- kappa[perm]; nu <- nu[perm]
        mean <- mean[perm, , drop = FALSE]; scale <- scale[, , perm, drop = FALSE]
      })
      r <- r[, perm]
      # the returned posterior is the update from the last r but one, and z
      # the E-step under it
      expect_equal(fit$posterior$N, post$N, tolerance = 1e-10)
      expect_equal(fit$posterior$kappa, post$kappa, tolerance = 1e-10)
      expect_equal(unname(fit$mean), post$mean, tolerance = 1e-10)
      expect_equal(unname(fit$z), r, tolerance = 1e-9)
      if (model == "VVV") {
        expect_equal(unname(fit$posterior$scale), post$scale, tolerance = 1e-10)
        expect_equal(unname(fit$sigma[, , 2]), post$scale[, , 2] / post$nu[2], tolerance = 1e-10)
      }
    }
  }
})

test_that("the ELBO never falls", {
  data_sets <- list(faithful = as.matrix(faithful), iris = as.matrix(iris[1:4]))
  for (name in names(data_sets)) {
    for (model in bayes_models_tested) {
      for (seed in 1:2) {
        set.seed(seed)
        fit <- emix(data_sets[[name]], k = 5, model = model, method = "vb",
                    control = emix_control(tol = 1e-12, max_iter = 300))
        f <- fit$trace$objective
        expect_true(all(diff(f) >= -1e-9 * pmax(1, abs(f[-length(f)]))),
                    label = paste(name, model, seed))
      }
    }
  }
})

test_that("started with too many components, VB ends with the true number occupied", {
  sim <- sim_mixture(450, 2, 3, seed = 4)
  for (model in bayes_models_tested) {
    for (seed in 1:2) {
      set.seed(seed)
      fit <- emix(sim$x, k = 8, model = model, method = "vb")
      expect_equal(fit$occupied, 3L, label = paste(model, seed))
      big <- order(fit$pro, decreasing = TRUE)[1:3]
      expect_equal(sort(unname(fit$pro[big])), rep(1 / 3, 3), tolerance = 0.01)
      expect_equal(as.vector(table(fit$classification)), rep(150L, 3))
    }
  }
})

test_that("integer weights give the fit to repeated rows", {
  ex <- vb_example(2)
  w <- rep(1:3, 20)
  fit_w <- emix(ex$x, k = 4, method = "vb", init = ex$z0, weights = w,
                control = emix_control(max_iter = 20, tol = 0))
  rows <- rep(seq_len(60), w)
  fit_r <- emix(ex$x[rows, ], k = 4, method = "vb", init = ex$z0[rows, ],
                control = emix_control(max_iter = 20, tol = 0))
  expect_equal(fit_w$trace$objective, fit_r$trace$objective, tolerance = 1e-10)
  expect_equal(fit_w$mean, fit_r$mean, tolerance = 1e-10)
})

test_that("predict() gives q(z) under q(theta), and loglik is the plug-in log-likelihood", {
  set.seed(1)
  fit <- emix(~ ., data = faithful, k = 4, method = "vb")
  expect_equal(predict(fit, type = "posterior"), fit$z, tolerance = 1e-12)
  expect_equal(fit$loglik, ref_loglik(fit$x, fit$pro, fit$mean, fit$sigma), tolerance = 1e-10)
  expect_equal(sum(predict(fit, type = "logdensity")), fit$loglik, tolerance = 1e-10)
  expect_equal(unname(fit$pro), fit$posterior$alpha / sum(fit$posterior$alpha))
})

test_that("the number of threads does not change a VB fit", {
  sim <- sim_mixture(20000, 3, 4, seed = 2)
  fits <- lapply(1:2, function(threads) {
    set.seed(3)
    emix(sim$x, k = 4, method = "vb", control = emix_control(threads = threads, max_iter = 20))
  })
  expect_identical(fits[[1]]$trace, fits[[2]]$trace)
  expect_identical(fits[[1]]$z, fits[[2]]$z)
})

test_that("predict() keeps the log weights of emptied components in log space", {
  set.seed(2)
  fit <- emix(~ ., data = faithful, k = 3,
              method = vb(prior = emix_prior(alpha = 1e-3, scale = diag(c(10, 1000)))))
  expect_lt(min(fit$posterior$log_weight), -700) # exp() of it underflows
  far <- data.frame(eruptions = c(30, -20, 3), waiting = c(400, 10, 70))
  post <- list(alpha = fit$posterior$alpha, kappa = fit$posterior$kappa,
               nu = fit$posterior$df, mean = unname(fit$mean), scale = fit$posterior$scale)
  expect_equal(unname(predict(fit, far, type = "posterior")),
               ref_vb_estep(as.matrix(far), post, "VVV")$z, tolerance = 1e-10)
})
