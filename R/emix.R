#' Fit a finite mixture by EM
#'
#' `emix()` fits a mixture of `k` components to the rows of a data set by
#' the EM algorithm (Dempster, Laird and Rubin 1977) or one of its
#' relatives, with the E-step and M-step in C. The components are
#' multivariate normal by default; `family` chooses others, such as
#' multinomial components for word counts ([multinomial_mix()]; see
#' [emix_family]).
#' Call it with a one-sided formula and a data frame, as [stats::lm()], or
#' with a numeric matrix or data frame (or, for the multinomial family, a
#' sparse `Matrix::dgCMatrix`).
#'
#' @section The algorithm:
#' The start is an M-step from the responsibilities given by `init`. Each
#' iteration is then an E-step, computed in log space (log-densities from
#' Cholesky factors, a row-wise log-sum-exp for the responsibilities, so no
#' density underflows), fused with the accumulation of weighted sufficient
#' statistics, and an M-step from those statistics. The statistics are
#' accumulated about the current component means and corrected exactly to
#' the new means, so the covariances do not suffer from the cancellation of
#' \eqn{E[x^2] - \mu^2}{E[x^2] - mu^2}. The log-likelihood of every iteration
#' is kept in `trace`; see [emix_control()] for the stopping rule, the ridge
#' and the policy for degenerate components.
#'
#' @section The bound:
#' For any distribution \eqn{q} over the component labels,
#' \deqn{\log p(x \mid \theta) = F(q, \theta) + \mathrm{KL}(q \,\|\, p(z \mid x, \theta)),
#'   \quad F(q, \theta) = E_q[\log p(x, z \mid \theta)] + H(q),}{log p(x | theta) = F(q, theta) + KL(q || p(z | x, theta)),  F(q, theta) = E_q[log p(x, z | theta)] + H(q),}
#' so \eqn{F} is a lower bound on the log-likelihood. The E-step sets
#' \eqn{q_t} to the posterior at \eqn{\theta_t}, where the bound touches the
#' log-likelihood; the M-step raises \eqn{F(q_t, \cdot)} to
#' \eqn{F(q_t, \theta_{t+1})}, and the log-likelihood at \eqn{\theta_{t+1}}
#' lies above that by the Kullback-Leibler divergence. Row \eqn{t \ge 1} of
#' `trace` holds `bound` \eqn{= F(q_{t-1}, \theta_t)}, computed from the
#' sufficient statistics, and `gap` \eqn{= \log p(x \mid \theta_t) - F(q_{t-1}, \theta_t) \ge 0}.
#' With `reg = 0` every step keeps
#' \eqn{\ell_{t-1} \le F(q_{t-1}, \theta_t) \le \ell_t}; `plot(fit, which = "bound")`
#' draws it. A row of accelerated EM whose parameters were proposed rather
#' than made by an M-step (column `accelerated`, see *Methods*) has the same
#' `bound`, \eqn{F(q_{t-1}, \theta_t)} with \eqn{q_{t-1}} the posterior of
#' the row before: still a lower bound on its log-likelihood (`gap`
#' \eqn{\ge 0}), but not above \eqn{\ell_{t-1}}, since no M-step raised it.
#' A row made by EM's step from a rejected jump (SQUAREM's stabilising step)
#' has \eqn{F(q', \theta_t)}, with \eqn{q'} the posterior at the jump,
#' which is no row: again below the row's log-likelihood. The rows of
#' Anderson acceleration's proposals are of the first kind.
#'
#' @section Methods:
#' `method` takes a method object, which carries the method's own settings
#' (`method = iem(blocks = 20)`, `method = vb(prior = emix_prior(alpha = 0.01))`;
#' see [emix_method]), or its name for the method with its defaults
#' (`method = "vb"`). The fit's class is `c("emix_<name>", "emix")`.
#' * `"em"`: EM. The E-step gives each row its posterior probabilities
#'   (responsibilities); the objective is the log-likelihood, which never
#'   decreases. By default (`emix_control(accelerate = TRUE)`) it is
#'   accelerated, in two phases that hand over to each other; both work on
#'   the parameters in units of the data's robust scales, so that the path
#'   does not depend on the units, and both keep a proposed parameter only
#'   when its log-likelihood is at least that of the row before, so the
#'   trace never falls. A proposal that is no parameter (a proportion
#'   \eqn{\le 0}, a covariance that is not positive definite) is refused.
#'   Where the M-step maximises a penalised likelihood, the ridge `reg > 0`
#'   or the multinomial family's `smooth > 0`, EM raises that, not the
#'   log-likelihood, which can then fall slightly along the trace of plain
#'   and accelerated EM alike; proposals are judged on the log-likelihood
#'   plus the multinomial family's log prior (the ridge's penalty is left
#'   out: it is of the order of `reg`).
#'   - Squared extrapolation (SQUAREM, Varadhan and Roland 2008, scheme S3)
#'     starts the fit. Each cycle takes two EM steps,
#'     \eqn{\theta_1 = G(\theta_0)} and \eqn{\theta_2 = G(\theta_1)}, and jumps
#'     along the path they take,
#'     \eqn{\theta' = \theta_0 + 2\alpha r + \alpha^2 v}{theta' = theta0 + 2 alpha r + alpha^2 v}
#'     with \eqn{r = \theta_1 - \theta_0}{r = theta1 - theta0},
#'     \eqn{v = \theta_2 - 2\theta_1 + \theta_0}{v = theta2 - 2 theta1 + theta0} and
#'     \eqn{\alpha = |r| / |v|}{alpha = |r| / |v|}, capped, the cap growing
#'     fourfold when a step at the cap is kept. The jump is kept when its
#'     log-likelihood is at least \eqn{\theta_1}'s; else EM's step from it is
#'     kept if that is; else the cycle ends at \eqn{\theta_2}.
#'   - Anderson acceleration (Anderson 1965; Walker and Ni 2011; for EM,
#'     Henderson and Varadhan 2019) takes over once the cap has grown to 16,
#'     that is once a jump four times as long as EM's step has been kept,
#'     and EM is seen to converge (its rates below 1, see
#'     [emix_control()]): EM is then moving slowly along a straight path.
#'     From the last 10 EM steps it
#'     fits a secant model of EM's map and proposes that model's fixed
#'     point, one E-step per iteration, as EM's own step costs. At its first
#'     refused proposal it takes EM's step and hands back to squared
#'     extrapolation, which handles the bends of EM's path better.
#'
#'   For the covariance models whose constraint is not linear (`"VEI"`,
#'   `"EVI"`, `"VEE"`, `"EVE"`, `"VVE"`, `"EEV"`, `"VEV"`, `"EVV"`) a
#'   proposal's covariances are first taken back into the model by the
#'   model's own fit to them, weighted by the proportions. `esteps` counts
#'   the E-steps, those of refused proposals included. Where EM converges
#'   slowly (overlapping components) this takes several times fewer E-steps
#'   than plain EM (`bench/acceleration.R`); where EM converges in a few
#'   iterations it changes little. Over 74 test problems it took 9171
#'   E-steps where squared extrapolation alone took 11486: up to 3.9 times
#'   fewer on slowly converging data, as many on 28 quick problems, at worst
#'   1.6 times more (and 9336 E-steps after a change in the rounding of the
#'   M-step's sums, which alters the accelerated paths, not where they end).
#'   Anderson acceleration alone took up to twice squared
#'   extrapolation's E-steps on problems of a few thousand rows, its
#'   proposals being refused far from the optimum; hence the two phases. A
#'   proposal can carry the fit into another basin than plain EM's from the
#'   same start: over the model-selection grids of `faithful` and `iris`
#'   (252 cells, see [emix_select()]) accelerated EM ended higher than plain
#'   EM in 28 cells and lower in 10, and took 3.5 times fewer
#'   iterations. The fit is an EM fixed point all the same: the trace marks
#'   the rows whose parameters were proposed (column `accelerated`), and
#'   `accelerate = FALSE` gives plain EM, whose path the tests compare step
#'   by step with references.
#' * `"cem"`: classification EM (Celeux and Govaert 1992), EM with \eqn{q}
#'   restricted to point masses: after each E-step every row is given wholly
#'   to its most probable component (a tie keeps the row's current
#'   component), and the M-step refits from that partition. The objective is
#'   the classification log-likelihood \eqn{\sum_i w_i \log(\pi_{z_i} f_{z_i}(x_i))},
#'   which never decreases; the fit also stops when no row changes component,
#'   so it ends after finitely many iterations. With `"EII"` it is k-means
#'   with a common variance and estimated proportions. It is faster than EM
#'   but biased when the components overlap, and small components tend to
#'   empty. It is not accelerated: its map jumps between partitions, so no
#'   secant model of it holds, and it ends after finitely many steps anyway.
#' * `"sem"`: stochastic EM (Celeux and Diebolt 1985): after each E-step every
#'   row is given to a component drawn from its responsibilities (an S-step,
#'   with R's random number generator, so [set.seed()] reproduces the fit),
#'   and the M-step refits from that partition. The parameters form a Markov
#'   chain around the maximum-likelihood estimate that does not settle:
#'   `tol` is ignored, exactly `max_iter` iterations run, and the parameters
#'   of the last one are returned. The objective is the log-likelihood of
#'   each draw's parameters, which may go down as well as up; it is less
#'   prone than EM to stay near a saddle point or a poor local maximum.
#'
#' * `"iem"`: incremental EM (Neal and Hinton 1998). The rows are cut into
#'   `blocks` blocks (`method = iem(blocks = 20)`); each step is an E-step on one block
#'   followed by an M-step from the running total of the statistics, in which
#'   that block's old contribution is replaced by its new one. Every step
#'   raises the free energy \eqn{F}; a sweep visits every block once. The
#'   objective is \eqn{F} after each sweep, and the stopping rule is applied
#'   to it; `loglik` in the trace is known only at the start and at the end
#'   (`NA` in between). It reaches the maximum EM reaches, often in fewer
#'   passes over the data. It runs on one thread. It is not accelerated: its
#'   state is every block's statistics, not the parameters alone, so a
#'   proposed parameter vector would not say what each block holds.
#'
#' * `"vb"`: variational Bayes (Bishop 2006, section 10.2). The parameters
#'   get the conjugate prior of [emix_prior()] (`method = vb(prior = )`), and \eqn{q} is a product
#'   \eqn{q(z) q(\theta)}: the E-step computes \eqn{q(z)} from expected
#'   log-densities under \eqn{q(\theta)}, and the parameter step is the
#'   conjugate posterior update from the weighted statistics of \eqn{q(z)}.
#'   The objective is the evidence lower bound (ELBO)
#'   \eqn{\le \log p(x)}, computed after each parameter step in its compact
#'   form (every data term cancels into normalising constants), and it never
#'   decreases. Started with more components than needed, the surplus ones
#'   are emptied: their weight drains away and they keep their prior. The
#'   returned `pro`, `mean` and `sigma` are the posterior means of the
#'   proportions and the means and \eqn{E[\Lambda_c]^{-1}} (the inverse of
#'   the expected precision); `z` is \eqn{q(z)}; `occupied` counts the
#'   components holding at least half an observation's weight. It is not
#'   accelerated: that would need the conjugate posterior as a vector the
#'   family can take back, which the families do not give (yet); the
#'   Aitken rule does apply to its ELBO.
#' * `"me"`: maximization-expectation (Kurihara and Welling 2009, "Bayesian
#'   k-means"): variational Bayes with \eqn{q(z)} restricted to point masses.
#'   Each row goes to the component with the largest expected log-density
#'   under \eqn{q(\theta)}, and \eqn{q(\theta)} is then the exact posterior
#'   given that partition. The objective is the log evidence of the partition,
#'   \eqn{\log p(x, z)}, with the parameters integrated out; it never
#'   decreases. The sweeps stop when no row moves (`tol` is not used); then
#'   the pair of components whose merger raises \eqn{\log p(x, z)} most is
#'   merged and the sweeps resume, until no merger raises it (each merger
#'   counts as an iteration of `max_iter`, and the trace marks it in a
#'   column `merge`). Components that lose all their rows stay empty;
#'   `occupied` counts the others.
#' * `"gibbs"`: Gibbs sampling under the same prior. Each sweep draws the
#'   parameters from their posterior given the labels (the proportions from a
#'   Dirichlet, each covariance by Bartlett's construction of the Wishart,
#'   each mean from a normal), then every label from its posterior given the
#'   parameters. `gibbs(burnin, draws, thin)` set the length of the
#'   chain; all draws come from R's random number generator, so [set.seed()]
#'   reproduces the chain. The objective is the log-likelihood of each draw.
#'   The kept draws are in `draws`. Because the components can swap labels
#'   from one draw to the next, summaries that do not depend on the labels
#'   are the ones to read: [coclustering()], the number of occupied
#'   components per draw, and the posterior predictive density
#'   (`predict(fit, type = "density")`). The returned `pro`, `mean` and
#'   `sigma` are those of the kept draw with the largest log-likelihood,
#'   `z` the posterior probabilities there. It draws one label per row, so
#'   it takes no `weights` (repeat the rows instead), and one chain per call
#'   (`nstart = 1`).
#'
#' The Bayesian methods `"vb"`, `"me"` and `"gibbs"` take the models `"VII"`,
#' `"VVI"` and `"VVV"` (see *Covariance models*); they never stop on an
#' empty component.
#'
#' For `"cem"` and `"sem"`, `z` still holds the posterior probabilities at
#' the returned parameters and `loglik` the log-likelihood there, and `bound`
#' in the trace is the classification log-likelihood of the partition after
#' the M-step (the free energy of a point mass, whose entropy is 0).
#'
#' @section Covariance models:
#' `model` takes mclust's names (Banfield and Raftery 1993; Celeux and
#' Govaert 1995; Fraley and Raftery 2002). Each covariance is
#' \eqn{\Sigma_c = \lambda_c D_c A_c D_c^\top}{Sigma_c = lambda_c D_c A_c D_c'}:
#' a volume \eqn{\lambda_c = \det(\Sigma_c)^{1/d}}{lambda_c = det(Sigma_c)^(1/d)},
#' a shape \eqn{A_c} (diagonal, determinant 1) and an orientation
#' \eqn{D_c} (orthogonal). The three letters of a name say, in that order,
#' whether the volume, the shape and the orientation are equal across
#' components (E), vary (V) or are the identity (I: a spherical shape, or
#' the variables' axes as orientation). `summary()` shows the fitted
#' covariances in this form. The aliases of scikit-learn are accepted:
#' `"spherical"` is `"VII"`, `"diag"` is `"VVI"`, `"tied"` is `"EEE"` and
#' `"full"` is `"VVV"`.
#'
#' | model | \eqn{\Sigma_c} | description | covariance df |
#' |---|---|---|---|
#' | `"EII"` | \eqn{\lambda I}{lambda I} | spherical, equal volume | \eqn{1} |
#' | `"VII"` | \eqn{\lambda_c I}{lambda_c I} | spherical, varying volume | \eqn{k} |
#' | `"EEI"` | \eqn{\lambda A}{lambda A} | diagonal, equal volume and shape | \eqn{d} |
#' | `"VEI"` | \eqn{\lambda_c A}{lambda_c A} | diagonal, varying volume, equal shape | \eqn{k + d - 1} |
#' | `"EVI"` | \eqn{\lambda A_c}{lambda A_c} | diagonal, equal volume, varying shape | \eqn{1 + k(d - 1)} |
#' | `"VVI"` | \eqn{\lambda_c A_c}{lambda_c A_c} | diagonal, varying volume and shape | \eqn{kd} |
#' | `"EEE"` | \eqn{\lambda D A D^\top}{lambda D A D'} | ellipsoidal, equal volume, shape and orientation | \eqn{a} |
#' | `"VEE"` | \eqn{\lambda_c D A D^\top}{lambda_c D A D'} | ellipsoidal, varying volume, equal shape and orientation | \eqn{a + k - 1} |
#' | `"EVE"` | \eqn{\lambda D A_c D^\top}{lambda D A_c D'} | ellipsoidal, equal volume and orientation, varying shape | \eqn{a + (k - 1)(d - 1)} |
#' | `"VVE"` | \eqn{\lambda_c D A_c D^\top}{lambda_c D A_c D'} | ellipsoidal, varying volume and shape, equal orientation | \eqn{a + (k - 1)d} |
#' | `"EEV"` | \eqn{\lambda D_c A D_c^\top}{lambda D_c A D_c'} | ellipsoidal, equal volume and shape, varying orientation | \eqn{ka - (k - 1)d} |
#' | `"VEV"` | \eqn{\lambda_c D_c A D_c^\top}{lambda_c D_c A D_c'} | ellipsoidal, varying volume and orientation, equal shape | \eqn{ka - (k - 1)(d - 1)} |
#' | `"EVV"` | \eqn{\lambda D_c A_c D_c^\top}{lambda D_c A_c D_c'} | ellipsoidal, equal volume, varying shape and orientation | \eqn{ka - (k - 1)} |
#' | `"VVV"` | \eqn{\lambda_c D_c A_c D_c^\top}{lambda_c D_c A_c D_c'} | ellipsoidal, varying volume, shape and orientation | \eqn{ka} |
#'
#' Here \eqn{a = d(d + 1)/2}; `df` adds \eqn{k - 1} proportions and
#' \eqn{kd} means, as mclust's `nMclustParams()` counts. The names, words
#' and counts are read from one table in the compiled code.
#'
#' The M-step of `"VEI"`, `"VEE"`, `"EVE"`, `"VVE"` and `"VEV"` has no
#' closed form and iterates, as in mclust (see [emix_control()], section
#' *Inner iterations*). For `"VVE"` emix's M-step finds a higher likelihood
#' than mclust's, whose orientation update leaves out the volumes and so
#' stops short of the optimum: from the same start the two fits differ, and
#' emix's log-likelihood is the higher.
#'
#' Every model works with `"em"`, `"cem"`, `"sem"` and `"iem"`, and with a
#' noise component; `"vb"`, `"me"` and `"gibbs"` take `"VII"`, `"VVI"` and
#' `"VVV"`, whose conjugate priors they use.
#'
#' With one variable the fourteen models reduce to two, and as in mclust
#' they are named `"E"` (one variance shared by the components: the models
#' whose volume is E give it too) and `"V"` (a variance per component: the
#' models whose volume is V give it too, and it is the default). The fit's
#' `model` is then `"E"` or `"V"`, and `df` counts its parameters.
#'
#' @section Starting values:
#' Distances for the k-means starts are those of the standardised data
#' (each variable divided by its standard deviation), so the variables weigh
#' alike; they are computed in C from the data as they are.
#' * `"kmeans++"` (the default, but for one variable):
#'   `emix_control(seeds = )` (10) k-means++
#'   seedings (Arthur and Vassilvitskii 2007: the first centre drawn in
#'   proportion to the weight, each next one in proportion to the weight
#'   times the squared distance to the nearest centre already drawn) are
#'   screened on one random subsample of \eqn{\max(2000, 200k)}{max(2000, 200 k)}
#'   rows (all rows if there are fewer): each is refined there by at most 5
#'   weighted Lloyd (k-means) steps, and the centres with the least
#'   within-cluster sum of squares partition all rows by nearest centre.
#'   That is the start. A partition with a cluster of fewer rows than a
#'   component needs (see [emix_control()], *Degenerate components*) is
#'   passed over for the next best, and if every one is, as many random
#'   seedings are screened the same way: k-means++ favours far-out rows,
#'   which would end alone. Screening several seeds avoids most of the poor local
#'   maxima a single seed leads to, at a small fraction of the cost of EM.
#' * `"random"`: `k` distinct observations drawn at random (in proportion to
#'   their weights) as centres; the start is the partition by nearest centre.
#' * `"quantile"`, for one variable only: the values cut into `k` groups of
#'   equal weight in sorted order, each block of tied values placed by the
#'   middle of its weight (mclust's start for one variable). It is the
#'   default start for one variable: on skewed data k-means leaves far-out
#'   values alone in a group, which then holds too few observations
#'   (`islands`, for example). With `nstart > 1` it is the first start and
#'   the others are `"kmeans++"` starts; if ties leave a group empty, the
#'   start is `"kmeans++"`.
#' * `"hc"`: model-based hierarchical agglomeration (Banfield and Raftery
#'   1993; Fraley 1998) under the model `"VVV"`, mclust's default start:
#'   each step merges the two clusters whose merge lowers the regularised
#'   VVV classification likelihood least (mclust's `hcVVV()` criterion with
#'   its `alpha = 1`, `beta = 1`, and its order on ties), so the start is
#'   deterministic. It runs in mclust's coordinates (`hcUse = "SVD"`): the
#'   standardised variables on their principal axes, each axis divided by
#'   the square root of its singular value; the partitions are those of
#'   `mclust::hc(modelName = "VVV", use = "SVD")`. A weight counts as that
#'   many rows (the weights must sum to more than 1). On more than 2000
#'   rows (of positive weight) it agglomerates a random subset of 2000 (as
#'   mclust does), and every other row joins the nearest centre of their
#'   `k` clusters. With `nstart > 1` it is the first start and the others
#'   are `"kmeans++"` starts.
#' * a vector of labels in `1..k`, or a factor with `k` levels, one per row
#'   used (after `subset` and `na.action`), each label used at least once;
#' * an `n x k` matrix of responsibilities, rows summing to 1; or
#' * parameters: a fitted `"emix"` object, or a list with `pro` (`k`
#'   positive proportions summing to 1), `mean` (a `k x d` matrix, one row per
#'   component) and `sigma` (a `d x d x k` array of symmetric positive
#'   definite matrices), as in mclust's `em(parameters = )` or
#'   scikit-learn's `means_init`. The start is the E-step at those
#'   parameters (their covariances taken as full matrices, whatever
#'   `model`); from a converged fit EM stops after one iteration. When `k` is
#'   not given it is the number of components of the parameters.
#'
#' All randomness comes from R's random number generator, so [set.seed()]
#' makes a fit reproducible. With `nstart > 1`, that many random starts are
#' run and the fit with the largest objective (see the section *Methods*) is
#' kept. A start that ends in a degenerate state (an empty or collapsed
#' component, see [emix_control()]) is recorded in `start_errors` and the
#' others go on; only when every start fails is it an error, of class
#' `"emix_error_starts"` (also `"emix_error_degenerate"`), whose message
#' counts the reasons and whose field `errors` holds each start's error.
#'
#' @section Order of the components:
#' The components of a fit are numbered by decreasing mixing proportion,
#' ties broken by the mean of the first variable, so that the same maximum
#' reached from different starts is reported the same way. For `"vb"` and
#' `"me"` the fields of `posterior` follow the same order (empty components
#' come last). A Gibbs sampler's labels may switch from draw to draw, so for
#' `"gibbs"` it is the start that is put in this order.
#'
#' @section Noise:
#' With `noise = TRUE` (or a logical vector) the mixture gets a noise
#' component (Banfield and Raftery 1993; Fraley and Raftery 2002), for
#' outliers and scattered rows that no normal component should have to
#' absorb: a uniform density \eqn{1/V} with its own proportion \eqn{\pi_0},
#' \deqn{f(x) = \sum_{c=1}^k \pi_c \phi(x; \mu_c, \Sigma_c) + \pi_0 / V, \quad \pi_0 + \sum_c \pi_c = 1,}{f(x) = sum_c pro[c] phi(x; mean[c, ], sigma[, , c]) + pro0 / V,}
#' fitted by the same EM: the E-step gives every row a posterior probability
#' of being noise, and the M-step sets \eqn{\pi_0} to the share of that
#' posterior weight and the normal components from the rest. Methods
#' `"em"`, `"cem"`, `"sem"` and `"iem"` take it; `"vb"`, `"me"` and
#' `"gibbs"` do not.
#'
#' \eqn{V} is the volume of the region the noise is uniform on. By default,
#' as mclust's `hypvol()`, it is the smaller of the volume of the data's
#' bounding box and that of its box along the principal axes (of the
#' weighted covariance), over the rows of positive weight. `noise_volume`
#' sets it instead (say, the volume of the region where an instrument can
#' measure); the noise's box is then the bounding box scaled about its
#' centre to that volume. The box is kept in `noise$box` for [simulate()];
#' elsewhere, as in mclust, the noise density is taken to be \eqn{1/V}
#' everywhere.
#'
#' The initial noise rows are the `TRUE` rows of a logical `noise` (as
#' mclust's `initialization$noise`), or a last column of an `init` matrix
#' with `k + 1` columns (with `noise = TRUE`; when `k` is not given, such a
#' matrix's last column is taken to be the noise). With `noise = TRUE` they are guessed: a row is
#' initial noise when its squared robust distance to the data's
#' coordinatewise median, in units of the median absolute deviations,
#' exceeds the chi-square 0.999 quantile on \eqn{d} degrees of freedom.
#' Several clusters spread the median absolute deviations, so this marks
#' only rows far from the bulk of the data; noise scattered among the
#' clusters is left to EM. Every other row keeps a noise responsibility of
#' \eqn{1/n}, so that \eqn{\pi_0} starts positive even when no row is
#' marked (a proportion that starts at 0 stays at 0). The start of the
#' normal components (`init`) is drawn from the rows not marked (labels or
#' a matrix given as `init` still have one row per data row; those of the
#' marked rows are not used); the k-means starts weigh the variables by
#' the variances of those rows, and the ridge `reg` and the yardstick of
#' collapse are relative to their robust scales (each row weighted by its
#' initial share of the normal components).
#'
#' The noise adds one free parameter (\eqn{\pi_0}) to `df` (mclust adds
#' two, counting \eqn{V} as estimated too). Rows whose most
#' probable component is the noise have `classification` 0.
#'
#' @section Weights:
#' `weights` are non-negative real observation weights with frequency
#' meaning: integer weights give exactly the fit to the data with each row
#' repeated that many times. They scale each row's contribution to the
#' statistics and to the log-likelihood; [nobs()] is their sum.
#'
#' @param x A numeric matrix or a data frame of numeric columns, one row per
#'   observation; or, for the formula method, a one-sided formula such as
#'   `~ .` or `~ a + b` (named `formula`). Column names, if any, must be
#'   distinct and not empty, since [predict.emix()] matches new data by them.
#' @param formula A one-sided formula naming the variables, as for
#'   [stats::model.frame()]. Terms may transform them, such as `log(a)`,
#'   `I(a / 60)` or `poly(a, 2)`: the data are the columns
#'   [stats::model.matrix()] makes of them (without an intercept), and
#'   [predict.emix()] applies them again to new data. Factors and
#'   characters are refused. A formula written as a string must be turned
#'   into one with [stats::as.formula()].
#' @param data A data frame holding the variables of `formula`.
#' @param k Number of components, a whole number \eqn{\ge 1}; by default 2,
#'   or the number of components `init` carries: of parameters, the columns
#'   of a matrix, the levels of a factor or the largest label.
#' @param model Covariance model of the Gaussian family; see the section
#'   *Covariance models*. A shortcut for `family = gaussian_mix(model)`.
#' @param method The inference method: a method object, `em()`, `cem()`,
#'   `sem()`, `iem()`, `vb()`, `me()` or `gibbs()`, which carries the
#'   method's own settings (see [emix_method]), or its name as a string,
#'   `"em"`, `"cem"`, `"sem"`, `"iem"`, `"vb"`, `"me"` or `"gibbs"`, for the
#'   method with its defaults; see the section *Methods*.
#' @param weights Non-negative observation weights, one per row. In the
#'   formula method, evaluated in `data` as in [stats::lm()].
#' @param init How to start; see the section *Starting values*.
#' @param nstart Number of random starts, each a whole fit (the number of
#'   k-means++ seeds screened within one start is `emix_control(seeds = )`).
#' @param control Settings of the fitting loop, common to all methods,
#'   from [emix_control()].
#' @param noise `FALSE` (the default) for a mixture of normals only; `TRUE`
#'   for a uniform noise component with an automatic initial guess of the
#'   noise rows; or a logical vector with one value per row, `TRUE` for the
#'   initial noise rows. See the section *Noise*.
#' @param noise_volume The volume \eqn{V} of the region the noise is
#'   uniform on, a positive number; `NULL` (the default) for the smaller of
#'   the data's bounding box and its principal-axes box.
#' @param subset An optional vector selecting the rows of `data` to use.
#' @param na.action What to do with rows holding `NA`; by default
#'   `getOption("na.action")`, which drops them ([stats::na.omit()]).
#' @param family The components' family: `NULL` (the default) for
#'   [gaussian_mix()] with `model`, or a family object such as
#'   `gaussian_mix("VVI")` or `multinomial_mix(smooth = 0.01)`; see
#'   [emix_family]. As for [stats::glm()], the name (`"multinomial"`) or the
#'   constructor (`multinomial_mix`) gives the family with its defaults. The methods `"vb"`, `"me"` and `"gibbs"` need a family
#'   with a conjugate prior (both of these have one).
#' @param ... Further arguments: for the formula method, those of the
#'   default method (`model`, `method`, `init`, `nstart`, `control`,
#'   `family`, `noise`, `noise_volume`).
#'
#' @return An object of class `c("emix_<method>", "emix")` (such as
#'   `c("emix_vb", "emix")`), a list whose parameters are named as the
#'   family's blocks ([emix_parameters()] returns them; a multinomial fit
#'   has `pro` and `prob` in place of `mean` and `sigma`), with
#' \describe{
#'   \item{`pro`}{mixing proportions, length `k`; with noise, length
#'     `k + 1`, the last named `"noise"`, all summing to 1.}
#'   \item{`mean`}{`k x d` matrix of component means, one row per component
#'     (Gaussian).}
#'   \item{`sigma`}{`d x d x k` array of covariance matrices, whatever the
#'     model (Gaussian).}
#'   \item{`family`}{the family object, as fitted.}
#'   \item{`loglik`}{log-likelihood of the data at the returned parameters.}
#'   \item{`trace`}{data frame with one row per iteration: `iter` (M-steps
#'     taken, or for accelerated EM iterations; 0 is the start), `loglik`,
#'     `objective` (what the method maximises), `change` (of the objective,
#'     from the previous row), `to_limit` (the estimated rise of the
#'     objective still to come, which the Aitken rule judges, see
#'     [emix_control()]: `Inf` where the sequence is not seen to converge
#'     yet, `NA` where it is not estimated: the first two rows, and for
#'     accelerated EM the rows where the rule was not judged), `bound`,
#'     `gap` and `k` (components at that point);
#'     see the sections *Methods* and *The bound*. Accelerated EM adds a
#'     column `accelerated`, `TRUE` where the row's parameters were
#'     proposed: a jump, EM's step from a jump, or a secant proposal. For `"vb"` and `"me"` row \eqn{t} holds
#'     the objective after \eqn{t} parameter steps (row 0: the first update,
#'     from `init`), with `loglik`, `bound` and `gap` `NA`, and for `"me"` a
#'     column `merge`, `TRUE` where two components were merged; for `"gibbs"` row
#'     \eqn{s} is sweep \eqn{s}, with the log-likelihood of its draw, the
#'     number of `occupied` components and whether it was `kept`. The
#'     Gaussian models whose M-step iterates (`"VEI"`, `"VEE"`, `"EVE"`,
#'     `"VVE"`, `"VEV"`) add a column `inner`, the inner iterations of the
#'     M-step that gave the row's parameters (see [emix_control()]).}
#'   \item{`converged`, `iter`}{whether the stopping rule held, and the number
#'     of iterations (for `"gibbs"`: `NA`, and the number of sweeps).}
#'   \item{`esteps`}{the E-steps over all rows the fit took, those of
#'     rejected proposals of accelerated EM included (for `"iem"`, a sweep
#'     counts as one).}
#'   \item{`z`, `classification`}{`n x k` posterior probabilities and their
#'     most probable component; with noise, `z` has a last column `"noise"`
#'     and `classification` is 0 for the rows most probably noise.}
#'   \item{`noise`}{with noise, a list of `volume` (\eqn{V}), `log_density`
#'     (\eqn{-\log V}) and `box` (`lower`, `upper` and `rotation` \eqn{R}:
#'     the box is \eqn{\{x : lower \le x R \le upper\}}); `NULL`
#'     otherwise.}
#'   \item{`k`, `model`, `method`, `n`, `df`}{what was fitted: components,
#'     covariance model, method (its name, such as `"vb"`), rows used and
#'     free parameters.}
#'   \item{`method_settings`}{the method object the fit was made with,
#'     checked, as [em()], [vb()] etc. return it (see [emix_method]):
#'     `method = method_settings` refits with the same method.}
#'   \item{`weights`, `x`, `call`, `terms`, `na.action`, `control`}{what it
#'     was fitted on and how. `x` is the data matrix; a double matrix is kept
#'     as given, not copied, so one without column names that is large (more
#'     than \eqn{10^6} values) stays unnamed, while a smaller one is named
#'     `x1`..`xd`. `colnames(mean)` always names the variables.}
#'   \item{`objective`}{the method's objective at the returned parameters:
#'     the log-likelihood for `"em"` and `"sem"`, the classification
#'     log-likelihood for `"cem"`, the free energy for `"iem"`, the ELBO for
#'     `"vb"`, \eqn{\log p(x, z)} for `"me"`, the log-likelihood of the
#'     returned draw for `"gibbs"`.}
#'   \item{`start`, `start_objective`, `start_errors`}{which start was kept
#'     (the one with the largest objective), the final objective of every
#'     start (`NA` for a start that failed), and the errors of the starts
#'     that failed, a list named by start (`NULL` when none failed).}
#'   \item{`start_traces`}{a list with one element per start: the start's
#'     trace (as `trace`; the kept start's is `trace` itself), or `NULL`
#'     for a start that failed. `plot(fit, which = "starts")` draws them.}
#'   \item{`occupied`}{for `"vb"`, `"me"` and `"gibbs"`: the number of
#'     occupied components (for `"gibbs"`, the most frequent number over the
#'     kept draws); `NULL` otherwise.}
#'   \item{`prior`, `posterior`}{for the Bayesian methods, the prior used
#'     (defaults filled in) and, for `"vb"` and `"me"`, the posterior:
#'     `alpha`, `kappa`, `df`, the weight `N` and the `scale` matrices
#'     \eqn{\Psi_c} of each component (see [emix_prior()]), and `log_weight`,
#'     the expected log weights of the E-step.}
#'   \item{`draws`, `best_draw`}{for `"gibbs"`: the kept draws, a list with
#'     `pro` (draws x k), `mean` (k x d x draws), `sigma`
#'     (d x d x k x draws), `loglik`, `occupied` and `labels` (n x draws),
#'     and `chol` (d x d x k x m), the drawn Cholesky factors of the `m`
#'     kept draws `chol_draws` whose `sigma`, factorised again, does not
#'     give them back (`VVV` under a prior with `df` near d - 1); `predict()`
#'     and the returned `loglik` and `z` use these factors for those draws;
#'     and which of the draws the returned parameters are.}
#' }
#' @references
#' Anderson, D. G. (1965). Iterative procedures for nonlinear integral
#' equations. *Journal of the ACM*, 12(4), 547--560.
#'
#' Arthur, D. and Vassilvitskii, S. (2007). k-means++: the advantages of
#' careful seeding. In *Proceedings of the Eighteenth Annual ACM-SIAM
#' Symposium on Discrete Algorithms (SODA 2007)*, 1027--1035.
#'
#' Banfield, J. D. and Raftery, A. E. (1993). Model-based Gaussian and
#' non-Gaussian clustering. *Biometrics*, 49(3), 803--821.
#'
#' Bishop, C. M. (2006). *Pattern Recognition and Machine Learning*.
#' Springer, New York. Chapter 10.
#'
#' Celeux, G. and Diebolt, J. (1985). The SEM algorithm: a probabilistic
#' teacher algorithm derived from the EM algorithm for the mixture problem.
#' *Computational Statistics Quarterly*, 2(1), 73--82.
#'
#' Celeux, G. and Govaert, G. (1992). A classification EM algorithm for
#' clustering and two stochastic versions. *Computational Statistics & Data
#' Analysis*, 14(3), 315--332.
#'
#' Celeux, G. and Govaert, G. (1995). Gaussian parsimonious clustering
#' models. *Pattern Recognition*, 28(5), 781--793.
#'
#' Dempster, A. P., Laird, N. M. and Rubin, D. B. (1977). Maximum likelihood
#' from incomplete data via the EM algorithm. *Journal of the Royal
#' Statistical Society, Series B*, 39(1), 1--38.
#'
#' Flury, B. N. and Gautschi, W. (1986). An algorithm for simultaneous
#' orthogonal transformation of several positive definite symmetric matrices
#' to nearly diagonal form. *SIAM Journal on Scientific and Statistical
#' Computing*, 7(1), 169--184.
#'
#' Fraley, C. (1998). Algorithms for model-based Gaussian hierarchical
#' clustering. *SIAM Journal on Scientific Computing*, 20(1), 270--281.
#'
#' Fraley, C. and Raftery, A. E. (2002). Model-based clustering,
#' discriminant analysis, and density estimation. *Journal of the American
#' Statistical Association*, 97(458), 611--631.
#'
#' Henderson, N. C. and Varadhan, R. (2019). Damped Anderson acceleration
#' with restarts and monotonicity control for accelerating EM and EM-like
#' algorithms. *Journal of Computational and Graphical Statistics*, 28(4),
#' 834--846.
#'
#' Kurihara, K. and Welling, M. (2009). Bayesian k-means as a
#' "maximization-expectation" algorithm. *Neural Computation*, 21(4),
#' 1145--1172.
#'
#' Neal, R. M. and Hinton, G. E. (1998). A view of the EM algorithm that
#' justifies incremental, sparse, and other variants. In M. I. Jordan (ed.),
#' *Learning in Graphical Models*, 355--368. Kluwer, Dordrecht.
#'
#' Varadhan, R. and Roland, C. (2008). Simple and globally convergent
#' methods for accelerating the convergence of any EM algorithm.
#' *Scandinavian Journal of Statistics*, 35(2), 335--353.
#'
#' Walker, H. F. and Ni, P. (2011). Anderson acceleration for fixed-point
#' iterations. *SIAM Journal on Numerical Analysis*, 49(4), 1715--1735.
#' @seealso [emix_method] for the methods, [emix_control()] for the loop's
#'   settings; [update.emix()] to refit with changes; the
#'   conditions it signals, [emix_conditions]; the methods [print.emix()], [summary.emix()],
#'   [plot.emix()], [predict.emix()], [logLik.emix()].
#' @examples
#' fit <- emix(~ ., data = faithful, k = 2)
#' fit
#' emix(~ Sepal.Length + Petal.Width, data = iris, k = 3, model = "VVI")
#' emix(as.matrix(iris[1:4]), k = 3, model = "diag", nstart = 3)
#' # more components than needed: variational Bayes empties the surplus
#' emix(~ ., data = faithful, k = 6, method = vb(prior = emix_prior(alpha = 1e-3)))
#' set.seed(1)
#' emix(~ ., data = faithful, k = 3, method = gibbs(burnin = 100, draws = 200))
#' # an outlier, taken by a noise component (class 0)
#' fit <- emix(rbind(as.matrix(iris[1:4]), 1e10), k = 3, noise = TRUE)
#' fit$pro
#' table(fit$classification)
#' @export
emix <- function(x, ...) {
  UseMethod("emix")
}

