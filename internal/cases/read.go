package cases

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
)

// storeIdentity seals a confidential reporter's identity apart from the case.
func (s *Service) storeIdentity(ctx context.Context, tx bun.Tx, c *Case, p *auth.Principal) error {
	id := Identity{UserID: p.UserID, Name: p.Name}
	var phone sql.NullString
	if err := tx.QueryRowContext(ctx, "SELECT name, phone FROM users WHERE id = ?", p.UserID).Scan(&id.Name, &phone); err != nil {
		return fmt.Errorf("load reporter: %w", err)
	}
	id.Phone = phone.String
	plain, err := json.Marshal(id)
	if err != nil {
		return err
	}
	env, err := s.keys.seal(plain, identityAAD(c.TenantID, c.ID))
	if err != nil {
		return fmt.Errorf("seal identity: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO case_identities (tenant_id, case_id, key_id, wrapped_key, nonce, ciphertext)
		VALUES (?, ?, ?, ?, ?, ?)`, c.TenantID, c.ID, env.KeyID, env.WrappedKey, env.Nonce, env.Ciphertext)
	if err != nil {
		return fmt.Errorf("store identity: %w", err)
	}
	return nil
}

func identityAAD(tenantID, caseID uuid.UUID) []byte {
	return append(append([]byte("suara/identity/v1|"), tenantID[:]...), caseID[:]...)
}

// openIdentity decrypts a confidential case's identity.
func (s *Service) openIdentity(ctx context.Context, tx bun.Tx, c *Case) (*Identity, error) {
	var env envelope
	err := tx.QueryRowContext(ctx, "SELECT key_id, wrapped_key, nonce, ciphertext FROM case_identities WHERE case_id = ?", c.ID).
		Scan(&env.KeyID, &env.WrappedKey, &env.Nonce, &env.Ciphertext)
	if err != nil {
		return nil, fmt.Errorf("load identity: %w", db.MapError(err))
	}
	plain, err := s.keys.open(env, identityAAD(c.TenantID, c.ID))
	if err != nil {
		return nil, err
	}
	var id Identity
	if err := json.Unmarshal(plain, &id); err != nil {
		return nil, fmt.Errorf("decode identity: %w", err)
	}
	return &id, nil
}

// loadCase reads a case with its branch path, or apperr.ErrNotFound.
func loadCase(ctx context.Context, tx bun.Tx, id uuid.UUID) (*Case, error) {
	c := &Case{}
	err := tx.NewSelect().Model(c).ColumnExpr("c.*").ColumnExpr("b.path AS branch_path").
		ModelTableExpr("cases AS c").Join("JOIN branches AS b ON b.tenant_id = c.tenant_id AND b.id = c.branch_id").
		Where("c.id = ?", id).Scan(ctx)
	if err != nil {
		return nil, db.MapError(err)
	}
	if err := loadRestriction(ctx, tx, c); err != nil {
		return nil, err
	}
	return c, nil
}

// role is how a viewer relates to a case.
type role int

const (
	roleNone role = iota
	roleReporter
	roleStaff
)

// roleOf decides whether p is the case's reporter, staff who may read it at
// its branch, or nobody (who is then told the case does not exist).
func (s *Service) roleOf(ctx context.Context, p *auth.Principal, c *Case) (role, error) {
	if p == nil || p.TenantID != c.TenantID || p.Pending2FA {
		return roleNone, nil
	}
	if s.isReporter(p, c) {
		return roleReporter, nil
	}
	if !p.IsStaff() {
		return roleNone, nil
	}
	err := s.authz.Check(ctx, p, c.BranchPath, "case", "read")
	switch {
	case err == nil:
		if ok, err := s.mayHandleRestricted(ctx, p, c); !ok || err != nil {
			return roleNone, err
		}
		return roleStaff, nil
	case errors.Is(err, apperr.ErrForbidden):
		return roleNone, nil
	}
	return roleNone, err
}

// caseAs loads case id with load (loadCase to read, lockedCase to change
// it) and says how p relates to it. Whoever has no part in it — another
// tenant, staff of another branch, a stranger — is told the case does not
// exist (apperr.ErrNotFound). Every read of a case for a principal starts
// here or in one of the helpers below.
func (s *Service) caseAs(ctx context.Context, tx bun.Tx, p *auth.Principal, id uuid.UUID,
	load func(context.Context, bun.Tx, uuid.UUID) (*Case, error)) (*Case, role, error) {
	c, err := load(ctx, tx, id)
	if err != nil {
		return nil, roleNone, err
	}
	r, err := s.roleOf(ctx, p, c)
	if err != nil {
		return nil, roleNone, err
	}
	if r == roleNone {
		return nil, roleNone, apperr.ErrNotFound
	}
	return c, r, nil
}

// caseFor is caseAs for a caller who must hold role want on the case:
// anyone else, its reporter included when want is roleStaff, gets
// apperr.ErrNotFound.
func (s *Service) caseFor(ctx context.Context, tx bun.Tx, p *auth.Principal, id uuid.UUID, want role,
	load func(context.Context, bun.Tx, uuid.UUID) (*Case, error)) (*Case, error) {
	c, r, err := s.caseAs(ctx, tx, p, id, load)
	if err != nil {
		return nil, err
	}
	if r != want {
		return nil, apperr.ErrNotFound
	}
	return c, nil
}

// staffRead loads a case for staff who may read it at its branch.
func (s *Service) staffRead(ctx context.Context, tx bun.Tx, p *auth.Principal, id uuid.UUID) (*Case, error) {
	return s.caseFor(ctx, tx, p, id, roleStaff, loadCase)
}

// reporterCase loads and locks a case for a change only its reporter may
// make.
func (s *Service) reporterCase(ctx context.Context, tx bun.Tx, p *auth.Principal, id uuid.UUID) (*Case, error) {
	return s.caseFor(ctx, tx, p, id, roleReporter, lockedCase)
}

func (s *Service) isReporter(p *auth.Principal, c *Case) bool {
	switch c.SafetyMode {
	case ModeNamed:
		return c.ReporterUserID != nil && *c.ReporterUserID == p.UserID
	case ModeConfidential:
		for _, h := range s.keys.reporterLookups(c.TenantID, p.UserID) {
			if bytes.Equal(h, c.ReporterLookup) {
				return true
			}
		}
	}
	return false
}

// Get returns the case as p may see it. Its reporter sees the case and the
// reporter-visible timeline; staff who may read cases at its branch see
// everything but a confidential reporter's identity, which only the assigned
// handler sees (and each first view in a day is logged). Anyone else,
// including staff of other branches, gets apperr.ErrNotFound.
func (s *Service) Get(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID) (*View, error) {
	var v *View
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, r, err := s.caseAs(ctx, tx, p, id, loadCase)
		if err != nil {
			return err
		}
		v, err = s.view(ctx, tx, c, r == roleReporter)
		if err != nil {
			return err
		}
		if r == roleStaff {
			v.Assigned = c.AssignedTo != nil && *c.AssignedTo == p.UserID
			v.Reporter, err = s.identityFor(ctx, tx, c, p, v.Assigned)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("get case: %w", err)
	}
	return v, nil
}

// identityFor returns the reporter's identity for a staff viewer: named
// cases always, confidential ones to the assigned handler only.
func (s *Service) identityFor(ctx context.Context, tx bun.Tx, c *Case, p *auth.Principal, assigned bool) (*Identity, error) {
	switch c.SafetyMode {
	case ModeNamed:
		id := &Identity{UserID: *c.ReporterUserID}
		var phone sql.NullString
		if err := tx.QueryRowContext(ctx, "SELECT name, phone FROM users WHERE id = ?", id.UserID).Scan(&id.Name, &phone); err != nil {
			return nil, fmt.Errorf("load reporter: %w", err)
		}
		id.Phone = phone.String
		return id, nil
	case ModeConfidential:
		if !assigned {
			return nil, nil
		}
		id, err := s.openIdentity(ctx, tx, c)
		if err != nil {
			return nil, err
		}
		// A handler who gave the case to themselves sees the identity as
		// a reveal: the view is logged as one, with the reason they gave.
		kind, payload := EventIdentityViewed, map[string]any{"by": "staff", "as": "assigned_handler"}
		if reason, self, err := selfAssigned(ctx, tx, c, p); err != nil {
			return nil, err
		} else if self {
			kind, payload = EventIdentityRevealed, map[string]any{"by": "staff", "as": "self_assigned_handler", "reason": reason}
		}
		var seen bool
		err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM case_events WHERE case_id = ? AND kind = ?
			AND actor_id = ? AND created_at > ? AND payload::jsonb->>'as' = ?)`,
			c.ID, kind, p.UserID.String(), s.Now().Add(-24*time.Hour), payload["as"]).Scan(&seen)
		if err != nil {
			return nil, fmt.Errorf("identity views: %w", err)
		}
		if !seen {
			if _, err := s.addEvent(ctx, tx, c, kind, p.UserID.String(), VisibilityInternal, payload); err != nil {
				return nil, err
			}
		}
		return id, nil
	}
	return nil, nil
}

