# The R side never silently changes the answer: settings and priors are
# checked where they are used, column names are refused when predict()
# could not match them, a failing start does not end a run of several,
# far-away rows give defined predictions, and the sizes of a fit are
# checked before anything is allocated.

faithful_labels <- function() ifelse(faithful$eruptions > 3, 2L, 1L)

# ---- 1. settings and priors are checked where they are used -------------

test_that("an emix_control edited after it was made is checked again", {
  bad <- list(max_iter = -1, tol = NA, reg = -1, rule = "sometimes",
              empty = "keep", threads = 0)
  for (setting in names(bad)) {
    ct <- emix_control()
    ct[[setting]] <- bad[[setting]]
    err <- expect_error(emix(faithful, k = 2, control = ct), class = "emix_error_argument")
    expect_match(conditionMessage(err), sprintf("`control$%s`", setting), fixed = TRUE)
  }
  ct <- emix_control()
  ct$max_iter <- -1
  expect_snapshot(emix(faithful, k = 2, control = ct), error = TRUE)
  ct <- emix_control()
  ct$tol <- NA
  expect_snapshot(emix(faithful, k = 2, method = "vb", control = ct), error = TRUE)
  m <- gibbs(burnin = 5, draws = 5)
  m$thin <- 0
  expect_snapshot(emix(faithful, k = 2, method = m), error = TRUE)
})

test_that("the methods that crashed on an edited max_iter now refuse it", {
  for (method in c("em", "vb", "me", "iem")) {
    ct <- emix_control()
    ct$max_iter <- -1
    expect_error(emix(faithful, k = 2, method = method, init = faithful_labels(), control = ct),
                 "`control$max_iter` must be a single whole number of at least 0", fixed = TRUE,
                 class = "emix_error_argument")
  }
})

test_that("a valid edit gives the fit of the same settings made afresh", {
  ct <- emix_control()
  ct$max_iter <- 3L
  ct$tol <- 0
  edited <- emix(faithful, k = 2, init = faithful_labels(), control = ct)
  fresh <- emix(faithful, k = 2, init = faithful_labels(),
                control = emix_control(max_iter = 3L, tol = 0))
  expect_identical(edited$iter, 3L)
  expect_identical(edited$trace, fresh$trace)
  expect_identical(edited$control, fresh$control)
  # a plain list goes through the same checks, and takes defaults for the rest
  listed <- emix(faithful, k = 2, init = faithful_labels(), control = list(max_iter = 3, tol = 0))
  expect_identical(listed$trace, fresh$trace)
})

test_that("unknown, unnamed, repeated or missing settings are errors naming `control`", {
  ct <- emix_control()
  ct$maxiter <- 5
  expect_error(emix(faithful, k = 2, control = ct), "`control` has unknown settings: `maxiter`",
               class = "emix_error_argument")
  ct <- emix_control()
  ct$reg <- NULL
  expect_error(emix(faithful, k = 2, control = ct), "`control` is missing settings: `reg`",
               class = "emix_error_argument")
  expect_error(emix(faithful, k = 2, control = list(1e-3)), "`control` must have a name for every setting",
               class = "emix_error_argument")
  expect_error(emix(faithful, k = 2, control = list(tol = 1, tol = 2)),
               "`control` has a setting given twice: `tol`", class = "emix_error_argument")
  expect_error(emix(faithful, k = 2, control = "fast"), "`control` must be made by `emix_control()`",
               fixed = TRUE, class = "emix_error_argument")
  ct <- emix_control()
  ct$reg <- NULL
  ct$foo <- 1
  expect_snapshot(emix(faithful, k = 2, control = ct), error = TRUE)
})

test_that("an edited prior is checked again, alone or inside a method", {
  p <- emix_prior()
  p$alpha <- -1
  expect_snapshot(emix(faithful, k = 2, method = vb(prior = p)), error = TRUE)
  m <- vb(prior = emix_prior())
  m$prior$kappa <- 0
  expect_snapshot(emix(faithful, k = 2, method = m), error = TRUE)
  m <- vb(prior = emix_prior())
  m$prior$shape <- 2
  expect_error(emix(faithful, k = 2, method = m),
               "`prior` has unknown settings: `shape`", fixed = TRUE,
               class = "emix_error_argument")
  p <- emix_prior()
  p$mean <- c(NA, 1)
  expect_error(emix(faithful, k = 2, method = me(prior = p)),
               "`prior$mean` must be a numeric vector of finite values", fixed = TRUE,
               class = "emix_error_argument")
  p <- emix_prior()
  p$df <- NULL
  expect_error(emix(faithful, k = 2, method = gibbs(prior = p)),
               "`prior` is missing settings: `df`", fixed = TRUE,
               class = "emix_error_argument")
  m <- vb(prior = emix_prior())
  class(m$prior) <- NULL
  expect_error(emix(faithful, k = 2, method = m),
               "`prior` must be made by `emix_prior()`", fixed = TRUE,
               class = "emix_error_argument")
})

