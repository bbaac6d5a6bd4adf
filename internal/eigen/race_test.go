//go:build race

package eigen

// raceEnabled is true under the race detector, which slows the pure-Go
// LAPACK code 5-10x: the largest test matrices are then left out (this
// package starts no goroutines of its own).
const raceEnabled = true
