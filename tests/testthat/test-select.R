# emix_select(): the grid of numbers of components by covariance models,
# its criteria against closed forms and mclust's mclustBIC(), the recovery
# of known mixtures, failed cells, parallel runs and the methods.

select_rotation <- function(angle) matrix(c(cos(angle), sin(angle), -sin(angle), cos(angle)), 2)

select_draw <- function(n, mean, sigma) {
  sweep(matrix(stats::rnorm(n * length(mean)), n) %*% chol(sigma), 2, mean, "+")
}

# Mixtures whose structure is known: the model that generated them and k.
select_simulations <- list(
  # volumes, shapes and orientations all differ (30, 75 and 0 degrees:
  # no two share their axes, so only VVV holds them)
  VVV = list(k = 3L, draw = function() {
    axes <- function(angle, shape) select_rotation(angle) %*% diag(shape) %*% t(select_rotation(angle))
    rbind(select_draw(150, c(0, 0), axes(pi / 6, c(1, 0.04))),
          select_draw(150, c(12, 0), axes(5 * pi / 12, c(9, 1))),
          select_draw(150, c(4, 10), axes(0, c(0.5, 0.1))))
  }),
  # four spherical clusters of one variance, 6 standard deviations apart
  EII = list(k = 4L, draw = function() {
    rbind(select_draw(100, c(0, 0, 0), diag(3)), select_draw(100, c(6, 0, 0), diag(3)),
          select_draw(100, c(0, 6, 0), diag(3)), select_draw(100, c(0, 0, 6), diag(3)))
  }),
  # two clusters sharing one correlated covariance
  EEE = list(k = 2L, draw = function() {
    s <- matrix(c(4, 1.8, 1.8, 1), 2)
    rbind(select_draw(200, c(0, 0), s), select_draw(200, c(-1.5, 3), s))
  })
)

# Whether model `inner` is a special case of model `outer`: each of volume,
# shape and orientation is at most as free (I, then E, then V).
select_nested <- function(inner, outer) {
  freedom <- c(I = 0, E = 1, V = 2)
  all(freedom[strsplit(inner, "")[[1]]] <= freedom[strsplit(outer, "")[[1]]])
}

test_that("emix_select() recovers the number of components and a model holding the truth", {
  # "Recovers": k exactly, and a model of which the true one is a special
  # case (a larger model than needed can win by chance: the chance that a
  # model with p more parameters beats the true one is that of a chi-square
  # on p degrees of freedom exceeding p log(n), a few per cent for p = 1),
  # and over three data sets of each kind the true model itself at least twice.
  for (truth in names(select_simulations)) {
    sim <- select_simulations[[truth]]
    exact <- 0L
    for (seed in 1:3) {
      set.seed(seed)
      x <- sim$draw()
      sel <- emix_select(x, k = max(1L, sim$k - 2L):(sim$k + 1L), cores = 1, progress = FALSE)
      info <- sprintf("%s, data set %d: chose k = %d, %s", truth, seed, sel$best$k, sel$best$model)
      expect_identical(sel$best$k, sim$k, info = info)
      expect_true(select_nested(truth, sel$best$model), info = info)
      exact <- exact + (sel$best$model == truth)
    }
    expect_gte(exact, 2L)
  }
})

