package evidence

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
	"github.com/minio/minio-go/v7/pkg/encrypt"
)

// ErrStoreUnavailable wraps every failure of a remote store to answer (the
// server down or refusing, a missing bucket, rejected credentials): nothing
// was stored, and the HTTP layer answers 503 with Retry-After so the client
// sends the file again later. The cause stays in the chain for the log.
var ErrStoreUnavailable Coded = &sentinel{"evidence.store_unavailable", "evidence: storage unavailable"}

type unavailableError struct{ cause error }

func (e *unavailableError) Error() string { return "evidence storage unavailable: " + e.cause.Error() }
func (e *unavailableError) Code() string  { return ErrStoreUnavailable.Code() }
func (e *unavailableError) Unwrap() []error {
	return []error{ErrStoreUnavailable, e.cause}
}

func unavailable(err error) error {
	if err == nil || errors.Is(err, ErrStoreUnavailable) {
		return err
	}
	return &unavailableError{cause: err}
}

// S3Options configure an S3Store (config keys evidence.s3.*).
type S3Options struct {
	Endpoint  string // host[:port], no scheme
	Bucket    string
	Region    string
	AccessKey string
	SecretKey string
	TLS       bool
	// SSE asks the server to encrypt what it stores: "" (the bucket's
	// default, if any), "s3" (keys managed by the server, SSE-S3) or "kms"
	// (SSE-KMS with KMSKeyID).
	SSE      string
	KMSKeyID string
	// PartSize is the one buffer an upload of unknown length streams
	// through (S3 multipart parts); at least 5 MiB, S3's minimum.
	PartSize int64
	// MaxRetries bounds how often one request is retried before the store
	// gives up and answers ErrStoreUnavailable (default 3).
	MaxRetries int
}

// S3Store keeps evidence in one bucket of an S3-compatible server, under the
// same keys as LocalStore ("<tenant>/<aa>/<bb>/<sha256>"). Uploads stream:
// content of known length (the cleaned temp file) goes up in one PUT read
// straight from the file, content of unknown length in multipart parts of
// PartSize; the hash is checked as the last bytes pass, and a mismatch
// fails the request before the server completes the object, so nothing is
// stored under a hash it does not have. S3 writes are atomic: an upload
// cut off midway leaves no object.
type S3Store struct {
	c        *minio.Client
	bucket   string
	sse      encrypt.ServerSide
	partSize int64
}

var _ Store = (*S3Store)(nil)

// MinPartSize is S3's smallest multipart part.
const MinPartSize = 5 << 20

// NewS3Store builds the client; it does not contact the server (Check does).
func NewS3Store(o S3Options) (*S3Store, error) {
	if o.Endpoint == "" || o.Bucket == "" {
		return nil, errors.New("evidence s3 store: endpoint and bucket are required")
	}
	if o.PartSize < MinPartSize {
		o.PartSize = MinPartSize
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 3
	}
	s := &S3Store{bucket: o.Bucket, partSize: o.PartSize}
	switch o.SSE {
	case "":
	case "s3":
		s.sse = encrypt.NewSSE()
	case "kms":
		sse, err := encrypt.NewSSEKMS(o.KMSKeyID, nil)
		if err != nil {
			return nil, fmt.Errorf("evidence s3 store: sse kms: %w", err)
		}
		s.sse = sse
	default:
		return nil, fmt.Errorf("evidence s3 store: sse must be \"\", s3 or kms, got %q", o.SSE)
	}
	// A server that stops answering must not hold an upload for minutes:
	// connecting and the wait for each answer are bounded.
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost:   16,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 60 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	c, err := minio.New(o.Endpoint, &minio.Options{
		Creds:      credentials.NewStaticV4(o.AccessKey, o.SecretKey, ""),
		Secure:     o.TLS,
		Region:     o.Region,
		Transport:  tr,
		MaxRetries: o.MaxRetries,
	})
	if err != nil {
		return nil, fmt.Errorf("evidence s3 store: %w", err)
	}
	s.c = c
	return s, nil
}

// Bucket is the bucket the store writes to.
func (s *S3Store) Bucket() string { return s.bucket }

func isNoSuchKey(err error) bool {
	r := minio.ToErrorResponse(err)
	return r.Code == "NoSuchKey" || r.Code == "NotFound" || (r.StatusCode == http.StatusNotFound && r.Code != "NoSuchBucket")
}

// Put streams r to the bucket under the content's key.
func (s *S3Store) Put(ctx context.Context, tenantID, sha256hex string, r io.Reader) (string, error) {
	key, err := Key(tenantID, sha256hex)
	if err != nil {
		return "", err
	}
	switch ok, err := s.Exists(ctx, key); {
	case err != nil:
		return "", err
	case ok:
		return key, nil // content-addressed: already there
	}
	size := int64(-1)
	switch v := r.(type) {
	case interface{ Stat() (os.FileInfo, error) }:
		if fi, err := v.Stat(); err == nil && fi.Mode().IsRegular() {
			if off, err := r.(io.Seeker).Seek(0, io.SeekCurrent); err == nil {
				size = fi.Size() - off
			}
		}
	case interface{ Len() int }: // bytes.Reader, strings.Reader, bytes.Buffer
		size = int64(v.Len())
	}
	vr := &verifyReader{r: ctxReader{ctx: ctx, r: r}, h: sha256.New(), want: strings.ToLower(sha256hex), size: size}
	opts := minio.PutObjectOptions{
		ContentType:          "application/octet-stream",
		ServerSideEncryption: s.sse,
		PartSize:             uint64(s.partSize),
		// One part in flight: memory stays at one PartSize buffer.
		NumThreads: 1,
	}
	if size == 0 {
		// Nothing will be read: check the hash of no bytes here.
		if got := hex.EncodeToString(vr.h.Sum(nil)); got != vr.want {
			return "", fmt.Errorf("evidence content hash %s does not match %s", got, sha256hex)
		}
	}
	_, err = s.c.PutObject(ctx, s.bucket, key, vr, size, opts)
	if err != nil {
		if errors.Is(err, errHashMismatch) || vr.mismatch {
			return "", fmt.Errorf("evidence content hash %s does not match %s", vr.got, sha256hex)
		}
		if ctx.Err() != nil {
			return "", fmt.Errorf("store evidence: %w", ctx.Err())
		}
		return "", unavailable(fmt.Errorf("put %s: %w", s.bucket, err))
	}
	return key, nil
}

