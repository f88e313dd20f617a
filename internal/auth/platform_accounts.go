package auth

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
)

// platformAccountObject is the permission object that governs accounts of
// a platform role: analyst for ILO analysts, platform_account for platform
// admins.
func platformAccountObject(role string) (string, bool) {
	switch role {
	case "ilo_analyst":
		return "analyst", true
	case "platform_admin":
		return "platform_account", true
	}
	return "", false
}

// requirePlatform checks that by is a platform principal with act on obj
// in the platform domain.
func (s *Service) requirePlatform(ctx context.Context, by *Principal, obj, act string) error {
	if by == nil {
		return apperr.ErrUnauthorized
	}
	if by.Kind != "platform" || by.TenantID != uuid.Nil {
		return apperr.ErrForbidden
	}
	return s.authz.Check(ctx, by, "platform", obj, act)
}

// PlatformAccount is a row of the console's account list.
type PlatformAccount struct {
	PlatformUser
	Disabled bool `json:"disabled"`
}

// PlatformAccounts lists the platform accounts of the roles by may manage.
func (s *Service) PlatformAccounts(ctx context.Context, by *Principal) ([]PlatformAccount, error) {
	var roles []string
	for _, r := range []string{"platform_admin", "ilo_analyst"} {
		obj, _ := platformAccountObject(r)
		if s.requirePlatform(ctx, by, obj, "manage") == nil {
			roles = append(roles, r)
		}
	}
	if len(roles) == 0 {
		return nil, s.requirePlatform(ctx, by, "analyst", "manage")
	}
	var users []PlatformUser
	if err := s.db.NewSelect().Model(&users).Where("role IN (?)", bun.List(roles)).OrderExpr("role, email").Scan(ctx); err != nil {
		return nil, fmt.Errorf("platform accounts: %w", err)
	}
	out := make([]PlatformAccount, len(users))
	for i, u := range users {
		out[i] = PlatformAccount{PlatformUser: u, Disabled: u.DisabledAt != nil}
	}
	return out, nil
}

// CreatePlatformAccountAs creates an ILO analyst or platform admin account
// from the console: by needs the role's manage right; an email already in
// use is a conflict (never the existing account).
func (s *Service) CreatePlatformAccountAs(ctx context.Context, by *Principal, a NewAccount) (*PlatformUser, error) {
	obj, ok := platformAccountObject(a.Role)
	if !ok {
		return nil, apperr.Invalid("role", "error.invalid_choice")
	}
	if err := s.requirePlatform(ctx, by, obj, "manage"); err != nil {
		return nil, err
	}
	if a.Name == "" || len(a.Name) > 100 {
		return nil, apperr.Invalid("name", "error.required")
	}
	a.SkipStrengthCheck, a.PasswordHash = false, ""
	u, created, err := s.CreatePlatformAccount(ctx, a)
	if err != nil {
		return nil, err
	}
	if !created {
		return nil, &apperr.FieldConflict{Field: "email", Key: "error.email_taken"}
	}
	return u, nil
}

// SetPlatformAccountDisabled disables (ending every session and token at
// once) or re-enables a platform account. by needs manage on the
// account's role and may not disable themselves.
func (s *Service) SetPlatformAccountDisabled(ctx context.Context, by *Principal, id uuid.UUID, disabled bool) error {
	if err := s.requirePlatform(ctx, by, "analyst", "manage"); err != nil {
		if err2 := s.requirePlatform(ctx, by, "platform_account", "manage"); err2 != nil {
			return err
		}
	}
	u := &PlatformUser{}
	if err := s.db.NewSelect().Model(u).Where("id = ?", id).Scan(ctx); err != nil {
		return apperr.ErrNotFound
	}
	obj, _ := platformAccountObject(u.Role)
	if err := s.requirePlatform(ctx, by, obj, "manage"); err != nil {
		return apperr.ErrNotFound
	}
	if id == by.UserID {
		return &apperr.FieldConflict{Field: "account", Key: "error.cannot_disable_self"}
	}
	now := s.now()
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewUpdate().Table("platform_users").Where("id = ?", id)
		if disabled {
			q = q.Set("disabled_at = ?", now).Where("disabled_at IS NULL")
		} else {
			q = q.Set("disabled_at = NULL")
		}
		if _, err := q.Exec(ctx); err != nil {
			return err
		}
		if disabled {
			_, err := tx.NewUpdate().Table("platform_tokens").Set("revoked_at = ?", now).
				Where("user_id = ? AND revoked_at IS NULL", id).Exec(ctx)
			return err
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("platform account: %w", err)
	}
	s.authz.Invalidate(uuid.Nil)
	return nil
}