test_that("the criteria are R's BIC and BIC + 2 * the posterior entropy, from the best fit", {
  set.seed(1)
  sel <- emix_select(~ ., data = faithful, k = 1:3, model = c("EII", "VVI", "EEE", "VVV"),
                     cores = 1, progress = FALSE)
  best <- sel$best
  expect_s3_class(best, "emix")
  row <- sel$table[sel$table$k == best$k & sel$table$model == best$model, ]
  n <- nrow(faithful)
  expect_equal(row$loglik, best$loglik, tolerance = 1e-12)
  expect_equal(row$BIC, -2 * best$loglik + best$df * log(n), tolerance = 1e-12)
  expect_equal(row$BIC, stats::BIC(best), tolerance = 1e-12)
  z <- best$z
  entropy <- -sum(ifelse(z > 0, z * log(z), 0))
  expect_equal(row$ICL, row$BIC + 2 * entropy, tolerance = 1e-12)
  # the smallest BIC was chosen, and the table is in the order of k, then model
  expect_identical(row$BIC, min(sel$table$BIC, na.rm = TRUE))
  expect_identical(sel$table$k, rep(1:3, each = 4L))
  expect_identical(sel$table$model, rep(c("EII", "VVI", "EEE", "VVV"), 3L))
  # the columns of every cell
  expect_true(all(c("k", "model", "loglik", "df", "BIC", "ICL", "error", "error_class",
                    "warning", "converged", "iter") %in% names(sel$table)))
  # the chosen fit is an ordinary formula fit: it predicts new data by name
  expect_identical(best$call[[1L]], quote(emix))
  expect_identical(best$call$model, best$model)
  expect_equal(predict(best, newdata = faithful[1:5, ], type = "posterior"), best$z[1:5, ],
               tolerance = 1e-10, ignore_attr = TRUE)
  # by ICL the smallest ICL
  set.seed(1)
  by_icl <- emix_select(~ ., data = faithful, k = 1:3, model = c("EII", "VVI", "EEE", "VVV"),
                        criterion = "ICL", cores = 1, progress = FALSE)
  # which cells are refitted depends on the criterion; the cells screened
  # (or refitted) by both are the same
  same <- by_icl$table$screened == sel$table$screened
  expect_gt(sum(same), 6L)
  expect_identical(by_icl$table[same, ], sel$table[same, ])
  icl_row <- by_icl$table[which.min(by_icl$table$ICL), ]
  expect_identical(c(by_icl$best$k, by_icl$best$model), c(icl_row$k, icl_row$model))
})

test_that("one variable: the models are E and V", {
  set.seed(1)
  sel <- emix_select(faithful$eruptions, k = 1:3, cores = 1, progress = FALSE)
  expect_identical(unique(sel$table$model), c("E", "V"))
  # the fourteen names reduce to the two
  set.seed(1)
  same <- emix_select(faithful$eruptions, k = 1:3, model = c("EII", "VVV", "VII"), cores = 1,
                      progress = FALSE)
  expect_identical(unique(same$table$model), c("E", "V"))
  # k = 1: the normal of the sample mean and the maximum-likelihood variance
  one <- sel$table[sel$table$k == 1L, ]
  v <- mean((faithful$eruptions - mean(faithful$eruptions))^2)
  n <- nrow(faithful)
  expect_equal(one$loglik, rep(sum(stats::dnorm(faithful$eruptions, mean(faithful$eruptions), sqrt(v), log = TRUE)), 2),
               tolerance = 1e-10)
  expect_identical(one$df, c(2, 2))
})

test_that("emix_select() agrees with mclustBIC() where both reach the same optimum", {
  skip_if_not_installed("mclust")
  # both run EM tightly, without a ridge, so that cells that reach the same
  # optimum agree to rounding; they start differently (mclust from its
  # hierarchical clustering), so for k > 1 they may reach different optima
  control <- emix_control(reg = 0, tol = 1e-10, max_iter = 5000, rule = "relative")
  mc_control <- mclust::emControl(tol = c(1e-10, 1e-12), itmax = c(5000, 5000))
  data_sets <- list(faithful = as.matrix(faithful), iris = as.matrix(iris[1:4]))
  for (name in names(data_sets)) {
    x <- data_sets[[name]]
    n <- nrow(x)
    set.seed(1)
    # every cell to the tight rule: no screening
    sel <- emix_select(x, k = 1:9, control = control, screen = FALSE, cores = 2, progress = FALSE)
    mc <- mclust::mclustBIC(x, G = 1:9, modelNames = ref_models, control = mc_control,
                            verbose = FALSE)
    tab <- sel$table
    mc_bic <- mc[cbind(match(tab$k, as.integer(rownames(mc))), match(tab$model, colnames(mc)))]
    mc_df <- mapply(function(k, m) mclust::nMclustParams(m, ncol(x), k), tab$k, tab$model)
    # a failed cell has no df; the others count as mclust does
    fitted <- !is.na(tab$df)
    expect_equal(tab$df[fitted], as.numeric(mc_df)[fitted], info = name)
    mc_loglik <- (mc_bic + mc_df * log(n)) / 2
    same <- !is.na(tab$loglik) & !is.na(mc_loglik) &
      abs(tab$loglik - mc_loglik) < 1e-6 * abs(mc_loglik)
    # k = 1 has one optimum, in closed form: every model reaches it
    expect_true(all(same[tab$k == 1L]), info = name)
    # the same optimum gives the same BIC, with the opposite sign
    expect_equal(tab$BIC[same], -mc_bic[same], tolerance = 1e-8, info = name)
    # and the choice is at least as good as mclust's best cell
    expect_lte(min(tab$BIC, na.rm = TRUE), -max(mc, na.rm = TRUE) * (1 + 1e-10))
  }
})

