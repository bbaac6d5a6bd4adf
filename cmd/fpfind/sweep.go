package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fpfind/fpfind/internal/atomicfile"
	"github.com/fpfind/fpfind/internal/par"
	"github.com/fpfind/fpfind/internal/sysmem"
	"github.com/fpfind/fpfind/io/report"
	"github.com/fpfind/fpfind/sweep"
	"github.com/spf13/pflag"
)

type sweepOptions struct {
	// find holds the flags of find that every network's analysis takes
	// (all but sweepSkips); entryOptions parses them again per network,
	// with the manifest's flags after them.
	find     findOptions
	passed   []*pflag.Flag
	out      string
	jobs     int
	workers  int
	force    bool
	retry    bool
	shard    string
	status   string
	progress string
	quiet    bool
	slurm    slurmOptions
}

// sweepSkips are the flags of find that a sweep does not hand to each
// network: the sweep names the outputs, draws the progress and sets the
// workers itself.
var sweepSkips = []string{"out", "force", "plot", "format", "progress", "quiet", "timing", "version", "workers"}

// sweepFree are the flags passed to each network that do not change its
// results, so they are not among the settings a result is checked against.
var sweepFree = []string{"max-memory"}

// findFlagsForSweep returns the flags of find, bound to o, that a sweep
// hands to each network, in the order of find's help.
func findFlagsForSweep(o *findOptions) []*pflag.Flag {
	all := pflag.NewFlagSet("find", pflag.ContinueOnError)
	all.SortFlags = false
	o.register(all)
	var out []*pflag.Flag
	all.VisitAll(func(f *pflag.Flag) {
		if !slices.Contains(sweepSkips, f.Name) {
			out = append(out, f)
		}
	})
	return out
}

func (o *sweepOptions) register(fs *pflag.FlagSet) {
	fs.StringVarP(&o.out, "out", "o", "", "the sweep's `DIR`: NAME.npz and NAME.json per network (as find -o writes them), NAME.failed.json for a failure, sweep.json (the list); created if missing")
	fs.BoolVar(&o.force, "force", false, "analyse every network again, even those whose results are complete")
	fs.BoolVar(&o.retry, "retry-failed", false, "analyse again the networks whose failure is recorded with the same settings (otherwise they are skipped)")
	fs.StringVar(&o.progress, "progress", "auto", "`WHEN` to show progress over networks on stderr: auto (when stderr is a terminal), always or never")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing on stderr but errors")
	fs.IntVarP(&o.jobs, "jobs", "j", 0, "networks analysed at once (0: all CPUs)")
	fs.IntVar(&o.workers, "workers", 1, "goroutines of each network's analysis (find's --workers); the results do not depend on it")
	fs.StringVar(&o.shard, "shard", "", "analyse only shard `I/K` of the list (networks I, I+K, I+2K, ...; a job array's task runs --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT)")
	fs.StringVar(&o.status, "status", "", "report the networks of the sweep in `DIR` that are done, failed, stale or missing, from its files alone, and exit (0 when every one is done, else 1)")
	o.slurm.register(fs)
	o.passed = findFlagsForSweep(&o.find)
	for _, f := range o.passed {
		fs.AddFlag(f)
	}
	fs.Bool("version", false, "print the version and exit")
}

// Validate checks the sweep's own flags and find's (each network's flags
// are checked with them once the list is read).
func (o *sweepOptions) Validate(given func(flag string) bool) error {
	if o.jobs < 0 || o.workers < 0 {
		return fmt.Errorf("--jobs %d, --workers %d: want 0 (all CPUs) or more", o.jobs, o.workers)
	}
	if o.shard != "" {
		if _, _, err := sweep.ParseShard(o.shard); err != nil {
			return fmt.Errorf("--shard %q: %v", o.shard, err)
		}
	}
	switch o.progress {
	case "auto", "always", "never":
	default:
		return fmt.Errorf("--progress %q: want auto, always or never", o.progress)
	}
	if o.status != "" {
		for _, f := range []string{"out", "slurm", "shard", "force"} {
			if given(f) {
				return fmt.Errorf("--status and --%s exclude each other (--status only reads the folder)", f)
			}
		}
		return nil
	}
	if err := o.slurm.validate(given); err != nil {
		return err
	}
	if o.slurm.on && o.shard != "" {
		return fmt.Errorf("--slurm and --shard exclude each other (--slurm gives each task its shard)")
	}
	return o.find.Validate(given)
}

