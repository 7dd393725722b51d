# The mixture density in plain R, from the Cholesky factors.
dmvnorm_chol <- function(x, mean, sigma, log = FALSE) {
  r <- chol(sigma)
  u <- backsolve(r, t(sweep(x, 2, mean)), transpose = TRUE)
  out <- -0.5 * colSums(u^2) - sum(log(diag(r))) - 0.5 * ncol(x) * log(2 * pi)
  if (log) out else exp(out)
}

# log(pro[c]) + log phi(x; mean[c, ], sigma[, , c]), one column per component.
log_parts <- function(fit, x) {
  parts <- vapply(seq_along(fit$pro), function(c) {
    log(fit$pro[[c]]) + dmvnorm_chol(x, fit$mean[c, ], fit$sigma[, , c], log = TRUE)
  }, numeric(nrow(x)))
  matrix(parts, nrow(x))
}

log_sum_exp <- function(lp) {
  top <- apply(lp, 1, max)
  top + log(rowSums(exp(lp - top)))
}

mixture_density <- function(fit, x) exp(log_sum_exp(log_parts(fit, x)))

iris_fit <- function(model = "VVV", ...) {
  emix(as.matrix(iris[1:4]), k = 3, model = model, init = as.integer(iris$Species), ...)
}

test_that("without newdata, predict() reproduces the fitted posterior and classes", {
  fit <- emix(~ ., data = faithful, k = 2, init = ifelse(faithful$eruptions > 3, 2, 1))
  expect_equal(predict(fit, type = "posterior"), fit$z, tolerance = 1e-10)
  expect_identical(unname(predict(fit)), fit$classification)
  expect_equal(sum(predict(fit, type = "logdensity")), fit$loglik, tolerance = 1e-12)
})

test_that("the density is the mixture density, for every model", {
  new <- as.matrix(iris[c(1, 25, 60, 77, 120, 149), 1:4])
  new[2, ] <- new[2, ] + c(0.3, -0.2, 0.5, 0.1)
  new <- rbind(new, c(10, 1, 0, 5))
  for (model in c("VVV", "EEE", "VVI", "EEI", "VII", "EII")) {
    fit <- iris_fit(model)
    lp <- log_parts(fit, new)
    logd <- log_sum_exp(lp)
    expect_equal(unname(predict(fit, new, type = "density")), exp(logd), tolerance = 1e-10,
                 label = model)
    expect_equal(unname(predict(fit, new, type = "logdensity")), logd,
                 tolerance = 1e-10, label = model)
    expect_equal(unname(predict(fit, new, type = "posterior")), exp(lp - logd),
                 tolerance = 1e-10, label = model)
    expect_identical(unname(predict(fit, new)), max.col(lp, ties.method = "first"))
  }
})

test_that("the log-density stays finite where the density underflows", {
  fit <- iris_fit("VVV")
  far <- matrix(c(100, -50, 80, 60), 1, dimnames = list(NULL, colnames(fit$x)))
  expect_identical(unname(predict(fit, far, type = "density")), 0)
  logd <- predict(fit, far, type = "logdensity")
  expect_true(is.finite(logd))
  expect_equal(unname(logd), log_sum_exp(log_parts(fit, far)), tolerance = 1e-10)
  expect_equal(sum(predict(fit, far, type = "posterior")), 1)
})

test_that("the columns of newdata are matched by name, or else by position", {
  fit <- iris_fit("VVI")
  new <- iris[c(3, 70, 140), 1:4]
  ref <- predict(fit, new, type = "posterior")
  expect_identical(rownames(ref), c("3", "70", "140"))
  expect_identical(colnames(ref), c("1", "2", "3"))
  expect_equal(predict(fit, new[4:1], type = "posterior"), ref, tolerance = 1e-15)
  expect_equal(predict(fit, as.matrix(new[c(2, 4, 1, 3)]), type = "posterior"), ref,
               tolerance = 1e-15)
  expect_equal(predict(fit, cbind(new, Species = iris$Species[c(3, 70, 140)]),
                       type = "posterior"), ref, tolerance = 1e-15)
  expect_equal(unname(predict(fit, unname(as.matrix(new)), type = "posterior")), unname(ref),
               tolerance = 1e-15)
})

test_that("a fit to a single variable predicts from a vector", {
  fit <- emix(faithful["waiting"], k = 2, init = ifelse(faithful$eruptions > 3, 2, 1))
  at <- c(50, 65, 90)
  expected <- mixture_density(fit, matrix(at))
  expect_equal(predict(fit, at, type = "density"), expected, tolerance = 1e-10)
})