#' @rdname emix
#' @export
emix.formula <- function(formula, data = NULL, k = 2, ..., weights, subset, na.action) {
  call <- match.call()
  call[[1L]] <- quote(emix) # the generic, so that update() can refit
  frame <- formula_data(match.call(expand.dots = FALSE), data,
                        if (!missing(na.action)) na.action, parent.frame())
  fit <- emix.default(frame$x, k = if (missing(k)) NULL else k, ..., weights = frame$weights)
  fit$call <- call
  fit$terms <- frame$terms
  fit$na.action <- frame$na.action
  fit
}

# The data matrix, weights, terms and na.action of a formula method's call
# `mf` (from match.call(expand.dots = FALSE)), its model frame evaluated in
# `env`; `data` and `na.action` (NULL when not given) as the method got them.
formula_data <- function(mf, data, na.action, env) {
  keep <- match(c("formula", "data", "subset", "weights", "na.action"), names(mf), 0L)
  mf <- mf[c(1L, keep)]
  mf[[1L]] <- quote(stats::model.frame)
  if (!is.null(data) && !is.data.frame(data) && !is.list(data) && !is.environment(data)) {
    stop_arg("data", "must be a data frame (or a list or an environment) holding the variables of the formula.")
  }
  if (!is.null(na.action) && !is.function(na.action) &&
      !(is.character(na.action) && length(na.action) == 1L)) {
    stop_arg("na.action", "must be a function such as `na.omit` or `na.exclude`, or its name.")
  }
  # model.frame()'s own errors (a weights vector of the wrong length, a
  # variable that is not found) are said under the argument they concern
  mf <- tryCatch(eval(mf, env), error = function(e) {
    if (inherits(e, "emix_error_argument")) stop(e)
    arg <- if (grepl("(weights)", conditionMessage(e), fixed = TRUE)) "weights" else "formula"
    stop_arg(arg, sprintf("could not be evaluated with `data`: %s", conditionMessage(e)))
  })
  terms <- attr(mf, "terms")
  if (attr(terms, "response") > 0L) {
    stop_arg("formula", "must be one-sided, such as `~ .` or `~ a + b`; mixtures of regressions are not available yet.")
  }
  x <- numeric_design(terms, mf, "formula")
  if (ncol(x) == 0L) {
    stop_arg("formula", "must name at least one variable.")
  }
  list(x = check_data(x, arg = "data"), weights = stats::model.weights(mf), terms = terms,
       na.action = attr(mf, "na.action"))
}

