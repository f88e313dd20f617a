package cases

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// Idempotent filing. A worker on a patchy connection taps "send", the reply
// never arrives, and the app retries: without a key that is two cases. With
// an Idempotency-Key the first request claims the key (a pending row) before
// filing and completes it with the reply after; a retry with the same key
// gets that reply back, byte for byte, receipt code included.
//
// The claim is its own transaction; the reply is stored in the filing's
// transaction (Intake.InTx), so a case and its completed key commit
// together or not at all. That is what makes a retry after a lost database
// (a failover, a crash between COMMIT and the reply) safe: either the case
// exists and the retry replays it, or nothing was filed and the key is
// still pending. A pending row younger than idempotencyStale means "the
// first request is still working": a retry waits for it. An older one was
// abandoned and is taken over — safely even if its first request is in fact
// still running, since the completion only lands on a key not yet
// completed: of two filings racing for one key, one commits and the other
// rolls back and replays it.
const (
	// idempotencyTTL is how long a key is remembered: long enough for any
	// retry, short enough that sealed receipt codes do not linger.
	idempotencyTTL = 24 * time.Hour
	// idempotencyStale is when a pending claim counts as abandoned: past
	// any filing's time, and short enough that a retry after a database
	// failover gets through within seconds (a takeover never files twice).
	idempotencyStale = 15 * time.Second
	// maxIdempotencyKey is the longest key accepted (Stripe's limit too).
	maxIdempotencyKey = 255
	// idempotencyWait is how long a retry waits for a concurrent first
	// request with the same key to finish before answering 409.
	idempotencyWait = 10 * time.Second
)

// idempotencyRow is a row of idempotency_keys.
type idempotencyRow struct {
	bun.BaseModel `bun:"table:idempotency_keys"`

	TenantID        uuid.UUID  `bun:"tenant_id,pk,type:uuid"`
	KeyHash         []byte     `bun:"key_hash,pk"`
	Fingerprint     []byte     `bun:"fingerprint"`
	CaseID          *uuid.UUID `bun:"case_id,type:uuid"`
	ReplyKeyID      *string    `bun:"reply_key_id"`
	ReplyWrapped    []byte     `bun:"reply_wrapped"`
	ReplyNonce      []byte     `bun:"reply_nonce"`
	ReplyCiphertext []byte     `bun:"reply_ciphertext"`
	CreatedAt       time.Time  `bun:"created_at"`
	CompletedAt     *time.Time `bun:"completed_at"`
}

// ValidIdempotencyKey reports whether key is 1 to 255 printable ASCII
// characters (what HTTP headers carry safely).
func ValidIdempotencyKey(key string) bool {
	if key == "" || len(key) > maxIdempotencyKey {
		return false
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return false
		}
	}
	return true
}

// idempotencyHash names a key without storing it, scoped to the principal:
// the same key from two accounts is two keys, so nobody can replay another
// reporter's reply (and receipt code) by guessing their key. Reporters
// without an account are scoped by ns, a secret of their client (see
// FileOnce), never one shared namespace: whoever repeats an anonymous
// reporter's key and body from another client files a case of their own.
func idempotencyHash(p *auth.Principal, ns, key string) []byte {
	who := "anonymous\x00" + ns
	if p != nil {
		who = p.UserID.String()
	}
	h := sha256.New()
	h.Write([]byte("suara/idempotency/file-case/v1\x00"))
	h.Write([]byte(who))
	h.Write([]byte{0})
	h.Write([]byte(key))
	return h.Sum(nil)
}

// filingFingerprint identifies the request body, so a key reused for a
// different filing is refused rather than answered with the wrong case.
func filingFingerprint(f Filing) []byte {
	b, _ := json.Marshal(f) // a struct of strings and an int: cannot fail
	sum := sha256.Sum256(b)
	return sum[:]
}

