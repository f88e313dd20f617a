package auth

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// Login protection: after MaxFailures failed logins for one account within
// FailureWindow, the account is locked until the oldest failure leaves the
// window, even for the right password.
const (
	MaxFailures   = 10
	FailureWindow = 15 * time.Minute
	inviteTTL     = 7 * 24 * time.Hour
)

// Service runs account operations, each in its own tenant transaction.
type Service struct {
	db         *bun.DB
	authz      *Authorizer
	log        *slog.Logger
	sessionTTL time.Duration
	tokenTTL   time.Duration
	now        func() time.Time
	passwords  *passwords
	// twoFA is the platform's rule for two-step verification (config
	// security.require_2fa), which a union's own choice completes
	// (settings.require_staff_2fa; twofactor_policy.go).
	twoFA TwoFactorPolicy
	// messenger sends one-time codes and account notices (notify).
	messenger Messenger
	// pending tracks messages sent after the answer (sendAfterAnswer).
	pending sync.WaitGroup
}

// NewService builds the account service.
func NewService(bdb *bun.DB, authz *Authorizer, log *slog.Logger, sessionTTL, tokenTTL time.Duration) *Service {
	pw, err := newPasswords(DefaultPasswordParams)
	if err != nil {
		panic(err) // the defaults are valid
	}
	return &Service{db: bdb, authz: authz, log: log, sessionTTL: sessionTTL, tokenTTL: tokenTTL, now: time.Now, passwords: pw}
}

// SetPasswordParams sets the Argon2id costs of new hashes.
func (s *Service) SetPasswordParams(p PasswordParams) error {
	pw, err := newPasswords(p)
	if err != nil {
		return err
	}
	s.passwords = pw
	return nil
}

// HashPassword hashes a password with the service's Argon2id parameters.
func (s *Service) HashPassword(pw string) (string, error) { return s.passwords.hash(pw) }

// Registration is what a worker gives to sign up.
type Registration struct {
	Name          string `json:"name" form:"name"`
	Phone         string `json:"phone" form:"phone"`
	Password      string `json:"password" form:"password"`
	Gender        string `json:"gender" form:"gender"`
	IsMember      bool   `json:"is_member" form:"is_member"`
	MemberNumber  string `json:"member_number" form:"member_number"`
	Sector        string `json:"sector" form:"sector"`
	WorkplaceID   string `json:"workplace_id" form:"workplace_id"`
	WorkplaceName string `json:"workplace_name" form:"workplace_name"` // typed when not in the list
}

var genders = map[string]bool{"female": true, "male": true, "prefer_not_to_say": true}

// cleanText trims s and reports whether it is acceptable free text of at
// most max runes: valid UTF-8 without control characters.
func cleanText(s string, max int) (string, bool) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return s, false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return s, false
		}
	}
	return s, true
}

// typedWorkplace records a workplace a worker typed, unverified until an
// officer confirms or merges it; the same name typed twice is one row.
func (s *Service) typedWorkplace(ctx context.Context, tx bun.Tx, tenantID uuid.UUID, name, sector string, sectors []string) (uuid.UUID, error) {
	if sector == "" && len(sectors) > 0 {
		sector = sectors[0]
	}
	var id uuid.UUID
	err := tx.NewSelect().Table("workplaces").Column("id").
		Where("lower(company) = lower(?) AND unverified", name).Limit(1).Scan(ctx, &id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return uuid.Nil, err
	}
	wp := &tenant.Workplace{TenantID: tenantID, Slug: "typed-" + uuid.NewString()[:8], Company: name, Sector: sector, Unverified: true}
	if _, err := tx.NewInsert().Model(wp).ExcludeColumn("id", "created_at", "updated_at").Returning("id").Exec(ctx); err != nil {
		return uuid.Nil, fmt.Errorf("insert typed workplace: %w", err)
	}
	return wp.ID, nil
}

func insertUser(ctx context.Context, tx bun.Tx, u *User) error {
	_, err := tx.NewInsert().Model(u).ExcludeColumn("id", "created_at", "updated_at").Returning("id, created_at").Exec(ctx)
	switch {
	case db.IsUniqueViolation(err, "users_phone_key"):
		return &apperr.FieldConflict{Field: "phone", Key: "error.phone_taken"}
	case db.IsUniqueViolation(err, "users_email_key"):
		return &apperr.FieldConflict{Field: "email", Key: "error.email_taken"}
	case err != nil:
		return fmt.Errorf("insert user: %w", db.MapError(err))
	}
	return nil
}

