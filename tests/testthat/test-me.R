# Maximization-expectation against the hand-checked evidences of six points
# and the plain-R reference of helper-bayes.R.

me_prior <- emix_prior(alpha = 1, kappa = 1, mean = 2.6, df = 1, scale = matrix(1))
me_x <- matrix(c(0, 0.1, 0.2, 5, 5.1, 5.2), dimnames = list(NULL, "x"))

me_fit <- function(labels, ...) {
  emix(me_x, k = 2, model = "VVV", method = me(prior = me_prior), init = as.integer(labels),
       control = emix_control(...))
}

test_that("log p(x, z) of a partition matches the hand-checked values", {
  expect_equal(me_fit(c(1, 1, 2, 2, 2, 2), max_iter = 0)$trace$objective, -20.4658409558,
               tolerance = 1e-11)
  expect_equal(me_fit(c(1, 1, 1, 2, 2, 2), max_iter = 0)$trace$objective, -17.8739807248,
               tolerance = 1e-11)
})

test_that("one sweep reaches the hand-checked fixed points", {
  fit <- me_fit(c(1, 2, 1, 2, 1, 2))
  expect_equal(fit$trace$objective, c(-22.5141907156, -17.8739807248), tolerance = 1e-11)
  expect_equal(fit$classification, c(1L, 1L, 1L, 2L, 2L, 2L))
  expect_true(fit$converged)
  expect_equal(fit$occupied, 2L)

  # a partition that empties cluster 2: a local optimum with one component
  fit <- me_fit(c(1, 1, 1, 1, 1, 2))
  expect_equal(fit$trace$objective, c(-20.6111682641, -18.5053845422), tolerance = 1e-11)
  expect_equal(fit$occupied, 1L)
  expect_equal(unname(fit$posterior$N), c(6, 0))
})

test_that("ME sweeps equal the plain-R reference for every model, with weights", {
  set.seed(5)
  x <- matrix(rnorm(160), 80, 2)
  x[1:40, 1] <- x[1:40, 1] + 2.5
  w <- runif(80, 0.5, 2)
  labels <- sample(rep(1:4, 20))
  prior <- emix_prior(alpha = 0.5, kappa = 1, mean = c(1, 0), df = 3, scale = diag(2))
  for (model in c("VII", "VVI", "VVV")) {
    ref <- ref_me(x, labels, 4, unclass(prior), model, iter = 100, w = w)
    fit <- emix(x, k = 4, model = model, method = me(prior = prior), init = labels, weights = w)
    m <- length(ref$objective)
    # the first segment, before any merger of components
    expect_equal(fit$trace$objective[seq_len(m)], ref$objective, tolerance = 1e-10)
    expect_true(fit$trace$merge[m + 1L])
    # stopped one sweep short of convergence, the next labels are the final
    # ones, and no merger is tried
    expect_warning(
      short <- emix(x, k = 4, model = model, method = me(prior = prior), init = labels,
                    weights = w, control = emix_control(max_iter = m - 2L)),
      class = "emix_warning_max_iter")
    expect_false(short$converged)
    # the same partition (emix numbers the components by decreasing weight)
    first_seen <- function(labels) match(labels, unique(labels))
    expect_equal(first_seen(short$classification), first_seen(ref$labels))
    expect_equal(fit$trace$objective[nrow(fit$trace)],
                 ref_me_objective(x, fit$classification, 4, unclass(prior), model, w),
                 tolerance = 1e-10)
  }
})

test_that("log p(x, z) never falls, through the mergers too", {
  for (model in c("VII", "VVI", "VVV")) {
    for (seed in 1:3) {
      set.seed(seed)
      fit <- emix(as.matrix(iris[1:4]), k = 6, model = model, method = "me")
      f <- fit$trace$objective
      expect_true(all(diff(f) >= -1e-9 * pmax(1, abs(f[-length(f)]))),
                  label = paste(model, seed))
      expect_equal(fit$objective,
                   ref_me_objective(fit$x, fit$classification, 6, unclass(fit$prior), model),
                   tolerance = 1e-10)
    }
  }
})

test_that("started with too many components, ME ends with the true number occupied", {
  sim <- sim_mixture(450, 2, 3, seed = 4)
  for (model in c("VII", "VVI", "VVV")) {
    for (seed in 1:2) {
      set.seed(seed)
      fit <- emix(sim$x, k = 8, model = model, method = "me")
      expect_equal(fit$occupied, 3L, label = paste(model, seed))
      expect_equal(sort(as.vector(table(fit$classification))), rep(150L, 3))
    }
  }
})

test_that("ME's sweeps and mergers together stay within max_iter", {
  x <- as.matrix(faithful)
  for (max_iter in 8:14) {
    set.seed(2)
    fit <- suppressWarnings(emix(x, k = 8, method = "me", control = emix_control(max_iter = max_iter)),
                            classes = "emix_warning_max_iter")
    expect_lte(fit$iter, max_iter)
    expect_equal(nrow(fit$trace), fit$iter + 1L)
  }
})
