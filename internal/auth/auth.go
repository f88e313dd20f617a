// Package auth owns accounts (workers and staff per tenant, platform
// accounts), credentials (Argon2id), web sessions and bearer tokens (random,
// stored hashed), login protection, two-factor codes, staff invites and role
// assignments (memberships), and the per-tenant Casbin enforcers fed by them.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
)

// User is a worker or a staff member of one tenant.
type User struct {
	bun.BaseModel `bun:"table:users"`

	TenantID     uuid.UUID  `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID           uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()" json:"id"`
	Kind         string     `bun:"kind" json:"kind"`
	Name         string     `bun:"name" json:"name"`
	Phone        *string    `bun:"phone" json:"phone,omitempty"`
	Email        *string    `bun:"email" json:"email,omitempty"`
	PasswordHash string     `bun:"password_hash" json:"-"`
	Gender       *string    `bun:"gender" json:"gender,omitempty"`
	IsMember     bool       `bun:"is_member" json:"is_member"`
	MemberNumber string     `bun:"member_number" json:"member_number,omitempty"`
	Sector       string     `bun:"sector" json:"sector,omitempty"`
	WorkplaceID  *uuid.UUID `bun:"workplace_id,type:uuid" json:"workplace_id,omitempty"`
	TOTPSecret   string     `bun:"totp_secret" json:"-"`
	TOTPEnabled  bool       `bun:"totp_enabled" json:"two_factor"`
	DisabledAt   *time.Time `bun:"disabled_at" json:"-"`
	CreatedAt    time.Time  `bun:"created_at,nullzero,default:now()" json:"created_at"`
	UpdatedAt    time.Time  `bun:"updated_at,nullzero,default:now()" json:"-"`
	// PhoneVerifiedAt: the phone was proven with a code sent to it.
	PhoneVerifiedAt *time.Time `bun:"phone_verified_at" json:"phone_verified_at,omitempty"`
	// MemberVerifiedAt: a branch admin checked the member number.
	MemberVerifiedAt *time.Time `bun:"member_verified_at" json:"member_verified_at,omitempty"`
	MemberVerifiedBy *uuid.UUID `bun:"member_verified_by,type:uuid" json:"-"`
}

// Token is a web session or a mobile bearer token.
type Token struct {
	bun.BaseModel `bun:"table:auth_tokens"`

	TenantID   uuid.UUID  `bun:"tenant_id,pk,type:uuid"`
	ID         uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	UserID     uuid.UUID  `bun:"user_id,type:uuid"`
	Kind       string     `bun:"kind"`
	TokenHash  []byte     `bun:"token_hash"`
	Pending2FA bool       `bun:"pending_2fa"`
	ExpiresAt  time.Time  `bun:"expires_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`
	CreatedAt  time.Time  `bun:"created_at,nullzero,default:now()"`
}

// Membership grants a role at a branch and its sub-tree.
type Membership struct {
	bun.BaseModel `bun:"table:memberships"`

	TenantID  uuid.UUID  `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID        uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()" json:"id"`
	UserID    uuid.UUID  `bun:"user_id,type:uuid" json:"user_id"`
	Role      string     `bun:"role" json:"role"`
	BranchID  uuid.UUID  `bun:"branch_id,type:uuid" json:"branch_id"`
	GrantedBy *uuid.UUID `bun:"granted_by,type:uuid" json:"-"`
	CreatedAt time.Time  `bun:"created_at,nullzero,default:now()" json:"created_at"`
	// BranchPath is filled by queries that join branches.
	BranchPath string `bun:"branch_path,scanonly" json:"branch_path"`
}

// Invite is a one-time link for a new staff member.
type Invite struct {
	bun.BaseModel `bun:"table:invites"`

	TenantID   uuid.UUID  `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID         uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()" json:"id"`
	Email      string     `bun:"email" json:"email"`
	Phone      *string    `bun:"phone" json:"phone,omitempty"`
	Role       string     `bun:"role" json:"role"`
	BranchID   uuid.UUID  `bun:"branch_id,type:uuid" json:"branch_id"`
	TokenHash  []byte     `bun:"token_hash" json:"-"`
	InvitedBy  uuid.UUID  `bun:"invited_by,type:uuid" json:"-"`
	ExpiresAt  time.Time  `bun:"expires_at" json:"expires_at"`
	AcceptedAt *time.Time `bun:"accepted_at" json:"accepted_at,omitempty"`
	RevokedAt  *time.Time `bun:"revoked_at" json:"-"`
	CreatedAt  time.Time  `bun:"created_at,nullzero,default:now()" json:"created_at"`
}

// PlatformUser is an ILO analyst or a platform admin.
type PlatformUser struct {
	bun.BaseModel `bun:"table:platform_users"`

	ID           uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()" json:"id"`
	Email        string     `bun:"email" json:"email"`
	Name         string     `bun:"name" json:"name"`
	Role         string     `bun:"role" json:"role"`
	PasswordHash string     `bun:"password_hash" json:"-"`
	TOTPSecret   string     `bun:"totp_secret" json:"-"`
	TOTPEnabled  bool       `bun:"totp_enabled" json:"two_factor"`
	DisabledAt   *time.Time `bun:"disabled_at" json:"-"`
	CreatedAt    time.Time  `bun:"created_at,nullzero,default:now()" json:"created_at"`
}

type platformToken struct {
	bun.BaseModel `bun:"table:platform_tokens"`

	ID         uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()"`
	UserID     uuid.UUID  `bun:"user_id,type:uuid"`
	Kind       string     `bun:"kind"`
	TokenHash  []byte     `bun:"token_hash"`
	Pending2FA bool       `bun:"pending_2fa"`
	ExpiresAt  time.Time  `bun:"expires_at"`
	RevokedAt  *time.Time `bun:"revoked_at"`
	CreatedAt  time.Time  `bun:"created_at,nullzero,default:now()"`
}

// Principal is who a request acts as.
type Principal struct {
	UserID   uuid.UUID
	TenantID uuid.UUID // uuid.Nil for platform accounts
	Kind     string    // worker | staff | platform
	Name     string
	Role     string // platform accounts only: platform_admin | ilo_analyst
	TokenID  uuid.UUID
	// Pending2FA: the password was right but a TOTP code is still owed;
	// such a principal may only complete the second factor.
	Pending2FA bool
}

// IsStaff reports whether p is a union officer or admin.
func (p *Principal) IsStaff() bool { return p != nil && p.Kind == "staff" }

// CallerID is the principal's account id (tenant.Caller).
func (p *Principal) CallerID() uuid.UUID { return p.UserID }

// IsPlatform reports whether p is a platform account (tenant.Caller).
func (p *Principal) IsPlatform() bool {
	return p != nil && p.Kind == "platform" && p.TenantID == uuid.Nil
}

// CallerName is the name the analysts' query log keeps (analytics.Caller).
func (p *Principal) CallerName() string { return p.Name }

// newSecret returns a random URL-safe token and its SHA-256.
func newSecret() (string, []byte) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	return tok, hashSecret(tok)
}

func hashSecret(tok string) []byte {
	h := sha256.Sum256([]byte(tok))
	return h[:]
}
