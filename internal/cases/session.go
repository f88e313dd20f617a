package cases

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
)

// Receipt sessions. An anonymous reporter's receipt code travels once, in
// the body of POST /api/v1/receipts/session (or the receipt page's form),
// and is exchanged for a short-lived bearer token scoped to that one case.
// Every later action carries the token (Authorization header, or an
// HttpOnly cookie on the pages), so no URL, proxy log or browser history
// holds the code.
//
// The token is stateless: AES-GCM under a key derived from the identity
// keys seals the case id and the expiry, bound to the tenant. Nothing is
// stored, so no row links "someone looked at case X at 10:31" to a proxy
// log line of the same minute, no sweep job is needed, and every replica
// that has the identity keys accepts it. The price is that a token cannot
// be revoked before it expires: hence the short life.

// ReceiptSessionTTL is how long a receipt session token is good for.
const ReceiptSessionTTL = 20 * time.Minute

// receiptSessionPrefix marks a receipt session token, so it is never
// confused with an account's bearer token.
const receiptSessionPrefix = "rs1."

// ReceiptSession is what the code is exchanged for.
type ReceiptSession struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// IsReceiptSessionToken reports whether tok has the shape of a receipt
// session token (not whether it is valid).
func IsReceiptSessionToken(tok string) bool { return strings.HasPrefix(tok, receiptSessionPrefix) }

func sessionAAD(tenantID uuid.UUID) []byte {
	return append([]byte("suara/receipt-session/v1|"), tenantID[:]...)
}

func sessionGCM(key []byte) (cipher.AEAD, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// mintSession seals (case, expiry) for tenantID under the current key.
func (kr *KeyRing) mintSession(tenantID, caseID uuid.UUID, exp time.Time) (string, error) {
	g, err := sessionGCM(kr.keys[0].session)
	if err != nil {
		return "", err
	}
	pt := make([]byte, 24)
	copy(pt, caseID[:])
	binary.BigEndian.PutUint64(pt[16:], uint64(exp.Unix()))
	nonce := make([]byte, g.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("session nonce: %w", err)
	}
	ct := g.Seal(nonce, nonce, pt, sessionAAD(tenantID))
	return receiptSessionPrefix + base64.RawURLEncoding.EncodeToString(ct), nil
}

// openSession returns the case a token names, if it opens under any key
// for this tenant and has not expired.
func (kr *KeyRing) openSession(tenantID uuid.UUID, tok string, now time.Time) (uuid.UUID, bool) {
	raw, ok := strings.CutPrefix(tok, receiptSessionPrefix)
	if !ok || len(raw) > 200 {
		return uuid.Nil, false
	}
	// Strict: a token has one spelling; nonzero padding bits in its last
	// character are refused, not ignored.
	ct, err := base64.RawURLEncoding.Strict().DecodeString(raw)
	if err != nil {
		return uuid.Nil, false
	}
	for _, k := range kr.keys {
		g, err := sessionGCM(k.session)
		if err != nil || len(ct) < g.NonceSize() {
			return uuid.Nil, false
		}
		pt, err := g.Open(nil, ct[:g.NonceSize()], ct[g.NonceSize():], sessionAAD(tenantID))
		if err != nil || len(pt) != 24 {
			continue
		}
		if now.Unix() >= int64(binary.BigEndian.Uint64(pt[16:])) {
			return uuid.Nil, false
		}
		id, _ := uuid.FromBytes(pt[:16])
		return id, true
	}
	return uuid.Nil, false
}

// OpenReceiptSession exchanges a receipt code for a session token. A wrong
// or malformed code is apperr.ErrNotFound, answered after the same time as
// a right one.
func (s *Service) OpenReceiptSession(ctx context.Context, tenantID uuid.UUID, code string) (*ReceiptSession, error) {
	var id uuid.UUID
	err := s.withFloor(ctx, func() error {
		return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
			c, err := s.caseByReceipt(ctx, tx, tenantID, code)
			if err != nil {
				return err
			}
			id = c.ID
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("open receipt session: %w", err)
	}
	return s.MintReceiptSession(tenantID, id)
}

// MintReceiptSession makes a session token for an anonymous case the
// caller already holds (the filing page that has just shown the code).
func (s *Service) MintReceiptSession(tenantID, caseID uuid.UUID) (*ReceiptSession, error) {
	exp := s.Now().UTC().Add(ReceiptSessionTTL).Truncate(time.Second)
	tok, err := s.keys.mintSession(tenantID, caseID, exp)
	if err != nil {
		return nil, fmt.Errorf("mint receipt session: %w", err)
	}
	return &ReceiptSession{Token: tok, ExpiresAt: exp}, nil
}

// caseBySession finds the anonymous case a session token opens. An
// invalid, expired or foreign token is apperr.ErrUnauthorized; a token for
// a case that no longer has a receipt (deleted, or not anonymous) too.
func (s *Service) caseBySession(ctx context.Context, tx bun.Tx, tenantID uuid.UUID, tok string) (*Case, error) {
	id, ok := s.keys.openSession(tenantID, tok, s.Now())
	if !ok {
		return nil, apperr.ErrUnauthorized
	}
	c, err := loadCase(ctx, tx, id)
	if err != nil || len(c.ReceiptHash) == 0 {
		return nil, apperr.ErrUnauthorized
	}
	return c, nil
}

// reporterLookup finds and locks the case a reporter changes, or says why
// not: reporterCase for a signed-in reporter, receiptCase for an anonymous
// one holding a receipt session.
type reporterLookup func(ctx context.Context, tx bun.Tx) (*Case, error)

// signedIn is the lookup for the signed-in reporter p of case id.
func (s *Service) signedIn(p *auth.Principal, id uuid.UUID) reporterLookup {
	return func(ctx context.Context, tx bun.Tx) (*Case, error) { return s.reporterCase(ctx, tx, p, id) }
}

// receiptCase is the lookup for the anonymous reporter of a receipt
// session token.
func (s *Service) receiptCase(tenantID uuid.UUID, token string) reporterLookup {
	return func(ctx context.Context, tx bun.Tx) (*Case, error) {
		c, err := s.caseBySession(ctx, tx, tenantID, token)
		if err != nil {
			return nil, err
		}
		return lockedCase(ctx, tx, c.ID)
	}
}

// asReporter runs change in one tenant transaction on the case find locks
// for its reporter.
func asReporter[T any](ctx context.Context, s *Service, tenantID uuid.UUID, find reporterLookup,
	change func(ctx context.Context, tx bun.Tx, c *Case) (T, error)) (T, error) {
	var out T
	err := s.sessionCall(ctx, func() error {
		return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
			c, err := find(ctx, tx)
			if err != nil {
				return err
			}
			out, err = change(ctx, tx, c)
			return err
		})
	})
	return out, err
}

// sessionCall runs a receipt-session action. No time floor: the token is
// 128 bits of authenticated ciphertext, nothing to guess by timing.
func (s *Service) sessionCall(_ context.Context, fn func() error) error { return fn() }
