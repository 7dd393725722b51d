# covariance_decomposition(): the covariances of a fit as lambda D A D',
# against mclust's own decomposition of the same sigma, against closed
# forms, and through summary().

all_models <- c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE",
                "EEV", "VEV", "EVV", "VVV")

# A decomposition as one (lambda_c, A_c, D_c) per component, whatever is
# shared: an absent shape is all ones, an absent orientation the identity.
per_component <- function(scale, shape, orientation, d, k) {
  lapply(seq_len(k), function(c) {
    list(
      lambda = if (length(scale) == 1L) scale[[1L]] else scale[[c]],
      A = if (is.null(shape)) rep(1, d) else if (is.matrix(shape)) shape[, c] else shape,
      D = if (is.null(orientation)) {
        diag(d)
      } else if (length(dim(orientation)) == 3L) {
        matrix(orientation[, , c], d, d)
      } else {
        matrix(orientation, d, d)
      }
    )
  })
}

# Two decompositions of the same covariance agree when their volumes agree
# and their axes are the same up to order and sign, with the shapes
# following the order of the axes: each column of `ref`'s D is matched to
# the column of `ours` it is parallel to.
expect_same_decomposition <- function(ours, ref, tolerance, info) {
  for (c in seq_along(ours)) {
    o <- ours[[c]]
    r <- ref[[c]]
    expect_equal(o$lambda, r$lambda, tolerance = tolerance, info = info)
    cosines <- crossprod(r$D, o$D)
    match <- apply(abs(cosines), 1L, which.max)
    expect_setequal(match, seq_along(match))
    signs <- sign(cosines[cbind(seq_along(match), match)])
    expect_equal(sweep(o$D[, match, drop = FALSE], 2L, signs, "*"), r$D,
                 tolerance = tolerance, info = info)
    expect_equal(unname(o$A[match]), unname(r$A), tolerance = tolerance, info = info)
  }
}

# Sigma_c rebuilt as lambda_c D_c diag(A_c) D_c'.
rebuild <- function(parts, d) {
  array(unlist(lapply(parts, function(p) p$lambda * p$D %*% diag(p$A, d) %*% t(p$D))),
        c(d, d, length(parts)))
}

# mclust's eigen decomposition of each component on its own, for models
# whose me*() gives none (sigma2decomp() of all components at once may keep
# one orientation with shapes in each component's own order)
mclust_eigen_parts <- function(sigma) {
  d <- dim(sigma)[1L]
  lapply(seq_len(dim(sigma)[3L]), function(c) {
    ref <- mclust::sigma2decomp(sigma[, , c, drop = FALSE])
    per_component(ref$scale, ref$shape, ref$orientation, d, 1L)[[1L]]
  })
}

# mclust's fit of every model to iris (4 variables) and faithful (2) from
# the species / a split of the waiting times, as the data of the tests.
mclust_fits <- function() {
  sets <- list(
    iris = list(x = as.matrix(iris[1:4]), z = mclust::unmap(iris$Species)),
    faithful = list(x = as.matrix(faithful), z = mclust::unmap(1L + (faithful$waiting > 70)))
  )
  fits <- list()
  for (name in names(sets)) {
    for (model in all_models) {
      me_model <- getExportedValue("mclust", paste0("me", model))
      fits[[paste(name, model)]] <- me_model(data = sets[[name]]$x, z = sets[[name]]$z)
    }
  }
  fits
}

test_that("the decomposition is mclust's, for all fourteen models", {
  skip_if_not_installed("mclust")
  for (fit in mclust_fits()) {
    variance <- fit$parameters$variance
    model <- variance$modelName
    info <- paste(model, "d =", variance$d)
    d <- variance$d
    k <- variance$G
    sigma <- variance$sigma
    expect_false(anyNA(sigma), info = info)
    # mclust's me*() gives no decomposition for EEE and VVV
    ref <- if (model %in% c("EEE", "VVV")) {
      mclust_eigen_parts(sigma)
    } else {
      per_component(variance$scale, variance$shape, variance$orientation, d, k)
    }
    ours <- covariance_decomposition(sigma, model)
    expect_same_decomposition(per_component(ours$scale, ours$shape, ours$orientation, d, k),
                              ref, tolerance = 1e-10, info = info)
  }
})

