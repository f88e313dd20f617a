package cases

import (
	"context"
	"fmt"
	"slices"

	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/auth"
	"github.com/suara-id/suara/internal/db"
	"github.com/suara-id/suara/internal/tenant"
)

// demoCase is one realistic demo filing.
type demoCase struct {
	reporter    int // index into the workers passed to SeedDemo; -1 = anonymous
	mode        SafetyMode
	typ         Type
	title, desc string
	affected    int
}

var demoCases = []demoCase{
	{0, ModeNamed, TypeComplaint, "Lembur tidak dibayar sesuai aturan",
		"Sejak tiga bulan terakhir kami di bagian sewing disuruh lembur sampai jam 9 malam tetapi upah lembur dihitung borongan, bukan per jam sesuai aturan. Slip gaji tidak mencantumkan jam lembur.", 40},
	{1, ModeConfidential, TypeComplaint, "Kontrak diperpanjang terus tanpa diangkat",
		"Saya sudah bekerja empat tahun dengan kontrak tiga bulanan yang terus diperpanjang. Setiap kali kontrak habis kami disuruh tanda tangan baru tanpa salinan.", 1},
	{-1, ModeAnonymous, TypeComplaint, "Pintu darurat dikunci saat jam kerja",
		"Pintu darurat di gedung finishing dikunci dari luar selama jam kerja dan alat pemadam api sudah kedaluwarsa. Kami takut kalau terjadi kebakaran.", 120},
	{2, ModeNamed, TypeAspiration, "Usulan ruang laktasi",
		"Kami pekerja perempuan mengusulkan ruang laktasi yang layak, karena sekarang ibu menyusui memerah ASI di gudang.", 25},
}

// demoEstateCases are a plantation union's demo filings: what workers on
// palm-oil estates report (harvest quotas, pesticides, casual labour,
// estate housing), not a garment factory's.
var demoEstateCases = []demoCase{
	{0, ModeNamed, TypeComplaint, "Basis borong panen dinaikkan tanpa perundingan",
		"Sejak bulan lalu mandor panen di afdeling kami menaikkan basis borong dari 1.100 kg menjadi 1.400 kg per hari. Pemanen yang tidak mencapai basis dipotong premi dan brondolan yang dikutip istri tidak dihitung.", 60},
	{1, ModeConfidential, TypeComplaint, "Penyemprot tidak diberi APD dan sering pusing",
		"Kami tim semprot herbisida tidak diberi masker, sarung tangan dan sepatu bot. Setelah menyemprot parakuat beberapa teman pusing dan muntah, tetapi tidak ada tempat mandi dan pemeriksaan kesehatan.", 14},
	{-1, ModeAnonymous, TypeComplaint, "BHL bertahun-tahun tanpa kontrak",
		"Banyak buruh harian lepas di afdeling ini sudah bekerja lebih dari lima tahun tanpa kontrak tertulis, upah di bawah UMK kabupaten dan tidak didaftarkan BPJS Ketenagakerjaan.", 85},
	{2, ModeNamed, TypeAspiration, "Usulan perbaikan perumahan dan air bersih di afdeling",
		"Atap rumah pekerja di emplasemen afdeling bocor dan air bersih hanya mengalir dua hari sekali. Kami mengusulkan perbaikan rumah dan sumur bor, serta angkutan sekolah untuk anak-anak.", 120},
}

// demoCasesFor picks the demo filings that fit the tenant's sectors.
func demoCasesFor(t *tenant.Tenant) []demoCase {
	if len(t.Sectors) > 0 && !slices.ContainsFunc(t.Sectors, func(s string) bool { return s != "palm_oil" }) {
		return demoEstateCases
	}
	return demoCases
}

// SeedDemo files the demo cases for a tenant with the given demo workers,
// once: a case whose title is already there is skipped. It returns how many
// it filed. The cases name the workplace of unitPath (the demo officer's
// unit, so the demo officer and branch admin find them in their queues), or
// the first workplace when unitPath has none.
func (s *Service) SeedDemo(ctx context.Context, t *tenant.Tenant, workers []*auth.Principal, unitPath string) (int, error) {
	var workplace string
	err := db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT coalesce((SELECT w.id::text FROM branches b JOIN workplaces w ON w.id = b.workplace_id
			ORDER BY b.path = ? DESC, b.path LIMIT 1), '')`, unitPath).Scan(&workplace)
	})
	if err != nil {
		return 0, fmt.Errorf("demo workplace: %w", err)
	}
	filed := 0
	for _, d := range demoCasesFor(t) {
		var exists bool
		err := db.InTenantTx(ctx, s.db, t.ID, func(ctx context.Context, tx bun.Tx) error {
			return tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM cases WHERE title = ?)", d.title).Scan(&exists)
		})
		if err != nil {
			return filed, fmt.Errorf("demo case %q: %w", d.title, err)
		}
		if exists {
			continue
		}
		var p *auth.Principal
		if d.reporter >= 0 && d.reporter < len(workers) {
			p = workers[d.reporter]
		}
		mode := d.mode
		if p == nil && mode != ModeAnonymous {
			continue
		}
		if mode == ModeAnonymous && !t.Settings.AnonymousFiling {
			continue
		}
		_, err = s.File(ctx, t, p, Filing{Type: string(d.typ), Title: d.title, Description: d.desc,
			WorkplaceID: workplace, SafetyMode: string(mode), AffectedCount: d.affected})
		if err != nil {
			return filed, fmt.Errorf("demo case %q: %w", d.title, err)
		}
		filed++
	}
	return filed, nil
}
