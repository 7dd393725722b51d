# Malformed arguments, generated from a fixed seed: every call must end in
# a classed emix error (public functions), an R error (the .Call routines
# called directly) or a sound result, never in a crash. Run under
# `make sanitize`, the routines' memory accesses are checked as well.

# Values that are wrong for most arguments.
fuzz_pool <- list(
  NULL, NA, NA_integer_, NA_real_, NaN, Inf, -Inf, -1, 0, 0.5, -0.5, 1e300, -1e300,
  .Machine$integer.max, -.Machine$integer.max, 2^31, 1e-300, 3L, "a", character(0), TRUE,
  numeric(0), integer(0), c(1, NA), list(), list(1), list(a = 1), matrix(1, 2, 2),
  matrix("a", 2, 2), array(1, c(2, 2, 2)), factor("a"), complex(real = 1, imaginary = 1),
  data.frame(a = 1:3), function(x) x, quote(x), as.Date("2020-01-01")
)

# A malformed version of a valid value v: shorter, longer, negated, with an
# NA or a huge element, of another type, without its dimensions, transposed.
fuzz_mutate <- function(v) {
  if (is.list(v) && !is.data.frame(v) && length(v) > 0L) {
    i <- sample.int(length(v), 1L)
    return(switch(sample.int(4L, 1L),
      v[-i],                                      # a field missing
      replace(v, i, list(fuzz_mutate(v[[i]]))),   # a field malformed
      unname(v),
      { names(v)[i] <- "zzz"; v }
    ))
  }
  if (is.null(v) || length(v) == 0L || is.function(v)) {
    return(sample(fuzz_pool, 1L)[[1L]])
  }
  m <- switch(sample.int(10L, 1L),
    if (is.matrix(v)) v[-1L, , drop = FALSE] else v[-1L],
    c(v, v),
    if (is.numeric(v)) -v else rev(v),
    replace(v, 1L, NA),
    if (is.numeric(v)) replace(v, 1L, .Machine$integer.max) else replace(v, 1L, "zz"),
    if (is.numeric(v)) replace(v, 1L, 1e308) else NA,
    as.character(v),
    as.vector(v),
    if (is.matrix(v)) t(v) else as.integer(v) * 3L,
    if (is.double(v)) suppressWarnings(as.integer(v)) else as.double(v) + 0.5
  )
  m
}

fuzz_value <- function(valid) {
  if (runif(1) < 0.5) {
    return(sample(fuzz_pool, 1L)[[1L]])
  }
  # some mutations do not apply to some values (a data frame cannot be
  # made double): then a value from the pool
  tryCatch(suppressWarnings(fuzz_mutate(valid)), error = function(e) sample(fuzz_pool, 1L)[[1L]])
}

# "ok", "classed", or the message of an unclassed error.
fuzz_outcome <- function(expr_fun) {
  tryCatch(
    suppressWarnings({
      value <- expr_fun()
      if (inherits(value, "emix")) {
        stopifnot(is.finite(value$loglik), abs(sum(value$pro) - 1) < 1e-10)
      }
      "ok"
    }),
    emix_error_argument = function(e) "classed",
    emix_error_degenerate = function(e) "classed",
    error = function(e) paste("unclassed:", conditionMessage(e))
  )
}

test_that("the crash cases end in an error or a fit", {
  x <- as.matrix(faithful)
  fit <- emix(faithful, k = 2, method = iem(blocks = .Machine$integer.max))
  expect_true(is.finite(fit$loglik))
  expect_equal(sum(fit$pro), 1)
  fit <- emix(faithful, k = 2, method = iem(blocks = .Machine$integer.max - 100L))
  expect_true(is.finite(fit$loglik))
  fit <- emix(faithful, k = 2, control = emix_control(max_iter = 2e9))
  expect_true(fit$converged)
  a <- adapter_args()
  expect_error(call_adapter("run", a, list(labels = replace(a$labels, 1, 9L))), "start")
  expect_error(call_adapter("run", a, list(k = 0L)), "'k'")
  core <- a$core
  core$max_iter <- -1L
  expect_error(call_adapter("run", a, list(core = core)), "max_iter")
  expect_error(call_adapter("run", a, list(w = c(1, 2))), "weights")
  expect_error(call_adapter("mstep", a, list(z = a$z[1:5, ])), "'z'")
  expect_error(call_adapter("gibbs", a, list(labels = replace(a$labels, 3, 3L))), "start")
  expect_error(call_adapter("draw", a, list(u = 0.5)), "'u'")
})