var sweepCommand = &command{
	name:     "sweep",
	synopsis: "sweep -o DIR [flags] NETWORKS...",
	summary:  "find's analysis of many networks, locally or as a Slurm job array",
	about: `Analyse many networks alike (training checkpoints, seeds, hyperparameters):
each network's analysis is fpfind find's, with the find flags given here, and
writes DIR/NAME.npz and DIR/NAME.json as find -o does; NAME is the network's
file name and a hash of its path and flags, so it is the same however the list
changes. Collect the results into one table with fpfind collect DIR.

NETWORKS are network files or folders, globs ('ckpt/*.npz', quoted or not),
folders of checkpoints (every .npz file and folder of .npy files in them), and
manifests: .csv or .tsv files with a header row whose column network holds the
paths (relative to the current folder), an optional column flags holds flags
of find for that network ("--input 0.5,0,0 --seed 3"), and every other column
is a label (seed, step, gain) that the table carries; or .txt files with one
path per line.

Resumable: a network whose results are complete and were made with the same
settings, by the same version of fpfind, from the same file content (the .json
records all three) is skipped, so rerunning a stopped or killed sweep analyses
only what is missing. A network that fails (an unreadable file, a run that
breaks down) is recorded in DIR/NAME.failed.json with its error and the sweep
goes on; failures recorded with the same settings are skipped on a rerun unless
--retry-failed. The exit status is 1 when any network failed. SIGINT or SIGTERM
stops the sweep: the networks in flight are dropped (nothing half-written), the
others are kept, and rerunning the same command completes it.

--slurm writes DIR/slurm/sweep.sbatch, a Slurm job array whose tasks each run
this sweep on their shard of the networks (--shard I/K, listed in
DIR/slurm/networks.csv), and submits it with sbatch (printing the job id), or
with --dry-run prints it without submitting; --wait follows the array until it
ends. --status DIR reports which networks are done, failed or missing.`,
	examples: `  fpfind sweep -o runs/ 'checkpoints/*.npz'
  fpfind sweep -o seeds/ -n 512 --explore=false nets.csv
  fpfind sweep -o big/ --slurm --partition cpu --time 1:00:00 --cpus 4 nets.csv
  fpfind sweep --status big/
  fpfind collect runs/ -o runs.csv --plot runs.png --along step
`,
	options: func() options { return &sweepOptions{} },
	exits: `Exit codes:
  0    every network is done (runs that did not converge are reported in its
       results, not errors)
  1    a network failed (recorded in DIR/NAME.failed.json), or the sweep itself
       failed; with --status, a network is not done
  2    usage or input error (bad flag, manifest or per-network flags, a folder
       that cannot be written)
  130  stopped by SIGINT (Ctrl-C), 143 by SIGTERM, 129 by SIGHUP: the networks
       done are kept, those in flight dropped; the same command finishes
`,
}

// sweepRecord is what one network's analysis records in its .json: its
// entry, with the seconds since start.
type sweepRecord struct {
	rec   report.SweepEntry
	start time.Time
}

// entry returns the sweep's record of a run (nil for a plain find).
func (s *sweepRecord) entry() *report.SweepEntry {
	if s == nil {
		return nil
	}
	e := s.rec
	e.Seconds = report.Float(time.Since(s.start).Seconds())
	return &e
}

// sweepNetwork is one network of a sweep with its options, parsed.
type sweepNetwork struct {
	sweep.Network
	entry report.SweepEntry
	opts  *findOptions
}

