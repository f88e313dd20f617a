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

var staffRoles = map[string]bool{"federation_admin": true, "branch_admin": true, "case_officer": true}

// branchPath returns the path of a branch of the tenant.
func branchPath(ctx context.Context, tx bun.IDB, branchID uuid.UUID) (string, error) {
	var path string
	err := tx.NewSelect().Table("branches").Column("path").Where("id = ? AND closed_at IS NULL", branchID).Scan(ctx, &path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.Invalid("branch_id", "error.invalid_choice")
	}
	return path, err
}

// roleRank orders the roles from the broadest.
var roleRank = map[string]int{"federation_admin": 3, "branch_admin": 2, "case_officer": 1, "worker": 0}

// broader reports whether holding held at heldPath is strictly broader than
// role at path: the branch is the same or above, and the role ranks higher
// — or it is the same role held strictly above. A federation_admin role is
// matched only by another federation admin (there is nothing above it).
func broader(held, heldPath, role, path string) bool {
	atOrAbove := heldPath == path || strings.HasPrefix(path, heldPath+"/")
	if !atOrAbove {
		return false
	}
	if role == "federation_admin" {
		return held == "federation_admin"
	}
	return roleRank[held] > roleRank[role] || (held == role && heldPath != path)
}

// requireBroader checks that p holds, at or above path, a role strictly
// broader than role there (see broader). This is what stops a branch admin
// at the root from granting themselves federation_admin, or from touching
// the accounts of federation admins and of their peers.
func (s *Service) requireBroader(ctx context.Context, p *Principal, role, path string) error {
	held, err := s.authz.Roles(ctx, p)
	if err != nil {
		return err
	}
	for _, h := range held {
		if broader(h.Role, strings.TrimSuffix(h.Domain, "/*"), role, path) {
			return nil
		}
	}
	return fmt.Errorf("%w: %s at %s needs a broader role", apperr.ErrForbidden, role, path)
}

// requireAtBranch checks obj/act for p at the branch's path, and that p
// holds a strictly broader role than role there. Granting federation_admin
// is a decision for the whole union: only at the tenant root, and only by a
// federation admin.
func (s *Service) requireAtBranch(ctx context.Context, p *Principal, branchID uuid.UUID, role, obj, act string) (string, error) {
	var path, root string
	err := db.InTenantTx(ctx, s.db, p.TenantID, func(ctx context.Context, tx bun.Tx) error {
		var err error
		if path, err = branchPath(ctx, tx, branchID); err != nil {
			return err
		}
		return tx.NewSelect().Table("branches").Column("path").Where("parent_id IS NULL").Scan(ctx, &root)
	})
	if err != nil {
		return "", err
	}
	if role == "federation_admin" && path != root {
		return "", apperr.Invalid("branch_id", "error.federation_root_only")
	}
	if err := s.authz.Check(ctx, p, path, obj, act); err != nil {
		return "", err
	}
	return path, s.requireBroader(ctx, p, role, path)
}

// requireOverUser checks that p may act on every branch where the user
// holds a role, with a strictly broader role than each (a branch admin
// manages only people of their sub-tree and below their rank), and that
// the user is not p.
func (s *Service) requireOverUser(ctx context.Context, p *Principal, userID uuid.UUID, obj, act string) error {
	if p == nil {
		return apperr.ErrUnauthorized
	}
	ms, err := s.Memberships(ctx, p.TenantID, userID)
	if err != nil {
		return err
	}
	if len(ms) == 0 {
		return apperr.ErrNotFound
	}
	if userID == p.UserID {
		return fmt.Errorf("%w: not on one's own account", apperr.ErrForbidden)
	}
	for _, m := range ms {
		if err := s.authz.Check(ctx, p, m.BranchPath, obj, act); err != nil {
			return err
		}
		if err := s.requireBroader(ctx, p, m.Role, m.BranchPath); err != nil {
			return err
		}
	}
	return nil
}

// InviteRequest names who to invite, as what, where.
type InviteRequest struct {
	Email    string `json:"email" form:"email"`
	Role     string `json:"role" form:"role"`
	BranchID string `json:"branch_id" form:"branch_id"`
}

// Invite creates a one-time, expiring link for a new staff member and
// returns its secret token (to be sent by email; shown once).
func (s *Service) Invite(ctx context.Context, by *Principal, r InviteRequest) (*Invite, string, error) {
	v := &apperr.Validation{}
	email := strings.ToLower(strings.TrimSpace(r.Email))
	if !validEmail(email) {
		v.Add("email", "error.email_invalid")
	}
	return s.issueInvite(ctx, by, v, r.Role, r.BranchID, email, nil)
}

