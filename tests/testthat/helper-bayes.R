# A slow, plain R reference for the Bayesian Gaussian mixture: conjugate
# posterior, variational Bayes (VB), maximization-expectation (ME) and exact
# partition posteriors. Written from the formulas (Bishop, PRML 10.2, and
# the Normal-Gamma analogues), independent of the package's code.
#
# prior: list(alpha, kappa, mean, df, scale) = alpha0, kappa0, m0, nu0, Psi0.
# Models: "VVV" Normal-Wishart, "VVI" Normal-Gamma per coordinate,
# "VII" one Normal-Gamma precision per component.

bayes_w <- function(n, w) if (is.null(w)) rep(1, n) else as.numeric(w)

bayes_one_hot <- function(labels, k) {
  z <- matrix(0, length(labels), k)
  z[cbind(seq_along(labels), labels)] <- 1
  z
}

bayes_logdet <- function(A) 2 * sum(log(diag(chol(A))))

# log B(W, nu) of the Wishart normaliser, written with Psi = W^{-1}.
bayes_lb <- function(Psi, nu) {
  Psi <- as.matrix(Psi)
  d <- nrow(Psi)
  lmvgamma <- d * (d - 1) / 4 * log(pi) + sum(lgamma(nu / 2 + (1 - seq_len(d)) / 2))
  nu / 2 * bayes_logdet(Psi) - nu * d / 2 * log(2) - lmvgamma
}

# log C(a) of the Dirichlet normaliser.
bayes_logC <- function(a) lgamma(sum(a)) - sum(lgamma(a))

ref_bayes_posterior <- function(x, r, prior, w = NULL) {
  x <- as.matrix(x)
  r <- as.matrix(r)
  n <- nrow(x)
  d <- ncol(x)
  k <- ncol(r)
  w <- bayes_w(n, w)
  m0 <- as.numeric(prior$mean)
  Psi0 <- matrix(prior$scale, d, d)
  kappa0 <- prior$kappa
  N <- numeric(k)
  mean <- matrix(m0, k, d, byrow = TRUE)
  scale <- array(Psi0, c(d, d, k))
  for (c in seq_len(k)) {
    wr <- w * r[, c]
    N[c] <- sum(wr)
    if (N[c] > 0) { # an empty component keeps the prior
      xbar <- colSums(wr * x) / N[c]
      cen <- sweep(x, 2, xbar)
      NS <- crossprod(cen, wr * cen)
      dev <- xbar - m0
      scale[, , c] <- Psi0 + NS + kappa0 * N[c] / (kappa0 + N[c]) * tcrossprod(dev)
      mean[c, ] <- (kappa0 * m0 + N[c] * xbar) / (kappa0 + N[c])
    }
  }
  list(N = N, alpha = prior$alpha + N, kappa = kappa0 + N, nu = prior$df + N,
       mean = mean, scale = scale)
}

# Moments of the precision under q(Lambda) = posterior of component c:
# elog = E log lambda (per coordinate for VVI, scalar for VII, unused for VVV),
# elogdet = E log|Lambda|, EL = E[Lambda] as a d x d matrix.
bayes_moments <- function(post, c, model) {
  d <- ncol(post$mean)
  Psi <- matrix(post$scale[, , c], d, d)
  nu <- post$nu[c]
  if (model == "VVV") {
    elogdet <- sum(digamma((nu + 1 - seq_len(d)) / 2)) + d * log(2) - bayes_logdet(Psi)
    list(elog = NA, elogdet = elogdet, EL = nu * solve(Psi))
  } else if (model == "VVI") {
    a <- nu / 2
    b <- diag(Psi) / 2
    elog <- digamma(a) - log(b)
    list(elog = elog, elogdet = sum(elog), EL = diag(a / b, d))
  } else if (model == "VII") {
    a <- nu * d / 2
    b <- sum(diag(Psi)) / 2
    elog <- digamma(a) - log(b)
    list(elog = elog, elogdet = d * elog, EL = diag(a / b, d))
  } else stop("unknown model ", model)
}

