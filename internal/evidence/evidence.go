// Package evidence owns the files workers attach to a case: it decides a
// file's kind from its bytes against an allowlist, enforces per-kind size
// limits while streaming, strips photo metadata (EXIF, GPS, XMP) before
// anything is kept, and stores content by hash per tenant behind the Store
// interface. It knows nothing of HTTP or the database: the caller records the
// returned Stored value and serves files through an authorised handler.
//
// The flow is Ingest (receive, detect, limit, validate, sanitise into a temp
// file), then (*Upload).Store (persist the sanitised bytes under a content
// address), then (*Upload).Cleanup.
package evidence

// Kind is the family an evidence file belongs to; limits are set per kind.
type Kind string

// The accepted kinds.
const (
	KindPhoto    Kind = "photo"
	KindVideo    Kind = "video"
	KindAudio    Kind = "audio"
	KindDocument Kind = "document"
)

const megabyte = 1 << 20

// Limits caps the size in bytes of an original upload, per kind. A kind whose
// limit is zero or negative is not accepted at all, so an operator can turn
// off, say, video without a code change.
type Limits struct {
	Photo    int64
	Video    int64
	Audio    int64
	Document int64
}

// DefaultLimits returns the limits from the issue: photos 10 MB, audio 20 MB,
// video 100 MB, documents 20 MB.
func DefaultLimits() Limits {
	return Limits{
		Photo:    10 * megabyte,
		Video:    100 * megabyte,
		Audio:    20 * megabyte,
		Document: 20 * megabyte,
	}
}

// For returns the limit for kind k (0 for an unknown kind).
func (l Limits) For(k Kind) int64 {
	switch k {
	case KindPhoto:
		return l.Photo
	case KindVideo:
		return l.Video
	case KindAudio:
		return l.Audio
	case KindDocument:
		return l.Document
	}
	return 0
}
