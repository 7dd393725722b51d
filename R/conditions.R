# The conditions a fit signals when it cannot go on: one constructor for
# them all, and the message of each kind of degenerate component.
#
# Classes: emix_error_empty (too few observations for a covariance),
# emix_error_collapsed (a singular covariance) and emix_error_zero_density
# (a row no component can explain) all carry emix_error_degenerate, so one
# handler catches them; emix_warning_max_iter says a fit stopped at max_iter,
# emix_warning_not_monotone that an objective that cannot fall fell.

# An error of class `class` (and emix_error_degenerate) with the fields in
# `...` (component, iteration, ...) beside the message.
stop_degenerate_condition <- function(class, message, ...) {
  stop(structure(
    class = c(class, "emix_error_degenerate", "error", "condition"),
    list(message = message, call = NULL, ...)
  ))
}

# the class of each status the C core reports (see core_codes())
degenerate_classes <- c(empty = "emix_error_empty", collapsed = "emix_error_collapsed",
                        zero_density = "emix_error_zero_density")

# The observations the covariance of `model` needs (its row of the C
# table): per component and, for the models that pool some part of the
# covariance over the components, all components together.
needed_observations <- function(model, k, d) {
  row <- model_row(model)
  pools <- row$total_d != 0 || row$total_1 != 0
  list(
    each = row$each_d * d + row$each_1,
    total = if (pools) k + row$total_d * d + row$total_1 else NA_real_,
    total_term = if (row$total_d != 0) "d" else "1"
  )
}

# What the components share, in words, for the message on too little
# support: the whole covariance, or the parts of it that are equal.
shared_part <- function(model) {
  row <- model_row(model)
  if (row$pooled) {
    return("the covariance shared by all components")
  }
  parts <- c(volume = row$volume, shape = row$shape, orientation = row$orientation)
  shared <- names(parts)[parts == "E"]
  sprintf("the %s shared by all components", paste(shared, collapse = " and "))
}

# Stops a fit whose compiled loop reported `status` = c(code, component,
# row, iteration) with `detail` = c(variable, value): what it found, where,
# and what to try. `fit` holds what the message needs to be right: the
# method, model, k, d, the variables' names, the ridge and `empty`.
stop_degenerate <- function(status, detail, iter_done, fit) {
  code <- status_name(status[1L])
  if (code == "interrupted") {
    # the sampling loop saw an interrupt, saved R's RNG state and returned:
    # act on the interrupt as R would have
    signalCondition(structure(class = c("interrupt", "condition"),
                              list(message = "", call = NULL)))
    invokeRestart("abort")
  }
  component <- status[2L]
  iteration <- iter_done + status[4L]
  when <- if (iteration == 0L) "at the start" else sprintf("at iteration %d", iteration)
  found <- detail[2L]
  if (is.function(fit$describe)) {
    # a family without covariances words its own failures
    told <- fit$describe(code, component, status[3L], found)
    stop_degenerate_condition(
      degenerate_classes[[code]],
      sprintf("%s stopped %s: %s. %s", method_names[[fit$method]], when, told$what, told$advice),
      component = component, iteration = iteration, code = status[1L], variable = NA_character_,
      found = if (code == "empty") found else NA_real_, needed = NA_real_, method = fit$method)
  }
  need <- needed_observations(fit$model, fit$k, fit$d)
  shared <- is.na(component)
  what <- switch(code,
    empty = if (shared) {
      sprintf("the components together are supported by %s effective observations, fewer than the %d (k + %s) that %s (model \"%s\") needs",
              format_count(found, need$total), need$total, need$total_term, shared_part(fit$model),
              fit$model)
    } else {
      sprintf("component %d is supported by %s effective observations, fewer than the %d %s needs",
              component, format_count(found, need$each), need$each, covariance_kind(fit$model, fit$d))
    },
    collapsed = collapse_text(component, detail, fit),
    zero_density = sprintf("observation %d has zero density under every component", status[3L])
  )
  droppable <- code %in% c("empty", "collapsed") && !shared && fit$k > 1L
  simpler <- simpler_models[[fit$model]]
  if (code == "empty") {
    # only the simpler models whose own needs the support found meets
    meets <- vapply(simpler, function(model) {
      other <- needed_observations(model, fit$k, fit$d)
      if (shared) is.na(other$total) || found >= other$total else found >= other$each
    }, logical(1))
    simpler <- simpler[meets]
  }
  options <- c(
    # with one component there is neither fewer nor another start
    if (fit$k > 1L) "fewer components (`k`)",
    # k-means++ seeds favour far-out rows, which may end alone (one
    # variable starts from quantiles)
    if (fit$k > 1L) {
      sprintf("another start (%sa partition or parameters, `nstart`)",
              if (fit$d > 1L) "`init = \"random\"`, " else "")
    },
    if (length(simpler) > 0L) {
      sprintf("a model with fewer covariance parameters (%s)",
              paste0("\"", simpler, "\"", collapse = ", "))
    },
    if (code == "collapsed") {
      "dropping variables that are constant within groups or (nearly) linear combinations of others"
    },
    if (code %in% c("empty", "collapsed") && !isTRUE(fit$noise) && !is.na(component)) {
      "a noise component (`noise = TRUE`) if the component holds outlying rows"
    }
  )
  if (droppable && fit$empty == "error") {
    options <- c(options, "`control = emix_control(empty = \"drop\")`")
  }
  advice <- if (code == "zero_density") {
    "Check the data for extreme values, or rescale them."
  } else if (length(options) == 1L) {
    sprintf("Try %s.", options)
  } else {
    sprintf("Try %s, or %s.", paste(options[-length(options)], collapse = ", "),
            options[length(options)])
  }
  if (code %in% c("empty", "collapsed") && fit$empty == "drop" && !droppable) {
    advice <- sprintf("%s `empty = \"drop\"` cannot help here: %s.", advice,
                      if (shared) "the covariance is shared by all components, so no one component can be dropped"
                      else "there is no other component to take over its observations (k = 1)")
  }
  stop_degenerate_condition(
    degenerate_classes[[code]],
    sprintf("%s stopped %s: %s. %s", method_names[[fit$method]], when, what, advice),
    component = component, iteration = iteration, code = status[1L],
    variable = if (code == "collapsed" && !is.na(detail[1L])) fit$vars[detail[1L]] else NA_character_,
    found = if (code %in% c("empty", "collapsed")) found else NA_real_,
    needed = if (code == "empty") as.numeric(if (shared) need$total else need$each) else NA_real_,
    method = fit$method
  )
}

