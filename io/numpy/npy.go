package numpy

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Array is one named NumPy array.
//
// Data holds the elements in C (row-major) order, whatever the order on disk.
// A reader fills it with []float64 (every float, integer and bool dtype),
// []complex128 (complex dtypes) or []string (the 'U' and 'S' dtypes). A
// writer also accepts []int64 and []int (written as '<i8') and []bool
// (written as '|b1'). An empty Shape is
// a 0-d array holding one element.
type Array struct {
	Name  string
	Shape []int
	Data  any

	// Dtype and Fortran describe the array as it was stored, for
	// provenance ("<f4", ">f8", "<U4", ...). Writers ignore them.
	Dtype   string
	Fortran bool
}

// Len returns the number of elements the shape holds (1 for a 0-d array).
func (a *Array) Len() int {
	n := 1
	for _, d := range a.Shape {
		n *= d
	}
	return n
}

// Float64s returns the elements of a numeric array, or false when the array
// holds strings or complex numbers.
func (a *Array) Float64s() ([]float64, bool) {
	switch d := a.Data.(type) {
	case []float64:
		return d, true
	case []int64:
		f := make([]float64, len(d))
		for i, v := range d {
			f[i] = float64(v)
		}
		return f, true
	case []int:
		f := make([]float64, len(d))
		for i, v := range d {
			f[i] = float64(v)
		}
		return f, true
	}
	return nil, false
}

// Strings returns the elements of a string array, or false.
func (a *Array) Strings() ([]string, bool) {
	s, ok := a.Data.([]string)
	return s, ok
}

const (
	npyMagic = "\x93NUMPY"
	// maxHeaderLen bounds the header dictionary. NumPy itself refuses
	// headers over 10000 bytes unless told otherwise.
	maxHeaderLen = 1 << 16
)

var errTruncated = fmt.Errorf("truncated .npy data: %w", io.ErrUnexpectedEOF)

// dtype is a parsed descr string.
type dtype struct {
	descr    string
	order    binary.ByteOrder
	kind     byte // 'f', 'i', 'u', 'b', 'c', 'U', 'S'
	size     int  // bytes per element
	stringsN int  // characters per element for 'U' and 'S'
}

func parseDtype(s string) (dtype, error) {
	bad := func(why string) (dtype, error) {
		return dtype{}, fmt.Errorf("unsupported dtype %q (%s)", s, why)
	}
	if k := strings.TrimLeft(s, "<>=|"); strings.HasPrefix(k, "O") && len(s)-len(k) <= 1 {
		return dtype{}, fmt.Errorf("unsupported dtype %q: object arrays (pickled Python objects) are not supported; save numeric arrays instead, e.g. np.asarray(x, dtype=float)", s)
	}
	if len(s) < 2 {
		return bad("too short")
	}
	var d dtype
	d.descr = s
	bo := s[0]
	rest := s[1:]
	switch bo {
	case '<', '=':
		d.order = binary.LittleEndian
	case '>':
		d.order = binary.BigEndian
	case '|':
		d.order = binary.LittleEndian
	default:
		bo = '|'
		rest = s
		d.order = binary.LittleEndian
	}
	if len(rest) < 2 {
		return bad("too short")
	}
	d.kind = rest[0]
	n, err := strconv.Atoi(rest[1:])
	if err != nil || n <= 0 || n > 1<<20 {
		return bad("bad item size")
	}
	switch d.kind {
	case 'f':
		if n != 4 && n != 8 {
			return bad("want f4 or f8")
		}
		d.size = n
	case 'i', 'u':
		if n != 1 && n != 2 && n != 4 && n != 8 {
			return bad("want an integer of 1, 2, 4 or 8 bytes")
		}
		d.size = n
	case 'b':
		if n != 1 {
			return bad("want b1")
		}
		d.size = 1
	case 'c':
		if n != 8 && n != 16 {
			return bad("want c8 or c16")
		}
		d.size = n
	case 'U':
		d.size = 4 * n
		d.stringsN = n
	case 'S':
		d.size = n
		d.stringsN = n
	default:
		return bad("want a float, integer, bool, complex or string dtype")
	}
	if bo == '|' && d.size > 1 && d.kind != 'S' {
		return bad("byte order '|' on a multi-byte type")
	}
	return d, nil
}

