x_faithful <- as.matrix(faithful)
lab_faithful <- ifelse(faithful$eruptions > 3, 2L, 1L)

test_that("bad data are refused with the argument named", {
  x <- x_faithful
  x[5, 2] <- NA
  expect_snapshot(error = TRUE, emix(x, k = 2))
  x[5, 2] <- Inf
  expect_snapshot(error = TRUE, emix(x, k = 2))
  x[5, 2] <- NaN
  expect_snapshot(error = TRUE, emix(x, k = 2))
  expect_snapshot(error = TRUE, emix(iris, k = 3))
  expect_snapshot(error = TRUE, emix(letters, k = 2))
  expect_snapshot(error = TRUE, emix(cbind(a = rnorm(10), b = 1), k = 2))
})

test_that("bad k, model, method and nstart are refused", {
  expect_snapshot(error = TRUE, emix(x_faithful, k = 0))
  expect_snapshot(error = TRUE, emix(x_faithful, k = 1.5))
  expect_snapshot(error = TRUE, emix(cbind(c(1, 1, 2, 2, 3, 3)), k = 4))
  expect_snapshot(error = TRUE, emix(x_faithful, k = 2, model = "VXV"))
  expect_snapshot(error = TRUE, emix(x_faithful, k = 2, method = "bayes"))
  expect_snapshot(error = TRUE, emix(x_faithful, k = 2, method = "vb", model = "EEE"))
  expect_snapshot(error = TRUE, emix(x_faithful, k = 2, nstart = 0))
  expect_snapshot(error = TRUE, emix(x_faithful, k = 2, init = lab_faithful, nstart = 2))
  expect_snapshot(error = TRUE, emix(x_faithful, k = 2, modle = "VVV"))
})

test_that("k may equal but not exceed the number of distinct rows", {
  x <- cbind(c(1, 1, 2, 2, 3, 3))
  expect_error(emix(x, k = 4), class = "emix_error_argument")
  # three distinct rows, so k = 3 is allowed (and then collapses)
  expect_error(emix(x, k = 3, model = "VII", control = emix_control(reg = 0)),
               class = "emix_error_degenerate")
  # a zero weight removes a row from the count
  expect_error(emix(x, k = 3, weights = c(1, 1, 1, 1, 0, 0)), "distinct rows",
               class = "emix_error_argument")
  # the count of distinct rows is unique()'s, ties in any column included
  set.seed(3)
  for (trial in 1:50) {
    m <- matrix(sample(c(-1, 0, -0, 0.5, 2), sample(1:40, 1L) * 3L, replace = TRUE), ncol = 3L)
    expect_identical(emix:::distinct_rows(m), nrow(unique(m)))
  }
  expect_identical(emix:::distinct_rows(matrix(0, 0L, 2L)), 0L)
})

test_that("bad weights are refused", {
  n <- nrow(x_faithful)
  expect_snapshot(error = TRUE, emix(x_faithful, k = 2, weights = rep(1, n - 1)))
  expect_snapshot(error = TRUE, emix(x_faithful, k = 2, weights = c(-1, rep(1, n - 1))))
  expect_snapshot(error = TRUE, emix(x_faithful, k = 2, weights = c(NA, rep(1, n - 1))))
  expect_snapshot(error = TRUE, emix(x_faithful, k = 2, weights = rep(0, n)))
})

test_that("bad starts are refused", {
  n <- nrow(x_faithful)
  expect_snapshot(error = TRUE, emix(x_faithful, k = 2, init = lab_faithful[-1]))
  expect_snapshot(error = TRUE, emix(x_faithful, k = 2, init = replace(lab_faithful, 1, 3L)))
  expect_snapshot(error = TRUE, emix(x_faithful, k = 3, init = lab_faithful))
  expect_snapshot(error = TRUE, emix(x_faithful, k = 2, init = matrix(0.5, n, 3)))
  expect_snapshot(error = TRUE, emix(x_faithful, k = 2, init = matrix(0.4, n, 2)))
  expect_snapshot(error = TRUE, emix(x_faithful, k = 2, init = "hclust"))
})