test_that("a valid edited prior gives the fit of the same prior made afresh", {
  p <- emix_prior()
  p$alpha <- 0.5
  edited <- emix(faithful, k = 2, method = vb(prior = p), init = faithful_labels())
  fresh <- emix(faithful, k = 2, method = vb(prior = emix_prior(alpha = 0.5)),
                init = faithful_labels())
  expect_identical(edited$prior$alpha, 0.5)
  expect_identical(edited$objective, fresh$objective)
  expect_true(is.finite(edited$objective))
})

test_that("a bad option emix.threads is an error that names the option", {
  saved <- options(emix.threads = 0)
  on.exit(options(saved), add = TRUE)
  expect_snapshot(emix_control(), error = TRUE)
  err <- expect_error(emix(faithful, k = 2), class = "emix_error_argument")
  expect_match(conditionMessage(err), "options(emix.threads)", fixed = TRUE)
  options(emix.threads = 1)
  expect_identical(emix_control()$threads, 1L)
})

# ---- 2. column names -------------------------------------------------------

test_that("duplicated, empty or NA column names are refused at fit time", {
  x <- as.matrix(faithful)
  colnames(x) <- c("a", "a")
  expect_snapshot(emix(x, k = 2), error = TRUE)
  colnames(x) <- c("a", NA)
  expect_snapshot(emix(x, k = 2), error = TRUE)
  colnames(x) <- c("", "")
  expect_error(emix(x, k = 2), "empty or NA names for column numbers 1, 2",
               class = "emix_error_argument")
  df <- data.frame(faithful, faithful$waiting, check.names = FALSE)
  names(df) <- c("eruptions", "waiting", "waiting")
  expect_error(emix(df, k = 2), "duplicated column names \\(`waiting`\\)",
               class = "emix_error_argument")
})

test_that("a matrix without column names is fitted with x1..xd as before", {
  x <- unname(as.matrix(faithful))
  fit <- emix(x, k = 2, init = faithful_labels())
  named <- emix(as.matrix(faithful), k = 2, init = faithful_labels())
  expect_identical(colnames(fit$x), c("x1", "x2"))
  expect_identical(colnames(fit$mean), c("x1", "x2"))
  expect_identical(unname(fit$mean), unname(named$mean))
  expect_identical(predict(fit, x[1:5, ], type = "posterior"),
                   predict(fit, `colnames<-`(x[1:5, ], c("x1", "x2")), type = "posterior"))
})

test_that("a large matrix without column names is kept as given, not copied to name it", {
  set.seed(11)
  n <- 2e5
  x <- matrix(rnorm(n * 6), n, 6) # more than 1e6 values
  x[, 1] <- x[, 1] + rep(c(0, 6), each = n / 2)
  labels <- rep(1:2, each = n / 2)
  profiling <- capabilities("profmem") # tracemem() needs it
  if (profiling) tracemem(x)
  copies <- capture.output(
    fit <- emix(x, k = 2, model = "EII", init = labels, control = emix_control(tol = 0, max_iter = 2))
  )
  if (profiling) untracemem(x)
  expect_identical(copies, character()) # tracemem() reports every copy of x
  expect_null(colnames(fit$x)) # naming it would have copied it
  expect_identical(fit$x, x)
  expect_identical(colnames(fit$mean), paste0("x", 1:6))
  # the same numbers as the fit to a named copy
  named <- emix(`colnames<-`(x, paste0("x", 1:6)), k = 2, model = "EII", init = labels,
                control = emix_control(tol = 0, max_iter = 2))
  expect_identical(fit$mean, named$mean)
  expect_identical(predict(fit, x[1:3, ], type = "posterior"),
                   predict(named, x[1:3, ], type = "posterior"))
})

# ---- 3. several starts -------------------------------------------------------

