package auth

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
)

// WorkerAccount is a worker's account as an officer with a right over it
// sees it on the staff page for in-person help: who it is, and what the
// officer may do. The member number itself is not shown — the officer
// reads it from the member's card, and VerifyMember compares.
type WorkerAccount struct {
	ID               uuid.UUID
	Name             string
	Phone            string
	Workplace        string
	IsMember         bool
	HasMemberNumber  bool
	PhoneVerifiedAt  *time.Time
	MemberVerifiedAt *time.Time
	// CanReset and CanVerify: the viewer's rights over this worker
	// (worker_account reset_password and verify at the worker's branch).
	CanReset, CanVerify bool
}

// WorkerRights reports what by may do for the worker: give an in-person
// reset code, mark the member verified. The same checks as StaffResetCode
// and VerifyMember. A worker by cannot see (another union's, a staff
// account, a disabled one) is apperr.ErrNotFound.
func (s *Service) WorkerRights(ctx context.Context, by *Principal, userID uuid.UUID) (canReset, canVerify bool, err error) {
	if by == nil {
		return false, false, apperr.ErrUnauthorized
	}
	for _, r := range []struct {
		act string
		ok  *bool
	}{{"reset_password", &canReset}, {"verify", &canVerify}} {
		_, err := s.requireOverWorker(ctx, by, userID, r.act)
		switch {
		case err == nil:
			*r.ok = true
		case errors.Is(err, apperr.ErrForbidden):
		default:
			return false, false, err
		}
	}
	return canReset, canVerify, nil
}

// WorkerAccount returns the worker's account for by, who must hold at
// least one of the two rights over it (else apperr.ErrForbidden).
func (s *Service) WorkerAccount(ctx context.Context, by *Principal, userID uuid.UUID) (*WorkerAccount, error) {
	canReset, canVerify, err := s.WorkerRights(ctx, by, userID)
	if err != nil {
		return nil, err
	}
	if !canReset && !canVerify {
		return nil, apperr.ErrForbidden
	}
	w := &WorkerAccount{ID: userID, CanReset: canReset, CanVerify: canVerify}
	err = db.InTenantTx(ctx, s.db, by.TenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT u.name, coalesce(u.phone, ''), coalesce(w.company || CASE WHEN w.name <> '' THEN ' — ' || w.name ELSE '' END, ''),
				u.is_member, u.member_number <> '', u.phone_verified_at, u.member_verified_at
			FROM users u LEFT JOIN workplaces w ON w.tenant_id = u.tenant_id AND w.id = u.workplace_id
			WHERE u.id = ? AND u.kind = 'worker'`, userID).
			Scan(&w.Name, &w.Phone, &w.Workplace, &w.IsMember, &w.HasMemberNumber, &w.PhoneVerifiedAt, &w.MemberVerifiedAt)
	})
	if err != nil {
		return nil, fmt.Errorf("worker account: %w", db.MapError(err))
	}
	return w, nil
}
