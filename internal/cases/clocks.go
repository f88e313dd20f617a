package cases

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/workday"
)

// Working-day targets used when a case has no category (the category's own
// sla_* days apply otherwise).
const (
	DefaultFirstResponseDays = 3
	DefaultResolutionDays    = 30
)

// dueKeySQL is the deadline that matters for a case now: the first-response
// deadline while it is submitted (or the resolution deadline if sooner), the
// resolution deadline while it is open, none (infinity) otherwise. It must
// stay character for character the expression of cases_queue_due_idx
// (migration 0006) modulo the table alias, or the queue's "overdue" filter
// and "due soonest" sort fall back to scanning every case of the tenant.
const dueKeySQL = `COALESCE(CASE WHEN c.status = 'submitted' THEN LEAST(c.first_response_due, c.resolution_due)
	WHEN c.status IN ('verified', 'in_progress', 'needs_info', 'reopened') THEN c.resolution_due END, 'infinity'::timestamptz)`

// pausesClock reports whether the resolution clock stands still in s: the
// case waits for its reporter, or it is resolved (if the reporter reopens it,
// the days it spent resolved do not count against the union).
func pausesClock(s Status) bool { return s == StatusNeedsInfo || s == StatusResolved }

// RecordStatusChange keeps a case's SLA clock in step with a status change.
// The transition code calls it in the transaction that changes the status,
// after the change, with the time the change took effect: it opens a pause
// when the case enters needs_info or resolved, closes it when the case
// leaves, and stores the resolution deadline pushed back by every pause (no
// deadline while a pause is open, unless the case was already overdue).
func (s *Service) RecordStatusChange(ctx context.Context, tx bun.Tx, c *Case, from, to Status, at time.Time) error {
	if from == to {
		return nil
	}
	at = at.UTC().Truncate(time.Microsecond)
	switch {
	case pausesClock(to) && !pausesClock(from):
		if _, err := tx.ExecContext(ctx, `INSERT INTO case_pauses (tenant_id, case_id, started_at, status)
			VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, c.TenantID, c.ID, at, string(to)); err != nil {
			return fmt.Errorf("open clock pause: %w", err)
		}
	case pausesClock(from) && !pausesClock(to):
		if _, err := tx.ExecContext(ctx, `UPDATE case_pauses SET ended_at = greatest(started_at, ?)
			WHERE case_id = ? AND ended_at IS NULL`, at, c.ID); err != nil {
			return fmt.Errorf("close clock pause: %w", err)
		}
	case pausesClock(from) && pausesClock(to):
		// needs_info and resolved never follow each other directly; if a
		// future rule allows it, the clock simply stays paused.
		if _, err := tx.ExecContext(ctx, `UPDATE case_pauses SET status = ? WHERE case_id = ? AND ended_at IS NULL`,
			string(to), c.ID); err != nil {
			return fmt.Errorf("update clock pause: %w", err)
		}
	}
	return s.refreshResolutionDue(ctx, tx, c)
}

// refreshResolutionDue recomputes and stores the case's resolution deadline
// from its filing time, its category's target and its pauses.
func (s *Service) refreshResolutionDue(ctx context.Context, tx bun.Tx, c *Case) error {
	if s.Calendar == nil {
		return nil // as at filing: no calendar, no deadline
	}
	_, resolution, err := slaTargets(ctx, tx, c.CategoryID)
	if err != nil {
		return err
	}
	pauses, err := loadPauses(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	cal, err := s.tenantCalendar(ctx, tx)
	if err != nil {
		return err
	}
	var due *time.Time
	if d := cal.Due(c.CreatedAt, resolution, pauses); !d.IsZero() {
		due = &d
	}
	if _, err := tx.ExecContext(ctx, "UPDATE cases SET resolution_due = ? WHERE id = ?", due, c.ID); err != nil {
		return fmt.Errorf("store resolution deadline: %w", err)
	}
	c.ResolutionDue = due
	c.DeadlinesProvisional = due != nil && cal.Provisional(*due)
	return nil
}

// slaTargets returns the category's working-day targets, or the defaults.
func slaTargets(ctx context.Context, tx bun.Tx, categoryID *uuid.UUID) (first, resolution int, err error) {
	first, resolution = DefaultFirstResponseDays, DefaultResolutionDays
	if categoryID == nil {
		return first, resolution, nil
	}
	err = tx.QueryRowContext(ctx, "SELECT sla_first_response_days, sla_resolution_days FROM categories WHERE id = ?",
		*categoryID).Scan(&first, &resolution)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultFirstResponseDays, DefaultResolutionDays, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("load category targets: %w", err)
	}
	return first, resolution, nil
}

// loadPauses returns a case's pauses in order; an open one has a zero To.
func loadPauses(ctx context.Context, tx bun.Tx, caseID uuid.UUID) ([]workday.Interval, error) {
	rows, err := tx.QueryContext(ctx, "SELECT started_at, ended_at FROM case_pauses WHERE case_id = ? ORDER BY started_at", caseID)
	if err != nil {
		return nil, fmt.Errorf("load clock pauses: %w", err)
	}
	defer rows.Close()
	var out []workday.Interval
	for rows.Next() {
		var from time.Time
		var to sql.NullTime
		if err := rows.Scan(&from, &to); err != nil {
			return nil, fmt.Errorf("scan clock pause: %w", err)
		}
		out = append(out, workday.Interval{From: from, To: to.Time})
	}
	return out, rows.Err()
}

// tenantCalendar is the national calendar with the transaction's tenant's
// own holidays and working days on top (tenant_holidays).
func (s *Service) tenantCalendar(ctx context.Context, tx bun.Tx) (*workday.Calendar, error) {
	if s.Calendar == nil {
		return nil, errors.New("no working-day calendar configured")
	}
	rows, err := tx.QueryContext(ctx, "SELECT day, working FROM tenant_holidays ORDER BY day")
	if err != nil {
		return nil, fmt.Errorf("load tenant holidays: %w", err)
	}
	defer rows.Close()
	var off, on []time.Time
	for rows.Next() {
		var day time.Time
		var working bool
		if err := rows.Scan(&day, &working); err != nil {
			return nil, fmt.Errorf("scan tenant holiday: %w", err)
		}
		// A date column arrives as midnight UTC; the calendar wants a time
		// on that WIB date.
		d := time.Date(day.Year(), day.Month(), day.Day(), 12, 0, 0, 0, s.Calendar.Location())
		if working {
			on = append(on, d)
		} else {
			off = append(off, d)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(off) == 0 && len(on) == 0 {
		return s.Calendar, nil
	}
	return s.Calendar.WithOverrides(off, on), nil
}

// TenantDay is a tenant's change to the national calendar.
type TenantDay struct {
	Day     time.Time `json:"day"`     // the WIB date (time of day ignored)
	Working bool      `json:"working"` // true: a working day despite a holiday or weekend
	Name    string    `json:"name"`
}

// SetTenantDay adds or replaces a tenant calendar override. Deadlines
// already stored move only when their case next changes status. Callers
// authorise (tenant_settings update).
func (s *Service) SetTenantDay(ctx context.Context, tenantID uuid.UUID, d TenantDay) error {
	day := d.Day.In(jakarta)
	date := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO tenant_holidays (tenant_id, day, working, name) VALUES (?, ?::date, ?, ?)
			ON CONFLICT (tenant_id, day) DO UPDATE SET working = EXCLUDED.working, name = EXCLUDED.name`,
			tenantID, date.Format(time.DateOnly), d.Working, d.Name)
		return err
	})
	if err != nil {
		return fmt.Errorf("set tenant day: %w", db.MapError(err))
	}
	return nil
}

