package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// copyBufferSize is the one buffer an upload streams through while it is
// received; cleaning adds its own bounded cost (see Cleaner).
const copyBufferSize = 32 << 10

// Upload is a received, validated and cleaned file waiting in a private
// temp folder to be stored. Call Cleanup when done with it, stored or not.
type Upload struct {
	Kind Kind
	MIME string // canonical MIME type of the content
	Ext  string // canonical extension, with the dot

	// Size and SHA256 describe the cleaned bytes, the only ones kept: the
	// chain of custody starts here. Nothing about the bytes as received
	// (their hash, their size) is kept, since those would link the same
	// file sent to a named and to an anonymous case.
	Size   int64
	SHA256 string
	// Width and Height are the photo's displayed dimensions (after EXIF
	// orientation); zero for other kinds.
	Width, Height int

	dir  string // private temp folder, removed by Cleanup
	path string // the cleaned file inside dir
}

// Ingest streams r into a private temp folder, decides the type from the
// first bytes, enforces the limit for that kind as it reads (never more
// than limit+1 bytes are read), then, holding one of the Gate's turns,
// validates the content and writes a copy without identifying metadata:
// photos are re-encoded (or, for WebP, rewritten chunk by chunk), video and
// audio are remuxed by ffmpeg without tags, chapters, cover pictures or
// data streams, office documents lose their properties and the names of
// their comments' and changes' authors, PDFs are rewritten whole without
// their Info dictionary and XMP. The received bytes are deleted before
// Ingest returns.
//
// Refusals are coded errors (see Code); on any error nothing is left in
// TmpDir.
func (cl *Cleaner) Ingest(ctx context.Context, r io.Reader) (_ *Upload, err error) {
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
	limit := cl.Limits.For(typ.Kind)
	if limit <= 0 {
		return nil, &ErrTypeNotAllowed{Detected: typ.MIME}
	}
	if int64(n) > limit {
		return nil, &ErrTooLarge{Kind: typ.Kind, Limit: limit}
	}
	if (typ.Kind == KindVideo || typ.Kind == KindAudio) && cl.FFmpeg == "" {
		return nil, ErrMediaUnavailable
	}

	dir, err := os.MkdirTemp(cl.TmpDir, "evidence-*")
	if err != nil {
		return nil, fmt.Errorf("create temp folder: %w", err)
	}
	defer func() {
		if err != nil {
			_ = os.RemoveAll(dir)
		}
	}()
	origPath := filepath.Join(dir, "received")
	f, err := os.OpenFile(origPath, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create temp file: %w", err)
	}
	defer f.Close()
	if _, err = f.Write(head); err != nil {
		return nil, fmt.Errorf("write temp file: %w", err)
	}
	// Read at most one byte past the limit: enough to know it was exceeded
	// without swallowing an arbitrarily long stream.
	rest := io.LimitReader(cr, limit+1-int64(n))
	copied, err := io.CopyBuffer(f, rest, make([]byte, copyBufferSize))
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

	// Receiving is I/O and may be slow; cleaning is memory and CPU and is
	// what the gate counts.
	release, err := cl.Gate.Enter(ctx)
	if err != nil {
		return nil, err
	}
	defer release()

	u := &Upload{Kind: typ.Kind, MIME: typ.MIME, Ext: typ.Ext, dir: dir, path: filepath.Join(dir, "clean"+typ.Ext)}
	switch typ.Kind {
	case KindPhoto:
		u.Width, u.Height, err = sanitisePhoto(ctx, origPath, typ, u.path, cl.maxDecoded())
	case KindVideo, KindAudio:
		err = cl.remux(ctx, origPath, typ, u.path, limit)
	case KindDocument:
		err = cleanDocument(ctx, origPath, typ, size, u.path, cl.maxDecoded())
	default:
		err = &ErrTypeNotAllowed{Detected: typ.MIME}
	}
	if err != nil {
		return nil, err
	}
	// The received bytes hold what we promised not to keep.
	if err = os.Remove(origPath); err != nil {
		return nil, fmt.Errorf("remove received file: %w", err)
	}
	if u.Size, u.SHA256, err = hashFile(u.path); err != nil {
		return nil, err
	}
	if u.Size == 0 {
		return nil, fmt.Errorf("cleaned %s is empty: %w", typ.MIME, ErrCorrupt)
	}
	return u, nil
}

// hashFile returns the size and hex SHA-256 of the file at p.
func hashFile(p string) (int64, string, error) {
	f, err := os.Open(p)
	if err != nil {
		return 0, "", fmt.Errorf("open cleaned file: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(h, f, make([]byte, copyBufferSize))
	if err != nil {
		return 0, "", fmt.Errorf("hash cleaned file: %w", err)
	}
	return n, hex.EncodeToString(h.Sum(nil)), nil
}

// Open returns the cleaned content to be stored.
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

// Cleanup removes the upload's temp folder. It is safe to call more than
// once.
func (u *Upload) Cleanup() error {
	if u.dir == "" {
		return nil
	}
	err := os.RemoveAll(u.dir)
	u.dir, u.path = "", ""
	if err != nil {
		return fmt.Errorf("remove upload temp folder: %w", err)
	}
	return nil
}

// Stored is what the caller records about a stored evidence file.
type Stored struct {
	Key           string // storage key, a content address within the tenant
	Kind          Kind
	MIME          string
	Ext           string
	Size          int64  // stored bytes
	StoredSHA256  string // hex SHA-256 of the bytes stored
	Width, Height int    // photos only
}

// Store persists the cleaned content in st under the tenant, addressed by
// its SHA-256. Storing identical content twice yields the same key, so the
// caller's rows may share a key: delete from the store only when no row
// references it any more. The upload's temp file is left for Cleanup.
func (u *Upload) Store(ctx context.Context, st Store, tenantID string) (Stored, error) {
	f, err := u.Open()
	if err != nil {
		return Stored{}, err
	}
	defer f.Close()
	key, err := st.Put(ctx, tenantID, u.SHA256, f)
	if err != nil {
		return Stored{}, fmt.Errorf("store evidence: %w", err)
	}
	return Stored{
		Key:          key,
		Kind:         u.Kind,
		MIME:         u.MIME,
		Ext:          u.Ext,
		Size:         u.Size,
		StoredSHA256: u.SHA256,
		Width:        u.Width,
		Height:       u.Height,
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
