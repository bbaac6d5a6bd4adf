// Package report defines the JSON run summary that fpfind writes next to its
// .npz results (PREFIX.json) and prints with --format json.
//
// A document is one JSON object, encoded from Go structs so that its keys
// come in a fixed order. It holds everything needed to repeat a run exactly
// (the program version, the input file and its SHA-256, the network as read,
// the effective settings and the seed) and the per-point facts of the results
// without their big arrays, which stay in the .npz (docs/DESIGN.md section 4).
//
// encoding/json rejects NaN, infinities and complex numbers. Numbers of this
// package therefore go through two types: Float, which encodes a NaN or an
// infinity as null, and Complex, which encodes a + bi as the array [a, b]
// (each part a Float).
//
// Documents are written with Write to any io.Writer (standard output, or
// the temporary file that the command renames into place when the run is
// complete) and read back with Read.
//
// SchemaVersion is raised whenever a key is renamed or removed, or its
// meaning changes; adding a key does not raise it.
package report
