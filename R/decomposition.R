# The covariances of a Gaussian fit in the form its model has:
# Sigma_c = lambda_c D_c A_c D_c' (Banfield and Raftery, 1993; Celeux and
# Govaert, 1995), with volume lambda_c = det(Sigma_c)^(1/d), shape A_c
# (diagonal, det 1) and orientation D_c (orthogonal). The three letters of a
# model name say, in that order, whether each part is E(qual across
# components), V(arying) or I (the identity: no shape or no orientation).
# Everything here is read from those parts, so a new model needs no code.

# The letters of `model` as c(volume, shape, orientation), from the C
# table (a model for one variable, "E" or "V", is EII or VII there), or an
# error that lists the models.
model_letters <- function(model) {
  row <- model_row(resolve_model(model))
  c(volume = row$volume, shape = row$shape, orientation = row$orientation)
}

# Each column of the orthogonal matrix D with the sign that makes its entry
# of largest magnitude positive (the first such entry on a tie), so that
# the orientation does not depend on the sign eigen() happened to return.
fix_signs <- function(D) {
  for (j in seq_len(ncol(D))) {
    if (D[which.max(abs(D[, j])), j] < 0) {
      D[, j] <- -D[, j]
    }
  }
  D
}

# Jacobi rotations of the columns of D that make D' M D as nearly diagonal
# as they can for every matrix M in `mats` together (Cardoso and
# Souloumiac 1996): each pair of columns (p, q) is turned by the angle that
# minimises the sum of squares of the (p, q) entries, with
# a'_pq = cos(2t) a_pq - sin(2t) (a_pp - a_qq) / 2: (cos 2t, -sin 2t) is the
# least eigenvector of sum h h', h = (a_pq, (a_pp - a_qq) / 2).
jointly_diagonal <- function(mats, D, tol = 1e-13, sweeps = 100L) {
  d <- ncol(D)
  if (d < 2L) {
    return(D)
  }
  for (sweep in seq_len(sweeps)) {
    largest <- 0
    for (p in seq_len(d - 1L)) {
      for (q in (p + 1L):d) {
        h <- vapply(mats, function(M) {
          a <- crossprod(D[, c(p, q)], M %*% D[, c(p, q)])
          c(a[1L, 2L], (a[1L, 1L] - a[2L, 2L]) / 2)
        }, numeric(2L))
        w <- eigen(tcrossprod(h), symmetric = TRUE)$vectors[, 2L]
        if (w[1L] < 0) w <- -w # the smaller turn of the two
        angle <- atan2(-w[2L], w[1L]) / 2
        largest <- max(largest, abs(angle))
        turn <- matrix(c(cos(angle), sin(angle), -sin(angle), cos(angle)), 2L)
        D[, c(p, q)] <- D[, c(p, q)] %*% turn
      }
    }
    if (largest < tol) {
      break
    }
  }
  D
}

# The eigenvectors of a symmetric matrix, in decreasing order of their
# eigenvalues (eigen()'s order), signs fixed.
principal_axes <- function(S) {
  fix_signs(eigen(S, symmetric = TRUE)$vectors)
}

