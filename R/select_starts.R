# The starts of model selection: one partition per number of components,
# shared by every covariance model of the grid, so that the models are
# compared from the same start. R checks and shapes; the agglomeration and
# the k-means steps run in C (src/hc_vvv.c, src/kmeans.c).

# Rows the hierarchical start agglomerates, as mclust does: its time and
# the pair costs it keeps grow as the square of the rows, and 2000 rows
# place every cluster of up to nine components well enough for EM to take
# over.
hc_rows <- 2000L

# The regularisation of the VVV agglomeration, mclust's defaults of
# hcVVV(): a cluster of size n and scatter W enters as
# n log(det(W / n) + beta (tr(W) + a) / n), a being alpha times the mean
# variance of the coordinates (src/hc_vvv.c).
hc_alpha <- 1
hc_beta <- 1

# The "short" start: this many k-means++ starts, each followed by at most
# this many EM iterations of the full model "VVV" (the model of mclust's
# hierarchical start: it can follow clusters of any shape, and the
# selection's models are all its special cases).
short_starts <- 5L
short_iter <- 10L

# A list, one element per k of `ks` (named as.character(k)), of integer
# labels in 1..k, one per row of x, every label used, for `start` one of
# selection_start_choices (R/select.R); k = 1 needs no start (all 1):
# * "hc": mclust's default start, the model-based agglomeration under VVV
#   (src/hc_vvv.c) in mclust's coordinates (hc_transform()), on at most
#   hc_rows rows of positive weight (a random subset beyond that, as
#   mclust's initialization$subset), which keep their clusters; every other
#   row joins the nearest centre of these clusters. One tree gives every k.
#   A weight counts as that many rows (the tree of integer weights is that
#   of the repeated rows when each row's copies start as one cluster), which
#   mclust's hc() does not take.
# * "kmeans++", "random": the starts of emix() (see start_responsibilities()).
# * "short": the best of short_starts runs of at most short_iter EM
#   iterations of "VVV", by log-likelihood, from k-means++ starts; its
#   classification (see short_start()).
# Reproducible under set.seed(): every draw is from R's generator. With
# `seeds` (one per k, named by k), each k's partition is made with the
# generator seeded by its own, so that none depends on the draws of
# another (the hierarchical tree, which gives every k at once, by the
# first k's); the generator's state is put back afterwards.
selection_starts <- function(x, ks, start, weights, control, seeds = NULL) {
  x <- check_data(x)
  start <- check_select_start(start)
  if (length(start) != 1L) {
    stop_arg("start", "must be a single start here: emix_select() makes each of several in turn.")
  }
  weights <- check_weights(weights, nrow(x))
  control <- as_emix_control(control)
  ks <- check_selection_ks(ks, x, weights)
  core <- core_control(control, x, weights)
  seeded <- function(k, expr) if (is.null(seeds)) expr else with_seed(seeds[[as.character(k)]], expr)
  starts <- if (start == "hc") {
    seeded(ks[1L], hc_start(x, ks, weights))
  } else {
    lapply(ks, function(k) {
      if (k == 1L) {
        return(rep(1L, nrow(x)))
      }
      # a start shared by all models: clusters big enough for the model
      # that needs most rows ("VVV"), where k-means++ finds such
      core$min_rows <- needed_observations("VVV", k, ncol(x))$each
      seeded(k, switch(start,
        "kmeans++" = kmeans_start(x, k, weights, core, control$seeds),
        random = random_start(x, k, weights, core),
        short = short_start(x, k, weights, control, core)
      ))
    })
  }
  names(starts) <- as.character(ks)
  starts
}

# ks as distinct whole numbers of components, each at most the number of
# distinct rows of positive weight.
check_selection_ks <- function(ks, x, weights) {
  if (!is.numeric(ks) || length(ks) < 1L || anyNA(ks) || any(!is.finite(ks)) ||
      any(ks != round(ks)) || any(ks < 1) || anyDuplicated(ks)) {
    stop_arg("ks", "must be distinct whole numbers of components, each at least 1.")
  }
  ks <- as.integer(ks)
  if (!has_distinct_rows(x, max(ks), weights)) {
    stop_arg("ks", sprintf(
      "must not exceed the number of distinct rows of the data (of positive weight); it holds %d.",
      max(ks)))
  }
  ks
}

# The coordinates the hierarchical start agglomerates in, mclust's ("SVD"
# in its hc()), fitted on the rows of x: the standardised variables on
# their principal axes, axis j divided by the square root of its singular
# value, ((N - 1) lambda_j)^(1/4) with lambda_j the eigenvalue of the
# correlation matrix. Euclidean distance there lies between that of the
# standardised variables (which lets correlated variables count twice) and
# the Mahalanobis distance of the whole data (which shrinks the directions
# that separate clusters, as they carry most variance). The VVV criterion
# does not depend on the rotation but does on the scale, so N - 1 is kept.
# Constant variables and axes of no variance (collinear variables) are
# dropped, where mclust would divide by zero. The weights count as
# frequencies (N is their sum), so integer weights give the coordinates of
# repeated rows. A list(center, rotation): coordinates
# (x - center) %*% rotation.
hc_transform <- function(x, weights) {
  w <- if (is.null(weights)) rep(1, nrow(x)) else weights
  total <- sum(w)
  center <- colSums(x * w) / total
  varies <- apply(x, 2L, function(v) any(v != v[1L]))
  rotation <- matrix(0, ncol(x), 1L)
  if (any(varies)) {
    centred <- sweep(x[, varies, drop = FALSE], 2L, center[varies])
    scatter <- crossprod(centred * sqrt(w))
    root <- sqrt(diag(scatter))
    axes <- eigen(scatter / outer(root, root), symmetric = TRUE)
    keep <- axes$values > 1e-10 * axes$values[1L]
    sd <- root / sqrt(total - 1)
    rotation <- matrix(0, ncol(x), sum(keep))
    # rows of the transform divided by the variables' standard deviations
    rotation[varies, ] <- axes$vectors[, keep, drop = FALSE] %*%
      diag(((total - 1) * axes$values[keep])^(-1 / 4), sum(keep)) / sd
  }
  list(center = center, rotation = rotation)
}