test_that("a failing start is recorded and the others go on", {
  x <- two_clusters()
  # the reference: the same starts one at a time, from the same stream
  single <- one_start_at_a_time(x, 10, seed = 1, k = 3, model = "EII", method = "cem",
                                init = "random")
  failed <- vapply(single, inherits, logical(1), "emix_error_degenerate")
  expect_true(any(failed) && !all(failed)) # the case exercises both
  set.seed(1)
  fit <- emix(x, k = 3, model = "EII", method = "cem", init = "random", nstart = 10)
  objective <- vapply(single, function(f) if (inherits(f, "emix")) f$objective else NA_real_,
                      numeric(1))
  expect_identical(fit$start_objective, objective)
  expect_identical(names(fit$start_errors), as.character(which(failed)))
  expect_identical(lapply(fit$start_errors, conditionMessage),
                   stats::setNames(lapply(single[failed], conditionMessage), which(failed)))
  best <- which.max(objective)
  expect_identical(fit$start, best)
  expect_identical(fit$mean, single[[best]]$mean)
  expect_identical(fit$z, single[[best]]$z)
  expect_output(print(fit), sprintf("%d of 10 starts ended in a degenerate component and were set aside (see $start_errors).", sum(failed)),
                fixed = TRUE)
})

test_that("without failures start_errors is NULL and print() says nothing of it", {
  set.seed(2)
  fit <- emix(faithful, k = 2, nstart = 3)
  expect_null(fit$start_errors)
  expect_true("start_errors" %in% names(fit))
  expect_false(anyNA(fit$start_objective))
  expect_false(any(grepl("set aside", capture.output(print(fit)))))
})

test_that("when every start fails the error counts the reasons and keeps the errors", {
  x <- two_clusters()[rep(1:3, 10), ] # three distinct rows
  set.seed(1)
  err <- expect_error(
    emix(x, k = 3, init = "random", nstart = 4, control = emix_control(reg = 0)),
    class = "emix_error_starts"
  )
  expect_s3_class(err, "emix_error_degenerate")
  expect_length(err$errors, 4L)
  expect_true(all(vapply(err$errors, inherits, logical(1), "emix_error_degenerate")))
  expect_match(conditionMessage(err), "^All 4 starts failed: 4 had a collapsed covariance matrix\\.")
  # several reasons, counted and ordered by frequency
  make <- function(code) {
    structure(class = c("emix_error_degenerate", "error", "condition"),
              list(message = sprintf("failure of code %d", code), call = NULL, code = code))
  }
  errors <- stats::setNames(lapply(c(1L, 2L, 1L, 1L, 3L), make), 1:5)
  mixed <- expect_error(emix:::stop_all_starts_failed(errors, 5L), class = "emix_error_starts")
  expect_identical(conditionMessage(mixed), paste(
    "All 5 starts failed: 3 had an empty component, 1 a collapsed covariance matrix,",
    "1 a row of zero density under every component. The first (start 1): failure of code 1"
  ))
  expect_snapshot(
    emix(x, k = 3, init = "random", nstart = 4, control = emix_control(reg = 0)),
    error = TRUE
  )
})

test_that("a single start's error is raised as it is", {
  x <- two_clusters()[rep(1:3, 10), ]
  set.seed(1)
  err <- expect_error(emix(x, k = 3, init = "random", control = emix_control(reg = 0)),
                      class = "emix_error_degenerate")
  expect_false(inherits(err, "emix_error_starts"))
})

test_that("only degenerate starts are caught: other errors pass through", {
  calls <- 0L
  restore <- replace_internal("run_em", function(...) {
    calls <<- calls + 1L
    emix:::stop_arg("x", "was refused by the first start.")
  })
  on.exit(restore(), add = TRUE)
  expect_error(emix(faithful, k = 2, nstart = 5), "was refused by the first start",
               class = "emix_error_argument")
  expect_identical(calls, 1L)
})

test_that("nstart is not preallocated: a huge nstart reaches its first start at once", {
  restore <- replace_internal("start_responsibilities", function(...) {
    stop(structure(class = c("first_start", "error", "condition"),
                   list(message = "first start reached", call = NULL)))
  })
  on.exit(restore(), add = TRUE)
  invisible(gc(reset = TRUE))
  expect_error(emix(faithful, k = 2, nstart = 1e9), class = "first_start")
  used_mb <- sum(gc()[, 6L]) # max used since the reset, Mb
  expect_lt(used_mb, 1000) # numeric(1e9) alone would be 8000 MB
})

