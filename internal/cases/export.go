package cases

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/apperr"
	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// Exports take cases out of Suara: a CSV of a sub-tree's cases for admins,
// and a redacted packet of one case for a mediator or a referral body.
// Both are audit events; neither ever carries a confidential or anonymous
// reporter's identity.

// Event kinds written by exports and the reporter's consent.
const (
	// EventShareConsent is the reporter agreeing (or no longer agreeing)
	// that their name goes into case packets; the latest one counts.
	EventShareConsent = "identity_share_consent"
	// EventPacketExported is a case packet taken out of Suara.
	EventPacketExported = "packet_exported"
)

// Admin audit kinds written by exports.
const AdminEventCasesExported = "export.cases"

// exportColumns are the CSV columns everyone who may export gets, in order.
var exportColumns = []string{"reference", "type", "status", "category", "urgency", "safety_mode", "branch",
	"workplace", "company", "sector", "province", "affected_count", "supporters", "assigned_officer",
	"created_at", "first_response_due", "resolution_due", "resolved_at", "closed_at", "overdue"}

// federationColumns are added for federation admins (the tenant-wide
// export): the title and, for named cases only, who reported. A branch
// admin's export names nobody.
var federationColumns = []string{"title", "reporter_name"}

// ExportColumns returns the CSV columns for an export that covers the
// whole tenant (federation admins) or a sub-tree (branch admins).
func ExportColumns(tenantWide bool) []string {
	if tenantWide {
		return slices.Concat(exportColumns, federationColumns)
	}
	return slices.Clone(exportColumns)
}

// ExportResult is a finished CSV export.
type ExportResult struct {
	CSV     []byte
	Rows    int
	Columns []string
}

// exportRow is what the export query returns.
type exportRow struct {
	Reference        string     `bun:"reference"`
	Type             string     `bun:"type"`
	Status           string     `bun:"status"`
	Category         string     `bun:"category"`
	Urgency          string     `bun:"urgency"`
	SafetyMode       string     `bun:"safety_mode"`
	Branch           string     `bun:"branch"`
	Workplace        string     `bun:"workplace"`
	Company          string     `bun:"company"`
	Sector           string     `bun:"sector"`
	Province         string     `bun:"province"`
	AffectedCount    int        `bun:"affected_count"`
	Supporters       int        `bun:"supporters"`
	Officer          string     `bun:"officer"`
	CreatedAt        time.Time  `bun:"created_at"`
	FirstResponseDue *time.Time `bun:"first_response_due"`
	ResolutionDue    *time.Time `bun:"resolution_due"`
	ResolvedAt       *time.Time `bun:"resolved_at"`
	ClosedAt         *time.Time `bun:"closed_at"`
	Title            string     `bun:"title"`
	ReporterName     string     `bun:"reporter_name"`
}

// ExportCases writes the CSV of the cases p may export: those of the
// branch sub-trees where p holds "report export" (all of them for a
// federation admin), narrowed to branchID's sub-tree when given, without
// the restricted categories p is not named for. The export is logged in
// the admin audit log in the same transaction.
func (s *Service) ExportCases(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, branchID *uuid.UUID) (*ExportResult, error) {
	if !p.IsStaff() || p.TenantID != tenantID || p.Pending2FA {
		return nil, apperr.ErrForbidden
	}
	var out *ExportResult
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var branches []branchInfo
		if err := tx.NewRaw("SELECT id, parent_id, path FROM branches ORDER BY path").Scan(ctx, &branches); err != nil {
			return fmt.Errorf("load branches: %w", err)
		}
		var slug string
		if err := tx.QueryRowContext(ctx, "SELECT slug FROM tenants WHERE id = ?", tenantID).Scan(&slug); err != nil {
			return fmt.Errorf("load tenant: %w", err)
		}
		sc, err := s.scopeFor(ctx, p, slug, branches, "report", "export")
		if err != nil {
			return err
		}
		if !sc.all && len(sc.branchIDs) == 0 {
			return apperr.ErrForbidden
		}
		fmtr := s.db.QueryGen()
		where := []string{fmtr.FormatQuery("c.tenant_id = ?", tenantID)}
		if !sc.all {
			where = append(where, fmtr.FormatQuery("c.branch_id IN (?)", bun.List(sc.branchIDs)))
		}
		subject := slug
		if branchID != nil {
			var path string
			for _, b := range branches {
				if b.ID == *branchID {
					path = b.Path
				}
			}
			if path == "" {
				return apperr.Invalid("branch_id", "error.invalid")
			}
			subject = path
			where = append(where, fmtr.FormatQuery("c.branch_id IN (?)", bun.List(append(subtree(branches, path), uuid.Nil))))
		}
		pred, args := RestrictedVisible("c", p.UserID)
		where = append(where, fmtr.FormatQuery(pred, args...))

		// Only named reporters have a name here: confidential identities
		// live sealed in case_identities and anonymous ones nowhere.
		q := `SELECT c.reference, c.type, c.status, coalesce(k.slug, '') AS category, c.urgency, c.safety_mode,
				b.path AS branch, coalesce(w.name, '') AS workplace, coalesce(w.company, '') AS company, c.sector,
				coalesce(w.province, '') AS province, c.affected_count, c.supporters, coalesce(o.name, '') AS officer,
				c.created_at, c.first_response_due, c.resolution_due, c.resolved_at, c.closed_at, c.title,
				CASE WHEN c.safety_mode = 'named' THEN coalesce(r.name, '') ELSE '' END AS reporter_name
			FROM cases c
			JOIN branches b ON b.tenant_id = c.tenant_id AND b.id = c.branch_id
			LEFT JOIN categories k ON k.tenant_id = c.tenant_id AND k.id = c.category_id
			LEFT JOIN workplaces w ON w.tenant_id = c.tenant_id AND w.id = c.workplace_id
			LEFT JOIN users o ON o.tenant_id = c.tenant_id AND o.id = c.assigned_to
			LEFT JOIN users r ON r.tenant_id = c.tenant_id AND r.id = c.reporter_user_id AND c.safety_mode = 'named'
			WHERE ` + strings.Join(where, " AND ") + `
			ORDER BY c.created_at, c.id`
		var rows []exportRow
		if err := tx.NewRaw(q).Scan(ctx, &rows); err != nil {
			return fmt.Errorf("export query: %w", err)
		}
		cols := ExportColumns(sc.all)
		b, err := writeExportCSV(cols, rows, s.Now())
		if err != nil {
			return err
		}
		out = &ExportResult{CSV: b, Rows: len(rows), Columns: cols}
		return tenant.LogAdminEvent(ctx, tx, tenantID, p.UserID, AdminEventCasesExported, subject,
			map[string]any{"rows": len(rows), "columns": cols, "tenant_wide": sc.all})
	})
	if err != nil {
		return nil, fmt.Errorf("export cases: %w", err)
	}
	return out, nil
}

