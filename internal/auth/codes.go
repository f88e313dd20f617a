package auth

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// One-time codes: six digits, sent to a phone through the union's channel
// (WhatsApp or SMS gateway), stored only as an Argon2id hash, good once and
// for a short time. Wrong codes are limited per phone and per client
// address; sends are limited per phone so nobody can flood someone's phone.
const (
	CodeTTL = 10 * time.Minute
	// StaffCodeTTL is the life of a reset code an officer hands over in person.
	StaffCodeTTL = 30 * time.Minute
	// CodeWindow is the window the limits below count in.
	CodeWindow = 15 * time.Minute
	// MaxCodeFailuresPerPhone wrong codes for one phone lock its codes for
	// the rest of the window (longer than a code lives).
	MaxCodeFailuresPerPhone = 5
	// MaxCodeFailuresPerAddress wrong codes from one address lock it out of
	// every phone's codes for the window.
	MaxCodeFailuresPerAddress = 20
	// MaxCodeSendsPerPhone codes or notices to one phone in the window.
	MaxCodeSendsPerPhone = 3
)

// Account message kinds (what Messenger sends).
const (
	MsgRegisterCode  = "register_code"  // the code that proves a new account's phone
	MsgRegisterTaken = "register_taken" // someone tried to register an existing account's phone
	MsgResetCode     = "reset_code"     // the code that resets a forgotten password
	MsgResetUnknown  = "reset_unknown"  // a reset was asked for a phone without an account
	MsgStaffReset    = "staff_reset"    // an officer started a reset in person
	MsgPasswordReset = "password_reset" // the password was changed with a code
)

// AccountMessage is one message about an account to a phone. Code is set
// for code kinds only; UserID when the phone belongs to an account (the
// in-app inbox is the fallback for notices when no phone channel is on).
type AccountMessage struct {
	Kind   string
	Phone  string
	UserID *uuid.UUID
	Code   string
	Locale string
	// Path is a page of the union's site the message points to.
	Path string
}

// Messenger delivers account messages (internal/notify implements it).
type Messenger interface {
	SendAccountMessage(ctx context.Context, tenantID uuid.UUID, m AccountMessage) error
}

// SetMessenger sets how codes and account notices reach phones.
func (s *Service) SetMessenger(m Messenger) { s.messenger = m }

// CodeSent is the one answer to a registration or a reset request: the same
// whether or not the phone has an account.
type CodeSent struct {
	Status    string    `json:"status"` // always "code_sent"
	ExpiresAt time.Time `json:"expires_at"`
}

// RequestMeta is what the web layer knows of the caller for the limits.
type RequestMeta struct {
	IP     string
	Locale string
}

func newCode() string {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return fmt.Sprintf("%06d", n.Int64())
}

func validCodeFormat(code string) bool {
	if len(code) != 6 {
		return false
	}
	for _, r := range code {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// pendingRegistration is what waits in phone_codes.payload for the code.
type pendingRegistration struct {
	Registration
	PasswordHash string `json:"password_hash"`
}

// countRecent counts key's rows in login_failures within window and the
// oldest of them.
func (s *Service) countRecent(ctx context.Context, tx bun.IDB, key string, window time.Duration) (int, time.Time, error) {
	var n int
	var oldest time.Time
	err := tx.QueryRowContext(ctx, `SELECT count(*), coalesce(min(at), now()) FROM login_failures
		WHERE account_key = ? AND at > ?`, key, s.now().Add(-window)).Scan(&n, &oldest)
	return n, oldest, err
}

func (s *Service) limited(oldest time.Time, window time.Duration, key string) error {
	wait := int(oldest.Add(window).Sub(s.now()).Seconds()) + 1
	if wait < 1 {
		wait = 1
	}
	return &apperr.Limited{RetryAfterSeconds: wait, Key: key}
}

func addKey(ctx context.Context, tx bun.IDB, tenantID uuid.UUID, key string, at time.Time) error {
	_, err := tx.ExecContext(ctx, "INSERT INTO login_failures (tenant_id, account_key, at) VALUES (?, ?, ?)", tenantID, key, at)
	return err
}

// checkSend counts a send to phone, refusing past the per-phone limit (new
// and existing accounts alike, so the limit says nothing about either).
func (s *Service) checkSend(ctx context.Context, tenantID uuid.UUID, phone string) error {
	key := "send:phone:" + phone
	return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		n, oldest, err := s.countRecent(ctx, tx, key, CodeWindow)
		if err != nil {
			return err
		}
		if n >= MaxCodeSendsPerPhone {
			return s.limited(oldest, CodeWindow, "error.codes_limited")
		}
		return addKey(ctx, tx, tenantID, key, s.now())
	})
}

