# The start (R/init.R, src/kmeans.c) and the order of the components.

draw_seeds <- function(x, k, w = NULL, mode = 0L, times = 1L) {
  x <- as.matrix(x)
  inv_var <- rep(1, ncol(x))
  t(vapply(seq_len(times), function(i) .Call(C_ffi_kmeans_seed, x, w, inv_var, k, mode),
           integer(k)))
}

# Plain-R weighted Lloyd: distances sum_j (x_j - c_j)^2 * inv_var_j, the
# first centre on a tie, a centre without weight left where it is.
ref_lloyd <- function(x, centres, w, iter, inv_var) {
  k <- nrow(centres)
  nearest <- function(centres) {
    d2 <- vapply(seq_len(k), function(c) colSums(inv_var * (t(x) - centres[c, ])^2),
                 numeric(nrow(x)))
    max.col(-d2, ties.method = "first")
  }
  labels <- nearest(centres)
  for (i in seq_len(iter)) {
    for (c in seq_len(k)) {
      rows <- labels == c
      if (sum(w[rows]) > 0) {
        centres[c, ] <- colSums(w[rows] * x[rows, , drop = FALSE]) / sum(w[rows])
      }
    }
    new_labels <- nearest(centres)
    if (identical(new_labels, labels)) {
      break
    }
    labels <- new_labels
  }
  list(labels = labels, centres = centres)
}

# Well separated clusters with their true labels.
separated_mixture <- function(n, d, k, seed) {
  set.seed(seed)
  centres <- matrix(rnorm(k * d, sd = 4), k, d)
  labels <- sample.int(k, n, replace = TRUE, prob = seq_len(k))
  x <- centres[labels, , drop = FALSE]
  for (j in seq_len(k)) {
    rows <- which(labels == j)
    shape <- matrix(rnorm(d * d, sd = 0.3), d, d) + diag(d)
    x[rows, ] <- x[rows, ] + matrix(rnorm(length(rows) * d), ncol = d) %*% shape
  }
  list(x = x, labels = labels)
}

test_that("k-means++ seeding draws with the documented probabilities", {
  set.seed(11)
  x <- cbind(c(0, 1, 10))
  # the first centre in proportion to the weight
  w <- c(1, 2, 7)
  first <- draw_seeds(x, 1L, w, times = 20000L)[, 1]
  counts <- tabulate(first, 3)
  expect_gt(suppressWarnings(chisq.test(counts, p = w / sum(w)))$p.value, 1e-3)
  # the next in proportion to weight times squared distance: after 0,
  # (0, 1, 100) / 101 without weights and (0, 3 * 1, 0.5 * 100) / 53 with
  for (case in list(list(w = NULL, p = c(1, 100) / 101), list(w = c(1, 3, 0.5), p = c(3, 50) / 53))) {
    draws <- draw_seeds(x, 2L, case$w, times = 30000L)
    second <- draws[draws[, 1] == 1L, 2]
    expect_false(any(second == 1L))
    counts <- tabulate(second, 3)[2:3]
    expect_gt(length(second), 1000)
    expect_gt(chisq.test(counts, p = case$p)$p.value, 1e-3)
  }
})

test_that("the random start draws distinct rows in proportion to the weight", {
  set.seed(12)
  x <- cbind(c(0, 0, 5, 7))
  w <- c(1, 1, 1, 3)
  draws <- draw_seeds(x, 2L, w, mode = 1L, times = 20000L)
  # never the same point twice
  expect_false(any(x[draws[, 1], 1] == x[draws[, 2], 1]))
  # after a draw of 0 (rows 1, 2), 5 and 7 in proportion 1 : 3
  second <- draws[draws[, 1] <= 2L, 2]
  expect_gt(chisq.test(tabulate(second, 4)[3:4], p = c(1, 3) / 4)$p.value, 1e-3)
  # the first draw in proportion to the weight
  expect_gt(chisq.test(tabulate(draws[, 1], 4), p = w / sum(w))$p.value, 1e-3)
})