test_that("formula fits evaluate the formula on newdata", {
  lab <- ifelse(faithful$eruptions > 3, 2, 1)
  fit <- emix(~ waiting + eruptions, data = faithful, k = 2, init = lab)
  ref <- emix(as.matrix(faithful[c("waiting", "eruptions")]), k = 2, init = lab)
  new <- data.frame(eruptions = c(1.8, 3.4, 4.6), waiting = c(52, 68, 88), other = "a")
  expect_equal(predict(fit, new, type = "density"), predict(ref, new, type = "density"),
               tolerance = 1e-12)
  expect_identical(predict(fit, new), predict(ref, new))
  expect_equal(predict(fit, as.matrix(new[1:2]), type = "posterior"),
               predict(ref, new, type = "posterior"), tolerance = 1e-12)

  logged <- emix(~ log(eruptions) + waiting, data = faithful, k = 2, init = lab)
  x <- cbind("log(eruptions)" = log(new$eruptions), waiting = new$waiting)
  expect_equal(unname(predict(logged, new, type = "density")),
               mixture_density(logged, x), tolerance = 1e-10)
})

test_that("rows with missing values give NA rows, not fewer rows", {
  fit <- emix(~ ., data = faithful, k = 2, init = ifelse(faithful$eruptions > 3, 2, 1))
  new <- data.frame(eruptions = c(2, NA, 4.5, 3, NaN), waiting = c(55, 70, NA, 75, 60))
  cls <- predict(fit, new)
  expect_identical(unname(is.na(cls)), c(FALSE, TRUE, TRUE, FALSE, TRUE))
  expect_type(cls, "integer")
  post <- predict(fit, new, type = "posterior")
  expect_identical(dim(post), c(5L, 2L))
  expect_true(all(is.na(post[c(2, 3, 5), ])))
  expect_equal(post[c(1, 4), ], predict(fit, new[c(1, 4), ], type = "posterior"),
               tolerance = 1e-15)
  dens <- predict(fit, new, type = "density")
  expect_identical(unname(is.na(dens)), c(FALSE, TRUE, TRUE, FALSE, TRUE))
  all_missing <- predict(fit, new[c(2, 3), ], type = "logdensity")
  expect_true(all(is.na(all_missing)))

  matrix_fit <- iris_fit("EEE")
  m <- as.matrix(iris[1:3, 1:4])
  m[2, 3] <- NA
  m[3, 1] <- Inf
  expect_identical(unname(is.na(predict(matrix_fit, m))), c(FALSE, TRUE, TRUE))
})

test_that("without newdata, rows excluded by na.exclude are padded", {
  d <- faithful
  d$waiting[c(5, 6)] <- NA
  fit <- emix(~ ., data = d, k = 2, init = ifelse(d$eruptions > 3, 2, 1)[-c(5, 6)],
              na.action = na.exclude)
  post <- predict(fit, type = "posterior")
  expect_identical(nrow(post), nrow(d))
  expect_true(all(is.na(post[5:6, ])))
  expect_equal(post[-(5:6), ], fit$z, tolerance = 1e-10)
  expect_length(predict(fit, type = "density"), nrow(d))
})

test_that("predict() rejects bad newdata and type, naming them", {
  fit <- iris_fit("VVV")
  expect_snapshot(error = TRUE, predict(fit, iris[1:3, 1:2]))
  expect_snapshot(error = TRUE, predict(fit, unname(as.matrix(iris[1:3, 1:3]))))
  expect_snapshot(error = TRUE, predict(fit, iris[1:3, 1:4], type = "prob"))
  expect_snapshot(error = TRUE, predict(fit, iris[1:3, 1:4], new_data = iris))
  expect_snapshot(error = TRUE, predict(fit, "a"))
  bad <- iris[1:3, 1:4]
  bad$Sepal.Width <- as.character(bad$Sepal.Width)
  expect_snapshot(error = TRUE, predict(fit, bad))

  formula_fit <- emix(~ ., data = faithful, k = 2, init = ifelse(faithful$eruptions > 3, 2, 1))
  expect_error(predict(formula_fit, data.frame(eruptions = 1)), "`newdata` must hold the variables",
               class = "emix_error_argument")
  expect_error(predict(formula_fit, data.frame(eruptions = 1, waiting = "a")),
               "`newdata` must have numeric variables only",
               class = "emix_error_argument")
})
