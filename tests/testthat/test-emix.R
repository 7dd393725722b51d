test_that("the formula and matrix interfaces give the same fit", {
  lab <- ifelse(faithful$eruptions > 3, 2L, 1L)
  a <- emix(~ ., data = faithful, k = 2, init = lab)
  b <- emix(as.matrix(faithful), k = 2, init = lab)
  c <- emix(faithful, k = 2, init = lab)
  expect_equal(a$loglik, b$loglik, tolerance = 1e-14)
  expect_equal(a$mean, b$mean, tolerance = 1e-14)
  expect_equal(c$sigma, b$sigma, tolerance = 1e-14)
  expect_identical(colnames(a$mean), c("eruptions", "waiting"))
  expect_s3_class(a$terms, "terms")
  expect_null(b$terms)
})

test_that("the formula selects variables and records the call", {
  fit <- emix(~ Sepal.Length + Petal.Width, data = iris, k = 3, model = "VVI",
              init = as.integer(iris$Species))
  expect_identical(colnames(fit$mean), c("Sepal.Length", "Petal.Width"))
  expect_identical(fit$model, "VVI")
  expect_identical(fit$call[[1]], as.name("emix"))
  ref <- emix(as.matrix(iris[c("Sepal.Length", "Petal.Width")]), k = 3, model = "VVI",
              init = as.integer(iris$Species))
  expect_equal(fit$loglik, ref$loglik, tolerance = 1e-14)
})

test_that("model aliases are mclust's models", {
  x <- as.matrix(iris[1:4])
  lab <- as.integer(iris$Species)
  pairs <- c(spherical = "VII", diag = "VVI", tied = "EEE", full = "VVV")
  for (alias in names(pairs)) {
    a <- emix(x, k = 3, model = alias, init = lab)
    b <- emix(x, k = 3, model = pairs[[alias]], init = lab)
    expect_identical(a$model, pairs[[alias]])
    expect_identical(a$loglik, b$loglik)
  }
})

test_that("subset and weights are evaluated in data", {
  d <- transform(faithful, w = rep(1:2, length.out = nrow(faithful)))
  lab <- ifelse(d$eruptions > 3, 2L, 1L)
  keep <- d$waiting > 50
  a <- emix(~ eruptions + waiting, data = d, k = 2, weights = w, subset = waiting > 50,
            init = lab[keep])
  b <- emix(as.matrix(faithful[keep, ]), k = 2, weights = d$w[keep], init = lab[keep])
  expect_equal(a$loglik, b$loglik, tolerance = 1e-14)
  expect_identical(a$n, sum(keep))
  expect_equal(a$weights, d$w[keep])
})

test_that("na.action removes incomplete rows, and the default matrix path refuses NA", {
  d <- faithful
  d$eruptions[c(3, 10)] <- NA
  d$waiting[20] <- NaN
  fit <- emix(~ ., data = d, k = 2, init = "kmeans++")
  expect_identical(fit$n, nrow(d) - 3L)
  expect_identical(as.integer(fit$na.action), c(3L, 10L, 20L))
  expect_error(emix(~ ., data = d, k = 2, na.action = na.fail), "missing values")
  expect_error(emix(as.matrix(d), k = 2), "row 3 of `eruptions` is NA", class = "emix_error_argument")
})

test_that("the formula interface refuses what it cannot fit", {
  expect_snapshot(error = TRUE, emix(~ ., data = iris, k = 3))
  expect_snapshot(error = TRUE, emix(Sepal.Length ~ ., data = iris, k = 3))
  d <- faithful
  d$waiting[4] <- Inf
  expect_snapshot(error = TRUE, emix(~ ., data = d, k = 2))
})

test_that("update() refits with changed arguments", {
  fit <- emix(~ ., data = faithful, k = 2, init = ifelse(faithful$eruptions > 3, 2L, 1L))
  refit <- update(fit, model = "EEE")
  direct <- emix(~ ., data = faithful, k = 2, model = "EEE",
                 init = ifelse(faithful$eruptions > 3, 2L, 1L))
  expect_identical(refit$model, "EEE")
  expect_equal(refit$loglik, direct$loglik, tolerance = 1e-14)
})
