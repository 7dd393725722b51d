/* Accelerated EM: what its two phases (squarem.c, anderson.c) and their
 * driver (accelerate.c) share. */
#ifndef EMIX_ACCELERATE_H
#define EMIX_ACCELERATE_H

#include "emix.h"

/* The last few plain-EM rates that must all be below 1 for the stopping
 * rule to hold. */
#define ACCEL_RECENT 3

/* Squared extrapolation hands over to Anderson acceleration once its cap on
 * the step length has grown to this (two capped steps kept in a row): EM
 * is then in its slow linear phase, where a secant model of its map from
 * several steps reaches further than one extrapolation from two. */
#define ACCEL_ANDERSON_CAP 16.0

/* The cap on the step length grows this many times each time a step at the
 * cap is kept, and shrinks as much when one is rejected (the SQUAREM
 * package's mstep = 4). */
#define ACCEL_STEP_GROWTH 4.0

typedef struct {
    const emix_family *fam;
    void *par;
    void *stats;
    const emix_data *dat;
    int k;
    double *z;
    const emix_control *ctl;
    emix_workspace *ws;
    emix_result *res;     /* res->iter: the last row of the trace, whose
                           * E-step is in stats and z */
    emix_estep_sums sums; /* of the last E-step */
    size_t len;           /* of the parameter vector (theta_len) */
    /* EM's rates |G(a) - G(b)| / |a - b|, for the stopping rule */
    double slowest;       /* the largest below 1 seen, or NaN */
    double recent[ACCEL_RECENT];
    int rates;            /* rates seen */
    /* when row t's parameters were proposed (no M-step made them): EM's
     * step it displaced, with its bound and inner iterations, to go back to
     * if the M-step from the proposal fails */
    int proposed;
    double *plain;
    double plain_bound, plain_inner;
    /* the phases' scratch, allocated once: they can take turns many times */
    double *squarem_work;  /* ACCEL_SQUAREM_WORK(len) doubles */
    double *anderson_work; /* ACCEL_ANDERSON_WORK(len) doubles */
} accel_state;

#define ACCEL_SQUAREM_WORK(len) (4 * (len))
#define ACCEL_ANDERSON_MEMORY 10
#define ACCEL_ANDERSON_WORK(len) ((6 + 2 * ACCEL_ANDERSON_MEMORY) * (len))

/* An E-step at the current parameters, into the statistics and z (counted
 * in res->esteps). */
double accel_estep(accel_state *s, emix_status *status);

/* Row t of the trace: the E-step just made, at parameters proposed or
 * not. */
void accel_record(accel_state *s, int t, double ll, int proposed);

/* An E-step that makes row t of the trace; 0 when it failed (a row of zero
 * density under every component), with the status set as plain EM sets
 * it. */
int accel_estep_row(accel_state *s, int t);

/* The M-step from row t's statistics, making the parameters of row t + 1
 * and its bound F(q_t, theta_{t+1}) (res->bound[t + 1]). */
typedef enum { ACCEL_MSTEP_OK, ACCEL_MSTEP_RETRACTED, ACCEL_MSTEP_FAILED } accel_mstep_result;
accel_mstep_result accel_mstep_row(accel_state *s);

/* What a proposal must not lower: the log-likelihood `loglik` at the
 * current parameters, plus their log prior where the family's M-step is a
 * MAP step (family->log_prior). */
double accel_objective(const accel_state *s, double loglik);

/* A rate of EM's map, seen by a phase. */
void accel_note_rate(accel_state *s, double rate);

/* The estimated rise of the log-likelihood still to come from row t, given
 * the rise `gain` of the free energy by EM's step from it (see
 * accelerate.c). */
double accel_to_limit(const accel_state *s, double gain);

/* Row t's parameters kept as the fit's, with the stopping rule's verdict. */
void accel_finish(accel_state *s, const double *theta, int converged);

/* The phases: each runs from row s->res->iter until the fit ends
 * (ACCEL_DONE) or it hands over to the other (ACCEL_SWITCH), at a row made
 * by a plain EM step.
 * step_max is squared extrapolation's cap on its step length. */
typedef enum { ACCEL_DONE, ACCEL_SWITCH } accel_phase_end;
accel_phase_end accel_squarem_phase(accel_state *s, double step_max);
accel_phase_end accel_anderson_phase(accel_state *s);

#endif
