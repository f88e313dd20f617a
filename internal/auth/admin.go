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
	"github.com/suara-id/suara/internal/tenant"
)

// NewAccount describes an account created by an operator (CLI) or the demo
// seed rather than through registration or an invite.
type NewAccount struct {
	Name, Email, Phone, Password string
	Role                         string // staff role, "worker", or a platform role
	BranchPath                   string // for staff roles; "" = the tenant root
	// SkipStrengthCheck is for the demo seed only, whose shared password is
	// on the common-password list on purpose.
	SkipStrengthCheck bool
	// PasswordHash, when set, is used instead of hashing Password: the demo
	// seed hashes its one shared password once for all its accounts.
	PasswordHash string
}

func (s *Service) accountHash(a NewAccount) (string, error) {
	if a.PasswordHash != "" {
		return a.PasswordHash, nil
	}
	return s.passwords.hash(a.Password)
}

// CreateAccount creates a tenant account with its role, or returns the
// existing one unchanged (idempotent by phone or email).
func (s *Service) CreateAccount(ctx context.Context, t *tenant.Tenant, a NewAccount) (*User, bool, error) {
	if !a.SkipStrengthCheck {
		if key := checkPassword(a.Password); key != "" {
			return nil, false, apperr.Invalid("password", key)
		}
	}
	u := &User{TenantID: t.ID, Name: a.Name}
	if a.Role == "worker" {
		phone, ok := NormalisePhone(a.Phone)
		if !ok {
			return nil, false, apperr.Invalid("phone", "error.phone_invalid")
		}
		u.Kind, u.Phone = "worker", &phone
	} else {
		email := strings.ToLower(strings.TrimSpace(a.Email))
		if !validEmail(email) || !staffRoles[a.Role] {
			return nil, false, apperr.Invalid("email", "error.email_invalid")
		}
		u.Kind, u.Email = "staff", &email
	}
	created := false
	err := db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(u)
		if u.Phone != nil {
			q = q.Where("phone = ?", *u.Phone)
		} else {
			q = q.Where("email = ?", *u.Email)
		}
		err := q.Scan(ctx)
		if err == nil {
			return nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if u.PasswordHash, err = s.accountHash(a); err != nil {
			return err
		}
		if err := insertUser(ctx, tx, u); err != nil {
			return err
		}
		created = true
		path := a.BranchPath
		if path == "" {
			path = t.Slug
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO memberships (tenant_id, user_id, role, branch_id)
			SELECT ?, ?, ?, id FROM branches WHERE path = ? ON CONFLICT DO NOTHING`, t.ID, u.ID, a.Role, path)
		if err != nil {
			return fmt.Errorf("grant %s at %s: %w", a.Role, path, err)
		}
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM memberships WHERE user_id = ?", u.ID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("no branch %q in tenant %s", path, t.Slug)
		}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	s.authz.Invalidate(t.ID)
	return u, created, nil
}

// CreatePlatformAccount creates an ILO analyst or platform admin, or returns
// the existing one (idempotent by email).
func (s *Service) CreatePlatformAccount(ctx context.Context, a NewAccount) (*PlatformUser, bool, error) {
	email := strings.ToLower(strings.TrimSpace(a.Email))
	if !validEmail(email) {
		return nil, false, apperr.Invalid("email", "error.email_invalid")
	}
	if a.Role != "platform_admin" && a.Role != "ilo_analyst" {
		return nil, false, apperr.Invalid("role", "error.invalid_choice")
	}
	if !a.SkipStrengthCheck {
		if key := checkPassword(a.Password); key != "" {
			return nil, false, apperr.Invalid("password", key)
		}
	}
	u := &PlatformUser{}
	err := s.db.NewSelect().Model(u).Where("email = ?", email).Scan(ctx)
	if err == nil {
		return u, false, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, false, err
	}
	hash, err := s.accountHash(a)
	if err != nil {
		return nil, false, err
	}
	u = &PlatformUser{Email: email, Name: a.Name, Role: a.Role, PasswordHash: hash}
	if _, err := s.db.NewInsert().Model(u).ExcludeColumn("id", "created_at").Returning("id").Exec(ctx); err != nil {
		return nil, false, fmt.Errorf("create platform account: %w", err)
	}
	s.authz.Invalidate(uuid.Nil)
	return u, true, nil
}