func grantRootRole(ctx context.Context, tx bun.Tx, tenantID, userID uuid.UUID, role string) error {
	_, err := tx.NewRaw(`INSERT INTO memberships (tenant_id, user_id, role, branch_id)
		SELECT ?, ?, ?, id FROM branches WHERE parent_id IS NULL
		ON CONFLICT DO NOTHING`, tenantID, userID, role).Exec(ctx)
	if err != nil {
		return fmt.Errorf("grant %s: %w", role, err)
	}
	return nil
}

func (s *Service) issueToken(ctx context.Context, tx bun.Tx, tenantID, userID uuid.UUID, kind string, pending bool) (string, error) {
	tok, hash := newSecret()
	ttl := s.tokenTTL
	if kind == "session" {
		ttl = s.sessionTTL
	}
	row := &Token{TenantID: tenantID, UserID: userID, Kind: kind, TokenHash: hash, Pending2FA: pending, ExpiresAt: s.now().Add(ttl)}
	if _, err := tx.NewInsert().Model(row).ExcludeColumn("id", "created_at").Exec(ctx); err != nil {
		return "", fmt.Errorf("insert token: %w", err)
	}
	return tok, nil
}

// Credentials are what a login form or the API sends. Workers use a phone,
// staff an email.
type Credentials struct {
	Phone    string `json:"phone" form:"phone"`
	Email    string `json:"email" form:"email"`
	Password string `json:"password" form:"password"`
	TOTP     string `json:"totp" form:"totp"`
}

// accountKey is what failures are counted against: the normalised phone or
// email, whether or not such an account exists.
func (c Credentials) accountKey() (key string, byPhone bool, ok bool) {
	if c.Email != "" {
		e := strings.ToLower(strings.TrimSpace(c.Email))
		if len(e) > 254 {
			return "", false, false
		}
		return "email:" + e, false, true
	}
	p, ok := NormalisePhone(c.Phone)
	return "phone:" + p, true, ok
}

// Login checks credentials and returns a new session or API token. Unknown
// accounts and wrong passwords get the same error after the same work.
func (s *Service) Login(ctx context.Context, t *tenant.Tenant, c Credentials, tokenKind string) (string, *User, error) {
	key, byPhone, ok := c.accountKey()
	if !ok || c.Password == "" || len(c.Password) > 256 {
		v := &apperr.Validation{}
		if !ok && byPhone {
			v.Add("phone", "error.phone_invalid")
		} else if !ok {
			v.Add("email", "error.email_invalid")
		}
		if c.Password == "" {
			v.Add("password", "error.required")
		} else if len(c.Password) > 256 {
			v.Add("password", "error.too_long")
		}
		return "", nil, v
	}
	if err := s.checkLockout(ctx, t.ID, key); err != nil {
		return "", nil, err
	}
	u := &User{}
	var found bool
	err := db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewSelect().Model(u).Where(whereOf(byPhone), strings.SplitN(key, ":", 2)[1]).Where("disabled_at IS NULL").Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		found = err == nil
		return err
	})
	if err != nil {
		return "", nil, fmt.Errorf("find account: %w", err)
	}
	hash := s.passwords.dummy
	if found {
		hash = u.PasswordHash
	}
	passOK := verifyPassword(c.Password, hash) && found
	if passOK && u.TOTPEnabled {
		if c.TOTP == "" {
			return "", nil, &apperr.Validation{Fields: map[string]string{"totp": "error.totp_required"}}
		}
		err := db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
			var err error
			passOK, err = useTOTP(ctx, tx, "users", u.ID, c.TOTP, u.TOTPSecret, s.now())
			return err
		})
		if err != nil {
			return "", nil, err
		}
	}
	if !passOK {
		if err := s.recordFailure(ctx, t.ID, key); err != nil {
			return "", nil, err
		}
		return "", nil, fmt.Errorf("%w: login failed", apperr.ErrUnauthorized)
	}
	pending := u.Kind == "staff" && s.staffMust2FA(t) && !u.TOTPEnabled
	var tok string
	err = db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.NewDelete().Table("login_failures").Where("account_key = ?", key).Exec(ctx); err != nil {
			return err
		}
		var err error
		tok, err = s.issueToken(ctx, tx, t.ID, u.ID, tokenKind, pending)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return tok, u, nil
}

func whereOf(byPhone bool) string {
	if byPhone {
		// Staff invited by phone (invites.go) sign in with it too; a
		// phone belongs to one account of the tenant.
		return "phone = ? AND kind IN ('worker', 'staff')"
	}
	return "email = ? AND kind = 'staff'"
}