#' @rdname emix
#' @export
emix.default <- function(x, k = 2, model = "VVV", method = "em", weights = NULL,
                         init = "kmeans++", nstart = 1L, control = emix_control(), ...,
                         family = NULL, noise = FALSE, noise_volume = NULL) {
  if (missing(x)) {
    stop_arg("x", "is missing: give a numeric matrix or data frame, or a one-sided formula with `data`.")
  }
  if (is.character(x) && length(x) == 1L && grepl("~", x, fixed = TRUE)) {
    stop_arg("x", sprintf(
      "is a string; give a formula, e.g. `emix(as.formula(\"%s\"), data = ...)`, or a numeric matrix or data frame.",
      x[1L]
    ))
  }
  check_dots_empty(..., after = "control",
                   hint = "give each argument by name, e.g. `model = \"VVV\"`, `method = \"vb\"`")
  family <- resolve_family(family, model, model_given = !missing(model))
  if (inherits(family, "emix_family_gaussian")) {
    # for one variable the fourteen models reduce to "E" and "V", and the default
    # start is mclust's, the quantile partition (further starts: k-means++)
    family$model <- resolve_model(family$model, NCOL(x))
    family$noise <- noise
    family$noise_volume <- noise_volume
    if (missing(init) && NCOL(x) == 1L) {
      init <- "quantile"
    }
  } else if (!identical(noise, FALSE) || !is.null(noise_volume)) {
    stop_arg(if (identical(noise, FALSE)) "noise_volume" else "noise", sprintf(
      "is a setting of the Gaussian family: a uniform noise component beside normal ones. The %s family does not take it.",
      family$name
    ))
  }
  fit <- emix_fit(x, if (missing(k)) NULL else k, family = family, method = method,
                  weights = weights, init = init, nstart = nstart, control = control)
  fit$call <- match.call()
  fit$call[[1L]] <- quote(emix)
  fit
}

