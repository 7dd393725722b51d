# A plain R reference for a Gaussian mixture with a uniform noise component
# of density 1 / V (Banfield and Raftery 1993), written from the formulas
# on top of the Gaussian reference in helper-reference.R.

# E-step: pro has k + 1 entries, the noise last; log_volume is log V.
# Responsibilities (n x (k + 1)), row log-likelihoods and their weighted sum.
ref_noise_estep <- function(x, pro, mean, sigma, log_volume, weights = NULL) {
  x <- as.matrix(x)
  k <- length(pro) - 1L
  w <- ref_weights(x, weights)
  logjoint <- cbind(
    sweep(ref_logdens(x, mean, sigma), 2, log(pro[seq_len(k)]), "+"),
    log(pro[k + 1L]) - log_volume
  )
  top <- apply(logjoint, 1, max)
  row_loglik <- top + log(rowSums(exp(logjoint - top)))
  list(z = exp(logjoint - row_loglik), row_loglik = row_loglik,
       loglik = sum(w * row_loglik))
}

# M-step from z (n x (k + 1), the noise last): the Gaussian parameters from
# the first k columns, as without noise; every proportion is its column's
# share of the total weight.
ref_noise_mstep <- function(x, z, model = "VVV", weights = NULL, reg = 0) {
  k <- ncol(z) - 1L
  w <- ref_weights(x, weights)
  theta <- ref_mstep(x, z[, seq_len(k), drop = FALSE], model, weights, reg)
  theta$pro <- colSums(w * z) / sum(w)
  theta
}

# faithful with m rows spread uniformly over its bounding box, at the points
# of a Kronecker sequence (fractional parts of j * alpha for irrational
# alpha), so that no random numbers are drawn; V is the volume of the box.
noisy_faithful <- function(m = 20) {
  x <- as.matrix(faithful)
  lower <- apply(x, 2, min)
  upper <- apply(x, 2, max)
  j <- seq_len(m)
  unit <- cbind((j * (sqrt(5) - 1) / 2) %% 1, (j * sqrt(2)) %% 1)
  u <- sweep(sweep(unit, 2, upper - lower, "*"), 2, lower, "+")
  colnames(u) <- colnames(x)
  rownames(u) <- paste0("noise", j)
  rownames(x) <- seq_len(nrow(x))
  list(x = rbind(x, u), volume = prod(upper - lower), lower = lower, upper = upper,
       m = m, labels = c(ifelse(x[, "eruptions"] > 3, 1L, 2L), rep(3L, m)))
}
