package web_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/uptrace/bun"

	"github.com/suara-id/suara/internal/config"
	"github.com/suara-id/suara/internal/db"
)

const (
	spnHost   = "spn.localhost"
	otherHost = "garteks.localhost"
	demoPW    = "suara-demo"
	// csrfTok is a well-formed double-submit token for page posts.
	csrfTok = "tokentokentokentokentokentokentokentokentok"
)

// caseEnv is an env with the demo accounts seeded.
func newCaseEnv(t *testing.T, mutate ...func(*config.Config)) *env {
	t.Helper()
	e := newEnv(t, mutate...)
	e.seedDemo()
	return e
}

func (e *env) tenantID(slug string) uuid.UUID {
	e.t.Helper()
	var id uuid.UUID
	if err := e.db.Owner.QueryRowContext(context.Background(), "SELECT id FROM tenants WHERE slug = ?", slug).Scan(&id); err != nil {
		e.t.Fatal(err)
	}
	return id
}

// inTenant runs SQL as the owner inside the tenant's RLS scope.
func (e *env) inTenant(slug string, fn func(ctx context.Context, tx bun.Tx) error) {
	e.t.Helper()
	if err := db.InTenantTx(context.Background(), e.db.Owner, e.tenantID(slug), fn); err != nil {
		e.t.Fatal(err)
	}
}

func (e *env) workplaceID(slug, wp string) string {
	var id string
	e.inTenant(slug, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT id::text FROM workplaces WHERE slug = ?", wp).Scan(&id)
	})
	return id
}

func bearer(tok string) []string {
	if tok == "" {
		return nil
	}
	return []string{"Authorization", "Bearer " + tok}
}

func (e *env) getJSON(host, path, tok string) (*http.Response, map[string]any) {
	e.t.Helper()
	resp, text := e.get(host, path, bearer(tok)...)
	return resp, decode(e.t, text)
}

// file posts a case and fails the test unless it is created.
func (e *env) file(host, tok string, body map[string]any, headers ...string) map[string]any {
	e.t.Helper()
	resp, out := e.postJSON(host, "/api/v1/cases", body, append(bearer(tok), headers...)...)
	if resp.StatusCode != http.StatusCreated {
		e.t.Fatalf("file case: %d %v", resp.StatusCode, out)
	}
	return out
}

// page fetches a page as the holder of a session token ("" = signed out).
func (e *env) page(host, path, tok string) (*http.Response, string) {
	e.t.Helper()
	return e.get(host, path, "Cookie", "suara_session="+tok+"; suara_csrf="+csrfTok)
}

// postForm posts a page form with the CSRF token.
func (e *env) postForm(host, path, tok string, vals url.Values) (*http.Response, string) {
	e.t.Helper()
	vals.Set("_csrf", csrfTok)
	cookie := "suara_csrf=" + csrfTok
	if tok != "" {
		cookie += "; suara_session=" + tok
	}
	return e.send(http.MethodPost, host, path, "application/x-www-form-urlencoded", strings.NewReader(vals.Encode()), "Cookie", cookie)
}

// multipartFile builds a multipart body with one "file" part.
func multipartFile(name, ctype string, data []byte, extra map[string]string) (string, *bytes.Buffer) {
	return multipartRaw(`form-data; name="file"; filename="`+name+`"`, ctype, data, extra)
}

// multipartRaw is multipartFile with the part's Content-Disposition as given.
func multipartRaw(disposition, ctype string, data []byte, extra map[string]string) (string, *bytes.Buffer) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for k, v := range extra {
		_ = w.WriteField(k, v)
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", disposition)
	if ctype != "" {
		h.Set("Content-Type", ctype)
	}
	part, _ := w.CreatePart(h)
	_, _ = part.Write(data)
	_ = w.Close()
	return w.FormDataContentType(), &b
}

func (e *env) upload(host, path, tok, name, ctype string, data []byte) (*http.Response, map[string]any) {
	e.t.Helper()
	ct, body := multipartFile(name, ctype, data, nil)
	resp, text := e.send(http.MethodPost, host, path, ct, body, bearer(tok)...)
	return resp, decode(e.t, text)
}

