# The multinomial family against a plain-R reference written from the
# formulas (helper-multinomial.R): E-step, M-step, log-likelihood with the
# multinomial coefficient, EM; dense and sparse counts; documents with no
# words; mixtools' multmixEM from the same start.

sim <- sim_topics(n = 240, V = 20, k = 3, length = 30, own = 0.8, seed = 11)
counts <- sim$x
counts[7, ] <- 0 # a document with no words
set.seed(3)
doc_weights <- runif(nrow(counts), 0.2, 3)
soft_start <- function(n, k, seed) {
  set.seed(seed)
  z <- matrix(stats::runif(n * k), n, k)
  z / rowSums(z)
}

test_that("the M-step is the formula's, with smoothing and weights (the hand case of algorithms.md)", {
  # C = (2 0 1; 0 3 1), r = I, MAP with Dirichlet(2) = add-one smoothing
  x <- rbind(c(2, 0, 1), c(0, 3, 1))
  fit <- multi_mstep(x, z = diag(2), smooth = 1)
  expect_equal(fit$prob, rbind(c(3, 1, 2) / 6, c(1, 4, 2) / 7), tolerance = 1e-14)
  expect_equal(fit$pro, c(0.5, 0.5), tolerance = 1e-14)
  for (smooth in c(0, 0.3)) {
    z <- soft_start(nrow(counts), 3, 1)
    got <- multi_mstep(counts, z, weights = doc_weights, smooth = smooth)
    ref <- ref_multi_mstep(counts, z, doc_weights, smooth)
    expect_equal(got$pro, ref$pro, tolerance = 1e-12)
    expect_equal(unname(got$prob), ref$prob, tolerance = 1e-12)
  }
})

test_that("the E-step and the log-likelihood (with the multinomial coefficient) are the formula's", {
  par <- ref_multi_mstep(counts, soft_start(nrow(counts), 3, 2), doc_weights, 0.1)
  got <- multi_estep(counts, par$pro, par$prob, weights = doc_weights)
  ref <- ref_multi_estep(counts, par$pro, par$prob, doc_weights)
  expect_equal(got$z, ref$z, tolerance = 1e-10)
  expect_equal(got$loglik, ref$loglik, tolerance = 1e-10)
  # the coefficient is in it: log P(counts) of a one-component fit is the
  # sum of dmultinom()'s
  one <- multi_estep(counts[1:5, ], 1, matrix(par$prob[1, ], 1))
  expect_equal(one$loglik, sum(apply(counts[1:5, ], 1, stats::dmultinom, prob = par$prob[1, ], log = TRUE)),
               tolerance = 1e-12)
})

test_that("a word a component never uses rules it out only for documents that contain it", {
  x <- rbind(c(3, 0, 1), c(0, 2, 2), c(1, 1, 0))
  prob <- rbind(c(0.5, 0, 0.5), c(0.2, 0.4, 0.4))
  got <- multi_estep(x, c(0.5, 0.5), prob)
  expect_equal(got$z[2, ], c(0, 1))
  expect_true(all(is.finite(got$loglik)))
  ref <- ref_multi_estep(x, c(0.5, 0.5), prob)
  expect_equal(got$z, ref$z, tolerance = 1e-14)
  expect_equal(got$loglik, ref$loglik, tolerance = 1e-14)
})

test_that("EM agrees with the plain-R EM loop, and never lowers the log-likelihood", {
  z0 <- soft_start(nrow(counts), 3, 4)
  for (smooth in c(0, 0.01)) {
    fit <- emix(counts, k = 3, family = multinomial_mix(smooth = smooth), init = z0,
                weights = doc_weights, control = emix_control(tol = 0, max_iter = 40))
    ref <- ref_multi_em(counts, z0, doc_weights, smooth, iter = 40)
    expect_equal(fit$loglik, ref$loglik, tolerance = 1e-10)
    expect_equal(sort(fit$pro), sort(ref$pro), tolerance = 1e-8)
    expect_true(all(diff(fit$trace$loglik) >= -1e-9 * abs(fit$loglik)))
  }
})

test_that("dense and sparse counts give the same fit, with weights", {
  skip_if_not_installed("Matrix")
  sparse <- as_sparse_counts(counts)
  for (method in c("em", "cem")) {
    set.seed(5)
    dense_fit <- emix(counts, k = 3, family = multinomial_mix(), method = method,
                      weights = doc_weights)
    set.seed(5)
    sparse_fit <- emix(sparse, k = 3, family = multinomial_mix(), method = method,
                       weights = doc_weights)
    expect_equal(sparse_fit$loglik, dense_fit$loglik, tolerance = 1e-12)
    expect_equal(sparse_fit$prob, dense_fit$prob, tolerance = 1e-12)
    expect_equal(sparse_fit$z, dense_fit$z, tolerance = 1e-12)
  }
})

test_that("a document with no words gets the proportions as posterior and adds nothing", {
  fit <- emix(counts, k = 3, family = multinomial_mix(), weights = doc_weights)
  expect_equal(unname(fit$z[7, ]), unname(fit$pro), tolerance = 1e-12)
  # without it (its weight 0) the word probabilities are the same; the
  # proportions move by its share
  without <- emix(counts[-7, ], k = 3, family = multinomial_mix(), weights = doc_weights[-7],
                  init = fit$z[-7, ], control = emix_control(tol = 0, max_iter = 0))
  ref <- ref_multi_mstep(counts, fit$z, doc_weights, 0.01)
  expect_equal(unname(fit$prob), ref$prob, tolerance = 1e-10)
})

test_that("the log-likelihood of mixtools' multmixEM from the same start is emix's", {
  skip_if_not_installed("mixtools")
  x <- sim$x
  z0 <- soft_start(nrow(x), 3, 6)
  start <- ref_multi_mstep(x, z0)
  utils::capture.output(
    mt <- mixtools::multmixEM(x, lambda = start$pro, theta = start$prob, k = 3, epsilon = 1e-10,
                              maxit = 10000)
  )
  fit <- emix(x, k = 3, family = multinomial_mix(smooth = 0), init = z0,
              control = emix_control(tol = 1e-13, rule = "relative", max_iter = 10000))
  # multmixEM (2.0.0) includes the multinomial coefficient, as emix does
  expect_equal(fit$loglik, mt$loglik, tolerance = 1e-6)
  expect_equal(fit$loglik - sum(ref_multi_coef(x)), mt$loglik - sum(ref_multi_coef(x)), tolerance = 1e-6)
})
