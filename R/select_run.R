# Running emix_select()'s grid. Its work is the starts (the hierarchical
# tree, which gives every k at once, and the other starts k by k) and the
# fits, one per cell and start ("units"), in `cores` forked processes:
# * first the starts, each process taking the next start no other has
#   taken (the tree first, then the others k by k, the largest first),
#   then fitting cells from the partitions it made until every start is
#   made;
# * then every fit not yet made, each process taking the next cell no other
#   has taken, the costliest first, and fitting it from the starts not yet
#   fitted.
# A process takes a start or a fit by creating its directory, which only
# one can do, in a directory all of them see, so the work is shared by
# the time it takes, which no division fixed in advance would foresee; the
# partitions are saved there as soon as they are made, so that a fit that
# ends its process loses no start.
# A fit's row depends only on its cell, partition and seed, so the rows are
# those of one process, whichever process made them.

# The rows of the cells `cells` (rows of the grid) from every start: a list
# with one element per cell, its rows (see select_cell()) named by start,
# and the partitions `labels` completed.
# * `labels`: a list by start of the partitions made so far, each a list
#   named by k (as.character);
# * `tasks`: the starts still to make, each a list(start, ks);
#   make_start(task) returns its partitions, a list named by k;
# * fit(cell, partition): the row of a cell fitted from a partition (the
#   fits of a cell from several starts follow each other in a process, so
#   that fit() can keep what they share);
# * cell_k, cost: the k of each cell of the grid, and how long its fit may
#   take, in any unit (the costliest are begun first).
# A cell's fit from a partition equal to another start's is made once. A
# process that ends without a result (killed, out of memory) leaves its
# fits lost_cell() rows, or if it was making starts, an error.
run_grid <- function(cells, cell_k, labels, tasks, make_start, fit, cost, cores, progress) {
  starts <- names(labels)
  unit_cell <- rep(cells, each = length(starts))
  unit_start <- rep(seq_along(starts), times = length(cells))
  unit_k <- as.character(cell_k[unit_cell])
  units <- length(unit_cell)
  by_cost <- order(-cost[unit_cell], seq_len(units))
  rows <- vector("list", units)
  twin <- rep(NA_integer_, units) # the unit whose row this one takes
  made <- function() !vapply(rows, is.null, logical(1)) | !is.na(twin)
  partition <- function(u) labels[[unit_start[u]]][[unit_k[u]]]
  # a unit whose partition equals an earlier start's (of the same cell)
  # takes its row; run when every partition is made
  find_twins <- function() {
    for (u in which(unit_start > 1L & !made())) {
      earlier <- which(unit_cell == unit_cell[u] & unit_start < unit_start[u] & is.na(twin))
      same <- Find(function(v) identical(partition(v), partition(u)), earlier)
      if (!is.null(same)) twin[u] <<- same
    }
  }
  fit_unit <- function(u) fit(unit_cell[u], partition(u))
  # a start's partitions into `labels` (of the calling frame)
  add_partitions <- function(labels, task, partitions) {
    labels[[task$start]][names(partitions)] <- partitions
    labels
  }
  bar <- if (progress) utils::txtProgressBar(max = max(1L, units), style = 3)
  show <- function(done) if (progress) utils::setTxtProgressBar(bar, done)

  # without a directory to share (the session's temporary directory not
  # writable), one process
  shared <- if (cores > 1L) grid_directory()
  if (is.null(shared)) {
    cores <- 1L
  }
  if (cores == 1L) {
    for (task in tasks) {
      labels <- add_partitions(labels, task, make_start(task))
    }
    find_twins()
    for (u in by_cost[!made()[by_cost]]) {
      rows[[u]] <- fit_unit(u)
      show(sum(made()))
    }
  } else {
    on.exit(unlink(shared, recursive = TRUE), add = TRUE)
    # a process takes a start or a cell by creating its directory
    claim <- function(name) dir.create(file.path(shared, name), showWarnings = FALSE)
    # a fit made in a process, marked as done for the progress bar
    fit_marked <- function(u) {
      row <- fit_unit(u)
      if (progress) file.create(file.path(shared, paste0(u, ".done")))
      row
    }
    poll <- function() show(length(list.files(shared, pattern = "done$")))
    if (length(tasks) > 0L) {
      # the starts, each taken by the first process to claim it (the tree
      # first) and saved as soon as made, so that a fit that ends its
      # process loses no start; meanwhile the fits from the partitions a
      # process made, until every start is made
      saved <- function(t) file.path(shared, sprintf("start-%d.rds", t))
      all_made <- function() all(file.exists(saved(seq_along(tasks))))
      first <- in_processes(as.list(seq_len(min(cores, length(tasks)))), function(p) {
        made_here <- character(0)
        for (t in seq_along(tasks)) {
          if (!claim(sprintf("start-%d", t))) next
          partitions <- tryCatch(make_start(tasks[[t]]), error = function(e) e)
          if (inherits(partitions, "error")) {
            return(list(error = partitions))
          }
          saveRDS(partitions, saved(t), compress = FALSE)
          labels <<- add_partitions(labels, tasks[[t]], partitions)
          made_here <- c(made_here, paste(match(tasks[[t]]$start, starts), names(partitions)))
        }
        # (those of k = 1, which every start shares, wait for the second
        # phase)
        fitted <- list()
        for (u in by_cost[paste(unit_start, unit_k)[by_cost] %in% made_here]) {
          if (all_made()) break
          fitted[[as.character(u)]] <- fit_marked(u)
        }
        list(rows = fitted)
      }, poll)
      for (result in first) {
        if (is.list(result) && inherits(result$error, "error")) {
          stop(result$error) # as it was signalled in the process
        }
        if (is.list(result)) rows[as.integer(names(result$rows))] <- result$rows
      }
      for (t in seq_along(tasks)) {
        if (!file.exists(saved(t))) {
          stop(structure(class = c("emix_error_worker", "error", "condition"), list(
            message = "A process making the starts ended without a result (killed, or out of memory?).",
            call = NULL)))
        }
        labels <- add_partitions(labels, tasks[[t]], readRDS(saved(t)))
      }
    }
    find_twins()
    open <- by_cost[!made()[by_cost]]
    if (length(open) > 0L) {
      # every fit not yet made, the fits of a cell together (they share
      # its preparation, see fit()), each cell taken by the first process
      # to claim it
      open_cells <- split(open, factor(unit_cell[open], levels = unique(unit_cell[open])))
      workers <- min(cores, length(open_cells))
      second <- if (workers == 1L) list(lapply(stats::setNames(open, open), fit_unit)) else in_processes(as.list(seq_len(workers)), function(p) {
        fitted <- list()
        for (these in open_cells) {
          if (claim(sprintf("cell-%d", unit_cell[these[1L]]))) {
            for (u in these) {
              fitted[[as.character(u)]] <- fit_marked(u)
            }
          }
        }
        fitted
      }, poll)
      for (result in second) {
        if (is.list(result)) rows[as.integer(names(result))] <- result
      }
      # the fits of a process that died
      for (u in open[vapply(rows[open], is.null, logical(1))]) {
        rows[[u]] <- lost_cell(NULL)
      }
    }
  }
  if (progress) {
    show(units)
    close(bar)
  }
  rows[!is.na(twin)] <- rows[twin[!is.na(twin)]]
  by_cell <- split(rows, factor(unit_cell, levels = unique(cells)))
  list(rows = lapply(by_cell, function(r) stats::setNames(r, starts)), labels = labels)
}

