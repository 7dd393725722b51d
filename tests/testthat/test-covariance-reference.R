# The plain R covariance M-step of helper-covariance.R is itself checked
# here: against hand-worked cases, against its own constraint and local
# optimality, and against mclust::mstep() on the same responsibilities.

# faithful with k = 2 and iris with k = 3, each with a hard z from k-means
# (set.seed(1)) and a soft z: the k-means partition softened by a softmax of
# minus the squared distances to its centres.
covref_cases <- function() {
  data_sets <- list(
    faithful = list(x = as.matrix(faithful), k = 2),
    iris = list(x = as.matrix(iris[1:4]), k = 3)
  )
  cases <- list()
  for (name in names(data_sets)) {
    x <- data_sets[[name]]$x
    k <- data_sets[[name]]$k
    set.seed(1)
    km <- kmeans(x, k)
    distance <- sapply(seq_len(k), function(c) {
      colSums((t(x) - km$centers[c, ])^2)
    })
    soft <- exp(-(distance - apply(distance, 1, min)))
    cases[[paste(name, "hard")]] <- list(x = x, z = diag(k)[km$cluster, ])
    cases[[paste(name, "soft")]] <- list(x = x, z = soft / rowSums(soft))
  }
  cases
}

rel_diff <- function(a, b) max(abs(a - b)) / max(abs(b))

# Skew-symmetric S -> (I - S/2)^{-1} (I + S/2), an exact rotation.
cayley_rotation <- function(size, d) {
  S <- matrix(0, d, d)
  S[upper.tri(S)] <- rnorm(d * (d - 1) / 2, sd = size)
  S <- S - t(S)
  solve(diag(d) - S / 2, diag(d) + S / 2)
}

# Writes sigma as lambda_c D_c diag(a_c) D_c' under the model's constraint,
# moves log lambda, log a (keeping det a = 1) and D by random steps of the
# given size, shared where the model shares them, and rebuilds. With size 0
# it gives sigma back only if sigma has the model's structure: diagonal
# (orientation I), one set of axes (E), equal volumes or shapes (E).
perturb_in_model <- function(sigma, model, size) {
  letters3 <- strsplit(model, "")[[1]]
  d <- dim(sigma)[1]
  k <- dim(sigma)[3]
  axes <- switch(letters3[3],
    I = rep(list(diag(d)), k),
    E = rep(list(eigen(sigma[, , 1], symmetric = TRUE)$vectors), k),
    V = lapply(seq_len(k), function(c) {
      eigen(sigma[, , c], symmetric = TRUE)$vectors
    })
  )
  log_e <- vapply(seq_len(k), function(c) {
    log(diag(crossprod(axes[[c]], sigma[, , c] %*% axes[[c]])))
  }, numeric(d))
  log_e <- matrix(log_e, d, k)
  log_lambda <- colMeans(log_e)
  log_a <- sweep(log_e, 2, log_lambda)
  share <- function(letter, values, draw) {
    switch(letter,
      I = 0 * values,
      E = values * 0 + rowMeans(values) + as.vector(draw(1)),
      V = values + draw(ncol(values))
    )
  }
  log_lambda <- share(letters3[1], matrix(log_lambda, 1), function(m) {
    rnorm(m, sd = size)
  })
  log_a <- share(letters3[2], log_a, function(m) {
    step <- matrix(rnorm(d * m, sd = size), d, m)
    sweep(step, 2, colMeans(step))
  })
  shared_turn <- cayley_rotation(size, d)
  out <- sigma
  for (c in seq_len(k)) {
    turn <- switch(letters3[3],
      I = diag(d), E = shared_turn, V = cayley_rotation(size, d)
    )
    D <- axes[[c]] %*% turn
    out[, , c] <- D %*% (exp(log_lambda[c] + log_a[, c]) * t(D))
  }
  out
}

# (smaller, larger) pairs: the larger model contains the smaller one, so its
# minimum objective is never above the smaller model's.
nested_models <- list(
  c("EII", "VII"), c("EII", "EEI"), c("VII", "VEI"), c("EEI", "VEI"),
  c("EEI", "EVI"), c("VEI", "VVI"), c("EVI", "VVI"), c("EEI", "EEE"),
  c("VEI", "VEE"), c("EEE", "VEE"), c("EVI", "EVE"), c("EEE", "EVE"),
  c("VVI", "VVE"), c("VEE", "VVE"), c("EVE", "VVE"), c("EEE", "EEV"),
  c("VEE", "VEV"), c("EEV", "VEV"), c("EEV", "EVV"), c("EVE", "EVV"),
  c("VEV", "VVV"), c("EVV", "VVV"), c("VVE", "VVV")
)

