// Package s3test runs a real S3-compatible server for tests: SeaweedFS's
// `weed server -s3` (master, volume, filer and S3 gateway in one process) on
// loopback ports, with one identity whose keys the test knows. The binary
// is built once per user by scripts/seaweedfs.sh into the user's cache
// folder (suara/seaweedfs/ under $XDG_CACHE_HOME or ~/.cache); tests find
// it there or through SUARA_WEED_BIN. They run when SUARA_S3_TESTS is set
// (make test-s3 sets it after building the server); where the server is
// then missing or cannot start they skip with the reason — and fail under
// CI=true, so a missing server cannot turn the suite green.
package s3test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"
)

// The one identity the server knows.
const (
	AccessKey = "suara-test-access"
	SecretKey = "suara-test-secret-key-0123456789"
)

// Server is one running SeaweedFS.
type Server struct {
	Endpoint string // host:port of the S3 gateway

	bin   string
	dir   string
	ports ports
	mu    sync.Mutex
	cmd   *exec.Cmd
	done  chan struct{}
	log   *bytes.Buffer
}

type ports struct{ master, volume, filer, s3 int }

// Bin returns the weed binary, or skips (fails under CI=true) the test.
func Bin(t testing.TB) string {
	t.Helper()
	if os.Getenv("SUARA_S3_TESTS") == "" {
		// Building SeaweedFS takes minutes: make test-s3 does it and sets this.
		t.Skip("S3 store tests against SeaweedFS run under make test-s3 (SUARA_S3_TESTS=1)")
	}
	if p := os.Getenv("SUARA_WEED_BIN"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
		unavailable(t, "SUARA_WEED_BIN="+p+" does not exist")
	}
	if cache, err := os.UserCacheDir(); err == nil {
		if m, _ := filepath.Glob(filepath.Join(cache, "suara", "seaweedfs", "*", "weed")); len(m) > 0 {
			return m[len(m)-1]
		}
	}
	if p, err := exec.LookPath("weed"); err == nil {
		return p
	}
	unavailable(t, "the SeaweedFS binary is not built: run scripts/seaweedfs.sh (make test-s3 does)")
	return ""
}

func unavailable(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("S3 test server: %s", why)
	}
	t.Skipf("S3 test server: %s", why)
}

// Start runs a new server in a temp folder and waits until its S3 gateway
// answers; it is stopped when the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	s := &Server{bin: Bin(t), dir: t.TempDir()}
	if err := s.launch(); err != nil {
		s.Stop()
		unavailable(t, "weed server did not start: "+err.Error()+"\n"+s.Log())
	}
	t.Cleanup(s.Stop)
	return s
}

// launch writes the identity file, picks ports and starts the server.
func (s *Server) launch() error {
	cfg, _ := json.Marshal(map[string]any{"identities": []any{map[string]any{
		"name":        "suara",
		"credentials": []any{map[string]string{"accessKey": AccessKey, "secretKey": SecretKey}},
		"actions":     []string{"Admin", "Read", "Write", "List", "Tagging"},
	}}})
	if err := os.WriteFile(filepath.Join(s.dir, "s3.json"), cfg, 0o600); err != nil {
		return err
	}
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if s.ports, err = freePorts(); err != nil {
			continue
		}
		s.Endpoint = net.JoinHostPort("127.0.0.1", strconv.Itoa(s.ports.s3))
		if err = s.start(); err == nil {
			return nil
		}
		s.Stop()
	}
	return err
}

// freePorts picks ports whose +10000 gRPC twins (SeaweedFS's convention)
// are free too.
func freePorts() (ports, error) {
	var got []int
	var held []net.Listener
	defer func() {
		for _, l := range held {
			l.Close()
		}
	}()
	for len(got) < 4 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return ports{}, err
		}
		held = append(held, l)
		p := l.Addr().(*net.TCPAddr).Port
		if p+10000 > 65535 {
			continue
		}
		g, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(p+10000))
		if err != nil {
			continue
		}
		held = append(held, g)
		got = append(got, p)
	}
	return ports{master: got[0], volume: got[1], filer: got[2], s3: got[3]}, nil
}

func (s *Server) args() []string {
	p := s.ports
	return []string{"server",
		"-dir=" + filepath.Join(s.dir, "data"),
		"-ip=127.0.0.1", "-ip.bind=127.0.0.1",
		"-master.port=" + strconv.Itoa(p.master),
		"-master.volumeSizeLimitMB=256",
		"-volume.port=" + strconv.Itoa(p.volume),
		"-volume.max=16",
		"-filer",
		"-filer.port=" + strconv.Itoa(p.filer),
		"-s3",
		"-s3.port=" + strconv.Itoa(p.s3),
		"-s3.config=" + filepath.Join(s.dir, "s3.json"),
	}
}