# A new directory in the session's temporary directory, for the processes
# of a grid to share; NULL if it cannot be made.
grid_directory <- function() {
  path <- tempfile("emix-grid-")
  if (suppressWarnings(dir.create(path))) path
}

# f(item) for every element of `items`, each in a forked process of its
# own, all at once; a list of the results in the order of the items, NULL
# for a process that ended without one (killed, out of memory). While they
# run, poll() is called about four times a second.
in_processes <- function(items, f, poll) {
  jobs <- lapply(items, function(item) parallel::mcparallel(f(item), mc.set.seed = FALSE))
  on.exit(stop_jobs(jobs), add = TRUE)
  pids <- vapply(jobs, function(job) as.character(job$pid), "")
  results <- vector("list", length(jobs))
  waiting <- seq_along(jobs)
  while (length(waiting) > 0L) {
    # a process that died is reported with a NULL result (and a warning)
    got <- suppressWarnings(parallel::mccollect(jobs[waiting], wait = FALSE, timeout = 0.25))
    for (pid in names(got)) {
      i <- match(pid, pids)
      results[i] <- list(got[[pid]])
      waiting <- setdiff(waiting, i)
    }
    poll()
  }
  jobs <- list()
  results
}

# Ends the processes of jobs still running (after an error or an
# interrupt), and collects them so that none is left behind.
stop_jobs <- function(jobs) {
  if (length(jobs) == 0L) {
    return(invisible())
  }
  tools::pskill(vapply(jobs, function(job) as.integer(job$pid), integer(1)), tools::SIGKILL)
  suppressWarnings(parallel::mccollect(jobs, wait = TRUE))
  invisible()
}

# The row of a cell from its rows by start (named by start, in the order
# of `start`): the one of highest log-likelihood, the first on a tie, with
# the name of its start in `start`; when every start failed, the first
# one's failure; when a process was lost, that row (the cell is not known).
best_row <- function(rows) {
  lost <- vapply(rows, function(r) identical(r$error_class, "emix_error_worker"), logical(1))
  if (any(lost)) {
    return(rows[[which(lost)[1L]]])
  }
  loglik <- vapply(rows, function(r) r$loglik, numeric(1))
  won <- if (all(is.na(loglik))) 1L else which.max(loglik)
  row <- rows[[won]]
  row$start <- names(rows)[won]
  row
}

# The row of a cell whose worker process did not return one.
lost_cell <- function(result) {
  message <- if (inherits(result, "try-error")) {
    conditionMessage(attr(result, "condition"))
  } else {
    "its worker process ended without a result (killed, or out of memory?)"
  }
  list(loglik = NA_real_, df = NA_real_, BIC = NA_real_, ICL = NA_real_, converged = NA,
       iter = NA_integer_, screened = FALSE, gain = 0, error = message,
       error_class = "emix_error_worker", warning = NA_character_, start = NA_character_)
}
