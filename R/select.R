# emix_select(): a grid of Gaussian fits over numbers of components and
# covariance models, compared by BIC or ICL, as mclust's mclustBIC() does.

#' Choose the number of components and the covariance model by BIC or ICL
#'
#' `emix_select()` fits a Gaussian mixture for every pair of a number of
#' components in `k` and a covariance model in `model` (a cell of the grid),
#' computes each cell's BIC and ICL, and returns the table of cells and the
#' fit of the best one, as mclust's `Mclust()` and `mclustBIC()` do.
#'
#' @section The criteria and their signs:
#' With log-likelihood \eqn{\ell}{l}, \eqn{p} free parameters (`df`) and
#' \eqn{N} observations ([nobs()], the sum of the weights if there are
#' weights), the table shows the criteria on R's scale, as [stats::BIC()]
#' computes them and as [summary.emix()] reports them:
#' \deqn{\mathrm{BIC} = -2\ell + p \log N,}{BIC = -2 l + p log(N),}
#' so that **smaller is better** and `table$BIC` equals `BIC(fit)` for the
#' fit of the cell. mclust (`mclustBIC()`, `plot.mclustBIC()`) reports
#' \eqn{2\ell - p \log N}{2 l - p log(N)}, the same number with the opposite
#' sign, for which larger is better. `print()` and `plot()` say which
#' convention they show.
#'
#' ICL (Biernacki, Celeux and Govaert 2000) is the BIC plus twice the
#' entropy of the posterior probabilities \eqn{z} of the cell's fit,
#' \deqn{\mathrm{ICL} = \mathrm{BIC} + 2\,\mathrm{EN}, \quad
#'   \mathrm{EN} = -\sum_i w_i \sum_c z_{ic} \log z_{ic},}{ICL = BIC + 2 EN,  EN = -sum_i w_i sum_c z[i, c] log z[i, c],}
#' (not the entropy of the mixing proportions), smaller again being better:
#' it penalises components that overlap, and so favours fewer, well
#' separated clusters where BIC may take several components for one
#' non-normal cluster. mclust's `mclustICL()` has the opposite sign, and
#' penalises by the hard classification only.
#'
#' @section Starts:
#' All models with the same number of components start from the same
#' partitions of the rows, so that their criteria differ by the models and
#' not by their starts; `k = 1` needs none. `start` names one or more ways
#' to make the partition of each `k`; with several, every cell is fitted
#' from each (a partition equal to another's once) and keeps the fit of
#' highest log-likelihood, whose start the table's column `start` names:
#' * `"hc"`: mclust's default start, the model-based hierarchical
#'   agglomeration under the model `"VVV"` (the regularised classification
#'   likelihood of mclust's `hcVVV()`, Fraley 1998) in mclust's
#'   coordinates (the standardised variables on their principal axes, each
#'   divided by the square root of its singular value), on at most 2000
#'   rows, the others joining the nearest cluster;
#'   its partitions are those of `mclust::hc(modelName = "VVV", use =
#'   "SVD")`. It is deterministic on up to 2000 rows, one tree gives every
#'   `k`, and a weight counts as that many rows (the weights must sum to
#'   more than 1);
#' * `"short"`: the best of five short EM runs (at most 10 iterations of
#'   the model `"VVV"`, on at most \eqn{\max(2000, 200k)}{max(2000, 200 k)}
#'   rows, the others taking their most probable component) from k-means++
#'   starts;
#' * `"kmeans++"`: `emix_control(seeds = )` k-means++ seedings screened as
#'   [emix()]'s default start does, keeping clusters big enough for `"VVV"`;
#' * `"random"`: the partition by nearest of `k` rows drawn at random.
#'
#' The default, both `"hc"` and `"short"`, was measured. On the cells of
#' `faithful` and `iris` (k = 1 to 9, fourteen models each), against
#' `mclust::mclustBIC()`'s cells, every cell fitted to the stopping rule
#' (`screen = FALSE`): from `"hc"` alone emix's log-likelihood was lower
#' than mclust's (or the cell failed where mclust's did not) in 0 and 5 of
#' 126 cells, from `"short"` alone in 17 and 16, from both in 0 and 2 (iris
#' with 5 components, `"VEV"`, 2.8 lower, and 6, `"EEV"`, 5.0 lower: other
#' optima reached by the accelerated EM; with
#' `emix_control(accelerate = FALSE)` none is lower). With the defaults
#' (screening, see below) none is lower.
#' Over more data (`bench/select_starts.R`: faithful, iris, USArrests,
#' swiss, quakes, trees, crabs and two simulated sets, k = 2 to 6 and all
#' fourteen models), EM from `"short"` reached the best log-likelihood
#' found by any single strategy in 391 and 368 of 613 and 614 cases (two
#' seeds), `"hc"` in 372 and 371, `"kmeans++"` in 374 and 369, and
#' `"random"` in 281 and 309: no strategy dominates, each reaches optima
#' the others miss, and two of them together miss fewer. Each start costs
#' a fit of every cell; the partitions themselves about a second for k = 1
#' to 9 on \eqn{10^5} rows. With EM a start can leave a cell below its best
#' optimum, and then its criterion is too large.
#'
#' @section Screening:
#' Most cells of a grid only show that they lose, and need no more
#' precision than that. With `screen = TRUE` (the default) and `method =
#' "em"`, every cell is first fitted as mclust fits it with its defaults:
#' plain EM (not accelerated) without a ridge (`reg = 0`), stopped at the
#' first iteration that changes the log-likelihood by less than
#' \eqn{10^{-5}} relative to it, the inner iterations of the M-steps that
#' iterate at `inner_tol` \eqn{= 1.5 \times 10^{-8}}{= 1.5e-8} (mclust's
#' rule and tolerances, `emControl()`). From mclust's own start (`"hc"`)
#' such a cell is mclust's. (With the ridge, a cell climbs a slightly different function:
#' stopped at that tolerance, iris's `"EVV"` with 7 components ended
#' \eqn{1.5 \times 10^{-6}}{1.5e-6} (relative) below mclust's.) Then
#' every cell that might be within 40 of the best criterion, and every cell
#' whose screening fit failed, is fitted again, from every start, with
#' `control` (by default accelerated EM to the Aitken rule, see
#' [emix_control()]), until the best cell is one of these. A screened cell
#' is credited with what it might still gain: the smaller of the Aitken
#' estimate of its distance to the limit and the mean change of its last
#' ten iterations over as many iterations again as it has run.
#'
#' Neither is a bound, and the refit can reach another optimum: the
#' screening can miss the best cell. On 13 data sets
#' (`bench/select_screen.R`: faithful, iris, USArrests, swiss, quakes,
#' trees, crabs, airquality, mtcars, rock, a simulated one and 2000 and
#' 20000 rows of W1 of `bench/`), the screened grid chose the cell of the
#' grid without screening, with the same BIC, on every one, in three runs
#' (seeds 1 to 3). The best cell needed a margin of at most 33.4 to be
#' a contender (quakes, seed 2: VVV with k = 9, whose screening fit
#' stopped on a plateau after 11 iterations, 35.6 above its optimum); a
#' margin of 20 missed it, hence 40. Of a cell's screening criterion and
#' its criterion without screening, the first was larger by at most 0.02
#' in half the cells, 16 to 23 in 95% and 2560 in all (of about 1460
#' cells each run); in about 60 the screening fit reached a better
#' optimum. The column `screened` of the table tells the screened cells
#' (`converged` then says whether mclust's rule held) from the refitted
#' ones, whose rows are exactly those of `screen = FALSE`. With a progress
#' bar, the refits show a bar of their own.
#'
#' With `screen = FALSE` every cell is fitted with `control`, and so it is
#' when `control` asks for a fixed number of iterations (`tol = 0` or
#' `max_iter = 0`). On large data that costs several times as much: on
#' \eqn{10^5} rows of five variables (`bench/select.R`, two processes) the
#' default grid took 5.7 s, without screening 30.7 s, and
#' `mclust::Mclust()` 132.6 s. All chose the same model, emix's BIC lower
#' (better) than mclust's by 0.2. On 5000 of these rows the default took
#' 0.66 to 0.99 s against Mclust's 8.9 to 11.7 s in ten paired runs (11.6
#' to 13.6 times as fast, 12.0 in the median), without screening 1.4 s. On
#' data of up to a thousand rows the screening saves nothing (most cells
#' are contenders, fitted twice): USArrests, swiss and trees took 0.28 s
#' with it and 0.21 s without, quakes, iris and faithful the same. On faithful
#' and iris every cell ends at least where mclust's ends (the tests check
#' it); on W1's 5000 and 100 000 rows, 10 and 18 cells far from the best
#' end more than 1 above mclust's BIC (from other starts; 58 and 76 below
#' it), and the best is fitted to the
#' optimum. The other methods are not screened.
#'
#' @section The grid:
#' Every cell is fitted by `method` (EM by default; `"cem"`, `"sem"` and
#' `"iem"` are accepted, the Bayesian methods `"vb"`, `"me"` and `"gibbs"`
#' are not, since their objective is not the likelihood the criteria
#' penalise: for them the number of occupied components already answers the
#' question). A cell that fails (a component that empties or collapses, too
#' few rows for the model, ...) stays in the table with `NA` criteria and
#' the condition's message and class in `error` and `error_class`; it is
#' never silently left out, and the best is chosen among the others. A cell
#' that warns (say, it reached `max_iter`) keeps its numbers, and the
#' warnings' messages are in `warning`.
#'
#' The grid runs in `cores` processes forked by [parallel::mcparallel()]
#' (on Windows, where processes cannot be forked, one after the other),
#' each on one thread. The starts come first: the hierarchical tree in one
#' process, the other starts k by k in the others, which meanwhile fit the
#' cells from the partitions they made. Then each process takes the next
#' fit (of a cell from a start) that no other has taken, those of most
#' components first, until none is left, so that the work is shared by the
#' time it takes. Each start's partition of each k, and each cell (for
#' `method = "sem"`), draws from R's random number generator seeded by a
#' seed of its own, all drawn at the outset, so the table depends neither
#' on `cores` nor on which cells are fitted again, and [set.seed()] before
#' the call makes it reproducible. In an interactive session a progress bar
#' shows how many cells are done.
#'
#' The screening's contenders, being few, are fitted again in this
#' process, each with `control`'s threads. The best cell is the one with
#' the smallest `criterion`; a tie goes to the first in the table's order
#' (fewer components, then the order of `model`). Its fit, made in this
#' process from the same start and seed with `control`'s threads (that of
#' its refit, when it was screened), is returned as `best`.
#'
#' @param x A numeric matrix or data frame of numeric columns, or for the
#'   formula method a one-sided formula (named `formula`), as for [emix()].
#' @param formula,data,subset,na.action As for [emix()].
#' @param k The numbers of components to try, whole numbers \eqn{\ge 1}
#'   (`1:9` by default, as mclust).
#' @param model The covariance models to try: `NULL` (the default) for all
#'   fourteen (`emix:::gaussian_models()`, see [emix()], section *Covariance
#'   models*), or for one variable the two, `"E"` and `"V"`; or a character
#'   vector of their names or aliases.
#' @param criterion The criterion that chooses `best`: `"BIC"` (the
#'   default) or `"ICL"`. The table holds both.
#' @param start How each number of components is started, shared by all
#'   models: see the section *Starts*.
#' @param method The method each cell is fitted by: `"em"` (the default),
#'   `"cem"`, `"sem"` or `"iem"`, or their method objects ([em()] etc.).
#' @param weights Non-negative observation weights, one per row; in the
#'   formula method evaluated in `data`.
#' @param control Settings of each fit, from [emix_control()]. With
#'   screening, the screening fits take them too, except `accelerate`,
#'   `reg`, `rule`, `tol` and `inner_tol` (plain EM without a ridge and
#'   mclust's rule and tolerances, see the section *Screening*).
#' @param screen Whether to screen the grid (see the section *Screening*):
#'   `TRUE` fits every cell as mclust does first and only the contenders
#'   with `control`; `FALSE` fits every cell with `control`.
#' @param cores Number of processes the cells run in, a whole number
#'   \eqn{\ge 1}; by default `getOption("mc.cores", 2L)`, as
#'   [parallel::mclapply()]. Ignored (1) on Windows.
#' @param progress Whether to show a progress bar ([utils::txtProgressBar()]);
#'   by default in an interactive session.
#' @param ... For the default method: `noise` and `noise_volume`, passed to
#'   [emix()] for every cell. For the formula method: the arguments of the
#'   default method.
#'
#' @return An object of class `"emix_selection"`, a list with
#' \describe{
#'   \item{`table`}{a data frame with one row per cell, in the order of `k`
#'     and, within it, of `model`: `k`, `model`, `loglik`, `df`, `BIC`,
#'     `ICL` (both on R's scale, smaller is better; `NA` for a failed cell),
#'     `converged`, `iter`, `screened` (whether the row is the screening
#'     fit, see the section *Screening*), `error` and `error_class` (the message and class
#'     of the condition that stopped the cell; `NA` for the others),
#'     `warning` (the messages of its warnings, `NA` if none) and `start`
#'     (the start whose fit the row holds).}
#'   \item{`best`}{the fit of the best cell, an ordinary `"emix"` object (see
#'     [emix()]).}
#'   \item{`criterion`}{the criterion that chose it.}
#'   \item{`k`, `models`, `start`, `screen`, `method`, `n`, `nobs`}{the grid,
#'     the start, whether the grid was screened, the method's name, the rows
#'     and observations.}
#'   \item{`call`}{the call.}
#' }
#' If every cell fails, `emix_select()` stops with an error of class
#' `"emix_error_selection"` whose field `table` is the table.
#' @references Biernacki, C., Celeux, G. and Govaert, G. (2000). Assessing a
#'   mixture model for clustering with the integrated completed likelihood.
#'   *IEEE Transactions on Pattern Analysis and Machine Intelligence*, 22(7),
#'   719--725.
#'
#'   Fraley, C. (1998). Algorithms for model-based Gaussian hierarchical
#'   clustering. *SIAM Journal on Scientific Computing*, 20(1), 270--281.
#'
#'   Fraley, C. and Raftery, A. E. (2002). Model-based clustering,
#'   discriminant analysis, and density estimation. *Journal of the American
#'   Statistical Association*, 97(458), 611--631.
#'
#'   Schwarz, G. (1978). Estimating the dimension of a model. *The Annals of
#'   Statistics*, 6(2), 461--464.
#' @seealso [emix()], [summary.emix()] for the criteria of one fit,
#'   [plot.emix_selection()].
#' @examples
#' sel <- emix_select(~ ., data = faithful, k = 1:4, model = c("EII", "VVI", "EEE", "VVV"),
#'                    cores = 1)
#' sel
#' sel$best
#' summary(sel)
#' plot(sel)
#' # by ICL, which prefers well separated components
#' emix_select(as.matrix(iris[1:4]), k = 1:5, model = c("VEV", "VVV"),
#'             criterion = "ICL", cores = 1)
#' @export
emix_select <- function(x, ...) {
  UseMethod("emix_select")
}

