# plot() for "emix" fits, in base graphics: the log-likelihood trace, the
# classification with the components' ellipses, and the fitted density.

#' Plot a mixture fit
#'
#' Draws one of six plots of a fit, in base graphics.
#'
#' * `"loglik"`: the log-likelihood at each iteration (0 is the start); for
#'   `method = "vb"` the ELBO and for `"me"` log p(x, z), their objectives;
#'   for `"gibbs"` the log-likelihood of each sweep's draw, with the end of
#'   the burn-in marked by a dashed line. When
#'   components were dropped on the way (`emix_control(empty = "drop")`),
#'   each run of iterations with the same number of components is drawn
#'   separately and a dashed vertical line marks each drop. For accelerated
#'   EM (the default), the rows whose parameters were proposed (a jump or a
#'   secant proposal) are drawn as red triangles (see [emix()], section *Methods*).
#' * `"bound"`: the free-energy view of EM. Top: the log-likelihood
#'   \eqn{\ell_t} (points) and the bound \eqn{F(q_{t-1}, \theta_t)} that the
#'   M-step reached (dashed), with the gap between them, the Kullback-Leibler
#'   divergence \eqn{\mathrm{KL}(q_{t-1} \| p(z \mid x, \theta_t))}, shaded. Each
#'   E-step brings the bound back up to the log-likelihood. Bottom: the gap
#'   on a log scale. See the section *The bound* of [emix()].
#' * `"starts"`: the objective of every start (`nstart`) at each iteration,
#'   overlaid (the log-likelihood for `"em"`; the classification
#'   log-likelihood for `"cem"`, the free energy for `"iem"`, the ELBO for
#'   `"vb"`, log p(x, z) for `"me"`), from `fit$start_traces`. The starts
#'   that end at the same value (to 7 significant digits) reached the same
#'   local optimum and share a colour; the legend lists the optima, best
#'   first (at most ten), with the number of starts that reached each. The
#'   kept start is the thick black line. Starts that failed are counted
#'   below the plot. With `nstart = 1` the one trajectory is drawn, and a
#'   note says that several starts are needed to compare optima. Not for
#'   `"gibbs"`, which runs one chain.
#' * `"classification"` (Gaussian fits): the data coloured by most probable component, with
#'   each component's mean (a cross) and the ellipse holding 95% of its
#'   probability (for a pair of variables, the 95% region of the bivariate
#'   normal with the corresponding entries of the mean and covariance). One
#'   scatter plot for two variables, a scatter plot matrix ([pairs()]) for
#'   more; for one variable, a strip chart per component with the mean and
#'   the interval of \eqn{\pm 1.96}{+/-1.96} standard deviations.
#' * `"density"` (Gaussian fits): for one variable, a histogram of the data (weighted, if the
#'   fit has weights) with the fitted mixture density and each component's
#'   contribution \eqn{\pi_c \phi(x; \mu_c, \sigma_c^2)}{pro[c] phi(x; mean[c], sigma[c]^2)};
#'   for two variables, contours of the fitted density over the data, with
#'   the components' means and 95% ellipses. The
#'   contours are drawn at the density exceeded by 95%, 75%, 50% and 25% of
#'   the observations (weighted), so they enclose about that share of the
#'   data. Not available for more than two variables.
#' * `"uncertainty"`: the uncertainty of each row's classification,
#'   \eqn{1 - \max_c z_{ic}}{1 - max_c z[i, c]} (as mclust's uncertainty
#'   plot): 0 for a row wholly in one component, at most \eqn{1 - 1/K} for
#'   \eqn{K} columns of `z` (the noise included), a row the components share
#'   equally. For a Gaussian fit to one variable, the uncertainty against the
#'   variable; to two, a scatter plot whose points grow with the uncertainty
#'   (on the fixed scale from 0 to \eqn{1 - 1/K}, so sizes compare between
#'   fits), coloured by component, with the 95% ellipses; to more, a scatter
#'   plot matrix of the same. A multinomial fit has no coordinates to draw
#'   on: its documents are ordered by uncertainty.
#'
#' The data are the rows the model was fitted to, in the variables of the
#' fit (for a formula such as `~ log(a) + b`, `log(a)` and `b`). Each
#' family lists the plots it draws beyond `"loglik"`, `"bound"` and
#' `"starts"` in `fit$family$plots`: the Gaussian family all three, the
#' multinomial family `"uncertainty"`; another is an error of class
#' `emix_error_argument` that lists them.
#'
#' @param x A fit returned by [emix()].
#' @param which The plot to draw: `"loglik"` (the default), `"bound"`,
#'   `"starts"`, `"classification"`, `"density"` or `"uncertainty"`.
#' @param ... Graphical parameters passed to the main plotting function
#'   ([plot()], [pairs()], [stripchart()], [plot()] of the histogram, or
#'   [contour()]), overriding the defaults, such as `main`, `xlab` or `col`
#'   where it applies.
#' @return `x`, invisibly; for `which = "uncertainty"`, the uncertainty of
#'   each row (a numeric vector named by row), invisibly.
#' @references
#' Fraley, C. and Raftery, A. E. (2002). Model-based clustering,
#' discriminant analysis, and density estimation. *Journal of the American
#' Statistical Association*, 97(458), 611--631.
#' @seealso [emix()], [predict.emix()]
#' @examples
#' fit <- emix(~ ., data = faithful, k = 2)
#' plot(fit)
#' plot(fit, which = "bound")
#' plot(fit, which = "classification")
#' plot(fit, which = "density")
#' u <- plot(fit, which = "uncertainty")
#' summary(u)
#'
#' # several starts of a three-component fit reach different optima
#' set.seed(1)
#' plot(emix(~ ., data = faithful, k = 3, init = "random", nstart = 8), which = "starts")
#'
#' plot(emix(~ eruptions, data = faithful, k = 2), which = "density")
#' plot(emix(~ eruptions, data = faithful, k = 2), which = "uncertainty")
#' plot(emix(~ ., data = iris[1:4], k = 3), which = "classification")
#' plot(emix(~ ., data = iris[1:4], k = 3), which = "uncertainty")
#' @export
plot.emix <- function(x, which = c("loglik", "bound", "starts", "classification", "density",
                                   "uncertainty"), ...) {
  which <- match_choice(which, "which")
  if (!which %in% c(trace_plots, x$family$plots)) {
    stop_arg("which", sprintf(
      "cannot be \"%s\" for a fit of the %s family, which draws %s.", which, x$family$name,
      paste0("\"", c(trace_plots, x$family$plots), "\"", collapse = ", ")
    ))
  }
  dots <- list(...)
  switch(which,
    loglik = plot_loglik(x, dots),
    bound = plot_bound(x, dots),
    starts = plot_starts(x, dots),
    classification = plot_classification(x, dots),
    density = {
      if (x$d > 2L) {
        stop_arg("which", sprintf(
          "cannot be \"density\" for a fit to %d variables: the density is drawn for 1 or 2 variables only. Use `which = \"classification\"`, or fit a formula with two of the variables.",
          x$d
        ))
      }
      if (x$d == 1L) plot_density_1d(x, dots) else plot_density_2d(x, dots)
    },
    uncertainty = return(invisible(plot_uncertainty(x, dots)))
  )
  invisible(x)
}

