# The Gibbs sampler keeps a draw's Cholesky factors when its covariance,
# factorised again, does not give them back (a prior with df near d - 1
# draws empty components with eigenvalues near 1e263 and 0); the plug-in
# E-step and the predictive density then work from those factors. The
# reference here is the Gaussian log-density written from the factors:
# log phi = -(d log 2 pi) / 2 - sum_j log L_jj - |L^{-1} (x - mu)|^2 / 2.

ref_estep_factors <- function(x, pro, mean, chol) {
  d <- ncol(x)
  logjoint <- sapply(seq_along(pro), function(c) {
    L <- chol[, , c]
    y <- forwardsolve(L, t(x) - mean[c, ])
    log(pro[c]) - 0.5 * d * log(2 * pi) - sum(log(diag(L))) - 0.5 * colSums(y^2)
  })
  logjoint <- matrix(logjoint, nrow(x))
  top <- apply(logjoint, 1, max)
  row_loglik <- top + log(rowSums(exp(logjoint - top)))
  list(z = exp(logjoint - row_loglik), row_loglik = row_loglik, loglik = sum(row_loglik))
}

# the plain-R E-step of kept draw s: from its factors when the fit kept them
ref_draw_estep <- function(fit, s, x) {
  stored <- match(s, fit$draws$chol_draws)
  if (is.na(stored)) {
    return(ref_estep(x, fit$draws$pro[s, ], fit$draws$mean[, , s], fit$draws$sigma[, , , s]))
  }
  ref_estep_factors(x, fit$draws$pro[s, ], fit$draws$mean[, , s],
                    fit$draws$chol[, , , stored, drop = TRUE])
}

near_bound_fit <- function() {
  set.seed(1)
  emix(as.matrix(faithful), k = 6, method = gibbs(prior = emix_prior(df = 1.01), burnin = 50, draws = 100))
}

test_that("a prior with df near d - 1 gives a finite plug-in and predictive density", {
  fit <- near_bound_fit()
  x <- fit$x
  best <- fit$best_draw
  # the case is exercised: some kept draws, the best among them, carry factors
  expect_gt(length(fit$draws$chol_draws), 0)
  expect_true(best %in% fit$draws$chol_draws)
  expect_identical(dim(fit$draws$chol), c(2L, 2L, 6L, length(fit$draws$chol_draws)))
  expect_true(is.finite(fit$loglik))
  # the plug-in log-likelihood at the best draw is the one the sampler found
  expect_equal(fit$loglik, fit$draws$loglik[best], tolerance = 1e-10)
  ref <- ref_draw_estep(fit, best, x)
  expect_equal(fit$loglik, ref$loglik, tolerance = 1e-10)
  expect_equal(unname(fit$z), ref$z, tolerance = 1e-10)
  # new rows among the data (a row far from every occupied component gets
  # its density from the empty ones, whose means sit near 1e30 on their
  # long axis: x - mu then cancels, and no two computations agree on it)
  new <- rbind(x[c(1, 100, 200), ], c(3, 60), c(5, 85))
  best_chol <- fit$draws$chol[, , , match(best, fit$draws$chol_draws)]
  for (rows in list(x, new)) {
    logdens <- predict(fit, rows, type = "logdensity")
    expect_true(all(is.finite(logdens)))
    per_draw <- sapply(seq_along(fit$draws$loglik), function(s) {
      ref_draw_estep(fit, s, rows)$row_loglik
    })
    top <- apply(per_draw, 1, max)
    expect_equal(unname(logdens), top + log(rowMeans(exp(per_draw - top))), tolerance = 1e-10)
    expect_equal(unname(predict(fit, rows, type = "posterior")),
                 ref_estep_factors(rows, fit$pro, fit$mean, best_chol)$z, tolerance = 1e-10)
  }
  far <- predict(fit, cbind(9, 40), type = "posterior")
  expect_true(all(is.finite(far)))
  expect_equal(sum(far), 1)
})

test_that("the kept factors are the draws' own: sigma = L L', lower triangular", {
  fit <- near_bound_fit()
  chol <- fit$draws$chol
  expect_true(all(chol[1, 2, , ] == 0))
  expect_true(all(chol[1, 1, , ] > 0 & chol[2, 2, , ] > 0))
  rebuilt <- array(apply(chol, 3:4, tcrossprod), dim(chol))
  sigma <- fit$draws$sigma[, , , fit$draws$chol_draws]
  # relative to each covariance's largest entry
  scale <- apply(abs(sigma), 3:4, max)
  expect_lt(max(abs(rebuilt - sigma) / rep(scale, each = 4)), 1e-14)
  # and a draw is kept with its factors only when its sigma cannot give them
  # back: for some stored component, the refactorisation fails or differs
  lost <- vapply(seq_along(fit$draws$chol_draws), function(f) {
    s <- fit$draws$chol_draws[f]
    any(vapply(seq_len(fit$k), function(c) {
      L <- tryCatch(t(chol(fit$draws$sigma[, , c, s])), error = function(e) NULL)
      is.null(L) || max(abs(forwardsolve(L, fit$draws$chol[, , c, f]) - diag(2))) > 1e-8
    }, logical(1)))
  }, logical(1))
  expect_true(all(lost))
})

