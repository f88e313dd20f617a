package evidence

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"strings"
)

// Store keeps evidence content by tenant and content hash. Keys are
// "<tenant uuid>/<aa>/<bb>/<sha256 hex>" where aa and bb are the first two
// byte pairs of the hash; implementations refuse any other key with
// ErrInvalidKey, so a key taken from a request can never name another path.
type Store interface {
	// Put stores r under the tenant and returns its key. sha256hex must be
	// the SHA-256 of r's content; implementations verify it and store
	// nothing on a mismatch. Putting content that is already there is a
	// no-op returning the same key.
	Put(ctx context.Context, tenantID, sha256hex string, r io.Reader) (key string, err error)
	// Open returns the content under key, or ErrNotFound.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes the content under key; deleting a missing key is not
	// an error.
	Delete(ctx context.Context, key string) error
	// Exists reports whether content is stored under key.
	Exists(ctx context.Context, key string) (bool, error)
}

var (
	uuidRe = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	hashRe = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Key builds the storage key for a tenant and a content hash. Both are
// lower-cased; anything but a UUID and 64 hex digits is ErrInvalidKey.
func Key(tenantID, sha256hex string) (string, error) {
	tenantID, sha256hex = strings.ToLower(tenantID), strings.ToLower(sha256hex)
	if !uuidRe.MatchString(tenantID) || !hashRe.MatchString(sha256hex) {
		return "", ErrInvalidKey
	}
	return tenantID + "/" + sha256hex[0:2] + "/" + sha256hex[2:4] + "/" + sha256hex, nil
}

// ValidateKey returns ErrInvalidKey unless key is exactly what Key builds.
func ValidateKey(key string) error {
	parts := strings.Split(key, "/")
	if len(parts) != 4 || !uuidRe.MatchString(parts[0]) || !hashRe.MatchString(parts[3]) ||
		parts[1] != parts[3][0:2] || parts[2] != parts[3][2:4] {
		return ErrInvalidKey
	}
	return nil
}

// LocalStore keeps evidence on local disk under Root, at Root/<key>. Files
// are 0600 and directories 0700: only the service account reads evidence.
// Every access goes through os.Root, so even a symlink planted under Root
// cannot lead outside it.
type LocalStore struct {
	Root string
}

var _ Store = LocalStore{}

func (s LocalStore) openRoot() (*os.Root, error) {
	if err := os.MkdirAll(s.Root, 0o700); err != nil {
		return nil, fmt.Errorf("create store root: %w", err)
	}
	root, err := os.OpenRoot(s.Root)
	if err != nil {
		return nil, fmt.Errorf("open store root: %w", err)
	}
	return root, nil
}

// Put writes r to a temp file beside its final place, checks its hash, then
// renames it into place, so a reader never sees a partial file and a crash
// leaves at most a stray temp file (named .tmp-*, never a valid key).
func (s LocalStore) Put(ctx context.Context, tenantID, sha256hex string, r io.Reader) (_ string, err error) {
	key, err := Key(tenantID, sha256hex)
	if err != nil {
		return "", err
	}
	root, err := s.openRoot()
	if err != nil {
		return "", err
	}
	defer root.Close()
	if _, err := root.Stat(key); err == nil {
		return key, nil // content-addressed: already there
	}
	dir := path.Dir(key)
	if err := root.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("create store dir: %w", err)
	}
	tmp := path.Join(dir, ".tmp-"+randomSuffix())
	f, err := root.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return "", fmt.Errorf("create store temp file: %w", err)
	}
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = root.Remove(tmp)
		}
	}()
	h := sha256.New()
	if _, err = io.CopyBuffer(io.MultiWriter(f, h), ctxReader{ctx: ctx, r: r}, make([]byte, copyBufferSize)); err != nil {
		return "", fmt.Errorf("write evidence: %w", err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != strings.ToLower(sha256hex) {
		return "", fmt.Errorf("evidence content hash %s does not match %s", got, sha256hex)
	}
	if err = f.Sync(); err != nil {
		return "", fmt.Errorf("sync evidence: %w", err)
	}
	if err = f.Close(); err != nil {
		return "", fmt.Errorf("close evidence: %w", err)
	}
	if err = root.Rename(tmp, key); err != nil {
		return "", fmt.Errorf("rename evidence into place: %w", err)
	}
	return key, nil
}

// Open opens the content under a validated key.
func (s LocalStore) Open(_ context.Context, key string) (io.ReadCloser, error) {
	if err := ValidateKey(key); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(s.Root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("open store root: %w", err)
	}
	defer root.Close()
	f, err := root.Open(key)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("open evidence: %w", err)
	}
	return f, nil
}

// Delete removes the content under a validated key.
func (s LocalStore) Delete(_ context.Context, key string) error {
	if err := ValidateKey(key); err != nil {
		return err
	}
	root, err := os.OpenRoot(s.Root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("open store root: %w", err)
	}
	defer root.Close()
	if err := root.Remove(key); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete evidence: %w", err)
	}
	return nil
}

// Exists reports whether content is stored under a validated key.
func (s LocalStore) Exists(_ context.Context, key string) (bool, error) {
	if err := ValidateKey(key); err != nil {
		return false, err
	}
	root, err := os.OpenRoot(s.Root)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("open store root: %w", err)
	}
	defer root.Close()
	fi, err := root.Stat(key)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("stat evidence: %w", err)
	}
	return fi.Mode().IsRegular(), nil
}

func randomSuffix() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // documented never to fail
	return hex.EncodeToString(b[:])
}
