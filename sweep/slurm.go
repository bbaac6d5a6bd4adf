package sweep

import (
	"fmt"
	"strings"
)

// Job is a Slurm job array that runs a sweep: Tasks tasks, each running
// Command with --shard $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT, so
// that every task runs the same sweep on its share of the networks.
type Job struct {
	Name string // --job-name
	// Tasks is the number of array tasks (--array=0-(Tasks-1)); Parallel,
	// when > 0, caps how many run at once (%Parallel).
	Tasks, Parallel int
	Partition       string // --partition; "" the cluster's default
	Time            string // --time, e.g. 1:00:00; "" the partition's default
	Mem             string // --mem, e.g. 4G; "" the partition's default
	CPUs            int    // --cpus-per-task
	Dir             string // --chdir: the folder the paths are relative to
	Log             string // --output, with %A (the job) and %a (the task)
	// Command is the program and its arguments; --shard is added after
	// its first two words (fpfind sweep).
	Command []string
}

// Script returns the sbatch script of the job array.
func (j *Job) Script() string {
	var b strings.Builder
	b.WriteString("#!/bin/sh\n")
	b.WriteString("# A sweep of fpfind as a Slurm job array: each task analyses its shard of\n# the networks; rerunning the sweep skips the networks already done.\n")
	opt := func(name, v string) {
		if v != "" {
			fmt.Fprintf(&b, "#SBATCH --%s=%s\n", name, v)
		}
	}
	opt("job-name", j.Name)
	array := fmt.Sprintf("0-%d", j.Tasks-1)
	if j.Parallel > 0 {
		array += fmt.Sprintf("%%%d", j.Parallel)
	}
	opt("array", array)
	opt("ntasks", "1")
	opt("cpus-per-task", fmt.Sprint(max(j.CPUs, 1)))
	opt("partition", j.Partition)
	opt("time", j.Time)
	opt("mem", j.Mem)
	opt("chdir", j.Dir)
	opt("output", j.Log)
	b.WriteString("\n")
	var cmd []string
	for i, a := range j.Command {
		cmd = append(cmd, Quote(a))
		if i == 1 {
			cmd = append(cmd, "--shard", `"$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT"`)
		}
	}
	fmt.Fprintf(&b, "exec %s\n", strings.Join(cmd, " "))
	return b.String()
}