func (s *Server) start() error {
	if err := os.MkdirAll(filepath.Join(s.dir, "data"), 0o700); err != nil {
		return err
	}
	s.mu.Lock()
	s.log = &bytes.Buffer{}
	cmd := exec.Command(s.bin, s.args()...)
	// Every bucket is a collection of its own, and SeaweedFS grows seven
	// volumes for a new one by default: a few test buckets used up the
	// volume server's slots and the next bucket's first write failed
	// (InternalError). One volume per collection is plenty here.
	cmd.Env = append(os.Environ(), "WEED_MASTER_VOLUME_GROWTH_COPY_1=1")
	cmd.Stdout, cmd.Stderr = syncWriter{&s.mu, s.log}, syncWriter{&s.mu, s.log}
	// Its own process group, killed with the test process if that dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		s.mu.Unlock()
		return err
	}
	s.cmd, s.done = cmd, make(chan struct{})
	done := s.done
	s.mu.Unlock()
	go func() { _ = cmd.Wait(); close(done) }()
	return s.waitReady(90 * time.Second)
}

// waitReady polls until the gateway lists buckets with the test keys and a
// probe bucket takes a write (the volume server has registered).
func (s *Server) waitReady(limit time.Duration) error {
	c := s.client()
	deadline := time.Now().Add(limit)
	probe := "ready-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("weed exited")
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		last = c.MakeBucket(ctx, probe, minio.MakeBucketOptions{})
		if last == nil || minio.ToErrorResponse(last).Code == "BucketAlreadyOwnedByYou" || minio.ToErrorResponse(last).Code == "BucketAlreadyExists" {
			_, last = c.PutObject(ctx, probe, "x", strings.NewReader("x"), 1, minio.PutObjectOptions{})
			if last == nil {
				_ = c.RemoveObject(ctx, probe, "x", minio.RemoveObjectOptions{})
				_ = c.RemoveBucket(ctx, probe)
				cancel()
				return nil
			}
		}
		cancel()
		time.Sleep(250 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %s: %v", limit, last)
}

func (s *Server) client() *minio.Client {
	c, err := minio.New(s.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(AccessKey, SecretKey, ""), MaxRetries: 1,
		Transport: &http.Transport{ResponseHeaderTimeout: 10 * time.Second}})
	if err != nil {
		panic(err)
	}
	return c
}

// Client is an S3 client with the server's keys, for a test's own checks.
func (s *Server) Client() *minio.Client { return s.client() }

// Stop kills the server at once (SIGKILL to its process group: the loss
// of the storage machine, not a clean shutdown) and waits for it.
func (s *Server) Stop() {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil || cmd.Process == nil {
		return
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-done
}

// Restart starts the stopped server again on the same folder and ports.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if err := s.start(); err != nil {
		t.Fatalf("restart weed: %v\n%s", err, s.Log())
	}
}

// Log is what the server printed (for a failing test's message).
func (s *Server) Log() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.log == nil {
		return ""
	}
	b := s.log.Bytes()
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// Bucket creates a bucket with a fresh name and returns it.
func (s *Server) Bucket(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("evidence-%d", time.Now().UnixNano())
	if err := s.client().MakeBucket(context.Background(), name, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("make bucket: %v", err)
	}
	return name
}

type syncWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

var shared struct {
	once sync.Once
	s    *Server
	err  error
	dir  string
}

// Shared is one server for the whole test process, started by the first
// test that asks; StopShared (from TestMain) stops it and removes its
// folder. Tests that stop a server start their own with Start.
func Shared(t testing.TB) *Server {
	t.Helper()
	bin := Bin(t)
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "suara-s3test-")
		if shared.err != nil {
			return
		}
		s := &Server{bin: bin, dir: shared.dir}
		shared.err = s.launch()
		if shared.err != nil {
			shared.err = fmt.Errorf("%w\n%s", shared.err, s.Log())
			s.Stop()
			return
		}
		shared.s = s
	})
	if shared.err != nil {
		unavailable(t, "weed server did not start: "+shared.err.Error())
	}
	return shared.s
}

// StopShared stops the shared server, if one was started.
func StopShared() {
	if shared.s != nil {
		shared.s.Stop()
	}
	if shared.dir != "" {
		_ = os.RemoveAll(shared.dir)
	}
}
