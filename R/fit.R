# The matrix-level fitter: the family checks the data and the arguments and
# makes the starts; the compiled loop runs once per start; the best fit is
# kept and put in the family's canonical order.
emix_fit <- function(x, k, family, method = "em", weights = NULL, init = "kmeans++",
                     nstart = 1L, control = emix_control()) {
  # the method object's settings; `method` is its name from here on
  method_object <- as_emix_method(method)
  method <- method_object$name
  control <- as_emix_control(control)
  nstart <- check_count(nstart, "nstart")
  if (!is.null(k)) k <- check_count(k, "k") # before any arithmetic on it
  if (method_object$bayesian && !family$c_name %in% conjugate_families()) {
    stop_arg("method", sprintf(
      "\"%s\" needs a family with a conjugate prior (%s); the %s family has none. Use \"em\", \"cem\", \"sem\" or \"iem\".",
      method, paste0("`", conjugate_families(), "_mix()`", collapse = ", "), family$name
    ))
  }
  prep <- family$prepare(family, x, k, weights, init, nstart, method_object, control)
  prep$method <- method_object
  k <- prep$k
  if (method_object$loop == "gibbs" && !is.null(prep$weights)) {
    stop_arg("weights", "cannot be used with method \"gibbs\": it draws one label per row, whereas a weight stands for that many rows, each with its own label. Repeat the rows instead.")
  }
  if (method_object$loop == "gibbs" && nstart > 1L) {
    stop_arg("nstart", "must be 1 for method \"gibbs\": a chain is not a maximum to compare. Run several chains with several calls.")
  }

  best <- NULL
  start_objective <- numeric() # grown start by start: nstart may be huge
  start_errors <- list()
  start_traces <- list() # every start's trace, for plot(which = "starts")
  for (s in seq_len(nstart)) {
    start_objective[s] <- NA_real_
    start_traces[s] <- list(NULL)
    this <- family$start(prep, s)
    start <- this$start
    core <- this$core
    if (method_object$bayesian && method_object$q_step != core_code("q_step", "soft") &&
        is.matrix(start)) {
      # their q(z) is a point mass: start from the most probable labels
      start <- max.col(start, ties.method = "first")
    }
    if (method_object$loop == "gibbs") {
      start <- order_start_labels(start, prep, k)
    }
    failed <- try_start({
      run <- switch(method_object$loop,
        bayes = run_bayes(prep, start, core, control),
        gibbs = run_gibbs(prep, start, core, method_object),
        run_em(prep, start, core, control, method_object)
      )
      NULL # the run is assigned, not returned: see try_start()
    }, several = nstart > 1L)
    if (!is.null(failed)) {
      start_errors[[as.character(s)]] <- failed
      next
    }
    start_objective[s] <- run$objective
    start_traces[[s]] <- run$trace
    if (is.null(best) || run$objective > best$objective) {
      best <- run
      best_start <- s
    }
  }
  if (is.null(best)) {
    stop_all_starts_failed(start_errors, nstart)
  }
  warn_max_iter(best, method, control, nstart)
  warn_inner_max_iter(best, control)
  # Take the posterior matrix out of the result (new_emix() names it).
  run <- NULL
  z <- best$z
  best$z <- NULL
  best$start <- best_start
  perm <- NULL
  if (method_object$loop != "gibbs") {
    perm <- family$order(best)
    if (!identical(perm, seq_along(perm))) {
      .Call(C_ffi_permute_columns, z, perm) # in place: z was just made by the C core
    }
  }
  fit_object(best, z, perm, family, prep, method_object, control, start_objective,
             start_traces, start_errors)
}

# The "emix" object of the best run of a fit, z its posterior already in
# the components' order perm (NULL: as they are): the run's parameters put
# in that order and finished by the family, with what its starts left.
fit_object <- function(best, z, perm, family, prep, method_object, control, start_objective,
                       start_traces, start_errors = list()) {
  if (!is.null(perm) && !identical(perm, seq_along(perm))) {
    best <- family$reorder(best, perm)
    if (!is.null(best$posterior)) {
      best$posterior <- reorder_posterior(best$posterior, perm)
    }
  }
  best <- family$finish(best, prep)
  best$start_objective <- start_objective
  best$start_traces <- start_traces
  best$start_errors <- if (length(start_errors) > 0L) start_errors
  new_emix(best, z = z, prep = prep, method = method_object, control = control)
}

