package evidence

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"github.com/suara-id/suara/internal/evidence/s3test"
)

// The S3 store against a real S3-compatible server (SeaweedFS, started by
// s3test on loopback ports; scripts/seaweedfs.sh builds it).

func TestMain(m *testing.M) {
	code := m.Run()
	s3test.StopShared()
	os.Exit(code)
}

func s3Store(t *testing.T, srv *s3test.Server, bucket string, mod func(*S3Options)) *S3Store {
	t.Helper()
	o := S3Options{Endpoint: srv.Endpoint, Bucket: bucket, AccessKey: s3test.AccessKey, SecretKey: s3test.SecretKey, MaxRetries: 1}
	if mod != nil {
		mod(&o)
	}
	st, err := NewS3Store(o)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// assertBucketClean fails when the bucket holds any object or unfinished
// multipart upload: a failed Put must leave nothing behind.
func assertBucketClean(t *testing.T, srv *s3test.Server, bucket string) {
	t.Helper()
	ctx := context.Background()
	c := srv.Client()
	for o := range c.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatalf("list %s: %v", bucket, o.Err)
		}
		t.Errorf("object left in the bucket: %s (%d bytes)", o.Key, o.Size)
	}
	for u := range c.ListIncompleteUploads(ctx, bucket, "", true) {
		if u.Err != nil {
			t.Fatalf("list uploads %s: %v", bucket, u.Err)
		}
		t.Errorf("unfinished upload left in the bucket: %s", u.Key)
	}
}

func TestS3Store(t *testing.T) {
	srv := s3test.Shared(t)
	bucket := srv.Bucket(t)
	testStore(t, s3Store(t, srv, bucket, nil))
	assertBucketClean(t, srv, bucket) // the wrong-hash Put stored nothing
}

// TestS3StoreUnknownLength streams content of unknown length (multipart,
// parts of PartSize) and refuses, without storing, content longer or other
// than its hash says.
func TestS3StoreUnknownLength(t *testing.T) {
	srv := s3test.Shared(t)
	bucket := srv.Bucket(t)
	st := s3Store(t, srv, bucket, nil)
	ctx := context.Background()
	const size = 12 << 20 // three parts of 5 MiB
	want := hashOf(t, noLen{newFiller(size, 7)})

	// Other content than the hash: nothing stored, no upload left open.
	if _, err := st.Put(ctx, tenant, want, noLen{newFiller(size, 8)}); err == nil || Code(err) != "" {
		t.Fatalf("Put of other content = %v, want a plain hash error", err)
	}
	assertBucketClean(t, srv, bucket)

	key, err := st.Put(ctx, tenant, want, noLen{newFiller(size, 7)})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := st.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	got := hashOf(t, rc)
	rc.Close()
	if got != want {
		t.Errorf("read back %s, stored %s", got, want)
	}
	if err := st.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	assertBucketClean(t, srv, bucket)
}

// TestS3Store100MB is the acceptance's large upload: a 100 MB cleaned
// file (the real path: Upload.Store hands the store the temp file) goes up
// in parts with bounded memory, and reads back identical.
func TestS3Store100MB(t *testing.T) {
	srv := s3test.Shared(t)
	bucket := srv.Bucket(t)
	st := s3Store(t, srv, bucket, func(o *S3Options) { o.PartSize = 8 << 20 })
	ctx := context.Background()
	const size = 100 << 20
	path := filepath.Join(t.TempDir(), "clean")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(f, h), newFiller(size, 1)); err != nil {
		t.Fatal(err)
	}
	f.Close()
	want := hex.EncodeToString(h.Sum(nil))

	f, err = os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var key string
	start := time.Now()
	peak, alloc := memProbe(func() { key, err = st.Put(ctx, tenant, want, f) })
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("100 MB to S3 in %s: heap peak growth %d KiB, allocated %d KiB", time.Since(start).Round(time.Millisecond), peak>>10, alloc>>10)
	const budget = 32 << 20
	if peak >= budget {
		t.Errorf("100 MB upload grew the heap by %d bytes, budget %d", peak, budget)
	}
	info, err := srv.Client().StatObject(ctx, bucket, key, minio.StatObjectOptions{})
	if err != nil || info.Size != size {
		t.Fatalf("stored object: %+v, %v", info.Size, err)
	}
	rc, err := st.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if got := hashOf(t, rc); got != want {
		t.Errorf("read back %s, stored %s", got, want)
	}
}

