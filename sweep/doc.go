// Package sweep holds what `fpfind sweep` and `fpfind collect` share about a
// sweep: many networks analysed alike, each into its own pair of result
// files in one folder (docs/DESIGN.md sections 4 and 6).
//
// A sweep's networks come from the command line's arguments (Expand): .npz
// files and folders of .npy files, globs, folders of checkpoints, and
// manifests, CSV or TSV files with a header whose column network holds the
// path, an optional column flags holds per-network flags of find, and every
// other column is a label (seed, step, gain) carried into the table. Each
// network's results are NAME.npz and NAME.json in the sweep's folder, NAME
// derived from the path and the flags alone (Name), so that it does not
// change when networks are added to the list or the list is reordered; a
// failure is recorded in NAME.failed.json instead. DIR/sweep.json (the plan,
// report.SweepPlan) lists every network with the settings it is analysed
// with, so the folder alone tells which networks are done, failed, stale
// (made with other settings, another version or from another input) or
// missing (Check), and what the table's rows are (Collect).
//
// Shards (Shard) split a list among the tasks of a Slurm job array, each of
// which runs the same sweep on its share; Script writes the job array's
// batch script.
//
// The package reads and writes files but runs nothing: the command line
// runs each network's analysis and decides what to print.
package sweep
