# A slow, plain R reference for the Gaussian mixture E-step, M-step and EM,
# written from the formulas and independent of the package's code. The
# numeric tests compare the compiled core against it.

ref_models <- c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV",
                "VEV", "EVV", "VVV")

ref_weights <- function(x, weights) {
  if (is.null(weights)) rep(1, nrow(x)) else as.numeric(weights)
}

# log N(x_i; mean_c, sigma_c) for every row i of x and component c (n x k).
# With sigma = R'R (R upper triangular, from chol()), the quadratic form is
# |R'^{-1} (x_i - mean_c)|^2 and log det sigma = 2 sum log diag(R).
ref_logdens <- function(x, mean, sigma) {
  x <- as.matrix(x)
  n <- nrow(x)
  d <- ncol(x)
  mean <- matrix(mean, ncol = d)
  k <- nrow(mean)
  sigma <- array(sigma, c(d, d, k))
  out <- matrix(NA_real_, n, k)
  for (c in seq_len(k)) {
    R <- chol(matrix(sigma[, , c], d, d))
    centred <- t(x) - mean[c, ] # d x n, column i is x_i - mean_c
    y <- forwardsolve(t(R), centred)
    quad <- colSums(y^2)
    logdet <- 2 * sum(log(diag(R)))
    out[, c] <- -0.5 * (d * log(2 * pi) + logdet + quad)
  }
  out
}

# E-step: responsibilities, row log-likelihoods log sum_c pro_c N(x_i), and
# the weighted total, by a log-sum-exp shifted by the row maximum.
ref_estep <- function(x, pro, mean, sigma, weights = NULL) {
  x <- as.matrix(x)
  w <- ref_weights(x, weights)
  logjoint <- sweep(ref_logdens(x, mean, sigma), 2, log(pro), "+")
  top <- apply(logjoint, 1, max)
  row_loglik <- top + log(rowSums(exp(logjoint - top)))
  z <- exp(logjoint - row_loglik)
  list(z = z, row_loglik = row_loglik, loglik = sum(w * row_loglik))
}

ref_loglik <- function(x, pro, mean, sigma, weights = NULL) {
  ref_estep(x, pro, mean, sigma, weights)$loglik
}

# Weighted column variances of x with divisor sum(w).
ref_var_scale <- function(x, weights = NULL) {
  x <- as.matrix(x)
  w <- ref_weights(x, weights)
  centre <- colSums(w * x) / sum(w)
  colSums(w * (t(t(x) - centre))^2) / sum(w)
}

# The robust scale the ridge is relative to, in plain R: 1.4826 x the
# weighted median absolute deviation from the weighted median, else
# IQR / 1.349, else the standard deviation. The weighted quantile at p
# averages min{x : F(x) >= p} and min{x : F(x) > p} of the weighted
# empirical distribution F (R's type 2 for unit weights).
ref_weighted_quantile <- function(v, w, p) {
  o <- order(v)
  v <- v[o]
  cum <- cumsum(w[o])
  target <- p * sum(w)
  (v[which(cum >= target)[1L]] + v[which(cum > target)[1L]]) / 2
}

ref_robust_scale <- function(x, weights = NULL) {
  x <- as.matrix(x)
  w <- ref_weights(x, weights)
  apply(x, 2L, function(v) {
    s <- 1.4826 * ref_weighted_quantile(abs(v - ref_weighted_quantile(v, w, 0.5)), w, 0.5)
    if (s == 0) {
      s <- (ref_weighted_quantile(v, w, 0.75) - ref_weighted_quantile(v, w, 0.25)) / 1.349
    }
    if (s == 0) {
      s <- sqrt(sum(w * (v - sum(w * v) / sum(w))^2) / sum(w))
    }
    s
  })
}

