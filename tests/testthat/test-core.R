# The layer between R and the compiled core: the codes R reads from C, the
# degrees of freedom of the family table, and the pieces of one iteration
# (statistics of a block of rows, their merger, the M-step from them) that
# a fit over shards of data is made of.

test_that("R's names of the core's codes are C's", {
  codes <- emix:::core_codes()
  expect_identical(names(codes$gaussian_model), emix:::gaussian_models())
  expect_identical(unname(codes$gaussian_model), 0:13)
  expect_setequal(unique(emix:::method_q_step), names(codes$q_step))
  expect_setequal(eval(formals(emix_control)$rule), names(codes$rule))
  expect_identical(names(codes$status),
                   c("ok", names(emix:::degenerate_classes), "interrupted"))
  expect_true(all(c("gaussian", "gaussian_noise", "multinomial") %in% names(codes$family)))
  # the families with conjugate slots, which vb, me and gibbs need
  expect_identical(codes$conjugate[c("gaussian", "gaussian_noise", "multinomial")],
                   c(gaussian = TRUE, gaussian_noise = FALSE, multinomial = TRUE))
  expect_identical(emix:::conjugate_families(), c("gaussian", "multinomial"))
})

test_that("the degrees of freedom of the C table are mclust's counts", {
  # nMclustParams without the noise: k - 1 proportions, k d means and the
  # covariances' parameters, written out here from the models' definitions
  # (Celeux and Govaert 1995, table 1)
  cov_df <- function(model, k, d) {
    a <- d * (d + 1) / 2
    switch(model,
      EII = 1, VII = k, EEI = d, VEI = k + d - 1, EVI = 1 + k * (d - 1), VVI = k * d,
      EEE = a, VEE = a + k - 1, EVE = a + (k - 1) * (d - 1), VVE = a + (k - 1) * d,
      EEV = k * a - (k - 1) * d, VEV = k * a - (k - 1) * (d - 1), EVV = k * a - (k - 1),
      VVV = k * a)
  }
  expect_identical(emix:::gaussian_models(),
                   c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE",
                     "EEV", "VEV", "EVV", "VVV"))
  for (model in emix:::gaussian_models()) {
    for (k in 1:4) {
      for (d in 1:4) {
        want <- (k - 1) + k * d + cov_df(model, k, d)
        code <- emix:::model_code(model)
        expect_identical(emix:::family_df("gaussian", code, k, d), want, info = model)
        # the noise adds its proportion
        expect_identical(emix:::family_df("gaussian_noise", c(code, 0), k + 1L, d), want + 1)
      }
    }
  }
  if (requireNamespace("mclust", quietly = TRUE)) {
    for (model in emix:::gaussian_models()) {
      for (k in 1:5) {
        for (d in 2:6) {
          expect_identical(emix:::family_df("gaussian", emix:::model_code(model), k, d),
                           as.numeric(mclust::nMclustParams(model, d = d, G = k)),
                           info = paste(model, k, d))
        }
      }
    }
  }
})

test_that("the table's parts are the letters of the models' names", {
  table <- emix:::covariance_models()
  # the three letters of a name are its volume, shape and orientation
  expect_identical(table$volume, substr(table$name, 1, 1))
  expect_identical(table$shape, substr(table$name, 2, 2))
  expect_identical(table$orientation, substr(table$name, 3, 3))
  expect_identical(table$full, table$orientation != "I")
  expect_identical(table$pooled, !grepl("V", table$name))
  expect_identical(table$iterative, table$name %in% c("VEI", "VEE", "EVE", "VVE", "VEV"))
  # (the words: test-decomposition.R)
  # a model's row is the table's, the univariate names their twins'
  for (i in seq_len(nrow(table))) {
    expect_identical(emix:::model_row(table$name[i]), as.list(table[i, ]))
  }
  expect_identical(emix:::model_row("E"), emix:::model_row("EII"))
  expect_identical(emix:::model_row("V"), emix:::model_row("VII"))
})

test_that("statistics of shards merge into those of the whole, and their M-step is EM's", {
  x <- unname(as.matrix(faithful))
  lab <- ifelse(x[, 1] > 3, 2L, 1L)
  for (model in c("VVV", "VVI", "EEE", "EII")) {
    settings <- as.double(emix:::model_code(model))
    theta <- ref_mstep(x, ref_one_hot(lab), model)
    parameters <- list(pro = theta$pro, mean = theta$mean, sigma = theta$sigma)
    call_stats <- function(rows) {
      .Call(emix:::C_ffi_stats, "gaussian", settings, parameters, x[rows, , drop = FALSE],
            NULL, 1L)
    }
    whole <- call_stats(seq_len(272))
    first <- call_stats(1:100)
    second <- call_stats(101:272)
    merged <- .Call(emix:::C_ffi_stats_merge, "gaussian", settings, 2L, 2L, first$stats,
                    second$stats)
    expect_equal(merged, whole$stats, tolerance = 1e-12, info = model)
    expect_equal(first$loglik + second$loglik, whole$loglik, tolerance = 1e-12)
    expect_equal(whole$loglik, ref_loglik(x, theta$pro, theta$mean, theta$sigma),
                 tolerance = 1e-12)
    # the M-step from the merged statistics is one EM step by plain R
    core <- emix:::core_control(emix_control(reg = 0), x, NULL)
    step <- .Call(emix:::C_ffi_mstep_stats, "gaussian", settings, 2L, 2L, merged, core)
    expect_identical(step$status[1L], 0L)
    q <- ref_estep(x, theta$pro, theta$mean, theta$sigma)$z
    want <- ref_mstep(x, q, model)
    expect_equal(step$parameters$pro, want$pro, tolerance = 1e-12)
    expect_equal(step$parameters$mean, want$mean, tolerance = 1e-12)
    expect_equal(step$parameters$sigma, want$sigma, tolerance = 1e-10)
  }
  # statistics of the wrong length are refused
  expect_error(.Call(emix:::C_ffi_stats_merge, "gaussian", 5, 2L, 2L, 1:3, 1:3), "'a'")
  expect_error(.Call(emix:::C_ffi_mstep_stats, "gaussian", 5, 2L, 2L, numeric(3),
                     emix:::core_control(emix_control(), x, NULL)), "'stats'")
})

test_that("emix_parameters() gives the family's blocks, and a fit is subclassed by its method", {
  fit <- emix(~ ., data = faithful, k = 2, init = ifelse(faithful$eruptions > 3, 2L, 1L))
  expect_identical(names(emix_parameters(fit)), c("pro", "mean", "sigma"))
  expect_identical(emix_parameters(fit)$sigma, fit$sigma)
  expect_s3_class(fit, "emix_em")
  expect_s3_class(fit$family, "emix_family_gaussian")
  expect_identical(fit$family$model, "VVV")
  expect_error(emix_parameters(1), class = "emix_error_argument")
  # a malformed object is caught by the validator
  bad <- unclass(fit)
  bad$pro <- NULL
  expect_error(emix:::validate_emix(bad), "lacks pro")
})

test_that("a family is given as an object, its constructor or its name", {
  lab <- ifelse(faithful$eruptions > 3, 2L, 1L)
  by_object <- emix(~ ., data = faithful, k = 2, init = lab, family = gaussian_mix())
  for (family in list("gaussian", gaussian_mix)) {
    fit <- emix(~ ., data = faithful, k = 2, init = lab, family = family)
    expect_identical(fit$loglik, by_object$loglik)
  }
  expect_error(emix(faithful, k = 2, family = "poisson"), class = "emix_error_argument")
  expect_error(emix(faithful, k = 2, family = list()), "family object")
})
