package notify

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/schema"

	"github.com/suara-id/suara/internal/cases"
)

// row is a row of outbox.
type row struct {
	bun.BaseModel `bun:"table:outbox"`

	TenantID        uuid.UUID  `bun:"tenant_id,pk,type:uuid"`
	ID              uuid.UUID  `bun:"id,pk,type:uuid"`
	CaseID          *uuid.UUID `bun:"case_id,type:uuid"`
	EventSeq        *int64     `bun:"event_seq"`
	Trigger         string     `bun:"trigger"`
	Template        string     `bun:"template"`
	RecipientRole   string     `bun:"recipient_role"`
	RecipientUserID *uuid.UUID `bun:"recipient_user_id,type:uuid"`
	Channel         Channel    `bun:"channel"`
	Reference       string     `bun:"reference"`
	Link            string     `bun:"link"`
	Locale          string     `bun:"locale"`
	Critical        bool       `bun:"critical"`
	Status          string     `bun:"status"`
	Attempts        int        `bun:"attempts"`
	LastError       string     `bun:"last_error"`
	NotBefore       time.Time  `bun:"not_before"`
	DeliveredAt     *time.Time `bun:"delivered_at"`
	ReadAt          *time.Time `bun:"read_at"`
	CreatedAt       time.Time  `bun:"created_at"`
}

// caseFacts is what the outbox needs of a case, read in the event's
// transaction (the caller's copy may predate an assignment in the same
// transaction). Deliberately no title, description, category or workplace.
type caseFacts struct {
	id             uuid.UUID
	reference      string
	mode           cases.SafetyMode
	urgency        string
	reporterUserID uuid.NullUUID
	assignedTo     uuid.NullUUID
	branchPath     string
	slug           string
	tenantLocale   string
}

func loadFacts(ctx context.Context, tx bun.Tx, caseID uuid.UUID) (*caseFacts, error) {
	f := &caseFacts{id: caseID}
	err := tx.QueryRowContext(ctx, `SELECT c.reference, c.safety_mode, c.urgency, c.reporter_user_id, c.assigned_to,
			b.path, t.slug, t.default_locale
		FROM cases c JOIN branches b ON b.tenant_id = c.tenant_id AND b.id = c.branch_id
		JOIN tenants t ON t.id = c.tenant_id
		WHERE c.id = ?`, caseID).Scan(&f.reference, &f.mode, &f.urgency, &f.reporterUserID, &f.assignedTo,
		&f.branchPath, &f.slug, &f.tenantLocale)
	if err != nil {
		return nil, fmt.Errorf("load case for notification: %w", err)
	}
	if f.tenantLocale != "en" {
		f.tenantLocale = "id"
	}
	return f, nil
}

// recipient is one person (or an anonymous receipt holder) to notify.
type recipient struct {
	role   string
	userID uuid.NullUUID // null: in-app on the case only
	phone  string
	email  string
}