ref_vb_estep <- function(x, post, model) {
  x <- as.matrix(x)
  n <- nrow(x)
  d <- ncol(x)
  k <- length(post$alpha)
  elogpi <- digamma(post$alpha) - digamma(sum(post$alpha))
  logrho <- matrix(NA_real_, n, k)
  for (c in seq_len(k)) {
    mo <- bayes_moments(post, c, model)
    cen <- sweep(x, 2, post$mean[c, ])
    quad <- d / post$kappa[c] + rowSums((cen %*% mo$EL) * cen)
    logrho[, c] <- elogpi[c] + mo$elogdet / 2 - d / 2 * log(2 * pi) - quad / 2
  }
  top <- apply(logrho, 1, max)
  z <- exp(logrho - top)
  list(z = z / rowSums(z), logrho = logrho)
}

# E_q[log p(Lambda)] for a prior density with parameters (Psi, nu) of the
# given model, using the moments mo of q. With (Psi, nu) = q's own
# parameters it is E_q[log q(Lambda)] = -entropy.
bayes_e_log_precision <- function(Psi, nu, mo, model) {
  Psi <- as.matrix(Psi)
  d <- nrow(Psi)
  gam <- function(a, b, elog, El) a * log(b) - lgamma(a) + (a - 1) * elog - b * El
  if (model == "VVV") {
    bayes_lb(Psi, nu) + (nu - d - 1) / 2 * mo$elogdet - sum(diag(Psi %*% mo$EL)) / 2
  } else if (model == "VVI") {
    sum(gam(nu / 2, diag(Psi) / 2, mo$elog, diag(mo$EL)))
  } else {
    gam(nu * d / 2, sum(diag(Psi)) / 2, mo$elog, mo$EL[1, 1])
  }
}

# E_q[log N(mu; m, (kappa Lambda)^{-1})] where under q
# mu | Lambda ~ N(mq, (kq Lambda)^{-1}), so E[(mu - m)' Lambda (mu - m)]
# = d / kq + (mq - m)' E[Lambda] (mq - m).
bayes_e_log_mean <- function(m, kappa, mq, kq, mo) {
  d <- length(m)
  dev <- mq - m
  d / 2 * log(kappa / (2 * pi)) + mo$elogdet / 2 -
    kappa / 2 * (d / kq + sum(dev * (mo$EL %*% dev)))
}

ref_vb_elbo_full <- function(x, r, post, prior, model, w = NULL) {
  x <- as.matrix(x)
  r <- as.matrix(r)
  n <- nrow(x)
  d <- ncol(x)
  k <- ncol(r)
  w <- bayes_w(n, w)
  m0 <- as.numeric(prior$mean)
  Psi0 <- matrix(prior$scale, d, d)
  elogpi <- digamma(post$alpha) - digamma(sum(post$alpha))
  e_px <- 0; e_pml <- 0; e_qml <- 0
  for (c in seq_len(k)) {
    mo <- bayes_moments(post, c, model)
    cen <- sweep(x, 2, post$mean[c, ])
    quad <- d / post$kappa[c] + rowSums((cen %*% mo$EL) * cen)
    e_px <- e_px + sum(w * r[, c] * (mo$elogdet / 2 - d / 2 * log(2 * pi) - quad / 2))
    e_pml <- e_pml + bayes_e_log_mean(m0, prior$kappa, post$mean[c, ], post$kappa[c], mo) +
      bayes_e_log_precision(Psi0, prior$df, mo, model)
    e_qml <- e_qml + bayes_e_log_mean(post$mean[c, ], post$kappa[c], post$mean[c, ], post$kappa[c], mo) +
      bayes_e_log_precision(post$scale[, , c], post$nu[c], mo, model)
  }
  e_pz <- sum(w * (r %*% elogpi))
  e_ppi <- bayes_logC(rep(prior$alpha, k)) + (prior$alpha - 1) * sum(elogpi)
  e_qpi <- bayes_logC(post$alpha) + sum((post$alpha - 1) * elogpi)
  e_qz <- sum(w * r * ifelse(r > 0, log(r), 0)) # 0 log 0 = 0
  e_px + e_pz + e_ppi + e_pml - e_qz - e_qpi - e_qml
}

