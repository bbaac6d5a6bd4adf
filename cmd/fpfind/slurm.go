package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fpfind/fpfind/internal/atomicfile"
	"github.com/fpfind/fpfind/sweep"
	"github.com/spf13/pflag"
)

// slurmOptions are the flags of sweep --slurm.
type slurmOptions struct {
	on        bool
	partition string
	time      string
	mem       string
	cpus      int
	arrayMax  int
	parallel  int
	dryRun    bool
	wait      bool
}

func (s *slurmOptions) register(fs *pflag.FlagSet) {
	fs.BoolVar(&s.on, "slurm", false, "run the sweep as a Slurm job array (sbatch): each task analyses its shard of the networks")
	fs.StringVar(&s.partition, "partition", "", "Slurm `PARTITION` of the tasks (default: the cluster's)")
	fs.StringVar(&s.time, "time", "", "time limit of each task, as sbatch takes it (`T`: 30, 1:00:00, 1-0); default: the partition's")
	fs.StringVar(&s.mem, "mem", "", "memory of each task, as sbatch takes it (`M`: 4G; a bare number is megabytes), which its analyses share (--max-memory); default: the partition's")
	fs.IntVar(&s.cpus, "cpus", 1, "CPUs of each task (--cpus-per-task), each analysing one network at a time")
	fs.IntVar(&s.arrayMax, "array-max", 100, "tasks in the array at most (`K`): the networks are split into min(K, networks) shards")
	fs.IntVar(&s.parallel, "array-parallel", 0, "tasks running at once at most (sbatch --array=...%P; 0: as the cluster allows)")
	fs.BoolVar(&s.dryRun, "dry-run", false, "write the job's files and print its script, without submitting it")
	fs.BoolVar(&s.wait, "wait", false, "follow the job array until it ends, then report as --status does")
}

// slurmOnly are the flags that only --slurm uses.
var slurmOnly = []string{"partition", "time", "mem", "cpus", "array-max", "array-parallel", "dry-run", "wait"}

func (s *slurmOptions) validate(given func(string) bool) error {
	if !s.on {
		for _, f := range slurmOnly {
			if given(f) {
				return fmt.Errorf("--%s is a flag of --slurm", f)
			}
		}
		return nil
	}
	if s.cpus < 1 || s.arrayMax < 1 || s.parallel < 0 {
		return fmt.Errorf("--cpus %d, --array-max %d, --array-parallel %d: want at least 1, 1 and 0", s.cpus, s.arrayMax, s.parallel)
	}
	if s.dryRun && s.wait {
		return fmt.Errorf("--dry-run and --wait exclude each other")
	}
	for _, v := range []struct{ name, v string }{{"partition", s.partition}, {"time", s.time}, {"mem", s.mem}} {
		if strings.ContainsAny(v.v, " \t\n'\"$`\\") {
			return fmt.Errorf("--%s %q: want one word", v.name, v.v)
		}
	}
	return nil
}

// slurmJobFiles are the files of a sweep's job array in DIR/slurm.
const (
	slurmFolder   = "slurm"
	slurmManifest = "networks.csv"
	slurmScript   = "sweep.sbatch"
)

// submit writes the plan, the job array's manifest (every network of the
// sweep with its flags and labels) and its script, and submits it (or,
// with --dry-run, prints the script); with --wait it then follows the
// array and reports as --status does.
func (o *sweepOptions) submit(ctx context.Context, e *env, nets []*sweepNetwork) error {
	s := &o.slurm
	if !s.dryRun {
		if _, err := exec.LookPath("sbatch"); err != nil {
			return inputError(fmt.Errorf("--slurm: sbatch not found on PATH (run it where Slurm's commands are, or use --dry-run to write the script)"))
		}
	}
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("--slurm: cannot tell fpfind's own path: %v", err)
	}
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	dir := filepath.Join(o.out, slurmFolder)
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return inputError(fmt.Errorf("%s: %v", dir, atomicfile.Cause(err)))
	}
	manifest := filepath.Join(dir, slurmManifest)
	if err := atomicfile.Write(manifest, true, func(w io.Writer) error { return writeManifest(w, nets) }); err != nil {
		return err
	}
	// The tasks read the networks from the manifest: plan what they will.
	again, err := o.networks("sweep", []string{manifest})
	if err != nil {
		return err
	}
	if err := sweep.WritePlan(o.out, sweepPlan(again)); err != nil {
		return err
	}
	cmd := []string{exe, "sweep", "-o", o.out, "-j", fmt.Sprint(s.cpus), "--progress", "never"}
	if o.workers != 1 {
		cmd = append(cmd, "--workers", fmt.Sprint(o.workers))
	}
	if o.force {
		cmd = append(cmd, "--force")
	}
	if o.retry {
		cmd = append(cmd, "--retry-failed")
	}
	if lim, ok := slurmMemory(s.mem); ok && !o.find.memory.set {
		// The tasks' analyses share the task's memory, not the node's.
		cmd = append(cmd, "--max-memory="+lim)
	}
	cmd = append(append(cmd, o.globalArgs()...), manifest)
	job := &sweep.Job{
		Name: "fpfind-sweep", Tasks: min(s.arrayMax, len(nets)), Parallel: s.parallel,
		Partition: s.partition, Time: s.time, Mem: s.mem, CPUs: s.cpus,
		Dir: cwd, Log: filepath.Join(dir, "%A_%a.out"), Command: cmd,
	}
	script := filepath.Join(dir, slurmScript)
	text := job.Script()
	if err := atomicfile.Write(script, true, func(w io.Writer) error { _, err := io.WriteString(w, text); return err }); err != nil {
		return err
	}
	if s.dryRun {
		fmt.Fprint(e.stdout, text)
		e.log.Printf("wrote %s and %s; not submitted (sbatch %s submits it)", script, manifest, script)
		return nil
	}
	out, err := exec.CommandContext(ctx, "sbatch", "--parsable", script).CombinedOutput()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("sbatch %s: %v: %s", script, err, oneLine(string(out)))
	}
	id, _, _ := strings.Cut(strings.TrimSpace(lastLine(string(out))), ";")
	fmt.Fprintln(e.stdout, id)
	e.log.Printf("submitted job array %s: %d tasks over %d networks (logs in %s; fpfind sweep --status %s)", id, job.Tasks, len(nets), dir, o.out)
	if !s.wait {
		return nil
	}
	if err := o.follow(ctx, e, id, len(nets)); err != nil {
		return err
	}
	return sweepStatus(e, o.out)
}

