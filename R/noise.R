# The uniform noise component (Banfield and Raftery 1993): its argument
# checks, the region it is uniform on, the initial guess of the noise rows
# and the E-step with noise at given parameters. The EM itself is the C
# family in src/noise.c.

# `noise` as NULL (no noise component) or a list(rows): the logical vector
# of the initial noise rows, or NULL for the automatic guess.
check_noise <- function(noise, noise_volume, n, method) {
  if (identical(noise, FALSE)) {
    if (!is.null(noise_volume)) {
      stop_arg("noise_volume", "is only used with a noise component; set `noise = TRUE` or drop `noise_volume`.")
    }
    return(NULL)
  }
  if (method %in% c("vb", "me", "gibbs")) {
    stop_arg("noise", sprintf(
      "cannot be used with method \"%s\": the noise component is fitted by \"em\", \"cem\", \"sem\" and \"iem\" only.",
      method
    ))
  }
  if (!is.null(noise_volume) && !(is.numeric(noise_volume) && length(noise_volume) == 1L &&
                                   is.finite(noise_volume) && noise_volume > 0)) {
    stop_arg("noise_volume", "must be a single positive finite number, the volume of the region the noise is uniform on, or NULL for the data's.")
  }
  if (identical(noise, TRUE)) {
    return(list(rows = NULL))
  }
  if (!is.logical(noise) || length(noise) != n || anyNA(noise)) {
    stop_arg("noise", sprintf(
      "must be FALSE, TRUE (an automatic initial guess) or a logical vector without NA with one value per row (%d) marking the initial noise rows.",
      n
    ))
  }
  if (!any(noise)) {
    stop_arg("noise", "as a logical vector must mark at least one row: a noise proportion that starts at 0 stays at 0. Use `noise = TRUE` for the automatic guess.")
  }
  if (all(noise)) {
    stop_arg("noise", "as a logical vector must leave some rows to the Gaussian components; it marks every row as noise.")
  }
  list(rows = as.vector(noise))
}

# 1 when `init` is an n x (k + 1) matrix of responsibilities whose last
# column is the noise (allowed with `noise = TRUE`), else 0.
noise_in_init <- function(init, noise, k) {
  given <- is.matrix(init) && ncol(init) == k + 1L
  if (given && !is.null(noise$rows)) {
    stop_arg("noise", "must be TRUE when `init` is a matrix with a noise column: the initial noise is then that column.")
  }
  as.integer(given && !is.null(noise))
}

# The region the noise is uniform on, a box {x : lower <= x R <= upper} for
# an orthogonal d x d rotation R, with log_volume = log V and log_density
# = -log V. By default (as mclust's hypvol()) the smaller of the data's
# bounding box (R = I) and its box along the principal axes (R the
# eigenvectors of the weighted covariance), over the rows of positive
# weight; a given `volume` keeps the bounding box's centre and shape,
# scaled to that volume.
noise_region <- function(x, weights, volume = NULL) {
  w <- if (is.null(weights)) rep(1, nrow(x)) else weights
  xp <- x[w > 0, , drop = FALSE]
  d <- ncol(x)
  box <- function(rotation) {
    scores <- xp %*% rotation
    list(rotation = rotation, lower = apply(scores, 2L, min), upper = apply(scores, 2L, max))
  }
  log_volume <- function(b) sum(log(b$upper - b$lower))
  boxes <- list(box(diag(d)))
  if (d > 1L) {
    # scaled by the largest value, so that an extreme row's square does not
    # overflow; the scale does not move the axes
    scaled <- x / max(abs(x))
    centred <- sweep(scaled, 2L, colSums(w * scaled) / sum(w))
    covariance <- crossprod(sqrt(w) * centred) / sum(w)
    boxes[[2L]] <- box(eigen(covariance, symmetric = TRUE)$vectors)
  }
  sizes <- vapply(boxes, log_volume, numeric(1))
  # a flat principal box (collinear data) has no volume to spread over
  sizes[!is.finite(sizes)] <- Inf
  chosen <- boxes[[which.min(sizes)]]
  if (!is.null(volume)) {
    chosen <- boxes[[1L]]
    mid <- chosen$lower / 2 + chosen$upper / 2
    # in logs: the scale factor alone may overflow where the half-sides do not
    half <- exp((log(volume) - sizes[1L]) / d + log((chosen$upper - chosen$lower) / 2))
    if (!is.finite(sizes[1L])) {
      # a bounding box too wide (or flat) to scale: a cube about its centre
      half <- rep(exp(log(volume) / d) / 2, d)
    }
    chosen$lower <- mid - half
    chosen$upper <- mid + half
    if (!all(is.finite(chosen$lower) & is.finite(chosen$upper))) {
      stop_arg("noise_volume", sprintf(
        "gives a region wider than a double can hold: a volume of %s spread over the shape of these data's box. Give a smaller volume, or rescale the data.",
        format(volume)))
    }
  }
  lv <- if (is.null(volume)) min(sizes) else log(volume)
  if (!is.finite(lv)) {
    stop_arg("noise_volume", "must be given for these data: their box spans more than a double can hold, so its volume cannot be found. Rescale the data, or give the volume.")
  }
  dimnames(chosen$rotation) <- list(colnames(x), NULL)
  list(volume = exp(lv), log_volume = lv, log_density = -lv, box = chosen)
}

