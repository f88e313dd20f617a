package benchdata

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// categoryWeights skews filings the way union grievance registers do: wages
// and working time dominate, then contracts and dismissals; forced and
// child labour are rare. Slugs missing from a tenant are skipped.
var categoryWeights = []weighted[string]{
	{"upah", 24}, {"jam_kerja", 18}, {"status_kerja", 12}, {"phk", 11}, {"k3", 8},
	{"jaminan_sosial", 8}, {"cuti", 5}, {"diskriminasi", 3}, {"kekerasan", 3},
	{"berserikat", 3}, {"fasilitas", 2}, {"lainnya", 2}, {"kerja_paksa_anak", 1},
}

// subjects are what a grievance is about, per category: the title's core
// and the description's first sentence are built from them.
var subjects = map[string][]string{
	"upah": {
		"Upah bulan %s dibayar di bawah UMK",
		"Tunjangan hadir dipotong tanpa alasan sejak %s",
		"THR belum dibayar sampai %s",
		"Gaji telat dibayar sudah %d minggu",
	},
	"jam_kerja": {
		"Lembur wajib tanpa bayaran sejak %s",
		"Jam kerja %d jam sehari tanpa istirahat",
		"Target produksi dinaikkan, lembur tidak dihitung",
		"Kerja hari Minggu tidak dibayar lembur bulan %s",
	},
	"status_kerja": {
		"Kontrak diperpanjang terus sejak %s tanpa diangkat tetap",
		"Status harian lepas sudah %d tahun",
		"Dipindah ke outsourcing tanpa persetujuan",
	},
	"phk": {
		"PHK sepihak tanpa pesangon bulan %s",
		"Dirumahkan tanpa upah sejak %s",
		"%d pekerja di-PHK setelah ikut serikat",
	},
	"k3": {
		"Tidak ada APD di bagian %s",
		"Ventilasi buruk, %d pekerja pingsan",
		"Mesin tanpa pelindung di lini %s",
	},
	"jaminan_sosial": {
		"BPJS Ketenagakerjaan tidak didaftarkan sejak %s",
		"Iuran BPJS dipotong tapi tidak disetor %d bulan",
		"Kartu BPJS Kesehatan tidak aktif",
	},
	"cuti": {
		"Cuti haid ditolak bulan %s",
		"Cuti melahirkan hanya diberi %d minggu",
		"Cuti tahunan tidak boleh diambil",
	},
	"diskriminasi": {
		"Pekerja hamil tidak diperpanjang kontraknya",
		"Upah pekerja perempuan lebih rendah di bagian %s",
	},
	"kekerasan": {
		"Supervisor membentak dan mengancam di lini %s",
		"Pelecehan oleh atasan di bagian %s",
	},
	"berserikat": {
		"Pengurus serikat dimutasi setelah rapat bulan %s",
		"Dilarang ikut serikat, %d anggota diancam",
	},
	"kerja_paksa_anak": {
		"Anak di bawah umur bekerja di bagian %s",
		"Ijazah ditahan perusahaan sejak %s",
	},
	"fasilitas": {
		"Toilet rusak dan air bersih tidak ada di gedung %s",
		"Ruang laktasi tidak tersedia",
	},
	"lainnya": {
		"Koperasi memotong gaji tanpa izin bulan %s",
		"Pengumuman perusahaan tidak jelas soal %s",
	},
}

var (
	months   = []string{"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"}
	sections = []string{"sewing", "cutting", "finishing", "packing", "QC", "gudang", "A", "B", "C", "mesin", "panen", "afdeling 3"}
	openings = []string{"Saya mau melapor.", "Mohon dibantu, pak.", "Assalamualaikum, izin melapor.", "Kami pekerja bagian %s.", "Sudah lapor ke HRD tapi tidak ada jawaban."}
	details  = []string{"Teman-teman satu lini juga mengalami hal yang sama.", "Kalau protes katanya kontrak tidak diperpanjang.", "Slip gaji tidak pernah dikasih.", "Mandor bilang ini perintah dari atasan.", "Sudah berjalan lama dan makin parah.", "Kami takut melapor langsung.", "Ada sekitar %d orang yang kena."}
	closings = []string{"Mohon ditindaklanjuti.", "Terima kasih.", "Tolong dirahasiakan nama saya.", "Kami berharap serikat bisa bantu.", "Mohon segera, kami butuh uangnya."}
	messages = []string{"Apakah ada perkembangan?", "Sudah kami sampaikan ke manajemen, mohon ditunggu.", "Bisa kirim foto slip gaji?", "Ini fotonya sudah saya kirim.", "Perundingan bipartit dijadwalkan minggu depan.", "Terima kasih atas bantuannya."}
	notes    = []string{"Cek data absensi dulu.", "Koordinasi dengan PUK setempat.", "Kemungkinan kasus serupa di pabrik lain.", "Perlu saksi tambahan."}
	tagWords = []string{"lembur", "thr", "bpjs", "kontrak", "pesangon", "apd", "cuti_haid", "mutasi", "outsourcing"}
)

// fill replaces each %s or %d verb in tmpl with a plausible value.
func fill(r *rand.Rand, tmpl string) string {
	var b strings.Builder
	for {
		i := strings.IndexByte(tmpl, '%')
		if i < 0 || i+1 >= len(tmpl) {
			b.WriteString(tmpl)
			return b.String()
		}
		b.WriteString(tmpl[:i])
		switch tmpl[i+1] {
		case 's':
			if r.IntN(2) == 0 {
				b.WriteString(pick(r, months))
			} else {
				b.WriteString(pick(r, sections))
			}
		case 'd':
			fmt.Fprintf(&b, "%d", 2+r.IntN(40))
		default:
			b.WriteString(tmpl[i : i+2])
		}
		tmpl = tmpl[i+2:]
	}
}

// text returns a title and a description for a case of category slug.
func text(r *rand.Rand, slug string) (title, desc string) {
	subj := subjects[slug]
	if len(subj) == 0 {
		subj = subjects["lainnya"]
	}
	title = fill(r, pick(r, subj))
	var b strings.Builder
	b.WriteString(fill(r, pick(r, openings)))
	b.WriteString(" ")
	b.WriteString(title)
	b.WriteString(". ")
	for n := 1 + r.IntN(3); n > 0; n-- {
		b.WriteString(fill(r, pick(r, details)))
		b.WriteString(" ")
	}
	b.WriteString(pick(r, closings))
	return title, b.String()
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// weighted is a choice and its relative weight.
type weighted[T any] struct {
	v T
	w int
}

// choose picks from ws in proportion to the weights.
func choose[T any](r *rand.Rand, ws []weighted[T]) T {
	total := 0
	for _, w := range ws {
		total += w.w
	}
	n := r.IntN(total)
	for _, w := range ws {
		if n < w.w {
			return w.v
		}
		n -= w.w
	}
	return ws[len(ws)-1].v
}
