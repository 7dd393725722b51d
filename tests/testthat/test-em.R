# Whole EM fits by emix() checked against the plain R reference of
# helper-reference.R and against properties every exact EM fit has.

em_sim <- sim_mixture(300, 3, 3, seed = 5)

em_data_sets <- list(
  faithful = list(x = as.matrix(faithful), k = 2, weights = NULL),
  iris = list(x = as.matrix(iris[1:4]), k = 3, weights = NULL),
  simulated = list(x = em_sim$x, k = 3, weights = NULL),
  weighted = list(x = em_sim$x, k = 3, weights = rep(c(0.5, 1, 2.25), length.out = 300))
)

exact <- function(tol = 1e-8, max_iter = 1000L, accelerate = TRUE) {
  emix_control(tol = tol, max_iter = max_iter, reg = 0, accelerate = accelerate)
}

# fits of every model to every data set from several random starts
em_fits <- function() {
  fits <- list()
  for (name in names(em_data_sets)) {
    set <- em_data_sets[[name]]
    for (model in ref_models) {
      for (init in c("random", "kmeans++")) {
        # two fits per start: a random start may let a component die (EVV
        # on the simulated data, seed 1, at iteration 699), EM's degenerate
        # end that test-degenerate.R covers; the next seed stands in for it
        done <- 0L
        seed <- 0L
        while (done < 2L) {
          seed <- seed + 1L
          set.seed(seed)
          fit <- tryCatch(
            emix(set$x, k = set$k, model = model, weights = set$weights, init = init,
                 control = exact()),
            emix_error_degenerate = function(e) NULL
          )
          if (is.null(fit)) {
            next
          }
          done <- done + 1L
          fits[[length(fits) + 1L]] <- list(
            fit = fit, x = set$x, weights = set$weights,
            info = sprintf("%s, %s, init %s, seed %d", name, model, init, seed)
          )
        }
        expect_lte(seed, 3L) # at most one start lost per case
      }
    }
  }
  fits
}

test_that("the log-likelihood never decreases along the trace", {
  for (case in em_fits()) {
    fit <- case$fit
    ref <- ref_estep(case$x, fit$pro, fit$mean, fit$sigma, case$weights)
    w <- if (is.null(case$weights)) 1 else case$weights
    slack <- 1e-10 * sum(w * abs(ref$row_loglik)) + 1e-12
    ll <- fit$trace$loglik
    expect_true(all(diff(ll) >= -slack), info = case$info)
    expect_true(fit$converged && identical(fit$trace$iter, seq(0L, fit$iter)), info = case$info)
  }
})

test_that("the returned log-likelihood and z are those of the returned parameters", {
  for (case in em_fits()) {
    fit <- case$fit
    ref <- ref_estep(case$x, fit$pro, fit$mean, fit$sigma, case$weights)
    expect_equal(list(loglik = fit$loglik, last = fit$trace$loglik[nrow(fit$trace)],
                      z = unname(fit$z)),
                 list(loglik = ref$loglik, last = ref$loglik, z = ref$z),
                 tolerance = 1e-10, info = case$info)
    expect_identical(fit$classification, max.col(ref$z, ties.method = "first"),
                     info = case$info)
  }
})

test_that("a few iterations from a labelled start equal plain EM, for all models", {
  cases <- list(
    list(x = as.matrix(faithful), lab = ifelse(faithful$waiting > 70, 2L, 1L),
         weights = NULL),
    list(x = as.matrix(iris[1:4]), lab = rep(1:3, 50), weights = NULL),
    list(x = as.matrix(iris[1:4]), lab = as.integer(iris$Species),
         weights = seq(0.25, 3, length.out = 150)),
    list(x = em_sim$x, lab = rep(1:3, length.out = 300),
         weights = rep(c(2, 0.5, 1.5, 1), length.out = 300))
  )
  for (i in seq_along(cases)) {
    case <- cases[[i]]
    k <- max(case$lab)
    for (model in ref_models) {
      info <- sprintf("case %d, %s", i, model)
      fit <- emix(case$x, k = k, model = model, weights = case$weights, init = case$lab,
                  control = exact(tol = 0, max_iter = 5, accelerate = FALSE))
      ref <- ref_em(case$x, ref_one_hot(case$lab, k), model, iters = 5, weights = case$weights)
      expect_identical(fit$iter, 5L, info = info)
      expect_equal(ref_params(fit), ref_params(ref), tolerance = 1e-8, info = info)
      expect_equal(list(trace = fit$trace$loglik, loglik = fit$loglik, z = unname(fit$z)),
                   ref_fit_order(ref)[c("trace", "loglik", "z")], tolerance = 1e-8, info = info)
    }
  }
})

