# Valid arguments for every registered .Call routine, on faithful with two
# components, and a check of what a run routine returned. The adapter tests
# and the fuzz tests change one argument at a time from these.
adapter_args <- function() {
  x <- unname(as.matrix(faithful))
  k <- 2L
  lab <- ifelse(x[, 1] > 3, 2L, 1L)
  control <- emix_control()
  core <- emix:::core_control(control, x, NULL)
  fit <- emix(x, k = k, init = lab)
  z <- unname(fit$z)
  list(
    x = x, w = NULL, labels = lab, k = k, model = 5L, core = core,
    prior = emix:::resolve_prior(NULL, x, NULL, k, "VVV"),
    pro = fit$pro, mean = unname(fit$mean), sigma = unname(fit$sigma),
    z = z, sampling = c(5L, 5L, 1L), u = seq(0, 0.99, length.out = nrow(x)),
    log_volume = NA_real_,
    # a run with a noise component: its region's log-volume, and a start
    # with the noise column last
    noise_log_volume = emix:::noise_region(x, NULL)$log_volume,
    noise_start = cbind(0.9 * z, 0.1),
    # the k-means start: scale factors of the distances, seeding mode
    # (k-means++), centres (one row from each cluster), Lloyd updates
    inv_var = 1 / core$start_scale, mode = 0L, centres = x[c(1L, 2L), ], max_iter = 5L,
    perm = 2:1
  )
}

# The routines, each with the names of its arguments in adapter_args().
adapter_routines <- list(
  estep = list(fun = "C_emix_estep_gaussian",
               args = c("x", "w", "pro", "mean", "sigma", "model", "threads", "log_weight",
                        "chol")),
  mstep = list(fun = "C_emix_mstep_gaussian", args = c("x", "w", "z", "model", "core")),
  run = list(fun = "C_emix_run_gaussian",
             args = c("x", "w", "labels", "k", "model", "core", "log_volume")),
  noise = list(fun = "C_emix_run_gaussian",
               args = c("x", "w", "noise_start", "k", "model", "core", "noise_log_volume")),
  bayes = list(fun = "C_emix_run_bayes",
               args = c("x", "w", "labels", "k", "model", "core", "prior")),
  gibbs = list(fun = "C_emix_gibbs_gaussian",
               args = c("x", "w", "labels", "k", "model", "core", "prior", "sampling")),
  nonfinite = list(fun = "C_emix_first_nonfinite", args = "x"),
  moments = list(fun = "C_emix_col_moments_r", args = c("x", "w")),
  draw = list(fun = "C_emix_draw_labels", args = c("z", "u")),
  seed = list(fun = "C_emix_kmeans_seed_r", args = c("x", "w", "inv_var", "k", "mode")),
  lloyd = list(fun = "C_emix_kmeans_lloyd_r",
               args = c("x", "w", "inv_var", "centres", "max_iter", "threads")),
  scale = list(fun = "C_emix_robust_scale_r", args = c("x", "w")),
  permute = list(fun = "C_emix_permute_columns_r", args = c("z", "perm"))
)

# Calls routine `name` with the valid arguments `a`, some replaced by `changes`.
call_adapter <- function(name, a, changes = list()) {
  a$threads <- 1L
  a$log_weight <- NULL
  a$chol <- NULL
  a[names(changes)] <- changes
  # the permutation routine writes z in place: it gets a copy (a double z
  # plus 0 is a new vector with the same attributes)
  if (name == "permute" && is.double(a$z)) {
    a$z <- a$z + 0
  }
  routine <- adapter_routines[[name]]
  args <- lapply(routine$args, function(arg) a[[arg]])
  do.call(.Call, c(list(get(routine$fun, envir = asNamespace("emix"))), args))
}

# NULL when `res`, what routine `name` returned, is sound, or else what is
# wrong: a seeding is distinct row numbers; Lloyd's labels are in
# 1..nrow(centres); a run's status is a code, and a run that succeeded has a
# finite log-likelihood and proportions summing to 1.
adapter_result_problem <- function(res, name) {
  if (name == "seed" && (!is.integer(res) || anyNA(res) || any(res < 1L) ||
                           anyDuplicated(res) > 0L)) {
    return("a seeding is not distinct row numbers")
  }
  if (name == "lloyd" && (!is.integer(res$labels) || anyNA(res$labels) ||
                            any(res$labels < 1L) || any(res$labels > nrow(res$centres)))) {
    return("Lloyd's labels are not in 1..nrow(centres)")
  }
  if (!is.list(res)) {
    return(NULL)
  }
  run <- if (!is.null(res$run)) res$run else res
  if (is.null(run$status)) {
    return(NULL)
  }
  if (!is.integer(run$status) || length(run$status) != 4L) {
    return("status is not four integers")
  }
  # a Gibbs run returns a log-likelihood per draw and proportions k x draws
  if (run$status[1L] == 0L && !is.null(run$loglik) && !is.null(run$pro) &&
      (!all(is.finite(run$loglik)) || any(abs(colSums(as.matrix(run$pro)) - 1) > 1e-10))) {
    return("a run without error status has a non-finite log-likelihood or proportions off 1")
  }
  NULL
}
