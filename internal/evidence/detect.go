package evidence

import (
	"strings"

	"github.com/gabriel-vasile/mimetype"
)

// HeaderSize is how many leading bytes Detect looks at. It matches the
// detector's own default read limit: enough for image and media signatures
// and for the first local headers of an OOXML or ODF zip.
const HeaderSize = 3072

// Type is what an upload's bytes were recognised as.
type Type struct {
	Kind Kind
	MIME string // canonical MIME type, used as the stored Content-Type
	Ext  string // canonical extension with the dot, for download names
}

// allowed is the allowlist. Detection returns the most specific type the
// detector knows; each row matches that type or one of its aliases. Order
// matters only where types overlap, and none of these do.
var allowed = []struct {
	detect string // as the detector names it
	typ    Type
}{
	{"image/jpeg", Type{KindPhoto, "image/jpeg", ".jpg"}},
	{"image/png", Type{KindPhoto, "image/png", ".png"}},
	{"image/webp", Type{KindPhoto, "image/webp", ".webp"}},

	{"video/mp4", Type{KindVideo, "video/mp4", ".mp4"}},
	{"video/3gpp", Type{KindVideo, "video/3gpp", ".3gp"}},
	{"video/webm", Type{KindVideo, "video/webm", ".webm"}},
	{"video/quicktime", Type{KindVideo, "video/quicktime", ".mov"}},

	{"audio/x-m4a", Type{KindAudio, "audio/mp4", ".m4a"}},
	{"audio/mp4", Type{KindAudio, "audio/mp4", ".m4a"}},
	{"audio/aac", Type{KindAudio, "audio/aac", ".aac"}},
	// audio/ogg covers Opus (WhatsApp voice notes) and Vorbis; a bare
	// application/ogg (unknown codec) or video/ogg is refused.
	{"audio/ogg", Type{KindAudio, "audio/ogg", ".ogg"}},
	{"audio/mpeg", Type{KindAudio, "audio/mpeg", ".mp3"}},
	{"audio/amr", Type{KindAudio, "audio/amr", ".amr"}},

	{"application/pdf", Type{KindDocument, "application/pdf", ".pdf"}},
	{"application/vnd.openxmlformats-officedocument.wordprocessingml.document",
		Type{KindDocument, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"}},
	{"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
		Type{KindDocument, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"}},
	{"application/vnd.openxmlformats-officedocument.presentationml.presentation",
		Type{KindDocument, "application/vnd.openxmlformats-officedocument.presentationml.presentation", ".pptx"}},
	{"application/vnd.oasis.opendocument.text",
		Type{KindDocument, "application/vnd.oasis.opendocument.text", ".odt"}},
	{"application/vnd.oasis.opendocument.spreadsheet",
		Type{KindDocument, "application/vnd.oasis.opendocument.spreadsheet", ".ods"}},
	{"application/vnd.oasis.opendocument.presentation",
		Type{KindDocument, "application/vnd.oasis.opendocument.presentation", ".odp"}},
}

// Detect decides an upload's type from its leading bytes alone (pass at
// least the first HeaderSize bytes when the file is that long). A file name
// or a declared Content-Type is never consulted: both are chosen by the
// sender. Anything not on the allowlist, including scripts, HTML, plain zip
// archives and HEIC photos, yields *ErrTypeNotAllowed; an empty head yields
// ErrEmpty.
func Detect(head []byte) (Type, error) {
	if len(head) == 0 {
		return Type{}, ErrEmpty
	}
	if len(head) > HeaderSize {
		head = head[:HeaderSize]
	}
	m := mimetype.Detect(head)
	for _, a := range allowed {
		if m.Is(a.detect) {
			return a.typ, nil
		}
	}
	detected, _, _ := strings.Cut(m.String(), ";")
	return Type{}, &ErrTypeNotAllowed{Detected: detected}
}

// isHEIF reports whether a detected MIME type is one of the HEIC/HEIF family.
// No maintained pure-Go decoder exists (the ones available wrap libheif
// through cgo or WebAssembly), so these photos cannot be re-encoded to drop
// their location metadata and are refused with a dedicated code.
func isHEIF(mime string) bool {
	return strings.HasPrefix(mime, "image/hei")
}
