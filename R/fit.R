# The matrix-level fitter: checks the arguments, draws the starts, runs the
# compiled loop once per start and keeps the best fit.

emix_fit <- function(x, k, model = "VVV", method = "em", weights = NULL,
                     init = "kmeans++", nstart = 1L, control = emix_control(),
                     noise = FALSE, noise_volume = NULL) {
  x <- check_data(x)
  n <- nrow(x)
  model <- resolve_model(model)
  # the method object's settings; `method` is its name from here on
  method_object <- as_emix_method(method)
  method <- method_object$name
  weights <- check_weights(weights, n)
  control <- as_emix_control(control)
  nstart <- check_count(nstart, "nstart")
  noise <- check_noise(noise, noise_volume, n, method)
  if (!is.null(k)) k <- check_count(k, "k") # before any arithmetic on it
  # an init matrix may carry the noise as a last column (with noise = TRUE
  # and k not given, it does: k is then its other columns)
  noise_column <- if (!is.null(k)) {
    noise_in_init(init, noise, k)
  } else {
    as.integer(!is.null(noise) && is.null(noise$rows) && is.matrix(init) && is.numeric(init))
  }
  init <- check_init(init, x, if (is.null(k)) NULL else k + noise_column)
  k <- init$k - noise_column
  check_sizes(n, ncol(x), k + !is.null(noise), draws = if (method == "gibbs") method_object$draws else 0L)
  if (nstart > 1L && init$type %in% c("labels", "matrix", "parameters")) {
    stop_arg("nstart", "must be 1 when `init` is given as labels, a matrix or parameters: every start would be the same.")
  }
  if (!has_distinct_rows(x, k, weights)) {
    stop_arg("k", sprintf("must not exceed the number of distinct rows of the data (of positive weight); k = %d.", k))
  }
  if (method == "iem") {
    check_iem_memory(method_object$blocks, n, k, ncol(x), model)
  }
  core <- core_control(control, x, weights, q_step = method_object$q_step,
                       blocks = if (method == "iem") method_object$blocks else 0L)
  # the k-means start avoids clusters smaller than a component needs
  core$min_rows <- needed_observations(model, k, ncol(x))$each
  prior <- NULL
  if (method %in% bayes_methods) {
    check_bayes_model(model, method)
    prior <- resolve_prior(method_object$prior, x, weights, k, model)
  }
  if (method == "gibbs" && !is.null(weights)) {
    stop_arg("weights", "cannot be used with method \"gibbs\": it draws one label per row, whereas a weight stands for that many rows, each with its own label. Repeat the rows instead.")
  }
  if (method == "gibbs" && nstart > 1L) {
    stop_arg("nstart", "must be 1 for method \"gibbs\": a chain is not a maximum to compare. Run several chains with several calls.")
  }
  region <- if (!is.null(noise)) noise_region(x, weights, noise_volume)

  best <- NULL
  start_objective <- numeric() # grown start by start: nstart may be huge
  start_errors <- list()
  for (s in seq_len(nstart)) {
    start_objective[s] <- NA_real_
    # the quantile start is deterministic: further starts are k-means++
    this_init <- if (init$type == "quantile" && s > 1L) list(type = "kmeans++", k = k) else init
    start <- if (is.null(noise)) {
      start_responsibilities(this_init, x, k, weights, core, control$seeds)
    } else {
      noise_start(this_init, x, k, weights, noise, core, control$seeds)
    }
    if (!is.null(noise)) {
      core$var_scale <- noise_ridge_scale(x, weights, start)
    }
    if (method %in% c("me", "gibbs") && is.matrix(start)) {
      # their q(z) is a point mass: start from the most probable labels
      start <- max.col(start, ties.method = "first")
    }
    if (method == "gibbs") {
      start <- order_start_labels(start, x, weights, k)
    }
    failed <- try_start({
      run <- switch(method,
        vb = , me = run_bayes(x, weights, start, k, model, core, control, prior),
        gibbs = run_gibbs(x, weights, start, k, model, core, method_object, prior),
        run_em(x, weights, start, k, model, core, control, region$log_volume)
      )
      NULL # the run is assigned, not returned: see try_start()
    }, several = nstart > 1L)
    if (!is.null(failed)) {
      start_errors[[as.character(s)]] <- failed
      next
    }
    start_objective[s] <- run$objective
    if (is.null(best) || run$objective > best$objective) {
      best <- run
      best_start <- s
    }
  }
  if (is.null(best)) {
    stop_all_starts_failed(start_errors, nstart)
  }
  warn_max_iter(best, method, control, nstart)
  # Take the posterior matrix out of the result (new_emix() names it).
  run <- NULL
  z <- best$z
  best$z <- NULL
  best$start <- best_start
  if (method != "gibbs") {
    # the noise, if any, stays the last column
    k_now <- nrow(best$mean) # after any drops
    perm <- component_order(best$pro[seq_len(k_now)], best$mean)
    best <- reorder_components(best, z, c(perm, if (!is.null(noise)) k_now + 1L))
  }
  best$noise <- region[c("volume", "log_density", "box")]
  best$start_objective <- start_objective
  best$start_errors <- if (length(start_errors) > 0L) start_errors
  fit <- new_emix(best, z = z, x = x, model = model, method = method, weights = weights,
                  control = control)
  # the subclass lets the generics dispatch on the method
  fit$method_settings <- method_object
  class(fit) <- c(paste0("emix_", method), class(fit))
  fit
}

