# Starting responsibilities. The k-means work is done in C (src/kmeans.c);
# every random draw comes from R's generator, so set.seed() makes a fit
# reproducible.

# The start of EM, given `init` as checked by check_init(): an integer
# vector of labels in 1..k (the C core takes its one-hot matrix a block at a
# time), or an n x k responsibility matrix. `core` is core_control()'s
# result (the variances of the variables, the threads).
start_responsibilities <- function(init, x, k, weights, core, seeds) {
  switch(init$type,
    "kmeans++" = kmeans_start(x, k, weights, core, seeds),
    quantile = {
      labels <- quantile_start(x, k, weights)
      # ties can leave a group empty: then the k-means start
      if (all(tabulate(labels, k) > 0L)) labels else kmeans_start(x, k, weights, core, seeds)
    },
    random = random_start(x, k, weights, core),
    hc = hc_start(x, k, weights)[[1L]],
    labels = init$labels,
    matrix = init$z,
    parameters = parameter_start(init, x, weights, core)
  )
}

# Rows a seed is screened on: enough for every component of a sensible
# mixture to hold a hundred or more of them, few enough that screening many
# seeds costs less than one EM iteration over large data.
screen_rows <- function(n, k) {
  min(n, max(2000L, 200L * k))
}

# Lloyd updates at most for screening a seed. On all rows the best centres
# only partition the rows: EM refines them, at a cost per pass of a few
# Lloyd passes, so further Lloyd passes there would not pay.
screen_iter <- 5L
full_iter <- 0L

# k-means++ with screening: `seeds` k-means++ seedings, each refined by
# Lloyd iterations on the same random subsample of rows; the centres of
# least inertia (weighted within-cluster sum of squares in standardised
# units) partition all rows by nearest centre, and that is the start.
# k-means++ draws far-out rows as centres, and a lone row lowers the
# inertia most, so a partition with a cluster of fewer rows than the
# model's covariance needs (core$min_rows) is passed over for the next
# best; when every one is too small somewhere (skewed data), as many
# seedings of k rows drawn at random, which fall in the bulk of the data,
# are screened the same way.
kmeans_start <- function(x, k, weights, core, seeds) {
  inv_var <- 1 / core$start_scale
  n <- nrow(x)
  m <- screen_rows(n, k)
  rows <- if (m < n) sort(sample.int(n, m)) else seq_len(n)
  sub_x <- x[rows, , drop = FALSE]
  sub_w <- weights[rows]
  if (m < n && length(.Call(C_ffi_kmeans_seed, sub_x, sub_w, inv_var, k, 1L)) < k) {
    # the subsample holds fewer than k distinct points of positive weight
    # (a seeding draws fewer centres then): screen on all rows instead
    sub_x <- x
    sub_w <- weights
    m <- n
  }
  # the partition of all rows by the centres of a screened run
  partition <- function(run) {
    if (m == n) run$labels else
      .Call(C_ffi_kmeans_lloyd, x, weights, inv_var, run$centres, full_iter,
            core$threads)$labels
  }
  big_enough <- function(labels) {
    sizes <- if (is.null(weights)) tabulate(labels, k) else
      vapply(split(weights, factor(labels, levels = seq_len(k))), sum, numeric(1)) /
        core$mean_weight
    all(sizes >= core$min_rows)
  }
  fallback <- NULL
  for (random in c(0L, 1L)) {
    runs <- lapply(seq_len(seeds), function(s) {
      seed <- .Call(C_ffi_kmeans_seed, sub_x, sub_w, inv_var, k, random)
      .Call(C_ffi_kmeans_lloyd, sub_x, sub_w, inv_var, sub_x[seed, , drop = FALSE],
            screen_iter, core$threads)
    })
    for (run in runs[order(vapply(runs, function(r) r$inertia, numeric(1)))]) {
      labels <- partition(run)
      if (big_enough(labels)) {
        return(labels)
      }
      if (is.null(fallback)) {
        fallback <- labels # k-means++'s least inertia, if none is big enough
      }
    }
  }
  fallback
}

