# The starts of model selection (R/select_starts.R, src/hc.c).

# Plain-R Ward agglomeration, the EII classification-likelihood criterion:
# at each step the pair (a < b) of least w_a w_b / (w_a + w_b) times the
# squared distance of their means (scaled by inv_var), on a tie the lowest
# a then b; the merged cluster keeps index a. All pairs are scanned at every
# step, so no nearest-neighbour bookkeeping is shared with the C code.
ward_reference <- function(x, w, inv_var) {
  m <- nrow(x)
  means <- x
  size <- w
  active <- rep(TRUE, m)
  merge <- matrix(0L, m - 1L, 2L)
  cost <- numeric(m - 1L)
  for (s in seq_len(m - 1L)) {
    idx <- which(active)
    best <- Inf
    for (a in idx) {
      for (b in idx[idx > a]) {
        cab <- size[a] * size[b] / (size[a] + size[b]) * sum(inv_var * (means[a, ] - means[b, ])^2)
        if (cab < best) {
          best <- cab
          pair <- c(a, b)
        }
      }
    }
    a <- pair[1L]
    b <- pair[2L]
    means[a, ] <- (size[a] * means[a, ] + size[b] * means[b, ]) / (size[a] + size[b])
    size[a] <- size[a] + size[b]
    active[b] <- FALSE
    merge[s, ] <- pair
    cost[s] <- best
  }
  list(merge = merge, cost = cost)
}

# TRUE when two labellings are the same partition (a one-to-one relabelling).
same_partition <- function(a, b) {
  pairs <- unique(cbind(a, b))
  nrow(pairs) == length(unique(a)) && nrow(pairs) == length(unique(b))
}

valid_labels <- function(labels, n, k) {
  is.integer(labels) && length(labels) == n && !anyNA(labels) &&
    all(labels >= 1L & labels <= k) && all(tabulate(labels, k) > 0L)
}

test_that("the agglomeration merges as the plain-R reference, with and without weights", {
  set.seed(11)
  x <- matrix(rnorm(35 * 3), 35, 3)
  inv_var <- c(1, 0.5, 2)
  for (w in list(NULL, runif(35, 0.2, 3))) {
    tree <- .Call(C_ffi_hc, x, w, inv_var, 1L)
    ref <- ward_reference(x, if (is.null(w)) rep(1, 35) else w, inv_var)
    expect_identical(tree$merge, ref$merge)
    expect_equal(tree$cost, ref$cost, tolerance = 1e-12)
  }
})

test_that("ties are broken by the lowest pair of indices, as in the reference", {
  # a grid: many merges of equal cost
  x <- as.matrix(expand.grid(1:4, 1:3))
  storage.mode(x) <- "double"
  tree <- .Call(C_ffi_hc, x, NULL, c(1, 1), 1L)
  ref <- ward_reference(x, rep(1, nrow(x)), c(1, 1))
  expect_identical(tree$merge, ref$merge)
  expect_equal(tree$cost, ref$cost, tolerance = 1e-12)
  # repeated rows, which merge at no cost
  set.seed(15)
  x <- matrix(c(0, 1, 4, 2.5)[sample.int(4, 60, replace = TRUE)], 30, 2)
  w <- as.double(sample(1:3, 30, replace = TRUE))
  tree <- .Call(C_ffi_hc, x, w, c(1, 0.5), 1L)
  ref <- ward_reference(x, w, c(1, 0.5))
  expect_identical(tree$merge, ref$merge)
  expect_equal(tree$cost, ref$cost, tolerance = 1e-12)
})

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

test_that("hc gives hclust's Ward (ward.D2) partitions at every k, from one tree", {
  for (data in list(as.matrix(iris[1:4]), as.matrix(faithful), as.matrix(USArrests))) {
    starts <- selection_starts(data, 1:9, "hc", NULL, emix_control())
    expect_named(starts, as.character(1:9))
    tree <- hclust(dist(svd_coordinates(data)), "ward.D2")
    for (k in 1:9) {
      expect_true(valid_labels(starts[[as.character(k)]], nrow(data), k))
      expect_true(same_partition(starts[[as.character(k)]], cutree(tree, k)))
    }
    # the kernel alone, in the distances of the standardised variables:
    # ward.D2's heights are sqrt(2 * the increase of the sum of squares)
    costs <- .Call(C_ffi_hc, data, NULL, 1 / apply(data, 2, var), 1L)$cost
    tree <- hclust(dist(scale(data, center = FALSE, scale = apply(data, 2, sd))), "ward.D2")
    expect_equal(sqrt(2 * costs), tree$height, tolerance = 1e-10)
  }
})