#' @rdname emix_select
#' @export
emix_select.formula <- function(formula, data = NULL, k = 1:9, ..., weights, subset, na.action) {
  call <- match.call()
  frame <- formula_data(match.call(expand.dots = FALSE), data,
                        if (!missing(na.action)) na.action, parent.frame())
  selection <- emix_select.default(frame$x, k = k, ..., weights = frame$weights)
  selection$call <- call
  selection$best$call <- best_call(call, selection$best)
  selection$best$terms <- frame$terms
  selection$best$na.action <- frame$na.action
  selection
}

#' @rdname emix_select
#' @export
emix_select.default <- function(x, k = 1:9, model = NULL, criterion = c("BIC", "ICL"),
                                start = c("hc", "short"), method = "em", weights = NULL,
                                control = emix_control(), screen = TRUE,
                                cores = getOption("mc.cores", 2L), progress = interactive(), ...) {
  call <- match.call()
  if (missing(x)) {
    stop_arg("x", "is missing: give a numeric matrix or data frame, or a one-sided formula with `data`.")
  }
  criterion <- match_choice(criterion, "criterion")
  x <- check_data(x)
  weights <- check_weights(weights, nrow(x))
  ks <- check_select_k(k, nrow(x))
  models <- check_select_models(model, ncol(x))
  start <- check_select_start(start)
  method <- check_select_method(method)
  control <- as_emix_control(control)
  cores <- if (.Platform$OS.type == "windows") 1L else check_count(cores, "cores")
  check_flag(screen, "screen")
  check_flag(progress, "progress")
  dots <- list(...)
  other <- setdiff(names(dots), c("noise", "noise_volume"))
  if (length(dots) > 0L && (is.null(names(dots)) || any(names(dots) == "") || length(other) > 0L)) {
    stop_arg("...", sprintf(
      "may hold only `noise` and `noise_volume`, by name; it has %s. The start is `start`, shared by all models (so not `init` or `nstart`), and the family is Gaussian.",
      if (is.null(names(dots)) || any(names(dots) == "")) "unnamed arguments" else name_list(other)))
  }

  # every cell fits these data: their scales are computed once
  keep_data_scales(x, weights)
  on.exit(forget_data_scales(), add = TRUE)
  # (checked once the data are kept: every fit then knows they pass)
  if (!has_distinct_rows(x, max(ks), weights)) {
    distinct <- distinct_rows(if (is.null(weights)) x else x[weights > 0, , drop = FALSE])
    stop_arg("k", sprintf(
      "must not exceed the number of distinct rows of the data%s, %d here; it goes up to %d.",
      if (is.null(weights)) "" else " (of positive weight)", distinct, max(ks)))
  }
  grid <- expand.grid(model = models, k = ks, stringsAsFactors = FALSE)[c("k", "model")]
  # the seeds of the starts and of the cells, drawn here: the table depends
  # neither on `cores` nor on which cells are fitted again
  drawn <- matrix(sample.int(.Machine$integer.max, length(start) * length(ks)), length(start))
  start_seeds <- lapply(seq_along(start), function(i) stats::setNames(drawn[i, ], ks))
  names(start_seeds) <- start
  seeds <- sample.int(.Machine$integer.max, nrow(grid))
  screening <- screen && screens(method, control)
  # the partitions of k = 1 need no start; the others are made as tasks
  labels <- lapply(stats::setNames(nm = start), function(s) {
    if (1L %in% ks) list(`1` = rep(1L, nrow(x))) else list()
  })
  tasks <- start_tasks(ks, start)
  families <- lapply(stats::setNames(models, models), grid_family, d = ncol(x), dots = dots)
  # the noise settings are the same in every cell: refused once, here
  check_noise(families[[1L]]$noise, families[[1L]]$noise_volume, nrow(x), method$name)
  # forked processes run one thread each: the processes already fill the cores
  worker_control <- control
  if (cores > 1L) worker_control$threads <- 1L
  make_start <- function(task) {
    selection_starts(x, task$ks, task$start, weights, worker_control,
                     seeds = start_seeds[[task$start]][as.character(task$ks)])
  }
  # the fit of cell i from a partition, with the screening settings or
  # `worker_control`, as a row
  fit_cell <- function(screening) {
    cell_control <- if (screening) screening_control(worker_control) else worker_control
    prepared <- new.env(parent = emptyenv()) # the last cell's preparation
    function(i, partition) {
      select_cell(x, grid$k[i], families[[grid$model[i]]], partition, seeds[i], method, weights,
                  cell_control, FALSE, screening, prepared)
    }
  }
  cost <- grid_cost(grid)
  # the rows of `cells`, each the best of its starts' (see run_grid())
  fit_cells <- function(cells, tasks, screening) {
    fitted <- run_grid(cells, grid$k, labels, tasks, make_start, fit_cell(screening), cost,
                       cores, progress)
    labels <<- fitted$labels
    lapply(fitted$rows, best_row)
  }
  table <- cbind(grid, rows_frame(fit_cells(seq_len(nrow(grid)), tasks, screening)))
  # cell i fitted from every start with `control`, here, as the row and
  # fit of the best start (see best_of_starts())
  fit_here <- function(i) {
    best_of_starts(lapply(labels, `[[`, as.character(grid$k[i])), function(lab) {
      select_cell(x, grid$k[i], families[[grid$model[i]]], lab, seeds[i], method, weights,
                  control, TRUE)
    })
  }
  kept <- NULL # the refit of least criterion, list(cell, value, fit)
  if (screening) {
    # a cell whose worker died is tried again, as a failed screening fit
    table$screened[table$error_class %in% "emix_error_worker"] <- TRUE
    # the contenders are few: fitted here, with `control`'s threads (no
    # process to fork), keeping the fit that may be returned as `best`
    table <- refit_contenders(table, criterion, function(open) {
      bar <- if (progress) utils::txtProgressBar(max = length(open), style = 3)
      rows <- lapply(seq_along(open), function(j) {
        refit <- fit_here(open[j])
        value <- refit$row[[criterion]]
        if (!is.na(value) && (is.null(kept) || value < kept$value)) {
          kept <<- list(cell = open[j], value = value, fit = refit$fit)
        }
        if (progress) utils::setTxtProgressBar(bar, j)
        refit$row
      })
      if (progress) close(bar)
      rows
    })
  }
  table$gain <- NULL

  values <- table[[criterion]]
  if (all(is.na(values))) {
    stop(structure(
      class = c("emix_error_selection", "error", "condition"),
      list(message = sprintf(
        "All %d fits of the grid failed; the first (k = %d, model \"%s\"): %s See the field `table` of this error for each one's reason.",
        nrow(table), table$k[1L], table$model[1L], table$error[1L]),
        call = NULL, table = table)
    ))
  }
  chosen <- which.min(values)
  best <- grid_object(if (!is.null(kept) && kept$cell == chosen) kept$fit else fit_here(chosen)$fit,
                      control)
  best$call <- best_call(call, best)
  structure(list(table = table, best = best, criterion = criterion, k = ks, models = models,
                 start = start, screen = screening, method = method$name, n = nrow(x),
                 nobs = if (is.null(weights)) nrow(x) else sum(weights), call = call),
            class = "emix_selection")
}

