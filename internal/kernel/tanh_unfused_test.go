//go:build amd64 && !amd64.v3

package kernel

// mathTanhUnfused: the standard library's tanh is compiled without fused
// multiply-adds (amd64 below GOAMD64=v3), so tanhGo must give its bits.
const mathTanhUnfused = true
