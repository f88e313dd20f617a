// Package privacy owns the duties Indonesia's personal data protection law
// (UU 27/2022, PDP) puts on a union: a worker's copy of their data, their
// request to be forgotten (carried out within 72 hours by a job), per-tenant
// retention (anonymise closed cases after N months, delete evidence after M)
// and the legal hold that stops both for a case a court still needs.
//
// Anonymising a case turns it into an anonymous case whose receipt hash is
// random bytes nobody holds: the case still counts in every aggregate, but
// nothing links it to a person any more. The timeline is append-only and
// hash-chained, so its events are kept as written.
package privacy

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/cases"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/evidence"
)

// kindWorker is auth.Principal.Kind for a worker account.
const kindWorker = "worker"

// DeletionDeadline is how long the law gives to carry out a deletion
// request; the job runs far more often than that.
const DeletionDeadline = 72 * time.Hour

// Redacted replaces the text of a case anonymised by retention.
const Redacted = "[dianonimkan]"

// Request statuses.
const (
	StatusPending = "pending"
	StatusHeld    = "held"
	StatusDone    = "done"
)

// CaseReader is the part of the case service privacy needs: the worker's
// own cases, as the worker sees them.
type CaseReader interface {
	ListMine(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, cursor string, limit int) ([]cases.Summary, string, error)
	Get(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID) (*cases.View, error)
}

// Service carries out the privacy duties.
type Service struct {
	db    *bun.DB
	cases CaseReader
	store evidence.Store
	log   *slog.Logger
	// Now is the clock; tests fix it.
	Now func() time.Time
}

// Options configure a Service.
type Options struct {
	Cases CaseReader
	Store evidence.Store // where evidence content lives; nil: rows only
	Log   *slog.Logger
}

// New builds the service.
func New(bdb *bun.DB, o Options) *Service {
	log := o.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{db: bdb, cases: o.Cases, store: o.Store, log: log, Now: time.Now}
}

// DeletionRequest is a worker's request to be forgotten.
type DeletionRequest struct {
	bun.BaseModel `bun:"table:deletion_requests"`

	TenantID        uuid.UUID  `bun:"tenant_id,pk,type:uuid" json:"-"`
	ID              uuid.UUID  `bun:"id,pk,type:uuid,default:gen_random_uuid()" json:"id"`
	UserID          uuid.UUID  `bun:"user_id,type:uuid" json:"-"`
	Status          string     `bun:"status" json:"status"`
	RequestedAt     time.Time  `bun:"requested_at" json:"requested_at"`
	DueAt           time.Time  `bun:"due_at" json:"due_at"`
	DoneAt          *time.Time `bun:"done_at" json:"done_at,omitempty"`
	CasesAnonymised int        `bun:"cases_anonymised" json:"cases_anonymised"`
}

// Settings are a tenant's retention periods in months; 0 keeps forever.
type Settings struct {
	AnonymiseClosedAfterMonths int `json:"anonymise_closed_after_months"`
	DeleteEvidenceAfterMonths  int `json:"delete_evidence_after_months"`
}

// maxMonths bounds retention settings (50 years).
const maxMonths = 600

// Profile is the account part of an export.
type Profile struct {
	ID           uuid.UUID  `json:"id"`
	Name         string     `json:"name"`
	Phone        string     `json:"phone,omitempty"`
	Email        string     `json:"email,omitempty"`
	Gender       string     `json:"gender,omitempty"`
	IsMember     bool       `json:"is_member"`
	MemberNumber string     `json:"member_number,omitempty"`
	Sector       string     `json:"sector,omitempty"`
	WorkplaceID  *uuid.UUID `json:"workplace_id,omitempty"`
	CreatedAt    time.Time  `json:"created_at"`
}

// Export is everything the union holds about a worker, as they may see it.
type Export struct {
	GeneratedAt time.Time         `json:"generated_at"`
	Profile     Profile           `json:"profile"`
	Cases       []*cases.View     `json:"cases"`
	Deletions   []DeletionRequest `json:"deletion_requests"`
}