func (o *sweepOptions) run(ctx context.Context, e *env, name string, args []string) error {
	if o.quiet {
		e.log.SetOutput(io.Discard)
	}
	if o.status != "" {
		if len(args) > 0 {
			return usageErrorf(name, "--status DIR takes no NETWORKS")
		}
		return sweepStatus(e, o.status)
	}
	if o.out == "" {
		return usageErrorf(name, "missing -o DIR, the folder of the results")
	}
	if len(args) == 0 {
		return usageErrorf(name, "missing the NETWORKS to analyse (files, folders, globs or manifests)")
	}
	nets, err := o.networks(name, args)
	if err != nil {
		return err
	}
	if err := makeSweepDir(o.out); err != nil {
		return err
	}
	if o.slurm.on {
		return o.submit(ctx, e, nets)
	}
	plan := sweepPlan(nets)
	if err := sweep.WritePlan(o.out, plan); err != nil {
		return &exitError{code: exitFailure, err: err}
	}
	todo, what := nets, fmt.Sprintf("%d networks", len(nets))
	if o.shard != "" {
		i, k, _ := sweep.ParseShard(o.shard)
		todo = nil
		for _, j := range sweep.Shard(len(nets), i, k) {
			todo = append(todo, nets[j])
		}
		what = fmt.Sprintf("shard %d/%d, %d of %d networks", i, k, len(todo), len(nets))
	}
	return o.runLocal(ctx, e, todo, what)
}

// networks expands the arguments into the sweep's networks and parses
// each one's options: the sweep's find flags, then its manifest's.
func (o *sweepOptions) networks(name string, args []string) ([]*sweepNetwork, error) {
	list, err := sweep.Expand(args)
	if err != nil {
		return nil, inputError(err)
	}
	global := o.globalArgs()
	var out []*sweepNetwork
	for _, n := range list {
		if o.out != "" && underFolder(n.Path, o.out) && !sweep.IsManifest(n.Path) {
			continue // a result of this sweep (DIR given as a folder of networks), not a network
		}
		fo, settings, err := entryOptions(global, n.Flags)
		if err != nil {
			if len(n.Flags) == 0 {
				return nil, usageErrorf(name, "%v", err)
			}
			return nil, inputError(fmt.Errorf("%s: flags %q: %v", n.From, strings.Join(n.Flags, " "), err))
		}
		out = append(out, &sweepNetwork{Network: n, opts: fo, entry: report.SweepEntry{
			Network: n.Path, Name: sweep.Name(n.Path, n.Flags), Labels: n.Labels, Flags: n.Flags, Settings: settings,
		}})
	}
	if len(out) == 0 {
		return nil, inputError(fmt.Errorf("no network to analyse outside %s, the sweep's folder", o.out))
	}
	return out, nil
}

// globalArgs returns the find flags given to the sweep, as --name=value.
func (o *sweepOptions) globalArgs() []string {
	var out []string
	for _, f := range o.passed {
		if f.Changed {
			out = append(out, "--"+f.Name+"="+flagValue(f))
		}
	}
	return out
}

// flagValue returns a flag's value as its flag would read it back.
func flagValue(f *pflag.Flag) string {
	if sv, ok := f.Value.(pflag.SliceValue); ok {
		return strings.Join(sv.GetSlice(), ",")
	}
	if m, ok := f.Value.(*memoryFlag); ok && m.set {
		return fmt.Sprint(m.limit)
	}
	return f.Value.String()
}

// entryOptions parses the find flags of one network (the sweep's, then its
// own) and returns its options and its settings: every flag that decides
// its results, defaults included, as --name=value.
func entryOptions(global, own []string) (*findOptions, []string, error) {
	fo := &findOptions{}
	fs := pflag.NewFlagSet("find", pflag.ContinueOnError)
	fs.SetOutput(io.Discard)
	flags := findFlagsForSweep(fo)
	for _, f := range flags {
		fs.AddFlag(f)
	}
	if err := fs.Parse(append(slices.Clone(global), own...)); err != nil {
		return nil, nil, errors.New(flagError(err))
	}
	if fs.NArg() > 0 {
		return nil, nil, fmt.Errorf("unexpected argument %q (only flags of find)", fs.Arg(0))
	}
	if err := fo.Validate(fs.Changed); err != nil {
		return nil, nil, err
	}
	var settings []string
	for _, f := range flags {
		if !slices.Contains(sweepFree, f.Name) {
			settings = append(settings, "--"+f.Name+"="+flagValue(f))
		}
	}
	return fo, settings, nil
}

// sweepPlan returns the plan of a sweep of nets.
func sweepPlan(nets []*sweepNetwork) *report.SweepPlan {
	v, gov := report.Version()
	p := &report.SweepPlan{SchemaVersion: report.SchemaVersion, Program: report.Program, Version: v, GoVersion: gov, Command: "sweep", Networks: []report.SweepEntry{}}
	for _, n := range nets {
		p.Networks = append(p.Networks, n.entry)
	}
	return p
}