test_that("Lloyd iterations in C equal plain-R weighted Lloyd from the same centres", {
  s <- sim_mixture(3000, 3, 4, seed = 21)
  set.seed(22)
  w <- runif(nrow(s$x), 0.2, 3)
  inv_var <- 1 / apply(s$x, 2, var)
  centres <- s$x[c(1, 50, 900, 2000), ]
  for (iter in c(0L, 2L, 100L)) {
    for (weights in list(NULL, w)) {
      got <- .Call(C_ffi_kmeans_lloyd, s$x, weights, inv_var, centres, iter, 1L)
      ref <- ref_lloyd(s$x, centres, if (is.null(weights)) rep(1, nrow(s$x)) else weights,
                       iter, inv_var)
      expect_identical(got$labels, ref$labels)
      expect_equal(got$centres, unname(ref$centres), tolerance = 1e-12)
      ref_inertia <- sum((if (is.null(weights)) 1 else weights) *
                           colSums(inv_var * (t(s$x) - t(ref$centres[ref$labels, ]))^2))
      expect_equal(got$inertia, ref_inertia, tolerance = 1e-12)
    }
  }
  # the chunks' sums are added in a fixed order: threads do not change it
  big <- sim_mixture(20000, 3, 4, seed = 23)
  one <- .Call(C_ffi_kmeans_lloyd, big$x, NULL, rep(1, 3), big$x[1:4, ], 5L, 1L)
  two <- .Call(C_ffi_kmeans_lloyd, big$x, NULL, rep(1, 3), big$x[1:4, ], 5L, 2L)
  expect_identical(one, two)
})

test_that("every seed reaches the optimum on well-separated clusters", {
  sim <- separated_mixture(5000, 5, 5, seed = 31)
  optimum <- emix(sim$x, k = 5, init = sim$labels)$loglik
  reached <- vapply(1:20, function(seed) {
    set.seed(seed)
    abs(emix(sim$x, k = 5)$loglik - optimum) <= 1e-6 * abs(optimum)
  }, logical(1))
  expect_identical(sum(reached), 20L)
})

test_that("set.seed() reproduces the k-means++ and random starts", {
  x <- as.matrix(iris[1:4])
  for (init in c("kmeans++", "random")) {
    set.seed(5)
    a <- emix(x, k = 3, init = init)
    set.seed(5)
    b <- emix(x, k = 3, init = init)
    expect_identical(a$z, b$z)
  }
})

test_that("parameters as init start from the E-step there", {
  x <- as.matrix(iris[1:4])
  params <- list(pro = c(0.2, 0.3, 0.5),
                 mean = rbind(c(5, 3.4, 1.5, 0.2), c(6, 2.8, 4.3, 1.3), c(6.6, 3, 5.5, 2)),
                 sigma = array(diag(c(0.3, 0.2, 0.4, 0.1)), c(4, 4, 3)))
  control <- emix_control(tol = 0, max_iter = 4, reg = 0)
  from_matrix <- emix(x, k = 3, init = ref_estep(x, params$pro, params$mean, params$sigma)$z,
                      control = control)
  from_list <- emix(x, init = params, control = control)
  expect_identical(from_list$k, 3L)
  expect_equal(ref_params(from_list), ref_params(from_matrix), tolerance = 1e-10)
  expect_equal(from_list$trace$loglik, from_matrix$trace$loglik, tolerance = 1e-10)

  # a fit as init is its parameters; a converged fit stops at once, where it was
  x <- separated_mixture(1000, 3, 3, seed = 51)$x
  fit <- emix(x, k = 3, model = "VVI", control = emix_control(tol = 1e-14, reg = 0))
  expect_true(fit$converged)
  again <- emix(x, init = fit, model = "VVI", control = emix_control(reg = 0))
  expect_identical(again$iter, 1L)
  expect_true(again$converged)
  # (one EM step from a maximum found to a tolerance moves it a little)
  expect_equal(ref_params(again), ref_params(fit), tolerance = 1e-6)
  by_matrix <- emix(x, k = 3, model = "VVI", control = emix_control(reg = 0),
                    init = ref_estep(x, fit$pro, fit$mean, fit$sigma)$z)
  expect_equal(ref_params(again), ref_params(by_matrix), tolerance = 1e-12)
})

test_that("bad init is refused with a message that says what is expected", {
  x <- as.matrix(iris[1:4])
  n <- nrow(x)
  fit <- emix(x, k = 2, init = ifelse(iris$Species == "setosa", 1L, 2L))
  params <- fit[c("pro", "mean", "sigma")]
  expect_snapshot(error = TRUE, {
    emix(x, k = 2, init = as.character(rep(1:2, length.out = n)))
    emix(x, k = 2, init = list(1, 2))
    emix(x, k = 2, init = matrix("1", n, 2))
    emix(x, k = 2, init = data.frame(a = 1:n))
    emix(x, k = 2, init = factor(rep(c("a", "b"), length.out = n), levels = c("a", "b", "c")))
    emix(x, k = 3, init = factor(rep(c("a", "b"), length.out = n)))
    emix(x, k = 3, init = fit)
    emix(x, init = modifyList(params, list(pro = c(0.5, 0.6))))
    emix(x, init = modifyList(params, list(mean = params$mean[, 1:3])))
    emix(x, init = modifyList(params, list(mean = t(params$mean))))
    emix(x, init = modifyList(params, list(sigma = params$sigma[, , 1])))
    emix(x, init = modifyList(params, list(sigma = array(c(1, 2, 0, 0, 0, 1, rep(0, 4), 1, rep(0, 4), 1), c(4, 4, 2)))))
    emix(x, init = modifyList(params, list(sigma = array(c(1, 2, 0, 0, 2, 1, rep(0, 4), 1, rep(0, 4), 1), c(4, 4, 2)))))
    emix(x[, 1, drop = FALSE], init = fit)
    emix(x, init = fit, nstart = 2)
  })
  for (bad in list(as.character(rep(1:2, length.out = n)), list(1, 2), fit[c("pro", "mean")])) {
    expect_error(emix(x, k = 2, init = bad), class = "emix_error_argument")
  }
})

