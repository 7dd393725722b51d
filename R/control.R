#' Settings of an emix fit
#'
#' Checks the settings of the fitting loop once and returns them as a plain
#' list for [emix()]'s `control` argument. They are common to all methods;
#' the settings of one method (the prior of the Bayesian methods, the blocks
#' of incremental EM, the draws of the Gibbs sampler) are arguments of its
#' method object, see [emix_method].
#'
#' @section Stopping rule:
#' Let \eqn{\ell_t} be the method's objective after \eqn{t} iterations (the
#' log-likelihood for EM; see [emix()] for the others) and \eqn{W} the sum
#' of the weights (\eqn{n} without weights). The rules judge the change
#' \eqn{|\ell_t - \ell_{t-1}|}{|l[t] - l[t-1]|} on a scale:
#' * `rule = "aitken"` (the default): the fit stops when both the change and
#'   the estimated rise still to come, \eqn{\ell_\infty - \ell_t}{l[inf] - l[t]}
#'   (the trace's column `to_limit`), are below \eqn{\mathrm{tol} \cdot W}{tol * W}:
#'   the returned log-likelihood is then estimated to be within `tol` per
#'   unit of weight of the optimum that EM is heading for, not merely
#'   moving slowly (an estimate: see below for what it rests on). EM converges
#'   linearly, its changes shrinking by a ratio \eqn{a}, so the rise to come
#'   is \eqn{\mathrm{change} \cdot a / (1 - a)}{change * a / (1 - a)}
#'   (Aitken's acceleration; Boehning et al. 1994, McNicholas et al. 2010),
#'   which can be hundreds of times the last change where the components
#'   overlap. \eqn{a} is the largest of the last three ratios of consecutive
#'   changes, and the rule does not hold while it is 1 or more, nor before
#'   two changes are known. For accelerated EM, whose rows are steps of
#'   different kinds, the rule is applied once per cycle of squared
#'   extrapolation, after its plain EM step, whose change it judges, and at
#'   every row of Anderson acceleration, judging the change of EM's step
#'   from that row (the rise of the free energy the step reaches, a lower
#'   bound on it, since a proposal's own change says nothing about
#'   convergence); the rise to come is bounded instead
#'   by \eqn{g / (1 - \lambda)}{g / (1 - lambda)}: \eqn{g} is the rise of
#'   the free energy by EM's next step (near the optimum
#'   \eqn{f' I_c f / 2}{f' I_c f / 2}, with \eqn{f} the step and \eqn{I_c}
#'   the complete-data information) and \eqn{\lambda} EM's slowest rate
#'   seen, the largest ratio
#'   \eqn{|G(a) - G(b)| / |a - b|}{|G(a) - G(b)| / |a - b|} below 1 of EM's
#'   map \eqn{G} at two points: a cycle's
#'   \eqn{\theta_0} and \eqn{\theta_1}, or two successive rows of Anderson
#'   acceleration. In the eigenvectors of EM's
#'   map, whose eigenvalues are its rates \eqn{\lambda_i}, the rise to come
#'   is \eqn{\sum_i (1 - \lambda_i) \delta_i^2 / 2} and \eqn{g} is
#'   \eqn{\sum_i (1 - \lambda_i)^2 \delta_i^2 / 2}, so the former is at most
#'   \eqn{g / (1 - \lambda)}. \eqn{\lambda} is the slowest rate below 1
#'   seen so far (a rate measured right after a proposal is that of the fast
#'   directions the proposal excited, so the last one alone would be too
#'   small), and the rule does not hold while any of the last three rates
#'   is 1 or more (EM moving off a saddle point or along a
#'   plateau). Both estimates rest on
#'   EM's linear convergence near the optimum, and stop short where the rate
#'   is misjudged; `bench/acceleration.R` measures how far from the optimum
#'   the default stops.
#' * `rule = "mean"`: \eqn{|\ell_t - \ell_{t-1}| / W < \mathrm{tol}}{|l[t] - l[t-1]| / W < tol},
#'   a change of the mean log-likelihood per unit of weight below `tol` (the
#'   rule of scikit-learn).
#' * `rule = "relative"`: \eqn{|\ell_t - \ell_{t-1}| / (1 + |\ell_t|) < \mathrm{tol}}{|l[t] - l[t-1]| / (1 + |l[t]|) < tol},
#'   the rule of mclust.
#' * `rule = "absolute"`: \eqn{|\ell_t - \ell_{t-1}| < \mathrm{tol}}{|l[t] - l[t-1]| < tol}
#'   (on the total, not the per-observation, log-likelihood).
#'
#' The Aitken and mean rules do not depend on the scale of the weights
#' (multiplying them by a constant multiplies \eqn{\ell_t} and \eqn{W}
#' alike) nor on the units of the data (rescaling the data shifts
#' \eqn{\ell_t} by a constant), so the same data in other units take the
#' same iterations; the relative and absolute rules depend on both, as
#' \eqn{\ell_t} does. The change and slow progress are different things:
#' the mean, relative and absolute rules stop where one step gains little,
#' which where EM is slow can be far from the optimum. A change within
#' rounding of \eqn{\ell_t} (\eqn{64 \epsilon |\ell_t|}) satisfies every
#' rule. In any case the fit stops after `max_iter` iterations. With
#' `tol = 0` the rule never holds, so exactly `max_iter` iterations run:
#' that is how iterations are timed. The returned parameters are those at
#' which \eqn{\ell_t} was computed, so the returned log-likelihood is
#' theirs.
#'
#' A fit that reaches `max_iter` before the rule holds warns, with class
#' `emix_warning_max_iter` (methods `"em"`, `"cem"`, `"iem"`, `"vb"`, `"me"`;
#' with several starts, when the kept one did not converge). Not with
#' `tol = 0` or `max_iter = 0`, which ask for exactly that many iterations,
#' and not for `"sem"` and `"gibbs"`, which run a fixed number by design.
#'
#' @section Degenerate components:
#' A Gaussian mixture's likelihood is unbounded: a component on a point or a
#' lower-dimensional subspace has infinite density there, and with a ridge
#' a huge finite one, which is no fit either. A component is *degenerate*,
#' at the start or after any M-step, when
#' * it is supported by too few observations: its effective size
#'   \eqn{n_c = N_c / \bar w}{n_c = N_c / mean(w)}, with
#'   \eqn{N_c = \sum_i w_i r_{ic}}{N_c = sum_i w_i r_ic} and \eqn{\bar w}{mean(w)}
#'   the mean observation weight, is below what its covariance needs:
#'   \eqn{d + 1} for `"VVV"`, `"EVV"`, `"EVE"` and `"VVE"` (a shape of its
#'   own in \eqn{d} dimensions, on axes of its own or shared: with fewer
#'   rows some axis sees no spread), 2 for the other models with a volume or
#'   a shape of its own (`"VII"`, `"VEI"`, `"EVI"`, `"VVI"`, `"VEE"`,
#'   `"VEV"`, `"V"`), and 1 otherwise; and, for the models that pool a part
#'   of the covariance over the components, all together
#'   \eqn{\sum_c n_c \ge k + d}{sum_c n_c >= k + d} (`"EEE"`, `"VEE"`,
#'   `"EVE"`, `"VVE"`, `"EEV"`, `"VEV"`) or \eqn{k + 1} (`"EII"`, `"EEI"`,
#'   `"VEI"`, `"E"`). Error class `emix_error_empty`.
#' * it has *collapsed*: in some direction its covariance exceeds the ridge
#'   by at most \eqn{10^{-10}} of the variables' scales squared, so the data
#'   add (almost) nothing there (the ridge alone gives every direction at
#'   least the ridge, whatever the data; a component on a point or a
#'   subspace adds exactly nothing). With \eqn{Y} the diagonal matrix of these
#'   yardsticks, \eqn{(\mathrm{reg} + 10^{-10}) s_j^2}{(reg + 1e-10) s_j^2}
#'   for variable \eqn{j} of scale \eqn{s_j} (see `reg`), a full covariance \eqn{\Sigma_c}
#'   has collapsed when the smallest eigenvalue of
#'   \eqn{Y^{-1/2} \Sigma_c Y^{-1/2}} is at most 1, which does not depend on
#'   the order of the variables; a diagonal one when a variance is at most
#'   its yardstick (for the spherical models with a ridge, the yardstick of
#'   the variables' mean scale squared); and any one whose Cholesky
#'   factorisation fails. The test is made on the fitted \eqn{\Sigma_c}, and
#'   for the models that fit a shape of its own under a shared volume or
#'   orientation (`"EVI"`, `"EVE"`, `"VVE"`, `"EVV"`) first on the
#'   component's own scatter plus the ridge, which the constraint would
#'   otherwise rescale out of sight. Error class `emix_error_collapsed`.
#'
#' Both classes also carry `emix_error_degenerate`, as does
#' `emix_error_zero_density`, the class of a row that has zero density
#' under every component. With `empty = "error"` (the default) the fit stops
#' with the classed error, whose message names the method, the component,
#' the iteration and what was found, and whose fields `component`,
#' `iteration`, `found` (the effective size; for a collapse, the variance
#' found, or for a full covariance that smallest eigenvalue), `variable`
#' and `needed` carry the same; with `empty = "drop"` the component is
#' removed, its responsibilities are shared among the others in proportion
#' to theirs, and EM goes on with one component fewer (the trace records
#' `k` for every iteration; the log-likelihood may fall at a drop). A drop
#' is impossible with one component or for a shared covariance, and the
#' error says so. Of several starts (`nstart`), one that degenerates is set
#' aside (`NA` in `fit$start_objective`, and `print()` says how many); the
#' fit fails only when every start does. The Bayesian methods (`"vb"`,
#' `"me"`, `"gibbs"`) never stop on an empty component: their prior keeps
#' every covariance proper, and an empty component is reported, not
#' removed.
#'
#' @param tol Tolerance of the stopping rule, a number \eqn{\ge 0}.
#' @param max_iter Largest number of EM iterations (M-steps after the start).
#' @param rule `"aitken"`, `"mean"`, `"relative"` or `"absolute"`; see the
#'   section *Stopping rule*.
#' @param accelerate Whether method `"em"` is accelerated (squared
#'   extrapolation of the EM map, then Anderson acceleration where EM is
#'   slow, kept monotone; see [emix()], section *Methods*), `TRUE` or
#'   `FALSE`. The other methods are not.
#' @param reg Ridge added at each M-step to the diagonal of every
#'   component's scatter matrix (its weighted covariance about its mean)
#'   before the model's constraint is fitted to them, relative to the data:
#'   `reg` times \eqn{s_j^2}, the squared robust scale of variable \eqn{j}.
#'   For `"VVV"`, `"VVI"`, `"EEE"` and `"EEI"` the covariances so get the
#'   ridge added to their diagonals, for the spherical models (`"EII"`,
#'   `"VII"`) `reg` times the mean of the \eqn{s_j^2}; the other models keep
#'   their structure exactly (it is the M-step of a penalised likelihood).
#'   So it does not depend on the units of each variable, and one extreme
#'   row cannot inflate it.
#'   The scale \eqn{s_j} is 1.4826 times the weighted median absolute
#'   deviation from the weighted median (weighted quantiles average
#'   \eqn{\min\{x: F(x) \ge p\}}{min{x : F(x) >= p}} and
#'   \eqn{\min\{x: F(x) > p\}}{min{x : F(x) > p}} of the weighted empirical
#'   distribution \eqn{F}; for unit weights that is [stats::mad()]); where it
#'   is 0 (more than half the weight on tied values), the IQR / 1.349, and
#'   where that is 0 too, the standard deviation. `reg = 0` gives the exact
#'   maximum-likelihood M-step, under which the log-likelihood never
#'   decreases; the default `1e-6` barely moves a fit. With a ridge the
#'   reported log-likelihood is the ordinary log-likelihood at the
#'   ridge-regularised estimates, `df` counts the same parameters and the BIC
#'   is computed from them; `print()` and `summary()` say that a ridge was
#'   used. A ridge does not rescue a degenerate component (see the section
#'   *Degenerate components*).
#' @section Inner iterations:
#' Five Gaussian covariance models have no closed-form M-step: given the
#' weighted scatter matrices, their covariances are found by iterating, as
#' in mclust. `"VEI"`, `"VEE"` and `"VEV"` alternate between the shared
#' shape (and orientation) and the components' volumes (Celeux and Govaert
#' 1995). `"EVE"` and `"VVE"` alternate between the shapes and volumes and
#' a shared orientation, which a sweep of Jacobi rotations updates: each
#' pair of axes is turned by the angle that is best for the current shapes,
#' a closed form (in the manner of Flury and Gautschi 1986). mclust updates
#' it by majorization-minimization (Browne and McNicholas 2014), which
#' lowers the same objective but took 11005 iterations where the sweeps took
#' 14 (`quakes`, k = 2, `"VVE"`). Each iteration lowers
#' \eqn{\phi = \sum_c N_c (\log\det\Sigma_c + \mathrm{tr}(\Sigma_c^{-1} S_c))}{phi = sum_c N_c (log det Sigma_c + tr(Sigma_c^-1 S_c))}
#' (\eqn{S_c}{S_c} the weighted covariance of component \eqn{c} about its
#' mean, plus the ridge), and they stop when no volume changes by more than
#' `inner_tol` relative (`"VEI"`, `"VEE"`, `"VEV"`), or no entry
#' \eqn{(j, l)} of a covariance by more than `inner_tol` times
#' \eqn{\sqrt{\Sigma_{jj} \Sigma_{ll}}}{sqrt(Sigma[j, j] Sigma[l, l])}
#' (`"EVE"`, `"VVE"`; these also stop when a sweep no longer lowers
#' \eqn{\phi}{phi} beyond rounding, which a thin component's covariance can
#' leave moving by more than the tolerance), or after `inner_max_iter`
#' iterations. They stop on the parameters rather than on \eqn{\phi}{phi},
#' whose change near the optimum is the square of their distance to it: the
#' default `1e-12` leaves the covariances within about `1e-11` (relative) of
#' the M-step's optimum. Each M-step starts them from the last M-step's
#' parameters, so an M-step cut short still raises the likelihood (a
#' generalised EM step). The first M-step of `"EVE"` and `"VVE"`, which has
#' no last one, screens \eqn{k + 1} orientations (the eigenvectors of the
#' pooled scatter and of each component's) by at most 5 sweeps each, since
#' \eqn{\phi}{phi} can have several minima over the orientation, and
#' continues the best up to `inner_max_iter` sweeps; it is the costly one
#' (0.25 s for `"VVE"` at \eqn{d = 30}, where a whole `"VVV"` fit took
#' 0.01 s), the later ones mostly take a few sweeps. The trace of such a fit
#' has a column `inner`, the inner iterations of the M-step that gave each
#' row's parameters (for that first M-step, those of the screen and of the
#' best start together); a fit in which some M-step stopped at
#' `inner_max_iter` short of `inner_tol` warns, with class
#' `emix_warning_inner_max_iter`.
#'
#' @param empty What to do with a degenerate component (too few
#'   observations, or collapsed): `"error"` (a classed error that names it)
#'   or `"drop"` (remove it and go on); see the section *Degenerate
#'   components*.
#' @param threads Number of threads for the E-step, a whole number
#'   \eqn{\ge 1}. `NULL` (the default) takes `getOption("emix.threads")`
#'   if set, else the number of processors, capped by the environment
#'   variables `OMP_THREAD_LIMIT` and `OMP_NUM_THREADS`. The result does not
#'   depend on the number of threads: rows are cut into chunks that depend on
#'   the number of rows only, and the chunks' sums are added in a fixed
#'   order. Without OpenMP support in the compiler, one thread is used, and
#'   so it is for small problems (fewer than 65536 rows times components),
#'   where waking threads would cost more than it saves.
#' @param seeds Number of k-means++ seedings screened by the default start
#'   (`init = "kmeans++"`), a whole number \eqn{\ge 1}: each is refined by
#'   Lloyd iterations on a subsample of rows, and the centres with the least
#'   within-cluster sum of squares (of those whose clusters all hold as many
#'   rows as a component needs) partition all rows, which EM then refines;
#'   see [emix()],
#'   section *Starting values*. More seeds make a poor start rarer and cost
#'   little next to EM. (`nstart` of [emix()] is the number of whole fits.)
#' @param inner_tol,inner_max_iter The inner iterations of an M-step that
#'   has no closed form: the Gaussian models `"VEI"`, `"VEE"`, `"EVE"`,
#'   `"VVE"` and `"VEV"` (see the section *Inner iterations*). They stop when
#'   an iteration changes the parameters by at most `inner_tol` (a number
#'   \eqn{\ge 0}), or after `inner_max_iter` iterations (a whole number
#'   \eqn{\ge 1}).
#' @param ... Must be empty: a misspelt setting (`maxiter`) is an error
#'   rather than silently ignored, and so is a setting that belongs to a
#'   method now (`blocks`, `prior`, `burnin`, `draws`, `thin`): the error
#'   says which method object takes it, e.g. `method = iem(blocks = 20)`.
#'
#' @return A list of class `"emix_control"` with the checked settings.
#'   [emix()] checks it again when it uses it, so a setting edited
#'   afterwards (`ct$max_iter <- -1`) meets the same checks.
#' @references Boehning, D., Dietz, E., Schaub, R., Schlattmann, P. and
#'   Lindsay, B. G. (1994). The distribution of the likelihood ratio for
#'   mixtures of densities from the one-parameter exponential family.
#'   *Annals of the Institute of Statistical Mathematics*, 46(2), 373--388.
#'
#'   Celeux, G. and Govaert, G. (1995). Gaussian parsimonious
#'   clustering models. *Pattern Recognition*, 28(5), 781--793.
#'
#'   Flury, B. N. and Gautschi, W. (1986). An algorithm for simultaneous
#'   orthogonal transformation of several positive definite symmetric
#'   matrices to nearly diagonal form. *SIAM Journal on Scientific and
#'   Statistical Computing*, 7(1), 169--184.
#'
#'   McNicholas, P. D., Murphy, T. B., McDaid, A. F. and Frost, D. (2010).
#'   Serial and parallel implementations of model-based clustering via
#'   parsimonious Gaussian mixture models. *Computational Statistics & Data
#'   Analysis*, 54(3), 711--723.
#'
#'   Browne, R. P. and McNicholas, P. D. (2014). Estimating common principal
#'   components in high dimensions. *Advances in Data Analysis and
#'   Classification*, 8(2), 217--226.
#' @seealso [emix()], [emix_method] for the settings of each method.
#' @examples
#' emix_control(tol = 1e-10, max_iter = 500)
#' fit <- emix(~ ., data = faithful, k = 2, control = emix_control(reg = 0))
#' fit$iter
#' @export
emix_control <- function(tol = 1e-8, max_iter = 1000L,
                         rule = c("aitken", "mean", "relative", "absolute"),
                         accelerate = TRUE, reg = 1e-6, empty = c("error", "drop"),
                         threads = NULL, seeds = 10L, inner_tol = 1e-12,
                         inner_max_iter = 1000L, ...) {
  # a setting that moved to a method object says where it went
  given <- names(list(...))
  stop_moved_settings(given, as.list(substitute(list(...)))[-1L])
  # a misspelt setting (maxiter) is an error that names it and, where one
  # is near, the setting meant
  if (...length() > 0L && !is.null(given) && all(nzchar(given))) {
    settings <- setdiff(names(formals(emix_control)), "...")
    named <- vapply(given, function(g) {
      near <- agrep(g, settings, max.distance = 0.25, value = TRUE)
      if (length(near) > 0L) sprintf("`%s` (did you mean `%s`?)", g, near[1L]) else sprintf("`%s`", g)
    }, character(1))
    stop_arg("...", sprintf("holds settings that emix_control() does not have: %s.",
                            paste(named, collapse = ", ")))
  }
  check_dots_empty(...)
  if (is.null(threads)) {
    threads <- threads_option()
  }
  structure(
    list(
      tol = check_number(tol, "tol"),
      max_iter = check_count(max_iter, "max_iter", min = 0L),
      rule = match_choice(rule, "rule"),
      accelerate = check_flag(accelerate, "accelerate"),
      reg = check_number(reg, "reg"),
      empty = match_choice(empty, "empty"),
      threads = check_count(threads, "threads"),
      seeds = check_count(seeds, "seeds"),
      inner_tol = check_number(inner_tol, "inner_tol"),
      inner_max_iter = check_count(inner_max_iter, "inner_max_iter")
    ),
    class = "emix_control"
  )
}

