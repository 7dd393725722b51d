# The VVV agglomeration of the "hc" start (src/hc_vvv.c, R/select_starts.R),
# against the plain-R criterion (helper-hc-vvv.R) and mclust's hc().

# Three clusters of 10 rows in three variables, of different shapes.
small_clusters <- function() {
  set.seed(21)
  shapes <- list(diag(3), matrix(c(1, 0.9, 0, 0, 0.4, 0, 0, 0, 2), 3), diag(c(0.3, 2, 1)))
  do.call(rbind, lapply(1:3, function(g) {
    matrix(rnorm(30), 10) %*% shapes[[g]] + matrix(3 * g, 10, 3)
  }))
}

test_that("the agglomeration merges as the plain-R criterion, with weights and other alpha, beta", {
  x <- small_clusters()
  set.seed(22)
  cases <- list(
    list(w = NULL, alpha = 1, beta = 1),
    list(w = runif(30, 0.3, 4), alpha = 1, beta = 1),
    list(w = NULL, alpha = 0.2, beta = 3),
    list(w = as.double(sample(1:4, 30, replace = TRUE)), alpha = 5, beta = 0.5)
  )
  for (case in cases) {
    tree <- .Call(C_ffi_hc_vvv, x, case$w, case$alpha, case$beta, 1L)
    ref <- hc_vvv_reference(x, if (is.null(case$w)) rep(1, 30) else case$w, case$alpha, case$beta)
    expect_identical(tree$merge, ref$merge)
    expect_equal(tree$cost, ref$cost, tolerance = 1e-10)
  }
})

test_that("clusters whose determinant is beyond double precision's range merge as the reference", {
  # scaled so far that det(W / n) overflows (1e60) or rounds to 0 (1e-60):
  # the kernel's costs then take the logarithmic form
  x <- small_clusters()
  for (scale in c(1e60, 1e-60)) {
    tree <- .Call(C_ffi_hc_vvv, x * scale, NULL, 1, 1, 1L)
    ref <- hc_vvv_reference(x * scale)
    expect_identical(tree$merge, ref$merge)
    expect_equal(tree$cost, ref$cost, tolerance = 1e-10)
  }
  # a determinant below the normal range (1e-53, with a trace term as
  # small), which a product of the diagonal would keep with few digits
  tree <- .Call(C_ffi_hc_vvv, x * 1e-53, NULL, 1, 1e-300, 1L)
  ref <- hc_vvv_reference(x * 1e-53, beta = 1e-300)
  expect_identical(tree$merge, ref$merge)
  expect_equal(tree$cost, ref$cost, tolerance = 1e-10)
  # a single row far off a cluster's flat direction: the determinant of the
  # join, by the determinant lemma, overflows where its logarithm does not
  set.seed(23)
  flat <- cbind(rnorm(10) * 1e150, rnorm(10))
  other <- cbind(rnorm(10) * 1e150, rnorm(10))
  for (shift in c(1e3, 1e9)) {
    x <- rbind(flat, c(1e152, 1e12), sweep(other, 2L, c(0, shift), "+"))
    tree <- .Call(C_ffi_hc_vvv, x, NULL, 1, 1, 2L)
    ref <- hc_vvv_reference(x)
    expect_identical(tree$merge, ref$merge)
    expect_equal(tree$cost, ref$cost, tolerance = 1e-10)
  }
})

test_that("repeated rows tie, and ties go as in the reference; one variable takes mclust's pair rule", {
  set.seed(23)
  x <- small_clusters()[c(1:24, 2, 2, 5, 13, 13, 13), ]
  tree <- .Call(C_ffi_hc_vvv, x, NULL, 1, 1, 1L)
  ref <- hc_vvv_reference(x)
  expect_identical(tree$merge, ref$merge)
  expect_equal(tree$cost, ref$cost, tolerance = 1e-10)
  # the first merges are copies of row 13: a pair, then a third (both
  # clusters of at most d = 3 rows and no scatter, so n log(beta a / n))
  expect_equal(tree$cost[1:2], c(2 * log(1 / 2), 3 * log(1 / 3) - 2 * log(1 / 2)),
               tolerance = 1e-14)
  expect_identical(tree$merge[1:2, ], matrix(c(29L, 28L, 30L, 29L), 2))
  # one variable: clusters of more than one row have a determinant
  x <- matrix(c(rnorm(20), rnorm(12, 5, 2)))
  tree <- .Call(C_ffi_hc_vvv, x, NULL, 1, 1, 1L)
  ref <- hc_vvv_reference(x)
  expect_identical(tree$merge, ref$merge)
  expect_equal(tree$cost, ref$cost, tolerance = 1e-10)
})