covariance_kind <- function(model, d) {
  fixed <- c(VVI = "a diagonal covariance", VII = "a spherical covariance",
             V = "a variance of its own")
  if (model %in% names(fixed)) {
    return(fixed[[model]])
  }
  row <- model_row(model)
  if (row$each_d > 0) {
    # a shape of its own on axes of its own (EVV, VVV) or shared (EVE, VVE):
    # with n_c <= d rows some axis sees no spread
    return(sprintf(if (row$orientation == "V") "a full covariance in %d dimension%s"
                   else "a shape of its own in %d dimension%s", d, plural(d)))
  }
  own <- c(volume = row$volume, shape = row$shape) == "V"
  if (any(own)) {
    return(sprintf("a %s of its own", paste(c("volume", "shape")[own], collapse = " and ")))
  }
  if (row$pooled) {
    return("every component of a model with a shared covariance")
  }
  sprintf("every component of model \"%s\"", model)
}

# The models with fewer covariance parameters than each, to suggest.
simpler_models <- list(
  VVV = c("VVI", "EEE", "EEI"), EVV = c("EEV", "EVE", "EEE"), VEV = c("EEV", "VEE", "EEE"),
  EEV = c("EEE", "EEI"), VVE = c("EVE", "VEE", "VVI"), EVE = c("EEE", "EVI"),
  VEE = c("EEE", "VEI"), EEE = c("EEI", "EII"), VVI = c("VII", "EEI"), EVI = c("EEI", "EII"),
  VEI = c("EEI", "VII"), VII = "EII", EEI = "EII", EII = character(), V = "E", E = character()
)