// issueInvite is the one path of every staff invite, by email or by phone:
// the role and branch are checked (beside the contact's errors already in
// v), then the inviter's right to invite that role at that branch, and the
// invite is stored with its hashed secret.
func (s *Service) issueInvite(ctx context.Context, by *Principal, v *apperr.Validation, role, branch, email string, phone *string) (*Invite, string, error) {
	if !staffRoles[role] {
		v.Add("role", "error.invalid_choice")
	}
	branchID, err := uuid.Parse(branch)
	if err != nil {
		v.Add("branch_id", "error.invalid_choice")
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	if _, err := s.requireAtBranch(ctx, by, branchID, role, "staff", "invite"); err != nil {
		return nil, "", err
	}
	tok, hash := newSecret()
	inv := &Invite{TenantID: by.TenantID, Email: email, Phone: phone, Role: role, BranchID: branchID, TokenHash: hash,
		InvitedBy: by.UserID, ExpiresAt: s.now().Add(inviteTTL)}
	err = db.InTenantTx(ctx, s.db, by.TenantID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewInsert().Model(inv).ExcludeColumn("id", "created_at").Returning("id, created_at").Exec(ctx)
		return err
	})
	if err != nil {
		return nil, "", fmt.Errorf("create invite: %w", err)
	}
	return inv, tok, nil
}

// InviteByToken finds a pending, unexpired invite.
func (s *Service) InviteByToken(ctx context.Context, tenantID uuid.UUID, token string) (*Invite, error) {
	inv := &Invite{}
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(inv).Where("token_hash = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
			hashSecret(token), s.now()).Scan(ctx)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, apperr.ErrNotFound
	}
	return inv, err
}

// AcceptInvite creates the staff account with its role and a session.
func (s *Service) AcceptInvite(ctx context.Context, t *tenant.Tenant, token, name, password, tokenKind string) (*User, string, error) {
	inv, err := s.InviteByToken(ctx, t.ID, token)
	if err != nil {
		return nil, "", err
	}
	v := &apperr.Validation{}
	name, ok := cleanText(name, 100)
	if !ok {
		v.Add("name", "error.too_long")
	} else if name == "" {
		v.Add("name", "error.required")
	}
	if key := checkPassword(password); key != "" {
		v.Add("password", key)
	}
	if err := v.Err(); err != nil {
		return nil, "", err
	}
	hash, err := s.passwords.hash(password)
	if err != nil {
		return nil, "", err
	}
	u := &User{TenantID: t.ID, Kind: "staff", Name: name, Email: &inv.Email, PasswordHash: hash}
	if inv.Phone != nil { // an invite by phone (invites.go)
		u.Email, u.Phone = nil, inv.Phone
	}
	var tok string
	err = db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewUpdate().Table("invites").Set("accepted_at = ?", s.now()).
			Where("id = ? AND accepted_at IS NULL", inv.ID).Exec(ctx)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return apperr.ErrNotFound // accepted concurrently
		}
		if err := insertUser(ctx, tx, u); err != nil {
			return err
		}
		m := &Membership{TenantID: t.ID, UserID: u.ID, Role: inv.Role, BranchID: inv.BranchID, GrantedBy: &inv.InvitedBy}
		if inv.InvitedBy == uuid.Nil { // invited from the platform console
			m.GrantedBy = nil
		}
		if _, err := tx.NewInsert().Model(m).ExcludeColumn("id", "created_at").Exec(ctx); err != nil {
			return err
		}
		tok, err = s.issueToken(ctx, tx, t.ID, u.ID, tokenKind, s.staffMust2FA(t))
		return err
	})
	if err != nil {
		return nil, "", err
	}
	s.authz.Invalidate(t.ID)
	return u, tok, nil
}

// RoleRequest assigns role to a user at a branch.
type RoleRequest struct {
	UserID   string `json:"user_id" form:"user_id"`
	Role     string `json:"role" form:"role"`
	BranchID string `json:"branch_id" form:"branch_id"`
}

// AssignRole grants a staff role at a branch; it takes effect at once.
func (s *Service) AssignRole(ctx context.Context, by *Principal, r RoleRequest) (*Membership, error) {
	v := &apperr.Validation{}
	userID, err := uuid.Parse(r.UserID)
	if err != nil {
		v.Add("user_id", "error.invalid_choice")
	}
	branchID, err := uuid.Parse(r.BranchID)
	if err != nil {
		v.Add("branch_id", "error.invalid_choice")
	}
	if !staffRoles[r.Role] {
		v.Add("role", "error.invalid_choice")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	if userID == by.UserID {
		return nil, fmt.Errorf("%w: no self-grants", apperr.ErrForbidden)
	}
	path, err := s.requireAtBranch(ctx, by, branchID, r.Role, "staff", "assign_role")
	if err != nil {
		return nil, err
	}
	m := &Membership{TenantID: by.TenantID, UserID: userID, Role: r.Role, BranchID: branchID, GrantedBy: &by.UserID, BranchPath: path}
	err = db.InTenantTx(ctx, s.db, by.TenantID, func(ctx context.Context, tx bun.Tx) error {
		var kind string
		if err := tx.NewSelect().Table("users").Column("kind").Where("id = ?", userID).Scan(ctx, &kind); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.Invalid("user_id", "error.invalid_choice")
			}
			return err
		}
		if kind != "staff" {
			return apperr.Invalid("user_id", "error.not_staff")
		}
		_, err := tx.NewInsert().Model(m).ExcludeColumn("id", "created_at").Returning("id, created_at").Exec(ctx)
		if db.IsUniqueViolation(err, "") {
			return &apperr.FieldConflict{Field: "role", Key: "error.role_exists"}
		}
		if err != nil {
			return err
		}
		return auditTx(ctx, tx, by, "staff.role_granted", userID.String(), map[string]any{"role": r.Role, "branch": path})
	})
	if err != nil {
		return nil, err
	}
	s.authz.Invalidate(by.TenantID)
	return m, nil
}

