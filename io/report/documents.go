package report

// Find is the document of `fpfind find`.
type Find struct {
	Header
	Model    Model        `json:"model"`
	Settings FindSettings `json:"settings"`
	Summary  Summary      `json:"summary"`
	Points   []Point      `json:"points"` // unique points, ordered by class then q
	// The fixed-point graph, one entry per explored unstable direction, as
	// the .npz has it: the point it leaves, the mode (index of the
	// eigenvalue), the sign (+1 or -1), and the point reached (-1 a slow
	// region, -2 diverged, -3 budget spent).
	EdgeFrom []int `json:"edge_from"`
	EdgeMode []int `json:"edge_mode"`
	EdgeSign []int `json:"edge_sign"`
	EdgeTo   []int `json:"edge_to"`
	// Certification is set by --certify: how many points were certified
	// and what it cost.
	Certification *CertifyStats `json:"certification,omitempty"`
	// Complete is set by --complete (package certify): true when the
	// points are provably all the fixed points of the network, each
	// certified; false when some boxes were neither excluded nor
	// certified (UndecidedBoxes, B x N x [lo, hi]).
	Complete       *bool          `json:"complete,omitempty"`
	UndecidedBoxes [][][2]Float   `json:"undecided_boxes,omitempty"`
	CompleteSearch *CompleteStats `json:"complete_search,omitempty"`
	// Attractors are the continuous attractors through the points
	// (package attractor); null with --attractors=false.
	Attractors []Attractor `json:"attractors"`
	Outputs    Outputs     `json:"outputs"`
	// Sweep is present when the run was one network of `fpfind sweep`.
	Sweep *SweepEntry `json:"sweep,omitempty"`
}

// Attractor describes one continuous attractor: its kind (line, ring or
// manifold), dimension, whether it closes (a ring) or was traced only in
// part (Truncated), its length along its samples (null for a manifold),
// the points on it in order along it, the number of samples traced, the
// largest max_i |F_i| among them, the largest rate of its slow modes and
// the smallest rate of the next mode over the samples (1/time: lambda, or
// |ln lambda|/dt for the maps).
type Attractor struct {
	Index       int    `json:"index"`
	Kind        string `json:"kind"`
	Dim         int    `json:"dim"`
	Closed      bool   `json:"closed"`
	Truncated   bool   `json:"truncated"`
	Length      Float  `json:"length"`
	Points      []int  `json:"points"`
	Samples     int    `json:"samples"`
	MaxSpeed    Float  `json:"max_speed"`
	SlowRateMax Float  `json:"slow_rate_max"`
	NextRateMin Float  `json:"next_rate_min"`
}

// CertifyStats describe find --certify: the points tested, those
// certified, the largest N tested (--certify-max-n) and the seconds the
// tests took (the dense work, about 4.7 N^3 flops per point).
type CertifyStats struct {
	Points    int   `json:"points"`
	Certified int   `json:"certified"`
	MaxN      int   `json:"max_n"`
	Seconds   Float `json:"seconds"`
}

// CompleteStats describe find --complete's branch and prune: the box that
// holds every fixed point (N x [lo, hi]), the boxes examined, excluded
// (no fixed point) and covered (inside a certified point's ball), the
// budget, the points it added to those the solver found, and its seconds;
// Rank is r when the search branched over the r coordinates V^T h of a
// low-rank W = U V^T, 0 when over h.
type CompleteStats struct {
	Domain   [][2]Float `json:"domain"`
	Rank     int        `json:"search_rank"`
	Examined int        `json:"boxes_examined"`
	Excluded int        `json:"boxes_excluded"`
	Covered  int        `json:"boxes_covered"`
	MaxBoxes int        `json:"max_boxes"`
	Added    int        `json:"points_added"`
	Seconds  Float      `json:"seconds"`
}