# The numbers of components to try: distinct whole numbers in 1..n, sorted.
check_select_k <- function(k, n) {
  if (!is.numeric(k) || length(k) == 0L || anyNA(k) || any(!is.finite(k)) ||
      any(k != round(k)) || any(k < 1)) {
    stop_arg("k", "must be whole numbers of at least 1, such as `1:9`.")
  }
  if (anyDuplicated(k)) {
    stop_arg("k", sprintf("must not repeat a number of components; %s repeated.",
                          paste(unique(k[duplicated(k)]), collapse = ", ")))
  }
  if (max(k) > n) {
    stop_arg("k", sprintf("must not exceed the number of rows (%d); it goes up to %d.", n, max(k)))
  }
  sort(as.integer(k))
}

# The models to try, resolved for d variables (for one variable the
# fourteen reduce to "E" and "V", so duplicates are merged).
check_select_models <- function(model, d) {
  if (is.null(model)) {
    return(if (d == 1L) univariate_models else gaussian_models())
  }
  if (!is.character(model) || length(model) == 0L || anyNA(model)) {
    stop_arg("model", "must be a character vector of covariance models such as `c(\"EII\", \"VVV\")`, or NULL for all.")
  }
  unique(vapply(model, resolve_model, character(1), d = d, USE.NAMES = FALSE))
}