test_that("hc gives mclust's EII agglomeration on its SVD coordinates", {
  skip_if_not_installed("mclust")
  for (data in list(as.matrix(iris[1:4]), as.matrix(swiss), as.matrix(trees))) {
    starts <- selection_starts(data, 1:9, "hc", NULL, emix_control())
    # mclust's hc() evaluates its hcEII() in the caller's frame
    hcEII <- mclust::hcEII
    classes <- mclust::hclass(mclust::hc(data, modelName = "EII", use = "SVD"), 1:9)
    for (k in 1:9) {
      expect_true(same_partition(starts[[as.character(k)]], classes[, k]))
    }
  }
})

test_that("integer weights give the partitions of the repeated rows", {
  set.seed(12)
  x <- matrix(rnorm(30 * 2), 30, 2)
  w <- sample(1:3, 30, replace = TRUE)
  weighted <- selection_starts(x, 2:6, "hc", w, emix_control())
  repeated <- selection_starts(x[rep(1:30, w), ], 2:6, "hc", NULL, emix_control())
  for (k in as.character(2:6)) {
    expect_true(same_partition(weighted[[k]][rep(1:30, w)], repeated[[k]]))
  }
})

# Each row's nearest centre in plain R.
nearest_reference <- function(x, centres) {
  d2 <- vapply(seq_len(nrow(centres)), function(c) colSums((t(x) - centres[c, ])^2),
               numeric(nrow(x)))
  max.col(-matrix(d2, nrow(x)), ties.method = "first")
}

test_that("hc is deterministic, and on many rows runs on a subset of 2000, the rest to the nearest centre", {
  expect_identical(selection_starts(as.matrix(faithful), 2:4, "hc", NULL, emix_control()),
                   selection_starts(as.matrix(faithful), 2:4, "hc", NULL, emix_control()))
  set.seed(13)
  n <- 2600
  x <- cbind(rnorm(n, rep(c(0, 4), each = n / 2)), rnorm(n, 0, 3))
  set.seed(5)
  starts <- selection_starts(x, c(2, 5), "hc", NULL, emix_control())
  set.seed(5)
  rows <- sort(sample.int(n, 2000))
  z <- svd_coordinates(x)
  tree <- hclust(dist(z[rows, ]), "ward.D2")
  for (k in c(2, 5)) {
    expected <- integer(n)
    expected[rows] <- cutree(tree, k)
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

test_that("the compiled agglomeration refuses what would read out of bounds", {
  x <- as.matrix(faithful)
  expect_error(.Call(C_ffi_hc, x, rep(0, nrow(x)), c(1, 1), 2L), "positive")
  expect_error(.Call(C_ffi_hc, x, NULL, c(1, 1), nrow(x) + 1L), "ks")
  expect_error(.Call(C_ffi_hc, x, NULL, c(1, 1), 2), "ks")
  expect_error(.Call(C_ffi_hc, x, NULL, 1, 2L), "inv_var")
  expect_error(.Call(C_ffi_hc, x, 1:3 + 0, c(1, 1), 2L))
  expect_error(.Call(C_ffi_nearest_centre, x, c(1, 1), matrix(0, 2, 3)), "centres")
})

test_that("emix(init = \"hc\") starts EM from the Ward partition", {
  x <- as.matrix(iris[1:4])
  ward <- cutree(hclust(dist(svd_coordinates(x)), "ward.D2"), 3)
  fit <- emix(x, k = 3, init = "hc")
  from_labels <- emix(x, k = 3, init = ward)
  expect_equal(fit$loglik, from_labels$loglik, tolerance = 1e-12)
  expect_identical(fit$classification, from_labels$classification)
  # further starts are k-means++ ones; the first is still the Ward partition
  set.seed(1)
  several <- emix(x, k = 3, init = "hc", nstart = 3)
  expect_equal(several$start_objective[1L], fit$loglik, tolerance = 1e-12)
})