// jpegWithGPS is a small JPEG carrying an EXIF GPS latitude of 6°12'34.56"S.
func jpegWithGPS(t *testing.T) ([]byte, []byte) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 48, 32))
	for y := range 32 {
		for x := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 5), 40, uint8(y * 7), 255})
		}
	}
	var jb bytes.Buffer
	if err := jpeg.Encode(&jb, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	be := binary.BigEndian
	entry := func(tag, typ uint16, count, value uint32) []byte {
		e := make([]byte, 12)
		be.PutUint16(e[0:], tag)
		be.PutUint16(e[2:], typ)
		be.PutUint32(e[4:], count)
		be.PutUint32(e[8:], value)
		return e
	}
	tiff := []byte("MM\x00*\x00\x00\x00\x08")
	const gpsIFD = 8 + 2 + 12 + 4
	tiff = append(tiff, 0, 1)
	tiff = append(tiff, entry(0x8825, 4, 1, gpsIFD)...)
	tiff = append(tiff, 0, 0, 0, 0)
	const rationals = gpsIFD + 2 + 2*12 + 4
	tiff = append(tiff, 0, 2)
	tiff = append(tiff, entry(0x0001, 2, 2, 'S'<<24)...)
	tiff = append(tiff, entry(0x0002, 5, 3, rationals)...)
	tiff = append(tiff, 0, 0, 0, 0)
	var gps []byte
	for _, v := range []uint32{6, 1, 12, 1, 3456, 100} {
		gps = be.AppendUint32(gps, v)
	}
	tiff = append(tiff, gps...)
	payload := append([]byte("Exif\x00\x00"), tiff...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	be.PutUint16(seg[2:], uint16(len(payload)+2))
	seg = append(seg, payload...)
	j := jb.Bytes()
	out := append(append(append([]byte{}, j[:2]...), seg...), j[2:]...)
	return out, gps
}

// pngBomb declares w×h pixels with a tiny IDAT.
func pngBomb(w, h uint32) []byte {
	chunk := func(typ string, data []byte) []byte {
		c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		c = append(c, typ...)
		c = append(c, data...)
		return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(nil, w)
	ihdr = binary.BigEndian.AppendUint32(ihdr, h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0)
	idat := []byte{0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01}
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	out = append(out, chunk("IDAT", idat)...)
	return append(out, chunk("IEND", nil)...)
}

// filesUnder lists regular files under dir (none when it does not exist).
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if d.Type().IsRegular() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (e *env) countRows(slug, sql string, args ...any) int {
	var n int
	e.inTenant(slug, func(ctx context.Context, tx bun.Tx) error {
		return tx.QueryRowContext(ctx, sql, args...).Scan(&n)
	})
	return n
}

var referenceRE = regexp.MustCompile(`^SPN-20\d\d-\d{6}$`)

// receiptCodeShape is a receipt code as the pages show it, not a run of
// digits inside a UUID.
var receiptCodeShape = regexp.MustCompile(`(?:^|[^0-9a-fA-F-])\d{4}-\d{4}-\d{4}-\d{4}(?:$|[^0-9a-fA-F-])`)

// TestSafetyModes walks named, confidential and anonymous filing through
// the API and the pages.
func TestSafetyModes(t *testing.T) {
	e := newCaseEnv(t)
	worker := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	other := e.login(spnHost, map[string]string{"phone": "081200000002", "password": demoPW})
	officer := e.login(spnHost, map[string]string{"email": "officer@spn.example", "password": demoPW})
	branch := e.login(spnHost, map[string]string{"email": "branch@spn.example", "password": demoPW})
	wp := e.workplaceID("spn", "pt-maju-jaya-garmen")
	const reporterName, reporterPhone = "Dewi Lestari", "81200000003"

	t.Run("named", func(t *testing.T) {
		out := e.file(spnHost, worker, map[string]any{"type": "complaint",
			"description": "Upah bulan ini dipotong tanpa penjelasan oleh mandor.", "workplace_id": wp})
		if !referenceRE.MatchString(fmt.Sprint(out["reference"])) || out["status"] != "submitted" || out["receipt_code"] != nil {
			t.Fatalf("reply %v", out)
		}
		id := out["id"].(string)
		// Branch derived from the workplace's unit: the unit officer reads it.
		resp, v := e.getJSON(spnHost, "/api/v1/cases/"+id, officer)
		rep, _ := v["reporter"].(map[string]any)
		if resp.StatusCode != 200 || rep["name"] != reporterName {
			t.Fatalf("officer view: %d %v", resp.StatusCode, v)
		}
		if v["title"] != "Upah bulan ini dipotong tanpa penjelasan oleh mandor" {
			t.Errorf("derived title %q", v["title"])
		}
		resp, v = e.getJSON(spnHost, "/api/v1/cases/"+id, worker)
		if resp.StatusCode != 200 || v["reporter"] != nil {
			t.Fatalf("own view: %d %v", resp.StatusCode, v)
		}
		if resp, _ := e.getJSON(spnHost, "/api/v1/cases/"+id, other); resp.StatusCode != 404 {
			t.Fatalf("another worker: %d", resp.StatusCode)
		}
		_, pageBody := e.page(spnHost, "/cases/"+id, officer)
		mustContain(t, pageBody, reporterName)
	})

	t.Run("confidential", func(t *testing.T) {
		out := e.file(spnHost, worker, map[string]any{"type": "complaint", "safety_mode": "confidential",
			"description": "Mandor melakukan pelecehan kepada pekerja perempuan di line 4.", "workplace_id": wp})
		id := out["id"].(string)
		// Stored apart and encrypted.
		var userCol, lookupLen, cipherHasName int
		e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT (reporter_user_id IS NOT NULL)::int, length(reporter_lookup),
				(SELECT count(*) FROM case_identities i WHERE i.case_id = c.id AND position(convert_to(?, 'UTF8') in i.ciphertext) > 0)
				FROM cases c WHERE id = ?`, reporterName, id).Scan(&userCol, &lookupLen, &cipherHasName)
		})
		if userCol != 0 || lookupLen != 32 || cipherHasName != 0 {
			t.Fatalf("stored: user %d lookup %d clear name %d", userCol, lookupLen, cipherHasName)
		}
		if n := e.countRows("spn", "SELECT count(*) FROM case_identities WHERE case_id = ?", id); n != 1 {
			t.Fatalf("%d identity rows", n)
		}
		// Nobody but the assigned handler sees who: API and pages.
		for name, tok := range map[string]string{"officer": officer, "branch admin": branch, "reporter": worker} {
			resp, text := e.get(spnHost, "/api/v1/cases/"+id, bearer(tok)...)
			if resp.StatusCode != 200 || strings.Contains(text, reporterName) || strings.Contains(text, reporterPhone) {
				t.Errorf("%s API: %d, identity present: %v", name, resp.StatusCode, strings.Contains(text, reporterName))
			}
			resp, text = e.page(spnHost, "/cases/"+id, tok)
			if resp.StatusCode != 200 || strings.Contains(text, reporterName) {
				t.Errorf("%s page: %d, identity present: %v", name, resp.StatusCode, strings.Contains(text, reporterName))
			}
		}
		// My cases finds it through the keyed lookup.
		_, mine := e.getJSON(spnHost, "/api/v1/cases", worker)
		if !strings.Contains(fmt.Sprint(mine["cases"]), id) {
			t.Errorf("my cases lacks the confidential case: %v", mine)
		}
		// Assign the officer: now they, and only they, see the identity.
		e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE cases SET assigned_to = (SELECT id FROM users WHERE email = 'officer@spn.example') WHERE id = ?", id)
			return err
		})
		resp, v := e.getJSON(spnHost, "/api/v1/cases/"+id, officer)
		if rep, _ := v["reporter"].(map[string]any); resp.StatusCode != 200 || rep["name"] != reporterName {
			t.Fatalf("assigned officer: %d %v", resp.StatusCode, v)
		}
		_, pageBody := e.page(spnHost, "/cases/"+id, officer)
		mustContain(t, pageBody, reporterName)
		if _, text := e.get(spnHost, "/api/v1/cases/"+id, bearer(branch)...); strings.Contains(text, reporterName) {
			t.Error("branch admin sees the identity without a reveal")
		}
		// A branch admin reveals with a reason; it is logged with it.
		resp, body := e.postJSON(spnHost, "/api/v1/cases/"+id+"/identity/reveal", map[string]any{"reason": ""}, bearer(branch)...)
		if resp.StatusCode != 422 {
			t.Fatalf("reveal without reason: %d %v", resp.StatusCode, body)
		}
		resp, body = e.postJSON(spnHost, "/api/v1/cases/"+id+"/identity/reveal", map[string]any{"reason": "Pelapor perlu dihubungi untuk mediasi Disnaker"}, bearer(branch)...)
		if rep, _ := body["reporter"].(map[string]any); resp.StatusCode != 200 || rep["name"] != reporterName {
			t.Fatalf("reveal: %d %v", resp.StatusCode, body)
		}
		var reason, actor, vis string
		e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT payload::jsonb->>'reason', actor_id, visibility FROM case_events
				WHERE case_id = ? AND kind = 'identity_revealed'`, id).Scan(&reason, &actor, &vis)
		})
		if reason != "Pelapor perlu dihubungi untuk mediasi Disnaker" || actor == "" || vis != "internal" {
			t.Fatalf("audit event: %q %q %q", reason, actor, vis)
		}
		// The reporter never sees internal events.
		if _, text := e.get(spnHost, "/api/v1/cases/"+id, bearer(worker)...); strings.Contains(text, "identity_") {
			t.Error("reporter sees internal identity events")
		}
		// An officer (no case_identity reveal) is refused.
		e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
			_, err := tx.ExecContext(ctx, "UPDATE cases SET assigned_to = NULL WHERE id = ?", id)
			return err
		})
		if resp, _ := e.postJSON(spnHost, "/api/v1/cases/"+id+"/identity/reveal", map[string]any{"reason": "Saya ingin tahu siapa pelapornya"}, bearer(officer)...); resp.StatusCode != 403 {
			t.Fatalf("officer reveal: %d", resp.StatusCode)
		}
	})

	t.Run("anonymous", func(t *testing.T) {
		const ua, ip = "Canary-UA/9431", "203.0.113.77"
		out := e.file(spnHost, "", map[string]any{"type": "complaint",
			"description": "Pintu darurat di gudang dikunci dari luar selama shift malam."},
			"User-Agent", ua, "X-Forwarded-For", ip, "X-Real-IP", ip)
		code := fmt.Sprint(out["receipt_code"])
		if !regexp.MustCompile(`^\d{16}$`).MatchString(code) {
			t.Fatalf("receipt code %q", code)
		}
		id := out["id"].(string)
		var user, lookup, hashLen int
		var hash []byte
		e.inTenant("spn", func(ctx context.Context, tx bun.Tx) error {
			return tx.QueryRowContext(ctx, `SELECT (reporter_user_id IS NOT NULL)::int, (reporter_lookup IS NOT NULL)::int,
				length(receipt_hash), receipt_hash FROM cases WHERE id = ?`, id).Scan(&user, &lookup, &hashLen, &hash)
		})
		plain := sha256.Sum256([]byte(code))
		if user != 0 || lookup != 0 || hashLen != 32 || bytes.Equal(hash, plain[:]) {
			t.Fatalf("anonymous row: user %d lookup %d hash %d plain-sha %v", user, lookup, hashLen, bytes.Equal(hash, plain[:]))
		}
		// No trace of the address or the user agent anywhere in the case's rows.
		for _, needle := range []string{ua, ip, "0.0.0.0", code} {
			n := e.countRows("spn", `SELECT (SELECT count(*) FROM cases c WHERE c.id = ? AND c::text LIKE '%' || ? || '%')
				+ (SELECT count(*) FROM case_events v WHERE v.case_id = ? AND v::text LIKE '%' || ? || '%')`, id, needle, id, needle)
			if n != 0 {
				t.Errorf("%q stored with the anonymous case", needle)
			}
		}
		// Follow-up with the code: exchanged once for a session token,
		// then status, timeline, messages, evidence by the token.
		rtok := e.receiptSession(spnHost, code)
		resp, v := e.getJSON(spnHost, "/api/v1/receipt", rtok)
		if resp.StatusCode != 200 || v["status"] != "submitted" || v["id"] != id {
			t.Fatalf("receipt view: %d %v", resp.StatusCode, v)
		}
		resp, body := e.postJSON(spnHost, "/api/v1/receipt/messages", map[string]any{"body": "Hari ini pintu masih dikunci."}, bearer(rtok)...)
		if resp.StatusCode != 201 {
			t.Fatalf("receipt message: %d %v", resp.StatusCode, body)
		}
		jpg, _ := jpegWithGPS(t)
		if resp, body := e.upload(spnHost, "/api/v1/receipt/evidence", rtok, "pintu.jpg", "image/jpeg", jpg); resp.StatusCode != 201 {
			t.Fatalf("receipt evidence: %d %v", resp.StatusCode, body)
		}
		_, text := e.get(spnHost, "/api/v1/receipt", bearer(e.receiptSession(spnHost, FormatCode(code)))...)
		mustContain(t, text, "Hari ini pintu masih dikunci.", "bukti-1.jpg")
		if strings.Contains(text, "pintu.jpg") {
			t.Error("the uploaded file name is kept")
		}
		// The officer at the root sees no reporter at all.
		admin := e.login(spnHost, map[string]string{"email": "admin@spn.example", "password": demoPW})
		if _, v := e.getJSON(spnHost, "/api/v1/cases/"+id, admin); v["reporter"] != nil || v["id"] != id {
			t.Fatalf("admin view of anonymous case: %v", v)
		}
		// A wrong code: 404, after about the time a right one takes.
		wrong := "1234567890123456"
		if wrong == code {
			wrong = "6543210987654321"
		}
		timeIt := func(c string) (int, time.Duration) {
			start := time.Now()
			resp, _ := e.postJSON(spnHost, "/api/v1/receipts/session", map[string]any{"code": c})
			return resp.StatusCode, time.Since(start)
		}
		// The fastest of three answers each: a pause of the machine only
		// ever adds time, so the minimum is what the server itself takes.
		fastest := func(c string, want int) time.Duration {
			var best time.Duration
			for i := 0; i < 3; i++ {
				status, d := timeIt(c)
				if status != want {
					t.Fatalf("code %q: %d, want %d", c, status, want)
				}
				if d < 250*time.Millisecond {
					t.Errorf("receipt answer after %v, under the 250ms floor", d)
				}
				if i == 0 || d < best {
					best = d
				}
			}
			return best
		}
		okTime := fastest(code, 201)
		badTime := fastest(wrong, 404)
		junkTime := fastest("not-a-code", 404)
		if diff := (okTime - badTime).Abs(); diff > 120*time.Millisecond {
			t.Errorf("right code %v, wrong code %v: timing tells them apart", okTime, badTime)
		}
		t.Logf("right code %v, wrong code %v, malformed %v", okTime, badTime, junkTime)
	})

	t.Run("pages", func(t *testing.T) {
		resp, body := e.page(spnHost, "/cases/new", "")
		if resp.StatusCode != 200 {
			t.Fatalf("new case page: %d", resp.StatusCode)
		}
		mustContain(t, body, "Anonim", `name="description"`, "Kenali hak Anda", `name="file"`)
		resp, body = e.postForm(spnHost, "/cases/new", "", url.Values{"type": {"complaint"}, "safety_mode": {"anonymous"},
			"description": {"Air minum di pabrik tidak layak dan berbau sejak minggu lalu."}})
		if resp.StatusCode != 201 {
			t.Fatalf("anonymous page filing: %d %s", resp.StatusCode, body)
		}
		m := regexp.MustCompile(`(\d{4})-(\d{4})-(\d{4})-(\d{4})`).FindStringSubmatch(body)
		if m == nil {
			t.Fatal("confirmation page shows no receipt code")
		}
		mustContain(t, body, "Catat kode ini sekarang")
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("confirmation Cache-Control %q", cc)
		}
		resp, _ = e.postForm(spnHost, "/receipt", "", url.Values{"code": {m[0]}})
		ck := receiptCookie(resp)
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/receipt/case" || ck == nil {
			t.Fatalf("receipt page: %d %q", resp.StatusCode, resp.Header.Get("Location"))
		}
		_, body = e.receiptPage(spnHost, "/receipt/case", ck.Value)
		mustContain(t, body, "Air minum di pabrik tidak layak", "Diterima")
		resp, _ = e.receiptForm(spnHost, "/receipt/messages", ck.Value, url.Values{"body": {"Masih berbau hari ini."}})
		if resp.StatusCode != 303 {
			t.Fatalf("receipt message page: %d", resp.StatusCode)
		}
		_, body = e.receiptPage(spnHost, "/receipt/case", ck.Value)
		mustContain(t, body, "Masih berbau hari ini.")
		if resp, body := e.postForm(spnHost, "/receipt", "", url.Values{"code": {"0000-0000-0000-0001"}}); resp.StatusCode != 404 {
			t.Fatalf("wrong code page: %d", resp.StatusCode)
		} else {
			mustContain(t, body, "Tidak ada laporan dengan kode ini")
		}
		// A signed-in worker files confidentially and finds it under my cases.
		resp, body = e.postForm(spnHost, "/cases/new", worker, url.Values{"type": {"aspiration"}, "safety_mode": {"confidential"},
			"description": {"Kami mengusulkan tempat penitipan anak di dekat pabrik."}})
		// The page holds the case's UUID, whose digits can by chance look
		// like a code: look for the receipt block itself, and a code's
		// shape only where no hex digit or hyphen touches it.
		if resp.StatusCode != 201 || strings.Contains(body, "receipt-code") || receiptCodeShape.MatchString(body) {
			t.Fatalf("confidential page filing: %d", resp.StatusCode)
		}
		_, body = e.page(spnHost, "/cases", worker)
		mustContain(t, body, "Kami mengusulkan tempat penitipan anak")
	})
}