test_that("EM keeps the covariances precise when the components are far apart", {
  # within-component spread about 1, between-component spread about 1e4:
  # pooling as total minus between scatter (or E[x x'] - mu mu') would lose
  # about eight digits of the covariances here
  s <- sim_mixture(150, 2, 3, seed = 14)
  x <- s$x
  x[, 1] <- x[, 1] + 1e4 * s$labels
  for (model in ref_models) {
    fit <- emix(x, k = 3, model = model, init = s$labels, control = exact(tol = 0, max_iter = 3, accelerate = FALSE))
    ref <- ref_em(x, ref_one_hot(s$labels, 3), model, iters = 3)
    expect_equal(ref_params(fit), ref_params(ref), tolerance = 1e-10, info = model)
    expect_equal(fit$trace$loglik, ref$trace, tolerance = 1e-10, info = model)
  }
})

test_that("a start given as responsibilities equals plain EM from them", {
  set.seed(40)
  x <- as.matrix(faithful)
  z0 <- ref_random_z(nrow(x), 2)
  z0[, 1] <- 0.6 * z0[, 1] + 0.4 * (faithful$eruptions > 3)
  z0[, 2] <- 1 - z0[, 1]
  for (model in ref_models) {
    fit <- emix(x, k = 2, model = model, init = z0, control = exact(tol = 0, max_iter = 4, accelerate = FALSE))
    ref <- ref_em(x, z0, model, iters = 4)
    expect_equal(fit$trace$loglik, ref$trace, tolerance = 1e-8, info = model)
    expect_equal(ref_params(fit), ref_params(ref), tolerance = 1e-8, info = model)
  }
})

test_that("integer weights give the fit to the data with rows repeated", {
  set.seed(41)
  x <- as.matrix(iris[1:4])
  lab <- as.integer(iris$Species)
  w <- sample(0:3, nrow(x), replace = TRUE)
  w[c(1, 51, 101)] <- c(1, 2, 3) # every start label keeps some weight
  rows <- rep(seq_len(nrow(x)), w)
  for (model in ref_models) {
    weighted <- emix(x, k = 3, model = model, weights = w, init = lab,
                     control = exact(tol = 0, max_iter = 30, accelerate = FALSE))
    repeated <- emix(x[rows, ], k = 3, model = model, init = lab[rows],
                     control = exact(tol = 0, max_iter = 30, accelerate = FALSE))
    expect_equal(weighted$trace$loglik, repeated$trace$loglik, tolerance = 1e-10, info = model)
    expect_equal(ref_params(weighted), ref_params(repeated), tolerance = 1e-9, info = model)
    expect_equal(unname(weighted$z[rows, ]), unname(repeated$z), tolerance = 1e-9, info = model)
  }
})

test_that("permuting the rows leaves the fit unchanged", {
  set.seed(42)
  x <- em_sim$x
  lab <- rep(1:3, length.out = nrow(x))
  w <- runif(nrow(x), 0.5, 2)
  perm <- sample.int(nrow(x))
  for (model in ref_models) {
    a <- emix(x, k = 3, model = model, weights = w, init = lab,
              control = exact(tol = 0, max_iter = 25, accelerate = FALSE))
    b <- emix(x[perm, ], k = 3, model = model, weights = w[perm], init = lab[perm],
              control = exact(tol = 0, max_iter = 25, accelerate = FALSE))
    expect_equal(b$trace$loglik, a$trace$loglik, tolerance = 1e-10, info = model)
    expect_equal(ref_params(b), ref_params(a), tolerance = 1e-9, info = model)
    expect_equal(unname(b$z), unname(a$z[perm, ]), tolerance = 1e-9, info = model)
  }
})

