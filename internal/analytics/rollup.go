package analytics

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/db"
)

// RollupReport says what one rollup run did.
type RollupReport struct {
	Tenants int
	Cases   int
}

// Rollup folds every tenant's changed cases into the facts table, until
// each is caught up to the clock minus the lag.
func (s *Store) Rollup(ctx context.Context) (RollupReport, error) {
	var rep RollupReport
	var tenants []uuid.UUID
	// tenants is a platform table: readable without a tenant setting.
	if err := s.db.NewSelect().Table("tenants").Column("id").OrderExpr("created_at, id").Scan(ctx, &tenants); err != nil {
		return rep, fmt.Errorf("list tenants: %w", err)
	}
	for _, id := range tenants {
		n, err := s.RollupTenant(ctx, id)
		if err != nil {
			return rep, err
		}
		rep.Tenants++
		rep.Cases += n
	}
	return rep, nil
}

// RollupTenant folds one tenant's changed cases in.
func (s *Store) RollupTenant(ctx context.Context, tenantID uuid.UUID) (int, error) {
	total := 0
	for {
		n, err := s.rollupBatch(ctx, tenantID)
		if err != nil {
			return total, fmt.Errorf("roll up tenant %s: %w", tenantID, err)
		}
		total += n
		if n < s.opts.Batch {
			break
		}
	}
	if err := s.refreshStats(ctx, tenantID); err != nil {
		return total, fmt.Errorf("tenant %s stats: %w", tenantID, err)
	}
	return total, nil
}