test_that("a labels start and the same one-hot matrix give the same fit", {
  z0 <- cbind(lab_faithful == 1, lab_faithful == 2) * 1
  a <- emix(x_faithful, k = 2, init = lab_faithful)
  b <- emix(x_faithful, k = 2, init = z0)
  expect_equal(a$loglik, b$loglik, tolerance = 1e-14)
  expect_equal(a$mean, b$mean, tolerance = 1e-14)
})

test_that("set.seed() makes random starts reproducible, and nstart keeps the best", {
  x <- as.matrix(iris[1:4])
  set.seed(42)
  a <- emix(x, k = 3, init = "random", nstart = 4)
  set.seed(42)
  b <- emix(x, k = 3, init = "random", nstart = 4)
  expect_identical(a$loglik, b$loglik)
  expect_length(a$start_objective, 4L)
  expect_identical(a$loglik, max(a$start_objective))
  expect_identical(a$start, which.max(a$start_objective))
})

test_that("a collapsing component is an error that names it", {
  # five points on a line and a far cluster: VVV cannot hold the line
  set.seed(3)
  x <- rbind(cbind(1:5, 2 * (1:5)), matrix(rnorm(60, 20), 30))
  lab <- rep(1:2, c(5, 30))
  err <- tryCatch(emix(x, k = 2, init = lab, control = emix_control(reg = 0)),
                  error = function(e) e)
  expect_s3_class(err, "emix_error_degenerate")
  expect_identical(err$component, 1L)
  expect_identical(err$iteration, 0L)
  # a ridge does not hide it: the data add nothing to the ridge across the
  # line, whichever variable comes first
  for (columns in list(1:2, 2:1)) {
    err <- tryCatch(emix(x[, columns], k = 2, init = lab, control = emix_control(reg = 1e-3)),
                    error = function(e) e)
    expect_s3_class(err, "emix_error_collapsed")
    expect_identical(err$component, 1L)
  }
})

test_that("the collapse message says what happened and what to try", {
  set.seed(3)
  x <- rbind(cbind(1:5, 2 * (1:5)), matrix(rnorm(60, 20), 30))
  lab <- rep(1:2, c(5, 30))
  expect_snapshot(error = TRUE, emix(x, k = 2, init = lab, control = emix_control(reg = 0)))
})

test_that("a shared covariance that collapses is reported as shared", {
  x <- cbind(c(1:10, 21:30), 0.5 * c(1:10, 21:30))
  expect_snapshot(error = TRUE,
                  emix(x, k = 2, model = "EEE", init = rep(1:2, each = 10),
                       control = emix_control(reg = 0)))
})

test_that("empty = 'drop' removes a degenerate component and goes on", {
  set.seed(3)
  x <- rbind(cbind(1:5, 2 * (1:5)), matrix(rnorm(60, 20), 30), matrix(rnorm(60, -20), 30))
  lab <- rep(1:3, c(5, 30, 30))
  fit <- emix(x, k = 3, init = lab, control = emix_control(reg = 0, empty = "drop"))
  expect_identical(fit$k, 2L)
  expect_identical(fit$dropped, 1L)
  expect_identical(dim(fit$z), c(nrow(x), 2L))
  expect_identical(fit$trace$k[1], 2L)
  # the points of the dropped component went to the nearer remaining
  # component (the cluster around 20), and the result is the fit from that
  # start with two components
  z0 <- matrix(0, nrow(x), 2)
  z0[1:35, 1] <- 1
  z0[36:65, 2] <- 1
  ref <- emix(x, k = 2, init = z0, control = emix_control(reg = 0))
  expect_equal(fit$loglik, ref$loglik, tolerance = 1e-10)
  expect_equal(fit$mean, ref$mean, tolerance = 1e-8)
})