test_that("every cell's log-likelihood is at least mclustBIC()'s, from mclust's start and the short runs", {
  skip_if_not_installed("mclust")
  # both with their defaults: mclust as Mclust() runs it; emix from its
  # starts ("hc", mclust's own agglomeration, and "short"), screening
  # every cell and refitting the contenders
  data_sets <- list(faithful = as.matrix(faithful), iris = as.matrix(iris[1:4]))
  for (name in names(data_sets)) {
    x <- data_sets[[name]]
    set.seed(1)
    sel <- emix_select(x, cores = 2, progress = FALSE)
    expect_true(any(sel$table$screened))
    mc <- mclust::mclustBIC(x, verbose = FALSE)
    tab <- sel$table
    mc_bic <- mc[cbind(match(tab$k, as.integer(rownames(mc))), match(tab$model, colnames(mc)))]
    mc_df <- mapply(function(k, m) mclust::nMclustParams(m, ncol(x), k), tab$k, tab$model)
    mc_loglik <- (mc_bic + mc_df * log(nrow(x))) / 2
    compared <- !is.na(mc_loglik)
    expect_gt(sum(compared), 100L)
    expect_true(all(!is.na(tab$loglik[compared])), info = name)
    short <- tab$loglik < mc_loglik - 1e-6 * abs(mc_loglik)
    expect_identical(sum(short[compared]), 0L, info = paste(name, paste(
      tab$k[which(short)], tab$model[which(short)], collapse = " ")))
    expect_setequal(unique(tab$start), c("hc", "short"))
  }
})

test_that("screening fits the far cells as mclust does, and refits the contenders as without it", {
  skip_if_not_installed("mclust")
  x <- as.matrix(faithful)
  models <- c("EII", "VII", "EEI", "VVI", "EEE", "VVV")
  control <- emix_control() # the screening fits have no ridge, as mclust
  set.seed(5)
  screened <- emix_select(x, k = 1:6, model = models, start = "hc", control = control, screen = TRUE,
                          cores = 1, progress = FALSE)
  set.seed(5)
  full <- emix_select(x, k = 1:6, model = models, start = "hc", control = control, screen = FALSE,
                      cores = 1, progress = FALSE)
  tab <- screened$table
  refitted <- !tab$screened
  expect_true(any(tab$screened) && any(refitted))
  expect_false(any(full$table$screened))
  # a refitted row is the row of the grid without screening, and the best
  # is one of them; every screened cell is more than the margin (40) behind
  # the best
  expect_identical(tab[refitted, ], full$table[refitted, ])
  expect_identical(screened$best$loglik, full$best$loglik)
  expect_identical(c(screened$best$k, screened$best$model), c(full$best$k, full$best$model))
  expect_true(all(tab$BIC[tab$screened] > min(tab$BIC) + screen_margin))
  # a screened cell is plain EM from the start without a ridge, stopped
  # where an iteration gains less than 1e-5 relative: mclust's EM from the
  # same (its own) start with its defaults reaches the same log-likelihood
  mc <- mclust::mclustBIC(x, G = 1:6, modelNames = models, verbose = FALSE)
  mc_bic <- mc[cbind(match(tab$k, as.integer(rownames(mc))), match(tab$model, colnames(mc)))]
  mc_loglik <- (mc_bic + tab$df * log(nrow(x))) / 2
  compared <- tab$screened & tab$k > 1L
  expect_gt(sum(compared), 10L)
  expect_equal(tab$loglik[compared], mc_loglik[compared], tolerance = 1e-10)
  expect_true(all(tab$converged[compared]))
  # the chosen fit's call fits it again with emix(), without `screen`
  expect_null(screened$best$call$screen)
  expect_s3_class(eval(screened$best$call), "emix")
  # from both default starts, the refits are again the rows without
  # screening: each the better of its two starts
  set.seed(6)
  screened <- emix_select(x, k = 1:4, model = models, screen = TRUE, cores = 1, progress = FALSE)
  set.seed(6)
  full <- emix_select(x, k = 1:4, model = models, screen = FALSE, cores = 1, progress = FALSE)
  refitted <- !screened$table$screened
  expect_gt(sum(refitted), 2L)
  expect_setequal(full$table$start[refitted], c("hc", "short"))
  expect_identical(screened$table[refitted, ], full$table[refitted, ])
})