// checkCodeTries refuses a code attempt when the phone or the address used
// up its wrong codes.
func (s *Service) checkCodeTries(ctx context.Context, tenantID uuid.UUID, phone, ip string) error {
	return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		for _, k := range []struct {
			key string
			max int
		}{{"code:phone:" + phone, MaxCodeFailuresPerPhone}, {"code:ip:" + ip, MaxCodeFailuresPerAddress}} {
			n, oldest, err := s.countRecent(ctx, tx, k.key, CodeWindow)
			if err != nil {
				return err
			}
			if n >= k.max {
				return s.limited(oldest, CodeWindow, "error.codes_locked")
			}
		}
		return nil
	})
}

func (s *Service) codeFailed(ctx context.Context, tenantID uuid.UUID, phone, ip string) error {
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		if err := addKey(ctx, tx, tenantID, "code:phone:"+phone, s.now()); err != nil {
			return err
		}
		return addKey(ctx, tx, tenantID, "code:ip:"+ip, s.now())
	})
	if err != nil {
		return fmt.Errorf("record wrong code: %w", err)
	}
	return apperr.Invalid("code", "error.code_invalid")
}

// sendAfterAnswer sends m in the background, after the caller has
// answered. Registration and forgotten-password requests send different
// messages (a code or a notice, to a gateway or an inbox) depending on
// whether the phone has an account; doing that work inside the request would
// let its duration tell a stranger which. The request's values travel along,
// its cancellation does not. Wait collects these sends at shutdown.
func (s *Service) sendAfterAnswer(ctx context.Context, tenantID uuid.UUID, m AccountMessage) {
	ctx = context.WithoutCancel(ctx)
	s.pending.Go(func() { s.send(ctx, tenantID, m) })
}

// Wait returns when every account message sent after an answer has gone
// out (or failed): the server calls it when shutting down, tests before
// they read the gateway.
func (s *Service) Wait() { s.pending.Wait() }

// send delivers m, logging (never returning) a failure: the caller's answer
// must not depend on whether the phone has an account or a channel works.
func (s *Service) send(ctx context.Context, tenantID uuid.UUID, m AccountMessage) {
	if s.messenger == nil {
		s.log.Warn("account message not sent: no messenger", "tenant", tenantID, "kind", m.Kind)
		return
	}
	if err := s.messenger.SendAccountMessage(ctx, tenantID, m); err != nil {
		s.log.Warn("account message not sent", "tenant", tenantID, "kind", m.Kind, "err", err)
	}
}

// validateRegistration checks a registration's answers (nothing here
// depends on whether the phone has an account).
func validateRegistration(t *tenant.Tenant, r *Registration) (string, error) {
	v := &apperr.Validation{}
	name, ok := cleanText(r.Name, 100)
	if !ok {
		v.Add("name", "error.too_long")
	} else if name == "" {
		v.Add("name", "error.required")
	}
	r.Name = name
	phone, ok := NormalisePhone(r.Phone)
	if !ok {
		v.Add("phone", "error.phone_invalid")
	}
	if key := checkPassword(r.Password); key != "" {
		v.Add("password", key)
	}
	if r.Gender != "" && !genders[r.Gender] {
		v.Add("gender", "error.invalid_choice")
	}
	member, ok := cleanText(r.MemberNumber, 40)
	if !ok {
		v.Add("member_number", "error.too_long")
	}
	r.MemberNumber = member
	if r.Sector != "" && !contains(t.Sectors, r.Sector) {
		v.Add("sector", "error.invalid_choice")
	}
	wpName, ok := cleanText(r.WorkplaceName, 120)
	if !ok {
		v.Add("workplace_name", "error.too_long")
	}
	r.WorkplaceName = wpName
	if r.WorkplaceID != "" {
		if _, err := uuid.Parse(r.WorkplaceID); err != nil {
			v.Add("workplace_id", "error.invalid_choice")
		}
	}
	return phone, v.Err()
}

