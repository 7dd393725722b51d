# The starts of model selection (R/select_starts.R, src/hc.c); the VVV
# agglomeration itself is tested in test-hc-vvv.R.

valid_labels <- function(labels, n, k) {
  is.integer(labels) && length(labels) == n && !anyNA(labels) &&
    all(labels >= 1L & labels <= k) && all(tabulate(labels, k) > 0L)
}

# mclust's coordinates for its agglomeration ("SVD"), as mclust's hc()
# makes them: the standardised data on their principal axes, each divided
# by the square root of its singular value.
# The transform is found from x and applied to the rows `new`.
svd_coordinates <- function(x, new = x) {
  z <- scale(x)
  s <- svd(z, nu = 0)
  scale(new, attr(z, "scaled:center"), attr(z, "scaled:scale")) %*% s$v %*%
    diag(1 / sqrt(s$d), ncol(x))
}

# Each row's nearest centre in plain R.
nearest_reference <- function(x, centres) {
  d2 <- vapply(seq_len(nrow(centres)), function(c) colSums((t(x) - centres[c, ])^2),
               numeric(nrow(x)))
  max.col(-matrix(d2, nrow(x)), ties.method = "first")
}

test_that("hc on many rows runs on a subset of 2000 (mclust's tree), the rest to the nearest centre", {
  skip_if_not_installed("mclust")
  set.seed(13)
  n <- 2600
  x <- cbind(rnorm(n, rep(c(0, 4), each = n / 2)), rnorm(n, 0, 3))
  set.seed(5)
  starts <- selection_starts(x, c(2, 5), "hc", NULL, emix_control())
  set.seed(5)
  rows <- sort(sample.int(n, 2000))
  # mclust's hc() evaluates its hcVVV() in the caller's frame
  hcVVV <- mclust::hcVVV
  classes <- mclust::hclass(mclust::hc(x[rows, ], modelName = "VVV", use = "SVD"), c(2, 5))
  # the coordinates of the subset's transform (their scale does not move
  # the nearest centre)
  z <- svd_coordinates(x[rows, ], x)
  for (q in 1:2) {
    k <- c(2, 5)[q]
    expected <- integer(n)
    expected[rows] <- classes[, q]
    centres <- apply(z[rows, ], 2, function(v) tapply(v, expected[rows], mean))
    expected[-rows] <- nearest_reference(z[-rows, ], centres)
    expect_true(valid_labels(starts[[as.character(k)]], n, k))
    expect_true(same_partition(starts[[as.character(k)]], expected))
  }
})

test_that("rows of zero weight stay out of the tree and go to the nearest centre", {
  x <- as.matrix(faithful)
  w <- rep(1, nrow(x))
  w[c(3, 50)] <- 0
  starts <- selection_starts(x, 3, "hc", w, emix_control())[["3"]]
  kept <- selection_starts(x[w > 0, ], 3, "hc", NULL, emix_control())[["3"]]
  expect_identical(starts[w > 0], kept)
  z <- svd_coordinates(x[w > 0, ])
  centres <- apply(z, 2, function(v) tapply(v, kept, mean))
  # the zero-weight rows in the coordinates of the kept rows
  expect_identical(starts[w == 0],
                   nearest_reference(svd_coordinates(x[w > 0, ], x[w == 0, , drop = FALSE]), centres))
})

test_that("every start gives valid labels for every k, reproducibly under set.seed()", {
  x <- as.matrix(iris[1:4])
  w <- rep(c(1, 2, 0.5), 50)
  for (start in c("hc", "kmeans++", "random", "short")) {
    for (weights in list(NULL, w)) {
      set.seed(3)
      a <- selection_starts(x, c(1, 2, 4, 7), start, weights, emix_control())
      set.seed(3)
      b <- selection_starts(x, c(1, 2, 4, 7), start, weights, emix_control())
      expect_identical(a, b)
      expect_named(a, c("1", "2", "4", "7"))
      for (k in c(1, 2, 4, 7)) {
        expect_true(valid_labels(a[[as.character(k)]], nrow(x), k))
      }
    }
  }
})

test_that("kmeans++ and random are emix()'s starts", {
  x <- as.matrix(faithful)
  core <- core_control(emix_control(), x, NULL)
  core$min_rows <- 3
  set.seed(4)
  starts <- selection_starts(x, 3, "kmeans++", NULL, emix_control())
  set.seed(4)
  expect_identical(starts[["3"]], kmeans_start(x, 3L, NULL, core, 10L))
  set.seed(4)
  starts <- selection_starts(x, 3, "random", NULL, emix_control())
  set.seed(4)
  expect_identical(starts[["3"]], random_start(x, 3L, NULL, core))
})

test_that("short keeps the classification of the best of five short VVV runs", {
  x <- as.matrix(faithful)
  set.seed(6)
  expect_no_warning(short <- selection_starts(x, 3, "short", NULL, emix_control())[["3"]])
  # the same five k-means++ starts, each run for at most ten EM iterations
  set.seed(6)
  core <- core_control(emix_control(), x, NULL)
  core$min_rows <- 3
  fits <- lapply(1:5, function(s) {
    labels <- kmeans_start(x, 3L, NULL, core, 10L)
    suppressWarnings(emix(x, k = 3, init = labels, control = emix_control(max_iter = 10)))
  })
  logliks <- vapply(fits, function(f) f$loglik, numeric(1))
  # the starts differ, so the choice among them is tested
  expect_gt(diff(range(logliks)), 1e-6)
  expect_identical(short, as.integer(fits[[which.max(logliks)]]$classification))
})

