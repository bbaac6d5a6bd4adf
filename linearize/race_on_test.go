//go:build race

package linearize

// raceBuild is true under the race detector, which slows the pure-Go
// eigen-solver about tenfold: the N = 1000 anchors are then skipped.
const raceBuild = true