# The choices of `start`; the default is emix_select()'s formal.
selection_start_choices <- c("hc", "kmeans++", "random", "short")

# One or more distinct starts.
check_select_start <- function(start) {
  if (!is.character(start) || length(start) == 0L || anyNA(start) ||
      !all(start %in% selection_start_choices) || anyDuplicated(start)) {
    stop_arg("start", sprintf("must be one or more of %s, each once.",
                              paste0("\"", selection_start_choices, "\"", collapse = ", ")))
  }
  start
}

# A cell fitted from each start's partition (named by start; a partition
# equal to an earlier one's is not fitted again) with its fit: the row and
# fit of highest log-likelihood (see best_row()).
best_of_starts <- function(labels, fit_from) {
  results <- list()
  for (s in names(labels)) {
    same <- Find(function(t) identical(labels[[t]], labels[[s]]), names(results))
    results[[s]] <- if (is.null(same)) fit_from(labels[[s]]) else results[[same]]
  }
  row <- best_row(lapply(results, `[[`, "row"))
  list(row = row, fit = results[[row$start]]$fit)
}

# The tasks that make the starts (see run_grid()): the hierarchical tree
# once for every k, the other starts k by k, the largest first; k = 1
# needs none.
start_tasks <- function(ks, start) {
  many <- ks[ks > 1L]
  if (length(many) == 0L) {
    return(list())
  }
  tree <- if ("hc" %in% start) list(list(start = "hc", ks = ks))
  by_k <- lapply(setdiff(start, "hc"), function(s) {
    lapply(rev(many), function(k) list(start = s, ks = k))
  })
  c(tree, unlist(by_k, recursive = FALSE))
}