# One variable cut into k groups of equal weight in sorted order, tied
# values kept together (mclust's start for one variable): on skewed data
# k-means leaves far-out values alone where this does not.
quantile_start <- function(x, k, weights) {
  v <- x[, 1L]
  w <- if (is.null(weights)) rep(1, length(v)) else weights
  o <- order(v)
  # blocks of tied values in sorted order, each placed at the middle of
  # its weight on the cumulative scale
  sorted <- v[o]
  new_block <- c(TRUE, sorted[-1L] != sorted[-length(sorted)])
  block <- cumsum(new_block)
  end <- cumsum(w[o])[c(which(new_block)[-1L] - 1L, length(v))] # at each block's last row
  start <- c(0, end[-length(end)])
  middle <- ((start + end) / 2)[block]
  labels <- integer(length(v))
  labels[o] <- pmin(k, pmax(1L, as.integer(ceiling(k * middle / sum(w)))))
  labels
}

# k distinct rows drawn in proportion to their weights as centres; the
# start is the partition by nearest centre.
random_start <- function(x, k, weights, core) {
  inv_var <- 1 / core$start_scale
  seed <- .Call(C_ffi_kmeans_seed, x, weights, inv_var, k, 1L)
  .Call(C_ffi_kmeans_lloyd, x, weights, inv_var, x[seed, , drop = FALSE], 0L,
        core$threads)$labels
}

# The E-step at the given parameters. Their covariances are full matrices,
# so they are evaluated as such whatever the model to be fitted.
parameter_start <- function(init, x, weights, core) {
  e <- gaussian_estep(x, init$pro, init$mean, init$sigma, "VVV", weights, core$threads)
  bad <- which(!is.finite(e$row_loglik))
  if (length(bad) > 0L) {
    stop_arg("init", sprintf(
      "gives row %d of the data zero density under every component: its parameters do not fit these data.",
      bad[1L]))
  }
  e$z
}

# `init` as a list(type, k, and labels, z or parameters), or an error naming
# the argument. `k` is NULL when the user did not give it: it is then taken
# from parameters given as `init`, or what start_k() finds in `init`.
check_init <- function(init, x, k) {
  n <- nrow(x)
  if (inherits(init, "emix") || is.list(init) && !is.data.frame(init)) {
    init <- check_init_parameters(init, ncol(x))
    if (is.null(k)) {
      k <- length(init$pro)
    } else if (check_count(k, "k") != length(init$pro)) {
      stop_arg("init", sprintf(
        "holds parameters of %d components, but `k` is %d. Leave `k` out, or give parameters of %d components.",
        length(init$pro), as.integer(k), as.integer(k)))
    }
    return(c(list(type = "parameters", k = as.integer(k)), init))
  }
  k <- if (is.null(k)) start_k(init, n) else check_count(k, "k")
  if (is.character(init) && length(init) == 1L && init %in% c("kmeans++", "random", "quantile", "hc")) {
    if (init == "quantile" && ncol(x) > 1L) {
      stop_arg("init", "can be \"quantile\" only for one variable; use \"kmeans++\" or \"random\".")
    }
    return(list(type = init, k = k))
  }
  partition <- check_init_partition(init, n, k)
  if (!is.null(partition)) {
    return(partition)
  }
  stop_arg("init", sprintf(
    "must be \"kmeans++\", \"random\", \"quantile\" (one variable), \"hc\", a numeric vector or factor of labels, a numeric matrix of responsibilities, a fitted emix object or a list(pro, mean, sigma) of parameters; it is %s.",
    describe_type(init)))
}