func writeExportCSV(cols []string, rows []exportRow, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	if err := w.Write(cols); err != nil {
		return nil, err
	}
	ts := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	}
	rec := make([]string, len(cols))
	for _, r := range rows {
		open := r.ResolvedAt == nil && r.ClosedAt == nil
		overdue := open && r.ResolutionDue != nil && r.ResolutionDue.Before(now)
		vals := map[string]string{
			"reference": r.Reference, "type": r.Type, "status": r.Status, "category": r.Category,
			"urgency": r.Urgency, "safety_mode": r.SafetyMode, "branch": r.Branch, "workplace": r.Workplace,
			"company": r.Company, "sector": r.Sector, "province": r.Province,
			"affected_count": strconv.Itoa(r.AffectedCount), "supporters": strconv.Itoa(r.Supporters),
			"assigned_officer": r.Officer, "created_at": ts(&r.CreatedAt),
			"first_response_due": ts(r.FirstResponseDue), "resolution_due": ts(r.ResolutionDue),
			"resolved_at": ts(r.ResolvedAt), "closed_at": ts(r.ClosedAt), "overdue": strconv.FormatBool(overdue),
			"title": r.Title, "reporter_name": r.ReporterName,
		}
		for i, c := range cols {
			rec[i] = csvSafe(vals[c])
		}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// csvSafe defuses spreadsheet formulas typed by workers into titles or
// workplace names (CSV injection): a cell that a spreadsheet would run
// starts with a quote instead.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// Packet is a redacted case file for a mediator or a referral body.
type Packet struct {
	Reference    string
	Type         Type
	Category     string // slug
	CategoryName string // in the requested locale
	Status       Status
	Sector       string
	Workplace    string
	Branch       string
	IncidentDate string
	FiledAt      time.Time
	Title        string
	Description  string
	SafetyMode   SafetyMode
	// Reporter is set only for a named case whose reporter agreed.
	Reporter *Identity
	// Events are the reporter-visible timeline without messages (which
	// may name people); Evidence lists files by kind and hash only.
	Events      []Event
	Evidence    []EvidenceFile
	GeneratedAt time.Time
	// For names the brand or certification body a shared packet is
	// addressed to ("" for the union's own packet).
	For string
}

// latestConsent reports whether the latest consent event of kind on the
// case says yes (false when never asked).
func latestConsent(ctx context.Context, tx bun.Tx, caseID uuid.UUID, kind string) (bool, error) {
	var payload string
	err := tx.QueryRowContext(ctx, `SELECT payload FROM case_events WHERE case_id = ? AND kind = ? ORDER BY seq DESC LIMIT 1`,
		caseID, kind).Scan(&payload)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("load consent: %w", err)
	}
	var p struct {
		Share bool `json:"share"`
	}
	if err := json.Unmarshal([]byte(payload), &p); err != nil {
		return false, fmt.Errorf("decode consent: %w", err)
	}
	return p.Share, nil
}

