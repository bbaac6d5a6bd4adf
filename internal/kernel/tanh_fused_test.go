//go:build !amd64 || amd64.v3

package kernel

// mathTanhUnfused is false where the compiler may fuse the multiply-adds
// of the standard library's tanh (GOAMD64=v3 and other architectures).
const mathTanhUnfused = false
