package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
)

// copyBufferSize is the one buffer an upload streams through; together with
// the detection header it is all the memory a non-photo upload costs,
// whatever its size.
const copyBufferSize = 32 << 10

// Upload is a received, validated and sanitised file waiting in a temp file
// to be stored. Call Cleanup when done with it, stored or not.
type Upload struct {
	Kind Kind
	MIME string // canonical MIME type of the content
	Ext  string // canonical extension, with the dot

	// Size and SHA256 describe the original bytes as received (chain of
	// custody: the reporter can prove what they sent).
	Size   int64
	SHA256 string
	// StoredSize and StoredSHA256 describe the bytes that will be stored.
	// They differ from the original for photos, which are re-encoded or
	// rewritten without metadata, and equal it for everything else.
	StoredSize   int64
	StoredSHA256 string
	// Width and Height are the photo's displayed dimensions (after EXIF
	// orientation); zero for other kinds.
	Width, Height int

	path string
}

// Ingest streams r into a temp file in tmpDir (the system default when
// empty), hashing it on the way, decides the type from the first bytes,
// enforces the limit for that kind as it reads (never more than limit+1
// bytes are read), then validates the content and, for photos, rewrites it
// without metadata. Memory use is bounded by small fixed buffers except for
// photos, which are decoded once (their pixel count is capped first).
//
// Refusals are coded errors (see Code); on any error nothing is left in
// tmpDir.
func Ingest(ctx context.Context, r io.Reader, limits Limits, tmpDir string) (_ *Upload, err error) {
	cr := ctxReader{ctx: ctx, r: r}
	head := make([]byte, HeaderSize)
	n, err := io.ReadFull(cr, head)
	switch {
	case errors.Is(err, io.EOF):
		return nil, ErrEmpty
	case errors.Is(err, io.ErrUnexpectedEOF):
		// Shorter than the header: fine, it is the whole file.
	case err != nil:
		return nil, fmt.Errorf("read upload: %w", err)
	}
	head = head[:n]

	typ, err := Detect(head)
	if err != nil {
		return nil, err
	}
	limit := limits.For(typ.Kind)
	if limit <= 0 {
		return nil, &ErrTypeNotAllowed{Detected: typ.MIME}
	}
	if int64(n) > limit {
		return nil, &ErrTooLarge{Kind: typ.Kind, Limit: limit}
	}

	f, err := os.CreateTemp(tmpDir, "evidence-*.upload")
	if err != nil {
		return nil, fmt.Errorf("create temp file: %w", err)
	}
	origPath := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(origPath)
		}
	}()

	h := sha256.New()
	w := io.MultiWriter(f, h)
	if _, err = w.Write(head); err != nil {
		return nil, fmt.Errorf("write temp file: %w", err)
	}
	// Read at most one byte past the limit: enough to know it was exceeded
	// without swallowing an arbitrarily long stream.
	rest := io.LimitReader(cr, limit+1-int64(n))
	copied, err := io.CopyBuffer(w, rest, make([]byte, copyBufferSize))
	if err != nil {
		return nil, fmt.Errorf("receive upload: %w", err)
	}
	size := int64(n) + copied
	if size > limit {
		return nil, &ErrTooLarge{Kind: typ.Kind, Limit: limit}
	}
	if err = f.Close(); err != nil {
		return nil, fmt.Errorf("close temp file: %w", err)
	}

	u := &Upload{
		Kind:   typ.Kind,
		MIME:   typ.MIME,
		Ext:    typ.Ext,
		Size:   size,
		SHA256: hex.EncodeToString(h.Sum(nil)),
		path:   origPath,
	}
	u.StoredSize, u.StoredSHA256 = u.Size, u.SHA256

	switch typ.Kind {
	case KindPhoto:
		var p sanitisedPhoto
		p, err = sanitisePhoto(ctx, origPath, typ, tmpDir)
		if err != nil {
			return nil, err
		}
		// The original holds the metadata we promised not to keep.
		if err = os.Remove(origPath); err != nil {
			_ = os.Remove(p.path)
			return nil, fmt.Errorf("remove original photo: %w", err)
		}
		u.path, u.StoredSize, u.StoredSHA256 = p.path, p.size, p.sha256
		u.Width, u.Height = p.width, p.height
	case KindDocument:
		if err = validateDocument(origPath, typ, size); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// Open returns the content to be stored (the sanitised bytes for photos).
func (u *Upload) Open() (*os.File, error) {
	if u.path == "" {
		return nil, errors.New("evidence: upload already cleaned up")
	}
	f, err := os.Open(u.path)
	if err != nil {
		return nil, fmt.Errorf("open upload: %w", err)
	}
	return f, nil
}

// Cleanup removes the temp file. It is safe to call more than once.
func (u *Upload) Cleanup() error {
	if u.path == "" {
		return nil
	}
	err := os.Remove(u.path)
	u.path = ""
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove upload temp file: %w", err)
	}
	return nil
}

// Stored is what the caller records about a stored evidence file.
type Stored struct {
	Key            string // storage key, a content address within the tenant
	Kind           Kind
	MIME           string
	Ext            string
	Size           int64 // stored bytes
	OriginalSize   int64
	OriginalSHA256 string // hex SHA-256 of the bytes received
	StoredSHA256   string // hex SHA-256 of the bytes stored
	Width, Height  int    // photos only
}

// Store persists the sanitised content in st under the tenant, addressed by
// its SHA-256. Storing identical content twice yields the same key, so the
// caller's rows may share a key: delete from the store only when no row
// references it any more. The upload's temp file is left for Cleanup.
func (u *Upload) Store(ctx context.Context, st Store, tenantID string) (Stored, error) {
	f, err := u.Open()
	if err != nil {
		return Stored{}, err
	}
	defer f.Close()
	key, err := st.Put(ctx, tenantID, u.StoredSHA256, f)
	if err != nil {
		return Stored{}, fmt.Errorf("store evidence: %w", err)
	}
	return Stored{
		Key:            key,
		Kind:           u.Kind,
		MIME:           u.MIME,
		Ext:            u.Ext,
		Size:           u.StoredSize,
		OriginalSize:   u.Size,
		OriginalSHA256: u.SHA256,
		StoredSHA256:   u.StoredSHA256,
		Width:          u.Width,
		Height:         u.Height,
	}, nil
}

// ctxReader stops a long upload when its request is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
