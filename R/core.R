# The calls into the compiled core (src/run_ffi.c) and the codes it
# defines. Every family and method reaches C through these few functions.

# The codes of the core's enums (status, loop, q-step, stopping rule, data
# kind, registered families), read from C once: C is their one source.
core_codes <- local({
  codes <- NULL
  function(set = NULL) {
    if (is.null(codes)) codes <<- .Call(C_ffi_codes)
    if (is.null(set)) codes else codes[[set]]
  }
})

# The name of status code `code` ("ok", "empty", "collapsed",
# "zero_density", "interrupted").
status_name <- function(code) names(core_codes("status"))[code + 1L]

core_code <- function(set, name) {
  codes <- core_codes(set)
  if (!name %in% names(codes)) {
    stop(sprintf("internal error: no %s code named \"%s\"", set, name), call. = FALSE)
  }
  codes[[name]]
}

# What the C core reads of a method object (see ?emix_method): its loop,
# its q-step and the loop's settings.
method_core <- function(method) {
  setting <- function(name, default) {
    if (is.null(method[[name]])) default else as.integer(method[[name]])
  }
  list(loop = core_code("loop", method$loop), q_step = as.integer(method$q_step),
       blocks = setting("blocks", 0L), burnin = setting("burnin", 0L),
       draws = setting("draws", 1L), thin = setting("thin", 1L))
}

# A named list of numeric blocks as the core reads them: doubles, with
# their dimensions kept; NULL entries dropped.
double_blocks <- function(blocks) {
  blocks <- blocks[!vapply(blocks, is.null, NA)]
  lapply(blocks, function(b) {
    storage.mode(b) <- "double"
    b
  })
}

# One fit of the family named c_name (with its settings) from `start`.
core_run <- function(c_name, settings, x, weights, start, k, core, method, prior = NULL) {
  .Call(C_ffi_run, c_name, as.double(settings), x, weights, start, as.integer(k), core,
        method, if (!is.null(prior)) double_blocks(prior))
}

# The E-step at given parameters (a named list of the family's blocks).
core_estep <- function(c_name, settings, parameters, x, weights, threads) {
  .Call(C_ffi_estep, c_name, as.double(settings), double_blocks(parameters), x, weights,
        as.integer(threads))
}

# The exact M-step from responsibilities z.
core_mstep <- function(c_name, settings, x, weights, z, core) {
  .Call(C_ffi_mstep, c_name, as.double(settings), x, weights, z, core)
}