// FormatCode groups a code as people write it down; the API accepts it.
func FormatCode(code string) string {
	return code[0:4] + "-" + code[4:8] + "-" + code[8:12] + "-" + code[12:16]
}

// TestBadEvidenceRefused is the bad-evidence list: each is refused with a
// 4xx and leaves no row and no file (stored or temporary) behind.
func TestBadEvidenceRefused(t *testing.T) {
	e := newCaseEnv(t, func(c *config.Config) {
		c.Evidence.LimitsMB.Photo = 1
		c.Evidence.LimitsMB.Document = 1
	})
	worker := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	out := e.file(spnHost, worker, map[string]any{"type": "complaint", "description": "Bukti-bukti pelanggaran jam kerja di bagian cutting."})
	id := out["id"].(string)
	path := "/api/v1/cases/" + id + "/evidence"
	dataDir := e.cfg.Paths.Data
	good := func() []byte {
		img := image.NewGray(image.Rect(0, 0, 40, 30))
		var b bytes.Buffer
		_ = jpeg.Encode(&b, img, nil)
		return b.Bytes()
	}()
	// One byte over the 1 MB photo limit: a valid JPEG padded after EOI.
	over := append(append([]byte{}, good...), bytes.Repeat([]byte{0}, (1<<20)+1-len(good))...)

	check := func(t *testing.T, name, ctype string, data []byte, wantStatus int, wantCode string) {
		t.Helper()
		rows := e.countRows("spn", "SELECT count(*) FROM evidence_files")
		files := len(filesUnder(t, dataDir))
		disp := `form-data; name="file"; filename="` + name + `"`
		if strings.HasPrefix(name, "*=") {
			disp = `form-data; name="file"; filename` + name
		}
		ct, mp := multipartRaw(disp, ctype, data, nil)
		resp, text := e.send(http.MethodPost, spnHost, path, ct, mp, bearer(worker)...)
		body := decode(t, text)
		if resp.StatusCode != wantStatus || errorCode(body) != wantCode {
			t.Fatalf("%d %s, want %d %s (%v)", resp.StatusCode, errorCode(body), wantStatus, wantCode, body)
		}
		if n := e.countRows("spn", "SELECT count(*) FROM evidence_files"); n != rows {
			t.Errorf("rows %d → %d", rows, n)
		}
		if n := len(filesUnder(t, dataDir)); n != files {
			t.Errorf("files on disk %d → %d: %v", files, n, filesUnder(t, dataDir))
		}
	}
	t.Run("php named photo.jpg", func(t *testing.T) {
		check(t, "photo.jpg", "image/jpeg", []byte("<?php system($_GET['c']); ?>"), 415, "evidence.type_not_allowed")
	})
	t.Run("jpeg declared as pdf", func(t *testing.T) {
		check(t, "laporan.pdf", "application/pdf", good, 415, "evidence.type_mismatch")
	})
	t.Run("one byte over the limit", func(t *testing.T) {
		check(t, "besar.jpg", "image/jpeg", over, 413, "evidence.too_large")
	})
	t.Run("zero bytes", func(t *testing.T) {
		check(t, "kosong.jpg", "image/jpeg", nil, 422, "evidence.empty")
	})
	t.Run("dot-dot and NUL in the name", func(t *testing.T) {
		// RFC 2231 encoding carries the NUL through to the handler.
		check(t, "*=UTF-8''..%2F..%2Fetc%2Fpasswd%00.jpg", "image/jpeg", []byte("root:x:0:0:root:/root:/bin/bash\n"), 415, "evidence.type_not_allowed")
	})
	t.Run("raw NUL in the part header", func(t *testing.T) {
		check(t, "../../x\x00.jpg", "image/jpeg", good, 400, "bad_request")
	})
	t.Run("truncated jpeg", func(t *testing.T) {
		check(t, "potong.jpg", "image/jpeg", good[:len(good)/2], 422, "evidence.corrupt")
	})
	t.Run("png bomb 20000x20000", func(t *testing.T) {
		check(t, "bom.png", "image/png", pngBomb(20000, 20000), 422, "evidence.image_too_large")
	})
	t.Run("dot-dot name on a good file is only a display name", func(t *testing.T) {
		ct, mp := multipartRaw(`form-data; name="file"; filename*=UTF-8''..%2F..%2Fx%00y.php.jpg`, "image/jpeg", good, nil)
		resp, text := e.send(http.MethodPost, spnHost, path, ct, mp, bearer(worker)...)
		body := decode(t, text)
		if resp.StatusCode != 201 {
			t.Fatalf("%d %v", resp.StatusCode, body)
		}
		if name := fmt.Sprint(body["name"]); strings.Contains(name, "/") || strings.Contains(name, "\x00") || strings.HasPrefix(name, ".") {
			t.Fatalf("display name %q", name)
		}
		for _, f := range filesUnder(t, dataDir) {
			if !strings.HasPrefix(f, filepath.Join(dataDir, "evidence")) {
				t.Fatalf("file outside the store: %s", f)
			}
		}
	})
	t.Run("eleventh file", func(t *testing.T) {
		for i := e.countRows("spn", "SELECT count(*) FROM evidence_files WHERE case_id = ?", id); i < 10; i++ {
			if resp, body := e.upload(spnHost, path, worker, fmt.Sprintf("foto-%d.jpg", i), "image/jpeg", good); resp.StatusCode != 201 {
				t.Fatalf("file %d: %d %v", i+1, resp.StatusCode, body)
			}
		}
		check(t, "sebelas.jpg", "image/jpeg", good, 409, "evidence.too_many_files")
	})
	if tmp := filesUnder(t, filepath.Join(dataDir, "tmp")); len(tmp) != 0 {
		t.Errorf("temp files left: %v", tmp)
	}
}

