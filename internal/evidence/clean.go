package evidence

import (
	"context"
	"os/exec"
	"runtime"
	"time"
)

// DefaultMaxDecodedBytes bounds the memory one photo decode may take, counted
// from the header as pixels times the bytes per pixel of the decoded form
// (a 16-bit RGBA PNG takes 8 bytes a pixel, a JPEG turned upright twice its
// decoded size). 160 MB admits a 40-megapixel JPEG as it comes and a
// 24-megapixel one that must be turned, and refuses a 20-megapixel 16-bit
// PNG, which would otherwise decode to 320 MB.
const DefaultMaxDecodedBytes = 160 << 20

// DefaultMediaTimeout bounds one ffmpeg run (a remux of a 100 MB video takes
// a second or two; the rest is margin for a loaded machine).
const DefaultMediaTimeout = 2 * time.Minute

// Cleaner receives uploads and turns them into files fit to store: the
// type decided from the bytes, the size limit enforced while streaming,
// every kind stripped of identifying metadata (see Ingest). The zero value
// refuses video and audio (no ffmpeg) and runs cleanings without a cap;
// build one with NewCleaner for production.
type Cleaner struct {
	Limits Limits
	// TmpDir is where uploads wait while they are cleaned ("" = system temp).
	TmpDir string
	// FFmpeg is the path of the ffmpeg binary that remuxes video and audio
	// without their metadata. Empty: video and audio are refused with
	// ErrMediaUnavailable rather than stored as sent.
	FFmpeg string
	// MediaTimeout bounds one ffmpeg run (DefaultMediaTimeout when zero).
	MediaTimeout time.Duration
	// MaxDecodedBytes bounds one photo decode (DefaultMaxDecodedBytes when
	// zero).
	MaxDecodedBytes int64
	// Gate caps how many cleanings (decodes, remuxes, rewrites) run at once;
	// nil: no cap.
	Gate *Gate
}

// CleanerOptions configure NewCleaner.
type CleanerOptions struct {
	Limits Limits
	TmpDir string
	// FFmpeg is the ffmpeg command, a path or a name looked up on PATH;
	// empty or not found leaves video and audio refused.
	FFmpeg          string
	MediaTimeout    time.Duration
	MaxDecodedBytes int64
	// Concurrent is how many cleanings may run at once (the number of CPUs
	// when zero or less); Wait is how long an upload waits for a turn
	// before it is refused with ErrBusy (5 s when zero).
	Concurrent int
	Wait       time.Duration
}

// NewCleaner builds a Cleaner, resolving ffmpeg on PATH once.
func NewCleaner(o CleanerOptions) *Cleaner {
	c := &Cleaner{Limits: o.Limits, TmpDir: o.TmpDir, MediaTimeout: o.MediaTimeout, MaxDecodedBytes: o.MaxDecodedBytes,
		Gate: NewGate(o.Concurrent, o.Wait)}
	c.FFmpeg = FindFFmpeg(o.FFmpeg)
	return c
}

// FindFFmpeg resolves the ffmpeg command to an absolute path, or "" when it
// is not installed (or name is empty).
func FindFFmpeg(name string) string {
	if name == "" {
		return ""
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return ""
	}
	return p
}

func (c *Cleaner) maxDecoded() int64 {
	if c.MaxDecodedBytes > 0 {
		return c.MaxDecodedBytes
	}
	return DefaultMaxDecodedBytes
}

func (c *Cleaner) mediaTimeout() time.Duration {
	if c.MediaTimeout > 0 {
		return c.MediaTimeout
	}
	return DefaultMediaTimeout
}

// Gate is a counting semaphore over the expensive part of an upload (the
// decode or remux, not the receiving), so that many uploads at once cost
// at most Cap cleanings' memory and CPU, and the rest wait a little or are
// told to come back.
type Gate struct {
	slots chan struct{}
	wait  time.Duration
}

// NewGate allows n cleanings at once (runtime.NumCPU when n <= 0); a caller
// waits at most wait (5 s when zero or less) for a turn.
func NewGate(n int, wait time.Duration) *Gate {
	if n <= 0 {
		n = runtime.NumCPU()
	}
	if wait <= 0 {
		wait = 5 * time.Second
	}
	return &Gate{slots: make(chan struct{}, n), wait: wait}
}

// Cap is how many cleanings may run at once.
func (g *Gate) Cap() int { return cap(g.slots) }

// Enter waits for a turn and returns its release, or ErrBusy after the
// gate's wait, or the context's error.
func (g *Gate) Enter(ctx context.Context) (release func(), err error) {
	if g == nil {
		return func() {}, nil
	}
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	default:
	}
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return func() { <-g.slots }, nil
	case <-t.C:
		return nil, ErrBusy
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}
