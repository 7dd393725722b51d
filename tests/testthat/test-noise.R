# The uniform noise component: against mclust's EM with Vinv from the same
# start, against a plain R E-step and M-step, and its behaviour with an
# outlier, in predict(), simulate() and the argument checks.

test_that("emix with noise reaches mclust's fit from the same start", {
  skip_if_not_installed("mclust")
  d <- noisy_faithful()
  z0 <- ref_one_hot(d$labels, 3) # the last column: the 20 added rows as noise
  for (model in c("VVV", "VII", "EEE", "EII", "EEI", "VVI")) {
    fit <- emix(d$x, k = 2, model = model, init = z0, noise = TRUE,
                noise_volume = d$volume,
                control = emix_control(reg = 0, tol = 1e-12, max_iter = 5000, rule = "relative",
                                       accelerate = FALSE))
    # mclust's loglik with noise is sum_i log(sum_c pi_c phi_c(x_i) + pi_0 Vinv),
    # the same quantity (checked against the plain R reference below)
    me_model <- getExportedValue("mclust", paste0("me", model))
    mc <- me_model(data = d$x, z = z0, Vinv = 1 / d$volume,
                   control = mclust::emControl(tol = c(1e-12, 1e-12), itmax = c(5000, 5000)))
    mc_pro <- as.numeric(mc$parameters$pro)
    mc_mean <- t(unname(mc$parameters$mean))[1:2, ] # mclust adds a mean for the noise
    mc_sigma <- mc$parameters$variance$sigma[, , 1:2]
    # emix numbers the components by decreasing proportion, the noise last
    mc_ordered <- ref_fit_order(list(pro = mc_pro, mean = mc_mean, sigma = mc_sigma,
                                     z = unname(mc$z)))
    expect_true(fit$converged, info = model)
    expect_equal(fit$loglik, mc$loglik, tolerance = 1e-8, info = model)
    expect_equal(fit$loglik,
                 ref_noise_estep(d$x, mc_pro, mc_mean, mc_sigma, log(d$volume))$loglik,
                 tolerance = 1e-8, info = model)
    expect_equal(unname(fit$pro), mc_ordered$pro, tolerance = 1e-6, info = model)
    expect_equal(unname(fit$mean), mc_ordered$mean, tolerance = 1e-6, info = model)
    expect_equal(unname(fit$sigma), unname(mc_ordered$sigma), tolerance = 1e-6, info = model)
    expect_equal(unname(fit$z), mc_ordered$z, tolerance = 1e-6, info = model)
    # free parameters and BIC: mclust counts V as a parameter too (one more
    # than emix's Gaussian df + 1), and its BIC has the opposite sign
    expect_equal(fit$df, mclust::nMclustParams(model, 2, 2, noise = TRUE) - 1, info = model)
    expect_equal(BIC(fit),
                 -mclust::bic(model, mc$loglik, nrow(d$x), 2, 2, noise = TRUE) - log(nrow(d$x)),
                 tolerance = 1e-8, info = model)
  }
})