test_that("the contenders are refitted until the best cell is a refit", {
  # screened values; a refit adds the margin m and 10 to the criterion of
  # cell 1 (the best screened) and 5 to the others, so that cell 3, no
  # contender at first, comes within the margin of the best and is
  # refitted in a second round
  m <- screen_margin
  table <- data.frame(BIC = 100 + c(0, m / 2, m + 5, 5 * m), gain = 0, screened = TRUE)
  rounds <- list()
  refit <- function(open) {
    rounds[[length(rounds) + 1L]] <<- open
    lapply(open, function(i) list(BIC = table$BIC[i] + if (i == 1L) m + 10 else 5, gain = 0,
                                  screened = FALSE))
  }
  out <- refit_contenders(table, "BIC", refit)
  expect_identical(rounds, list(1:2, 3L))
  expect_identical(out$BIC, 100 + c(m + 10, m / 2 + 5, m + 10, 5 * m))
  expect_identical(out$screened, c(FALSE, FALSE, FALSE, TRUE))
})

test_that("a fit's entropy is the compiled loop's sum for plain EM, that of its posterior", {
  x <- as.matrix(faithful)
  n <- nrow(x)
  labels <- rep(1:3, length.out = n)
  w <- seq(0.5, 2, length.out = n)
  plain <- screening_control(emix_control())
  in_r <- function(z, weights) {
    if (is.null(weights)) weights <- rep(1, nrow(z))
    -sum(weights * ifelse(z > 0, z * log(z), 0))
  }
  for (model in c("EII", "VVV")) {
    for (weights in list(NULL, w)) {
      run <- grid_fit(x, 3L, grid_family(model, 2L, list()), labels, as_emix_method("em"),
                      weights, plain)
      expect_equal(run$entropy, in_r(run$z, weights), tolerance = 1e-12)
      expect_identical(fit_entropy(run, weights), run$entropy)
    }
  }
  # with a noise component, its column counts too
  noisy <- grid_fit(x, 2L, grid_family("VVV", 2L, list(noise = TRUE)), rep(1:2, length.out = n),
                    as_emix_method("em"), NULL, plain)
  expect_identical(ncol(noisy$z), 3L)
  expect_equal(noisy$entropy, in_r(noisy$z, NULL), tolerance = 1e-12)
  # CEM's q has no entropy: the loop gives none, and z's is computed
  cem <- grid_fit(x, 3L, grid_family("VVV", 2L, list()), labels, as_emix_method("cem"), NULL,
                  plain)
  expect_identical(cem$entropy, NA_real_)
  expect_equal(fit_entropy(cem, NULL), in_r(cem$z, NULL), tolerance = 1e-12)
})

test_that("the chosen cell's object is emix_fit()'s from the same start", {
  x <- check_data(as.matrix(iris[1:4]))
  set.seed(3)
  w <- runif(150, 0.5, 2)
  method <- as_emix_method("em")
  cases <- list(list("VVV", 3L, NULL, FALSE), list("EVE", 2L, w, FALSE), list("VII", 4L, NULL, FALSE),
                list("EEI", 1L, w, FALSE), list("VVV", 2L, NULL, TRUE))
  for (case in cases) {
    k <- case[[2L]]
    labels <- if (k == 1L) rep(1L, 150) else stats::kmeans(x, k, nstart = 5)$cluster
    family <- grid_family(case[[1L]], 4L, list(noise = case[[4L]]))
    direct <- with_seed(5, emix_fit(x, k, family = family, method = method, weights = case[[3L]],
                                    init = labels, control = emix_control()))
    run <- with_seed(5, grid_fit(x, k, family, labels, method, case[[3L]], emix_control(),
                                 keep = TRUE))
    expect_identical(grid_object(run, emix_control()), direct, info = paste(case[1:2]))
  }
})