# M-step: exact maximum likelihood from responsibilities z for the fourteen
# models; reg > 0 fits the model to the scatters plus a ridge, reg times
# each column's squared robust scale on the diagonal.
ref_mstep <- function(x, z, model = "VVV", weights = NULL, reg = 0) {
  x <- as.matrix(x)
  z <- as.matrix(z)
  w <- ref_weights(x, weights)
  d <- ncol(x)
  k <- ncol(z)
  wz <- w * z
  N <- colSums(wz)
  W <- sum(N)
  pro <- N / W
  mean <- matrix(NA_real_, k, d)
  S <- array(0, c(d, d, k))
  for (c in seq_len(k)) {
    mean[c, ] <- colSums(wz[, c] * x) / N[c]
    centred <- t(t(x) - mean[c, ]) # n x d
    S[, , c] <- crossprod(centred, wz[, c] * centred) / N[c]
  }
  # the covariances: the model's fit to the regularised scatters
  # N_c (S_c + R), R the ridge (helper-covariance.R)
  ridge <- diag(reg * ref_robust_scale(x, w)^2, d)
  scatter <- array(0, c(d, d, k))
  for (c in seq_len(k)) {
    scatter[, , c] <- N[c] * (S[, , c] + ridge)
  }
  sigma <- ref_cov_mstep(model, scatter, N)$sigma
  list(pro = pro, mean = mean, sigma = sigma)
}

# Plain EM: the start is the M-step from z0; then `iters` times an E-step
# followed by an M-step. trace[t + 1] is the log-likelihood after t M-steps
# beyond the start, and z the responsibilities at the returned parameters.
ref_em <- function(x, z0, model = "VVV", iters = 5L, weights = NULL, reg = 0) {
  theta <- ref_mstep(x, z0, model, weights, reg)
  trace <- numeric(iters + 1L)
  for (t in 0:iters) {
    e <- ref_estep(x, theta$pro, theta$mean, theta$sigma, weights)
    trace[t + 1L] <- e$loglik
    if (t == iters) break
    theta <- ref_mstep(x, e$z, model, weights, reg)
  }
  c(theta, list(loglik = e$loglik, trace = trace, z = e$z))
}

# Responsibilities that are 1 for the labelled component and 0 elsewhere.
ref_one_hot <- function(labels, k = max(labels)) {
  z <- matrix(0, length(labels), k)
  z[cbind(seq_along(labels), labels)] <- 1
  z
}

# Well separated clusters: n rows in d dimensions from k components whose
# centres lie 8 units apart along the first axis, each with its own random
# covariance (standard deviations between about 0.5 and 1.5). Labels cycle
# through 1..k. The random number stream of the caller is left as it was.
sim_mixture <- function(n, d, k, seed = 1) {
  had_seed <- exists(".Random.seed", envir = globalenv(), inherits = FALSE)
  if (had_seed) old_seed <- get(".Random.seed", envir = globalenv())
  on.exit(
    if (had_seed) {
      assign(".Random.seed", old_seed, envir = globalenv())
    } else {
      rm(".Random.seed", envir = globalenv())
    }
  )
  set.seed(seed)
  labels <- rep_len(seq_len(k), n)
  centres <- matrix(rnorm(k * d), k, d)
  centres[, 1] <- centres[, 1] + 8 * (seq_len(k) - 1)
  x <- matrix(NA_real_, n, d)
  for (c in seq_len(k)) {
    rows <- which(labels == c)
    A <- diag(runif(d, 0.5, 1.5), d) + matrix(runif(d * d, -0.3, 0.3), d, d)
    x[rows, ] <- matrix(rnorm(length(rows) * d), ncol = d) %*% A +
      matrix(centres[c, ], length(rows), d, byrow = TRUE)
  }
  colnames(x) <- paste0("v", seq_len(d))
  list(x = x, labels = labels, centres = centres)
}

