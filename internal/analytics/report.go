package analytics

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/suara-id/suara/internal/db"
)

// A monthly report summarises one month of filings per sector for ILO
// staff: volumes (with the six months before), categories, speed and
// satisfaction, by union. Every table in it is an Aggregate result, so it
// passes the same disclosure control as the explorer, and what is stored
// (analytics_reports, migration 0022) is only what was published. The month
// is the filing month: speed and satisfaction are those of the month's
// cases as they stood when the report was generated.

// Report is one month's stored report.
type Report struct {
	Month       Month
	GeneratedAt time.Time
	K           int
	Sectors     []SectorReport
}

// SectorReport is one sector's section.
type SectorReport struct {
	// Sector is the sector's value ("" for cases whose sector is unknown).
	Sector string
	// Summary is one row: the sector's month as a whole.
	Summary ReportTable
	// Trend is the count by month, the report's month and the five before.
	Trend ReportTable
	// Unions and Categories break the month down.
	Unions     ReportTable
	Categories ReportTable
	// The ILO sections (issue 22): the month by reporter gender (named
	// reporters' accounts and what anonymous and confidential reporters
	// chose to give), by employment status, the remedies won by the cases
	// resolved with a recorded outcome, and how far up the dispute ladder
	// they went.
	Gender     ReportTable
	Employment ReportTable
	Remedy     ReportTable
	Ladder     ReportTable
}

// ReportTable is a published table.
type ReportTable struct {
	By       []string
	Measures []string
	Rows     []Row
}

// ReportInfo lists a stored report.
type ReportInfo struct {
	Month       Month
	GeneratedAt time.Time
	Sectors     int
}

// The report's measures per table.
var (
	reportSummaryMeasures  = []string{"count", "median_first_response_days", "median_resolution_days", "within_target_share", "satisfaction_avg", "reopen_rate", "retaliation_reports"}
	reportUnionMeasures    = []string{"count", "share", "median_first_response_days", "median_resolution_days", "within_target_share", "satisfaction_avg"}
	reportCategoryMeasures = []string{"count", "share", "median_resolution_days", "satisfaction_avg"}
	reportGenderMeasures   = []string{"count", "share", "retaliation_reports"}
	reportEmployMeasures   = []string{"count", "share", "members", "workers_affected"}
	reportRemedyMeasures   = []string{"outcomes_recorded", "reinstatement", "back_pay", "contract_conversion", "apology",
		"policy_change", "money_recovered_idr", "workers_reached"}
	reportLadderMeasures = []string{"count", "share", "reinstatement", "back_pay"}
)

// trendMonths is how many months the volume trend shows, the report's own
// included.
const trendMonths = 6

// ReportMonthFor is the month a report generated at t covers: the month
// before t's, in Jakarta time (filing months are Jakarta months).
func ReportMonthFor(t time.Time) Month {
	loc, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		loc = time.FixedZone("WIB", 7*3600)
	}
	return MonthOf(t.In(loc)).AddMonths(-1)
}

