# The main job: fit a mixture to a data set shipped with R, print it and
# draw the log-likelihood trajectory to a PNG.
library(emix)
set.seed(1) # the k-means++ start is random
fit <- emix(~ eruptions + waiting, data = faithful, k = 2, model = "VVV")
print(fit)
dir.create("out", showWarnings = FALSE)
png("out/loglik.png", width = 800, height = 500)
plot(fit, which = "loglik")
invisible(dev.off())
cat("\nWrote out/loglik.png\n")
