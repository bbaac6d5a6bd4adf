package dynamics

import (
	"fmt"
	"math"
	"testing"
	"time"
)

// ParallelField gives Field's result bit for bit, call after call, with the
// helpers spinning, parked (after a pause) and for every number of parts.
func TestParallelFieldMatchesField(t *testing.T) {
	for _, n := range []int{1, 31, 64, 200, 517} {
		for _, parts := range []int{1, 2, 3, 8} {
			net := randomNet(t, n, 2, 1.3, Tanh, Continuous, true, 21)
			p := net.NewEvaluator(parts).ParallelField()
			want, got := make([]float64, n), make([]float64, n)
			for call := 0; call < 40; call++ {
				h := randomState(n, uint64(100+call))
				if call == 20 {
					time.Sleep(20 * time.Millisecond) // let the helpers park
				}
				net.Field(want, h)
				for i := range got {
					got[i] = math.NaN()
				}
				p.Field(got, h)
				for i := range want {
					if math.Float64bits(got[i]) != math.Float64bits(want[i]) {
						t.Fatalf("n=%d parts=%d call %d: row %d = %v, Field %v", n, parts, call, i, got[i], want[i])
					}
				}
			}
			p.Close()
			p.Close() // a second Close is harmless
		}
	}
}

func TestParallelFieldAfterClose(t *testing.T) {
	net := randomNet(t, 64, 0, 1, Tanh, Continuous, false, 1)
	p := net.NewEvaluator(2).ParallelField()
	p.Close()
	defer func() {
		if recover() == nil {
			t.Error("Field after Close did not panic")
		}
	}()
	p.Field(make([]float64, 64), make([]float64, 64))
}

func BenchmarkParallelField(b *testing.B) {
	for _, n := range []int{256, 1024, 2048} {
		net := randomNet(b, n, 0, 1, Tanh, Continuous, false, 1)
		h, dst := randomState(n, 2), make([]float64, n)
		b.Run(fmt.Sprintf("n=%d/Field", n), func(b *testing.B) {
			b.SetBytes(int64(8 * n * n))
			for b.Loop() {
				net.Field(dst, h)
			}
		})
		b.Run(fmt.Sprintf("n=%d/ParallelField", n), func(b *testing.B) {
			p := net.NewEvaluator(2).ParallelField()
			defer p.Close()
			b.SetBytes(int64(8 * n * n))
			b.ReportAllocs()
			for b.Loop() {
				p.Field(dst, h)
			}
		})
	}
}
