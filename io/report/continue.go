package report

// Continue is the document of `fpfind continue`: the branches of fixed
// points along a parameter and their special points.
type Continue struct {
	Header
	Model    Model             `json:"model"`
	Settings ContinueSettings  `json:"settings"`
	Summary  ContinueSummary   `json:"summary"`
	Branches []ContinueBranch  `json:"branches"`
	Specials []ContinueSpecial `json:"special_points"`
	Outputs  Outputs           `json:"outputs"`
}

// ContinueSettings are the effective settings of a continue run.
type ContinueSettings struct {
	Param string `json:"param"` // u:K, gain or bias:FILE.npy
	From  Float  `json:"from"`
	To    Float  `json:"to"`
	Start Float  `json:"start"` // the parameter of the start points
	// At is the --at file of start points; without it they are the
	// points fpfind find gives at From, with Seed and Inits.
	At    string `json:"at,omitempty"`
	Seed  uint64 `json:"seed"`
	Inits int    `json:"inits"`
	// Input and InputFile as in FindSettings.
	Input       []Float `json:"input,omitempty"`
	InputFile   string  `json:"input_file,omitempty"`
	Starts      int     `json:"start_points"`
	Tol         Float   `json:"tol"`
	ParamTol    Float   `json:"param_tol"`
	StepMax     Float   `json:"step_max"`
	StepMin     Float   `json:"step_min"`
	MaxSteps    int     `json:"max_steps"`
	MaxBranches int     `json:"max_branches"`
	Switch      bool    `json:"branch_switching"`
	FullMax     int     `json:"full_spectrum_max_n"`
	Eigs        int     `json:"eigs"` // leading eigenvalues kept per point
	Eps         Float   `json:"eps"`
}

// ContinueSummary counts what a continue run found.
type ContinueSummary struct {
	Branches int `json:"branches"`
	Points   int `json:"points"`
	Specials int `json:"special_points"`
	// Duplicates counts start points dropped because an earlier branch
	// passes through them.
	Duplicates int `json:"duplicate_starts"`
	// Unfollowed counts start points left when max_branches branches
	// were followed.
	Unfollowed int `json:"unfollowed_starts"`
}

// ContinueBranch describes one branch.
type ContinueBranch struct {
	Index int `json:"index"`
	// Start is the start point it was followed from (towards To when Sign
	// is +1, towards From when -1), or -1 for a branch switched onto at the
	// special point Parent (on the side Sign).
	Start    int    `json:"start"`
	Parent   int    `json:"parent"`
	Sign     int    `json:"sign"`
	Points   int    `json:"points"`
	ParamMin Float  `json:"param_min"`
	ParamMax Float  `json:"param_max"`
	End      string `json:"end"` // boundary, diverged, closed, max-steps, stalled
	// Param, NUnstable, Stability and Leading give each point of the
	// branch (the rows of the .npz for it, without the states): its
	// parameter, unstable modes, class and leading eigenvalue.
	Param     []Float   `json:"param"`
	NUnstable []int     `json:"n_unstable"`
	Stability []string  `json:"stability"`
	Leading   []Complex `json:"leading_eigenvalue"`
}

// ContinueSpecial is one special point.
type ContinueSpecial struct {
	Index  int    `json:"index"`
	Type   string `json:"type"` // fold, hopf, branch, period-doubling, neimark-sacker
	Branch int    `json:"branch"`
	Param  Float  `json:"param"`
	// ParamError is the width of the location's final bracket in p.
	ParamError Float   `json:"param_error"`
	NormInf    Float   `json:"norm_inf"` // max |h_i| of the state
	Eigenvalue Complex `json:"eigenvalue"`
	// Frequency (Hopf, Neimark-Sacker) and Coefficient (the fold's
	// normal-form a, the Hopf point's first Lyapunov coefficient l1) are
	// null where they do not apply.
	Frequency   Float `json:"frequency"`
	Coefficient Float `json:"coefficient"`
	// Switched lists the branches switched onto at a branch point.
	Switched []int `json:"switched"`
}
