# A plain-R multinomial mixture written from the formulas (Nigam et al.
# 2000; the Dirichlet algebra of Blei, Ng & Jordan 2003), independent of
# the C code: the reference the tests compare emix against.

# x: n x V counts (dense), pro: k, prob: k x V, w: n weights.

# x log p with 0 log 0 = 0: a word a component never uses costs only the
# documents that contain it
ref_multi_xlogp <- function(x, prob) {
  out <- matrix(0, nrow(x), nrow(prob))
  for (c in seq_len(nrow(prob))) {
    terms <- sweep(x, 2L, log(prob[c, ]), "*")
    terms[x == 0] <- 0
    out[, c] <- rowSums(terms)
  }
  out
}

# the multinomial coefficient log(L_i! / prod_v x_iv!)
ref_multi_coef <- function(x) {
  lgamma(rowSums(x) + 1) - rowSums(lgamma(x + 1))
}

ref_lse <- function(a) {
  m <- apply(a, 1L, max)
  m + log(rowSums(exp(a - m)))
}

# responsibilities and the weighted log-likelihood (with the coefficient)
ref_multi_estep <- function(x, pro, prob, w = rep(1, nrow(x))) {
  lj <- sweep(ref_multi_xlogp(x, prob), 2L, log(pro), "+")
  ll <- ref_lse(lj)
  list(z = exp(lj - ll), loglik = sum(w * (ll + ref_multi_coef(x))), rowll = ll + ref_multi_coef(x))
}

ref_multi_mstep <- function(x, z, w = rep(1, nrow(x)), smooth = 0) {
  wz <- w * z
  N <- colSums(wz)
  n <- crossprod(wz, x) # k x V: sum_i w_i z_ic x_iv
  prob <- (n + smooth) / (rowSums(n) + ncol(x) * smooth)
  list(pro = N / sum(N), prob = unname(prob), N = N, n = unname(n))
}

ref_multi_em <- function(x, z, w = rep(1, nrow(x)), smooth = 0, iter = 50L) {
  trace <- numeric(iter)
  for (t in seq_len(iter)) {
    par <- ref_multi_mstep(x, z, w, smooth)
    e <- ref_multi_estep(x, par$pro, par$prob, w)
    z <- e$z
    trace[t] <- e$loglik
  }
  c(par, list(z = z, loglik = trace[iter], trace = trace))
}

# log of the Dirichlet normaliser Gamma(sum a) / prod Gamma(a)
ref_log_dirichlet_norm <- function(a) lgamma(sum(a)) - sum(lgamma(a))

# E_q log of each Dirichlet coordinate, rows of a matrix a
ref_elog_dirichlet <- function(a) {
  a <- rbind(a)
  digamma(a) - digamma(rowSums(a))
}

# The variational posterior after an update from q(z) = z:
# alpha_c = alpha0 + N_c, beta_cv = beta0 + n_cv.
ref_multi_vb_posterior <- function(x, z, w, alpha0, beta0) {
  wz <- w * z
  list(alpha = alpha0 + colSums(wz), beta = beta0 + unname(crossprod(wz, x)))
}

# The evidence lower bound term by term from the distributions:
# E[log p(x | z, theta)] + E[log p(z | pi)] + E[log p(pi)] + E[log p(theta)]
# - E[log q(z)] - E[log q(pi)] - E[log q(theta)], for q(z) = z (rows) and
# Dirichlet q(pi), q(theta_c) with parameters alpha, beta.
ref_multi_elbo <- function(x, w, z, alpha0, beta0, alpha, beta) {
  k <- length(alpha)
  V <- ncol(x)
  elog_pi <- drop(ref_elog_dirichlet(alpha))
  elog_theta <- ref_elog_dirichlet(beta) # k x V
  wz <- w * z
  e_lik <- sum(w * ref_multi_coef(x)) + sum(wz * (x %*% t(elog_theta)))
  e_z <- sum(wz %*% elog_pi)
  e_pi <- ref_log_dirichlet_norm(rep(alpha0, k)) + (alpha0 - 1) * sum(elog_pi)
  e_theta <- k * ref_log_dirichlet_norm(rep(beta0, V)) + (beta0 - 1) * sum(elog_theta)
  zlogz <- ifelse(z > 0, z * log(z), 0)
  q_z <- sum(w * zlogz)
  q_pi <- ref_log_dirichlet_norm(alpha) + sum((alpha - 1) * elog_pi)
  q_theta <- sum(vapply(seq_len(k), function(c) {
    ref_log_dirichlet_norm(beta[c, ]) + sum((beta[c, ] - 1) * elog_theta[c, ])
  }, numeric(1)))
  e_lik + e_z + e_pi + e_theta - q_z - q_pi - q_theta
}