func TestS3StoreMissingBucket(t *testing.T) {
	srv := s3test.Shared(t)
	st := s3Store(t, srv, "no-such-bucket", nil)
	ctx := context.Background()
	data := []byte("isi bukti")
	_, err := st.Put(ctx, tenant, sum(data), bytes.NewReader(data))
	if !errors.Is(err, ErrStoreUnavailable) || Code(err) != "evidence.store_unavailable" {
		t.Fatalf("Put into a missing bucket: %v, want ErrStoreUnavailable", err)
	}
	if _, err := st.Check(ctx); !errors.Is(err, ErrStoreUnavailable) || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("Check of a missing bucket: %v", err)
	}
}

func TestS3StoreWrongCredentials(t *testing.T) {
	srv := s3test.Shared(t)
	bucket := srv.Bucket(t)
	st := s3Store(t, srv, bucket, func(o *S3Options) { o.SecretKey = "not-the-secret-key-at-all" })
	ctx := context.Background()
	data := []byte("isi bukti")
	_, err := st.Put(ctx, tenant, sum(data), bytes.NewReader(data))
	if !errors.Is(err, ErrStoreUnavailable) {
		t.Fatalf("Put with a wrong secret: %v, want ErrStoreUnavailable", err)
	}
	_, err = st.Check(ctx)
	if !errors.Is(err, ErrStoreUnavailable) || !strings.Contains(err.Error(), "Signature") {
		t.Errorf("Check with a wrong secret: %v, want the server's SignatureDoesNotMatch", err)
	}
	st = s3Store(t, srv, bucket, func(o *S3Options) { o.AccessKey = "nobody" })
	if _, err := st.Check(ctx); !errors.Is(err, ErrStoreUnavailable) {
		t.Errorf("Check with an unknown access key: %v", err)
	}
	assertBucketClean(t, srv, bucket)
	// The right keys pass Check.
	if d, err := s3Store(t, srv, bucket, nil).Check(ctx); err != nil {
		t.Errorf("Check with the right keys: %v", err)
	} else {
		t.Log(d)
	}
}

// TestS3StoreServerStoppedMidUpload kills the server while an upload is
// streaming: Put answers ErrStoreUnavailable promptly, and once the server
// is back nothing of the upload is visible.
func TestS3StoreServerStoppedMidUpload(t *testing.T) {
	srv := s3test.Start(t)
	bucket := srv.Bucket(t)
	st := s3Store(t, srv, bucket, nil)
	const size = 24 << 20
	want := hashOf(t, newFiller(size, 3))
	pr, pw := io.Pipe()
	go func() {
		src := newFiller(size, 3)
		// The first 12 MB, then the server dies, then the rest.
		if _, err := io.CopyN(pw, src, 12<<20); err != nil {
			pw.CloseWithError(err)
			return
		}
		srv.Stop()
		_, err := io.Copy(pw, src)
		pw.CloseWithError(err)
	}()
	start := time.Now()
	_, err := st.Put(context.Background(), tenant, want, noLen{pr})
	pr.CloseWithError(errors.New("test done"))
	if !errors.Is(err, ErrStoreUnavailable) {
		t.Fatalf("Put while the server died: %v, want ErrStoreUnavailable", err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("Put took %s to give up", d)
	}
	srv.Restart(t)
	key, _ := Key(tenant, want)
	if ok, err := st.Exists(context.Background(), key); ok || err != nil {
		t.Errorf("after restart: Exists = %v, %v; want nothing stored", ok, err)
	}
	for o := range srv.Client().ListObjects(context.Background(), bucket, minio.ListObjectsOptions{Recursive: true}) {
		t.Errorf("object left after the failed upload: %s %v", o.Key, o.Err)
	}
}

// noLen hides a reader's length so the store takes the unknown-length path.
type noLen struct{ r io.Reader }

func (n noLen) Read(p []byte) (int, error) { return n.r.Read(p) }

// filler is n bytes of seeded pseudo-random content, made as it is read.
type filler struct {
	n, pos int64
	x      uint64
}

func newFiller(n int64, seed uint64) *filler { return &filler{n: n, x: seed*0x9E3779B97F4A7C15 | 1} }

func (f *filler) Read(p []byte) (int, error) {
	if f.pos >= f.n {
		return 0, io.EOF
	}
	if int64(len(p)) > f.n-f.pos {
		p = p[:f.n-f.pos]
	}
	for i := range p {
		f.x ^= f.x << 13
		f.x ^= f.x >> 7
		f.x ^= f.x << 17
		p[i] = byte(f.x)
	}
	f.pos += int64(len(p))
	return len(p), nil
}

func hashOf(t *testing.T, r io.Reader) string {
	t.Helper()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
