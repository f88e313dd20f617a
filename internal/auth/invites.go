package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// StaffInvite names who to invite (by email or by phone), as what, where.
type StaffInvite struct {
	Email    string `json:"email" form:"email"`
	Phone    string `json:"phone" form:"phone"`
	Role     string `json:"role" form:"role"`
	BranchID string `json:"branch_id" form:"branch_id"`
}

// InviteStaff invites a staff member by email or by phone (exactly one):
// the same checks as Invite (staff invite at the branch; a federation
// admin only at the root, checked there). It returns the invite and its
// secret token, to be sent through the union's channel.
func (s *Service) InviteStaff(ctx context.Context, by *Principal, r StaffInvite) (*Invite, string, error) {
	email, phone := strings.TrimSpace(r.Email), strings.TrimSpace(r.Phone)
	if phone == "" {
		return s.Invite(ctx, by, InviteRequest{Email: email, Role: r.Role, BranchID: r.BranchID})
	}
	v := &apperr.Validation{}
	if email != "" {
		v.Add("email", "error.email_or_phone")
	}
	norm, ok := NormalisePhone(phone)
	if !ok {
		v.Add("phone", "error.phone_invalid")
	}
	return s.issueInvite(ctx, by, v, r.Role, r.BranchID, "", &norm)
}

// InviteFirstAdmin invites the first federation admin of a union just
// created from the platform console (no union user invites them). The
// caller has checked the platform admin's right.
func (s *Service) InviteFirstAdmin(ctx context.Context, t *tenant.Tenant, email string) (*Invite, string, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if !validEmail(email) {
		return nil, "", apperr.Invalid("admin_email", "error.email_invalid")
	}
	tok, hash := newSecret()
	inv := &Invite{TenantID: t.ID, Email: email, Role: "federation_admin", TokenHash: hash, ExpiresAt: s.now().Add(inviteTTL)}
	err := db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Table("branches").Column("id").Where("parent_id IS NULL").Scan(ctx, &inv.BranchID); err != nil {
			return fmt.Errorf("root branch: %w", err)
		}
		return tx.QueryRowContext(ctx, `INSERT INTO invites (tenant_id, email, role, branch_id, token_hash, invited_by, expires_at)
			VALUES (?, ?, ?, ?, ?, NULL, ?) RETURNING id, created_at`, t.ID, email, inv.Role, inv.BranchID, hash, inv.ExpiresAt).
			Scan(&inv.ID, &inv.CreatedAt)
	})
	if err != nil {
		return nil, "", fmt.Errorf("invite first admin: %w", err)
	}
	return inv, tok, nil
}

// PendingInvite is one row of the pending invites list.
type PendingInvite struct {
	ID         uuid.UUID `json:"id"`
	Email      string    `json:"email,omitempty"`
	Phone      string    `json:"phone,omitempty"`
	Role       string    `json:"role"`
	BranchID   uuid.UUID `json:"branch_id"`
	BranchPath string    `json:"branch_path"`
	BranchName string    `json:"branch_name"`
	ExpiresAt  time.Time `json:"expires_at"`
	CreatedAt  time.Time `json:"created_at"`
}

// PendingInvites lists the invites not yet accepted, revoked or expired
// at branches where by may invite staff (a branch admin sees their
// sub-tree's only).
func (s *Service) PendingInvites(ctx context.Context, by *Principal) ([]PendingInvite, error) {
	if by == nil || !by.IsStaff() {
		return nil, apperr.ErrForbidden
	}
	var all []PendingInvite
	err := db.InTenantTx(ctx, s.db, by.TenantID, func(ctx context.Context, tx bun.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT i.id, i.email, coalesce(i.phone, ''), i.role, i.branch_id, b.path, b.name, i.expires_at, i.created_at
			FROM invites i JOIN branches b ON b.tenant_id = i.tenant_id AND b.id = i.branch_id
			WHERE i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > ? ORDER BY i.created_at DESC`, s.now())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p PendingInvite
			if err := rows.Scan(&p.ID, &p.Email, &p.Phone, &p.Role, &p.BranchID, &p.BranchPath, &p.BranchName, &p.ExpiresAt, &p.CreatedAt); err != nil {
				return err
			}
			all = append(all, p)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("pending invites: %w", err)
	}
	out := []PendingInvite{}
	for _, p := range all {
		if s.authz.Check(ctx, by, p.BranchPath, "staff", "invite") == nil {
			out = append(out, p)
		}
	}
	if len(out) == 0 {
		if err := s.requireSomewhere(ctx, by, "staff", "invite"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// pendingInvite loads a pending invite by id and checks that by may
// invite its role at its branch (what creating it needed); an invite by
// can't manage is not found.
func (s *Service) pendingInvite(ctx context.Context, by *Principal, id uuid.UUID) (*Invite, error) {
	if by == nil || !by.IsStaff() {
		return nil, apperr.ErrNotFound
	}
	inv := &Invite{}
	err := db.InTenantTx(ctx, s.db, by.TenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(inv).Where("id = ? AND accepted_at IS NULL AND revoked_at IS NULL", id).Scan(ctx)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("load invite: %w", err)
	}
	if _, err := s.requireAtBranch(ctx, by, inv.BranchID, inv.Role, "staff", "invite"); err != nil {
		var ve *apperr.Validation
		if errors.As(err, &ve) || errors.Is(err, apperr.ErrForbidden) {
			return nil, apperr.ErrNotFound
		}
		return nil, err
	}
	return inv, nil
}

// RevokeInvite withdraws a pending invite: its link stops working at once.
func (s *Service) RevokeInvite(ctx context.Context, by *Principal, id uuid.UUID) error {
	if _, err := s.pendingInvite(ctx, by, id); err != nil {
		return err
	}
	return db.InTenantTx(ctx, s.db, by.TenantID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Table("invites").Set("revoked_at = ?", s.now()).
			Where("id = ? AND accepted_at IS NULL AND revoked_at IS NULL", id).Exec(ctx)
		return err
	})
}

// ResendInvite gives a pending invite a new secret and a fresh expiry (the
// old link stops working) and returns the new token to send.
func (s *Service) ResendInvite(ctx context.Context, by *Principal, id uuid.UUID) (*Invite, string, error) {
	inv, err := s.pendingInvite(ctx, by, id)
	if err != nil {
		return nil, "", err
	}
	tok, hash := newSecret()
	inv.TokenHash, inv.ExpiresAt = hash, s.now().Add(inviteTTL)
	err = db.InTenantTx(ctx, s.db, by.TenantID, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Table("invites").Set("token_hash = ?, expires_at = ?", hash, inv.ExpiresAt).
			Where("id = ? AND accepted_at IS NULL AND revoked_at IS NULL", id).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return nil, "", fmt.Errorf("resend invite: %w", err)
	}
	return inv, tok, nil
}