test_that("the partitions at k = 2..9 are mclust's hc(modelName = \"VVV\", use = \"SVD\")", {
  skip_if_not_installed("mclust")
  set.seed(24)
  simulated <- rbind(matrix(rnorm(240), 120) %*% matrix(c(1, 0.8, 0, 0.5), 2),
                     matrix(rnorm(160, 3), 80), matrix(rnorm(100, c(-3, 4)), 50, byrow = TRUE))
  sets <- list(faithful = as.matrix(faithful), iris = as.matrix(iris[1:4]),
               USArrests = as.matrix(USArrests), swiss = as.matrix(swiss),
               simulated = simulated)
  # mclust's hc() evaluates its hcVVV() in the caller's frame
  hcVVV <- mclust::hcVVV
  for (x in sets) {
    tree <- mclust::hc(x, modelName = "VVV", use = "SVD")
    classes <- mclust::hclass(tree, 2:9)
    starts <- selection_starts(x, 2:9, "hc", NULL, emix_control())
    for (q in 1:8) {
      expect_true(same_partition(starts[[q]], classes[, q]))
    }
    # mclust's coordinates (up to the signs of the axes), and its every merge
    z <- hc_coordinates_of(x)
    expect_equal(abs(unname(z)), abs(unname(attr(tree, "data"))), tolerance = 1e-10)
    expect_identical(.Call(C_ffi_hc_vvv, z, NULL, 1, 1, 1L)$merge, mclust_merges(tree))
  }
})

test_that("alpha and beta regularise as in mclust's hcVVV()", {
  skip_if_not_installed("mclust")
  z <- hc_coordinates_of(small_clusters())
  for (ab in list(c(0.5, 2), c(3, 0.2), c(0, 1))) {
    expect_identical(.Call(C_ffi_hc_vvv, z, NULL, ab[1], ab[2], 1L)$merge,
                     mclust_merges(mclust::hcVVV(z, alpha = ab[1], beta = ab[2])))
  }
})

test_that("integer weights give the tree of the repeated rows whose copies start as one cluster", {
  skip_if_not_installed("mclust")
  set.seed(25)
  x <- as.matrix(swiss)
  w <- sample(1:3, nrow(x), replace = TRUE)
  copies <- rep(seq_len(nrow(x)), w)
  # the coordinates of the repeated rows
  expect_equal(abs(hc_coordinates_of(x, w)[copies, ]), abs(hc_coordinates_of(x[copies, ])),
               tolerance = 1e-10)
  weighted <- selection_starts(x, 2:9, "hc", w, emix_control())
  classes <- mclust::hclass(mclust::hcVVV(hc_coordinates_of(x[copies, ]), partition = copies), 2:9)
  for (q in 1:8) {
    expect_true(same_partition(weighted[[q]][copies], classes[, q]))
  }
})

test_that("the start is deterministic and gives valid labels; k = 1 needs no tree", {
  x <- as.matrix(iris[1:4])
  a <- selection_starts(x, 1:5, "hc", NULL, emix_control())
  set.seed(99)
  expect_identical(selection_starts(x, 1:5, "hc", NULL, emix_control()), a)
  for (k in 1:5) {
    labels <- a[[k]]
    expect_true(is.integer(labels) && length(labels) == 150 && all(tabulate(labels, k) > 0))
  }
  expect_identical(hc_start(x[1:2, ], 1L, NULL), list(c(1L, 1L)))
  # a variable constant on the rows agglomerated (a subset can have one,
  # where the data have none) is dropped, as mclust drops it
  expect_equal(hc_coordinates_of(cbind(x, 7)), hc_coordinates_of(x), tolerance = 1e-12)
})

test_that("bad input is a classed error, and the kernel refuses what would read out of bounds", {
  x <- as.matrix(faithful)
  e <- expect_error(selection_starts(x, 2, "hc", rep(1 / 272, 272), emix_control()),
                    class = "emix_error_argument")
  expect_identical(e$argument, "weights")
  expect_match(conditionMessage(e), "more than 1")
  e <- expect_error(emix(x, k = 2, init = "hc", weights = rep(0.001, 272)),
                    class = "emix_error_argument")
  expect_identical(e$argument, "weights")
  expect_error(.Call(C_ffi_hc_vvv, x, rep(0, 272), 1, 1, 2L), "positive")
  expect_error(.Call(C_ffi_hc_vvv, x, NULL, 1, 1, 273L), "ks")
  expect_error(.Call(C_ffi_hc_vvv, x, NULL, 1, 1, 2), "ks")
  expect_error(.Call(C_ffi_hc_vvv, x, NULL, -1, 1, 2L), "alpha")
  expect_error(.Call(C_ffi_hc_vvv, x, NULL, 1, 0, 2L), "beta")
  expect_error(.Call(C_ffi_hc_vvv, x, 1:3 + 0, 1, 1, 2L))
})