# A start given as a partition: a responsibility matrix, or labels (a
# numeric vector or a factor) in 1..k; NULL when init is neither.
check_init_partition <- function(init, n, k) {
  if (is.matrix(init) && (is.numeric(init) || is.logical(init) && all(is.na(init)))) {
    return(list(type = "matrix", k = k, z = check_init_matrix(init, n, k)))
  }
  if (is.factor(init)) {
    unused <- setdiff(levels(init), levels(droplevels(init)))
    if (length(unused) > 0L) {
      stop_arg("init", sprintf(
        "as a factor has levels without rows (%s): every level is a component. Drop them with droplevels().",
        paste0("\"", unused, "\"", collapse = ", ")))
    }
    if (nlevels(init) != k) {
      stop_arg("init", sprintf("as a factor has %d levels, but `k` is %d.", nlevels(init), k))
    }
    init <- as.integer(init)
  }
  if (is.numeric(init) && is.null(dim(init))) {
    return(list(type = "labels", k = k, labels = check_init_labels(init, n, k)))
  }
  NULL
}

# The number of components a start carries when `k` is not given: the
# columns of a matrix, the levels of a factor, the largest of whole-number
# labels (at most one per row); 2 otherwise, as emix()'s default.
start_k <- function(init, n) {
  if (is.matrix(init) && is.numeric(init) && ncol(init) >= 1L) {
    return(ncol(init))
  }
  if (is.factor(init) && nlevels(init) >= 1L) {
    return(nlevels(init))
  }
  if (is.numeric(init) && is.null(dim(init)) && length(init) > 0L && all(is.finite(init))) {
    top <- max(init)
    if (top >= 1 && top <= n && top == round(top)) {
      return(as.integer(top))
    }
  }
  2L
}

describe_type <- function(value) {
  if (is.character(value) && length(value) == 1L) {
    return(sprintf("\"%s\"", value))
  }
  if (is.object(value)) {
    return(sprintf("an object of class \"%s\"", class(value)[1L]))
  }
  if (is.array(value)) {
    return(sprintf("a %s %s", typeof(value), if (is.matrix(value)) "matrix" else "array"))
  }
  sprintf("a %s vector of length %d", typeof(value), length(value))
}

check_init_matrix <- function(init, n, k) {
  if (nrow(init) != n || ncol(init) != k) {
    stop_arg("init", sprintf("as a matrix must be %d x %d (rows by components), not %d x %d.",
                             n, k, nrow(init), ncol(init)))
  }
  if (anyNA(init) || any(init < 0)) {
    stop_arg("init", "as a matrix must hold non-negative responsibilities, without NA.")
  }
  if (any(abs(rowSums(init) - 1) > 1e-8)) {
    stop_arg("init", "as a matrix must have rows that sum to 1.")
  }
  storage.mode(init) <- "double"
  init
}

check_init_labels <- function(labels, n, k) {
  if (length(labels) != n) {
    stop_arg("init", sprintf("as labels must have one label per row (%d), not %d.", n, length(labels)))
  }
  # range() and tabulate() rather than vector comparisons: no n-long
  # temporaries for integer labels
  if (anyNA(labels) || min(labels) < 1 || max(labels) > k ||
      !is.integer(labels) && any(labels != round(labels))) {
    stop_arg("init", sprintf("as labels must be whole numbers in 1..%d (k).", k))
  }
  unused <- which(tabulate(labels, nbins = k) == 0L)
  if (length(unused) > 0L) {
    stop_arg("init", sprintf("as labels must use every component; %s has no rows.",
                             paste(unused, collapse = ", ")))
  }
  as.integer(labels)
}