test_that("the .Call routines give an R error or a sound result for malformed arguments", {
  set.seed(20261130)
  a <- adapter_args()
  a$threads <- 1L
  a$log_weight <- rep(-log(2), 2)
  problems <- character(0)
  for (case in seq_len(500)) {
    name <- sample(names(adapter_routines), 1L)
    arg <- sample(adapter_routines[[name]]$args, 1L)
    bad <- fuzz_value(a[[arg]])
    res <- tryCatch(suppressWarnings(call_adapter(name, a, setNames(list(bad), arg))),
                    error = function(e) NULL)
    problem <- if (is.null(res)) NULL else adapter_result_problem(res, name)
    if (!is.null(problem)) {
      problems <- c(problems, sprintf("case %d, %s(%s = %s): %s", case, name, arg,
                                      paste(deparse(bad, nlines = 1L), collapse = ""), problem))
    }
  }
  expect_identical(problems, character(0))
})

test_that("the public functions give a classed error or a sound result for malformed arguments", {
  x <- as.matrix(faithful)
  small <- emix_control(max_iter = 50)
  fit <- emix(x, k = 2, init = ifelse(x[, 1] > 3, 2L, 1L))
  gibbs_fit <- emix(x, k = 2, method = gibbs(burnin = 5, draws = 10))
  valid <- list(
    emix = list(x = x, k = 2, model = "VVV", method = "em", weights = rep(1, nrow(x)),
                init = "kmeans++", nstart = 1L, control = small, noise = TRUE,
                noise_volume = 1000),
    formula = list(formula = ~ eruptions + waiting, data = faithful, k = 2,
                   weights = rep(1, nrow(faithful)), subset = seq_len(200),
                   na.action = na.omit, method = "em", control = small, noise = TRUE,
                   noise_volume = 1000),
    control = list(tol = 1e-8, max_iter = 10, rule = "mean", reg = 1e-6, empty = "error",
                   threads = 1L, seeds = 3L),
    iem = list(blocks = 10L),
    gibbs = list(prior = emix_prior(), burnin = 5L, draws = 10L, thin = 1L),
    prior = list(alpha = 1, kappa = 1, mean = c(3, 70), df = 3, scale = diag(c(1, 100))),
    predict = list(object = fit, newdata = faithful[1:5, ], type = "class"),
    simulate = list(object = fit, nsim = 2, seed = 1),
    coclustering = list(object = gibbs_fit, rows = 1:10)
  )
  call_public <- function(target, args) {
    switch(target,
      emix = function() do.call(emix, args),
      formula = function() do.call(emix, args),
      control = function() do.call(emix_control, args),
      # a method's settings are checked when it is made, its prior in the fit
      iem = function() emix(x, k = 2, method = do.call(iem, args)),
      gibbs = function() emix(x, k = 2, method = do.call(gibbs, args)),
      # a prior is checked when made, and again against the data of a fit
      prior = function() {
        emix(x, k = 2, method = vb(prior = do.call(emix_prior, args)))
      },
      predict = function() do.call(predict, args),
      simulate = function() do.call(simulate, args),
      coclustering = function() do.call(coclustering, args)
    )
  }
  set.seed(20261201)
  # the method objects, which the fuzz also malforms field by field
  methods <- list(em = em(), cem = cem(), sem = sem(), iem = iem(), vb = vb(), me = me(),
                  gibbs = gibbs(burnin = 5, draws = 10))
  unclassed <- character(0)
  for (case in seq_len(250)) {
    target <- sample(names(valid), 1L)
    args <- valid[[target]]
    if (target %in% c("emix", "formula")) {
      method <- sample(names(methods), 1L)
      args$method <- methods[[method]]
      if (method %in% c("vb", "me", "gibbs")) args$weights <- NULL
      # the noise component (em, cem, sem, iem) in half of its cases
      if (method %in% c("vb", "me", "gibbs") || runif(1) < 0.5) {
        args$noise <- NULL
        args$noise_volume <- NULL
      }
    }
    # predict() and simulate() dispatch on `object`: another object never
    # reaches emix; a fit is not mutated field by field (that is corruption,
    # not an argument)
    arg <- sample(setdiff(names(args), if (target %in% c("predict", "simulate")) "object"), 1L)
    bad <- if (arg == "object") sample(fuzz_pool, 1L)[[1L]] else fuzz_value(args[[arg]])
    # a count beyond a few thousand is valid, only slow: not what is tested
    if (arg %in% c("nstart", "nsim") && is.numeric(bad) && length(bad) == 1L &&
        isTRUE(bad > 100)) {
      next
    }
    args[arg] <- list(bad)
    outcome <- fuzz_outcome(call_public(target, args))
    if (startsWith(outcome, "unclassed")) {
      unclassed <- c(unclassed, sprintf("case %d, %s(%s = %s [method %s]): %s", case, target, arg,
                                        paste(deparse(bad, nlines = 1L), collapse = ""),
                                        if (is.null(args$method$name)) "-" else args$method$name,
                                        outcome))
    }
  }
  if (nzchar(Sys.getenv("EMIX_FUZZ_LOG"))) writeLines(unclassed, Sys.getenv("EMIX_FUZZ_LOG"))
  expect_identical(unclassed, character(0))
})
