package report

// Label is one label of a network in a sweep: a column of the sweep's
// manifest (seed, step, gain), kept as written.
type Label struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// SweepEntry is what a sweep records of one network (docs/DESIGN.md
// section 4): the network as given, the stem of its result files in the
// sweep's folder, its labels and per-network flags, every setting that
// decides its results, and how long its analysis took. A result is reused
// by a later sweep only when its Settings, the program's version and the
// input's SHA-256 are the same.
type SweepEntry struct {
	Network string   `json:"network"` // the path as given (on the command line or in the manifest)
	Name    string   `json:"name"`    // NAME of NAME.npz, NAME.json (or NAME.failed.json) in the folder
	Labels  []Label  `json:"labels"`
	Flags   []string `json:"flags"` // the manifest's flags for this network
	// Settings are the flags of the analysis that decide its results, each
	// --name=value, defaults included, in the order of find's help.
	Settings []string `json:"settings"`
	// Seconds is the wall time of the analysis (absent in the plan).
	Seconds Float `json:"seconds,omitempty"`
}

// SweepFailure is the document of a network whose analysis failed,
// NAME.failed.json in the sweep's folder.
type SweepFailure struct {
	SchemaVersion int        `json:"schema_version"`
	Program       string     `json:"program"`
	Version       string     `json:"version"`
	GoVersion     string     `json:"go_version"`
	Command       string     `json:"command"` // "sweep"
	Input         Input      `json:"input"`   // the SHA-256 is empty when the file could not be read
	Sweep         SweepEntry `json:"sweep"`
	Error         string     `json:"error"`     // the message fpfind find prints
	ExitCode      int        `json:"exit_code"` // what fpfind find would have exited with: 2 input error, 1 failure
}

// SweepPlan is the document of a sweep's folder, DIR/sweep.json: every
// network of the sweep in order, so that the folder alone tells which are
// done, failed or missing.
type SweepPlan struct {
	SchemaVersion int          `json:"schema_version"`
	Program       string       `json:"program"`
	Version       string       `json:"version"`
	GoVersion     string       `json:"go_version"`
	Command       string       `json:"command"` // "sweep"
	Networks      []SweepEntry `json:"networks"`
}