# pro (k positive, summing to 1), mean (k x d) and sigma (d x d x k,
# symmetric positive definite) from a fitted emix object or a list.
check_init_parameters <- function(init, d) {
  if (!all(c("pro", "mean", "sigma") %in% names(init))) {
    stop_arg("init", sprintf(
      "as a list must hold the parameters `pro`, `mean` and `sigma` (as a fit from emix() does); it has %s.",
      if (length(names(init)) > 0L) paste0("`", names(init), "`", collapse = ", ") else "no names"))
  }
  pro <- init$pro
  if (inherits(init, "emix") && !is.null(init$noise)) {
    # a fit with noise: its normal components, their proportions rescaled
    pro <- pro[seq_len(init$k)] / sum(pro[seq_len(init$k)])
  }
  if (!is.numeric(pro) || length(pro) < 1L || anyNA(pro) || any(!is.finite(pro)) ||
      any(pro <= 0) || abs(sum(pro) - 1) > 1e-6) {
    stop_arg("init", "must have `pro` a vector of positive mixing proportions that sum to 1.")
  }
  k <- length(pro)
  mean <- init$mean
  if (!is.numeric(mean) || anyNA(mean) || any(!is.finite(mean))) {
    stop_arg("init", "must have `mean` a numeric matrix of finite values.")
  }
  if (is.null(dim(mean)) && length(mean) == k * d && (k == 1L || d == 1L)) {
    mean <- matrix(mean, k, d)
  }
  if (is.matrix(mean) && nrow(mean) == k && ncol(mean) != d && k != d) {
    stop_arg("init", sprintf("holds parameters of %d variables, but the data have %d.",
                             ncol(mean), d))
  }
  if (!is.matrix(mean) || nrow(mean) != k || ncol(mean) != d) {
    stop_arg("init", sprintf(
      "must have `mean` a %d x %d matrix (components by variables, one row per component)%s.",
      k, d, if (is.matrix(mean) && nrow(mean) == d && ncol(mean) == k) {
        "; it is variables by components, as mclust stores it: give t(mean)"
      } else {
        sprintf(", not %s", paste(if (is.null(dim(mean))) length(mean) else dim(mean),
                                  collapse = " x "))
      }))
  }
  sigma <- init$sigma
  if (is.matrix(sigma) && k == 1L) {
    sigma <- array(sigma, c(dim(sigma), 1L))
  }
  if (!is.numeric(sigma) || !identical(as.integer(dim(sigma)), c(d, d, k)) ||
      anyNA(sigma) || any(!is.finite(sigma))) {
    stop_arg("init", sprintf(
      "must have `sigma` a %d x %d x %d array of finite covariance matrices (variables by variables by components).",
      d, d, k))
  }
  for (c in seq_len(k)) {
    s <- sigma[, , c]
    if (max(abs(s - t(s))) > 1e-8 * max(abs(s))) {
      stop_arg("init", sprintf("must have `sigma` symmetric; matrix %d is not.", c))
    }
    if (inherits(try(chol(s), silent = TRUE), "try-error")) {
      stop_arg("init", sprintf("must have `sigma` positive definite; matrix %d is not.", c))
    }
  }
  storage.mode(mean) <- "double"
  storage.mode(sigma) <- "double"
  list(pro = as.double(pro), mean = mean, sigma = sigma)
}

# The order of the components of a fit: by decreasing mixing proportion,
# ties by the mean of the first variable, so that the same optimum reached
# from different starts is reported the same way.
component_order <- function(pro, mean) {
  order(-pro, mean[, 1L])
}

# Labels renumbered so that the components of a start come in decreasing
# order of weight (ties by the first variable's mean): the Gibbs sampler's
# labels switch from draw to draw, so its start is what is put in order.
order_start_labels <- function(labels, prep, k) {
  w <- if (is.null(prep$weights)) rep(1, length(labels)) else prep$weights
  mass <- vapply(split(w, factor(labels, levels = seq_len(k))), sum, numeric(1))
  # ties by the first variable's mean (dense data), else by label
  first <- if (is.matrix(prep$data)) prep$data[, 1L] else rep(0, length(labels))
  first_mean <- vapply(split(w * first, factor(labels, levels = seq_len(k))), sum,
                       numeric(1)) / mass
  rank <- integer(k)
  rank[component_order(mass, matrix(first_mean))] <- seq_len(k)
  rank[labels]
}

# Squared distances from every row of x to every centre (n x k), by
# |x|^2 + |c|^2 - 2 x.c: for data centred near the origin.
squared_distances <- function(x, centres) {
  d2 <- outer(rowSums(x^2), rowSums(centres^2), "+") - 2 * x %*% t(centres)
  pmax(d2, 0)
}
