# How closely emix's EM agrees with mclust's for each of the fourteen
# covariance models, from the same start: faithful and iris[1:4], k = 2 and
# 3, the k-means labels of kmeans(x, k, nstart = 5) after set.seed(1).
# Both run exact EM (no ridge) with mclust's relative stopping rule at
# 1e-12; mclust's inner iterations are tightened to 1e-15 (its rule is on
# its objective, whose change is the square of the parameters'), emix's
# stay at their default.
#
# Prints, per model and data set, the relative difference of the
# log-likelihoods ((emix - mclust) / |mclust|: positive when emix is
# higher) and the largest differences of the means and covariances
# (relative to the largest entry). Takes a few seconds.
#
# Usage: Rscript bench/mclust_agreement.R

suppressPackageStartupMessages(library(emix))
if (!requireNamespace("mclust", quietly = TRUE)) stop("this script needs mclust", call. = FALSE)

data_sets <- list(faithful = as.matrix(faithful), iris = as.matrix(iris[1:4]))
models <- c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE",
            "EEV", "VEV", "EVV", "VVV")

# the components of a fit in one order: decreasing proportion, ties by the
# first mean
ordered <- function(pro, mean, sigma) {
  o <- order(-pro, mean[, 1])
  list(mean = mean[o, , drop = FALSE], sigma = sigma[, , o, drop = FALSE])
}

relative <- function(a, b) max(abs(a - b)) / max(abs(b))

rows <- list()
for (name in names(data_sets)) {
  x <- data_sets[[name]]
  for (k in 2:3) {
    set.seed(1)
    lab <- kmeans(x, k, nstart = 5)$cluster
    for (model in models) {
      fit <- emix(x, k = k, model = model, init = lab,
                  control = emix_control(reg = 0, tol = 1e-12, max_iter = 5000,
                                         rule = "relative"))
      mc <- getExportedValue("mclust", paste0("me", model))(
        data = x, z = mclust::unmap(lab),
        control = mclust::emControl(tol = c(1e-12, 1e-15), itmax = c(5000, 5000)))
      ours <- ordered(fit$pro, unname(fit$mean), unname(fit$sigma))
      theirs <- ordered(as.numeric(mc$parameters$pro), t(unname(mc$parameters$mean)),
                        unname(mc$parameters$variance$sigma))
      rows[[length(rows) + 1L]] <- data.frame(
        data = name, k = k, model = model,
        loglik = (fit$loglik - mc$loglik) / abs(mc$loglik),
        mean = relative(ours$mean, theirs$mean),
        sigma = relative(ours$sigma, theirs$sigma)
      )
    }
  }
}
table <- do.call(rbind, rows)

cat("| model |", paste(sprintf("%s k=%d loglik | mean | sigma", table$data, table$k)[
  !duplicated(paste(table$data, table$k))], collapse = " | "), "|\n")
cat("|---|", paste(rep("---|---|---", 4), collapse = "|"), "|\n", sep = "")
for (model in models) {
  part <- table[table$model == model, ]
  cells <- sprintf("%.1e | %.0e | %.0e", part$loglik, part$mean, part$sigma)
  cat("|", model, "|", paste(cells, collapse = " | "), "|\n")
}
cat("\nloglik: (emix - mclust) / |mclust| (positive: emix higher); mean, sigma: the largest",
    "difference relative to the largest entry.\n")
