# The multinomial family against a plain-R reference written from the
# formulas (helper-multinomial.R): E-step, M-step, log-likelihood with the
# multinomial coefficient, EM; dense and sparse counts; documents with no
# words; mixtools' multmixEM from the same start.

sim <- sim_topics(n = 240, V = 20, k = 3, length = 30, own = 0.8, seed = 11)
counts <- sim$x
counts[7, ] <- 0 # a document with no words
counts[, 5] <- 0 # a word no document uses
set.seed(3)
doc_weights <- runif(nrow(counts), 0.2, 3)
soft_start <- function(n, k, seed) {
  set.seed(seed)
  z <- matrix(stats::runif(n * k), n, k)
  z / rowSums(z)
}
both_kinds <- function(x) {
  if (requireNamespace("Matrix", quietly = TRUE)) list(x, as_sparse_counts(x)) else list(x)
}

test_that("the M-step is the formula's, with smoothing and weights (the hand case of algorithms.md)", {
  # C = (2 0 1; 0 3 1), r = I, MAP under Dirichlet(2), i.e. smooth = 1
  x <- rbind(c(2, 0, 1), c(0, 3, 1))
  for (data in both_kinds(x)) {
    fit <- multi_mstep(data, z = diag(2), smooth = 1)
    expect_equal(fit$prob, rbind(c(3, 1, 2) / 6, c(1, 4, 2) / 7), tolerance = 1e-15)
    expect_equal(fit$pro, c(0.5, 0.5), tolerance = 1e-15)
  }
  z <- soft_start(nrow(counts), 3, 1)
  for (smooth in c(0, 0.3)) {
    ref <- ref_multi_mstep(counts, z, doc_weights, smooth)
    for (data in both_kinds(counts)) {
      got <- multi_mstep(data, z, weights = doc_weights, smooth = smooth)
      expect_equal(got$pro, ref$pro, tolerance = 1e-12)
      expect_equal(got$prob, ref$prob, tolerance = 1e-12)
    }
  }
})

test_that("a component without documents, or without words when smooth = 0, is empty", {
  z <- cbind(rep(1, nrow(counts)), 0)
  expect_identical(multi_mstep(counts, z)$status[1:2], c(1L, 2L))
  # component 2 holds only the document without words
  z <- cbind(1, rep(0, nrow(counts)))
  z[7, ] <- c(0, 1)
  expect_identical(multi_mstep(counts, z, smooth = 0)$status[1:2], c(1L, 2L))
  expect_identical(multi_mstep(counts, z, smooth = 0.5)$status[1L], 0L)
})

test_that("the E-step and the log-likelihood (with the multinomial coefficient) are the formula's", {
  par <- ref_multi_mstep(counts, soft_start(nrow(counts), 3, 2), doc_weights, 0.1)
  ref <- ref_multi_estep(counts, par$pro, par$prob, doc_weights)
  for (data in both_kinds(counts)) {
    got <- multi_estep(data, par$pro, par$prob, weights = doc_weights)
    expect_equal(got$z, ref$z, tolerance = 1e-10)
    expect_equal(got$row_loglik, ref$rowll, tolerance = 1e-10)
    expect_equal(got$loglik, ref$loglik, tolerance = 1e-10)
  }
  # the coefficient is in it: with one component, the log-probability of
  # each document is dmultinom()'s
  one <- multi_estep(counts[1:6, ], 1, matrix(par$prob[1, ], 1))
  expect_equal(one$row_loglik,
               apply(counts[1:6, ], 1, stats::dmultinom, prob = par$prob[1, ], log = TRUE),
               tolerance = 1e-12)
})

test_that("a word a component never uses rules it out only for documents that contain it", {
  x <- rbind(c(3, 0, 1), c(0, 2, 2), c(1, 1, 0))
  prob <- rbind(c(0.5, 0, 0.5), c(0.2, 0.4, 0.4))
  ref <- ref_multi_estep(x, c(0.5, 0.5), prob)
  for (data in both_kinds(x)) {
    got <- multi_estep(data, c(0.5, 0.5), prob)
    expect_equal(got$z[2, ], c(0, 1))
    expect_true(all(is.finite(got$row_loglik)))
    expect_equal(got$z, ref$z, tolerance = 1e-14)
    expect_equal(got$loglik, ref$loglik, tolerance = 1e-14)
  }
})