# How long each cell of the grid may take, relative to the others: as
# its number of components, three times as long for the models whose
# M-step iterates. Only the order and the sharing of the fits between
# processes depend on it.
grid_cost <- function(grid) {
  grid$k * ifelse(vapply(grid$model, model_iterates, logical(1)), 3, 1)
}

# The method of every cell: a maximum-likelihood one, whose log-likelihood
# the criteria penalise.
check_select_method <- function(method) {
  method <- as_emix_method(method)
  if (method$bayesian) {
    stop_arg("method", sprintf(
      "\"%s\" cannot be used by emix_select(): the criteria penalise a maximised likelihood, which a Bayesian fit does not give; its number of occupied components answers the question instead (see ?emix). Use \"em\", \"cem\", \"sem\" or \"iem\".",
      method$name))
  }
  method
}

# One cell of the grid: the fit of k components of `family` (a Gaussian
# family made by grid_family()) from `labels`, with R's generator seeded by
# `seed` (and its state restored after), as a row: a list of the table's
# columns (see rows_frame()); with `keep_fit`, a list of that row and the
# fit, which grid_object() makes an "emix" object. Errors and warnings are
# caught and recorded, never lost in a worker.
# `prepared`, an environment, keeps the preparation of the last cell for
# its fit from another start (see grid_fit()).
select_cell <- function(x, k, family, labels, seed, method, weights, control, keep_fit,
                        screening = FALSE, prepared = NULL) {
  warnings <- character(0)
  fit <- withCallingHandlers(
    tryCatch(
      with_seed(seed, grid_fit(x, k, family, labels, method, weights, control, prepared,
                               keep = keep_fit)),
      error = function(e) e
    ),
    warning = function(w) {
      warnings <<- c(warnings, conditionMessage(w))
      invokeRestart("muffleWarning")
    }
  )
  failed <- inherits(fit, "error")
  row <- list(
    loglik = if (failed) NA_real_ else fit$loglik,
    df = if (failed) NA_real_ else as.double(fit$df),
    BIC = NA_real_, ICL = NA_real_,
    converged = if (failed) NA else fit$converged,
    iter = if (failed) NA_integer_ else as.integer(fit$iter),
    screened = screening,
    gain = if (screening && !failed) possible_gain(fit) else 0,
    error = if (failed) conditionMessage(fit) else NA_character_,
    error_class = if (failed) class(fit)[1L] else NA_character_,
    warning = if (length(warnings) > 0L) paste(unique(warnings), collapse = " | ") else NA_character_
  )
  if (!failed) {
    # the log-likelihood as logLik.emix() gives it, of a fit or of a run
    loglik <- structure(fit$loglik, df = fit$df, class = "logLik",
                        nobs = if (is.null(weights)) nrow(x) else sum(weights))
    row$BIC <- stats::BIC(loglik)
    row$ICL <- row$BIC + 2 * fit_entropy(fit, weights)
  }
  if (keep_fit) list(row = row, fit = if (!failed) fit) else row
}

