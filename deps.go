//go:build tools

// This file pins the module's direct dependencies while the packages that
// use them are written; the build tag keeps it out of every build.
package fpfind

import (
	_ "codeberg.org/sbinet/npyio/npz"
	_ "github.com/spf13/pflag"
	_ "gonum.org/v1/plot"
)