// slurmMemory returns --mem (sbatch's units: a bare number is megabytes,
// K, M, G and T are powers of 1024) as --max-memory reads it, and false
// when there is none or it does not read as a size.
func slurmMemory(mem string) (string, bool) {
	if mem == "" {
		return "", false
	}
	if strings.Trim(mem, "0123456789") == "" {
		mem += "M"
	}
	if v, err := parseSize(mem); err != nil || v <= 0 {
		return "", false
	}
	return mem, true
}

// lastLine returns the last non-empty line of s (sbatch may warn first).
func lastLine(s string) string {
	l := lines(s)
	if len(l) == 0 {
		return ""
	}
	return l[len(l)-1]
}

// writeManifest writes the networks as a manifest: network, flags and their
// labels.
func writeManifest(w io.Writer, nets []*sweepNetwork) error {
	var labels []string
	for _, n := range nets {
		for _, l := range n.Labels {
			if !slices.Contains(labels, l.Name) {
				labels = append(labels, l.Name)
			}
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(append([]string{"network", "flags"}, labels...)); err != nil {
		return err
	}
	for _, n := range nets {
		var flags []string
		for _, f := range n.Flags {
			flags = append(flags, sweep.Quote(f))
		}
		rec := []string{n.Path, strings.Join(flags, " ")}
		for _, name := range labels {
			v := ""
			for _, l := range n.Labels {
				if l.Name == name {
					v = l.Value
				}
			}
			rec = append(rec, v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// activeStates are the states of a job that is not over (squeue's %T).
var activeStates = []string{"PENDING", "RUNNING", "CONFIGURING", "COMPLETING", "SUSPENDED", "REQUEUED", "REQUEUE_HOLD", "REQUEUE_FED", "RESIZING", "SIGNALING", "STAGE_OUT", "STOPPED"}

// follow polls squeue until no task of the job array is pending or
// running, drawing the networks done (from the folder) on a terminal. It
// polls every half second at first, then less often, up to every 30 s.
func (o *sweepOptions) follow(ctx context.Context, e *env, id string, total int) error {
	prog := newProgress(e, !o.quiet && (o.progress == "always" || o.progress == "auto" && e.tty))
	defer prog.finish()
	every := 500 * time.Millisecond
	for {
		active, err := jobActive(ctx, id)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return err
		}
		if prog.on {
			if t, err := sweep.Collect(o.out, sweep.Want{}); err == nil {
				prog.update("networks (job "+id+")", t.Count(sweep.Done)+t.Count(sweep.Failed), total)
			}
		}
		if !active {
			return nil
		}
		select {
		case <-ctx.Done():
		case <-time.After(every):
		}
		if ctx.Err() != nil {
			break
		}
		every = min(every*3/2, 30*time.Second)
	}
	return &stoppedError{err: ctx.Err(), msg: fmt.Sprintf("stopped following job %s, which goes on (scancel %s stops it; fpfind sweep --status %s)", id, id, o.out)}
}

// jobActive reports whether any task of the job is pending or running. A
// job that squeue no longer knows is over.
func jobActive(ctx context.Context, id string) (bool, error) {
	cmd := exec.CommandContext(ctx, "squeue", "-h", "-j", id, "-o", "%T")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		if strings.Contains(errb.String(), "Invalid job id") {
			return false, nil
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return false, fmt.Errorf("squeue -j %s: %s", id, oneLine(errb.String()))
		}
		return false, fmt.Errorf("squeue: %v", err)
	}
	for _, s := range lines(out.String()) {
		if slices.Contains(activeStates, s) {
			return true, nil
		}
	}
	return false, nil
}