# The decomposition Sigma_c = lambda_c D_c A_c D_c' of the d x d x k array
# `sigma` of a fit of `model`. Returns list(scale, shape, orientation):
#   scale        lambda: one value when the volume is E, k values when V;
#   shape        A (its diagonal): NULL for I, a d vector when E, d x k when V;
#   orientation  D: NULL for I, a d x d matrix when E, d x d x k when V.
# Conventions:
# - lambda_c = det(Sigma_c)^(1/d), from log det, so it neither under- nor
#   overflows for many variables;
# - a varying orientation: D_c are Sigma_c's eigenvectors in decreasing order
#   of eigenvalue, A_c its eigenvalues / lambda_c (decreasing);
# - a shared orientation: D is the eigenvectors (decreasing) of
#   sum_c c Sigma_c / tr(Sigma_c), which diagonalises every Sigma_c and does
#   not depend on a tie within one component, and A_c = diag(D' Sigma_c D) /
#   lambda_c, so that every component's shape is on the same axes;
# - no orientation (diagonal models): A_c = diag(Sigma_c) / lambda_c, in the
#   order of the variables;
# - each eigenvector's sign makes its largest-magnitude entry positive;
# - a shared volume or shape is read from the first component (in a fit of
#   the model they are the same in every component).
# Shapes and orientations are named by the variables (diagonal models) or
# by the axes "axis1", ..., the columns of D; components by sigma's names.
covariance_decomposition <- function(sigma, model) {
  letters <- model_letters(model)
  if (!is.numeric(sigma) || length(dim(sigma)) != 3L || dim(sigma)[1L] != dim(sigma)[2L] ||
      any(!is.finite(sigma))) {
    stop_arg("sigma", "must be a d x d x k array of finite covariances.")
  }
  d <- dim(sigma)[1L]
  k <- dim(sigma)[3L]
  if (nchar(model) == 1L && d != 1L) {
    stop_arg("model", sprintf("\"%s\" is a model for one variable; sigma has %d.", model, d))
  }
  vars <- dimnames(sigma)[[1L]]
  components <- dimnames(sigma)[[3L]]
  if (is.null(components)) {
    components <- as.character(seq_len(k))
  }
  covariance <- function(c) matrix(sigma[, , c], d, d)

  log_det <- vapply(seq_len(k), function(c) {
    det <- determinant(covariance(c), logarithm = TRUE)
    if (det$sign < 0 || !is.finite(det$modulus)) NA_real_ else as.numeric(det$modulus)
  }, numeric(1L))
  if (anyNA(log_det)) {
    stop_arg("sigma", sprintf("must hold positive definite covariances; component %s does not.",
                              components[which(is.na(log_det))[1L]]))
  }
  lambda <- stats::setNames(exp(log_det / d), components)

  # The axes every Sigma_c shares: a start from the eigenvectors of a
  # combination of them (weights 1, 2, ..., k on the covariances scaled to
  # unit trace), made exact by joint diagonalisation, which also settles the
  # axes where the combination ties although the components do not.
  shared_axes <- function() {
    scaled <- lapply(seq_len(k), function(c) covariance(c) / sum(diag(covariance(c))))
    combined <- Reduce(`+`, Map(`*`, seq_len(k), scaled))
    D <- jointly_diagonal(scaled, principal_axes(combined))
    D <- D[, order(-diag(crossprod(D, combined %*% D))), drop = FALSE]
    fix_signs(D)
  }
  axes <- switch(EXPR = letters[["orientation"]],
    I = rep(list(diag(d)), k),
    E = rep(list(shared_axes()), k),
    V = lapply(seq_len(k), function(c) principal_axes(covariance(c)))
  )
  shape <- vapply(seq_len(k), function(c) {
    diag(crossprod(axes[[c]], covariance(c) %*% axes[[c]])) / lambda[[c]]
  }, numeric(d))
  shape <- matrix(shape, d, k)
  axis_names <- if (letters[["orientation"]] == "I") vars else paste0("axis", seq_len(d))
  dimnames(shape) <- list(axis_names, components)

  list(
    scale = if (letters[["volume"]] == "E") lambda[[1L]] else lambda,
    shape = switch(EXPR = letters[["shape"]],
      I = NULL,
      E = shape[, 1L],
      V = shape
    ),
    orientation = switch(EXPR = letters[["orientation"]],
      I = NULL,
      E = matrix(axes[[1L]], d, d, dimnames = list(vars, axis_names)),
      V = array(unlist(axes), c(d, d, k), dimnames = list(vars, axis_names, components))
    )
  )
}

# What summary() prints of a decomposition: each part that is not the
# identity, said to be shared by the components or given for each. Shapes
# are printed one row per component, as the variances are.
print_decomposition <- function(decomposition, digits) {
  cat("\nCovariances as lambda * D A D' (volume, shape, orientation):\n")
  scale <- decomposition$scale
  if (length(scale) == 1L) {
    cat("Volume (lambda), shared: ", format(scale, digits = digits), "\n", sep = "")
  } else {
    cat("Volume (lambda), one per component:\n")
    print(scale, digits = digits)
  }
  shape <- decomposition$shape
  if (is.matrix(shape)) {
    cat("Shape (A), one row per component:\n")
    print(t(shape), digits = digits)
  } else if (!is.null(shape)) {
    cat("Shape (A), shared:\n")
    print(shape, digits = digits)
  }
  orientation <- decomposition$orientation
  if (length(dim(orientation)) == 3L) {
    cat("Orientation (D, one column per axis), one per component:\n")
    components <- dimnames(orientation)[[3L]]
    for (c in seq_along(components)) {
      cat("Component ", components[c], "\n", sep = "")
      print(matrix(orientation[, , c], nrow(orientation), dimnames = dimnames(orientation)[1:2]),
            digits = digits)
    }
  } else if (!is.null(orientation)) {
    cat("Orientation (D, one column per axis), shared:\n")
    print(orientation, digits = digits)
  }
  invisible(decomposition)
}
