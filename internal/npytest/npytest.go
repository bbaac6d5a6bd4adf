// Package npytest builds .npy files and zip archives byte by byte, for the
// tests of io/numpy and io/netfile: independently of the encoder under
// test, and able to build what no encoder writes (lying zip headers, bad
// dicts, truncated data).
package npytest

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
)

// RawNPY builds a version 1.0 .npy file from a header dict and data.
func RawNPY(dict string, data []byte) []byte {
	h := dict + "\n"
	var b bytes.Buffer
	b.WriteString("\x93NUMPY\x01\x00")
	binary.Write(&b, binary.LittleEndian, uint16(len(h)))
	b.WriteString(h)
	b.Write(data)
	return b.Bytes()
}

// F8 encodes little-endian float64s.
func F8(v ...float64) []byte {
	b := make([]byte, 8*len(v))
	for i, x := range v {
		binary.LittleEndian.PutUint64(b[8*i:], math.Float64bits(x))
	}
	return b
}

// NpyF8 is a C-order '<f8' array of the given shape, a Python tuple such as
// "(2, 2)".
func NpyF8(shape string, v ...float64) []byte {
	return RawNPY(fmt.Sprintf("{'descr': '<f8', 'fortran_order': False, 'shape': %s, }", shape), F8(v...))
}

// NpyStr is a 0-d '<U' string array.
func NpyStr(s string) []byte {
	var d []byte
	for _, r := range s {
		d = binary.LittleEndian.AppendUint32(d, uint32(r))
	}
	return RawNPY(fmt.Sprintf("{'descr': '<U%d', 'fortran_order': False, 'shape': (), }", len([]rune(s))), d)
}

// ZipOf builds a zip archive of stored entries, given as name, bytes,
// name, bytes, ..., in that order.
func ZipOf(entries ...any) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for i := 0; i < len(entries); i += 2 {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: entries[i].(string), Method: zip.Store})
		if err != nil {
			panic(err)
		}
		w.Write(entries[i+1].([]byte))
	}
	zw.Close()
	return b.Bytes()
}

// RawZip builds a zip whose one entry W.npy has the given method, bytes (as
// stored) and a claimed uncompressed size, which may lie.
func RawZip(method uint16, stored []byte, claim uint64) []byte {
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "W.npy", Method: method,
		CompressedSize64: uint64(len(stored)), UncompressedSize64: claim, CRC32: crc32.ChecksumIEEE(stored)})
	if err != nil {
		panic(err)
	}
	w.Write(stored)
	zw.Close()
	return b.Bytes()
}

// Deflate compresses b at the best compression.
func Deflate(b []byte) []byte {
	var out bytes.Buffer
	w, _ := flate.NewWriter(&out, flate.BestCompression)
	w.Write(b)
	w.Close()
	return out.Bytes()
}
