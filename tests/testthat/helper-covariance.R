# A plain R reference for the covariance part of the Gaussian M-step under
# all fourteen eigen-decomposition models Sigma_c = lambda_c D_c A_c D_c'
# (volume lambda, shape A diagonal with det 1, orientation D orthogonal),
# written from Celeux & Govaert (1995), Pattern Recognition 28:781-793, and
# independent of the package's code and of mclust's. The M-step minimises
#   sum_c [ n_c log det Sigma_c + tr(Sigma_c^{-1} W_c) ]
# over the model's constraint, where W_c is the weighted scatter of component
# c about its weighted mean and n_c its weight.
#
# Every model is a choice of volume (E, V), shape (I, E, V) and orientation
# (I, E, V). Two facts organise the code:
# - given the shapes S_c = D_c A_c D_c' (det 1), the volumes have a closed
#   form (ref_volumes);
# - given the volumes, a shared shape minimises sum_c tr(S^{-1} W_c / lambda_c),
#   which is the equal-volume closed form applied to the rescaled scatters
#   (ref_shared_shapes), and a component's own shape minimises
#   tr(S_c^{-1} W_c) whatever its volume (ref_own_shape).
# So EII VII EEI EVI VVI EEE EEV EVV VVV are closed forms; VEI VEE VEV
# alternate volumes and the shared shape; EVE VVE alternate shapes and
# volumes given a common orientation D with a Jacobi sweep of plane rotations
# of D (ref_rotate_common_axes).

ref_cov_models <- c(
  "EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE",
  "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV"
)

# Weighted scatter matrices about the weighted means (d x d x k) and the
# component weights n_c = sum_i w_i z_ic, from data x (n x d) and
# responsibilities z (n x k).
ref_scatter <- function(x, z, weights = NULL) {
  x <- as.matrix(x)
  z <- as.matrix(z)
  w <- if (is.null(weights)) rep(1, nrow(x)) else as.numeric(weights)
  wz <- w * z
  d <- ncol(x)
  k <- ncol(z)
  n <- colSums(wz)
  W <- array(0, c(d, d, k))
  for (c in seq_len(k)) {
    centre <- colSums(wz[, c] * x) / n[c]
    centred <- t(t(x) - centre)
    W[, , c] <- crossprod(centred, wz[, c] * centred)
  }
  list(W = W, n = n)
}

# sum_c [n_c log det Sigma_c + tr(Sigma_c^{-1} W_c)], through Cholesky
# factors: -2 x the M-step's expected log-likelihood, up to a constant.
ref_cov_objective <- function(sigma, W, n) {
  total <- 0
  for (c in seq_along(n)) {
    R <- chol(sigma[, , c])
    total <- total + n[c] * 2 * sum(log(diag(R))) +
      sum(chol2inv(R) * W[, , c])
  }
  total
}

# Free covariance parameters, counted as mclust counts them: one volume or k,
# d - 1 shape parameters once or k times, d(d-1)/2 orientation angles once or
# k times.
ref_cov_df <- function(model, k, d) {
  count <- function(letter, per_block) {
    switch(letter, I = 0, E = per_block, V = k * per_block)
  }
  letters3 <- strsplit(model, "")[[1]]
  count(letters3[1], 1) + count(letters3[2], d - 1) +
    count(letters3[3], d * (d - 1) / 2)
}

# ---- building blocks -------------------------------------------------------

# M / det(M)^(1/d): the det-1 matrix with the direction of M.
ref_unit_det <- function(M) {
  M / exp(as.numeric(determinant(M)$modulus) / nrow(M))
}

ref_unit_prod <- function(v) v / exp(mean(log(v)))

# Given shapes S_c (det 1), the volumes minimising the objective:
# lambda_c = tr(S_c^{-1} W_c) / (n_c d), or with one volume pooled over c.
ref_volumes <- function(volume, W, n, shapes) {
  d <- dim(W)[1]
  fit <- vapply(seq_along(n), function(c) {
    sum(diag(solve(shapes[, , c], W[, , c])))
  }, numeric(1))
  if (volume == "E") rep(sum(fit) / (sum(n) * d), length(n)) else fit / (n * d)
}