# Parameters obeying a covariance model, for checking the E-step: means at
# rows of x, positive definite covariances of the right form (diagonal for
# the diagonal models, one matrix for the shared models).
ref_random_params <- function(x, k, model) {
  x <- as.matrix(x)
  d <- ncol(x)
  spread <- ref_var_scale(x)
  one_cov <- function() {
    B <- matrix(rnorm(d * d), d, d) %*% diag(sqrt(spread) / 2, d)
    full <- crossprod(B) + diag(spread / 4, d)
    # by the model's letters: a spherical shape, axes as orientation, or a
    # full covariance (the E-step reads no further structure)
    if (substr(model, 2, 2) == "I") {
      diag(runif(1, 0.2, 1) * mean(spread), d)
    } else if (substr(model, 3, 3) == "I") {
      diag(runif(d, 0.2, 1) * spread, d)
    } else {
      full
    }
  }
  sigma <- array(0, c(d, d, k))
  shared <- one_cov()
  for (c in seq_len(k)) {
    # the models with one covariance for all components
    sigma[, , c] <- if (model %in% c("EII", "EEI", "EEE")) shared else one_cov()
  }
  pro <- runif(k, 0.5, 1.5)
  list(pro = pro / sum(pro),
       mean = x[sample.int(nrow(x), k), , drop = FALSE],
       sigma = sigma)
}

# Soft responsibilities: random positive rows summing to 1.
ref_random_z <- function(n, k) {
  z <- matrix(rexp(n * k), n, k)
  z / rowSums(z)
}

# A reference's components in the order emix reports them: decreasing
# proportion, ties by the first variable's mean; z and labels follow.
ref_fit_order <- function(ref) {
  # a noise proportion and column, if any, come after the k components
  k <- nrow(ref$mean)
  perm <- order(-ref$pro[seq_len(k)], ref$mean[, 1])
  all <- c(perm, seq_along(ref$pro)[-seq_len(k)])
  ref$pro <- ref$pro[all]
  ref$mean <- ref$mean[perm, , drop = FALSE]
  ref$sigma <- ref$sigma[, , perm, drop = FALSE]
  if (!is.null(ref$z)) ref$z <- ref$z[, all, drop = FALSE]
  if (!is.null(ref$labels)) ref$labels <- match(ref$labels, perm)
  ref
}

# Parameters as a list of plain numbers for one comparison, in emix's order
# of the components: pro, the mean matrix and one unnamed matrix per
# component covariance.
ref_params <- function(fit) {
  fit <- ref_fit_order(fit[c("pro", "mean", "sigma")])
  sigma <- fit$sigma
  k <- dim(sigma)[3]
  list(pro = as.numeric(fit$pro),
       mean = unname(as.matrix(fit$mean)),
       sigma = lapply(seq_len(k), function(c) unname(matrix(sigma[, , c], dim(sigma)[1]))))
}

# The free energy F(q, theta) = E_q[log p(x, z | theta)] + H(q) of an n x k
# matrix q of label probabilities, computed directly.
ref_free_energy <- function(x, q, pro, mean, sigma, weights = NULL) {
  w <- ref_weights(x, weights)
  log_joint <- sweep(ref_logdens(x, mean, sigma), 2L, log(pro), "+")
  q_log_q <- ifelse(q > 0, q * log(q), 0)
  sum(w * rowSums(q * log_joint)) - sum(w * q_log_q)
}

# The covariance of one component under each model, given the data's
# covariance S (divisor W): the whole matrix, its diagonal, or the mean
# variance times the identity.
ref_one_component_sigma <- function(S) {
  S <- unname(S)
  d <- ncol(S)
  # with one component, equal and varying are the same: what is left is a
  # spherical, a diagonal or a full covariance
  spherical <- diag(mean(diag(S)), d)
  diagonal <- diag(diag(S), d)
  out <- list(EII = spherical, VII = spherical, EEI = diagonal, VEI = diagonal,
              EVI = diagonal, VVI = diagonal)
  for (model in c("EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV")) {
    out[[model]] <- S
  }
  out
}

# Two small data sets with well separated groups, and their k: where EM
# converges in a few dozen iterations.
separated_cases <- function() {
  list(faithful = list(x = as.matrix(faithful), k = 2L),
       iris = list(x = as.matrix(iris[1:4]), k = 3L))
}
