# The screening of emix_select()'s grid (see ?emix_select, section
# Screening): every cell fitted as mclust fits it first, the contenders
# again with the user's settings.

# Screening. Most cells of a grid only show that they lose, and need no
# more precision than that. So every cell is first fitted as mclust fits
# it: plain EM without a ridge, stopped where an iteration changes the
# log-likelihood by less than screen_tol relative to it (mclust's rule and
# default tolerance, emControl()); from mclust's own start such a cell is
# mclust's. Only the cells that might then be within screen_margin of the
# best criterion are fitted again with `control`, to its stopping rule,
# until the best cell is such a refit. A refitted row is exactly the row of
# screen = FALSE. "Might": a cell is credited with what it could still gain
# (possible_gain()). The margin is measured (?emix_select,
# bench/select_screen.R).
screen_tol <- 1e-5
screen_margin <- 40
# The inner iterations of the M-steps that iterate ("VEI", "EVE", ...) stop
# at mclust's default tolerance too (emControl()$tol[2]).
screen_inner_tol <- sqrt(.Machine$double.eps)

# Whether a grid is screened: plain or accelerated EM, stopped by a rule
# (tol = 0 or max_iter = 0 ask for exactly that many iterations).
screens <- function(method, control) {
  method$name == "em" && control$tol > 0 && control$max_iter > 0L
}

# The settings of a screening fit. Without a ridge: with it the fit climbs
# a slightly different likelihood, and stopped at mclust's tolerance it can
# end below mclust's cell (iris, EVV with k = 7: 1.5e-6 relative).
screening_control <- function(control) {
  control$reg <- 0
  control$rule <- "relative"
  control$tol <- screen_tol
  control$inner_tol <- screen_inner_tol
  control$accelerate <- FALSE
  control
}

# The log-likelihood a screening fit might still gain: the smaller of the
# Aitken estimate of the distance to the limit (the last change times
# r / (1 - r), r the ratio of the last two changes) and what the mean
# change of the last ten iterations would add in as many iterations again
# as the fit has run. The Aitken estimate fits EM's geometric convergence;
# the straight line bounds it where the rate is near 1 (a cell creeping
# along a ridge, for which the estimate runs to hundreds of units the cell
# does not gain in a thousand iterations). Neither is a bound: a cell
# slowly leaving a saddle can beat both.
possible_gain <- function(fit) {
  change <- fit$trace$change[!is.na(fit$trace$change)]
  if (length(change) == 0L) {
    return(0)
  }
  last <- change[length(change)]
  rate <- if (length(change) >= 2L) last / change[length(change) - 1L] else NA_real_
  aitken <- if (is.finite(rate) && rate >= 0 && rate < 1) last * rate / (1 - rate) else Inf
  straight <- max(mean(utils::tail(change, 10L)), 0) * fit$iter
  max(min(aitken, straight), 0)
}

# The screened rows whose criterion, credited with twice their possible
# gain, is within screen_margin of the best one, and those that failed:
# plain EM's path is not accelerated EM's, and a component that collapses
# on one need not on the other.
contenders <- function(table, criterion) {
  values <- table[[criterion]]
  best <- if (all(is.na(values))) Inf else min(values, na.rm = TRUE)
  which(table$screened & (is.na(values) | values - 2 * table$gain <= best + screen_margin))
}

# The screened table with its contenders fitted again by refit(rows of the
# table), which returns their rows (lists, see select_cell()), until the
# best cell is a refit: a refit can fall behind a screened cell that was
# not a contender before.
refit_contenders <- function(table, criterion, refit) {
  repeat {
    open <- contenders(table, criterion)
    if (length(open) == 0L) {
      return(table)
    }
    refits <- refit(open)
    table[open, names(refits[[1L]])] <- rows_frame(refits)
  }
}