// FindSettings are the effective settings of a find run (defaults resolved).
// The number of workers is not among them: it never changes the results.
type FindSettings struct {
	Seed      uint64 `json:"seed"`
	Inits     int    `json:"inits"`                // number of initial states
	InitsFrom string `json:"inits_from"`           // trajectories, random or file
	InitsFile string `json:"inits_file,omitempty"` // the --inits-file path
	InitNoise Float  `json:"init_noise"`           // std of the noise added to sampled states
	// Input is the constant input u set by --input (absent: the file's u),
	// and InputFile the .npy file it was read from, if any.
	Input     []Float `json:"input,omitempty"`
	InputFile string  `json:"input_file,omitempty"`
	// Sampling describes the trajectories of inits_from = trajectories.
	Sampling *Sampling `json:"sampling,omitempty"`
	Method   string    `json:"method"`         // auto, newton or speed
	Linear   string    `json:"linear"`         // how Newton steps were solved: lu or matrix-free
	MaxSpeed int       `json:"max_speed_iter"` // L-BFGS iterations per initial state
	// SpeedStall is the window of the speed phase's stall test (0 or -1:
	// none).
	SpeedStall int   `json:"speed_stall"`
	Tol        Float `json:"tol"`        // fixed-point tolerance on max |F_i|
	UniqueTol  Float `json:"unique_tol"` // 0: 1e-6 max(1, |h|_inf)
	MaxIter    int   `json:"max_iter"`   // iterations per initial state
	Deflation  int   `json:"deflation"`  // deflated restarts (-1: none)
	// Explore holds the exploration's settings; absent with --explore=false.
	Explore     *ExploreSettings `json:"explore,omitempty"`
	Eps         Float            `json:"eps"`           // 0: 1e-8 times the operator's scale
	Eigs        int              `json:"eigs"`          // leading eigenvalues per point (--eigs); 0: all
	RightVector bool             `json:"eigvecs_right"` // right eigenvectors written
	LeftVectors bool             `json:"eigvecs_left"`  // left eigenvectors written
	// Certify: each point was put to Krawczyk's test (--certify), for N
	// up to CertifyMaxN.
	Certify     bool `json:"certify"`
	CertifyMaxN int  `json:"certify_max_n,omitempty"`
}

// Sampling describes the trajectories that initial states were drawn from:
// Trajectories runs from Gaussian states of std Start, each sampled at equal
// intervals from t = Burn to Burn + Span (once, at Burn, when there are as
// many trajectories as initial states).
type Sampling struct {
	Trajectories int   `json:"trajectories"`
	Start        Float `json:"start"`
	Burn         Float `json:"burn"`
	Span         Float `json:"span"`
	// Long trajectories (the first ones) run on for at most LongTime
	// (largest) time constants, adding the states where they slow down
	// and where they settle.
	Long     int   `json:"long"`
	LongTime Float `json:"long_time"`
}

// ExploreSettings are the exploration's settings (explore.Settings), and
// what it did.
type ExploreSettings struct {
	Modes  int `json:"modes"`  // unstable directions followed per point (-1: none)
	Pairs  int `json:"pairs"`  // pairs of attractors searched per round (-1: none)
	Rounds int `json:"rounds"` // rounds at most
	Budget int `json:"budget"` // trajectories at most
	// RoundsRun, Trajectories and BudgetSpent say what was done.
	RoundsRun    int  `json:"rounds_run"`
	Trajectories int  `json:"trajectories"`
	BudgetSpent  bool `json:"budget_spent"`
}