test_that("components come in decreasing order of proportion, for every method", {
  x <- as.matrix(faithful)
  # a start whose first component is the smallest one
  lab <- ifelse(faithful$eruptions > 3, ifelse(faithful$waiting > 80, 1L, 2L), 3L)
  for (method in c("em", "cem", "sem", "iem", "vb", "me")) {
    set.seed(1)
    fit <- emix(x, k = 3, method = method, init = lab,
                control = emix_control(max_iter = 50, tol = 0))
    expect_false(is.unsorted(-fit$pro), label = method)
    if (method %in% c("em", "iem")) {
      # z is the E-step at the returned parameters, column for column
      expect_equal(unname(fit$z), ref_estep(x, fit$pro, fit$mean, fit$sigma)$z,
                   tolerance = 1e-8, label = method)
    }
    if (method %in% c("vb", "me")) {
      # the posterior's fields follow the same order: pro and sigma are its
      # means (VVV: sigma_c = Psi_c / nu_c), alpha and kappa add N to the prior
      post <- fit$posterior
      expect_equal(as.numeric(fit$pro), post$alpha / sum(post$alpha), label = method)
      expect_equal(post$alpha - post$N, rep(fit$prior$alpha, 3), label = method)
      expect_equal(post$kappa - post$N, rep(fit$prior$kappa, 3), label = method)
      for (c in 1:3) {
        expect_equal(unname(fit$sigma[, , c]), unname(post$scale[, , c]) / post$df[c],
                     label = method)
      }
    }
  }
  # the same optimum from two seeds, reported alike
  sim <- separated_mixture(3000, 3, 4, seed = 41)
  fits <- lapply(1:2, function(seed) {
    set.seed(seed)
    emix(sim$x, k = 4, control = emix_control(tol = 1e-13))
  })
  expect_equal(unname(fits[[1]]$pro), unname(fits[[2]]$pro), tolerance = 1e-8)
  expect_equal(unname(fits[[1]]$mean), unname(fits[[2]]$mean), tolerance = 1e-8)
  expect_equal(unname(fits[[1]]$sigma), unname(fits[[2]]$sigma), tolerance = 1e-8)
})

test_that("a Gibbs start is put in order of decreasing weight", {
  x <- cbind(c(1, 2, 3, 4, 5, 6, 7))
  labels <- c(1L, 1L, 2L, 2L, 2L, 3L, 3L)
  # weights 2, 3, 2: component 2 first; 1 and 3 tie, 1 has the smaller mean
  expect_identical(order_start_labels(labels, list(data = x, weights = NULL), 3L), c(2L, 2L, 1L, 1L, 1L, 3L, 3L))
  # with weights 3, 1.5, 0.5 + 4 the order is 3, 1, 2
  w <- c(1, 2, 0.5, 0.5, 0.5, 0.5, 4)
  expect_identical(order_start_labels(labels, list(data = x, weights = w), 3L), c(2L, 2L, 3L, 3L, 3L, 1L, 1L))
})

test_that("the columns of z are permuted in place, any permutation", {
  z <- matrix(as.double(1:20), 4, 5)
  for (perm in list(c(2L, 3L, 1L, 5L, 4L), 5:1, 1:5, c(2L, 1L, 3L, 4L, 5L))) {
    work <- z + 0
    .Call(C_ffi_permute_columns, work, perm)
    expect_identical(work, z[, perm])
  }
  expect_error(.Call(C_ffi_permute_columns, z + 0, c(1L, 1L, 2L, 3L, 4L)))
  expect_error(.Call(C_ffi_permute_columns, z + 0, 1:4))
})

