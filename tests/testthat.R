library(testthat)
library(emix)

test_check("emix")
