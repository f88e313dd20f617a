package e2e

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestAnonymousReporterAnswersInfoRequest (issues 18 and 19): a reporter
// without an account starts at the union's home page, files anonymously by
// clicking, notes the receipt code, follows the case by clicking to the
// receipt page and typing the code into its form; staff ask for more
// information; the reporter answers on the page with text and a photo, and
// the case goes back to the handlers. The code travels in no URL, only in
// a form body; the logs of the run hold none (checked in TestMain and
// here).
func TestAnonymousReporterAnswersInfoRequest(t *testing.T) {
	s := startServer(t)
	b := newBrowser(t, phone)
	desc := "Mandor di gudang bahan menyuruh kami mengangkat karung 50 kg tanpa alat bantu sejak bulan lalu."

	b.run("home", chromedp.Navigate(s.url("spn", "/")), chromedp.WaitVisible(chromedp.CSS(`a[href="/cases/new"]`)))
	b.shot("anon home")
	b.submit("to filing", `a[href="/cases/new"]`)
	b.run("fill filing",
		chromedp.Click(chromedp.CSS(`input[name="type"][value="complaint"]`)),
		chromedp.Click(chromedp.CSS(`input[name="safety_mode"][value="anonymous"]`)),
		chromedp.SendKeys(chromedp.CSS(`#description`), desc),
	)
	b.shot("anon filing filled")
	b.submit("send", `button[name="step"][value="submit"]`)
	code := b.text(`.receipt-code strong`)
	if !regexp.MustCompile(`^\d{4}-\d{4}-\d{4}-\d{4}$`).MatchString(code) {
		t.Fatalf("receipt code %q", code)
	}
	noteReceipt(code)
	b.shot("anon receipt shown")

	// Follow the case: a link on the confirmation, the code typed into
	// the receipt form.
	b.submit("to receipt page", `a[href="/receipt"]`)
	b.run("type code", chromedp.SendKeys(chromedp.CSS(`#code`), code))
	b.shot("anon receipt entry")
	b.submit("open case", `form[action="/receipt"] button[type="submit"]`)
	if loc := b.location(); loc != "/receipt/case" {
		t.Fatalf("after the code the browser is at %q", loc)
	}
	b.mustSee("case page", "mengangkat karung")
	b.shot("anon case page")

	// Staff ask for more information (API: the staff side has its own flows).
	var login struct{ Token string }
	s.api(t, "spn", "POST", "/api/v1/auth/login", "", map[string]string{"email": "admin@spn.example", "password": demoPassword}, &login)
	var id string
	if err := s.db.Super.QueryRowContext(context.Background(),
		`SELECT c.id FROM cases c JOIN tenants t ON t.id = c.tenant_id WHERE t.slug = 'spn' AND c.description = ?`, desc).Scan(&id); err != nil {
		t.Fatal(err)
	}
	for _, tr := range []map[string]any{{"transition": "verify"}, {"transition": "request_info", "reason": "Di line mana dan jam berapa? Kirim foto jika ada."}} {
		s.api(t, "spn", "POST", "/api/v1/cases/"+id+"/transitions", login.Token, tr, nil)
	}

	// The reporter comes back to the page and answers.
	b.run("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#info-form`)))
	b.mustSee("asked", "Di line mana dan jam berapa?")
	b.shot("anon info requested")
	photo := filepath.Join(t.TempDir(), "gudang.jpg")
	if err := os.WriteFile(photo, tinyJPEG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	answer := "Gudang bahan, shift pagi jam 7 sampai 15. Foto karung terlampir."
	b.run("answer",
		chromedp.SendKeys(chromedp.CSS(`#info-body`), answer),
		chromedp.SetUploadFiles(chromedp.CSS(`#info-file`), []string{photo}),
	)
	b.shot("anon answer typed")
	b.submit("send answer", `#info-form button[type="submit"]`)
	b.mustSee("answered", answer, "gudang")
	if strings.Contains(b.text("body"), "Di line mana dan jam berapa? Kirim foto jika ada.") == false {
		t.Error("the request is no longer on the timeline")
	}
	b.noHorizontalScroll("answered")
	b.shot("anon answered")

	// End state, as the API reports it.
	var v struct {
		Status   string `json:"status"`
		Evidence []any  `json:"evidence"`
		Events   []struct {
			Kind    string         `json:"kind"`
			Payload map[string]any `json:"payload"`
		} `json:"events"`
	}
	s.api(t, "spn", "GET", "/api/v1/cases/"+id, login.Token, nil, &v)
	if v.Status != "verified" || len(v.Evidence) != 1 {
		t.Errorf("after the answer: status %q, %d evidence files; want verified and 1", v.Status, len(v.Evidence))
	}
	last := v.Events[len(v.Events)-1]
	if last.Kind != "status_changed" || last.Payload["transition"] != "provide_info" {
		t.Errorf("last event %s %v, want the reporter's provide_info", last.Kind, last.Payload)
	}
	// No URL the browser visited carries the code.
	if leaks := receiptLeaks(); len(leaks) > 0 {
		t.Errorf("receipt codes in the logs so far:\n%s", strings.Join(leaks, "\n"))
	}
	if !strings.Contains(suiteLogs.proxy.String(), "POST /receipt/info") {
		t.Error("the proxy log did not see the answer: is the proxy in the path?")
	}
}

// tinyJPEG is a small photo to attach.
func tinyJPEG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for y := range 24 {
		for x := range 32 {
			img.Set(x, y, color.RGBA{uint8(x * 8), 90, uint8(y * 10), 255})
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, nil); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