# ---- 4. rows far from every component ------------------------------------------

test_that("a far-away finite row gives logdensity -Inf, density 0, NA posterior and class", {
  far <- data.frame(eruptions = c(1e200, 3.5), waiting = c(1e200, 70))
  set.seed(4)
  fits <- list(
    em = emix(~ ., data = faithful, k = 2, init = faithful_labels()),
    vb = emix(~ ., data = faithful, k = 2, method = "vb", init = faithful_labels()),
    gibbs = emix(~ ., data = faithful, k = 2, method = gibbs(burnin = 20, draws = 30),
                 init = faithful_labels())
  )
  for (method in names(fits)) {
    fit <- fits[[method]]
    # every component's quadratic form overflows: the density is 0 in closed form
    expect_true(all(ref_logdens(as.matrix(far[1, ]), fit$mean, fit$sigma) == -Inf))
    logdensity <- predict(fit, far, type = "logdensity")
    density <- predict(fit, far, type = "density")
    posterior <- predict(fit, far, type = "posterior")
    class <- predict(fit, far, type = "class")
    expect_identical(unname(logdensity[1]), -Inf)
    expect_identical(unname(density[1]), 0)
    expect_identical(unname(posterior[1, ]), c(NA_real_, NA_real_))
    expect_identical(unname(class[1]), NA_integer_)
    expect_false(any(is.nan(c(logdensity, density, posterior))))
    # the near row is untouched: the mixture density in plain R
    near <- as.matrix(far[2, ])
    expected <- if (method == "gibbs") {
      per_draw <- vapply(seq_along(fit$draws$loglik), function(s) {
        exp(ref_estep(near, fit$draws$pro[s, ], fit$draws$mean[, , s],
                      fit$draws$sigma[, , , s])$row_loglik)
      }, numeric(1))
      log(mean(per_draw))
    } else {
      ref_estep(near, fit$pro, fit$mean, fit$sigma)$row_loglik
    }
    expect_equal(unname(logdensity[2]), expected, tolerance = 1e-10)
    expect_equal(sum(posterior[2, ]), 1, tolerance = 1e-12)
  }
})

# ---- 6. sizes ------------------------------------------------------------------

test_that("k above the number of rows is refused before anything is allocated", {
  expect_snapshot(emix(faithful, k = .Machine$integer.max), error = TRUE)
  expect_error(emix(faithful[1:5, ], k = 6), "`k` must not exceed the number of rows \\(5\\); k = 6",
               class = "emix_error_argument")
})

test_that("arrays beyond R's vector length limit are refused, with their size", {
  check_sizes <- emix:::check_sizes
  expect_silent(check_sizes(1e6, 10L, 10L))
  expect_error(check_sizes(3e8, 100, 2e7),
               "the 300000000 x 20000000 posterior \\(rows x components\\) would have 6,000,000,000,000,000 elements",
               class = "emix_error_argument")
  expect_error(check_sizes(1e5, 2^22, 2^10),
               "`k` is too large for these data: the 4194304 x 4194304 x 1024 covariance array",
               class = "emix_error_argument")
  expect_error(check_sizes(2^31 - 1, 2L, 2L, draws = 2^22),
               "`method$draws` is too large for these data: the 2147483647 x 4194304 kept labels",
               fixed = TRUE, class = "emix_error_argument")
})

test_that("a large matrix without column names is named x1..xd in messages", {
  # more than 1e6 values: kept unnamed (not copied), named where reported
  set.seed(1)
  x <- matrix(rnorm(250010 * 4), ncol = 4)
  x[250001:250010, ] <- 0 # ten tied rows
  start <- c(rep(1:2, length.out = 250000), rep(3L, 10))
  err <- tryCatch(emix(x, k = 3, init = start, control = emix_control(reg = 0)),
                  emix_error_degenerate = function(e) e)
  expect_s3_class(err, "emix_error_collapsed")
  expect_true(err$variable %in% paste0("x", 1:4))
  expect_match(conditionMessage(err), "`x[1-4]`")
  y <- x
  y[1, 2] <- 1e200 # a variance that overflows
  err <- tryCatch(emix(y, k = 2), emix_error_argument = function(e) e)
  expect_match(conditionMessage(err), "`x2`", fixed = TRUE)
})
