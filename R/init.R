# Starting responsibilities. All randomness is drawn here, from R's RNG, so
# set.seed() makes a fit reproducible; the C loop is deterministic.

# The start of EM, given `init` as checked by check_init(): an integer
# vector of labels in 1..k (the C core takes its one-hot matrix a block at a
# time), or an n x k responsibility matrix.
start_responsibilities <- function(init, x, k, weights) {
  if (init$type %in% c("kmeans++", "random")) {
    x <- standardise(x)
  }
  switch(init$type,
    "kmeans++" = lloyd_labels(x, kmeanspp_centres(x, k, weights), weights, iter = 10L),
    random = lloyd_labels(x, random_centres(x, k, weights), weights, iter = 0L),
    labels = init$labels,
    matrix = init$z
  )
}

# `init` as a list(type, labels or z), or an error naming the argument.
check_init <- function(init, n, k) {
  if (is.character(init) && length(init) == 1L && init %in% c("kmeans++", "random")) {
    return(list(type = init))
  }
  if (is.matrix(init)) {
    if (!is.numeric(init) || nrow(init) != n || ncol(init) != k) {
      stop_arg("init", sprintf("as a matrix must be %d x %d (rows by components).", n, k))
    }
    if (anyNA(init) || any(init < 0)) {
      stop_arg("init", "as a matrix must hold non-negative responsibilities, without NA.")
    }
    if (any(abs(rowSums(init) - 1) > 1e-8)) {
      stop_arg("init", "as a matrix must have rows that sum to 1.")
    }
    storage.mode(init) <- "double"
    return(list(type = "matrix", z = init))
  }
  if (is.numeric(init) || is.factor(init)) {
    labels <- if (is.factor(init)) as.integer(init) else init
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
    return(list(type = "labels", labels = as.integer(labels)))
  }
  stop_arg("init", "must be \"kmeans++\", \"random\", a vector of labels or a matrix of responsibilities.")
}

# Columns centred and scaled to unit variance: distances then weigh the
# variables alike, and the expanded form below does not cancel (the data
# are no longer far from the origin).
standardise <- function(x) {
  scale(x, center = TRUE, scale = apply(x, 2L, stats::sd))
}

# Squared distances from every row of x to every centre (n x k), by
# |x|^2 + |c|^2 - 2 x.c: for data centred near the origin.
squared_distances <- function(x, centres) {
  d2 <- outer(rowSums(x^2), rowSums(centres^2), "+") - 2 * x %*% t(centres)
  pmax(d2, 0)
}

draw_row <- function(prob) sample.int(length(prob), 1L, prob = prob)

# k-means++ (Arthur and Vassilvitskii 2007): the first centre drawn with
# probability proportional to the weight, each next one proportional to the
# weight times the squared distance to the nearest centre chosen so far.
kmeanspp_centres <- function(x, k, weights) {
  w <- if (is.null(weights)) rep(1, nrow(x)) else weights
  rows <- draw_row(w)
  nearest <- squared_distances(x, x[rows, , drop = FALSE])[, 1L]
  for (j in seq_len(k - 1L)) {
    rows[j + 1L] <- draw_row(w * nearest)
    nearest <- pmin(nearest, squared_distances(x, x[rows[j + 1L], , drop = FALSE])[, 1L])
  }
  x[rows, , drop = FALSE]
}

# k distinct rows of positive weight, drawn in proportion to the weight.
random_centres <- function(x, k, weights) {
  w <- if (is.null(weights)) rep(1, nrow(x)) else weights
  positive <- which(w > 0)
  distinct <- positive[!duplicated(x[positive, , drop = FALSE])]
  rows <- distinct[sample.int(length(distinct), k, prob = w[distinct])]
  x[rows, , drop = FALSE]
}

# Nearest-centre labels after `iter` weighted Lloyd updates of the centres.
lloyd_labels <- function(x, centres, weights, iter) {
  w <- if (is.null(weights)) rep(1, nrow(x)) else weights
  k <- nrow(centres)
  labels <- max.col(-squared_distances(x, centres), ties.method = "first")
  for (i in seq_len(iter)) {
    mass <- rowsum(w, labels)[, 1L]
    used <- as.integer(names(mass))
    keep <- mass > 0
    centres[used[keep], ] <- rowsum(w * x, labels)[keep, , drop = FALSE] / mass[keep]
    new_labels <- max.col(-squared_distances(x, centres), ties.method = "first")
    if (identical(new_labels, labels)) {
      break
    }
    labels <- new_labels
  }
  # a centre that lost all its rows takes the nearest row of positive weight
  # from a component that has more than one
  for (j in setdiff(seq_len(k), labels[w > 0])) {
    sizes <- tabulate(labels[w > 0], k)
    movable <- w > 0 & sizes[labels] > 1L
    distance <- squared_distances(x, centres[j, , drop = FALSE])[, 1L]
    distance[!movable] <- Inf
    labels[which.min(distance)] <- j
  }
  labels
}