func idempotencyAAD(tenantID uuid.UUID, keyHash []byte) []byte {
	return append(append([]byte("suara/idempotency/v1|"), tenantID[:]...), keyHash...)
}

// FileOnce files like File, at most once per idempotency key: a repeat of
// the same key with the same filing returns the first reply and replayed =
// true; the same key with a different filing is a validation error on
// "idempotency_key". A repeat arriving while the first is still being filed
// waits for it (up to a few seconds, then 409).
//
// ns scopes the key of a reporter without an account (p nil): something
// only their client holds (the web layer passes its per-browser cookie, or
// its address). Without one, an anonymous filing is filed without
// replay: a shared namespace would hand one reporter's receipt code to
// anyone who repeats their key and body.
func (s *Service) FileOnce(ctx context.Context, t *tenant.Tenant, p *auth.Principal, ns, key string, f Filing) (out *Filed, replayed bool, err error) {
	if !ValidIdempotencyKey(key) {
		return nil, false, apperr.Invalid("idempotency_key", "error.idempotency_key_invalid")
	}
	if p == nil && ns == "" {
		out, err := s.File(ctx, t, p, f)
		return out, false, err
	}
	kh, fp := idempotencyHash(p, ns, key), filingFingerprint(f)
	deadline := time.Now().Add(idempotencyWait)
retry:
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, 500*time.Millisecond) {
		claimed, row, err := s.claimKey(ctx, t.ID, kh, fp)
		if err != nil {
			return nil, false, err
		}
		if claimed {
			break
		}
		if !bytes.Equal(row.Fingerprint, fp) {
			return nil, false, apperr.Invalid("idempotency_key", "error.idempotency_key_reused")
		}
		if row.CompletedAt != nil {
			out, err := s.openReply(t.ID, row)
			return out, true, err
		}
		if time.Now().After(deadline) {
			return nil, false, &apperr.FieldConflict{Field: "idempotency_key", Key: "error.idempotency_in_progress"}
		}
		select {
		case <-ctx.Done():
			return nil, false, ctx.Err()
		case <-time.After(wait):
		}
	}
	out, err = s.FileVia(ctx, t, p, f, Intake{InTx: func(ctx context.Context, tx bun.Tx, _ *Case, out *Filed) error {
		return s.completeKey(ctx, tx, t.ID, kh, fp, out)
	}})
	if errors.Is(err, errKeyCompleted) {
		// Another request with this key filed first (it took over our
		// claim, or we took over its): ours rolled back; replay its reply.
		goto retry
	}
	if err != nil {
		// Nothing was filed: free the key so a corrected retry may use it.
		if rerr := s.releaseKey(context.WithoutCancel(ctx), t.ID, kh); rerr != nil {
			s.log.Warn("release idempotency key", "tenant", t.Slug, "err", rerr)
		}
		return nil, false, err
	}
	return out, false, nil
}

// errKeyCompleted rolls back a filing whose key another request completed.
var errKeyCompleted = errors.New("idempotency key completed by another request")

// claimKey inserts a pending row for the key, or takes over an abandoned
// one; otherwise it returns the existing row. Expired keys of the tenant
// are swept first, so the table stays a day deep without a job.
func (s *Service) claimKey(ctx context.Context, tenantID uuid.UUID, kh, fp []byte) (claimed bool, row *idempotencyRow, err error) {
	now := s.Now().UTC()
	err = db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Model((*idempotencyRow)(nil)).
			Where("created_at < ?", now.Add(-idempotencyTTL)).Exec(ctx); err != nil {
			return fmt.Errorf("sweep idempotency keys: %w", err)
		}
		res, err := tx.NewInsert().Model(&idempotencyRow{TenantID: tenantID, KeyHash: kh, Fingerprint: fp, CreatedAt: now}).
			On("CONFLICT (tenant_id, key_hash) DO NOTHING").Exec(ctx)
		if err != nil {
			return fmt.Errorf("claim idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			claimed = true
			return nil
		}
		// Taken: an abandoned claim (same filing, never completed, stale)
		// is ours now; anything else is reported to the caller.
		res, err = tx.NewUpdate().Model((*idempotencyRow)(nil)).Set("created_at = ?", now).
			Where("key_hash = ? AND fingerprint = ? AND completed_at IS NULL AND created_at < ?", kh, fp, now.Add(-idempotencyStale)).
			Exec(ctx)
		if err != nil {
			return fmt.Errorf("take over idempotency key: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			claimed = true
			return nil
		}
		row = new(idempotencyRow)
		err = tx.NewSelect().Model(row).Where("key_hash = ?", kh).Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			// Released between our insert and select: try again.
			row = &idempotencyRow{Fingerprint: fp}
			return nil
		}
		if err != nil {
			return fmt.Errorf("read idempotency key: %w", err)
		}
		return nil
	})
	return claimed, row, err
}