// rollupSQL upserts the facts of the next batch of cases past the watermark,
// moves each changed fact's contribution in the cube (analytics_cells) from
// its old cells to its new ones, and moves the watermark to the last case,
// in one statement. Every
// column it writes is a dimension or a measure: no text, no people.
//
// First response is the first status change or message by staff; days are
// calendar days (fractional). within_target compares with the case's
// resolution_due (working days, set at filing): null while open and not due.
var rollupSQL = `
WITH batch AS (
    SELECT c.tenant_id, c.id, c.created_at, c.updated_at, c.sector, c.workplace_id, c.category_id, c.type,
           c.status, c.safety_mode, c.reporter_user_id, c.resolved_at, c.resolution_due,
           c.reporter_gender, c.reporter_age_band, c.employment_status, c.membership, c.buyer_brands,
           c.intake_channel, c.affected_count
    FROM cases c, rollup_watermarks wm
    WHERE wm.tenant_id = ?0 AND c.tenant_id = ?0
      AND (c.updated_at, c.id) > (wm.updated_at, wm.case_id) AND c.updated_at <= ?1
    ORDER BY c.updated_at, c.id
    LIMIT ?2
), old AS (
    -- The facts as they were before this statement (every part of a WITH
    -- sees the same snapshot): their contribution leaves the cube.
    SELECT -1 AS sign, ilo, ` + factCols + `
    FROM case_facts f WHERE f.tenant_id = ?0 AND f.case_id IN (SELECT id FROM batch)
), up AS (
    INSERT INTO case_facts AS f (tenant_id, case_id, month, sector, category, province, company, type, status,
        gender, safety_mode, first_response_days, resolution_days, within_target, satisfaction, reopened,
        retaliation, rolled_at, employment_status, membership, certification, age_band, channel, ladder, brands,
        workers_affected, outcome_types, money_idr, workers_reached, ilo)
    SELECT b.tenant_id, b.id,
           date_trunc('month', b.created_at AT TIME ZONE 'Asia/Jakarta')::date,
           coalesce(nullif(b.sector, ''), wv.sector, ''),
           coalesce(cat.slug, ''),
           coalesce(wv.province, ''),
           CASE WHEN ?3 THEN coalesce(wv.company, '') ELSE '' END,
           b.type, b.status,
           -- A named reporter's account says; an anonymous or confidential
           -- one may have said it themselves, without an identity.
           CASE WHEN b.safety_mode = 'named' THEN coalesce(u.gender, b.reporter_gender, 'unknown')
                ELSE coalesce(b.reporter_gender, 'unknown') END,
           b.safety_mode,
           greatest(extract(epoch FROM fr.at - b.created_at) / 86400, 0)::real,
           CASE WHEN b.resolved_at IS NOT NULL THEN greatest(extract(epoch FROM b.resolved_at - b.created_at) / 86400, 0)::real END,
           CASE WHEN b.resolution_due IS NULL THEN NULL
                WHEN b.resolved_at IS NOT NULL THEN b.resolved_at <= b.resolution_due
                WHEN b.status IN ('rejected', 'duplicate', 'withdrawn', 'referred') THEN NULL
                WHEN ?4 > b.resolution_due THEN false END,
           (SELECT r.handling FROM case_ratings r WHERE r.tenant_id = b.tenant_id AND r.case_id = b.id),
           b.status = 'reopened' OR EXISTS (SELECT 1 FROM case_events e
               WHERE e.tenant_id = b.tenant_id AND e.case_id = b.id AND e.kind = 'status_changed'
                 AND e.payload::jsonb ->> 'to' = 'reopened'),
           EXISTS (SELECT 1 FROM case_checkins k WHERE k.tenant_id = b.tenant_id AND k.case_id = b.id AND k.retaliation),
           ?5,
           coalesce(b.employment_status, 'unknown'), coalesce(b.membership, 'unknown'),
           CASE WHEN wv.id IS NULL THEN '' ELSE coalesce(wv.certification, '') END,
           coalesce(b.reporter_age_band, 'prefer_not_to_say'), coalesce(b.intake_channel, ''),
           coalesce(o.ladder_stage, ''),
           -- a case that names no brand takes its workplace's default list
           CASE WHEN cardinality(b.buyer_brands) > 0 THEN b.buyer_brands ELSE coalesce(wv.default_brands, '{}') END,
           b.affected_count,
           coalesce(o.outcome_types, '{}'), o.money_idr, o.money_workers, true
    FROM batch b
    -- A workplace a worker typed in is free text until officers confirm
    -- it: only confirmed workplaces lend their sector, province and company.
    LEFT JOIN workplaces wv ON wv.tenant_id = b.tenant_id AND wv.id = b.workplace_id AND NOT wv.unverified
    LEFT JOIN categories cat ON cat.tenant_id = b.tenant_id AND cat.id = b.category_id
    LEFT JOIN users u ON u.tenant_id = b.tenant_id AND u.id = b.reporter_user_id
    LEFT JOIN case_outcomes o ON o.tenant_id = b.tenant_id AND o.case_id = b.id
    LEFT JOIN LATERAL (SELECT min(e.created_at) AS at FROM case_events e
        WHERE e.tenant_id = b.tenant_id AND e.case_id = b.id AND e.kind IN ('status_changed', 'message')
          AND e.payload::jsonb ->> 'by' = 'staff') fr ON true
    ON CONFLICT (tenant_id, case_id) DO UPDATE SET
        month = EXCLUDED.month, sector = EXCLUDED.sector, category = EXCLUDED.category,
        province = EXCLUDED.province, company = EXCLUDED.company, type = EXCLUDED.type,
        status = EXCLUDED.status, gender = EXCLUDED.gender, safety_mode = EXCLUDED.safety_mode,
        first_response_days = EXCLUDED.first_response_days, resolution_days = EXCLUDED.resolution_days,
        within_target = EXCLUDED.within_target, satisfaction = EXCLUDED.satisfaction,
        reopened = EXCLUDED.reopened, retaliation = EXCLUDED.retaliation, rolled_at = EXCLUDED.rolled_at,
        employment_status = EXCLUDED.employment_status, membership = EXCLUDED.membership,
        certification = EXCLUDED.certification, age_band = EXCLUDED.age_band, channel = EXCLUDED.channel,
        ladder = EXCLUDED.ladder, brands = EXCLUDED.brands, workers_affected = EXCLUDED.workers_affected,
        outcome_types = EXCLUDED.outcome_types, money_idr = EXCLUDED.money_idr,
        workers_reached = EXCLUDED.workers_reached, ilo = true
    RETURNING 1 AS sign, true AS ilo, ` + factCols + `
), delta AS (
    SELECT * FROM old UNION ALL SELECT * FROM up
), ilo AS (
` + iloCellsSQL("(SELECT * FROM delta WHERE ilo)", iloAddSQL) + `
), fullc AS (
` + fullCellsSQL("delta") + `
), cells AS (
` + cellsAddSQL + `
), inbox AS (
` + inboxSQL("fullc") + `
), last AS (
    SELECT b.updated_at, b.id FROM batch b ORDER BY b.updated_at DESC, b.id DESC LIMIT 1
), moved AS (
    UPDATE rollup_watermarks wm SET updated_at = last.updated_at, case_id = last.id, rolled_at = ?5
    FROM last WHERE wm.tenant_id = ?0
    RETURNING 1
)
SELECT (SELECT count(*) FROM up), (SELECT count(*) FROM moved)`

