# The method objects (?emix_method): their defaults and checks, that a
# name and its object give the same fit, that each setting reaches the
# loop, that the settings moved out of emix_control() say where they went,
# and the class of each fit.

method_labels <- c(em = "EM", cem = "classification EM", sem = "stochastic EM",
                   iem = "incremental EM", vb = "variational Bayes",
                   me = "maximization-expectation", gibbs = "Gibbs sampling")

test_that("each method object has its documented fields and defaults", {
  # q_step and loop as ?emix_method documents them
  expected <- list(
    em = list(q_step = 0L, loop = "em", bayesian = FALSE, settings = list()),
    cem = list(q_step = 1L, loop = "em", bayesian = FALSE, settings = list()),
    sem = list(q_step = 2L, loop = "em", bayesian = FALSE, settings = list()),
    iem = list(q_step = 0L, loop = "iem", bayesian = FALSE, settings = list(blocks = 10L)),
    vb = list(q_step = 0L, loop = "bayes", bayesian = TRUE, settings = list(prior = NULL)),
    me = list(q_step = 1L, loop = "bayes", bayesian = TRUE, settings = list(prior = NULL)),
    gibbs = list(q_step = 2L, loop = "gibbs", bayesian = TRUE,
                 settings = list(prior = NULL, burnin = 500L, draws = 1000L, thin = 1L))
  )
  for (name in names(expected)) {
    m <- getExportedValue("emix", name)()
    e <- expected[[name]]
    expect_identical(class(m), c(paste0("emix_method_", name), "emix_method"), info = name)
    expect_identical(unclass(m), c(list(name = name, label = method_labels[[name]],
                                        q_step = e$q_step, loop = e$loop,
                                        bayesian = e$bayesian), e$settings),
                     info = name)
    # the name alone is the object with its defaults
    expect_identical(emix:::as_emix_method(name), m, info = name)
  }
  expect_identical(iem(blocks = 20)$blocks, 20L)
  p <- emix_prior(alpha = 0.1)
  expect_identical(vb(prior = p)$prior, p) # kept as given
  expect_identical(gibbs(burnin = 0, draws = 3, thin = 2)[c("burnin", "draws", "thin")],
                   list(burnin = 0L, draws = 3L, thin = 2L))
})

test_that("bad settings of a method are classed errors that name them", {
  bad <- list(
    list(quote(iem(blocks = 0)), "blocks"),
    list(quote(iem(blocks = 2.5)), "blocks"),
    list(quote(iem(blocks = NA)), "blocks"),
    list(quote(gibbs(burnin = -1)), "burnin"),
    list(quote(gibbs(draws = 0)), "draws"),
    list(quote(gibbs(thin = Inf)), "thin"),
    list(quote(gibbs(draws = c(1, 2))), "draws"),
    list(quote(gibbs(draws = 50000, thin = 50000)), "draws")
  )
  for (case in bad) {
    err <- expect_error(eval(case[[1]]), class = "emix_error_argument")
    expect_identical(err$argument, case[[2]], info = deparse(case[[1]]))
  }
  # a prior is the family's to check, when the fit uses it
  expect_error(emix(faithful, k = 2, method = me(prior = "flat")),
               "`prior` must be made by `emix_prior()`", fixed = TRUE,
               class = "emix_error_argument")
  expect_snapshot(error = TRUE, iem(blocks = 0))
  expect_snapshot(error = TRUE, gibbs(burnin = -1))
})

test_that("a method given by name or by object gives the same fit", {
  lab <- ifelse(faithful$eruptions > 3, 2L, 1L)
  small <- list(gibbs = gibbs(burnin = 5, draws = 10))
  for (name in names(method_labels)) {
    by_object <- if (name %in% names(small)) small[[name]] else
      getExportedValue("emix", name)()
    by_name <- if (name %in% names(small)) small[[name]] else name
    set.seed(1)
    a <- emix(faithful, k = 2, init = lab, method = by_name)
    set.seed(1)
    b <- emix(faithful, k = 2, init = lab, method = by_object)
    a$call <- b$call <- NULL
    expect_identical(a, b, info = name)
  }
  # and the defaults of "gibbs" are those of gibbs()
  set.seed(2)
  a <- emix(faithful, k = 2, init = lab, method = "gibbs")
  set.seed(2)
  b <- emix(faithful, k = 2, init = lab, method = gibbs())
  a$call <- b$call <- NULL
  expect_identical(a, b)
  expect_identical(nrow(a$trace), 1500L)
})

