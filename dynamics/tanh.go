package dynamics

import "github.com/fpfind/fpfind/internal/kernel"

// tanhRow sets dst[i] = tanh(x[i]) for a row of units at once (dst may
// be x): internal/kernel's Tanh, four lanes at a time, about four times as
// fast as a loop of math.Tanh and with its bits (in the default GOAMD64
// build), so the fields and speeds formed a row at a time agree bit for
// bit with the per-unit methods (Activation.Phi, D1) used elsewhere.
func tanhRow(dst, x []float64) { kernel.Tanh(dst, x) }
