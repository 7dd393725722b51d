# Runs a plotting call on a null device and returns its value and visibility.
on_null_device <- function(code) {
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  withVisible(code)
}

faithful_labels <- function() ifelse(faithful$eruptions > 3, 2, 1)

test_that("every plot of a two-variable fit is drawn and returns the fit invisibly", {
  fit <- emix(~ ., data = faithful, k = 2, init = faithful_labels())
  for (which in c("loglik", "classification", "density")) {
    res <- on_null_device(plot(fit, which = which))
    expect_false(res$visible)
    expect_identical(res$value, fit)
  }
  expect_silent(on_null_device(plot(fit)))
})

test_that("one variable: a strip chart and a histogram with the density", {
  fit <- emix(~ waiting, data = faithful, k = 2, init = faithful_labels())
  expect_silent(on_null_device(plot(fit, which = "classification")))
  expect_silent(on_null_device(plot(fit, which = "density")))
  weighted <- emix(faithful["waiting"], k = 2, init = faithful_labels(),
                   weights = rep(c(0.5, 3), length.out = nrow(faithful)))
  expect_silent(on_null_device(plot(weighted, which = "density", main = "weighted")))
})

test_that("more variables: a scatter plot matrix, and no density plot", {
  fit <- emix(iris[1:4], k = 3, init = as.integer(iris$Species))
  expect_silent(on_null_device(plot(fit, which = "classification")))
  expect_silent(on_null_device(plot(fit, which = "loglik")))
  expect_snapshot(error = TRUE, on_null_device(plot(fit, which = "density")))
})

test_that("graphical parameters override the defaults", {
  fit <- emix(~ ., data = faithful, k = 2, init = faithful_labels())
  expect_silent(on_null_device(plot(fit, which = "loglik", main = "Trace", xlab = "step")))
  expect_silent(on_null_device(plot(fit, which = "classification", pch = 20)))
  expect_silent(on_null_device(plot(fit, which = "density", nlevels = 5)))
})

# The names of the graphics operations a plotting call records.
drawn_operations <- function(code) {
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  grDevices::dev.control("enable")
  code
  ops <- grDevices::recordPlot()[[1]]
  vapply(ops, function(op) {
    routine <- op[[2]][[1]]
    if (is.list(routine) && is.character(routine$name)) routine$name else ""
  }, character(1))
}

test_that("the trace plot marks where components were dropped", {
  fit <- emix(~ ., data = faithful, k = 2, init = faithful_labels())
  expect_false("C_abline" %in% drawn_operations(plot(fit, which = "loglik")))
  fit$trace$k <- c(3L, 3L, rep(2L, nrow(fit$trace) - 2L))
  ops <- drawn_operations(plot(fit, which = "loglik"))
  expect_true("C_abline" %in% ops)
  expect_true("C_text" %in% ops)
})

test_that("plot() rejects an unknown `which`", {
  fit <- emix(~ ., data = faithful, k = 2, init = faithful_labels())
  expect_snapshot(error = TRUE, plot(fit, which = "residuals"))
})
