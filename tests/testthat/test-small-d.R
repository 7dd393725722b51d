# The E-step and M-step kernels instantiated for each number of variables up
# to 8 (gauss_small_d.c), and the general ones beyond, against the plain R
# reference. 257, 259 and 263 rows: a block of 256 and a tail of 1, 3 or 7
# rows, none a whole number of the kernels' lanes of 4 (and the first two
# fewer than 4).

small_d_models <- c("VVV", "EEE", "VEV")

test_that("the E-step matches the reference for 1 to 10 variables", {
  set.seed(40)
  for (d in 1:10) for (n in c(257, 259, 263)) {
    x <- sim_mixture(n, d, 3, seed = 40 + d)$x
    w <- runif(nrow(x), 0.1, 3)
    for (model in small_d_models) {
      par <- ref_random_params(x, 3, model)
      for (weights in list(NULL, w)) {
        info <- sprintf("d = %d, n = %d, model %s, %s", d, n, model,
                        if (is.null(weights)) "unweighted" else "weighted")
        got <- gaussian_estep(x, par$pro, par$mean, par$sigma, model = model,
                              weights = weights, threads = 1L)
        ref <- ref_estep(x, par$pro, par$mean, par$sigma, weights)
        expect_equal(list(row_loglik = got$row_loglik, loglik = got$loglik, z = unname(got$z)),
                     ref[c("row_loglik", "loglik", "z")], tolerance = 1e-10, info = info)
      }
    }
  }
})

test_that("the M-step matches the reference for 1 to 10 variables", {
  set.seed(41)
  for (d in 1:10) for (n in c(257, 259, 263)) {
    x <- sim_mixture(n, d, 3, seed = 50 + d)$x
    w <- runif(nrow(x), 0.1, 3)
    z <- ref_random_z(nrow(x), 3)
    for (model in small_d_models) {
      for (weights in list(NULL, w)) {
        info <- sprintf("d = %d, n = %d, model %s, %s", d, n, model,
                        if (is.null(weights)) "unweighted" else "weighted")
        got <- gaussian_mstep(x, z, model = model, weights = weights)
        ref <- ref_mstep(x, z, model, weights)
        expect_equal(ref_params(got), ref_params(ref), tolerance = 1e-10, info = info)
      }
    }
  }
})

test_that("a fit on 1 and on 2 threads agrees bit for bit for every number of variables", {
  for (d in c(1, 5, 8, 9)) {
    # enough rows (n k above 65536) for the E-step to use both threads
    s <- sim_mixture(25000, d, 3, seed = 60 + d)
    fit <- function(threads) {
      emix(s$x, 3, model = "VVV", init = s$labels,
           control = emix_control(threads = threads, max_iter = 20L, tol = 0))
    }
    one <- fit(1L)
    two <- fit(2L)
    expect_identical(two$trace$loglik, one$trace$loglik, info = sprintf("d = %d", d))
  }
})