test_that("the grid's data are checked once, and what is kept of them serves them alone", {
  # three distinct rows, each five times
  x <- check_data(as.matrix(faithful)[rep(1:3, 5), ])
  keep_data_scales(x, NULL)
  on.exit(forget_data_scales())
  expect_identical(check_data(x), x)
  # other data are checked: here a copy with a missing value
  y <- x
  y[1L, 1L] <- NA
  expect_error(check_data(y), class = "emix_error_argument")
  # the count of distinct rows, kept for these data without weights only
  expect_true(has_distinct_rows(x, 3L))
  expect_identical(scale_cache$distinct, 3L)
  expect_true(has_distinct_rows(x, 2L))
  expect_false(has_distinct_rows(x, 4L))
  only_first <- rep(c(1, 0, 0), 5)
  expect_false(has_distinct_rows(x, 2L, only_first))
  expect_identical(scale_cache$distinct, 3L)
  forget_data_scales()
  expect_false(caches(x))
  # a grid that fails leaves nothing kept
  expect_error(emix_select(x, k = 1:4, progress = FALSE), class = "emix_error_argument")
  expect_length(ls(scale_cache), 0L)
})

test_that("the noise settings reach every cell, and are checked once", {
  x <- as.matrix(faithful)
  # every cell to the stopping rule (a screened cell stops sooner)
  sel <- emix_select(x, k = 1:2, model = "EII", noise = TRUE, noise_volume = 5e5, screen = FALSE,
                     cores = 1, progress = FALSE)
  expect_equal(sel$best$noise$volume, 5e5, tolerance = 1e-12)
  # k = 1 with noise has one closed form: emix() gives the same cell
  one <- emix(x, k = 1, model = "EII", noise = TRUE, noise_volume = 5e5)
  expect_equal(sel$table$loglik[1L], one$loglik, tolerance = 1e-10)
  expect_identical(sel$table$df[1L], as.double(one$df))
  expect_error(emix_select(x, k = 1:2, model = "EII", noise_volume = 5, cores = 1, progress = FALSE),
               class = "emix_error_argument", regexp = "noise_volume")
})

test_that("the possible gain of a screened cell: the smaller of Aitken's and the straight line", {
  # changes shrinking by 1/2: Aitken's remaining gain is the last change,
  # less than the straight line
  fit <- list(trace = data.frame(change = c(NA, 8, 4, 2, 1)), iter = 4L)
  expect_equal(possible_gain(fit), 1 * 0.5 / (1 - 0.5))
  # a creeping cell (changes not shrinking): the mean of the last ten
  # changes over as many iterations again
  fit <- list(trace = data.frame(change = c(NA, rep(0.01, 30))), iter = 30L)
  expect_equal(possible_gain(fit), 0.01 * 30)
  # a closed form in one iteration, and a fit that did not move
  expect_identical(possible_gain(list(trace = data.frame(change = NA_real_), iter = 0L)), 0)
  expect_identical(possible_gain(list(trace = data.frame(change = c(NA, 0, 0)), iter = 2L)), 0)
  # a contender is within the margin of the best once credited twice its
  # gain; a screening fit that failed is fitted again, a refit is not
  m <- screen_margin
  table <- data.frame(BIC = 100 + c(0, m - 5, m + 10, m + 1, NA, 3 * m, NA),
                      gain = c(0, 0, 6, 0.4, 0, 0, 0),
                      screened = c(TRUE, TRUE, TRUE, FALSE, TRUE, TRUE, FALSE))
  expect_identical(contenders(table, "BIC"), c(1:3, 5L))
  table$BIC[1:4] <- NA
  expect_identical(contenders(table, "BIC"), c(1:3, 5L, 6L))
})