# The plots every family draws: they read the fit's traces only.
trace_plots <- c("loglik", "bound", "starts")

plot_loglik <- function(x, dots) {
  trace <- x$trace
  curve <- trace_curve(x)
  label <- curve$label
  y <- curve$y
  do.call(graphics::plot, with_defaults(dots, list(
    x = trace$iter, y = y, type = "n",
    xlab = curve$xlab, ylab = label,
    main = sprintf("%s: %s (%s, %d component%s)", method_names[[x$method]], label,
                   if (is.null(x$model)) x$family$name else x$model, x$k, plural(x$k))
  )))
  draw_trace(trace, y, type = curve$type, pch = 20)
  proposed <- which(trace$accelerated %in% TRUE)
  if (length(proposed) > 0L) {
    # accelerated EM: the rows whose parameters were proposed
    graphics::points(trace$iter[proposed], y[proposed], pch = 17, col = "firebrick")
    graphics::legend("bottomright", legend = c("EM step", "accelerated step"), pch = c(20, 17),
                     col = c("black", "firebrick"), bty = "n", cex = 0.8)
  }
  segment <- cumsum(c(TRUE, diff(trace$k) != 0L))
  if (curve$burnin > 0L) {
    graphics::abline(v = curve$burnin + 0.5, lty = 2, col = "grey50")
  }
  if (max(segment) > 1L) {
    starts <- which(c(FALSE, diff(segment) != 0L))
    at <- (trace$iter[starts - 1L] + trace$iter[starts]) / 2
    graphics::abline(v = at, lty = 2, col = "grey50")
    graphics::text(at, graphics::par("usr")[4L], sprintf("k = %d", trace$k[starts]),
                   pos = 1, cex = 0.8, col = "grey30")
  }
}

