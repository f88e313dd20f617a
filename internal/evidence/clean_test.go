package evidence_test

import (
	"bytes"
	"context"
	"io"
	"os/exec"
	"testing"

	"github.com/suara-id/suara/internal/evidence"
	"github.com/suara-id/suara/internal/evidence/evidencetest"
)

// TestEveryKindCleaned ingests a real file of every kind with identifying
// metadata planted in every field and reads the result with exiftool,
// ffprobe and plain unzip/inflate: none of it is left, and the file still
// opens. The HTTP-level acceptance test is in internal/web.
func TestEveryKindCleaned(t *testing.T) {
	evidencetest.Tool(t, "exiftool")
	cl := evidence.NewCleaner(evidence.CleanerOptions{Limits: evidence.DefaultLimits(), TmpDir: t.TempDir(),
		FFmpeg: evidencetest.Tool(t, "ffmpeg")})
	for _, tt := range []struct {
		name    string
		make    func(testing.TB) []byte
		mime    string
		streams []string
	}{
		{"jpeg", evidencetest.JPEG, "image/jpeg", nil},
		{"png", evidencetest.PNG, "image/png", nil},
		{"mp4", evidencetest.MP4, "video/mp4", []string{"video", "audio"}},
		{"webm", evidencetest.WebM, "video/webm", []string{"video", "audio"}},
		{"mp3", evidencetest.MP3, "audio/mpeg", []string{"audio"}},
		{"m4a", evidencetest.M4A, "audio/mp4", []string{"audio"}},
		{"ogg", evidencetest.OGG, "audio/ogg", []string{"audio"}},
		{"docx", evidencetest.DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", nil},
		{"xlsx", evidencetest.XLSX, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", nil},
		{"odt", evidencetest.ODT, "application/vnd.oasis.opendocument.text", nil},
		{"pdf", evidencetest.PDF, "application/pdf", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.make(t)
			if n := len(evidencetest.Findings(t, in)); n < 3 {
				t.Fatalf("fixture shows %d findings: the check could not fail", n)
			}
			u, err := cl.Ingest(context.Background(), bytes.NewReader(in))
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			defer u.Cleanup()
			if u.MIME != tt.mime {
				t.Errorf("mime %s, want %s", u.MIME, tt.mime)
			}
			f, err := u.Open()
			if err != nil {
				t.Fatal(err)
			}
			out, err := io.ReadAll(f)
			f.Close()
			if err != nil {
				t.Fatal(err)
			}
			evidencetest.CheckClean(t, tt.name, out)
			evidencetest.CheckOpens(t, tt.name, out, tt.streams...)
		})
	}
}

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