test_that("EM agrees with the plain-R EM loop, and never lowers the log-likelihood", {
  z0 <- soft_start(nrow(counts), 3, 4)
  for (smooth in c(0, 0.01)) {
    # the fit's trace starts (iter 0) at the M-step from z0, as the
    # reference's first entry
    ref <- ref_multi_em(counts, z0, doc_weights, smooth, iter = 40)
    fit <- emix(counts, k = 3, family = multinomial_mix(smooth = smooth), init = z0,
                weights = doc_weights,
                control = emix_control(tol = 0, max_iter = 39, accelerate = FALSE))
    expect_equal(fit$loglik, ref$loglik, tolerance = 1e-10)
    expect_equal(fit$trace$loglik, ref$trace, tolerance = 1e-10)
    perm <- order(-ref$pro, -ref$prob[, 1])
    expect_equal(unname(fit$prob), ref$prob[perm, ], tolerance = 1e-8)
    expect_true(all(diff(fit$trace$loglik) >= -1e-12 * abs(fit$loglik)))
  }
})

test_that("dense and sparse counts give the same fit, with weights", {
  skip_if_not_installed("Matrix")
  sparse <- as_sparse_counts(counts)
  for (method in c("em", "cem", "iem")) {
    set.seed(5)
    dense_fit <- emix(counts, k = 3, family = multinomial_mix(), method = method,
                      weights = doc_weights)
    set.seed(5)
    sparse_fit <- emix(sparse, k = 3, family = multinomial_mix(), method = method,
                       weights = doc_weights)
    expect_equal(sparse_fit$loglik, dense_fit$loglik, tolerance = 1e-12)
    expect_equal(sparse_fit$prob, dense_fit$prob, tolerance = 1e-12)
    expect_equal(sparse_fit$z, dense_fit$z, tolerance = 1e-12)
    expect_identical(sparse_fit$iter, dense_fit$iter)
  }
  # the default start screens its seedings on a subsample of large data:
  # the same subsample and seeds, dense or sparse
  big <- sim_topics(n = 2500, V = 15, k = 3, length = 10, seed = 9)$x
  set.seed(6)
  dense_fit <- emix(big, k = 3, family = multinomial_mix(), control = emix_control(max_iter = 5))
  set.seed(6)
  sparse_fit <- emix(as_sparse_counts(big), k = 3, family = multinomial_mix(),
                     control = emix_control(max_iter = 5))
  expect_equal(sparse_fit$trace$loglik, dense_fit$trace$loglik, tolerance = 1e-12)
  # the CSR form is the matrix's: stored zeros do not matter
  dense_fit <- emix(counts, k = 3, family = multinomial_mix(), init = sim$labels)
  with_zero <- sparse
  with_zero@x[3] <- 0 # a stored zero, where counts has a positive count
  changed <- counts
  changed[with_zero@i[3] + 1, 1] <- 0
  expect_equal(emix(with_zero, k = 3, family = multinomial_mix(), init = sim$labels)$loglik,
               emix(changed, k = 3, family = multinomial_mix(), init = sim$labels)$loglik,
               tolerance = 1e-12)
})

test_that("integer weights give the fit on repeated documents", {
  w <- rep(1:3, length.out = nrow(counts))
  repeated <- counts[rep(seq_len(nrow(counts)), w), ]
  labels <- sim$labels
  a <- emix(counts, k = 3, family = multinomial_mix(), weights = w, init = labels,
            control = emix_control(tol = 0, max_iter = 15))
  b <- emix(repeated, k = 3, family = multinomial_mix(), init = rep(labels, w),
            control = emix_control(tol = 0, max_iter = 15))
  expect_equal(a$loglik, b$loglik, tolerance = 1e-10)
  expect_equal(a$prob, b$prob, tolerance = 1e-10)
})