test_that("T2: one component converges after one M-step to the weighted moments", {
  set.seed(43)
  x <- as.matrix(iris[1:4])
  w <- runif(nrow(x), 0.2, 3)
  cw <- stats::cov.wt(x, wt = w / sum(w), method = "ML")
  expected <- ref_one_component_sigma(cw$cov)
  for (model in ref_models) {
    fit <- emix(x, k = 1, model = model, weights = w, control = exact())
    # the first M-step lands on the moments; the rule then needs the ratio
    # of two changes (Aitken), or a change of exactly 0
    expect_true(fit$converged, info = model)
    expect_lte(fit$iter, 3L)
    expect_equal(ref_params(fit),
                 list(pro = 1, mean = matrix(cw$center, 1), sigma = list(expected[[model]])),
                 tolerance = 1e-12, info = model)
    loglik <- sum(w * ref_logdens(x, cw$center, expected[[model]])[, 1])
    expect_equal(list(fit$loglik, fit$trace$loglik), list(loglik, rep(loglik, fit$iter + 1L)),
                 tolerance = 1e-12, info = model)
  }
})

# The parameters of `fit` carried through x -> A x + b.
transform_fit <- function(fit, A, b) {
  k <- length(fit$pro)
  sigma <- fit$sigma
  for (c in seq_len(k)) {
    sigma[, , c] <- A %*% fit$sigma[, , c] %*% t(A)
  }
  list(pro = fit$pro, mean = fit$mean %*% t(A) + matrix(b, k, length(b), byrow = TRUE),
       sigma = sigma)
}

test_that("the full and tied models are affine equivariant", {
  set.seed(44)
  x <- as.matrix(iris[1:4])
  lab <- as.integer(iris$Species)
  w <- runif(nrow(x), 0.5, 2)
  A <- matrix(rnorm(16), 4, 4) + diag(2, 4)
  b <- c(10, -3, 250, 0.5)
  y <- x %*% t(A) + matrix(b, nrow(x), 4, byrow = TRUE)
  logdet <- as.numeric(determinant(A)$modulus)
  for (model in c("VVV", "EEE")) {
    for (weights in list(NULL, w)) {
      W <- if (is.null(weights)) nrow(x) else sum(weights)
      fx <- emix(x, k = 3, model = model, weights = weights, init = lab,
                 control = exact(tol = 0, max_iter = 40, accelerate = FALSE))
      fy <- emix(y, k = 3, model = model, weights = weights, init = lab,
                 control = exact(tol = 0, max_iter = 40, accelerate = FALSE))
      expect_equal(fy$trace$loglik, fx$trace$loglik - W * logdet, tolerance = 1e-9,
                   info = model)
      expect_equal(ref_params(fy), ref_params(transform_fit(fx, A, b)), tolerance = 1e-8,
                   info = model)
      expect_equal(unname(fy$z), unname(fx$z), tolerance = 1e-8, info = model)
    }
  }
})

test_that("the diagonal models are equivariant under scaling, the spherical under rotation", {
  set.seed(45)
  x <- as.matrix(iris[1:4])
  lab <- as.integer(iris$Species)
  n <- nrow(x)
  shift <- matrix(c(5, -1, 0, 2), n, 4, byrow = TRUE)
  scaling <- diag(c(0.5, 3, 10, 0.01))
  rotation <- 2.5 * qr.Q(qr(matrix(rnorm(16), 4, 4)))
  transforms <- list(EEI = scaling, VVI = scaling, EII = rotation, VII = rotation)
  for (model in names(transforms)) {
    A <- transforms[[model]]
    fx <- emix(x, k = 3, model = model, init = lab, control = exact(tol = 0, max_iter = 40, accelerate = FALSE))
    fy <- emix(x %*% t(A) + shift, k = 3, model = model, init = lab,
               control = exact(tol = 0, max_iter = 40, accelerate = FALSE))
    logdet <- as.numeric(determinant(A)$modulus)
    expect_equal(fy$trace$loglik, fx$trace$loglik - n * logdet, tolerance = 1e-9, info = model)
    expect_equal(ref_params(fy), ref_params(transform_fit(fx, A, shift[1, ])), tolerance = 1e-8,
                 info = model)
  }
})

test_that("the formula interface fits what plain EM fits", {
  lab <- ifelse(faithful$eruptions > 3, 2L, 1L)
  fit <- emix(~ ., data = faithful, k = 2, init = lab, control = exact(tol = 0, max_iter = 3, accelerate = FALSE))
  ref <- ref_fit_order(ref_em(as.matrix(faithful), ref_one_hot(lab, 2), "VVV", iters = 3))
  expect_equal(fit$trace$loglik, ref$trace, tolerance = 1e-8)
  expect_equal(unname(fit$mean), ref$mean, tolerance = 1e-8)
  expect_equal(unname(fit$sigma), ref$sigma, tolerance = 1e-8)
})
