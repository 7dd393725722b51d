# Synthetic documents for the multinomial benchmarks: a sparse document-term
# count matrix drawn from a mixture of k topics, one topic per document.
#
# make_documents(n, V, k, seed) returns list(x = n x V Matrix::dgCMatrix of
# word counts (columns named w00001, ...), labels = the topic each document
# was drawn from (1..k), prob = the k x V word probabilities, pro = the topic
# proportions). The recipe is fixed (seed, calls and their order), so the
# same arguments give the same matrix on every run with the same R:
#
# * words are ranked 1..V by a background frequency proportional to
#   1 / rank (Zipf), which every topic shares: common words are common in
#   every topic, as in real text;
# * topic c has its own vocabulary, a random 3 V / k words (so each word
#   belongs to about three topics' vocabularies and the topics overlap),
#   weighted Zipf-like (1 / position^0.8) in a random order; its word
#   probabilities are a Dirichlet draw about the mean 0.9 background + 0.1
#   own vocabulary (`own_share`), with concentration 10 V (a word of mean
#   probability p varies by a relative 1 / sqrt(10 V p): little for common
#   words, about as much as its mean for the rarest);
# * topic proportions rise linearly from 1 to 2 (the largest topic has twice
#   the documents of the smallest);
# * each document draws a target number of distinct words, log-normal with
#   mean 50 (sd of the log 0.4), and the number of tokens that gives that
#   many distinct words on average under its topic; its tokens are a
#   multinomial draw from the topic's probabilities.
#
# At n = 1e5, V = 2e4, k = 20 that is about 5e6 nonzeros. The topics
# overlap: the true topic of about 95% of the documents is also the most
# probable one under the true parameters (the best any clustering can do;
# with own_share = 0.2 it is 99%, with 0.05 85%). Run this file to see the
# figures for a size.
#
# Usage: Rscript bench/documents.R [--n=1e5] [--V=2e4] [--k=20] [--seed=20261130]

make_documents <- function(n = 1e5, V = 2e4, k = 20, seed = 20261130L, own_share = 0.1) {
  n <- as.integer(n)
  V <- as.integer(V)
  k <- as.integer(k)
  set.seed(seed)
  background <- 1 / seq_len(V)
  background <- background / sum(background)
  own_size <- min(V, as.integer(ceiling(3 * V / k)))
  prob <- matrix(0, k, V)
  for (c in seq_len(k)) {
    own <- numeric(V)
    own[sample.int(V, own_size)] <- 1 / seq_len(own_size)^0.8
    mean_prob <- (1 - own_share) * background + own_share * own / sum(own)
    draw <- stats::rgamma(V, shape = 10 * V * mean_prob)
    # Dirichlet draw from Gamma variates; the smallest shape is about
    # 9 / log(V) (mean_prob >= 0.9 background), so no word's draw is 0
    prob[c, ] <- draw / sum(draw)
  }
  pro <- seq(1, 2, length.out = k)
  pro <- pro / sum(pro)
  labels <- sample.int(k, n, replace = TRUE, prob = pro)

  distinct <- stats::rlnorm(n, meanlog = log(50) - 0.4^2 / 2, sdlog = 0.4)
  tokens <- integer(n)
  grid <- unique(round(exp(seq(0, log(20 * V), length.out = 200))))
  for (c in seq_len(k)) {
    rows <- which(labels == c)
    # expected distinct words among L tokens: sum_v 1 - (1 - p_v)^L
    expected <- vapply(grid, function(L) sum(-expm1(L * log1p(-prob[c, ]))), 0)
    wanted <- pmin(distinct[rows], max(expected))
    tokens[rows] <- pmax(1L, as.integer(round(stats::approx(expected, grid, wanted)$y)))
  }

  doc <- rep.int(seq_len(n), tokens)
  word <- integer(length(doc))
  for (c in seq_len(k)) {
    at <- which(labels[doc] == c)
    word[at] <- sample.int(V, length(at), replace = TRUE, prob = prob[c, ])
  }
  words <- sprintf("w%0*d", nchar(V), seq_len(V))
  # repeated (document, word) pairs are summed into counts
  x <- Matrix::sparseMatrix(i = doc, j = word, x = 1, dims = c(n, V),
                            dimnames = list(NULL, words))
  colnames(prob) <- words
  list(x = x, labels = labels, prob = prob, pro = pro)
}

# Share of documents whose true topic is also the most probable under the
# true parameters (the Bayes classifier's accuracy).
bayes_accuracy <- function(docs) {
  score <- as.matrix(docs$x %*% t(log(docs$prob)))
  score <- sweep(score, 2L, log(docs$pro), `+`)
  mean(max.col(score, ties.method = "first") == docs$labels)
}

# ---- run as a script -------------------------------------------------------

if (sys.nframe() == 0L) {
  args <- commandArgs(trailingOnly = TRUE)
  size <- list(n = 1e5, V = 2e4, k = 20, seed = 20261130)
  for (a in args) {
    key <- sub("^--([^=]+)=.*$", "\\1", a)
    if (!grepl("^--[^=]+=", a) || !key %in% names(size)) {
      stop(sprintf("unknown option '%s'; use --n=, --V=, --k=, --seed=", a), call. = FALSE)
    }
    size[[key]] <- as.numeric(sub("^--[^=]+=", "", a))
  }
  seconds <- system.time(docs <- make_documents(size$n, size$V, size$k, size$seed))[["elapsed"]]
  x <- docs$x
  nonzero_per_row <- tabulate(x@i + 1L, nbins = nrow(x))
  length_per_row <- Matrix::rowSums(x)
  cat(sprintf("n = %d documents, V = %d words, k = %d topics (seed %d): %.1f s\n",
              nrow(x), ncol(x), max(docs$labels), as.integer(size$seed), seconds))
  cat(sprintf("nonzeros: %d (%.2f%% dense), %.1f MB as a dgCMatrix\n", length(x@x),
              100 * length(x@x) / (as.numeric(nrow(x)) * ncol(x)), utils::object.size(x) / 1e6))
  cat(sprintf("distinct words per document: mean %.1f, quartiles %s, range %d-%d\n",
              mean(nonzero_per_row), paste(stats::quantile(nonzero_per_row, c(0.25, 0.5, 0.75)), collapse = "/"),
              min(nonzero_per_row), max(nonzero_per_row)))
  cat(sprintf("tokens per document: mean %.1f, range %d-%d; words never used: %d\n",
              mean(length_per_row), as.integer(min(length_per_row)), as.integer(max(length_per_row)),
              sum(diff(x@p) == 0L)))
  cat(sprintf("documents per topic: %s\n", paste(tabulate(docs$labels), collapse = " ")))
  cat(sprintf("true topic most probable under the true parameters: %.1f%% of documents\n",
              100 * bayes_accuracy(docs)))
}