test_that("a fit with noise as init starts from its normal components", {
  d <- noisy_faithful()
  noisy <- emix(d$x, k = 2, init = ref_one_hot(d$labels, 3), noise = TRUE)
  fit <- emix(d$x, init = noisy)
  expect_identical(fit$k, 2L)
  # the start is the E-step at the normal components, proportions rescaled
  gauss <- noisy$pro[1:2] / sum(noisy$pro[1:2])
  start <- ref_estep(d$x, gauss, noisy$mean, noisy$sigma)$z
  expect_equal(fit$loglik, emix(d$x, k = 2, init = start)$loglik, tolerance = 1e-12)
})

test_that("without k, labels, a factor or a matrix given as init say how many components", {
  x <- as.matrix(iris[1:4])
  lab <- as.integer(iris$Species)
  direct <- emix(x, k = 3, init = lab)
  expect_identical(emix(x, init = lab)$k, 3L)
  expect_equal(emix(x, init = lab)$loglik, direct$loglik)
  expect_identical(emix(x, init = iris$Species)$k, 3L)
  expect_identical(emix(x, init = ref_one_hot(lab, 3))$k, 3L)
  # a given k still rules, and a mismatch is an error naming init
  expect_error(emix(x, k = 2, init = lab), class = "emix_error_argument")
  # a misspelt control setting is a classed error that names it
  err <- tryCatch(emix_control(maxiter = 10), emix_error_argument = function(e) e)
  expect_match(conditionMessage(err), "maxiter", fixed = TRUE)
})

test_that("the quantile start cuts sorted values into groups of equal weight, ties kept together", {
  # plain R: each block of tied values sits at the middle of its weight on
  # the cumulative scale, and falls in the k-quantile group of that point
  reference <- function(v, k, w = rep(1, length(v))) {
    values <- sort(unique(v))
    block_w <- vapply(values, function(u) sum(w[v == u]), numeric(1))
    middle <- cumsum(block_w) - block_w / 2
    group <- pmin(k, pmax(1, ceiling(k * middle / sum(w))))
    group[match(v, values)]
  }
  set.seed(3)
  v <- c(round(rexp(200), 1), 5, 5, 5)
  w <- runif(length(v), 0.2, 3)
  for (k in 2:5) {
    expect_identical(emix:::quantile_start(cbind(v), k, NULL), as.integer(reference(v, k)))
    expect_identical(emix:::quantile_start(cbind(v), k, w), as.integer(reference(v, k, w)))
  }
  # it is the default start for one variable: the fit equals the fit from it
  fit <- emix(v, k = 3)
  expect_equal(fit$loglik, emix(v, k = 3, init = reference(v, 3))$loglik, tolerance = 1e-12)
  # with more starts the first is the quantile start, the others k-means++
  set.seed(4)
  several <- emix(v, k = 3, nstart = 3)
  expect_equal(several$start_objective[1L], fit$objective, tolerance = 1e-12)
  expect_error(emix(as.matrix(faithful), k = 2, init = "quantile"), class = "emix_error_argument")
})

test_that("islands: the quantile start reaches mclust's fit, where k-means starts end on one row", {
  ours <- emix(islands, k = 4)
  # mclust's BIC (larger is better there) from its own start for one variable
  theirs <- mclust::mclustBIC(islands, G = 4, modelNames = "V", verbose = FALSE)
  expect_equal(BIC(ours), -theirs[1L, 1L], tolerance = 1e-5)
})

test_that("a k-means partition with a cluster too small for the model is passed over", {
  # one far row: k-means++ draws it as a centre, and alone it lowers the
  # inertia most, but a VVV component in 2-D needs 3 rows
  set.seed(5)
  x <- rbind(matrix(rnorm(200), 100), matrix(rnorm(200, 6), 100), c(60, 60))
  core <- emix:::core_control(emix_control(threads = 1), x, NULL)
  core$min_rows <- 3
  for (s in 1:5) {
    set.seed(s)
    labels <- emix:::kmeans_start(x, 3L, NULL, core, 10L)
    expect_true(all(tabulate(labels, 3) >= 3), info = s)
  }
  # without the size rule the least inertia is the one with the far row alone
  core$min_rows <- 0
  set.seed(1)
  alone <- emix:::kmeans_start(x, 3L, NULL, core, 10L)
  expect_identical(min(tabulate(alone, 3)), 1L)
})

test_that("with noise = TRUE and no k, an init matrix's last column is the noise", {
  d <- noisy_faithful()
  z0 <- ref_one_hot(d$labels, 3)
  expect_equal(emix(d$x, init = z0, noise = TRUE, noise_volume = d$volume)$loglik,
               emix(d$x, k = 2, init = z0, noise = TRUE, noise_volume = d$volume)$loglik)
})