# Sorted eigen-decomposition of a symmetric matrix.
ref_eigen <- function(M) eigen(M, symmetric = TRUE)

# The det-1 shape shared by all components (shape letter E) that minimises
# sum_c tr(S_c^{-1} W_c) under the orientation letter: diagonal (I), one full
# matrix (E: the pooled scatter), or D_c A D_c' with D_c the eigenvectors of
# W_c and A the normalised sum of their sorted eigenvalues (V; pairing the
# largest eigenvalues of every W_c with the largest of A is optimal by the
# rearrangement inequality).
ref_shared_shapes <- function(orientation, W) {
  d <- dim(W)[1]
  k <- dim(W)[3]
  pooled <- apply(W, c(1, 2), sum)
  shapes <- array(0, c(d, d, k))
  if (orientation == "I") {
    shapes[] <- diag(ref_unit_prod(diag(pooled)), d)
  } else if (orientation == "E") {
    shapes[] <- ref_unit_det(pooled)
  } else {
    eig <- lapply(seq_len(k), function(c) ref_eigen(W[, , c]))
    A <- ref_unit_prod(Reduce(`+`, lapply(eig, `[[`, "values")))
    for (c in seq_len(k)) {
      shapes[, , c] <- eig[[c]]$vectors %*% (A * t(eig[[c]]$vectors))
    }
  }
  shapes
}

# The det-1 shape of one component (shape letter V) that minimises
# tr(S^{-1} W_c): normalised diag(W_c) (I), normalised W_c (V), or with the
# orientation D given, D diag(normalised diag(D'W_cD)) D' (E).
ref_own_shape <- function(orientation, Wc, D = NULL) {
  switch(orientation,
    I = diag(ref_unit_prod(diag(Wc)), nrow(Wc)),
    V = ref_unit_det(Wc),
    E = D %*% (ref_unit_prod(diag(crossprod(D, Wc %*% D))) * t(D))
  )
}

ref_own_shapes <- function(orientation, W, D = NULL) {
  shapes <- W
  for (c in seq_len(dim(W)[3])) {
    shapes[, , c] <- ref_own_shape(orientation, W[, , c], D)
  }
  shapes
}

ref_scale_shapes <- function(shapes, lambda) {
  for (c in seq_along(lambda)) shapes[, , c] <- lambda[c] * shapes[, , c]
  shapes
}

# Whether sigma moved by at most tol, relative to its largest entry, since
# the last iteration: a change of the parameters, not of the objective,
# which near the optimum changes by the square of their distance to it.
ref_settled <- function(old, new, tol) max(abs(old - new)) <= tol * max(abs(new))

# ---- closed forms ----------------------------------------------------------

# Every model whose shapes do not depend on the volumes: identity shape
# (EII VII), a shape shared under a common volume (EEI EEE EEV), or each
# component's own shape (EVI VVI EVV VVV).
ref_cov_closed <- function(model, W, n) {
  letters3 <- strsplit(model, "")[[1]]
  d <- dim(W)[1]
  shapes <- switch(letters3[2],
    I = array(diag(d), dim(W)),
    E = ref_shared_shapes(letters3[3], W),
    V = ref_own_shapes(letters3[3], W)
  )
  lambda <- ref_volumes(letters3[1], W, n, shapes)
  list(sigma = ref_scale_shapes(shapes, lambda), iterations = 0L)
}

# ---- varying volume, shared shape: VEI VEE VEV -----------------------------

# Block coordinate descent from unit volumes: the shared shape of the scatters
# divided by the current volumes, then the volumes given that shape. Each
# half-step minimises exactly, so the objective never increases.
ref_cov_varying_volume <- function(model, W, n, tol, max_iter) {
  orientation <- substr(model, 3, 3)
  lambda <- rep(1, length(n))
  previous <- Inf
  for (iter in seq_len(max_iter)) {
    shapes <- ref_shared_shapes(orientation, ref_scale_shapes(W, 1 / lambda))
    lambda <- ref_volumes("V", W, n, shapes)
    sigma <- ref_scale_shapes(shapes, lambda)
    if (ref_settled(previous, sigma, tol)) break
    previous <- sigma
  }
  list(sigma = sigma, iterations = iter)
}