// RevokeRole removes a role assignment; it takes effect at once.
func (s *Service) RevokeRole(ctx context.Context, by *Principal, membershipID uuid.UUID) error {
	var m Membership
	err := db.InTenantTx(ctx, s.db, by.TenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&m).ColumnExpr("membership.*, b.path AS branch_path").
			Join("JOIN branches b ON b.tenant_id = membership.tenant_id AND b.id = membership.branch_id").
			Where("membership.id = ?", membershipID).Scan(ctx)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.ErrNotFound
	}
	if err != nil {
		return err
	}
	if !staffRoles[m.Role] {
		return apperr.ErrNotFound
	}
	if _, err := s.requireAtBranch(ctx, by, m.BranchID, m.Role, "staff", "revoke_role"); err != nil {
		return err
	}
	err = db.InTenantTx(ctx, s.db, by.TenantID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Table("memberships").Where("id = ?", membershipID).Exec(ctx); err != nil {
			return err
		}
		return auditTx(ctx, tx, by, "staff.role_revoked", m.UserID.String(), map[string]any{"role": m.Role, "branch": m.BranchPath})
	})
	if err != nil {
		return err
	}
	s.authz.Invalidate(by.TenantID)
	return nil
}

// StaffMember is one row of the staff list.
type StaffMember struct {
	MembershipID uuid.UUID `json:"membership_id"`
	UserID       uuid.UUID `json:"user_id"`
	Name         string    `json:"name"`
	Email        string    `json:"email"`
	Role         string    `json:"role"`
	BranchPath   string    `json:"branch_path"`
	BranchName   string    `json:"branch_name"`
	TwoFactor    bool      `json:"two_factor"`
}

// Staff lists the staff role assignments the principal may see: those in
// the sub-trees where it may read staff.
func (s *Service) Staff(ctx context.Context, by *Principal) ([]StaffMember, error) {
	var all []StaffMember
	err := db.InTenantTx(ctx, s.db, by.TenantID, func(ctx context.Context, tx bun.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT m.id, u.id, u.name, coalesce(u.email, ''), m.role, b.path, b.name, u.totp_enabled
			FROM memberships m JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
			JOIN branches b ON b.tenant_id = m.tenant_id AND b.id = m.branch_id
			WHERE m.role <> 'worker' ORDER BY b.path, u.name`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m StaffMember
			if err := rows.Scan(&m.MembershipID, &m.UserID, &m.Name, &m.Email, &m.Role, &m.BranchPath, &m.BranchName, &m.TwoFactor); err != nil {
				return err
			}
			all = append(all, m)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, m := range all {
		if s.authz.Check(ctx, by, m.BranchPath, "staff", "read") == nil {
			out = append(out, m)
		}
	}
	if len(out) == 0 {
		// Nobody visible at all means no right to the list.
		if err := s.requireSomewhere(ctx, by, "staff", "read"); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Service) requireSomewhere(ctx context.Context, p *Principal, obj, act string) error {
	roles, err := s.authz.Roles(ctx, p)
	if err != nil {
		return err
	}
	for _, r := range roles {
		if s.authz.Check(ctx, p, strings.TrimSuffix(r.Domain, "/*"), obj, act) == nil {
			return nil
		}
	}
	return apperr.ErrForbidden
}

// RevokeUserTokens ends every session and token of a user (an admin's
// action, e.g. for a lost phone).
func (s *Service) RevokeUserTokens(ctx context.Context, by *Principal, userID uuid.UUID) error {
	if err := s.requireOverUser(ctx, by, userID, "token", "revoke"); err != nil {
		return err
	}
	return db.InTenantTx(ctx, s.db, by.TenantID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Table("auth_tokens").Set("revoked_at = ?", s.now()).
			Where("user_id = ? AND revoked_at IS NULL", userID).Exec(ctx)
		return err
	})
}