# The settings the C core reads, with data-dependent scales worked out: the
# ridge and the collapse yardstick are relative to a robust scale of each
# variable (see ?emix_control), which one extreme row cannot inflate.
core_control <- function(control, x, weights) {
  scales <- data_scales(x, weights)
  var_scale <- scales$var
  total_weight <- if (is.null(weights)) as.double(nrow(x)) else sum(weights)
  if (any(!is.finite(var_scale)) || !is.finite(total_weight)) {
    # check_data() and check_weights() passed: the weighted sums overflow
    stop_arg("weights", paste("are so large that the weighted sums of the data overflow.",
                              weights_overflow_advice))
  }
  constant <- var_scale <= 0
  if (any(constant)) {
    stop_arg("x", sprintf(
      "has constant columns (%s): every covariance matrix would be singular. Remove them.",
      name_list(variable_names(x)[constant])
    ))
  }
  list(
    tol = control$tol,
    max_iter = control$max_iter,
    rule_code = core_code("rule", control$rule),
    total_weight = total_weight,
    reg = control$reg,
    mean_weight = if (is.null(weights)) 1 else mean(weights),
    var_scale = scales$robust^2,
    # the k-means starts weigh the variables by their variances, the
    # scaling their screening was measured with
    start_scale = var_scale,
    threads = control$threads,
    inner_tol = control$inner_tol,
    inner_max_iter = control$inner_max_iter,
    accelerate = as.integer(control$accelerate)
  )
}

# The variances and the robust scales of the variables (see core_control()).
# A data set fitted many times (emix_select()'s grid) has them computed
# once: from keep_data_scales() to forget_data_scales(), they are taken
# from scale_cache for the very x and weights they were computed for
# (identical() is at once true for the same objects, and compares the
# numbers of others).
data_scales <- function(x, weights) {
  if (caches(x) && identical(weights, scale_cache$weights)) {
    return(scale_cache$scales)
  }
  list(var = .Call(C_ffi_col_moments, x, weights)$var, robust = .Call(C_ffi_robust_scale, x, weights))
}

# The variances of the columns without weights (see check_scale()).
unweighted_variances <- function(x) {
  if (caches(x)) scale_cache$unweighted else .Call(C_ffi_col_moments, x, NULL)$var
}

# Whether scale_cache holds the scales of x.
caches <- function(x) {
  !is.null(scale_cache$x) && identical(x, scale_cache$x)
}

scale_cache <- new.env(parent = emptyenv())

# x must have passed check_data(): check_data() passes it on unchecked
# meanwhile (see has_distinct_rows() for `distinct`).
keep_data_scales <- function(x, weights) {
  forget_data_scales()
  scales <- data_scales(x, weights)
  scale_cache$distinct <- 0L
  scale_cache$unweighted <- if (is.null(weights)) scales$var else unweighted_variances(x)
  scale_cache$scales <- scales
  scale_cache$weights <- weights
  scale_cache$x <- x
  invisible()
}

forget_data_scales <- function() {
  rm(list = ls(scale_cache), envir = scale_cache)
}

# Incremental EM keeps one set of statistics per block (as many blocks as
# the C core makes of n rows): refuse, before any is allocated, more than
# iem_max_bytes of them.
iem_max_bytes <- 2^30
check_iem_memory <- function(blocks, n, k, d, model) {
  block_bytes <- function(b) {
    rows <- ceiling(n / b)
    chunks <- ceiling(n / rows)
    pooled <- model_row(model)$pooled
    full <- model_row(model)$full # the diagonal models keep diagonals
    # shift, sums and scatter per component (one scatter when pooled), scratch
    scatter <- if (full) d * d else d
    chunks * 8 * (2 * k * d + k + scatter * (if (pooled) 1 else k) + (if (full) 3 * d * d else d))
  }
  need <- block_bytes(blocks)
  if (need <= iem_max_bytes) {
    return(invisible(blocks))
  }
  fits <- floor(iem_max_bytes / block_bytes(1))
  stop_arg("blocks", sprintf(
    "= %d would make incremental EM keep %s of statistics (one set of %s per block, for k = %d, d = %d, model \"%s\"); it refuses more than %s. Use at most %s blocks, or method = \"em\".",
    blocks, format_bytes(need), format_bytes(block_bytes(1)), k, d, model,
    format_bytes(iem_max_bytes), format(fits, big.mark = ",")
  ))
}

format_bytes <- function(bytes) {
  units <- c("bytes", "kB", "MB", "GB", "TB", "PB")
  power <- min(length(units) - 1, max(0, floor(log(bytes, 1024))))
  sprintf("%.3g %s", bytes / 1024^power, units[power + 1])
}