# Extra arguments are an error, not silently ignored. Unnamed ones are
# shown by value: they came after the last argument taken by position
# (`after`), so naming them is the fix; `hint` says how.
check_dots_empty <- function(..., after = NULL, hint = NULL) {
  if (...length() == 0L) {
    return(invisible())
  }
  dots <- names(list(...))
  if (is.null(dots)) {
    dots <- rep("", ...length())
  }
  unnamed <- dots == ""
  values <- vapply(as.list(substitute(list(...)))[-1L][unnamed],
                   function(e) paste(deparse(e, width.cutoff = 40L)[1L], collapse = ""),
                   character(1))
  parts <- character(0)
  if (any(!unnamed)) {
    parts <- sprintf("unknown arguments: %s", paste(dots[!unnamed], collapse = ", "))
  }
  if (any(unnamed)) {
    parts <- c(parts, sprintf(
      "%d unnamed argument%s (%s)%s: %s",
      sum(unnamed), plural(sum(unnamed)), name_list(values),
      if (is.null(after)) "" else sprintf(" after `%s`", after),
      if (!is.null(hint)) hint else if (sum(unnamed) == 1L) "name it" else "name them"
    ))
  }
  stop_arg("...", sprintf("must be empty; %s.", paste(parts, collapse = "; ")))
}