// Export gathers a worker's data: their profile, every named or
// confidential case they filed with its reporter-visible timeline, and
// their deletion requests. Anonymous cases are not linked to anyone and
// cannot be part of it.
func (s *Service) Export(ctx context.Context, p *auth.Principal) (*Export, error) {
	if p == nil || p.TenantID == uuid.Nil {
		return nil, apperr.ErrUnauthorized
	}
	out := &Export{GeneratedAt: s.Now().UTC(), Cases: []*cases.View{}, Deletions: []DeletionRequest{}}
	err := db.InTenantTx(ctx, s.db, p.TenantID, func(ctx context.Context, tx bun.Tx) error {
		var phone, email, gender sql.NullString
		pr := &out.Profile
		err := tx.QueryRowContext(ctx, `SELECT id, name, phone, email, gender, is_member, member_number, sector, workplace_id, created_at
			FROM users WHERE id = ?`, p.UserID).
			Scan(&pr.ID, &pr.Name, &phone, &email, &gender, &pr.IsMember, &pr.MemberNumber, &pr.Sector, &pr.WorkplaceID, &pr.CreatedAt)
		if err != nil {
			return fmt.Errorf("load profile: %w", db.MapError(err))
		}
		pr.Phone, pr.Email, pr.Gender = phone.String, email.String, gender.String
		return tx.NewSelect().Model(&out.Deletions).Where("user_id = ?", p.UserID).Order("requested_at").Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	if s.cases == nil {
		return out, nil
	}
	ids, err := s.myCaseIDs(ctx, p)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		v, err := s.cases.Get(ctx, p.TenantID, p, id)
		if err != nil {
			return nil, fmt.Errorf("export case %s: %w", id, err)
		}
		out.Cases = append(out.Cases, v)
	}
	return out, nil
}

// myCaseIDs lists every case linked to the principal's account, all pages.
func (s *Service) myCaseIDs(ctx context.Context, p *auth.Principal) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	cursor := ""
	for {
		page, next, err := s.cases.ListMine(ctx, p.TenantID, p, cursor, cases.MaxPageSize)
		if err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		for _, c := range page {
			ids = append(ids, c.ID)
		}
		if next == "" {
			return ids, nil
		}
		cursor = next
	}
}

// RequestDeletion records a worker's request to be forgotten, due within
// DeletionDeadline. Asking again while one is open returns the open one.
// Staff accounts are removed by their admins, not through this path.
func (s *Service) RequestDeletion(ctx context.Context, p *auth.Principal) (*DeletionRequest, error) {
	if p == nil || p.TenantID == uuid.Nil {
		return nil, apperr.ErrUnauthorized
	}
	if p.Kind != kindWorker {
		return nil, apperr.ErrForbidden
	}
	now := s.Now().UTC()
	r := &DeletionRequest{TenantID: p.TenantID, UserID: p.UserID, Status: StatusPending, RequestedAt: now, DueAt: now.Add(DeletionDeadline)}
	err := db.InTenantTx(ctx, s.db, p.TenantID, func(ctx context.Context, tx bun.Tx) error {
		res, err := tx.NewInsert().Model(r).ExcludeColumn("done_at").
			On("CONFLICT (tenant_id, user_id) WHERE status <> 'done' DO NOTHING").Returning("id").Exec(ctx)
		if err != nil {
			return db.MapError(err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		return tx.NewSelect().Model(r).Where("user_id = ? AND status <> 'done'", p.UserID).Scan(ctx)
	})
	if err != nil {
		return nil, fmt.Errorf("request deletion: %w", err)
	}
	s.log.Info("deletion requested", "tenant_id", p.TenantID, "request_id", r.ID)
	return r, nil
}

// ProcessDeletions carries out every open deletion request of the tenant:
// the worker's sessions end, every case of theirs not under legal hold is
// anonymised, and, once none is held, the account is scrubbed. A request
// with a held case stays 'held' and is retried on the next run. It returns
// how many requests were completed.
func (s *Service) ProcessDeletions(ctx context.Context, tenantID uuid.UUID) (int, error) {
	var open []DeletionRequest
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Model(&open).Where("status <> ?", StatusDone).Order("due_at").Scan(ctx)
	})
	if err != nil {
		return 0, fmt.Errorf("load deletion requests: %w", err)
	}
	done := 0
	for i := range open {
		ok, err := s.processDeletion(ctx, &open[i])
		if err != nil {
			return done, err
		}
		if ok {
			done++
		}
	}
	return done, nil
}

