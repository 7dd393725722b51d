# emix against mclust's EM (me()) from the same start: both run exact EM
# with the same stopping rule (mclust's, "relative"), so they take the same path to the same fixed
# point and agree far more closely than the tolerances below ask (about
# 1e-15 in the log-likelihood).

test_that("emix and mclust reach the same fit from the same labels", {
  skip_if_not_installed("mclust")
  data_sets <- list(faithful = list(x = as.matrix(faithful), k = 2),
                    iris = list(x = as.matrix(iris[1:4]), k = 3))
  for (name in names(data_sets)) {
    x <- data_sets[[name]]$x
    k <- data_sets[[name]]$k
    set.seed(1)
    lab <- kmeans(x, k)$cluster
    for (model in ref_models) {
      info <- paste(name, model)
      fit <- emix(x, k = k, model = model, init = lab,
                  control = emix_control(reg = 0, tol = 1e-12, max_iter = 5000, rule = "relative"))
      # mclust::me() finds meEII() and the like on the search path only, so
      # call the model's own function, as me(modelName = model) would
      me_model <- getExportedValue("mclust", paste0("me", model))
      mc <- me_model(data = x, z = mclust::unmap(lab),
                     control = mclust::emControl(tol = c(1e-12, 1e-12), itmax = c(5000, 5000)))
      expect_true(fit$converged, info = info)
      expect_equal(fit$loglik, mc$loglik, tolerance = 1e-10, info = info)
      mc_params <- list(pro = as.numeric(mc$parameters$pro),
                        mean = t(unname(mc$parameters$mean)),
                        sigma = mc$parameters$variance$sigma)
      expect_equal(ref_params(fit), ref_params(mc_params), tolerance = 1e-8, info = info)
    }
  }
})