# Normaliser ratio prior/posterior of the precision part, per component.
bayes_g <- function(post, c, prior, model, d) {
  Psi0 <- matrix(prior$scale, d, d)
  Psi <- matrix(post$scale[, , c], d, d)
  nu0 <- prior$df
  nu <- post$nu[c]
  g <- if (model == "VVV") {
    bayes_lb(Psi0, nu0) - bayes_lb(Psi, nu)
  } else if (model == "VVI") {
    sum(sapply(seq_len(d), function(j) bayes_lb(Psi0[j, j], nu0) - bayes_lb(Psi[j, j], nu)))
  } else if (model == "VII") {
    a0 <- nu0 * d / 2; b0 <- sum(diag(Psi0)) / 2
    a <- nu * d / 2; b <- sum(diag(Psi)) / 2
    (a0 * log(b0) - lgamma(a0)) - (a * log(b) - lgamma(a))
  } else stop("unknown model ", model)
  g + d / 2 * log(prior$kappa / post$kappa[c])
}

# Valid only when post was computed from this same r.
ref_vb_elbo_compact <- function(r, post, prior, model, w = NULL, d) {
  r <- as.matrix(r)
  k <- ncol(r)
  w <- bayes_w(nrow(r), w)
  G <- sum(sapply(seq_len(k), function(c) bayes_g(post, c, prior, model, d)))
  ent <- sum(w * r * ifelse(r > 0, log(r), 0))
  bayes_logC(rep(prior$alpha, k)) - bayes_logC(post$alpha) + G -
    sum(w) * d / 2 * log(2 * pi) - ent
}

ref_vb <- function(x, r0, prior, model, iter, w = NULL) {
  x <- as.matrix(x)
  r <- as.matrix(r0)
  elbo <- numeric(iter)
  for (t in seq_len(iter)) {
    post <- ref_bayes_posterior(x, r, prior, w)
    elbo[t] <- ref_vb_elbo_compact(r, post, prior, model, w, ncol(x))
    r <- ref_vb_estep(x, post, model)$z
  }
  list(elbo = elbo, post = post, z = r)
}

# log p(x, z) with mu, Lambda and pi integrated out, for hard labels.
ref_me_objective <- function(x, labels, k, prior, model, w = NULL) {
  x <- as.matrix(x)
  r <- bayes_one_hot(labels, k)
  post <- ref_bayes_posterior(x, r, prior, w)
  ref_vb_elbo_compact(r, post, prior, model, w, ncol(x))
}

# post is the posterior the final labels were assigned from (so it matches
# the labels when the loop stopped because nothing changed).
ref_me <- function(x, labels, k, prior, model, iter, w = NULL) {
  x <- as.matrix(x)
  objective <- numeric(0)
  for (t in seq_len(iter)) {
    r <- bayes_one_hot(labels, k)
    post <- ref_bayes_posterior(x, r, prior, w)
    objective <- c(objective, ref_vb_elbo_compact(r, post, prior, model, w, ncol(x)))
    logrho <- ref_vb_estep(x, post, model)$logrho
    new <- labels
    for (i in seq_along(labels)) {
      best <- which(logrho[i, ] == max(logrho[i, ]))
      new[i] <- if (labels[i] %in% best) labels[i] else min(best)
    }
    if (all(new == labels)) break
    labels <- new
  }
  list(objective = objective, labels = labels, post = post)
}

ref_partition_posterior <- function(x, k, prior, model = "VVV") {
  x <- as.matrix(x)
  n <- nrow(x)
  if (k^n > 1e5) stop("too many labelings: k^n = ", k^n)
  labels <- as.matrix(expand.grid(rep(list(seq_len(k)), n)))
  dimnames(labels) <- NULL
  logp <- apply(labels, 1, function(z) ref_me_objective(x, z, k, prior, model))
  prob <- exp(logp - max(logp))
  prob <- prob / sum(prob)
  cocluster <- matrix(0, n, n)
  for (i in seq_len(n)) for (j in seq_len(n))
    cocluster[i, j] <- sum(prob[labels[, i] == labels[, j]])
  nocc <- apply(labels, 1, function(z) length(unique(z)))
  occupied <- sapply(seq_len(k), function(m) sum(prob[nocc == m]))
  list(prob = prob, labels = labels, cocluster = cocluster, occupied = occupied)
}