test_that("the E-step from given factors is the log-density written from them", {
  fit <- near_bound_fit()
  x <- fit$x
  # what failed before: the best draw's sigma, factorised again
  expect_error(emix:::gaussian_estep(x, fit$pro, fit$mean, fit$sigma, "VVV"),
               "not positive definite")
  # each drawn factor alone, about the data's mean (the drawn means of the
  # empty components are too far for x - mu to be computed): the densities
  # of covariances with eigenvalues near 1e263 and 0 that sigma cannot give
  f <- match(fit$best_draw, fit$draws$chol_draws)
  for (c in seq_len(fit$k)) {
    L <- fit$draws$chol[, , c, f, drop = FALSE]
    dim(L) <- c(2, 2, 1)
    centre <- matrix(colMeans(x), 1)
    got <- emix:::gaussian_estep(x, 1, centre, L, "VVV", chol = L)
    expect_equal(got$row_loglik, ref_estep_factors(x, 1, centre, L)$row_loglik,
                 tolerance = 1e-10)
  }
  for (f in c(1L, length(fit$draws$chol_draws))) {
    s <- fit$draws$chol_draws[f]
    chol <- fit$draws$chol[, , , f]
    got <- emix:::gaussian_estep(x, fit$draws$pro[s, ], fit$draws$mean[, , s],
                                 fit$draws$sigma[, , , s], "VVV", chol = chol)
    ref <- ref_estep_factors(x, fit$draws$pro[s, ], fit$draws$mean[, , s], chol)
    expect_equal(got$row_loglik, ref$row_loglik, tolerance = 1e-10)
    expect_equal(got$z, ref$z, tolerance = 1e-10)
    expect_equal(got$loglik, ref$loglik, tolerance = 1e-10)
    # the sampler's own log-likelihood of the draw
    expect_equal(got$loglik, fit$draws$loglik[s], tolerance = 1e-10)
  }
  # ordinary parameters: the factors of sigma give the E-step from sigma,
  # and only the lower triangle is read
  em <- emix(as.matrix(faithful), k = 3, init = rep(1:3, length.out = 272))
  chol <- array(apply(em$sigma, 3, function(s) t(chol(s))), dim(em$sigma))
  from_sigma <- emix:::gaussian_estep(em$x, em$pro, em$mean, em$sigma, "VVV")
  ref <- ref_estep_factors(em$x, em$pro, em$mean, chol)
  chol[1, 2, ] <- 1e300
  from_chol <- emix:::gaussian_estep(em$x, em$pro, em$mean, em$sigma, "VVV", chol = chol)
  expect_equal(from_chol$row_loglik, ref$row_loglik, tolerance = 1e-12)
  expect_equal(from_chol$row_loglik, from_sigma$row_loglik, tolerance = 1e-12)
})

test_that("ordinary data under the default prior keep no factors: the E-step from sigma", {
  new <- cbind(eruptions = c(2, 3.5, 4.5), waiting = c(55, 70, 80))
  for (case in list(list(model = "VVV", k = 3, seed = 4), list(model = "VVV", k = 2, seed = 7),
                    list(model = "VVI", k = 2, seed = 2), list(model = "VII", k = 2, seed = 3))) {
    set.seed(case$seed)
    fit <- emix(as.matrix(faithful), k = case$k, model = case$model, method = gibbs(burnin = 20, draws = 30))
    expect_identical(fit$draws$chol_draws, integer(0))
    expect_identical(dim(fit$draws$chol), c(2L, 2L, as.integer(case$k), 0L))
    # the plug-in is the E-step at the best draw's sigma, as before
    best <- fit$best_draw
    plain <- emix:::gaussian_estep(fit$x, fit$pro, fit$mean, fit$sigma, case$model)
    expect_identical(fit$loglik, plain$loglik)
    expect_identical(fit$z, plain$z, ignore_attr = TRUE)
    ref <- ref_estep(fit$x, fit$pro, fit$mean, fit$sigma)
    expect_equal(fit$loglik, ref$loglik, tolerance = 1e-10)
    expect_equal(unname(fit$z), ref$z, tolerance = 1e-10)
    per_draw <- sapply(seq_len(30), function(s) {
      ref_estep(new, fit$draws$pro[s, ], fit$draws$mean[, , s], fit$draws$sigma[, , , s])$row_loglik
    })
    expect_equal(unname(predict(fit, new, type = "logdensity")), log(rowMeans(exp(per_draw))),
                 tolerance = 1e-10)
    expect_equal(unname(predict(fit, new, type = "posterior")),
                 ref_estep(new, fit$pro, fit$mean, fit$sigma)$z, tolerance = 1e-10)
  }
})

test_that("the E-step adapter checks the factors it is given", {
  a <- adapter_args()
  good <- array(apply(a$sigma, 3, function(s) t(chol(s))), dim(a$sigma))
  ok <- call_adapter("estep", a, list(chol = good))
  expect_equal(ok$loglik, call_adapter("estep", a)$loglik, tolerance = 1e-12)
  expect_error(call_adapter("estep", a, list(chol = good[, , 1])), "\\$chol' must be a 2 x 2 x 2")
  expect_error(call_adapter("estep", a, list(chol = array(1L, dim(good)))), "\\$chol' must be of type double")
  for (bad in list(c(1, 1, 1, NA), c(1, 1, 1, Inf), c(2, 2, 2, 0), c(2, 2, 2, -1),
                   c(2, 2, 2, 1e-310))) {
    changed <- good
    changed[bad[1], bad[2], bad[3]] <- bad[4]
    expect_error(call_adapter("estep", a, list(chol = changed)),
                 "'chol' must hold finite lower triangles with positive diagonals")
  }
  expect_error(call_adapter("estep", a, list(chol = good, model = 3)),
               "'chol' is accepted for model VVV")
})
