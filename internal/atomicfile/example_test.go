package atomicfile_test

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/fpfind/fpfind/internal/atomicfile"
)

func ExampleWrite() {
	dir, _ := os.MkdirTemp("", "atomicfile")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "notes.txt")
	hello := func(w io.Writer) error { _, err := io.WriteString(w, "hello\n"); return err }

	fmt.Println(atomicfile.Write(path, false, hello))
	err := atomicfile.Write(path, false, hello)
	fmt.Println(errors.Is(err, fs.ErrExist))
	b, _ := os.ReadFile(path)
	fmt.Printf("%q\n", b)
	// Output:
	// <nil>
	// true
	// "hello\n"
}