# What was found when a covariance collapsed: a diagonal model's variance
# against its yardstick, or for a full model the ratio of its variance in
# its flattest direction to the yardsticks there (the smallest eigenvalue
# of Y^{-1/2} sigma Y^{-1/2}, Y the yardsticks) and the variable that
# weighs most in that direction.
collapse_text <- function(component, detail, fit) {
  whose <- if (is.na(component)) {
    sprintf("%s (model \"%s\")", shared_part(fit$model), fit$model)
  } else {
    sprintf("the covariance of component %d", component)
  }
  variable <- if (is.na(detail[1L])) "" else sprintf("`%s`", fit$vars[detail[1L]])
  if (is.na(detail[2L]) || !is.finite(detail[2L])) {
    if (!nzchar(variable)) {
      # a constrained fit that found no positive definite estimate
      return(sprintf("%s has no positive definite estimate under model \"%s\": its rows leave it singular",
                     whose, fit$model))
    }
    return(sprintf("%s is not positive definite (its Cholesky factorisation failed at %s)",
                   whose, variable))
  }
  if (fit$d > 1L && model_row(fit$model)$full) {
    yardstick <- if (fit$reg > 0) {
      "the ridge added to it plus 1e-10 of the variables' scales squared: the data add (almost) nothing to the ridge in that direction"
    } else {
      "1e-10 times the variables' scales squared"
    }
    found <- if (detail[2L] > 0) {
      sprintf("its variance in its flattest direction (mostly along %s) is only %s of %s",
              variable, format_count(detail[2L], 1), yardstick)
    } else {
      sprintf("it has no variance, to rounding, in its flattest direction (mostly along %s)", variable)
    }
    return(sprintf("%s collapsed: %s; the component sits on a point or a lower-dimensional subspace",
                   whose, found))
  }
  # the C rule: (reg + 1e-10) times the variable's scale squared, or for a
  # spherical model with a ridge the mean of the variables' scales squared
  spherical <- model_row(fit$model)$shape == "I" && fit$reg > 0
  scale2 <- if (spherical) mean(fit$ridge_scale) else fit$ridge_scale[detail[1L]]
  yardstick <- if (fit$reg > 0) {
    sprintf("no more than the ridge added to it plus 1e-10 of %s scale squared (%s): the data add (almost) nothing to the ridge in that direction",
            if (spherical) "the variables' mean" else "the variable's",
            format((fit$reg + 1e-10) * scale2, digits = 3))
  } else {
    sprintf("below 1e-10 times the variable's scale squared (%s)",
            format(1e-10 * fit$ridge_scale[detail[1L]], digits = 3))
  }
  variance <- sprintf("the variance of %s", variable)
  sprintf("%s collapsed: %s is %s, %s; the component sits on a point or a lower-dimensional subspace",
          whose, variance, format(detail[2L], digits = 3), yardstick)
}

# A number for a message (an effective size, a ratio to a yardstick), with
# enough digits to show it below `threshold` (4.99996 is not shown as 5.0).
format_count <- function(v, threshold = Inf) {
  digits <- 3L
  while (digits < 10L && signif(v, digits) >= threshold) {
    digits <- digits + 1L
  }
  if (v < threshold && signif(v, digits) >= threshold) {
    return(sprintf("just under %s", format(threshold)))
  }
  format(signif(v, digits), digits = digits, nsmall = 1L)
}

# Warns that the kept fit stopped at `max_iter` before the stopping rule
# held (not for tol = 0, which asks for exactly max_iter iterations).
# A fit some of whose M-steps stopped their inner iterations at the cap
# (see ?emix_control, section Inner iterations).
warn_inner_max_iter <- function(fit, control) {
  capped <- fit$inner_capped
  if (is.null(capped) || capped == 0L) {
    return(invisible())
  }
  warning(structure(
    class = c("emix_warning_inner_max_iter", "warning", "condition"),
    list(message = sprintf(
      "%d M-step%s stopped %s inner iterations at `inner_max_iter` (%d) before their tolerance (inner_tol = %s) held: each still raised the likelihood, but the fit may stop short of a maximum. Raise `inner_max_iter` in `emix_control()`, or look at the trace's `inner` column.",
      capped, plural(capped), if (capped == 1L) "its" else "their", control$inner_max_iter,
      format(control$inner_tol)),
      call = NULL, capped = capped)
  ))
}

# Warns that the objective of a method that cannot lower it fell by `fall`
# at iteration `iteration` (beyond rounding: a numerical problem or a bug).
warn_not_monotone <- function(fall, iteration) {
  warning(structure(
    class = c("emix_warning_not_monotone", "warning", "condition"),
    list(message = sprintf(
      "The objective fell by %s at iteration %d although the method cannot lower it; the fit may be numerically unreliable.",
      format(fall, digits = 3), iteration),
      call = NULL, fall = fall, iteration = iteration)
  ))
}

warn_max_iter <- function(fit, method, control, nstart) {
  if (!method %in% c("em", "cem", "iem", "vb", "me") || control$tol == 0 ||
      control$max_iter == 0L ||
      !identical(fit$converged, FALSE)) {
    return(invisible())
  }
  which <- if (nstart > 1L) sprintf(" (the best of %d starts)", nstart) else ""
  warning(structure(
    class = c("emix_warning_max_iter", "warning", "condition"),
    list(message = sprintf(
      "%s did not converge%s: it stopped at `max_iter` (%d iteration%s) before the stopping rule (tol = %s) held. Raise `max_iter` in `emix_control()`, or look at the trace (`fit$trace`).",
      method_names[[method]], which, control$max_iter, plural(control$max_iter), format(control$tol)),
      call = NULL, iterations = fit$iter, method = method)
  ))
}