// SetShareConsent records the reporter's answer to "may the union name you
// in papers it hands to a mediator or referral body?". Only a named case's
// reporter can agree: a confidential or anonymous identity never leaves.
func (s *Service) SetShareConsent(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, share bool) error {
	err := s.setConsent(ctx, tenantID, p, id, EventShareConsent, share, func(c *Case) error {
		if c.SafetyMode != ModeNamed {
			return &apperr.FieldConflict{Field: "share_identity", Key: "error.consent_named_only"}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("share consent: %w", err)
	}
	return nil
}

// ShareConsent returns the reporter's current answer (false when never asked).
func (s *Service) ShareConsent(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID) (bool, error) {
	return s.consent(ctx, tenantID, p, id, EventShareConsent)
}

// setConsent records the reporter's answer to a consent question (kind is
// the event: EventShareConsent, EventBrandConsent). allowed, when not nil,
// refuses a case the question does not apply to. The answer is a
// reporter-visible timeline event, so it is hash-chained and the latest
// answer counts (withdrawing is saying no again).
func (s *Service) setConsent(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, kind string, share bool, allowed func(*Case) error) error {
	return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.reporterCase(ctx, tx, p, id)
		if err != nil {
			return err
		}
		if allowed != nil {
			if err := allowed(c); err != nil {
				return err
			}
		}
		_, err = s.addEvent(ctx, tx, c, kind, reporterActor(p, c), VisibilityReporter,
			map[string]any{"by": "reporter", "share": share})
		return err
	})
}

// consent returns the reporter's current answer to a consent question to
// everyone who may read the case (false when never asked).
func (s *Service) consent(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, kind string) (bool, error) {
	var out bool
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, _, err := s.caseAs(ctx, tx, p, id, loadCase)
		if err != nil {
			return err
		}
		out, err = latestConsent(ctx, tx, c.ID, kind)
		return err
	})
	return out, err
}

// ExportPacket builds the redacted packet of a case for staff who may read
// it and hold "case export" at its branch, and records the export on the
// case's timeline (internal). The reporter is named only for a named case
// whose reporter agreed.
func (s *Service) ExportPacket(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, id uuid.UUID, locale string) (*Packet, error) {
	var out *Packet
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.staffCase(ctx, tx, p, id, "export")
		if err != nil {
			return err
		}
		pk, err := s.packetOf(ctx, tx, c, locale)
		if err != nil {
			return err
		}
		consent := false
		if c.SafetyMode == ModeNamed && c.ReporterUserID != nil {
			if consent, err = latestConsent(ctx, tx, c.ID, EventShareConsent); err != nil {
				return err
			}
		}
		if consent {
			id := &Identity{UserID: *c.ReporterUserID}
			var phone sql.NullString
			if err := tx.QueryRowContext(ctx, "SELECT name, phone FROM users WHERE id = ?", *c.ReporterUserID).Scan(&id.Name, &phone); err != nil {
				return fmt.Errorf("load reporter: %w", err)
			}
			id.Phone = phone.String
			pk.Reporter = id
		}
		if _, err := s.addEvent(ctx, tx, c, EventPacketExported, p.UserID.String(), VisibilityInternal,
			map[string]any{"with_identity": consent}); err != nil {
			return err
		}
		out = pk
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("export packet: %w", err)
	}
	return out, nil
}

// packetOf builds the packet of c without its reporter: the facts, the
// account, the reporter-visible timeline without messages or names, the
// evidence by kind and hash.
func (s *Service) packetOf(ctx context.Context, tx bun.Tx, c *Case, locale string) (*Packet, error) {
	v, err := s.view(ctx, tx, c, true)
	if err != nil {
		return nil, err
	}
	pk := &Packet{Reference: c.Reference, Type: c.Type, Category: v.Category, Status: c.Status, Sector: c.Sector,
		Workplace: v.Workplace, IncidentDate: v.IncidentDate, FiledAt: c.CreatedAt, Title: c.Title,
		Description: c.Description, SafetyMode: c.SafetyMode, GeneratedAt: s.Now().UTC(), Evidence: v.Evidence}
	_ = tx.QueryRowContext(ctx, "SELECT name FROM branches WHERE id = ?", c.BranchID).Scan(&pk.Branch)
	if c.CategoryID != nil {
		var nameID, nameEN string
		if err := tx.QueryRowContext(ctx, "SELECT name_id, name_en FROM categories WHERE id = ?", *c.CategoryID).Scan(&nameID, &nameEN); err == nil {
			pk.CategoryName = nameID
			if locale == "en" && nameEN != "" {
				pk.CategoryName = nameEN
			}
		}
	}
	for _, e := range v.Events {
		switch e.Kind {
		case EventMessage, EventShareConsent, EventIdentityViewed, EventIdentityRevealed, EventBrandConsent, EventBrandShared:
			continue
		}
		e.By = "" // handlers' and reporters' names stay out of the packet
		pk.Events = append(pk.Events, e)
	}
	return pk, nil
}
