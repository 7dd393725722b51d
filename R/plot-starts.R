# plot(which = "starts"): the objective of every start, iteration by
# iteration, so that the local optima EM ends in can be seen.

# The name of each method's objective, the quantity its trace climbs and
# its starts are compared by.
objective_labels <- c(em = "Log-likelihood", cem = "Classification log-likelihood",
                      sem = "Log-likelihood", iem = "Free energy F", vb = "ELBO",
                      me = "log p(x, z)", gibbs = "Log-likelihood")

plot_starts <- function(x, dots) {
  if (x$method == "gibbs") {
    stop_arg("which", "cannot be \"starts\" for method \"gibbs\": a chain has one start, not a maximum to compare. Use `which = \"loglik\"`.")
  }
  traces <- x$start_traces
  if (is.null(traces)) {
    stop_arg("x", "has no `start_traces` (it was made by an older version of emix): refit it with `update(x)`.")
  }
  ran <- which(!vapply(traces, is.null, NA))
  final <- x$start_objective
  # starts that end at the same value (to 7 digits) reached the same optimum
  final_label <- formatC(final, digits = 7, format = "g")
  optima <- unique(final_label[ran[order(final[ran], decreasing = TRUE)]])
  optimum_colours <- grDevices::hcl.colors(max(length(optima), 2L), "Dark 3")
  start_colour <- optimum_colours[match(final_label, optima)]
  label <- objective_labels[[x$method]]
  values <- unlist(lapply(traces[ran], function(trace) trace$objective))
  iters <- unlist(lapply(traces[ran], function(trace) trace$iter))
  nstart <- length(traces)
  do.call(graphics::plot, with_defaults(dots, list(
    x = range(iters), y = range(values, finite = TRUE), type = "n",
    xlab = "Iteration", ylab = label,
    main = sprintf("%s of each start (%s, %d component%s)", label,
                   if (is.null(x$model)) x$family$name else x$model, x$k, plural(x$k)),
    sub = starts_subtitle(nstart, length(ran))
  )))
  # the kept start last and thick, so that no other hides it
  for (s in c(setdiff(ran, x$start), x$start)) {
    kept <- s == x$start
    trace <- traces[[s]]
    draw_trace(trace, trace$objective, col = if (kept) "black" else start_colour[s],
               lwd = if (kept) 2.5 else 1)
    graphics::points(trace$iter[nrow(trace)], trace$objective[nrow(trace)], pch = 19,
                     col = if (kept) "black" else start_colour[s])
  }
  legend <- starts_legend(optima, final_label, x$start, optimum_colours)
  graphics::legend("bottomright", legend = legend$text, col = legend$col, lwd = legend$lwd,
                   lty = legend$lty,
                   bty = "n", cex = 0.8, title = sprintf("Final %s", tolower(label)))
}

# Below the plot: how many starts there were, and how many failed.
starts_subtitle <- function(nstart, ran) {
  if (nstart == 1L) {
    return("One start: fit with nstart > 1 to compare the optima several starts reach.")
  }
  failed <- nstart - ran
  sprintf("%d starts%s", nstart,
          if (failed > 0L) sprintf(", %d failed (see $start_errors)", failed) else "")
}

# One legend line per optimum reached (the best ten), with the number of
# starts that reached it; the kept start's line says so.
starts_legend <- function(optima, final_label, kept, colours) {
  shown <- utils::head(optima, 10L)
  count <- vapply(shown, function(o) sum(final_label == o, na.rm = TRUE), integer(1))
  text <- sprintf("%s: %d start%s", shown, count, vapply(count, plural, ""))
  is_kept <- shown == final_label[kept]
  text[is_kept] <- sprintf("%s, kept (start %d)", text[is_kept], kept)
  col <- ifelse(is_kept, "black", colours[seq_along(shown)])
  lwd <- ifelse(is_kept, 2.5, 1)
  lty <- rep(1, length(shown))
  if (length(optima) > length(shown)) {
    text <- c(text, sprintf("and %d lower values", length(optima) - length(shown)))
    col <- c(col, "black")
    lwd <- c(lwd, 1)
    lty <- c(lty, 0)
  }
  list(text = text, col = col, lwd = lwd, lty = lty)
}

# Draws a trace's values y against its iterations, one line per run of
# iterations with the same number of components (a dropped component
# breaks the line).
draw_trace <- function(trace, y, ...) {
  segment <- cumsum(c(TRUE, diff(trace$k) != 0L))
  for (s in unique(segment)) {
    rows <- segment == s
    graphics::lines(trace$iter[rows], y[rows], ...)
  }
}
