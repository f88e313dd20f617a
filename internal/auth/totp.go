package auth

import (
	"context"
	"crypto/subtle"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
)

const totpPeriod = 30

var totpOpts = totp.ValidateOpts{Period: totpPeriod, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// totpStep returns the time step (now/30s, one step of skew either way)
// whose code is code, or 0 when none matches.
func totpStep(code, secret string, now time.Time) int64 {
	if secret == "" || len(code) != 6 {
		return 0
	}
	cur := now.Unix() / totpPeriod
	for _, step := range []int64{cur - 1, cur, cur + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step
		}
	}
	return 0
}

// useTOTP accepts code for an account once: the step it belongs to must be
// later than the last one accepted, and is recorded in the same statement,
// so a code seen by a shoulder-surfer or a proxy cannot be replayed within
// its window (nor raced by two concurrent logins).
func useTOTP(ctx context.Context, idb bun.IDB, table string, userID uuid.UUID, code, secret string, now time.Time) (bool, error) {
	step := totpStep(code, secret, now)
	if step == 0 {
		return false, nil
	}
	res, err := idb.NewUpdate().Table(table).Set("totp_last_step = ?", step).
		Where("id = ? AND totp_last_step < ?", userID, step).Exec(ctx)
	if err != nil {
		return false, fmt.Errorf("record totp step: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// Enrolment is a new TOTP secret to show once as a QR code or text.
type Enrolment struct {
	Secret string `json:"secret"`
	URL    string `json:"otpauth_url"`
}

// StartTOTP creates a new (not yet active) TOTP secret for a staff or
// platform account.
func (s *Service) StartTOTP(ctx context.Context, p *Principal, issuer string) (*Enrolment, error) {
	if p == nil || (!p.IsStaff() && p.Kind != "platform") {
		return nil, apperr.ErrForbidden
	}
	var account string
	var on bool
	if p.Kind == "platform" {
		u, err := s.platformUser(ctx, p.UserID)
		if err != nil {
			return nil, err
		}
		account, on = u.Email, u.TOTPEnabled
	} else {
		u, err := s.User(ctx, p.TenantID, p.UserID)
		if err != nil {
			return nil, err
		}
		account, on = deref(u.Email), u.TOTPEnabled
	}
	if on {
		return nil, &apperr.FieldConflict{Field: "totp", Key: "error.totp_already_on"}
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account})
	if err != nil {
		return nil, fmt.Errorf("generate totp: %w", err)
	}
	err = s.inAccountTx(ctx, p, func(ctx context.Context, tx bun.Tx, users, _ string) error {
		_, err := tx.NewUpdate().Table(users).Set("totp_secret = ?", key.Secret()).Where("id = ?", p.UserID).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("store totp secret: %w", err)
	}
	return &Enrolment{Secret: key.Secret(), URL: key.URL()}, nil
}

// inAccountTx runs fn in the transaction that reaches p's account: its
// tenant's, or a plain one for platform accounts, with the table names.
func (s *Service) inAccountTx(ctx context.Context, p *Principal, fn func(ctx context.Context, tx bun.Tx, users, tokens string) error) error {
	if p.Kind == "platform" {
		return s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
			return fn(ctx, tx, "platform_users", "platform_tokens")
		})
	}
	return db.InTenantTx(ctx, s.db, p.TenantID, func(ctx context.Context, tx bun.Tx) error {
		return fn(ctx, tx, "users", "auth_tokens")
	})
}

// ConfirmTOTP turns two-factor login on once the user proves a code, and
// lifts a pending-2FA restriction on the session.
func (s *Service) ConfirmTOTP(ctx context.Context, p *Principal, code string) error {
	if p == nil || (!p.IsStaff() && p.Kind != "platform") {
		return apperr.ErrForbidden
	}
	return s.inAccountTx(ctx, p, func(ctx context.Context, tx bun.Tx, users, tokens string) error {
		var secret string
		if err := tx.NewSelect().Table(users).Column("totp_secret").Where("id = ?", p.UserID).Scan(ctx, &secret); err != nil {
			return db.MapError(err)
		}
		ok, err := useTOTP(ctx, tx, users, p.UserID, code, secret, s.now())
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Invalid("totp", "error.totp_invalid")
		}
		if _, err := tx.NewUpdate().Table(users).Set("totp_enabled = true").Where("id = ?", p.UserID).Exec(ctx); err != nil {
			return err
		}
		_, err = tx.NewUpdate().Table(tokens).Set("pending_2fa = false").Where("id = ?", p.TokenID).Exec(ctx)
		return err
	})
}

// ResetTOTP turns a staff member's two-factor login off (an admin's action
// when a phone is lost); they enrol again at next login. Only someone with
// a strictly broader role over every role the person holds may do it.
func (s *Service) ResetTOTP(ctx context.Context, by *Principal, userID uuid.UUID) error {
	if err := s.requireOverUser(ctx, by, userID, "staff", "assign_role"); err != nil {
		return err
	}
	return db.InTenantTx(ctx, s.db, by.TenantID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().Table("users").Set("totp_enabled = false, totp_secret = ''").Where("id = ?", userID).Exec(ctx); err != nil {
			return err
		}
		// Sessions that passed the old second factor end with it.
		if _, err := tx.NewUpdate().Table("auth_tokens").Set("revoked_at = ?", s.now()).
			Where("user_id = ? AND revoked_at IS NULL", userID).Exec(ctx); err != nil {
			return err
		}
		return auditTx(ctx, tx, by, "account.totp_reset", userID.String(), nil)
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
