package numpy

import (
	"fmt"
	"strconv"

	"github.com/fpfind/fpfind/internal/sysmem"
)

// budget is the memory the arrays of one file may take once decoded,
// charged from their headers before any data is read.
type budget struct {
	limit   int64 // bytes; < 0 means no limit
	machine bool  // the limit is the machine's memory (MaxBytes was 0)
	used    int64
}

// newBudget interprets a MaxBytes value: > 0 is the limit, 0 means the
// machine's memory (sysmem.Total, no limit when unknown), < 0 no limit.
func newBudget(maxBytes int64) *budget {
	switch {
	case maxBytes > 0:
		return &budget{limit: maxBytes}
	case maxBytes < 0:
		return &budget{limit: -1}
	}
	if t := sysmem.Total(); t > 0 {
		return &budget{limit: t, machine: true}
	}
	return &budget{limit: -1}
}

// take charges the decoded size of the array h declares, or refuses it with
// an error wrapping ErrTooLarge that gives the shape, dtype, size and limit.
func (b *budget) take(h *header) error {
	if b == nil || b.limit < 0 {
		return nil
	}
	need := h.decodedBytes()
	if need >= 0 && need <= b.limit-b.used {
		b.used += need
		return nil
	}
	needs, limit := humanBytes(need), humanBytes(b.limit)
	if needs == limit {
		// Rounded alike: give both exactly.
		needs += " (" + strconv.FormatInt(need, 10) + " bytes)"
		limit += " (" + strconv.FormatInt(b.limit, 10) + " bytes)"
	}
	needs = "needs " + needs
	if need < 0 {
		needs = "needs more than can be addressed"
	}
	limit += " memory limit"
	if b.machine {
		limit += " (the memory of this machine)"
	}
	if need >= 0 && need <= b.limit {
		return &tooLargeError{fmt.Sprintf("%s %s, which with the %s of the file's arrays before it is more than the %s", h.what(), needs, humanBytes(b.used), limit)}
	}
	return &tooLargeError{fmt.Sprintf("%s %s, more than the %s", h.what(), needs, limit)}
}

// humanBytes formats a size with three significant digits in decimal units
// (kB, MB, GB, ...), e.g. "25.3 GB"; sizes under 1000 bytes are exact.
func humanBytes(n int64) string {
	if n < 1000 {
		return strconv.FormatInt(n, 10) + " bytes"
	}
	units := []string{"kB", "MB", "GB", "TB", "PB", "EB"}
	v, u := float64(n)/1000, 0
	for v >= 999.5 && u < len(units)-1 {
		v /= 1000
		u++
	}
	return strconv.FormatFloat(v, 'g', 3, 64) + " " + units[u]
}
