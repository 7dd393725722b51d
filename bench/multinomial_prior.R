# Which default prior lets variational Bayes and ME, started with too many
# components (k = 10), end with the true number of topics on synthetic
# documents? Runs the grid below over a few scenarios and seeds and prints
# the share of fits that found the true number, overall and for the well
# separated scenarios, and the mean number found per scenario.
# Run from the package root: Rscript bench/multinomial_prior.R (about a minute)
library(emix)
source("tests/testthat/helper-multinomial.R") # sim_topics()
scenarios <- list(
  list(n = 300, V = 40, k = 4, length = 30, own = 0.9),
  list(n = 500, V = 200, k = 5, length = 50, own = 0.9),
  list(n = 200, V = 30, k = 3, length = 15, own = 0.9),
  list(n = 400, V = 1000, k = 4, length = 40, own = 0.9),
  # less well separated: 70% of a document's words from its topic's block
  list(n = 300, V = 40, k = 4, length = 30, own = 0.7)
)
# NA: alpha = 1 / k, the Gaussian prior's default
grid <- expand.grid(alpha = c(NA, 0.01), beta = c(1, 2, 5))
rows <- list()
for (sc in scenarios) {
  for (seed in 1:3) {
    sim <- sim_topics(n = sc$n, V = sc$V, k = sc$k, length = sc$length, own = sc$own, seed = seed)
    for (g in seq_len(nrow(grid))) {
      prior <- multinomial_prior(alpha = if (is.na(grid$alpha[g])) 1 / 10 else grid$alpha[g],
                                 beta = grid$beta[g])
      for (method in c("vb", "me")) {
        set.seed(seed)
        fit <- emix(sim$x, k = 10, family = multinomial_mix(),
                    method = switch(method, vb = vb(prior = prior), me = me(prior = prior)))
        rows[[length(rows) + 1L]] <- data.frame(scenario = sprintf("n%d V%d k%d L%d own%g", sc$n, sc$V, sc$k, sc$length, sc$own),
                                                seed, alpha = grid$alpha[g], beta = grid$beta[g],
                                                method, found = fit$occupied, true = sc$k)
      }
    }
  }
}
res <- do.call(rbind, rows)
res$ok <- res$found == res$true
res$alpha <- ifelse(is.na(res$alpha), "1/k", format(res$alpha))
print(stats::aggregate(ok ~ method + alpha + beta, res, mean))
print(stats::aggregate(ok ~ method + alpha + beta, res[!grepl("own0.7", res$scenario), ], mean))
print(stats::aggregate(found ~ method + alpha + beta + scenario, res, mean))
