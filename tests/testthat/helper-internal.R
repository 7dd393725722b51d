# Replaces an internal function of emix; returns the function that puts
# the original back (call it with on.exit()).
replace_internal <- function(name, value) {
  ns <- asNamespace("emix")
  old <- get(name, envir = ns)
  unlockBinding(name, ns)
  assign(name, value, envir = ns)
  function() {
    assign(name, old, envir = ns)
    lockBinding(name, ns)
  }
}
