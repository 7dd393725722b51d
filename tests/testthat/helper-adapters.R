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
    x = x, w = NULL, labels = lab, k = k, model = as.double(emix:::model_code("VVV")), core = core,
    prior = emix:::double_blocks(unclass(emix:::resolve_prior(NULL, x, NULL, k, "VVV"))),
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
    perm = 2:1,
    # the statistics of the fit's E-step, as one flat block
    stats = .Call(emix:::C_ffi_stats, "gaussian", 5, list(pro = fit$pro, mean = unname(fit$mean),
                                                         sigma = unname(fit$sigma)), x, NULL, 1L)$stats
  )
}

# The routines, each with the names of the fields of adapter_args() it
# reads (the ones the fuzz tests change) and how it builds its arguments
# from them: the generic routines take the family by name, its settings
# (the model code; with the noise, also log V), the parameters as a list of
# blocks and the method as a list of its loop's settings.
method_list <- function(loop, q_step, blocks = 0L, burnin = 0L, draws = 1L, thin = 1L) {
  list(loop = loop, q_step = q_step, blocks = blocks, burnin = burnin, draws = draws,
       thin = thin)
}
parameter_list <- function(a) {
  p <- list(pro = a$pro, mean = a$mean, sigma = a$sigma, log_weight = a$log_weight,
            chol = a$chol)
  p[!vapply(p, is.null, NA)]
}
adapter_routines <- list(
  estep = list(fun = "C_ffi_estep",
               args = c("x", "w", "pro", "mean", "sigma", "model", "threads", "log_weight",
                        "chol"),
               call = function(a) list("gaussian", a$model, parameter_list(a), a$x, a$w,
                                       a$threads)),
  mstep = list(fun = "C_ffi_mstep", args = c("x", "w", "z", "model", "core"),
               call = function(a) list("gaussian", a$model, a$x, a$w, a$z, a$core)),
  run = list(fun = "C_ffi_run", args = c("x", "w", "labels", "k", "model", "core"),
             call = function(a) list("gaussian", a$model, a$x, a$w, a$labels, a$k, a$core,
                                     method_list(0L, 0L), NULL)),
  noise = list(fun = "C_ffi_run",
               args = c("x", "w", "noise_start", "k", "model", "core", "noise_log_volume"),
               call = function(a) list("gaussian_noise", c(a$model, a$noise_log_volume), a$x,
                                       a$w, a$noise_start, a$k + 1L, a$core,
                                       method_list(0L, 0L), NULL)),
  bayes = list(fun = "C_ffi_run", args = c("x", "w", "labels", "k", "model", "core", "prior"),
               call = function(a) list("gaussian", a$model, a$x, a$w, a$labels, a$k, a$core,
                                       method_list(2L, 0L), a$prior)),
  gibbs = list(fun = "C_ffi_run",
               args = c("x", "w", "labels", "k", "model", "core", "prior", "sampling"),
               call = function(a) list("gaussian", a$model, a$x, a$w, a$labels, a$k, a$core,
                                       method_list(3L, 2L, 0L, a$sampling[1], a$sampling[2],
                                                   a$sampling[3]), a$prior)),
  stats = list(fun = "C_ffi_stats", args = c("x", "w", "pro", "mean", "sigma", "model"),
               call = function(a) list("gaussian", a$model, parameter_list(a), a$x, a$w,
                                       a$threads)),
  merge = list(fun = "C_ffi_stats_merge", args = c("k", "model", "stats"),
               call = function(a) list("gaussian", a$model, a$k, ncol(a$x), a$stats, a$stats)),
  mstep_stats = list(fun = "C_ffi_mstep_stats", args = c("k", "model", "stats", "core"),
                     call = function(a) list("gaussian", a$model, a$k, ncol(a$x), a$stats,
                                             a$core)),
  nonfinite = list(fun = "C_ffi_first_nonfinite", args = "x", call = function(a) list(a$x)),
  moments = list(fun = "C_ffi_col_moments", args = c("x", "w"),
                 call = function(a) list(a$x, a$w)),
  draw = list(fun = "C_ffi_draw_labels", args = c("z", "u"), call = function(a) list(a$z, a$u)),
  seed = list(fun = "C_ffi_kmeans_seed", args = c("x", "w", "inv_var", "k", "mode"),
              call = function(a) list(a$x, a$w, a$inv_var, a$k, a$mode)),
  lloyd = list(fun = "C_ffi_kmeans_lloyd",
               args = c("x", "w", "inv_var", "centres", "max_iter", "threads"),
               call = function(a) list(a$x, a$w, a$inv_var, a$centres, a$max_iter, a$threads)),
  scale = list(fun = "C_ffi_robust_scale", args = c("x", "w"), call = function(a) list(a$x, a$w)),
  permute = list(fun = "C_ffi_permute_columns", args = c("z", "perm"),
                 call = function(a) list(a$z, a$perm))
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
  do.call(.Call, c(list(get(routine$fun, envir = asNamespace("emix"))), routine$call(a)))
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
  run <- res
  if (is.null(run$status)) {
    return(NULL)
  }
  # the proportions: of the fit, or k x draws of a Gibbs run
  run$pro <- if (!is.null(run$draws)) run$draws$pro else run$parameters$pro
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
