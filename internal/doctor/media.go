package doctor

import (
	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/evidence"
)

// CheckMedia is the check that video and audio evidence can be cleaned.
const CheckMedia = "evidence cleaning"

// checkMedia warns when ffmpeg, which strips the metadata of video and
// audio evidence, is not installed: uploads of those kinds are then
// refused rather than stored with their location and device.
func checkMedia(ev config.Evidence) Result {
	r := Result{Check: CheckMedia}
	if p := evidence.FindFFmpeg(ev.FFmpeg); p != "" {
		r.Status, r.Detail = OK, "video and audio are remuxed without metadata by "+p
		return r
	}
	r.Status = Warn
	r.Detail = "ffmpeg (" + ev.FFmpeg + ") not found: video and audio evidence is refused"
	r.Fix = "install ffmpeg (Debian: apt-get install ffmpeg; scripts/tools.sh does it) or set evidence.ffmpeg (" + envName("evidence.ffmpeg") + ")"
	return r
}