test_that("one E-step and one M-step with noise equal the plain R reference", {
  d <- noisy_faithful()
  set.seed(2)
  z0 <- ref_random_z(nrow(d$x), 3)
  w <- runif(nrow(d$x), 0.5, 2)
  log_v <- log(d$volume)
  for (model in ref_models) {
    for (weights in list(NULL, w)) {
      info <- paste(model, if (is.null(weights)) "unweighted" else "weighted")
      control <- emix_control(reg = 0, max_iter = 0)
      # max_iter = 0: the parameters of the M-step from z0, the E-step there
      fit0 <- emix(d$x, k = 2, model = model, init = z0, noise = TRUE, weights = weights,
                   noise_volume = d$volume, control = control)
      theta <- ref_noise_mstep(d$x, z0, model, weights)
      e <- ref_noise_estep(d$x, theta$pro, theta$mean, theta$sigma, log_v, weights)
      expect_equal(ref_params(fit0), ref_params(theta), tolerance = 1e-10, info = info)
      # emix numbers the components by decreasing proportion, the noise last
      e_ordered <- ref_fit_order(list(pro = theta$pro, mean = theta$mean,
                                      sigma = theta$sigma, z = e$z))
      expect_equal(unname(fit0$z), e_ordered$z, tolerance = 1e-10, info = info)
      expect_equal(fit0$loglik, e$loglik, tolerance = 1e-10, info = info)
      # max_iter = 1: one more M-step, from that E-step
      fit1 <- emix(d$x, k = 2, model = model, init = z0, noise = TRUE, weights = weights,
                   noise_volume = d$volume, control = emix_control(reg = 0, max_iter = 1, tol = 0))
      theta1 <- ref_noise_mstep(d$x, e$z, model, weights)
      e1 <- ref_noise_estep(d$x, theta1$pro, theta1$mean, theta1$sigma, log_v, weights)
      expect_equal(ref_params(fit1), ref_params(theta1), tolerance = 1e-10, info = info)
      expect_equal(fit1$loglik, e1$loglik, tolerance = 1e-10, info = info)
      # the bound after the M-step: E_q[log p(x, z)] + H(q) at q = e$z
      wt <- ref_weights(d$x, weights)
      logjoint <- log(e1$z) + e1$row_loglik
      bound <- sum(wt * e$z * logjoint) - sum(wt * e$z * log(e$z))
      expect_equal(fit1$trace$bound[2], bound, tolerance = 1e-10, info = info)
    }
  }
})

test_that("the log-likelihood with noise never falls (reg = 0)", {
  d <- noisy_faithful()
  for (model in ref_models) {
    for (method in c("em", "iem", "cem")) {
      set.seed(3)
      fit <- emix(d$x, k = 2, model = model, noise = TRUE,
                  method = if (method == "iem") iem(blocks = 4) else method,
                  control = emix_control(reg = 0, tol = 1e-10))
      tolerance <- 1e-10 * sum(abs(predict(fit, type = "logdensity")))
      info <- paste(model, method)
      change <- fit$trace$change[-1]
      expect_true(all(change >= -tolerance), info = info)
      if (method == "em") {
        expect_true(all(diff(fit$trace$loglik) >= -tolerance), info = info)
        expect_true(all(fit$trace$gap[-1] >= -tolerance), info = info)
      }
    }
  }
})

test_that("an outlier goes to the noise and the normal components stay those of the clean fit", {
  x <- as.matrix(iris[1:4])
  outlier <- rbind(x, "151" = 1e10)
  set.seed(4)
  labels <- kmeans(x, 3, nstart = 5)$cluster
  # plain EM: the noise's proportion would change the length of an
  # extrapolated step, and so where each fit stops
  control <- emix_control(reg = 0, tol = 1e-12, max_iter = 2000, accelerate = FALSE)
  clean <- emix(x, k = 3, init = labels, control = control)
  # the outlier's start label is ignored: noise = TRUE flags it
  noisy <- emix(outlier, k = 3, init = c(labels, 1L), noise = TRUE, control = control)
  expect_identical(noisy$classification, c(clean$classification, 0L))
  expect_equal(unname(noisy$z[151, ]), c(0, 0, 0, 1))
  # the outlier is exactly one row's weight of noise
  expect_equal(noisy$pro[["noise"]], 1 / 151, tolerance = 1e-10)
  expect_equal(unname(noisy$pro[1:3] / (1 - noisy$pro[["noise"]])), unname(clean$pro),
               tolerance = 1e-8)
  expect_equal(noisy$mean, clean$mean, tolerance = 1e-8)
  expect_equal(noisy$sigma, clean$sigma, tolerance = 1e-8)
  # the same with the default start and ridge: k-means++ on the rows not
  # flagged draws the same start as on the clean data
  set.seed(5)
  clean <- emix(x, k = 3, control = emix_control(accelerate = FALSE))
  set.seed(5)
  noisy <- emix(outlier, k = 3, noise = TRUE, control = emix_control(accelerate = FALSE))
  expect_identical(noisy$classification, c(clean$classification, 0L))
  expect_equal(noisy$mean, clean$mean, tolerance = 1e-8)
  expect_equal(noisy$sigma, clean$sigma, tolerance = 1e-8)
  # a row so far that its whitened distance overflows (1e100, -1e150; data
  # whose variance itself overflows, beyond about 1e154, are refused by the
  # data checks): still one row of noise, and the normal components agree
  # with the clean fit up to where each stops
  tight <- emix_control(reg = 0, tol = 1e-13, max_iter = 5000)
  clean <- emix(x, k = 3, init = labels, control = tight)
  for (value in c(1e100, -1e150)) {
    far <- emix(rbind(x, "151" = value), k = 3, init = c(labels, 1L), noise = TRUE,
                control = tight)
    expect_identical(far$classification, c(clean$classification, 0L), info = value)
    expect_equal(far$pro[["noise"]], 1 / 151, tolerance = 1e-10, info = value)
    expect_equal(far$mean, clean$mean, tolerance = 1e-6, info = value)
    expect_equal(far$sigma, clean$sigma, tolerance = 1e-6, info = value)
    expect_true(is.finite(far$loglik), info = value)
  }
  # without noise a component is spent on the outlier alone: a degenerate
  # component, said so
  set.seed(5)
  err <- tryCatch(emix(outlier, k = 3), emix_error_degenerate = function(e) e)
  expect_s3_class(err, "emix_error_empty")
  expect_lt(err$found, err$needed)
})

