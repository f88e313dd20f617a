package evidence

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// mediaFormats names, per accepted MIME type, the ffmpeg demuxer the input
// is read with (forced, so that ffmpeg's own probing cannot take an upload
// for a playlist or a concat script that opens other files) and the muxer
// the clean copy is written with. The container is kept: a remux copies
// the audio and video packets as they are, no re-encoding, so nothing of
// the evidence is lost.
var mediaFormats = map[string]struct{ in, out string }{
	"video/mp4":       {"mov", "mp4"},
	"video/3gpp":      {"mov", "3gp"},
	"video/quicktime": {"mov", "mov"},
	"video/webm":      {"matroska", "webm"},
	"audio/mp4":       {"mov", "ipod"},
	"audio/aac":       {"aac", "adts"},
	"audio/ogg":       {"ogg", "ogg"},
	"audio/mpeg":      {"mp3", "mp3"},
	"audio/amr":       {"amr", "amr"},
}

// maxToolOutput bounds what is kept of ffmpeg's error output.
const maxToolOutput = 4 << 10

// remux writes a copy of the video or audio file at src to dst holding
// only its audio and video streams, with no global, stream or chapter
// metadata (titles, artists, comments, the ©xyz location, make and model,
// creation times, encoder names), no chapters, and no attached pictures
// (ID3 APIC and MP4 cover art, which carry their own EXIF), subtitle or
// data streams (camera timed metadata, GPS tracks). ffmpeg runs with an
// argument list (no shell), no stdin, only the file protocol, one thread,
// a timeout, an output size cap, and bounded captured output.
func (cl *Cleaner) remux(ctx context.Context, src string, t Type, dst string, limit int64) error {
	f, ok := mediaFormats[t.MIME]
	if !ok {
		return &ErrTypeNotAllowed{Detected: t.MIME}
	}
	if cl.FFmpeg == "" {
		return ErrMediaUnavailable
	}
	ctx, cancel := context.WithTimeout(ctx, cl.mediaTimeout())
	defer cancel()
	args := []string{
		"-nostdin", "-hide_banner", "-loglevel", "error", "-y",
		"-threads", "1", "-protocol_whitelist", "file",
		"-f", f.in, "-i", "file:" + src,
		// V: video that is not an attached picture; a: audio. Nothing else.
		"-map", "0:V?", "-map", "0:a?",
		"-map_metadata", "-1", "-map_metadata:s", "-1", "-map_chapters", "-1",
		"-c", "copy",
		// No encoder name, no creation time, nothing that varies by host.
		"-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact",
		"-fs", strconv.FormatInt(limit+limit/4+(1<<20), 10),
	}
	if f.out == "mp3" {
		args = append(args, "-id3v2_version", "0", "-write_id3v1", "0")
	}
	args = append(args, "-f", f.out, "file:"+dst)
	cmd := exec.CommandContext(ctx, cl.FFmpeg, args...)
	cmd.Stdin = nil
	var out boundedBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Env = []string{"PATH=/usr/bin:/bin", "LC_ALL=C"}
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		_ = os.Remove(dst)
		return fmt.Errorf("remux %s: timed out: %w", t.MIME, ErrCorrupt)
	}
	if err != nil {
		_ = os.Remove(dst)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			// ffmpeg could not read it as what its bytes claimed, or it
			// holds no audio or video stream.
			return fmt.Errorf("remux %s: %s: %w", t.MIME, oneLineTool(out.String()), ErrCorrupt)
		}
		return fmt.Errorf("run ffmpeg: %w", err)
	}
	return nil
}

// boundedBuffer keeps the first maxToolOutput bytes written to it.
type boundedBuffer struct{ b bytes.Buffer }

func (w *boundedBuffer) Write(p []byte) (int, error) {
	if room := maxToolOutput - w.b.Len(); room > 0 {
		w.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (w *boundedBuffer) String() string { return w.b.String() }

func oneLineTool(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300]
	}
	return s
}