// makeSweepDir creates the sweep's folder (and its parents) if missing,
// and checks that files can be made in it.
func makeSweepDir(dir string) error {
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return inputError(fmt.Errorf("--out %s: %v", dir, atomicfile.Cause(err)))
	}
	if err := probeFolder(dir); err != nil {
		return inputError(fmt.Errorf("--out %s: cannot create files in it: %v", dir, atomicfile.Cause(err)))
	}
	return nil
}

// sweepWant is what a result must have been made with to be kept: this
// version, from the file as it is now.
func sweepWant() sweep.Want {
	v, _ := report.Version()
	return sweep.Want{Version: v, Hash: report.HashPath}
}

// sweepTally counts what a local sweep did.
type sweepTally struct {
	mu                           sync.Mutex
	done, reused, failed, oldBad int
	failures                     []string
}

// runLocal analyses the networks todo on --jobs goroutines, skipping those
// done (and those whose failure is recorded, without --retry-failed).
func (o *sweepOptions) runLocal(ctx context.Context, e *env, todo []*sweepNetwork, what string) error {
	t := &sweepTally{}
	var run []*sweepNetwork
	want := sweepWant()
	for _, n := range todo {
		if o.force {
			run = append(run, n)
			continue
		}
		switch st := sweep.Check(o.out, n.entry, want); {
		case st.State == sweep.Done:
			t.reused++
		case st.State == sweep.Failed && !o.retry:
			t.oldBad++
			t.failures = append(t.failures, fmt.Sprintf("%s: %s (recorded earlier; --retry-failed tries again)", n.Path, st.Failure.Error))
		default:
			run = append(run, n)
		}
	}
	jobs := effectiveWorkers(o.jobs, len(run))
	prog := newProgress(e, !o.quiet && (o.progress == "always" || o.progress == "auto" && e.tty))
	prog.extra = func(done, total int, elapsed time.Duration) string {
		var b strings.Builder
		if t.failed > 0 {
			fmt.Fprintf(&b, ", %d failed", t.failed)
		}
		if done > 0 && done < total {
			left := time.Duration(float64(elapsed) / float64(done) * float64(total-done))
			fmt.Fprintf(&b, ", about %s left", left.Round(time.Second))
		}
		return b.String()
	}
	prog.stage("networks", len(run))
	err := par.Each(ctx, len(run), jobs, func(i int) error {
		if ctx.Err() != nil {
			return nil
		}
		n := run[i]
		notes, err := o.analyse(ctx, n, jobs)
		if ctx.Err() != nil {
			return nil // in flight when stopped: dropped, analysed again by a rerun
		}
		t.mu.Lock()
		defer t.mu.Unlock()
		if !o.quiet {
			for _, l := range notes {
				prog.finish()
				e.log.Printf("%s: %s", printable(n.Path), l)
			}
		}
		if err != nil {
			t.failed++
			t.failures = append(t.failures, fmt.Sprintf("%s: %s", n.Path, err))
		} else {
			t.done++
		}
		prog.step()
		return nil
	})
	prog.finish()
	total := len(todo)
	if err != nil && ctx.Err() != nil {
		return &stoppedError{err: ctx.Err(), msg: fmt.Sprintf("sweep stopped: %d of %d networks done (%d in this run), the rest are analysed by running the same command again", t.done+t.reused, total, t.done)}
	}
	if err != nil {
		return err
	}
	e.log.Printf("sweep (%s) in %s: %d analysed, %d already done, %d failed", what, o.out, t.done, t.reused, t.failed+t.oldBad)
	if len(t.failures) > 0 {
		for _, f := range t.failures {
			e.log.Printf("failed: %s", oneLine(printable(f)))
		}
		return &exitError{code: exitFailure, err: fmt.Errorf("%d of %d networks failed (recorded in %s/NAME.failed.json; fpfind sweep --status %s lists them)", t.failed+t.oldBad, total, o.out, o.out)}
	}
	return nil
}