test_that("a document with no words gets the proportions as posterior and adds nothing", {
  fit <- emix(counts, k = 3, family = multinomial_mix(), weights = doc_weights)
  expect_equal(unname(fit$z[7, ]), unname(fit$pro), tolerance = 1e-12)
  # the same fit without it, except for its share of the proportions:
  # word counts and log-likelihood do not move
  w <- doc_weights
  w[7] <- 0
  without <- multi_mstep(counts, fit$z, weights = w, smooth = 0.01)
  with <- multi_mstep(counts, fit$z, weights = doc_weights, smooth = 0.01)
  expect_equal(without$prob, with$prob, tolerance = 1e-14)
  expect_equal(multi_estep(counts[7, , drop = FALSE], fit$pro, fit$prob)$loglik, 0)
  expect_equal(sum(fit$family$estep(fit, counts[-7, ], 1L)$row_loglik * doc_weights[-7]),
               fit$loglik, tolerance = 1e-12)
})

test_that("the statistics of shards, merged, give the M-step of the whole", {
  par <- ref_multi_mstep(counts, soft_start(nrow(counts), 3, 7), doc_weights, 0.01)
  parameters <- list(pro = par$pro, prob = par$prob)
  data <- emix:::multinomial_data(counts)
  shard <- function(rows) {
    .Call(emix:::C_ffi_stats, "multinomial", 0.01, parameters, data[rows, , drop = FALSE],
          doc_weights[rows], 1L)
  }
  a <- shard(1:100)
  b <- shard(101:240)
  total <- .Call(emix:::C_ffi_stats_merge, "multinomial", 0.01, 3L, 20L, a$stats, b$stats)
  # the layout: N (k), then the k x V word counts
  e <- ref_multi_estep(counts, par$pro, par$prob, doc_weights)
  ref <- ref_multi_mstep(counts, e$z, doc_weights, 0.01)
  expect_equal(total, c(ref$N, ref$n), tolerance = 1e-12)
  expect_equal(a$loglik + b$loglik, e$loglik, tolerance = 1e-12)
  step <- .Call(emix:::C_ffi_mstep_stats, "multinomial", 0.01, 3L, 20L, total,
                multi_core(240, doc_weights))
  expect_equal(step$parameters$prob, ref$prob, tolerance = 1e-12)
})

test_that("print, summary, coef, predict and simulate work on a multinomial fit", {
  fit <- emix(counts, k = 3, family = multinomial_mix(), init = sim$labels)
  expect_output(print(fit), "Most probable words")
  expect_output(print(summary(fit)), "Most probable words \\(probability\\)")
  top <- summary(fit)$top_words
  expect_identical(unname(top[1, 1]), colnames(counts)[which.max(fit$prob[1, ])])
  expect_equal(coef(fit)["pro", ], fit$pro)
  expect_equal(coef(fit)["prob.w03", ], fit$prob[, "w03"])
  expect_equal(predict(fit, counts[1:10, ], type = "posterior"), fit$z[1:10, ], tolerance = 1e-12,
               ignore_attr = TRUE)
  expect_equal(predict(fit, counts[1:10, ], type = "logdensity"),
               ref_multi_estep(counts[1:10, ], fit$pro, fit$prob)$rowll, tolerance = 1e-10,
               ignore_attr = TRUE)
  if (requireNamespace("Matrix", quietly = TRUE)) {
    expect_identical(predict(fit, as_sparse_counts(counts[1:10, ])), predict(fit, counts[1:10, ]))
  }
  sims <- simulate(fit, nsim = 2, seed = 1)
  expect_identical(nrow(sims), 2L * nrow(counts))
  # documents of the fitted lengths
  expect_equal(rowSums(sims[-(1:2)]), rep(rowSums(counts), 2), ignore_attr = TRUE)
})

