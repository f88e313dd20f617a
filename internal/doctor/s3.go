package doctor

import (
	"context"
	"errors"
	"time"

	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/evidence"
)

// checkEvidenceStore checks where evidence goes: the disk folder, or, with
// evidence.store=s3, the bucket — that it exists, that these credentials
// may write, read and delete in it, and that the server encrypts what it
// stores when evidence.s3.sse asks for it.
func checkEvidenceStore(ctx context.Context, cfg *config.Config) Result {
	if cfg.Evidence.Store != "s3" {
		return checkEvidence(cfg.Paths.Data)
	}
	r := Result{Check: CheckEvidence}
	s3 := cfg.Evidence.S3
	fix := "create the bucket and give these keys read, write and delete on it (evidence.s3.*, " +
		envName("evidence.s3.bucket") + ", " + envName("evidence.s3.access_key") + ", " + envName("evidence.s3.secret_key") + ")"
	st, err := evidence.NewS3Store(evidence.S3Options{Endpoint: s3.Endpoint, Bucket: s3.Bucket, Region: s3.Region,
		AccessKey: s3.AccessKey, SecretKey: s3.SecretKey, TLS: s3.TLS, SSE: s3.SSE, KMSKeyID: s3.KMSKeyID,
		PartSize: s3.PartSizeMB << 20, MaxRetries: 1})
	if err != nil {
		r.Status, r.Detail, r.Fix = Fail, err.Error(), fix
		return r
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	detail, err := st.Check(cctx)
	switch {
	case err != nil && errors.Is(err, evidence.ErrStoreUnavailable):
		r.Status, r.Detail, r.Fix = Fail, "s3 "+s3.Endpoint+": "+err.Error(), fix
	case err != nil:
		// It stores, but the encryption asked for is not there.
		r.Status, r.Detail = Fail, detail+"; "+err.Error()
		r.Fix = "turn on server-side encryption on the server, or set evidence.s3.sse (" + envName("evidence.s3.sse") + ") to what it offers"
	default:
		r.Status, r.Detail = OK, "s3 "+detail
	}
	return r
}
