package dynamics

import "math"

// tanh is math.Tanh; kept as a seam for a faster kernel.
func tanh(x float64) float64 { return math.Tanh(x) }