# The settings the C core reads, with data-dependent scales worked out: the
# ridge and the collapse yardstick are relative to a robust scale of each
# variable (see ?emix_control), which one extreme row cannot inflate.
core_control <- function(control, x, weights, q_step = 0L, blocks = 0L) {
  var_scale <- .Call(C_emix_col_moments_r, x, weights)$var
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
    rule_code = match(control$rule, c("relative", "absolute", "mean")) - 1L,
    total_weight = total_weight,
    reg = control$reg,
    mean_weight = if (is.null(weights)) 1 else mean(weights),
    var_scale = .Call(C_emix_robust_scale_r, x, weights)^2,
    # the k-means starts weigh the variables by their variances, the
    # scaling their screening was measured with
    start_scale = var_scale,
    threads = control$threads,
    q_step = q_step,
    blocks = as.integer(blocks)
  )
}

# Incremental EM keeps one set of statistics per block (as many blocks as
# the C core makes of n rows): refuse, before any is allocated, more than
# iem_max_bytes of them.
iem_max_bytes <- 2^30
check_iem_memory <- function(blocks, n, k, d, model) {
  block_bytes <- function(b) {
    rows <- ceiling(n / b)
    chunks <- ceiling(n / rows)
    pooled <- model %in% c("EII", "EEI", "EEE")
    full <- model %in% c("EEE", "VVV") # the diagonal models keep diagonals
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

# EM from `start` (labels or responsibilities, see start_responsibilities())
# with k components. A degenerate component is an error, or with
# `empty = "drop"` is removed and EM continues with the rest.
run_em <- function(x, weights, start, k, model, core, control, log_volume = NULL) {
  segments <- list()
  iter_done <- 0L
  repeat {
    core$max_iter <- control$max_iter - iter_done
    res <- .Call(C_emix_run_gaussian, x, weights, start, k, model_code(model), core,
                 if (is.null(log_volume)) NA_real_ else log_volume)
    status <- res$status
    segments[[length(segments) + 1L]] <- data.frame(
      iter = iter_done + seq_along(res$trace) - 1L,
      loglik = res$trace,
      objective = res$objective,
      bound = res$bound,
      k = rep(k, length(res$trace))
    )
    if (status[1L] == 0L) {
      break
    }
    component <- status[2L]
    droppable <- status[1L] %in% 1:2 && !is.na(component) && k > 1L
    if (control$empty == "error" || !droppable) {
      stop_degenerate(status, res$status_detail, iter_done,
                      failure_context(model, k, x, core, control, noise = !is.null(log_volume)))
    }
    iter_done <- iter_done + status[4L]
    start <- drop_component(res$z, component, x, weights, core$var_scale)
    k <- k - 1L
  }
  trace <- do.call(rbind, segments)
  trace$change <- c(NA, diff(trace$objective))
  trace$change[c(TRUE, diff(trace$k) != 0L)] <- NA
  trace$gap <- trace$loglik - trace$bound
  trace <- trace[c("iter", "loglik", "objective", "change", "bound", "gap", "k")]
  rownames(trace) <- NULL
  if (control$reg == 0 && core$q_step != 2L) {
    check_monotone(trace, res$abs_loglik)
  }
  res$trace <- trace
  res$objective <- trace$objective[nrow(trace)]
  res$iter <- iter_done + res$iter
  res$dropped <- length(segments) - 1L
  res
}

# What a message about a failed fit needs to know (see stop_degenerate()).
failure_context <- function(model, k, x, core, control, noise = FALSE) {
  spherical <- model %in% c("EII", "VII", "E", "V")
  list(method = if (core$blocks > 0L) "iem" else c("em", "cem", "sem")[core$q_step + 1L],
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
    warning(sprintf(
      "The objective fell by %s at iteration %d although the method cannot lower it; the fit may be numerically unreliable.",
      format(-trace$change[fall[1L]], digits = 3), trace$iter[fall[1L]]
    ), call. = FALSE)
  }
}