# The model matrix of the model frame mf without its intercept, after
# checking that every variable is numeric; `arg` names the argument to blame.
numeric_design <- function(terms, mf, arg) {
  variables <- mf[setdiff(names(mf), "(weights)")]
  numeric_col <- vapply(variables, is_numeric_variable, logical(1))
  if (!all(numeric_col)) {
    stop_arg(arg, sprintf(
      "must %s numeric variables only; %s %s not numeric.",
      if (arg == "formula") "name" else "have",
      paste0("`", names(variables)[!numeric_col], "`", collapse = ", "),
      if (sum(!numeric_col) == 1L) "is" else "are"
    ))
  }
  x <- stats::model.matrix(terms, mf)
  x <- x[, colnames(x) != "(Intercept)", drop = FALSE]
  attr(x, "assign") <- NULL
  x
}

# The one constructor of an "emix" object, from the loop's result `run`
# (the family's parameter blocks, the trace and the method's extras), the
# posterior matrix z and the prepared fit prep. The parameters stand at the
# top level under the family's block names (fit$pro, fit$mean, ...), read
# through emix_parameters() and coef().
new_emix <- function(run, z, prep, method, control) {
  family <- prep$family
  method_settings <- method
  method <- method$name
  k <- length(run$pro) - prep$extra_columns
  components <- as.character(seq_len(k))
  noise <- prep$extra_columns > 0L
  run$pro <- stats::setNames(run$pro, c(components, if (noise) "noise"))
  # The classes before the names: z may still be referenced from the run's
  # result, so naming it gives a wrapper around the shared numbers, which
  # the first writing access (max.col() asks for one) would copy, n x k.
  classification <- max.col(z, ties.method = "first")
  classification[classification > k] <- 0L # the noise, as mclust
  dimnames(z) <- list(prep$row_names, c(components, if (noise) "noise"))
  fit <- c(
    run[family$parameters],
    list(
      loglik = run$loglik,
      trace = run$trace,
      converged = run$converged,
      iter = run$iter,
      esteps = run$esteps,
      z = z,
      classification = classification,
      k = k,
      model = run$model,
      method = method,
      method_settings = method_settings,
      family = family,
      n = prep$n,
      d = prep$d,
      df = run$df,
      weights = prep$weights,
      x = prep$data,
      call = NULL,
      terms = NULL,
      na.action = NULL,
      control = control,
      dropped = run$dropped,
      start = run$start,
      objective = run$objective,
      start_objective = run$start_objective,
      start_traces = run$start_traces,
      start_errors = run$start_errors,
      occupied = run$occupied,
      prior = run$prior,
      posterior = run$posterior,
      draws = run$draws,
      best_draw = run$best_draw,
      noise = run$noise
    )
  )
  validate_emix(structure(fit, class = c(paste0("emix_", method), "emix")))
}

# Checks that an "emix" object has what the methods read: the family's
# parameter blocks and the fields every fit has, of the right shapes.
validate_emix <- function(fit) {
  required <- c(fit$family$parameters, "loglik", "trace", "z", "classification", "k", "n",
                "d", "df", "method", "family")
  missing <- setdiff(required, names(fit))
  if (length(missing) > 0L) {
    stop(sprintf("internal error: the fit lacks %s", paste(missing, collapse = ", ")),
         call. = FALSE)
  }
  if (!inherits(fit$family, "emix_family") || nrow(fit$z) != fit$n ||
      length(fit$classification) != fit$n || !is.numeric(fit$pro) ||
      abs(sum(fit$pro) - 1) > 1e-8 || !is.data.frame(fit$trace)) {
    stop("internal error: the fit's family, posterior, classes, proportions or trace are malformed",
         call. = FALSE)
  }
  fit
}