test_that("the parts have the form the letters say, and rebuild sigma", {
  skip_if_not_installed("mclust")
  for (fit in mclust_fits()) {
    variance <- fit$parameters$variance
    model <- variance$modelName
    d <- variance$d
    k <- variance$G
    info <- paste(model, "d =", d)
    letters <- strsplit(model, "")[[1L]]
    ours <- covariance_decomposition(variance$sigma, model)
    expect_length(ours$scale, if (letters[1L] == "E") 1L else k)
    switch(EXPR = letters[2L],
      I = expect_null(ours$shape),
      E = expect_length(ours$shape, d),
      V = expect_identical(dim(ours$shape), c(d, k))
    )
    switch(EXPR = letters[3L],
      I = expect_null(ours$orientation),
      E = expect_identical(dim(ours$orientation), c(d, d)),
      V = expect_identical(dim(ours$orientation), c(d, d, k))
    )
    parts <- per_component(ours$scale, ours$shape, ours$orientation, d, k)
    expect_equal(rebuild(parts, d), unname(variance$sigma), tolerance = 1e-12, info = info)
    for (p in parts) {
      expect_equal(prod(p$A), 1, tolerance = 1e-12, info = info)
      expect_equal(crossprod(p$D), diag(d), tolerance = 1e-12, info = info)
      # the sign convention: each axis's largest entry is positive
      expect_true(all(apply(p$D, 2L, function(v) v[which.max(abs(v))] > 0)), info = info)
    }
    # the axes come in decreasing order of variance: every component's when
    # the orientation varies, the first's when it is shared
    ordered <- switch(EXPR = letters[3L], I = integer(0), E = 1L, V = seq_len(k))
    for (c in ordered) {
      expect_false(is.unsorted(rev(parts[[c]]$A)), info = info)
    }
    # named by the variables (and the components, 1 to k: mclust's sigma
    # has no names for them)
    vars <- dimnames(variance$sigma)[[1L]]
    if (!is.null(ours$orientation)) {
      expect_identical(rownames(ours$orientation), vars, info = info)
    }
    if (letters[3L] == "I" && letters[2L] == "E") {
      expect_identical(names(ours$shape), vars, info = info)
    }
    if (letters[3L] == "I" && letters[2L] == "V") {
      expect_identical(dimnames(ours$shape), list(vars, as.character(seq_len(k))), info = info)
    }
    if (letters[1L] == "V") {
      expect_identical(names(ours$scale), as.character(seq_len(k)), info = info)
    }
  }
})