test_that("ref_scatter gives the weighted ML covariances times n_c", {
  x <- as.matrix(iris[1:4])
  set.seed(2)
  z <- matrix(runif(150 * 3), 150, 3)
  z <- z / rowSums(z)
  w <- runif(150, 0.5, 2)
  s <- ref_scatter(x, z, weights = w)
  expect_equal(s$n, colSums(w * z))
  for (c in 1:3) {
    ml <- cov.wt(x, wt = w * z[, c] / sum(w * z[, c]), method = "ML")$cov
    expect_equal(s$W[, , c], s$n[c] * ml, ignore_attr = TRUE, tolerance = 1e-12)
  }
})

test_that("hand-worked diagonal case in d = 2: EVI, EEV and VEI", {
  # W_1 = diag(8, 2), W_2 = diag(3, 12), n = (10, 20)
  a <- c(8, 3)
  b <- c(2, 12)
  n <- c(10, 20)
  W <- array(0, c(2, 2, 2))
  W[, , 1] <- diag(c(a[1], b[1]))
  W[, , 2] <- diag(c(a[2], b[2]))
  N <- sum(n)

  # EVI: shape_c = diag(a_c, b_c) / sqrt(a_c b_c), common volume
  # lambda = sum_c sqrt(a_c b_c) / N = (4 + 6) / 30.
  evi <- ref_cov_mstep("EVI", W, n)
  expect_equal(evi$sigma[, , 1], diag(c(2 / 3, 1 / 6)))
  expect_equal(evi$sigma[, , 2], diag(c(1 / 6, 2 / 3)))
  expect_identical(evi$iterations, 0L)

  # EEV: each D_c sorts its own axes; A is the normalised sum of the sorted
  # eigenvalues (8 + 12, 2 + 3) = (20, 5), so Sigma_1 = diag(20, 5) / 30 and
  # Sigma_2 has the same eigenvalues on the swapped axes.
  eev <- ref_cov_mstep("EEV", W, n)
  expect_equal(eev$sigma[, , 1], diag(c(20, 5)) / 30)
  expect_equal(eev$sigma[, , 2], diag(c(5, 20)) / 30)

  # VEI: Sigma_c = lambda_c diag(beta, 1 / beta). Profiling out lambda_c =
  # (a_c / beta + b_c beta) / (2 n_c) leaves sum_c n_c (b_c u - a_c) /
  # (a_c + b_c u) = 0 in u = beta^2, i.e. the quadratic
  # N b_1 b_2 u^2 + (n_1 - n_2)(a_2 b_1 - a_1 b_2) u - N a_1 a_2 = 0
  # (here 4 u^2 + 5 u - 4 = 0, u = (sqrt(89) - 5) / 8).
  qa <- N * b[1] * b[2]
  qb <- (n[1] - n[2]) * (a[2] * b[1] - a[1] * b[2])
  qc <- -N * a[1] * a[2]
  u <- (-qb + sqrt(qb^2 - 4 * qa * qc)) / (2 * qa)
  expect_equal(u, (sqrt(89) - 5) / 8)
  beta <- sqrt(u)
  lambda <- (a / beta + b * beta) / (2 * n)
  vei <- ref_cov_mstep("VEI", W, n)
  for (c in 1:2) {
    expect_equal(vei$sigma[, , c], lambda[c] * diag(c(beta, 1 / beta)),
      tolerance = 1e-10
    )
  }
  expect_gt(vei$iterations, 1)
})

test_that("the objective field is the objective at sigma, closed forms take no iterations", {
  for (case in covref_cases()) {
    s <- ref_scatter(case$x, case$z)
    for (m in ref_cov_models) {
      fit <- ref_cov_mstep(m, s$W, s$n)
      expect_equal(fit$objective, ref_cov_objective(fit$sigma, s$W, s$n))
      if (m %in% c("VEI", "VEE", "VEV", "EVE", "VVE")) {
        expect_true(fit$iterations > 0 && fit$iterations < 10000, info = m)
      } else {
        expect_identical(fit$iterations, 0L, info = m)
      }
    }
  }
})

test_that("every model's sigma has the model's structure", {
  for (case in covref_cases()) {
    s <- ref_scatter(case$x, case$z)
    for (m in ref_cov_models) {
      sigma <- ref_cov_mstep(m, s$W, s$n)$sigma
      expect_equal(perturb_in_model(sigma, m, 0), sigma,
        tolerance = 1e-10, info = m
      )
    }
  }
})

