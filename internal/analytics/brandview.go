package analytics

import (
	"slices"
	"strings"
	"time"

	"github.com/suara-id/suara/internal/apperr"
)

// The brand view (issue 22) is the platform's aggregate by buyer brand: a
// fixed query of the ILO cube grouped by brand, optionally broken down by
// one more dimension and narrowed to one sector. It goes through Aggregate
// like every explorer query, so the same disclosure control applies: a
// brand row under k is dropped with its key, the measures are rounded to
// multiples of k, periods are whole quarters.

// BrandViewDims are the dimensions a brand view may break down by.
var BrandViewDims = []string{"category", "gender", "employment_status", "membership", "ladder", "certification"}

// BrandViewMeasures are the brand view's columns.
var BrandViewMeasures = []string{"count", "workers_affected", "retaliation_reports", "outcomes_recorded",
	"reinstatement", "back_pay", "money_recovered_idr", "workers_reached"}

// BrandViewInput is a brand view request as typed.
type BrandViewInput struct {
	From, To string
	// By is one of BrandViewDims or "".
	By string
	// Sector narrows to one sector (only without By: the ILO cube holds
	// brand with one other dimension at a time).
	Sector string
}

// BrandViewQuery validates in and returns the explorer query it is.
func BrandViewQuery(in BrandViewInput, now time.Time) (Query, error) {
	by := strings.TrimSpace(in.By)
	sector := strings.TrimSpace(in.Sector)
	v := &apperr.Validation{}
	if by != "" && !slices.Contains(BrandViewDims, by) {
		v.Add("by", "error.invalid")
	}
	if by != "" && sector != "" {
		v.Add("sector", "error.analytics_brand_sector")
	}
	if err := v.Err(); err != nil {
		return Query{}, err
	}
	qi := QueryInput{By: "brand", Measures: strings.Join(BrandViewMeasures, ","), From: in.From, To: in.To, Filters: map[string]string{}}
	if by != "" {
		qi.By += "," + by
	}
	if sector != "" {
		qi.Filters["sector"] = sector
	}
	return ParseQuery(qi, now)
}