// Clock is one SLA clock of a case as shown to staff.
type Clock struct {
	TargetDays  int        `json:"target_days"`
	Due         *time.Time `json:"due,omitempty"` // nil while paused (and not yet overdue) or without a calendar
	ElapsedDays int        `json:"elapsed_days"`  // working days counted so far, pauses left out
	Paused      bool       `json:"paused"`
	Overdue     bool       `json:"overdue"`
	Done        bool       `json:"done"` // the clock's goal was reached (first response given, case resolved)
}

// Clocks are a case's first-response and resolution clocks.
type Clocks struct {
	FirstResponse Clock `json:"first_response"`
	Resolution    Clock `json:"resolution"`
}

// Clocks returns a case's SLA clocks for staff who may read it (for the case
// page); others get apperr.ErrNotFound.
func (s *Service) Clocks(ctx context.Context, tenantID uuid.UUID, p *auth.Principal, caseID uuid.UUID) (*Clocks, error) {
	var out *Clocks
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		c, err := s.staffRead(ctx, tx, p, caseID)
		if err != nil {
			return err
		}
		out, err = s.clocksOf(ctx, tx, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("case clocks: %w", err)
	}
	return out, nil
}

func (s *Service) clocksOf(ctx context.Context, tx bun.Tx, c *Case) (*Clocks, error) {
	first, resolution, err := slaTargets(ctx, tx, c.CategoryID)
	if err != nil {
		return nil, err
	}
	out := &Clocks{FirstResponse: Clock{TargetDays: first}, Resolution: Clock{TargetDays: resolution}}
	if s.Calendar == nil {
		return out, nil
	}
	cal, err := s.tenantCalendar(ctx, tx)
	if err != nil {
		return nil, err
	}
	pauses, err := loadPauses(ctx, tx, c.ID)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	open := IsOpen(c.Status)
	fr := &out.FirstResponse
	fr.Done = c.Status != StatusSubmitted
	if d := cal.Due(c.CreatedAt, first, nil); !fr.Done {
		fr.Due = &d
		fr.ElapsedDays = cal.ElapsedWorkingDays(c.CreatedAt, now, nil)
		fr.Overdue = now.After(d)
	}
	rs := &out.Resolution
	rs.Done = !open
	rs.Paused = c.Status == StatusNeedsInfo
	rs.ElapsedDays = cal.ElapsedWorkingDays(c.CreatedAt, now, pauses)
	if d := cal.Due(c.CreatedAt, resolution, pauses); !d.IsZero() {
		rs.Due = &d
		rs.Overdue = open && now.After(d)
	}
	return out, nil
}