# ---- common orientation, varying shape: EVE VVE ----------------------------

# One Jacobi sweep (after Flury's FG algorithm for common principal
# components): for every pair of axes (p, q), rotate columns p and q of D by
# the angle that minimises sum_c tr(W_c D diag(1 / e_c) D') with the
# eigenvalues e_c (d x k) held fixed. Writing M_c = D'W_cD, the part of the
# sum that the rotation changes is
#   alpha cos(2 theta) + beta sin(2 theta) + constant,
#   alpha = sum_c (1/e_pc - 1/e_qc) (M_c[p,p] - M_c[q,q]) / 2,
#   beta  = sum_c (1/e_pc - 1/e_qc) M_c[p,q],
# whose minimum is at 2 theta = atan2(-beta, -alpha), with value
# -sqrt(alpha^2 + beta^2) <= alpha (the value at theta = 0).
ref_rotate_common_axes <- function(D, W, e) {
  d <- nrow(D)
  if (d < 2) return(D)
  for (p in seq_len(d - 1)) {
    for (q in (p + 1):d) {
      alpha <- 0
      beta <- 0
      for (c in seq_len(dim(W)[3])) {
        pair <- D[, c(p, q)]
        M <- crossprod(pair, W[, , c] %*% pair)
        gap <- 1 / e[p, c] - 1 / e[q, c]
        alpha <- alpha + gap * (M[1, 1] - M[2, 2]) / 2
        beta <- beta + gap * M[1, 2]
      }
      theta <- atan2(-beta, -alpha) / 2
      rotation <- matrix(c(cos(theta), sin(theta), -sin(theta), cos(theta)), 2)
      D[, c(p, q)] <- D[, c(p, q)] %*% rotation
    }
  }
  D
}

# Given the common orientation D, each component's own shape and the volumes
# (one for EVE, one per component for VVE) in closed form.
ref_cov_given_orientation <- function(volume, W, n, D) {
  shapes <- ref_own_shapes("E", W, D)
  ref_scale_shapes(shapes, ref_volumes(volume, W, n, shapes))
}

# Block coordinate descent from the eigenvectors of the pooled scatter:
# shapes and volumes given D, then one Jacobi sweep of D given them.
ref_cov_common_orientation <- function(model, W, n, tol, max_iter) {
  volume <- substr(model, 1, 1)
  D <- ref_eigen(apply(W, c(1, 2), sum))$vectors
  previous <- Inf
  for (iter in seq_len(max_iter)) {
    sigma <- ref_cov_given_orientation(volume, W, n, D)
    if (ref_settled(previous, sigma, tol)) break
    previous <- sigma
    eigenvalues <- vapply(seq_along(n), function(c) {
      diag(crossprod(D, sigma[, , c] %*% D))
    }, numeric(nrow(D)))
    D <- ref_rotate_common_axes(D, W, matrix(eigenvalues, nrow(D)))
  }
  list(sigma = sigma, iterations = iter)
}

# ---- the M-step ------------------------------------------------------------

# The covariance M-step of a model: list(sigma = d x d x k array,
# iterations = inner iterations (0 for a closed form), objective). The
# iterative models stop when sigma moves by at most tol (relative) in an
# iteration.
ref_cov_mstep <- function(model, W, n, tol = 1e-14, max_iter = 10000) {
  model <- match.arg(model, ref_cov_models)
  d <- dim(W)[1]
  W <- array(W, c(d, d, length(n)))
  fit <- if (d == 1L) {
    # one variable: a variance shared by the components (volume E) or one
    # per component (V), mclust's E and V
    variance <- if (substr(model, 1, 1) == "E") rep(sum(W) / sum(n), length(n)) else W[1, 1, ] / n
    list(sigma = array(variance, c(1, 1, length(n))), iterations = 0L)
  } else {
    switch(model,
      VEI = , VEE = , VEV = ref_cov_varying_volume(model, W, n, tol, max_iter),
      EVE = , VVE = ref_cov_common_orientation(model, W, n, tol, max_iter),
      ref_cov_closed(model, W, n)
    )
  }
  fit$objective <- ref_cov_objective(fit$sigma, W, n)
  fit
}
