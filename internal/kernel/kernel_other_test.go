//go:build !amd64

package kernel

var useAVX512 = false
