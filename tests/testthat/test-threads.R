# The E-step runs over blocks of 256 rows, grouped into at most 32 chunks
# that depend on n only, in parallel over chunks. These tests check the
# block and chunk edges against the plain-R reference and check that the
# thread count does not change any number.

edge_cases <- list(
  "n < block" = c(n = 100, d = 3, k = 2),
  "n = block + 1" = c(n = 257, d = 2, k = 3),
  "n not a multiple of the block, many chunks, threaded" = c(n = 30001, d = 3, k = 3),
  "k = 1" = c(n = 700, d = 3, k = 1),
  "d = 1" = c(n = 600, d = 1, k = 3),
  "n = 2, k = 1" = c(n = 2, d = 2, k = 1)
)

test_that("the blocked E-step equals the reference at block and chunk edges", {
  for (case in names(edge_cases)) {
    size <- edge_cases[[case]]
    sim <- sim_mixture(size[["n"]], size[["d"]], size[["k"]], seed = 7)
    set.seed(8)
    w <- runif(size[["n"]], 0.2, 2)
    for (model in c("VII", "VVI", "EEE", "VVV")) {
      par <- ref_random_params(sim$x, size[["k"]], model)
      ref <- ref_estep(sim$x, par$pro, par$mean, par$sigma, weights = w)
      for (threads in 1:2) {
        got <- gaussian_estep(sim$x, par$pro, par$mean, par$sigma, model, weights = w,
                              threads = threads)
        expect_equal(list(unname(got$z), got$row_loglik, got$loglik),
                     list(ref$z, ref$row_loglik, ref$loglik),
                     tolerance = 1e-10, info = paste(case, model, threads))
      }
    }
  }
})

test_that("EM iterations equal the reference at block and chunk edges", {
  for (case in names(edge_cases)[1:5]) {
    size <- edge_cases[[case]]
    sim <- sim_mixture(size[["n"]], size[["d"]], size[["k"]], seed = 9)
    for (model in c("VII", "EEI", "VVV")) {
      ref <- ref_em(sim$x, ref_one_hot(sim$labels, size[["k"]]), model, iters = 4L)
      fit <- emix(sim$x, k = size[["k"]], model = model, init = sim$labels,
                  control = emix_control(tol = 0, max_iter = 4, reg = 0, threads = 2,
                                         accelerate = FALSE))
      expect_equal(list(ref_params(fit), fit$trace$loglik),
                   list(ref_params(ref), ref$trace),
                   tolerance = 1e-10, info = paste(case, model))
    }
  }
})

test_that("the number of threads does not change the fit", {
  sim <- sim_mixture(20000, 4, 4, seed = 3)
  set.seed(4)
  w <- rexp(nrow(sim$x))
  for (model in c("EII", "VVI", "EEE", "VVV")) {
    fits <- lapply(1:3, function(threads) {
      emix(sim$x, k = 4, model = model, weights = w, init = sim$labels,
           control = emix_control(tol = 0, max_iter = 10, threads = threads))
    })
    for (i in 2:3) {
      expect_equal(fits[[i]]$trace$loglik, fits[[1]]$trace$loglik, tolerance = 1e-12,
                   info = paste(model, i))
      expect_equal(ref_params(fits[[i]]), ref_params(fits[[1]]), tolerance = 1e-12,
                   info = paste(model, i))
      expect_equal(fits[[i]]$z, fits[[1]]$z, tolerance = 1e-12, info = paste(model, i))
    }
  }
})

test_that("the thread count is checked and has a sensible default", {
  expect_gte(emix_control()$threads, 1L)
  expect_identical(emix_control(threads = 3)$threads, 3L)
  old <- options(emix.threads = 1L)
  on.exit(options(old))
  expect_identical(emix_control()$threads, 1L)
  expect_error(emix_control(threads = 0), "threads", class = "emix_error_argument")
})

test_that("the default thread count respects OMP_THREAD_LIMIT", {
  old <- Sys.getenv("OMP_THREAD_LIMIT", unset = NA)
  on.exit(if (is.na(old)) Sys.unsetenv("OMP_THREAD_LIMIT") else Sys.setenv(OMP_THREAD_LIMIT = old))
  Sys.setenv(OMP_THREAD_LIMIT = "1")
  expect_identical(default_threads(), 1L)
})
