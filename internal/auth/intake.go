package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// unusablePassword is a hash no password verifies against: an account made
// for a worker who reported by chat or through an officer signs in only
// after setting a password (the reset flow), never with a guess.
const unusablePassword = "!intake"

// WorkerByPhone returns the principal of the worker account holding phone
// (any form NormalisePhone accepts), creating one named name when none
// exists and create is set. It is how a named or confidential report that
// arrives by WhatsApp, SMS or through an officer gets an account: the
// union needs someone to follow up with. A disabled account is refused.
// ok is false when there is no account and create is false.
func (s *Service) WorkerByPhone(ctx context.Context, t *tenant.Tenant, phone, name string, create bool) (*Principal, bool, error) {
	norm, valid := NormalisePhone(phone)
	if !valid {
		return nil, false, apperr.Invalid("phone", "error.phone_invalid")
	}
	clean, ok := cleanText(name, 100)
	if !ok || clean == "" {
		clean = "Pekerja"
	}
	var p *Principal
	created := false
	err := db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		var u User
		err := tx.NewSelect().Model(&u).Where("phone = ?", norm).Scan(ctx)
		switch {
		case err == nil:
			if u.Kind != "worker" || u.DisabledAt != nil {
				return apperr.ErrForbidden
			}
		case !errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("find worker by phone: %w", err)
		case !create:
			return nil
		default:
			u = User{TenantID: t.ID, Kind: "worker", Name: clean, Phone: &norm, PasswordHash: unusablePassword}
			if err := insertUser(ctx, tx, &u); err != nil {
				return err
			}
			if err := grantRootRole(ctx, tx, t.ID, u.ID, "worker"); err != nil {
				return err
			}
			created = true
		}
		p = &Principal{UserID: u.ID, TenantID: t.ID, Kind: "worker", Name: u.Name}
		return nil
	})
	if err != nil {
		return nil, false, err
	}
	if created {
		s.authz.Invalidate(t.ID)
	}
	return p, p != nil, nil
}

// WorkerPrincipal is the principal of an active worker account by id.
func (s *Service) WorkerPrincipal(ctx context.Context, tenantID, userID uuid.UUID) (*Principal, error) {
	u, err := s.User(ctx, tenantID, userID)
	if err != nil {
		return nil, err
	}
	if u.Kind != "worker" || u.DisabledAt != nil {
		return nil, apperr.ErrNotFound
	}
	return &Principal{UserID: u.ID, TenantID: tenantID, Kind: "worker", Name: u.Name}, nil
}