// TestPhotoGPSStripped reads the stored bytes back.
func TestPhotoGPSStripped(t *testing.T) {
	e := newCaseEnv(t)
	worker := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	out := e.file(spnHost, worker, map[string]any{"type": "complaint", "description": "Foto kondisi toilet pekerja yang rusak."})
	id := out["id"].(string)
	jpg, gps := jpegWithGPS(t)
	if !bytes.Contains(jpg, gps) || !bytes.Contains(jpg, []byte("Exif")) {
		t.Fatal("fixture lacks GPS")
	}
	resp, body := e.upload(spnHost, "/api/v1/cases/"+id+"/evidence", worker, "toilet.jpg", "image/jpeg", jpg)
	if resp.StatusCode != 201 {
		t.Fatalf("%d %v", resp.StatusCode, body)
	}
	// Only the cleaned bytes are described: no hash or size of what was sent.
	orig := sha256.Sum256(jpg)
	if _, ok := body["original_sha256"]; ok || body["stored_sha256"] == fmt.Sprintf("%x", orig) || body["name"] != "bukti-1.jpg" {
		t.Fatalf("evidence JSON: %v", body)
	}
	stored := filesUnder(t, filepath.Join(e.cfg.Paths.Data, "evidence"))
	if len(stored) != 1 {
		t.Fatalf("stored files: %v", stored)
	}
	data, err := os.ReadFile(stored[0])
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(data, gps) || bytes.Contains(data, []byte("Exif")) {
		t.Fatal("stored photo still carries EXIF/GPS")
	}
	if _, err := jpeg.Decode(bytes.NewReader(data)); err != nil {
		t.Fatalf("stored photo does not decode: %v", err)
	}
	// Served through the authorised handler only, the same bytes.
	resp, got := e.get(spnHost, "/api/v1/cases/"+id+"/evidence/"+fmt.Sprint(body["id"]), bearer(worker)...)
	if resp.StatusCode != 200 || got != string(data) || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("download: %d, same bytes %v", resp.StatusCode, got == string(data))
	}
	other := e.login(spnHost, map[string]string{"phone": "081200000002", "password": demoPW})
	if resp, _ := e.get(spnHost, "/api/v1/cases/"+id+"/evidence/"+fmt.Sprint(body["id"]), bearer(other)...); resp.StatusCode != 404 {
		t.Fatalf("another worker downloads: %d", resp.StatusCode)
	}
}

