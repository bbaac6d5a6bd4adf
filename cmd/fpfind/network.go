package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"

	"github.com/fpfind/fpfind/io/netfile"
	"github.com/fpfind/fpfind/io/numpy"
	"github.com/fpfind/fpfind/io/report"
	"gonum.org/v1/gonum/mat"
)

// input is a network read from the command line's NETWORK argument.
type input struct {
	*netfile.Loaded
	path string
	hash string
}

// networkArg checks that args hold exactly the NETWORK argument.
func networkArg(name string, args []string) (string, error) {
	switch len(args) {
	case 0:
		return "", usageErrorf(name, "missing the NETWORK argument (an .npz file or a folder of .npy files)")
	case 1:
		return args[0], nil
	}
	return "", usageErrorf(name, "want one NETWORK argument, got %d: %q", len(args), args)
}

// openNetworkInput is openNetwork followed by --input: the network read,
// with its constant input replaced when u is given.
func openNetworkInput(e *env, name string, args []string, m *modelOptions, u *inputOption, quiet bool) (*input, error) {
	in, err := openNetwork(e, name, args, m, quiet)
	if err != nil {
		return nil, err
	}
	if in.Network, err = u.apply(in.Network); err != nil {
		return nil, err
	}
	return in, nil
}

// openNetwork silences the log under --quiet, then reads the command's one
// NETWORK argument with the model overrides and notes how a PyTorch state
// dict was read.
func openNetwork(e *env, name string, args []string, m *modelOptions, quiet bool) (*input, error) {
	if quiet {
		e.log.SetOutput(io.Discard)
	}
	path, err := networkArg(name, args)
	if err != nil {
		return nil, err
	}
	in, err := loadNetwork(path, m)
	if err != nil {
		return nil, err
	}
	noteTorch(e, in, m)
	return in, nil
}

// loadNetwork reads the network at path with the model overrides. Every error
// is an input error (exit 2).
func loadNetwork(path string, m *modelOptions) (*input, error) {
	if _, err := os.Stat(path); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, inputError(fmt.Errorf("%s: no such file or folder", path))
		}
		return nil, inputError(err)
	}
	l, err := netfile.LoadNetwork(path, m.loadOptions())
	if err != nil {
		if m.maxBytes != 0 {
			return nil, tooLarge(err)
		}
		return nil, inputError(err)
	}
	sum, err := report.HashPath(path)
	if err != nil {
		return nil, inputError(fmt.Errorf("could not read %s: %w", path, err))
	}
	return &input{Loaded: l, path: path, hash: sum}, nil
}

// header returns the report header for the command.
func (in *input) header(command string) report.Header {
	h := report.NewHeader(command)
	h.Input = report.Input{Path: in.path, SHA256: in.hash}
	net := in.Network
	tau := net.TauVec()
	lo, hi := tau[0], tau[0]
	for _, t := range tau {
		lo, hi = min(lo, t), max(hi, t)
	}
	h.Network = report.Network{
		N:          net.Dim(),
		M:          net.Inputs(),
		Convention: net.Convention().String(),
		Activation: net.Activation().String(),
		Alpha:      report.Float(net.Alpha()),
		TauMin:     report.Float(lo),
		TauMax:     report.Float(hi),
	}
	return h
}

// sameFile reports whether a and b name the same existing file.
func sameFile(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false
	}
	return os.SameFile(sa, sb)
}

// underFolder reports whether the file p lies inside the folder dir.
func underFolder(p, dir string) bool {
	ap, err1 := filepath.Abs(p)
	ad, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(ad, ap)
	return err == nil && rel != ".." && !filepath.IsAbs(rel) && (len(rel) < 3 || rel[:3] != "../")
}

// readStates reads an (I x cols) matrix of states (or inputs) from an .npy
// file, checking its width and that every value is finite; maxBytes bounds
// its memory as numpy.ReadMatrixLimit does (--max-memory). Errors are input
// errors naming the file.
func readStates(path string, cols int, what, unit string, maxBytes int64) (*mat.Dense, error) {
	m, err := numpy.ReadMatrixLimit(path, maxBytes)
	if err != nil {
		return nil, tooLarge(err)
	}
	r, c := m.Dims()
	if c != cols {
		return nil, inputError(fmt.Errorf("%s: %s have %d columns, the network has %s", path, what, c, fmt.Sprintf(unit, cols)))
	}
	for i := range r {
		for j, v := range m.RawRowView(i) {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				return nil, inputError(fmt.Errorf("%s: row %d, column %d is %v", path, i, j, v))
			}
		}
	}
	return m, nil
}

// noteTorch tells the user, on stderr, which convention a PyTorch state
// dict was read with, unless --convention chose it.
func noteTorch(e *env, in *input, m *modelOptions) {
	if in.Layout == "torch" && m.convention == "" {
		e.log.Printf("%s is a PyTorch nn.RNN state dict, read as h <- %s(W h + W_in u + b) (convention %s); for a leaky CTRNN give --convention leaky --alpha A", in.path, in.Network.Activation(), in.Network.Convention())
	}
}