test_that("no small move inside the constraint lowers the objective", {
  set.seed(3)
  for (case in covref_cases()) {
    s <- ref_scatter(case$x, case$z)
    for (m in ref_cov_models) {
      fit <- ref_cov_mstep(m, s$W, s$n)
      moved <- vapply(1:20, function(i) {
        ref_cov_objective(perturb_in_model(fit$sigma, m, 1e-3), s$W, s$n)
      }, numeric(1))
      expect_gt(min(moved), fit$objective, label = m)
    }
  }
})

test_that("a larger model's objective is never above a model it contains", {
  for (case in covref_cases()) {
    s <- ref_scatter(case$x, case$z)
    objective <- vapply(ref_cov_models, function(m) {
      ref_cov_mstep(m, s$W, s$n)$objective
    }, numeric(1))
    for (pair in nested_models) {
      smaller <- objective[[pair[1]]]
      expect_lte(objective[[pair[2]]], smaller + 1e-12 * abs(smaller),
        label = paste(pair[2], "over", pair[1])
      )
    }
  }
})

test_that("ref_cov_df counts parameters as mclust::nVarParams", {
  skip_if_not_installed("mclust")
  grid <- expand.grid(d = 2:6, k = 1:5)
  for (m in ref_cov_models) {
    ours <- mapply(function(d, k) ref_cov_df(m, k, d), grid$d, grid$k)
    theirs <- mapply(function(d, k) mclust::nVarParams(m, d, k), grid$d, grid$k)
    expect_equal(ours, theirs, label = m)
  }
})

# mclust's M-step on mclust's own z: a hard z from unmap(k-means labels) and
# the soft z of mclust's VVV EM run from it. Its inner iterations (VEI VEE
# EVE VVE VEV) stop on control$tol[2]; 1e-15 there, since at 1e-13 its EVE
# on iris is still 2e-6 from the optimum.
mclust_cases <- function() {
  cases <- list()
  for (name in c("faithful", "iris")) {
    x <- if (name == "faithful") as.matrix(faithful) else as.matrix(iris[1:4])
    k <- if (name == "faithful") 2 else 3
    set.seed(1)
    hard <- mclust::unmap(kmeans(x, k)$cluster)
    cases[[paste(name, "hard")]] <- list(x = x, z = hard)
    cases[[paste(name, "soft")]] <- list(x = x, z = mclust::meVVV(x, z = hard)$z)
  }
  cases
}

mclust_mstep <- function(m, case) {
  control <- mclust::emControl(tol = c(1e-12, 1e-15))
  # mstepXXX directly: mclust::mstep() looks its worker up in the caller's
  # environment, where mclust is not attached
  mstep_model <- getExportedValue("mclust", paste0("mstep", m))
  mstep_model(data = case$x, z = case$z, control = control)
}

test_that("the reference equals mclust::mstep for every model except VVE", {
  skip_if_not_installed("mclust")
  for (case in mclust_cases()) {
    s <- ref_scatter(case$x, case$z)
    for (m in setdiff(ref_cov_models, "VVE")) {
      fit <- ref_cov_mstep(m, s$W, s$n)
      theirs <- mclust_mstep(m, case)$parameters$variance$sigma
      expect_lt(rel_diff(fit$sigma, theirs), 1e-6, label = m)
      their_objective <- ref_cov_objective(theirs, s$W, s$n)
      expect_lte(fit$objective, their_objective + 1e-12 * abs(their_objective), label = m)
    }
  }
})

# mclust's VVE inner loop (msvve in mclust2.f) updates D from the shapes
# alone, leaving out the volumes that weight each component's term in
# sum_c tr(W_c D (lambda_c A_c)^{-1} D'), so it lands on EVE's orientation
# rather than VVE's optimum. The reference is checked to do no worse, and to
# reproduce mclust's sigma when given mclust's orientation.
test_that("the reference's VVE is no worse than mclust's and agrees given its orientation", {
  skip_if_not_installed("mclust")
  for (case in mclust_cases()) {
    s <- ref_scatter(case$x, case$z)
    fit <- ref_cov_mstep("VVE", s$W, s$n)
    theirs <- mclust_mstep("VVE", case)$parameters$variance
    expect_lte(fit$objective, ref_cov_objective(theirs$sigma, s$W, s$n))
    given <- ref_cov_given_orientation("V", s$W, s$n, theirs$orientation)
    expect_lt(rel_diff(given, theirs$sigma), 1e-6)
  }
})