test_that("a drop in the middle of EM keeps a continuous trace", {
  # a third component starts on three collinear points and two points of
  # the second cluster; as it gives those two back it collapses onto the line
  set.seed(11)
  x <- rbind(matrix(rnorm(200), 100), matrix(rnorm(200, 6), 100),
             cbind(c(30, 31, 32), c(30, 32, 34)))
  lab <- c(rep(1L, 100), rep(2L, 98), rep(3L, 5))
  err <- tryCatch(emix(x, k = 3, init = lab, control = emix_control(reg = 0)),
                  error = function(e) e)
  expect_s3_class(err, "emix_error_degenerate")
  expect_identical(err$component, 3L)
  expect_gt(err$iteration, 1L)
  fit <- emix(x, k = 3, init = lab, control = emix_control(reg = 0, empty = "drop"))
  expect_identical(fit$k, 2L)
  expect_identical(fit$trace$iter, seq_len(nrow(fit$trace)) - 1L)
  expect_identical(fit$trace$k, rep(3:2, c(err$iteration, nrow(fit$trace) - err$iteration)))
  expect_true(is.na(fit$trace$change[err$iteration + 1L]))
  expect_identical(fit$iter, max(fit$trace$iter))
  # within each stretch of constant k the log-likelihood never falls
  expect_true(all(fit$trace$change >= -1e-9, na.rm = TRUE))
})

test_that("a row far from every component is not turned into NaN", {
  x <- rbind(x_faithful, c(1e5, -1e5))
  # (a shared covariance: with its own, the far row would end up alone in
  # a component, which is degenerate)
  fit <- emix(x, k = 2, init = c(lab_faithful, 2L), model = "EEE")
  expect_true(is.finite(fit$loglik))
  expect_false(anyNA(fit$z))
})

test_that("random starts work on data far from the origin", {
  set.seed(5)
  x <- cbind(a = 1e9 + c(rnorm(50), rnorm(50, 8)), b = rnorm(100))
  truth <- rep(1:2, each = 50)
  for (init in c("kmeans++", "random")) {
    set.seed(6)
    fit <- emix(x, k = 2, init = init, nstart = 3)
    # the two clusters are found, whichever label each gets
    expect_identical(length(unique(paste(fit$classification, truth))), 2L, info = init)
    expect_equal(sort(as.numeric(fit$pro)), c(0.5, 0.5), tolerance = 1e-6, info = init)
  }
})

test_that("random starts skip rows of weight zero, even as first copies", {
  # (the second row of each pair keeps the components from sitting on a point)
  x <- rbind(c(0, 0), c(0, 0), c(0.2, 0.1), c(1, 1), c(1, 1), c(1.1, 1.2))
  fit <- emix(x, k = 2, init = "random", weights = c(0, 1, 1, 0, 1, 1), model = "EII",
              control = emix_control(reg = 1e-3))
  expect_equal(as.numeric(fit$pro), c(0.5, 0.5))
})

test_that("counts must be finite whole numbers within range", {
  expect_error(emix(x_faithful, k = Inf), "`k` must be", class = "emix_error_argument")
  expect_error(emix_control(max_iter = Inf), "`max_iter`", class = "emix_error_argument")
  expect_error(emix_control(threads = 3e9), "`threads`", class = "emix_error_argument")
})

test_that("a NaN log-density in any column gives a NaN row, not a number", {
  got <- gaussian_estep(matrix(0:2, 3, 1), c(0.5, 0.5), matrix(c(0, NaN), 2, 1),
                        array(1, c(1, 1, 2)), "VVI", threads = 1)
  expect_true(all(is.nan(got$row_loglik)))
})

test_that("a centre that loses its rows takes one without emptying another", {
  # centres 1 and 3 coincide: the tie gives the single row at 0 to centre 1,
  # and centre 3, empty, must not take that row away again
  x <- cbind(c(0, 10, 10.1, 10.2))
  labels <- .Call(C_ffi_kmeans_lloyd, x, NULL, 1, cbind(c(0, 10, 0)), 0L, 1L)$labels
  expect_identical(tabulate(labels, 3), c(1L, 2L, 1L))
  expect_identical(labels[1], 1L)
})
