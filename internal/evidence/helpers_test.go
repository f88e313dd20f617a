package evidence

import (
	"context"
	"io"
	"os/exec"
	"testing"
)

// Ingest is the pipeline with a test cleaner: ffmpeg from PATH when
// installed (tests of media kinds need it; see evidencetest.Tool), no gate.
func Ingest(ctx context.Context, r io.Reader, limits Limits, tmpDir string) (*Upload, error) {
	ff, _ := exec.LookPath("ffmpeg")
	return (&Cleaner{Limits: limits, TmpDir: tmpDir, FFmpeg: ff}).Ingest(ctx, r)
}

var _ = testing.Short