// OnEvent is the case service's event hook (cases.Service.OnEvent): it runs
// in the event's transaction, decides recipients and channels by the rules
// table and writes one outbox row per recipient and channel, queueing the
// delivery of each outside one in the same transaction. An error aborts the
// event: either both exist or neither.
func (s *Service) OnEvent(ctx context.Context, tx bun.Tx, c *cases.Case, kind, visibility string, payload []byte) error {
	rs := rulesFor(kind, visibility)
	if len(rs) == 0 {
		return nil
	}
	p := payloadMap(payload)
	var applied []rule
	for _, r := range rs {
		if r.match == nil || r.match(p) {
			applied = append(applied, r)
		}
	}
	if len(applied) == 0 {
		return nil
	}
	f, err := loadFacts(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	st, err := loadSettings(ctx, tx, c.TenantID)
	if err != nil {
		return err
	}
	var seq *int64
	if err := tx.QueryRowContext(ctx, "SELECT max(seq) FROM case_events WHERE case_id = ?", c.ID).Scan(&seq); err != nil {
		return fmt.Errorf("event seq: %w", err)
	}
	now := s.Now().UTC().Truncate(time.Microsecond)
	for _, r := range applied {
		to, err := s.recipients(ctx, tx, f, r, p)
		if err != nil {
			return err
		}
		for _, rc := range to {
			if err := s.write(ctx, tx, c.TenantID, f, st, r, rc, seq, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// recipients resolves a rule's audience.
func (s *Service) recipients(ctx context.Context, tx bun.Tx, f *caseFacts, r rule, p map[string]any) ([]recipient, error) {
	switch r.to {
	case toReporter:
		if f.mode == cases.ModeNamed && f.reporterUserID.Valid {
			rc, err := userRecipient(ctx, tx, "reporter", f.reporterUserID.UUID)
			if err != nil || rc == nil {
				return nil, err
			}
			return []recipient{*rc}, nil
		}
		// Confidential and anonymous reporters: in-app only, found through
		// the case (their own case list, or the receipt code).
		return []recipient{{role: "reporter"}}, nil
	case toHandler:
		if f.assignedTo.Valid {
			rc, err := userRecipient(ctx, tx, "handler", f.assignedTo.UUID)
			if err != nil || rc == nil {
				return nil, err
			}
			return []recipient{*rc}, nil
		}
		return branchAdmins(ctx, tx, f.branchPath, "handler")
	case toBranchAdmins:
		path := f.branchPath
		for _, k := range []string{"to_branch", "branch"} {
			if v := str(p, k); v != "" {
				path = v
				break
			}
		}
		return branchAdmins(ctx, tx, path, "branch_admin")
	}
	return nil, nil
}

// userRecipient loads an active account's addresses (nil when disabled).
func userRecipient(ctx context.Context, tx bun.Tx, role string, id uuid.UUID) (*recipient, error) {
	var phone, email sql.NullString
	var disabled sql.NullTime
	err := tx.QueryRowContext(ctx, "SELECT phone, email, disabled_at FROM users WHERE id = ?", id).Scan(&phone, &email, &disabled)
	if err == sql.ErrNoRows || disabled.Valid {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("load recipient: %w", err)
	}
	return &recipient{role: role, userID: uuid.NullUUID{UUID: id, Valid: true}, phone: phone.String, email: email.String}, nil
}

// branchAdmins are the active admins at the deepest branch on the path
// from the root to path that has any: its branch admins, or at the root
// the union's federation admins. A case filed at the root (an anonymous
// report that names no workplace) or in a branch without an admin of its
// own still reaches someone; otherwise its critical alarm went to nobody.
func branchAdmins(ctx context.Context, tx bun.Tx, path, role string) ([]recipient, error) {
	rows, err := tx.QueryContext(ctx, `SELECT u.id, u.phone, u.email FROM memberships m
		JOIN branches b ON b.tenant_id = m.tenant_id AND b.id = m.branch_id
		JOIN users u ON u.tenant_id = m.tenant_id AND u.id = m.user_id
		WHERE m.role IN ('branch_admin', 'federation_admin') AND u.disabled_at IS NULL AND b.closed_at IS NULL
		  AND (b.path = ? OR ? LIKE b.path || '/%')
		  AND length(b.path) = (SELECT max(length(b2.path)) FROM memberships m2
		      JOIN branches b2 ON b2.tenant_id = m2.tenant_id AND b2.id = m2.branch_id
		      JOIN users u2 ON u2.tenant_id = m2.tenant_id AND u2.id = m2.user_id
		      WHERE m2.role IN ('branch_admin', 'federation_admin') AND u2.disabled_at IS NULL AND b2.closed_at IS NULL
		        AND (b2.path = ? OR ? LIKE b2.path || '/%'))
		ORDER BY u.id`, path, path, path, path)
	if err != nil {
		return nil, fmt.Errorf("branch admins: %w", err)
	}
	defer rows.Close()
	var out []recipient
	seen := map[uuid.UUID]bool{}
	for rows.Next() {
		var id uuid.UUID
		var phone, email sql.NullString
		if err := rows.Scan(&id, &phone, &email); err != nil {
			return nil, fmt.Errorf("scan branch admin: %w", err)
		}
		if !seen[id] {
			seen[id] = true
			out = append(out, recipient{role: role, userID: uuid.NullUUID{UUID: id, Valid: true}, phone: phone.String, email: email.String})
		}
	}
	return out, rows.Err()
}

// address is the recipient's address on an outside channel ("" = none).
func (rc recipient) address(ch Channel) string {
	switch ch {
	case ChannelEmail:
		return rc.email
	case ChannelSMS, ChannelWhatsApp:
		return rc.phone
	}
	return ""
}

// outsideChannels in the order they are written.
var outsideChannels = []Channel{ChannelEmail, ChannelSMS, ChannelWhatsApp}

// write inserts the in-app row and one row per outside channel the tenant
// has on, the recipient allows and has an address for.
func (s *Service) write(ctx context.Context, tx bun.Tx, tenantID uuid.UUID, f *caseFacts, st *Settings, r rule, rc recipient,
	seq *int64, now time.Time) error {
	locale := f.tenantLocale
	prefs := defaultPreferences(tenantID, uuid.Nil)
	if rc.userID.Valid {
		var err error
		if prefs, err = loadPreferences(ctx, tx, tenantID, rc.userID.UUID); err != nil {
			return err
		}
		if prefs.Locale != "" {
			locale = prefs.Locale
		}
	}
	link := s.baseURL(f.slug) + "/cases/" + f.id.String()
	if !rc.userID.Valid && f.mode == cases.ModeAnonymous {
		link = s.baseURL(f.slug) + "/receipt"
	}
	caseID := f.id
	// The row's own times are those stored about the case: an anonymous
	// case's notifications keep the hour, or the alarm its filing raised
	// would date the filing. Quiet hours and digests go by the clock.
	stamp := cases.StoredTime(f.mode, now)
	base := row{TenantID: tenantID, CaseID: &caseID, EventSeq: seq, Trigger: r.trigger, Template: r.template,
		RecipientRole: rc.role, Reference: f.reference, Link: link, Locale: locale,
		Critical: r.critical || f.urgency == "critical", CreatedAt: stamp, NotBefore: stamp}
	if rc.userID.Valid {
		id := rc.userID.UUID
		base.RecipientUserID = &id
	}
	inApp := base
	inApp.ID, inApp.Channel, inApp.Status, inApp.DeliveredAt = uuid.New(), ChannelInApp, StatusDelivered, &stamp
	if _, err := tx.NewInsert().Model(&inApp).Exec(ctx); err != nil {
		return fmt.Errorf("insert in-app notification: %w", err)
	}
	if !rc.userID.Valid {
		return nil
	}
	for _, ch := range outsideChannels {
		to := rc.address(ch)
		if to == "" || !st.enabled(ch) || !prefs.allows(ch) {
			continue
		}
		out := base
		out.ID, out.Channel, out.Status = uuid.New(), ch, StatusPending
		if q := st.quietUntil(now); !q.IsZero() && !out.Critical {
			out.NotBefore = q
		}
		if r.digest && prefs.Digest {
			out.NotBefore = st.nextDigest(now)
			// One digest message per recipient, channel and day.
			var n int
			err := tx.QueryRowContext(ctx, `SELECT count(*) FROM outbox WHERE recipient_user_id = ? AND channel = ?
				AND template = ? AND status = 'pending' AND not_before = ?`, rc.userID.UUID, ch, r.template, out.NotBefore).Scan(&n)
			if err != nil {
				return fmt.Errorf("digest lookup: %w", err)
			}
			if n > 0 {
				continue
			}
			out.Template = tmplDeadline
		}
		if _, err := tx.NewInsert().Model(&out).Exec(ctx); err != nil {
			return fmt.Errorf("insert outbox row: %w", err)
		}
		if s.Jobs != nil {
			if err := s.Jobs.EnqueueDeliveryTx(ctx, tx, tenantID, out.ID, out.NotBefore); err != nil {
				return fmt.Errorf("enqueue delivery: %w", err)
			}
		}
	}
	return nil
}

// storedAt is the value to write into a time column of existing outbox rows
// at now: the rows of an anonymous case keep the hour, as everything stored
// about the case does (cases.StoredTime); the others keep now.
func storedAt(now time.Time) schema.QueryWithArgs {
	return bun.SafeQuery(`CASE WHEN EXISTS (SELECT 1 FROM cases c WHERE c.id = outbox.case_id AND c.safety_mode = ?)
		THEN ?::timestamptz ELSE ?::timestamptz END`,
		cases.ModeAnonymous, cases.StoredTime(cases.ModeAnonymous, now), cases.StoredTime(cases.ModeNamed, now))
}