test_that("each setting reaches the loop", {
  x <- as.matrix(faithful)
  lab <- ifelse(faithful$eruptions > 3, 2L, 1L)
  # incremental EM with one block is EM: its start takes one full EM step
  # (as ref_iem() in test-iem.R), so 10 sweeps are 11 EM steps
  one_block <- emix(x, k = 2, init = lab, method = iem(blocks = 1),
                    control = emix_control(tol = 0, max_iter = 10, reg = 0))
  ref <- ref_em(x, ref_one_hot(lab), iters = 11)
  expect_equal(ref_params(one_block), ref_params(ref), tolerance = 1e-10)
  expect_equal(one_block$loglik, ref$loglik, tolerance = 1e-12)
  # with 4 blocks, one sweep is not one EM step
  four <- emix(x, k = 2, init = lab, method = iem(blocks = 4),
               control = emix_control(tol = 0, max_iter = 1, reg = 0))
  em2 <- ref_em(x, ref_one_hot(lab), iters = 2)
  expect_gt(max(abs(ref_params(four)$mean - ref_params(em2)$mean)), 1e-6)
  # the prior: VB's posterior Dirichlet is alpha_0 + N_c
  fit <- emix(x, k = 3, method = vb(prior = emix_prior(alpha = 1e-3)))
  expect_identical(fit$prior$alpha, 1e-3)
  expect_equal(fit$posterior$alpha, 1e-3 + fit$posterior$N, tolerance = 1e-12)
  # the chain's length: burnin + draws * thin sweeps, every thin-th kept
  set.seed(3)
  g <- emix(x, k = 2, method = gibbs(burnin = 7, draws = 6, thin = 3))
  expect_identical(nrow(g$trace), 7L + 6L * 3L)
  expect_identical(which(g$trace$kept), 7L + 3L * (1:6))
  expect_identical(dim(g$draws$labels), c(nrow(x), 6L))
  expect_output(print(g), "6 draws kept (burn-in 7, thin 3)", fixed = TRUE)
})

test_that("settings moved to the methods are errors that say where they went", {
  moved <- list(
    list(quote(emix_control(blocks = 20)), "blocks", "`method = iem(blocks = 20)`"),
    list(quote(emix_control(prior = emix_prior(alpha = 0.5))), "prior",
         "`method = vb(prior = emix_prior(alpha = 0.5))` (or `me()`, `gibbs()`)"),
    list(quote(emix_control(burnin = 10, tol = 1e-6)), "burnin", "`method = gibbs(burnin = 10)`"),
    list(quote(emix_control(draws = 100, thin = 2)), "draws",
         "`method = gibbs(draws = 100, thin = 2)`"),
    list(quote(emix_control(thin = 5)), "thin", "`method = gibbs(thin = 5)`"),
    # a prior beside the chain's settings is the sampler's
    list(quote(emix_control(prior = NULL, thin = 2)), "prior",
         "`method = gibbs(prior = NULL, thin = 2)`")
  )
  for (case in moved) {
    err <- expect_error(eval(case[[1]]), class = "emix_error_argument")
    expect_identical(err$argument, case[[2]])
    expect_match(conditionMessage(err), case[[3]], fixed = TRUE)
    expect_match(conditionMessage(err), "is a setting of the method now|are settings of the method now")
  }
  # in a stored control, the field is named under `control`
  ct <- emix_control()
  ct$blocks <- 5
  err <- expect_error(emix(faithful, k = 2, method = "iem", control = ct),
                      class = "emix_error_argument")
  expect_identical(err$argument, "control$blocks")
  expect_match(conditionMessage(err), "`method = iem(blocks = 5)`", fixed = TRUE)
  err <- expect_error(emix(faithful, k = 2, control = list(tol = 1e-6, draws = 10)),
                      class = "emix_error_argument")
  expect_identical(err$argument, "control$draws")
  expect_snapshot(error = TRUE, emix_control(burnin = 100, draws = 200, blocks = 3))
})