// rolledAt is the rollup time stored beside a case's facts and in the
// watermark: the hour. A case is rolled seconds after every change, so an
// exact time would date an anonymous filing that the case itself keeps only
// to the hour (cases.StoredTime).
func rolledAt(now time.Time) time.Time { return now.UTC().Truncate(time.Hour) }

// rollupBatch folds in at most Batch cases, in the tenant's own
// transaction, and returns how many.
func (s *Store) rollupBatch(ctx context.Context, tenantID uuid.UUID) (int, error) {
	now := s.opts.Now().UTC()
	upper := now.Add(-s.opts.Lag)
	var n int
	err := db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		if _, err := tx.ExecContext(ctx, "INSERT INTO rollup_watermarks (tenant_id) VALUES (?) ON CONFLICT DO NOTHING", tenantID); err != nil {
			return fmt.Errorf("create watermark: %w", err)
		}
		// Two runs of one tenant (two workers, or a run that outlived its
		// interval) take turns here; the second then reads from where the
		// first stopped, in a fresh snapshot.
		if _, err := tx.ExecContext(ctx, "SELECT 1 FROM rollup_watermarks WHERE tenant_id = ? FOR UPDATE", tenantID); err != nil {
			return fmt.Errorf("lock watermark: %w", err)
		}
		// Nothing past the watermark (most unions, most runs): done, without
		// planning the large statement below.
		var pending bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM cases c, rollup_watermarks wm
				WHERE wm.tenant_id = ?0 AND c.tenant_id = ?0
				  AND (c.updated_at, c.id) > (wm.updated_at, wm.case_id) AND c.updated_at <= ?1)`, tenantID, upper).Scan(&pending); err != nil {
			return fmt.Errorf("look for changed cases: %w", err)
		}
		if !pending {
			return nil
		}
		// Whether the union shares its companies is read under the lock, not
		// before: a change of the setting resets the watermark in the same
		// transaction (tenant.SetAnalyticsSharing), so a batch that waited
		// for it must write the facts as the setting now says.
		var shareCompany bool
		if err := tx.QueryRowContext(ctx,
			"SELECT coalesce(settings -> 'analytics_share_company' = 'true'::jsonb, false) FROM tenants WHERE id = ?", tenantID).Scan(&shareCompany); err != nil {
			return fmt.Errorf("load tenant: %w", db.MapError(err))
		}
		var moved int
		if err := tx.QueryRowContext(ctx, rollupSQL, tenantID, upper, s.opts.Batch, shareCompany, now, rolledAt(now)).Scan(&n, &moved); err != nil {
			return fmt.Errorf("upsert facts: %w", err)
		}
		if n == 0 {
			return nil
		}
		// Same transaction: the platform cube moves with the tenant's.
		if _, err := tx.ExecContext(ctx, "SELECT analytics_platform_apply()"); err != nil {
			return fmt.Errorf("fold into platform cube: %w", err)
		}
		return nil
	})
	return n, err
}

// refreshStats recounts the tenant's overview counters when they are older
// than StatsEvery.
func (s *Store) refreshStats(ctx context.Context, tenantID uuid.UUID) error {
	now := s.opts.Now().UTC()
	return db.InTenantTx(ctx, s.db, tenantID, func(ctx context.Context, tx bun.Tx) error {
		var fresh bool
		err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM tenant_stats WHERE tenant_id = ? AND refreshed_at > ?)",
			tenantID, now.Add(-s.opts.StatsEvery)).Scan(&fresh)
		if err != nil || (fresh && s.opts.StatsEvery > 0) {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO tenant_stats (tenant_id, cases, users, active_branches, refreshed_at)
			SELECT ?0, (SELECT coalesce(sum(cases), 0) FROM analytics_cells WHERE tenant_id = ?0 AND grain = 0),
			       (SELECT count(*) FROM users WHERE tenant_id = ?0 AND disabled_at IS NULL),
			       (SELECT count(*) FROM branches WHERE tenant_id = ?0 AND closed_at IS NULL), ?1
			ON CONFLICT (tenant_id) DO UPDATE SET cases = EXCLUDED.cases, users = EXCLUDED.users,
			    active_branches = EXCLUDED.active_branches, refreshed_at = EXCLUDED.refreshed_at`, tenantID, now)
		return err
	})
}