// header is a validated .npy header.
type header struct {
	dt      dtype
	fortran bool
	shape   []int
	count   int64 // elements, or -1 when the product of the shape overflows
	nbytes  int64 // data bytes (count times the item size), or -1 on overflow
	dataOff int64 // offset of the data from the start of the .npy
}

// readHeader reads and validates the .npy header at the start of r: the
// preamble, then the header text, whose length is bounded by maxHeaderLen.
// It reads nothing past the header. size is the length of the whole .npy
// when it is known (-1 otherwise): a header longer than that is refused
// before it is read.
func readHeader(r io.Reader, size int64) (*header, error) {
	var pre [12]byte
	n, err := io.ReadFull(r, pre[:6])
	if err != nil && !isEOF(err) {
		return nil, err
	}
	if n < 6 || string(pre[:6]) != npyMagic {
		if n < 6 && strings.HasPrefix(npyMagic, string(pre[:n])) {
			return nil, errTruncated
		}
		return nil, errors.New("not a .npy array (bad magic)")
	}
	if err := readFull(r, pre[6:8]); err != nil {
		return nil, err
	}
	major, minor := pre[6], pre[7]
	if major < 1 || major > 3 || minor != 0 {
		return nil, fmt.Errorf("unsupported .npy format version %d.%d (want 1.0, 2.0 or 3.0)", major, minor)
	}
	var hlen, off int64
	if major == 1 {
		if err := readFull(r, pre[8:10]); err != nil {
			return nil, err
		}
		hlen = int64(binary.LittleEndian.Uint16(pre[8:10]))
		off = 10
	} else {
		if err := readFull(r, pre[8:12]); err != nil {
			return nil, err
		}
		h := binary.LittleEndian.Uint32(pre[8:12])
		if h > maxHeaderLen {
			return nil, fmt.Errorf("header length %d exceeds the limit of %d bytes", h, maxHeaderLen)
		}
		hlen = int64(h)
		off = 12
	}
	if size >= 0 && size-off < hlen {
		return nil, fmt.Errorf("header claims %d bytes but the file has %d after the preamble: %w", hlen, size-off, io.ErrUnexpectedEOF)
	}
	text := make([]byte, hlen)
	if err := readFull(r, text); err != nil {
		return nil, err
	}
	if hlen == 0 || text[hlen-1] != '\n' {
		return nil, errors.New("header does not end with a newline")
	}
	if major < 3 {
		for _, c := range text {
			if c >= 0x80 {
				return nil, errors.New("non-ASCII byte in a version 1/2 header")
			}
		}
	} else if !utf8.Valid(text) {
		return nil, errors.New("header is not valid UTF-8")
	}
	h, err := parseDict(string(text[:hlen-1]))
	if err != nil {
		return nil, fmt.Errorf("bad header %q: %w", clip(string(text[:hlen-1])), err)
	}
	h.dataOff = off + hlen
	// Count the elements and bytes without overflow.
	h.count = 1
	for _, d := range h.shape {
		if d == 0 {
			h.count = 0
			break
		}
	}
	for _, d := range h.shape {
		if h.count <= 0 {
			break
		}
		if h.count > math.MaxInt64/int64(d) {
			h.count = -1
			break
		}
		h.count *= int64(d)
	}
	h.nbytes = -1
	if sz := int64(h.dt.size); h.count >= 0 && h.count <= math.MaxInt64/sz {
		h.nbytes = h.count * sz
	}
	return h, nil
}

// readFull is io.ReadFull with any end of input reported as truncation.
func readFull(r io.Reader, b []byte) error {
	if _, err := io.ReadFull(r, b); err != nil {
		if isEOF(err) {
			return errTruncated
		}
		return err
	}
	return nil
}

func isEOF(err error) bool { return err == io.EOF || err == io.ErrUnexpectedEOF }

// what names the array a header declares, for messages: "shape (2, 2) of <f8".
func (h *header) what() string { return "shape " + pyShape(h.shape) + " of " + h.dt.descr }