test_that("the log-likelihood of mixtools' multmixEM from the same start is emix's", {
  skip_if_not_installed("mixtools")
  x <- sim$x
  z0 <- soft_start(nrow(x), 3, 6)
  start <- ref_multi_mstep(x, z0)
  utils::capture.output(
    mt <- mixtools::multmixEM(x, lambda = start$pro, theta = start$prob, k = 3,
                              epsilon = 1e-10, maxit = 10000)
  )
  fit <- emix(x, k = 3, family = multinomial_mix(smooth = 0), init = z0,
              control = emix_control(tol = 1e-14, rule = "relative", max_iter = 10000))
  # multmixEM (mixtools 2.0.0) includes the multinomial coefficient in its
  # log-likelihood (its llconstant), as emix does
  expect_equal(fit$loglik, mt$loglik, tolerance = 1e-6)
  expect_equal(sort(unname(fit$pro)), sort(mt$lambda), tolerance = 1e-5)
})

test_that("incremental EM with smooth = 0 converges, with a finite free energy", {
  # its merges leave counts of -1e-16 where the M-step made log p = -Inf
  set.seed(1)
  x <- matrix(rpois(200 * 300, 0.05), 200)
  set.seed(9)
  fit <- emix(x, k = 4, family = multinomial_mix(smooth = 0), method = iem(blocks = 10),
              control = emix_control(max_iter = 200))
  expect_true(fit$converged)
  expect_true(all(is.finite(fit$trace$objective)))
  # and its log-likelihood is that of its parameters, by the plain-R reference
  expect_equal(fit$loglik, ref_multi_estep(x, fit$pro, fit$prob)$loglik, tolerance = 1e-10)
})

test_that("predict() matches the words by name, and VB's q(z) survives a tiny beta", {
  x <- sim_topics(n = 60L, V = 12L, k = 2L, seed = 2L)$x
  fit <- emix(x, k = 2, family = multinomial_mix(), init = rep(1:2, 30))
  shuffled <- x[, rev(seq_len(ncol(x)))]
  expect_equal(predict(fit, shuffled, type = "posterior"), predict(fit, x, type = "posterior"))
  extra <- cbind(x, other = 1)
  expect_equal(predict(fit, extra, type = "posterior"), predict(fit, x, type = "posterior"))
  # a word unused in training, under beta = 1e-3: E log p is below -745 there,
  # so its exponential would underflow; q(z) is finite, by the formula
  x[, 12] <- 0
  vb_fit <- emix(x, k = 2, family = multinomial_mix(), init = rep(1:2, 30),
                 method = vb(prior = multinomial_prior(beta = 1e-3)))
  new <- x[1:3, ]
  new[, 12] <- 2
  got <- predict(vb_fit, new, type = "posterior")
  alpha <- vb_fit$posterior$alpha
  beta <- vb_fit$posterior$beta
  elog <- digamma(beta) - digamma(rowSums(beta))
  lj <- sweep(new %*% t(elog), 2, digamma(alpha) - digamma(sum(alpha)), "+")
  want <- exp(lj - apply(lj, 1, max))
  want <- want / rowSums(want)
  expect_true(all(is.finite(got)))
  expect_equal(unname(got), unname(want), tolerance = 1e-10)
})

test_that("a fit to a formula predicts from a data frame through its terms", {
  x <- sim_topics(n = 40L, V = 8L, k = 2L, seed = 4L)$x
  df <- as.data.frame(x)
  fit <- emix(~ ., data = df, k = 2, family = multinomial_mix(), init = rep(1:2, 20))
  by_matrix <- emix(x, k = 2, family = multinomial_mix(), init = rep(1:2, 20))
  expect_equal(fit$loglik, by_matrix$loglik, tolerance = 1e-12)
  expect_equal(unname(predict(fit, df[1:5, ], type = "posterior")),
               unname(predict(by_matrix, x[1:5, ], type = "posterior")), tolerance = 1e-12)
  expect_error(predict(fit, df[, -1]), class = "emix_error_argument")
})
