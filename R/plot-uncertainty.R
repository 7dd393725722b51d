# plot(which = "uncertainty"): how unsure the fit is of each row's
# component, 1 - max_c z_ic (0 for a row wholly in one component, at most
# 1 - 1/K with K columns of z, a row the components share equally).

# The uncertainty of each row of a fit, named by row.
classification_uncertainty <- function(x) {
  z <- x$z
  top <- z[cbind(seq_len(nrow(z)), max.col(z, ties.method = "first"))]
  stats::setNames(1 - top, rownames(z))
}

# Draws the uncertainty and returns it. Gaussian fits show it on the data:
# against the variable for one variable, as the size of each point (in its
# component's colour, with the components' ellipses) for two or more.
# Other families have no coordinates to draw: their rows are ordered by
# uncertainty.
plot_uncertainty <- function(x, dots) {
  u <- classification_uncertainty(x)
  most <- 1 - 1 / ncol(x$z)
  style <- class_styles(x)
  main <- sprintf("Classification uncertainty (%s, %d component%s%s)",
                  if (is.null(x$model)) x$family$name else x$model, x$k, plural(x$k),
                  if (is.null(x$noise)) "" else " and noise")
  ylab <- "Uncertainty, 1 - max posterior"
  if (!inherits(x$family, "emix_family_gaussian")) {
    o <- order(u)
    do.call(graphics::plot, with_defaults(dots, list(
      x = seq_along(u), y = u[o], type = "h", col = style$col[o], ylim = c(0, most),
      xlab = "Rows, ordered by uncertainty", ylab = ylab, main = main
    )))
  } else if (x$d == 1L) {
    do.call(graphics::plot, with_defaults(dots, list(
      x = x$x[, 1L], y = u, col = style$col, pch = style$pch, ylim = c(0, most),
      xlab = variable_names(x$x), ylab = ylab, main = main
    )))
  } else {
    # sizes on a fixed scale, 0 to the largest possible uncertainty, so
    # that they read the same in every fit with as many columns
    size <- function(v) 0.5 + 2 * (if (most > 0) v / most else 0)
    filled <- ifelse(style$pch == 1, 19, style$pch)
    scatter_with_ellipses(x, grDevices::adjustcolor(style$col, 0.6), filled, size(u),
                          main = main, dots = dots)
    if (x$d == 2L && most > 0) {
      at <- signif(most * c(0.1, 0.5, 1), 2)
      graphics::legend("topleft", legend = format(at, drop0trailing = TRUE), pt.cex = size(at), pch = 19,
                       col = "grey40", bty = "n", title = "Uncertainty")
    }
  }
  if (x$d == 1L || !inherits(x$family, "emix_family_gaussian")) {
    graphics::abline(h = most, lty = 3, col = "grey50")
  }
  u
}
