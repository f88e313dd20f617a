// Package benchdata owns the benchmark data set: the bench tenants'
// manifests (bench-01, bench-02, …) and a bulk generator of realistic cases
// — skewed categories, 30% resolved, hash-chained timelines of 3–15 events,
// evidence metadata and Indonesian-looking text — written with COPY.
package benchdata

import (
	"fmt"

	"github.com/suara-id/suara/internal/tenant"
)

// Slug is the i-th bench tenant's slug (1-based): bench-01, bench-02, …
func Slug(i int) string { return fmt.Sprintf("bench-%02d", i) }

// ProvincePath and UnitPath are where a bench tenant's branch admin and
// officer sit.
func ProvincePath(slug string) string { return slug + "/jabar" }

// UnitPath is the first workplace unit, under ProvincePath.
func UnitPath(slug string) string { return slug + "/jabar/bekasi/puk-a" }

// Manifest is the i-th bench tenant: a garment union with one province, two
// cities, four workplace units and the default category template.
func Manifest(i int) tenant.Manifest {
	slug := Slug(i)
	hc := 1800
	wp := func(s, company, district string) tenant.WorkplaceSpec {
		return tenant.WorkplaceSpec{Slug: s, Company: company, Name: "Pabrik " + district, Sector: "garment",
			Province: "Jawa Barat", District: district, Headcount: &hc}
	}
	unit := func(s, name, workplace string) tenant.OrgNode {
		return tenant.OrgNode{Slug: s, Name: name, Level: "unit", Workplace: workplace}
	}
	return tenant.Manifest{
		Slug: slug, Name: fmt.Sprintf("Serikat Bench %02d", i), ShortName: fmt.Sprintf("SB%02d", i),
		AppName: fmt.Sprintf("Bench %02d", i), DefaultLocale: "id", Theme: "default",
		Sectors:  []string{"garment", "footwear"},
		Settings: tenant.Settings{AnonymousFiling: true, ReopenWindowDays: 30, EscalationGraceDays: 5},
		Org: tenant.OrgNode{Name: "DPP Serikat Bench", Level: "national", Children: []tenant.OrgNode{{
			Slug: "jabar", Name: "DPD Jawa Barat", Level: "province", Children: []tenant.OrgNode{
				{Slug: "bekasi", Name: "DPC Bekasi", Level: "city", Children: []tenant.OrgNode{
					unit("puk-a", "PUK PT Alfa Garmen", "pt-alfa-garmen"),
					unit("puk-b", "PUK PT Beta Busana", "pt-beta-busana"),
				}},
				{Slug: "bogor", Name: "DPC Bogor", Level: "city", Children: []tenant.OrgNode{
					unit("puk-c", "PUK PT Citra Sandang", "pt-citra-sandang"),
					unit("puk-d", "PUK PT Delta Sepatu", "pt-delta-sepatu"),
				}},
			},
		}}},
		Workplaces: []tenant.WorkplaceSpec{
			wp("pt-alfa-garmen", "PT Alfa Garmen", "Kabupaten Bekasi"),
			wp("pt-beta-busana", "PT Beta Busana", "Kabupaten Bekasi"),
			wp("pt-citra-sandang", "PT Citra Sandang", "Kabupaten Bogor"),
			wp("pt-delta-sepatu", "PT Delta Sepatu", "Kabupaten Bogor"),
			// a workplace without its own unit: its cases go to the root
			wp("pt-eka-konveksi", "PT Eka Konveksi", "Kota Depok"),
		},
		Categories: tenant.CategoriesSection{Template: "default"},
	}
}