test_that("parallel and serial grids give identical tables", {
  x <- as.matrix(faithful)
  models <- c("EII", "VEI", "EEE", "VVV")
  set.seed(3)
  serial <- emix_select(x, k = 1:4, model = models, cores = 1, progress = FALSE)
  set.seed(3)
  parallel <- emix_select(x, k = 1:4, model = models, cores = 2, progress = FALSE)
  expect_identical(parallel$table, serial$table)
  expect_identical(parallel$best$loglik, serial$best$loglik)
  # with a progress bar the cells run in rounds, to the same table
  for (cores in 1:2) {
    set.seed(3)
    shown <- utils::capture.output(
      with_bar <- emix_select(x, k = 1:4, model = models, cores = cores, progress = TRUE)
    )
    expect_identical(with_bar$table, serial$table, info = sprintf("cores = %d", cores))
    expect_match(paste(shown, collapse = ""), "100%", fixed = TRUE)
  }
  # stochastic EM draws from R's generator: each cell has its own seed
  control <- emix_control(max_iter = 30)
  set.seed(4)
  serial <- emix_select(x, k = 1:3, model = models, method = "sem", control = control, cores = 1,
                        progress = FALSE)
  after_serial <- stats::runif(1)
  set.seed(4)
  parallel <- emix_select(x, k = 1:3, model = models, method = "sem", control = control,
                          cores = 2, progress = FALSE)
  after_parallel <- stats::runif(1)
  expect_identical(parallel$table, serial$table)
  # and the session's generator goes on from the same state
  expect_identical(after_parallel, after_serial)
  # the fit returned is the cell's: made again, it gives the table's numbers
  row <- serial$table[serial$table$k == serial$best$k & serial$table$model == serial$best$model, ]
  expect_identical(serial$best$loglik, row$loglik)
})

test_that("the grid's fits are shared by processes as they free; a process that dies loses only its fits", {
  # a stand-in grid: cell i's fit from partition p has log-likelihood
  # sum(p) + i, and its cost decides only the order
  cells <- 1:7
  cell_k <- c(1L, 2L, 2L, 3L, 3L, 3L, 2L)
  n <- 6L
  tasks <- list(list(start = "a", ks = c(1L, 2L, 3L)), list(start = "b", ks = 3L),
                list(start = "b", ks = 2L))
  make_start <- function(task) {
    out <- lapply(task$ks, function(k) rep_len(seq_len(k), n) + (task$start == "b") * (k == 3L))
    stats::setNames(out, task$ks)
  }
  labels <- list(a = list(), b = list(`1` = rep(1L, n)))
  fit <- function(i, partition) list(loglik = as.double(sum(partition) + i))
  expected <- lapply(cells, function(i) {
    k <- cell_k[i]
    partitions <- list(a = make_start(tasks[[1L]])[[k]], b = if (k == 1L) rep(1L, n) else
      make_start(list(start = "b", ks = k))[[1L]])
    lapply(partitions, function(p) fit(i, p))
  })
  for (cores in 1:3) {
    skip_on_os("windows") # no forked processes there
    out <- run_grid(cells, cell_k, labels, tasks, make_start, fit, cost = cell_k, cores = cores,
                    progress = FALSE)
    expect_identical(unname(out$rows), expected, info = sprintf("cores = %d", cores))
    expect_identical(out$labels$b[["3"]], make_start(tasks[[2L]])[["3"]])
  }
  # without a directory to share, one process, to the same rows
  local({
    restore <- replace_internal("grid_directory", function() NULL)
    on.exit(restore())
    out <- run_grid(cells, cell_k, labels, tasks, make_start, fit, cost = cell_k, cores = 2L,
                    progress = FALSE)
    expect_identical(unname(out$rows), expected)
  })
  # the best of a cell's rows, the first start on a tie
  expect_identical(best_row(list(a = list(loglik = 1), b = list(loglik = 2)))$start, "b")
  expect_identical(best_row(list(a = list(loglik = 2), b = list(loglik = 2)))$start, "a")
  expect_identical(best_row(list(a = list(loglik = NA_real_), b = list(loglik = NA_real_)))$start,
                   "a")
  # the process that takes cell 3 from start "a" is killed there: its fits
  # are lost, the other process makes all the others
  killed <- function(i, partition) {
    if (i == 3L && sum(partition) == sum(rep_len(1:2, n))) {
      tools::pskill(Sys.getpid(), tools::SIGKILL)
    }
    fit(i, partition)
  }
  out <- suppressWarnings(run_grid(cells, cell_k, labels, tasks, make_start, killed,
                                   cost = cell_k, cores = 2L, progress = FALSE))
  rows <- unlist(unname(out$rows), recursive = FALSE)
  lost <- vapply(rows, function(r) identical(r$error_class, "emix_error_worker"), logical(1))
  expect_true(lost[[5L]]) # cell 3, start "a"
  expect_identical(rows[!lost], unlist(expected, recursive = FALSE)[!lost])
  expect_lt(sum(lost), length(rows))
  expect_identical(best_row(out$rows[[3L]])$error_class, "emix_error_worker")
  # a process making a start that dies is an error; one that fails, its error
  dies <- function(task) tools::pskill(Sys.getpid(), tools::SIGKILL)
  expect_error(suppressWarnings(run_grid(cells, cell_k, labels, tasks, dies, fit, cell_k, 2L, FALSE)),
               class = "emix_error_worker")
  fails <- function(task) stop_arg("weights", "are wrong.")
  e <- expect_error(run_grid(cells, cell_k, labels, tasks, fails, fit, cell_k, 2L, FALSE),
                    class = "emix_error_argument")
  expect_identical(e$argument, "weights")
})

