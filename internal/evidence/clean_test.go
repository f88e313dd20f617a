package evidence_test

import (
	"bytes"
	"context"
	"os/exec"
	"testing"

	"github.com/suara-id/suara/internal/evidence"
	"github.com/suara-id/suara/internal/evidence/evidencetest"
)

// TestMediaRefusedWithoutFFmpeg: no ffmpeg, no video or audio stored as sent.
func TestMediaRefusedWithoutFFmpeg(t *testing.T) {
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Skip("the fixture needs ffmpeg")
	}
	cl := &evidence.Cleaner{Limits: evidence.DefaultLimits(), TmpDir: t.TempDir()}
	_, err := cl.Ingest(context.Background(), bytes.NewReader(evidencetest.OGG(t)))
	if evidence.Code(err) != "evidence.media_unavailable" {
		t.Fatalf("got %v, want media_unavailable", err)
	}
}
