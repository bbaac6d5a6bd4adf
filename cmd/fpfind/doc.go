/*
Fpfind finds the fixed points and slow points of a recurrent neural network
saved with numpy or PyTorch, and the linear stability of each: the
eigenvalues of the network's linear operator there, its class (stable,
saddle, unstable, marginal) and its time constants.

The network is the continuous-time RNN

	tau dh/dt = -h + phi(W h + W_in u + b)

or its Euler discretisation h <- h + alpha (-h + phi(x)) (convention
leaky), or the vanilla RNN h <- phi(x) (convention discrete, as
torch.nn.RNN). All three share the fixed points h = phi(W h + W_in u + b);
they differ in the stability test (Re lambda < 0, or |lambda| < 1).

Usage:

	fpfind [find] [flags] NETWORK              fixed and slow points, and their stability
	fpfind simulate -o PREFIX [flags] NETWORK  trajectories
	fpfind linearize --at STATES.npy NETWORK   spectrum and stability at given states
	fpfind continue --param P --from A --to B NETWORK
	                                           branches of fixed points along a parameter
	fpfind info NETWORK                        what was read from the file
	fpfind train --task NAME -o PREFIX         train a leaky network (BPTT, RTRL, RFLO)
	fpfind sweep -o DIR [flags] NETWORKS...    find's analysis of many networks (locally, or --slurm)
	fpfind collect [-o TABLE.csv] DIR          one table of a sweep's results
	fpfind help [COMMAND]                      the help of a command

NETWORK is an .npz file (or a folder of .npy files) with the keys W (N x N,
row i = the weights into unit i), and optionally b (N), W_in (N x M), u (M),
tau (scalar or N), activation ('tanh', 'relu', 'softplus', 'sigmoid',
'linear', 'rectified-tanh'), convention ('continuous', 'leaky', 'discrete')
and alpha (leaky only). A PyTorch nn.RNN state dict saved with numpy is read
too:

	np.savez('net.npz', **{k: v.detach().numpy() for k, v in model.state_dict().items()})

Its weight_hh_l0 is W, weight_ih_l0 is W_in and bias_hh_l0 + bias_ih_l0 is
b, after any module prefix such as "rnn."; its convention is discrete unless
--convention says otherwise. Other keys (a readout) are listed by fpfind info
and ignored. The flags --convention, --alpha, --activation, --tau,
--transpose (weights stored as x^T W) and --key-prefix override the file.

# Finding fixed points

By default fpfind draws 256 initial states from trajectories of the network
started at random states, adds Gaussian noise (--init-noise) and, from each,
drives the speed q(h) = |F(h)|^2/2 to zero (--method auto: Newton's
method, then L-BFGS on q where Newton stalls; Sussillo and Barak 2013). From
N = 2048 units (or with --linear matrix-free; gmres, its old name, is
accepted too) Newton steps are solved matrix-free
on products J v (trust-region hooksteps in a Krylov space), and no N x N
matrix is formed. A run ends at a fixed point
(max_i |F_i| <= --tol, default 1e-10), at a slow point (a local minimum of q
that is not a zero), not converged, or diverged; every run is reported. The
points reached are merged when closer than --unique-tol, deflated restarts
look for points the runs missed, and each unique point is linearised.

Then fpfind explores from what it found (package explore; --explore=false
skips it). From every fixed point with unstable modes it follows the
leading ones (--modes, default 4) both ways, from h* +- eps v until the
trajectory settles, and solves from where it came to rest and from where
it slowed down on the way; between attractors that no saddle with one
unstable mode connects yet, it bisects the segment to their basin
boundary and solves from there (--pairs per round). New points are
explored in turn, for at most --rounds rounds and --budget trajectories.
Where each unstable direction led is the fixed-point graph: edge_* in the
.npz and .json, and lines such as "saddle 12 connects stable 3 and stable
7" after the table. The first 32 sampled trajectories also run on until
they settle, adding the states where they slow down and come to rest, and
the centre of the sampled states is one more initial state. The
seed (--seed, default 1) fixes every random draw: the same seed gives the
same output, whatever --workers. The network's constant input u comes from
the file unless --input gives it: M comma-separated values, or an .npy file
of length M (1-d, or one row); fixed points at another input need no new
file, and the .json settings echo the input (input, input_file).

Time constants below 1e-100 are refused (exit 2) by find and simulate: the
field (-h + phi(x))/tau and the speed overflow, and --tol is in 1/time;
multiply every tau by one factor instead, which leaves the fixed points as
they are. An integration whose time span exceeds 1e6 times the smallest tau
is refused too, as too stiff for the explicit integrators (their steps stay
within a few tau_min, so the step budget cannot cover it): find's sampling
of trajectories (whose span is the largest tau; --inits-from random and
--inits-file integrate nothing), and simulate with dormand-prince (or a
fixed-step run of more than 1e10 steps).

Before allocating anything large, find, simulate and linearize estimate
from their flags and the network the memory the run will hold (initial and
final states, each worker's N x N matrices or Krylov bases, trajectories,
eigenvalues and eigenvectors, the output arrays) and refuse (exit 2, with
the estimate and the limit) a run above --max-memory SIZE (e.g. 512M, 8G,
1.5T, 2GiB, in powers of 1024; 0: no limit; default: the machine's memory,
bounded by a cgroup limit). The network file and the .npy inputs are read
under the same limit. --workers is capped at GOMAXPROCS and at the number
of independent work items (lockstep groups of runs, trajectories, states
to linearise); the output does not depend on it.

stdout shows one row per unique point, ordered by class then q, and a
summary; with --format json, the JSON document instead (so that
fpfind ... --format json | jq always parses). Messages and progress go to
stderr; progress is drawn only when stderr is a terminal (--progress), and
--quiet leaves only errors.

# Files

-o PREFIX writes PREFIX.npz and PREFIX.json; --plot FILE.png (or .svg, .pdf)
draws the eigenvalues of every point in the complex plane, coloured by
class, with the stability boundary. Files are written atomically (a
temporary file, then a rename) and all together: a failed or interrupted run
leaves none behind. An existing file is replaced only with --force, and the
input is never written to. Runs writing into one folder move their files
into place in turn, under an advisory lock on the folder, so the files of
two runs with the same -o are never mixed: without --force the later run
fails ("was written by another run while this one ran; not replaced"),
with --force it replaces them all and says so.

The .npz of fpfind find holds (K unique points, I initial states, N units):

	fixed_points            K x N       the points, ordered by class (stable, saddle, unstable, marginal), then q
	q                       K           speed |F|^2/2
	residual_inf            K           max_i |F_i|
	kind                    K           fixed or slow
	stability               K           stable, saddle, unstable or marginal
	n_unstable              K           unstable modes (of those computed)
	n_unstable_lower_bound  K           1 where n_unstable is only a lower bound: every computed eigenvalue is unstable (partial spectra), else 0
	n_marginal              K           marginal modes
	multiplicity            K           initial states that reached the point (0: found by the exploration, symmetry or deflation)
	source                  K           how the point was found: sample (from an initial state), manifold, boundary, deflation, symmetry or interval (--complete)
	n_eigenvalues           K           eigenvalues computed per point: N, or C with --eigs C
	eigenvalues             K x C       complex128, by decreasing real part (continuous) or modulus (leaky, discrete)
	class_undecided         K           with partial spectra (C < N) only: 1 where the class, written saddle, may be unstable
	eigvecs_right           K x N x C   complex128, with --vectors: column j belongs to eigenvalue j (as numpy.linalg.eig)
	eigvecs_left            K x N x N   complex128, with --left-vectors: scaled so that L^H R = I
	inits                   I x N       the initial states
	finals                  I x N       where each run ended
	status                  I           fixed, slow, not-converged or diverged
	point_index             I           the point each run reached (row of fixed_points), -1 if none
	convention              ()          continuous, leaky or discrete
	edge_from               E           the fixed-point graph, one entry per explored unstable direction: the point it leaves,
	edge_mode               E           the mode (index into that point's eigenvalues),
	edge_sign               E           the side (+1 or -1),
	edge_to                 E           and the point its trajectory reached: -1 a slow region, -2 diverged, -3 budget spent
	certified               K           bool, with --certify: a box around the point provably holds exactly one fixed point
	cert_radius             K           with --certify: that box's radius (max norm), 0 where not certified
	cert_error              K           with --certify: the fixed point lies within this distance of the point, 0 where not certified
	cert_reason             K           with --certify: certified, no-contraction, ill-conditioned, singular, too-large or not-finite
	complete                ()          bool, with --complete: the fixed points listed are provably all of them
	undecided_boxes         B x N x 2   with --complete: boxes ([lo, hi] per unit) neither excluded nor certified (B = 0 when complete)
	attractor               K           the continuous attractor each point lies on, -1 for none (--attractors, the default)
	attractor_kind          A           line, ring or manifold
	attractor_dim           A           its dimension (slow modes)
	attractor_closed        A           bool: a ring
	attractor_truncated     A           bool: traced only in part (an unbounded line, or the sample limit)
	attractor_length        A           length along the samples (a ring's closed); NaN for a manifold
	attractor_samples       S x N       states traced on the attractors, in order along each
	attractor_sample_id     S           the attractor each sample belongs to
	attractor_sample_speed  S           max_i |F_i| at each sample
	attractor_sample_eigenvalues S x E  complex128: the dim slowest eigenvalues at each sample, then the next two (NaN-padded)

# Large networks: the leading eigenvalues

Above N = 1024 units, and for any N with --eigs C (C > 0), only the C
leading eigenvalues of each point are computed (C = 20 by default above
N = 1024): the rightmost (continuous) or those of largest modulus (leaky,
discrete), by the Krylov-Schur method on products with W, never forming an
N x N matrix (linearize.Leading). Per point, pure Go on 2 cores: 0.3 s at
N = 1024, 1.6 s at 2048 and 8 s at 4096 for one point alone (3 s each for 8
points, whose products with W share one pass over W), where the full
decomposition takes 2.4 s and 12.5 s at the first two. --eigs 0 asks for every eigenvalue.
The counts are those of the computed eigenvalues; they are exact when the
last one computed is stable. When all are unstable the table shows the
count as >=C (n_unstable_lower_bound 1 in the .npz, true in the .json),
and the class is decided by a bound on the rest (the trace of J for
continuous, Schur's inequality on the Frobenius norm of M for the
maps), else shown as saddle? (saddle or unstable; class_undecided in the
.npz). tau_slow is over the computed modes, exact unless the count is a
bound. --left-vectors needs every eigenvalue and is refused with C < N.

The .json holds the program version, the input's path and SHA-256, the
network as read, the settings with the seed, a summary and, per point, its
kind, class, n_unstable, n_unstable_lower_bound, q, residual,
multiplicity, leading eigenvalue (as [re, im]) and slowest time constant;
NaN and infinities are null.

fpfind simulate writes t (T), h (I x T x N), inits (I x N), status (I) and
convention; fpfind linearize writes states, q, residual_inf, stability,
n_unstable, n_unstable_lower_bound, n_marginal, n_eigenvalues,
eigenvalues, class_undecided with partial spectra (and the vectors on
request).

# Continuation

fpfind continue --param P --from A --to B follows every fixed point as the
parameter P changes from A to B (package continuation): P is u:K (the
constant input on channel K), gain (W scaled by g; g = 1 is the file's
network), bias:FILE.npy (b + p v for the N values v of FILE; p = 0 is the
file's network) or, for the leaky convention only, tau (tau scaled by p, the
step kept: alpha becomes alpha/p). The branches start at the fixed points
find finds at A (with --seed and --inits), or at the states of --at; with
--start P0 inside the interval they start at P0 and are followed both ways
(so that a closed branch, an isola, is followed round). A start point that
an earlier branch reaches is dropped. Each branch is followed by
pseudo-arclength steps (at most --step-max, default 0.05 |B - A|, in the
norm |dh|^2/N + dp^2) until it reaches A or B, diverges, closes on itself or
stalls, and the special points on it are located to about 1e-10 in P: folds
(fold, with the normal-form coefficient a: the branches meet on the side (p
- p*) a < 0), Hopf points (hopf, with the frequency in cycles per unit time
and, up to N = 1024, the first Lyapunov coefficient l1: negative when a
stable cycle is born), branch points (branch; the crossing branch is
followed both ways, unless --no-switch) and, for the leaky and discrete
conventions, period doublings (period-doubling) and Neimark-Sacker points
(neimark-sacker).

Spectra are complete up to N = 256 and the --eigs leading ones above (more
at a point whose computed ones are all unstable); from N = 512 the Newton
corrector's bordered systems are solved matrix-free (GMRES on products with
W, a dense LU only where GMRES stalls). --plot draws the bifurcation
diagram: P against the first principal component of the states (--project
unit:I or norm for others), solid where stable, dashed where not, the
special points labelled LP, H, BP, PD, NS.

The .npz of fpfind continue holds (P points of all branches, S special
points, B branches, I start points, C = --eigs eigenvalues per point):

	param                   P           the parameter at each point
	states                  P x N       the state
	branch                  P           the branch the point is on
	n_unstable, n_marginal  P           as for find
	n_unstable_lower_bound  P           as for find
	stability               P           stable, saddle, unstable or marginal
	eigenvalues             P x C       complex128, the leading eigenvalues
	point_special           P           the special point a point is, or -1
	special_type            S           fold, hopf, branch, period-doubling or neimark-sacker
	special_param           S           where
	special_param_error     S           the width of the location's last bracket in P
	special_state           S x N       the state there
	special_branch          S           the branch it is on
	special_eigenvalue      S           complex128, the critical eigenvalue
	special_frequency       S           hopf and neimark-sacker: cycles per unit time (NaN otherwise)
	special_coefficient     S           fold: the normal-form coefficient a; hopf: the first Lyapunov coefficient l1 (NaN otherwise)
	branch_end              B           boundary, diverged, closed, max-steps or stalled
	branch_start            B           the start point of the branch, or -1 for one switched onto
	branch_parent           B           the branch point it was switched onto at, or -1
	start_points            I x N       the start points at A
	param_name, convention  ()          P as given, and the convention

The .json holds the settings, a summary, each branch (start, points, range
of P, end, and per point its P, n_unstable, class and leading eigenvalue)
and each special point.
fpfind train writes a network in the layout above (W, W_in, b, alpha,
convention leaky) with W_out, b_out, train_loss, eval_step, eval_loss,
eval_accuracy and train_flags, which find reads as it is, and checkpoints
PREFIX.stepNNNNNN.npz (the same, with the optimiser's state) that
--resume continues; see fpfind train --help and go doc ./train.
# Sweeps

fpfind sweep runs find's analysis, with the find flags it is given, on each
of many networks: files, folders, globs, folders of checkpoints, and
manifests (CSV or TSV with a column network, an optional column flags for
per-network find flags, and labels in the other columns). Each network's
results are DIR/NAME.npz and DIR/NAME.json, written by the same code as
find -o (NAME from the path and the flags alone); the .json adds a sweep
block with the labels, the settings and the seconds. Networks run -j at a
time, each with --workers goroutines (1 by default). A rerun skips the
networks done with the same settings, version and file content, and the
failures recorded with them (--retry-failed retries those); a failure is
DIR/NAME.failed.json and makes the exit status 1 once the others are done.
SIGINT or SIGTERM drops only the networks in flight. --shard I/K runs one
shard of the list; --slurm writes and submits a job array of such shards
(--dry-run prints it, --wait follows it); --status DIR tells from the files
which networks are done, failed, stale or missing. fpfind collect DIR
writes the table (docs/DESIGN.md section 4) as CSV or .npz, and --plot
draws the counts of fixed points and the leading eigenvalue along a label.

# Exit codes

	0    success, even if some runs did not converge (they are reported)
	1    failure while running (write error, numerical breakdown, internal error)
	2    usage or input error (bad flag, unreadable or invalid network file)
	130  interrupted by SIGINT (Ctrl-C), 143 by SIGTERM, 129 by SIGHUP: 128 + the
	     signal's number; the run stops and writes nothing

SIGINT, SIGTERM (sent by kill, timeout and batch schedulers) and SIGHUP stop
a run alike: the computation is cancelled, no output is written and no
temporary file is left. A second signal while the first is handled stops
fpfind at once. Temporary files are created only when the results are
ready to be written, so even SIGKILL during the computation leaves none.

# Examples

These sessions run in the tests (doc_test.go), from the module's root.

	$ fpfind -n 16 testdata/zero_weights.npz
	  #   kind   class  unstable  q  |F|inf  mult  tau_slow  lambda_1
	  0  fixed  stable         0  0       0    18         2      -0.5

	1 unique points (1 fixed, 0 slow): 1 stable, 0 saddle, 0 unstable, 0 marginal
	18 initial states: 18 fixed, 0 slow, 0 not-converged, 0 diverged
	lambda: eigenvalues of the Jacobian J, stable when every Re(lambda) < 0; tau_slow: slowest time constant, negative if growing, inf if marginal

	$ fpfind info testdata/two_units.npz
	file                  testdata/two_units.npz (npz, fpfind layout)
	sha256                f6dfc37f12ca971ed16e96bbcbd797be3c80adab21beac8a1c80cf618986f767
	units                 N = 2
	inputs                none
	convention            continuous
	activation            tanh
	tau                   1 (every unit)
	spectral radius of W  1.5
	symmetry              h -> -h (odd phi, no bias or input): fixed and slow points come in pairs

	KEY         USED AS     SHAPE   DTYPE  ORDER
	W           W           (2, 2)  <f8    C
	activation  activation  ()      <U4    C

	$ fpfind linearize --at cmd/fpfind/testdata/tanh1_at.npy testdata/tanh1.npz
	  #  fixed     class  unstable        q   |F|inf  tau_slow  lambda_1
	  0    yes  unstable         1        0        0        -1         1
	  1    yes    stable         0  2.5e-32  2.2e-16       1.2   -0.8336
	  2    yes    stable         0  2.5e-32  2.2e-16       1.2   -0.8336
	  3     no    stable         0  3.4e-02  2.6e-01     6.248   -0.1601

	4 states (3 fixed points): 3 stable, 0 saddle, 1 unstable, 0 marginal
	lambda: eigenvalues of the Jacobian J, stable when every Re(lambda) < 0; tau_slow: slowest time constant, negative if growing, inf if marginal

	$ fpfind continue --param gain --from 0.5 --to 1 --at cmd/fpfind/testdata/origin2.npy testdata/two_units.npz
	  #    type  branch          gain  |h|inf  eigenvalue  frequency  coefficient
	  0  branch       0  0.6666666667       0           0          -            -

	3 branches, 108 points, 1 special points
	branch 0: from start point 0, 24 points, gain in [0.5, 1], ends: boundary
	branch 1: from special point 0 (side +1), 42 points, gain in [0.6667, 1], ends: boundary
	branch 2: from special point 0 (side -1), 42 points, gain in [0.6667, 1], ends: boundary
*/
package main
