package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestOfficerSeesSuggestionWhyAndSimilarCases (issue 25, acceptance 3): the
// unit officer, on a phone, opens from the staff home a case whose text
// names a locked fire exit and sees the suggestion's reasons (the case's
// words behind the category, the safety rule behind the urgency) and the
// similar resolved cases of their own plant, not the one resolved in
// another province; then corrects the suggestion's tags by ticking one
// under "Tag lain". The page passes axe-core.
func TestOfficerSeesSuggestionWhyAndSimilarCases(t *testing.T) {
	s := startServer(t)
	var login struct{ Token string }
	s.api(t, "spn", "POST", "/api/v1/auth/login", "", map[string]string{"phone": demoReporter, "password": demoPassword}, &login)
	workplace := func(slug string) string {
		var id string
		if err := s.db.Super.QueryRowContext(context.Background(),
			`SELECT w.id FROM workplaces w JOIN tenants t ON t.id = w.tenant_id WHERE t.slug = 'spn' AND w.slug = ?`, slug).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	type filed struct{ ID, Reference string }
	file := func(title, text, wp string) filed {
		var f filed
		s.api(t, "spn", "POST", "/api/v1/cases", login.Token, map[string]any{"type": "complaint", "title": title,
			"description": text, "workplace_id": workplace(wp), "safety_mode": "named"}, &f)
		if f.ID == "" {
			t.Fatalf("filing %q gave no case", title)
		}
		return f
	}
	resolve := func(id string) {
		if _, err := s.db.Super.ExecContext(context.Background(),
			`UPDATE cases SET status = 'resolved', resolved_at = now() - interval '1 day' WHERE id = ?`, id); err != nil {
			t.Fatal(err)
		}
	}
	stamp := time.Now().Format("150405.000")
	local := file("Pintu darurat gudang benang dikunci "+stamp,
		"Pintu darurat di gudang benang selalu dikunci gembok saat shift berjalan, kunci dipegang satpam.", "pt-maju-jaya-garmen")
	resolve(local.ID)
	far := file("Pintu darurat gudang sepatu dikunci "+stamp,
		"Pintu darurat di gudang sepatu dikunci gembok saat shift berjalan, kunci dibawa pulang mandor.", "pt-kharisma-sepatu-nusantara")
	resolve(far.ID)
	title := "Pintu darurat gedung jahit dikunci " + stamp
	current := file(title, "Pintu darurat di gedung jahit dikunci gembok dari luar saat shift malam, kami takut kalau ada kebakaran.", "pt-maju-jaya-garmen")

	a := newAxe(t)
	b := newBrowser(t, phone)
	b.login(s, "spn", "email", "officer@spn.example")
	b.submit("open queue", `a[href="/staff/queue"]`)
	b.mustSee("queue", title)
	href := eval[string](b, `(Array.from(document.querySelectorAll('ul.queue a[href^="/cases/"]')).find(a => a.closest('li').textContent.includes(`+jsString(title)+`)) || {}).getAttribute?.('href') || ""`)
	if href == "" {
		b.shot("queue without the case")
		t.Fatalf("no link to %q in the queue", title)
	}
	b.submit("open case", `ul.queue a[href="`+href+`"]`)
	for i := 0; eval[int](b, `document.querySelectorAll('section.suggestion .why').length`) == 0; i++ {
		if i == 40 {
			t.Fatal("no AI suggestion on the case after 20 s")
		}
		time.Sleep(500 * time.Millisecond)
		b.run("reload case", chromedp.Reload())
	}
	b.mustSee("suggestion reasons", "Alasan saran ini", "pintu darurat dikunci atau terhalang")
	if n := eval[int](b, `document.querySelectorAll('section.suggestion q.why-term').length`); n == 0 {
		t.Error("the suggestion names no words behind its category")
	}
	b.shotOf("suggestion reasons", "section.suggestion")
	a.check(b, "staff case page with a suggestion")

	similar := b.text("section.similar")
	if !strings.Contains(similar, local.Reference) {
		t.Errorf("similar cases %q lack the plant's resolved case %s", similar, local.Reference)
	}
	if strings.Contains(similar, far.Reference) || strings.Contains(similar, "gudang sepatu") {
		t.Errorf("similar cases %q show another province's case %s", similar, far.Reference)
	}
	b.shotOf("similar resolved cases", "section.similar")

	// Correcting the tags is ticking boxes: the officer ticks one the
	// suggestion lacks and sends the correction; the case carries it.
	tag := eval[string](b, `(document.querySelector('section.suggestion input[name="tags"]:not(:checked)') || {}).value || ""`)
	if tag == "" {
		b.shotOf("tag picker", "section.suggestion")
		t.Fatal("the correction form offers no tag to tick")
	}
	b.run("tick a tag", chromedp.Click(chromedp.CSS(`section.suggestion details.more-tags summary`)),
		chromedp.Click(chromedp.CSS(`section.suggestion input[name="tags"][value="`+tag+`"]`)))
	b.shotOf("tag ticked", "section.suggestion fieldset")
	b.submit("correct the suggestion", `section.suggestion form:has(input[name="decision"][value="correct"]) button`)
	b.mustSee("suggestion corrected", "Petugas mengoreksi saran ini.")
	var has bool
	if err := s.db.Super.QueryRowContext(context.Background(), `SELECT ? = ANY(tags) FROM cases WHERE id = ?`, tag, current.ID).Scan(&has); err != nil {
		t.Fatal(err)
	}
	if !has {
		t.Errorf("the case lacks the ticked tag %q", tag)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