#' @export
print.emix_control <- function(x, ...) {
  cat("<emix_control>\n")
  cat(sprintf("  tol = %s (%s), max_iter = %d, reg = %s, empty = \"%s\", threads = %d\n",
              format(x$tol), x$rule, x$max_iter, format(x$reg), x$empty, x$threads))
  cat(sprintf("  EM %s\n", if (x$accelerate) "accelerated (squared extrapolation and Anderson acceleration)" else "not accelerated"))
  cat(sprintf("  start: seeds = %d\n", x$seeds))
  cat(sprintf("  inner iterations of an M-step: inner_tol = %s, inner_max_iter = %d\n",
              format(x$inner_tol), x$inner_max_iter))
  invisible(x)
}

# match.arg() with an error that names the argument.
match_choice <- function(value, arg) {
  choices <- eval(formals(sys.function(sys.parent()))[[arg]])
  if (identical(value, choices)) {
    return(choices[1L])
  }
  if (!is.character(value) || length(value) != 1L || !value %in% choices) {
    stop_arg(arg, sprintf("must be one of %s.", paste0("\"", choices, "\"", collapse = ", ")))
  }
  value
}

# A control from a list or an emix_control object, checked again by
# rebuilding it through emix_control(): an object edited after it was made
# (`ct$max_iter <- -1`) goes through the same checks as a fresh one.
as_emix_control <- function(control) {
  if (!is.list(control)) {
    stop_arg("control", "must be made by `emix_control()`.")
  }
  stop_moved_settings(names(control), control, arg = "control")
  # emix_control() stores every setting, so a missing one was removed by hand
  check_fields(control, emix_control, "control", complete = inherits(control, "emix_control"))
  rebuild_checked(emix_control, control, "control")
}