func (s *Service) processDeletion(ctx context.Context, r *DeletionRequest) (bool, error) {
	p := &auth.Principal{UserID: r.UserID, TenantID: r.TenantID, Kind: kindWorker}
	// End the sessions first: no new case can be filed under the account
	// while its cases are listed and anonymised.
	err := db.InTenantTx(ctx, s.db, r.TenantID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, "DELETE FROM auth_tokens WHERE user_id = ?", r.UserID)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("end sessions: %w", err)
	}
	var ids []uuid.UUID
	if s.cases != nil {
		if ids, err = s.myCaseIDs(ctx, p); err != nil {
			return false, err
		}
	}
	now := s.Now().UTC()
	completed := false
	err = db.InTenantTx(ctx, s.db, r.TenantID, func(ctx context.Context, tx bun.Tx) error {
		n, held, err := anonymiseCases(ctx, tx, ids, now, false)
		if err != nil {
			return err
		}
		r.CasesAnonymised += n
		r.Status = StatusHeld
		if held == 0 {
			if err := scrubUser(ctx, tx, r.UserID, now); err != nil {
				return err
			}
			r.Status, r.DoneAt, completed = StatusDone, &now, true
		}
		_, err = tx.NewUpdate().Model(r).Column("status", "done_at", "cases_anonymised").WherePK().Exec(ctx)
		return err
	})
	if err != nil {
		return false, fmt.Errorf("carry out deletion %s: %w", r.ID, err)
	}
	s.log.Info("deletion processed", "tenant_id", r.TenantID, "request_id", r.ID, "status", r.Status, "cases", r.CasesAnonymised)
	return completed, nil
}

// anonymiseCases cuts the given cases loose from their reporter (and, with
// redact, replaces their text) unless under legal hold; it returns how many
// it changed and how many it skipped for a hold.
func anonymiseCases(ctx context.Context, tx bun.Tx, ids []uuid.UUID, now time.Time, redact bool) (changed, held int, err error) {
	if len(ids) == 0 {
		return 0, 0, nil
	}
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM case_holds WHERE case_id IN (?)", bun.List(ids)).Scan(&held); err != nil {
		return 0, 0, fmt.Errorf("count held cases: %w", err)
	}
	var free []uuid.UUID
	if err := tx.NewSelect().Table("cases").Column("id").Where("id IN (?) AND NOT EXISTS (SELECT 1 FROM case_holds h WHERE h.case_id = cases.id)", bun.List(ids)).Scan(ctx, &free); err != nil {
		return 0, 0, fmt.Errorf("select cases: %w", err)
	}
	for _, id := range free {
		// Random bytes no code hashes to: the case is anonymous and
		// unreachable by receipt, yet still counted everywhere.
		var lost [32]byte
		_, _ = rand.Read(lost[:])
		q := `UPDATE cases SET safety_mode = 'anonymous', reporter_user_id = NULL, reporter_lookup = NULL,
			receipt_hash = ?, updated_at = ?`
		args := []any{lost[:], now}
		if redact {
			q += ", title = ?, description = ?"
			args = append(args, Redacted, Redacted)
		}
		q += " WHERE id = ?"
		args = append(args, id)
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return 0, 0, fmt.Errorf("anonymise case: %w", err)
		}
		if _, err := tx.ExecContext(ctx, "DELETE FROM case_identities WHERE case_id = ?", id); err != nil {
			return 0, 0, fmt.Errorf("delete identity: %w", err)
		}
		// where the case's chat updates went (internal/chat): the address
		if _, err := tx.ExecContext(ctx, "DELETE FROM chat_links WHERE case_id = ?", id); err != nil {
			return 0, 0, fmt.Errorf("delete chat link: %w", err)
		}
		if err := markCase(ctx, tx, id, "anonymised_at", now); err != nil {
			return 0, 0, err
		}
	}
	return len(free), held, nil
}