// checkSize compares the data size the header declares with avail, the
// bytes that follow the header in the file (or, for an .npz member, by its
// zip header). More declared than available is truncation. Fewer is
// trailing garbage when exact is set (the size of a plain file); in a zip
// member it is found by reading (see readData), because the zip header's
// size may be false.
func (h *header) checkSize(avail int64, exact bool) error {
	switch {
	case h.nbytes < 0 || h.count > avail:
		return fmt.Errorf("header claims %s (more than the %d bytes present): %w", h.what(), avail, io.ErrUnexpectedEOF)
	case h.nbytes > avail:
		return fmt.Errorf("header claims %s = %d bytes, but %d are present: %w", h.what(), h.nbytes, avail, io.ErrUnexpectedEOF)
	case h.nbytes < avail && exact:
		return fmt.Errorf("%d bytes of trailing garbage after the %d bytes of %s", avail-h.nbytes, h.nbytes, h.what())
	}
	return nil
}

// decodedBytes returns the memory the decoded array takes: 8 bytes per
// element of a real dtype (read as float64), 16 per complex element, and for
// strings a 16-byte string header plus at most the element's UTF-8 bytes
// (4 per character for 'U', 2 per Latin-1 byte for 'S'). It returns -1 on
// overflow.
func (h *header) decodedBytes() int64 {
	var per int64
	switch h.dt.kind {
	case 'c':
		per = 16
	case 'U':
		per = 16 + int64(h.dt.size)
	case 'S':
		per = 16 + 2*int64(h.dt.size)
	default:
		per = 8
	}
	if h.count < 0 || h.count > math.MaxInt64/per {
		return -1
	}
	return h.count * per
}

// sameAs reports whether two readings of a header agree.
func (h *header) sameAs(o *header) bool {
	return h.dt.descr == o.dt.descr && h.fortran == o.fortran && slices.Equal(h.shape, o.shape) && h.dataOff == o.dataOff
}

func clip(s string) string {
	if len(s) > 120 {
		return s[:120] + "..."
	}
	return s
}

// parseDict parses the Python dict literal of a .npy header: exactly the keys
// descr (a string), fortran_order (True/False) and shape (a tuple of
// non-negative ints).
func parseDict(s string) (*header, error) {
	p := &lit{s: s}
	p.space()
	if !p.eat('{') {
		return nil, errors.New("want '{'")
	}
	h := &header{}
	seen := map[string]bool{}
	for {
		p.space()
		if p.eat('}') {
			break
		}
		key, err := p.str()
		if err != nil {
			return nil, fmt.Errorf("dict key: %w", err)
		}
		if seen[key] {
			return nil, fmt.Errorf("duplicate key %q", key)
		}
		seen[key] = true
		p.space()
		if !p.eat(':') {
			return nil, errors.New("want ':'")
		}
		p.space()
		switch key {
		case "descr":
			if p.peek() != '\'' && p.peek() != '"' {
				return nil, errors.New("descr is not a simple string (structured dtypes are not supported)")
			}
			d, err := p.str()
			if err != nil {
				return nil, fmt.Errorf("descr: %w", err)
			}
			if h.dt, err = parseDtype(d); err != nil {
				return nil, err
			}
		case "fortran_order":
			switch {
			case p.word("True"):
				h.fortran = true
			case p.word("False"):
				h.fortran = false
			default:
				return nil, errors.New("fortran_order is not True or False")
			}
		case "shape":
			if h.shape, err = p.tuple(); err != nil {
				return nil, fmt.Errorf("shape: %w", err)
			}
		default:
			return nil, fmt.Errorf("unexpected key %q", key)
		}
		p.space()
		if p.eat(',') {
			continue
		}
		p.space()
		if p.eat('}') {
			break
		}
		return nil, errors.New("want ',' or '}'")
	}
	p.space()
	if p.i != len(p.s) {
		return nil, errors.New("text after the closing '}'")
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return nil, fmt.Errorf("missing key %q", k)
		}
	}
	return h, nil
}

type lit struct {
	s string
	i int
}

func (p *lit) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

func (p *lit) space() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *lit) eat(c byte) bool {
	if p.peek() == c {
		p.i++
		return true
	}
	return false
}

func (p *lit) word(w string) bool {
	if strings.HasPrefix(p.s[p.i:], w) {
		p.i += len(w)
		return true
	}
	return false
}

func (p *lit) str() (string, error) {
	q := p.peek()
	if q != '\'' && q != '"' {
		return "", errors.New("want a quoted string")
	}
	j := strings.IndexByte(p.s[p.i+1:], q)
	if j < 0 {
		return "", errors.New("unterminated string")
	}
	v := p.s[p.i+1 : p.i+1+j]
	if strings.IndexByte(v, '\\') >= 0 {
		return "", errors.New("escapes in strings are not supported")
	}
	p.i += j + 2
	return v, nil
}