// Register starts a worker's sign-up. The account is created only when the
// code sent to the phone comes back (VerifyRegistration), so nobody can
// register someone else's number. The answer is the same whether the phone
// is new or already has an account: a taken phone gets a message saying
// someone tried to register it and how to reset the password, not a code.
// Both paths do the same hashing and send one message.
func (s *Service) Register(ctx context.Context, t *tenant.Tenant, r Registration, meta RequestMeta) (*CodeSent, error) {
	phone, err := validateRegistration(t, &r)
	if err != nil {
		return nil, err
	}
	if r.WorkplaceID != "" {
		err := db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
			n, err := tx.NewSelect().Table("workplaces").Where("id = ? AND merged_into IS NULL", r.WorkplaceID).Count(ctx)
			if err == nil && n == 0 {
				return apperr.Invalid("workplace_id", "error.invalid_choice")
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if err := s.checkSend(ctx, t.ID, phone); err != nil {
		return nil, err
	}
	pwHash, err := s.passwords.hash(r.Password)
	if err != nil {
		return nil, fmt.Errorf("hash password: %w", err)
	}
	code := newCode()
	codeHash, err := s.passwords.hash(code)
	if err != nil {
		return nil, fmt.Errorf("hash code: %w", err)
	}
	r.Password, r.Phone = "", phone
	payload, err := json.Marshal(pendingRegistration{Registration: r, PasswordHash: pwHash})
	if err != nil {
		return nil, err
	}
	expires := s.now().Add(CodeTTL)
	var existing uuid.NullUUID
	err = db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewSelect().Table("users").Column("id").Where("phone = ?", phone).Scan(ctx, &existing)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if existing.Valid {
			// The same write as for a new phone, so both answers cost the
			// same: a row whose code is never sent and whose payload is
			// empty (it can never make an account).
			payload = []byte("{}")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO phone_codes (tenant_id, phone, purpose, code_hash, payload, expires_at)
			VALUES (?, ?, 'register', ?, ?, ?)`, t.ID, phone, codeHash, string(payload), expires)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("register: %w", err)
	}
	m := AccountMessage{Kind: MsgRegisterCode, Phone: phone, Code: code, Locale: meta.Locale, Path: "/register/verify"}
	if existing.Valid {
		id := existing.UUID
		m = AccountMessage{Kind: MsgRegisterTaken, Phone: phone, UserID: &id, Locale: meta.Locale, Path: "/password/forgot"}
	}
	s.sendAfterAnswer(ctx, t.ID, m)
	return &CodeSent{Status: "code_sent", ExpiresAt: expires}, nil
}

// latestCode finds the newest live code row of phone for purpose and
// checks code against it; a phone without one costs the same hash check.
func (s *Service) latestCode(ctx context.Context, tx bun.Tx, phone, purpose, code string) (id uuid.UUID, payload []byte, userID uuid.NullUUID, issuedBy uuid.NullUUID, ok bool, err error) {
	var hash string
	err = tx.QueryRowContext(ctx, `SELECT id, code_hash, payload, user_id, issued_by FROM phone_codes
		WHERE phone = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?
		ORDER BY created_at DESC LIMIT 1`, phone, purpose, s.now()).Scan(&id, &hash, &payload, &userID, &issuedBy)
	found := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return id, nil, userID, issuedBy, false, err
	}
	if !found {
		hash = s.passwords.dummy
	}
	return id, payload, userID, issuedBy, verifyPassword(code, hash) && found, nil
}

// useCode marks a code row used; false when another request used it first.
func useCode(ctx context.Context, tx bun.Tx, id uuid.UUID, now time.Time) (bool, error) {
	res, err := tx.ExecContext(ctx, "UPDATE phone_codes SET used_at = ? WHERE id = ? AND used_at IS NULL", now, id)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// VerifyRegistration creates the account whose registration waits for
// this code, with its phone verified, and signs it in.
func (s *Service) VerifyRegistration(ctx context.Context, t *tenant.Tenant, rawPhone, code string, meta RequestMeta, tokenKind string) (*User, string, error) {
	phone, code, err := codeInput(rawPhone, code)
	if err != nil {
		return nil, "", err
	}
	if err := s.checkCodeTries(ctx, t.ID, phone, meta.IP); err != nil {
		return nil, "", err
	}
	var u *User
	var token string
	var wrong bool
	err = db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		id, payload, _, _, ok, err := s.latestCode(ctx, tx, phone, "register", code)
		if err != nil {
			return err
		}
		if ok {
			ok, err = useCode(ctx, tx, id, s.now())
			if err != nil {
				return err
			}
		}
		if !ok {
			wrong = true
			return nil
		}
		var pr pendingRegistration
		if err := json.Unmarshal(payload, &pr); err != nil {
			return fmt.Errorf("pending registration: %w", err)
		}
		if pr.PasswordHash == "" {
			wrong = true // a taken phone's row: its code was never sent
			return nil
		}
		now := s.now()
		u = &User{TenantID: t.ID, Kind: "worker", Name: pr.Name, Phone: &phone, PasswordHash: pr.PasswordHash,
			IsMember: pr.IsMember, MemberNumber: pr.MemberNumber, Sector: pr.Sector, PhoneVerifiedAt: &now}
		if pr.Gender != "" {
			g := pr.Gender
			u.Gender = &g
		}
		switch {
		case pr.WorkplaceID != "":
			wp, err := uuid.Parse(pr.WorkplaceID)
			if err != nil {
				return apperr.Invalid("workplace_id", "error.invalid_choice")
			}
			n, err := tx.NewSelect().Table("workplaces").Where("id = ? AND merged_into IS NULL", wp).Count(ctx)
			if err != nil {
				return err
			}
			if n > 0 {
				u.WorkplaceID = &wp
			}
		case pr.WorkplaceName != "":
			wp, err := s.typedWorkplace(ctx, tx, t.ID, pr.WorkplaceName, pr.Sector, t.Sectors)
			if err != nil {
				return err
			}
			u.WorkplaceID = &wp
		}
		if err := insertUser(ctx, tx, u); err != nil {
			var fc *apperr.FieldConflict
			if errors.As(err, &fc) {
				// Registered meanwhile by the owner: the code is spent.
				wrong = true
				return nil
			}
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM phone_codes WHERE phone = ? AND purpose = 'register' AND id <> ?", phone, id); err != nil {
			return err
		}
		if err := grantRootRole(ctx, tx, t.ID, u.ID, "worker"); err != nil {
			return err
		}
		token, err = s.issueToken(ctx, tx, t.ID, u.ID, tokenKind, false)
		return err
	})
	if err != nil {
		return nil, "", err
	}
	if wrong {
		return nil, "", s.codeFailed(ctx, t.ID, phone, meta.IP)
	}
	s.authz.Invalidate(t.ID)
	return u, token, nil
}

func codeInput(rawPhone, code string) (string, string, error) {
	v := &apperr.Validation{}
	phone, ok := NormalisePhone(rawPhone)
	if !ok {
		v.Add("phone", "error.phone_invalid")
	}
	code = strings.TrimSpace(code)
	if !validCodeFormat(code) {
		v.Add("code", "error.code_format")
	}
	return phone, code, v.Err()
}

// ForgotPassword sends a reset code to a worker's phone. The answer is the
// same whether or not the phone has an account (a phone without one gets a
// message saying so, which costs the same as a code).
func (s *Service) ForgotPassword(ctx context.Context, t *tenant.Tenant, rawPhone string, meta RequestMeta) (*CodeSent, error) {
	phone, ok := NormalisePhone(rawPhone)
	if !ok {
		return nil, apperr.Invalid("phone", "error.phone_invalid")
	}
	if err := s.checkSend(ctx, t.ID, phone); err != nil {
		return nil, err
	}
	code := newCode()
	codeHash, err := s.passwords.hash(code)
	if err != nil {
		return nil, fmt.Errorf("hash code: %w", err)
	}
	expires := s.now().Add(CodeTTL)
	var userID uuid.NullUUID
	err = db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewSelect().Table("users").Column("id").
			Where("phone = ? AND kind = 'worker' AND disabled_at IS NULL", phone).Scan(ctx, &userID)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// An unknown phone gets the same write, a row without an account
		// (its code, never sent, can reset nothing), so both cost the same.
		_, err = tx.ExecContext(ctx, `INSERT INTO phone_codes (tenant_id, phone, purpose, code_hash, user_id, expires_at)
			VALUES (?, ?, 'reset', ?, ?, ?)`, t.ID, phone, codeHash, userID, expires)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("forgot password: %w", err)
	}
	m := AccountMessage{Kind: MsgResetUnknown, Phone: phone, Locale: meta.Locale, Path: "/register"}
	if userID.Valid {
		id := userID.UUID
		m = AccountMessage{Kind: MsgResetCode, Phone: phone, UserID: &id, Code: code, Locale: meta.Locale, Path: "/password/reset"}
	}
	s.sendAfterAnswer(ctx, t.ID, m)
	return &CodeSent{Status: "code_sent", ExpiresAt: expires}, nil
}

// PasswordReset is what the reset form sends.
type PasswordReset struct {
	Phone    string `json:"phone" form:"phone"`
	Code     string `json:"code" form:"code"`
	Password string `json:"password" form:"password"`
}

// ResetPassword sets a new password with a reset code, ends every session
// of the account and lifts its login lock-out.
func (s *Service) ResetPassword(ctx context.Context, t *tenant.Tenant, r PasswordReset, meta RequestMeta) error {
	phone, code, err := codeInput(r.Phone, r.Code)
	v, _ := err.(*apperr.Validation)
	if v == nil {
		v = &apperr.Validation{}
	}
	if key := checkPassword(r.Password); key != "" {
		v.Add("password", key)
	}
	if err := v.Err(); err != nil {
		return err
	}
	if err := s.checkCodeTries(ctx, t.ID, phone, meta.IP); err != nil {
		return err
	}
	pwHash, err := s.passwords.hash(r.Password)
	if err != nil {
		return fmt.Errorf("hash password: %w", err)
	}
	var wrong bool
	var userID uuid.UUID
	err = db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		id, _, uid, issuedBy, ok, err := s.latestCode(ctx, tx, phone, "reset", code)
		if err != nil {
			return err
		}
		if ok {
			ok, err = useCode(ctx, tx, id, s.now())
			if err != nil {
				return err
			}
		}
		if !ok || !uid.Valid {
			wrong = true
			return nil
		}
		userID = uid.UUID
		q := tx.NewUpdate().Table("users").Set("password_hash = ?", pwHash).Set("updated_at = ?", s.now()).Where("id = ?", userID)
		if !issuedBy.Valid {
			// A code that came to the phone proves it.
			q = q.Set("phone_verified_at = coalesce(phone_verified_at, ?)", s.now())
		}
		if _, err := q.Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.NewUpdate().Table("auth_tokens").Set("revoked_at = ?", s.now()).
			Where("user_id = ? AND revoked_at IS NULL", userID).Exec(ctx); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM phone_codes WHERE phone = ? AND purpose = 'reset'", phone); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "DELETE FROM login_failures WHERE account_key = ?", "phone:"+phone)
		return err
	})
	if err != nil {
		return fmt.Errorf("reset password: %w", err)
	}
	if wrong {
		return s.codeFailed(ctx, t.ID, phone, meta.IP)
	}
	s.send(ctx, t.ID, AccountMessage{Kind: MsgPasswordReset, Phone: phone, UserID: &userID, Locale: meta.Locale, Path: "/login"})
	return nil
}

// StaffResetCode lets an officer who meets a worker in person start a
// password reset: the code is shown to the officer once, handed over on the
// spot, and the worker chooses the new password on the reset page (the
// officer never learns it). Audited; the worker is told through the channel.
func (s *Service) StaffResetCode(ctx context.Context, by *Principal, userID uuid.UUID) (string, time.Time, error) {
	phone, err := s.requireOverWorker(ctx, by, userID, "reset_password")
	if err != nil {
		return "", time.Time{}, err
	}
	code := newCode()
	codeHash, err := s.passwords.hash(code)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("hash code: %w", err)
	}
	expires := s.now().Add(StaffCodeTTL)
	err = db.InTenantTx(ctx, s.db, by.TenantID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO phone_codes (tenant_id, phone, purpose, code_hash, user_id, issued_by, expires_at)
			VALUES (?, ?, 'reset', ?, ?, ?, ?)`, by.TenantID, phone, codeHash, userID, by.UserID, expires); err != nil {
			return err
		}
		return auditTx(ctx, tx, by, "account.password_reset_started", userID.String(), nil)
	})
	if err != nil {
		return "", time.Time{}, fmt.Errorf("staff reset: %w", err)
	}
	s.send(ctx, by.TenantID, AccountMessage{Kind: MsgStaffReset, Phone: phone, UserID: &userID, Path: "/password/reset"})
	return code, expires, nil
}