func (s *Service) checkLockout(ctx context.Context, tenantID uuid.UUID, key string) error {
	var n int
	var oldest time.Time
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT count(*), coalesce(min(at), now()) FROM login_failures
			WHERE account_key = ? AND at > ?`, key, s.now().Add(-FailureWindow)).Scan(&n, &oldest)
	})
	if err != nil {
		return fmt.Errorf("check lockout: %w", err)
	}
	if n >= MaxFailures {
		wait := int(time.Until(oldest.Add(FailureWindow)).Seconds()) + 1
		if wait < 1 {
			wait = 1
		}
		return &apperr.Limited{RetryAfterSeconds: wait, Key: "error.login_locked"}
	}
	return nil
}

func (s *Service) recordFailure(ctx context.Context, tenantID uuid.UUID, key string) error {
	return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, "INSERT INTO login_failures (tenant_id, account_key, at) VALUES (?, ?, ?)", tenantID, key, s.now())
		return err
	})
}

// SignedInSetting is "on", for the rest of Authenticate's round trip, when
// the token is valid and owes no second factor: a statement sent beside
// the look-up can act only for a request that goes on (a filing's rate
// limit counts no unknown token).
const SignedInSetting = "suara.signed_in"

// Authenticate turns a token into its principal, or ErrUnauthorized. A
// token is only ever looked up inside its own tenant, so a token minted on
// one union means nothing on another. The also statements run after the
// look-up in the same round trip (db.TenantRows), scoped to the tenant,
// with SignedInSetting telling them how it went; the caller reads their
// outcome.
func (s *Service) Authenticate(ctx context.Context, tenantID uuid.UUID, token string, also ...*db.Row) (*Principal, error) {
	if token == "" || len(token) > 128 {
		return nil, apperr.ErrUnauthorized
	}
	var p Principal
	var signedIn string
	// Every authenticated request makes this look-up: one round trip, one
	// prepared statement (its text never changes).
	look := &db.Row{Query: `SELECT t.id, t.pending_2fa, u.id, u.kind, u.name,
			    CASE WHEN t.pending_2fa THEN '' ELSE set_config('` + SignedInSetting + `', 'on', true) END
			FROM auth_tokens t JOIN users u ON u.tenant_id = t.tenant_id AND u.id = t.user_id
			WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND t.expires_at > $2 AND u.disabled_at IS NULL`,
		Args: []any{hashSecret(token), s.now()},
		Dest: []any{&p.TokenID, &p.Pending2FA, &p.UserID, &p.Kind, &p.Name, &signedIn}}
	if err := db.TenantRows(ctx, s.db, tenantID, append([]*db.Row{look}, also...)...); err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if errors.Is(look.Err, sql.ErrNoRows) {
		return nil, apperr.ErrUnauthorized
	}
	p.TenantID = tenantID
	return &p, nil
}

// Logout revokes the token the principal used.
func (s *Service) Logout(ctx context.Context, p *Principal) error {
	if p.TenantID == uuid.Nil {
		_, err := s.db.NewUpdate().Table("platform_tokens").Set("revoked_at = ?", s.now()).Where("id = ?", p.TokenID).Exec(ctx)
		return err
	}
	return db.InTenantTx(ctx, s.db, p.TenantID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.NewUpdate().Table("auth_tokens").Set("revoked_at = ?", s.now()).Where("id = ?", p.TokenID).Exec(ctx)
		return err
	})
}

// User loads one account of the principal's tenant.
func (s *Service) User(ctx context.Context, tenantID, userID uuid.UUID) (*User, error) {
	u := &User{}
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(u).Where("id = ?", userID).Scan(ctx)
	})
	if err != nil {
		return nil, db.MapError(err)
	}
	return u, nil
}

// Memberships lists the role assignments of a user with their branch paths.
func (s *Service) Memberships(ctx context.Context, tenantID, userID uuid.UUID) ([]Membership, error) {
	var ms []Membership
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&ms).ColumnExpr("membership.*, b.path AS branch_path").
			Join("JOIN branches b ON b.tenant_id = membership.tenant_id AND b.id = membership.branch_id").
			Where("membership.user_id = ?", userID).Order("b.path").Scan(ctx)
	})
	return ms, err
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func validEmail(e string) bool {
	if len(e) > 254 || strings.ContainsAny(e, " <>\"") {
		return false
	}
	a, err := mail.ParseAddress(e)
	return err == nil && a.Address == e
}