// RevealIdentity gives a confidential reporter's identity to staff who are
// not the assigned handler, against a written reason. It needs
// case_identity reveal at the case's branch and writes an internal
// identity_revealed event carrying the reason, in the same transaction.
func (s *Service) RevealIdentity(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, reason string) (*Identity, error) {
	reason, err := revealReason(reason)
	if err != nil {
		return nil, err
	}
	var out *Identity
	err = db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.staffRead(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if err := s.authz.Check(ctx, p, c.BranchPath, "case_identity", "reveal"); err != nil {
			return err
		}
		switch c.SafetyMode {
		case ModeAnonymous:
			return apperr.Invalid("case", "error.no_identity")
		case ModeNamed:
			out, err = s.identityFor(ctx, tx, c, p, false)
			return err
		}
		if out, err = s.openIdentity(ctx, tx, c); err != nil {
			return err
		}
		_, err = s.addEvent(ctx, tx, c, EventIdentityRevealed, p.UserID.String(), VisibilityInternal,
			map[string]any{"by": "staff", "reason": reason})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("reveal identity: %w", err)
	}
	return out, nil
}

// view assembles the case, its timeline and evidence list for a reporter
// (reporter-visible events only) or for staff.
func (s *Service) view(ctx context.Context, tx bun.Tx, c *Case, asReporter bool) (*View, error) {
	v := &View{ID: c.ID, Reference: c.Reference, Type: c.Type, Title: c.Title, Description: c.Description,
		Sector: c.Sector, WorkplaceID: c.WorkplaceID, Urgency: c.Urgency, Status: c.Status, SafetyMode: c.SafetyMode,
		AffectedCount: c.AffectedCount, Supporters: c.Supporters, CreatedAt: c.CreatedAt, AsReporter: asReporter,
		Events: []Event{}, Evidence: []EvidenceFile{}}
	if c.IncidentDate != nil {
		v.IncidentDate = c.IncidentDate.Format(time.DateOnly)
	}
	if !asReporter {
		v.FirstResponseDue, v.ResolutionDue = c.FirstResponseDue, c.ResolutionDue
		v.DeadlinesProvisional = c.ResolutionDue != nil && s.Calendar != nil && s.Calendar.Provisional(*c.ResolutionDue)
	}
	if c.WorkplaceID != nil {
		var company, name string
		if err := tx.QueryRowContext(ctx, "SELECT company, name FROM workplaces WHERE id = ?", *c.WorkplaceID).Scan(&company, &name); err == nil {
			v.Workplace = company
			if name != "" {
				v.Workplace += " — " + name
			}
		}
	}
	if c.CategoryID != nil {
		_ = tx.QueryRowContext(ctx, "SELECT slug FROM categories WHERE id = ?", *c.CategoryID).Scan(&v.Category)
	}
	var rows []eventRow
	q := tx.NewSelect().Model(&rows).Where("case_id = ?", c.ID).Order("seq")
	if asReporter {
		q = q.Where("visibility = ?", VisibilityReporter)
	}
	if err := q.Scan(ctx); err != nil {
		return nil, fmt.Errorf("load timeline: %w", err)
	}
	for _, r := range rows {
		v.Events = append(v.Events, Event{Seq: r.Seq, Kind: r.Kind, Visibility: r.Visibility, By: eventBy(r),
			Payload: RawJSON(r.Payload), CreatedAt: r.CreatedAt})
	}
	if err := tx.NewSelect().Model(&v.Evidence).Where("case_id = ?", c.ID).Order("created_at", "id").Scan(ctx); err != nil {
		return nil, fmt.Errorf("load evidence: %w", err)
	}
	return v, nil
}