// maxDims bounds the rank, as NumPy does (64).
const maxDims = 64

func (p *lit) tuple() ([]int, error) {
	if !p.eat('(') {
		return nil, errors.New("want '('")
	}
	shape := []int{}
	for {
		p.space()
		if p.eat(')') {
			return shape, nil
		}
		j := p.i
		for p.i < len(p.s) && p.s[p.i] >= '0' && p.s[p.i] <= '9' {
			p.i++
		}
		if j == p.i {
			if p.peek() == '-' {
				return nil, errors.New("negative dimension")
			}
			return nil, errors.New("want a non-negative integer")
		}
		d, err := strconv.ParseInt(p.s[j:p.i], 10, 64)
		if err != nil || d > math.MaxInt32*int64(1<<20) {
			return nil, fmt.Errorf("dimension %s is too large", p.s[j:p.i])
		}
		if len(shape) == maxDims {
			return nil, fmt.Errorf("more than %d dimensions", maxDims)
		}
		shape = append(shape, int(d))
		p.space()
		if p.eat(',') {
			continue
		}
		p.space()
		if p.eat(')') {
			if len(shape) == 1 {
				return nil, errors.New("a 1-d shape needs a trailing comma, as in (3,)")
			}
			return shape, nil
		}
		return nil, errors.New("want ',' or ')'")
	}
}

// chunkBytes is the size of the buffer the data is read through.
const chunkBytes = 1 << 16

// readData reads the elements h declares from r, which is positioned just
// after the header, through a buffer of about chunkBytes, decoding each
// chunk straight into the result (in C order, whatever the order on disk),
// so that the raw bytes and the decoded array are never both held whole.
// It then reads one more byte to tell trailing data. avail is the number of
// bytes the container says follow the header, for the message (-1 when
// unknown).
func readData(r io.Reader, h *header, avail int64) (a *Array, err error) {
	if h.count < 0 || h.nbytes < 0 {
		return nil, fmt.Errorf("header claims %s, more than can be addressed: %w", h.what(), io.ErrUnexpectedEOF)
	}
	a = &Array{Shape: h.shape, Dtype: h.dt.descr, Fortran: h.fortran}
	n := int(h.count)
	place := newPlacer(h.shape, h.fortran)
	bo := h.dt.order
	sz := h.dt.size
	var raw []byte
	if n > 0 {
		per := max(1, chunkBytes/sz)
		raw = make([]byte, min(per, n)*sz)
	}
	// each feeds the elements to f in storage order, chunk by chunk, with
	// their index on disk and their C-order index.
	each := func(f func(e []byte, i, to int) error) error {
		per := len(raw) / max(1, sz)
		for i := 0; i < n; i += per {
			k := min(per, n-i)
			if err := readFull(r, raw[:k*sz]); err != nil {
				return err
			}
			for j := 0; j < k; j++ {
				to := i + j
				if place != nil {
					to = place.next()
				}
				if err := f(raw[j*sz:(j+1)*sz], i+j, to); err != nil {
					return err
				}
			}
		}
		return nil
	}
	switch h.dt.kind {
	case 'f', 'i', 'u', 'b':
		out := make([]float64, n)
		var conv func(e []byte) float64
		switch {
		case h.dt.kind == 'f' && sz == 4:
			conv = func(e []byte) float64 { return float64(math.Float32frombits(bo.Uint32(e))) }
		case h.dt.kind == 'f':
			conv = func(e []byte) float64 { return math.Float64frombits(bo.Uint64(e)) }
		case h.dt.kind == 'i':
			conv = func(e []byte) float64 { return float64(signed(bo, e)) }
		default:
			conv = func(e []byte) float64 { return float64(unsigned(bo, e)) }
		}
		isBool := h.dt.kind == 'b'
		err = each(func(e []byte, i, to int) error {
			if isBool && e[0] > 1 {
				return fmt.Errorf("bool element %d has byte value %d", i, e[0])
			}
			out[to] = conv(e)
			return nil
		})
		a.Data = out
	case 'c':
		out := make([]complex128, n)
		err = each(func(e []byte, _, to int) error {
			if sz == 8 {
				out[to] = complex(float64(math.Float32frombits(bo.Uint32(e[:4]))), float64(math.Float32frombits(bo.Uint32(e[4:]))))
			} else {
				out[to] = complex(math.Float64frombits(bo.Uint64(e[:8])), math.Float64frombits(bo.Uint64(e[8:])))
			}
			return nil
		})
		a.Data = out
	case 'U', 'S':
		out := make([]string, n)
		var sb strings.Builder
		err = each(func(e []byte, i, to int) error {
			// As NumPy does, drop trailing NULs and keep inner ones.
			sb.Reset()
			if h.dt.kind == 'S' {
				// Bytes are read as Latin-1, so that any string is valid UTF-8.
				for _, c := range bytes.TrimRight(e, "\x00") {
					sb.WriteRune(rune(c))
				}
				out[to] = sb.String()
				return nil
			}
			k := h.dt.stringsN
			for k > 0 && bo.Uint32(e[4*(k-1):]) == 0 {
				k--
			}
			for j := 0; j < k; j++ {
				c := bo.Uint32(e[4*j:])
				if c > utf8.MaxRune || (c >= 0xD800 && c < 0xE000) {
					return fmt.Errorf("string element %d holds an invalid code point %#x", i, c)
				}
				sb.WriteRune(rune(c))
			}
			out[to] = sb.String()
			return nil
		})
		a.Data = out
	default:
		return nil, fmt.Errorf("internal error: dtype kind %q", h.dt.kind)
	}
	if err != nil {
		return nil, err
	}
	var one [1]byte
	switch k, err := io.ReadFull(r, one[:]); {
	case k > 0 && avail > h.nbytes:
		return nil, fmt.Errorf("%d bytes of trailing garbage after the %d bytes of %s", avail-h.nbytes, h.nbytes, h.what())
	case k > 0:
		return nil, fmt.Errorf("trailing garbage after the %d bytes of %s", h.nbytes, h.what())
	case err != io.EOF:
		return nil, err
	}
	return a, nil
}