# What plot(which = "loglik") draws of the trace: the label and values of
# its curve, the name of its steps, the line type and the burn-in to mark.
trace_curve <- function(x) {
  UseMethod("trace_curve")
}

#' @export
trace_curve.emix <- function(x) {
  list(label = "Log-likelihood", y = x$trace$loglik, xlab = "Iteration", type = "o",
       burnin = 0L)
}

# VB and ME do not compute the log-likelihood on the way: their objective
#' @export
trace_curve.emix_vb <- function(x) {
  curve <- NextMethod()
  curve$label <- "ELBO"
  curve$y <- x$trace$objective
  curve
}

#' @export
trace_curve.emix_me <- function(x) {
  curve <- NextMethod()
  curve$label <- "log p(x, z)"
  curve$y <- x$trace$objective
  curve
}

#' @export
trace_curve.emix_gibbs <- function(x) {
  curve <- NextMethod()
  curve$xlab <- "Sweep"
  curve$type <- "l"
  curve$burnin <- x$method_settings$burnin
  curve
}

plot_bound <- function(x, dots) {
  if (x$method %in% bayes_methods) {
    stop_arg("which", sprintf(
      "cannot be \"bound\" for method \"%s\": %s Use `which = \"loglik\"`.", x$method,
      if (x$method == "gibbs") "a Gibbs sampler has no bound." else "its objective is itself the bound."
    ))
  }
  trace <- x$trace
  old <- graphics::par(mfrow = c(2L, 1L), mar = c(4, 4, 2.5, 1))
  on.exit(graphics::par(old))
  do.call(graphics::plot, with_defaults(dots, list(
    x = range(trace$iter), y = range(trace$loglik, trace$bound, na.rm = TRUE), type = "n",
    xlab = "Iteration", ylab = "Log-likelihood and bound",
    main = "log p(x | theta) = F(q, theta) + KL(q || p(z | x, theta))"
  )))
  segment <- cumsum(c(TRUE, diff(trace$k) != 0L))
  for (s in unique(segment)) {
    rows <- which(segment == s & !is.na(trace$bound))
    if (length(rows) > 0L) {
      graphics::polygon(c(trace$iter[rows], rev(trace$iter[rows])),
                        c(trace$bound[rows], rev(trace$loglik[rows])),
                        col = grDevices::adjustcolor("tomato", 0.35), border = NA)
      graphics::lines(trace$iter[rows], trace$bound[rows], type = "o", lty = 2,
                      pch = 1, col = "tomato3")
    }
    graphics::lines(trace$iter[segment == s], trace$loglik[segment == s], type = "o", pch = 20)
  }
  graphics::legend("bottomright", bty = "n", pch = c(20, 1, 15), lty = c(1, 2, NA),
                   col = c("black", "tomato3", grDevices::adjustcolor("tomato", 0.35)),
                   legend = c("log-likelihood (after the E-step, the bound equals it)",
                              "bound F after the M-step", "gap: KL divergence"))
  gap <- trace$gap
  shown <- !is.na(gap) & gap > 0
  if (any(shown)) {
    graphics::plot(trace$iter[shown], gap[shown], log = "y", type = "h", lwd = 3,
                   col = "tomato3", xlim = range(trace$iter), xlab = "Iteration",
                   ylab = "Gap (log scale)", main = "KL(q_{t-1} || p(z | x, theta_t))")
  } else {
    graphics::plot.new()
    graphics::title(main = "No positive gap to show")
  }
}

