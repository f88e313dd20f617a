package app

import (
	"context"
	"fmt"
	"io"
	"path/filepath"

	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/evidence"
)

// newEvidenceStore is where evidence content lives, by evidence.store:
// disk under <paths.data>/evidence, or an S3-compatible bucket.
func newEvidenceStore(cfg *config.Config) (evidence.Store, error) {
	if cfg.Evidence.Store != "s3" {
		return evidence.LocalStore{Root: filepath.Join(cfg.Paths.Data, "evidence")}, nil
	}
	s3 := cfg.Evidence.S3
	st, err := evidence.NewS3Store(evidence.S3Options{Endpoint: s3.Endpoint, Bucket: s3.Bucket, Region: s3.Region,
		AccessKey: s3.AccessKey, SecretKey: s3.SecretKey, TLS: s3.TLS, SSE: s3.SSE, KMSKeyID: s3.KMSKeyID,
		PartSize: s3.PartSizeMB << 20})
	if err != nil {
		return nil, fmt.Errorf("evidence store: %w", err)
	}
	return st, nil
}

// evidenceStore is newEvidenceStore for the places that cannot fail at
// start (the case service, built first, already refused a bad setting):
// a store that cannot be built answers every call with its error.
func evidenceStore(cfg *config.Config) evidence.Store {
	st, err := newEvidenceStore(cfg)
	if err != nil {
		return brokenStore{err}
	}
	return st
}

type brokenStore struct{ err error }

func (b brokenStore) Put(context.Context, string, string, io.Reader) (string, error) {
	return "", b.err
}
func (b brokenStore) Open(context.Context, string) (io.ReadCloser, error) { return nil, b.err }
func (b brokenStore) Delete(context.Context, string) error                { return b.err }
func (b brokenStore) Exists(context.Context, string) (bool, error)        { return false, b.err }