# The entropy of a fit's posterior (see posterior_entropy()): for a run of
# plain EM, the one its last E-step summed (grid_fit()'s `entropy`), which
# spares a pass over z.
fit_entropy <- function(fit, weights) {
  if (is.double(fit$entropy) && is.finite(fit$entropy)) {
    return(fit$entropy)
  }
  posterior_entropy(list(z = fit$z, weights = weights))
}

# A cell's fit as emix_fit() makes it from the partition `labels` (one
# start), with its warnings, but not made into an "emix" object: the
# compiled loop's result (loglik, df, converged, iter, trace, entropy) and the
# posterior z, its columns in the components' order. The grid's rows need
# no more, and the object would cost more than a short fit's iterations.
# With `prepared` (an environment), the checked data and settings of the
# cell are kept there and reused when the next fit is of the same cell:
# only the start differs then. With `keep`, the result also holds what
# grid_object() needs: the preparation and the order of the components.
grid_fit <- function(x, k, family, labels, method, weights, control, prepared = NULL,
                     keep = FALSE) {
  cell <- paste(k, family$model)
  if (!is.null(prepared) && identical(prepared$cell, cell) && !isTRUE(family$noise)) {
    # the same cell from another start: only the start differs (without a
    # noise component, which may take a column of the start)
    prep <- prepared$prep
    prep$init <- check_init(labels, x, k)
  } else {
    prep <- family$prepare(family, x, k, weights, labels, 1L, method, control)
    if (!is.null(prepared)) {
      prepared$cell <- cell
      prepared$prep <- prep
    }
  }
  prep$method <- method
  this <- family$start(prep, 1L)
  run <- run_em(prep, this$start, this$core, control, method)
  warn_max_iter(run, method$name, control, 1L)
  warn_inner_max_iter(run, control)
  perm <- family$order(run)
  if (!identical(perm, seq_along(perm))) {
    .Call(C_ffi_permute_columns, run$z, perm) # in place: made by the C core
  }
  if (keep) {
    run$prep <- prep
    run$perm <- perm
  }
  run
}

# The "emix" object of a fit made by grid_fit(keep = TRUE), as emix_fit()
# makes it from the same start: made only for the chosen cell.
grid_object <- function(run, control) {
  best <- run
  best[c("prep", "perm", "z")] <- NULL
  best$start <- 1L
  fit_object(best, run$z, run$perm, run$prep$family, run$prep, run$prep$method, control,
             best$objective, list(best$trace))
}