test_that("noise = TRUE starts the noise proportion above 0 when no row is flagged", {
  d <- noisy_faithful()
  fit <- emix(d$x, k = 2, init = pmin(d$labels, 2L), noise = TRUE,
              control = emix_control(max_iter = 0))
  # no row of faithful is far from its start cluster: every row keeps 1/n
  expect_equal(fit$pro[["noise"]], 1 / nrow(d$x), tolerance = 1e-12)
  fit <- emix(d$x, k = 2, init = pmin(d$labels, 2L), noise = TRUE)
  expect_gt(fit$pro[["noise"]], 0.05)
  # the added uniform rows are classified noise far more often than
  # faithful's own (those inside a cluster stay with it)
  added <- d$labels == 3
  expect_gt(mean(fit$classification[added] == 0L),
            5 * mean(fit$classification[!added] == 0L))
})

test_that("a box whose volume overflows is measured in log space; noise_volume sets it", {
  x <- rbind(as.matrix(iris[1:4]), 1e150, -1e150)
  # the bounding box: four sides of 2e150, a volume beyond the largest double
  default <- emix(x, k = 3, noise = TRUE, init = c(rep(1:3, each = 50), 1L, 1L))
  expect_identical(default$classification[151:152], c(0L, 0L))
  # V is at most the bounding box's volume, found in log space
  expect_true(is.finite(default$noise$log_density))
  expect_gte(default$noise$log_density, -4 * log(2e150) - 1e-9)
  fit <- emix(x, k = 3, noise = TRUE, noise_volume = 1e300,
              init = c(rep(1:3, each = 50), 1L, 1L))
  expect_identical(fit$classification[151:152], c(0L, 0L))
  expect_equal(fit$noise$log_density, -log(1e300))
  # its box for simulate(): a cube of that volume
  box <- fit$noise$box
  expect_equal(sum(log(box$upper - box$lower)), log(1e300), tolerance = 1e-12)
})

test_that("the default volume is the smaller of the bounding and principal-axes boxes", {
  skip_if_not_installed("mclust")
  d <- noisy_faithful()
  fit <- emix(d$x, k = 2, noise = TRUE, init = pmin(d$labels, 2L))
  expect_equal(fit$noise$volume, mclust::hypvol(d$x), tolerance = 1e-10)
  expect_equal(fit$noise$log_density, -log(mclust::hypvol(d$x)), tolerance = 1e-10)
  rotated <- d$x %*% diag(c(1, 3)) %*% matrix(c(cos(1), sin(1), -sin(1), cos(1)), 2)
  colnames(rotated) <- c("a", "b")
  fit <- emix(rotated, k = 2, noise = TRUE, init = pmin(d$labels, 2L))
  expect_equal(fit$noise$volume, mclust::hypvol(rotated), tolerance = 1e-10)
  # a given volume: the bounding box scaled about its centre to it
  fit <- emix(d$x, k = 2, noise = TRUE, noise_volume = 500, init = pmin(d$labels, 2L))
  box <- fit$noise$box
  expect_equal(fit$noise$log_density, -log(500))
  expect_equal(prod(box$upper - box$lower), 500, tolerance = 1e-12)
  expect_equal(unname((box$upper + box$lower) / 2),
               unname((apply(d$x, 2, max) + apply(d$x, 2, min)) / 2), tolerance = 1e-12)
  expect_equal(unname((box$upper - box$lower) / (apply(d$x, 2, max) - apply(d$x, 2, min))),
               rep(sqrt(500 / d$volume), 2), tolerance = 1e-12)
})