// Point holds the facts about one unique point.
type Point struct {
	Index        int    `json:"index"`        // row in fixed_points
	Kind         string `json:"kind"`         // fixed or slow
	Stability    string `json:"stability"`    // stable, saddle, unstable or marginal
	NUnstable    int    `json:"n_unstable"`   // unstable directions
	NMarginal    int    `json:"n_marginal"`   // marginal directions
	Q            Float  `json:"q"`            // speed |F|^2/2
	ResidualInf  Float  `json:"residual_inf"` // max |F_i|
	Multiplicity int    `json:"multiplicity"` // initial states that reached the point
	Source       string `json:"source"`       // how it was found: sample, manifold, boundary, deflation, symmetry or interval
	NormInf      Float  `json:"norm_inf"`     // max |h_i|
	// Leading is the first eigenvalue: the largest real part (continuous)
	// or modulus (leaky, discrete).
	Leading Complex `json:"leading_eigenvalue"`
	// SlowestTau is the time constant of the slowest mode (largest
	// magnitude); negative when that mode grows, null when it is marginal.
	SlowestTau Float `json:"slowest_time_constant"`
	// Eps is the marginal tolerance the stability counts used.
	Eps Float `json:"eps"`
	// NEigenvalues is the number of eigenvalues computed (N, or fewer with
	// --eigs: the counts are then those of the computed ones).
	NEigenvalues int `json:"n_eigenvalues"`
	// NUnstableLowerBound: n_unstable counts only the computed eigenvalues
	// of a partial spectrum, all of them unstable, so the true count may be
	// higher (the table's ">=").
	NUnstableLowerBound bool `json:"n_unstable_lower_bound"`
	// Undecided: a partial spectrum whose class, saddle, may be unstable.
	Undecided bool `json:"class_undecided,omitempty"`
	// Certified, CertRadius, CertError and CertReason are set by find
	// --certify (package certify): the box of radius CertRadius (max norm)
	// around the point holds exactly one fixed point, within CertError of
	// it; both 0 when not certified, and CertReason says why ("certified",
	// "no-contraction", "ill-conditioned", "singular", "too-large",
	// "not-finite").
	Certified  *bool  `json:"certified,omitempty"`
	CertRadius *Float `json:"cert_radius,omitempty"`
	CertError  *Float `json:"cert_error,omitempty"`
	CertReason string `json:"cert_reason,omitempty"`
	// Attractor is the index of the continuous attractor the point lies
	// on, -1 for none (absent with --attractors=false).
	Attractor *int `json:"attractor,omitempty"`
}

// Summary counts how the initial states ended and what was found.
type Summary struct {
	Inits       int          `json:"inits"`
	Status      StatusCounts `json:"status"`
	Points      int          `json:"points"`
	FixedPoints int          `json:"fixed_points"`
	SlowPoints  int          `json:"slow_points"`
	Stability   ClassCounts  `json:"stability"`
}

// StatusCounts counts runs by status (docs/DESIGN.md section 2).
type StatusCounts struct {
	Fixed        int `json:"fixed"`
	Slow         int `json:"slow"`
	NotConverged int `json:"not-converged"`
	Diverged     int `json:"diverged"`
}

// ClassCounts counts unique points by stability class (docs/DESIGN.md section 3).
type ClassCounts struct {
	Stable   int `json:"stable"`
	Saddle   int `json:"saddle"`
	Unstable int `json:"unstable"`
	Marginal int `json:"marginal"`
}

// Linearize is the document of `fpfind linearize`: the spectrum at given
// states.
type Linearize struct {
	Header
	Model    Model             `json:"model"`
	Settings LinearizeSettings `json:"settings"`
	States   []State           `json:"states"`
	Outputs  Outputs           `json:"outputs"`
}

// LinearizeSettings are the effective settings of a linearize run.
type LinearizeSettings struct {
	At string `json:"at"` // the --at file
	// Input and InputFile as in FindSettings.
	Input       []Float `json:"input,omitempty"`
	InputFile   string  `json:"input_file,omitempty"`
	Eps         Float   `json:"eps"`  // 0: 1e-8 times the operator's scale
	Eigs        int     `json:"eigs"` // leading eigenvalues per state (--eigs); 0: all
	RightVector bool    `json:"eigvecs_right"`
	LeftVectors bool    `json:"eigvecs_left"`
}

// State holds the spectrum facts at one given state.
type State struct {
	Index       int    `json:"index"` // row of the --at file
	Stability   string `json:"stability"`
	NUnstable   int    `json:"n_unstable"`
	NMarginal   int    `json:"n_marginal"`
	Q           Float  `json:"q"`
	ResidualInf Float  `json:"residual_inf"`
	// Fixed reports whether the state is a fixed point (residual_inf <= tol);
	// the spectrum of a state that is not one describes only the local
	// linearisation.
	Fixed      bool    `json:"fixed"`
	Leading    Complex `json:"leading_eigenvalue"`
	SlowestTau Float   `json:"slowest_time_constant"`
	Eps        Float   `json:"eps"` // the marginal tolerance used
	// NEigenvalues, NUnstableLowerBound and Undecided as in Point.
	NEigenvalues        int  `json:"n_eigenvalues"`
	NUnstableLowerBound bool `json:"n_unstable_lower_bound"`
	Undecided           bool `json:"class_undecided,omitempty"`
}

