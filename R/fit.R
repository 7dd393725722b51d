# The matrix-level fitter: checks the arguments, draws the starts, runs the
# compiled loop once per start and keeps the best fit.

emix_fit <- function(x, k, model = "VVV", method = "em", weights = NULL,
                     init = "kmeans++", nstart = 1L, control = emix_control(),
                     noise = FALSE, noise_volume = NULL) {
  x <- check_data(x)
  n <- nrow(x)
  k <- check_count(k, "k")
  model <- resolve_model(model)
  method <- check_method(method)
  weights <- check_weights(weights, n)
  control <- as_emix_control(control)
  nstart <- check_count(nstart, "nstart")
  noise <- check_noise(noise, noise_volume, n, method)
  init <- check_init(init, n, k + noise_in_init(init, noise, k))
  if (nstart > 1L && init$type %in% c("labels", "matrix")) {
    stop_arg("nstart", "must be 1 when `init` is given as labels or a matrix: every start would be the same.")
  }
  if (!has_distinct_rows(x, k, weights)) {
    stop_arg("k", sprintf("must not exceed the number of distinct rows of the data (of positive weight); k = %d.", k))
  }
  core <- core_control(control, x, weights, q_step = method_q_step[[method]],
                       blocks = if (method == "iem") control$blocks else 0L)
  prior <- NULL
  if (method %in% bayes_methods) {
    check_bayes_model(model, method)
    prior <- resolve_prior(control$prior, x, weights, k, model)
  }
  if (method == "gibbs" && !is.null(weights)) {
    stop_arg("weights", "cannot be used with method \"gibbs\": it draws one label per row, whereas a weight stands for that many rows, each with its own label. Repeat the rows instead.")
  }
  if (method == "gibbs" && nstart > 1L) {
    stop_arg("nstart", "must be 1 for method \"gibbs\": a chain is not a maximum to compare. Run several chains with several calls.")
  }
  region <- if (!is.null(noise)) noise_region(x, weights, noise_volume)

  best <- NULL
  start_objective <- numeric(nstart)
  for (s in seq_len(nstart)) {
    start <- if (is.null(noise)) {
      start_responsibilities(init, x, k, weights)
    } else {
      noise_start(init, x, k, weights, noise)
    }
    if (!is.null(noise)) {
      core$var_scale <- noise_var_scale(x, weights, start)
    }
    if (method %in% c("me", "gibbs") && is.matrix(start)) {
      # their q(z) is a point mass: start from the most probable labels
      start <- max.col(start, ties.method = "first")
    }
    run <- switch(method,
      vb = , me = run_bayes(x, weights, start, k, model, core, control, prior),
      gibbs = run_gibbs(x, weights, start, k, model, core, control, prior),
      run_em(x, weights, start, k, model, core, control, region$log_volume)
    )
    start_objective[s] <- run$objective
    if (is.null(best) || run$objective > best$objective) {
      best <- run
      best$start <- s
    }
  }
  # Take the posterior matrix out of the result and name it while nothing
  # else refers to it, so that naming it does not copy n x k numbers.
  run <- NULL
  z <- best$z
  best$z <- NULL
  dimnames(z) <- list(rownames(x), c(as.character(seq_len(nrow(best$mean))),
                                      if (!is.null(noise)) "noise"))
  best$noise <- region[c("volume", "log_density", "box")]
  best$start_objective <- start_objective
  new_emix(best, z = z, x = x, model = model, method = method, weights = weights,
           control = control)
}

method_names <- c(em = "EM", cem = "classification EM", sem = "stochastic EM",
                  vb = "variational Bayes", me = "maximization-expectation",
                  gibbs = "Gibbs sampling", iem = "incremental EM")

# The q-step of each method, as the C core numbers them: keep the
# responsibilities, a point mass at the mode, a point mass at a draw.
method_q_step <- c(em = 0L, cem = 1L, sem = 2L, vb = 0L, me = 1L, gibbs = 2L, iem = 0L)

check_method <- function(method) {
  if (!is.character(method) || length(method) != 1L || !method %in% names(method_names)) {
    stop_arg("method", sprintf(
      "must be one of %s.",
      paste0("\"", names(method_names), "\"", collapse = ", ")
    ))
  }
  method
}

# The settings the C core reads, with data-dependent scales worked out.
core_control <- function(control, x, weights, q_step = 0L, blocks = 0L) {
  var_scale <- .Call(C_emix_col_moments_r, x, weights)$var
  constant <- var_scale <= 0
  if (any(constant)) {
    stop_arg("x", sprintf(
      "has constant columns (%s): every covariance matrix would be singular. Remove them.",
      paste0("`", colnames(x)[constant], "`", collapse = ", ")
    ))
  }
  list(
    tol = control$tol,
    max_iter = control$max_iter,
    rule_code = match(control$rule, c("relative", "absolute")) - 1L,
    reg = control$reg,
    min_weight = sqrt(.Machine$double.eps) * (if (is.null(weights)) 1 else mean(weights)),
    var_scale = var_scale,
    threads = control$threads,
    q_step = q_step,
    blocks = as.integer(blocks)
  )
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
      stop_degenerate(status, iter_done, model)
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

stop_degenerate <- function(status, iter_done, model) {
  code <- status[1L]
  if (code == 4L) {
    # the sampling loop saw an interrupt, saved R's RNG state and returned:
    # act on the interrupt as R would have
    signalCondition(structure(class = c("interrupt", "condition"),
                              list(message = "", call = NULL)))
    invokeRestart("abort")
  }
  component <- status[2L]
  iteration <- iter_done + status[4L]
  when <- if (iteration == 0L) "at the start" else sprintf("at iteration %d", iteration)
  what <- switch(as.character(code),
    "1" = sprintf("component %d is empty (it holds almost no weight)", component),
    "2" = if (is.na(component)) {
      sprintf("the covariance matrix shared by all components (model \"%s\") collapsed: it is singular", model)
    } else {
      sprintf("the covariance matrix of component %d collapsed: it is singular, the component sits on a point or a lower-dimensional subspace", component)
    },
    "3" = sprintf("observation %d has zero density under every component", status[3L])
  )
  advice <- switch(as.character(code),
    "1" = "Try fewer components (`k`), another start (`init`, `nstart`), or `control = emix_control(empty = \"drop\")`.",
    "2" = if (is.na(component)) {
      "Try a ridge such as `control = emix_control(reg = 1e-4)`, or remove variables that are (nearly) linear combinations of others."
    } else {
      "Try a ridge such as `control = emix_control(reg = 1e-4)`, a simpler `model` (\"VVI\", \"EEE\"), fewer components (`k`), another start, or `control = emix_control(empty = \"drop\")`."
    },
    "3" = "Check the data for extreme values, or rescale them."
  )
  stop(structure(
    class = c("emix_error_degenerate", "error", "condition"),
    list(message = sprintf("EM stopped %s: %s. %s", when, what, advice), call = NULL,
         component = component, iteration = iteration, code = code)
  ))
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
