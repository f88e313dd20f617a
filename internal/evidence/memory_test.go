package evidence

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"
)

// syntheticMP4 streams an MP4-like file of n bytes: an ftyp box, then
// filler generated on the fly, so the test itself holds no large buffer.
type syntheticMP4 struct {
	head []byte
	n    int64
	pos  int64
}

func (s *syntheticMP4) Read(p []byte) (int, error) {
	if s.pos >= s.n {
		return 0, errEOF
	}
	if int64(len(p)) > s.n-s.pos {
		p = p[:s.n-s.pos]
	}
	k := 0
	if s.pos < int64(len(s.head)) {
		k = copy(p, s.head[s.pos:])
	}
	for i := k; i < len(p); i++ {
		p[i] = byte((s.pos + int64(i)) * 31 >> 3)
	}
	s.pos += int64(len(p))
	return len(p), nil
}

// memProbe samples HeapInuse while f runs and reports the peak growth and
// the total bytes allocated.
func memProbe(f func()) (peakGrowth, allocated uint64) {
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var (
		peak uint64
		mu   sync.Mutex
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(2 * time.Millisecond)
		defer t.Stop()
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-t.C:
				runtime.ReadMemStats(&m)
				mu.Lock()
				peak = max(peak, m.HeapInuse)
				mu.Unlock()
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	peak = max(peak, after.HeapInuse)
	if peak > before.HeapInuse {
		peakGrowth = peak - before.HeapInuse
	}
	return peakGrowth, after.TotalAlloc - before.TotalAlloc
}

// TestIngestStoreMemory is the acceptance: receiving a 100 MB
// upload uses under 32 MB of extra memory (the remux of a video runs in
// ffmpeg's own process; this synthetic one is then refused as damaged).
func TestIngestStoreMemory(t *testing.T) {
	const size = 100 << 20
	const budget = 32 << 20
	tmp := t.TempDir()
	var err error
	peak, alloc := memProbe(func() {
		var u *Upload
		u, err = Ingest(context.Background(), &syntheticMP4{head: ftypBox("isom"), n: size}, DefaultLimits(), tmp)
		if err == nil {
			u.Cleanup()
		}
	})
	if c := Code(err); c != "evidence.corrupt" && c != "evidence.media_unavailable" {
		t.Fatalf("got %v, want the synthetic video refused as damaged", err)
	}
	assertEmptyDir(t, tmp)
	t.Logf("100 MB upload: heap peak growth %d KiB, total allocated %d KiB", peak>>10, alloc>>10)
	if alloc >= budget || peak >= budget {
		t.Errorf("100 MB upload used %d bytes allocated / %d peak heap growth, budget %d", alloc, peak, budget)
	}
}

// TestPNGBombNotAllocated shows the 20000×20000 bomb is refused from its
// header: decoding it would allocate 1.6 GB.
func TestPNGBombNotAllocated(t *testing.T) {
	tmp := t.TempDir()
	bomb := readerOf(pngBomb(20000, 20000))
	var err error
	_, alloc := memProbe(func() {
		_, err = Ingest(context.Background(), bomb, DefaultLimits(), tmp)
	})
	if Code(err) != "evidence.image_too_large" {
		t.Fatalf("got %v, want image_too_large", err)
	}
	t.Logf("PNG bomb refusal allocated %d KiB", alloc>>10)
	if alloc > 256<<10 {
		t.Errorf("refusing the bomb allocated %d bytes", alloc)
	}
}