// TestCrossTenant404 calls every case, evidence and receipt endpoint of
// garteks with ids and receipts from spn: all 404.
func TestCrossTenant404(t *testing.T) {
	e := newCaseEnv(t)
	worker := e.login(spnHost, map[string]string{"phone": "081200000003", "password": demoPW})
	named := e.file(spnHost, worker, map[string]any{"type": "complaint", "description": "Tunjangan makan tidak dibayar dua bulan."})
	anon := e.file(spnHost, "", map[string]any{"type": "complaint", "description": "Pekerja hamil disuruh angkat beban berat."})
	id, code := named["id"].(string), anon["receipt_code"].(string)
	jpg, _ := jpegWithGPS(t)
	_, ev := e.upload(spnHost, "/api/v1/cases/"+id+"/evidence", worker, "a.jpg", "image/jpeg", jpg)
	fileID := fmt.Sprint(ev["id"])
	if fileID == "" || fileID == "<nil>" {
		t.Fatalf("upload: %v", ev)
	}
	// Tokens of the other tenant's own people, with the same demo names.
	gWorker := e.login(otherHost, map[string]string{"phone": "081200000003", "password": demoPW})
	gAdmin := e.login(otherHost, map[string]string{"email": "admin@garteks.example", "password": demoPW})
	for _, tok := range []string{gWorker, gAdmin} {
		for _, c := range []struct{ method, path string }{
			{"GET", "/api/v1/cases/" + id},
			{"POST", "/api/v1/cases/" + id + "/messages"},
			{"POST", "/api/v1/cases/" + id + "/support"},
			{"POST", "/api/v1/cases/" + id + "/identity/reveal"},
			{"POST", "/api/v1/cases/" + id + "/evidence"},
			{"GET", "/api/v1/cases/" + id + "/evidence/" + fileID},
			{"GET", "/cases/" + id},
			{"GET", "/cases/" + id + "/evidence/" + fileID},
		} {
			var resp *http.Response
			switch {
			case strings.HasSuffix(c.path, "/evidence") && c.method == "POST":
				ct, body := multipartFile("a.jpg", "image/jpeg", jpg, nil)
				resp, _ = e.send("POST", otherHost, c.path, ct, body, bearer(tok)...)
			case c.method == "POST":
				resp, _ = e.postJSON(otherHost, c.path, map[string]any{"body": "halo", "reason": "alasan yang cukup panjang"}, bearer(tok)...)
			case strings.HasPrefix(c.path, "/cases"):
				resp, _ = e.page(otherHost, c.path, tok)
			default:
				resp, _ = e.get(otherHost, c.path, bearer(tok)...)
			}
			if resp.StatusCode != 404 {
				t.Errorf("%s %s on garteks: %d, want 404", c.method, c.path, resp.StatusCode)
			}
		}
	}
	// The code and its session token on the other tenant: nothing.
	if resp, _ := e.postForm(otherHost, "/receipt", "", url.Values{"code": {code}}); resp.StatusCode != 404 {
		t.Errorf("receipt page on garteks: %d", resp.StatusCode)
	}
	if resp, _ := e.postJSON(otherHost, "/api/v1/receipts/session", map[string]any{"code": code}); resp.StatusCode != 404 {
		t.Errorf("receipt session on garteks: %d", resp.StatusCode)
	}
	rtok := e.receiptSession(spnHost, code)
	for _, c := range []struct{ method, path string }{
		{"GET", "/api/v1/receipt"}, {"POST", "/api/v1/receipt/messages"}, {"GET", "/api/v1/receipt/evidence/" + fileID},
	} {
		var resp *http.Response
		if c.method == "POST" {
			resp, _ = e.postJSON(otherHost, c.path, map[string]any{"body": "halo"}, bearer(rtok)...)
		} else {
			resp, _ = e.get(otherHost, c.path, bearer(rtok)...)
		}
		if resp.StatusCode != 401 {
			t.Errorf("spn receipt token %s %s on garteks: %d, want 401", c.method, c.path, resp.StatusCode)
		}
	}
	if resp, _ := e.receiptPage(otherHost, "/receipt/case", rtok); resp.StatusCode != 303 {
		t.Errorf("spn receipt cookie on garteks page: %d, want 303 to the entry form", resp.StatusCode)
	}
	// Still there at home.
	if resp, _ := e.getJSON(spnHost, "/api/v1/receipt", rtok); resp.StatusCode != 200 {
		t.Fatalf("home receipt: %d", resp.StatusCode)
	}
}