// placer maps the elements of a Fortran-ordered array, taken in storage
// order (first axis fastest), to their C-order index.
type placer struct {
	shape []int
	cs    []int // C strides, in elements
	idx   []int
	off   int
}

// newPlacer returns a placer, or nil when storage order is C order already.
func newPlacer(shape []int, fortran bool) *placer {
	if !fortran || len(shape) < 2 {
		return nil
	}
	p := &placer{shape: shape, cs: make([]int, len(shape)), idx: make([]int, len(shape))}
	s := 1
	for d := len(shape) - 1; d >= 0; d-- {
		p.cs[d] = s
		s *= shape[d]
	}
	return p
}

func (p *placer) next() int {
	cur := p.off
	for d := range p.shape {
		p.idx[d]++
		p.off += p.cs[d]
		if p.idx[d] < p.shape[d] {
			break
		}
		p.off -= p.cs[d] * p.shape[d]
		p.idx[d] = 0
	}
	return cur
}

func signed(bo binary.ByteOrder, e []byte) int64 {
	switch len(e) {
	case 1:
		return int64(int8(e[0]))
	case 2:
		return int64(int16(bo.Uint16(e)))
	case 4:
		return int64(int32(bo.Uint32(e)))
	}
	return int64(bo.Uint64(e))
}

func unsigned(bo binary.ByteOrder, e []byte) uint64 {
	switch len(e) {
	case 1:
		return uint64(e[0])
	case 2:
		return uint64(bo.Uint16(e))
	case 4:
		return uint64(bo.Uint32(e))
	}
	return bo.Uint64(e)
}