test_that("predict() with noise equals the plain R posterior and density", {
  d <- noisy_faithful()
  fit <- emix(d$x, k = 2, init = ref_one_hot(d$labels, 3), noise = TRUE)
  new <- rbind(c(2, 55), c(4.5, 80), c(3, 70), c(20, 300), c(NA, 70))
  colnames(new) <- colnames(d$x)
  e <- ref_noise_estep(new[1:4, ], fit$pro, fit$mean, fit$sigma, log(fit$noise$volume))
  posterior <- predict(fit, new, type = "posterior")
  expect_identical(colnames(posterior), c("1", "2", "noise"))
  expect_equal(unname(posterior[1:4, ]), e$z, tolerance = 1e-12)
  expect_true(all(is.na(posterior[5, ])))
  expect_equal(unname(predict(fit, new, type = "logdensity")[1:4]), e$row_loglik,
               tolerance = 1e-12)
  density <- fit$pro[["noise"]] / fit$noise$volume +
    fit$pro[[1]] * mvtnorm::dmvnorm(new[1:4, ], fit$mean[1, ], fit$sigma[, , 1]) +
    fit$pro[[2]] * mvtnorm::dmvnorm(new[1:4, ], fit$mean[2, ], fit$sigma[, , 2])
  expect_equal(unname(predict(fit, new, type = "density")[1:4]), density, tolerance = 1e-12)
  expected_class <- max.col(e$z, ties.method = "first")
  expected_class[expected_class == 3L] <- 0L
  expect_identical(unname(predict(fit, new)), c(expected_class, NA))
  expect_identical(expected_class[4], 0L) # far from the data: noise
  # rows whose distance overflows: wholly noise, density pi_0 / V
  extreme <- rbind(c(1.7e308, -1.7e308), c(1e200, 1))
  expect_equal(unname(predict(fit, extreme, type = "posterior")), rbind(c(0, 0, 1), c(0, 0, 1)))
  expect_equal(unname(predict(fit, extreme, type = "logdensity")),
               rep(log(fit$pro[["noise"]]) - log(fit$noise$volume), 2), tolerance = 1e-12)
  # the fitted rows: the fit's own z and classification
  expect_equal(predict(fit, type = "posterior"), fit$z, tolerance = 1e-12)
  expect_identical(unname(predict(fit)), fit$classification)
  expect_identical(fitted(fit, type = "class"), fit$classification)
})

test_that("simulate() draws noise rows uniformly in the box in the noise's share", {
  d <- noisy_faithful()
  fit <- emix(d$x, k = 2, init = ref_one_hot(d$labels, 3), noise = TRUE)
  sims <- simulate(fit, nsim = 20, seed = 6)
  expect_setequal(unique(sims$.component), 0:2)
  noise_rows <- as.matrix(sims[sims$.component == 0L, colnames(d$x)])
  scores <- noise_rows %*% fit$noise$box$rotation
  expect_true(all(t(scores) >= fit$noise$box$lower - 1e-9))
  expect_true(all(t(scores) <= fit$noise$box$upper + 1e-9))
  # a binomial count: the share of noise rows is consistent with pro0
  count <- sum(sims$.component == 0L)
  expect_gt(stats::binom.test(count, nrow(sims), fit$pro[["noise"]])$p.value, 0.001)
  # uniform: each half of each side of the box holds about half of them
  for (j in seq_len(ncol(scores))) {
    half <- sum(scores[, j] < mean(c(fit$noise$box$lower[j], fit$noise$box$upper[j])))
    expect_gt(stats::binom.test(half, count, 0.5)$p.value, 0.001)
  }
})