test_that("hand cases: a rotated ellipse, and diagonal models", {
  # Sigma = R diag(4, 1) R' with R the rotation by 30 degrees: volume
  # det^(1/2) = 2, shape (2, 1/2), axes the columns of R (each with its
  # largest entry positive already)
  theta <- pi / 6
  R <- matrix(c(cos(theta), sin(theta), -sin(theta), cos(theta)), 2, 2)
  S <- R %*% diag(c(4, 1)) %*% t(R)
  # VEE: the second component four times the first (volume 8)
  sigma <- array(c(S, 4 * S), c(2, 2, 2), dimnames = list(c("a", "b"), c("a", "b"), c("1", "2")))
  vee <- covariance_decomposition(sigma, "VEE")
  expect_equal(vee$scale, c("1" = 2, "2" = 8), tolerance = 1e-14)
  expect_equal(vee$shape, c(axis1 = 2, axis2 = 0.5), tolerance = 1e-14)
  expect_equal(vee$orientation, R, tolerance = 1e-14, ignore_attr = TRUE)
  expect_identical(dimnames(vee$orientation), list(c("a", "b"), c("axis1", "axis2")))
  # the same covariances as VVV: per component, the same numbers
  vvv <- covariance_decomposition(sigma, "VVV")
  expect_equal(unname(vvv$shape), cbind(c(2, 0.5), c(2, 0.5)), tolerance = 1e-14)
  expect_equal(unname(vvv$orientation), array(c(R, R), c(2, 2, 2)), tolerance = 1e-14)

  # EVE: the same axes, long first in component 1 and short first in
  # component 2: D is the eigenvectors of Sigma_1 / 2.5 + 2 Sigma_2 / 2.5 =
  # R diag(1.2, 1.8) R', so R's second axis comes first, and the shapes are
  # on those axes
  sigma <- array(c(R %*% diag(c(2, 0.5)) %*% t(R), R %*% diag(c(0.5, 2)) %*% t(R)), c(2, 2, 2))
  eve <- covariance_decomposition(sigma, "EVE")
  expect_equal(eve$scale, 1, tolerance = 1e-14)
  expect_equal(unname(eve$shape), cbind(c(0.5, 2), c(2, 0.5)), tolerance = 1e-14)
  swapped <- R[, 2:1]
  swapped[, 1] <- swapped[, 1] * sign(swapped[which.max(abs(swapped[, 1])), 1])
  swapped[, 2] <- swapped[, 2] * sign(swapped[which.max(abs(swapped[, 2])), 2])
  expect_equal(unname(eve$orientation), swapped, tolerance = 1e-14)
  expect_identical(colnames(eve$shape), c("1", "2"))

  # VVE whose first component has two equal axes: the shared axes are still
  # found, and lambda D A D' gives every Sigma_c back
  set.seed(9)
  D <- qr.Q(qr(matrix(rnorm(9), 3)))
  sigma <- array(c(D %*% diag(c(2, 2, 0.5)) %*% t(D), D %*% diag(c(3, 1, 0.2)) %*% t(D)),
                 c(3, 3, 2))
  vve <- covariance_decomposition(sigma, "VVE")
  for (c in 1:2) {
    rebuilt <- vve$scale[[c]] * vve$orientation %*% diag(vve$shape[, c]) %*% t(vve$orientation)
    expect_equal(rebuilt, sigma[, , c], tolerance = 1e-12)
  }
  expect_equal(sort(unname(vve$shape[, 2]) * vve$scale[[2]]), c(0.2, 1, 3), tolerance = 1e-12)

  # EVE whose combination of components ties although no component does:
  # diag(3, 1) and diag(a, b) (equal determinants) on axes turned by 30
  # degrees, weighted so that Sigma_1 / 4 + 2 Sigma_2 / (a + b) is 1.5 I
  turn <- matrix(c(cos(pi / 6), sin(pi / 6), -sin(pi / 6), cos(pi / 6)), 2)
  a <- sqrt(9 / 5)
  b <- 5 * a / 3
  sigma <- array(c(turn %*% diag(c(3, 1)) %*% t(turn), turn %*% diag(c(a, b)) %*% t(turn)),
                 c(2, 2, 2))
  eve <- covariance_decomposition(sigma, "EVE")
  for (c in 1:2) {
    rebuilt <- eve$scale * eve$orientation %*% diag(eve$shape[, c]) %*% t(eve$orientation)
    expect_equal(rebuilt, sigma[, , c], tolerance = 1e-12)
  }
  expect_equal(sort(unname(eve$shape[, 1])), sort(c(3, 1) / sqrt(3)), tolerance = 1e-12)

  # VEI: diag(4, 1) and diag(16, 4), volumes 2 and 8, shape (2, 1/2) in
  # the order of the variables
  sigma <- array(c(4, 0, 0, 1, 16, 0, 0, 4), c(2, 2, 2),
                 dimnames = list(c("a", "b"), c("a", "b"), NULL))
  vei <- covariance_decomposition(sigma, "VEI")
  expect_equal(vei, list(scale = c("1" = 2, "2" = 8), shape = c(a = 2, b = 0.5),
                         orientation = NULL), tolerance = 1e-14)
  # EVI: diag(4, 1) and diag(1, 4), volume 2, shapes (2, 1/2) and (1/2, 2)
  sigma[, , 2] <- diag(c(1, 4))
  evi <- covariance_decomposition(sigma, "EVI")
  expect_equal(evi$scale, 2, tolerance = 1e-14)
  expect_equal(evi$shape, matrix(c(2, 0.5, 0.5, 2), 2, 2, dimnames = list(c("a", "b"), c("1", "2"))),
               tolerance = 1e-14)
  expect_null(evi$orientation)

  # one variable: the variance is the volume
  v <- covariance_decomposition(array(c(9, 4), c(1, 1, 2)), "V")
  expect_equal(v, list(scale = c("1" = 9, "2" = 4), shape = NULL, orientation = NULL))
  expect_equal(covariance_decomposition(array(c(9, 9), c(1, 1, 2)), "E")$scale, 9)
})

