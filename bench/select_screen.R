# How far the screening of emix_select() can be trusted (?emix_select,
# section Screening).
#
# For each data set, the default grid (k = 1..9, all fourteen models) is
# run twice from the same seed: screened (the default) and with
# screen = FALSE, where every cell is fitted from every start to the
# stopping rule. The screening fit of every cell is taken from the
# screened run before its contenders are refitted. Reported per data set:
# * how far the screening fits' BIC lie above the cells' BIC without
#   screening (median, 95% and largest; negative where the screening fit
#   reached a better optimum);
# * "needed": the margin the best cell without screening needed to be a
#   contender in the first round (its screening BIC, less twice its
#   credited gain, minus the best screening BIC): the margin (40) must
#   exceed it, or a later round must find the cell;
# * whether the screened run chose the same cell with the same BIC, and
#   the seconds each run took (two processes).
# Last, the same over all cells of all data sets together. About 2 minutes.
#
# Run from the package root:  Rscript bench/select_screen.R [--seed=1]
# (--seed: the seed set before each grid; the data are fixed)
suppressPackageStartupMessages(library(emix))
source("bench/workloads.R")
args <- commandArgs(trailingOnly = TRUE)
seed_arg <- sub("^--seed=", "", grep("^--seed=", args, value = TRUE))
grid_seed <- if (length(seed_arg) == 1L) as.integer(seed_arg) else 1L

set.seed(20261201)
simulate <- function(n, means, sds) {
  k <- nrow(means)
  g <- sample.int(k, n, replace = TRUE)
  means[g, ] + matrix(rnorm(n * ncol(means)), n) * sds[g]
}
w1 <- make_workload(1e5, 5, 5)$x
data_sets <- list(
  faithful = as.matrix(faithful),
  iris = as.matrix(iris[1:4]),
  USArrests = as.matrix(USArrests),
  swiss = as.matrix(swiss),
  quakes = as.matrix(quakes),
  trees = as.matrix(trees),
  airquality = as.matrix(na.omit(airquality[1:4])),
  mtcars = as.matrix(mtcars[c("mpg", "disp", "hp", "drat", "wt", "qsec")]),
  rock = as.matrix(rock),
  # four overlapping spherical clusters of unequal spread, n = 600, d = 3
  sim_overlap = simulate(600, rbind(c(0, 0, 0), c(2, 0, 0), c(0, 2.5, 0), c(1, 1, 3)),
                         c(1, 0.5, 1.5, 0.8)),
  W1_2000 = w1[1:2000, ],
  W1_20000 = w1[1:20000, ]
)
if (requireNamespace("MASS", quietly = TRUE)) {
  data_sets$crabs <- as.matrix(MASS::crabs[4:8])
}

# the screening table, as refit_contenders() receives it
screening_table <- NULL
refit <- emix:::refit_contenders
assignInNamespace("refit_contenders", function(table, criterion, refit_fn) {
  screening_table <<- table
  refit(table, criterion, refit_fn)
}, "emix")

rows <- list()
all_above <- numeric(0)
for (name in names(data_sets)) {
  x <- data_sets[[name]]
  set.seed(grid_seed)
  screened_time <- system.time(screened <- emix_select(x, progress = FALSE, cores = 2))[[3]]
  first <- screening_table
  set.seed(grid_seed)
  full_time <- system.time(full <- emix_select(x, progress = FALSE, cores = 2,
                                               screen = FALSE))[[3]]
  above <- first$BIC - full$table$BIC
  all_above <- c(all_above, above[!is.na(above)])
  best <- which.min(full$table$BIC)
  needed <- first$BIC[best] - 2 * first$gain[best] - min(first$BIC, na.rm = TRUE)
  rows[[name]] <- data.frame(
    data = name, n = nrow(x), d = ncol(x),
    refitted = sum(!screened$table$screened),
    above_median = stats::median(above, na.rm = TRUE),
    above_95 = unname(stats::quantile(above, 0.95, na.rm = TRUE)),
    above_max = max(above, na.rm = TRUE),
    needed = needed,
    same_choice = identical(c(screened$best$k, screened$best$model),
                            c(full$best$k, full$best$model)),
    bic_change = min(screened$table$BIC, na.rm = TRUE) - min(full$table$BIC, na.rm = TRUE),
    screened_s = screened_time, full_s = full_time
  )
  print(rows[[name]], digits = 4, row.names = FALSE)
}
result <- do.call(rbind, rows)
cat("\nAll data sets:\n")
print(result, digits = 4, row.names = FALSE)
cat(sprintf("\nOver all %d cells: screening BIC above the BIC without screening by at most %.3g in half, %.3g in 95%%, %.3g in all; below it in %d.\n",
            length(all_above), stats::median(all_above), stats::quantile(all_above, 0.95),
            max(all_above), sum(all_above < -1e-6)))
# (NA where the best cell's screening fit failed: such a fit is refitted)
cat(sprintf("\nLargest margin needed: %.1f (%s); the best cell's screening fit failed on %d data sets; the choice differed on %d.\n",
            max(result$needed, na.rm = TRUE), result$data[which.max(result$needed)],
            sum(is.na(result$needed)), sum(!result$same_choice)))
