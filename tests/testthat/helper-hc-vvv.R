# The VVV agglomeration (src/hc_vvv.c) in plain R, from the definition of
# its criterion (Banfield and Raftery 1993; Fraley 1998; the regularisation
# of mclust's hcVVV()). A cluster of rows R, of size n = sum of their
# weights, weighted scatter W about its mean and trace t, has the term
#   n log(det(W / n) + beta (t + a) / n),
# or n log(beta (t + a) / n) when n <= d, when t = 0, or when it is a pair
# of two rows of weight 1; a = max(alpha * sum_i w_i |x_i - mean|^2 /
# (N d), machine epsilon). Each step evaluates every pair's merged term
# afresh (the scatter by crossprod(), the determinant by determinant()) and merges
# the least change; ties go to the last pair in the order (1, 2), (1, 3),
# (2, 3), (1, 4), ... of the slots, the merged cluster taking the first
# slot of the pair and the last slot's cluster the second. Clusters are
# named by their first row. Returns list(merge, cost) as the kernel does.
hc_vvv_reference <- function(x, w = rep(1, nrow(x)), alpha = 1, beta = 1) {
  m <- nrow(x)
  d <- ncol(x)
  total <- sum(w)
  centre <- colSums(x * w) / total
  a <- max(alpha * sum(w * rowSums(sweep(x, 2, centre)^2)) / (total * d),
           .Machine$double.eps)
  term <- function(rows) {
    n <- sum(w[rows])
    mean <- colSums(x[rows, , drop = FALSE] * w[rows]) / n
    centred <- sweep(x[rows, , drop = FALSE], 2, mean)
    scatter <- crossprod(centred * sqrt(w[rows]))
    trace <- sum(diag(scatter))
    regular <- beta * (trace + a) / n
    unit_pair <- length(rows) == 2L && all(w[rows] == 1)
    if (n <= d || trace == 0 || unit_pair) {
      return(n * log(regular))
    }
    # log(det + regular) from the log-determinant, which no scale of the
    # data takes out of double precision's range
    logdet <- as.numeric(determinant(scatter / n)$modulus)
    hi <- max(logdet, log(regular))
    n * (hi + log1p(exp(min(logdet, log(regular)) - hi)))
  }
  members <- as.list(seq_len(m))
  terms <- vapply(members, term, numeric(1))
  merge <- matrix(0L, m - 1L, 2L)
  cost <- numeric(m - 1L)
  for (s in seq_len(m - 1L)) {
    last <- length(members)
    best <- Inf
    for (j in 2:last) {
      for (i in seq_len(j - 1L)) {
        change <- term(c(members[[i]], members[[j]])) - terms[i] - terms[j]
        if (change <= best) {
          best <- change
          pair <- c(i, j)
        }
      }
    }
    i <- pair[1L]
    j <- pair[2L]
    merge[s, ] <- sort(c(min(members[[i]]), min(members[[j]])))
    cost[s] <- best
    members[[i]] <- c(members[[i]], members[[j]])
    terms[i] <- term(members[[i]])
    members[[j]] <- members[[last]]
    terms[j] <- terms[last]
    members[[last]] <- NULL
    terms <- terms[-last]
  }
  list(merge = merge, cost = cost)
}

# The coordinates the start agglomerates in (hc_transform()).
hc_coordinates_of <- function(x, weights = NULL) {
  transform <- hc_transform(x, weights)
  sweep(x, 2, transform$center) %*% transform$rotation
}

# mclust's tree as the kernel's merge matrix: one row per merge, the first
# rows of the two clusters, the lower first.
mclust_merges <- function(tree) {
  t(matrix(as.integer(tree), 2L))
}

# TRUE when two labellings are the same partition (a one-to-one relabelling).
same_partition <- function(a, b) {
  pairs <- unique(cbind(a, b))
  nrow(pairs) == length(unique(a)) && nrow(pairs) == length(unique(b))
}
