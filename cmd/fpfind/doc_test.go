package main

import (
	"os"
	"strings"
	"testing"
)

// session is a command line of the package doc with its expected stdout.
type session struct {
	args []string
	want string
}

// docSessions extracts the "$ fpfind ..." sessions from doc.go.
func docSessions(t *testing.T) []session {
	t.Helper()
	b, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []session
	var cur *session
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "\t$ fpfind"):
			out = append(out, session{args: strings.Fields(line)[2:]})
			cur = &out[len(out)-1]
		case cur != nil && strings.HasPrefix(line, "\t"):
			cur.want += line[1:] + "\n"
		case cur != nil && line == "":
			cur.want += "\n"
		default:
			cur = nil
		}
	}
	for i := range out {
		out[i].want = strings.TrimRight(out[i].want, "\n") + "\n"
	}
	return out
}

// The examples of the package doc run and print what the doc says.
func TestDocSessions(t *testing.T) {
	ss := docSessions(t)
	if len(ss) < 2 {
		t.Fatalf("found %d sessions in doc.go", len(ss))
	}
	t.Chdir(repo)
	for _, s := range ss {
		t.Run(strings.Join(s.args, " "), func(t *testing.T) {
			r := runArgs(t, s.args...)
			if r.code != 0 {
				t.Fatalf("exit %d: %s", r.code, r.stderr)
			}
			if maskTiny(r.stdout) != maskTiny(s.want) {
				t.Errorf("stdout:\n%s\nthe doc says:\n%s", r.stdout, s.want)
			}
		})
	}
}
