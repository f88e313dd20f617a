package evidence

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testStore runs the behaviour every Store must have; an S3-compatible
// store would run the same function.
func testStore(t *testing.T, st Store) {
	ctx := context.Background()
	data := []byte("isi bukti")
	h := sum(data)

	key, err := st.Put(ctx, tenant, h, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if want := tenant + "/" + h[:2] + "/" + h[2:4] + "/" + h; key != want {
		t.Errorf("key %q, want %q", key, want)
	}
	if ok, err := st.Exists(ctx, key); !ok || err != nil {
		t.Errorf("Exists after Put = %v, %v", ok, err)
	}
	rc, err := st.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, data) {
		t.Errorf("Open returned %q", got)
	}

	// Same content again: same key, no error.
	if k2, err := st.Put(ctx, strings.ToUpper(tenant), strings.ToUpper(h), bytes.NewReader(data)); err != nil || k2 != key {
		t.Errorf("second Put = %q, %v", k2, err)
	}

	// A hash that does not match the content stores nothing.
	wrong := sum([]byte("other"))
	if _, err := st.Put(ctx, tenant, wrong, bytes.NewReader(data)); err == nil {
		t.Error("Put with a wrong hash succeeded")
	}
	wrongKey, _ := Key(tenant, wrong)
	if ok, _ := st.Exists(ctx, wrongKey); ok {
		t.Error("content stored under a hash it does not have")
	}

	if err := st.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if ok, err := st.Exists(ctx, key); ok || err != nil {
		t.Errorf("Exists after Delete = %v, %v", ok, err)
	}
	if _, err := st.Open(ctx, key); !errors.Is(err, ErrNotFound) {
		t.Errorf("Open after Delete: %v, want ErrNotFound", err)
	}
	if err := st.Delete(ctx, key); err != nil {
		t.Errorf("Delete of a missing key: %v", err)
	}

	for _, bad := range []string{
		"",
		"../../etc/passwd",
		tenant + "/../../etc/passwd",
		tenant + "/" + h[:2] + "/" + h[2:4] + "/../" + h,
		tenant + "/xx/yy/" + h,
		tenant + "/" + h[2:4] + "/" + h[:2] + "/" + h, // wrong fan-out
		"/" + tenant + "/" + h[:2] + "/" + h[2:4] + "/" + h,
		"not-a-uuid/" + h[:2] + "/" + h[2:4] + "/" + h,
		strings.ToUpper(key),
		key + "/",
		key + "\x00",
	} {
		if _, err := st.Open(ctx, bad); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Open(%q): %v, want ErrInvalidKey", bad, err)
		}
		if err := st.Delete(ctx, bad); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Delete(%q): %v, want ErrInvalidKey", bad, err)
		}
		if _, err := st.Exists(ctx, bad); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Exists(%q): %v, want ErrInvalidKey", bad, err)
		}
	}
	for _, bad := range []struct{ tenant, hash string }{
		{"../x", h}, {tenant, "../" + h[3:]}, {tenant, h[:63]}, {"", h},
	} {
		if _, err := st.Put(ctx, bad.tenant, bad.hash, bytes.NewReader(data)); !errors.Is(err, ErrInvalidKey) {
			t.Errorf("Put(%q, %q): %v, want ErrInvalidKey", bad.tenant, bad.hash, err)
		}
	}
}

func TestLocalStore(t *testing.T) {
	root := filepath.Join(t.TempDir(), "evidence")
	testStore(t, LocalStore{Root: root})
	assertEmptyDir(t, root) // the failed Put left no temp file
}

func TestLocalStorePermissions(t *testing.T) {
	root := filepath.Join(t.TempDir(), "evidence")
	data := []byte("rahasia")
	key, err := LocalStore{Root: root}.Put(context.Background(), tenant, sum(data), bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(key)))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	for d := filepath.Dir(filepath.Join(root, filepath.FromSlash(key))); d != filepath.Dir(root); d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o700 {
			t.Errorf("dir %s mode %v, want 0700", d, fi.Mode().Perm())
		}
	}
}

func TestLocalStoreSymlinkEscape(t *testing.T) {
	// A symlink planted inside the store (by a bug elsewhere, or an
	// operator mistake) must not let a valid-looking key read outside Root.
	root := t.TempDir()
	outside := t.TempDir()
	h := sum([]byte("secret"))
	if err := os.MkdirAll(filepath.Join(outside, h[:2], h[2:4]), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(outside, h[:2], h[2:4], h), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(root, tenant)); err != nil {
		t.Fatal(err)
	}
	key, _ := Key(tenant, h)
	if rc, err := (LocalStore{Root: root}).Open(context.Background(), key); err == nil {
		rc.Close()
		t.Fatal("Open followed a symlink out of the store root")
	}
}

func TestLocalStorePutCancelled(t *testing.T) {
	root := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	data := []byte("x")
	if _, err := (LocalStore{Root: root}).Put(ctx, tenant, sum(data), bytes.NewReader(data)); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
	assertEmptyDir(t, root)
}
