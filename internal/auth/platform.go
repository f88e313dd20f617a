package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
)

// PlatformLogin signs in an ILO analyst or platform admin.
func (s *Service) PlatformLogin(ctx context.Context, c Credentials, tokenKind string) (string, *PlatformUser, error) {
	email := strings.ToLower(strings.TrimSpace(c.Email))
	v := &apperr.Validation{}
	if !validEmail(email) {
		v.Add("email", "error.email_invalid")
	}
	if c.Password == "" {
		v.Add("password", "error.required")
	} else if len(c.Password) > 256 {
		v.Add("password", "error.too_long")
	}
	if err := v.Err(); err != nil {
		return "", nil, err
	}
	key := "email:" + email
	var n int
	if err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM platform_login_failures WHERE account_key = ? AND at > ?",
		key, s.now().Add(-FailureWindow)).Scan(&n); err != nil {
		return "", nil, err
	}
	if n >= MaxFailures {
		return "", nil, &apperr.Limited{RetryAfterSeconds: int(FailureWindow.Seconds()), Key: "error.login_locked"}
	}
	u := &PlatformUser{}
	err := s.db.NewSelect().Model(u).Where("email = ? AND disabled_at IS NULL", email).Scan(ctx)
	found := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", nil, err
	}
	hash := s.passwords.dummy
	if found {
		hash = u.PasswordHash
	}
	ok := verifyPassword(c.Password, hash) && found
	if ok && u.TOTPEnabled {
		if c.TOTP == "" {
			return "", nil, &apperr.Validation{Fields: map[string]string{"totp": "error.totp_required"}}
		}
		if ok, err = useTOTP(ctx, s.db, "platform_users", u.ID, c.TOTP, u.TOTPSecret, s.now()); err != nil {
			return "", nil, err
		}
	}
	if !ok {
		if _, err := s.db.ExecContext(ctx, "INSERT INTO platform_login_failures (account_key, at) VALUES (?, ?)", key, s.now()); err != nil {
			return "", nil, err
		}
		return "", nil, fmt.Errorf("%w: login failed", apperr.ErrUnauthorized)
	}
	tok, hashed := newSecret()
	ttl := s.tokenTTL
	if tokenKind == "session" {
		ttl = s.sessionTTL
	}
	err = s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "DELETE FROM platform_login_failures WHERE account_key = ?", key); err != nil {
			return err
		}
		// Platform accounts see every union's aggregates and run the
		// console: they enrol in two-factor login before anything else.
		pending := s.twoFA.Default && !u.TOTPEnabled
		_, err := tx.NewInsert().Model(&platformToken{UserID: u.ID, Kind: tokenKind, TokenHash: hashed, Pending2FA: pending, ExpiresAt: s.now().Add(ttl)}).
			ExcludeColumn("id", "created_at").Exec(ctx)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return tok, u, nil
}

// AuthenticatePlatform turns a platform token into its principal.
func (s *Service) AuthenticatePlatform(ctx context.Context, token string) (*Principal, error) {
	if token == "" || len(token) > 128 {
		return nil, apperr.ErrUnauthorized
	}
	var p Principal
	err := s.db.QueryRowContext(ctx, `SELECT t.id, t.pending_2fa, u.id, u.name, u.role FROM platform_tokens t JOIN platform_users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL AND t.expires_at > ? AND u.disabled_at IS NULL`,
		hashSecret(token), s.now()).Scan(&p.TokenID, &p.Pending2FA, &p.UserID, &p.Name, &p.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrUnauthorized
	}
	if err != nil {
		return nil, err
	}
	p.Kind = "platform"
	return &p, nil
}

func (s *Service) platformUser(ctx context.Context, id uuid.UUID) (*PlatformUser, error) {
	u := &PlatformUser{}
	if err := s.db.NewSelect().Model(u).Where("id = ?", id).Scan(ctx); err != nil {
		return nil, db.MapError(err)
	}
	return u, nil
}
