// Package fpfind is the root of the fpfind module: fixed points, slow points
// and linear stability of continuous-time recurrent neural networks.
//
// The work is done in its sub-packages: dynamics (the network model),
// ode (integrators), fixedpoint (the solver), linearize (spectra and
// stability), io/numpy (the NumPy file codec), io/netfile (network files),
// io/report (the JSON run summary) and cmd/fpfind (the command line).
package fpfind