test_that("an edited method object is checked again", {
  m <- iem()
  m$blocks <- 0
  err <- expect_error(emix(faithful, k = 2, method = m), class = "emix_error_argument")
  expect_identical(err$argument, "method$blocks")
  m <- gibbs(burnin = 5, draws = 5)
  m$draws <- -1
  err <- expect_error(emix(faithful, k = 2, method = m), class = "emix_error_argument")
  expect_identical(err$argument, "method$draws")
  # a fixed field edited, a field added or removed, another class: refused
  m <- em()
  m$q_step <- 2L
  expect_error(emix(faithful, k = 2, method = m), "`q_step` changed", class = "emix_error_argument")
  m <- cem()
  m$blocks <- 3L
  expect_error(emix(faithful, k = 2, method = m), "`blocks`", class = "emix_error_argument")
  m <- iem()
  m$blocks <- NULL
  expect_error(emix(faithful, k = 2, method = m), "missing fields: `blocks`",
               class = "emix_error_argument")
  m <- em()
  class(m) <- c("emix_method_vb", "emix_method")
  expect_error(emix(faithful, k = 2, method = m), "its class", class = "emix_error_argument")
  m <- em()
  m$name <- "newton"
  err <- expect_error(emix(faithful, k = 2, method = m), class = "emix_error_argument")
  expect_identical(err$argument, "method$name")
  for (bad in list("VB", c("em", "vb"), 1, list(name = "em"), NULL, em)) {
    err <- expect_error(emix(faithful, k = 2, method = bad), class = "emix_error_argument")
    expect_identical(err$argument, "method")
  }
  # an edit that stays valid is taken
  m <- iem()
  m$blocks <- 1
  lab <- ifelse(faithful$eruptions > 3, 2L, 1L)
  a <- emix(faithful, k = 2, init = lab, method = m)
  b <- emix(faithful, k = 2, init = lab, method = iem(blocks = 1))
  expect_identical(a$method_settings, b$method_settings)
  expect_identical(a$loglik, b$loglik)
})

test_that("a fit is subclassed by its method and keeps the method object", {
  lab <- ifelse(faithful$eruptions > 3, 2L, 1L)
  small <- gibbs(burnin = 3, draws = 4)
  for (name in names(method_labels)) {
    method <- if (name == "gibbs") small else getExportedValue("emix", name)()
    set.seed(4)
    fit <- emix(faithful, k = 2, init = lab, method = method)
    expect_identical(class(fit), c(paste0("emix_", name), "emix"), info = name)
    expect_identical(fit$method, name, info = name)
    expect_identical(fit$method_settings, method, info = name)
    expect_match(capture.output(print(fit))[1L],
                 sprintf("^Gaussian mixture fitted by %s:", method_labels[[name]]), info = name)
    # the kept object refits the same fit
    set.seed(4)
    again <- emix(faithful, k = 2, init = lab, method = fit$method_settings)
    again$call <- fit$call <- NULL
    expect_identical(again, fit, info = name)
  }
  # the formula method, update() and emix_control() leave the class alone
  fit <- emix(~ ., data = faithful, k = 2, method = me())
  expect_s3_class(fit, c("emix_me", "emix"), exact = TRUE)
  refit <- update(fit, method = iem(blocks = 3))
  expect_s3_class(refit, c("emix_iem", "emix"), exact = TRUE)
  expect_identical(refit$method_settings$blocks, 3L)
})

test_that("the methods dispatch on the subclass", {
  lab <- ifelse(faithful$eruptions > 3, 2L, 1L)
  x <- as.matrix(faithful)
  # VB predicts new rows' q(z) with its expected log weights (Bishop 10.46)
  vb_fit <- emix(x, k = 2, init = lab, method = vb())
  new <- x[c(1, 2, 100), ]
  log_rho <- ref_logdens(new, vb_fit$mean, vb_fit$sigma) +
    matrix(vb_fit$posterior$log_weight, nrow(new), 2, byrow = TRUE)
  expected <- exp(log_rho - apply(log_rho, 1, max))
  expect_equal(unname(predict(vb_fit, new, type = "posterior")),
               unname(expected / rowSums(expected)), tolerance = 1e-10)
  # EM's: the posterior at the fitted parameters
  em_fit <- emix(x, k = 2, init = lab)
  expect_equal(unname(predict(em_fit, new, type = "posterior")),
               unname(ref_estep(new, em_fit$pro, em_fit$mean, em_fit$sigma)$z), tolerance = 1e-10)
  # the burn-in that plot() marks is the method's
  set.seed(5)
  g <- emix(x, k = 2, method = gibbs(burnin = 4, draws = 3))
  expect_identical(emix:::trace_curve(g)$burnin, 4L)
  expect_identical(emix:::trace_curve(vb_fit)$label, "ELBO")
  expect_identical(emix:::trace_curve(em_fit)$burnin, 0L)
  # co-clustering of a Gibbs fit: the share of draws with equal labels
  labels <- g$draws$labels[1:5, ]
  share <- outer(1:5, 1:5, Vectorize(function(i, j) mean(labels[i, ] == labels[j, ])))
  expect_equal(unname(coclustering(g, rows = 1:5)), share, tolerance = 1e-15)
  expect_equal(unname(coclustering(em_fit, rows = 1:5)),
               unname(tcrossprod(em_fit$z[1:5, ])), tolerance = 1e-15)
})

test_that("a method object prints its settings", {
  expect_snapshot(iem(blocks = 20))
  expect_snapshot(gibbs(prior = emix_prior(alpha = 0.1), burnin = 100, draws = 200))
  expect_snapshot(em())
})