func eventBy(r eventRow) string {
	var p struct {
		By string `json:"by"`
	}
	if json.Unmarshal([]byte(r.Payload), &p) == nil && p.By != "" {
		return p.By
	}
	return "system"
}

// DefaultPageSize and MaxPageSize bound list pages.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// ListMine returns a worker's own named and confidential cases, newest
// first, after the cursor (empty for the first page), and the cursor for
// the next page ("" when there is none). Anonymous cases are not theirs to
// list: nothing links them to an account.
func (s *Service) ListMine(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, cursor string, limit int) ([]Summary, string, error) {
	if p == nil || p.TenantID != tenantID {
		return nil, "", apperr.ErrUnauthorized
	}
	if limit <= 0 {
		limit = DefaultPageSize
	}
	limit = min(limit, MaxPageSize)
	var after *pageCursor
	if cursor != "" {
		c, err := decodeCursor(cursor)
		if err != nil {
			return nil, "", apperr.Invalid("cursor", "error.invalid")
		}
		after = &c
	}
	var rows []Case
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		q := tx.NewSelect().Model(&rows).Column("id", "reference", "type", "title", "status", "safety_mode", "created_at").
			WhereGroup(" AND ", func(q *bun.SelectQuery) *bun.SelectQuery {
				return q.Where("reporter_user_id = ?", p.UserID).
					WhereOr("reporter_lookup IN (?)", bun.List(s.keys.reporterLookups(tenantID, p.UserID)))
			}).
			OrderExpr("created_at DESC, id DESC").Limit(int64(limit + 1))
		if after != nil {
			q = q.Where("(created_at, id) < (?, ?)", after.At, after.ID)
		}
		return q.Scan(ctx)
	})
	if err != nil {
		return nil, "", fmt.Errorf("list my cases: %w", err)
	}
	next := ""
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		next = encodeCursor(pageCursor{At: last.CreatedAt, ID: last.ID})
	}
	out := make([]Summary, len(rows))
	for i, r := range rows {
		out[i] = Summary{ID: r.ID, Reference: r.Reference, Type: r.Type, Title: r.Title, Status: r.Status,
			SafetyMode: r.SafetyMode, CreatedAt: r.CreatedAt}
	}
	return out, next, nil
}

type pageCursor struct {
	At time.Time
	ID uuid.UUID
}

// encodeCursor packs the last row's time (microseconds) and id: opaque to
// clients, stable across pages even as new cases arrive.
func encodeCursor(c pageCursor) string {
	b := binary.BigEndian.AppendUint64(nil, uint64(c.At.UnixMicro()))
	b = append(b, c.ID[:]...)
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string) (pageCursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(s))
	if err != nil || len(b) != 24 {
		return pageCursor{}, errors.New("bad cursor")
	}
	id, _ := uuid.FromBytes(b[8:])
	return pageCursor{At: time.UnixMicro(int64(binary.BigEndian.Uint64(b[:8]))).UTC(), ID: id}, nil
}