# The settings that belonged to emix_control() and are now arguments of a
# method object, by the method shown in the pointer. `values` (expressions
# or values, by setting) make the pointer show the call to write instead.
moved_settings <- list(iem = "blocks", vb = "prior", gibbs = c("prior", "burnin", "draws", "thin"))

stop_moved_settings <- function(given, values, arg = NULL) {
  moved <- intersect(given, unlist(moved_settings))
  if (length(moved) == 0L) {
    return(invisible())
  }
  # a prior with the chain's settings is Gibbs's; the call to write has
  # every moved setting of that method
  takes <- vapply(moved_settings, function(settings) moved[1L] %in% settings, logical(1))
  method <- if (any(moved %in% moved_settings$gibbs[-1L])) "gibbs" else names(moved_settings)[takes][1L]
  together <- intersect(moved, moved_settings[[method]])
  shown <- vapply(together, function(setting) {
    value <- paste(deparse(values[[setting]], width.cutoff = 500L), collapse = " ")
    sprintf("%s = %s", setting, if (nchar(value) > 60L) "..." else value)
  }, character(1))
  use <- sprintf("`method = %s(%s)`", method, paste(shown, collapse = ", "))
  if (method == "vb") {
    use <- sprintf("%s (or `me()`, `gibbs()`)", use)
  }
  others <- setdiff(moved, together)
  stop_arg(if (is.null(arg)) together[1L] else paste0(arg, "$", together[1L]), sprintf(
    "%s of the method now, not of `emix_control()`: use %s%s. See ?emix_method.",
    if (length(together) == 1L) "is a setting" else sprintf("(and %s) are settings", name_list(together[-1L])),
    use,
    if (length(others) > 0L) sprintf("; %s moved too", name_list(others)) else ""))
}

# The option emix.threads, checked under its own name, else the default.
threads_option <- function() {
  threads <- getOption("emix.threads")
  if (is.null(threads)) {
    return(default_threads())
  }
  tryCatch(check_count(threads, "threads"), emix_error_argument = function(e) {
    stop_arg("options(emix.threads)", sprintf(
      "must be a single whole number of at least 1; it is %s. Set it with `options(emix.threads = 2)`, or unset it with `options(emix.threads = NULL)` to use the default.",
      paste(format(threads), collapse = " ")))
  })
}

# Processors, capped by OMP_THREAD_LIMIT and OMP_NUM_THREADS; 1 without OpenMP.
default_threads <- function() {
  info <- .Call(C_ffi_openmp_info)
  if (info[1L] == 0L) {
    return(1L)
  }
  limits <- suppressWarnings(as.integer(Sys.getenv(c("OMP_THREAD_LIMIT", "OMP_NUM_THREADS"))))
  max(1L, min(c(info[2L], info[3L], limits[limits > 0L]), na.rm = TRUE))
}
