# The Bayesian methods on the multinomial family: the ELBO against a
# plain-R bound written from the distributions, the surplus components that
# VB and ME empty, and Gibbs co-clustering against the exact posterior over
# all labellings (helper-multinomial.R).

# the plain-R VB loop from responsibilities z: the bound after each update
ref_multi_vb_trace <- function(x, w, z, alpha0, beta0, iter) {
  out <- numeric(iter)
  for (t in seq_len(iter)) {
    post <- ref_multi_vb_posterior(x, z, w, alpha0, beta0)
    out[t] <- ref_multi_elbo(x, w, z, alpha0, beta0, post$alpha, post$beta)
    lj <- sweep(x %*% t(ref_elog_dirichlet(post$beta)), 2L, drop(ref_elog_dirichlet(post$alpha)), "+")
    z <- exp(lj - ref_lse(lj))
  }
  out
}

test_that("the VB bound never falls and is the plain-R ELBO term by term", {
  sim <- sim_topics(n = 120, V = 15, k = 3, length = 20, own = 0.7, seed = 21)
  x <- sim$x
  x[3, ] <- 0
  set.seed(2)
  w <- runif(nrow(x), 0.5, 2)
  z <- matrix(runif(nrow(x) * 4), nrow(x), 4)
  z <- z / rowSums(z)
  prior <- multinomial_prior(alpha = 0.3, beta = 0.7)
  fit <- emix(x, k = 4, family = multinomial_mix(), method = vb(prior = prior), init = z,
              weights = w, control = emix_control(tol = 0, max_iter = 24))
  ref <- ref_multi_vb_trace(x, w, z, 0.3, 0.7, 25)
  elbo <- fit$trace$objective
  expect_equal(elbo[seq_along(ref)], ref, tolerance = 1e-10)
  expect_true(all(diff(elbo) >= -1e-10 * abs(elbo[-1])))
})

test_that("VB and ME started with too many components end with the true number of topics", {
  for (seed in 1:3) {
    sim <- sim_topics(n = 300, V = 40, k = 4, length = 30, own = 0.9, seed = seed)
    for (method in c("vb", "me")) {
      set.seed(seed)
      fit <- emix(sim$x, k = 10, family = multinomial_mix(), method = method)
      expect_identical(fit$occupied, 4L)
    }
  }
})

test_that("Gibbs: the same seed gives the same draws", {
  sim <- sim_topics(n = 40, V = 10, k = 2, length = 15, seed = 4)
  run <- function() {
    set.seed(8)
    emix(sim$x, k = 3, family = multinomial_mix(), method = gibbs(burnin = 20, draws = 50))
  }
  a <- run()
  b <- run()
  expect_identical(a$draws, b$draws)
  expect_identical(a$trace, b$trace)
})

test_that("Gibbs co-clustering probabilities match the exact posterior over all labellings", {
  x <- rbind(c(3, 0, 1), c(2, 1, 0), c(0, 3, 1), c(1, 2, 2), c(0, 0, 4))
  exact <- ref_multi_coclustering(x, k = 2, alpha0 = 1, beta0 = 0.5)
  set.seed(12)
  fit <- emix(x, k = 2, family = multinomial_mix(), init = c(1L, 1L, 2L, 2L, 2L),
              method = gibbs(prior = multinomial_prior(alpha = 1, beta = 0.5),
                             burnin = 500, draws = 20000))
  got <- coclustering(fit)
  # each estimate averages 20000 dependent 0/1 draws: 4 standard errors of
  # an effective sample of 2000 are below 0.045
  expect_lt(max(abs(got - exact)), 0.045)
  # and the exact answer is not trivial: some pairs are far from 0 and 1
  expect_true(any(exact > 0.2 & exact < 0.8))
})

test_that("ME's objective is log p(x, z) with the parameters integrated out", {
  sim <- sim_topics(n = 90, V = 12, k = 3, length = 15, own = 0.7, seed = 31)
  prior <- multinomial_prior(alpha = 0.5, beta = 1.5)
  set.seed(3)
  fit <- emix(sim$x, k = 5, family = multinomial_mix(), method = me(prior = prior))
  # the Dirichlet-multinomial marginals of the final labels, plus the
  # multinomial coefficients
  ref <- ref_multi_log_marginal(sim$x, fit$classification, 5, 0.5, 1.5) +
    sum(ref_multi_coef(sim$x))
  expect_equal(fit$objective, ref, tolerance = 1e-10)
  expect_true(all(diff(fit$trace$objective) >= -1e-10 * abs(fit$objective)))
})