// requireOverWorker checks that by may act (worker_account/act) at the
// worker's branch — the unit of their workplace, else the union's root —
// and returns the worker's phone.
func (s *Service) requireOverWorker(ctx context.Context, by *Principal, userID uuid.UUID, act string) (string, error) {
	if by == nil {
		return "", apperr.ErrUnauthorized
	}
	var phone, path string
	err := db.InTenantTx(ctx, s.db, by.TenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT u.phone, coalesce(
				(SELECT b.path FROM branches b WHERE b.workplace_id = u.workplace_id AND b.closed_at IS NULL ORDER BY b.path LIMIT 1),
				(SELECT b.path FROM branches b WHERE b.parent_id IS NULL))
			FROM users u WHERE u.id = ? AND u.kind = 'worker' AND u.disabled_at IS NULL`, userID).Scan(&phone, &path)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return "", apperr.ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("find worker: %w", err)
	}
	if err := s.authz.Check(ctx, by, path, "worker_account", act); err != nil {
		return "", err
	}
	return phone, nil
}

// MemberCheck is what a branch admin sends to mark a member verified: the
// member number as read from the card, which must match the account's.
type MemberCheck struct {
	MemberNumber string `json:"member_number" form:"member_number"`
}

// VerifyMember marks a worker a verified union member after a branch admin
// checked the member number. Audited.
func (s *Service) VerifyMember(ctx context.Context, by *Principal, userID uuid.UUID, mc MemberCheck) (*User, error) {
	num, ok := cleanText(mc.MemberNumber, 40)
	if !ok || num == "" {
		return nil, apperr.Invalid("member_number", "error.required")
	}
	if _, err := s.requireOverWorker(ctx, by, userID, "verify"); err != nil {
		return nil, err
	}
	u := &User{}
	err := db.InTenantTx(ctx, s.db, by.TenantID, func(ctx context.Context, tx bun.Tx) error {
		if err := tx.NewSelect().Model(u).Where("id = ?", userID).Scan(ctx); err != nil {
			return db.MapError(err)
		}
		if u.MemberNumber == "" || !strings.EqualFold(strings.TrimSpace(u.MemberNumber), num) {
			return apperr.Invalid("member_number", "error.member_number_mismatch")
		}
		now := s.now()
		if _, err := tx.NewUpdate().Table("users").Set("member_verified_at = ?, member_verified_by = ?, is_member = true", now, by.UserID).
			Where("id = ?", userID).Exec(ctx); err != nil {
			return err
		}
		u.MemberVerifiedAt, u.IsMember = &now, true
		return auditTx(ctx, tx, by, "account.member_verified", userID.String(), nil)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}