# The hierarchical start for every k of ks (see selection_starts()).
hc_start <- function(x, ks, weights) {
  if (max(ks) == 1L) {
    return(lapply(ks, function(k) rep(1L, nrow(x))))
  }
  # rows of zero weight have no place in the tree (they would be clusters
  # of size 0): they go to the nearest centre
  candidates <- if (is.null(weights)) seq_len(nrow(x)) else which(weights > 0)
  rows <- if (length(candidates) > hc_rows) {
    sort(candidates[sample.int(length(candidates), hc_rows)])
  } else {
    candidates
  }
  sub_w <- weights[rows]
  if (!is.null(sub_w) && sum(sub_w) <= 1) {
    stop_arg("weights", sprintf(
      "must sum to more than 1 over the rows the start \"hc\" agglomerates (they sum to %s): there a weight counts as that many rows, since the VVV criterion depends on the sizes of the clusters. Scale them up, or choose another start.",
      format(sum(sub_w), digits = 3)))
  }
  transform <- hc_transform(x[rows, , drop = FALSE], sub_w)
  z <- sweep(x, 2L, transform$center) %*% transform$rotation
  sub_z <- z[rows, , drop = FALSE]
  tree <- .Call(C_ffi_hc_vvv, sub_z, sub_w, hc_alpha, hc_beta, as.integer(ks))
  if (length(rows) == nrow(x)) {
    return(lapply(seq_along(ks), function(q) tree$labels[, q]))
  }
  # the tree's rows keep their clusters; the others join the nearest
  # cluster centre (the EII classification with equal proportions)
  others <- z[-rows, , drop = FALSE]
  inv_var <- rep(1, ncol(z))
  w <- if (is.null(sub_w)) rep(1, length(rows)) else sub_w
  lapply(seq_along(ks), function(q) {
    groups <- tree$labels[, q]
    centres <- rowsum(sub_z * w, groups, reorder = TRUE) / as.vector(rowsum(w, groups))
    labels <- integer(nrow(x))
    labels[rows] <- groups
    labels[-rows] <- .Call(C_ffi_nearest_centre, others, inv_var, centres)
    labels
  })
}

# The "short" start for k components (see selection_starts()): each run
# from the k-means++ start (kmeans_start(), emix_control(seeds) seedings
# screened). One seeding per run would cost 0.1 s less for k = 1..9 on
# 5000 rows of W1, but in runs from four seeds the grid's worst cell then
# ended 366, 1277, 308 and 1012 units of BIC behind mclust's, against 17,
# 190, 129 and 344 from these starts. On more rows
# than the k-means++ start screens its seeds on (screen_rows()), the runs
# are made on a random subset of that many: the subset's rows keep the
# best run's classification, and every other row takes its most probable
# component under that run's parameters (one E-step). A run that
# degenerates, or whose classification leaves a component without rows, is
# passed over; when every one is, the start is k-means++'s.
short_start <- function(x, k, weights, control, core) {
  n <- nrow(x)
  m <- screen_rows(n, k)
  rows <- if (m < n) sort(sample.int(n, m)) else seq_len(n)
  sub_x <- x[rows, , drop = FALSE]
  sub_w <- weights[rows]
  if (m < n && !has_distinct_rows(sub_x, k, sub_w)) {
    rows <- seq_len(n)
    sub_x <- x
    sub_w <- weights
  }
  # at most short_iter iterations: a run that meets the stopping rule
  # sooner stops there, and one that does not is no cause for a warning
  short_control <- control
  short_control$max_iter <- short_iter
  # each run as a cell of the grid is fitted (grid_fit(): no "emix" object,
  # the checks of the data made once), its components in emix()'s order
  family <- grid_family("VVV", ncol(x), list())
  method <- as_emix_method("em")
  prepared <- new.env(parent = emptyenv())
  best <- NULL
  for (s in seq_len(short_starts)) {
    labels <- kmeans_start(sub_x, k, sub_w, core, control$seeds)
    run <- tryCatch(
      withCallingHandlers(
        grid_fit(sub_x, k, family, labels, method, sub_w, short_control, prepared),
        emix_warning_max_iter = function(w) invokeRestart("muffleWarning")
      ),
      emix_error_degenerate = function(e) NULL
    )
    if (is.null(run)) {
      next
    }
    classes <- max.col(run$z, ties.method = "first")
    if (length(unique(classes)) == k && (is.null(best) || run$loglik > best$loglik)) {
      best <- run
      best_classes <- classes
    }
  }
  if (is.null(best)) {
    return(kmeans_start(x, k, weights, core, control$seeds))
  }
  if (length(rows) == n) {
    return(best_classes)
  }
  labels <- integer(n)
  labels[rows] <- best_classes
  labels[-rows] <- most_probable(best, family, x[-rows, , drop = FALSE], control$threads)
  labels
}

# The most probable component of each row of x under the Gaussian run `run`
# (a result of grid_fit()), its components numbered in emix()'s order, as
# predict(type = "class") gives it for the fit: NA for a row of zero
# density under every component.
most_probable <- function(run, family, x, threads) {
  ordered <- family$reorder(run, family$order(run))
  most_probable_component(gaussian_estep(x, ordered$pro, ordered$mean, ordered$sigma,
                                         family$model, threads = threads)$z)
}