plot_classification <- function(x, dots) {
  data <- x$x
  vars <- variable_names(data)
  k <- x$k
  colours <- component_colours(k)
  class <- x$classification
  noise <- !is.null(x$noise)
  style <- class_styles(x)
  # a Bayesian fit's empty components hold no rows and are not drawn
  shown <- shown_components(x)
  main <- sprintf("Classification (%s, %d component%s%s%s)", x$model, k, plural(k),
                  if (length(shown) < k) sprintf(", %d empty", k - length(shown)) else "",
                  if (noise) " and noise" else "")
  if (x$d == 1L) {
    levels <- c(seq_len(k), if (noise) 0L)
    values <- split(data[, 1L], factor(class, levels = levels, labels = names(x$pro)))
    sd <- sqrt(x$sigma[1L, 1L, ])
    do.call(graphics::stripchart, with_defaults(dots, list(
      x = values, method = "jitter", pch = ifelse(levels == 0L, 4, 1),
      col = c(colours, "grey50")[seq_along(levels)],
      xlim = range(data, x$mean[, 1L] - 1.96 * sd, x$mean[, 1L] + 1.96 * sd),
      xlab = vars, ylab = "Component", main = main
    )))
    graphics::segments(x$mean[shown, 1L] - 1.96 * sd[shown], shown,
                       x$mean[shown, 1L] + 1.96 * sd[shown], shown, col = colours[shown], lwd = 2)
    graphics::points(x$mean[shown, 1L], shown, pch = 3, cex = 2, lwd = 2, col = colours[shown])
  } else {
    scatter_with_ellipses(x, style$col, style$pch, cex = 1, main = main, dots = dots)
  }
}

# Each row's colour (its most probable component's) and symbol; noise rows
# (class 0) in grey, with their own symbol.
class_styles <- function(x) {
  class <- x$classification
  list(col = c(component_colours(x$k), "grey50")[ifelse(class == 0L, x$k + 1L, class)],
       pch = ifelse(class == 0L, 4, 1))
}

# The rows of a Gaussian fit's data, in colours `col`, symbols `pch` and
# sizes `cex` (one per row), with each component's 95% ellipse: a scatter
# plot for two variables, a scatter plot matrix for more.
scatter_with_ellipses <- function(x, col, pch, cex, main, dots) {
  data <- x$x
  vars <- variable_names(data)
  colours <- component_colours(x$k)
  if (x$d == 2L) {
    outlines <- do.call(rbind, ellipses(x, 1L, 2L))
    do.call(graphics::plot, with_defaults(dots, list(
      x = data[, 1L], y = data[, 2L], col = col, pch = pch, cex = cex,
      xlim = range(data[, 1L], outlines[, 1L]), ylim = range(data[, 2L], outlines[, 2L]),
      xlab = vars[1L], ylab = vars[2L], main = main
    )))
    draw_ellipses(x, 1L, 2L, colours)
    return(invisible())
  }
  # pairs() hands each panel the columns' values, not their indices: find
  # them among the data's columns to know which ellipse to draw
  columns <- lapply(seq_len(x$d), function(j) unname(data[, j]))
  panel <- function(u, v, ...) {
    graphics::points(u, v, col = col, pch = pch, cex = 0.6 * cex)
    j <- Position(function(column) identical(column, unname(u)), columns)
    i <- Position(function(column) identical(column, unname(v)), columns)
    if (!is.na(i) && !is.na(j)) {
      draw_ellipses(x, j, i, colours)
    }
  }
  do.call(graphics::pairs, with_defaults(dots, list(
    x = data, panel = panel, main = main, gap = 0.3
  )))
}

plot_density_1d <- function(x, dots) {
  data <- x$x[, 1L]
  var <- variable_names(x$x)
  w <- if (is.null(x$weights)) rep(1, length(data)) else x$weights
  hist <- graphics::hist(data, breaks = "FD", plot = FALSE)
  bin <- findInterval(data, hist$breaks, rightmost.closed = TRUE, all.inside = TRUE)
  counts <- vapply(seq_along(hist$mids), function(b) sum(w[bin == b]), numeric(1))
  hist$counts <- counts
  hist$density <- counts / (sum(w) * diff(hist$breaks))
  grid <- seq(min(hist$breaks), max(hist$breaks), length.out = 512L)
  sd <- sqrt(x$sigma[1L, 1L, ])
  parts <- vapply(seq_len(x$k), function(c) {
    x$pro[[c]] * stats::dnorm(grid, x$mean[c, 1L], sd[c])
  }, numeric(length(grid)))
  if (!is.null(x$noise)) {
    # the noise density pro0 / V, taken to hold everywhere (as predict())
    parts <- cbind(parts, x$pro[["noise"]] * exp(x$noise$log_density))
  }
  parts <- matrix(parts, nrow = length(grid))
  total <- rowSums(parts)
  do.call(graphics::plot, with_defaults(dots, list(
    x = hist, freq = FALSE, col = "grey90", border = "grey60",
    ylim = c(0, max(hist$density, total)), xlab = var, ylab = "Density",
    main = sprintf("Fitted density (%s, %d component%s)", x$model, x$k, plural(x$k))
  )))
  colours <- c(component_colours(x$k), "grey50") # the noise in grey
  for (c in seq_len(ncol(parts))) {
    graphics::lines(grid, parts[, c], col = colours[c], lty = 2, lwd = 1.5)
  }
  graphics::lines(grid, total, lwd = 2)
}