# The Gaussian family of `model` for d variables with the noise settings
# of `dots`, as emix() makes it: made once per model of the grid.
grid_family <- function(model, d, dots) {
  family <- gaussian_mix(model)
  family$model <- resolve_model(model, d)
  # by exact name: `dots$noise` would match `noise_volume`
  family$noise <- if ("noise" %in% names(dots)) dots[["noise"]] else FALSE
  family$noise_volume <- dots[["noise_volume"]]
  family
}

# The rows of cells (lists of equal names, see select_cell()) as the
# columns of a data frame.
rows_frame <- function(rows) {
  as.data.frame(bind_columns(rows), stringsAsFactors = FALSE)
}

# Evaluates `expr` with R's generator seeded by `seed`, and puts the
# generator's state back afterwards, so that the cells run one after the
# other draw the same numbers as cells run in forked processes.
with_seed <- function(seed, expr) {
  env <- globalenv()
  old <- if (exists(".Random.seed", envir = env, inherits = FALSE)) get(".Random.seed", envir = env)
  on.exit(if (is.null(old)) rm(".Random.seed", envir = env) else assign(".Random.seed", old, envir = env))
  set.seed(seed)
  expr
}

# The call that fits the chosen cell with emix(): the selection's call with
# its data, weights and settings, k and model the chosen ones. It starts as
# emix() does, so a refit by update() may reach another optimum.
best_call <- function(call, best) {
  call[[1L]] <- quote(emix)
  call[c("criterion", "start", "screen", "cores", "progress")] <- NULL
  call$k <- best$k
  call$model <- best$model
  call
}

# Printing ------------------------------------------------------------------

# What the criterion is, in words, for print() and plot().
criterion_label <- function(criterion) {
  switch(criterion,
    BIC = "BIC = -2 log-likelihood + df log(n)",
    ICL = "ICL = BIC + 2 * entropy of the posterior"
  )
}

sign_note <- "R's sign, as BIC(fit): smaller is better (mclust shows the negative)"

#' Print, summarise and plot a model selection
#'
#' `print()` shows the best cells of an [emix_select()] grid and the
#' choice; `summary()` the whole grid, the criterion as a table of the
#' numbers of components by the models (as mclust prints `mclustBIC()`),
#' and the cells that failed with their reasons; `plot()` draws the
#' criterion against the number of components, one line per model, as
#' mclust's `plot.mclustBIC()` but on R's scale: smaller is better (see
#' [emix_select()], section *The criteria and their signs*).
#'
#' @param x,object A selection returned by [emix_select()]; for
#'   `print.summary.emix_selection()`, the result of `summary()`.
#' @param top Number of cells shown, the best ones.
#' @param criterion The criterion shown: that of the selection by default,
#'   or the other one (`"BIC"` or `"ICL"`).
#' @param digits Number of significant digits to print.
#' @param ... For `plot()`: graphical parameters passed to
#'   [graphics::matplot()], such as `main` or `ylim`; ignored otherwise.
#' @return `print()` and `plot()` return their argument invisibly.
#'   `summary()` returns an object of class `"summary.emix_selection"`: a
#'   list with `table` (the selection's table), `criterion`, `values` (a
#'   matrix of the criterion, one row per number of components and one
#'   column per model, `NA` where the cell failed), `failed` (the rows of
#'   the table that failed), `best` (the chosen row), `chosen_by` (the
#'   selection's criterion), and `warned` and `screened` (how many cells
#'   warned, and how many were screened).
#' @seealso [emix_select()]
#' @examples
#' sel <- emix_select(~ ., data = faithful, k = 1:4, model = c("EII", "EEE", "VVV"),
#'                    cores = 1)
#' print(sel, top = 3)
#' summary(sel)
#' plot(sel)
#' plot(sel, criterion = "ICL")
#' @export
print.emix_selection <- function(x, top = 5L, digits = max(3L, getOption("digits") - 3L), ...) {
  table <- x$table
  failed <- sum(!is.na(table$error))
  cat(sprintf("Model selection by %s over k = %s and %d model%s (%d fits%s)\n",
              x$criterion, compact_range(x$k), length(x$models), plural(length(x$models)),
              nrow(table), if (failed > 0L) sprintf(", %d failed", failed) else ""))
  cat(sprintf("%s; %s.\n", criterion_label(x$criterion), sign_note))
  cat(sprintf("%s %s (one partition per k each, shared by all models), method \"%s\".\n",
              if (length(x$start) > 1L) "Starts, the best of" else "Start",
              paste0("\"", x$start, "\"", collapse = " and "), x$method))
  screened <- sum(table$screened)
  if (screened > 0L) {
    cat(sprintf("%d of %d fits screened: more than %g behind the best, fitted as mclust fits them\n(plain EM without a ridge to a relative change of %g); the others to the stopping rule.\n",
                screened, nrow(table), screen_margin, screen_tol))
  }
  ranked <- order(table[[x$criterion]], na.last = NA)
  shown <- table[utils::head(ranked, top), c("k", "model", "loglik", "df", "BIC", "ICL")]
  delta <- shown[[x$criterion]] - shown[[x$criterion]][1L]
  # the criteria are large numbers whose differences matter: more digits
  for (column in c("loglik", "BIC", "ICL")) {
    shown[[column]] <- format_number(shown[[column]], digits)
  }
  shown[[paste0("delta_", x$criterion)]] <- format(delta, digits = digits)
  rownames(shown) <- NULL
  cat(sprintf("\nBest %d of %d by %s:\n", nrow(shown), length(ranked), x$criterion))
  print(shown)
  cat(chosen_text(x, digits), "\n", sep = "")
  invisible(x)
}