// analyse runs find's analysis of one network into DIR/NAME.npz and
// DIR/NAME.json, through find's own run; a failure is recorded in
// DIR/NAME.failed.json (and returned), and the files of the other outcome
// are removed, so the folder tells one story. notes are find's warnings.
func (o *sweepOptions) analyse(ctx context.Context, n *sweepNetwork, jobs int) (notes []string, err error) {
	fo := n.opts
	npzPath, jsonPath, failedPath := sweep.Files(o.out, n.entry.Name)
	fo.output = outputOptions{out: strings.TrimSuffix(jsonPath, ".json"), force: true, format: "text", progress: "never"}
	fo.workers = o.workers
	// Each of the jobs running at once gets its share of the memory.
	if lim := fo.memory.bytes(); lim > 0 && jobs > 1 {
		fo.memory = memoryOption{limit: max(lim/int64(jobs), 1), set: true}
	} else if lim == 0 && !fo.memory.set && sysmem.Total() > 0 {
		fo.memory = memoryOption{limit: sysmem.Total() / int64(jobs), set: true}
	}
	var buf bytes.Buffer
	fe := &env{stdout: io.Discard, stderr: &buf, log: log.New(&buf, "", 0)}
	fo.sweep = &sweepRecord{rec: n.entry, start: time.Now()}
	err = runRecovered(func() error { return fo.run(ctx, fe, "find", []string{n.Path}) })
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err == nil {
		os.Remove(failedPath)
		return slices.DeleteFunc(lines(buf.String()), func(l string) bool { return strings.HasPrefix(l, "wrote ") }), nil
	}
	buf.Reset()
	code := exitCode(fe, err)
	msg := strings.TrimPrefix(firstLine(buf.String()), "fpfind: ")
	hash, _ := report.HashPath(n.Path)
	v, gov := report.Version()
	rec := fo.sweep.entry()
	doc := report.SweepFailure{SchemaVersion: report.SchemaVersion, Program: report.Program, Version: v, GoVersion: gov, Command: "sweep",
		Input: report.Input{Path: n.Path, SHA256: hash}, Sweep: *rec, Error: msg, ExitCode: code}
	if werr := atomicfile.Write(failedPath, true, func(w io.Writer) error { return report.Write(w, doc) }); werr != nil {
		return nil, fmt.Errorf("%s; and its record: %v", msg, werr)
	}
	os.Remove(jsonPath)
	os.Remove(npzPath)
	return nil, errors.New(msg)
}

// runRecovered runs f, turning a panic into an internal error, so that a
// bug met by one network of a sweep is that network's failure.
func runRecovered(f func() error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = &internalError{msg: fmt.Sprint(p), stack: debug.Stack()}
		}
	}()
	return f()
}

// firstLine returns the first line of s.
func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// lines returns the non-empty lines of s.
func lines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// stoppedError is a command stopped by a signal that kept part of its
// work: exit 128 + the signal's number, with its own message in place of
// "no output written".
type stoppedError struct {
	err error
	msg string
}

func (e *stoppedError) Error() string { return e.msg }
func (e *stoppedError) Unwrap() error { return e.err }

// sweepStatus prints, on stdout, where each network of the sweep in dir
// stands: a summary line, then one line per network not done.
func sweepStatus(e *env, dir string) error {
	t, err := sweep.Collect(dir, sweepWant())
	if err != nil {
		return inputError(err)
	}
	n := len(t.Rows)
	done, failed, stale, missing := t.Count(sweep.Done), t.Count(sweep.Failed), t.Count(sweep.Stale), t.Count(sweep.Missing)
	fmt.Fprintf(e.stdout, "%s: %d networks: %d done, %d failed, %d stale, %d missing\n", dir, n, done, failed, stale, missing)
	for _, r := range t.Rows {
		switch r.Status.State {
		case sweep.Failed:
			fmt.Fprintf(e.stdout, "failed\t%s\t%s\n", r.Entry.Network, oneLine(r.Status.Failure.Error))
		case sweep.Stale:
			fmt.Fprintf(e.stdout, "stale\t%s\t%s\n", r.Entry.Network, r.Status.Reason)
		case sweep.Missing:
			fmt.Fprintf(e.stdout, "missing\t%s\n", r.Entry.Network)
		}
	}
	if done < n {
		return &exitError{code: exitFailure, err: fmt.Errorf("%d of %d networks are not done", n-done, n)}
	}
	return nil
}
