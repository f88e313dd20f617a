package evidence

import (
	"errors"
	"fmt"
)

// Coded is implemented by every refusal this package returns, so the HTTP
// layer can map it to a 4xx status and a localised message by its stable
// code rather than by matching text.
type Coded interface {
	error
	Code() string
}

// Code returns the stable message key of the first coded error in err's
// chain, or "" when err is nil or is not a refusal (an I/O failure, say,
// which the HTTP layer should treat as a 500).
func Code(err error) string {
	var c Coded
	if errors.As(err, &c) {
		return c.Code()
	}
	return ""
}

type sentinel struct{ code, msg string }

func (e *sentinel) Error() string { return e.msg }
func (e *sentinel) Code() string  { return e.code }

var (
	// ErrEmpty refuses a zero-byte upload.
	ErrEmpty Coded = &sentinel{"evidence.empty", "evidence: file is empty"}
	// ErrImageTooLarge refuses a photo whose pixel dimensions exceed
	// MaxImagePixels or MaxImageSide (a decompression bomb, or simply more
	// than a phone camera makes). It is decided from the header, before any
	// pixel memory is allocated.
	ErrImageTooLarge Coded = &sentinel{"evidence.image_too_large", "evidence: image dimensions too large"}
	// ErrCorrupt refuses a file whose content does not parse as the type its
	// bytes claim: a truncated JPEG, a DOCX that is not a valid zip, a PDF
	// with no end marker.
	ErrCorrupt Coded = &sentinel{"evidence.corrupt", "evidence: file is damaged or incomplete"}
	// ErrNotFound is returned by a Store for a key it does not hold.
	ErrNotFound Coded = &sentinel{"evidence.not_found", "evidence: not found"}
	// ErrInvalidKey is returned by a Store for a key that is not of the form
	// <tenant uuid>/<aa>/<bb>/<sha256 hex>; such keys are never looked up.
	ErrInvalidKey Coded = &sentinel{"evidence.invalid_key", "evidence: invalid storage key"}
	// ErrBusy refuses an upload that waited its turn for a cleaning slot
	// (see Gate) in vain; the HTTP layer answers 503 with Retry-After.
	ErrBusy Coded = &sentinel{"evidence.busy", "evidence: too many uploads being processed"}
	// ErrMediaUnavailable refuses video and audio when ffmpeg, which
	// removes their metadata, is not installed: they are not stored as sent.
	ErrMediaUnavailable Coded = &sentinel{"evidence.media_unavailable", "evidence: video and audio cannot be cleaned here (ffmpeg missing)"}
	// ErrUncleanable refuses a file of an allowed type holding a part that
	// cannot be cleaned of identifying data (a PDF with attached files, an
	// office document with an embedded TIFF or HEIC picture).
	ErrUncleanable Coded = &sentinel{"evidence.uncleanable", "evidence: file holds parts that cannot be cleaned"}
)

// ErrTooLarge refuses an upload bigger than the limit for its detected kind.
type ErrTooLarge struct {
	Kind  Kind
	Limit int64
}

func (e *ErrTooLarge) Error() string {
	return fmt.Sprintf("evidence: %s larger than %d bytes", e.Kind, e.Limit)
}

// Code returns "evidence.too_large".
func (e *ErrTooLarge) Code() string { return "evidence.too_large" }

// ErrTypeNotAllowed refuses content whose detected type is not on the
// allowlist. Detected is the MIME type the bytes were recognised as
// ("application/octet-stream" when unknown), useful in logs and messages.
type ErrTypeNotAllowed struct {
	Detected string
}

func (e *ErrTypeNotAllowed) Error() string {
	return fmt.Sprintf("evidence: file type %q not allowed", e.Detected)
}

// Code returns "evidence.type_not_allowed", or "evidence.heic_not_supported"
// for HEIC/HEIF photos: iPhones produce them by default and the reporter
// needs a specific hint (choose "Most Compatible" or share as JPEG), not a
// generic refusal.
func (e *ErrTypeNotAllowed) Code() string {
	if isHEIF(e.Detected) {
		return "evidence.heic_not_supported"
	}
	return "evidence.type_not_allowed"
}
