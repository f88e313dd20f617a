package evidence

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/png"
	"sync"
	"testing"
	"time"
)

// png16Bomb is pngBomb with 16-bit RGBA pixels (8 bytes each decoded).
func png16Bomb(w, h uint32) []byte {
	b := pngBomb(w, h)
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 16, 6, 0, 0, 0)
	out := append([]byte{}, b[:8]...)
	out = append(out, pngChunk("IHDR", ihdr)...)
	return append(out, b[8+8+13+4:]...)
}

// TestPNG16BombRefusedFromHeader: a 6000×6000 16-bit PNG is within the
// pixel cap (36 of 40 megapixels) but decodes to 288 MB; it is refused
// before any pixel is allocated.
func TestPNG16BombRefusedFromHeader(t *testing.T) {
	var err error
	_, alloc := memProbe(func() {
		_, err = Ingest(context.Background(), bytes.NewReader(png16Bomb(6000, 6000)), DefaultLimits(), t.TempDir())
	})
	if Code(err) != "evidence.image_too_large" {
		t.Fatalf("got %v, want image_too_large", err)
	}
	// A few MiB at most (the race detector's shadow counts too): the
	// 288 MB decode never starts.
	if alloc > 4<<20 {
		t.Errorf("refusing the bomb allocated %d bytes", alloc)
	}
}

// TestParallelPNG16Decodes is issue 18's acceptance 5. Ten uploads at once,
// five of the 16-bit PNG bomb and five of a real 16-bit PNG just under the
// decode bound (1600×1600×8 = 19.5 MiB of pixels, bound 24 MiB), go through
// a cleaner whose gate admits 2 cleanings. The heap's growth stays under
// 2 × (2 × 24 MiB) + 32 MiB = 128 MiB: two decodes live at once, doubled
// for the garbage the collector lets build up before it runs (GOGC=100),
// plus slack. Five decodes at once would hold 98 MiB live, ~200 MiB peak.
func TestParallelPNG16Decodes(t *testing.T) {
	const bound = 24 << 20
	const heapBound = 2*2*bound + 32<<20
	img := image.NewRGBA64(image.Rect(0, 0, 1600, 1600))
	for y := 0; y < 1600; y += 7 {
		img.SetRGBA64(y, y, color.RGBA64{R: 0xffff, A: 0xffff})
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	real16 := b.Bytes()
	img = nil
	bomb := png16Bomb(6000, 6000)
	cl := &Cleaner{Limits: DefaultLimits(), TmpDir: t.TempDir(), MaxDecodedBytes: bound, Gate: NewGate(2, 5*time.Minute)} // waits long: under the race detector on a busy machine a decode takes seconds
	var (
		mu    sync.Mutex
		codes = map[string]int{}
	)
	peak, _ := memProbe(func() {
		var wg sync.WaitGroup
		for i := range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				data := real16
				if i%2 == 0 {
					data = bomb
				}
				u, err := cl.Ingest(context.Background(), bytes.NewReader(data))
				code := Code(err)
				if err == nil {
					code = "stored"
					_ = u.Cleanup()
				} else if code == "" {
					code = err.Error()
				}
				mu.Lock()
				codes[code]++
				mu.Unlock()
			}()
		}
		wg.Wait()
	})
	t.Logf("10 parallel 16-bit PNG uploads, gate of 2, decode bound %d MiB: heap peak growth %d MiB (bound %d MiB); outcomes %v",
		bound>>20, peak>>20, heapBound>>20, codes)
	if codes["stored"] != 5 || codes["evidence.image_too_large"] != 5 {
		t.Errorf("outcomes %v, want 5 stored and 5 bombs refused", codes)
	}
	if peak > heapBound {
		t.Errorf("heap grew by %d MiB, over the %d MiB bound", peak>>20, heapBound>>20)
	}
}

// TestGateBusy: with every turn taken, an upload waits the gate's wait
// and is refused with ErrBusy; a freed turn is taken at once.
func TestGateBusy(t *testing.T) {
	g := NewGate(1, 50*time.Millisecond)
	release, err := g.Enter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := g.Enter(context.Background()); !errors.Is(err, ErrBusy) || time.Since(start) < 50*time.Millisecond {
		t.Fatalf("got %v after %v, want ErrBusy after the wait", err, time.Since(start))
	}
	release()
	r2, err := g.Enter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	r2()
	// Through Ingest: a photo upload waits for the gate and is refused.
	cl := &Cleaner{Limits: DefaultLimits(), TmpDir: t.TempDir(), Gate: NewGate(1, 20*time.Millisecond)}
	hold, _ := cl.Gate.Enter(context.Background())
	defer hold()
	if _, err := cl.Ingest(context.Background(), bytes.NewReader(pngOf(t, halves(8, 8)))); Code(err) != "evidence.busy" {
		t.Fatalf("got %v, want evidence.busy", err)
	}
	assertEmptyDir(t, cl.TmpDir)
}