plot_density_2d <- function(x, dots) {
  data <- x$x
  vars <- variable_names(data)
  w <- if (is.null(x$weights)) rep(1, nrow(data)) else x$weights
  ranges <- apply(data, 2L, range)
  ranges <- ranges + c(-0.1, 0.1) %o% (ranges[2L, ] - ranges[1L, ])
  g1 <- seq(ranges[1L, 1L], ranges[2L, 1L], length.out = 101L)
  g2 <- seq(ranges[1L, 2L], ranges[2L, 2L], length.out = 101L)
  grid <- cbind(rep(g1, times = length(g2)), rep(g2, each = length(g1)))
  colnames(grid) <- vars
  density <- matrix(predict_matrix(x, grid, "density"), length(g1), length(g2))
  at_data <- predict_matrix(x, data, "density")
  shares <- c(0.95, 0.75, 0.5, 0.25)
  levels <- weighted_quantile(at_data, w, 1 - shares)
  defaults <- list(
    x = g1, y = g2, z = density, levels = levels,
    labels = paste0(100 * shares, "%"), xlab = vars[1L], ylab = vars[2L],
    main = sprintf("Fitted density (%s, %d component%s)", x$model, x$k, plural(x$k))
  )
  if (any(c("levels", "nlevels") %in% names(dots))) {
    defaults[c("levels", "labels")] <- NULL
  }
  do.call(graphics::contour, with_defaults(dots, defaults))
  graphics::points(data[, 1L], data[, 2L], pch = 20, cex = 0.5, col = "grey50")
  draw_ellipses(x, 1L, 2L, component_colours(x$k))
}

# The 95% ellipse of each component shown in variables i (horizontal) and
# j, with its centre.
draw_ellipses <- function(x, i, j, colours) {
  shown <- shown_components(x)
  outlines <- ellipses(x, i, j)
  for (s in seq_along(shown)) {
    c <- shown[s]
    graphics::lines(outlines[[s]], col = colours[c], lwd = 1.5)
    graphics::points(x$mean[c, i], x$mean[c, j], pch = 3, cex = 1.5, lwd = 2, col = colours[c])
  }
}

# For each component shown (all but a Bayesian fit's empty ones), the points
# (two columns) of the ellipse holding 95% of the probability of its
# bivariate normal in variables i and j.
ellipses <- function(x, i, j) {
  radius <- sqrt(stats::qchisq(0.95, df = 2))
  angle <- seq(0, 2 * pi, length.out = 101L)
  circle <- radius * cbind(cos(angle), sin(angle))
  lapply(shown_components(x), function(c) {
    outline <- circle %*% chol(x$sigma[c(i, j), c(i, j), c])
    sweep(outline, 2L, x$mean[c, c(i, j)], "+")
  })
}

component_colours <- function(k) grDevices::hcl.colors(max(k, 2L), "Dark 3")[seq_len(k)]

# `dots` completed by the defaults it does not override.
with_defaults <- function(dots, defaults) {
  c(dots, defaults[setdiff(names(defaults), names(dots))])
}

# The smallest value v such that a share of at least `p` of the weight lies
# at or below it, for each p.
weighted_quantile <- function(v, w, p) {
  o <- order(v)
  v <- v[o]
  share <- cumsum(w[o]) / sum(w)
  vapply(p, function(q) v[min(which(share >= q - 1e-12))], numeric(1))
}