// GenerateReport builds month m's report through the platform path and
// stores it, replacing an earlier one for the same month.
func (s *Store) GenerateReport(ctx context.Context, m Month) (*Report, error) {
	rep := &Report{Month: m, GeneratedAt: s.opts.Now().UTC().Truncate(time.Second), K: s.opts.K, Sectors: []SectorReport{}}
	table := func(by []string, measures []string, from Month, filters map[string]string) (ReportTable, error) {
		res, err := s.Aggregate(ctx, Query{By: by, Measures: measures, From: from, To: m, Filters: filters})
		if err != nil {
			return ReportTable{}, err
		}
		return ReportTable{By: res.Query.By, Measures: res.Query.Measures, Rows: res.Rows}, nil
	}
	sectors, err := table([]string{"sector"}, []string{"count"}, m, nil)
	if err != nil {
		return nil, fmt.Errorf("report %s sectors: %w", m, err)
	}
	for _, row := range sectors.Rows {
		sec := SectorReport{Sector: row.Keys[0]}
		// Aggregate takes "" as a value (ParseQuery would drop it): the
		// unknown sector gets its own section.
		only := map[string]string{"sector": sec.Sector}
		if sec.Summary, err = table(nil, reportSummaryMeasures, m, only); err == nil {
			if sec.Trend, err = table([]string{"month"}, []string{"count"}, m.AddMonths(-(trendMonths - 1)), only); err == nil {
				if sec.Unions, err = table([]string{"tenant"}, reportUnionMeasures, m, only); err == nil {
					if sec.Categories, err = table([]string{"category"}, reportCategoryMeasures, m, only); err == nil {
						err = s.iloSections(&sec, table, m, only)
					}
				}
			}
		}
		if err != nil {
			return nil, fmt.Errorf("report %s sector %q: %w", m, sec.Sector, err)
		}
		rep.Sectors = append(rep.Sectors, sec)
	}
	data, err := json.Marshal(rep.Sectors)
	if err != nil {
		return nil, fmt.Errorf("encode report: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO analytics_reports (month, generated_at, k, data) VALUES (?, ?, ?, ?)
		ON CONFLICT (month) DO UPDATE SET generated_at = EXCLUDED.generated_at, k = EXCLUDED.k, data = EXCLUDED.data`,
		m.Date(), rep.GeneratedAt, rep.K, string(data)); err != nil {
		return nil, fmt.Errorf("store report %s: %w", m, err)
	}
	return rep, nil
}

// iloSections fills a sector's ILO sections.
func (s *Store) iloSections(sec *SectorReport, table func([]string, []string, Month, map[string]string) (ReportTable, error),
	m Month, only map[string]string) error {
	var err error
	if sec.Gender, err = table([]string{"gender"}, reportGenderMeasures, m, only); err != nil {
		return err
	}
	if sec.Employment, err = table([]string{"employment_status"}, reportEmployMeasures, m, only); err != nil {
		return err
	}
	if sec.Remedy, err = table(nil, reportRemedyMeasures, m, only); err != nil {
		return err
	}
	// Only cases with a recorded outcome have a stage ('' is none yet).
	sec.Ladder, err = table([]string{"ladder"}, reportLadderMeasures, m, only)
	if err != nil {
		return err
	}
	rows := sec.Ladder.Rows[:0]
	for _, r := range sec.Ladder.Rows {
		if r.Keys[0] != "" {
			rows = append(rows, r)
		}
	}
	sec.Ladder.Rows = rows
	return nil
}

// Reports lists the stored reports, newest month first.
func (s *Store) Reports(ctx context.Context) ([]ReportInfo, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT month, generated_at, jsonb_array_length(data) FROM analytics_reports ORDER BY month DESC`)
	if err != nil {
		return nil, fmt.Errorf("list reports: %w", err)
	}
	defer rows.Close()
	out := []ReportInfo{}
	for rows.Next() {
		var r ReportInfo
		var month time.Time
		if err := rows.Scan(&month, &r.GeneratedAt, &r.Sectors); err != nil {
			return nil, fmt.Errorf("read reports: %w", err)
		}
		r.Month = MonthOf(month)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read reports: %w", err)
	}
	return out, nil
}

// Report loads month m's stored report (apperr.ErrNotFound when there is
// none).
func (s *Store) Report(ctx context.Context, m Month) (*Report, error) {
	rep := &Report{Month: m}
	var data []byte
	err := s.db.QueryRowContext(ctx, "SELECT generated_at, k, data FROM analytics_reports WHERE month = ?", m.Date()).
		Scan(&rep.GeneratedAt, &rep.K, &data)
	if err != nil {
		return nil, fmt.Errorf("load report %s: %w", m, db.MapError(err))
	}
	if err := json.Unmarshal(data, &rep.Sectors); err != nil {
		return nil, fmt.Errorf("decode report %s: %w", m, err)
	}
	return rep, nil
}