test_that("print, summary, coef, logLik and plot show the noise", {
  d <- noisy_faithful()
  fit <- emix(d$x, k = 2, init = ref_one_hot(d$labels, 3), noise = TRUE)
  noise_rows <- sum(fit$classification == 0L)
  expect_output(print(fit), sprintf("%d rows classified as noise", noise_rows))
  s <- summary(fit)
  expect_identical(rownames(s$components), c("1", "2", "noise"))
  expect_identical(s$components$size,
                   c(sum(fit$classification == 1L), sum(fit$classification == 2L), noise_rows))
  expect_equal(sum(s$components$proportion), 1, tolerance = 1e-12)
  expect_equal(s$components$N, unname(colSums(fit$z)), tolerance = 1e-12)
  expect_output(print(s), "Noise: proportion")
  expect_identical(colnames(coef(fit)), c("1", "2"))
  # VVV, k = 2, d = 2: 1 proportion, 4 means, 6 covariances, and pi_0
  expect_equal(attr(logLik(fit), "df"), 1 + 4 + 6 + 1)
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  for (vars in list(1, 1:2)) {
    small <- emix(d$x[, vars, drop = FALSE], k = 2, init = ref_one_hot(d$labels, 3),
                  noise = TRUE)
    expect_no_error(plot(small, which = "classification"))
    expect_no_error(plot(small, which = "density"))
  }
  expect_no_error(plot(emix(rbind(as.matrix(iris[1:4]), 1e10), k = 3, noise = TRUE,
                            init = c(rep(1:3, each = 50), 1L)), which = "classification"))
})

test_that("classification EM, stochastic EM and incremental EM take the noise", {
  d <- noisy_faithful()
  z0 <- ref_one_hot(d$labels, 3)
  control <- emix_control(reg = 0, tol = 1e-12, max_iter = 5000)
  em <- emix(d$x, k = 2, init = z0, noise = TRUE, control = control)
  iem <- emix(d$x, k = 2, init = z0, noise = TRUE, method = iem(blocks = 3), control = control)
  expect_equal(iem$loglik, em$loglik, tolerance = 1e-8)
  expect_equal(iem$pro, em$pro, tolerance = 1e-5)
  cem <- emix(d$x, k = 2, init = z0, noise = TRUE, method = "cem", control = control)
  # CEM's partition: its noise proportion is the share of rows classified noise
  labels <- max.col(ref_noise_estep(d$x, cem$pro, cem$mean, cem$sigma,
                                    log(d$volume))$z, ties.method = "first")
  expect_equal(unname(cem$pro), c(tabulate(labels, 3)) / nrow(d$x), tolerance = 1e-12)
  # no row of faithful is ever most probably noise: CEM empties the noise,
  # whose log proportion is then -Inf, and every number stays defined
  set.seed(8)
  empty <- emix(as.matrix(faithful), k = 2, noise = TRUE, method = "cem",
                control = emix_control(reg = 0))
  expect_identical(empty$pro[["noise"]], 0)
  expect_false(anyNA(empty$trace[-1, c("loglik", "objective", "bound")]))
  expect_equal(empty$loglik,
               ref_noise_estep(faithful, empty$pro, empty$mean, empty$sigma,
                               log(empty$noise$volume))$loglik, tolerance = 1e-12)
  set.seed(7)
  sem <- emix(d$x, k = 2, init = z0, noise = TRUE, method = "sem",
              control = emix_control(max_iter = 50))
  expect_length(sem$pro, 3)
  expect_equal(sum(sem$pro), 1, tolerance = 1e-12)
})