test_that("short runs on a subset of many rows; the others take their most probable component", {
  set.seed(14)
  n <- 2600
  x <- cbind(rnorm(n, rep(c(0, 3), each = n / 2)), rnorm(n, 0, rep(c(1, 2), each = n / 2)))
  set.seed(8)
  short <- selection_starts(x, 2, "short", NULL, emix_control())[["2"]]
  expect_true(valid_labels(short, n, 2))
  # the same subset and starts
  set.seed(8)
  rows <- sort(sample.int(n, 2000))
  core <- core_control(emix_control(), x, NULL)
  core$min_rows <- 3
  fits <- lapply(1:5, function(s) {
    labels <- kmeans_start(x[rows, ], 2L, NULL, core, 10L)
    suppressWarnings(emix(x[rows, ], k = 2, init = labels, control = emix_control(max_iter = 10)))
  })
  best <- fits[[which.max(vapply(fits, function(f) f$loglik, numeric(1)))]]
  expect_identical(short[rows], as.integer(best$classification))
  # the most probable component by the normal densities, in plain R
  log_joint <- vapply(1:2, function(c) {
    log(best$pro[c]) - 0.5 * log(det(best$sigma[, , c])) -
      0.5 * mahalanobis(x[-rows, ], best$mean[c, ], best$sigma[, , c])
  }, numeric(n - 2000))
  expect_identical(short[-rows], max.col(log_joint, ties.method = "first"))
})

test_that("the starts made in processes are those made one by one; a process's error is raised as it was", {
  x <- as.matrix(faithful)
  ks <- 1:4
  seeds <- list(hc = stats::setNames(11:14, ks), short = stats::setNames(21:24, ks),
                `kmeans++` = stats::setNames(31:34, ks))
  tasks <- start_tasks(ks, names(seeds))
  # the tree once, the others k by k from 2, the largest first
  expect_identical(vapply(tasks, function(task) paste(task$start, paste(task$ks, collapse = "")), ""),
                   c("hc 1234", "short 4", "short 3", "short 2", "kmeans++ 4", "kmeans++ 3",
                     "kmeans++ 2"))
  make <- function(task) {
    selection_starts(x, task$ks, task$start, NULL, emix_control(threads = 1L),
                     seeds = seeds[[task$start]][as.character(task$ks)])
  }
  first <- lapply(seeds, function(s) list(`1` = rep(1L, nrow(x))))
  made <- lapply(1:2, function(cores) {
    run_grid(integer(0), integer(0), first, tasks, make, NULL, numeric(0), cores, FALSE)$labels
  })
  for (s in names(seeds)) {
    one_by_one <- selection_starts(x, ks, s, NULL, emix_control(), seeds = seeds[[s]])
    for (cores in 1:2) {
      expect_identical(made[[cores]][[s]][as.character(ks)], one_by_one,
                       info = sprintf("%s, cores = %d", s, cores))
    }
  }
  # the tree needs weights summing to more than 1: the error of its process
  e <- expect_error(emix_select(x, k = 2:3, weights = rep(0.001, nrow(x)), cores = 2,
                                progress = FALSE),
                    class = "emix_error_argument")
  expect_identical(e$argument, "weights")
})

test_that("bad input is a classed error that names the argument", {
  x <- as.matrix(faithful)
  expect_argument_error <- function(expr, arg) {
    e <- expect_error(expr, class = "emix_error_argument")
    expect_identical(e$argument, arg)
  }
  expect_argument_error(selection_starts(x, 2, "ward", NULL, emix_control()), "start")
  expect_argument_error(selection_starts(x, 2, c("hc", "short"), NULL, emix_control()), "start")
  expect_argument_error(selection_starts(x, 0, "hc", NULL, emix_control()), "ks")
  expect_argument_error(selection_starts(x, c(2, 2), "hc", NULL, emix_control()), "ks")
  expect_argument_error(selection_starts(x, 2.5, "hc", NULL, emix_control()), "ks")
  expect_argument_error(selection_starts(x, NA, "hc", NULL, emix_control()), "ks")
  expect_argument_error(selection_starts(x[1:3, ], 4, "hc", NULL, emix_control()), "ks")
  expect_argument_error(selection_starts(x, 2, "hc", rep(-1, nrow(x)), emix_control()), "weights")
  expect_argument_error(selection_starts(x, 2, "hc", 1:3, emix_control()), "weights")
  expect_argument_error(selection_starts(x, 2, "hc", NULL, list(tol = -1)), "control$tol")
  x[5, 1] <- NA
  expect_argument_error(selection_starts(x, 2, "hc", NULL, emix_control()), "x")
})

test_that("the nearest centre refuses what would read out of bounds", {
  x <- as.matrix(faithful)
  expect_error(.Call(C_ffi_nearest_centre, x, c(1, 1), matrix(0, 2, 3)), "centres")
  expect_error(.Call(C_ffi_nearest_centre, x, 1, matrix(0, 2, 2)), "inv_var")
})

test_that("emix(init = \"hc\") starts EM from mclust's VVV partition", {
  skip_if_not_installed("mclust")
  x <- as.matrix(iris[1:4])
  hcVVV <- mclust::hcVVV
  vvv <- mclust::hclass(mclust::hc(x, modelName = "VVV", use = "SVD"), 3)[, 1]
  fit <- emix(x, k = 3, init = "hc")
  from_labels <- emix(x, k = 3, init = vvv)
  expect_equal(fit$loglik, from_labels$loglik, tolerance = 1e-12)
  expect_identical(fit$classification, from_labels$classification)
  # further starts are k-means++ ones; the first is still the VVV partition
  set.seed(1)
  several <- emix(x, k = 3, init = "hc", nstart = 3)
  expect_equal(several$start_objective[1L], fit$loglik, tolerance = 1e-12)
})
