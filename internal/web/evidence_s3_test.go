package web_test

import (
	"context"
	"net"
	"testing"

	"github.com/minio/minio-go/v7"

	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/evidence/s3test"
)

// TestEvidenceStoreUnavailable: with evidence on S3 and the bucket's server
// gone (nothing listens at its address any more), an upload answers 503
// with Retry-After and a message in the user's language, and leaves no
// evidence row behind. (make test-s3 kills a real SeaweedFS mid-upload;
// this runs in make test without one.)
func TestEvidenceStoreUnavailable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gone := l.Addr().String()
	l.Close() // the storage machine is lost
	e := newCaseEnv(t, func(c *config.Config) {
		c.Evidence.Store = "s3"
		c.Evidence.S3 = config.EvidenceS3{Endpoint: gone, Bucket: "evidence", AccessKey: "k", SecretKey: "s", PartSizeMB: 8}
	})
	worker := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	out := e.file(spnHost, worker, map[string]any{"type": "complaint", "description": "Foto kondisi toilet pekerja yang rusak."})
	id := out["id"].(string)
	jpg, _ := jpegWithGPS(t)
	resp, body := e.upload(spnHost, "/api/v1/cases/"+id+"/evidence", worker, "toilet.jpg", "image/jpeg", jpg)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("upload with the store gone: %d Retry-After=%q %v", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if eb, _ := body["error"].(map[string]any); eb["code"] != "evidence.store_unavailable" || eb["message"] == "" {
		t.Errorf("error body %v", body)
	}
	var n int
	if err := e.db.Super.QueryRowContext(context.Background(), "SELECT count(*) FROM evidence_files WHERE case_id = ?", id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d evidence rows written for an upload the store did not take", n)
	}
	// The case itself stands, without the file.
	if st, _ := e.get(spnHost, "/api/v1/cases/"+id, "Authorization", "Bearer "+worker); st.StatusCode != 200 {
		t.Errorf("case after the failed upload: %d", st.StatusCode)
	}
}

// TestEvidenceS3ServerStopped runs the upload path against a real
// SeaweedFS (make test-s3; skipped in make test): an upload lands in the
// bucket; with the server stopped the next one answers 503 with
// Retry-After and leaves no evidence row; once the server is back, the
// same upload goes through.
func TestEvidenceS3ServerStopped(t *testing.T) {
	srv := s3test.Start(t)
	bucket := srv.Bucket(t)
	e := newCaseEnv(t, func(c *config.Config) {
		c.Evidence.Store = "s3"
		c.Evidence.S3 = config.EvidenceS3{Endpoint: srv.Endpoint, Bucket: bucket, AccessKey: s3test.AccessKey,
			SecretKey: s3test.SecretKey, PartSizeMB: 8}
	})
	worker := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	out := e.file(spnHost, worker, map[string]any{"type": "complaint", "description": "Foto kondisi toilet pekerja yang rusak."})
	id := out["id"].(string)
	jpg, _ := jpegWithGPS(t)
	rows := func() int {
		var n int
		if err := e.db.Super.QueryRowContext(context.Background(), "SELECT count(*) FROM evidence_files WHERE case_id = ?", id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	objects := func() int {
		n := 0
		for o := range srv.Client().ListObjects(context.Background(), bucket, minio.ListObjectsOptions{Recursive: true}) {
			if o.Err != nil {
				t.Fatal(o.Err)
			}
			n++
		}
		return n
	}
	path := "/api/v1/cases/" + id + "/evidence"
	if resp, body := e.upload(spnHost, path, worker, "toilet.jpg", "image/jpeg", jpg); resp.StatusCode != 201 || objects() != 1 || rows() != 1 {
		t.Fatalf("upload with the server up: %d %v; %d objects, %d rows", resp.StatusCode, body, objects(), rows())
	}
	srv.Stop()
	jpg2, _ := jpegWithGPS(t)
	jpg2 = append(jpg2, 0) // other bytes: not the stored file again
	resp, body := e.upload(spnHost, path, worker, "toilet-2.jpg", "image/jpeg", jpg2)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("upload with the server stopped: %d Retry-After=%q %v", resp.StatusCode, resp.Header.Get("Retry-After"), body)
	}
	if n := rows(); n != 1 {
		t.Errorf("%d evidence rows after the refused upload, want the first only", n)
	}
	srv.Restart(t)
	if n := objects(); n != 1 {
		t.Errorf("%d objects in the bucket after the refused upload, want 1", n)
	}
	if resp, body := e.upload(spnHost, path, worker, "toilet-2.jpg", "image/jpeg", jpg2); resp.StatusCode != 201 || rows() != 2 {
		t.Fatalf("the same upload once the server is back: %d %v; %d rows", resp.StatusCode, body, rows())
	}
}