func (s *Service) releaseKey(ctx context.Context, tenantID uuid.UUID, kh []byte) error {
	return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewDelete().Model((*idempotencyRow)(nil)).
			Where("key_hash = ? AND completed_at IS NULL", kh).Exec(ctx)
		return err
	})
}

// completeKey stores the sealed reply on the key, inside the filing's
// transaction tx: the row is written whether or not the claim is still
// there (a failed sibling may have released it), unless the key is already
// completed — then errKeyCompleted rolls the filing back.
func (s *Service) completeKey(ctx context.Context, tx bun.Tx, tenantID uuid.UUID, kh, fp []byte, out *Filed) error {
	plain, err := json.Marshal(out)
	if err != nil {
		return fmt.Errorf("encode reply: %w", err)
	}
	env, err := s.keys.seal(plain, idempotencyAAD(tenantID, kh))
	if err != nil {
		return fmt.Errorf("seal reply: %w", err)
	}
	now := s.Now().UTC()
	// An anonymous filing's row names no case: its times (to the
	// microsecond, for a day) would date the filing the case keeps to the
	// hour. The sealed reply alone serves a retry.
	caseID := &out.ID
	if out.ReceiptCode != "" {
		caseID = nil
	}
	res, err := tx.NewInsert().Model(&idempotencyRow{TenantID: tenantID, KeyHash: kh, Fingerprint: fp, CaseID: caseID,
		ReplyKeyID: &env.KeyID, ReplyWrapped: env.WrappedKey, ReplyNonce: env.Nonce, ReplyCiphertext: env.Ciphertext,
		CreatedAt: now, CompletedAt: &now}).
		On("CONFLICT (tenant_id, key_hash) DO UPDATE").
		Set("fingerprint = EXCLUDED.fingerprint, case_id = EXCLUDED.case_id, reply_key_id = EXCLUDED.reply_key_id, reply_wrapped = EXCLUDED.reply_wrapped").
		Set("reply_nonce = EXCLUDED.reply_nonce, reply_ciphertext = EXCLUDED.reply_ciphertext, completed_at = EXCLUDED.completed_at").
		Where("?TableAlias.completed_at IS NULL").
		Exec(ctx)
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return errKeyCompleted
	}
	return nil
}

func (s *Service) openReply(tenantID uuid.UUID, row *idempotencyRow) (*Filed, error) {
	if row.ReplyKeyID == nil {
		return nil, errors.New("completed idempotency key without a reply")
	}
	plain, err := s.keys.open(envelope{KeyID: *row.ReplyKeyID, WrappedKey: row.ReplyWrapped, Nonce: row.ReplyNonce,
		Ciphertext: row.ReplyCiphertext}, idempotencyAAD(tenantID, row.KeyHash))
	if err != nil {
		return nil, fmt.Errorf("open idempotent reply: %w", err)
	}
	out := new(Filed)
	if err := json.Unmarshal(plain, out); err != nil {
		return nil, fmt.Errorf("decode idempotent reply: %w", err)
	}
	return out, nil
}
