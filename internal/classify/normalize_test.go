package classify

import (
	"strings"
	"testing"
)

func TestNormalizeText(t *testing.T) {
	cases := map[string]string{
		"Gaji sy GK dibayar!!":                 "gaji saya tidak dibayar",
		"aq blm dpt THR, udh tgl 20":           "saya belum dapat thr sudah tanggal 20",
		"yg lembur tdk dpt uang makan":         "yang lembur tidak dapat uang makan",
		"teman2 dan teman-teman sekalian":      "teman dan teman sekalian",
		"tolooong bgt, sampe malem":            "tolong banget sampai malam",
		"krn dgn tp ngga":                      "karena dengan tapi tidak",
		"kerja 12 jam, 2 shift":                "kerja 12 jam 2 shift",
		"gajine ora dibayar wis rong sasi":     "gaji tidak dibayar sudah rong bulan",
		"saat maaf":                            "saat maaf",
		"anti-kekerasan":                       "anti kekerasan",
		"bojoku meteng kudu mlebu shift malam": "bojoku hamil harus masuk shift malam",
		"overtime unpaid, salary late":         "lembur tidak dibayar gaji telat",
	}
	for in, want := range cases {
		if got := strings.Join(normalizeText(in), " "); got != want {
			t.Errorf("normalizeText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestStem(t *testing.T) {
	cases := map[string]string{
		"dipotong":      "potong",
		"pemotongan":    "potong",
		"memotong":      "potong",
		"menyapu":       "sapu",
		"membayar":      "bayar",
		"pengurangan":   "urang",
		"gajinya":       "gaji",
		"diberhentikan": "berhenti",
		"kerja":         "kerja",
		"12345":         "12345",
	}
	for in, want := range cases {
		if got := stem(in); got != want {
			t.Errorf("stem(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDetectLanguage(t *testing.T) {
	cases := map[string]string{
		"Gaji saya belum dibayar dua bulan, mohon dibantu":                     "id",
		"We work overtime every Saturday but the payslip shows nothing":        "en",
		"gajine ora dibayar, jarene durung ono duit, kabeh kanca podo bingung": "jv",
		"": "id",
	}
	for in, want := range cases {
		if got := detectLanguage(in); got != want {
			t.Errorf("detectLanguage(%q) = %q, want %q", in, got, want)
		}
	}
}