// scrubUser removes every personal field of an account and disables it.
// The row stays, as other rows (events, assignments) name its id. A worker
// must have a phone: it gets an unusable one in the 0800 range, which no
// Indonesian mobile number uses.
func scrubUser(ctx context.Context, tx bun.Tx, userID uuid.UUID, now time.Time) error {
	n, err := rand.Int(rand.Reader, big.NewInt(1e8))
	if err != nil {
		return err
	}
	placeholder := fmt.Sprintf("+62800%08d", n.Int64())
	_, err = tx.ExecContext(ctx, `UPDATE users SET name = 'Dihapus', phone = CASE WHEN kind = 'worker' THEN ? ELSE NULL END,
		email = CASE WHEN kind = 'staff' THEN 'erased-' || id || '@invalid' ELSE NULL END,
		password_hash = '!', gender = NULL, is_member = false, member_number = '', sector = '', workplace_id = NULL,
		totp_secret = '', totp_enabled = false, disabled_at = COALESCE(disabled_at, ?), updated_at = ?
		WHERE id = ?`, placeholder, now, now, userID)
	if err != nil {
		return fmt.Errorf("scrub account: %w", err)
	}
	if _, err := tx.ExecContext(ctx, "DELETE FROM memberships WHERE user_id = ?", userID); err != nil {
		return fmt.Errorf("drop memberships: %w", err)
	}
	return nil
}

// GetSettings returns the tenant's retention settings (zeros when unset).
func (s *Service) GetSettings(ctx context.Context, tenantID uuid.UUID) (Settings, error) {
	var st Settings
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		return loadSettings(ctx, tx, &st)
	})
	return st, err
}

func loadSettings(ctx context.Context, tx bun.Tx, st *Settings) error {
	err := tx.QueryRowContext(ctx, "SELECT anonymise_closed_after_months, delete_evidence_after_months FROM privacy_settings").
		Scan(&st.AnonymiseClosedAfterMonths, &st.DeleteEvidenceAfterMonths)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("load retention settings: %w", err)
	}
	return nil
}