test_that("a cell that fails keeps NA criteria and its reason, and the best ignores it", {
  # a cluster of three collinear rows: its own full covariance collapses
  set.seed(2)
  x <- rbind(matrix(stats::rnorm(100), 50), cbind(c(20, 21, 22), c(20, 21, 22)))
  sel <- emix_select(x, k = 1:2, model = c("EII", "VVV"), cores = 1, progress = FALSE)
  failed <- sel$table[!is.na(sel$table$error), ]
  expect_identical(failed$k, 2L)
  expect_identical(failed$model, "VVV")
  expect_identical(failed$error_class, "emix_error_collapsed")
  expect_match(failed$error, "collapsed")
  expect_true(is.na(failed$BIC) && is.na(failed$ICL) && is.na(failed$loglik))
  expect_true(all(is.na(sel$table$error[-which(!is.na(sel$table$error))])))
  ok <- sel$table[is.na(sel$table$error), ]
  best_row <- ok[which.min(ok$BIC), ]
  expect_identical(c(sel$best$k, sel$best$model), c(best_row$k, best_row$model))
  expect_output(print(summary(sel)), "1 fit failed")
  # when every cell fails, a classed error that carries the table
  err <- tryCatch(emix_select(x, k = 2, model = "VVV", cores = 1, progress = FALSE),
                  error = function(e) e)
  expect_s3_class(err, "emix_error_selection")
  expect_identical(err$table$error_class, "emix_error_collapsed")
})

test_that("bad arguments are classed errors that name them", {
  x <- as.matrix(faithful)
  expect_snapshot(error = TRUE, {
    emix_select(x, k = 0:2)
    emix_select(x, k = c(2, 2))
    emix_select(x, k = 1:300)
    emix_select(x[rep(1:6, 5), ], k = 1:9)
    emix_select(x, model = "XYZ")
    emix_select(x, method = "vb")
    emix_select(x, criterion = "AIC")
    emix_select(x, start = "best")
    emix_select(x, init = "random")
    emix_select(x, cores = 0)
    emix_select(x, screen = "yes")
    emix_select(x, progress = NA)
  })
  expect_error(emix_select(x, method = "gibbs"), class = "emix_error_argument")
  expect_error(emix_select(x, method = me()), class = "emix_error_argument")
})

test_that("print, summary and plot show the grid, the choice and the sign convention", {
  set.seed(1)
  sel <- emix_select(~ ., data = faithful, k = 1:2, model = c("EII", "EEE", "VVV"), cores = 1,
                     progress = FALSE)
  expect_snapshot(print(sel))
  expect_snapshot(print(summary(sel)))
  expect_output(print(sel, top = 2), "Best 2 of 6 by BIC")
  expect_output(print(sel), "smaller is better")
  s <- summary(sel, criterion = "ICL")
  expect_identical(s$values["2", "VVV"], sel$table$ICL[sel$table$k == 2L & sel$table$model == "VVV"])
  expect_identical(dim(s$values), c(2L, 3L))
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_identical(withVisible(plot(sel))$visible, FALSE)
  expect_silent(plot(sel, criterion = "ICL", main = "ICL"))
  expect_error(plot(sel, criterion = "AIC"), class = "emix_error_argument")
})

test_that("an interactive grid shows its progress", {
  set.seed(1)
  out <- capture.output(emix_select(as.matrix(faithful), k = 1:2, model = c("EII", "VVV"),
                                    cores = 1, progress = TRUE))
  expect_true(any(grepl("100%", out)))
})