# log p(x, z) with pi and theta integrated out (Dirichlet-multinomial
# marginals), for labels z in 1..k, less the multinomial coefficients'
# part that does not depend on z
ref_multi_log_marginal <- function(x, z, k, alpha0, beta0) {
  V <- ncol(x)
  Nc <- tabulate(z, k)
  out <- lgamma(k * alpha0) - lgamma(sum(Nc) + k * alpha0) + sum(lgamma(Nc + alpha0) - lgamma(alpha0))
  for (c in seq_len(k)) {
    ncv <- colSums(x[z == c, , drop = FALSE])
    out <- out + lgamma(V * beta0) - lgamma(sum(ncv) + V * beta0) +
      sum(lgamma(ncv + beta0) - lgamma(beta0))
  }
  out
}

# The exact posterior P(z_i = z_j | x) over all k^n labellings.
ref_multi_coclustering <- function(x, k, alpha0, beta0) {
  n <- nrow(x)
  labellings <- as.matrix(expand.grid(rep(list(seq_len(k)), n)))
  logp <- apply(labellings, 1L, function(z) ref_multi_log_marginal(x, z, k, alpha0, beta0))
  p <- exp(logp - max(logp))
  p <- p / sum(p)
  out <- diag(n)
  for (i in seq_len(n)) {
    for (j in seq_len(n)) {
      out[i, j] <- sum(p[labellings[, i] == labellings[, j]])
    }
  }
  out
}

# Documents from k well separated topics: each topic puts most of its mass
# on its own block of words. Returns counts (n x V, named columns) and the
# true labels.
sim_topics <- function(n = 200L, V = 30L, k = 3L, length = 40L, own = 0.9, seed = 1L) {
  set.seed(seed)
  block <- split(seq_len(V), rep(seq_len(k), length.out = V))
  prob <- t(vapply(seq_len(k), function(c) {
    p <- rep((1 - own) / (V - length(block[[c]])), V)
    p[block[[c]]] <- own / length(block[[c]])
    p
  }, numeric(V)))
  labels <- sample(rep(seq_len(k), length.out = n))
  x <- t(vapply(labels, function(c) rmultinom(1L, length, prob[c, ])[, 1], numeric(V)))
  colnames(x) <- sprintf("w%02d", seq_len(V))
  list(x = x, labels = labels, prob = prob)
}

# a dense count matrix as a Matrix::dgCMatrix
as_sparse_counts <- function(x) {
  Matrix::Matrix(x, sparse = TRUE)
}

# The C core's pieces for the multinomial family, on dense or sparse counts.
multi_core <- function(n, weights = NULL) {
  list(tol = 1e-8, max_iter = 100L, rule_code = 0L,
       total_weight = if (is.null(weights)) n else sum(weights), reg = 0,
       mean_weight = if (is.null(weights)) 1 else mean(weights), threads = 1L,
       inner_tol = 1e-12, inner_max_iter = 1000L, accelerate = 0L)
}
multi_estep <- function(x, pro, prob, weights = NULL, smooth = 0) {
  emix:::core_estep("multinomial", smooth, list(pro = pro, prob = prob),
                    emix:::multinomial_data(x), weights, 1L)
}
multi_mstep <- function(x, z, weights = NULL, smooth = 0) {
  res <- emix:::core_mstep("multinomial", smooth, emix:::multinomial_data(x), weights, z,
                           multi_core(nrow(x), weights))
  c(res$parameters, list(status = res$status))
}
