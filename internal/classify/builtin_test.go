package classify

import (
	"context"
	"reflect"
	"strings"
	"sync"
	"testing"
)

var (
	sharedOnce sync.Once
	sharedB    *Builtin
)

// defaultModel trains the default model once per test binary.
func defaultModel() *Builtin {
	sharedOnce.Do(func() { sharedB = Train(BaseExamples(), nil, nil) })
	return sharedB
}

func classify(t *testing.T, c Classifier, in Input) Result {
	t.Helper()
	if in.Categories == nil {
		in.Categories = DefaultCategories()
	}
	if in.Tags == nil {
		in.Tags = DefaultTags()
	}
	res, err := c.Classify(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestBuiltinClassifiesObviousCases(t *testing.T) {
	b := defaultModel()
	cases := map[string]string{
		"gaji bulan ini blm dibayar sampe tgl 15, katanya nunggu buyer":          "upah",
		"disuruh lembur tiap hari sampai jam 10 malam tapi lemburnya gk dibayar": "jam_kerja",
		"saya dipecat tanpa pesangon setelah 8 tahun kerja":                      "phk",
		"penyemprot tidak dapat masker dan sarung tangan, banyak yang keracunan": "k3",
		"ketua serikat kami dimutasi setelah mengajukan perundingan PKB":         "berserikat",
		"ada anak umur 13 tahun ikut panen di kebun":                             "kerja_paksa_anak",
		"toilet di pabrik rusak dan tidak ada air":                               "fasilitas",
	}
	for text, want := range cases {
		res := classify(t, b, Input{Text: text})
		if res.Category != want {
			t.Errorf("%q → %s (%.2f), want %s", text, res.Category, res.Confidence, want)
		}
		if res.Confidence <= 0 || res.Confidence > 1 {
			t.Errorf("confidence %v out of (0,1]", res.Confidence)
		}
		if res.Model != BuiltinModelName || res.Version == "" || res.Latency <= 0 {
			t.Errorf("metadata missing: %+v", res)
		}
		if len(res.Tags) == 0 || len(res.Tags) > MaxTags {
			t.Errorf("%q: %d tags", text, len(res.Tags))
		}
		if !contains(urgencies, res.Urgency) || !contains(caseTypes, res.Type) || len(res.Steps) == 0 {
			t.Errorf("%q: incomplete result %+v", text, res)
		}
	}
}

func TestTrainIsDeterministic(t *testing.T) {
	// a slice of the base set keeps this quick under -race
	base := BaseExamples()[:200]
	a := Train(base, nil, nil)
	b := Train(base, nil, nil)
	if a.Version() != b.Version() {
		t.Fatalf("versions differ: %s vs %s", a.Version(), b.Version())
	}
	if !reflect.DeepEqual(a.cat.W, b.cat.W) || !reflect.DeepEqual(a.tags, b.tags) {
		t.Fatal("same data gave different weights")
	}
	c := Train(base[1:], nil, nil)
	if c.Version() == a.Version() {
		t.Error("different data gave the same version")
	}
}

func TestOutputRestrictedToActiveCategoriesAndTags(t *testing.T) {
	b := defaultModel()
	var active []Category
	for _, c := range DefaultCategories() {
		if c.Slug != "upah" { // the tenant hid "upah"
			active = append(active, c)
		}
	}
	vocab := []string{"lembur", "slip_gaji"}
	res := classify(t, b, Input{Text: "gaji dipotong dan slip gaji tidak pernah dikasih", Categories: active, Tags: vocab})
	if res.Category == "upah" {
		t.Error("answered a hidden category")
	}
	for _, tg := range res.Tags {
		if !contains(vocab, tg) {
			t.Errorf("tag %q outside the tenant vocabulary", tg)
		}
	}
	res = classify(t, b, Input{Text: "gaji dipotong", Tags: []string{}})
	if len(res.Tags) != 0 {
		t.Errorf("tags %v from an empty vocabulary", res.Tags)
	}
	if _, err := b.Classify(context.Background(), Input{Text: "x"}); err != ErrNoCategories {
		t.Errorf("no categories: err = %v", err)
	}
}

// A category added by a tenant after training competes through its keywords.
func TestUntrainedTenantCategoryWinsOnKeywords(t *testing.T) {
	b := defaultModel()
	cats := append(DefaultCategories(), Category{Slug: "koperasi", NameID: "Koperasi", Keywords: []string{"koperasi", "shu", "simpan pinjam"}})
	res := classify(t, b, Input{Text: "SHU koperasi simpan pinjam tidak pernah dibagi", Categories: cats})
	if res.Category != "koperasi" {
		t.Errorf("got %s, want the keyword-matched tenant category", res.Category)
	}
	res = classify(t, b, Input{Text: "lembur tidak dibayar", Categories: cats})
	if res.Category != "jam_kerja" {
		t.Errorf("got %s, want jam_kerja", res.Category)
	}
}

// Tenant categories, their examples and confirmed labels are learnt.
func TestTrainLearnsTenantCategoriesAndConfirmedLabels(t *testing.T) {
	cats := append(DefaultCategories(), Category{
		Slug: "koperasi", NameID: "Koperasi pekerja", NameEN: "Workers' cooperative",
		Keywords: []string{"koperasi", "shu", "simpan pinjam"},
		Examples: []string{"pengurus koperasi tidak transparan soal SHU", "pinjaman koperasi bunganya tinggi sekali"},
	})
	confirmed := []Example{
		{Text: "laporan keuangan koperasi karyawan tidak pernah diumumkan", Category: "koperasi", Urgency: "low", Type: "complaint"},
		{Text: "rapat anggota koperasi tidak pernah diadakan", Category: "koperasi", Urgency: "low", Type: "complaint"},
	}
	b := Train(BaseExamples(), cats, confirmed)
	res := classify(t, b, Input{Text: "uang simpanan di koperasi karyawan tidak bisa diambil", Categories: cats})
	if res.Category != "koperasi" {
		t.Errorf("got %s, want koperasi", res.Category)
	}
}

func TestStepsFollowPlaybookAndLocale(t *testing.T) {
	b := defaultModel()
	text := "saya dipecat tanpa pesangon setelah 8 tahun kerja"
	en := classify(t, b, Input{Text: text, Locale: "en"})
	id := classify(t, b, Input{Text: text, Locale: "id"})
	if en.Steps[0] == id.Steps[0] || en.Steps[0] != defaultSteps["en"]["phk"][0] {
		t.Errorf("steps not localised: en %q id %q", en.Steps[0], id.Steps[0])
	}
	pb := classify(t, b, Input{Text: text, Playbook: map[string][]string{"phk": {"Hubungi Bung Ari"}}})
	if len(pb.Steps) != 1 || pb.Steps[0] != "Hubungi Bung Ari" {
		t.Errorf("playbook ignored: %v", pb.Steps)
	}
	pb.Steps[0] = "changed" // results must not alias the shared defaults
	if defaultSteps["id"]["phk"][0] == "changed" {
		t.Error("result aliases the default steps")
	}
}

func TestTypeFromInputWinsElsePredicted(t *testing.T) {
	b := defaultModel()
	if res := classify(t, b, Input{Text: "gaji telat", Type: "information"}); res.Type != "information" {
		t.Errorf("type = %s, want the given information", res.Type)
	}
	if res := classify(t, b, Input{Text: "Mohon perusahaan menyediakan bus jemputan untuk shift malam, semoga bisa segera"}); res.Type != "aspiration" {
		t.Errorf("type = %s, want aspiration", res.Type)
	}
	if res := classify(t, b, Input{Text: "gaji saya dipotong 200 ribu tanpa alasan"}); res.Type != "complaint" {
		t.Errorf("type = %s, want complaint", res.Type)
	}
}

func TestBuiltinConcurrentUse(t *testing.T) {
	b := defaultModel()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := b.Classify(context.Background(), Input{Text: "lembur tidak dibayar", Categories: DefaultCategories(), Tags: DefaultTags()}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}

func BenchmarkBuiltinClassify(b *testing.B) {
	m := defaultModel()
	in := Input{
		Text:       "Sudah 3 bulan lembur sampai jam 9 malam tapi di slip gaji lemburnya tidak dihitung, kalau protes diancam tidak diperpanjang kontraknya",
		Sector:     "garment",
		Locale:     "id",
		Categories: DefaultCategories(),
		Tags:       DefaultTags(),
	}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := m.Classify(ctx, in); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTrain measures training on the base set (a union's retraining
// runs it with the union's corrections on top; budget < 1 s): `go test
// -run '^$' -bench Train ./internal/classify/`. A benchmark, not a timed
// test: on a loaded machine a wall-clock check fails for reasons of its own.
func BenchmarkTrain(b *testing.B) {
	base, cats := BaseExamples(), DefaultCategories()
	b.ReportAllocs()
	for b.Loop() {
		Train(base, cats, nil)
	}
}

func TestCategoryTermsNameTheTextsWords(t *testing.T) {
	b := defaultModel()
	res := classify(t, b, Input{Text: "Lembur tiap hari sampai jam 10 malam tapi upah lembur tidak dibayar", Categories: DefaultCategories(), Tags: DefaultTags()})
	if len(res.CategoryTerms) == 0 || len(res.CategoryTerms) > maxReasonTerms {
		t.Fatalf("terms %v", res.CategoryTerms)
	}
	toks := strings.Join(normalizeText("Lembur tiap hari sampai jam 10 malam tapi upah lembur tidak dibayar"), " ")
	for _, term := range res.CategoryTerms {
		if !strings.Contains(toks, term) {
			t.Errorf("reason %q is not a word of the text %q", term, toks)
		}
	}
}

// A reason is a word an officer can act on, not "itu" or "kemarin".
func TestCategoryTermsSkipStopwords(t *testing.T) {
	b := defaultModel()
	text := "Kemarin dua teman disuruh bersihkan tangki limbah tanpa alat bantu napas, satu pingsan di dalam. Besok kami disuruh masuk lagi ke tangki itu."
	res := classify(t, b, Input{Text: text})
	if len(res.CategoryTerms) == 0 {
		t.Fatal("no reason terms")
	}
	for _, term := range res.CategoryTerms {
		if IsStopword(term) {
			t.Errorf("reason terms %v name the stopword %q", res.CategoryTerms, term)
		}
	}
}