var errHashMismatch = errors.New("evidence content does not match its hash")

// verifyReader hashes what passes and fails the last read when the content
// is not what its hash says (or longer than size), so the upload it feeds
// is never completed. With a known size, the check happens on the read that
// delivers the last byte, before the request body is complete.
type verifyReader struct {
	r        io.Reader
	h        hash.Hash
	want     string
	size     int64 // -1: unknown; the check happens at EOF
	n        int64
	got      string
	mismatch bool
}

func (v *verifyReader) Read(p []byte) (int, error) {
	if v.mismatch {
		return 0, errHashMismatch
	}
	if v.size >= 0 && int64(len(p)) > v.size-v.n+1 {
		p = p[:v.size-v.n+1] // one byte more than expected reveals a longer stream
	}
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.n += int64(n)
	if v.size >= 0 && v.n > v.size {
		v.mismatch = true
		return 0, errHashMismatch
	}
	end := errors.Is(err, io.EOF) || (v.size >= 0 && v.n == v.size)
	if end {
		v.got = hex.EncodeToString(v.h.Sum(nil))
		if v.got != v.want {
			v.mismatch = true
			return 0, errHashMismatch
		}
	}
	return n, err
}

// Open returns the object's content, or ErrNotFound.
func (s *S3Store) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	obj, err := s.c.GetObject(ctx, s.bucket, key, minio.GetObjectOptions{})
	if err != nil {
		return nil, unavailable(fmt.Errorf("get %s: %w", key, err))
	}
	// GetObject is lazy: Stat sends the request and surfaces a missing key.
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		if isNoSuchKey(err) {
			return nil, ErrNotFound
		}
		return nil, unavailable(fmt.Errorf("get %s: %w", key, err))
	}
	return obj, nil
}

// Delete removes the object; a missing key is not an error (S3 says so too).
func (s *S3Store) Delete(ctx context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	if err := s.c.RemoveObject(ctx, s.bucket, key, minio.RemoveObjectOptions{}); err != nil && !isNoSuchKey(err) {
		return unavailable(fmt.Errorf("delete %s: %w", key, err))
	}
	return nil
}

// Exists reports whether an object is stored under key.
func (s *S3Store) Exists(ctx context.Context, key string) (bool, error) {
	if err := ValidateKey(key); err != nil {
		return false, err
	}
	_, err := s.c.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	switch {
	case err == nil:
		return true, nil
	case isNoSuchKey(err):
		return false, nil
	}
	return false, unavailable(fmt.Errorf("stat %s: %w", key, err))
}

// Check proves the bucket is there and writable with these credentials:
// it writes, reads back and removes a small object outside the key space
// (".suara-check/…", never a valid evidence key). It returns what the
// server said in a form an operator can act on.
func (s *S3Store) Check(ctx context.Context) (string, error) {
	ok, err := s.c.BucketExists(ctx, s.bucket)
	if err != nil {
		return "", unavailable(fmt.Errorf("bucket %s: %s", s.bucket, describe(err)))
	}
	if !ok {
		return "", unavailable(fmt.Errorf("bucket %s does not exist", s.bucket))
	}
	probe := ".suara-check/" + randomSuffix()
	body := "suara doctor\n"
	_, err = s.c.PutObject(ctx, s.bucket, probe, strings.NewReader(body), int64(len(body)),
		minio.PutObjectOptions{ServerSideEncryption: s.sse})
	if err != nil {
		return "", unavailable(fmt.Errorf("write to bucket %s: %s", s.bucket, describe(err)))
	}
	defer func() { _ = s.c.RemoveObject(context.WithoutCancel(ctx), s.bucket, probe, minio.RemoveObjectOptions{}) }()
	obj, err := s.c.GetObject(ctx, s.bucket, probe, minio.GetObjectOptions{})
	if err == nil {
		var b []byte
		b, err = io.ReadAll(obj)
		obj.Close()
		if err == nil && string(b) != body {
			err = errors.New("read back different content")
		}
	}
	if err != nil {
		return "", unavailable(fmt.Errorf("read from bucket %s: %s", s.bucket, describe(err)))
	}
	detail := fmt.Sprintf("bucket %s at %s: write, read and delete work", s.bucket, s.c.EndpointURL().Host)
	if s.sse != nil {
		st, err := s.c.StatObject(ctx, s.bucket, probe, minio.StatObjectOptions{})
		if err != nil || st.Metadata.Get("X-Amz-Server-Side-Encryption") == "" {
			return detail, fmt.Errorf("server-side encryption (%s) was asked for but the server did not report it", s.sse.Type())
		}
		detail += "; server-side encryption " + st.Metadata.Get("X-Amz-Server-Side-Encryption")
	}
	return detail, nil
}

// describe names an S3 error by its code when the server sent one.
func describe(err error) string {
	if r := minio.ToErrorResponse(err); r.Code != "" {
		return r.Code + ": " + r.Message
	}
	return err.Error()
}