test_that("a bad model or sigma is a classed error", {
  sigma <- array(diag(2), c(2, 2, 1))
  for (model in c("VIE", "EIV", "XXX", "EE", "vvv", NA_character_)) {
    expect_error(covariance_decomposition(sigma, model), "`model` must be",
                 class = "emix_error_argument")
  }
  expect_error(covariance_decomposition(sigma, "E"), "a model for one variable",
               class = "emix_error_argument")
  expect_error(covariance_decomposition(diag(2), "VVV"), "`sigma` must be a d x d x k array",
               class = "emix_error_argument")
  expect_error(covariance_decomposition(array(c(1, 2, 2, 1), c(2, 2, 1)), "VVV"),
               "component 1 does not", class = "emix_error_argument")
  expect_error(covariance_decomposition(array(c(1, NaN, NaN, 1), c(2, 2, 1)), "VVV"),
               "finite", class = "emix_error_argument")
})

# The words of a model built from its letters, written here independently
# of the C table's: the kind of covariance (spherical, diagonal,
# ellipsoidal) and which parts are equal and which vary, grouped by letter
# in the order volume, shape, orientation.
model_words <- function(model) {
  letters <- stats::setNames(strsplit(model, "")[[1L]], c("volume", "shape", "orientation"))
  kind <- if (letters[["shape"]] == "I") {
    "spherical"
  } else if (letters[["orientation"]] == "I") {
    "diagonal"
  } else {
    "ellipsoidal"
  }
  parts <- letters[letters != "I"]
  groups <- vapply(unique(parts), function(letter) {
    named <- names(parts)[parts == letter]
    n <- length(named)
    said <- if (n == 1L) named else paste(paste(named[-n], collapse = ", "), "and", named[n])
    sprintf("%s %s", c(E = "equal", V = "varying")[[letter]], said)
  }, character(1L))
  paste(c(kind, groups), collapse = ", ")
}

test_that("the table's words say what the letters say", {
  for (model in emix:::gaussian_models()) {
    expect_identical(emix:::model_description(model), model_words(model), info = model)
  }
  expect_identical(
    vapply(c("VEI", "EVI", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV"), model_words, ""),
    c(VEI = "diagonal, varying volume, equal shape",
      EVI = "diagonal, equal volume, varying shape",
      VEE = "ellipsoidal, varying volume, equal shape and orientation",
      EVE = "ellipsoidal, equal volume and orientation, varying shape",
      VVE = "ellipsoidal, varying volume and shape, equal orientation",
      EEV = "ellipsoidal, equal volume and shape, varying orientation",
      VEV = "ellipsoidal, varying volume and orientation, equal shape",
      EVV = "ellipsoidal, equal volume, varying shape and orientation")
  )
})

test_that("summary() holds the decomposition of the fitted covariances", {
  skip_if_not_installed("mclust")
  x <- iris[c("Sepal.Length", "Sepal.Width", "Petal.Width")]
  lab <- as.integer(iris$Species)
  for (model in all_models) {
    fit <- emix(x, k = 3, model = model, init = lab)
    s <- summary(fit)
    parts <- s$decomposition
    expect_same_decomposition(per_component(parts$scale, parts$shape, parts$orientation, 3L, 3L),
                              mclust_eigen_parts(fit$sigma), tolerance = 1e-10, info = model)
  }
  # one variable: the decomposition is the variances, and summary() prints
  # no more than it did
  fit <- emix(faithful["waiting"], k = 2, model = "V", init = 1L + (faithful$waiting > 70))
  expect_equal(summary(fit)$decomposition$scale, fit$sigma[1, 1, ], tolerance = 1e-14)
  expect_false(any(grepl("Volume", capture.output(summary(fit)))))
})

test_that("summary() prints the parts the model has", {
  x <- iris[c("Sepal.Length", "Petal.Width")]
  lab <- as.integer(iris$Species)
  expect_snapshot(print_decomposition(summary(emix(x, k = 3, model = "VVV", init = lab))$decomposition, 4L))
  expect_snapshot(print_decomposition(summary(emix(x, k = 3, model = "EEI", init = lab))$decomposition, 4L))
  expect_snapshot(print_decomposition(summary(emix(x, k = 3, model = "VII", init = lab))$decomposition, 4L))
})