// SetSettings stores the tenant's retention settings.
func (s *Service) SetSettings(ctx context.Context, tenantID uuid.UUID, st Settings) error {
	v := &apperr.Validation{Fields: map[string]string{}}
	if st.AnonymiseClosedAfterMonths < 0 || st.AnonymiseClosedAfterMonths > maxMonths {
		v.Fields["anonymise_closed_after_months"] = "error.invalid"
	}
	if st.DeleteEvidenceAfterMonths < 0 || st.DeleteEvidenceAfterMonths > maxMonths {
		v.Fields["delete_evidence_after_months"] = "error.invalid"
	}
	if len(v.Fields) > 0 {
		return v
	}
	return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO privacy_settings (tenant_id, anonymise_closed_after_months, delete_evidence_after_months, updated_at)
			VALUES (?, ?, ?, ?) ON CONFLICT (tenant_id) DO UPDATE SET anonymise_closed_after_months = EXCLUDED.anonymise_closed_after_months,
			delete_evidence_after_months = EXCLUDED.delete_evidence_after_months, updated_at = EXCLUDED.updated_at`,
			tenantID, st.AnonymiseClosedAfterMonths, st.DeleteEvidenceAfterMonths, s.Now().UTC())
		if err != nil {
			return fmt.Errorf("store retention settings: %w", err)
		}
		return nil
	})
}

// SetLegalHold puts a case (by reference) under legal hold or lifts it.
// A hold needs a reason; lifting clears it.
func (s *Service) SetLegalHold(ctx context.Context, tenantID uuid.UUID, reference string, hold bool, reason string) error {
	if hold && (reason == "" || len([]rune(reason)) > 500) {
		return apperr.Invalid("reason", "error.required")
	}
	if !hold {
		reason = ""
	}
	return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var id uuid.UUID
		if err := tx.QueryRowContext(ctx, "SELECT id FROM cases WHERE reference = ?", reference).Scan(&id); err != nil {
			return fmt.Errorf("find case: %w", db.MapError(err))
		}
		var err error
		if hold {
			_, err = tx.ExecContext(ctx, `INSERT INTO case_holds (tenant_id, case_id, reason, held_at) VALUES (?, ?, ?, ?)
				ON CONFLICT (tenant_id, case_id) DO NOTHING`, tenantID, id, reason, s.Now().UTC())
		} else {
			_, err = tx.ExecContext(ctx, "DELETE FROM case_holds WHERE case_id = ?", id)
		}
		if err != nil {
			return fmt.Errorf("set legal hold: %w", err)
		}
		return nil
	})
}

// RetentionReport says what a retention run changed.
type RetentionReport struct {
	CasesAnonymised  int
	EvidenceDeleted  int
	SkippedLegalHold int
}

// Terminal statuses whose evidence retention may delete: the case is over.
var finished = []string{"closed", "rejected", "duplicate", "withdrawn"}

// ApplyRetention anonymises the tenant's cases closed longer than the
// anonymise period and deletes the evidence of cases finished longer than
// the evidence period, skipping cases under legal hold.
func (s *Service) ApplyRetention(ctx context.Context, tenantID uuid.UUID) (RetentionReport, error) {
	var rep RetentionReport
	now := s.Now().UTC()
	var dropKeys []string
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var st Settings
		if err := loadSettings(ctx, tx, &st); err != nil {
			return err
		}
		if m := st.AnonymiseClosedAfterMonths; m > 0 {
			cutoff := now.AddDate(0, -m, 0)
			var ids []uuid.UUID
			if err := tx.NewSelect().Table("cases").Column("id").
				Where("status = 'closed' AND COALESCE(closed_at, updated_at) < ?", cutoff).
				// Not "not yet anonymised": a case a deletion request made
				// anonymous keeps its text, which retention must still redact.
				Where("description <> ?", Redacted).
				Scan(ctx, &ids); err != nil {
				return fmt.Errorf("select expired cases: %w", err)
			}
			n, held, err := anonymiseCases(ctx, tx, ids, now, true)
			if err != nil {
				return err
			}
			rep.CasesAnonymised, rep.SkippedLegalHold = n, held
		}
		if m := st.DeleteEvidenceAfterMonths; m > 0 {
			cutoff := now.AddDate(0, -m, 0)
			var held int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM cases WHERE EXISTS (SELECT 1 FROM case_holds h WHERE h.case_id = cases.id) AND status IN (?)
				AND COALESCE(closed_at, updated_at) < ? AND EXISTS (SELECT 1 FROM evidence_files e WHERE e.case_id = cases.id)`,
				bun.List(finished), cutoff).Scan(&held); err != nil {
				return fmt.Errorf("count held evidence: %w", err)
			}
			rep.SkippedLegalHold = max(rep.SkippedLegalHold, held)
			rows, err := tx.QueryContext(ctx, `DELETE FROM evidence_files e USING cases c
				WHERE c.tenant_id = e.tenant_id AND c.id = e.case_id AND c.status IN (?)
				AND NOT EXISTS (SELECT 1 FROM case_holds h WHERE h.case_id = c.id)
				AND COALESCE(c.closed_at, c.updated_at) < ? RETURNING e.storage_key, e.case_id`, bun.List(finished), cutoff)
			if err != nil {
				return fmt.Errorf("delete expired evidence: %w", err)
			}
			purged := map[uuid.UUID]bool{}
			for rows.Next() {
				var key string
				var caseID uuid.UUID
				if err := rows.Scan(&key, &caseID); err != nil {
					rows.Close()
					return err
				}
				dropKeys = append(dropKeys, key)
				purged[caseID] = true
			}
			if err := rows.Close(); err != nil {
				return err
			}
			rep.EvidenceDeleted = len(dropKeys)
			for id := range purged {
				if err := markCase(ctx, tx, id, "evidence_purged_at", now); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return RetentionReport{}, fmt.Errorf("retention: %w", err)
	}
	// Content is shared by identical files within a tenant: delete only
	// what no row refers to any more, after the rows are gone for good.
	s.dropUnused(ctx, tenantID, dropKeys)
	if rep != (RetentionReport{}) {
		s.log.Info("retention applied", "tenant_id", tenantID, "cases_anonymised", rep.CasesAnonymised,
			"evidence_deleted", rep.EvidenceDeleted, "skipped_legal_hold", rep.SkippedLegalHold)
	}
	return rep, nil
}

