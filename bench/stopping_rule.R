# Where the stopping rules stop: iterations, E-steps and the distance of the
# final log-likelihood to the optimum (plain EM to a change of 1e-13 per
# observation, or 20000 iterations), for the rules "relative" and "mean"
# (former defaults) and "aitken" (the default), with plain EM, and for the
# default (the Aitken rule with accelerated EM), all at tol 1e-8, on
# faithful, iris and workload W1.
# Usage: Rscript bench/stopping_rule.R   (about half a minute)
library(emix)
source("bench/workloads.R")
w1 <- make_workload(1e5, 5, 5)
sets <- list(
  faithful = list(x = as.matrix(faithful), k = 2, lab = ifelse(faithful$eruptions > 3, 2L, 1L)),
  iris = list(x = as.matrix(iris[1:4]), k = 3, lab = as.integer(iris$Species)),
  W1 = list(x = w1$x, k = 5, lab = w1$labels)
)
rows <- list()
for (name in names(sets)) {
  s <- sets[[name]]
  n <- nrow(s$x)
  fit <- function(rule, tol, max_iter = 1000L, accelerate = FALSE) {
    emix(s$x, k = s$k, init = s$lab, control = emix_control(
      rule = rule, tol = tol, max_iter = max_iter, reg = 0, threads = 1,
      accelerate = accelerate))
  }
  best <- fit("mean", 1e-13, 20000L)
  for (cfg in list(c("relative", 1e-8, FALSE), c("mean", 1e-8, FALSE), c("aitken", 1e-8, FALSE),
                   c("aitken", 1e-8, TRUE))) {
    f <- fit(cfg[1], as.numeric(cfg[2]), accelerate = as.logical(cfg[3]))
    rows[[length(rows) + 1L]] <- data.frame(
      data = name, n = n, rule = cfg[1], accelerated = cfg[3], tol = cfg[2], iter = f$iter,
      esteps = f$esteps, optimum_iter = best$iter, gap = best$loglik - f$loglik,
      gap_per_obs = (best$loglik - f$loglik) / n)
  }
}
print(do.call(rbind, rows), digits = 3)