chosen_text <- function(x, digits) {
  sprintf("\nChosen: k = %d, model %s (%s), %s = %s; the fit is $best.",
          x$best$k, x$best$model, model_description(x$best$model), x$criterion,
          format_number(x$table[[x$criterion]][chosen_row(x)], digits))
}

# The table's row of the chosen cell.
chosen_row <- function(x) {
  which(x$table$k == x$best$k & x$table$model == x$best$model)
}

# 1:9 as "1..9", other numbers as a set.
compact_range <- function(k) {
  if (length(k) == 1L) {
    return(format(k))
  }
  if (all(diff(k) == 1L)) sprintf("%d..%d", k[1L], k[length(k)]) else
    sprintf("{%s}", paste(k, collapse = ", "))
}

#' @rdname print.emix_selection
#' @export
summary.emix_selection <- function(object, criterion = object$criterion, ...) {
  criterion <- check_shown_criterion(criterion)
  structure(list(table = object$table, criterion = criterion,
                 values = criterion_matrix(object, criterion),
                 failed = object$table[!is.na(object$table$error), , drop = FALSE],
                 best = object$table[chosen_row(object), , drop = FALSE],
                 chosen_by = object$criterion,
                 warned = sum(!is.na(object$table$warning)),
                 screened = sum(object$table$screened)),
            class = "summary.emix_selection")
}

#' @rdname print.emix_selection
#' @method print summary.emix_selection
#' @export
print.summary.emix_selection <- function(x, digits = max(3L, getOption("digits") - 3L), ...) {
  cat(sprintf("%s, by number of components (rows) and model (columns);\n%s:\n",
              criterion_label(x$criterion), sign_note))
  print(x$values, digits = digits + 3L, na.print = "NA")
  cat(sprintf("\nChosen by %s: k = %d, model %s, log-likelihood %s, df %s, BIC %s, ICL %s.\n",
              x$chosen_by, x$best$k, x$best$model, format_number(x$best$loglik, digits),
              format(x$best$df), format_number(x$best$BIC, digits),
              format_number(x$best$ICL, digits)))
  if (nrow(x$failed) > 0L) {
    cat(sprintf("\n%d fit%s failed (NA above):\n", nrow(x$failed), plural(nrow(x$failed))))
    for (i in seq_len(nrow(x$failed))) {
      cat(sprintf("  k = %d, %s [%s]: %s\n", x$failed$k[i], x$failed$model[i],
                  x$failed$error_class[i], x$failed$error[i]))
    }
  }
  if (x$warned > 0L) {
    cat(sprintf("\n%d fit%s warned (see the column `warning` of $table).\n",
                x$warned, plural(x$warned)))
  }
  if (x$screened > 0L) {
    cat(sprintf("\n%d fit%s screened, %s as mclust fits them (see ?emix_select, section Screening).\n",
                x$screened, plural(x$screened), if (x$screened == 1L) "fitted" else "each fitted"))
  }
  invisible(x)
}

check_shown_criterion <- function(criterion) {
  if (!is.character(criterion) || length(criterion) != 1L || !criterion %in% c("BIC", "ICL")) {
    stop_arg("criterion", "must be \"BIC\" or \"ICL\".")
  }
  criterion
}

# The criterion as a k x model matrix.
criterion_matrix <- function(x, criterion) {
  values <- matrix(NA_real_, length(x$k), length(x$models),
                   dimnames = list(k = x$k, model = x$models))
  values[cbind(match(x$table$k, x$k), match(x$table$model, x$models))] <- x$table[[criterion]]
  values
}

#' @rdname print.emix_selection
#' @export
plot.emix_selection <- function(x, criterion = x$criterion, ...) {
  criterion <- check_shown_criterion(criterion)
  values <- criterion_matrix(x, criterion)
  models <- colnames(values)
  colours <- grDevices::hcl.colors(max(length(models), 2L), "Dark 3")[seq_along(models)]
  symbols <- rep_len(c(16, 17, 15, 1, 2, 0, 5, 6, 18, 3, 4, 8, 7, 9), length(models))
  do.call(graphics::matplot, with_defaults(list(...), list(
    x = x$k, y = values, type = "b", lty = 1, pch = symbols, col = colours,
    xlab = "Number of components k", xaxt = if (length(x$k) > 1L) "n" else "s",
    ylab = sprintf("%s (smaller is better)", criterion),
    main = sprintf("%s against k, one line per model", criterion_label(criterion))
  )))
  graphics::axis(1L, at = x$k)
  # the chosen cell, ringed
  best <- chosen_row(x)
  graphics::points(x$best$k, x$table[[criterion]][best], cex = 2.5, lwd = 1.5)
  graphics::legend("topright", legend = models, col = colours, pch = symbols, lty = 1,
                   ncol = if (length(models) > 7L) 2L else 1L, cex = 0.8, bg = "white")
  invisible(x)
}