func (s *Service) dropUnused(ctx context.Context, tenantID uuid.UUID, keys []string) {
	if s.store == nil || len(keys) == 0 {
		return
	}
	seen := map[string]bool{}
	for _, key := range keys {
		if seen[key] {
			continue
		}
		seen[key] = true
		var used bool
		err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM evidence_files WHERE storage_key = ?)", key).Scan(&used)
		})
		if err != nil {
			s.log.Error("retention: check evidence references", "err", err)
			continue
		}
		if !used {
			if err := s.store.Delete(ctx, key); err != nil {
				s.log.Error("retention: delete evidence content", "err", err)
			}
		}
	}
}

// TenantIDs lists every tenant, for jobs that sweep them all.
func (s *Service) TenantIDs(ctx context.Context) ([]uuid.UUID, error) {
	var ids []uuid.UUID
	err := db.InPlatformTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		return tx.NewSelect().Table("tenants").Column("id").Order("slug").Scan(ctx, &ids)
	})
	if err != nil {
		return nil, fmt.Errorf("list tenants: %w", err)
	}
	return ids, nil
}

// TenantID resolves a tenant slug (for the CLI).
func (s *Service) TenantID(ctx context.Context, slug string) (uuid.UUID, error) {
	var id uuid.UUID
	err := db.InPlatformTx(ctx, s.db, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id FROM tenants WHERE slug = ?", slug).Scan(&id)
	})
	if err != nil {
		return uuid.Nil, fmt.Errorf("tenant %q: %w", slug, db.MapError(err))
	}
	return id, nil
}

// SweepReport sums a run over every tenant.
type SweepReport struct {
	DeletionsDone int
	Retention     RetentionReport
}

// Sweep runs deletions and retention for every tenant. One tenant's
// failure does not stop the others; the first error is returned after all
// have run, so the job is retried.
func (s *Service) Sweep(ctx context.Context) (SweepReport, error) {
	var rep SweepReport
	ids, err := s.TenantIDs(ctx)
	if err != nil {
		return rep, err
	}
	var first error
	for _, id := range ids {
		n, err := s.ProcessDeletions(ctx, id)
		rep.DeletionsDone += n
		if err != nil {
			s.log.Error("privacy sweep: deletions", "tenant_id", id, "err", err)
			first = cmpErr(first, err)
		}
		r, err := s.ApplyRetention(ctx, id)
		rep.Retention.CasesAnonymised += r.CasesAnonymised
		rep.Retention.EvidenceDeleted += r.EvidenceDeleted
		rep.Retention.SkippedLegalHold += r.SkippedLegalHold
		if err != nil {
			s.log.Error("privacy sweep: retention", "tenant_id", id, "err", err)
			first = cmpErr(first, err)
		}
	}
	return rep, first
}

func cmpErr(first, err error) error {
	if first != nil {
		return first
	}
	return err
}

// markCase records in case_privacy when a duty was done to a case; col is
// one of its two time columns, never input.
func markCase(ctx context.Context, tx bun.Tx, caseID uuid.UUID, col string, at time.Time) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO case_privacy (tenant_id, case_id, `+col+`)
		SELECT tenant_id, id, ? FROM cases WHERE id = ?
		ON CONFLICT (tenant_id, case_id) DO UPDATE SET `+col+` = COALESCE(case_privacy.`+col+`, EXCLUDED.`+col+`)`, at, caseID)
	if err != nil {
		return fmt.Errorf("record %s: %w", col, err)
	}
	return nil
}
