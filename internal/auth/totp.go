package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
)

func validTOTP(code, secret string, now time.Time) bool {
	if secret == "" || len(code) != 6 {
		return false
	}
	ok, err := totp.ValidateCustom(code, secret, now, totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	return err == nil && ok
}

// Enrolment is a new TOTP secret to show once as a QR code or text.
type Enrolment struct {
	Secret string `json:"secret"`
	URL    string `json:"otpauth_url"`
}

// StartTOTP creates a new (not yet active) TOTP secret for a staff account.
func (s *Service) StartTOTP(ctx context.Context, p *Principal, issuer string) (*Enrolment, error) {
	if !p.IsStaff() {
		return nil, apperr.ErrForbidden
	}
	u, err := s.User(ctx, p.TenantID, p.UserID)
	if err != nil {
		return nil, err
	}
	if u.TOTPEnabled {
		return nil, &apperr.FieldConflict{Field: "totp", Key: "error.totp_already_on"}
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: deref(u.Email)})
	if err != nil {
		return nil, fmt.Errorf("generate totp: %w", err)
	}
	err = db.InTenantTx(ctx, s.db, p.TenantID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Table("users").Set("totp_secret = ?", key.Secret()).Where("id = ?", p.UserID).Exec(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &Enrolment{Secret: key.Secret(), URL: key.URL()}, nil
}

// ConfirmTOTP turns two-factor login on once the user proves a code, and
// lifts a pending-2FA restriction on the session.
func (s *Service) ConfirmTOTP(ctx context.Context, p *Principal, code string) error {
	u, err := s.User(ctx, p.TenantID, p.UserID)
	if err != nil {
		return err
	}
	if !validTOTP(code, u.TOTPSecret, s.now()) {
		return apperr.Invalid("totp", "error.totp_invalid")
	}
	return db.InTenantTx(ctx, s.db, p.TenantID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewUpdate().Table("users").Set("totp_enabled = true").Where("id = ?", p.UserID).Exec(ctx); err != nil {
			return err
		}
		_, err := tx.NewUpdate().Table("auth_tokens").Set("pending_2fa = false").Where("id = ?", p.TokenID).Exec(ctx)
		return err
	})
}

// ResetTOTP turns a staff member's two-factor login off (an admin's action
// when a phone is lost); they enrol again at next login.
func (s *Service) ResetTOTP(ctx context.Context, by *Principal, userID uuid.UUID) error {
	if err := s.requireOverUser(ctx, by, userID, "staff", "assign_role"); err != nil {
		return err
	}
	return db.InTenantTx(ctx, s.db, by.TenantID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Table("users").Set("totp_enabled = false, totp_secret = ''").Where("id = ?", userID).Exec(ctx)
		return err
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
