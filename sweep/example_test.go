package sweep_test

import (
	"fmt"

	"github.com/fpfind/fpfind/sweep"
)

// A network's result files are named from its path and per-network flags
// alone; a job array's tasks split the list into interleaved shards.
func Example() {
	fmt.Println(sweep.Name("ckpt/run1.step000100.npz", nil))
	fmt.Println(sweep.Name("./ckpt/run1.step000100.npz", nil)) // the same path
	fmt.Println(sweep.Name("ckpt/run1.step000100.npz", []string{"--input", "0.5,0,0"}))
	for i := range 3 {
		fmt.Println("shard", i, sweep.Shard(8, i, 3))
	}
	job := sweep.Job{Name: "fpfind-sweep", Tasks: 3, CPUs: 2, Time: "1:00:00", Dir: "/home/me/project", Log: "runs/slurm/%A_%a.out",
		Command: []string{"/usr/local/bin/fpfind", "sweep", "-o", "runs", "-j", "2", "runs/slurm/networks.csv"}}
	fmt.Print(job.Script())
	// Output:
	// run1.step000100-df46978ac4
	// run1.step000100-df46978ac4
	// run1.step000100-7380060ae7
	// shard 0 [0 3 6]
	// shard 1 [1 4 7]
	// shard 2 [2 5]
	// #!/bin/sh
	// # A sweep of fpfind as a Slurm job array: each task analyses its shard of
	// # the networks; rerunning the sweep skips the networks already done.
	// #SBATCH --job-name=fpfind-sweep
	// #SBATCH --array=0-2
	// #SBATCH --ntasks=1
	// #SBATCH --cpus-per-task=2
	// #SBATCH --time=1:00:00
	// #SBATCH --chdir=/home/me/project
	// #SBATCH --output=runs/slurm/%A_%a.out
	//
	// exec /usr/local/bin/fpfind sweep --shard "$SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT" -o runs -j 2 runs/slurm/networks.csv
}