# The n x (k + 1) start of a fit with noise, the noise last. The Gaussian
# start (as `init` says) is drawn from the rows not marked as noise. For the
# automatic guess (`noise = TRUE`) the marked rows are those far from the
# bulk of the data (see far_rows()), and every other row keeps a noise
# responsibility of 1 / n, so the noise proportion starts positive even
# when no row is marked.
noise_start <- function(init, x, k, weights, noise, core, seeds) {
  n <- nrow(x)
  if (identical(init$type, "matrix") && ncol(init$z) == k + 1L) {
    return(init$z)
  }
  auto <- is.null(noise$rows)
  # far_rows() measures from the median, so it never marks every row
  marked <- if (auto) far_rows(x, weights) else noise$rows
  keep <- !marked
  gauss <- switch(init$type,
    labels = init$labels[keep],
    matrix = init$z[keep, , drop = FALSE],
    {
      # the k-means starts weigh the variables by the kept rows' variances
      kept_weights <- if (is.null(weights)) NULL else weights[keep]
      kept_scale <- .Call(C_ffi_col_moments, x[keep, , drop = FALSE], kept_weights)$var
      # a column constant among the kept rows keeps the whole data's variance
      core$start_scale <- ifelse(kept_scale > 0, kept_scale, core$start_scale)
      start_responsibilities(init, x[keep, , drop = FALSE], k, kept_weights, core, seeds)
    }
  )
  if (!is.matrix(gauss)) {
    gauss <- diag(k)[gauss, , drop = FALSE]
  }
  z <- matrix(0, n, k + 1L)
  z[keep, ] <- if (auto) cbind(gauss * (1 - 1 / n), 1 / n) else cbind(gauss, 0)
  z[marked, k + 1L] <- 1
  z
}

# The squared robust scales that scale the ridge and judge collapse (see
# core_control()), of the rows outside the initial noise, each weighted by
# its initial share of the normal components: the noise's rows are not the
# normal components' data.
noise_ridge_scale <- function(x, weights, start) {
  share <- 1 - start[, ncol(start)]
  .Call(C_ffi_robust_scale, x, if (is.null(weights)) share else weights * share)^2
}

# Rows far from the bulk of the data: their squared robust distance to the
# coordinatewise median of the rows of positive weight, in units of the
# median absolute deviations, exceeds the chi-square 0.999 quantile with d
# degrees of freedom. Where a MAD is 0 (many tied values) the standard
# deviation stands in. Several clusters spread the MADs, so only rows far
# from all of them are marked; scattered noise among the clusters is left
# to EM.
far_rows <- function(x, weights) {
  w <- if (is.null(weights)) rep(1, nrow(x)) else weights
  bulk <- x[w > 0, , drop = FALSE]
  centre <- apply(bulk, 2L, stats::median)
  spread <- apply(bulk, 2L, stats::mad)
  spread <- ifelse(spread > 0, spread, apply(bulk, 2L, stats::sd))
  colSums(((t(x) - centre) / spread)^2) > stats::qchisq(0.999, ncol(x))
}

# Posterior probabilities (k + 1 columns, the noise last) and row
# log-likelihoods of the rows of x under a fit with noise: the Gaussian
# E-step at the Gaussian proportions (which sum to 1 - pi_0), then the noise
# term log pi_0 - log V added in log space.
noise_estep <- function(object, x, threads) {
  k <- object$k
  res <- gaussian_estep(x, object$pro[seq_len(k)], object$mean, object$sigma,
                        object$model, threads = threads)
  gauss <- res$row_loglik
  # a distance that overflows: density 0 under the normals, as in the fit
  gauss[is.nan(gauss)] <- -Inf
  noise <- log(object$pro[[k + 1L]]) + object$noise$log_density
  top <- pmax(gauss, noise)
  row_loglik <- top + log(exp(gauss - top) + exp(noise - top))
  # an emptied noise (log 0) and a row of zero Gaussian density: density 0
  row_loglik[top == -Inf] <- -Inf
  z <- res$z * exp(gauss - row_loglik)
  # a row of zero Gaussian density has NaN Gaussian responsibilities
  z[gauss == -Inf, ] <- 0
  list(z = cbind(z, exp(noise - row_loglik)), row_loglik = row_loglik)
}

# The line print() and summary() give a fit with noise.
noise_text <- function(x, digits) {
  rows <- sum(x$classification == 0L)
  sprintf("Noise: proportion %s, %d row%s classified as noise; uniform density 1/V, V = %s.",
          format(x$pro[["noise"]], digits = digits), rows, plural(rows),
          format(x$noise$volume, digits = digits))
}

# m points uniform on the box {y : lower <= y R <= upper} (R orthogonal):
# uniform scores u in [lower, upper], then y = u R'.
uniform_in_box <- function(m, box) {
  d <- length(box$lower)
  scores <- matrix(stats::runif(m * d), m, d)
  scores <- sweep(sweep(scores, 2L, box$upper - box$lower, "*"), 2L, box$lower, "+")
  scores %*% t(box$rotation)
}