test_that("bad noise arguments are classed errors naming the argument", {
  d <- noisy_faithful()
  n <- nrow(d$x)
  bad <- list(
    list(args = list(method = "vb", noise = TRUE, model = "VVV"), arg = "noise"),
    list(args = list(method = "me", noise = TRUE, model = "VVV"), arg = "noise"),
    list(args = list(method = "gibbs", noise = TRUE, model = "VVV"), arg = "noise"),
    list(args = list(noise = c(TRUE, FALSE)), arg = "noise"),
    list(args = list(noise = c(NA, rep(FALSE, n - 1))), arg = "noise"),
    list(args = list(noise = rep(TRUE, n)), arg = "noise"),
    list(args = list(noise = rep(FALSE, n)), arg = "noise"),
    list(args = list(noise = "yes"), arg = "noise"),
    list(args = list(noise = TRUE, noise_volume = -1), arg = "noise_volume"),
    list(args = list(noise = TRUE, noise_volume = c(1, 2)), arg = "noise_volume"),
    list(args = list(noise_volume = 10), arg = "noise_volume"),
    list(args = list(noise = d$labels == 3, init = ref_one_hot(d$labels, 3)), arg = "noise")
  )
  for (case in bad) {
    cnd <- expect_error(do.call(emix, c(list(d$x, k = 2), case$args)),
                        class = "emix_error_argument")
    expect_identical(cnd$argument, case$arg)
  }
  expect_snapshot(error = TRUE, {
    emix(d$x, k = 2, method = "vb", noise = TRUE)
    emix(d$x, k = 2, method = "me", noise = TRUE)
    emix(d$x, k = 2, method = "gibbs", noise = TRUE)
    emix(d$x, k = 2, noise = c(TRUE, FALSE))
    emix(d$x, k = 2, noise = c(NA, rep(FALSE, n - 1)))
    emix(d$x, k = 2, noise = rep(TRUE, n))
    emix(d$x, k = 2, noise = rep(FALSE, n))
    emix(d$x, k = 2, noise = TRUE, noise_volume = -1)
    emix(d$x, k = 2, noise_volume = 10)
    emix(d$x, k = 2, noise = d$labels == 3, init = ref_one_hot(d$labels, 3))
    emix(~ ., data = faithful, k = 2, noise = 1:3)
  })
})

test_that("a dropped component leaves the noise column in place", {
  set.seed(2)
  fit <- emix(as.matrix(iris[1:4]), k = 10, noise = TRUE,
              control = emix_control(empty = "drop", reg = 0))
  expect_gt(fit$dropped, 0)
  expect_identical(fit$k, 10L - fit$dropped)
  expect_identical(colnames(fit$z), c(as.character(seq_len(fit$k)), "noise"))
  expect_identical(names(fit$pro), colnames(fit$z))
  expect_equal(sum(fit$pro), 1, tolerance = 1e-12)
  expect_equal(unname(rowSums(fit$z)), rep(1, 150), tolerance = 1e-12)
})

test_that("a fit whose noise emptied predicts density 0 far away, never NaN", {
  set.seed(8)
  empty <- emix(as.matrix(faithful), k = 2, noise = TRUE, method = "cem",
                control = emix_control(reg = 0))
  expect_identical(empty$pro[["noise"]], 0)
  far <- rbind(c(1e200, 1e200), c(3, 70))
  expect_identical(predict(empty, far, type = "logdensity")[[1]], -Inf)
  expect_identical(predict(empty, far, type = "density")[[1]], 0)
  # the ordinary row: the plain-R mixture density (the noise adds nothing)
  expect_equal(unname(predict(empty, far, type = "logdensity")[[2]]),
               unname(ref_noise_estep(far[2, , drop = FALSE], empty$pro, empty$mean, empty$sigma,
                                      log(empty$noise$volume))$row_loglik), tolerance = 1e-12)
})

test_that("a column constant among the rows outside the initial noise is a classed error", {
  # the 20 added rows are the only ones to vary in the third column: the
  # start is drawn (it weighs that column by the whole data's variance),
  # and the normal components, constant there, collapse, said so
  d <- noisy_faithful()
  x <- cbind(d$x, flag = c(rep(0, nrow(faithful)), seq_len(d$m)))
  set.seed(3)
  err <- tryCatch(emix(x[, c(1, 3)], k = 2, model = "VVI", noise = d$labels == 3),
                  error = function(e) e)
  expect_s3_class(err, "emix_error_collapsed")
  expect_identical(err$variable, "flag")
})

test_that("a given volume far larger than the data's box still gives a finite box", {
  # one variable spread over 1e-8, a volume of 1e300: the scale factor
  # (1e308) overflows, the half-side (5e299) does not
  x <- c(0, 1e-9, 2e-9, 3e-9, 5e-9, 8e-9, 1e-8)
  fit <- emix(x, k = 1, noise = TRUE, noise_volume = 1e300, init = rep(1L, 7))
  box <- fit$noise$box
  expect_true(all(is.finite(c(box$lower, box$upper))))
  expect_equal(box$upper - box$lower, 1e300, tolerance = 1e-12)
  expect_equal(fit$noise$log_density, -log(1e300), tolerance = 1e-12)
})