// encodeNPY appends the .npy encoding of a (C order, little endian) to dst.
func encodeNPY(a *Array) ([]byte, error) {
	n, err := checkShape(a)
	if err != nil {
		return nil, err
	}
	var descr string
	var body []byte
	switch d := a.Data.(type) {
	case []float64:
		descr = "<f8"
		body = make([]byte, 8*n)
		for i, v := range d {
			binary.LittleEndian.PutUint64(body[8*i:], math.Float64bits(v))
		}
	case []complex128:
		descr = "<c16"
		body = make([]byte, 16*n)
		for i, v := range d {
			binary.LittleEndian.PutUint64(body[16*i:], math.Float64bits(real(v)))
			binary.LittleEndian.PutUint64(body[16*i+8:], math.Float64bits(imag(v)))
		}
	case []int64:
		descr = "<i8"
		body = make([]byte, 8*n)
		for i, v := range d {
			binary.LittleEndian.PutUint64(body[8*i:], uint64(v))
		}
	case []int:
		descr = "<i8"
		body = make([]byte, 8*n)
		for i, v := range d {
			binary.LittleEndian.PutUint64(body[8*i:], uint64(int64(v)))
		}
	case []bool:
		descr = "|b1"
		body = make([]byte, n)
		for i, v := range d {
			if v {
				body[i] = 1
			}
		}
	case []string:
		w := 1
		for _, s := range d {
			if !utf8.ValidString(s) {
				return nil, fmt.Errorf("numpy: array %q: string %q is not valid UTF-8", a.Name, s)
			}
			if strings.HasSuffix(s, "\x00") {
				return nil, fmt.Errorf("numpy: array %q: string %q ends with a NUL, which NumPy drops", a.Name, s)
			}
			w = max(w, utf8.RuneCountInString(s))
		}
		descr = "<U" + strconv.Itoa(w)
		body = make([]byte, 4*w*n)
		for i, s := range d {
			k := 0
			for _, r := range s {
				binary.LittleEndian.PutUint32(body[4*(i*w+k):], uint32(r))
				k++
			}
		}
	default:
		return nil, fmt.Errorf("numpy: array %q: unsupported data type %T (want []float64, []complex128, []int64, []int, []bool or []string)", a.Name, a.Data)
	}
	var dict strings.Builder
	dict.WriteString("{'descr': '")
	dict.WriteString(descr)
	dict.WriteString("', 'fortran_order': False, 'shape': (")
	for i, d := range a.Shape {
		if i > 0 {
			dict.WriteString(", ")
		}
		dict.WriteString(strconv.Itoa(d))
	}
	if len(a.Shape) == 1 {
		dict.WriteString(",")
	}
	dict.WriteString("), }")
	// Pad with spaces so that the data starts on a 64-byte boundary, as
	// NumPy does.
	pre := 10
	hl := dict.Len() + 1
	if pre+hl > math.MaxUint16 {
		pre = 12
	}
	pad := (64 - (pre+hl)%64) % 64
	hl += pad
	out := make([]byte, 0, pre+hl+len(body))
	out = append(out, npyMagic...)
	if pre == 10 {
		out = append(out, 1, 0)
		out = binary.LittleEndian.AppendUint16(out, uint16(hl))
	} else {
		out = append(out, 2, 0)
		out = binary.LittleEndian.AppendUint32(out, uint32(hl))
	}
	out = append(out, dict.String()...)
	out = append(out, bytes.Repeat([]byte{' '}, pad)...)
	out = append(out, '\n')
	out = append(out, body...)
	return out, nil
}

// checkShape checks that a's shape is valid and matches its data, and
// returns the number of elements.
func checkShape(a *Array) (int, error) {
	n := 1
	for _, d := range a.Shape {
		if d < 0 {
			return 0, fmt.Errorf("numpy: array %q: negative dimension in shape %s", a.Name, pyShape(a.Shape))
		}
		n *= d
	}
	var l int
	switch d := a.Data.(type) {
	case []float64:
		l = len(d)
	case []complex128:
		l = len(d)
	case []int64:
		l = len(d)
	case []int:
		l = len(d)
	case []bool:
		l = len(d)
	case []string:
		l = len(d)
	default:
		return 0, fmt.Errorf("numpy: array %q: unsupported data type %T (want []float64, []complex128, []int64, []int, []bool or []string)", a.Name, a.Data)
	}
	if l != n {
		return 0, fmt.Errorf("numpy: array %q: shape %s holds %d elements, data has %d", a.Name, pyShape(a.Shape), n, l)
	}
	return n, nil
}

// ShapeString formats a shape as Python does: (), (3,), (2, 3).
func ShapeString(shape []int) string { return pyShape(shape) }

func pyShape(shape []int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, d := range shape {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(strconv.Itoa(d))
	}
	if len(shape) == 1 {
		b.WriteByte(',')
	}
	b.WriteByte(')')
	return b.String()
}
