package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// fileRaw posts a filing with optional headers and returns status, the
// replay header and the raw body.
func (e *env) fileRaw(host string, body map[string]any, headers ...string) (int, string, string) {
	e.t.Helper()
	b, _ := json.Marshal(body)
	resp, text := e.send(http.MethodPost, host, "/api/v1/cases", "application/json", strings.NewReader(string(b)), headers...)
	return resp.StatusCode, resp.Header.Get("Idempotent-Replayed"), text
}

// A filing retried with the same Idempotency-Key creates one case and gets
// the first reply back, receipt code included; the key is scoped to the
// reporter and the tenant, and refused when reused for another filing.
func TestIdempotentFiling(t *testing.T) {
	e := newCaseEnv(t)
	worker := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	count := func(slug string) int { return e.countRows(slug, "SELECT count(*) FROM cases") }
	filing := map[string]any{"type": "complaint", "description": "Upah lembur bulan lalu belum dibayar sama sekali."}
	const key = "6f1c2a8e-0d4b-4f7e-9a51-3c2b1d0e9f88"

	before := count("spn")
	st1, rep1, body1 := e.fileRaw(spnHost, filing, "Idempotency-Key", key)
	st2, rep2, body2 := e.fileRaw(spnHost, filing, "Idempotency-Key", key)
	if st1 != 201 || st2 != 201 {
		t.Fatalf("statuses %d %d: %s / %s", st1, st2, body1, body2)
	}
	if body1 != body2 || !strings.Contains(body1, "receipt_code") {
		t.Fatalf("replies differ or lack the receipt code:\n%s\n%s", body1, body2)
	}
	if rep1 != "" || rep2 != "true" {
		t.Errorf("Idempotent-Replayed: first %q, second %q", rep1, rep2)
	}
	if got := count("spn"); got != before+1 {
		t.Fatalf("%d cases filed, want 1", got-before)
	}
	// The receipt code is sealed at rest, not stored in clear.
	code := decode(t, body1)["receipt_code"].(string)
	var clear int
	if err := e.db.Super.QueryRowContext(context.Background(),
		"SELECT count(*) FROM idempotency_keys WHERE position(convert_to(?, 'UTF8') in reply_ciphertext) > 0", code).Scan(&clear); err != nil {
		t.Fatal(err)
	}
	if clear != 0 {
		t.Fatal("receipt code stored in clear")
	}

	t.Run("without a key every post files", func(t *testing.T) {
		n := count("spn")
		e.fileRaw(spnHost, filing)
		e.fileRaw(spnHost, filing)
		if got := count("spn"); got != n+2 {
			t.Fatalf("%d cases, want 2", got-n)
		}
	})

	t.Run("scoped to the reporter", func(t *testing.T) {
		n := count("spn")
		st, rep, body := e.fileRaw(spnHost, filing, append(bearer(worker), "Idempotency-Key", key)...)
		if st != 201 || rep != "" || body == body1 || count("spn") != n+1 {
			t.Fatalf("signed-in reporter with the same key: %d %q %s", st, rep, body)
		}
	})

	t.Run("scoped to the tenant", func(t *testing.T) {
		n := count("garteks")
		st, rep, body := e.fileRaw(otherHost, filing, "Idempotency-Key", key)
		if st != 201 || rep != "" || body == body1 || count("garteks") != n+1 {
			t.Fatalf("other tenant with the same key: %d %q %s", st, rep, body)
		}
	})

	t.Run("reused for another filing", func(t *testing.T) {
		n := count("spn")
		other := map[string]any{"type": "complaint", "description": "Helm pengaman tidak pernah dibagikan."}
		st, _, body := e.fileRaw(spnHost, other, "Idempotency-Key", key)
		out := decode(t, body)
		if st != 422 || errorCode(out) != "invalid" || fieldErrors(out)["idempotency_key"] == nil || count("spn") != n {
			t.Fatalf("reused key: %d %s", st, body)
		}
	})

	t.Run("bad keys", func(t *testing.T) {
		n := count("spn")
		for _, k := range []string{strings.Repeat("k", 256), "kunci\tdengan\ttab", "kunci-ü"} {
			st, _, body := e.fileRaw(spnHost, filing, "Idempotency-Key", k)
			if st != 422 || fieldErrors(decode(t, body))["idempotency_key"] == nil {
				t.Errorf("key %q: %d %s", k, st, body)
			}
		}
		if count("spn") != n {
			t.Fatal("a bad key filed a case")
		}
	})

	t.Run("refused filing frees the key", func(t *testing.T) {
		n := count("spn")
		const k = "retry-after-fix"
		st, _, body := e.fileRaw(spnHost, map[string]any{"type": "complaint", "description": "pendek"}, "Idempotency-Key", k)
		if st != 422 || fieldErrors(decode(t, body))["description"] == nil {
			t.Fatalf("short description: %d %s", st, body)
		}
		if st, _, body := e.fileRaw(spnHost, filing, "Idempotency-Key", k); st != 201 {
			t.Fatalf("corrected retry: %d %s", st, body)
		}
		if count("spn") != n+1 {
			t.Fatal("want exactly the corrected case")
		}
	})

	t.Run("concurrent retries", func(t *testing.T) {
		n := count("spn")
		const k = "parallel-retries"
		var wg sync.WaitGroup
		bodies := make([]string, 6)
		statuses := make([]int, 6)
		for i := range bodies {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i], _, bodies[i] = e.fileRaw(spnHost, filing, append(bearer(worker), "Idempotency-Key", k)...)
			}()
		}
		wg.Wait()
		for i := range bodies {
			if statuses[i] != 201 || bodies[i] != bodies[0] {
				t.Errorf("request %d: %d %s (first %s)", i, statuses[i], bodies[i], bodies[0])
			}
		}
		if got := count("spn"); got != n+1 {
			t.Fatalf("%d cases from one key", got-n)
		}
	})
}