# EM from `start` (labels or responsibilities) with k components, as the
# C core runs it for the prepared fit prep. A degenerate component is an
# error, or with `empty = "drop"` is removed and EM continues with the rest.
run_em <- function(prep, start, core, control, method) {
  k <- prep$k
  segments <- list()
  iter_done <- 0L
  inner_capped <- 0L
  esteps <- 0L
  repeat {
    core$max_iter <- control$max_iter - iter_done
    res <- core_run(prep$c_name, prep$settings, prep$data, prep$weights, start,
                    k + prep$extra_columns, core, method_core(method))
    res <- c(res$parameters, res[names(res) != "parameters"])
    status <- res$status
    inner_capped <- inner_capped + res$inner_capped
    esteps <- esteps + res$esteps
    # the trace's columns; one data frame of them all at the end (a data
    # frame per segment would cost more than a short fit's iterations)
    segments[[length(segments) + 1L]] <- list(
      iter = iter_done + seq_along(res$trace) - 1L,
      loglik = res$trace,
      objective = res$objective,
      bound = res$bound,
      k = rep(k, length(res$trace)),
      inner = res$inner,
      accelerated = res$accelerated,
      to_limit = res$to_limit
    )
    if (status[1L] == 0L) {
      break
    }
    component <- status[2L]
    droppable <- status[1L] %in% 1:2 && !is.na(component) && k > 1L
    if (control$empty == "error" || !droppable) {
      stop_degenerate(status, res$status_detail, iter_done, prep$family$context(prep, k, core))
    }
    iter_done <- iter_done + status[4L]
    start <- prep$family$drop(prep, res$z, component, core)
    k <- k - 1L
  }
  trace <- if (length(segments) == 1L) segments[[1L]] else bind_columns(segments)
  trace$change <- c(NA, diff(trace$objective))
  trace$change[c(TRUE, diff(trace$k) != 0L)] <- NA
  trace$gap <- trace$loglik - trace$bound
  # the inner iterations of each M-step, for a model whose M-step iterates
  # the Aitken estimate means nothing for a Markov chain (SEM)
  columns <- c("iter", "loglik", "objective", "change",
               if (method$q_step != core_code("q_step", "draw")) "to_limit", "bound", "gap", "k",
               if (isTRUE(prep$inner_iterations)) "inner",
               if (accelerated_em(method, control)) "accelerated")
  trace <- list2DF(trace[columns])
  if (control$reg == 0 && method$q_step != core_code("q_step", "draw")) {
    check_monotone(trace, res$abs_loglik)
  }
  res$k <- k
  res$trace <- trace
  res$objective <- trace$objective[nrow(trace)]
  res$iter <- iter_done + res$iter
  res$dropped <- length(segments) - 1L
  res$inner_capped <- inner_capped
  res$esteps <- esteps
  res$df <- family_df(prep$c_name, prep$settings, k + prep$extra_columns, prep$d)
  res
}

# Records (lists with the same names, each of vectors) as one list of
# columns: each column the records' vectors one after the other.
bind_columns <- function(records) {
  lapply(stats::setNames(nm = names(records[[1L]])), function(column) {
    unlist(lapply(records, `[[`, column), use.names = FALSE)
  })
}

# Whether the compiled loop accelerates this method: EM's soft q-step, as
# every family with a parameter vector (theta_*, all of emix's) allows.
accelerated_em <- function(method, control) {
  isTRUE(control$accelerate) && method$name == "em"
}

# What a message about a failed fit needs to know (see stop_degenerate()).
failure_context <- function(method, model, k, x, core, control, noise = FALSE) {
  spherical <- model_row(model)$shape == "I"
  list(method = method,
       model = model, k = k, d = ncol(x), vars = variable_names(x), empty = control$empty,
       noise = noise,
       reg = control$reg, ridge_scale = core$var_scale,
       ridge = control$reg * (if (spherical) mean(core$var_scale) else core$var_scale))
}

# Responsibilities without column j, renormalised. Rows that belonged to j
# alone go to the remaining component whose mean (under z) is nearest, in
# units of the variables' standard deviations.
drop_component <- function(z, j, x, weights, var_scale) {
  z <- z[, -j, drop = FALSE]
  total <- rowSums(z)
  lost <- which(total <= 0)
  if (length(lost) > 0L) {
    w <- if (is.null(weights)) rep(1, nrow(x)) else weights
    centre <- colSums(w * x) / sum(w)
    scaled <- sweep(sweep(x, 2L, centre), 2L, sqrt(var_scale), "/")
    means <- crossprod(z * w, scaled) / colSums(z * w)
    nearest <- max.col(-squared_distances(scaled[lost, , drop = FALSE], means),
                       ties.method = "first")
    z[cbind(lost, nearest)] <- 1
    total[lost] <- 1
  }
  z / total
}

# With the exact M-step (reg = 0) the objective (the log-likelihood for EM,
# the classification log-likelihood for CEM) never falls; a fall beyond
# rounding means the numbers cannot be trusted, so say so.
check_monotone <- function(trace, abs_loglik) {
  tolerance <- 1e-10 * abs_loglik + 1e-12
  fall <- which(!is.na(trace$change) & trace$change < -tolerance)
  if (length(fall) > 0L) {
    warn_not_monotone(-trace$change[fall[1L]], trace$iter[fall[1L]])
  }
}