// Simulate is the document of `fpfind simulate`.
type Simulate struct {
	Header
	Model        Model            `json:"model"`
	Settings     SimulateSettings `json:"settings"`
	Summary      SimulateSummary  `json:"summary"`
	Trajectories []Trajectory     `json:"trajectories"`
	Outputs      Outputs          `json:"outputs"`
}

// SimulateSettings are the effective settings of a simulate run.
type SimulateSettings struct {
	Seed      uint64  `json:"seed"`
	Inits     int     `json:"inits"`
	InitsFrom string  `json:"inits_from"` // random or file
	InitsFile string  `json:"inits_file,omitempty"`
	InitScale Float   `json:"init_scale"` // std of random initial states
	TEnd      Float   `json:"t_end"`
	Samples   int     `json:"samples"`
	Method    string  `json:"method"` // an ode method, or "map" (leaky, discrete)
	Step      Float   `json:"step"`   // fixed step (0: adaptive)
	RTol      Float   `json:"rtol"`
	ATol      Float   `json:"atol"`
	Noise     Float   `json:"noise"` // sigma of the state noise
	Input     []Float `json:"input,omitempty"`
	InputFile string  `json:"input_file,omitempty"`
}

// SimulateSummary describes the trajectories.
type SimulateSummary struct {
	Trajectories int `json:"trajectories"`
	Samples      int `json:"samples"`
	// Finished counts the trajectories that reached t_end.
	Finished int `json:"finished"`
	// Steps is the total number of accepted integration steps.
	Steps int `json:"steps"`
}

// Trajectory says how one trajectory ended.
type Trajectory struct {
	Index    int    `json:"index"`
	Status   string `json:"status"`    // success, non-finite, ...
	TReached Float  `json:"t_reached"` // the time of the last good state
	NormInf  Float  `json:"norm_inf"`  // max |h_i| at the end
	SpeedInf Float  `json:"speed_inf"` // max |F_i| at the end (near 0: settled)
}

// Info is the document of `fpfind info`.
type Info struct {
	Header
	Model Model `json:"model"`
	// SpectralRadius is max |lambda| over the eigenvalues of W.
	SpectralRadius Float   `json:"spectral_radius"`
	Arrays         []Array `json:"arrays"`
}

// Array describes one array of the network file and what it became.
type Array struct {
	Key   string `json:"key"`  // name in the file
	Role  string `json:"role"` // W, W_in, b, u, tau, activation, ... or "ignored"
	Shape []int  `json:"shape"`
	DType string `json:"dtype"` // numpy descr, e.g. <f4
	Order string `json:"order"` // C or F
}

// Train is the document of `fpfind train`: the run's settings (the flags
// that define it, by name), the loss curve and the held-out evaluations.
// Input is the task's data file (task data) or empty; Network the trained
// network.
type Train struct {
	Header
	Settings TrainSettings `json:"settings"`
	Summary  TrainSummary  `json:"summary"`
	// Loss is the training loss of every step, from step 1.
	Loss []Float `json:"loss"`
	// Evals are the held-out evaluations, in step order.
	Evals   []TrainEval `json:"evals"`
	Outputs Outputs     `json:"outputs"`
}

// TrainSettings are the effective settings of a training run: Flags maps
// each flag that defines the run to its value (what a resumed run keeps).
type TrainSettings struct {
	Flags           map[string]string `json:"flags"`
	Steps           int               `json:"steps"`
	CheckpointEvery int               `json:"checkpoint_every"`
	ResumedFrom     string            `json:"resumed_from,omitempty"`
	ResumedAtStep   int               `json:"resumed_at_step,omitempty"`
}

// TrainSummary is how the run ended.
type TrainSummary struct {
	Steps       int      `json:"steps"`
	FinalLoss   Float    `json:"final_loss"`     // held-out
	FinalAcc    Float    `json:"final_accuracy"` // held-out; null when the task has none
	Seconds     Float    `json:"seconds"`        // this run's training time (not the resumed part)
	Checkpoints []string `json:"checkpoints"`
}

// TrainEval is one evaluation on the held-out trials.
type TrainEval struct {
	Step     int   `json:"step"`
	Loss     Float `json:"loss"`
	Accuracy Float `json:"accuracy"`
}