var formKeyRE = regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`)

// formKeyOf is the idempotency key a rendered filing form carries.
func formKeyOf(t *testing.T, page string) string {
	t.Helper()
	m := formKeyRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("filing form without an idempotency key")
	}
	return m[1]
}

// The filing FORM is idempotent too: the key it is rendered with (and that
// the browser's draft keeps) makes a re-sent form one case, answered with
// the first confirmation — receipt code included.
func TestIdempotentFilingForm(t *testing.T) {
	e := newCaseEnv(t)
	worker := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	count := func() int { return e.countRows("spn", "SELECT count(*) FROM cases") }
	newForm := func(tok string) string {
		t.Helper()
		resp, body := e.page(spnHost, "/cases/new", tok)
		if resp.StatusCode != 200 {
			t.Fatalf("form: %d", resp.StatusCode)
		}
		return formKeyOf(t, body)
	}
	k1, k2 := newForm(""), newForm("")
	if k1 == k2 {
		t.Fatal("two forms got the same key")
	}
	if _, body := e.page(spnHost, "/cases/new?idempotency_key=planted-key", ""); formKeyOf(t, body) == "planted-key" {
		t.Fatal("a key in the link was taken")
	}

	form := func(key, desc string) url.Values {
		return url.Values{"type": {"complaint"}, "step": {"submit"}, "description": {desc}, "idempotency_key": {key}}
	}
	codeRE := regexp.MustCompile(`class="receipt-code"><strong>([0-9-]+)</strong>`)

	t.Run("anonymous form sent twice", func(t *testing.T) {
		n := count()
		desc := "Pekerja shift malam tidak diberi uang makan sejak bulan lalu."
		r1, b1 := e.postForm(spnHost, "/cases/new", "", form(k1, desc))
		r2, b2 := e.postForm(spnHost, "/cases/new", "", form(k1, desc))
		if r1.StatusCode != 201 || r2.StatusCode != 201 {
			t.Fatalf("statuses %d %d", r1.StatusCode, r2.StatusCode)
		}
		if got := count(); got != n+1 {
			t.Fatalf("%d cases from one form, want 1", got-n)
		}
		c1, c2 := codeRE.FindStringSubmatch(b1), codeRE.FindStringSubmatch(b2)
		if c1 == nil || c2 == nil || c1[1] != c2[1] {
			t.Fatalf("receipt codes differ or missing: %v %v", c1, c2)
		}
		ref := regexp.MustCompile(`SPN-20\d\d-\d{6}`)
		if ref.FindString(b1) == "" || ref.FindString(b1) != ref.FindString(b2) {
			t.Fatal("the second answer shows another reference")
		}
	})

	t.Run("signed-in form with a photo sent twice", func(t *testing.T) {
		n := count()
		key := newForm(worker)
		jpg, _ := jpegWithGPS(t)
		post := func() (int, string) {
			ct, body := multipartFile("foto.jpg", "image/jpeg", jpg, map[string]string{"_csrf": csrfTok, "type": "complaint",
				"step": "submit", "idempotency_key": key, "description": "Atap gudang bocor dan lantai licin, dua pekerja sudah terjatuh."})
			resp, text := e.send("POST", spnHost, "/cases/new", ct, body, "Cookie", "suara_session="+worker+"; suara_csrf="+csrfTok)
			return resp.StatusCode, text
		}
		s1, b1 := post()
		s2, b2 := post()
		if s1 != 201 || s2 != 201 {
			t.Fatalf("statuses %d %d: %s", s1, s2, b2)
		}
		if got := count(); got != n+1 {
			t.Fatalf("%d cases, want 1", got-n)
		}
		ref := regexp.MustCompile(`SPN-20\d\d-\d{6}`).FindString(b1)
		if ref == "" || !strings.Contains(b2, ref) {
			t.Fatalf("second answer lacks the first reference %q", ref)
		}
		if ev := e.countRows("spn", "SELECT count(*) FROM evidence_files f JOIN cases c ON c.id = f.case_id WHERE c.reference = ?", ref); ev != 1 {
			t.Fatalf("%d evidence files, want the first request's one", ev)
		}
	})

	t.Run("same key, other content", func(t *testing.T) {
		n := count()
		resp, body := e.postForm(spnHost, "/cases/new", "", form(k1, "Isi yang berbeda: helm pengaman tidak pernah dibagikan."))
		if resp.StatusCode != 422 || count() != n {
			t.Fatalf("%d, %d cases", resp.StatusCode, count()-n)
		}
		if !strings.Contains(body, "sudah terkirim sebelumnya") || !strings.Contains(body, "helm pengaman") {
			t.Fatal("the form does not explain, or lost what was typed")
		}
		fresh := formKeyOf(t, body)
		if fresh == k1 {
			t.Fatal("the form kept the used key")
		}
		if resp, _ := e.postForm(spnHost, "/cases/new", "", form(fresh, "Isi yang berbeda: helm pengaman tidak pernah dibagikan.")); resp.StatusCode != 201 || count() != n+1 {
			t.Fatalf("sending again with the fresh key: %d", resp.StatusCode)
		}
	})

	t.Run("validation error keeps the key", func(t *testing.T) {
		n := count()
		resp, body := e.postForm(spnHost, "/cases/new", "", form(k2, "pendek"))
		if resp.StatusCode != 422 || formKeyOf(t, body) != k2 {
			t.Fatalf("%d; key kept: %v", resp.StatusCode, formKeyOf(t, body) == k2)
		}
		desc := "Pendek tadi; sekarang lengkap: cuti tahunan kami tidak pernah diberikan."
		r1, _ := e.postForm(spnHost, "/cases/new", "", form(k2, desc))
		r2, _ := e.postForm(spnHost, "/cases/new", "", form(k2, desc))
		if r1.StatusCode != 201 || r2.StatusCode != 201 || count() != n+1 {
			t.Fatalf("corrected form: %d %d, %d cases", r1.StatusCode, r2.StatusCode, count()-n)
		}
	})

	t.Run("form without a key still files", func(t *testing.T) {
		n := count()
		v := form("", "Formulir lama tanpa kunci tetap diterima oleh server.")
		v.Del("idempotency_key")
		if resp, _ := e.postForm(spnHost, "/cases/new", "", v); resp.StatusCode != 201 || count() != n+1 {
			t.Fatalf("%d", resp.StatusCode)
		}
	})
}
